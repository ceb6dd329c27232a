//! Throttling that holds across replicas, and the bounded pool password hashing runs in.
//!
//! Counters live in the `rate_limits` table, one row per key (an account's e-mail, a
//! client address, an IdP issuer, a SCIM or API token; stored as a SHA-256, never in
//! clear). One atomic upsert both decides and counts an attempt, so replicas on one
//! PostgreSQL enforce one limit and no read-modify-write race lets parallel requests slip
//! through. A key's policy: `free` attempts per window at once, then each further attempt
//! must wait `base · 2^k` after the one before (k = 0, 1, 2 …), at most `cap`; attempts
//! refused while waiting are not counted; a window that began `window` ago starts over. Old rows are purged by [`Identity::purge_rate_limits`].
//!
//! Who calls what:
//! - password sign-in ([`Identity::sign_in`]) counts every attempt against the account
//!   *before* hashing and forgets the count on a right password; the client address is
//!   checked before hashing and counts wrong passwords only;
//! - the ACS handler asks [`Identity::acs_admission`] before validating and
//!   [`Identity::acs_failed`] after a refusal (per issuer and per address);
//! - SCIM and token-authenticated GraphQL count requests per token
//!   ([`Identity::admit_scim_request`], [`Identity::admit_api_request`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration as StdDuration;

use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use crate::Identity;
use crate::error::{Error, Result};
use gatehouse_saml::error::ValidationError;
use gatehouse_saml::response::ResponsePeek;

/// What [`Identity::acs_admission`] decided for one SAML Response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcsAdmission {
    /// Refuse unchecked: the client's address waits this many seconds.
    pub address_wait: Option<u64>,
    /// Validate, but keep refusals out of the sign-in log (the Issuer is over its budget).
    pub quiet_failures: bool,
    /// The Response's unverified Issuer and InResponseTo (or why they could not be read),
    /// read once here and handed on to the ACS ([`Identity::consume_admitted_response`]).
    pub(crate) peek: std::result::Result<ResponsePeek, ValidationError>,
    /// The request and connection the Response names, read with the back-off state.
    pub(crate) routing: Option<crate::sso::Routing>,
}
use crate::auth::principal::{Principal, ScimScope, Who};

/// One throttle's rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Attempts a key may make per window before back-off starts.
    pub free: u32,
    /// A window this old starts over.
    pub window: StdDuration,
    /// The first wait once `free` is used up; each further attempt doubles it.
    pub base: StdDuration,
    /// The longest wait.
    pub cap: StdDuration,
}

impl Policy {
    fn millis(d: StdDuration) -> i64 {
        i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4)
    }
}

/// Every limit Gatehouse enforces on attempts and on password hashing.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Password sign-in attempts per account (the e-mail, known or not).
    pub password_per_account: Policy,
    /// Failed password sign-ins per client address.
    pub password_per_address: Policy,
    /// Refused SAML Responses per Issuer (as the Response names it).
    pub acs_per_issuer: Policy,
    /// Refused SAML Responses per client address.
    pub acs_per_address: Policy,
    /// SCIM requests per SCIM token.
    pub scim_per_token: Policy,
    /// GraphQL requests per API token.
    pub api_per_token: Policy,
    /// Password hashes computed at once (each holds ~19 MiB).
    pub hashing_concurrency: usize,
    /// Sign-ins that may wait for a hashing slot (they hold no hashing memory while they
    /// wait); one more is refused at once.
    pub hashing_queue: usize,
    /// How long a sign-in waits for a free hashing slot before it is refused.
    pub hashing_wait: StdDuration,
}

impl Default for Limits {
    fn default() -> Self {
        let backoff = |free, window_secs| Policy {
            free,
            window: StdDuration::from_secs(window_secs),
            base: StdDuration::from_secs(1),
            cap: StdDuration::from_secs(15 * 60),
        };
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Limits {
            password_per_account: backoff(5, 3600),
            password_per_address: backoff(50, 3600),
            acs_per_issuer: Policy { cap: StdDuration::from_secs(60), ..backoff(100, 900) },
            acs_per_address: backoff(20, 900),
            scim_per_token: Policy { cap: StdDuration::from_secs(60), ..backoff(3000, 60) },
            api_per_token: Policy { cap: StdDuration::from_secs(60), ..backoff(1200, 60) },
            hashing_concurrency: 2 * cores,
            hashing_queue: 16 * cores,
            hashing_wait: StdDuration::from_secs(5),
        }
    }
}

/// The limits and the hashing pool of one process (the counters are in the database).
pub(crate) struct Throttle {
    limits: Limits,
    hashing: Arc<Semaphore>,
    /// Callers waiting for a hashing slot now.
    waiting: AtomicUsize,
}

impl Throttle {
    pub(crate) fn new(limits: Limits) -> Self {
        let hashing = Arc::new(Semaphore::new(limits.hashing_concurrency.max(1)));
        Throttle { limits, hashing, waiting: AtomicUsize::new(0) }
    }
}

/// Counts one waiting caller for as long as it lives.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// What a counter is kept for; the kind keeps equal values of different kinds apart.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Key<'a> {
    Account(&'a str),
    PasswordAddress(&'a str),
    AcsIssuer(&'a str),
    AcsAddress(&'a str),
    ScimToken(&'a str),
    ApiToken(&'a str),
}

impl Key<'_> {
    pub(crate) fn stored(&self) -> String {
        let (kind, value) = match self {
            Key::Account(v) => ("account", v),
            Key::PasswordAddress(v) => ("password-address", v),
            Key::AcsIssuer(v) => ("acs-issuer", v),
            Key::AcsAddress(v) => ("acs-address", v),
            Key::ScimToken(v) => ("scim-token", v),
            Key::ApiToken(v) => ("api-token", v),
        };
        hex::encode(Sha256::digest(format!("{kind}\n{value}").as_bytes()))
    }

    fn policy(&self, limits: &Limits) -> Policy {
        match self {
            Key::Account(_) => limits.password_per_account,
            Key::PasswordAddress(_) => limits.password_per_address,
            Key::AcsIssuer(_) => limits.acs_per_issuer,
            Key::AcsAddress(_) => limits.acs_per_address,
            Key::ScimToken(_) => limits.scim_per_token,
            Key::ApiToken(_) => limits.api_per_token,
        }
    }
}

/// The wait after the `hits`-th attempt of a window, as SQL over SQL operands: nothing
/// before `free` attempts, then `base · 2^(hits − free)`, at most `cap` — so once `free`
/// attempts are used the next waits `base`, the one after `2·base`, and so on. The one
/// place the back-off rule is written; the upsert and the take-back both use it.
fn wait_sql(hits: &str, free: &str, base: &str, cap: &str) -> String {
    let over = format!("({hits} - {free})");
    format!(
        "(CASE WHEN {hits} < {free} THEN 0 \
         WHEN {over} >= 40 THEN {cap} \
         WHEN (CAST({base} AS BIGINT) << {over}) >= {cap} THEN {cap} \
         ELSE (CAST({base} AS BIGINT) << {over}) END)"
    )
}

/// The instant the next attempt is allowed: `now + wait`, or 0 (no wait) when the wait is 0.
/// Never `now` itself: each request stamps its own `now` before its statement runs, so a
/// concurrent request stamped a millisecond earlier would take that for a back-off and be
/// refused although nothing is over its limit.
fn next_allowed_sql(now: &str, wait: &str) -> String {
    format!("(CASE WHEN {wait} = 0 THEN 0 ELSE {now} + {wait} END)")
}

/// A statement's bound values and their placeholders as the backend spells them. The
/// clock is bound too, never written into the SQL: the text of each statement then stays
/// the same from call to call, so both backends reuse its prepared form. SQLite's `?` are
/// positional: bind in the order the placeholders appear in the SQL.
struct Params {
    backend: DbBackend,
    values: Vec<Value>,
}

impl Params {
    fn new(backend: DbBackend) -> Params {
        Params { backend, values: Vec::new() }
    }

    /// Binds `value`; returns its placeholder.
    fn bind(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        match self.backend {
            DbBackend::Postgres => format!("${}", self.values.len()),
            _ => "?".to_owned(),
        }
    }

    /// Binds every key's stored form; returns the placeholders joined for an `IN (…)`.
    fn keys(&mut self, keys: &[Key<'_>]) -> String {
        keys.iter().map(|k| self.bind(k.stored())).collect::<Vec<_>>().join(", ")
    }

    fn statement(self, sql: String) -> Statement {
        Statement::from_sql_and_values(self.backend, sql, self.values)
    }
}

fn retry_after_secs(next_allowed_ms: i64, now_ms: i64) -> u64 {
    u64::try_from((next_allowed_ms - now_ms + 999) / 1000).unwrap_or(0).max(1)
}

/// The refusal a client sees.
pub(crate) fn refused(what: &str, retry_after_secs: u64) -> Error {
    Error::RateLimited { message: format!("{what}; try again in {retry_after_secs} seconds"), retry_after_secs }
}

impl Identity {
    /// Replaces the default limits (and sizes the hashing pool).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.throttle = Arc::new(Throttle::new(limits));
        self
    }

    fn now_ms(&self) -> i64 {
        self.now().timestamp_millis()
    }

    /// Counts one attempt for every key, atomically, unless the key is waiting out a
    /// back-off. `Ok(None)`: admitted by all; `Ok(Some(secs))`: refused by at least one
    /// (a key that admitted counted the attempt all the same), retry after `secs`.
    pub(crate) async fn count_attempt(&self, keys: &[Key<'_>]) -> Result<Option<u64>> {
        self.count_attempt_unless(keys, &[]).await
    }

    /// [`Self::count_attempt`], unless one of the `guards` is waiting out a back-off: then
    /// nothing is counted and the guard's wait is the answer. Check and count are one
    /// statement — one round trip on the hot path of every password sign-in.
    pub(crate) async fn count_attempt_unless(&self, keys: &[Key<'_>], guards: &[Key<'_>]) -> Result<Option<u64>> {
        if keys.is_empty() {
            return self.pending_wait(guards).await;
        }
        match self.count_unless_once(keys, guards).await? {
            Some(counted) => Ok(counted),
            // A guard is waiting out a back-off. Should it have ended since the statement
            // ran, the attempt is counted after all rather than slipping through uncounted.
            None => match self.pending_wait(guards).await? {
                Some(secs) => Ok(Some(secs)),
                None => Ok(self.count_unless_once(keys, &[]).await?.flatten()),
            },
        }
    }

    /// One counting statement; `None` when a guard stopped it (nothing was counted).
    async fn count_unless_once(&self, keys: &[Key<'_>], guards: &[Key<'_>]) -> Result<Option<Option<u64>>> {
        let now = self.now_ms();
        let mut p = Params::new(self.db.get_database_backend());
        let mut rows = Vec::with_capacity(keys.len());
        for key in keys {
            let policy = key.policy(&self.throttle.limits);
            let (free, base, cap, window) = (
                policy.free.min(i32::MAX as u32),
                Policy::millis(policy.base),
                Policy::millis(policy.cap),
                Policy::millis(policy.window),
            );
            let first_wait = wait_sql("1", &free.to_string(), &base.to_string(), &cap.to_string());
            let (stored, start) = (p.bind(key.stored()), p.bind(now));
            let first_next = next_allowed_sql(&p.bind(now), &first_wait);
            let unblocked = if guards.is_empty() {
                "1 = 1".to_owned()
            } else {
                // Bound in the order the placeholders appear: SQLite's `?` are positional.
                let listed = p.keys(guards);
                let at = p.bind(now);
                format!(
                    "NOT EXISTS (SELECT 1 FROM rate_limits g WHERE g.\"key\" IN ({listed}) AND g.next_allowed_ms > {at})"
                )
            };
            // The SELECT form (not VALUES) so the guard can be its WHERE; a WHERE also keeps
            // SQLite from reading `ON CONFLICT` as part of the SELECT.
            rows.push(format!(
                "SELECT {stored}, 1, {start}, {first_next}, 1, {free}, {base}, {cap}, {window} WHERE {unblocked}"
            ));
        }
        // The row being inserted carries this statement's clock as its window start, so the
        // conflict branch reads `now` from `excluded` instead of from a value in the SQL.
        let now_sql = "excluded.window_start_ms";
        let blocked = format!("rate_limits.next_allowed_ms > {now_sql}");
        let expired = format!("rate_limits.window_start_ms + excluded.window_ms <= {now_sql}");
        let restart_wait = wait_sql("1", "excluded.free_hits", "excluded.base_ms", "excluded.cap_ms");
        let next_wait = wait_sql("(rate_limits.hits + 1)", "excluded.free_hits", "excluded.base_ms", "excluded.cap_ms");
        let (restart_next, next_next) =
            (next_allowed_sql(now_sql, &restart_wait), next_allowed_sql(now_sql, &next_wait));
        let sql = format!(
            "INSERT INTO rate_limits (\"key\", hits, window_start_ms, next_allowed_ms, admitted, free_hits, base_ms, cap_ms, window_ms) \
             {rows} ON CONFLICT (\"key\") DO UPDATE SET \
             hits = CASE WHEN {blocked} THEN rate_limits.hits WHEN {expired} THEN 1 ELSE rate_limits.hits + 1 END, \
             window_start_ms = CASE WHEN {blocked} THEN rate_limits.window_start_ms WHEN {expired} THEN {now_sql} ELSE rate_limits.window_start_ms END, \
             next_allowed_ms = CASE WHEN {blocked} THEN rate_limits.next_allowed_ms WHEN {expired} THEN {restart_next} ELSE {next_next} END, \
             admitted = CASE WHEN {blocked} THEN 0 ELSE 1 END, \
             free_hits = excluded.free_hits, base_ms = excluded.base_ms, cap_ms = excluded.cap_ms, window_ms = excluded.window_ms \
             RETURNING admitted, next_allowed_ms",
            rows = rows.join(" UNION ALL "),
        );
        let returned = self.db.query_all_raw(p.statement(sql)).await?;
        if returned.is_empty() {
            return Ok(None);
        }
        let mut refusal: Option<u64> = None;
        for row in returned {
            let admitted: i32 = row.try_get("", "admitted")?;
            let next_allowed: i64 = row.try_get("", "next_allowed_ms")?;
            if admitted == 0 {
                let secs = retry_after_secs(next_allowed, now);
                refusal = Some(refusal.map_or(secs, |r| r.max(secs)));
            }
        }
        Ok(Some(refusal))
    }

    /// Read only: the wait, if any key is waiting out a back-off.
    pub(crate) async fn pending_wait(&self, keys: &[Key<'_>]) -> Result<Option<u64>> {
        if keys.is_empty() {
            return Ok(None);
        }
        let now = self.now_ms();
        let mut p = Params::new(self.db.get_database_backend());
        let (ph, at) = (p.keys(keys), p.bind(now));
        let sql = format!(
            "SELECT MAX(next_allowed_ms) AS next_allowed_ms FROM rate_limits WHERE \"key\" IN ({ph}) AND next_allowed_ms > {at}"
        );
        let row = self.db.query_one_raw(p.statement(sql)).await?;
        let next: Option<i64> = match row {
            Some(r) => r.try_get("", "next_allowed_ms")?,
            None => None,
        };
        Ok(next.map(|n| retry_after_secs(n, now)))
    }

    /// Takes one counted attempt back (it turned out not to be a failure), shortening
    /// the wait to what the remaining count calls for.
    pub(crate) async fn take_back(&self, keys: &[Key<'_>]) -> Result<()> {
        if keys.is_empty() {
            return Ok(());
        }
        let now = self.now_ms();
        let mut p = Params::new(self.db.get_database_backend());
        let wait = wait_sql("(hits - 1)", "free_hits", "base_ms", "cap_ms");
        let (first, second) = (next_allowed_sql(&p.bind(now), &wait), next_allowed_sql(&p.bind(now), &wait));
        let ph = p.keys(keys);
        let sql = format!(
            "UPDATE rate_limits SET \
             next_allowed_ms = CASE WHEN next_allowed_ms < {first} THEN next_allowed_ms ELSE {second} END, \
             hits = CASE WHEN hits > 0 THEN hits - 1 ELSE 0 END \
             WHERE \"key\" IN ({ph})"
        );
        self.db.execute_raw(p.statement(sql)).await?;
        Ok(())
    }

    /// Forgets the keys' counts (the account's owner proved the password), on `conn` — the
    /// sign-in's own transaction, so the reset commits with the session it made.
    pub(crate) async fn forget(&self, conn: &impl ConnectionTrait, keys: &[Key<'_>]) -> Result<()> {
        if keys.is_empty() {
            return Ok(());
        }
        let mut p = Params::new(conn.get_database_backend());
        let sql = format!("DELETE FROM rate_limits WHERE \"key\" IN ({})", p.keys(keys));
        conn.execute_raw(p.statement(sql)).await?;
        Ok(())
    }

    /// Deletes counters whose window and back-off are both over; returns how many.
    pub async fn purge_rate_limits(&self) -> Result<u64> {
        let now = self.now_ms();
        let mut p = Params::new(self.db.get_database_backend());
        let (a, b) = (p.bind(now), p.bind(now));
        let sql =
            format!("DELETE FROM rate_limits WHERE window_start_ms + window_ms <= {a} AND next_allowed_ms <= {b}");
        let done = self.db.execute_raw(p.statement(sql)).await?;
        Ok(done.rows_affected())
    }

    /// Runs a password hash or check on the blocking pool, at most
    /// `hashing_concurrency` at once. When every slot is busy a caller waits (at most
    /// `hashing_queue` callers, at most `hashing_wait` each); beyond that it is refused at
    /// once instead of piling up more work and memory.
    pub(crate) async fn hashing<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
        let t = &self.throttle;
        let permit = match t.hashing.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_busy) => {
                let waiting = Waiting(&t.waiting);
                if waiting.0.fetch_add(1, Ordering::SeqCst) >= t.limits.hashing_queue {
                    tracing::warn!(reason = "hashing_queue_full", "password check refused: the hashing queue is full");
                    return Err(refused("Gatehouse is busy checking other passwords", 1));
                }
                match tokio::time::timeout(t.limits.hashing_wait, t.hashing.clone().acquire_owned()).await {
                    Ok(Ok(permit)) => permit,
                    Ok(Err(_closed)) => {
                        return Err(Error::internal("the password hashing pool is closed"));
                    }
                    Err(_elapsed) => {
                        tracing::warn!(
                            reason = "hashing_wait_exceeded",
                            "password check refused: no hashing slot came free in time"
                        );
                        return Err(refused("Gatehouse is busy checking other passwords", 1));
                    }
                }
            }
        };
        tokio::task::spawn_blocking(move || {
            let _slot = permit;
            work()
        })
        .await
        .map_err(|e| Error::internal(format!("password hashing task failed: {e}")))
    }

    /// Hashes a new password in the bounded pool.
    pub(crate) async fn hash_password(&self, password: &str) -> Result<String> {
        let password = password.to_owned();
        self.hashing(move || crate::secrets::hash_password(&password)).await?
    }

    /// Counts one SCIM request against its token.
    pub async fn admit_scim_request(&self, scope: &ScimScope) -> Result<()> {
        let token = scope.actor().id.clone().unwrap_or_default();
        match self.count_attempt(&[Key::ScimToken(&token)]).await? {
            None => Ok(()),
            Some(secs) => {
                tracing::info!(reason = "scim_rate_limited", tenant_id = %scope.tenant_id(), retry_after_secs = secs, "SCIM request refused");
                Err(refused("this SCIM token sent too many requests", secs))
            }
        }
    }

    /// Counts one GraphQL request against its API token (other principals pass).
    pub async fn admit_api_request(&self, principal: &Principal) -> Result<()> {
        let Who::ApiToken { token_id, tenant_id, .. } = &principal.who else {
            return Ok(());
        };
        let token = token_id.to_string();
        match self.count_attempt(&[Key::ApiToken(&token)]).await? {
            None => Ok(()),
            Some(secs) => {
                tracing::info!(reason = "api_rate_limited", tenant_id = %tenant_id, retry_after_secs = secs, "API request refused");
                Err(refused("this API token sent too many requests", secs))
            }
        }
    }

    /// Before a SAML Response is validated. While the client's address is waiting out a
    /// back-off the Response is refused unchecked (`address_wait`, seconds). The Issuer is
    /// read before any signature check, so anyone can name it: an Issuer over its failure
    /// budget never holds a Response up — it is validated as usual, and only its refusals
    /// stay out of the tenant's sign-in log (`quiet_failures`), so a flood can neither fill
    /// that log nor pause the tenant's SSO.
    pub async fn acs_admission(&self, saml_response: &str, client_address: Option<&str>) -> Result<AcsAdmission> {
        let peek = gatehouse_saml::response::peek_response(saml_response);
        let now = self.now_ms();
        // One statement reads both keys' back-off and, for a readable Response, the rows the
        // ACS routes it by (`sso::routing`).
        let read = self
            .admission_read(
                client_address.map(|a| Key::AcsAddress(a).stored()),
                peek.as_ref().ok().map(|p| Key::AcsIssuer(&p.issuer).stored()),
                now,
                peek.as_ref().ok(),
            )
            .await?;
        let address_wait = read.address_next.map(|next| retry_after_secs(next, now));
        let issuer_waiting = read.issuer_next.is_some();
        Ok(AcsAdmission {
            address_wait,
            quiet_failures: address_wait.is_none() && issuer_waiting,
            peek,
            routing: read.routing,
        })
    }

    /// After the ACS refused a Response: one failure for its Issuer and the address.
    pub async fn acs_failed(&self, admission: &AcsAdmission, client_address: Option<&str>) -> Result<()> {
        let mut keys = Vec::with_capacity(2);
        if let Ok(i) = admission.peek.as_ref().map(|p| p.issuer.as_str()) {
            keys.push(Key::AcsIssuer(i));
        }
        if let Some(a) = client_address {
            keys.push(Key::AcsAddress(a));
        }
        self.count_attempt(&keys).await.map(|_| ())
    }
}
