//! Webhooks: a tenant's endpoints, the events Gatehouse tells them about, and the delivery
//! of those events (issue 15).
//!
//! | module | what it holds |
//! |---|---|
//! | `outbox` | writing an event inside the transaction of the change it reports (one `INSERT … SELECT` per event, rows only for enabled, subscribed endpoints) and the event's JSON envelope |
//! | `endpoints` | the admin's operations: register, list, change, enable/disable, delete, rotate the secret, list deliveries, resend |
//! | `delivery` | the worker every replica runs: claim (lease; `FOR UPDATE SKIP LOCKED` on PostgreSQL), send through the SSRF guard, retry with back-off and jitter, give up and mark the endpoint failing, purge |
//! | `expiry` | `certificate.expiring` / `certificate.expired`, written once per certificate and warning step by the maintenance loop |
//! | `signing` | secrets (`whsec_…`), sealing them with the key-encryption key, Standard Webhooks signatures |
//!
//! Delivery is at least once and in order per endpoint: an endpoint's next event is not sent
//! while an earlier one is pending (sent, retrying or leased by a replica).

mod delivery;
mod endpoints;
mod expiry;
pub(crate) mod outbox;
mod signing;

use chrono::{DateTime, Duration, Utc};

use crate::ids::{WebhookEndpointId, WebhookEventId};

pub use delivery::{DeliveryPass, retry_delay};
pub use endpoints::{CreatedWebhookEndpoint, MAX_ENDPOINTS, NewWebhookEndpoint, WebhookEndpointUpdate};
pub use signing::{SECRET_PREFIX, sign};

/// Every event a tenant can subscribe to. The README lists each one with its `data`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventType {
    SignInSucceeded,
    SignInFailed,
    UserCreated,
    UserUpdated,
    UserSuspended,
    UserDeleted,
    GroupMembershipChanged,
    SsoPublished,
    CertificateStaged,
    CertificatePromoted,
    CertificateExpiring,
    CertificateExpired,
    ScimTokenCreated,
    ScimTokenRevoked,
}

impl EventType {
    pub const ALL: [EventType; 14] = [
        EventType::SignInSucceeded,
        EventType::SignInFailed,
        EventType::UserCreated,
        EventType::UserUpdated,
        EventType::UserSuspended,
        EventType::UserDeleted,
        EventType::GroupMembershipChanged,
        EventType::SsoPublished,
        EventType::CertificateStaged,
        EventType::CertificatePromoted,
        EventType::CertificateExpiring,
        EventType::CertificateExpired,
        EventType::ScimTokenCreated,
        EventType::ScimTokenRevoked,
    ];

    /// The `type` of the event's JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::SignInSucceeded => "sign_in.succeeded",
            EventType::SignInFailed => "sign_in.failed",
            EventType::UserCreated => "user.created",
            EventType::UserUpdated => "user.updated",
            EventType::UserSuspended => "user.suspended",
            EventType::UserDeleted => "user.deleted",
            EventType::GroupMembershipChanged => "group.membership_changed",
            EventType::SsoPublished => "sso.published",
            EventType::CertificateStaged => "certificate.staged",
            EventType::CertificatePromoted => "certificate.promoted",
            EventType::CertificateExpiring => "certificate.expiring",
            EventType::CertificateExpired => "certificate.expired",
            EventType::ScimTokenCreated => "scim_token.created",
            EventType::ScimTokenRevoked => "scim_token.revoked",
        }
    }

    pub fn parse(s: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryState {
    /// Waiting for its first attempt or its next retry.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Given up after the retry period; the endpoint was marked failing.
    Failed,
}

impl DeliveryState {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
        }
    }

    pub(crate) fn parse_stored(s: &str) -> crate::Result<DeliveryState> {
        match s {
            "pending" => Ok(DeliveryState::Pending),
            "delivered" => Ok(DeliveryState::Delivered),
            "failed" => Ok(DeliveryState::Failed),
            other => Err(crate::Error::internal(format!("unknown webhook delivery state {other:?}"))),
        }
    }
}

/// A tenant's webhook endpoint as the admin sees it (never its secret).
#[derive(Clone, Debug)]
pub struct WebhookEndpoint {
    pub id: WebhookEndpointId,
    pub url: String,
    pub description: String,
    pub event_types: Vec<EventType>,
    pub enabled: bool,
    /// Set when a delivery was given up; cleared by the next successful one.
    pub failing_since: Option<DateTime<Utc>>,
    /// While a rotated-away secret still signs (both signatures are sent).
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One event on its way to one endpoint.
#[derive(Clone, Debug)]
pub struct WebhookDelivery {
    /// The delivery (per endpoint); increases with the order events happened in.
    pub id: i64,
    pub event_id: WebhookEventId,
    pub endpoint_id: WebhookEndpointId,
    pub event_type: String,
    pub state: DeliveryState,
    pub attempts: i32,
    /// The last answer's HTTP status (none when the endpoint could not be reached).
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// The JSON body as sent.
    pub payload: String,
}

/// How deliveries are made, retried and kept.
#[derive(Clone, Debug)]
pub struct WebhookPolicy {
    /// A delivery failing this long after the event is given up and its endpoint marked failing.
    pub give_up_after: Duration,
    /// The first retry's delay; each further retry doubles it, up to `retry_cap`, with jitter.
    pub retry_base: Duration,
    pub retry_cap: Duration,
    /// How long a replica holds a claimed delivery; a replica that dies leaves it to another
    /// after this.
    pub lease: Duration,
    /// Deliveries sent at once by one replica.
    pub concurrency: usize,
    /// Delivered and given-up deliveries are removed this long after the event.
    pub retention: Duration,
    /// After a rotation, the previous secret keeps signing this long.
    pub secret_overlap: Duration,
}

impl Default for WebhookPolicy {
    fn default() -> Self {
        Self {
            give_up_after: Duration::hours(24),
            retry_base: Duration::seconds(5),
            retry_cap: Duration::hours(1),
            lease: Duration::seconds(60),
            concurrency: 4,
            retention: Duration::days(7),
            secret_overlap: Duration::hours(24),
        }
    }
}

/// The webhook client (the SSRF-guarded fetcher with the webhook limits) and the policy.
#[derive(Clone, Debug, Default)]
pub(crate) struct Webhooks {
    pub fetcher: Option<gatehouse_outbound::Fetcher>,
    pub policy: WebhookPolicy,
}
