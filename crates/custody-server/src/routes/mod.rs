//! The Kosli API v2 routes, one module per resource.

pub(crate) mod accounts;
pub(crate) mod action_input;
pub(crate) mod actions;
pub(crate) mod api_doc;
pub(crate) mod artifacts;
pub(crate) mod asserts;
pub(crate) mod attestation_list;
pub(crate) mod attestations;
pub(crate) mod audit_packages;
pub(crate) mod controls;
pub(crate) mod custom_types;
pub(crate) mod deployments;
pub(crate) mod environment_admin;
pub(crate) mod environment_filter;
pub(crate) mod environments;
pub(crate) mod evaluations;
pub(crate) mod event_filter;
pub(crate) mod evidence;
pub(crate) mod flows;
pub(crate) mod ledger;
pub(crate) mod metrics;
pub(crate) mod organizations;
pub(crate) mod period_package;
pub(crate) mod policies;
pub(crate) mod policy_attachments;
pub(crate) mod reports;
pub(crate) mod repos;
pub(crate) mod search;
pub(crate) mod snapshots;
pub(crate) mod tags;
pub(crate) mod trails;

use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::body::MAX_BODY_BYTES;
use crate::error::ApiError;
use crate::state::AppState;
use crate::telemetry::{health, requests};
use crate::{guards, idempotency};

pub use accounts::issue_key;

async fn wrong_method() -> ApiError {
    ApiError::MethodNotAllowed("this API endpoint does not accept that HTTP method".into())
}

async fn no_route() -> ApiError {
    ApiError::not_found("no such API endpoint: see the Kosli API v2 paths in the README")
}

/// The API's routes and their OpenAPI document, from one list.
fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(api_doc::ApiDoc::openapi())
        .routes(routes!(flows::list, flows::create_legacy))
        .routes(routes!(flows::create))
        .routes(routes!(flows::get))
        .routes(routes!(flows::archive))
        .routes(routes!(flows::rename))
        .routes(routes!(tags::change))
        .routes(routes!(trails::list_org))
        .routes(routes!(trails::begin, trails::list_flow))
        .routes(routes!(trails::get))
        .routes(routes!(artifacts::list))
        .routes(routes!(repos::list))
        .routes(routes!(metrics::dora))
        .routes(routes!(evaluations::evaluate))
        .routes(routes!(controls::list, controls::create))
        .routes(routes!(controls::get, controls::update))
        .routes(routes!(controls::archive))
        .routes(routes!(controls::unarchive))
        .routes(routes!(controls::versions))
        .routes(routes!(controls::decisions))
        .routes(routes!(controls::coverage))
        .routes(routes!(repos::get))
        .routes(routes!(artifacts::report))
        .routes(routes!(artifacts::by_fingerprint))
        .routes(routes!(artifacts::by_commit))
        .routes(routes!(audit_packages::trail))
        .routes(routes!(audit_packages::artifact))
        .routes(routes!(period_package::environment))
        .routes(routes!(attestation_list::list))
        .routes(routes!(attestations::override_verdict))
        .routes(routes!(attestations::typed, evidence::named_on_trail))
        .routes(routes!(evidence::download))
        .routes(routes!(evidence::named_on_artifact))
        .routes(routes!(attestations::legacy_evidence))
        .routes(routes!(custom_types::list, custom_types::create))
        .routes(routes!(custom_types::get))
        .routes(routes!(custom_types::archive))
        .routes(routes!(deployments::expect))
        .routes(routes!(environments::list, environments::create))
        .routes(routes!(environments::get))
        .routes(routes!(environment_admin::archive))
        .routes(routes!(environment_admin::rename))
        .routes(routes!(environment_admin::join))
        .routes(routes!(
            policy_attachments::attach,
            policy_attachments::detach
        ))
        .routes(routes!(policies::list, policies::put))
        .routes(routes!(policies::get))
        .routes(routes!(policy_attachments::allow))
        .routes(routes!(reports::report))
        .routes(routes!(snapshots::events))
        .routes(routes!(snapshots::list))
        .routes(routes!(snapshots::get))
        .routes(routes!(snapshots::diff))
        .routes(routes!(search::search))
        .routes(routes!(asserts::artifact))
        .routes(routes!(accounts::list, accounts::create))
        .routes(routes!(accounts::get, accounts::update, accounts::delete))
        .routes(routes!(accounts::list_keys, accounts::create_key))
        .routes(routes!(accounts::get_key, accounts::delete_key))
        .routes(routes!(accounts::rotate_key))
        .routes(routes!(organizations::get))
        .routes(routes!(organizations::set_beta))
        .routes(routes!(organizations::default_org))
        .routes(routes!(organizations::set_default_org))
        .routes(routes!(ledger::checkpoint))
        .routes(routes!(ledger::public_key))
        .routes(routes!(ledger::entries))
        .routes(routes!(ledger::inclusion))
        .routes(routes!(ledger::consistency))
        .routes(routes!(ledger::unlogged))
        .routes(routes!(actions::put_environments))
        .routes(routes!(actions::put_flows))
        .routes(routes!(actions::list))
        .routes(routes!(actions::get, actions::delete))
        .split_for_parts()
}

/// The OpenAPI document of the API, with its paths under `/api/v2`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, doc) = api();
    let mut prefixed = doc.clone();
    prefixed.paths.paths = doc
        .paths
        .paths
        .into_iter()
        .map(|(path, item)| (format!("/api/v2{path}"), item))
        .collect();
    prefixed
}

pub fn router(state: AppState) -> Router {
    let (api, _) = api();
    let document = Json(openapi());
    let api = api
        .route("/repos/{org}/{name}/{*rest}", get(repos::get_nested))
        .route(
            "/openapi.json",
            get(move || std::future::ready(document.clone())),
        )
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            idempotency::deduplicate,
        ));
    Router::new()
        .route("/live", get(health::live))
        .route("/ready", get(health::ready))
        .route("/metrics", get(health::scrape))
        .merge(crate::web::routes())
        .nest("/api/v2", api)
        .fallback(no_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(guards::refuse_nul_in_uri))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            requests::trace,
        ))
        .with_state(state)
}
