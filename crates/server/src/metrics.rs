//! `/metrics` in the Prometheus text format: process-local counters (each replica reports
//! its own; the scraper sums them). Counting is a relaxed atomic add on the request path.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

static HTTP_BY_CLASS: [AtomicU64; 5] = [const { AtomicU64::new(0) }; 5];
static SSO_SUCCESS: AtomicU64 = AtomicU64::new(0);
static SSO_FAILURE: AtomicU64 = AtomicU64::new(0);

/// Counts every response by status class.
pub async fn count_requests(req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    let class = (resp.status().as_u16() / 100).clamp(1, 5) as usize - 1;
    HTTP_BY_CLASS[class].fetch_add(1, Ordering::Relaxed);
    resp
}

/// Records the outcome of an SSO sign-in step that ended a flow.
pub fn sso_outcome(success: bool) {
    if success { &SSO_SUCCESS } else { &SSO_FAILURE }.fetch_add(1, Ordering::Relaxed);
}

pub async fn render() -> Response {
    let mut out = String::new();
    out.push_str("# HELP gatehouse_build_info Gatehouse version.\n# TYPE gatehouse_build_info gauge\n");
    out.push_str(&format!("gatehouse_build_info{{version=\"{}\"}} 1\n", env!("CARGO_PKG_VERSION")));
    out.push_str("# HELP gatehouse_http_responses_total HTTP responses by status class.\n# TYPE gatehouse_http_responses_total counter\n");
    for (i, c) in HTTP_BY_CLASS.iter().enumerate() {
        out.push_str(&format!("gatehouse_http_responses_total{{class=\"{}xx\"}} {}\n", i + 1, c.load(Ordering::Relaxed)));
    }
    out.push_str("# HELP gatehouse_sso_sign_ins_total SSO sign-ins by outcome (see the sign-in log for reasons).\n# TYPE gatehouse_sso_sign_ins_total counter\n");
    out.push_str(&format!("gatehouse_sso_sign_ins_total{{outcome=\"success\"}} {}\n", SSO_SUCCESS.load(Ordering::Relaxed)));
    out.push_str(&format!("gatehouse_sso_sign_ins_total{{outcome=\"failure\"}} {}\n", SSO_FAILURE.load(Ordering::Relaxed)));
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out).into_response()
}
