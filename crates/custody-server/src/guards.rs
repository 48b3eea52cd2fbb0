//! Checks every request passes before it reaches a route: a URI whose path or
//! query holds an escaped NUL (`%00`) is refused, so that no handler, store or
//! log line ever sees one.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// Refuses URIs carrying `%00`.
pub async fn refuse_nul_in_uri(request: Request, next: Next) -> Response {
    let uri = request.uri().to_string();
    let has_nul = uri
        .as_bytes()
        .windows(3)
        .any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0');
    if has_nul {
        return ApiError::bad(
            "the request URI contains a NUL character (%00): names and query values cannot contain NUL characters; remove it",
        )
        .into_response();
    }
    next.run(request).await
}
