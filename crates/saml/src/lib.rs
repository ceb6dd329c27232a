//! # gatehouse-saml — the SAML 2.0 service-provider protocol
//!
//! No database, no HTTP: functions from bytes and policies to owned, `Send + Sync` results.
//! XML signatures are verified in the crate for the common profile (exclusive c14n, SHA-2,
//! RSA/ECDSA) and through `samael` (libxmlsec1) for the rest, held to the same verdicts by a
//! differential test; plus the policy samael leaves to the application.
//!
//! ## Table of contents
//! - [`certificate`] — parse an IdP signing certificate an admin uploads (PEM, Base64, DER).
//! - [`metadata`] — import IdP metadata (Entra federation metadata, Okta, Google, generic).
//! - [`sp`] — our entity ID / ACS / SLO URLs, the request-signing key, SP metadata XML.
//! - [`sp_keys`] — our key pairs: generation, self-signed certificates, the keyring in use.
//! - [`authn_request`] — SP-initiated sign-in: the AuthnRequest redirect URL.
//! - [`response`] — validate the IdP's Response: fail closed, read only signed content.
//! - [`logout`] — single logout over the Redirect binding, both directions.
//! - [`error`] — reason codes and admin-readable explanations for refused messages.
//! - inside: `xml` (guards + strict parser), `c14n` (canonical XML), `dsig` (in-crate XML-DSig
//!   verifier), `signature` (algorithm floor, shapes, which verifier, diagnosis), `redirect`,
//!   `xmlenc` (decrypting an EncryptedAssertion, which is then validated like a plain one).
//!
//! ## Blocking
//! [`response::validate_response`] verifies an RSA/ECDSA signature (≈ 0.1 ms of CPU on the
//! common profile) and may call libxmlsec1 synchronously; from async code run it in
//! `tokio::task::spawn_blocking`. All other functions are cheap and pure.
//!
//! ## Security model
//! See [`response`]: DOCTYPE refused on raw bytes before any parser, a strict parser (samael's
//! libxml2 parse runs in recovery mode, so nothing is decided on it alone), one Assertion
//! exactly, signature-wrapping shapes refused, RSA/ECDSA with SHA-256+ only, verification with
//! the configured certificates only (never the message's KeyInfo), and every claim read from the
//! canonical bytes that were hashed and verified.

pub mod authn_request;
mod c14n;
pub mod certificate;
#[cfg(any(test, feature = "differential"))]
#[doc(hidden)]
pub mod differential;
mod dsig;
pub mod error;
pub mod logout;
pub mod metadata;
mod peek;
mod redirect;
pub mod response;
mod signature;
pub mod sp;
pub mod sp_keys;
mod xml;
mod xmlenc;

pub use error::{ReasonCode, ValidationError};
