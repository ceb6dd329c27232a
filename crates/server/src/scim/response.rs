//! The SCIM answer: a JSON body as `application/scim+json`, and [`Failure`], every error as a
//! SCIM Error response (identity errors mapped variant by variant).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gatehouse_identity as idn;
use gatehouse_scim::{CONTENT_TYPE, ScimError};
use serde::Serialize;

/// A failed SCIM request, answered in the SCIM Error schema (with `Retry-After` when
/// the token is throttled).
#[derive(Debug)]
pub(crate) struct Failure(ScimError, Option<u64>);

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl From<ScimError> for Failure {
    fn from(e: ScimError) -> Self {
        Failure(e, None)
    }
}

impl From<idn::Error> for Failure {
    fn from(e: idn::Error) -> Self {
        let retry_after = match &e {
            idn::Error::RateLimited { retry_after_secs, .. } => Some(*retry_after_secs),
            _ => None,
        };
        let error = match e {
            idn::Error::NotFound { what } => ScimError::not_found(what),
            idn::Error::Validation(_) => ScimError::invalid_value(e.to_string()),
            idn::Error::Conflict { field: Some(_), message } => ScimError::uniqueness(message),
            // Not a duplicate (e.g. a concurrent role change): a plain 409 the client retries.
            idn::Error::Conflict { field: None, message } => ScimError::new(409, None, message),
            idn::Error::Forbidden(message) => ScimError::new(403, None, message),
            idn::Error::Unauthenticated(_) => ScimError::unauthorized(),
            idn::Error::RateLimited { message, .. } => ScimError::new(429, None, message),
            idn::Error::Internal(source) => ScimError::internal(idn::Error::log_internal("scim", &*source)),
        };
        Failure(error, retry_after)
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut resp = reply(status, &self.0);
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(secs) = self.1 {
            resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}

pub(super) type Result<T, E = Failure> = std::result::Result<T, E>;

pub(super) fn reply(status: StatusCode, body: &impl Serialize) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (status, [(header::CONTENT_TYPE, CONTENT_TYPE)], bytes).into_response(),
        Err(e) => {
            let body =
                serde_json::to_vec(&ScimError::internal(idn::Error::log_internal("scim", &e))).unwrap_or_default();
            (StatusCode::INTERNAL_SERVER_ERROR, [(header::CONTENT_TYPE, CONTENT_TYPE)], body).into_response()
        }
    }
}

/// 413 as a SCIM Error, for the body limit in front of every SCIM route.
pub(crate) fn payload_too_large(max_bytes: usize) -> Response {
    Failure(ScimError::payload_too_large(max_bytes), None).into_response()
}
