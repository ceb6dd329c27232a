//! Identity errors as GraphQL errors with `extensions.code` (and `field` / `fields` for
//! validation). Internal errors are logged with a correlation ID
//! ([`gatehouse_identity::Error::log_internal`]); the client gets only the ID.

use async_graphql::{Error as GqlError, ErrorExtensions};
use gatehouse_identity::Error;

pub(crate) type GqlResult<T> = Result<T, GqlError>;

/// Converts identity errors with their code. async-graphql's blanket `From<Display>`
/// would also accept `?` on an identity error, dropping the code: always go through this.
pub(crate) trait OrGql<T> {
    fn gql(self) -> GqlResult<T>;
}

impl<T> OrGql<T> for Result<T, Error> {
    fn gql(self) -> GqlResult<T> {
        self.map_err(to_gql)
    }
}

pub(crate) fn to_gql(e: Error) -> GqlError {
    match e {
        Error::NotFound { what } => {
            GqlError::new(format!("{what} not found")).extend_with(|_, x| x.set("code", "NOT_FOUND"))
        }
        Error::Validation(fields) => {
            let message = Error::Validation(fields.clone()).to_string();
            GqlError::new(message).extend_with(|_, x| {
                x.set("code", "VALIDATION");
                if let Some(first) = fields.first() {
                    x.set("field", first.field.as_str());
                }
                let list: Vec<async_graphql::Value> = fields
                    .iter()
                    .map(|f| {
                        let mut m = async_graphql::indexmap::IndexMap::new();
                        m.insert(async_graphql::Name::new("field"), async_graphql::Value::from(f.field.as_str()));
                        m.insert(async_graphql::Name::new("message"), async_graphql::Value::from(f.message.as_str()));
                        async_graphql::Value::Object(m)
                    })
                    .collect();
                x.set("fields", list);
            })
        }
        Error::Conflict { field, message } => GqlError::new(message).extend_with(|_, x| {
            x.set("code", "CONFLICT");
            if let Some(f) = &field {
                x.set("field", f.as_str());
            }
        }),
        Error::Forbidden(m) => forbidden(&m),
        Error::Unauthenticated(m) => GqlError::new(m).extend_with(|_, x| x.set("code", "UNAUTHENTICATED")),
        Error::RateLimited { message, retry_after_secs } => GqlError::new(message).extend_with(|_, x| {
            x.set("code", "RATE_LIMITED");
            x.set("retryAfterSeconds", retry_after_secs);
        }),
        Error::Internal(source) => {
            let correlation_id = Error::log_internal("graphql", &*source);
            GqlError::new(format!("internal error (correlation ID {correlation_id})")).extend_with(|_, x| {
                x.set("code", "INTERNAL");
                x.set("correlationId", correlation_id.as_str());
            })
        }
    }
}

pub(crate) fn unauthenticated() -> GqlError {
    GqlError::new("sign in first").extend_with(|_, x| x.set("code", "UNAUTHENTICATED"))
}

pub(crate) fn forbidden(message: &str) -> GqlError {
    GqlError::new(message).extend_with(|_, x| x.set("code", "FORBIDDEN"))
}

pub(crate) fn invalid(field: &str, message: &str) -> GqlError {
    to_gql(Error::invalid(field, message))
}
