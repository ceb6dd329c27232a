//! The SCIM error response (RFC 7644 §3.12): every failure this crate reports, and the body a
//! server sends back for it. Callers outside the crate build server-side errors (404, 409, 412,
//! 413, 500) through the constructors here so every endpoint answers in the same schema.

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// Schema URN of the SCIM error message.
pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// Result alias used across the crate.
pub type Result<T, E = ScimError> = std::result::Result<T, E>;

/// The `scimType` keywords of RFC 7644 §3.12, Table 9.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScimType {
    InvalidFilter,
    TooMany,
    Uniqueness,
    Mutability,
    InvalidSyntax,
    InvalidPath,
    NoTarget,
    InvalidValue,
    InvalidVers,
    Sensitive,
}

impl ScimType {
    /// The keyword as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ScimType::InvalidFilter => "invalidFilter",
            ScimType::TooMany => "tooMany",
            ScimType::Uniqueness => "uniqueness",
            ScimType::Mutability => "mutability",
            ScimType::InvalidSyntax => "invalidSyntax",
            ScimType::InvalidPath => "invalidPath",
            ScimType::NoTarget => "noTarget",
            ScimType::InvalidValue => "invalidValue",
            ScimType::InvalidVers => "invalidVers",
            ScimType::Sensitive => "sensitive",
        }
    }
}

impl std::fmt::Display for ScimType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A SCIM error: HTTP status, optional `scimType` keyword, and a human-readable detail.
///
/// Serialises to the SCIM Error schema, with `status` as a JSON string as RFC 7644 §3.12 asks.
/// The `detail` of a 500 is always generic; log the cause next to it instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status}{}: {detail}", scim_type.map(|t| format!(" {t}")).unwrap_or_default())]
pub struct ScimError {
    pub status: u16,
    pub scim_type: Option<ScimType>,
    pub detail: String,
}

impl ScimError {
    pub fn new(status: u16, scim_type: Option<ScimType>, detail: impl Into<String>) -> Self {
        Self {
            status,
            scim_type,
            detail: detail.into(),
        }
    }

    /// 400 with the given keyword.
    pub fn bad_request(scim_type: ScimType, detail: impl Into<String>) -> Self {
        Self::new(400, Some(scim_type), detail)
    }

    pub fn invalid_filter(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::InvalidFilter, detail)
    }

    pub fn invalid_syntax(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::InvalidSyntax, detail)
    }

    pub fn invalid_value(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::InvalidValue, detail)
    }

    pub fn invalid_path(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::InvalidPath, detail)
    }

    pub fn no_target(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::NoTarget, detail)
    }

    pub fn mutability(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::Mutability, detail)
    }

    /// 401: missing, unknown or revoked bearer token (or a token of another tenant).
    pub fn unauthorized() -> Self {
        Self::new(
            401,
            None,
            "authorization failure: a valid bearer token is required",
        )
    }

    /// 404 for a resource that does not exist (in this tenant).
    pub fn not_found(what: impl std::fmt::Display) -> Self {
        Self::new(404, None, format!("{what} not found"))
    }

    /// 405 for a method an endpoint does not serve (discovery endpoints are GET-only).
    pub fn method_not_allowed() -> Self {
        Self::new(405, None, "method not allowed on this endpoint")
    }

    /// 409 `uniqueness`, e.g. a second user with the same `userName`.
    pub fn uniqueness(detail: impl Into<String>) -> Self {
        Self::new(409, Some(ScimType::Uniqueness), detail)
    }

    /// 412: an `If-Match` version did not match.
    pub fn precondition_failed() -> Self {
        Self::new(412, None, "the resource version does not match If-Match")
    }

    /// 413: request body larger than the advertised limit.
    pub fn payload_too_large(max_bytes: usize) -> Self {
        Self::new(
            413,
            None,
            format!("request body is larger than {max_bytes} bytes"),
        )
    }

    /// 500 with a generic message and a correlation ID the server logged the cause under.
    pub fn internal(correlation_id: impl std::fmt::Display) -> Self {
        Self::new(
            500,
            None,
            format!("internal server error (correlation id {correlation_id})"),
        )
    }

    /// 501 for features the server does not implement (bulk, `/.search` at the root, sorting).
    pub fn not_implemented(what: impl std::fmt::Display) -> Self {
        Self::new(501, None, format!("{what} is not supported"))
    }
}

impl Serialize for ScimError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("schemas", &[ERROR_SCHEMA])?;
        map.serialize_entry("status", &self.status.to_string())?;
        if let Some(scim_type) = self.scim_type {
            map.serialize_entry("scimType", scim_type.as_str())?;
        }
        map.serialize_entry("detail", &self.detail)?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_status_as_string_and_keyword() {
        let json = serde_json::to_value(ScimError::uniqueness("userName 'a' is taken")).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "schemas": [ERROR_SCHEMA],
                "status": "409",
                "scimType": "uniqueness",
                "detail": "userName 'a' is taken"
            })
        );
    }

    #[test]
    fn omits_scim_type_when_absent() {
        let json = serde_json::to_value(ScimError::not_found("User 42")).unwrap();
        assert_eq!(json["status"], "404");
        assert_eq!(json["detail"], "User 42 not found");
        assert!(json.get("scimType").is_none());
    }
}
