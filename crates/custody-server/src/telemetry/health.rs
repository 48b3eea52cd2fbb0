//! Probes and scrapes: `/live` answers while the process runs, `/ready` only
//! while the database and the evidence vault answer (503 and what is down
//! otherwise, so a load balancer stops sending work), `/metrics` renders the
//! Prometheus metrics.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};

use super::metrics;
use crate::state::AppState;

/// How long `/ready` waits for each dependency before calling it down.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

pub async fn live() -> &'static str {
    "OK"
}

/// `OK`, or 503 with a line per dependency that did not answer in time.
pub async fn ready(State(state): State<AppState>) -> Response {
    let database = tokio::time::timeout(PROBE_TIMEOUT, state.store.ping());
    let evidence = tokio::time::timeout(PROBE_TIMEOUT, state.evidence.check());
    let (database, evidence) = tokio::join!(database, evidence);
    let mut down = Vec::new();
    match database {
        Ok(Ok(())) => {}
        Ok(Err(e)) => down.push(format!("database: {e}")),
        Err(_) => down.push(format!("database: no answer within {PROBE_TIMEOUT:?}")),
    }
    match evidence {
        Ok(Ok(())) => {}
        Ok(Err(e)) => down.push(format!("evidence vault: {e}")),
        Err(_) => down.push(format!(
            "evidence vault: no answer within {PROBE_TIMEOUT:?}"
        )),
    }
    if down.is_empty() {
        return "OK".into_response();
    }
    tracing::warn!(down = %down.join("; "), "not ready");
    (StatusCode::SERVICE_UNAVAILABLE, down.join("\n")).into_response()
}

pub async fn scrape(State(state): State<AppState>) -> Response {
    let text = state.metrics.render(state.store.pool_use());
    ([(CONTENT_TYPE, metrics::CONTENT_TYPE)], text).into_response()
}
