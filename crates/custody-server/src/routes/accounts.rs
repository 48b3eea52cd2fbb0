//! Service accounts and their API keys, managed by org admins. A key's secret is
//! returned once, when it is created or rotated; only its hash is stored.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use custody_api::{
    ApiKey, ApiKeyCreate, ApiKeyRotate, NewApiKey, ServiceAccount, ServiceAccountCreate,
    ServiceAccountUpdate,
};
use custody_core::Timestamp;
use custody_core::ids::ServiceAccountId;
use custody_core::names::NameKind;
use custody_store::{ServiceAccountRow, Store};

use super::api_doc::Refusals;
use crate::auth::{Authed, OrgScope, Permission, generate_key, hash_key, parse_role};
use crate::body::JsonBody;
use crate::error::{ApiError, ApiResult};
use crate::lookup;
use crate::state::AppState;

fn document(row: ServiceAccountRow) -> ServiceAccount {
    ServiceAccount {
        name: row.name,
        description: row.description,
        privilege: row.role.to_string(),
        created_at: row.created_at.seconds(),
    }
}

async fn account(state: &AppState, org: &OrgScope, name: &str) -> ApiResult<ServiceAccountRow> {
    state
        .store
        .service_account(org.id, name)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "Service account '{name}' does not exist in organization '{}'",
                org.name
            ))
        })
}

/// Creates a key for an account and returns its secret.
pub async fn issue_key(
    store: &dyn Store,
    account_id: ServiceAccountId,
    description: &str,
    now: Timestamp,
    expires_at: Option<Timestamp>,
) -> ApiResult<NewApiKey> {
    if expires_at.is_some_and(|e| e <= now) {
        return Err(ApiError::bad("expires_at must be in the future"));
    }
    let (id, key) = generate_key();
    store
        .create_api_key(
            account_id,
            &id,
            &hash_key(&key),
            description,
            now,
            expires_at,
        )
        .await?;
    Ok(NewApiKey {
        id,
        key,
        description: description.to_string(),
        expires_at: expires_at.map(Timestamp::seconds),
    })
}

#[utoipa::path(
    post,
    path = "/service-accounts/{org}",
    tag = "service accounts",
    operation_id = "create_service_account",
    params(
        ("org" = String, Path, description = "The organization")
    ),
    request_body = ServiceAccountCreate,
    responses(
        (status = 201, description = "Created", body = ServiceAccount),
        Refusals
    )
)]
pub async fn create(
    State(state): State<AppState>,
    auth: Authed,
    Path(org): Path<String>,
    JsonBody(data): JsonBody<ServiceAccountCreate>,
) -> ApiResult<(StatusCode, Json<ServiceAccount>)> {
    let org = auth.scope(&org, Permission::Admin)?;
    lookup::name(NameKind::ServiceAccount, &data.name)?;
    let role = parse_role(&data.privilege)?;
    let row = state
        .store
        .create_service_account(
            org.id,
            &data.name,
            data.description.as_deref(),
            role,
            state.now(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(document(row))))
}

#[utoipa::path(
    get,
    path = "/service-accounts/{org}",
    tag = "service accounts",
    operation_id = "list_service_accounts",
    params(
        ("org" = String, Path, description = "The organization")
    ),
    responses(
        (status = 200, description = "Service accounts", body = Vec<ServiceAccount>),
        Refusals
    )
)]
pub async fn list(
    State(state): State<AppState>,
    auth: Authed,
    Path(org): Path<String>,
) -> ApiResult<Json<Vec<ServiceAccount>>> {
    let org = auth.scope(&org, Permission::Admin)?;
    let rows = state.store.service_accounts(org.id).await?;
    Ok(Json(rows.into_iter().map(document).collect()))
}

#[utoipa::path(
    get,
    path = "/service-accounts/{org}/{name}",
    tag = "service accounts",
    operation_id = "get_service_account",
    params(
        ("org" = String, Path, description = "The organization"),
        ("name" = String, Path, description = "The name")
    ),
    responses(
        (status = 200, description = "The service account", body = ServiceAccount),
        Refusals
    )
)]
pub async fn get(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, name)): Path<(String, String)>,
) -> ApiResult<Json<ServiceAccount>> {
    let org = auth.scope(&org, Permission::Admin)?;
    Ok(Json(document(account(&state, &org, &name).await?)))
}

#[utoipa::path(
    patch,
    path = "/service-accounts/{org}/{name}",
    tag = "service accounts",
    operation_id = "update_service_account",
    params(
        ("org" = String, Path, description = "The organization"),
        ("name" = String, Path, description = "The name")
    ),
    request_body = ServiceAccountUpdate,
    responses(
        (status = 200, description = "Updated", body = ServiceAccount),
        Refusals
    )
)]
pub async fn update(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, name)): Path<(String, String)>,
    JsonBody(data): JsonBody<ServiceAccountUpdate>,
) -> ApiResult<Json<ServiceAccount>> {
    let org = auth.scope(&org, Permission::Admin)?;
    let row = account(&state, &org, &name).await?;
    let role = data.privilege.as_deref().map(parse_role).transpose()?;
    state
        .store
        .update_service_account(row.id, data.description.as_deref(), role, state.now())
        .await?;
    Ok(Json(document(account(&state, &org, &name).await?)))
}

#[utoipa::path(
    delete,
    path = "/service-accounts/{org}/{name}",
    tag = "service accounts",
    operation_id = "delete_service_account",
    params(
        ("org" = String, Path, description = "The organization"),
        ("name" = String, Path, description = "The name")
    ),
    responses(
        (status = 200, description = "Deleted"),
        Refusals
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, name)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let org = auth.scope(&org, Permission::Admin)?;
    if org.service_account == name {
        return Err(ApiError::bad(format!(
            "cannot delete service account '{name}': this request is authenticated with one of its keys"
        )));
    }
    let row = account(&state, &org, &name).await?;
    state
        .store
        .delete_service_account(row.id, state.now())
        .await?;
    Ok(StatusCode::OK)
}

#[utoipa::path(
    post,
    path = "/service-accounts/{org}/{name}/api-keys",
    tag = "service accounts",
    operation_id = "create_api_key",
    params(
        ("org" = String, Path, description = "The organization"),
        ("name" = String, Path, description = "The name")
    ),
    request_body = ApiKeyCreate,
    responses(
        (status = 201, description = "The key, shown once", body = NewApiKey),
        Refusals
    )
)]
pub async fn create_key(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, name)): Path<(String, String)>,
    JsonBody(data): JsonBody<ApiKeyCreate>,
) -> ApiResult<(StatusCode, Json<NewApiKey>)> {
    let org = auth.scope(&org, Permission::Admin)?;
    let row = account(&state, &org, &name).await?;
    let key = issue_key(
        state.store.as_ref(),
        row.id,
        &data.description,
        state.now(),
        data.expires_at.map(Timestamp::from_seconds),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(key)))
}

fn key_document(row: custody_store::ApiKeyRow) -> ApiKey {
    ApiKey {
        id: row.public_id,
        description: row.description,
        created_at: row.created_at.seconds(),
        expires_at: row.expires_at.map(Timestamp::seconds),
        last_used_at: None,
    }
}

#[utoipa::path(
    get,
    path = "/service-accounts/{org}/{name}/api-keys",
    tag = "service accounts",
    operation_id = "list_api_keys",
    params(
        ("org" = String, Path, description = "The organization"),
        ("name" = String, Path, description = "The name")
    ),
    responses(
        (status = 200, description = "Its keys (never their secrets)", body = Vec<ApiKey>),
        Refusals
    )
)]
pub async fn list_keys(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, name)): Path<(String, String)>,
) -> ApiResult<Json<Vec<ApiKey>>> {
    let org = auth.scope(&org, Permission::Admin)?;
    let row = account(&state, &org, &name).await?;
    let keys = state.store.api_keys(row.id).await?;
    Ok(Json(keys.into_iter().map(key_document).collect()))
}

fn missing_key(id: &str, account: &str) -> ApiError {
    ApiError::not_found(format!(
        "API key '{id}' does not exist for service account '{account}'"
    ))
}

#[utoipa::path(
    get,
    path = "/service-accounts/{org}/{name}/api-keys/{id}",
    tag = "service accounts",
    operation_id = "get_api_key",
    params(
        ("org" = String, Path, description = "The organization"),
        ("name" = String, Path, description = "The name"),
        ("id" = String, Path, description = "The id")
    ),
    responses(
        (status = 200, description = "The key (never its secret)", body = ApiKey),
        Refusals
    )
)]
pub async fn get_key(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, name, id)): Path<(String, String, String)>,
) -> ApiResult<Json<ApiKey>> {
    let org = auth.scope(&org, Permission::Admin)?;
    let row = account(&state, &org, &name).await?;
    let key = state
        .store
        .api_keys(row.id)
        .await?
        .into_iter()
        .find(|k| k.public_id == id);
    key.map(|k| Json(key_document(k)))
        .ok_or_else(|| missing_key(&id, &name))
}

#[utoipa::path(
    delete,
    path = "/service-accounts/{org}/{name}/api-keys/{id}",
    tag = "service accounts",
    operation_id = "delete_api_key",
    params(
        ("org" = String, Path, description = "The organization"),
        ("name" = String, Path, description = "The name"),
        ("id" = String, Path, description = "The id")
    ),
    responses(
        (status = 200, description = "Revoked"),
        Refusals
    )
)]
pub async fn delete_key(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, name, id)): Path<(String, String, String)>,
) -> ApiResult<StatusCode> {
    let org = auth.scope(&org, Permission::Admin)?;
    let row = account(&state, &org, &name).await?;
    if state.store.delete_api_key(row.id, &id, state.now()).await? {
        Ok(StatusCode::OK)
    } else {
        Err(missing_key(&id, &name))
    }
}

/// Issues a new key now; the old one keeps working for the grace period (24 h by default).
#[utoipa::path(
    post,
    path = "/service-accounts/{org}/{name}/api-keys/{id}/rotate",
    tag = "service accounts",
    operation_id = "rotate_api_key",
    params(
        ("org" = String, Path, description = "The organization"),
        ("name" = String, Path, description = "The name"),
        ("id" = String, Path, description = "The id")
    ),
    request_body = ApiKeyRotate,
    responses(
        (status = 201, description = "The new key, shown once", body = NewApiKey),
        Refusals
    )
)]
pub async fn rotate_key(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, name, id)): Path<(String, String, String)>,
    JsonBody(data): JsonBody<ApiKeyRotate>,
) -> ApiResult<(StatusCode, Json<NewApiKey>)> {
    let org = auth.scope(&org, Permission::Admin)?;
    let row = account(&state, &org, &name).await?;
    let grace = data.grace_period_hours.unwrap_or(24.0);
    if !(0.0..=720.0).contains(&grace) {
        return Err(ApiError::bad(
            "grace_period_hours must be between 0 and 720",
        ));
    }
    let now = state.now();
    let old = state
        .store
        .api_keys(row.id)
        .await?
        .into_iter()
        .find(|k| k.public_id == id);
    let old = old.ok_or_else(|| missing_key(&id, &name))?;
    let new = issue_key(
        state.store.as_ref(),
        row.id,
        &old.description,
        now,
        data.expires_at.map(Timestamp::from_seconds),
    )
    .await?;
    let old_end = now + grace * 3600.0;
    let old_end = old.expires_at.map_or(old_end, |e| e.min(old_end));
    state
        .store
        .set_api_key_expiry(row.id, &id, Some(old_end), state.now())
        .await?;
    Ok((StatusCode::CREATED, Json(new)))
}
