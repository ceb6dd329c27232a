//! The error type of the identity services. Callers (GraphQL, HTTP) map every variant
//! explicitly; `Internal` carries the cause for the log only, never for a client.

use std::fmt;

/// One field that failed validation, named as the API names it (`loginUrl`, `email`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The thing does not exist, or exists in another tenant (never say which).
    #[error("{what} not found")]
    NotFound { what: &'static str },
    /// The input is wrong; each entry names a field.
    #[error("{}", FieldErrors(.0))]
    Validation(Vec<FieldError>),
    /// The input clashes with existing data (a duplicate, a stale version).
    #[error("{message}")]
    Conflict { field: Option<String>, message: String },
    /// The caller is known but may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The caller is not signed in, or the credentials are wrong.
    #[error("{0}")]
    Unauthenticated(String),
    /// Too many attempts (or every password-hashing slot busy): try again after
    /// `retry_after_secs`.
    #[error("{message}")]
    RateLimited { message: String, retry_after_secs: u64 },
    /// A fault of ours or of the database; the cause is for the log.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

struct FieldErrors<'a>(&'a [FieldError]);

impl fmt::Display for FieldErrors<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", e.field, e.message)?;
        }
        Ok(())
    }
}

impl Error {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Validation(vec![FieldError::new(field, message)])
    }

    pub(crate) fn conflict(field: &str, message: impl Into<String>) -> Self {
        Error::Conflict { field: Some(field.to_owned()), message: message.into() }
    }

    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Error::Internal(message.into().into())
    }

    /// The one place a fault of ours becomes something a client may see: logs `cause` once,
    /// at ERROR, under a fresh correlation ID, and returns the ID. Every surface (GraphQL,
    /// SCIM, pages) answers with the ID alone; `surface` names it in the log line.
    pub fn log_internal(surface: &'static str, cause: &(dyn std::error::Error + 'static)) -> String {
        let correlation_id = uuid::Uuid::new_v4().to_string();
        tracing::error!(correlation_id = %correlation_id, surface, error = %cause, debug = ?cause, "internal error");
        correlation_id
    }
}

impl From<sea_orm::DbErr> for Error {
    fn from(e: sea_orm::DbErr) -> Self {
        Error::Internal(Box::new(e))
    }
}

impl<E: std::error::Error + Send + Sync + 'static> From<sea_orm::TransactionError<E>> for Error
where
    Error: From<E>,
{
    fn from(e: sea_orm::TransactionError<E>) -> Self {
        match e {
            sea_orm::TransactionError::Connection(e) => e.into(),
            sea_orm::TransactionError::Transaction(e) => e.into(),
        }
    }
}

/// Turns a unique-constraint violation into a `Conflict` on `field`; other errors pass.
pub(crate) fn on_unique(e: sea_orm::DbErr, field: &str, message: &str) -> Error {
    match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => Error::conflict(field, message),
        _ => e.into(),
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
