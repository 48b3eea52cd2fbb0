//! The web UI: server-rendered pages at Kosli's URL scheme (`/{org}/flows/…`,
//! `/{org}/environments/…`), readable without JavaScript. Pages build the
//! same typed documents the API serves, by calling its handlers as the
//! signed-in key, so a page and its JSON twin never disagree; they are
//! rendered with askama templates from `templates/`, styled by one stylesheet
//! served from the binary.

mod actions;
mod artifacts;
mod attestations;
mod audit;
mod catalog;
mod dora_chart;
mod environment_history;
mod environment_list;
mod environments;
mod flow_list;
mod flows;
pub mod format;
mod journey;
mod metrics;
mod pager;
mod session;
mod settings;
mod sign_in;
mod snapshots;
mod svg;
mod timeline;

use askama::Template;
use axum::Router;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};

pub use session::Viewer;

use crate::error::ApiError;
use crate::state::AppState;

/// The UI's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(sign_in::page))
        .route("/sign-in", post(sign_in::sign_in))
        .route("/sign-out", post(sign_in::sign_out))
        .route("/ui/style.css", get(style))
        .route("/ui/app.js", get(script))
        .route("/{org}/flows/", get(flow_list::list))
        .route("/{org}/flows/{flow}", get(flows::flow))
        .route("/{org}/flows/{flow}/trails/{trail}", get(flows::trail))
        .route(
            "/{org}/flows/{flow}/trails/{trail}/attestations/{id}/evidence",
            get(attestations::download),
        )
        .route(
            "/{org}/flows/{flow}/trails/{trail}/audit-package",
            get(audit::trail),
        )
        .route(
            "/{org}/flows/{flow}/artifacts/{fingerprint}",
            get(artifacts::artifact),
        )
        .route(
            "/{org}/flows/{flow}/artifacts/{fingerprint}/audit-package",
            get(audit::artifact),
        )
        .route("/{org}/flows/{flow}/metrics", get(metrics::flow))
        .route("/{org}/environments/", get(environment_list::list))
        .route("/{org}/environments/{env}", get(environments::environment))
        .route(
            "/{org}/environments/{env}/audit-package",
            get(audit::environment),
        )
        .route(
            "/{org}/environments/{env}/metrics",
            get(metrics::environment),
        )
        .route(
            "/{org}/environments/{env}/latest",
            get(environments::latest),
        )
        .route(
            "/{org}/environments/{env}/snapshots/{index}",
            get(snapshots::snapshot),
        )
        .route("/{org}/diff", get(snapshots::diff))
        .route("/{org}/search", get(artifacts::search))
        .route("/{org}/policies", get(catalog::policies))
        .route("/{org}/attestation-types", get(catalog::attestation_types))
        .route("/{org}/actions", get(actions::list))
        .route("/{org}/settings", get(settings::settings))
}

/// What every page's header and footer need.
#[derive(Debug, Clone)]
pub struct Nav {
    pub org: String,
    pub csrf: String,
    pub account: String,
    pub role: String,
    /// The page's JSON twin.
    pub api: String,
    /// The search box's current text.
    pub query: String,
    /// Where the live script polls for a change (empty: not live).
    pub live: String,
    /// Whether the viewer may see the org's settings.
    pub admin: bool,
}

impl Nav {
    /// The header of a page of `org`, which the viewer must belong to: a key
    /// of another org sees a 404, as if the org did not exist.
    pub fn of(viewer: &Viewer, org: &str, api: String) -> Result<Nav, WebError> {
        if viewer.org() != org {
            return Err(WebError::not_found(format!(
                "There is no organization '{org}' here for you."
            )));
        }
        Ok(Nav {
            org: org.to_string(),
            csrf: viewer.csrf.clone(),
            account: viewer.principal.service_account.clone(),
            role: viewer.principal.role.to_string(),
            api,
            query: String::new(),
            live: String::new(),
            admin: viewer.principal.role == custody_core::Role::Admin,
        })
    }
}

/// A page that could not be shown, as an HTML error page.
#[derive(Debug)]
pub struct WebError {
    status: StatusCode,
    message: String,
}

impl WebError {
    pub fn not_found(message: String) -> Self {
        WebError {
            status: StatusCode::NOT_FOUND,
            message,
        }
    }
}

impl From<custody_store::StoreError> for WebError {
    fn from(e: custody_store::StoreError) -> Self {
        ApiError::from(e).into()
    }
}

impl From<ApiError> for WebError {
    fn from(e: ApiError) -> Self {
        let status = e.status();
        let message = match e {
            ApiError::Internal(detail) => {
                tracing::error!(%detail, "page failed");
                let id = crate::telemetry::current_request_id().unwrap_or_default();
                format!("Something went wrong on the server (request id {id}).")
            }
            other => other.to_string(),
        };
        WebError { status, message }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    heading: &'a str,
    message: &'a str,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let heading = self.status.canonical_reason().unwrap_or("Error");
        let page = ErrorPage {
            heading,
            message: &self.message,
        };
        let body = page.render().unwrap_or_else(|_| self.message.clone());
        (self.status, Html(body)).into_response()
    }
}

pub type PageResult = Result<Response, WebError>;

/// A rendered template as a response.
pub fn render(page: impl Template) -> PageResult {
    let body = page
        .render()
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(Html(body).into_response())
}

fn asset(kind: &'static str, body: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(kind));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("max-age=3600"));
    response
}

async fn style() -> Response {
    asset("text/css", include_str!("../../assets/style.css"))
}

async fn script() -> Response {
    asset("text/javascript", include_str!("../../assets/app.js"))
}
