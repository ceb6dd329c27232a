//! Certificate rollover without an outage: certificates *staged* from new IdP metadata
//! (never used to verify until promoted), what the sign-in log says about each certificate
//! (read at read time from `sign_in_events.certificate_fingerprint`: nothing is written per
//! sign-in), expiry warnings, and the "refuse expired certificates" setting.
//!
//! Two functions are for the ACS, and add no database statement to a successful sign-in:
//! [`Identity::staged_certificate_match`] runs only after a refused signature, and
//! [`expired_certificate_refusal`] reads the connection the ACS already holds.

use chrono::{DateTime, Duration, Utc};
use gatehouse_saml::error::ReasonCode;
use gatehouse_saml::response::{ResponsePolicy, validate_response};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};

use super::connection::{bump_version, store_certificate};
use super::history::PublishAction;
use crate::Identity;
use crate::audit::{self, Change, snapshot};
use crate::auth::principal::{AdminScope, TenantScope};
use crate::error::{Error, Result, on_unique};
use crate::ids::*;
use crate::model::*;
use crate::sign_in_log::Outcome;
use crate::store::entities::{idp_staged_certificate, sign_in_event, sso_connection};

/// The days before a certificate's end at which admins are warned.
pub const EXPIRY_WARNING_STEPS: [i64; 3] = [60, 30, 7];

/// The window of "sign-ins in the last 30 days".
const USAGE_WINDOW: Duration = Duration::days(30);

/// A certificate found in the IdP's metadata but not trusted yet.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct StagedCertificate {
    pub id: CertificateId,
    pub subject: String,
    pub issuer: String,
    pub fingerprint_sha256: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    pub first_seen_at: DateTime<Utc>,
    /// Refused sign-ins this certificate would have verified: the IdP signs with it.
    pub sign_ins_seen: u64,
    pub last_seen_at: Option<DateTime<Utc>>,
}

/// What the sign-in log says about one trusted certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateUsage {
    pub certificate_id: CertificateId,
    /// The last successful sign-in it verified.
    pub last_verified_at: Option<DateTime<Utc>>,
    /// Successful sign-ins it verified in the last 30 days.
    pub sign_ins_last_30_days: u64,
    /// Successful sign-ins it verified after its end (recorded, refused only when the tenant says so).
    pub expired_sign_ins: u64,
}

/// A trusted certificate within 60 days of its end (or past it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateWarning {
    pub certificate_id: CertificateId,
    pub subject: String,
    pub fingerprint_sha256: String,
    pub not_after: DateTime<Utc>,
    /// Whole days left (negative once expired).
    pub days_left: i64,
    /// The step reached: 60, 30 or 7 (days), or 0 once expired.
    pub threshold_days: i64,
    /// Another trusted certificate stays valid after this one ends: SSO goes on.
    pub covered: bool,
}

/// The warnings for a connection's trusted certificates at `now`, soonest first.
pub(crate) fn certificate_warnings_at(conn: &SsoConnection, now: DateTime<Utc>) -> Vec<CertificateWarning> {
    let mut out: Vec<CertificateWarning> = conn
        .certificates
        .iter()
        .filter_map(|c| {
            let days_left = (c.not_after - now).num_days();
            let threshold_days = if c.not_after <= now {
                0
            } else {
                *EXPIRY_WARNING_STEPS.iter().rev().find(|step| c.not_after - now <= Duration::days(**step))?
            };
            let covered =
                conn.certificates.iter().any(|o| o.id != c.id && o.not_after > c.not_after && o.not_after > now);
            Some(CertificateWarning {
                certificate_id: c.id,
                subject: c.subject.clone(),
                fingerprint_sha256: c.fingerprint_sha256.clone(),
                not_after: c.not_after,
                days_left,
                threshold_days,
                covered,
            })
        })
        .collect();
    out.sort_by_key(|w| w.not_after);
    out
}

/// For the ACS, after validation succeeded: when the tenant refuses expired certificates
/// and the verifying one is past its end, the detail for the sign-in log. Reads only the
/// connection the ACS holds (no database statement).
pub fn expired_certificate_refusal(conn: &SsoConnection, fingerprint: &str, now: DateTime<Utc>) -> Option<String> {
    let cert = conn.certificates.iter().find(|c| c.fingerprint_sha256 == fingerprint)?;
    expired_refusal(conn.refuse_expired_certificates, &cert.subject, &cert.fingerprint_sha256, cert.not_after, now)
}

/// [`expired_certificate_refusal`] over the ACS's cached, parsed certificates.
pub(crate) fn expired_signing_refusal(
    refuse_expired: bool,
    certificates: &[gatehouse_saml::certificate::IdpCertificate],
    fingerprint: &str,
    now: DateTime<Utc>,
) -> Option<String> {
    let cert = certificates.iter().find(|c| c.fingerprint_sha256 == fingerprint)?;
    expired_refusal(refuse_expired, &cert.subject, &cert.fingerprint_sha256, cert.not_after, now)
}

fn expired_refusal(
    refuse: bool,
    subject: &str,
    fingerprint: &str,
    not_after: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<String> {
    (refuse && not_after <= now).then(|| {
        format!(
            "the response was signed with the certificate {subject} ({fingerprint}), which expired on {}; this organisation refuses expired certificates",
            not_after.format("%Y-%m-%d")
        )
    })
}

/// Stores a staged certificate, with its audit entry. Staging does not change what a
/// sign-in uses, so the version stays.
pub(crate) async fn stage_certificate(
    txn: &DatabaseTransaction,
    scope: &TenantScope,
    connection: ConnectionId,
    cert: &gatehouse_saml::certificate::IdpCertificate,
    now: DateTime<Utc>,
) -> Result<()> {
    let id = CertificateId::generate();
    idp_staged_certificate::ActiveModel {
        id: Set(id.as_uuid()),
        tenant_id: Set(scope.tenant_id().as_uuid()),
        connection_id: Set(connection.as_uuid()),
        pem: Set(cert.pem.clone()),
        fingerprint_sha256: Set(cert.fingerprint_sha256.clone()),
        subject: Set(cert.subject.clone()),
        issuer: Set(cert.issuer.clone()),
        not_before: Set(cert.not_before),
        not_after: Set(cert.not_after),
        first_seen_at: Set(now),
    }
    .insert(txn)
    .await
    .map_err(|e| on_unique(e, "certificate", "this certificate is already staged"))?;
    let view = serde_json::json!({"subject": cert.subject, "fingerprintSha256": cert.fingerprint_sha256});
    audit::record(txn, now, Change::in_scope(scope, "idp_certificate.stage", "idp_certificate", id, None, Some(view)))
        .await
}

/// Counts and the latest time of sign-in log entries for one fingerprint.
async fn log_stats(
    db: &impl ConnectionTrait,
    tenant_id: TenantId,
    fingerprint: &str,
    success: bool,
    since: Option<DateTime<Utc>>,
) -> Result<(u64, Option<DateTime<Utc>>)> {
    let mut q = sign_in_event::Entity::find()
        .filter(sign_in_event::Column::TenantId.eq(tenant_id.as_uuid()))
        .filter(sign_in_event::Column::CertificateFingerprint.eq(fingerprint))
        .filter(sign_in_event::Column::Outcome.eq(if success { Outcome::Success } else { Outcome::Failure }.as_str()));
    if let Some(since) = since {
        q = q.filter(sign_in_event::Column::CreatedAt.gte(since));
    }
    let count = q.clone().count(db).await?;
    let last = if count == 0 {
        None
    } else {
        q.order_by_desc(sign_in_event::Column::CreatedAt).limit(1).one(db).await?.map(|e| e.created_at)
    };
    Ok((count, last))
}

impl Identity {
    /// The certificates staged from the IdP's metadata, with how often the IdP already
    /// signed with each.
    pub async fn staged_certificates(&self, scope: &AdminScope) -> Result<Vec<StagedCertificate>> {
        let rows = idp_staged_certificate::Entity::find()
            .filter(idp_staged_certificate::Column::TenantId.eq(scope.tenant_id().as_uuid()))
            .order_by_asc(idp_staged_certificate::Column::FirstSeenAt)
            .all(&self.db)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let (sign_ins_seen, last_seen_at) =
                log_stats(&self.db, scope.tenant_id(), &r.fingerprint_sha256, false, Some(r.first_seen_at)).await?;
            out.push(StagedCertificate {
                id: r.id.into(),
                subject: r.subject,
                issuer: r.issuer,
                fingerprint_sha256: r.fingerprint_sha256,
                not_before: r.not_before,
                not_after: r.not_after,
                first_seen_at: r.first_seen_at,
                sign_ins_seen,
                last_seen_at,
            });
        }
        Ok(out)
    }

    /// "Safe to remove": per trusted certificate, its last verified sign-in and the count
    /// in the last 30 days, read from the sign-in log.
    pub async fn certificate_usage(&self, scope: &AdminScope) -> Result<Vec<CertificateUsage>> {
        let conn = self.load_connection(&self.db, scope.tenant_id()).await?;
        let mut out = Vec::with_capacity(conn.certificates.len());
        for c in &conn.certificates {
            out.push(self.usage_of_certificate(scope, c).await?);
        }
        Ok(out)
    }

    /// What the sign-in log says about one of the scope's certificates.
    pub async fn usage_of_certificate(&self, scope: &AdminScope, c: &IdpCertificate) -> Result<CertificateUsage> {
        let now = self.now();
        let fp = c.fingerprint_sha256.as_str();
        let (_, last_verified_at) = log_stats(&self.db, scope.tenant_id(), fp, true, None).await?;
        let (recent, _) = log_stats(&self.db, scope.tenant_id(), fp, true, Some(now - USAGE_WINDOW)).await?;
        let (expired, _) = log_stats(&self.db, scope.tenant_id(), fp, true, Some(c.not_after)).await?;
        Ok(CertificateUsage {
            certificate_id: c.id,
            last_verified_at,
            sign_ins_last_30_days: recent,
            expired_sign_ins: expired,
        })
    }

    /// Expiry warnings (60, 30, 7 days; expired) for the tenant's trusted certificates.
    pub async fn certificate_warnings(&self, scope: &AdminScope) -> Result<Vec<CertificateWarning>> {
        let conn = self.load_connection(&self.db, scope.tenant_id()).await?;
        Ok(certificate_warnings_at(&conn, self.now()))
    }

    /// Trusts a staged certificate: one transaction moves it into the connection's
    /// certificates and publishes the result as a new version (see `sso::immediate`).
    #[tracing::instrument(skip(self, scope), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn promote_staged_certificate(&self, scope: &AdminScope, id: CertificateId) -> Result<SsoConnection> {
        let now = self.now();
        let txn = self.begin_write().await?;
        let staged = find_staged(&txn, scope, id).await?;
        let conn = self.load_connection(&txn, scope.tenant_id()).await?;
        if conn.certificates.len() >= super::MAX_CERTIFICATES {
            return Err(Error::invalid(
                "id",
                format!("at most {} certificates can be kept; remove an old one first", super::MAX_CERTIFICATES),
            ));
        }
        let parsed = gatehouse_saml::certificate::parse_certificate(staged.pem.as_bytes())
            .map_err(|e| Error::invalid("id", e.to_string()))?;
        if parsed.not_after <= now {
            return Err(Error::invalid("id", "this certificate has expired; it cannot be trusted"));
        }
        if !conn.certificates.iter().any(|c| c.fingerprint_sha256 == parsed.fingerprint_sha256) {
            store_certificate(&txn, scope, conn.id, &parsed, now).await?;
        }
        idp_staged_certificate::Entity::delete_by_id(staged.id).exec(&txn).await?;
        bump_version(&txn, scope, &conn).await?;
        let view = serde_json::json!({"subject": staged.subject, "fingerprintSha256": staged.fingerprint_sha256});
        audit::record(
            &txn,
            now,
            Change::in_scope(scope, "idp_certificate.promote", "idp_certificate", id, None, Some(view)),
        )
        .await?;
        let after = self.publish_immediate(&txn, scope, &conn, PublishAction::PromoteCertificate, now).await?;
        txn.commit().await?;
        Ok(after)
    }

    /// Forgets a staged certificate (a refresh that still finds it stages it again).
    #[tracing::instrument(skip(self, scope), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn dismiss_staged_certificate(&self, scope: &AdminScope, id: CertificateId) -> Result<()> {
        let now = self.now();
        let txn = self.begin_write().await?;
        let staged = find_staged(&txn, scope, id).await?;
        idp_staged_certificate::Entity::delete_by_id(staged.id).exec(&txn).await?;
        let view = serde_json::json!({"subject": staged.subject, "fingerprintSha256": staged.fingerprint_sha256});
        audit::record(
            &txn,
            now,
            Change::in_scope(scope, "idp_certificate.dismiss", "idp_certificate", id, Some(view), None),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Whether sign-ins verified by an expired certificate are refused (off by default);
    /// published at once as a new version (see `sso::immediate`).
    #[tracing::instrument(skip(self, scope), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn set_refuse_expired_certificates(&self, scope: &AdminScope, refuse: bool) -> Result<SsoConnection> {
        let now = self.now();
        let txn = self.begin_write().await?;
        let before = self.load_connection(&txn, scope.tenant_id()).await?;
        sso_connection::Entity::update_many()
            .col_expr(sso_connection::Column::RefuseExpiredCertificates, Expr::value(refuse))
            .col_expr(sso_connection::Column::UpdatedAt, Expr::value(now))
            .filter(sso_connection::Column::Id.eq(before.id.as_uuid()))
            .filter(sso_connection::Column::TenantId.eq(scope.tenant_id().as_uuid()))
            .exec(&txn)
            .await?;
        bump_version(&txn, scope, &before).await?;
        let after = self.publish_immediate(&txn, scope, &before, PublishAction::RefuseExpired, now).await?;
        let view = |c: &SsoConnection| {
            snapshot(&serde_json::json!({"refuseExpiredCertificates": c.refuse_expired_certificates}))
        };
        audit::record(
            &txn,
            now,
            Change::in_scope(scope, "sso_connection.update", "sso_connection", after.id, view(&before), view(&after)),
        )
        .await?;
        txn.commit().await?;
        Ok(after)
    }

    /// For the ACS, only after validation refused a signature (`SignatureInvalid` or
    /// `UntrustedKey`): the fingerprint of the staged certificate that would have verified
    /// the Response, for the refusal's sign-in log entry — that is how the admin learns the
    /// IdP has started signing with it. Never makes the sign-in succeed.
    pub async fn staged_certificate_match(
        &self,
        conn: &SsoConnection,
        expected_in_response_to: Option<&str>,
        saml_response: &str,
        refusal: ReasonCode,
    ) -> Result<Option<String>> {
        let Some(issuer) = conn.issuer.clone() else { return Ok(None) };
        let tenant = conn_tenant(&self.db, conn).await?;
        self.staged_match(tenant, issuer, expected_in_response_to, saml_response, refusal).await
    }

    /// [`Self::staged_certificate_match`] for the ACS, which knows the tenant and issuer.
    pub(crate) async fn staged_match(
        &self,
        tenant: uuid::Uuid,
        issuer: String,
        expected_in_response_to: Option<&str>,
        saml_response: &str,
        refusal: ReasonCode,
    ) -> Result<Option<String>> {
        if !matches!(refusal, ReasonCode::SignatureInvalid | ReasonCode::UntrustedKey) {
            return Ok(None);
        }
        let staged: Vec<_> = idp_staged_certificate::Entity::find()
            .filter(idp_staged_certificate::Column::TenantId.eq(tenant))
            .all(&self.db)
            .await?
            .iter()
            .filter_map(|s| gatehouse_saml::certificate::parse_certificate(s.pem.as_bytes()).ok())
            .collect();
        if staged.is_empty() {
            return Ok(None);
        }
        let mut policy = ResponsePolicy::new(self.service_provider(), issuer, staged, self.now());
        policy.expected_in_response_to = expected_in_response_to.map(str::to_owned);
        policy.allow_unsolicited = expected_in_response_to.is_none();
        policy.decryption_keys = self.sp_keyring().decryption.clone();
        let input = saml_response.to_owned();
        let verified = tokio::task::spawn_blocking(move || validate_response(&input, &policy))
            .await
            .map_err(|e| Error::internal(format!("validation task failed: {e}")))?;
        Ok(verified.ok().map(|a| a.certificate_fingerprint))
    }
}

/// The tenant of a connection (the ACS's connection has no tenant ID field).
async fn conn_tenant(db: &impl ConnectionTrait, conn: &SsoConnection) -> Result<uuid::Uuid> {
    Ok(sso_connection::Entity::find_by_id(conn.id.as_uuid())
        .one(db)
        .await?
        .ok_or(Error::NotFound { what: "SSO connection" })?
        .tenant_id)
}

async fn find_staged(
    txn: &DatabaseTransaction,
    scope: &TenantScope,
    id: CertificateId,
) -> Result<idp_staged_certificate::Model> {
    idp_staged_certificate::Entity::find_by_id(id.as_uuid())
        .filter(idp_staged_certificate::Column::TenantId.eq(scope.tenant_id().as_uuid()))
        .one(txn)
        .await?
        .ok_or(Error::NotFound { what: "staged certificate" })
}
