//! The one same-origin rule for requests that change state on behalf of a browser:
//! `POST /login`, `POST /logout` and every `POST /graphql` that is not a bearer-token call.
//!
//! A browser says where a request comes from in headers a page cannot forge:
//! 1. `Sec-Fetch-Site` (Chromium, Firefox, Safari 16.4+) is the primary signal:
//!    `same-origin`, or `none` (the person typed, bookmarked or reloaded it), passes;
//!    `same-site` (a sibling subdomain) and `cross-site` are refused.
//! 2. Otherwise `Origin`: it must be the origin of `GATEHOUSE_PUBLIC_URL` (behind a proxy
//!    that is what the browser sees, whatever the `Host` of the forwarded request).
//!    `Origin: null` (sandboxed frames, `data:` pages, a `no-referrer` policy) is never
//!    same-origin.
//! 3. Neither header: not a browser (a script or an API client), which cannot be the
//!    victim of a forged request, so it passes. Every browser Gatehouse supports sends one
//!    of the two on a POST.
//!
//! Gatehouse's own pages use `Referrer-Policy: same-origin`, under which browsers send the
//! real `Origin` on same-origin posts (with `no-referrer` they send `Origin: null`).

use axum::http::{HeaderMap, header};

/// A request a browser sent from another site, with why it was judged so (for the log).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct CrossSite(pub String);

/// Judges a state-changing request against the public origin (`scheme://host[:port]`).
pub(crate) fn check(headers: &HeaderMap, public_origin: &str) -> Result<(), CrossSite> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return match site.trim().to_ascii_lowercase().as_str() {
            "same-origin" | "none" => Ok(()),
            other => Err(CrossSite(format!("Sec-Fetch-Site: {other}"))),
        };
    }
    match text(header::ORIGIN.as_str()) {
        None => Ok(()),
        Some(origin) if origin.trim().eq_ignore_ascii_case("null") => Err(CrossSite("Origin: null".into())),
        Some(origin) if same(origin, public_origin) => Ok(()),
        Some(origin) => Err(CrossSite(format!("Origin: {origin}"))),
    }
}

/// Compares two serialised origins, normalising case and default ports.
fn same(origin: &str, public_origin: &str) -> bool {
    match (url::Url::parse(origin.trim()), url::Url::parse(public_origin)) {
        (Ok(a), Ok(b)) => a.origin().is_tuple() && a.origin() == b.origin(),
        _ => false,
    }
}

/// The origin (`scheme://host[:port]`) of a public URL.
pub(crate) fn origin_of(public_url: &str) -> String {
    url::Url::parse(public_url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_else(|_| public_url.trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    const PUBLIC: &str = "https://id.example.com";

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn sec_fetch_site_decides_where_present() {
        assert_eq!(check(&headers(&[("sec-fetch-site", "same-origin"), ("origin", "null")]), PUBLIC), Ok(()));
        assert_eq!(check(&headers(&[("sec-fetch-site", "none")]), PUBLIC), Ok(()));
        for site in ["cross-site", "same-site", "bogus"] {
            let h = {
                let mut h = headers(&[("origin", "https://id.example.com")]);
                h.insert("sec-fetch-site", HeaderValue::from_static(site));
                h
            };
            assert!(check(&h, PUBLIC).is_err(), "{site}");
        }
    }

    #[test]
    fn origin_must_be_the_public_origin_and_null_never_is() {
        assert_eq!(check(&headers(&[("origin", "https://id.example.com")]), PUBLIC), Ok(()));
        assert_eq!(check(&headers(&[("origin", "https://ID.example.com:443")]), PUBLIC), Ok(()));
        assert!(check(&headers(&[("origin", "null")]), PUBLIC).is_err());
        assert!(check(&headers(&[("origin", "http://id.example.com")]), PUBLIC).is_err());
        assert!(check(&headers(&[("origin", "https://id.example.com.evil.example")]), PUBLIC).is_err());
        // The Host of a proxied request does not make another origin acceptable.
        assert!(check(&headers(&[("origin", "http://internal:8080"), ("host", "internal:8080")]), PUBLIC).is_err());
    }

    #[test]
    fn requests_without_browser_signals_are_not_browsers() {
        assert_eq!(check(&HeaderMap::new(), PUBLIC), Ok(()));
    }

    #[test]
    fn origins_of_public_urls() {
        assert_eq!(origin_of("https://id.example.com/"), "https://id.example.com");
        assert_eq!(origin_of("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
        assert_eq!(origin_of("https://example.com:443/gatehouse"), "https://example.com");
    }
}
