//! `/metrics` in the Prometheus text format: process-local counters (each replica reports
//! its own; the scraper sums them). Counting is a relaxed atomic add on the request path.
//! With `metrics_token` set, only `Authorization: Bearer <token>` may read them.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
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
static SSO_SUCCESS: AtomicU64 = AtomicU64::new(0);
static SSO_FAILURE: AtomicU64 = AtomicU64::new(0);

/// Counts every response by status class.
pub(crate) async fn count_requests(req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    let class = (resp.status().as_u16() / 100).clamp(1, 5) as usize - 1;
    HTTP_BY_CLASS[class].fetch_add(1, Ordering::Relaxed);
    resp
}

/// Records the outcome of an SSO sign-in step that ended a flow.
pub(crate) fn sso_outcome(success: bool) {
    if success { &SSO_SUCCESS } else { &SSO_FAILURE }.fetch_add(1, Ordering::Relaxed);
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
    let mut out = String::new();
    out.push_str("# HELP gatehouse_build_info Gatehouse version.\n# TYPE gatehouse_build_info gauge\n");
    out.push_str(&format!("gatehouse_build_info{{version=\"{}\"}} 1\n", env!("CARGO_PKG_VERSION")));
    out.push_str("# HELP gatehouse_http_responses_total HTTP responses by status class.\n# TYPE gatehouse_http_responses_total counter\n");
    for (i, c) in HTTP_BY_CLASS.iter().enumerate() {
        out.push_str(&format!(
            "gatehouse_http_responses_total{{class=\"{}xx\"}} {}\n",
            i + 1,
            c.load(Ordering::Relaxed)
        ));
    }
    out.push_str("# HELP gatehouse_sso_sign_ins_total SSO sign-ins by outcome (see the sign-in log for reasons).\n# TYPE gatehouse_sso_sign_ins_total counter\n");
    out.push_str(&format!(
        "gatehouse_sso_sign_ins_total{{outcome=\"success\"}} {}\n",
        SSO_SUCCESS.load(Ordering::Relaxed)
    ));
    out.push_str(&format!(
        "gatehouse_sso_sign_ins_total{{outcome=\"failure\"}} {}\n",
        SSO_FAILURE.load(Ordering::Relaxed)
    ));
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out).into_response()
}
