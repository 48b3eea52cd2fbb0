//! `GET /attestations/{org}`: the org's attestations, newest first, filtered by
//! id, name, flow, type, compliance and time, in pages continued by a cursor
//! (`after`, taken from `_links.next`). The Kosli CLI reads one attestation by
//! id this way (`get attestation --attestation-id`, `evaluate trail`).

use axum::Json;
use axum::extract::{Path, State};
use custody_api::{Attestation, CursorPage, PageLinks};
use custody_core::ids::AttestationId;
use custody_store::{AttestationFilter, MAX_ATTESTATION_PAGE};

use super::api_doc::Refusals;
use super::evidence::attestation_document;
use crate::auth::{Authed, Permission};
use crate::body::Pairs;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

const DEFAULT_PAGE: u32 = 15;

fn number<T: std::str::FromStr>(query: &Pairs, key: &'static str) -> ApiResult<Option<T>> {
    query
        .last(key)
        .map(|v| {
            v.parse()
                .map_err(|_| ApiError::invalid(key, format!("'{v}' is not a whole number")))
        })
        .transpose()
}

fn filter(query: &Pairs) -> ApiResult<AttestationFilter> {
    let is_compliant = match query.last("is_compliant").as_deref() {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(other) => {
            return Err(ApiError::invalid(
                "is_compliant",
                format!("'{other}' is not true or false"),
            ));
        }
    };
    Ok(AttestationFilter {
        public_id: query.last("attestation_id"),
        name: query.last("name"),
        flows: query.all("flow"),
        kinds: query.all("type"),
        is_compliant,
        from: number(query, "from_timestamp")?,
        to: number(query, "to_timestamp")?,
        after_id: number(query, "after")?,
    })
}

/// The link to the page after the one that ended at row `last`.
fn next_link(org: &str, query: &Pairs, last: AttestationId) -> String {
    let mut link = form_urlencoded::Serializer::new(String::new());
    for (k, v) in query.0.iter().filter(|(k, _)| k != "after") {
        link.append_pair(k, v);
    }
    link.append_pair("after", &last.to_string());
    format!("/api/v2/attestations/{org}?{}", link.finish())
}

#[utoipa::path(
    get,
    path = "/attestations/{org}",
    tag = "attestations",
    operation_id = "get_attestations",
    params(
        ("org" = String, Path, description = "The organization"),
        ("attestation_id" = Option<String>, Query, description = "Only the attestation with this id"),
        ("name" = Option<String>, Query, description = "Only attestations of this name"),
        ("flow" = Option<String>, Query, description = "Only in this flow (repeatable)"),
        ("type" = Option<String>, Query, description = "Only of this type, e.g. junit or custom:coverage (repeatable)"),
        ("is_compliant" = Option<bool>, Query, description = "Only compliant (true) or non-compliant (false) ones"),
        ("from_timestamp" = Option<i64>, Query, description = "Reported at or after (Unix seconds)"),
        ("to_timestamp" = Option<i64>, Query, description = "Reported at or before (Unix seconds)"),
        ("after" = Option<i64>, Query, description = "The cursor from `_links.next`"),
        ("per_page" = Option<u32>, Query, description = "At most 100; 15 by default")
    ),
    responses(
        (status = 200, description = "A page of attestations", body = CursorPage<Attestation>),
        Refusals
    )
)]
pub async fn list(
    State(state): State<AppState>,
    auth: Authed,
    Path(org): Path<String>,
    query: Pairs,
) -> ApiResult<Json<CursorPage<Attestation>>> {
    let org = auth.scope(&org, Permission::Read)?;
    let filter = filter(&query)?;
    let per_page = number(&query, "per_page")?.unwrap_or(DEFAULT_PAGE);
    if per_page == 0 || per_page > MAX_ATTESTATION_PAGE {
        return Err(ApiError::invalid(
            "per_page",
            format!("{per_page} is out of range: ask for 1 to {MAX_ATTESTATION_PAGE}"),
        ));
    }
    let mut rows = state
        .store
        .org_attestations(org.id, &filter, per_page + 1)
        .await?;
    let more = rows.len() > per_page as usize;
    rows.truncate(per_page as usize);
    let ids: Vec<AttestationId> = rows.iter().map(|a| a.row.id).collect();
    let evidence = state.store.evidence_of(&ids).await?;
    let data = rows
        .iter()
        .map(|a| {
            let attached = evidence.iter().find(|e| e.attestation_id == a.row.id);
            let trail = a.trail_name.clone().unwrap_or_default();
            let fp = a.artifact_fingerprint.clone().map(String::from);
            attestation_document(&state, &org.name, &a.flow_name, trail, fp, &a.row, attached)
        })
        .collect();
    let next = match rows.last() {
        Some(last) if more => Some(next_link(&org.name, &query, last.row.id)),
        _ => None,
    };
    Ok(Json(CursorPage {
        data,
        links: PageLinks { next },
    }))
}
