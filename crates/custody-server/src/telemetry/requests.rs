//! One log line per request — method, route template, status, latency and a
//! request id — and the id itself: a well-formed incoming `x-request-id` is
//! kept (so a proxy's id follows the request), otherwise a fresh one is made.
//! The id goes back in the same header, and [`current_request_id`] hands it
//! to error bodies. Paths are logged by their route template, never with the
//! values in them, and no header or query string is logged, so keys and
//! tokens never reach the log.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use rand::RngCore;
use tracing::Instrument;

use crate::state::AppState;

/// The header that carries a request's id, both ways.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// What a route is called in logs and metrics when no route matched.
const UNMATCHED: &str = "unmatched";

tokio::task_local! {
    static CURRENT: Arc<str>;
}

/// The id of the request being served by this task, if any.
pub fn current_request_id() -> Option<Arc<str>> {
    CURRENT.try_with(Arc::clone).ok()
}

/// An incoming id worth keeping: 1 to 64 characters of `[A-Za-z0-9._-]`.
fn incoming(headers: &HeaderMap) -> Option<Arc<str>> {
    let id = headers.get(&REQUEST_ID)?.to_str().ok()?;
    let sane = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    sane.then(|| Arc::from(id))
}

fn fresh() -> Arc<str> {
    let mut bytes = [0u8; 8];
    rand::rng().fill_bytes(&mut bytes);
    Arc::from(hex::encode(bytes))
}

/// Middleware: gives the request its id, serves it, then logs and counts it.
pub async fn trace(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = incoming(request.headers()).unwrap_or_else(fresh);
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED, MatchedPath::as_str)
        .to_owned();
    let span = tracing::info_span!("request", request_id = %id);
    let mut response = CURRENT
        .scope(id.clone(), next.run(request))
        .instrument(span)
        .await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    state
        .metrics
        .request(method.as_str(), &route, status, elapsed);
    // Milliseconds to a tenth.
    let latency_ms = (elapsed.as_secs_f64() * 10_000.0).round() / 10.0;
    if !state.log_requests {
        return response;
    }
    if status >= 500 {
        tracing::warn!(request_id = %id, method = %method, route, status, latency_ms, "request failed");
    } else {
        tracing::info!(request_id = %id, method = %method, route, status, latency_ms, "request");
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(id: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(REQUEST_ID, HeaderValue::from_str(id).unwrap());
        h
    }

    #[test]
    fn a_proxys_id_is_kept_only_when_it_is_short_and_plain() {
        assert_eq!(
            incoming(&headers("lb-42.a_b")).as_deref(),
            Some("lb-42.a_b")
        );
        assert_eq!(incoming(&headers(&"a".repeat(65))), None);
        assert_eq!(incoming(&headers("a b")), None);
        assert_eq!(incoming(&headers("")), None);
        assert_eq!(incoming(&HeaderMap::new()), None);
    }

    #[test]
    fn fresh_ids_differ() {
        let (a, b) = (fresh(), fresh());
        assert_eq!(a.len(), 16);
        assert_ne!(a, b);
    }

    #[tokio::test]
    async fn the_id_is_known_only_inside_its_request() {
        assert_eq!(current_request_id(), None);
        let seen = CURRENT
            .scope(Arc::from("r1"), async { current_request_id() })
            .await;
        assert_eq!(seen.as_deref(), Some("r1"));
    }
}
