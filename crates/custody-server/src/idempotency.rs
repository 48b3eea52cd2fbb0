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
use memchr::memmem::Finder;
use sha2::{Digest, Sha256};

use crate::body::too_large_than;
use crate::error::ApiError;
use crate::spool::{self, HoldError};
use crate::state::AppState;

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

/// A digest of what the request asks for, taken as its body streams by:
/// method, path and query, and the body with any multipart boundary taken out
/// (clients choose a new boundary for every send, also for a retry).
struct RequestHash {
    hash: Sha256,
    /// The boundary, when the body is multipart.
    boundary: Option<Finder<'static>>,
    /// The body's last bytes, which may begin a boundary the next chunk ends.
    tail: Vec<u8>,
}

impl RequestHash {
    fn new(request: &Request) -> RequestHash {
        let content_type = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let boundary = content_type
            .split(';')
            .filter_map(|p| p.trim().strip_prefix("boundary="))
            .map(|b| b.trim_matches('"'))
            .find(|b| !b.is_empty())
            .map(|b| Finder::new(b.as_bytes()).into_owned());
        let mut hash = Sha256::new();
        hash.update(request.method().as_str());
        hash.update(b"\n");
        hash.update(request.uri().to_string());
        hash.update(b"\n");
        hash.update(content_type.split(';').next().unwrap_or("").trim());
        hash.update(b"\n");
        RequestHash {
            hash,
            boundary,
            tail: Vec::new(),
        }
    }

    fn update(&mut self, chunk: &[u8]) {
        let Some(boundary) = &self.boundary else {
            self.hash.update(chunk);
            return;
        };
        self.tail.extend_from_slice(chunk);
        let mut rest = &self.tail[..];
        while let Some(at) = boundary.find(rest) {
            self.hash.update(&rest[..at]);
            rest = &rest[at + boundary.needle().len()..];
        }
        let keep = rest.len().min(boundary.needle().len() - 1);
        self.hash.update(&rest[..rest.len() - keep]);
        self.tail = rest[rest.len() - keep..].to_vec();
    }

    fn finish(mut self) -> String {
        self.hash.update(&self.tail);
        hex::encode(self.hash.finalize())
    }
}

/// The middleware.
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
    let mut hash = RequestHash::new(&request);
    let (parts, body) = request.into_parts();
    let limit = state.spool.max_request_bytes();
    let held = match spool::hold(&state.spool, body, limit, |chunk| hash.update(chunk)).await {
        Ok(held) => held,
        Err(HoldError::TooLarge) => return too_large_than(limit).into_response(),
        Err(HoldError::Read(e)) => {
            return ApiError::bad(format!("failed to read the request body: {e}")).into_response();
        }
        Err(HoldError::Spool(e)) => {
            return ApiError::Internal(format!("cannot spool the request body: {e}"))
                .into_response();
        }
    };
    let hash = hash.finish();
    let body = match held.into_body().await {
        Ok(body) => body,
        Err(e) => {
            return ApiError::Internal(format!("cannot read back the request body: {e}"))
                .into_response();
        }
    };
    let request = Request::from_parts(parts, body);
    let now = state.now();
    let claim = state
        .store
        .claim_idempotency_key(&scope, &key, &hash, now, now - KEPT_SECONDS)
        .await;
    match claim {
        Err(e) => ApiError::from(e).into_response(),
        Ok(IdempotencyClaim::InProgress) => ApiError::Conflict(
            "a request with this Idempotency-Key is still being handled; retry shortly".into(),
        )
        .into_response(),
        Ok(IdempotencyClaim::Answered { request_hash, .. }) if request_hash != hash => {
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                axum::Json(custody_api::ErrorBody {
                    message: "this Idempotency-Key was used for a different request: use a new key for each request".into(),
                    errors: None,
                    request_id: None,
                }),
            )
                .into_response()
        }
        Ok(IdempotencyClaim::Answered { status, body, .. }) => replay(status, body),
        Ok(IdempotencyClaim::Claimed) => first(&state, &scope, &key, next.run(request).await).await,
    }
}

/// Keeps a successful first response (and returns it); gives the key back otherwise.
async fn first(state: &AppState, scope: &str, key: &str, response: Response) -> Response {
    if !response.status().is_success() {
        let _ = state.store.release_idempotency_key(scope, key).await;
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_KEPT_BYTES).await else {
        let _ = state.store.release_idempotency_key(scope, key).await;
        return ApiError::Internal("a response too large to keep for its Idempotency-Key".into())
            .into_response();
    };
    let kept = state
        .store
        .complete_idempotency_key(scope, key, parts.status.as_u16(), &bytes)
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

    fn request(content_type: &str) -> Request {
        Request::builder()
            .method(Method::POST)
            .uri("/api/v2/artifacts/acme/app")
            .header(CONTENT_TYPE, content_type)
            .body(Body::empty())
            .unwrap()
    }

    /// The hash of `body` streamed in chunks of `chunk` bytes.
    fn request_hash(request: &Request, body: &[u8], chunk: usize) -> String {
        let mut hash = RequestHash::new(request);
        for piece in body.chunks(chunk) {
            hash.update(piece);
        }
        hash.finish()
    }

    #[test]
    fn multipart_boundaries_do_not_change_the_hash() {
        let a = request("multipart/form-data; boundary=aaa111");
        let b = request("multipart/form-data; boundary=bbb222");
        let of_a = b"--aaa111\r\nx\r\n--aaa111--";
        let of_b = b"--bbb222\r\nx\r\n--bbb222--";
        let whole = request_hash(&a, of_a, of_a.len());
        assert_eq!(whole, request_hash(&b, of_b, of_b.len()));
        for chunk in 1..of_a.len() {
            assert_eq!(request_hash(&a, of_a, chunk), whole, "chunks of {chunk}");
        }
        assert_ne!(whole, request_hash(&b, b"--bbb222\r\ny\r\n--bbb222--", 4));
        let json = request("application/json");
        assert_ne!(request_hash(&json, b"{}", 1), request_hash(&json, b"[]", 1));
    }

    #[test]
    fn a_split_boundary_is_still_taken_out_but_lookalikes_stay() {
        let a = request("multipart/form-data; boundary=abcabd");
        let b = request("multipart/form-data; boundary=zzzzzz");
        let body_a = b"abcabcabdxabcab";
        let body_b = b"abczzzzzzxabcab";
        for chunk in 1..=body_a.len() {
            assert_eq!(
                request_hash(&a, body_a, chunk),
                request_hash(&b, body_b, chunk),
                "chunks of {chunk}"
            );
        }
    }

    #[test]
    fn keys_are_short_visible_ascii() {
        assert!(valid_key("3f2a-retry-1"));
        assert!(!valid_key(""));
        assert!(!valid_key("has space"));
        assert!(!valid_key(&"k".repeat(256)));
    }
}
