//! The server's router driven with `oneshot`, on SQLite and PostgreSQL: authentication,
//! CSRF defences, error codes, and tenant isolation for every GraphQL operation.

mod graphql_auth;
mod isolation;
mod support;
