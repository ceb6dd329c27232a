//! End-to-end tests of the real `gatehouse` binary, on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod csrf;
mod domains;
mod drafts;
mod edges;
mod foundation;
mod limits;
mod query_limits;
mod scale_out;
mod scim_guard;
mod sp_encryption;
mod sp_signing;
mod sso;
mod sso_attacks;
mod throttle;
mod webhooks;
