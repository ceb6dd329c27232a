//! Verified domains: e-mail domains a tenant proves it owns with a DNS TXT record, so
//! that `/login` can send every address at the domain to the tenant's IdP (home-realm
//! discovery, [`crate::sso`]) and passwords can be refused for them ([`crate::break_glass`]).
//!
//! **The record.** For `contoso.com` the admin creates a TXT record at
//! `_gatehouse.contoso.com` whose value is `gatehouse-verification=<token>`; the token is
//! random per domain and per tenant. Other TXT records at that name are ignored.
//!
//! **One tenant per domain.** Any tenant may *add* a domain (pending); only one can hold it
//! verified: `claimed_name` is unique across tenants, so two tenants verifying at the same
//! moment are decided by the database, and the loser is told the domain is verified by
//! another organisation — which it learns only after proving it controls the domain's DNS.
//!
//! **Re-checks.** Verified domains are checked again every [`DomainPolicy::recheck_every`]
//! (jittered, bounded concurrency, claimed per row so replicas do not check twice). A
//! domain whose record is definitely gone is **flagged** (the admin sees it) and keeps
//! routing and enforcing for [`DomainPolicy::grace`]; a record back in time restores it.
//! After the grace period it **lapses**: it stops routing and enforcing and its claim is
//! released (another tenant that now controls the DNS may verify it). A lookup that fails
//! without an answer (time-out, server failure) changes nothing and is retried sooner.
//!
//! All DNS goes through the one resolver interface, [`gatehouse_outbound::dns::TxtResolver`].

pub(crate) mod name;

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use gatehouse_outbound::dns::{DnsError, TxtResolver};
use rand::Rng;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::Serialize;

use crate::Identity;
use crate::audit::{self, Change};
use crate::auth::principal::{Actor, AdminScope, OperatorScope};
use crate::error::{Error, Result, on_unique};
use crate::ids::{DomainId, TenantId};
use crate::model::{DomainStatus, LoginPolicy};
use crate::store::entities::{sso_connection, tenant_domain};

/// Domains one tenant may list (pending ones included).
pub const MAX_DOMAINS: u64 = 20;

/// Where the TXT record goes, in front of the domain.
pub const DOMAIN_RECORD_LABEL: &str = "_gatehouse";

/// What the TXT record's value starts with; the token follows.
pub const DOMAIN_RECORD_VALUE_PREFIX: &str = "gatehouse-verification=";

/// Rows one re-check tick claims at most.
const BATCH: u64 = 100;

/// How long a claimed re-check may take before another replica may claim it again.
const CLAIM: Duration = Duration::minutes(5);

/// How domains are re-checked; the operator's settings.
#[derive(Clone, Debug)]
pub struct DomainPolicy {
    /// A verified domain is checked again this often (± 10 %).
    pub recheck_every: Duration,
    /// A flagged domain keeps routing and enforcing this long before it lapses.
    pub grace: Duration,
    /// After a lookup without an answer (time-out, server failure), the next try.
    pub retry_after_failure: Duration,
    /// DNS lookups one re-check tick runs at once.
    pub concurrency: usize,
}

impl Default for DomainPolicy {
    fn default() -> Self {
        Self {
            recheck_every: Duration::hours(24),
            grace: Duration::hours(72),
            retry_after_failure: Duration::hours(1),
            concurrency: 4,
        }
    }
}

/// The DNS side of domains: the resolver and the policy ([`Identity::with_domains`]).
#[derive(Clone)]
pub(crate) struct Domains {
    pub resolver: Arc<dyn TxtResolver>,
    pub policy: DomainPolicy,
}

/// A tenant's domain as the admin sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Domain {
    pub id: DomainId,
    pub name: String,
    pub status: DomainStatus,
    /// The TXT record to create: its name and its value.
    pub record_name: String,
    pub record_value: String,
    pub verified_at: Option<DateTime<Utc>>,
    /// When the record was found missing (flagged domains).
    pub flagged_at: Option<DateTime<Utc>>,
    /// When a flagged domain stops routing and enforcing.
    pub grace_ends_at: Option<DateTime<Utc>>,
    pub last_checked_at: Option<DateTime<Utc>>,
    /// What the last check found wrong, in words for the admin.
    pub last_check_error: Option<String>,
    pub next_check_at: Option<DateTime<Utc>>,
    /// Sign-ins of the domain's addresses go to this tenant's IdP (verified, or in grace).
    pub routes_sign_ins: bool,
    pub created_at: DateTime<Utc>,
}

/// Whether a claim is live: verified, or flagged and still inside its grace period.
fn is_live(status: DomainStatus, flagged_at: Option<DateTime<Utc>>, grace: Duration, now: DateTime<Utc>) -> bool {
    match status {
        DomainStatus::Verified => true,
        DomainStatus::Flagged => flagged_at.is_some_and(|f| now < f + grace),
        DomainStatus::Pending | DomainStatus::Lapsed => false,
    }
}

/// What one DNS check found.
enum Found {
    Record,
    /// A definite answer without our record; the words for the admin.
    Missing(String),
    /// No answer; the words for the admin.
    Unknown(String),
}

/// A tenant's SSO switches that routing and the password rule read (the connection row).
#[derive(Clone, Copy, Debug)]
pub(crate) struct TenantSso {
    pub enabled: bool,
    pub login_policy: LoginPolicy,
}

impl TenantSso {
    /// SSO is how this tenant's users sign in (alone or beside passwords).
    pub(crate) fn offers_sso(&self) -> bool {
        self.enabled && self.login_policy != LoginPolicy::Password
    }
}

/// The tenant's SSO switches, from its connection row (none: no SSO).
pub(crate) async fn tenant_sso(conn: &impl ConnectionTrait, tenant: TenantId) -> Result<Option<TenantSso>> {
    let Some(row) =
        sso_connection::Entity::find().filter(sso_connection::Column::TenantId.eq(tenant.as_uuid())).one(conn).await?
    else {
        return Ok(None);
    };
    Ok(Some(TenantSso { enabled: row.enabled, login_policy: LoginPolicy::parse_stored(&row.login_policy)? }))
}

fn record_name(domain: &str) -> String {
    format!("{DOMAIN_RECORD_LABEL}.{domain}")
}

fn jittered(every: Duration) -> Duration {
    let ms = every.num_milliseconds().max(1);
    let spread = ms / 10;
    Duration::milliseconds(ms + rand::rng().random_range(-spread..=spread))
}

impl Identity {
    /// Lets Gatehouse check domains with `resolver` under `policy`; without it domains can
    /// be added but not verified.
    pub fn with_domains(mut self, resolver: Arc<dyn TxtResolver>, policy: DomainPolicy) -> Self {
        self.domains = Some(Domains { resolver, policy });
        self
    }

    fn domain_grace(&self) -> Duration {
        self.domains.as_ref().map_or_else(|| DomainPolicy::default().grace, |d| d.policy.grace)
    }

    fn to_domain(&self, m: tenant_domain::Model) -> Result<Domain> {
        let status = DomainStatus::parse_stored(&m.status)?;
        let grace = self.domain_grace();
        Ok(Domain {
            id: m.id.into(),
            record_name: record_name(&m.name),
            record_value: format!("{DOMAIN_RECORD_VALUE_PREFIX}{}", m.token),
            routes_sign_ins: is_live(status, m.flagged_at, grace, self.now()),
            grace_ends_at: (status == DomainStatus::Flagged).then(|| m.flagged_at.map(|f| f + grace)).flatten(),
            name: m.name,
            status,
            verified_at: m.verified_at,
            flagged_at: m.flagged_at,
            last_checked_at: m.last_checked_at,
            last_check_error: m.last_check_error,
            next_check_at: m.next_check_at,
            created_at: m.created_at,
        })
    }

    async fn find_domain(
        &self,
        conn: &impl ConnectionTrait,
        tenant: TenantId,
        id: DomainId,
    ) -> Result<tenant_domain::Model> {
        tenant_domain::Entity::find_by_id(id.as_uuid())
            .filter(tenant_domain::Column::TenantId.eq(tenant.as_uuid()))
            .one(conn)
            .await?
            .ok_or(Error::NotFound { what: "domain" })
    }

    /// The tenant's domains, by name.
    #[tracing::instrument(skip(self, scope), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn domains(&self, scope: &AdminScope) -> Result<Vec<Domain>> {
        tenant_domain::Entity::find()
            .filter(tenant_domain::Column::TenantId.eq(scope.tenant_id().as_uuid()))
            .order_by_asc(tenant_domain::Column::Name)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|m| self.to_domain(m))
            .collect()
    }

    /// Adds a domain (pending) with a fresh token for its TXT record.
    #[tracing::instrument(skip(self, scope), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn add_domain(&self, scope: &AdminScope, name: &str) -> Result<Domain> {
        let name = name::normalise_domain("name", name)?;
        let now = self.now();
        let txn = self.begin_write().await?;
        let count = tenant_domain::Entity::find()
            .filter(tenant_domain::Column::TenantId.eq(scope.tenant_id().as_uuid()))
            .count(&txn)
            .await?;
        if count >= MAX_DOMAINS {
            return Err(Error::invalid("name", format!("a tenant can have at most {MAX_DOMAINS} domains")));
        }
        let mut token = [0u8; 20];
        rand::Rng::fill(&mut rand::rng(), &mut token[..]);
        let row = tenant_domain::ActiveModel {
            id: Set(DomainId::generate().as_uuid()),
            tenant_id: Set(scope.tenant_id().as_uuid()),
            name: Set(name.clone()),
            claimed_name: Set(None),
            token: Set(hex::encode(token)),
            status: Set(DomainStatus::Pending.as_str().to_owned()),
            verified_at: Set(None),
            flagged_at: Set(None),
            last_checked_at: Set(None),
            last_check_error: Set(None),
            next_check_at: Set(None),
            created_at: Set(now),
        }
        .insert(&txn)
        .await
        .map_err(|e| on_unique(e, "name", "this domain is already on your list"))?;
        let domain = self.to_domain(row)?;
        audit::record(
            &txn,
            now,
            Change::in_scope(scope, "domain.add", "domain", domain.id, None, audit::snapshot(&domain.name)),
        )
        .await?;
        txn.commit().await?;
        Ok(domain)
    }

    /// Removes a domain: its addresses stop routing to this tenant at once.
    #[tracing::instrument(skip(self, scope), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn remove_domain(&self, scope: &AdminScope, id: DomainId) -> Result<()> {
        let txn = self.begin_write().await?;
        let row = self.find_domain(&txn, scope.tenant_id(), id).await?;
        let before = self.to_domain(row)?;
        tenant_domain::Entity::delete_by_id(id.as_uuid()).exec(&txn).await?;
        audit::record(
            &txn,
            self.now(),
            Change::in_scope(scope, "domain.remove", "domain", id, audit::snapshot(&before), None),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Looks the TXT record up now ("Verify now"). A pending or lapsed domain found with its
    /// record becomes verified; a flagged one is restored; a verified or flagged one whose
    /// record is gone is flagged. The answer carries what was found (`last_check_error`);
    /// a domain verified by another tenant is a conflict.
    #[tracing::instrument(skip(self, scope), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn verify_domain(&self, scope: &AdminScope, id: DomainId) -> Result<Domain> {
        let row = self.find_domain(&self.db, scope.tenant_id(), id).await?;
        let found = self.look_up(&row).await?;
        self.apply_check(scope, id, found).await
    }

    /// The re-check tick: checks the verified and flagged domains that are due, at most
    /// [`DomainPolicy::concurrency`] lookups at once. Returns how many were checked.
    #[tracing::instrument(skip(self, _operator), err)]
    pub async fn recheck_due_domains(&self, _operator: &OperatorScope) -> Result<usize> {
        let Some(domains) = self.domains.clone() else { return Ok(0) };
        let now = self.now();
        let due = tenant_domain::Entity::find()
            .filter(tenant_domain::Column::NextCheckAt.lte(now))
            .filter(
                tenant_domain::Column::Status.is_in([DomainStatus::Verified.as_str(), DomainStatus::Flagged.as_str()]),
            )
            .order_by_asc(tenant_domain::Column::NextCheckAt)
            .limit(BATCH)
            .all(&self.db)
            .await?;
        let permits = Arc::new(tokio::sync::Semaphore::new(domains.policy.concurrency.max(1)));
        let mut checks = tokio::task::JoinSet::new();
        for row in due {
            let claimed = tenant_domain::Entity::update_many()
                .col_expr(tenant_domain::Column::NextCheckAt, Expr::value(now + CLAIM))
                .filter(tenant_domain::Column::Id.eq(row.id))
                .filter(tenant_domain::Column::NextCheckAt.eq(row.next_check_at))
                .exec(&self.db)
                .await?
                .rows_affected
                == 1;
            if !claimed {
                continue;
            }
            let this = self.clone();
            let permits = permits.clone();
            checks.spawn(async move {
                let _permit = permits.acquire_owned().await.map_err(|e| Error::internal(e.to_string()))?;
                let scope = AdminScope::for_system(TenantId::from(row.tenant_id), Actor::system("domain re-check"));
                let found = this.look_up(&row).await?;
                this.apply_check(&scope, row.id.into(), found).await.map(|_| ())
            });
        }
        let mut done = 0;
        while let Some(joined) = checks.join_next().await {
            match joined {
                Ok(Ok(())) => done += 1,
                Ok(Err(e)) => tracing::warn!(error = %e, "domain re-check failed"),
                Err(e) => tracing::warn!(error = %e, "domain re-check task failed"),
            }
        }
        Ok(done)
    }

    /// Asks DNS for the domain's TXT record and says what was found.
    async fn look_up(&self, row: &tenant_domain::Model) -> Result<Found> {
        let Some(domains) = &self.domains else {
            return Err(Error::invalid("id", "DNS lookups are not configured on this server"));
        };
        let name = record_name(&row.name);
        let want = format!("{DOMAIN_RECORD_VALUE_PREFIX}{}", row.token);
        Ok(match domains.resolver.txt(&name).await {
            Ok(records) if records.iter().any(|r| r.trim() == want) => Found::Record,
            Ok(records) => Found::Missing(format!("{name} has {} TXT record(s), none of them {want}", records.len())),
            Err(e @ DnsError::NoRecords(_)) => Found::Missing(e.to_string()),
            Err(e) if e.is_definite() => Found::Missing(e.to_string()),
            Err(e) => Found::Unknown(e.to_string()),
        })
    }

    /// Writes what a check found, with its audit entry when the status changes.
    async fn apply_check(&self, scope: &AdminScope, id: DomainId, found: Found) -> Result<Domain> {
        let now = self.now();
        let policy = self.domains.as_ref().map(|d| d.policy.clone()).unwrap_or_default();
        let txn = self.begin_write().await?;
        let row = self.find_domain(&txn, scope.tenant_id(), id).await?;
        let status = DomainStatus::parse_stored(&row.status)?;
        let mut next =
            tenant_domain::ActiveModel { id: Set(row.id), last_checked_at: Set(Some(now)), ..Default::default() };
        let claimed = matches!(status, DomainStatus::Verified | DomainStatus::Flagged);
        let (new_status, action) = match (&found, status) {
            (Found::Record, DomainStatus::Verified) => (DomainStatus::Verified, None),
            (Found::Record, DomainStatus::Flagged) => (DomainStatus::Verified, Some("domain.restored")),
            (Found::Record, DomainStatus::Pending | DomainStatus::Lapsed) => {
                (DomainStatus::Verified, Some("domain.verify"))
            }
            (Found::Missing(_), DomainStatus::Verified) => (DomainStatus::Flagged, Some("domain.flagged")),
            (Found::Missing(_) | Found::Unknown(_), DomainStatus::Flagged)
                if !is_live(status, row.flagged_at, policy.grace, now) =>
            {
                (DomainStatus::Lapsed, Some("domain.lapsed"))
            }
            (Found::Missing(_) | Found::Unknown(_), s) => (s, None),
        };
        match &found {
            Found::Record => {
                next.last_check_error = Set(None);
                next.next_check_at = Set(Some(now + jittered(policy.recheck_every)));
            }
            Found::Missing(why) | Found::Unknown(why) => {
                next.last_check_error = Set(Some(why.clone()));
                let retry =
                    if matches!(found, Found::Unknown(_)) { policy.retry_after_failure } else { policy.recheck_every };
                next.next_check_at = Set(claimed.then(|| now + jittered(retry.min(policy.grace))));
            }
        }
        match new_status {
            DomainStatus::Verified => {
                next.claimed_name = Set(Some(row.name.clone()));
                next.flagged_at = Set(None);
                if status != DomainStatus::Verified {
                    next.verified_at = Set(Some(now));
                }
            }
            DomainStatus::Flagged if status == DomainStatus::Verified => next.flagged_at = Set(Some(now)),
            DomainStatus::Lapsed => {
                next.claimed_name = Set(None);
                next.next_check_at = Set(None);
            }
            DomainStatus::Flagged | DomainStatus::Pending => {}
        }
        next.status = Set(new_status.as_str().to_owned());
        let saved = next.update(&txn).await.map_err(|e| {
            on_unique(
                e,
                "name",
                "another organisation has verified this domain; it can move here once their record is gone and their claim lapses",
            )
        })?;
        let domain = self.to_domain(saved)?;
        if let Some(action) = action {
            let before = serde_json::json!({ "status": status.as_str() });
            let after = serde_json::json!({
                "name": domain.name,
                "status": new_status.as_str(),
                "lastCheckError": domain.last_check_error,
            });
            audit::record(&txn, now, Change::in_scope(scope, action, "domain", id, Some(before), Some(after))).await?;
        }
        txn.commit().await?;
        Ok(domain)
    }

    /// The tenant whose live claim covers `email`'s domain, if any: the one place routing
    /// and the password rule ask "who owns this address's domain?".
    pub(crate) async fn domain_owner(&self, conn: &impl ConnectionTrait, email: &str) -> Result<Option<TenantId>> {
        let Some(domain) = name::email_domain(email) else { return Ok(None) };
        let Some(row) =
            tenant_domain::Entity::find().filter(tenant_domain::Column::ClaimedName.eq(domain)).one(conn).await?
        else {
            return Ok(None);
        };
        let status = DomainStatus::parse_stored(&row.status)?;
        Ok(is_live(status, row.flagged_at, self.domain_grace(), self.now()).then(|| row.tenant_id.into()))
    }

    /// Whether the tenant has any live domain claim (break-glass warnings).
    pub(crate) async fn has_live_domain(&self, conn: &impl ConnectionTrait, tenant: TenantId) -> Result<bool> {
        let rows = tenant_domain::Entity::find()
            .filter(tenant_domain::Column::TenantId.eq(tenant.as_uuid()))
            .filter(tenant_domain::Column::ClaimedName.is_not_null())
            .all(conn)
            .await?;
        let (grace, now) = (self.domain_grace(), self.now());
        for r in rows {
            if is_live(DomainStatus::parse_stored(&r.status)?, r.flagged_at, grace, now) {
                return Ok(true);
            }
        }
        Ok(false)
    }
}
