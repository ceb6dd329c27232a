//! Integration tests of the identity services, each on SQLite and PostgreSQL.

mod admins;
mod auth;
mod provisioning;
mod support;
mod tenants;
mod throttle;
mod sso;
mod users;
