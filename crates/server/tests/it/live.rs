//! The live sign-in log over a real socket (`GET /graphql/ws`, `graphql-transport-ws`), on
//! SQLite and PostgreSQL: a sign-in on one replica reaches a subscriber on another; each
//! admin sees only their tenant's; the socket is refused cross-site and without
//! authentication; subscriptions end when the session does; every bound is hit.

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use gatehouse_server::config::Config;
use gatehouse_test_support::both_backends;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::support::*;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const LIVE: &str =
    "subscription($f: SignInEventFilter) { signInEventAdded(filter: $f) { id reasonCode flow nameId success } }";

/// Another replica on the same database (its own poller), served on a real port.
async fn replica(app: &TestApp, change: impl FnOnce(&mut Config)) -> SocketAddr {
    let mut cfg = Config {
        public_url: Some(PUBLIC_URL.into()),
        database_url: app.db.url().into(),
        live_poll_interval_ms: 50,
        ..Config::default()
    };
    change(&mut cfg);
    let state = gatehouse_server::state(&cfg, app.db.conn().clone()).expect("state");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = gatehouse_server::app(state).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, router).await });
    addr
}

/// The upgrade request: the protocol, an `Origin`, and the session cookie when given.
fn upgrade(addr: SocketAddr, cookie: Option<&str>, origin: &str) -> axum::http::Request<()> {
    let mut req = format!("ws://{addr}/graphql/ws").into_client_request().expect("request");
    let h = req.headers_mut();
    h.insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
    h.insert("origin", origin.parse().unwrap());
    if let Some(c) = cookie {
        h.insert("cookie", format!("gatehouse_session={c}").parse().unwrap());
    }
    req
}

/// A socket past `connection_init` / `connection_ack`.
async fn connect(addr: SocketAddr, cookie: Option<&str>, init: Value) -> Socket {
    let (mut ws, resp) = tokio_tungstenite::connect_async(upgrade(addr, cookie, PUBLIC_URL)).await.expect("upgrade");
    assert_eq!(resp.headers()["sec-websocket-protocol"], "graphql-transport-ws");
    send(&mut ws, json!({"type": "connection_init", "payload": init})).await;
    let ack = recv(&mut ws).await.expect("an answer to connection_init");
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    ws
}

async fn send(ws: &mut Socket, message: Value) {
    ws.send(Message::Text(message.to_string().into())).await.expect("send");
}

async fn subscribe(ws: &mut Socket, id: &str, filter: Value) {
    send(ws, json!({"id": id, "type": "subscribe", "payload": {"query": LIVE, "variables": {"f": filter}}})).await;
}

/// The next protocol message (`None` when the socket closed); waits at most 10 s.
async fn recv(ws: &mut Socket) -> Option<Value> {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(10), ws.next()).await.expect("a message in time")?;
        match msg.ok()? {
            Message::Text(t) => return Some(serde_json::from_str(&t).expect("JSON")),
            Message::Close(frame) => return Some(json!({"type": "close", "frame": format!("{frame:?}")})),
            _ => {}
        }
    }
}

/// Nothing arrives within `wait`.
async fn quiet(ws: &mut Socket, wait: Duration) {
    if let Ok(Some(msg)) = tokio::time::timeout(wait, ws.next()).await {
        panic!("expected nothing, got {msg:?}");
    }
}

/// Reads whatever arrives until the socket has been quiet for 200 ms.
async fn drain(ws: &mut Socket) {
    while let Ok(Some(_)) = tokio::time::timeout(Duration::from_millis(200), ws.next()).await {}
}

/// A password sign-in through the given app (`replica` A, the oneshot router).
async fn password_sign_in(app: &TestApp, email: &str, password: &str) {
    app.gql(
        &Auth::Anonymous,
        "mutation($e:String!,$p:String!){ signIn(email:$e,password:$p){ me { email } } }",
        json!({"e": email, "p": password}),
    )
    .await;
}

both_backends!(a_sign_in_on_one_replica_reaches_the_live_log_on_another, |db| async move {
    let app = TestApp::new(db).await;
    let op = app.operator().await;
    let acme = app.tenant(&op, "acme").await;
    let other = app.tenant(&op, "other").await;
    let b = replica(&app, |_| {}).await;

    let mut acme_ws = connect(b, Some(&acme), json!({})).await;
    subscribe(&mut acme_ws, "1", json!(null)).await;
    let mut failures_ws = connect(b, Some(&acme), json!({})).await;
    subscribe(&mut failures_ws, "f", json!({"success": false})).await;
    let mut other_ws = connect(b, Some(&other), json!({})).await;
    subscribe(&mut other_ws, "2", json!(null)).await;
    // Let the first polls pass the sign-ins above (which may be re-sent from the look-back).
    tokio::time::sleep(Duration::from_millis(300)).await;
    drain(&mut acme_ws).await;
    drain(&mut failures_ws).await;
    drain(&mut other_ws).await;

    // Replica A (the oneshot router) logs a failed sign-in of acme's admin.
    password_sign_in(&app, "admin@acme.test", "wrong password").await;
    let next = recv(&mut acme_ws).await.unwrap();
    assert_eq!(next["type"], "next", "{next}");
    assert_eq!(next["id"], "1");
    let event = &next["payload"]["data"]["signInEventAdded"];
    assert_eq!(event["reasonCode"], "wrong_password", "{next}");
    assert_eq!(event["flow"], "password");
    assert_eq!(event["nameId"], "admin@acme.test");
    let failure_id = event["id"].clone();
    let next = recv(&mut failures_ws).await.unwrap();
    assert_eq!(next["payload"]["data"]["signInEventAdded"]["id"], failure_id, "the filter lets failures through");

    // A success: acme's unfiltered log gets it, the failures-only one does not.
    password_sign_in(&app, "admin@acme.test", PASSWORD).await;
    let next = recv(&mut acme_ws).await.unwrap();
    assert_eq!(next["payload"]["data"]["signInEventAdded"]["success"], true, "{next}");
    quiet(&mut failures_ws, Duration::from_millis(500)).await;

    // The other tenant's admin saw none of acme's, and sees their own.
    password_sign_in(&app, "admin@other.test", "wrong password").await;
    let next = recv(&mut other_ws).await.unwrap();
    assert_eq!(next["payload"]["data"]["signInEventAdded"]["nameId"], "admin@other.test", "{next}");
    quiet(&mut acme_ws, Duration::from_millis(500)).await;
});

both_backends!(the_socket_is_refused_cross_site_without_the_protocol_and_without_authentication, |db| async move {
    let app = TestApp::new(db).await;
    let op = app.operator().await;
    let admin = app.tenant(&op, "acme").await;
    let b = replica(&app, |_| {}).await;

    // Another site's page, with the victim's cookie riding along: refused before the upgrade.
    let refused = tokio_tungstenite::connect_async(upgrade(b, Some(&admin), "https://evil.example")).await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => assert_eq!(resp.status(), 403),
        other => panic!("a cross-site upgrade was not refused: {other:?}"),
    }
    // Without the graphql-transport-ws subprotocol.
    let mut req = upgrade(b, Some(&admin), PUBLIC_URL);
    req.headers_mut().insert("sec-websocket-protocol", "graphql-ws".parse().unwrap());
    match tokio_tungstenite::connect_async(req).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => assert_eq!(resp.status(), 400),
        other => panic!("the old protocol was not refused: {other:?}"),
    }
    // No cookie and no token: connection_init is refused and the socket closed.
    let (mut ws, _) = tokio_tungstenite::connect_async(upgrade(b, None, PUBLIC_URL)).await.expect("upgrade");
    send(&mut ws, json!({"type": "connection_init", "payload": {}})).await;
    let closed = recv(&mut ws).await.unwrap();
    assert_eq!(closed["type"], "close", "{closed}");
    assert!(closed["frame"].as_str().unwrap().contains("UNAUTHENTICATED"), "{closed}");
    // A wrong API token likewise.
    let (mut ws, _) = tokio_tungstenite::connect_async(upgrade(b, None, PUBLIC_URL)).await.expect("upgrade");
    send(&mut ws, json!({"type": "connection_init", "payload": {"authorization": "Bearer gh_api_nope"}})).await;
    let closed = recv(&mut ws).await.unwrap();
    assert!(closed["frame"].as_str().unwrap().contains("UNAUTHENTICATED"), "{closed}");

    // An API token in the payload works without a cookie; queries and mutations do not
    // run over the socket.
    let r =
        app.gql(&Auth::Cookie(admin.clone()), "mutation { createApiToken(name:\"live\") { token } }", json!({})).await;
    let token = r.data()["createApiToken"]["token"].as_str().unwrap().to_owned();
    let mut ws = connect(b, None, json!({"authorization": format!("Bearer {token}")})).await;
    send(&mut ws, json!({"id": "q", "type": "subscribe", "payload": {"query": "{ me { email } }"}})).await;
    let answer = recv(&mut ws).await.unwrap();
    assert_eq!(answer["payload"]["errors"][0]["extensions"]["code"], "BAD_REQUEST", "{answer}");
    subscribe(&mut ws, "1", json!(null)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    password_sign_in(&app, "admin@acme.test", "wrong password").await;
    let mut seen = false;
    for _ in 0..10 {
        let next = recv(&mut ws).await.unwrap();
        if next["payload"]["data"]["signInEventAdded"]["reasonCode"] == "wrong_password" {
            seen = true;
            break;
        }
    }
    assert!(seen, "the API token's subscription got the sign-in");
});

both_backends!(a_subscription_ends_when_its_session_does, |db| async move {
    let app = TestApp::new(db).await;
    let op = app.operator().await;
    let admin = app.tenant(&op, "acme").await;
    let b = replica(&app, |cfg| cfg.live_recheck_seconds = 1).await;
    let mut ws = connect(b, Some(&admin), json!({})).await;
    subscribe(&mut ws, "1", json!(null)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.gql(&Auth::Cookie(admin.clone()), "mutation { signOut }", json!({})).await.data();
    let mut ended = None;
    for _ in 0..10 {
        let msg = recv(&mut ws).await.unwrap();
        if msg["type"] == "next" && msg["payload"]["errors"].is_array() {
            ended = Some(msg);
            break;
        }
    }
    let ended = ended.expect("the subscription reported the ended session");
    assert_eq!(ended["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{ended}");
    let complete = recv(&mut ws).await.unwrap();
    assert_eq!(complete["type"], "complete", "{complete}");
});

both_backends!(every_bound_of_the_live_log_is_hit, |db| async move {
    let app = TestApp::new(db).await;
    let op = app.operator().await;
    let admin = app.tenant(&op, "acme").await;

    // Per caller: five subscriptions; one more is refused (the socket starts them in no
    // particular order, so whichever comes sixth).
    let b = replica(&app, |_| {}).await;
    let mut ws = connect(b, Some(&admin), json!({})).await;
    for id in 1..=6 {
        subscribe(&mut ws, &id.to_string(), json!(null)).await;
    }
    let mut refused = None;
    for _ in 0..50 {
        let msg = recv(&mut ws).await.unwrap();
        if msg["payload"]["errors"].is_array() {
            refused = Some(msg);
            break;
        }
    }
    let refused = refused.expect("one subscription was refused");
    assert_eq!(refused["payload"]["errors"][0]["extensions"]["code"], "RATE_LIMITED", "{refused}");
    drain(&mut ws).await;
    // Closing one frees its place.
    let open = if refused["id"] == "1" { "2" } else { "1" };
    send(&mut ws, json!({"id": open, "type": "complete"})).await;
    drain(&mut ws).await;
    subscribe(&mut ws, "7", json!(null)).await;
    quiet(&mut ws, Duration::from_millis(500)).await;
    subscribe(&mut ws, "8", json!(null)).await;
    let again = recv(&mut ws).await.unwrap();
    assert_eq!(again["payload"]["errors"][0]["extensions"]["code"], "RATE_LIMITED", "{again}");
    drain(&mut ws).await;

    // A message over the size limit closes the socket.
    let big = "x".repeat(64 * 1024);
    send(&mut ws, json!({"id": "9", "type": "subscribe", "payload": {"query": big}})).await;
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match ws.next().await {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "an oversized message did not close the socket");

    // Per process: sockets over the bound are refused before the upgrade.
    let small = replica(&app, |cfg| cfg.live_max_subscriptions = 2).await;
    let _one = connect(small, Some(&admin), json!({})).await;
    let _two = connect(small, Some(&admin), json!({})).await;
    match tokio_tungstenite::connect_async(upgrade(small, Some(&admin), PUBLIC_URL)).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => assert_eq!(resp.status(), 503),
        other => panic!("a socket over the bound was not refused: {other:?}"),
    }

    // A socket that never authenticates is closed after the init timeout.
    let (mut silent, _) = tokio_tungstenite::connect_async(upgrade(b, None, PUBLIC_URL)).await.expect("upgrade");
    let end = tokio::time::timeout(Duration::from_secs(15), async {
        loop {
            match silent.next().await {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert!(end.is_ok(), "a socket without connection_init stayed open");
});
