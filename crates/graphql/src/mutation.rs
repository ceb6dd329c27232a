//! Mutations. Each one is validated as a whole, saved in one transaction with its audit
//! entry, and answers with the saved state.

use async_graphql::{Context, ID, Object};
use gatehouse_identity as idn;

use crate::context::{
    ServiceProviderInfo, SessionChange, auth, identity, operator_scope, report_session, tenant_scope,
};
use crate::error::{GqlResult, OrGql};
use crate::query::parse_id;
use crate::types::*;

#[derive(Default)]
pub(crate) struct CoreMutation;

async fn scim_token_payload(
    ctx: &Context<'_>,
    scope: &idn::TenantScope,
    created: idn::CreatedScimToken,
) -> GqlResult<CreateScimTokenPayload> {
    let tenant = identity(ctx).tenant(scope).await.gql()?;
    let tenant_url = ctx.data_unchecked::<ServiceProviderInfo>().scim_tenant_url(&tenant.slug);
    Ok(CreateScimTokenPayload { token: created.token, tenant_url, scim_token: ScimToken(created.scim_token) })
}

#[Object]
impl CoreMutation {
    /// Signs in with e-mail and password and sets the session cookie. `tenant` (a slug)
    /// is needed only when the e-mail signs in to several tenants.
    async fn sign_in(
        &self,
        ctx: &Context<'_>,
        email: String,
        password: String,
        tenant: Option<String>,
    ) -> GqlResult<SignInPayload> {
        let a = auth(ctx);
        let signed = identity(ctx)
            .sign_in(idn::SignIn {
                email,
                password,
                tenant,
                session: idn::NewSessionInfo { ip: a.ip.clone(), user_agent: a.user_agent.clone() },
            })
            .await
            .gql()?;
        report_session(ctx, SessionChange::Started { token: signed.session_token, expires_at: signed.expires_at });
        let me = identity(ctx).me(&signed.principal).await.gql()?;
        Ok(SignInPayload { me: Me(me) })
    }

    /// Ends this session and clears the cookie.
    async fn sign_out(&self, ctx: &Context<'_>) -> GqlResult<bool> {
        if let Some(token) = auth(ctx).session_token.as_deref() {
            identity(ctx).sign_out(token).await.gql()?;
        }
        report_session(ctx, SessionChange::Ended);
        Ok(true)
    }

    /// Creates a tenant with its first admin (platform operators only).
    async fn create_tenant(&self, ctx: &Context<'_>, input: CreateTenantInput) -> GqlResult<CreateTenantPayload> {
        let scope = operator_scope(ctx)?;
        let created = identity(ctx)
            .create_tenant(
                &scope,
                idn::NewTenant {
                    slug: input.slug,
                    name: input.name,
                    admin_email: input.admin_email,
                    admin_password: input.admin_password,
                },
            )
            .await
            .gql()?;
        Ok(CreateTenantPayload {
            tenant: Tenant::one(created.tenant),
            admin: User::one(created.admin),
            generated_admin_password: created.generated_password,
        })
    }

    /// Lets a tenant's IdP URLs use plain http, for test IdPs (platform operators only).
    async fn set_tenant_dev_mode(&self, ctx: &Context<'_>, slug: String, enabled: bool) -> GqlResult<Tenant> {
        let scope = operator_scope(ctx)?;
        identity(ctx).set_tenant_dev_mode(&scope, &slug, enabled).await.gql().map(Tenant::one)
    }

    /// SP key rollover, step 1 (platform operators only): create the next signing or encryption
    /// key and publish its certificate in metadata now; it can be activated once
    /// `overlapHours` (0 … 2160) have passed. Audited.
    async fn generate_next_sp_key(
        &self,
        ctx: &Context<'_>,
        role: SpKeyRole,
        overlap_hours: i32,
    ) -> GqlResult<SpCertificate> {
        let scope = operator_scope(ctx)?;
        identity(ctx)
            .generate_next_sp_key(&scope, role.into(), chrono::Duration::hours(i64::from(overlap_hours)))
            .await
            .gql()
            .map(SpCertificate)
    }

    /// SP key rollover, step 2 (platform operators only): the next key becomes active and the
    /// active one previous. CONFLICT before the overlap has passed unless `force`. Audited.
    async fn activate_next_sp_key(
        &self,
        ctx: &Context<'_>,
        role: SpKeyRole,
        #[graphql(default)] force: bool,
    ) -> GqlResult<SpCertificate> {
        let scope = operator_scope(ctx)?;
        identity(ctx).activate_next_sp_key(&scope, role.into(), force).await.gql().map(SpCertificate)
    }

    /// SP key rollover, step 3 (platform operators only): drop a previous key (or cancel a next
    /// one). The active key cannot be dropped. Audited.
    async fn drop_sp_key(&self, ctx: &Context<'_>, id: ID) -> GqlResult<SpCertificate> {
        let scope = operator_scope(ctx)?;
        let id = parse_id::<uuid::Uuid>("id", &id)?;
        identity(ctx).drop_sp_key(&scope, id).await.gql().map(SpCertificate)
    }

    /// Lets the tenant's SCIM client rename, deactivate and delete tenant admins (tenant admins
    /// only; off by default). The last active admin stays protected either way.
    async fn set_scim_manages_admins(&self, ctx: &Context<'_>, enabled: bool) -> GqlResult<Tenant> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        identity(ctx).set_scim_manages_admins(&scope, enabled).await.gql().map(Tenant::one)
    }

    async fn create_user(&self, ctx: &Context<'_>, input: CreateUserInput) -> GqlResult<User> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        identity(ctx)
            .create_user(
                &scope,
                idn::NewUser {
                    email: input.email,
                    display_name: input.display_name,
                    federation_id: input.federation_id,
                    role: input.role.map(Into::into),
                    password: input.password,
                    active: input.active,
                },
            )
            .await
            .gql()
            .map(User::one)
    }

    async fn update_user(&self, ctx: &Context<'_>, id: ID, input: UpdateUserInput) -> GqlResult<User> {
        let scope = tenant_scope(ctx).await?;
        let update = idn::UserUpdate {
            email: input.email,
            display_name: input.display_name,
            federation_id: input.federation_id,
            role: input.role.map(Into::into),
        };
        let id = parse_id("id", &id)?;
        identity(ctx).update_user(&scope.admin().gql()?, id, update).await.gql().map(User::one)
    }

    /// Lets the user sign in.
    async fn activate_user(&self, ctx: &Context<'_>, id: ID) -> GqlResult<User> {
        let scope = tenant_scope(ctx).await?;
        let id = parse_id("id", &id)?;
        identity(ctx).set_user_status(&scope.admin().gql()?, id, idn::UserStatus::Active).await.gql().map(User::one)
    }

    /// Stops the user from signing in and ends their sessions at once.
    async fn suspend_user(&self, ctx: &Context<'_>, id: ID) -> GqlResult<User> {
        let scope = tenant_scope(ctx).await?;
        let id = parse_id("id", &id)?;
        identity(ctx).set_user_status(&scope.admin().gql()?, id, idn::UserStatus::Suspended).await.gql().map(User::one)
    }

    /// Deletes the user (they can no longer sign in; the logs keep their history).
    async fn delete_user(&self, ctx: &Context<'_>, id: ID) -> GqlResult<User> {
        let scope = tenant_scope(ctx).await?;
        let id = parse_id("id", &id)?;
        identity(ctx).delete_user(&scope.admin().gql()?, id).await.gql().map(User::one)
    }

    /// Saves the whole SSO configuration: published at once (and kept in the history) while
    /// SSO is not enabled, so a first-time set-up is one step; once SSO is live the change
    /// goes into the draft (`ssoDraft`) and the answer is the published connection, unchanged,
    /// until the draft is tested and published (`publishSsoDraft`).
    async fn update_sso_connection(&self, ctx: &Context<'_>, input: SsoConnectionInput) -> GqlResult<SsoConnection> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        identity(ctx)
            .update_sso_connection(
                &scope,
                idn::SsoConnectionInput {
                    enabled: input.enabled,
                    provider: input.provider.into(),
                    login_url: input.login_url,
                    issuer: input.issuer,
                    logout_url: input.logout_url,
                    login_policy: input.login_policy.into(),
                    allow_idp_initiated: input.allow_idp_initiated,
                    jit_provisioning: input.jit_provisioning,
                    sign_authn_requests: input.sign_authn_requests,
                    require_encrypted_assertions: input.require_encrypted_assertions,
                    expected_version: input.expected_version,
                },
            )
            .await
            .gql()
            .map(SsoConnection)
    }

    /// Saves the SSO settings, adds and removes certificates in one transaction: all of it
    /// or, on any error, nothing. Every problem is reported at once, each naming its field
    /// (`loginUrl`, `addCertificates[1]`, `removeCertificateIds[0]`, …). SSO can be enabled
    /// by the save that adds its first certificate. Answers with the saved connection,
    /// whose `version` has moved on. With drafts (issue 13): once SSO is enabled a save goes
    /// into the draft unless `publish: true` (see `SaveSsoSettingsInput.publish`); the answer
    /// is then the published connection, unchanged, and `ssoDraft` has the edit.
    async fn save_sso_settings(&self, ctx: &Context<'_>, input: SaveSsoSettingsInput) -> GqlResult<SsoConnection> {
        let scope = tenant_scope(ctx).await?;
        let remove_certificate_ids = input
            .remove_certificate_ids
            .iter()
            .enumerate()
            .map(|(i, id)| parse_id(&format!("removeCertificateIds[{i}]"), id))
            .collect::<GqlResult<Vec<_>>>()?;
        let save = idn::SsoSettingsSave {
            settings: idn::SsoConnectionInput {
                enabled: input.enabled,
                provider: input.provider.into(),
                login_url: input.login_url,
                issuer: input.issuer,
                logout_url: input.logout_url,
                login_policy: input.login_policy.into(),
                allow_idp_initiated: input.allow_idp_initiated,
                jit_provisioning: input.jit_provisioning,
                sign_authn_requests: input.sign_authn_requests,
                require_encrypted_assertions: input.require_encrypted_assertions,
                expected_version: input.expected_version,
            },
            add_certificates: input.add_certificates,
            remove_certificate_ids,
        };
        let target = match input.publish {
            Some(true) => idn::SaveTarget::Publish,
            Some(false) => idn::SaveTarget::Draft,
            None => idn::SaveTarget::Auto,
        };
        identity(ctx)
            .save_sso_settings_to(&scope.admin().gql()?, save, target, input.confirm_untested)
            .await
            .gql()
            .map(SsoConnection)
    }

    /// Uploads an IdP signing certificate: PEM, or the bare Base64 of Entra's
    /// "Certificate (Base64)" download, or Base64 of a DER file. Like `updateSsoConnection`:
    /// published at once while SSO is not enabled, added to the draft once it is.
    async fn add_idp_certificate(&self, ctx: &Context<'_>, certificate: String) -> GqlResult<IdpCertificate> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        let added = identity(ctx).add_idp_certificate(&scope, certificate.as_bytes()).await.gql()?;
        Ok(IdpCertificate(added.certificate))
    }

    /// Removes an IdP certificate. Like `updateSsoConnection`: published at once while SSO
    /// is not enabled, removed from the draft once it is (the last valid certificate cannot
    /// go while SSO is enabled).
    async fn remove_idp_certificate(&self, ctx: &Context<'_>, id: ID) -> GqlResult<IdpCertificate> {
        let scope = tenant_scope(ctx).await?;
        let id = parse_id("id", &id)?;
        identity(ctx).remove_idp_certificate(&scope.admin().gql()?, id).await.gql().map(IdpCertificate)
    }

    /// A one-time URL that runs an SP-initiated test sign-in and shows the outcome in
    /// words (like Entra's "Test this application"). Works before SSO is enabled.
    async fn test_sso_connection(&self, ctx: &Context<'_>) -> GqlResult<TestSsoPayload> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        let base = &ctx.data_unchecked::<crate::ServiceProviderInfo>().public_url;
        let url = identity(ctx).create_sso_test(&scope, base).await.gql()?;
        Ok(TestSsoPayload { url })
    }

    /// Reads IdP metadata XML (Entra's App Federation Metadata, Okta, Google, any SAML 2.0
    /// IdP). With `apply: false` (the default) nothing is saved: review, then save. With
    /// `apply: true` the issuer, URLs and new certificates are saved (SSO stays as it was) as
    /// `updateSsoConnection` saves: published at once while SSO is not enabled, into the
    /// draft once it is (`ssoConnection` is then the published connection, unchanged).
    async fn import_idp_metadata(
        &self,
        ctx: &Context<'_>,
        xml: String,
        #[graphql(default = false)] apply: bool,
    ) -> GqlResult<IdpMetadataImport> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        let m = identity(ctx).import_idp_metadata(&scope, &xml, apply).await.gql()?;
        Ok(IdpMetadataImport {
            issuer: m.issuer,
            login_url: m.login_url,
            logout_url: m.logout_url,
            certificates: m
                .certificates
                .into_iter()
                .map(|(c, usable)| MetadataCertificate {
                    subject: c.subject,
                    fingerprint_sha256: c.fingerprint_sha256,
                    not_before: c.not_before,
                    not_after: c.not_after,
                    pem: c.pem,
                    usable,
                })
                .collect(),
            sso_connection: m.saved.map(SsoConnection),
        })
    }

    /// Creates an API token; the token is in this answer only.
    async fn create_api_token(&self, ctx: &Context<'_>, name: String) -> GqlResult<CreateApiTokenPayload> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        let (token, t) = identity(ctx).create_api_token(&scope, &name).await.gql()?;
        Ok(CreateApiTokenPayload { token, api_token: ApiToken(t) })
    }

    async fn revoke_api_token(&self, ctx: &Context<'_>, id: ID) -> GqlResult<ApiToken> {
        let scope = tenant_scope(ctx).await?;
        let id = parse_id("id", &id)?;
        identity(ctx).revoke_api_token(&scope.admin().gql()?, id).await.gql().map(ApiToken)
    }

    /// Creates a SCIM token for the IdP's provisioning ("Secret Token"); the token is in
    /// this answer only. Earlier tokens stay valid until revoked.
    async fn create_scim_token(&self, ctx: &Context<'_>) -> GqlResult<CreateScimTokenPayload> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        let created = identity(ctx).create_scim_token(&scope).await.gql()?;
        scim_token_payload(ctx, &scope, created).await
    }

    /// Replaces a SCIM token by a new one; the old one stops working at once.
    async fn rotate_scim_token(&self, ctx: &Context<'_>, id: ID) -> GqlResult<CreateScimTokenPayload> {
        let scope = tenant_scope(ctx).await?;
        let id = parse_id("id", &id)?;
        let scope = scope.admin().gql()?;
        let created = identity(ctx).rotate_scim_token(&scope, id).await.gql()?;
        scim_token_payload(ctx, &scope, created).await
    }

    async fn revoke_scim_token(&self, ctx: &Context<'_>, id: ID) -> GqlResult<ScimToken> {
        let scope = tenant_scope(ctx).await?;
        let id = parse_id("id", &id)?;
        identity(ctx).revoke_scim_token(&scope.admin().gql()?, id).await.gql().map(ScimToken)
    }
}
