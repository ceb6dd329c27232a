//! Importing the IdP's federation metadata: the settings and certificates it names, checked
//! and saved in one transaction (or only previewed).

use super::connection::*;
use super::draft::SaveTarget;
use super::single_edits::{input_of, under_edit};
use crate::Identity;
use crate::auth::principal::AdminScope;
use crate::error::{Error, Result};
use crate::model::*;

/// What an IdP metadata document says, ready for review or saved.
#[derive(Clone, Debug)]
pub struct MetadataImport {
    pub issuer: String,
    pub login_url: String,
    pub logout_url: Option<String>,
    /// Each signing certificate with its PEM (public data) so a console can upload it.
    pub certificates: Vec<(gatehouse_saml::certificate::IdpCertificate, bool)>,
    /// The saved connection when the import was applied.
    pub saved: Option<SsoConnection>,
}

impl Identity {
    /// Reads IdP metadata (Entra's App Federation Metadata, Okta, Google, generic). With
    /// `apply`, saves the issuer and URLs (keeping enabled state and policy) and adds the
    /// certificates not yet uploaded, in one Save (published while SSO is not live, into the
    /// draft once it is); expired certificates are skipped. `saved` is the published connection.
    #[tracing::instrument(skip(self, scope, xml), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn import_idp_metadata(&self, scope: &AdminScope, xml: &str, apply: bool) -> Result<MetadataImport> {
        let md =
            gatehouse_saml::metadata::import_idp_metadata(xml).map_err(|e| Error::invalid("xml", e.to_string()))?;
        let now = self.now();
        let certificates: Vec<_> = md
            .certificates
            .iter()
            .cloned()
            .map(|c| {
                let usable = c.not_after > now;
                (c, usable)
            })
            .collect();
        let mut import = MetadataImport {
            issuer: md.entity_id.clone(),
            login_url: md.sso_url.clone(),
            logout_url: md.slo_url.clone(),
            certificates,
            saved: None,
        };
        if !apply {
            return Ok(import);
        }
        // One Save (`sso::single_edits`): a refused issuer (or any other error) leaves no
        // certificate behind; once SSO is live it goes into the draft.
        let current = under_edit(self, scope).await?;
        let add_certificates = import
            .certificates
            .iter()
            .filter(|(c, usable)| {
                *usable && !current.certificates.iter().any(|k| k.fingerprint_sha256 == c.fingerprint_sha256)
            })
            .map(|(c, _)| c.pem.clone())
            .collect();
        let settings = SsoConnectionInput {
            login_url: Some(md.sso_url),
            issuer: Some(md.entity_id),
            logout_url: md.slo_url,
            ..input_of(&current)
        };
        let save = SsoSettingsSave { settings, add_certificates, remove_certificate_ids: Vec::new() };
        let saved = self.save_edit(scope, save, SaveTarget::Auto, false).await?.published;
        import.saved = Some(saved);
        Ok(import)
    }
}
