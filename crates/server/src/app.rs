//! The axum router: `/graphql`, health checks, SCIM (`/scim/v2/{tenant}`), and (from later
//! capabilities) SAML and the console. `app()` builds it from state, so tests drive it with `oneshot`.

use std::net::SocketAddr;

use async_graphql::http::GraphiQLSource;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse, rejection::GraphQLRejection};
use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequest, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use gatehouse_graphql::{GatehouseSchema, RequestAuth, SESSION_COOKIE};
use gatehouse_identity::Identity;
use tower_http::trace::TraceLayer;

/// Largest GraphQL request body (certificates and metadata documents fit easily).
const GRAPHQL_BODY_LIMIT: usize = 1024 * 1024;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub identity: Identity,
    pub schema: GatehouseSchema,
    /// The public base URL, without a trailing slash.
    pub public_url: String,
}

pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/graphql", get(graphiql).post(graphql))
        .layer(DefaultBodyLimit::max(GRAPHQL_BODY_LIMIT))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(crate::metrics::render))
        .nest("/scim/v2/{tenant}", crate::scim::router())
        .merge(crate::sso::routes())
        .fallback(crate::console::serve)
        .layer(axum::middleware::from_fn(crate::metrics::count_requests))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
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

async fn graphiql() -> Html<String> {
    Html(GraphiQLSource::build().endpoint("/graphql").finish())
}

async fn graphql(State(state): State<AppState>, req: Request) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    // Authenticate (and refuse cross-site cookie requests) before the body is parsed, so
    // no request shape a browser form can send ever reaches the executor.
    let auth = match authenticate(&state, req.headers(), peer).await {
        Ok(a) => a,
        Err(resp) => return resp,
    };
    let gql = match GraphQLRequest::<GraphQLRejection>::from_request(req, &state).await {
        Ok(r) => r,
        Err(rejection) => return rejection.into_response(),
    };
    let resp: GraphQLResponse = state.schema.execute(gql.into_inner().data(auth)).await.into();
    resp.into_response()
}

/// Finds the caller: an `Authorization: Bearer` API token, else the session cookie.
/// Cookie-authenticated requests must be JSON and same-origin (CSRF defence on top of
/// SameSite=Lax).
async fn authenticate(state: &AppState, headers: &HeaderMap, peer: Option<SocketAddr>) -> Result<RequestAuth, Response> {
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
    if let Some(token) = session_cookie(headers) {
        csrf_check(state, headers)?;
        auth.principal = state.identity.resolve_session(&token).await.map_err(internal)?;
        auth.session_token = Some(token);
    }
    Ok(auth)
}

pub(crate) fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
        .filter(|v| !v.is_empty())
}

fn csrf_check(state: &AppState, headers: &HeaderMap) -> Result<(), Response> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.trim_start().to_ascii_lowercase().starts_with("application/json"));
    if !json {
        return Err(forbidden("requests with a session cookie must send Content-Type: application/json"));
    }
    if headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site") {
        return Err(forbidden("cross-site requests are refused"));
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let same_host = url::Url::parse(origin)
            .ok()
            .and_then(|o| o.host_str().map(|h| match o.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_owned(),
            }))
            .is_some_and(|o| o.eq_ignore_ascii_case(host));
        if origin != state.public_url && !same_host {
            return Err(forbidden("the request's Origin is not this server"));
        }
    }
    Ok(())
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

