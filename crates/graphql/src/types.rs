//! GraphQL output and input types. Outputs wrap the identity crate's domain types and
//! choose what to expose (never a hash, a PEM body or a token after creation).

use std::sync::Arc;

use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use gatehouse_identity as idn;

use crate::batches::{GroupBatch, UserBatch};
use crate::context::ServiceProviderInfo;
use crate::error::GqlResult;
use crate::pagination::{connection, page};

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "Role", remote = "idn::Role")]
pub enum RoleGql {
    TenantAdmin,
    User,
}

/// What the signed-in caller is.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalRole {
    PlatformOperator,
    TenantAdmin,
    User,
    ApiToken,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "idn::UserStatus")]
pub enum UserStatus {
    Pending,
    Active,
    Suspended,
}

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

/// A customer organisation.
pub(crate) struct Tenant(pub idn::Tenant);

#[Object]
impl Tenant {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The short name used in URLs (`/scim/v2/<slug>`, `/saml2/login?tenant=<slug>`).
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Whether the tenant's IdP URLs may use plain http (set by an operator for test IdPs).
    async fn dev_mode(&self) -> bool {
        self.0.dev_mode
    }
    /// Whether SCIM may rename, deactivate and delete tenant admins (off by default: SCIM
    /// requests that would are refused with 403).
    async fn scim_manages_admins(&self) -> bool {
        self.0.scim_manages_admins
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// The signed-in caller.
pub(crate) struct Me(pub idn::Me);

#[Object]
impl Me {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn email(&self) -> &str {
        &self.0.email
    }
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
    async fn role(&self) -> PrincipalRole {
        match self.0.role {
            idn::MeRole::Operator => PrincipalRole::PlatformOperator,
            idn::MeRole::TenantAdmin => PrincipalRole::TenantAdmin,
            idn::MeRole::User => PrincipalRole::User,
            idn::MeRole::ApiToken => PrincipalRole::ApiToken,
        }
    }
    /// `null` for platform operators, who belong to no tenant.
    async fn tenant(&self) -> Option<Tenant> {
        self.0.tenant.clone().map(Tenant)
    }
}

/// A user of the tenant.
#[derive(Clone)]
pub(crate) struct User {
    pub(crate) user: idn::User,
    /// The users read with this one (see [`crate::batches`]).
    pub(crate) batch: Arc<UserBatch>,
}

#[Object]
impl User {
    async fn id(&self) -> ID {
        ID(self.user.id.to_string())
    }
    async fn email(&self) -> &str {
        &self.user.email
    }
    async fn display_name(&self) -> &str {
        &self.user.display_name
    }
    /// The ID the IdP sends as NameID; matched case-insensitively when e-mail shaped.
    async fn federation_id(&self) -> &str {
        &self.user.federation_id
    }
    async fn role(&self) -> RoleGql {
        self.user.role.into()
    }
    async fn status(&self) -> UserStatus {
        self.user.status.into()
    }
    /// Whether the user can sign in with a password (where the login policy allows it).
    async fn has_password(&self) -> bool {
        self.user.has_password
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.user.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.user.updated_at
    }
    /// The groups the user belongs to (provisioned by the IdP over SCIM), by name.
    #[graphql(complexity = "crate::limits::list_cost(first, child_complexity)")]
    async fn groups(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, Group>> {
        let had_cursor = after.is_some();
        let p = self.batch.groups(ctx, self.user.id, &page(first, after)?).await?;
        Ok(connection(p, |g| g.group.display_name.to_lowercase(), had_cursor))
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
    /// SCIM provisioning "Tenant URL" for this tenant.
    async fn scim_tenant_url(&self) -> String {
        self.info.scim_tenant_url(&self.tenant_slug)
    }
}

pub(crate) struct ApiToken(pub idn::ApiToken);

#[Object]
impl ApiToken {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The token's first characters, to tell tokens apart.
    async fn prefix(&self) -> &str {
        &self.0.prefix
    }
    async fn created_by(&self) -> &str {
        &self.0.created_by
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_used_at
    }
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
}

/// A SCIM bearer token (Entra's "Secret Token"); the secret itself is shown only on creation.
pub(crate) struct ScimToken(pub idn::ScimToken);

#[Object]
impl ScimToken {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The token's first characters, to tell tokens apart.
    async fn prefix(&self) -> &str {
        &self.0.prefix
    }
    async fn created_by(&self) -> &str {
        &self.0.created_by
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_used_at
    }
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
}

/// A group of users, provisioned by the IdP over SCIM.
#[derive(Clone)]
pub(crate) struct Group {
    pub(crate) group: idn::Group,
    /// The groups read with this one (see [`crate::batches`]).
    pub(crate) batch: Arc<GroupBatch>,
}

#[Object]
impl Group {
    async fn id(&self) -> ID {
        ID(self.group.id.to_string())
    }
    async fn display_name(&self) -> &str {
        &self.group.display_name
    }
    /// The IdP's own identifier for the group.
    async fn external_id(&self) -> Option<&str> {
        self.group.external_id.as_deref()
    }
    async fn member_count(&self, ctx: &Context<'_>) -> GqlResult<i32> {
        let n = self.batch.member_count(ctx, self.group.id).await?;
        Ok(i32::try_from(n).unwrap_or(i32::MAX))
    }
    /// The group's members, oldest user first.
    #[graphql(complexity = "crate::limits::list_cost(first, child_complexity)")]
    async fn members(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, User>> {
        let had_cursor = after.is_some();
        let p = self.batch.members(ctx, self.group.id, &page(first, after)?).await?;
        Ok(connection(p, |u| u.user.id.to_string(), had_cursor))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.group.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.group.updated_at
    }
}

/// One change in the audit log.
pub(crate) struct AuditEvent(pub idn::AuditEvent);

#[Object]
impl AuditEvent {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// `user`, `operator`, `api_token` or `system`.
    async fn actor_kind(&self) -> &str {
        &self.0.actor_kind
    }
    async fn actor_id(&self) -> Option<&str> {
        self.0.actor_id.as_deref()
    }
    async fn actor(&self) -> &str {
        &self.0.actor_label
    }
    /// e.g. `sso_connection.update`, `user.suspend`.
    async fn action(&self) -> &str {
        &self.0.action
    }
    async fn target_type(&self) -> &str {
        &self.0.target_type
    }
    async fn target_id(&self) -> Option<&str> {
        self.0.target_id.as_deref()
    }
    /// The target before the change, as JSON (no secrets).
    async fn before(&self) -> Option<async_graphql::Json<serde_json::Value>> {
        self.0.before.clone().map(async_graphql::Json)
    }
    async fn after(&self) -> Option<async_graphql::Json<serde_json::Value>> {
        self.0.after.clone().map(async_graphql::Json)
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

#[derive(InputObject)]
pub(crate) struct CreateTenantInput {
    pub slug: String,
    pub name: String,
    pub admin_email: String,
    /// Leave out to have one generated and returned once.
    pub admin_password: Option<String>,
}

#[derive(SimpleObject)]
pub(crate) struct CreateTenantPayload {
    pub tenant: Tenant,
    pub admin: User,
    /// Only when the password was generated; shown this once.
    pub generated_admin_password: Option<String>,
}

#[derive(InputObject)]
pub(crate) struct CreateUserInput {
    pub email: String,
    pub display_name: Option<String>,
    /// Defaults to the e-mail.
    pub federation_id: Option<String>,
    pub role: Option<RoleGql>,
    /// Only needed where the login policy allows passwords.
    pub password: Option<String>,
    /// Create the user active instead of pending.
    #[graphql(default = false)]
    pub active: bool,
}

#[derive(InputObject)]
pub(crate) struct UpdateUserInput {
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub federation_id: Option<String>,
    pub role: Option<RoleGql>,
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
    /// The `version` you loaded; the save fails with CONFLICT if someone saved since.
    pub expected_version: Option<i32>,
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
    /// New IdP signing certificates (PEM, or Base64 as for `addIdpCertificate`). A refused
    /// one is a VALIDATION error on `addCertificates[<index>]`.
    #[graphql(default)]
    pub add_certificates: Vec<String>,
    /// Certificates to remove. A refused one is a VALIDATION error on
    /// `removeCertificateIds[<index>]`.
    #[graphql(default)]
    pub remove_certificate_ids: Vec<ID>,
    /// The `version` you loaded; the save fails with CONFLICT if someone saved since.
    pub expected_version: Option<i32>,
}

#[derive(InputObject, Default)]
pub(crate) struct AuditEventFilter {
    pub action: Option<String>,
    pub target_id: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

#[derive(SimpleObject)]
pub(crate) struct CreateApiTokenPayload {
    /// The token, shown this once. Send it as `Authorization: Bearer <token>`.
    pub token: String,
    pub api_token: ApiToken,
}

/// What Entra's provisioning page asks for: "Tenant URL" and "Secret Token".
#[derive(SimpleObject)]
pub(crate) struct CreateScimTokenPayload {
    /// The Secret Token, shown this once. Sent as `Authorization: Bearer <token>`.
    pub token: String,
    /// The Tenant URL: `<public URL>/scim/v2/<tenant>`.
    pub tenant_url: String,
    pub scim_token: ScimToken,
}

#[derive(SimpleObject)]
pub(crate) struct SignInPayload {
    pub me: Me,
}

/// One SSO sign-in attempt.
pub(crate) struct SignInEvent(pub idn::SignInEvent);

#[Object]
impl SignInEvent {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn success(&self) -> bool {
        self.0.success
    }
    /// `sp_initiated`, `idp_initiated` or `test`.
    async fn flow(&self) -> &str {
        &self.0.flow
    }
    /// Machine-readable, e.g. `untrusted_key`, `unknown_user`, `replay`; `success` on success.
    async fn reason_code(&self) -> &str {
        &self.0.reason_code
    }
    /// The reason in plain words.
    async fn reason(&self) -> &str {
        idn::reason_text(&self.0.reason_code)
    }
    /// Expected vs received, as the SAML validation explained it.
    async fn detail(&self) -> &str {
        &self.0.detail
    }
    async fn user_id(&self) -> Option<ID> {
        self.0.user_id.clone().map(ID)
    }
    /// The NameID the IdP sent (when the response was readable).
    async fn name_id(&self) -> Option<&str> {
        self.0.name_id.as_deref()
    }
    /// The configured certificate that verified the response.
    async fn certificate_fingerprint(&self) -> Option<&str> {
        self.0.certificate_fingerprint.as_deref()
    }
    /// IdP IssueInstant minus Gatehouse's clock, in seconds.
    async fn clock_offset_seconds(&self) -> Option<i64> {
        self.0.clock_offset_seconds
    }
    async fn ip(&self) -> Option<&str> {
        self.0.ip.as_deref()
    }
    async fn user_agent(&self) -> Option<&str> {
        self.0.user_agent.as_deref()
    }
}

#[derive(InputObject, Default)]
pub(crate) struct SignInEventFilter {
    /// Only successes (`true`) or only failures (`false`).
    pub success: Option<bool>,
    pub reason_code: Option<String>,
    pub user_id: Option<ID>,
    pub since: Option<DateTime<Utc>>,
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
