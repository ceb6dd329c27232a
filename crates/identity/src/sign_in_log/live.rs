//! The live sign-in log: new sign-in events as they are written, for the console's open
//! Sign-in log page (the GraphQL subscription `signInEventAdded`).
//!
//! **Across replicas by polling, not by notification.** One poller per process reads the
//! `sign_in_events` table by key (UUIDv7, so key order is time order) and fans each new row
//! out to that process's subscribers over a broadcast channel. Whichever replica wrote the
//! row, every replica's poller sees it, on SQLite and PostgreSQL alike, and the sign-in hot
//! path gains no statement (a `NOTIFY` would be one more per sign-in, and PostgreSQL only).
//! The poller reads only while someone is subscribed, one indexed range scan per interval
//! whatever the number of subscribers.
//!
//! A row's key is made before its transaction commits, so a row may become visible after a
//! later-keyed one: each poll re-reads a look-back window ([`LOOKBACK_MS`]) and remembers
//! the keys it has sent, so a late commit is still delivered, once.
//!
//! **Tenant isolation:** the poller reads every tenant's rows, but the only way to receive
//! any is [`LiveSignIns::subscribe`], which takes an [`AdminScope`] and delivers that
//! tenant's rows only.
//!
//! **Bounds:** subscriptions per holder (a signed-in user or an API token) and per process
//! ([`LiveLimits`]), rows read per poll, the broadcast buffer (a subscriber that falls
//! behind skips rows rather than holding memory).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use tokio::sync::broadcast;
use uuid::Uuid;

use super::{SignInEvent, SignInFilter};
use crate::Identity;
use crate::auth::principal::AdminScope;
use crate::error::{Error, Result};
use crate::ids::TenantId;
use crate::store::entities::sign_in_event;

/// How far back each poll looks for rows that committed late (and how much clock skew
/// between replicas is tolerated).
pub const LOOKBACK_MS: u64 = 10_000;
/// Rows read per statement, and statements per poll: a burst larger than this is skipped
/// (subscribers re-read the log), never buffered without bound.
const PAGE: u64 = 200;
const MAX_PAGES: usize = 10;
/// Rows waiting for the slowest subscriber before it starts skipping.
const BUFFER: usize = 1024;

/// The bounds of the live sign-in log.
#[derive(Clone, Copy, Debug)]
pub struct LiveLimits {
    /// How often the poller reads new rows while anyone is subscribed.
    pub poll_interval: Duration,
    /// Subscriptions one signed-in user or API token may hold at once (a few console tabs).
    pub per_holder: usize,
    /// Subscriptions this process serves at once.
    pub per_process: usize,
}

impl Default for LiveLimits {
    fn default() -> Self {
        LiveLimits { poll_interval: Duration::from_secs(1), per_holder: 5, per_process: 1000 }
    }
}

/// A row for the fan-out: whose it is, and what an admin sees.
#[derive(Clone, Debug)]
struct LiveRow {
    tenant_id: Option<TenantId>,
    event: SignInEvent,
}

/// The process's live sign-in log: one lazily started poller, its subscribers and their
/// counts. Cloning shares it.
#[derive(Clone)]
pub struct LiveSignIns {
    inner: Arc<Inner>,
}

struct Inner {
    limits: LiveLimits,
    sender: broadcast::Sender<Arc<LiveRow>>,
    /// Open subscriptions per holder; their sum is the process's count.
    holders: Mutex<HashMap<String, usize>>,
    poller: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Ok(mut p) = self.poller.lock()
            && let Some(task) = p.take()
        {
            task.abort();
        }
    }
}

impl LiveSignIns {
    pub(crate) fn new(limits: LiveLimits) -> Self {
        let (sender, _) = broadcast::channel(BUFFER);
        LiveSignIns {
            inner: Arc::new(Inner { limits, sender, holders: Mutex::new(HashMap::new()), poller: Mutex::new(None) }),
        }
    }

    /// Subscribes an admin to their tenant's new sign-in events that match `filter`.
    /// `holder` names who holds the subscription (one user, one API token) for the
    /// per-holder bound. Refused with `RateLimited` over either bound.
    pub fn subscribe(
        &self,
        identity: &Identity,
        scope: &AdminScope,
        filter: SignInFilter,
        holder: String,
    ) -> Result<LiveSubscription> {
        filter.check()?;
        {
            let mut holders = self.inner.holders.lock().map_err(|_| Error::internal("live sign-ins: lock"))?;
            let total: usize = holders.values().sum();
            let mine = holders.get(&holder).copied().unwrap_or(0);
            let refusal = if total >= self.inner.limits.per_process {
                Some("this server is serving as many live sign-in logs as it can; try again shortly")
            } else if mine >= self.inner.limits.per_holder {
                Some("too many live sign-in logs are open for this account; close one")
            } else {
                None
            };
            if let Some(message) = refusal {
                tracing::info!(holders = holders.len(), total, "live sign-in log refused: over its bound");
                return Err(Error::RateLimited { message: message.into(), retry_after_secs: 5 });
            }
            *holders.entry(holder.clone()).or_default() += 1;
        }
        let receiver = self.inner.sender.subscribe();
        self.start_poller(identity.db.clone());
        Ok(LiveSubscription {
            tenant_id: scope.tenant_id(),
            filter,
            receiver,
            holder: Some(holder),
            live: Arc::downgrade(&self.inner),
        })
    }

    /// Subscriptions open in this process.
    pub fn open(&self) -> usize {
        self.inner.holders.lock().map(|h| h.values().sum()).unwrap_or(0)
    }

    fn start_poller(&self, db: DatabaseConnection) {
        let Ok(mut poller) = self.inner.poller.lock() else { return };
        if poller.as_ref().is_some_and(|t| !t.is_finished()) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        let weak = Arc::downgrade(&self.inner);
        *poller = Some(runtime.spawn(poll(weak, db, self.inner.limits.poll_interval)));
    }
}

/// One subscriber's stream of its tenant's matching events. Dropping it frees its place.
pub struct LiveSubscription {
    tenant_id: TenantId,
    filter: SignInFilter,
    receiver: broadcast::Receiver<Arc<LiveRow>>,
    holder: Option<String>,
    live: Weak<Inner>,
}

impl LiveSubscription {
    /// The next matching event; `None` once the live log is gone (the process shuts down).
    pub async fn next(&mut self) -> Option<SignInEvent> {
        loop {
            match self.receiver.recv().await {
                Ok(row) if row.tenant_id == Some(self.tenant_id) && self.filter.matches(&row.event) => {
                    return Some(row.event.clone());
                }
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(skipped)) => {
                    tracing::info!(skipped, "live sign-in log: a slow subscriber skipped rows");
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }
}

impl Drop for LiveSubscription {
    fn drop(&mut self) {
        let (Some(inner), Some(holder)) = (self.live.upgrade(), self.holder.take()) else { return };
        if let Ok(mut holders) = inner.holders.lock()
            && let Some(n) = holders.get_mut(&holder)
        {
            *n = n.saturating_sub(1);
            if *n == 0 {
                holders.remove(&holder);
            }
        }
    }
}

/// Where the poller has read up to.
struct Cursor {
    /// The newest row time seen, never ahead of this process's clock (milliseconds).
    high_ms: u64,
    /// Keys sent within the look-back window, with their time.
    sent: HashMap<Uuid, u64>,
}

/// The poller: while the live log exists, every interval, if anyone listens, reads the
/// rows keyed after `high - LOOKBACK_MS` and sends those not yet sent.
async fn poll(live: Weak<Inner>, db: DatabaseConnection, interval: Duration) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut cursor: Option<Cursor> = None;
    loop {
        ticker.tick().await;
        let Some(inner) = live.upgrade() else { return };
        if inner.sender.receiver_count() == 0 {
            cursor = None;
            continue;
        }
        let cursor = cursor.get_or_insert_with(|| Cursor { high_ms: now_ms(), sent: HashMap::new() });
        if let Err(e) = read_new(&db, &inner.sender, cursor).await {
            tracing::warn!(error = %e, "live sign-in log: reading new sign-in events failed");
        }
    }
}

async fn read_new(
    db: &DatabaseConnection,
    sender: &broadcast::Sender<Arc<LiveRow>>,
    cursor: &mut Cursor,
) -> std::result::Result<(), sea_orm::DbErr> {
    let floor_ms = cursor.high_ms.saturating_sub(LOOKBACK_MS);
    cursor.sent.retain(|_, at| *at >= floor_ms);
    let mut after = v7_floor(floor_ms);
    for _ in 0..MAX_PAGES {
        let rows = sign_in_event::Entity::find()
            .filter(sign_in_event::Column::Id.gt(after))
            .order_by_asc(sign_in_event::Column::Id)
            .limit(PAGE)
            .all(db)
            .await?;
        let full = rows.len() as u64 == PAGE;
        for row in rows {
            after = row.id;
            let at = v7_ms(row.id).unwrap_or(floor_ms);
            cursor.high_ms = cursor.high_ms.max(at.min(now_ms()));
            if cursor.sent.insert(row.id, at).is_some() {
                continue;
            }
            let tenant_id = row.tenant_id.map(TenantId::from);
            // No receiver left is not an error: the next poll sees nobody and stops reading.
            let _ = sender.send(Arc::new(LiveRow { tenant_id, event: SignInEvent::from(row) }));
        }
        if !full {
            return Ok(());
        }
    }
    tracing::warn!("live sign-in log: more new sign-in events than one poll reads; subscribers skip the rest");
    cursor.high_ms = now_ms();
    Ok(())
}

fn now_ms() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or(0)
}

/// The smallest UUIDv7 of a millisecond: every row keyed in or after it sorts above.
fn v7_floor(ms: u64) -> Uuid {
    let mut bytes = [0u8; 16];
    bytes[..6].copy_from_slice(&ms.to_be_bytes()[2..]);
    bytes[6] = 0x70; // version 7, the rest of the random bits zero
    bytes[8] = 0x80; // the RFC 9562 variant
    Uuid::from_bytes(bytes)
}

/// A UUIDv7's millisecond.
fn v7_ms(id: Uuid) -> Option<u64> {
    let (secs, nanos) = id.get_timestamp()?.to_unix();
    Some(secs * 1000 + u64::from(nanos / 1_000_000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_v7_floor_sorts_below_every_key_of_its_millisecond_and_above_earlier_ones() {
        let id = Uuid::now_v7();
        let ms = v7_ms(id).unwrap();
        assert!(v7_floor(ms) < id);
        assert!(v7_floor(ms + 1) > id);
        assert_eq!(v7_ms(v7_floor(ms)), Some(ms));
    }
}
