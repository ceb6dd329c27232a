//! The axum router: `/graphql` (with its explorer page), health checks, metrics, SCIM
//! (`/scim/v2/{tenant}`), SAML and the end-user pages, and the console as the fallback.
//! `app()` builds it from state, so tests drive it with `oneshot`. Body limits, HSTS and
//! the request counters are layered here, over every route.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use gatehouse_graphql::{GatehouseSchema, RequestAuth};
use gatehouse_identity::Identity;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::cookies::Cookies;
use crate::limits::{BodyLimits, Refusal};
use crate::metrics::MetricsToken;

/// HSTS for https deployments: a year, this host only (subdomains are the operator's call).
const HSTS: &str = "max-age=31536000";

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub identity: Identity,
    pub schema: GatehouseSchema,
    /// The public base URL, without a trailing slash.
    pub public_url: String,
    /// The public URL's origin (`scheme://host[:port]`): what same-origin means.
    pub(crate) public_origin: String,
    pub(crate) cookies: Cookies,
    pub(crate) limits: BodyLimits,
    /// When set, `/metrics` answers only to `Authorization: Bearer <token>`.
    pub(crate) metrics_token: Option<MetricsToken>,
}

pub fn app(state: AppState) -> Router {
    let limits = state.limits;
    let https = state.public_url.starts_with("https://");
    let router = Router::new()
        .route(
            "/graphql",
            crate::limits::route(post(graphql), limits.graphql, Refusal::GraphQl).get(crate::explorer::page),
        )
        .route("/graphql/explorer.js", get(crate::explorer::script))
        .route("/graphql/explorer.css", get(crate::explorer::style))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(crate::metrics::render))
        .nest("/scim/v2/{tenant}", crate::limits::router(crate::scim::router(), limits.scim, Refusal::Scim))
        .merge(crate::sso::routes(&limits))
        .fallback(crate::console::serve)
        // One limit per route, on the stream (crate::limits); axum's own default is not a second one.
        .layer(DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn_with_state(limits.largest(), crate::limits::catch_all))
        .layer(axum::middleware::from_fn(crate::metrics::count_requests))
        .layer(TraceLayer::new_for_http());
    let router = if https {
        router.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        ))
    } else {
        router
    };
    router.with_state(state)
}

async fn readyz(State(state): State<AppState>) -> Response {
    match gatehouse_identity::db::ping(state.identity.db()).await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}

/// `POST /graphql`. Only JSON is accepted, and the caller is authenticated (cross-site
/// browser requests refused) before a byte of the body is read, so no request shape a
/// browser form can send ever reaches the executor. `GET /graphql` is the explorer page
/// and never executes anything.
async fn graphql(State(state): State<AppState>, req: Request) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    let auth = match authenticate(&state, req.headers(), peer).await {
        Ok(a) => a,
        Err(resp) => return resp,
    };
    let bytes = match axum::body::to_bytes(req.into_body(), state.limits.graphql).await {
        Ok(b) => b,
        Err(e) if crate::limits::exceeded(&e) => return Refusal::GraphQl.response(state.limits.graphql),
        Err(e) => {
            tracing::info!(error = %e, "GraphQL request refused: the body could not be read");
            return bad_request("the request body could not be read");
        }
    };
    let request: async_graphql::Request = match serde_json::from_slice(&bytes) {
        Ok(r) => r,
        Err(e) => return bad_request(&format!("the body is not a GraphQL request in JSON: {e}")),
    };
    let resp: async_graphql_axum::GraphQLResponse = state.schema.execute(request.data(auth)).await.into();
    resp.into_response()
}

/// Finds the caller: an `Authorization: Bearer` API token, else the session cookie. Every
/// request without a bearer token, with or without a cookie, must be JSON and not
/// cross-site: a cross-site `signIn` would otherwise plant the attacker's session (login
/// CSRF), and a cross-site `signOut` end the victim's.
async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
) -> Result<RequestAuth, Response> {
    let mut auth = RequestAuth {
        ip: peer.map(|p| p.ip().to_string()),
        user_agent: headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned),
        operator_tenant: headers.get("x-gatehouse-tenant").and_then(|v| v.to_str().ok()).map(str::to_owned),
        ..RequestAuth::default()
    };
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let token = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).map(str::trim);
        let principal = match token {
            Some(t) => state.identity.resolve_api_token(t).await.map_err(internal)?,
            None => None,
        };
        let Some(principal) = principal else {
            return Err(unauthorized("the API token is unknown or revoked"));
        };
        match state.identity.admit_api_request(&principal).await {
            Ok(()) => {}
            Err(gatehouse_identity::Error::RateLimited { message, retry_after_secs }) => {
                return Err(rate_limited(&message, retry_after_secs));
            }
            Err(e) => return Err(internal(e)),
        }
        let principal = Some(principal);
        auth.principal = principal;
        return Ok(auth);
    }
    if let Some(refused) = csrf_refusal(state, headers) {
        return Err(refused);
    }
    if let Some(token) = state.cookies.session_of(headers) {
        auth.principal = state.identity.resolve_session(&token).await.map_err(internal)?;
        auth.session_token = Some(token);
    }
    Ok(auth)
}

/// JSON only (a browser form can send `text/plain`, form encodings and multipart without
/// asking; `application/json` needs a CORS preflight Gatehouse never grants), and the
/// same-origin rule of [`crate::same_origin`].
fn csrf_refusal(state: &AppState, headers: &HeaderMap) -> Option<Response> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        tracing::info!("GraphQL request refused: not Content-Type: application/json");
        return Some(forbidden("requests must send Content-Type: application/json"));
    }
    if let Err(crate::same_origin::CrossSite(why)) = crate::same_origin::check(headers, &state.public_origin) {
        tracing::info!(signal = %why, "GraphQL request refused: cross-site");
        return Some(forbidden("cross-site requests are refused"));
    }
    None
}

fn error_body(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({"errors": [{"message": message, "extensions": {"code": code}}]});
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

/// 429 with `Retry-After`, in the GraphQL error shape (`RATE_LIMITED`, `retryAfterSeconds`).
fn rate_limited(message: &str, retry_after_secs: u64) -> Response {
    let body = serde_json::json!({"errors": [{
        "message": message,
        "extensions": {"code": "RATE_LIMITED", "retryAfterSeconds": retry_after_secs},
    }]});
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::CONTENT_TYPE, "application/json".to_owned()), (header::RETRY_AFTER, retry_after_secs.to_string())],
        body.to_string(),
    )
        .into_response()
}

fn unauthorized(message: &str) -> Response {
    error_body(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", message)
}

fn bad_request(message: &str) -> Response {
    error_body(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
}

fn forbidden(message: &str) -> Response {
    error_body(StatusCode::FORBIDDEN, "FORBIDDEN", message)
}

/// Logs the cause with a correlation ID and answers with the ID only.
pub(crate) fn internal(e: gatehouse_identity::Error) -> Response {
    let correlation_id = uuid::Uuid::new_v4().to_string();
    tracing::error!(correlation_id = %correlation_id, error = ?e, "internal error");
    let body = serde_json::json!({"errors": [{
        "message": format!("internal error (correlation ID {correlation_id})"),
        "extensions": {"code": "INTERNAL", "correlationId": correlation_id},
    }]});
    (StatusCode::INTERNAL_SERVER_ERROR, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}
