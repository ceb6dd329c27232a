//! Integration tests of the identity services, each on SQLite and PostgreSQL.

mod auth;
mod provisioning;
mod sso;
mod support;
mod tenants;
mod users;
