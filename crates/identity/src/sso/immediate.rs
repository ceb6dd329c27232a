//! Deliberate immediate changes to the published SSO settings (issue 13 with issue 12):
//! promoting a staged certificate, the metadata URL and what its fetches apply (including
//! automatic promotion), and the rule that refuses expired certificates. They are the
//! rollover safety mechanism — waiting for a draft to be tested would let the outage happen —
//! so they change the live settings at once, but never silently: each is published as a new
//! version in the history, with its actor (the admin, or the system for a scheduled
//! refresh), so history, diff and rollback stay truthful. A draft started earlier gets the
//! same change carried into it, so publishing that draft later does not undo it.
//!
//! Callers change the live rows and count the version up in their transaction, then call
//! [`Identity::publish_immediate`] before committing.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};

use super::draft::find_draft;
use super::history::PublishAction;
use super::snapshot::SsoSnapshot;
use crate::Identity;
use crate::auth::principal::TenantScope;
use crate::error::{Error, Result};
use crate::model::*;
use crate::store::entities::sso_draft;

impl Identity {
    /// Keeps the live settings as changed in `txn` (from `before`) as a new published
    /// version, and carries the change into the draft if there is one. Answers with the
    /// published connection.
    pub(crate) async fn publish_immediate(
        &self,
        txn: &DatabaseTransaction,
        scope: &TenantScope,
        before: &SsoConnection,
        action: PublishAction,
        now: DateTime<Utc>,
    ) -> Result<SsoConnection> {
        let after = self.load_connection(txn, scope.tenant_id()).await?;
        if after.version == before.version {
            return Err(Error::internal("an immediate SSO change did not count the version up"));
        }
        self.record_version(txn, scope, before, &after, action, None, now).await?;
        if let Some(d) = find_draft(txn, scope).await? {
            let mut draft = SsoSnapshot::from_json(&d.snapshot)?;
            let carried = carry(&SsoSnapshot::of(before), &SsoSnapshot::of(&after), &mut draft)?;
            if carried {
                sso_draft::Entity::update_many()
                    .col_expr(sso_draft::Column::Snapshot, Expr::value(draft.to_json()?))
                    .filter(sso_draft::Column::TenantId.eq(scope.tenant_id().as_uuid()))
                    .filter(sso_draft::Column::Revision.eq(d.revision))
                    .exec(txn)
                    .await?;
            }
        }
        Ok(after)
    }
}

/// Applies to `draft` what changed from `before` to `after`: each setting that changed takes
/// its new value, certificates that appeared are added and those that went are removed (by
/// fingerprint). Settings the change did not touch keep the draft's edits. Whether the draft
/// changed.
pub(crate) fn carry(before: &SsoSnapshot, after: &SsoSnapshot, draft: &mut SsoSnapshot) -> Result<bool> {
    let as_map = |s: &SsoSnapshot| match serde_json::to_value(s) {
        Ok(serde_json::Value::Object(m)) => Ok(m),
        _ => Err(Error::internal("SSO settings do not serialize to an object")),
    };
    let (b, a, mut d) = (as_map(before)?, as_map(after)?, as_map(draft)?);
    for (key, new) in &a {
        if key != "certificates" && b.get(key) != Some(new) {
            d.insert(key.clone(), new.clone());
        }
    }
    let mut merged: SsoSnapshot = serde_json::from_value(serde_json::Value::Object(d))
        .map_err(|e| Error::internal(format!("merging SSO settings: {e}")))?;
    let has = |list: &[super::snapshot::SnapshotCertificate], fp: &str| list.iter().any(|c| c.fingerprint_sha256 == fp);
    merged.certificates.retain(|c| {
        // Keep it unless the change took it away.
        !has(&before.certificates, &c.fingerprint_sha256) || has(&after.certificates, &c.fingerprint_sha256)
    });
    for c in &after.certificates {
        if !has(&before.certificates, &c.fingerprint_sha256) && !has(&merged.certificates, &c.fingerprint_sha256) {
            merged.certificates.push(c.clone());
        }
    }
    let changed = merged != *draft;
    *draft = merged;
    Ok(changed)
}
