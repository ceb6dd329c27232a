//! The IdP's federation metadata URL (Entra: *App Federation Metadata Url*): fetched when
//! the admin saves it, refreshed on a schedule ([`Identity::refresh_due_idp_metadata`],
//! honouring `validUntil`/`cacheDuration` within [`MIN_REFRESH`]..[`MAX_REFRESH`]) and on
//! demand. Fetches go through the SSRF-guarded [`gatehouse_outbound::Fetcher`].
//!
//! A fetch that fails, or returns metadata that cannot be used (unreadable, expired, naming
//! another issuer), never changes the live configuration: it is recorded (`last_error`) and
//! retried with back-off. Usable metadata updates the login and logout URLs and the
//! certificates: a certificate not yet trusted is *staged* ([`super::rollover`]) unless the
//! connection has no trusted certificate yet or the tenant opted into auto-promotion.
//! Whatever changes what a sign-in uses counts the connection's version up in the same
//! transaction (the sign-in path caches connections by version) and is published at once as
//! a new version in the history, with its actor (`sso::immediate`).

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect, sea_query::Expr,
    sea_query::OnConflict,
};

use super::connection::{bump_version, store_certificate};
use super::history::PublishAction;
use super::rollover::stage_certificate;
use crate::audit::{self, Change, snapshot};
use crate::auth::principal::{Actor, AdminScope, OperatorScope, TenantScope};
use crate::error::{Error, Result};
use crate::ids::TenantId;
use crate::model::*;
use crate::store::entities::{idp_staged_certificate, sso_connection, sso_metadata_status, tenant};
use crate::{Identity, validate};

/// Refresh interval when the metadata says nothing (Entra's says nothing).
pub const DEFAULT_REFRESH: Duration = Duration::hours(12);
/// Shortest refresh interval, whatever `cacheDuration`/`validUntil` say.
pub const MIN_REFRESH: Duration = Duration::hours(1);
/// Longest refresh interval.
pub const MAX_REFRESH: Duration = Duration::hours(24);
/// First retry after a failed fetch; doubles per failure up to [`MAX_BACKOFF`].
pub const FIRST_BACKOFF: Duration = Duration::minutes(5);
pub const MAX_BACKOFF: Duration = Duration::hours(6);
/// How long a replica holds a due refresh it claimed before another may take it.
const CLAIM: Duration = Duration::minutes(10);
/// Tenants refreshed per scheduler tick.
const BATCH: u64 = 20;

/// The metadata URL and what its fetches did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetadataUrlStatus {
    pub url: Option<String>,
    pub auto_promote: bool,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// Why the last fetch was not used; `None` after a success.
    pub last_error: Option<String>,
    /// Failed fetches in a row.
    pub failures: i32,
    pub next_fetch_at: Option<DateTime<Utc>>,
}

/// What one usable metadata document changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MetadataChanges {
    /// Fingerprints of certificates now trusted.
    pub trusted: Vec<String>,
    /// Fingerprints of certificates newly staged.
    pub staged: Vec<String>,
    /// The login or logout URL (or the issuer, when none was set) changed.
    pub settings_changed: bool,
}

/// Reads an xs:duration (`P1DT2H`, `PT6H30M`; years and months count 365 and 30 days).
fn parse_duration(text: &str) -> Option<Duration> {
    let rest = text.trim().strip_prefix('P')?;
    if text.len() > 64 || rest.is_empty() {
        return None;
    }
    let (mut total, mut number, mut in_time) = (Duration::zero(), String::new(), false);
    for c in rest.chars() {
        match c {
            'T' if !in_time && number.is_empty() => in_time = true,
            '0'..='9' | '.' => number.push(c),
            unit => {
                let n: f64 = number.parse().ok()?;
                number.clear();
                let secs = match (unit, in_time) {
                    ('Y', false) => n * 365.0 * 86400.0,
                    ('M', false) => n * 30.0 * 86400.0,
                    ('D', false) => n * 86400.0,
                    ('H', true) => n * 3600.0,
                    ('M', true) => n * 60.0,
                    ('S', true) => n,
                    _ => return None,
                };
                total += Duration::seconds(secs.min(1e10) as i64);
            }
        }
    }
    number.is_empty().then_some(total)
}

/// When to fetch again after a usable document: the sooner of `cacheDuration` and
/// `validUntil`, within [`MIN_REFRESH`]..[`MAX_REFRESH`].
pub(crate) fn next_refresh(
    now: DateTime<Utc>,
    cache_duration: Option<Duration>,
    valid_until: Option<DateTime<Utc>>,
) -> DateTime<Utc> {
    let mut wait = cache_duration.unwrap_or(DEFAULT_REFRESH);
    if let Some(until) = valid_until {
        wait = wait.min(until - now);
    }
    now + wait.clamp(MIN_REFRESH, MAX_REFRESH)
}

/// The wait after `failures` failed fetches in a row.
pub(crate) fn backoff(failures: i32) -> Duration {
    let doublings = failures.clamp(1, 12) - 1;
    (FIRST_BACKOFF * 2i32.pow(doublings as u32)).min(MAX_BACKOFF)
}

impl Identity {
    /// The metadata URL of the tenant's connection and its last fetches.
    pub async fn idp_metadata_status(&self, scope: &AdminScope) -> Result<MetadataUrlStatus> {
        let conn = self.load_connection(&self.db, scope.tenant_id()).await?;
        let status = sso_metadata_status::Entity::find_by_id(scope.tenant_id().as_uuid()).one(&self.db).await?;
        Ok(MetadataUrlStatus {
            url: conn.metadata_url,
            auto_promote: conn.metadata_auto_promote,
            last_attempt_at: status.as_ref().and_then(|s| s.last_attempt_at),
            last_success_at: status.as_ref().and_then(|s| s.last_success_at),
            last_error: status.as_ref().and_then(|s| s.last_error.clone()),
            failures: status.as_ref().map_or(0, |s| s.failures),
            next_fetch_at: status.and_then(|s| s.next_fetch_at),
        })
    }

    /// Sets (or with `None` clears) the metadata URL. A URL is fetched first: when the fetch
    /// fails or the metadata is unusable, nothing is saved and the error names `metadataUrl`.
    /// Otherwise the URL, `auto_promote` and what the metadata says are saved together.
    #[tracing::instrument(skip(self, scope), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn set_idp_metadata_url(
        &self,
        scope: &AdminScope,
        url: Option<String>,
        auto_promote: bool,
    ) -> Result<MetadataUrlStatus> {
        let now = self.now();
        let dev_mode = self.tenant_dev_mode(scope.tenant_id()).await?;
        let url = match url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            Some(u) => Some(validate::idp_url("metadataUrl", u, dev_mode).map_err(|e| Error::Validation(vec![e]))?),
            None => None,
        };
        let fetched = match &url {
            Some(u) => Some(self.fetch_metadata(u, dev_mode).await.map_err(|e| Error::invalid("metadataUrl", e))?),
            None => None,
        };
        let txn = self.begin_write().await?;
        let before = self.load_connection(&txn, scope.tenant_id()).await?;
        sso_connection::Entity::update_many()
            .col_expr(sso_connection::Column::MetadataUrl, Expr::value(url.clone()))
            .col_expr(sso_connection::Column::MetadataAutoPromote, Expr::value(auto_promote))
            .filter(sso_connection::Column::Id.eq(before.id.as_uuid()))
            .filter(sso_connection::Column::TenantId.eq(scope.tenant_id().as_uuid()))
            .exec(&txn)
            .await?;
        let mut after = self.load_connection(&txn, scope.tenant_id()).await?;
        match fetched {
            Some(md) => {
                let changes =
                    self.apply_metadata(&txn, scope, &after, &md, dev_mode, now).await.map_err(|e| match e {
                        Unusable::Refused(text) => Error::invalid("metadataUrl", text),
                        Unusable::Store(e) => e,
                    })?;
                if !changes.settings_changed && changes.trusted.is_empty() {
                    // The auto-promotion setting changes what a refresh does: a new version still.
                    bump_version(&txn, scope, &after).await?;
                }
                write_status(&txn, scope.tenant_id(), now, Ok(next_refresh_of(&md, now)), 0).await?;
            }
            None => {
                bump_version(&txn, scope, &after).await?;
                sso_metadata_status::Entity::delete_by_id(scope.tenant_id().as_uuid()).exec(&txn).await?;
            }
        }
        after = self.publish_immediate(&txn, scope, &before, PublishAction::Metadata, now).await?;
        let audit_view = |c: &SsoConnection| serde_json::json!({"metadataUrl": c.metadata_url, "autoPromote": c.metadata_auto_promote});
        audit::record(
            &txn,
            now,
            Change::in_scope(
                scope,
                "sso_connection.metadata_url",
                "sso_connection",
                after.id,
                Some(audit_view(&before)),
                Some(audit_view(&after)),
            ),
        )
        .await?;
        txn.commit().await?;
        self.idp_metadata_status(scope).await
    }

    /// Fetches the metadata URL now (the console's "Refresh now"). A failure is recorded in
    /// the status (and retried with back-off), not returned as an error.
    #[tracing::instrument(skip(self, scope), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn refresh_idp_metadata(&self, scope: &AdminScope) -> Result<MetadataUrlStatus> {
        let conn = self.load_connection(&self.db, scope.tenant_id()).await?;
        if conn.metadata_url.is_none() {
            return Err(Error::invalid("metadataUrl", "no metadata URL is set"));
        }
        self.refresh_tenant(scope).await?;
        self.idp_metadata_status(scope).await
    }

    /// The scheduler's tick: refreshes the tenants whose next fetch is due, each claimed
    /// first so replicas do not fetch the same URL twice. Returns how many were fetched.
    #[tracing::instrument(skip(self, _operator), err)]
    pub async fn refresh_due_idp_metadata(&self, _operator: &OperatorScope) -> Result<usize> {
        let now = self.now();
        let due = sso_metadata_status::Entity::find()
            .filter(sso_metadata_status::Column::NextFetchAt.lte(now))
            .limit(BATCH)
            .all(&self.db)
            .await?;
        let mut done = 0;
        for row in due {
            let claimed = sso_metadata_status::Entity::update_many()
                .col_expr(sso_metadata_status::Column::NextFetchAt, Expr::value(now + CLAIM))
                .filter(sso_metadata_status::Column::TenantId.eq(row.tenant_id))
                .filter(sso_metadata_status::Column::NextFetchAt.eq(row.next_fetch_at))
                .exec(&self.db)
                .await?
                .rows_affected
                == 1;
            if !claimed {
                continue;
            }
            let scope = AdminScope::for_system(TenantId::from(row.tenant_id), Actor::system("metadata refresh"));
            if let Err(e) = self.refresh_tenant(&scope).await {
                tracing::warn!(tenant_id = %row.tenant_id, error = %e, "metadata refresh failed");
            }
            done += 1;
        }
        Ok(done)
    }

    /// Fetches and applies one tenant's metadata; records success or the error.
    async fn refresh_tenant(&self, scope: &AdminScope) -> Result<()> {
        let now = self.now();
        let dev_mode = self.tenant_dev_mode(scope.tenant_id()).await?;
        let conn = self.load_connection(&self.db, scope.tenant_id()).await?;
        let Some(url) = conn.metadata_url.clone() else { return Ok(()) };
        let failures = sso_metadata_status::Entity::find_by_id(scope.tenant_id().as_uuid())
            .one(&self.db)
            .await?
            .map_or(0, |s| s.failures);
        let fetched = self.fetch_metadata(&url, dev_mode).await;
        let txn = self.begin_write().await?;
        let outcome = match fetched {
            Err(text) => Err(text),
            Ok(md) => {
                // Re-read inside the transaction: the admin may have saved meanwhile.
                let conn = self.load_connection(&txn, scope.tenant_id()).await?;
                match self.apply_metadata(&txn, scope, &conn, &md, dev_mode, now).await {
                    Ok(changes) => {
                        if changes.settings_changed || !changes.trusted.is_empty() {
                            self.publish_immediate(&txn, scope, &conn, PublishAction::Metadata, now).await?;
                        }
                        Ok(next_refresh_of(&md, now))
                    }
                    Err(Unusable::Refused(text)) => Err(text),
                    Err(Unusable::Store(e)) => return Err(e),
                }
            }
        };
        let failures = if outcome.is_ok() { 0 } else { failures + 1 };
        write_status(&txn, scope.tenant_id(), now, outcome, failures).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Fetches and reads metadata; the error is a sentence for the admin.
    async fn fetch_metadata(&self, url: &str, dev_mode: bool) -> std::result::Result<Fetched, String> {
        let fetcher =
            self.fetcher.as_ref().ok_or_else(|| "outbound requests are not configured on this server".to_owned())?;
        let answer = fetcher.get(url, dev_mode).await.map_err(|e| format!("fetching {url} failed: {e}"))?;
        let text = String::from_utf8(answer.body).map_err(|_| "the metadata is not UTF-8 text".to_owned())?;
        let md = gatehouse_saml::metadata::import_idp_metadata(&text).map_err(|e| e.to_string())?;
        let valid_until = match &md.valid_until {
            None => None,
            Some(v) => Some(
                DateTime::parse_from_rfc3339(v)
                    .map_err(|_| format!("the metadata's validUntil {v:?} is not a date"))?
                    .with_timezone(&Utc),
            ),
        };
        if valid_until.is_some_and(|v| v <= self.now()) {
            return Err(format!("the metadata expired (validUntil {})", md.valid_until.unwrap_or_default()));
        }
        let cache_duration = md.cache_duration.as_deref().and_then(parse_duration);
        Ok(Fetched { md, valid_until, cache_duration })
    }

    async fn tenant_dev_mode(&self, tenant_id: TenantId) -> Result<bool> {
        Ok(tenant::Entity::find_by_id(tenant_id.as_uuid())
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound { what: "tenant" })?
            .dev_mode)
    }

    /// Applies usable metadata to the connection inside `txn`; refuses (changing nothing)
    /// metadata for another issuer or with unusable URLs.
    async fn apply_metadata(
        &self,
        txn: &DatabaseTransaction,
        scope: &TenantScope,
        conn: &SsoConnection,
        fetched: &Fetched,
        dev_mode: bool,
        now: DateTime<Utc>,
    ) -> std::result::Result<MetadataChanges, Unusable> {
        let md = &fetched.md;
        if let Some(issuer) = &conn.issuer
            && issuer != &md.entity_id
        {
            return Err(Unusable::Refused(format!(
                "the metadata is for the issuer {:?}, but this connection's IdP Issuer is {issuer:?}; change the issuer first if the IdP really changed",
                md.entity_id
            )));
        }
        let login_url = validate::idp_url("loginUrl", &md.sso_url, dev_mode)
            .map_err(|e| Unusable::Refused(format!("the metadata's SingleSignOnService: {}", e.message)))?;
        let logout_url = match &md.slo_url {
            Some(u) => Some(
                validate::idp_url("logoutUrl", u, dev_mode)
                    .map_err(|e| Unusable::Refused(format!("the metadata's SingleLogoutService: {}", e.message)))?,
            ),
            None => None,
        };
        let mut changes = MetadataChanges::default();
        let staged: Vec<String> = idp_staged_certificate::Entity::find()
            .filter(idp_staged_certificate::Column::TenantId.eq(scope.tenant_id().as_uuid()))
            .all(txn)
            .await?
            .into_iter()
            .map(|s| s.fingerprint_sha256)
            .collect();
        let mut trusted_count = conn.certificates.len();
        for cert in md.certificates.iter().filter(|c| c.not_after > now) {
            if conn.certificates.iter().any(|c| c.fingerprint_sha256 == cert.fingerprint_sha256) {
                continue;
            }
            let trust_now =
                (conn.certificates.is_empty() || conn.metadata_auto_promote) && trusted_count < super::MAX_CERTIFICATES;
            if trust_now {
                store_certificate(txn, scope, conn.id, cert, now).await?;
                idp_staged_certificate::Entity::delete_many()
                    .filter(idp_staged_certificate::Column::TenantId.eq(scope.tenant_id().as_uuid()))
                    .filter(idp_staged_certificate::Column::FingerprintSha256.eq(cert.fingerprint_sha256.as_str()))
                    .exec(txn)
                    .await?;
                trusted_count += 1;
                changes.trusted.push(cert.fingerprint_sha256.clone());
            } else if !staged.contains(&cert.fingerprint_sha256) {
                stage_certificate(txn, scope, conn.id, cert, now).await?;
                changes.staged.push(cert.fingerprint_sha256.clone());
            }
        }
        let issuer = conn.issuer.clone().unwrap_or_else(|| md.entity_id.clone());
        changes.settings_changed = conn.login_url.as_deref() != Some(login_url.as_str())
            || conn.logout_url != logout_url
            || conn.issuer.as_deref() != Some(issuer.as_str());
        if changes.settings_changed {
            let taken = sso_connection::Entity::find()
                .filter(sso_connection::Column::Issuer.eq(issuer.as_str()))
                .filter(sso_connection::Column::TenantId.ne(scope.tenant_id().as_uuid()))
                .one(txn)
                .await?
                .is_some();
            if taken {
                return Err(Unusable::Refused(format!(
                    "the metadata's issuer {issuer:?} is already used by another tenant"
                )));
            }
            sso_connection::Entity::update_many()
                .col_expr(sso_connection::Column::LoginUrl, Expr::value(login_url))
                .col_expr(sso_connection::Column::LogoutUrl, Expr::value(logout_url))
                .col_expr(sso_connection::Column::Issuer, Expr::value(issuer))
                .filter(sso_connection::Column::Id.eq(conn.id.as_uuid()))
                .filter(sso_connection::Column::TenantId.eq(scope.tenant_id().as_uuid()))
                .exec(txn)
                .await?;
        }
        if changes.settings_changed || !changes.trusted.is_empty() {
            bump_version(txn, scope, conn).await?;
            let after = self.load_connection(txn, scope.tenant_id()).await?;
            let view = |c: &SsoConnection| snapshot(&SsoConnection { certificates: Vec::new(), ..c.clone() });
            audit::record(
                txn,
                now,
                Change::in_scope(
                    scope,
                    "sso_connection.metadata_refresh",
                    "sso_connection",
                    conn.id,
                    view(conn),
                    view(&after),
                ),
            )
            .await?;
        }
        Ok(changes)
    }
}

/// A fetched, readable metadata document and its caching hints.
struct Fetched {
    md: gatehouse_saml::metadata::IdpMetadata,
    valid_until: Option<DateTime<Utc>>,
    cache_duration: Option<Duration>,
}

fn next_refresh_of(f: &Fetched, now: DateTime<Utc>) -> DateTime<Utc> {
    next_refresh(now, f.cache_duration, f.valid_until)
}

/// Why metadata was not applied: the admin's problem (recorded), or ours (an error).
enum Unusable {
    Refused(String),
    Store(Error),
}

impl From<Error> for Unusable {
    fn from(e: Error) -> Self {
        Unusable::Store(e)
    }
}

impl From<sea_orm::DbErr> for Unusable {
    fn from(e: sea_orm::DbErr) -> Self {
        Unusable::Store(e.into())
    }
}

/// Records a fetch: `Ok(next)` a usable document, `Err(text)` why not (retried after back-off).
async fn write_status(
    txn: &DatabaseTransaction,
    tenant_id: TenantId,
    now: DateTime<Utc>,
    outcome: std::result::Result<DateTime<Utc>, String>,
    failures: i32,
) -> Result<()> {
    let (success, error, next) = match outcome {
        Ok(next) => (Some(now), None, next),
        Err(text) => (None, Some(text.chars().take(1000).collect::<String>()), now + backoff(failures)),
    };
    let mut columns = vec![
        sso_metadata_status::Column::LastAttemptAt,
        sso_metadata_status::Column::LastError,
        sso_metadata_status::Column::Failures,
        sso_metadata_status::Column::NextFetchAt,
    ];
    if success.is_some() {
        columns.push(sso_metadata_status::Column::LastSuccessAt);
    }
    sso_metadata_status::Entity::insert(sso_metadata_status::ActiveModel {
        tenant_id: Set(tenant_id.as_uuid()),
        last_attempt_at: Set(Some(now)),
        last_success_at: Set(success),
        last_error: Set(error),
        failures: Set(failures),
        next_fetch_at: Set(Some(next)),
    })
    .on_conflict(OnConflict::column(sso_metadata_status::Column::TenantId).update_columns(columns).to_owned())
    .exec(txn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_refresh_bounds() {
        assert_eq!(parse_duration("PT6H"), Some(Duration::hours(6)));
        assert_eq!(parse_duration("P1DT2H30M"), Some(Duration::minutes(26 * 60 + 30)));
        assert_eq!(parse_duration("PT5M"), Some(Duration::minutes(5)));
        assert_eq!(parse_duration("6H"), None);
        assert_eq!(parse_duration("PT"), Some(Duration::zero()));
        assert_eq!(parse_duration("P1X"), None);
        let now = Utc::now();
        assert_eq!(next_refresh(now, None, None), now + DEFAULT_REFRESH);
        assert_eq!(next_refresh(now, Some(Duration::minutes(5)), None), now + MIN_REFRESH);
        assert_eq!(next_refresh(now, Some(Duration::days(30)), None), now + MAX_REFRESH);
        assert_eq!(next_refresh(now, None, Some(now + Duration::hours(3))), now + Duration::hours(3));
        assert_eq!(backoff(1), Duration::minutes(5));
        assert_eq!(backoff(2), Duration::minutes(10));
        assert_eq!(backoff(50), MAX_BACKOFF);
    }
}
