//! `gatehouse-server`: the `gatehouse` binary's library — configuration, start-up
//! (migrate, first-start bootstrap), the axum router and the CLI commands. This is the
//! one place that picks concrete types and wires the crates together.

#![warn(unreachable_pub)]

pub mod app;
mod client_address;
pub mod config;
mod console;
mod cookies;
mod dns;
mod explorer;
mod graphql;
mod limits;
mod live;
mod metrics;
mod pages;
mod same_origin;
mod scim;
mod sso;
mod startup;
pub mod telemetry;
pub mod webhooks;

pub use app::{AppState, app};
pub use startup::{connect_and_migrate, state, tracing_init};
