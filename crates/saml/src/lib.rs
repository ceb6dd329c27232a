//! # gatehouse-saml — the SAML 2.0 service-provider protocol
//!
//! No database, no HTTP: functions from bytes and policies to owned results.
//!
//! - [`certificate`] — parse an IdP signing certificate an admin uploads (PEM, Base64, DER).
//! - [`metadata`] — import IdP metadata (Entra, Okta, Google, generic SAML 2.0).
//! - [`sp`] — our entity ID / ACS / SLO URLs, optional signing key, SP metadata.
//! - [`response`] — validate the IdP's Response: fail closed, read only signed content.
//! - [`error`] — reason codes and admin-readable explanations for refused messages.

pub mod certificate;
pub mod error;
pub mod metadata;
pub mod response;
mod signature;
pub mod sp;
mod xml;

pub use error::{ReasonCode, ValidationError};
