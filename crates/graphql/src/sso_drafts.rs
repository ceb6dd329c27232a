//! Change SSO without fear (issue 13): the draft of the SSO settings, publishing it, the
//! history of published versions with diffs and rollback, and the operator's "require a
//! tested draft" rule. Tenant admins act on their own tenant only; another tenant's draft
//! or version is never visible (NOT_FOUND). `saveSsoSettings` (in `mutation`) writes the draft.

use async_graphql::{Context, Enum, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use gatehouse_identity as idn;

use crate::context::{identity, operator_scope, tenant_scope};
use crate::error::{GqlResult, OrGql};
use crate::types::SsoConnection;

/// The unpublished draft of the SSO settings. Sign-ins use the published settings until
/// it is published; Test SSO tests it.
pub(crate) struct SsoDraft(idn::SsoDraft);

#[Object]
impl SsoDraft {
    /// Counts every save of the draft; pass it as `expectedVersion` to `saveSsoSettings` and
    /// as `expectedRevision` to `publishSsoDraft` / `discardSsoDraft`.
    async fn revision(&self) -> i32 {
        self.0.revision
    }
    /// The published version the draft was started from.
    async fn base_version(&self) -> i32 {
        self.0.base_version
    }
    /// The settings and certificates as the draft has them.
    async fn settings(&self) -> SsoConnection {
        SsoConnection(self.0.settings.clone())
    }
    async fn updated_by(&self) -> &str {
        &self.0.updated_by
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// The last Test SSO run of this revision; null when untested since the last edit.
    async fn last_test(&self) -> Option<SsoDraftTest> {
        self.0.last_test.clone().map(|t| SsoDraftTest { success: t.success, at: t.at, by: t.by, detail: t.detail })
    }
    /// What publishing would change, setting by setting.
    async fn changes(&self, ctx: &Context<'_>) -> GqlResult<Vec<SsoSettingChange>> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        let d = identity(ctx)
            .sso_settings_diff(&scope, idn::SettingsRef::Published, idn::SettingsRef::Draft)
            .await
            .gql()?;
        Ok(d.into_iter().map(Into::into).collect())
    }
}

/// A Test SSO run of the draft.
#[derive(SimpleObject)]
pub(crate) struct SsoDraftTest {
    pub success: bool,
    pub at: DateTime<Utc>,
    /// The admin who started the test.
    pub by: String,
    /// What the test found, in words.
    pub detail: String,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "idn::PublishAction")]
pub(crate) enum SsoPublishAction {
    /// A draft was published.
    Publish,
    /// An older version was published again.
    Rollback,
    /// Saved and published in one step.
    Save,
    /// What was live before the history started.
    Baseline,
    /// A staged IdP certificate was promoted (published at once).
    PromoteCertificate,
    /// The metadata URL was set or its metadata applied (published at once).
    Metadata,
    /// The expired-certificate rule was switched (published at once).
    RefuseExpired,
}

/// One published version of the SSO settings.
pub(crate) struct SsoSettingsVersion(idn::SsoVersion);

#[Object]
impl SsoSettingsVersion {
    /// The connection's `version` once this was published.
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn action(&self) -> SsoPublishAction {
        self.0.action.into()
    }
    async fn published_by(&self) -> &str {
        &self.0.published_by
    }
    async fn published_at(&self) -> DateTime<Utc> {
        self.0.published_at
    }
    /// For a rollback: the version it published again.
    async fn restored_from(&self) -> Option<i32> {
        self.0.restored_from
    }
    async fn settings(&self) -> SsoConnection {
        SsoConnection(self.0.settings.clone())
    }
}

/// One setting that differs, with its value before and after (certificates one per line).
#[derive(SimpleObject)]
pub(crate) struct SsoSettingChange {
    /// The setting's name as in `SsoConnection` (`issuer`, `loginUrl`, `certificates`, …).
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl From<idn::SettingChange> for SsoSettingChange {
    fn from(c: idn::SettingChange) -> Self {
        Self { field: c.field, before: c.before, after: c.after }
    }
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SsoSettingsKind {
    /// A version from `ssoSettingsHistory` (name it in `version`).
    Version,
    /// What is published now.
    Published,
    /// The draft.
    Draft,
}

/// Which settings to compare.
#[derive(InputObject)]
pub(crate) struct SsoSettingsRef {
    pub kind: SsoSettingsKind,
    /// Required with `VERSION`.
    pub version: Option<i32>,
}

fn settings_ref(field: &str, r: &SsoSettingsRef) -> GqlResult<idn::SettingsRef> {
    match (r.kind, r.version) {
        (SsoSettingsKind::Version, Some(v)) => Ok(idn::SettingsRef::Version(v)),
        (SsoSettingsKind::Version, None) => {
            Err(idn::Error::invalid(format!("{field}.version"), "is required with kind VERSION")).gql()
        }
        (SsoSettingsKind::Published, _) => Ok(idn::SettingsRef::Published),
        (SsoSettingsKind::Draft, _) => Ok(idn::SettingsRef::Draft),
    }
}

/// The operator's publishing rule for a tenant.
#[derive(SimpleObject)]
pub(crate) struct SsoPublishPolicy {
    /// A draft is published only after a successful Test SSO (set by platform operators).
    pub require_tested_draft: bool,
}

#[derive(Default)]
pub(crate) struct DraftQuery;

#[Object]
impl DraftQuery {
    /// The draft of the SSO settings; null when there is none. Tenant admins only.
    async fn sso_draft(&self, ctx: &Context<'_>) -> GqlResult<Option<SsoDraft>> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        Ok(identity(ctx).sso_draft(&scope).await.gql()?.map(SsoDraft))
    }

    /// The published versions of the SSO settings, newest first (the last 50 are kept).
    #[graphql(complexity = "idn::MAX_VERSIONS as usize * child_complexity + 1")]
    async fn sso_settings_history(&self, ctx: &Context<'_>) -> GqlResult<Vec<SsoSettingsVersion>> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        Ok(identity(ctx).sso_versions(&scope).await.gql()?.into_iter().map(SsoSettingsVersion).collect())
    }

    /// What differs from `from` to `to`: two versions, a version and the draft, …
    async fn sso_settings_diff(
        &self,
        ctx: &Context<'_>,
        from: SsoSettingsRef,
        to: SsoSettingsRef,
    ) -> GqlResult<Vec<SsoSettingChange>> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        let (from, to) = (settings_ref("from", &from)?, settings_ref("to", &to)?);
        let d = identity(ctx).sso_settings_diff(&scope, from, to).await.gql()?;
        Ok(d.into_iter().map(Into::into).collect())
    }

    /// Whether the operator requires a successful Test SSO before a draft is published.
    async fn sso_publish_policy(&self, ctx: &Context<'_>) -> GqlResult<SsoPublishPolicy> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        let require_tested_draft = identity(ctx).sso_requires_tested_draft(&scope).await.gql()?;
        Ok(SsoPublishPolicy { require_tested_draft })
    }
}

#[derive(Default)]
pub(crate) struct DraftMutation;

#[Object]
impl DraftMutation {
    /// Publishes the draft: its settings and certificates serve sign-ins from the next one
    /// on, on every replica. A draft that was not tested, or whose last test failed, needs
    /// `confirmUntested: true` (else VALIDATION on `confirmUntested`, saying which); when the
    /// operator requires tested drafts it is FORBIDDEN. `expectedRevision`: CONFLICT if the
    /// draft changed since.
    async fn publish_sso_draft(
        &self,
        ctx: &Context<'_>,
        expected_revision: Option<i32>,
        #[graphql(default = false)] confirm_untested: bool,
    ) -> GqlResult<SsoConnection> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        identity(ctx).publish_sso_draft(&scope, expected_revision, confirm_untested).await.gql().map(SsoConnection)
    }

    /// Throws the draft away; the published settings stay.
    async fn discard_sso_draft(&self, ctx: &Context<'_>, expected_revision: Option<i32>) -> GqlResult<bool> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        identity(ctx).discard_sso_draft(&scope, expected_revision).await.gql().map(|()| true)
    }

    /// Publishes an older version again as a new version (its certificates included).
    /// `expectedVersion`: the published version you looked at (CONFLICT if it moved on).
    async fn rollback_sso_settings(
        &self,
        ctx: &Context<'_>,
        version: i32,
        expected_version: Option<i32>,
    ) -> GqlResult<SsoConnection> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        identity(ctx).rollback_sso_settings(&scope, version, expected_version).await.gql().map(SsoConnection)
    }

    /// Requires (or stops requiring) a successful Test SSO before the tenant `slug` publishes
    /// an SSO draft (platform operators only).
    async fn set_tenant_sso_publish_policy(
        &self,
        ctx: &Context<'_>,
        slug: String,
        require_tested_draft: bool,
    ) -> GqlResult<SsoPublishPolicy> {
        let scope = operator_scope(ctx)?;
        let require_tested_draft =
            identity(ctx).set_sso_publish_policy(&scope, &slug, require_tested_draft).await.gql()?;
        Ok(SsoPublishPolicy { require_tested_draft })
    }
}
