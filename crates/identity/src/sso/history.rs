//! The history of a tenant's published SSO settings (issue 13): every published version with
//! who published it and when (the last [`MAX_VERSIONS`] are kept), the difference between
//! any two, rollback (an old version published again as a new one, certificates included),
//! and the operator's per-tenant rule that drafts must pass Test SSO before publishing.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::OnConflict,
};
use serde_json::json;

use super::connection::bump_version;
use super::draft::{audit_view, check_publishable};
use super::snapshot::{self, SettingChange, SsoSnapshot};
use crate::Identity;
use crate::audit::{self, Change};
use crate::auth::principal::{AdminScope, OperatorScope, TenantScope};
use crate::error::{Error, Result};
use crate::model::*;
use crate::store::entities::{sso_publish_policy, sso_version};

/// Published versions kept per tenant; older ones are deleted as new ones are published.
pub const MAX_VERSIONS: u64 = 50;

/// How a version came to be published.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PublishAction {
    /// A tested (or confirmed) draft was published.
    Publish,
    /// An older version was published again.
    Rollback,
    /// Saved and published in one step (first-time set-up, or confirmed untested).
    Save,
    /// What was live before the first recorded publish, captured when the next version is
    /// published.
    Baseline,
    /// A staged IdP certificate was promoted to trusted (at once: see `sso::immediate`).
    PromoteCertificate,
    /// The metadata URL was set, or its metadata applied (new URLs, certificates trusted
    /// by automatic promotion), at once.
    Metadata,
    /// The rule refusing sign-ins verified by an expired certificate was switched, at once.
    RefuseExpired,
}

impl PublishAction {
    pub fn as_str(&self) -> &'static str {
        match self {
            PublishAction::Publish => "publish",
            PublishAction::Rollback => "rollback",
            PublishAction::Save => "save",
            PublishAction::Baseline => "baseline",
            PublishAction::PromoteCertificate => "promote_certificate",
            PublishAction::Metadata => "metadata",
            PublishAction::RefuseExpired => "refuse_expired",
        }
    }

    fn parse_stored(s: &str) -> Result<Self> {
        match s {
            "publish" => Ok(PublishAction::Publish),
            "rollback" => Ok(PublishAction::Rollback),
            "save" => Ok(PublishAction::Save),
            "baseline" => Ok(PublishAction::Baseline),
            "promote_certificate" => Ok(PublishAction::PromoteCertificate),
            "metadata" => Ok(PublishAction::Metadata),
            "refuse_expired" => Ok(PublishAction::RefuseExpired),
            other => Err(Error::internal(format!("unknown publish action {other:?} in the database"))),
        }
    }

    fn audit_action(&self) -> &'static str {
        match self {
            PublishAction::Publish => "sso_settings.publish",
            PublishAction::Rollback => "sso_settings.rollback",
            PublishAction::Save => "sso_settings.save_and_publish",
            PublishAction::Baseline => "sso_settings.baseline",
            PublishAction::PromoteCertificate => "sso_settings.promote_certificate",
            PublishAction::Metadata => "sso_settings.metadata",
            PublishAction::RefuseExpired => "sso_settings.refuse_expired",
        }
    }
}

/// One published version of the SSO settings.
#[derive(Clone, Debug)]
pub struct SsoVersion {
    pub version: i32,
    pub action: PublishAction,
    pub published_by: String,
    pub published_at: DateTime<Utc>,
    /// For a rollback: the version it published again.
    pub restored_from: Option<i32>,
    pub settings: SsoConnection,
}

/// Which settings a diff compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SettingsRef {
    /// A version from the history.
    Version(i32),
    /// What is live now.
    Published,
    /// The draft.
    Draft,
}

fn to_version(m: &sso_version::Model, connection: crate::ids::ConnectionId) -> Result<SsoVersion> {
    let snap = SsoSnapshot::from_json(&m.snapshot)?;
    Ok(SsoVersion {
        version: m.version,
        action: PublishAction::parse_stored(&m.action)?,
        published_by: m.published_by.clone(),
        published_at: m.published_at,
        restored_from: m.restored_from,
        settings: snap.to_connection(connection, m.version, m.published_at)?,
    })
}

/// Never configured: nothing worth a baseline entry.
fn blank(c: &SsoConnection) -> bool {
    c.login_url.is_none() && c.issuer.is_none() && c.certificates.is_empty() && !c.enabled
}

impl Identity {
    /// The published versions, newest first (at most [`MAX_VERSIONS`]).
    pub async fn sso_versions(&self, scope: &AdminScope) -> Result<Vec<SsoVersion>> {
        let live = self.load_connection(&self.db, scope.tenant_id()).await?;
        let rows = sso_version::Entity::find()
            .filter(sso_version::Column::TenantId.eq(scope.tenant_id().as_uuid()))
            .order_by_desc(sso_version::Column::Version)
            .limit(MAX_VERSIONS)
            .all(&self.db)
            .await?;
        rows.iter().map(|m| to_version(m, live.id)).collect()
    }

    /// What differs from `from` to `to`, setting by setting.
    pub async fn sso_settings_diff(
        &self,
        scope: &AdminScope,
        from: SettingsRef,
        to: SettingsRef,
    ) -> Result<Vec<SettingChange>> {
        let a = self.settings_of(scope, from).await?;
        let b = self.settings_of(scope, to).await?;
        Ok(a.diff(&b))
    }

    async fn settings_of(&self, scope: &AdminScope, r: SettingsRef) -> Result<SsoSnapshot> {
        match r {
            SettingsRef::Published => Ok(SsoSnapshot::of(&self.load_connection(&self.db, scope.tenant_id()).await?)),
            SettingsRef::Draft => {
                let d = self.sso_draft(scope).await?.ok_or(Error::NotFound { what: "SSO draft" })?;
                Ok(SsoSnapshot::of(&d.settings))
            }
            SettingsRef::Version(v) => {
                let m = find_version(&self.db, scope, v).await?;
                SsoSnapshot::from_json(&m.snapshot)
            }
        }
    }

    /// Publishes an older version again, as a new version (its certificates included). A
    /// draft, if any, stays. `expected_version`: the published version the admin looked at.
    #[tracing::instrument(skip(self, scope), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn rollback_sso_settings(
        &self,
        scope: &AdminScope,
        version: i32,
        expected_version: Option<i32>,
    ) -> Result<SsoConnection> {
        let now = self.now();
        let txn = self.begin_write().await?;
        let live = self.load_connection(&txn, scope.tenant_id()).await?;
        if let Some(expected) = expected_version
            && expected != live.version
        {
            return Err(Error::Conflict {
                field: Some("version".into()),
                message: format!(
                    "the SSO settings were changed by someone else (now version {}); reload and try again",
                    live.version
                ),
            });
        }
        let old = find_version(&txn, scope, version).await?;
        let snap = SsoSnapshot::from_json(&old.snapshot)?;
        check_publishable(&snap, now)?;
        snapshot::apply(&txn, scope, &live, &snap, live.version, now).await?;
        let applied = self.load_connection(&txn, scope.tenant_id()).await?;
        bump_version(&txn, scope, &applied).await?;
        let after = self.load_connection(&txn, scope.tenant_id()).await?;
        self.record_version(&txn, scope, &live, &after, PublishAction::Rollback, Some(version), now).await?;
        txn.commit().await?;
        Ok(after)
    }

    /// Keeps `after` (just published) in the history, with its audit entry; `before` (what was
    /// live) is kept first as a baseline when the history does not have it yet. Versions past
    /// [`MAX_VERSIONS`] are deleted.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn record_version(
        &self,
        txn: &DatabaseTransaction,
        scope: &TenantScope,
        before: &SsoConnection,
        after: &SsoConnection,
        action: PublishAction,
        restored_from: Option<i32>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let tenant = scope.tenant_id().as_uuid();
        let known = sso_version::Entity::find()
            .filter(sso_version::Column::TenantId.eq(tenant))
            .filter(sso_version::Column::Version.eq(before.version))
            .one(txn)
            .await?
            .is_some();
        if !known && !blank(before) {
            insert_version(
                txn,
                scope,
                before,
                PublishAction::Baseline,
                "(before the history)",
                None,
                before.updated_at,
            )
            .await?;
        }
        insert_version(txn, scope, after, action, &scope.actor().label, restored_from, now).await?;
        let (b, a) = (SsoSnapshot::of(before), SsoSnapshot::of(after));
        let mut after_view = audit_view(&a);
        if let Some(m) = after_view.as_object_mut() {
            m.insert("version".into(), json!(after.version));
            if let Some(v) = restored_from {
                m.insert("restoredFrom".into(), json!(v));
            }
        }
        audit::record(
            txn,
            now,
            Change::in_scope(
                scope,
                action.audit_action(),
                "sso_connection",
                after.id,
                Some(audit_view(&b)),
                Some(after_view),
            ),
        )
        .await?;
        let cutoff = sso_version::Entity::find()
            .filter(sso_version::Column::TenantId.eq(tenant))
            .order_by_desc(sso_version::Column::Version)
            .offset(MAX_VERSIONS)
            .one(txn)
            .await?;
        if let Some(c) = cutoff {
            sso_version::Entity::delete_many()
                .filter(sso_version::Column::TenantId.eq(tenant))
                .filter(sso_version::Column::Version.lte(c.version))
                .exec(txn)
                .await?;
        }
        Ok(())
    }

    /// Whether the operator requires a successful Test SSO before a draft is published.
    pub(crate) async fn requires_tested_draft(
        &self,
        db: &impl sea_orm::ConnectionTrait,
        scope: &TenantScope,
    ) -> Result<bool> {
        Ok(sso_publish_policy::Entity::find_by_id(scope.tenant_id().as_uuid())
            .one(db)
            .await?
            .is_some_and(|p| p.require_tested_draft))
    }

    /// The tenant's publishing rule, as its admins see it.
    pub async fn sso_requires_tested_draft(&self, scope: &AdminScope) -> Result<bool> {
        self.requires_tested_draft(&self.db, scope).await
    }

    /// Operators only: require (or stop requiring) a successful Test SSO before a tenant's
    /// SSO draft is published.
    #[tracing::instrument(skip(self, scope), err)]
    pub async fn set_sso_publish_policy(
        &self,
        scope: &OperatorScope,
        slug: &str,
        require_tested: bool,
    ) -> Result<bool> {
        let tenant = self.tenant_by_slug(scope, slug).await?;
        let now = self.now();
        let txn = self.begin_write().await?;
        let before = sso_publish_policy::Entity::find_by_id(tenant.id.as_uuid())
            .one(&txn)
            .await?
            .is_some_and(|p| p.require_tested_draft);
        sso_publish_policy::Entity::insert(sso_publish_policy::ActiveModel {
            tenant_id: Set(tenant.id.as_uuid()),
            require_tested_draft: Set(require_tested),
            updated_at: Set(now),
        })
        .on_conflict(
            OnConflict::column(sso_publish_policy::Column::TenantId)
                .update_columns([sso_publish_policy::Column::RequireTestedDraft, sso_publish_policy::Column::UpdatedAt])
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        audit::record(
            &txn,
            now,
            Change {
                tenant_id: Some(tenant.id),
                actor: scope.actor(),
                action: "tenant.set_sso_publish_policy",
                target_type: "tenant",
                target_id: Some(tenant.id.to_string()),
                before: Some(json!({"requireTestedDraft": before})),
                after: Some(json!({"requireTestedDraft": require_tested})),
            },
        )
        .await?;
        txn.commit().await?;
        Ok(require_tested)
    }
}

async fn find_version(
    db: &impl sea_orm::ConnectionTrait,
    scope: &TenantScope,
    version: i32,
) -> Result<sso_version::Model> {
    sso_version::Entity::find()
        .filter(sso_version::Column::TenantId.eq(scope.tenant_id().as_uuid()))
        .filter(sso_version::Column::Version.eq(version))
        .one(db)
        .await?
        .ok_or(Error::NotFound { what: "SSO settings version" })
}

async fn insert_version(
    txn: &DatabaseTransaction,
    scope: &TenantScope,
    c: &SsoConnection,
    action: PublishAction,
    by: &str,
    restored_from: Option<i32>,
    at: DateTime<Utc>,
) -> Result<()> {
    sso_version::Entity::insert(sso_version::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        tenant_id: Set(scope.tenant_id().as_uuid()),
        version: Set(c.version),
        snapshot: Set(SsoSnapshot::of(c).to_json()?),
        action: Set(action.as_str().into()),
        published_by: Set(by.into()),
        published_at: Set(at),
        restored_from: Set(restored_from),
    })
    .on_conflict(
        OnConflict::columns([sso_version::Column::TenantId, sso_version::Column::Version]).do_nothing().to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    Ok(())
}
