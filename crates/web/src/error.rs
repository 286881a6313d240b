//! Errors to HTTP, in one place. Clients get a reason; identifying values never
//! appear in it. Internal errors are logged by kind and answered opaquely.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use vigia_domain::FieldErrors;
use vigia_service::ServiceError;

/// An API error.
#[derive(Debug)]
pub enum ApiError {
    BadRequest(String),
    Invalid(FieldErrors),
    Unauthenticated,
    Forbidden(&'static str),
    NotFound,
    Conflict(&'static str),
    UnsupportedMediaType,
    /// A rule refuses the request; the message says which (and names no person).
    Refused(String),
    Internal,
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Forbidden(r) => ApiError::Forbidden(r),
            ServiceError::NotFound => ApiError::NotFound,
            ServiceError::Invalid(f) => ApiError::Invalid(f),
            ServiceError::Conflict(w) => ApiError::Conflict(w),
            ServiceError::Unauthenticated => ApiError::Unauthenticated,
            ServiceError::Refused(m) => ApiError::Refused(m),
            other => {
                tracing::error!(error = %other, "internal error");
                ApiError::Internal
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            ApiError::BadRequest(m) => (StatusCode::BAD_REQUEST, serde_json::json!({ "error": m })),
            ApiError::Invalid(f) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                serde_json::json!({ "error": format!("invalid fields: {f}"), "fields": f }),
            ),
            ApiError::Unauthenticated => (StatusCode::UNAUTHORIZED, serde_json::json!({ "error": "authentication required" })),
            ApiError::Forbidden(r) => (StatusCode::FORBIDDEN, serde_json::json!({ "error": format!("forbidden: {r}") })),
            ApiError::NotFound => (StatusCode::NOT_FOUND, serde_json::json!({ "error": "not found" })),
            ApiError::Conflict(w) => (StatusCode::CONFLICT, serde_json::json!({ "error": format!("conflict: {w} already exists") })),
            ApiError::UnsupportedMediaType => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, serde_json::json!({ "error": "expected Content-Type: application/json" }))
            }
            ApiError::Refused(m) => (StatusCode::UNPROCESSABLE_ENTITY, serde_json::json!({ "error": m })),
            ApiError::Internal => (StatusCode::INTERNAL_SERVER_ERROR, serde_json::json!({ "error": "internal error" })),
        };
        (status, Json(body)).into_response()
    }
}

pub async fn not_found() -> ApiError {
    ApiError::NotFound
}
