//! End-to-end tests of the real `gatehouse` binary, on SQLite and PostgreSQL.

mod foundation;
mod scale_out;
mod sso;
mod throttle;
