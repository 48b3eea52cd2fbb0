//! The Kosli API v2 routes, one module per resource.

mod accounts;
mod artifacts;
mod asserts;
mod attestations;
mod custom_types;
mod deployments;
mod environment_admin;
mod environments;
mod evidence;
mod flows;
mod policies;
mod reports;
mod search;
mod snapshots;
mod tags;
mod trails;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, patch, post, put};

use crate::body::MAX_BODY_BYTES;
use crate::error::ApiError;
use crate::state::AppState;
use crate::{guards, idempotency};

pub use accounts::issue_key;

async fn ready() -> &'static str {
    "OK"
}

async fn wrong_method() -> ApiError {
    ApiError::MethodNotAllowed("this API endpoint does not accept that HTTP method".into())
}

async fn no_route() -> ApiError {
    ApiError::not_found("no such API endpoint: see the Kosli API v2 paths in the README")
}

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/flows/{org}", get(flows::list).put(flows::create_legacy))
        .route("/flows/{org}/template_file", put(flows::create))
        .route("/flows/{org}/{flow}", get(flows::get))
        .route("/flows/{org}/{flow}/archive", put(flows::archive))
        .route("/tags/{org}/{kind}/{name}", patch(tags::change))
        .route("/trails/{org}", get(trails::list_org))
        .route(
            "/trails/{org}/{flow}",
            put(trails::begin).get(trails::list_flow),
        )
        .route("/trails/{org}/{flow}/{trail}", get(trails::get))
        .route("/artifacts/{org}", get(artifacts::list))
        .route("/artifacts/{org}/{flow}", post(artifacts::report))
        .route(
            "/artifacts/{org}/{flow}/fingerprint/{fp}",
            get(artifacts::by_fingerprint),
        )
        .route(
            "/artifacts/{org}/{flow}/commit_sha/{sha}",
            get(artifacts::by_commit),
        )
        .route(
            "/attestations/{org}/{flow}/trail/{trail}/override",
            post(attestations::override_verdict),
        )
        .route(
            "/attestations/{org}/{flow}/trail/{trail}/{kind}",
            post(attestations::typed).get(evidence::latest_on_trail),
        )
        .route(
            "/attestations/{org}/{flow}/trail/{trail}/attestation/{id}/evidence",
            get(evidence::download),
        )
        .route(
            "/attestations/{org}/{flow}/artifact/{fp}/{name}",
            get(evidence::latest_on_artifact),
        )
        .route(
            "/evidence/{org}/artifact/{flow}/generic",
            post(attestations::legacy_evidence),
        )
        .route(
            "/custom-attestation-types/{org}",
            get(custom_types::list).post(custom_types::create),
        )
        .route(
            "/custom-attestation-types/{org}/{name}",
            get(custom_types::get),
        )
        .route(
            "/custom-attestation-types/{org}/{name}/archive",
            put(custom_types::archive),
        )
        .route("/deployments/{org}/{flow}", post(deployments::expect))
        .route(
            "/environments/{org}",
            get(environments::list).put(environments::create),
        )
        .route("/environments/{org}/{env}", get(environments::get))
        .route(
            "/environments/{org}/{env}/archive",
            put(environment_admin::archive),
        )
        .route(
            "/environments/{org}/{env}/rename",
            put(environment_admin::rename),
        )
        .route(
            "/environments/{org}/{env}/join",
            put(environment_admin::join),
        )
        .route(
            "/environments/{org}/{env}/policies",
            post(policies::attach).delete(policies::detach),
        )
        .route("/policies/{org}", get(policies::list).put(policies::put))
        .route("/policies/{org}/{name}", get(policies::get))
        .route("/allowlists/{org}/{env}", put(policies::allow))
        .route(
            "/environments/{org}/{env}/report/{kind}",
            put(reports::report),
        )
        .route("/environments/{org}/{env}/events", get(snapshots::events))
        .route("/snapshots/{org}/{env}", get(snapshots::list))
        .route("/snapshots/{org}/{env}/{id}", get(snapshots::get))
        .route("/env-diff/{org}", get(snapshots::diff))
        .route("/search/{org}/sha/{value}", get(search::search))
        .route("/asserts/{org}/fingerprint/{fp}", get(asserts::artifact))
        .route(
            "/service-accounts/{org}",
            get(accounts::list).post(accounts::create),
        )
        .route(
            "/service-accounts/{org}/{name}",
            get(accounts::get)
                .patch(accounts::update)
                .delete(accounts::delete),
        )
        .route(
            "/service-accounts/{org}/{name}/api-keys",
            get(accounts::list_keys).post(accounts::create_key),
        )
        .route(
            "/service-accounts/{org}/{name}/api-keys/{id}",
            get(accounts::get_key).delete(accounts::delete_key),
        )
        .route(
            "/service-accounts/{org}/{name}/api-keys/{id}/rotate",
            post(accounts::rotate_key),
        );
    let api = api.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        idempotency::deduplicate,
    ));
    Router::new()
        .route("/ready", get(ready))
        .nest("/api/v2", api)
        .fallback(no_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(guards::refuse_nul_in_uri))
        .with_state(state)
}
