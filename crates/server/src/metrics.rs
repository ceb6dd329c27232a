//! `/metrics` in the Prometheus text format: process-local counters (each replica reports
//! its own; the scraper sums them). Counting is a few relaxed atomic adds on the request
//! path (see [`registry`]). With `metrics_token` set, only `Authorization: Bearer <token>`
//! may read them. The README's "Operations" section lists every series.

mod registry;

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::app::AppState;

/// The bearer token `/metrics` requires, kept as its SHA-256 so the comparison takes the
/// same time whatever the presented token's length or content.
#[derive(Clone)]
pub(crate) struct MetricsToken([u8; 32]);

impl MetricsToken {
    pub(crate) fn new(token: &str) -> MetricsToken {
        MetricsToken(Sha256::digest(token.as_bytes()).into())
    }

    fn admits(&self, headers: &HeaderMap) -> bool {
        let presented = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        match presented {
            Some(p) => {
                let digest: [u8; 32] = Sha256::digest(p.as_bytes()).into();
                bool::from(digest[..].ct_eq(&self.0[..]))
            }
            None => false,
        }
    }
}

impl std::fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MetricsToken(<redacted>)")
    }
}

static HTTP_BY_CLASS: [AtomicU64; 5] = [const { AtomicU64::new(0) }; 5];

pub(crate) use registry::{RateLimit, SsoStep, rate_limited};

/// Counts every response by status class.
pub(crate) async fn count_requests(req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    let class = (resp.status().as_u16() / 100).clamp(1, 5) as usize - 1;
    HTTP_BY_CLASS[class].fetch_add(1, Ordering::Relaxed);
    resp
}

/// Times a matched route under its template (`/scim/v2/{tenant}/Users/{id}`, never the
/// raw path), and counts SCIM responses by method and status. Layered with `route_layer`,
/// so it runs after routing, where the template is known.
pub(crate) async fn time_route(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = registry::method_index(req.method());
    let matched = req.extensions().get::<MatchedPath>().cloned();
    let resp = next.run(req).await;
    if let Some(matched) = matched {
        let template = matched.as_str();
        registry::route(method, template).observe(started.elapsed());
        if template.starts_with("/scim/") {
            registry::scim(method, resp.status().as_u16());
            if resp.status() == StatusCode::TOO_MANY_REQUESTS {
                registry::rate_limited(RateLimit::ScimToken);
            }
        }
    }
    resp
}

/// The router's fallback (the console, and 404s), timed as `route="unmatched"`: one
/// series whatever the path.
pub(crate) async fn fallback(method: Method, uri: Uri, headers: HeaderMap) -> Response {
    let started = Instant::now();
    let index = registry::method_index(&method);
    let resp = crate::console::serve(method, uri, headers).await;
    registry::UNMATCHED[index].observe(started.elapsed());
    resp
}

/// Records a sign-in that ended in a refusal or an internal error.
pub(crate) fn sso_failed(e: &gatehouse_identity::SsoError) {
    match e {
        gatehouse_identity::SsoError::Refused(r) => registry::sign_in(Some(r.reason)),
        gatehouse_identity::SsoError::Internal(_) => registry::sign_in(None),
    }
}

/// Records a sign-in that succeeded.
pub(crate) fn sso_succeeded() {
    registry::sign_in(Some(gatehouse_identity::SignInReason::Success));
}

/// Records how long a step of an SSO sign-in took on the server.
pub(crate) fn sso_step(step: SsoStep, elapsed: Duration) {
    registry::SSO_DURATION[step as usize].observe(elapsed);
}

/// Counts one pass of the webhook worker.
pub(crate) fn webhook_pass(p: &gatehouse_identity::DeliveryPass) {
    for (i, n) in [p.delivered, p.retried, p.given_up, p.lease_lost].into_iter().enumerate() {
        registry::WEBHOOK_DELIVERIES[i].fetch_add(n as u64, Ordering::Relaxed);
    }
}

fn help(out: &mut String, name: &str, kind: &str, text: &str) {
    let _ = writeln!(out, "# HELP {name} {text}\n# TYPE {name} {kind}");
}

/// Escapes a label value (a route template may hold any character the router accepts).
fn label(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

pub(crate) async fn render(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = &state.metrics_token
        && !token.admits(&headers)
    {
        tracing::info!("metrics request refused: no valid bearer token");
        let mut resp =
            (StatusCode::UNAUTHORIZED, "the metrics need Authorization: Bearer <metrics_token>\n").into_response();
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return resp;
    }
    let mut out = String::with_capacity(16 * 1024);
    help(&mut out, "gatehouse_build_info", "gauge", "Gatehouse version.");
    let _ = writeln!(out, "gatehouse_build_info{{version=\"{}\"}} 1", env!("CARGO_PKG_VERSION"));
    help(&mut out, "gatehouse_http_responses_total", "counter", "HTTP responses by status class.");
    for (i, c) in HTTP_BY_CLASS.iter().enumerate() {
        let _ = writeln!(out, "gatehouse_http_responses_total{{class=\"{}xx\"}} {}", i + 1, c.load(Ordering::Relaxed));
    }
    render_requests(&mut out);
    render_sign_ins(&mut out);
    render_scim(&mut out);
    help(&mut out, "gatehouse_rate_limited_total", "counter", "Requests refused by a rate limit, by kind.");
    for (kind, c) in registry::RATE_LIMIT_KINDS.iter().zip(&registry::RATE_LIMITED) {
        let _ = writeln!(out, "gatehouse_rate_limited_total{{kind=\"{kind}\"}} {}", c.load(Ordering::Relaxed));
    }
    render_pool(&mut out, state.identity.db());
    help(
        &mut out,
        "gatehouse_db_sign_in_connections",
        "gauge",
        "Open database connections kept for sign-ins' statements, beside the pool (PostgreSQL: a few; SQLite: the sign-in writer).",
    );
    let _ = writeln!(out, "gatehouse_db_sign_in_connections {}", state.identity.sign_in_connections_open());
    render_webhooks(&mut out, &state.identity).await;
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out).into_response()
}

const REQUEST_SECONDS: &str = "gatehouse_http_request_duration_seconds";

fn render_requests(out: &mut String) {
    help(out, REQUEST_SECONDS, "histogram", "HTTP request latency by method and matched route template.");
    let claimed = registry::ROUTES_LEN.load(Ordering::Acquire);
    for slot in &registry::ROUTES[..claimed] {
        if let Some((method, template)) = slot.key.get() {
            let labels = format!("method=\"{}\",route=\"{}\"", registry::METHODS[*method], label(template));
            slot.latency.render(out, REQUEST_SECONDS, &labels);
        }
    }
    for (route, table) in [("other", &registry::OTHER_ROUTES), ("unmatched", &registry::UNMATCHED)] {
        for (method, h) in registry::METHODS.iter().zip(table) {
            if h.count() > 0 {
                h.render(out, REQUEST_SECONDS, &format!("method=\"{method}\",route=\"{route}\""));
            }
        }
    }
}

fn render_sign_ins(out: &mut String) {
    help(
        out,
        "gatehouse_sso_sign_ins_total",
        "counter",
        "SSO sign-ins that ended, by outcome and reason code (the sign-in log's codes; internal_error for our own faults).",
    );
    let o = registry::outcomes();
    let reasons = o.reasons.iter().map(|r| (r.is_success(), r.as_str())).chain([(false, "internal_error")]);
    for ((success, reason), c) in reasons.zip(o.counts.iter()) {
        let n = c.load(Ordering::Relaxed);
        // Success and failure in general are always there, so rate() has a series from the start.
        if n > 0 || success || reason == "internal_error" {
            let outcome = if success { "success" } else { "failure" };
            let _ = writeln!(out, "gatehouse_sso_sign_ins_total{{outcome=\"{outcome}\",reason=\"{reason}\"}} {n}");
        }
    }
    let name = "gatehouse_sso_sign_in_duration_seconds";
    help(out, name, "histogram", "Server time of an SSO sign-in step: acs (the IdP's Response) and complete.");
    for (step, h) in registry::SSO_STEPS.iter().zip(&registry::SSO_DURATION) {
        h.render(out, name, &format!("step=\"{step}\""));
    }
}

fn render_scim(out: &mut String) {
    help(out, "gatehouse_scim_requests_total", "counter", "SCIM requests by method and response status.");
    for (method, row) in registry::METHODS.iter().zip(&registry::SCIM) {
        for (i, c) in row.iter().enumerate() {
            let n = c.load(Ordering::Relaxed);
            if n > 0 {
                let _ =
                    writeln!(out, "gatehouse_scim_requests_total{{method=\"{method}\",status=\"{}\"}} {n}", i + 100);
            }
        }
    }
}

/// Webhook delivery attempts (this replica's) and the queue (all replicas': one count of
/// pending deliveries, read when scraped).
async fn render_webhooks(out: &mut String, identity: &gatehouse_identity::Identity) {
    let name = "gatehouse_webhook_deliveries_total";
    help(out, name, "counter", "Webhook delivery attempts by outcome (delivered, retry, given_up, lease_lost).");
    for (outcome, c) in registry::WEBHOOK_OUTCOMES.iter().zip(&registry::WEBHOOK_DELIVERIES) {
        let _ = writeln!(out, "{name}{{outcome=\"{outcome}\"}} {}", c.load(Ordering::Relaxed));
    }
    match identity.webhook_queue_depth().await {
        Ok(depth) => {
            let name = "gatehouse_webhook_queue_depth";
            help(out, name, "gauge", "Webhook deliveries not yet delivered or given up (all replicas).");
            let _ = writeln!(out, "{name} {depth}");
        }
        Err(e) => tracing::warn!(error = %e, "reading the webhook queue depth failed"),
    }
}

/// The database pool, read when scraped (sqlx keeps these as atomics).
fn render_pool(out: &mut String, db: &sea_orm::DatabaseConnection) {
    let (size, idle, max) = match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => {
            let p = db.get_postgres_connection_pool();
            (p.size(), p.num_idle(), p.options().get_max_connections())
        }
        sea_orm::DbBackend::Sqlite => {
            let p = db.get_sqlite_connection_pool();
            (p.size(), p.num_idle(), p.options().get_max_connections())
        }
        _ => return,
    };
    let idle = u32::try_from(idle).unwrap_or(u32::MAX).min(size);
    help(out, "gatehouse_db_pool_connections", "gauge", "Open database connections by state (in_use, idle).");
    let _ = writeln!(out, "gatehouse_db_pool_connections{{state=\"in_use\"}} {}", size - idle);
    let _ = writeln!(out, "gatehouse_db_pool_connections{{state=\"idle\"}} {idle}");
    help(out, "gatehouse_db_pool_max_connections", "gauge", "The database pool's maximum size.");
    let _ = writeln!(out, "gatehouse_db_pool_max_connections {max}");
}
