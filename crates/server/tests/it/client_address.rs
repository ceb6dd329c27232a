//! `GATEHOUSE_TRUSTED_PROXIES` through the router: the address a sign-in is logged (and
//! throttled) under is the peer's unless a trusted proxy forwarded the request.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, header};
use gatehouse_test_support::both_backends;
use serde_json::json;

use crate::support::*;

/// A password `signIn` of the tenant's admin arriving from `peer` with these
/// `X-Forwarded-For` lines.
async fn sign_in_from(app: &TestApp, peer: &str, forwarded: &[&str]) {
    let body = json!({
        "query": "mutation($e:String!,$p:String!){ signIn(email:$e,password:$p){ me { email } } }",
        "variables": {"e": "admin@acme.test", "p": PASSWORD},
    });
    let mut req = Request::post("/graphql").header(header::CONTENT_TYPE, "application/json");
    for line in forwarded {
        req = req.header("x-forwarded-for", *line);
    }
    let mut req = req.body(Body::from(body.to_string())).unwrap();
    req.extensions_mut().insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
    app.request(req).await.data();
}

/// The address of the newest sign-in event.
async fn last_address(app: &TestApp, admin: &str) -> String {
    let r =
        app.gql(&Auth::Cookie(admin.into()), "{ signInEvents(first:1) { edges { node { ip } } } }", json!({})).await;
    r.data()["signInEvents"]["edges"][0]["node"]["ip"].as_str().unwrap().to_owned()
}

both_backends!(forwarded_for_is_believed_only_from_trusted_proxies, |db| async move {
    let app = TestApp::configured(db, |cfg| cfg.trusted_proxies = "10.0.0.0/8, 192.168.1.1".into()).await;
    let op = app.operator().await;
    let admin = app.tenant(&op, "acme").await;

    // A client that connects directly cannot choose its address.
    sign_in_from(&app, "198.51.100.7:5000", &["203.0.113.66"]).await;
    assert_eq!(last_address(&app, &admin).await, "198.51.100.7");

    // Through two trusted proxies: the first hop neither of them is; the forged
    // left-most entry is not believed.
    sign_in_from(&app, "10.0.0.2:5000", &["1.1.1.1, 203.0.113.9", "192.168.1.1"]).await;
    assert_eq!(last_address(&app, &admin).await, "203.0.113.9");

    // A malformed entry: the last trusted hop that handed it over.
    sign_in_from(&app, "10.0.0.2:5000", &["203.0.113.9, <script>"]).await;
    assert_eq!(last_address(&app, &admin).await, "10.0.0.2");
});

both_backends!(without_trusted_proxies_forwarded_for_is_ignored, |db| async move {
    let app = TestApp::new(db).await;
    let op = app.operator().await;
    let admin = app.tenant(&op, "acme").await;
    sign_in_from(&app, "10.0.0.2:5000", &["203.0.113.9"]).await;
    assert_eq!(last_address(&app, &admin).await, "10.0.0.2");
});
