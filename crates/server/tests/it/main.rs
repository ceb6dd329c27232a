//! The server's router driven with `oneshot`, on SQLite and PostgreSQL: authentication,
//! CSRF defences, error codes, tenant isolation for every GraphQL operation, and SCIM.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod admin_rights;
mod client_address;
mod domains;
mod edge;
mod graphql_auth;
mod graphql_limits;
mod isolation;
mod live;
mod logs;
mod metrics;
mod pagination;
mod scim;
mod sso_drafts;
mod sso_settings;
mod support;
mod telemetry;
mod webhooks;
