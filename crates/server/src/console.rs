//! The admin console: the single-page app built into `web/dist` (`npm run build` in `web/`).
//! Debug builds read the files from disk on each request, so a rebuilt console shows up
//! without recompiling; release builds embed them, so the binary is the whole product.
//!
//! It is the router's fallback: every path no other route claims and that is not under a
//! server prefix gets a file from the build, or `index.html` for the console's own routes.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../../web/dist"]
#[allow_missing = true]
struct Assets;

/// Paths the console never answers for, even when their own routes do not match
/// (an unknown `/scim/...` path must be a 404 from the server, not the console's page).
const SERVER_PREFIXES: &[&str] =
    &["/graphql", "/saml2", "/scim", "/login", "/logout", "/healthz", "/readyz", "/metrics"];

/// The page's policy: only our own scripts, styles and API; never framed.
const INDEX_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

pub(crate) async fn serve(method: Method, uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path();
    if method != Method::GET && method != Method::HEAD {
        return StatusCode::NOT_FOUND.into_response();
    }
    if is_server_path(path) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let relative = path.trim_start_matches('/');
    if relative.split('/').any(|segment| segment == ".." || segment.starts_with('.')) {
        return StatusCode::NOT_FOUND.into_response();
    }
    if !relative.is_empty() && relative != "index.html" {
        if let Some(file) = Assets::get(relative) {
            return file_response(&headers, relative, file, cache_control(relative));
        }
        // A missing build asset is a 404; anything else is a console route.
        if relative.starts_with("assets/") || has_extension(relative) {
            return StatusCode::NOT_FOUND.into_response();
        }
    }
    match Assets::get("index.html") {
        Some(file) => file_response(&headers, "index.html", file, "no-cache"),
        None => not_built(),
    }
}

fn is_server_path(path: &str) -> bool {
    SERVER_PREFIXES
        .iter()
        .any(|prefix| path == *prefix || path.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/')))
}

fn has_extension(path: &str) -> bool {
    path.rsplit('/').next().is_some_and(|name| name.contains('.'))
}

/// Vite names everything under `assets/` after its content hash, so those never change.
fn cache_control(path: &str) -> &'static str {
    if path.starts_with("assets/") { "public, max-age=31536000, immutable" } else { "public, max-age=3600" }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase()).as_deref() {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json" | "map") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("webp") => "image/webp",
        Some("woff2") => "font/woff2",
        Some("woff") => "font/woff",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn file_response(request: &HeaderMap, path: &str, file: rust_embed::EmbeddedFile, cache: &'static str) -> Response {
    let hash = file.metadata.sha256_hash();
    let etag = format!("\"{}\"", hash.iter().take(16).map(|b| format!("{b:02x}")).collect::<String>());
    let not_modified = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    let mut response = if not_modified {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = Response::new(Body::from(file.data.into_owned()));
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(path)));
        r
    };
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if path == "index.html" {
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(INDEX_CSP));
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    }
    response
}

fn not_built() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8"), (header::CACHE_CONTROL, "no-store")],
        "The admin console has not been built: run `npm ci && npm run build` in web/ (or `make web`), \
         then reload. The GraphQL API is at /graphql.\n",
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_paths_are_never_the_console() {
        for path in [
            "/graphql",
            "/saml2",
            "/saml2/login",
            "/scim/v2/acme/Users",
            "/login",
            "/logout",
            "/healthz",
            "/readyz",
            "/metrics",
        ] {
            assert!(is_server_path(path), "{path}");
        }
        for path in ["/", "/users", "/identity", "/loginhelp", "/graphqlx", "/assets/index.js"] {
            assert!(!is_server_path(path), "{path}");
        }
    }

    #[test]
    fn hashed_assets_are_immutable() {
        assert_eq!(cache_control("assets/index-abc123.js"), "public, max-age=31536000, immutable");
        assert_eq!(cache_control("favicon.svg"), "public, max-age=3600");
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("assets/a.JS"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("assets/a.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("favicon.svg"), "image/svg+xml");
        assert_eq!(content_type("x.bin"), "application/octet-stream");
    }
}
