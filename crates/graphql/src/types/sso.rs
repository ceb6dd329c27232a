//! SAML single sign-on: the SSO connection and its IdP certificates, what to paste into the
//! IdP (service provider values), saving the settings page, test sign-in and metadata import.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use gatehouse_identity as idn;

use crate::context::ServiceProviderInfo;
use crate::error::GqlResult;

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "idn::IdpProvider")]
pub enum IdpProvider {
    EntraId,
    Okta,
    Google,
    GenericSaml,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "idn::LoginPolicy")]
pub enum LoginPolicy {
    Password,
    Sso,
    PasswordOrSso,
}

/// The tenant's SAML single sign-on settings.
pub(crate) struct SsoConnection(pub idn::SsoConnection);

#[Object]
impl SsoConnection {
    async fn enabled(&self) -> bool {
        self.0.enabled
    }
    async fn provider(&self) -> IdpProvider {
        self.0.provider.into()
    }
    /// IdP Login URL (Entra: "Login URL").
    async fn login_url(&self) -> Option<&str> {
        self.0.login_url.as_deref()
    }
    /// IdP Issuer URL/URN (Entra: "Microsoft Entra Identifier").
    async fn issuer(&self) -> Option<&str> {
        self.0.issuer.as_deref()
    }
    /// IdP Logout URL (optional).
    async fn logout_url(&self) -> Option<&str> {
        self.0.logout_url.as_deref()
    }
    async fn login_policy(&self) -> LoginPolicy {
        self.0.login_policy.into()
    }
    async fn allow_idp_initiated(&self) -> bool {
        self.0.allow_idp_initiated
    }
    /// Unknown users are created at their first SSO sign-in.
    async fn jit_provisioning(&self) -> bool {
        self.0.jit_provisioning
    }
    /// AuthnRequests carry a Redirect-binding signature (SigAlg + Signature) made with
    /// Gatehouse's active SP signing key.
    async fn sign_authn_requests(&self) -> bool {
        self.0.sign_authn_requests
    }
    /// Plain (unencrypted) assertions are refused with the reason `encryption_required`.
    async fn require_encrypted_assertions(&self) -> bool {
        self.0.require_encrypted_assertions
    }
    /// Pass it back as `expectedVersion` to refuse saving over someone else's change.
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    #[graphql(complexity = "idn::MAX_CERTIFICATES * child_complexity + 1")]
    async fn certificates(&self) -> Vec<IdpCertificate> {
        self.0.certificates.iter().cloned().map(IdpCertificate).collect()
    }
    /// The IdP's federation metadata URL, refreshed on a schedule (`setIdpMetadataUrl`).
    async fn metadata_url(&self) -> Option<&str> {
        self.0.metadata_url.as_deref()
    }
    /// New certificates from the metadata URL are trusted at once instead of staged.
    async fn metadata_auto_promote(&self) -> bool {
        self.0.metadata_auto_promote
    }
    /// Sign-ins verified by an expired certificate are refused (off: only recorded).
    async fn refuse_expired_certificates(&self) -> bool {
        self.0.refuse_expired_certificates
    }
    /// The metadata URL's last fetches.
    async fn metadata_status(&self, ctx: &Context<'_>) -> GqlResult<crate::certificates::IdpMetadataStatus> {
        crate::certificates::metadata_status(ctx).await
    }
    /// Certificates found in the IdP's metadata but not trusted yet.
    #[graphql(complexity = "idn::MAX_CERTIFICATES * child_complexity + 1")]
    async fn staged_certificates(&self, ctx: &Context<'_>) -> GqlResult<Vec<crate::certificates::StagedCertificate>> {
        crate::certificates::staged_certificates(ctx).await
    }
}

/// An IdP signing certificate. Several may be kept for rollover.
pub(crate) struct IdpCertificate(pub idn::IdpCertificate);

#[Object]
impl IdpCertificate {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn subject(&self) -> &str {
        &self.0.subject
    }
    async fn issuer(&self) -> &str {
        &self.0.issuer
    }
    /// SHA-256 over the DER certificate, as upper-case hex pairs joined by ':'.
    async fn fingerprint_sha256(&self) -> &str {
        &self.0.fingerprint_sha256
    }
    async fn not_before(&self) -> DateTime<Utc> {
        self.0.not_before
    }
    async fn not_after(&self) -> DateTime<Utc> {
        self.0.not_after
    }
    /// Expires within 60 days: time to upload the IdP's next certificate.
    async fn expires_soon(&self, ctx: &Context<'_>) -> bool {
        self.0.expires_soon_at(crate::context::identity(ctx).now())
    }
    async fn expired(&self, ctx: &Context<'_>) -> bool {
        self.0.is_expired_at(crate::context::identity(ctx).now())
    }
    /// What the sign-in log says about it: last verified sign-in, count in the last 30 days.
    async fn usage(&self, ctx: &Context<'_>) -> GqlResult<crate::certificates::CertificateUsage> {
        crate::certificates::usage(ctx, &self.0).await
    }
}

/// What to paste into the IdP (the fixed SP values, as in the 8x8 tutorial).
pub(crate) struct ServiceProvider {
    pub info: ServiceProviderInfo,
    pub tenant_slug: String,
}

#[Object]
impl ServiceProvider {
    /// Identifier (Entity ID).
    async fn entity_id(&self) -> &str {
        &self.info.entity_id
    }
    /// Reply URL (Assertion Consumer Service URL) — the same as the Identifier.
    async fn acs_url(&self) -> &str {
        &self.info.acs_url
    }
    /// Sign-on URL: starts an SP-initiated sign-in for this tenant.
    async fn sign_on_url(&self) -> String {
        format!("{}?tenant={}", self.info.login_url, self.tenant_slug)
    }
    /// SP metadata XML, for IdPs that import it.
    async fn metadata_url(&self) -> &str {
        &self.info.metadata_url
    }
    /// This tenant's SP metadata: `AuthnRequestsSigned` follows its "sign AuthnRequests"
    /// setting.
    async fn tenant_metadata_url(&self) -> String {
        format!("{}?tenant={}", self.info.metadata_url, self.tenant_slug)
    }
    /// Gatehouse's SP certificates (signing and encryption; active, next and previous) to give
    /// to the IdP. Empty when the operator has configured no key-encryption key.
    async fn certificates(&self, ctx: &async_graphql::Context<'_>) -> GqlResult<Vec<super::SpCertificate>> {
        use crate::error::OrGql as _;
        let certificates = crate::context::identity(ctx).sp_certificates().await.gql()?;
        Ok(certificates.into_iter().map(super::SpCertificate).collect())
    }
    /// SCIM provisioning "Tenant URL" for this tenant.
    async fn scim_tenant_url(&self) -> String {
        self.info.scim_tenant_url(&self.tenant_slug)
    }
}

#[derive(InputObject)]
pub(crate) struct SsoConnectionInput {
    pub enabled: bool,
    pub provider: IdpProvider,
    pub login_url: Option<String>,
    pub issuer: Option<String>,
    pub logout_url: Option<String>,
    pub login_policy: LoginPolicy,
    pub allow_idp_initiated: bool,
    /// Create unknown users at their first SSO sign-in (off unless set; left out: unchanged).
    pub jit_provisioning: Option<bool>,
    /// Sign AuthnRequests with Gatehouse's SP signing key (left out: unchanged).
    pub sign_authn_requests: Option<bool>,
    /// Refuse assertions that are not encrypted to Gatehouse's SP encryption key (left out:
    /// unchanged).
    pub require_encrypted_assertions: Option<bool>,
    /// The `version` you loaded (while there is a draft: the draft's `revision`); the save
    /// fails with CONFLICT if someone saved since.
    pub expected_version: Option<i32>,
    /// `false`: save into the draft (sign-ins keep the published settings). `true`: save and
    /// publish. Left out: publish while SSO is not enabled (first-time set-up), draft once it is.
    pub publish: Option<bool>,
    /// Publishing straight away while SSO is enabled skips Test SSO: confirm it with `true`
    /// (else VALIDATION on `confirmUntested`).
    #[graphql(default)]
    pub confirm_untested: bool,
}

/// One Save of the SSO settings page: the settings, the certificates to add and those to
/// remove, saved together in one transaction or not at all.
#[derive(InputObject)]
pub(crate) struct SaveSsoSettingsInput {
    pub enabled: bool,
    pub provider: IdpProvider,
    pub login_url: Option<String>,
    pub issuer: Option<String>,
    pub logout_url: Option<String>,
    pub login_policy: LoginPolicy,
    pub allow_idp_initiated: bool,
    /// Create unknown users at their first SSO sign-in (left out: unchanged).
    pub jit_provisioning: Option<bool>,
    /// Sign AuthnRequests with Gatehouse's SP signing key (left out: unchanged).
    pub sign_authn_requests: Option<bool>,
    /// Refuse assertions that are not encrypted to Gatehouse's SP encryption key (left out:
    /// unchanged).
    pub require_encrypted_assertions: Option<bool>,
    /// New IdP signing certificates (PEM, or Base64 as for `addIdpCertificate`). A refused
    /// one is a VALIDATION error on `addCertificates[<index>]`.
    #[graphql(default)]
    pub add_certificates: Vec<String>,
    /// Certificates to remove. A refused one is a VALIDATION error on
    /// `removeCertificateIds[<index>]`.
    #[graphql(default)]
    pub remove_certificate_ids: Vec<ID>,
    /// The `version` you loaded (while there is a draft: the draft's `revision`); the save
    /// fails with CONFLICT if someone saved since.
    pub expected_version: Option<i32>,
    /// `false`: save into the draft (sign-ins keep the published settings). `true`: save and
    /// publish. Left out: publish while SSO is not enabled (first-time set-up), draft once it is.
    pub publish: Option<bool>,
    /// Publishing straight away while SSO is enabled skips Test SSO: confirm it with `true`
    /// (else VALIDATION on `confirmUntested`).
    #[graphql(default)]
    pub confirm_untested: bool,
}

#[derive(SimpleObject)]
pub(crate) struct TestSsoPayload {
    /// Open this URL in a browser to run a test sign-in (valid 10 minutes, once).
    pub url: String,
}

/// A certificate found in IdP metadata.
#[derive(SimpleObject)]
pub(crate) struct MetadataCertificate {
    pub subject: String,
    pub fingerprint_sha256: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    /// The certificate as PEM (public), for `addIdpCertificate`.
    pub pem: String,
    /// False when it has already expired (it is not imported).
    pub usable: bool,
}

/// What an IdP metadata document says.
#[derive(SimpleObject)]
pub(crate) struct IdpMetadataImport {
    /// The IdP entity ID: the IdP Issuer URL/URN.
    pub issuer: String,
    /// The single sign-on URL (HTTP-Redirect preferred): the IdP Login URL.
    pub login_url: String,
    pub logout_url: Option<String>,
    pub certificates: Vec<MetadataCertificate>,
    /// The saved connection when `apply` was true.
    pub sso_connection: Option<SsoConnection>,
}
