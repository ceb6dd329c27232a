//! `certificate.expiring` and `certificate.expired`: the maintenance loop looks for IdP
//! signing certificates that crossed one of the console's warning steps (60, 30 and 7 days
//! left) or their end, and writes each notice's event once — the notice row's primary key
//! decides, in the same transaction as the event, so replicas looking at once write it once.

use chrono::Duration;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::json;

use super::EventType;
use super::outbox;
use crate::Identity;
use crate::error::Result;
use crate::ids::TenantId;
use crate::sso::EXPIRY_WARNING_STEPS;
use crate::store::entities::{idp_certificate, webhook_certificate_notice};

/// Certificates looked at per pass (the rest wait for the next one).
const MAX_PER_PASS: u64 = 500;
/// An expiry older than this is not announced any more (Gatehouse was down, or the
/// certificate was added already expired).
const EXPIRED_LOOKBACK: Duration = Duration::days(7);

impl Identity {
    /// Writes the expiry events now due; returns how many were written.
    pub async fn notice_certificate_expiry(&self) -> Result<u64> {
        let now = self.now();
        let widest = EXPIRY_WARNING_STEPS.iter().copied().max().unwrap_or(60);
        let certificates = idp_certificate::Entity::find()
            .filter(idp_certificate::Column::NotAfter.lte(now + Duration::days(widest)))
            .filter(idp_certificate::Column::NotAfter.gt(now - EXPIRED_LOOKBACK))
            .order_by_asc(idp_certificate::Column::NotAfter)
            .limit(MAX_PER_PASS)
            .all(&self.db)
            .await?;
        let mut written = 0;
        for c in certificates {
            let left = c.not_after - now;
            let (notice, kind, step) = if left <= Duration::zero() {
                ("expired".to_owned(), EventType::CertificateExpired, None)
            } else {
                let Some(step) = EXPIRY_WARNING_STEPS.iter().copied().filter(|s| left <= Duration::days(*s)).min()
                else {
                    continue;
                };
                (format!("expiring_{step}"), EventType::CertificateExpiring, Some(step))
            };
            let txn = self.begin_write().await?;
            let inserted = webhook_certificate_notice::Entity::insert(webhook_certificate_notice::ActiveModel {
                certificate_id: Set(c.id),
                notice: Set(notice),
                tenant_id: Set(c.tenant_id),
                created_at: Set(now),
            })
            .on_conflict(
                OnConflict::columns([
                    webhook_certificate_notice::Column::CertificateId,
                    webhook_certificate_notice::Column::Notice,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
            if inserted == 1 {
                let data = json!({
                    "certificate_id": c.id.to_string(),
                    "subject": c.subject,
                    "fingerprint_sha256": c.fingerprint_sha256,
                    "not_after": c.not_after,
                    "warning_days": step,
                });
                outbox::enqueue(&txn, TenantId::from(c.tenant_id), kind, data, now).await?;
                written += 1;
            }
            txn.commit().await?;
        }
        Ok(written)
    }
}
