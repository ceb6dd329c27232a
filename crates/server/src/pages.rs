//! Server-rendered pages for end users (sign-on, SSO hand-over, outcomes, errors). Small,
//! self-contained HTML with every inserted value escaped and a strict CSP. [`PageError`] is
//! the pages' one error answer (a sentence for the person, a reference for the admin).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gatehouse_identity::Error;

/// Escapes text for HTML element content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#1b1f24}\
h1{font-size:1.4rem}label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}\
button,.button{margin-top:1rem;padding:.55rem 1.1rem;font-size:1rem;background:#0b57d0;color:#fff;border:0;border-radius:4px;text-decoration:none;display:inline-block;cursor:pointer}\
.error{background:#fde7e9;border-left:4px solid #c5221f;padding:.6rem .8rem}.ok{background:#e6f4ea;border-left:4px solid #188038;padding:.6rem .8rem}\
.muted{color:#5f6368;font-size:.9rem}table{border-collapse:collapse;width:100%;font-size:.9rem}td,th{border-bottom:1px solid #ddd;padding:.3rem;text-align:left;vertical-align:top;word-break:break-all}";

/// A full page, its content in the `<main>` landmark. `script_nonce` allows exactly one
/// inline script.
pub(crate) fn page(status: StatusCode, title: &str, body: &str, script_nonce: Option<&str>) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · Gatehouse</title><style>{STYLE}</style></head><body><main>{body}</main></body></html>",
        esc(title)
    );
    let script = match script_nonce {
        Some(n) => format!("'nonce-{n}'"),
        None => "'none'".into(),
    };
    let csp = format!(
        "default-src 'none'; style-src 'unsafe-inline'; script-src {script}; form-action 'self' https: http:; frame-ancestors 'none'; base-uri 'none'"
    );
    let mut resp = (status, html).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    // `same-origin`, not `no-referrer`: under `no-referrer` browsers send `Origin: null` with
    // this page's form posts, which the same-origin rule (rightly) refuses. Other sites
    // (the IdP) still get no Referer.
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    resp
}

/// A request an end-user page could not serve: its status, a title, a sentence for the
/// person, and a reference for their administrator (a sign-in event or a correlation ID).
#[derive(Debug)]
pub(crate) struct PageError {
    status: StatusCode,
    title: &'static str,
    message: String,
    reference: Option<String>,
    /// Sent as `Retry-After`.
    retry_after_secs: Option<u64>,
}

impl PageError {
    pub(crate) fn new(status: StatusCode, title: &'static str, message: impl Into<String>) -> Self {
        PageError { status, title, message: message.into(), reference: None, retry_after_secs: None }
    }

    pub(crate) fn with_reference(mut self, reference: Option<String>) -> Self {
        self.reference = reference;
        self
    }

    pub(crate) fn with_retry_after(mut self, secs: u64) -> Self {
        self.retry_after_secs = Some(secs);
        self
    }

    /// 500: the cause is logged under a correlation ID, the page shows only the ID.
    pub(crate) fn internal(cause: &Error) -> Self {
        let correlation_id = Error::log_internal("pages", cause);
        PageError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong",
            "Gatehouse could not finish this request. Try again in a moment.",
        )
        .with_reference(Some(correlation_id))
    }

    /// 413 for a form over its body limit.
    pub(crate) fn payload_too_large() -> Self {
        PageError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Request too large",
            "This form sent more data than Gatehouse accepts. Go back and try again.",
        )
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let reference = self
            .reference
            .map(|r| format!("<p class=\"muted\">Reference for your administrator: <code>{}</code></p>", esc(&r)))
            .unwrap_or_default();
        let body = format!(
            "<h1>{}</h1><p class=\"error\">{}</p>{reference}<p><a href=\"/login\">Back to sign-in</a></p>",
            esc(self.title),
            esc(&self.message)
        );
        let mut resp = page(self.status, self.title, &body, None);
        if let Some(secs) = self.retry_after_secs {
            resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_page_has_a_main_landmark_around_its_content() {
        let resp = PageError::new(StatusCode::BAD_REQUEST, "Sign-in failed", "No <b>SAMLResponse</b>.").into_response();
        let body = axum::body::to_bytes(resp.into_body(), 1 << 20).await.expect("body");
        let html = String::from_utf8(body.to_vec()).expect("utf-8");
        let main = html.find("<main>").expect("a <main>");
        assert!(main < html.find("<h1>").expect("a heading"), "{html}");
        assert!(html.ends_with("</main></body></html>"), "{html}");
        assert!(html.contains("No &lt;b&gt;SAMLResponse&lt;/b&gt;."), "{html}");
    }
}
