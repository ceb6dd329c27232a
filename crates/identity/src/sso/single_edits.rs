//! The single-purpose SSO edits API clients have used since before drafts —
//! `updateSsoConnection`, `addIdpCertificate`, `removeIdpCertificate` and
//! `importIdpMetadata(apply: true)` — as Saves of the SSO page (issue 13).
//!
//! Each is one [`SaveTarget::Auto`] save: while SSO is not live it is published at once and
//! kept in the history (a first-time set-up stays one step), and once SSO is live it edits the
//! draft — creating it from the published version when there is none — so live sign-ins keep
//! the published settings until the draft is tested and published. Every rule is the Save's
//! (`sso::draft`, `sso::connection`); this room only turns one edit into a Save over the
//! settings being edited (the draft's, else the published ones) and names errors by the
//! edit's own argument (`certificate`, `id`).

use super::connection::{ALREADY_UPLOADED, AddedCertificate, SsoConnectionInput, SsoSettingsSave};
use super::draft::SaveTarget;
use crate::Identity;
use crate::auth::principal::AdminScope;
use crate::error::{Error, FieldError, Result};
use crate::ids::CertificateId;
use crate::model::*;

/// The settings a save starts from: the draft's while there is one, else the published ones.
pub(crate) async fn under_edit(id: &Identity, scope: &AdminScope) -> Result<SsoConnection> {
    match id.sso_draft(scope).await? {
        Some(d) => Ok(d.settings),
        None => id.sso_connection(scope).await,
    }
}

/// The settings of `c` as a Save's input, every optional switch kept as it is; the save is
/// refused as stale if someone saved since `c` was read.
pub(crate) fn input_of(c: &SsoConnection) -> SsoConnectionInput {
    SsoConnectionInput {
        enabled: c.enabled,
        provider: c.provider,
        login_url: c.login_url.clone(),
        issuer: c.issuer.clone(),
        logout_url: c.logout_url.clone(),
        login_policy: c.login_policy,
        allow_idp_initiated: c.allow_idp_initiated,
        jit_provisioning: Some(c.jit_provisioning),
        sign_authn_requests: Some(c.sign_authn_requests),
        require_encrypted_assertions: Some(c.require_encrypted_assertions),
        expected_version: Some(c.version),
    }
}

/// Names the errors of a one-certificate Save by the edit's argument: `addCertificates[0]`
/// or `removeCertificateIds[0]` becomes `to`; a duplicate stays a conflict, as it always was.
fn rename_field(e: Error, from: &str, to: &str) -> Error {
    match e {
        Error::Validation(errors) => {
            if let [only] = errors.as_slice()
                && only.field == from
                && only.message == ALREADY_UPLOADED
            {
                return Error::conflict(to, ALREADY_UPLOADED);
            }
            Error::Validation(
                errors.into_iter().map(|f| if f.field == from { FieldError::new(to, f.message) } else { f }).collect(),
            )
        }
        other => other,
    }
}

impl Identity {
    /// Saves the whole SSO configuration (`updateSsoConnection`): published at once while SSO
    /// is not live, into the draft once it is. Answers with the published connection.
    #[tracing::instrument(skip(self, scope, input), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn update_sso_connection(&self, scope: &AdminScope, input: SsoConnectionInput) -> Result<SsoConnection> {
        let save =
            SsoSettingsSave { settings: input, add_certificates: Vec::new(), remove_certificate_ids: Vec::new() };
        Ok(self.save_edit(scope, save, SaveTarget::Auto, false).await?.published)
    }

    /// Adds an IdP signing certificate (PEM, bare Base64 or DER) to the settings being
    /// edited: published at once while SSO is not live, into the draft once it is. Answers
    /// with the certificate as stored (in the draft, if that is where it went).
    #[tracing::instrument(skip(self, scope, certificate), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn add_idp_certificate(&self, scope: &AdminScope, certificate: &[u8]) -> Result<AddedCertificate> {
        let parsed = gatehouse_saml::certificate::parse_certificate(certificate)
            .map_err(|e| Error::invalid("certificate", e.to_string()))?;
        let current = under_edit(self, scope).await?;
        let save = SsoSettingsSave {
            settings: input_of(&current),
            add_certificates: vec![parsed.pem.clone()],
            remove_certificate_ids: Vec::new(),
        };
        let saved = self
            .save_edit(scope, save, SaveTarget::Auto, false)
            .await
            .map_err(|e| rename_field(e, "addCertificates[0]", "certificate"))?;
        let certificate = saved
            .edited
            .certificates
            .into_iter()
            .find(|c| c.fingerprint_sha256 == parsed.fingerprint_sha256)
            .ok_or_else(|| Error::internal("the added certificate is not in the saved settings"))?;
        let expires_soon = certificate.expires_soon_at(self.now());
        Ok(AddedCertificate { certificate, expires_soon })
    }

    /// Removes a certificate from the settings being edited: published at once while SSO is
    /// not live, from the draft once it is. The last valid one cannot go while SSO is enabled.
    #[tracing::instrument(skip(self, scope), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn remove_idp_certificate(&self, scope: &AdminScope, id: CertificateId) -> Result<IdpCertificate> {
        let current = under_edit(self, scope).await?;
        let cert =
            current.certificates.iter().find(|c| c.id == id).cloned().ok_or(Error::NotFound { what: "certificate" })?;
        let save = SsoSettingsSave {
            settings: input_of(&current),
            add_certificates: Vec::new(),
            remove_certificate_ids: vec![id],
        };
        self.save_edit(scope, save, SaveTarget::Auto, false)
            .await
            .map_err(|e| rename_field(e, "removeCertificateIds[0]", "id"))?;
        Ok(cert)
    }
}
