//! Gatehouse's own SP certificates (signing and encryption) and their rollover: the
//! certificate is public and shown to every admin; the private key never appears here.

use async_graphql::{Enum, ID, Object};
use chrono::{DateTime, Utc};
use gatehouse_identity as idn;

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "idn::SpKeyRole")]
pub enum SpKeyRole {
    /// Signs AuthnRequests and logout messages (Entra: "Verification certificates").
    Signing,
    /// The IdP encrypts assertions to it (Entra: "Token encryption").
    Encryption,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "idn::SpKeyState")]
pub enum SpKeyState {
    /// Published in metadata ahead of time; not used to sign yet.
    Next,
    /// In use and published.
    Active,
    /// Replaced: no longer published, still accepted for decryption until dropped.
    Previous,
}

/// One of Gatehouse's SP certificates.
pub(crate) struct SpCertificate(pub idn::SpCertificate);

#[Object]
impl SpCertificate {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn role(&self) -> SpKeyRole {
        self.0.role.into()
    }
    async fn state(&self) -> SpKeyState {
        self.0.state.into()
    }
    /// `rsa-3072` or `p-256`.
    async fn algorithm(&self) -> &str {
        &self.0.algorithm
    }
    /// The certificate (PEM, public) to download.
    async fn certificate_pem(&self) -> &str {
        &self.0.certificate_pem
    }
    async fn fingerprint_sha256(&self) -> &str {
        &self.0.fingerprint_sha256
    }
    async fn not_before(&self) -> DateTime<Utc> {
        self.0.not_before
    }
    async fn not_after(&self) -> DateTime<Utc> {
        self.0.not_after
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// A next key may be activated from this instant on without `force`.
    async fn activate_after(&self) -> DateTime<Utc> {
        self.0.activate_after
    }
    async fn activated_at(&self) -> Option<DateTime<Utc>> {
        self.0.activated_at
    }
    /// Whether the certificate is in `/saml2/metadata`.
    async fn published(&self) -> bool {
        self.0.published
    }
}
