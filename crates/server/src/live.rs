//! `GET /graphql/ws`: GraphQL subscriptions (the live sign-in log) over a WebSocket, in the
//! `graphql-transport-ws` protocol only.
//!
//! Authentication is the API's: the session cookie that rides on the upgrade request, or
//! an API token as `{"authorization": "Bearer …"}` in the `connection_init` payload (what
//! WebSocket clients can send; browsers cannot set headers on a WebSocket). Operators name
//! the tenant with `X-Gatehouse-Tenant` on the upgrade or `"tenant"` in the payload. A
//! browser on another site is refused before the upgrade, by the same-origin rule of every
//! state-changing request (`crate::same_origin`: browsers always send `Origin` on a
//! WebSocket handshake, and the cookie would otherwise ride along).
//!
//! Bounds: open sockets per process ([`LiveSettings::sockets`]), `connection_init` within
//! [`INIT_TIMEOUT`], messages up to [`MAX_MESSAGE_BYTES`], subscriptions per caller and per
//! process (`gatehouse_identity::LiveLimits`), and every [`LiveSettings::recheck`] the
//! caller's session or token is checked again: once it has ended the subscription ends.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_graphql::Data;
use async_graphql::http::{WebSocket as GraphQlSocket, WebSocketProtocols, WsMessage};
use axum::Extension;
use axum::extract::State;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt, future};
use gatehouse_graphql::{OverWebSocket, RequestAuth, StillAuthenticated};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::app::AppState;
use crate::client_address::ClientAddress;

/// The subprotocol (the `graphql-ws` npm package's; not the older Apollo `graphql-ws`).
pub(crate) const PROTOCOL: &str = "graphql-transport-ws";
/// A client must authenticate this soon after the upgrade.
pub(crate) const INIT_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest message a client may send (a subscription document and its variables).
pub(crate) const MAX_MESSAGE_BYTES: usize = 16 * 1024;

/// The live connections' settings, shared by the app.
#[derive(Clone, Debug)]
pub(crate) struct LiveSettings {
    /// One permit per open socket.
    pub sockets: Arc<Semaphore>,
    /// How often a running subscription checks its caller is still signed in.
    pub recheck: Duration,
}

/// The upgrade: refused (before any WebSocket exists) when not a `graphql-transport-ws`
/// handshake, cross-site, or over the process's socket bound.
pub(crate) async fn upgrade(
    State(state): State<AppState>,
    peer: Option<Extension<ClientAddress>>,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let Ok(ws) = ws else {
        return refuse(StatusCode::UPGRADE_REQUIRED, "GET /graphql/ws is a WebSocket (graphql-transport-ws)");
    };
    let offered = headers
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| p.trim().eq_ignore_ascii_case(PROTOCOL));
    if !offered {
        return refuse(StatusCode::BAD_REQUEST, "offer the graphql-transport-ws subprotocol");
    }
    if let Err(crate::same_origin::CrossSite(why)) = crate::same_origin::check(&headers, &state.public_origin) {
        tracing::info!(signal = %why, "live connection refused: cross-site");
        return refuse(StatusCode::FORBIDDEN, "cross-site requests are refused");
    }
    let Ok(permit) = state.live.sockets.clone().try_acquire_owned() else {
        tracing::info!("live connection refused: this process has as many open as it allows");
        return refuse(StatusCode::SERVICE_UNAVAILABLE, "too many live connections; try again shortly");
    };
    let upgrade = Upgrade {
        cookie: state.cookies.session_of(&headers),
        operator_tenant: text(&headers, "x-gatehouse-tenant"),
        user_agent: text(&headers, header::USER_AGENT.as_str()),
        ip: peer.map(|Extension(ClientAddress(a))| a.to_string()),
    };
    ws.protocols([PROTOCOL])
        .max_message_size(MAX_MESSAGE_BYTES)
        .max_frame_size(MAX_MESSAGE_BYTES)
        .on_upgrade(move |socket| serve(state, socket, upgrade, permit))
}

fn text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

fn refuse(status: StatusCode, message: &str) -> Response {
    (status, message.to_owned()).into_response()
}

/// What the upgrade request said about its caller.
struct Upgrade {
    cookie: Option<String>,
    operator_tenant: Option<String>,
    user_agent: Option<String>,
    ip: Option<String>,
}

/// Runs the protocol until either side closes, or the client never authenticates.
async fn serve(state: AppState, socket: WebSocket, upgrade: Upgrade, permit: OwnedSemaphorePermit) {
    let (mut sink, stream) = socket.split();
    let input = stream.take_while(|m| future::ready(m.is_ok())).filter_map(|m| {
        future::ready(match m {
            Ok(Message::Text(t)) => Some(t.as_str().as_bytes().to_vec()),
            Ok(Message::Binary(b)) => Some(b.to_vec()),
            _ => None,
        })
    });
    let initialised = Arc::new(AtomicBool::new(false));
    let init = {
        let (state, initialised) = (state.clone(), initialised.clone());
        move |payload: serde_json::Value| async move {
            let data = authenticate(&state, upgrade, &payload).await?;
            initialised.store(true, Ordering::Release);
            Ok(data)
        }
    };
    let output = GraphQlSocket::new(state.schema.clone(), input, WebSocketProtocols::GraphQLWS)
        .on_connection_init(init)
        .map(|msg| match msg {
            WsMessage::Text(text) => Message::Text(text.into()),
            WsMessage::Close(code, reason) => {
                Message::Close(Some(CloseFrame { code, reason: close_reason(&reason).into() }))
            }
        });
    futures_util::pin_mut!(output);
    let forward = async {
        while let Some(item) = output.next().await {
            if sink.send(item).await.is_err() {
                break;
            }
        }
    };
    let unauthenticated = async {
        tokio::time::sleep(INIT_TIMEOUT).await;
        if initialised.load(Ordering::Acquire) {
            future::pending::<()>().await;
        }
    };
    tokio::select! {
        () = forward => {}
        () = unauthenticated => {
            tracing::info!("live connection closed: no connection_init within {}s", INIT_TIMEOUT.as_secs());
        }
    }
    drop(permit);
}

/// A close frame's reason carries at most 123 bytes (RFC 6455 §5.5): longer ones are cut at
/// a character boundary.
fn close_reason(reason: &str) -> &str {
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    &reason[..end]
}

/// `connection_init`: an API token in the payload, else the upgrade's session cookie.
async fn authenticate(state: &AppState, upgrade: Upgrade, payload: &serde_json::Value) -> async_graphql::Result<Data> {
    let field = |name: &str| {
        payload
            .as_object()
            .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
            .and_then(|(_, v)| v.as_str())
    };
    let mut auth = RequestAuth {
        ip: upgrade.ip,
        user_agent: upgrade.user_agent,
        operator_tenant: field("tenant").map(str::to_owned).or(upgrade.operator_tenant),
        ..RequestAuth::default()
    };
    let internal = |e: gatehouse_identity::Error| {
        let id = gatehouse_identity::Error::log_internal("live", &e);
        async_graphql::Error::new(format!("INTERNAL: internal error (correlation ID {id})"))
    };
    let identity = state.identity.clone();
    let still: StillAuthenticated = if let Some(value) = field("authorization") {
        let token = value.strip_prefix("Bearer ").map(str::trim).unwrap_or_default().to_owned();
        let principal = identity.resolve_api_token(&token).await.map_err(internal)?;
        let Some(principal) = principal else {
            return Err(async_graphql::Error::new("UNAUTHENTICATED: the API token is unknown or revoked"));
        };
        match identity.admit_api_request(&principal).await {
            Ok(()) => {}
            Err(gatehouse_identity::Error::RateLimited { message, .. }) => {
                crate::metrics::rate_limited(crate::metrics::RateLimit::ApiToken);
                return Err(async_graphql::Error::new(format!("RATE_LIMITED: {message}")));
            }
            Err(e) => return Err(internal(e)),
        }
        auth.principal = Some(principal);
        StillAuthenticated {
            check: Arc::new(move || {
                let (identity, token) = (identity.clone(), token.clone());
                Box::pin(async move { matches!(identity.resolve_api_token(&token).await, Ok(Some(_))) })
            }),
            every: state.live.recheck,
        }
    } else {
        let Some(cookie) = upgrade.cookie else {
            return Err(async_graphql::Error::new("UNAUTHENTICATED: sign in first"));
        };
        let Some(principal) = identity.resolve_session(&cookie).await.map_err(internal)? else {
            return Err(async_graphql::Error::new("UNAUTHENTICATED: the session has ended; sign in again"));
        };
        auth.principal = Some(principal.clone());
        auth.session_token = Some(cookie.clone());
        StillAuthenticated {
            check: Arc::new(move || {
                let (identity, cookie, principal) = (identity.clone(), cookie.clone(), principal.clone());
                Box::pin(
                    async move { matches!(identity.session_still_valid(&cookie).await, Ok(Some(p)) if p == principal) },
                )
            }),
            every: state.live.recheck,
        }
    };
    let mut data = Data::default();
    data.insert(auth);
    data.insert(still);
    data.insert(OverWebSocket);
    Ok(data)
}

#[cfg(test)]
mod tests {
    #[test]
    fn close_reasons_fit_a_close_frame() {
        assert_eq!(super::close_reason("UNAUTHENTICATED: sign in first"), "UNAUTHENTICATED: sign in first");
        let long = "é".repeat(100);
        let cut = super::close_reason(&long);
        assert!(cut.len() <= 123 && cut.len() >= 121, "{}", cut.len());
    }
}
