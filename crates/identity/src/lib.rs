//! `gatehouse-identity`: tenants, users, SSO connections and IdP certificates, sessions,
//! API tokens, SCIM provisioning (tokens, provisioned users, groups) and the audit log —
//! the sea-orm entities, the tenant-scoped store and the services built on it.
//!
//! Everything a caller may do goes through [`Identity`]. Tenant-owned operations take a
//! [`TenantScope`] first; only an authenticated [`Principal`] yields one, so a tenant's
//! data can only be reached by someone acting inside that tenant. Admin operations take an
//! [`AdminScope`], which only [`TenantScope::admin`] hands out; platform operations take an
//! [`OperatorScope`], from a signed-in operator or from the [`SystemAccess`] the binary
//! claims once at start-up. No other crate can make any of these (the `testing` feature,
//! on only in tests, adds test constructors: `src/testing.rs`).
//!
//! # Rooms
//!
//! | module | what it holds |
//! |---|---|
//! | `auth` | password sign-in, sessions, API tokens, operators, the permission handles (`auth::principal`), throttling and the hashing pool (`auth::throttle`) |
//! | `sso` | the tenant's IdP connection (`connection`, `metadata`, `metadata_url`, `rollover`) and the SAML flows: `start`, `acs`, `handover`, `logout`, `test_run`, `home_realm` |
//! | `sign_in_log` | every sign-in attempt, and [`SignInReason`]: each reason's code and words; `live`, new attempts for subscribers, polled across replicas |
//! | `provisioning` | users and groups: the console's user management (`users`), SCIM (`scim_users`, `user_attributes`, `listing`, `groups`, `memberships`, `scim_tokens`) and the guard keeping SCIM away from admins (`admin_guard`) |
//! | `domains` | verified e-mail domains: DNS TXT proof, re-checks, who owns an address's domain |
//! | `break_glass` | the SSO-required password rule and the tenant's break-glass accounts |
//! | `tenants` | tenants and their settings; `tenant_list`, the operators' searchable list with SSO status and user counts |
//! | `audit` | who changed what |
//! | `webhooks` | tenants' webhook endpoints, the outbox written with each change, the delivery worker, Standard Webhooks signatures |
//! | `maintenance` | purging what expired |
//! | `bootstrap` | the first operator and the demo tenant |
//! | `store` | the entities (`store::entities`, each with its conversion to the domain type), `live_users`, the one soft delete, the one write transaction (`begin_write`) |
//! | `model`, `ids`, `error`, `secrets`, `validate`, `clock`, `db` | shared ground: domain types, ID newtypes, errors, token kinds and hashing, field checks, the clock, connecting |

#![cfg_attr(test, allow(clippy::unwrap_used))] // a failed unwrap is a failed test

mod audit;
mod auth;
mod bootstrap;
mod break_glass;
pub mod clock;
pub mod db;
mod domains;
mod error;
mod ids;
mod maintenance;
mod model;
mod provisioning;
mod secrets;
mod sign_in_log;
mod sp_keys;
mod sso;
mod store;
mod tenant_list;
mod tenants;
#[cfg(feature = "testing")]
pub mod testing;
mod validate;
mod webhooks;

use std::sync::Arc;

use chrono::Duration;
use sea_orm::DatabaseConnection;

pub use audit::AuditFilter;
pub use auth::principal::{
    Actor, AdminScope, OperatorScope, Principal, PrincipalKind, ScimScope, SystemAccess, TenantScope,
};
pub use auth::throttle::{AcsAdmission, Limits, Policy};
pub use auth::{Me, MeRole, NewSessionInfo, SignIn, SignedIn};
pub use bootstrap::{Bootstrap, BootstrapReport, DEMO_ADMIN_EMAIL, DEMO_SLUG, DemoTenant};
pub use break_glass::{BreakGlassAccount, BreakGlassList, BreakGlassWarning, BreakGlassWarningKind};
pub use clock::{Clock, ManualClock, SystemClock};
pub use domains::{DOMAIN_RECORD_LABEL, DOMAIN_RECORD_VALUE_PREFIX, Domain, DomainPolicy, MAX_DOMAINS};
pub use error::{Error, FieldError, Result};
pub use gatehouse_saml::error::ReasonCode;
pub use gatehouse_saml::sp::ServiceProvider;
pub use gatehouse_saml::sp_keys::KeyAlgorithm;
pub use ids::*;
pub use model::*;
pub use provisioning::groups::{Group, GroupAttributes, GroupEdit};
pub use provisioning::listing::{Listing, Lookup, LookupAttribute, Window};
pub use provisioning::scim_tokens::{CreatedScimToken, ScimToken};
pub use provisioning::user_attributes::{ContactValue, ManagerRef, ProvisionedUser, UserAttributes};
pub use provisioning::users::{NewUser, UserUpdate};
pub use secrets::{MIN_PASSWORD_LEN, generate_password};
pub use sign_in_log::{
    ConnectionHealth, ConnectionStatus, LiveLimits, LiveSignIns, LiveSubscription, RequestMeta, SignInEvent,
    SignInFilter, SignInReason, reason_text,
};
pub use sp_keys::{KeyEncryptionKey, SpCertificate, SpKeyPolicy, SpKeyRole, SpKeyState};
pub use sso::{
    AcsOutcome, AddedCertificate, CertificateUsage, CertificateWarning, EXPIRY_WARNING_STEPS, MAX_CERTIFICATES,
    MAX_REFRESH, MIN_REFRESH, MetadataImport, MetadataUrlStatus, Organisation, SignInRoute, SsoConnectionInput,
    SsoError, SsoRefusal, SsoResult, SsoSettingsSave, SsoSignedIn, SsoStart, StagedCertificate, TestReport,
    expired_certificate_refusal, safe_redirect,
};
pub use sso::{DraftTest, MAX_VERSIONS, PublishAction, SaveTarget, SettingChange, SettingsRef, SsoDraft, SsoVersion};
pub use tenant_list::TenantOverview;
pub use tenants::{CreatedTenant, NewTenant};
pub use webhooks::{
    CreatedWebhookEndpoint, DeliveryPass, DeliveryState, EventType, MAX_ENDPOINTS, NewWebhookEndpoint, SECRET_PREFIX,
    WebhookDelivery, WebhookEndpoint, WebhookEndpointUpdate, WebhookPolicy, retry_delay, sign as sign_webhook,
};

/// Lifetimes of console sessions.
#[derive(Clone, Debug)]
pub struct SessionPolicy {
    /// A session unused this long ends.
    pub idle_timeout: Duration,
    /// A session ends this long after sign-in, used or not.
    pub absolute_timeout: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self { idle_timeout: Duration::hours(2), absolute_timeout: Duration::hours(12) }
    }
}

/// The identity services over one database.
#[derive(Clone)]
pub struct Identity {
    db: DatabaseConnection,
    clock: Arc<dyn Clock>,
    sessions: SessionPolicy,
    /// Our SAML service-provider identity (entity ID = ACS URL, SLO URL).
    sp: Arc<ServiceProvider>,
    /// Attempt limits and the password-hashing pool ([`Identity::with_limits`]).
    throttle: Arc<auth::throttle::Throttle>,
    /// Parsed IdP signing certificates per SSO connection version.
    signing: Arc<sso::signing::SigningCache>,
    /// On SQLite, an SSO sign-in's writes (the ACS's transaction, the hand-over's) queue
    /// here instead of in SQLite's busy handler, which sleeps (1, 2, 5 … 100 ms) while an
    /// async task holding the write lock waits to be scheduled again; whoever holds the gate
    /// writes on the connection it keeps (`store::sqlite_writer`), on its own thread.
    sqlite_sign_in_gate: Option<Arc<tokio::sync::Mutex<store::sqlite_writer::SqliteWriter>>>,
    /// On PostgreSQL, the connections a sign-in's statements run on (`store::sign_in_connections`).
    sign_in_connections: Option<Arc<store::sign_in_connections::SignInConnections>>,
    /// The SSRF-guarded client for IdP metadata URLs ([`Identity::with_fetcher`]); without
    /// one, metadata URLs cannot be used.
    fetcher: Option<gatehouse_outbound::Fetcher>,
    /// The resolver and re-check policy for verified domains ([`Identity::with_domains`]);
    /// without it domains can be listed and added but not verified.
    domains: Option<domains::Domains>,
    /// Gatehouse's own SAML keys ([`Identity::with_sp_key_policy`], [`Identity::load_sp_keys`]).
    sp_keys: Arc<sp_keys::SpKeys>,
    /// New sign-in events for subscribers, from one poller per process.
    live: sign_in_log::LiveSignIns,
    /// The webhook client and delivery policy ([`Identity::with_webhooks`]); without a client
    /// events are still written but not sent.
    webhooks: Arc<webhooks::Webhooks>,
}

impl Identity {
    pub fn new(db: DatabaseConnection, clock: Arc<dyn Clock>, sessions: SessionPolicy, sp: ServiceProvider) -> Self {
        let sqlite_writer = store::sqlite_writer::SqliteWriter::for_db(&db);
        let sign_in_connections = store::sign_in_connections::SignInConnections::for_db(&db).map(Arc::new);
        Self {
            db,
            clock,
            sessions,
            sp: Arc::new(sp),
            throttle: Arc::new(auth::throttle::Throttle::new(Limits::default())),
            signing: Arc::default(),
            sqlite_sign_in_gate: sqlite_writer.map(|w| Arc::new(tokio::sync::Mutex::new(w))),
            sign_in_connections,
            fetcher: None,
            domains: None,
            sp_keys: Arc::default(),
            live: sign_in_log::LiveSignIns::new(sign_in_log::LiveLimits::default()),
            webhooks: Arc::default(),
        }
    }

    /// Sets the live sign-in log's bounds and poll interval (before anyone subscribes).
    pub fn with_live_limits(mut self, limits: LiveLimits) -> Self {
        self.live = sign_in_log::LiveSignIns::new(limits);
        self
    }

    /// The live sign-in log (`sign_in_log::live`).
    pub fn live_sign_ins(&self) -> &LiveSignIns {
        &self.live
    }

    /// Lets Gatehouse fetch IdP metadata URLs through `fetcher` (its policy: the operator's
    /// allowed hosts and limits).
    pub fn with_fetcher(mut self, fetcher: gatehouse_outbound::Fetcher) -> Self {
        self.fetcher = Some(fetcher);
        self
    }

    /// Our SAML service provider.
    pub fn service_provider(&self) -> &ServiceProvider {
        &self.sp
    }

    /// The database, for health checks.
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// The injected clock's time.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// Waits for the SQLite sign-in gate (see the field) and so for its writer; `None` on
    /// PostgreSQL.
    pub(crate) async fn sqlite_sign_in_gate(
        &self,
    ) -> Option<tokio::sync::MutexGuard<'_, store::sqlite_writer::SqliteWriter>> {
        match &self.sqlite_sign_in_gate {
            Some(gate) => Some(gate.lock().await),
            None => None,
        }
    }

    /// One statement of a sign-in (admission, ACS, hand-over): on PostgreSQL on a connection
    /// kept for them (`store::sign_in_connections`), otherwise through the pool.
    pub(crate) async fn sign_in_query_one(
        &self,
        stmt: sea_orm::Statement,
    ) -> std::result::Result<Option<sea_orm::QueryResult>, sea_orm::DbErr> {
        match &self.sign_in_connections {
            Some(set) => set.query_one(&self.db, stmt).await,
            None => sea_orm::ConnectionTrait::query_one_raw(&self.db, stmt).await,
        }
    }

    /// How many connections kept for sign-ins are open now: on PostgreSQL those of
    /// `store::sign_in_connections`, on SQLite the sign-in writer (0 or 1; counted as open while
    /// a sign-in holds it).
    pub fn sign_in_connections_open(&self) -> usize {
        match (&self.sign_in_connections, &self.sqlite_sign_in_gate) {
            (Some(set), _) => set.open(),
            (None, Some(gate)) => gate.try_lock().map_or(1, |w| usize::from(w.is_open())),
            (None, None) => 0,
        }
    }

    /// The scope a tenant user or API token acts in; `None` for operators.
    pub fn tenant_scope(&self, principal: &Principal) -> Option<TenantScope> {
        TenantScope::of_principal(principal)
    }
}
