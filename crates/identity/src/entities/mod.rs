//! sea-orm entities: one module per table. Only this crate touches them; everything
//! outside sees the service types in the crate root.

pub mod api_token;
pub mod audit_event;
pub mod idp_certificate;
pub mod operator;
pub mod session;
pub mod sso_connection;
pub mod tenant;
pub mod user;
