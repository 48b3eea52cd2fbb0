//! The organization itself: `GET /organizations/{org}`, its beta switch
//! (`PUT /organizations/{org}/experimental_features`, admins only), and the
//! caller's default org (`GET /user/default-org`, `PUT /user/{org}`).
//!
//! Choice: an API key belongs to one org, so a key's default org is always its
//! own; setting it to that org succeeds and any other org is refused.

use axum::Json;
use axum::extract::{Path, State};
use custody_api::{BetaFeatures, DefaultOrg, Organization};

use super::api_doc::Refusals;
use crate::auth::{Authed, OrgScope, Permission};
use crate::body::JsonBody;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

async fn document(state: &AppState, org: &OrgScope) -> ApiResult<Organization> {
    let row = state.store.org(&org.name).await?.ok_or_else(|| {
        ApiError::not_found(format!("Organization '{}' does not exist", org.name))
    })?;
    Ok(Organization {
        name: row.name,
        created_at: row.created_at.whole_seconds(),
        experimental_features_enabled: row.beta_enabled != 0,
    })
}

/// `GET /organizations/{org}`.
#[utoipa::path(
    get,
    path = "/organizations/{org}",
    tag = "organizations",
    operation_id = "get_organization",
    params(("org" = String, Path, description = "The organization")),
    responses((status = 200, description = "The organization", body = Organization), Refusals)
)]
pub async fn get(
    State(state): State<AppState>,
    auth: Authed,
    Path(org): Path<String>,
) -> ApiResult<Json<Organization>> {
    let org = auth.scope(&org, Permission::Read)?;
    Ok(Json(document(&state, &org).await?))
}

/// `PUT /organizations/{org}/experimental_features` with `{"experimental_features_enabled"}`.
#[utoipa::path(
    put,
    path = "/organizations/{org}/experimental_features",
    tag = "organizations",
    operation_id = "set_experimental_features",
    params(("org" = String, Path, description = "The organization")),
    request_body = BetaFeatures,
    responses((status = 200, description = "The organization", body = Organization), Refusals)
)]
pub async fn set_beta(
    State(state): State<AppState>,
    auth: Authed,
    Path(org): Path<String>,
    JsonBody(body): JsonBody<BetaFeatures>,
) -> ApiResult<Json<Organization>> {
    let org = auth.scope(&org, Permission::Admin)?;
    let enabled = body.experimental_features_enabled;
    state.store.set_beta(org.id, enabled, state.now()).await?;
    Ok(Json(document(&state, &org).await?))
}

/// `GET /user/default-org`: the org of the caller's key.
#[utoipa::path(
    get,
    path = "/user/default-org",
    tag = "organizations",
    operation_id = "get_user_default_org",
    responses((status = 200, description = "The default org", body = DefaultOrg), Refusals)
)]
pub async fn default_org(auth: Authed) -> Json<DefaultOrg> {
    Json(DefaultOrg {
        default_org_name: auth.0.org_name,
    })
}

/// `PUT /user/{org}`: accepted for the key's own org, refused for any other.
#[utoipa::path(
    put,
    path = "/user/{org}",
    tag = "organizations",
    operation_id = "put_user_default_org",
    params(("org" = String, Path, description = "The organization")),
    responses((status = 200, description = "The default org", body = DefaultOrg), Refusals)
)]
pub async fn set_default_org(auth: Authed, Path(org): Path<String>) -> ApiResult<Json<DefaultOrg>> {
    auth.scope(&org, Permission::Read)
        .map_err(|_| ApiError::Forbidden(format!("Access denied to /api/v2/user/{org}")))?;
    Ok(Json(DefaultOrg {
        default_org_name: org,
    }))
}
