//! `GET /graphql`: a small GraphQL explorer served from the binary itself — a query box,
//! variables, the operator's tenant header, the result, and the schema read by
//! introspection. Nothing is loaded from another host, so it works offline and under a
//! policy that allows only `'self'`. It runs queries like the console does: JSON posts from
//! this origin with the session cookie (or a pasted API token).

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

const PAGE: &str = include_str!("../assets/explorer.html");
const SCRIPT: &str = include_str!("../assets/explorer.js");
const STYLE: &str = include_str!("../assets/explorer.css");

/// Scripts, styles and requests only from this origin; no inline code, no frames.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; \
    base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut resp = body.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    resp
}

pub(crate) async fn page() -> Response {
    asset(PAGE, "text/html; charset=utf-8")
}

pub(crate) async fn script() -> Response {
    asset(SCRIPT, "text/javascript; charset=utf-8")
}

pub(crate) async fn style() -> Response {
    asset(STYLE, "text/css; charset=utf-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_explorer_names_no_other_host() {
        for text in [PAGE, SCRIPT, STYLE] {
            for other_host in ["http:", "https:", "\"//", "'//", "`//", "(//"] {
                assert!(
                    !text.contains(other_host),
                    "an absolute or protocol-relative URL ({other_host}) in the explorer"
                );
            }
        }
        assert!(PAGE.contains("src=\"/graphql/explorer.js\"") && PAGE.contains("href=\"/graphql/explorer.css\""));
    }
}
