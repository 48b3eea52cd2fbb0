//! Custom attestation types: `POST /custom-attestation-types/{org}` creates a
//! type or its next immutable version (multipart `data_json` plus an optional
//! `type_schema` file), `GET` lists or shows them, `PUT …/{name}/archive`
//! retires one. [`judge`] decides a custom attestation's compliance: its
//! `attestation_data` must match the type's schema, and every jq rule must hold.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use custody_api::{
    AttestationTypeDocument, AttestationTypeVersion, Evaluator, SummaryEntry, SummaryValue,
};
use custody_core::custom_type::{CustomTypeError, TypeState, judging_version, verdict};
use custody_core::ids::AttestationTypeId;
use custody_core::limits;
use custody_core::names::NameKind;
use custody_rules::{Definition, RuleError};
use custody_store::{AttestationTypeInsert, AttestationTypeRow, AttestationTypeVersionRow, json};
use serde::Deserialize;
use serde_json::{Value, json};

use super::api_doc::{Refusals, TypeForm};
use crate::auth::{Authed, OrgScope, Permission};
use crate::body::{Form, Params};
use crate::error::{ApiError, ApiResult};
use crate::lookup;
use crate::state::AppState;

/// `data_json` of a create request.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewType {
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    evaluator: Option<Evaluator>,
    #[serde(default)]
    summary: Vec<SummaryEntry>,
}

/// The type's document, with the given versions (oldest first).
fn document(
    org: &OrgScope,
    t: &AttestationTypeRow,
    versions: &[AttestationTypeVersionRow],
) -> AttestationTypeDocument {
    let mut doc = one_version(org, t, versions);
    doc.created_by = Some(
        doc.versions
            .first()
            .map(|v| v.created_by.clone())
            .unwrap_or_default(),
    );
    doc.created_at = Some(t.created_at.seconds());
    doc.last_modified_at = Some(
        doc.versions
            .last()
            .map_or(t.created_at.seconds(), |v| v.timestamp),
    );
    doc
}

/// The type's document for one version asked for: without who made the
/// type and when, as Kosli sends it.
fn one_version(
    org: &OrgScope,
    t: &AttestationTypeRow,
    versions: &[AttestationTypeVersionRow],
) -> AttestationTypeDocument {
    let versions: Vec<AttestationTypeVersion> = versions
        .iter()
        .filter(|v| v.type_id == t.id)
        .map(|v| AttestationTypeVersion {
            version: v.version,
            timestamp: v.created_at.seconds(),
            created_by: v.created_by.clone(),
            type_schema: v.type_schema.as_deref().map(json),
            evaluator: Evaluator {
                content_type: "jq".into(),
                rules: serde_json::from_str(&v.jq_rules).unwrap_or_default(),
            },
            summary: serde_json::from_str(&v.summary).unwrap_or_default(),
        })
        .collect();
    AttestationTypeDocument {
        name: t.name.clone(),
        description: t.description.clone(),
        org: org.name.clone(),
        archived: t.archived_at.is_some(),
        created_by: None,
        created_at: None,
        last_modified_at: None,
        latest_version: t.versions,
        versions,
    }
}

async fn find(state: &AppState, org: &OrgScope, name: &str) -> ApiResult<AttestationTypeRow> {
    state
        .store
        .attestation_type(org.id, name)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "Custom attestation type '{name}' does not exist for org '{}'",
                org.name
            ))
        })
}

/// `POST /custom-attestation-types/{org}`: a new type, or the next version of one.
#[utoipa::path(
    post,
    path = "/custom-attestation-types/{org}",
    tag = "attestation types",
    operation_id = "create_attestation_type",
    params(
        ("org" = String, Path, description = "The organization")
    ),
    request_body(content = TypeForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The type with its new version", body = AttestationTypeDocument),
        Refusals
    )
)]
pub async fn create(
    State(state): State<AppState>,
    auth: Authed,
    Path(org): Path<String>,
    form: Form,
) -> ApiResult<(StatusCode, Json<AttestationTypeDocument>)> {
    let org = auth.scope(&org, Permission::Write)?;
    let new: NewType = form.json("data_json")?;
    lookup::name(NameKind::AttestationType, &new.name)?;
    let schema = match form.text("type_schema")? {
        Some(text) => {
            limits::document("type schema", &text).map_err(ApiError::bad)?;
            let schema: Value = serde_json::from_str(&text)
                .map_err(|e| ApiError::bad(format!("the type schema is not JSON: {e}")))?;
            Some(schema.to_string())
        }
        None => None,
    };
    let jq_rules = match new.evaluator {
        Some(e) if e.content_type == "jq" => e.rules,
        Some(e) if e.content_type == "default" && e.rules.is_empty() => Vec::new(),
        Some(e) => {
            return Err(ApiError::bad(format!(
                "evaluator content_type '{}' is not supported: use jq (with rules) or default",
                e.content_type
            )));
        }
        None => Vec::new(),
    };
    let definition = Definition {
        schema: schema.clone(),
        rules: jq_rules.clone(),
        summaries: new.summary.iter().map(|s| s.expression.clone()).collect(),
    };
    state.rules.check(&definition).await.map_err(rule_error)?;
    let insert = AttestationTypeInsert {
        name: new.name,
        description: new.description.unwrap_or_default(),
        type_schema: schema,
        jq_rules: json!(jq_rules).to_string(),
        summary: json!(new.summary).to_string(),
        created_by: org.service_account.clone(),
    };
    let row = state
        .store
        .create_attestation_type(org.id, &insert, state.now())
        .await?;
    let versions = state.store.attestation_type_versions(&[row.id]).await?;
    Ok((StatusCode::CREATED, Json(document(&org, &row, &versions))))
}

/// `GET /custom-attestation-types/{org}`: types not archived, by name.
#[utoipa::path(
    get,
    path = "/custom-attestation-types/{org}",
    tag = "attestation types",
    operation_id = "list_attestation_types",
    params(
        ("org" = String, Path, description = "The organization")
    ),
    responses(
        (status = 200, description = "Types not archived, by name", body = Vec<AttestationTypeDocument>),
        Refusals
    )
)]
pub async fn list(
    State(state): State<AppState>,
    auth: Authed,
    Path(org): Path<String>,
) -> ApiResult<Json<Vec<AttestationTypeDocument>>> {
    let org = auth.scope(&org, Permission::Read)?;
    let rows = state.store.attestation_types(org.id).await?;
    let ids: Vec<AttestationTypeId> = rows.iter().map(|t| t.id).collect();
    let versions = state.store.attestation_type_versions(&ids).await?;
    Ok(Json(
        rows.iter().map(|t| document(&org, t, &versions)).collect(),
    ))
}

#[derive(Debug, Deserialize)]
pub struct VersionQuery {
    version: Option<i64>,
}

/// `GET /custom-attestation-types/{org}/{name}[?version=N]`.
#[utoipa::path(
    get,
    path = "/custom-attestation-types/{org}/{name}",
    tag = "attestation types",
    operation_id = "get_attestation_type",
    params(
        ("org" = String, Path, description = "The organization"),
        ("name" = String, Path, description = "The name"),
        ("version" = Option<i64>, Query, description = "Only this version")
    ),
    responses(
        (status = 200, description = "The type and its versions", body = AttestationTypeDocument),
        Refusals
    )
)]
pub async fn get(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, name)): Path<(String, String)>,
    Params(query): Params<VersionQuery>,
) -> ApiResult<Json<AttestationTypeDocument>> {
    let org = auth.scope(&org, Permission::Read)?;
    let row = find(&state, &org, &name).await?;
    let mut versions = state.store.attestation_type_versions(&[row.id]).await?;
    let Some(n) = query.version else {
        return Ok(Json(document(&org, &row, &versions)));
    };
    versions.retain(|v| v.version == n);
    if versions.is_empty() {
        return Err(refusal(CustomTypeError::NoVersion { name, version: n }));
    }
    Ok(Json(one_version(&org, &row, &versions)))
}

/// `PUT /custom-attestation-types/{org}/{name}/archive`.
#[utoipa::path(
    put,
    path = "/custom-attestation-types/{org}/{name}/archive",
    tag = "attestation types",
    operation_id = "archive_attestation_type",
    params(
        ("org" = String, Path, description = "The organization"),
        ("name" = String, Path, description = "The name")
    ),
    responses(
        (status = 200, description = "Archived", body = AttestationTypeDocument),
        Refusals
    )
)]
pub async fn archive(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, name)): Path<(String, String)>,
) -> ApiResult<Json<AttestationTypeDocument>> {
    let org = auth.scope(&org, Permission::Write)?;
    let row = find(&state, &org, &name).await?;
    state
        .store
        .archive_attestation_type(row.id, state.now())
        .await?;
    let row = find(&state, &org, &name).await?;
    let versions = state.store.attestation_type_versions(&[row.id]).await?;
    Ok(Json(document(&org, &row, &versions)))
}

/// A custom attestation judged under its type: whether it is compliant (the
/// rules of `custody_core::custom_type`, with the data judged in the rule
/// sandbox) and its type's summary rows.
pub struct Judged {
    pub compliant: bool,
    pub summary: Vec<SummaryValue>,
    /// The type's rules that did not hold, as written in the type.
    pub failed_rules: Vec<String>,
}

pub async fn judge(state: &AppState, org: &OrgScope, payload: &Value) -> ApiResult<Judged> {
    let name = payload["type_name"]
        .as_str()
        .ok_or_else(|| ApiError::bad("a custom attestation needs 'type_name'"))?;
    let row = find(state, org, name).await?;
    let wanted = TypeState {
        name,
        archived: row.archived_at.is_some(),
        latest: row.versions,
    };
    let wanted = judging_version(wanted, payload["type_version"].as_i64()).map_err(refusal)?;
    let versions = state.store.attestation_type_versions(&[row.id]).await?;
    let version = versions
        .iter()
        .find(|v| v.version == wanted)
        .ok_or_else(|| ApiError::Internal(format!("type '{name}' lost version {wanted}")))?;
    let empty = json!({});
    let entries: Vec<SummaryEntry> = serde_json::from_str(&version.summary).unwrap_or_default();
    let definition = Definition {
        schema: version.type_schema.clone(),
        rules: serde_json::from_str(&version.jq_rules).unwrap_or_default(),
        summaries: entries.iter().map(|e| e.expression.clone()).collect(),
    };
    let data = payload.get("attestation_data").unwrap_or(&empty);
    let judgement = state
        .rules
        .judge(&definition, data)
        .await
        .map_err(rule_error)?;
    let summary = entries
        .into_iter()
        .zip(judgement.summary)
        .map(|(entry, outcome)| {
            let (value, error) = match outcome {
                Ok(value) => (value, None),
                Err(why) => (Value::Null, Some(why)),
            };
            SummaryValue {
                name: entry.name,
                value,
                error,
            }
        })
        .collect();
    let compliant =
        verdict(name, wanted, judgement.violations, &judgement.failed_rules).map_err(refusal)?;
    Ok(Judged {
        compliant,
        summary,
        failed_rules: judgement.failed_rules,
    })
}

fn refusal(e: CustomTypeError) -> ApiError {
    match e {
        CustomTypeError::NoVersion { .. } => ApiError::not_found(e.to_string()),
        _ => ApiError::bad(e.to_string()),
    }
}

/// Rules at fault are the caller's to fix (400); a busy sandbox is worth a retry.
fn rule_error(e: RuleError) -> ApiError {
    match e {
        RuleError::Refused(message) => ApiError::BadRequest(message),
        RuleError::Busy => ApiError::Unavailable(e.to_string()),
        RuleError::Unavailable(detail) => ApiError::Internal(detail),
    }
}
