//! The delivery worker, run by every replica ([`Identity::deliver_webhooks`] in a loop).
//!
//! **Claiming.** In one write transaction a replica picks due deliveries — pending, due,
//! not leased (or the lease ran out: its replica died), of an enabled endpoint, and the
//! earliest pending one of their endpoint (order per endpoint) — and leases them by setting
//! `locked_until`. On PostgreSQL the pick is `FOR UPDATE SKIP LOCKED`, so replicas claiming
//! at the same moment take different rows instead of waiting; SQLite has one writer at a
//! time. A claimed delivery is sent by that replica alone until its lease ends.
//!
//! **Sending** goes through the SSRF guard (`gatehouse-outbound`), with the endpoint's
//! signature headers; http only for tenants in dev mode. The answer's body is read up to the
//! webhook client's limit.
//!
//! **Outcome.** 2xx: delivered (and the endpoint's failing mark cleared). Anything else: a
//! retry after [`retry_delay`]; once the event is older than the policy's give-up time the
//! delivery is failed and its endpoint marked failing. The outcome is written only while the
//! lease is still this replica's (`locked_until` unchanged), so a replica that was too slow
//! cannot overwrite the next one's result.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use rand::Rng;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::signing::sign;
use super::{DeliveryState, WebhookPolicy};
use crate::Identity;
use crate::error::Result;
use crate::ids::WebhookEndpointId;
use crate::store::entities::{tenant, webhook_delivery, webhook_endpoint};

/// The longest error text kept with a delivery.
const MAX_ERROR_CHARS: usize = 500;

/// What one pass of the worker did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeliveryPass {
    /// Deliveries this replica claimed.
    pub claimed: usize,
    /// Answered 2xx.
    pub delivered: usize,
    /// Failed, to be retried.
    pub retried: usize,
    /// Failed past the give-up time: the endpoint is marked failing.
    pub given_up: usize,
    /// The lease ran out before the outcome was written (another replica has it now).
    pub lease_lost: usize,
}

/// The wait before retry number `attempts` (1 = after the first failure): `base · 2^(n-1)`,
/// capped, then scaled by `jitter` in [0, 1] onto its upper half, so replicas and endpoints
/// that failed together do not retry together.
pub fn retry_delay(policy: &WebhookPolicy, attempts: i32, jitter: f64) -> Duration {
    let exponent = u32::try_from(attempts.saturating_sub(1)).unwrap_or(0).min(30);
    let full = policy.retry_base.checked_mul(1 << exponent).unwrap_or(policy.retry_cap).min(policy.retry_cap);
    let ms = full.num_milliseconds() as f64;
    Duration::milliseconds((ms / 2.0 + ms / 2.0 * jitter.clamp(0.0, 1.0)) as i64)
}

/// Earliest pending of its endpoint (order per endpoint), of an enabled endpoint.
const ORDER_AND_ENABLED: &str = "NOT EXISTS (SELECT 1 FROM webhook_deliveries AS earlier \
     WHERE earlier.endpoint_id = webhook_deliveries.endpoint_id AND earlier.state = 'pending' \
     AND earlier.seq < webhook_deliveries.seq) \
     AND endpoint_id IN (SELECT id FROM webhook_endpoints WHERE enabled = true)";

/// One claimed delivery and what sending it needs.
struct Claimed {
    row: webhook_delivery::Model,
    lease: DateTime<Utc>,
}

impl Identity {
    /// The webhook client and policy: without `fetcher` events are written but not sent.
    pub fn with_webhooks(mut self, fetcher: Option<gatehouse_outbound::Fetcher>, policy: WebhookPolicy) -> Self {
        self.webhooks = std::sync::Arc::new(super::Webhooks { fetcher, policy });
        self
    }

    /// Deliveries not yet delivered or given up, all tenants (the queue-depth gauge).
    pub async fn webhook_queue_depth(&self) -> Result<u64> {
        Ok(webhook_delivery::Entity::find()
            .filter(webhook_delivery::Column::State.eq(DeliveryState::Pending.as_str()))
            .count(&self.db)
            .await?)
    }

    /// Leases up to `limit` due deliveries to this replica.
    async fn claim(&self, limit: u64) -> Result<Vec<Claimed>> {
        let now = self.now();
        // Milliseconds: the lease is compared for equality later, and PostgreSQL keeps microseconds.
        let lease = (now + self.webhooks.policy.lease).trunc_subsecs(3);
        let txn = self.begin_write().await?;
        let mut q = webhook_delivery::Entity::find()
            .filter(webhook_delivery::Column::State.eq(DeliveryState::Pending.as_str()))
            .filter(webhook_delivery::Column::NextAttemptAt.lte(now))
            .filter(
                Condition::any()
                    .add(webhook_delivery::Column::LockedUntil.is_null())
                    .add(webhook_delivery::Column::LockedUntil.lt(now)),
            )
            .filter(Expr::cust(ORDER_AND_ENABLED))
            .order_by_asc(webhook_delivery::Column::Seq)
            .limit(limit);
        if txn.get_database_backend() == DbBackend::Postgres {
            q = q.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
        }
        let rows = q.all(&txn).await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        webhook_delivery::Entity::update_many()
            .col_expr(webhook_delivery::Column::LockedUntil, Expr::value(lease))
            .filter(webhook_delivery::Column::Seq.is_in(rows.iter().map(|r| r.seq)))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(rows.into_iter().map(|row| Claimed { row, lease }).collect())
    }

    /// One pass: claims as many due deliveries as the policy's concurrency, sends them at
    /// once and records each outcome. Returns what happened (an empty pass: nothing was due).
    pub async fn deliver_webhooks(&self) -> Result<DeliveryPass> {
        let Some(fetcher) = self.webhooks.fetcher.clone() else {
            return Ok(DeliveryPass::default());
        };
        let claimed = self.claim(self.webhooks.policy.concurrency.max(1) as u64).await?;
        let mut pass = DeliveryPass { claimed: claimed.len(), ..DeliveryPass::default() };
        let mut sends = tokio::task::JoinSet::new();
        for c in claimed {
            let (me, fetcher) = (self.clone(), fetcher.clone());
            sends.spawn(async move { me.send_one(&fetcher, c).await });
        }
        while let Some(done) = sends.join_next().await {
            match done {
                Ok(Ok(Outcome::Delivered)) => pass.delivered += 1,
                Ok(Ok(Outcome::Retry)) => pass.retried += 1,
                Ok(Ok(Outcome::GivenUp)) => pass.given_up += 1,
                Ok(Ok(Outcome::LeaseLost)) => pass.lease_lost += 1,
                Ok(Err(e)) => tracing::error!(error = %e, "recording a webhook delivery failed"),
                Err(e) => tracing::error!(error = %e, "a webhook delivery task failed"),
            }
        }
        Ok(pass)
    }

    /// The `webhook-*` headers and body of a delivery.
    async fn request_for(
        &self,
        row: &webhook_delivery::Model,
    ) -> Result<Option<(String, bool, Vec<(String, String)>)>> {
        let Some(endpoint) = webhook_endpoint::Entity::find_by_id(row.endpoint_id)
            .filter(webhook_endpoint::Column::TenantId.eq(row.tenant_id))
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let dev_mode = tenant::Entity::find_by_id(row.tenant_id).one(&self.db).await?.is_some_and(|t| t.dev_mode);
        let now = self.now();
        let timestamp = now.timestamp();
        let id = row.event_id.to_string();
        let mut signatures = Vec::new();
        let current = self.open_endpoint_secret(&endpoint, &endpoint.secret_sealed).ok_or_else(|| {
            crate::Error::internal(format!(
                "webhook endpoint {}'s secret does not open with the configured key-encryption keys",
                WebhookEndpointId::from(endpoint.id)
            ))
        })?;
        signatures.push(sign(&current, &id, timestamp, row.payload.as_bytes())?);
        if let (Some(sealed), Some(until)) = (&endpoint.previous_secret_sealed, endpoint.previous_secret_expires_at)
            && until > now
            && let Some(previous) = self.open_endpoint_secret(&endpoint, sealed)
        {
            signatures.push(sign(&previous, &id, timestamp, row.payload.as_bytes())?);
        }
        let headers = vec![
            ("content-type".to_owned(), "application/json".to_owned()),
            ("webhook-id".to_owned(), id),
            ("webhook-timestamp".to_owned(), timestamp.to_string()),
            ("webhook-signature".to_owned(), signatures.join(" ")),
        ];
        Ok(Some((endpoint.url, dev_mode, headers)))
    }

    async fn send_one(&self, fetcher: &gatehouse_outbound::Fetcher, c: Claimed) -> Result<Outcome> {
        let row = &c.row;
        let answer = match self.request_for(row).await? {
            Some((url, allow_http, headers)) => {
                let request = gatehouse_outbound::OutboundRequest {
                    method: gatehouse_outbound::Method::Post,
                    url,
                    allow_http,
                    headers,
                    body: Some(row.payload.clone().into_bytes()),
                };
                match fetcher.send(request).await {
                    Ok(f) if (200..300).contains(&f.status) => Ok(f.status),
                    Ok(f) => Err((Some(f.status), format!("the endpoint answered HTTP {}", f.status))),
                    Err(e) => Err((None, e.to_string())),
                }
            }
            None => Err((None, "the endpoint no longer exists".to_owned())),
        };
        self.record_outcome(&c, answer).await
    }

    /// Writes what happened, if the lease is still ours.
    async fn record_outcome(
        &self,
        c: &Claimed,
        answer: std::result::Result<u16, (Option<u16>, String)>,
    ) -> Result<Outcome> {
        let now = self.now();
        let policy = &self.webhooks.policy;
        let row = &c.row;
        let attempts = row.attempts + 1;
        let mut update = webhook_delivery::ActiveModel {
            attempts: Set(attempts),
            last_attempt_at: Set(Some(now)),
            locked_until: Set(None),
            ..Default::default()
        };
        let outcome = match &answer {
            Ok(status) => {
                update.state = Set(DeliveryState::Delivered.as_str().to_owned());
                update.last_status = Set(Some(i32::from(*status)));
                update.last_error = Set(None);
                update.delivered_at = Set(Some(now));
                Outcome::Delivered
            }
            Err((status, error)) => {
                update.last_status = Set(status.map(i32::from));
                update.last_error = Set(Some(error.chars().take(MAX_ERROR_CHARS).collect()));
                if now - row.created_at >= policy.give_up_after {
                    update.state = Set(DeliveryState::Failed.as_str().to_owned());
                    Outcome::GivenUp
                } else {
                    let jitter = rand::rng().random::<f64>();
                    update.next_attempt_at = Set(now + retry_delay(policy, attempts, jitter));
                    Outcome::Retry
                }
            }
        };
        let txn = self.begin_write().await?;
        let written = webhook_delivery::Entity::update_many()
            .set(update)
            .filter(webhook_delivery::Column::Seq.eq(row.seq))
            .filter(webhook_delivery::Column::LockedUntil.eq(c.lease))
            .filter(webhook_delivery::Column::State.eq(DeliveryState::Pending.as_str()))
            .exec(&txn)
            .await?
            .rows_affected;
        if written == 0 {
            tracing::warn!(delivery = row.seq, "a webhook delivery's lease ran out before its outcome was written");
            return Ok(Outcome::LeaseLost);
        }
        let failing = match outcome {
            Outcome::Delivered => Some(None),
            Outcome::GivenUp => Some(Some(now)),
            Outcome::Retry | Outcome::LeaseLost => None,
        };
        if let Some(failing) = failing {
            let mut q = webhook_endpoint::Entity::update_many()
                .col_expr(webhook_endpoint::Column::FailingSince, Expr::value(failing))
                .filter(webhook_endpoint::Column::Id.eq(row.endpoint_id))
                .filter(webhook_endpoint::Column::TenantId.eq(row.tenant_id));
            // Keep the first failure's time; a success clears it.
            q = match failing {
                Some(_) => q.filter(webhook_endpoint::Column::FailingSince.is_null()),
                None => q.filter(webhook_endpoint::Column::FailingSince.is_not_null()),
            };
            q.exec(&txn).await?;
        }
        txn.commit().await?;
        match outcome {
            Outcome::Delivered => tracing::debug!(delivery = row.seq, "webhook delivered"),
            Outcome::Retry => tracing::info!(delivery = row.seq, attempts, "webhook delivery failed; will retry"),
            Outcome::GivenUp => {
                tracing::warn!(delivery = row.seq, attempts, "webhook delivery given up; endpoint marked failing")
            }
            Outcome::LeaseLost => {}
        }
        Ok(outcome)
    }

    /// Removes delivered and given-up deliveries older than the retention (maintenance).
    pub async fn purge_webhook_deliveries(&self) -> Result<u64> {
        let cutoff = self.now() - self.webhooks.policy.retention;
        Ok(webhook_delivery::Entity::delete_many()
            .filter(webhook_delivery::Column::State.ne(DeliveryState::Pending.as_str()))
            .filter(webhook_delivery::Column::CreatedAt.lt(cutoff))
            .exec(&self.db)
            .await?
            .rows_affected)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Delivered,
    Retry,
    GivenUp,
    LeaseLost,
}
