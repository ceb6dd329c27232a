//! Server-rendered pages for end users (sign-on, SSO hand-over, outcomes, errors). Small,
//! self-contained HTML with every inserted value escaped and a strict CSP. [`PageError`] is
//! the pages' one error answer (a sentence for the person, a reference for the admin).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gatehouse_identity::{Error, Organisation};

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

/// The console's look (its colours, type and sign-in card, `web/src/styles.css`), small
/// enough to inline: the pages' policy allows inline styles and nothing from elsewhere.
const STYLE: &str = ":root{--blue:#1f4e8c;--blue-dark:#163a69;--blue-light:#e8f0fb;--ink:#1b2430;--muted:#5b6675;--line:#d5dbe3;--red:#b42318;--red-bg:#fdecea;--green-bg:#e6f4ea;\
font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;font-size:15px;line-height:1.5;color:var(--ink)}\
*{box-sizing:border-box}body{margin:0;min-height:100vh;background:linear-gradient(160deg,#e8f0fb 0%,#f4f6f9 60%)}\
header{display:flex;align-items:center;gap:.6rem;padding:.6rem 1.25rem;background:var(--blue);color:#fff;font-weight:600}\
header .org{font-weight:400;opacity:.95}header .org::before{content:'\\00b7';margin:0 .5rem 0 .1rem}\
.mark{width:1.4rem;height:1.4rem;border-radius:6px;background:#fff;display:inline-block;box-shadow:inset 0 0 0 .35rem var(--blue-light)}\
main{display:block;width:100%;max-width:30rem;margin:3rem auto;background:#fff;border:1px solid var(--line);border-radius:12px;padding:2rem;box-shadow:0 10px 30px rgba(27,36,48,.08)}\
main.wide{max-width:46rem}h1{font-size:1.5rem;margin:0 0 .5rem}h2{font-size:1.1rem;margin:1.5rem 0 .5rem}a{color:var(--blue)}\
:focus-visible{outline:none;box-shadow:0 0 0 3px rgba(31,78,140,.35)}\
label{display:block;font-weight:600;margin:1rem 0 .3rem}input{width:100%;padding:.5rem .6rem;font:inherit;border:1px solid #aab4c2;border-radius:6px}\
button,.button{font:inherit;display:inline-block;margin-top:1rem;padding:.5rem 1.1rem;border-radius:6px;cursor:pointer;text-decoration:none;font-weight:600;\
background:var(--blue);border:1px solid var(--blue);color:#fff}button:hover,.button:hover{background:var(--blue-dark)}\
.button.secondary{background:var(--blue-light);border-color:#b9cdea;color:var(--blue-dark)}.button.secondary:hover{background:#d9e6f8}\
.next{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;margin-top:1.25rem}.next .button,.next button{margin-top:0}\
.error{background:var(--red-bg);border:1px solid #f3b8b2;color:#7a1a12;border-radius:8px;padding:.7rem 1rem}\
.ok{background:var(--green-bg);border:1px solid #a9d8b8;color:#14502d;border-radius:8px;padding:.7rem 1rem}\
.muted{color:var(--muted);font-size:.9rem}code{font-family:ui-monospace,'SFMono-Regular',Menlo,Consolas,monospace;font-size:.88em}\
table{border-collapse:collapse;width:100%;font-size:.9rem}td,th{border-bottom:1px solid var(--line);padding:.35rem;text-align:left;vertical-align:top;word-break:break-all}\
@media (max-width:34rem){main{margin:1rem;width:auto;padding:1.25rem}}";

/// How a page is framed: the organisation it speaks for (its name in the bar, once known)
/// and how wide its card is.
#[derive(Clone, Copy, Default)]
pub(crate) struct Frame<'a> {
    pub(crate) organisation: Option<&'a str>,
    pub(crate) wide: bool,
}

/// A full page in the console's look, its content in the `<main>` landmark, with a
/// [`Frame`]: the organisation's name in the bar, a wider card. `script_nonce` allows
/// exactly one inline script.
pub(crate) fn framed_page(
    status: StatusCode,
    title: &str,
    frame: Frame<'_>,
    body: &str,
    script_nonce: Option<&str>,
) -> Response {
    let org = frame.organisation.map(|o| format!("<span class=\"org\">{}</span>", esc(o))).unwrap_or_default();
    let title = match frame.organisation {
        Some(o) => format!("{} · {}", esc(title), esc(o)),
        None => esc(title),
    };
    let main = if frame.wide { "<main class=\"wide\">" } else { "<main>" };
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · Gatehouse</title><style>{STYLE}</style></head><body>\
         <header><span class=\"mark\" aria-hidden=\"true\"></span><span>Gatehouse</span>{org}</header>{main}{body}</main></body></html>"
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
    /// The organisation the request was for, once known: its name in the bar and its
    /// ways back in as the next step.
    organisation: Option<Organisation>,
}

impl PageError {
    pub(crate) fn new(status: StatusCode, title: &'static str, message: impl Into<String>) -> Self {
        PageError {
            status,
            title,
            message: message.into(),
            reference: None,
            retry_after_secs: None,
            organisation: None,
        }
    }

    pub(crate) fn with_reference(mut self, reference: Option<String>) -> Self {
        self.reference = reference;
        self
    }

    pub(crate) fn with_organisation(mut self, organisation: Option<Organisation>) -> Self {
        self.organisation = organisation;
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
            "<h1>{}</h1><p class=\"error\">{}</p>{reference}{}",
            esc(self.title),
            esc(&self.message),
            next_steps(self.organisation.as_ref())
        );
        let frame = Frame { organisation: self.organisation.as_ref().map(|o| o.name.as_str()), wide: false };
        let mut resp = framed_page(self.status, self.title, frame, &body, None);
        if let Some(secs) = self.retry_after_secs {
            resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}

/// The ways back in a page offers: single sign-on again where the organisation has it on,
/// a password where its policy lets its users use one (or the organisation is unknown).
pub(crate) fn next_steps(organisation: Option<&Organisation>) -> String {
    let Some(o) = organisation else {
        return "<p class=\"next\"><a class=\"button\" href=\"/login\">Back to sign-in</a></p>".into();
    };
    let slug = urlencode(&o.slug);
    let mut links = Vec::new();
    if o.sso {
        links.push(format!(
            "<a class=\"button\" href=\"/saml2/login?tenant={}\">Try single sign-on again</a>",
            esc(&slug)
        ));
    }
    if o.password {
        let class = if o.sso { "button secondary" } else { "button" };
        links.push(format!("<a class=\"{class}\" href=\"/login?tenant={}\">Sign in with a password</a>", esc(&slug)));
    }
    if links.is_empty() {
        links.push("<a class=\"button\" href=\"/login\">Back to sign-in</a>".into());
    }
    format!("<p class=\"next\">{}</p>", links.join(""))
}

/// Form-encodes a query value.
pub(crate) fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
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
        assert!(html.contains("href=\"/login\">Back to sign-in"), "{html}");
    }

    fn org(sso: bool, password: bool) -> Organisation {
        Organisation { slug: "a&b".into(), name: "<Contoso>".into(), sso, password }
    }

    async fn html_of(resp: Response) -> String {
        let body = axum::body::to_bytes(resp.into_body(), 1 << 20).await.expect("body");
        String::from_utf8(body.to_vec()).expect("utf-8")
    }

    #[tokio::test]
    async fn an_error_for_a_known_organisation_carries_its_name_escaped_and_its_ways_back_in() {
        let resp = PageError::new(StatusCode::FORBIDDEN, "Sign-in failed", "No.")
            .with_organisation(Some(org(true, true)))
            .into_response();
        let html = html_of(resp).await;
        assert!(html.contains("<span class=\"org\">&lt;Contoso&gt;</span>"), "{html}");
        assert!(html.contains("<title>Sign-in failed · &lt;Contoso&gt; · Gatehouse</title>"), "{html}");
        assert!(html.contains("href=\"/saml2/login?tenant=a%26b\">Try single sign-on again"), "{html}");
        assert!(html.contains("href=\"/login?tenant=a%26b\">Sign in with a password"), "{html}");
        assert!(!html.contains("<Contoso>"), "{html}");
    }

    #[test]
    fn next_steps_follow_the_policy() {
        let sso_only = next_steps(Some(&org(true, false)));
        assert!(sso_only.contains("Try single sign-on again") && !sso_only.contains("password"), "{sso_only}");
        let password_only = next_steps(Some(&org(false, true)));
        assert!(!password_only.contains("single sign-on") && password_only.contains("Sign in with a password"));
        assert!(next_steps(None).contains("Back to sign-in"));
    }
}
