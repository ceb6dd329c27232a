//! Integration tests of the identity services, each on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod acs;
mod admins;
mod audit;
mod auth;
pub(crate) mod certificates;
mod domains;
mod drafts;
mod handover;
mod immediate;
mod keys;
mod logout;
mod organisation;
mod provisioning;
mod saml_fixtures;
mod sign_in_log;
mod sp_keys;
mod sso;
mod statements;
mod support;
mod tenants;
mod throttle;
mod user_lists;
mod users;
mod webhooks;
