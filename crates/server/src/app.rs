//! The axum router: `/graphql` (with its explorer page, and `/graphql/ws` for subscriptions), health checks, metrics, SCIM
//! (`/scim/v2/{tenant}`), SAML and the end-user pages, and the console as the fallback.
//! `app()` builds it from state, so tests drive it with `oneshot`. Body limits, HSTS and
//! the request counters are layered here, over every route.

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use gatehouse_graphql::GatehouseSchema;
use gatehouse_identity::Identity;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::client_address::TrustedProxies;
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
    /// Whose `X-Forwarded-For` names the client (`crate::client_address`).
    pub(crate) trusted_proxies: TrustedProxies,
    /// `GET /graphql/ws`'s bounds (`crate::live`).
    pub(crate) live: crate::live::LiveSettings,
}

pub fn app(state: AppState) -> Router {
    let limits = state.limits;
    let https = state.public_url.starts_with("https://");
    let router = Router::new()
        .route(
            "/graphql",
            crate::limits::route(post(crate::graphql::execute), limits.graphql, Refusal::GraphQl)
                .get(crate::explorer::page),
        )
        .route("/graphql/ws", get(crate::live::upgrade))
        .route("/graphql/explorer.js", get(crate::explorer::script))
        .route("/graphql/explorer.css", get(crate::explorer::style))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(crate::metrics::render))
        .nest("/scim/v2/{tenant}", crate::limits::router(crate::scim::router(), limits.scim, Refusal::Scim))
        .merge(crate::sso::routes(&limits))
        // Every route above is timed under its template; only then the fallback is added.
        .route_layer(axum::middleware::from_fn(crate::metrics::time_route))
        .route_layer(axum::middleware::from_fn(crate::telemetry::name_route))
        .fallback(crate::metrics::fallback)
        // One limit per route, on the stream (crate::limits); axum's own default is not a second one.
        .layer(DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn_with_state(limits.largest(), crate::limits::catch_all))
        .layer(axum::middleware::from_fn(crate::metrics::count_requests))
        .layer(axum::middleware::from_fn_with_state(state.trusted_proxies.clone(), crate::client_address::resolve))
        .layer(TraceLayer::new_for_http())
        // Outermost: the request's span (crate::telemetry) holds everything below it.
        .layer(axum::middleware::from_fn(crate::telemetry::trace_request));
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
