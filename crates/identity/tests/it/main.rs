//! Integration tests of the identity services, each on SQLite and PostgreSQL.

mod auth;
mod support;
mod tenants;
mod sso;
mod users;
