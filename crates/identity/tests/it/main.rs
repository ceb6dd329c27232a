//! Integration tests of the identity services, each on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod acs;
mod admins;
mod auth;
mod certificates;
mod handover;
mod logout;
mod provisioning;
mod saml_fixtures;
mod sso;
mod support;
mod tenants;
mod throttle;
mod users;
