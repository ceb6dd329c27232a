//! Every cookie Gatehouse sets or reads: their names, their attributes, and the one parser
//! of the `Cookie` header. The session cookie is issued and cleared here for every surface:
//! `/login`, `/logout`, the SSO hand-over, and `/graphql` (where `signIn` / `signOut` only
//! report a [`SessionChange`]); nothing else formats a `Set-Cookie` value.
//!
//! With an https public URL the names carry the `__Host-` prefix, so the browser accepts
//! them only with `Secure`, `Path=/` and no `Domain` (no sibling subdomain can plant or
//! shadow them); plain-http development setups keep the plain names, which a browser would
//! refuse with the prefix.

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use chrono::{DateTime, Utc};
use gatehouse_graphql::SessionChange;

/// The cookies' base names (without the `__Host-` prefix).
const SESSION: &str = "gatehouse_session";
const SSO_BINDING: &str = "gatehouse_sso_binding";

/// The binding cookie lives as long as a pending SP-initiated sign-in.
const SSO_BINDING_MAX_AGE_SECS: i64 = 600;

/// The cookie policy of this deployment (decided once, from the public URL).
#[derive(Clone, Debug)]
pub(crate) struct Cookies {
    secure: bool,
}

impl Cookies {
    /// `https_public_url`: the public URL is https, so cookies are `Secure` and `__Host-`.
    pub(crate) fn new(https_public_url: bool) -> Cookies {
        Cookies { secure: https_public_url }
    }

    fn name(&self, base: &str) -> String {
        if self.secure { format!("__Host-{base}") } else { base.to_owned() }
    }

    /// `Path=/`, `HttpOnly`, `SameSite=Lax` for every cookie; `Secure` on https.
    fn build(&self, base: &str, value: &str, max_age_secs: i64) -> String {
        format!(
            "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
            self.name(base),
            max_age_secs.max(0),
            if self.secure { "; Secure" } else { "" }
        )
    }

    fn session(&self, token: &str, max_age_secs: i64) -> String {
        self.build(SESSION, token, max_age_secs)
    }

    /// The cookie that carries a new session until `expires_at` (counted from `now`).
    pub(crate) fn session_started(&self, token: &str, expires_at: DateTime<Utc>, now: DateTime<Utc>) -> String {
        self.session(token, (expires_at - now).num_seconds())
    }

    /// The cookie that removes the session from the browser.
    pub(crate) fn session_ended(&self) -> String {
        self.build(SESSION, "", 0)
    }

    /// The cookie for a change the GraphQL API reported.
    pub(crate) fn session_change(&self, change: &SessionChange, now: DateTime<Utc>) -> String {
        match change {
            SessionChange::Started { token, expires_at } => self.session_started(token, *expires_at, now),
            SessionChange::Ended => self.session_ended(),
        }
    }

    /// Binds an SP-initiated sign-in to the browser that started it. `Path=/` (which
    /// `__Host-` requires); `HttpOnly` and short-lived, so the wider path costs nothing.
    pub(crate) fn sso_binding(&self, nonce: &str) -> String {
        self.build(SSO_BINDING, nonce, SSO_BINDING_MAX_AGE_SECS)
    }

    pub(crate) fn sso_binding_cleared(&self) -> String {
        self.build(SSO_BINDING, "", 0)
    }

    /// The session cookie's value in a request, if any.
    pub(crate) fn session_of(&self, headers: &HeaderMap) -> Option<String> {
        value(headers, &self.name(SESSION))
    }

    /// The SSO binding cookie's value in a request, if any.
    pub(crate) fn sso_binding_of(&self, headers: &HeaderMap) -> Option<String> {
        value(headers, &self.name(SSO_BINDING))
    }
}

/// The first non-empty value of cookie `name` in the request's `Cookie` headers.
fn value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(n, v)| *n == name && !v.is_empty())
        .map(|(_, v)| v.to_owned())
        .next()
}

/// Adds a `Set-Cookie` header to a response.
pub(crate) fn with_cookie(mut resp: Response, cookie: String) -> Response {
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_cookies_are_host_prefixed_secure_and_path_root() {
        let c = Cookies::new(true);
        for cookie in [c.session("t", 60), c.session_ended(), c.sso_binding("n"), c.sso_binding_cleared()] {
            assert!(cookie.starts_with("__Host-gatehouse_"), "{cookie}");
            assert!(
                cookie.contains("; Path=/;") && cookie.ends_with("; Secure") && !cookie.contains("Domain"),
                "{cookie}"
            );
        }
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("gatehouse_session=plain; __Host-gatehouse_session=hosted"));
        assert_eq!(c.session_of(&h).as_deref(), Some("hosted"), "only the prefixed name counts on https");
    }

    #[test]
    fn http_cookies_keep_plain_names() {
        let c = Cookies::new(false);
        assert_eq!(c.session("t", 60), "gatehouse_session=t; Path=/; HttpOnly; SameSite=Lax; Max-Age=60");
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("a=b; gatehouse_sso_binding=; gatehouse_sso_binding=n1"));
        assert_eq!(c.sso_binding_of(&h).as_deref(), Some("n1"), "an empty value is skipped");
        assert_eq!(c.session_of(&h), None);
    }
}
