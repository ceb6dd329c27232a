//! Draft → test → publish (issue 13): a tenant's SSO settings have one published version,
//! which is what the live `sso_connections` / `idp_certificates` rows hold and sign-ins read,
//! and at most one draft, a [`SsoSnapshot`] in `sso_drafts`.
//!
//! Saving a draft runs the console's Save ([`Identity::save_sso_settings_on`]) — every rule,
//! every field error — inside a savepoint over the draft as it stands, keeps the result as the
//! new draft and rolls the savepoint back: the live rows never see it. Test SSO runs against
//! the draft (the ACS reads its settings and certificates for that test's request only, see
//! [`Identity::test_subject`]); a draft's certificates never reach the signing cache, so they
//! cannot verify a live sign-in. Publishing writes the snapshot onto the live rows and bumps the
//! connection's version in one transaction, so the next sign-in on any replica sees it.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, TransactionTrait,
    sea_query::OnConflict,
};
use serde_json::json;
use std::sync::Arc;

use super::connection::{SsoSettingsSave, bump_version};
use super::history::PublishAction;
use super::snapshot::{self, SsoSnapshot};
use super::{AcsOutcome, SignInFlow};
use crate::Identity;
use crate::audit::{self, Change};
use crate::auth::principal::{AdminScope, TenantScope};
use crate::error::{Error, FieldError, Result};
use crate::model::*;
use crate::store::entities::{sso_connection, sso_draft, sso_request};
use gatehouse_saml::certificate::IdpCertificate as SamlCertificate;

/// The unpublished draft of a tenant's SSO settings.
#[derive(Clone, Debug)]
pub struct SsoDraft {
    /// Counts every save of the draft; pass it as `expectedVersion` / `expectedRevision`.
    pub revision: i32,
    /// The published version it was started from.
    pub base_version: i32,
    /// The settings and certificates as the draft has them.
    pub settings: SsoConnection,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
    /// The last Test SSO run of this revision (editing the draft clears it).
    pub last_test: Option<DraftTest>,
}

/// A Test SSO run of a draft.
#[derive(Clone, Debug)]
pub struct DraftTest {
    pub success: bool,
    pub at: DateTime<Utc>,
    pub by: String,
    pub detail: String,
}

/// What a save left: the published settings, and the settings as the save made them (the
/// same when it published; the draft's when it went into the draft).
pub(crate) struct SavedEdit {
    pub published: SsoConnection,
    pub edited: SsoConnection,
}

/// Where a Save of the SSO page goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SaveTarget {
    /// Into the draft; sign-ins keep the published settings.
    Draft,
    /// Straight to the published settings ("save and publish").
    Publish,
    /// Publish while SSO is not live (a first-time set-up cannot lock anyone out),
    /// draft once it is.
    Auto,
}

fn draft_stale(current: i32) -> Error {
    Error::Conflict {
        field: Some("version".into()),
        message: format!(
            "the SSO settings were changed by someone else (now revision {current}); reload and apply your changes again"
        ),
    }
}

/// Why a publish needs the admin's explicit confirmation, in words; `None` when tested.
fn untested_fact(d: &sso_draft::Model) -> Option<String> {
    match (d.last_test_ok, d.last_test_at, &d.last_test_by) {
        (Some(true), _, _) => None,
        (Some(false), Some(at), by) => Some(format!(
            "the last Test SSO of this draft failed ({} by {}): {}",
            at.format("%Y-%m-%d %H:%M UTC"),
            by.as_deref().unwrap_or("an admin"),
            d.last_test_detail.as_deref().unwrap_or("no details")
        )),
        _ => Some("this draft has not been tested with Test SSO".into()),
    }
}

impl Identity {
    /// The tenant's draft, if there is one.
    pub async fn sso_draft(&self, scope: &AdminScope) -> Result<Option<SsoDraft>> {
        let Some(d) = find_draft(&self.db, scope).await? else { return Ok(None) };
        Ok(Some(to_draft(&d)?))
    }

    /// The console's Save with drafts: the same checks as [`Identity::save_sso_settings`], then
    /// either into the draft or published ([`SaveTarget`]). `expectedVersion` names the draft's
    /// revision while there is a draft, else the published version. Publishing straight away
    /// while SSO is live is an untested publish: it needs `confirm_untested`, and is refused when
    /// the operator requires tested drafts. Answers with the published connection.
    #[tracing::instrument(skip(self, scope, save), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn save_sso_settings_to(
        &self,
        scope: &AdminScope,
        save: SsoSettingsSave,
        target: SaveTarget,
        confirm_untested: bool,
    ) -> Result<SsoConnection> {
        Ok(self.save_edit(scope, save, target, confirm_untested).await?.published)
    }

    /// [`Identity::save_sso_settings_to`], answering also with the settings as edited (the
    /// draft's when the save went into the draft; its new certificates carry their IDs).
    pub(crate) async fn save_edit(
        &self,
        scope: &AdminScope,
        mut save: SsoSettingsSave,
        target: SaveTarget,
        confirm_untested: bool,
    ) -> Result<SavedEdit> {
        let now = self.now();
        let txn = self.begin_write().await?;
        let live = self.load_connection(&txn, scope.tenant_id()).await?;
        let draft = find_draft(&txn, scope).await?;
        let current = draft.as_ref().map_or(live.version, |d| d.revision);
        if let Some(expected) = save.settings.expected_version.take()
            && expected != current
        {
            return Err(draft_stale(current));
        }
        let publish = match target {
            SaveTarget::Draft => false,
            SaveTarget::Publish => true,
            SaveTarget::Auto => !live.enabled,
        };
        if publish && live.enabled {
            if self.requires_tested_draft(&txn, scope).await? {
                return Err(Error::Forbidden(
                    "your operator requires a successful Test SSO before SSO changes are published: save a draft, test it, then publish".into(),
                ));
            }
            if !confirm_untested {
                return Err(Error::invalid(
                    "confirmUntested",
                    "SSO is live and these changes have not been tested: save them as a draft and run Test SSO, or confirm publishing them untested",
                ));
            }
        }
        // A savepoint inside the write transaction `begin_write` opened, not a transaction of its own.
        #[allow(clippy::disallowed_methods)]
        let sp = txn.begin().await?;
        if let Some(d) = &draft {
            let snap = SsoSnapshot::from_json(&d.snapshot)?;
            snapshot::apply(&sp, scope, &live, &snap, live.version, now).await?;
        }
        let edited = self.save_sso_settings_on(&sp, scope, save).await?;
        if publish {
            // The Save itself counted the version up (every replica's signing cache misses).
            sp.commit().await?;
            let after = self.load_connection(&txn, scope.tenant_id()).await?;
            self.record_version(&txn, scope, &live, &after, PublishAction::Save, None, now).await?;
            if let Some(d) = &draft {
                delete_draft(&txn, scope, d.revision).await?;
            }
            txn.commit().await?;
            return Ok(SavedEdit { published: after.clone(), edited: after });
        }
        let snap = SsoSnapshot::of(&edited);
        sp.rollback().await?;
        let before = match &draft {
            Some(d) => SsoSnapshot::from_json(&d.snapshot)?,
            None => SsoSnapshot::of(&live),
        };
        if snap == SsoSnapshot::of(&live) {
            // Back to what is published: no draft is left to publish.
            if let Some(d) = &draft {
                delete_draft(&txn, scope, d.revision).await?;
                audit_draft(&txn, scope, "sso_draft.discard", &before, None, now).await?;
            }
            txn.commit().await?;
            return Ok(SavedEdit { published: live, edited });
        }
        if snap != before {
            let row = sso_draft::ActiveModel {
                tenant_id: Set(scope.tenant_id().as_uuid()),
                connection_id: Set(live.id.as_uuid()),
                revision: Set(draft.as_ref().map_or(live.version + 1, |d| d.revision + 1)),
                base_version: Set(draft.as_ref().map_or(live.version, |d| d.base_version)),
                snapshot: Set(snap.to_json()?),
                updated_by: Set(scope.actor().label.clone()),
                updated_at: Set(now),
                test_request_id: Set(None),
                test_started_by: Set(None),
                last_test_ok: Set(None),
                last_test_at: Set(None),
                last_test_by: Set(None),
                last_test_detail: Set(None),
            };
            let guarded = draft.as_ref().map(|d| d.revision);
            upsert_draft(&txn, row, guarded).await?;
            audit_draft(&txn, scope, "sso_draft.save", &before, Some(&snap), now).await?;
        }
        txn.commit().await?;
        Ok(SavedEdit { published: live, edited })
    }

    /// Publishes the draft: its settings and certificates become the live ones in one
    /// transaction, the version counts up (every replica's next sign-in sees it), the published
    /// version is kept in the history and the draft is gone. An untested draft, or one whose
    /// last test failed, needs `confirm_untested`; with the operator's "require a tested
    /// draft" it needs a successful test.
    #[tracing::instrument(skip(self, scope), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn publish_sso_draft(
        &self,
        scope: &AdminScope,
        expected_revision: Option<i32>,
        confirm_untested: bool,
    ) -> Result<SsoConnection> {
        let now = self.now();
        let txn = self.begin_write().await?;
        let draft = find_draft(&txn, scope).await?.ok_or(Error::NotFound { what: "SSO draft" })?;
        if let Some(expected) = expected_revision
            && expected != draft.revision
        {
            return Err(draft_stale(draft.revision));
        }
        if let Some(fact) = untested_fact(&draft) {
            if self.requires_tested_draft(&txn, scope).await? {
                return Err(Error::Forbidden(format!(
                    "your operator requires a successful Test SSO before publishing, and {fact}"
                )));
            }
            if !confirm_untested {
                return Err(Error::invalid("confirmUntested", format!("{fact}; confirm to publish it anyway")));
            }
        }
        let snap = SsoSnapshot::from_json(&draft.snapshot)?;
        let live = self.load_connection(&txn, scope.tenant_id()).await?;
        check_publishable(&snap, now)?;
        snapshot::apply(&txn, scope, &live, &snap, live.version.max(draft.revision), now).await?;
        let applied = self.load_connection(&txn, scope.tenant_id()).await?;
        bump_version(&txn, scope, &applied).await?;
        let after = self.load_connection(&txn, scope.tenant_id()).await?;
        self.record_version(&txn, scope, &live, &after, PublishAction::Publish, None, now).await?;
        delete_draft(&txn, scope, draft.revision).await?;
        txn.commit().await?;
        Ok(after)
    }

    /// Throws the draft away (the published settings stay as they are).
    #[tracing::instrument(skip(self, scope), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn discard_sso_draft(&self, scope: &AdminScope, expected_revision: Option<i32>) -> Result<()> {
        let now = self.now();
        let txn = self.begin_write().await?;
        let draft = find_draft(&txn, scope).await?.ok_or(Error::NotFound { what: "SSO draft" })?;
        if let Some(expected) = expected_revision
            && expected != draft.revision
        {
            return Err(draft_stale(draft.revision));
        }
        delete_draft(&txn, scope, draft.revision).await?;
        let before = SsoSnapshot::from_json(&draft.snapshot)?;
        audit_draft(&txn, scope, "sso_draft.discard", &before, None, now).await?;
        txn.commit().await?;
        Ok(())
    }

    /// What a Test SSO run started now tests: the draft if there is one (its revision is
    /// remembered with the one-time link), else the published settings.
    pub(crate) async fn settings_under_test(&self, scope: &AdminScope) -> Result<(SsoConnection, Option<i32>)> {
        let live = self.load_connection(&self.db, scope.tenant_id()).await?;
        match find_draft(&self.db, scope).await? {
            Some(d) => {
                let settings = SsoSnapshot::from_json(&d.snapshot)?.to_connection(live.id, d.revision, d.updated_at)?;
                Ok((settings, Some(d.revision)))
            }
            None => Ok((live, None)),
        }
    }

    /// Ties a Test SSO link (or, once started, its AuthnRequest) to the draft revision it tests.
    pub(crate) async fn note_draft_test(
        &self,
        tenant_id: crate::ids::TenantId,
        revision: i32,
        request_id: &str,
        started_by: Option<&str>,
    ) -> Result<()> {
        let mut update = sso_draft::Entity::update_many()
            .col_expr(sso_draft::Column::TestRequestId, Expr::value(request_id))
            .filter(sso_draft::Column::TenantId.eq(tenant_id.as_uuid()))
            .filter(sso_draft::Column::Revision.eq(revision));
        if let Some(by) = started_by {
            update = update.col_expr(sso_draft::Column::TestStartedBy, Expr::value(by));
        }
        update.exec(&self.db).await?;
        Ok(())
    }

    /// Moves a draft's test from its one-time link to the AuthnRequest the link started.
    pub(crate) async fn retie_draft_test(
        &self,
        tenant_id: crate::ids::TenantId,
        link_id: &str,
        request_id: &str,
    ) -> Result<()> {
        sso_draft::Entity::update_many()
            .col_expr(sso_draft::Column::TestRequestId, Expr::value(request_id))
            .filter(sso_draft::Column::TenantId.eq(tenant_id.as_uuid()))
            .filter(sso_draft::Column::TestRequestId.eq(link_id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// The draft a Test SSO link was made for, if it is still the draft's current revision.
    pub(crate) async fn draft_for_test_request(
        &self,
        tenant_id: crate::ids::TenantId,
        request_id: &str,
    ) -> Result<Option<(sso_connection::Model, SsoSnapshot)>> {
        let Some(d) = sso_draft::Entity::find()
            .filter(sso_draft::Column::TenantId.eq(tenant_id.as_uuid()))
            .filter(sso_draft::Column::TestRequestId.eq(request_id))
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let Some(row) = sso_connection::Entity::find_by_id(d.connection_id)
            .filter(sso_connection::Column::TenantId.eq(tenant_id.as_uuid()))
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        Ok(Some((row, SsoSnapshot::from_json(&d.snapshot)?)))
    }

    /// For the ACS: the settings and certificates a test run's Response is checked against.
    /// A live sign-in (any flow but `Test`) gets its row back untouched and no certificates,
    /// without a statement: a draft can never verify one. A test of a draft gets the draft's
    /// settings over the live row and the draft's certificates, parsed here, never cached.
    pub(crate) async fn test_subject(
        &self,
        conn: sso_connection::Model,
        request: &sso_request::Model,
        flow: SignInFlow,
    ) -> Result<(sso_connection::Model, Option<Arc<[SamlCertificate]>>)> {
        if flow != SignInFlow::Test {
            return Ok((conn, None));
        }
        let found = sso_draft::Entity::find()
            .filter(sso_draft::Column::TenantId.eq(request.tenant_id))
            .filter(sso_draft::Column::TestRequestId.eq(request.id.as_str()))
            .one(&self.db)
            .await?;
        let Some(d) = found else { return Ok((conn, None)) };
        let snap = SsoSnapshot::from_json(&d.snapshot)?;
        let stored = snap.to_connection(conn.id.into(), d.revision, d.updated_at)?;
        let certs: Arc<[SamlCertificate]> = super::to_saml_certs(&stored.certificates).into();
        Ok((snap.over_row(&conn), Some(certs)))
    }

    /// After the ACS: a test run's outcome is remembered on the draft it tested (success,
    /// when, who started it) and its report says it tested the draft. Live sign-ins pass
    /// through without a statement.
    pub(crate) async fn remember_draft_test(
        &self,
        request_id: Option<&str>,
        outcome: super::SsoResult<AcsOutcome>,
    ) -> super::SsoResult<AcsOutcome> {
        let Some(id) = request_id else { return outcome };
        let mut report = match outcome {
            Ok(AcsOutcome::Test(report)) => report,
            other => return other,
        };
        let Some(d) = sso_draft::Entity::find().filter(sso_draft::Column::TestRequestId.eq(id)).one(&self.db).await?
        else {
            return Ok(AcsOutcome::Test(report));
        };
        let now = self.now();
        let by = d.test_started_by.clone().unwrap_or_else(|| "an admin".into());
        sso_draft::Entity::update_many()
            .col_expr(sso_draft::Column::LastTestOk, Expr::value(report.success))
            .col_expr(sso_draft::Column::LastTestAt, Expr::value(now))
            .col_expr(sso_draft::Column::LastTestBy, Expr::value(by))
            .col_expr(sso_draft::Column::LastTestDetail, Expr::value(report.detail.clone()))
            .col_expr(sso_draft::Column::TestRequestId, Expr::value(Option::<String>::None))
            .filter(sso_draft::Column::TenantId.eq(d.tenant_id))
            .filter(sso_draft::Column::Revision.eq(d.revision))
            .exec(&self.db)
            .await?;
        report.detail = format!("Tested the draft (revision {}): {}", d.revision, report.detail);
        Ok(AcsOutcome::Test(report))
    }
}

/// SSO can be published enabled only with a certificate valid now (one may have expired
/// since the draft was saved or the version was published).
pub(crate) fn check_publishable(snap: &SsoSnapshot, now: DateTime<Utc>) -> Result<()> {
    // A promotion carried into a draft (`immediate.rs`) can add a certificate the draft's own
    // edits never checked against the limit: publishing checks it again.
    if snap.certificates.len() > super::MAX_CERTIFICATES {
        return Err(Error::invalid(
            "certificates",
            format!(
                "at most {} certificates can be kept, and this draft has {}; remove an old one from the draft first",
                super::MAX_CERTIFICATES,
                snap.certificates.len()
            ),
        ));
    }
    if snap.enabled && !snap.has_valid_certificate_at(now) {
        return Err(Error::Validation(vec![FieldError::new(
            "certificates",
            "SSO cannot be enabled without an IdP signing certificate that is valid now; upload the IdP's current certificate",
        )]));
    }
    Ok(())
}

pub(crate) async fn find_draft(
    db: &impl sea_orm::ConnectionTrait,
    scope: &TenantScope,
) -> Result<Option<sso_draft::Model>> {
    Ok(sso_draft::Entity::find_by_id(scope.tenant_id().as_uuid()).one(db).await?)
}

fn to_draft(d: &sso_draft::Model) -> Result<SsoDraft> {
    let snap = SsoSnapshot::from_json(&d.snapshot)?;
    Ok(SsoDraft {
        revision: d.revision,
        base_version: d.base_version,
        settings: snap.to_connection(d.connection_id.into(), d.revision, d.updated_at)?,
        updated_by: d.updated_by.clone(),
        updated_at: d.updated_at,
        last_test: match (d.last_test_ok, d.last_test_at) {
            (Some(success), Some(at)) => Some(DraftTest {
                success,
                at,
                by: d.last_test_by.clone().unwrap_or_default(),
                detail: d.last_test_detail.clone().unwrap_or_default(),
            }),
            _ => None,
        },
    })
}

/// Inserts the first draft, or replaces revision `guarded` (a concurrent save that got there
/// first makes this a conflict, on both backends).
async fn upsert_draft(txn: &DatabaseTransaction, row: sso_draft::ActiveModel, guarded: Option<i32>) -> Result<()> {
    match guarded {
        None => {
            let inserted = sso_draft::Entity::insert(row)
                .on_conflict(OnConflict::column(sso_draft::Column::TenantId).do_nothing().to_owned())
                .exec_without_returning(txn)
                .await?;
            if inserted != 1 {
                return Err(Error::Conflict {
                    field: Some("version".into()),
                    message: "someone else started a draft of the SSO settings meanwhile; reload and apply your changes again"
                        .into(),
                });
            }
        }
        Some(revision) => {
            let tenant = row.tenant_id.clone().unwrap();
            let r = sso_draft::Entity::update_many()
                .set(row)
                .filter(sso_draft::Column::TenantId.eq(tenant))
                .filter(sso_draft::Column::Revision.eq(revision))
                .exec(txn)
                .await?;
            if r.rows_affected != 1 {
                return Err(draft_stale(revision));
            }
        }
    }
    Ok(())
}

pub(crate) async fn delete_draft(txn: &DatabaseTransaction, scope: &TenantScope, revision: i32) -> Result<()> {
    let r = sso_draft::Entity::delete_many()
        .filter(sso_draft::Column::TenantId.eq(scope.tenant_id().as_uuid()))
        .filter(sso_draft::Column::Revision.eq(revision))
        .exec(txn)
        .await?;
    if r.rows_affected != 1 {
        return Err(draft_stale(revision));
    }
    Ok(())
}

/// The settings of a snapshot for the audit log: certificates by subject and fingerprint, no PEM.
pub(crate) fn audit_view(s: &SsoSnapshot) -> serde_json::Value {
    let mut v = serde_json::to_value(s).unwrap_or(serde_json::Value::Null);
    if let Some(m) = v.as_object_mut() {
        m.insert(
            "certificates".into(),
            json!(
                s.certificates
                    .iter()
                    .map(|c| json!({"subject": c.subject, "fingerprintSha256": c.fingerprint_sha256, "notAfter": c.not_after}))
                    .collect::<Vec<_>>()
            ),
        );
    }
    v
}

async fn audit_draft(
    txn: &DatabaseTransaction,
    scope: &TenantScope,
    action: &'static str,
    before: &SsoSnapshot,
    after: Option<&SsoSnapshot>,
    now: DateTime<Utc>,
) -> Result<()> {
    let change = Change::in_scope(
        scope,
        action,
        "sso_draft",
        scope.tenant_id(),
        Some(audit_view(before)),
        after.map(audit_view),
    );
    audit::record(txn, now, change).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sso::snapshot::SnapshotCertificate;

    fn certificate(n: u8, now: DateTime<Utc>) -> SnapshotCertificate {
        SnapshotCertificate {
            id: uuid::Uuid::from_u128(u128::from(n)),
            pem: String::new(),
            fingerprint_sha256: format!("{n:02X}"),
            subject: format!("CN=idp {n}"),
            issuer: "CN=idp".into(),
            not_before: now - chrono::Duration::days(1),
            not_after: now + chrono::Duration::days(30),
            created_at: now,
        }
    }

    #[test]
    fn a_draft_over_the_certificate_limit_is_not_published() {
        let now = Utc::now();
        let at_limit = SsoSnapshot {
            enabled: true,
            certificates: (0..5).map(|n| certificate(n, now)).collect(),
            ..SsoSnapshot::default()
        };
        assert!(check_publishable(&at_limit, now).is_ok());
        let over = SsoSnapshot { certificates: (0..6).map(|n| certificate(n, now)).collect(), ..at_limit };
        match check_publishable(&over, now) {
            Err(Error::Validation(fields)) => {
                assert_eq!(fields[0].field, "certificates");
                assert!(fields[0].message.contains("this draft has 6"), "{}", fields[0].message);
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
    }
}
