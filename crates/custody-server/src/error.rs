//! API errors: one type, mapped once to a status and a `{"message": ...}` body.
//! Messages say what was wrong and how to fix it; internal details are logged,
//! not returned.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use custody_api::ErrorBody;
use custody_core::EnvironmentError;
use custody_store::StoreError;

use crate::telemetry::current_request_id;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    MethodNotAllowed(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooLarge(String),
    /// Temporarily unable (answered with `Retry-After`).
    #[error("{0}")]
    Unavailable(String),
    /// Too many failed attempts; retry after this many seconds.
    #[error("{0}")]
    TooManyRequests(String, u64),
    /// A field of the payload is invalid (400, named in the body's `errors`).
    #[error("Input payload validation failed: {field}: {why}")]
    Invalid { field: &'static str, why: String },
    #[error("internal error: {0}")]
    Internal(String),
}

pub type ApiResult<T> = Result<T, ApiError>;

/// An environment rule's refusal is the caller's to fix.
impl From<EnvironmentError> for ApiError {
    fn from(e: EnvironmentError) -> Self {
        ApiError::bad(e)
    }
}

impl ApiError {
    pub fn bad(message: impl std::fmt::Display) -> Self {
        ApiError::BadRequest(message.to_string())
    }

    pub fn invalid(field: &'static str, why: impl std::fmt::Display) -> Self {
        ApiError::Invalid {
            field,
            why: why.to_string(),
        }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError::NotFound(message.into())
    }

    pub(crate) fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) | ApiError::Invalid { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::TooManyRequests(..) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(m) => ApiError::Conflict(m),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (message, errors) = match &self {
            ApiError::Internal(detail) => {
                tracing::error!(%detail, "request failed");
                (
                    "internal server error; the server log has the details".to_string(),
                    None,
                )
            }
            ApiError::Invalid { field, why } => (
                "Input payload validation failed".to_string(),
                Some(vec![[(field.to_string(), why.clone())].into()]),
            ),
            other => (other.to_string(), None),
        };
        let request_id = self
            .status()
            .is_server_error()
            .then(current_request_id)
            .flatten()
            .map(|id| id.to_string());
        let body = ErrorBody {
            message,
            errors,
            request_id,
        };
        let mut response = (self.status(), Json(body)).into_response();
        let retry_after = match &self {
            ApiError::Unavailable(_) => Some(1),
            ApiError::TooManyRequests(_, seconds) => Some(*seconds),
            _ => None,
        };
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        if matches!(self, ApiError::TooLarge(_)) {
            // The unread body is still on the connection: ask the client not to reuse it.
            response.headers_mut().insert(
                axum::http::header::CONNECTION,
                axum::http::HeaderValue::from_static("close"),
            );
        }
        response
    }
}
