//! `POST /graphql` over HTTP: who is calling (API token or session cookie, with the CSRF
//! rules), the request body, the executor, and the session cookie for a `signIn` /
//! `signOut` the resolvers reported. [`GraphQlError`] is this surface's one error answer
//! for everything refused before the executor runs; errors inside it are the GraphQL
//! crate's (`extensions.code`).

use std::net::IpAddr;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gatehouse_graphql::{RequestAuth, SessionReport};
use serde_json::{Map, Value};

use crate::app::AppState;
use crate::client_address::ClientAddress;
use crate::cookies::with_cookie;
use crate::limits::Refusal;

/// `POST /graphql`. Only JSON is accepted, and the caller is authenticated (cross-site
/// browser requests refused) before a byte of the body is read, so no request shape a
/// browser form can send ever reaches the executor. `GET /graphql` is the explorer page
/// and never executes anything.
pub(crate) async fn execute(State(state): State<AppState>, req: Request) -> Response {
    let peer = req.extensions().get::<ClientAddress>().map(|c| c.0);
    let auth = match authenticate(&state, req.headers(), peer).await {
        Ok(a) => a,
        Err(refused) => return refused.into_response(),
    };
    let bytes = match axum::body::to_bytes(req.into_body(), state.limits.graphql).await {
        Ok(b) => b,
        Err(e) if crate::limits::exceeded(&e) => return Refusal::GraphQl.response(state.limits.graphql),
        Err(e) => {
            tracing::info!(error = %e, "GraphQL request refused: the body could not be read");
            return GraphQlError::bad_request("the request body could not be read").into_response();
        }
    };
    let request: async_graphql::Request = match serde_json::from_slice(&bytes) {
        Ok(r) => r,
        Err(e) => {
            return GraphQlError::bad_request(&format!("the body is not a GraphQL request in JSON: {e}"))
                .into_response();
        }
    };
    let session = SessionReport::default();
    let executed = state.schema.execute(request.data(auth).data(session.clone())).await;
    if executed.errors.iter().any(is_rate_limited) {
        crate::metrics::rate_limited(crate::metrics::RateLimit::GraphQlOperation);
    }
    let mut resp = async_graphql_axum::GraphQLResponse::from(executed).into_response();
    let now = state.identity.now();
    for change in session.take() {
        resp = with_cookie(resp, state.cookies.session_change(&change, now));
    }
    resp
}

/// An operation refused by a rate limit (`signIn` over its failed-password budget).
fn is_rate_limited(e: &async_graphql::ServerError) -> bool {
    e.extensions
        .as_ref()
        .and_then(|x| x.get("code"))
        .is_some_and(|c| matches!(c, async_graphql::Value::String(code) if code == "RATE_LIMITED"))
}

/// Finds the caller: an `Authorization: Bearer` API token, else the session cookie. Every
/// request without a bearer token, with or without a cookie, must be JSON and not
/// cross-site: a cross-site `signIn` would otherwise plant the attacker's session (login
/// CSRF), and a cross-site `signOut` end the victim's.
async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    peer: Option<IpAddr>,
) -> Result<RequestAuth, GraphQlError> {
    let mut auth = RequestAuth {
        ip: peer.map(|p| p.to_string()),
        user_agent: headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned),
        operator_tenant: headers.get("x-gatehouse-tenant").and_then(|v| v.to_str().ok()).map(str::to_owned),
        ..RequestAuth::default()
    };
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let token = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).map(str::trim);
        let principal = match token {
            Some(t) => state.identity.resolve_api_token(t).await.map_err(|e| GraphQlError::internal(&e))?,
            None => None,
        };
        let Some(principal) = principal else {
            return Err(GraphQlError::unauthenticated("the API token is unknown or revoked"));
        };
        match state.identity.admit_api_request(&principal).await {
            Ok(()) => {}
            Err(gatehouse_identity::Error::RateLimited { message, retry_after_secs }) => {
                crate::metrics::rate_limited(crate::metrics::RateLimit::ApiToken);
                return Err(GraphQlError::rate_limited(&message, retry_after_secs));
            }
            Err(e) => return Err(GraphQlError::internal(&e)),
        }
        auth.principal = Some(principal);
        return Ok(auth);
    }
    csrf_check(state, headers)?;
    if let Some(token) = state.cookies.session_of(headers) {
        auth.principal = state.identity.resolve_session(&token).await.map_err(|e| GraphQlError::internal(&e))?;
        auth.session_token = Some(token);
    }
    Ok(auth)
}

/// JSON only (a browser form can send `text/plain`, form encodings and multipart without
/// asking; `application/json` needs a CORS preflight Gatehouse never grants), and the
/// same-origin rule of [`crate::same_origin`].
fn csrf_check(state: &AppState, headers: &HeaderMap) -> Result<(), GraphQlError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        tracing::info!("GraphQL request refused: not Content-Type: application/json");
        return Err(GraphQlError::forbidden("requests must send Content-Type: application/json"));
    }
    if let Err(crate::same_origin::CrossSite(why)) = crate::same_origin::check(headers, &state.public_origin) {
        tracing::info!(signal = %why, "GraphQL request refused: cross-site");
        return Err(GraphQlError::forbidden("cross-site requests are refused"));
    }
    Ok(())
}

/// A `/graphql` request refused at the HTTP edge, answered in the GraphQL error shape
/// (`{"errors":[{"message", "extensions":{"code", …}}]}`) with the status its code means.
#[derive(Debug)]
pub(crate) struct GraphQlError {
    status: StatusCode,
    code: &'static str,
    message: String,
    /// Extensions after `code`, in order (`retryAfterSeconds`, `limitBytes`, `correlationId`).
    extensions: Vec<(&'static str, Value)>,
    /// Sent as `Retry-After` too.
    retry_after_secs: Option<u64>,
}

impl GraphQlError {
    fn new(status: StatusCode, code: &'static str, message: &str) -> Self {
        GraphQlError { status, code, message: message.to_owned(), extensions: Vec::new(), retry_after_secs: None }
    }

    fn unauthenticated(message: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", message)
    }

    fn bad_request(message: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
    }

    fn forbidden(message: &str) -> Self {
        Self::new(StatusCode::FORBIDDEN, "FORBIDDEN", message)
    }

    /// 429 with `Retry-After` (`RATE_LIMITED`, `retryAfterSeconds`).
    fn rate_limited(message: &str, retry_after_secs: u64) -> Self {
        GraphQlError {
            extensions: vec![("retryAfterSeconds", retry_after_secs.into())],
            retry_after_secs: Some(retry_after_secs),
            ..Self::new(StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED", message)
        }
    }

    /// 413 (`PAYLOAD_TOO_LARGE`, `limitBytes`).
    pub(crate) fn payload_too_large(max_bytes: usize) -> Self {
        let message = format!("the request body is larger than this server accepts here ({max_bytes} bytes)");
        GraphQlError {
            extensions: vec![("limitBytes", max_bytes.into())],
            ..Self::new(StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE", &message)
        }
    }

    /// 500 with the correlation ID the cause was logged under, and nothing of the cause.
    fn internal(cause: &gatehouse_identity::Error) -> Self {
        let correlation_id = gatehouse_identity::Error::log_internal("graphql", cause);
        let message = format!("internal error (correlation ID {correlation_id})");
        GraphQlError {
            extensions: vec![("correlationId", correlation_id.into())],
            ..Self::new(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", &message)
        }
    }
}

impl IntoResponse for GraphQlError {
    fn into_response(self) -> Response {
        let mut extensions = Map::new();
        extensions.insert("code".into(), self.code.into());
        extensions.extend(self.extensions.into_iter().map(|(k, v)| (k.to_owned(), v)));
        let body = serde_json::json!({"errors": [{"message": self.message, "extensions": extensions}]});
        let mut resp = (self.status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response();
        if let Some(secs) = self.retry_after_secs {
            resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}
