//! The server's router driven with `oneshot`, on SQLite and PostgreSQL: authentication,
//! CSRF defences, error codes, tenant isolation for every GraphQL operation, and SCIM.

mod graphql_auth;
mod graphql_limits;
mod pagination;
mod isolation;
mod scim;
mod support;
