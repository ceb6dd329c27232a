//! The counters behind `/metrics`: fixed-size tables of atomics, so recording is a few
//! relaxed adds with no lock and no allocation. The only lock is taken the first time a
//! route template is seen (once per route per process); readers never take it.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use axum::http::Method;
use gatehouse_identity::SignInReason;

/// Bucket upper bounds in microseconds, and the same bounds as Prometheus `le` labels.
const BOUNDS_MICROS: [u64; 14] = [
    1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000,
    10_000_000, 30_000_000,
];
pub(crate) const BOUNDS_LE: [&str; 14] =
    ["0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "30"];

/// A latency histogram: per-bucket counts (not cumulative; summed when rendered), the
/// count and the sum in microseconds.
pub(crate) struct Histogram {
    buckets: [AtomicU64; BOUNDS_MICROS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Histogram {
    pub(crate) const fn new() -> Histogram {
        Histogram {
            buckets: [const { AtomicU64::new(0) }; BOUNDS_MICROS.len()],
            count: AtomicU64::new(0),
            sum_micros: AtomicU64::new(0),
        }
    }

    pub(crate) fn observe(&self, elapsed: Duration) {
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        if let Some(i) = BOUNDS_MICROS.iter().position(|&b| micros <= b) {
            self.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros.fetch_add(micros, Ordering::Relaxed);
    }

    pub(crate) fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    /// Appends `name_bucket`/`name_sum`/`name_count` lines; `labels` is `k="v",…` (escaped).
    pub(crate) fn render(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        let mut cumulative = 0;
        for (bucket, le) in self.buckets.iter().zip(BOUNDS_LE) {
            cumulative += bucket.load(Ordering::Relaxed);
            out.push_str(&format!("{name}_bucket{{{labels}{sep}le=\"{le}\"}} {cumulative}\n"));
        }
        let count = self.count();
        out.push_str(&format!("{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {count}\n"));
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        out.push_str(&format!("{name}_sum{{{labels}}} {sum}\n{name}_count{{{labels}}} {count}\n"));
    }
}

/// The methods a label may name; anything else is `OTHER` (methods are client input).
pub(crate) const METHODS: [&str; 8] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "OTHER"];

pub(crate) fn method_index(m: &Method) -> usize {
    match *m {
        Method::GET => 0,
        Method::HEAD => 1,
        Method::POST => 2,
        Method::PUT => 3,
        Method::PATCH => 4,
        Method::DELETE => 5,
        Method::OPTIONS => 6,
        _ => 7,
    }
}

/// At most this many (method, route template) series; more (there are far fewer routes)
/// fall into `route="other"`.
pub(crate) const MAX_ROUTES: usize = 96;

pub(crate) struct RouteSlot {
    pub(crate) key: OnceLock<(usize, Box<str>)>,
    pub(crate) latency: Histogram,
}

pub(crate) static ROUTES: [RouteSlot; MAX_ROUTES] =
    [const { RouteSlot { key: OnceLock::new(), latency: Histogram::new() } }; MAX_ROUTES];
/// How many of `ROUTES` are claimed (published after the slot's key is set).
pub(crate) static ROUTES_LEN: AtomicUsize = AtomicUsize::new(0);
static ROUTES_CLAIM: Mutex<()> = Mutex::new(());
/// Past `MAX_ROUTES`, by method.
pub(crate) static OTHER_ROUTES: [Histogram; METHODS.len()] = [const { Histogram::new() }; METHODS.len()];
/// Requests no route matched (the console's fallback, 404s), by method.
pub(crate) static UNMATCHED: [Histogram; METHODS.len()] = [const { Histogram::new() }; METHODS.len()];

fn find(method: usize, template: &str, claimed: usize) -> Option<&'static Histogram> {
    ROUTES[..claimed]
        .iter()
        .find(|s| s.key.get().is_some_and(|(m, t)| *m == method && &**t == template))
        .map(|s| &s.latency)
}

/// The histogram of a matched route template (never a raw path: the set is bounded by
/// the router's routes).
pub(crate) fn route(method: usize, template: &str) -> &'static Histogram {
    if let Some(h) = find(method, template, ROUTES_LEN.load(Ordering::Acquire)) {
        return h;
    }
    let _claim = ROUTES_CLAIM.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let claimed = ROUTES_LEN.load(Ordering::Acquire);
    if let Some(h) = find(method, template, claimed) {
        return h;
    }
    let Some(slot) = ROUTES.get(claimed) else { return &OTHER_ROUTES[method] };
    let _ = slot.key.set((method, template.into()));
    ROUTES_LEN.store(claimed + 1, Ordering::Release);
    &slot.latency
}

/// SCIM responses by method and status code (100–599).
pub(crate) static SCIM: [[AtomicU64; 500]; METHODS.len()] =
    [const { [const { AtomicU64::new(0) }; 500] }; METHODS.len()];

pub(crate) fn scim(method: usize, status: u16) {
    let i = usize::from(status.clamp(100, 599) - 100);
    SCIM[method][i].fetch_add(1, Ordering::Relaxed);
}

/// What a request was refused by a rate limit for.
#[derive(Clone, Copy, Debug)]
pub(crate) enum RateLimit {
    /// Failed SAML Responses from one address (`POST /saml2`).
    Acs,
    /// Failed password sign-ins (`POST /login`).
    PasswordSignIn,
    /// An API token over its request budget (`/graphql` with a bearer token).
    ApiToken,
    /// A SCIM token over its request budget (`/scim/v2/…` answered 429).
    ScimToken,
    /// A GraphQL operation refused with `RATE_LIMITED` (the console's `signIn`).
    GraphQlOperation,
}

pub(crate) const RATE_LIMIT_KINDS: [&str; 5] =
    ["acs", "password_sign_in", "api_token", "scim_token", "graphql_operation"];
pub(crate) static RATE_LIMITED: [AtomicU64; 5] = [const { AtomicU64::new(0) }; 5];

pub(crate) fn rate_limited(kind: RateLimit) {
    RATE_LIMITED[kind as usize].fetch_add(1, Ordering::Relaxed);
}

/// Sign-in outcomes by reason code: one counter per `SignInReason` plus `internal_error`.
pub(crate) struct Outcomes {
    pub(crate) reasons: Vec<SignInReason>,
    pub(crate) counts: Box<[AtomicU64]>,
}

pub(crate) fn outcomes() -> &'static Outcomes {
    static OUTCOMES: OnceLock<Outcomes> = OnceLock::new();
    OUTCOMES.get_or_init(|| {
        let reasons = SignInReason::all();
        let counts = (0..=reasons.len()).map(|_| AtomicU64::new(0)).collect();
        Outcomes { reasons, counts }
    })
}

/// Counts an ended sign-in: its reason, or `None` for our own fault (`internal_error`).
pub(crate) fn sign_in(reason: Option<SignInReason>) {
    let o = outcomes();
    let i = reason.and_then(|r| o.reasons.iter().position(|x| *x == r)).unwrap_or(o.reasons.len());
    o.counts[i].fetch_add(1, Ordering::Relaxed);
}

/// Which step of an SSO sign-in a duration is of.
#[derive(Clone, Copy, Debug)]
pub(crate) enum SsoStep {
    /// `POST /saml2`: the IdP's Response checked and consumed.
    Acs,
    /// `POST /saml2/complete`: the browser binding checked and the session started.
    Complete,
}

pub(crate) const SSO_STEPS: [&str; 2] = ["acs", "complete"];
pub(crate) static SSO_DURATION: [Histogram; 2] = [const { Histogram::new() }; 2];

/// Webhook delivery attempts by outcome.
pub(crate) const WEBHOOK_OUTCOMES: [&str; 4] = ["delivered", "retry", "given_up", "lease_lost"];
pub(crate) static WEBHOOK_DELIVERIES: [AtomicU64; 4] = [const { AtomicU64::new(0) }; 4];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_cumulative_with_sum_and_count() {
        let h = Histogram::new();
        h.observe(Duration::from_micros(500));
        h.observe(Duration::from_millis(3));
        h.observe(Duration::from_secs(60));
        let mut out = String::new();
        h.render(&mut out, "x", "a=\"b\"");
        assert!(out.contains("x_bucket{a=\"b\",le=\"0.001\"} 1\n"), "{out}");
        assert!(out.contains("x_bucket{a=\"b\",le=\"0.005\"} 2\n"), "{out}");
        assert!(out.contains("x_bucket{a=\"b\",le=\"30\"} 2\n"), "{out}");
        assert!(out.contains("x_bucket{a=\"b\",le=\"+Inf\"} 3\n"), "{out}");
        assert!(out.contains("x_count{a=\"b\"} 3\n"), "{out}");
        assert!(out.contains("x_sum{a=\"b\"} 60.0035\n"), "{out}");
    }

    #[test]
    fn routes_past_the_table_fall_into_other() {
        for i in 0..MAX_ROUTES + 5 {
            route(0, &format!("/t{i}")).observe(Duration::from_millis(1));
        }
        assert_eq!(ROUTES_LEN.load(Ordering::Acquire), MAX_ROUTES);
        assert_eq!(OTHER_ROUTES[0].count(), 5);
        // A template seen again finds its own slot, not a new one.
        route(0, "/t3").observe(Duration::from_millis(1));
        assert_eq!(ROUTES[3].latency.count(), 2);
    }
}
