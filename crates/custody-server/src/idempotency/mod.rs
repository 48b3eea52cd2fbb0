//! `Idempotency-Key` on writes: a POST, PUT, PATCH or DELETE that carries the
//! header is claimed under the caller's key (its hash); the first request runs
//! and its successful response is kept for a day, and a retry with the same key
//! and the same request gets that response again (`Idempotent-Replayed: true`)
//! without recording anything twice. A retry while the first is still running
//! gets 409 (retry shortly); the same key on a different request gets 422.
//! Failed requests keep nothing, so their retries run again.

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use custody_store::IdempotencyClaim;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::AppState;

mod digest;
use digest::RequestHash;

/// The request header naming a write's idempotency key.
pub const HEADER: &str = "idempotency-key";

/// How long a key's response is kept.
const KEPT_SECONDS: f64 = 24.0 * 3600.0;

/// The largest response kept for replay; larger ones are not deduplicated.
const MAX_KEPT_BYTES: usize = 8 * 1024 * 1024;

fn is_write(method: &Method) -> bool {
    [Method::POST, Method::PUT, Method::PATCH, Method::DELETE].contains(method)
}

/// Checks a key: 1 to 255 visible ASCII characters.
fn valid_key(key: &str) -> bool {
    !key.is_empty() && key.len() <= 255 && key.bytes().all(|b| b.is_ascii_graphic())
}

/// The middleware. The key is claimed before the body is read: the first
/// request's body streams to its handler through the request digest, taken
/// as the handler reads it (so a large upload is written to disk once, by
/// the handler); a retry's body is only read through to take its digest.
pub async fn deduplicate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let key = request
        .headers()
        .get(HEADER)
        .map(|v| v.to_str().map(str::to_string));
    let scope = request
        .headers()
        .get(AUTHORIZATION)
        .map(|v| hex::encode(Sha256::digest(v.as_bytes())));
    let (Some(key), Some(scope), true) = (key, scope, is_write(request.method())) else {
        return next.run(request).await;
    };
    let key = match key {
        Ok(key) if valid_key(&key) => key,
        _ => {
            return ApiError::bad(
                "the Idempotency-Key header must be 1 to 255 visible ASCII characters",
            )
            .into_response();
        }
    };
    let hash = RequestHash::new(&request);
    let limit = state.spool.max_request_bytes();
    let now = state.now();
    let claim = state
        .store
        .claim_idempotency_key(&scope, &key, now, now - KEPT_SECONDS)
        .await;
    match claim {
        Err(e) => ApiError::from(e).into_response(),
        Ok(IdempotencyClaim::InProgress) => ApiError::Conflict(
            "a request with this Idempotency-Key is still being handled; retry shortly".into(),
        )
        .into_response(),
        Ok(IdempotencyClaim::Answered {
            request_hash,
            status,
            body,
        }) => match hash.read_through(request.into_body(), limit).await {
            Err(refusal) => refusal.into_response(),
            Ok(hash) if hash != request_hash => (
                StatusCode::UNPROCESSABLE_ENTITY,
                axum::Json(custody_api::ErrorBody {
                    message: "this Idempotency-Key was used for a different request: use a new key for each request".into(),
                    errors: None,
                    request_id: None,
                }),
            )
                .into_response(),
            Ok(_) => replay(status, body),
        },
        Ok(IdempotencyClaim::Claimed) => {
            let (parts, body) = request.into_parts();
            let (body, digest) = hash.passing(body);
            let response = next.run(Request::from_parts(parts, body)).await;
            let hash = digest.finish(limit).await;
            first(&state, &scope, &key, hash, response).await
        }
    }
}

/// Keeps a successful first response with its request's digest (and returns
/// it); gives the key back otherwise, or when no digest could be taken.
async fn first(
    state: &AppState,
    scope: &str,
    key: &str,
    hash: Option<String>,
    response: Response,
) -> Response {
    let Some(hash) = hash.filter(|_| response.status().is_success()) else {
        let _ = state.store.release_idempotency_key(scope, key).await;
        return response;
    };
    let (parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_KEPT_BYTES).await else {
        let _ = state.store.release_idempotency_key(scope, key).await;
        return ApiError::Internal("a response too large to keep for its Idempotency-Key".into())
            .into_response();
    };
    let kept = state
        .store
        .complete_idempotency_key(scope, key, &hash, parts.status.as_u16(), &bytes)
        .await;
    if let Err(e) = kept {
        tracing::error!(error = %e, "an idempotency key's response was not kept");
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn replay(status: u16, body: Vec<u8>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let mut response = (status, Bytes::from(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_short_visible_ascii() {
        assert!(valid_key("3f2a-retry-1"));
        assert!(!valid_key(""));
        assert!(!valid_key("has space"));
        assert!(!valid_key(&"k".repeat(256)));
    }
}
