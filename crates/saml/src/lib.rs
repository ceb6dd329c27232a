//! # gatehouse-saml — the SAML 2.0 service-provider protocol
//!
//! No database, no HTTP: functions from bytes and policies to owned results.
//!
//! - [`certificate`] — parse an IdP signing certificate an admin uploads (PEM, Base64, DER).

pub mod certificate;
mod xml;
