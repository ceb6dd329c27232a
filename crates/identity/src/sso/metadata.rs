//! Importing the IdP's federation metadata: the settings and certificates it names, checked
//! and saved in one transaction (or only previewed).

use super::connection::*;
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
    /// certificates not yet uploaded, in one transaction; expired certificates are skipped.
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
        // One transaction: a refused issuer (or any other error) leaves no certificate behind.
        let current = self.sso_connection(scope).await?;
        let known: Vec<String> = current.certificates.iter().map(|c| c.fingerprint_sha256.clone()).collect();
        let txn = self.begin_write().await?;
        for (cert, usable) in &import.certificates {
            if *usable && !known.contains(&cert.fingerprint_sha256) {
                self.insert_idp_certificate(&txn, scope, cert).await?;
            }
        }
        let saved = self
            .save_sso_connection(
                &txn,
                scope,
                SsoConnectionInput {
                    enabled: current.enabled,
                    provider: current.provider,
                    login_url: Some(md.sso_url),
                    issuer: Some(md.entity_id),
                    logout_url: md.slo_url,
                    login_policy: current.login_policy,
                    allow_idp_initiated: current.allow_idp_initiated,
                    jit_provisioning: None,
                    sign_authn_requests: None,
                    require_encrypted_assertions: None,
                    expected_version: None,
                },
            )
            .await?;
        txn.commit().await?;
        import.saved = Some(saved);
        Ok(import)
    }
}
