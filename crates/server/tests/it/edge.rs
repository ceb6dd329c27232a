//! The HTTP edge, across surfaces: the session cookie is the same whichever surface issues
//! or clears it, and an internal error shows the client the correlation ID it was logged
//! under (once), on GraphQL, SCIM and the pages alike.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use gatehouse_test_support::{TestDb, both_backends};
use sea_orm::ConnectionTrait;
use serde_json::json;
use tracing::instrument::WithSubscriber;

use crate::logs::Logs;
use crate::support::*;

/// A `Set-Cookie` value taken apart: name, value, `Max-Age`, and the other attributes.
#[derive(Debug)]
struct SetCookie {
    name: String,
    value: String,
    max_age: i64,
    attributes: Vec<String>,
}

fn parse(set_cookie: &[String]) -> SetCookie {
    assert_eq!(set_cookie.len(), 1, "one Set-Cookie: {set_cookie:?}");
    let mut parts = set_cookie[0].split("; ");
    let (name, value) = parts.next().and_then(|p| p.split_once('=')).expect("name=value");
    let mut max_age = None;
    let mut attributes = Vec::new();
    for p in parts {
        match p.strip_prefix("Max-Age=") {
            Some(secs) => max_age = Some(secs.parse().expect("Max-Age is a number")),
            None => attributes.push(p.to_owned()),
        }
    }
    SetCookie { name: name.into(), value: value.into(), max_age: max_age.expect("Max-Age"), attributes }
}

fn form(path: &str, cookie: Option<&str>, body: &str) -> Request<Body> {
    let mut req = Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    req.body(Body::from(body.to_owned())).unwrap()
}

fn graphql(cookie: Option<&str>, query: &str) -> Request<Body> {
    let mut req = Request::post("/graphql").header(header::CONTENT_TYPE, "application/json");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    req.body(Body::from(json!({"query": query}).to_string())).unwrap()
}

/// Signs in and out through `signIn` / `signOut` and through `/login` / `/logout`; both
/// surfaces must write the same cookie (name, attributes, lifetime; cleared alike).
async fn same_session_cookie_on_both_surfaces(db: TestDb, public_url: &str) {
    let app = TestApp::with_public_url(db, public_url).await;
    app.operator().await;
    let sign_in =
        "mutation { signIn(email:\"ops@gatehouse.test\", password:\"correct horse battery staple\"){ me { role } } }";
    let r = app.request(graphql(None, sign_in)).await;
    assert_eq!(r.data()["signIn"]["me"]["role"], "PLATFORM_OPERATOR");
    let from_graphql = parse(&r.set_cookie);
    let r = app.request(form("/login", None, "email=ops%40gatehouse.test&password=correct+horse+battery+staple")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let from_login = parse(&r.set_cookie);

    assert_eq!(from_graphql.name, from_login.name, "{public_url}");
    assert_eq!(from_graphql.attributes, from_login.attributes, "{public_url}");
    assert!(from_login.max_age > 0 && (from_graphql.max_age - from_login.max_age).abs() <= 1, "{public_url}");
    assert!(!from_graphql.value.is_empty() && from_graphql.value != from_login.value);
    let https = public_url.starts_with("https://");
    assert_eq!(from_login.name.starts_with("__Host-"), https, "{public_url}");
    assert_eq!(from_login.attributes.iter().any(|a| a == "Secure"), https, "{public_url}");

    let cookie = |c: &SetCookie| format!("{}={}", c.name, c.value);
    let r = app.request(graphql(Some(&cookie(&from_graphql)), "mutation { signOut }")).await;
    assert_eq!(r.data()["signOut"], true);
    let out_graphql = r.set_cookie;
    let r = app.request(form("/logout", Some(&cookie(&from_login)), "")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(out_graphql, r.set_cookie, "{public_url}");
    let cleared = parse(&out_graphql);
    assert_eq!((cleared.name.as_str(), cleared.value.as_str(), cleared.max_age), (from_login.name.as_str(), "", 0));
}

both_backends!(graphql_and_the_login_page_issue_and_clear_the_same_session_cookie, |db: TestDb| async move {
    let backend = db.backend();
    same_session_cookie_on_both_surfaces(db, PUBLIC_URL).await;
    same_session_cookie_on_both_surfaces(TestDb::new(backend).await, "https://id.example.com").await;
});

both_backends!(an_internal_error_shows_the_client_the_id_it_was_logged_under, |db: TestDb| async move {
    let app = TestApp::new(db).await;
    let op = app.operator().await;
    let admin = app.tenant(&op, "contoso").await;
    let r = app.gql(&Auth::Cookie(admin.clone()), "mutation { createScimToken { token } }", json!({})).await;
    let scim_token = r.data()["createScimToken"]["token"].as_str().unwrap().to_owned();
    let r = app.gql(&Auth::Cookie(admin.clone()), "mutation { createApiToken(name:\"ci\"){ token } }", json!({})).await;
    let api_token = r.data()["createApiToken"]["token"].as_str().unwrap().to_owned();
    for table in ["api_tokens", "scim_tokens"] {
        app.db.conn().execute_unprepared(&format!("ALTER TABLE {table} RENAME TO {table}_gone")).await.unwrap();
    }
    let logs = Logs::default();
    let logged = logs.text_dispatch();
    let send = |req: Request<Body>| app.request(req).with_subscriber(logged.clone());
    let mut ids = Vec::new();

    // GraphQL, a resolver's fault.
    let r = send(graphql(Some(&format!("gatehouse_session={admin}")), "{ apiTokens { nodes { name } } }")).await;
    assert_eq!(r.code(), Some("INTERNAL"));
    ids.push(r.body["errors"][0]["extensions"]["correlationId"].as_str().unwrap().to_owned());
    // GraphQL, refused at the edge before the executor (the API token cannot be looked up).
    let req = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {api_token}"))
        .body(Body::from(json!({"query": "{ me { email } }"}).to_string()))
        .unwrap();
    let r = send(req).await;
    assert_eq!((r.status, r.code()), (StatusCode::INTERNAL_SERVER_ERROR, Some("INTERNAL")));
    let id = r.body["errors"][0]["extensions"]["correlationId"].as_str().unwrap().to_owned();
    assert_eq!(r.body["errors"][0]["message"], format!("internal error (correlation ID {id})"));
    ids.push(id);
    // SCIM.
    let req = Request::get("/scim/v2/contoso/Users")
        .header(header::AUTHORIZATION, format!("Bearer {scim_token}"))
        .body(Body::empty())
        .unwrap();
    let r = send(req).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(r.content_type.as_deref(), Some("application/scim+json"));
    let detail = r.body["detail"].as_str().unwrap();
    ids.push(detail.strip_prefix("internal server error (correlation id ").unwrap().trim_end_matches(')').to_owned());
    // The pages.
    app.db.conn().execute_unprepared("ALTER TABLE users RENAME TO users_gone").await.unwrap();
    let r = send(form("/login", None, "email=admin%40contoso.test")).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    let html = r.body.as_str().unwrap();
    let (_, rest) = html.split_once("Reference for your administrator: <code>").unwrap();
    ids.push(rest.split_once("</code>").unwrap().0.to_owned());

    let logs = logs.text();
    for id in &ids {
        assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
        let lines: Vec<&str> = logs.lines().filter(|l| l.contains(id.as_str())).collect();
        assert_eq!(lines.len(), 1, "logged once under {id}: {logs}");
        assert!(lines[0].contains("ERROR") && lines[0].contains(&format!("correlation_id={id}")), "{}", lines[0]);
    }
    let logged_ids = logs.lines().filter(|l| l.contains("correlation_id=")).count();
    assert_eq!(logged_ids, ids.len(), "one log line per internal error, no ID the client never saw: {logs}");
});
