//! The smaller edges: `__Host-` cookies and HSTS behind an https public URL, `/metrics`
//! behind a bearer token, and the GraphQL explorer served from the binary alone.

use gatehouse_e2e::*;
use gatehouse_test_support::both_backends;
use serde_json::{Value, json};

const OP_PASSWORD: &str = "operator password 123";
const OP_EMAIL: &str = "admin@gatehouse.local";

fn sign_in_body() -> String {
    json!({"query": format!("mutation {{ signIn(email:\"{OP_EMAIL}\", password:\"{OP_PASSWORD}\"){{ me {{ email }} }} }}")})
        .to_string()
}

async fn graphql(base: &str, cookie: Option<&str>, body: String) -> reqwest::Response {
    let mut req =
        reqwest::Client::new().post(format!("{base}/graphql")).header("content-type", "application/json").body(body);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    req.send().await.expect("graphql answers")
}

both_backends!(https_public_url_sets_host_prefixed_cookies_and_hsts, |db| async move {
    let db: TestDb = db;
    // TLS ends at the proxy in front of Gatehouse; the public URL says https.
    let s = Server::start(
        db.url(),
        &[("GATEHOUSE_BOOTSTRAP_PASSWORD", OP_PASSWORD), ("GATEHOUSE_PUBLIC_URL", "https://id.gatehouse.test")],
    )
    .await;
    let r = graphql(&s.base, None, sign_in_body()).await;
    assert_eq!(r.headers()["strict-transport-security"], "max-age=31536000");
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("__Host-gatehouse_session="), "{cookie}");
    assert!(cookie.contains("; Path=/;") && cookie.contains("; Secure") && !cookie.contains("Domain"), "{cookie}");
    let pair = cookie.split(';').next().unwrap().to_owned();
    let me = |c: String| {
        let base = s.base.clone();
        async move {
            graphql(&base, Some(&c), json!({"query": "{ me { email } }"}).to_string())
                .await
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    assert_eq!(me(pair.clone()).await["data"]["me"]["email"], OP_EMAIL, "the prefixed cookie is read");
    let plain = pair.replacen("__Host-", "", 1);
    assert!(me(plain).await["data"]["me"].is_null(), "the unprefixed name is not a session on https");
    for path in ["/healthz", "/login", "/graphql"] {
        let r = reqwest::get(format!("{}{path}", s.base)).await.unwrap();
        assert_eq!(r.headers()["strict-transport-security"], "max-age=31536000", "{path}");
    }
    // Same-origin means the public origin, not the address the proxy forwarded to.
    let r = reqwest::Client::new()
        .post(format!("{}/graphql", s.base))
        .header("content-type", "application/json")
        .header("origin", &s.base)
        .body(sign_in_body())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let r = reqwest::Client::new()
        .post(format!("{}/graphql", s.base))
        .header("content-type", "application/json")
        .header("origin", "https://id.gatehouse.test")
        .body(sign_in_body())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let out = graphql(&s.base, Some(&pair), json!({"query": "mutation { signOut }"}).to_string()).await;
    let cleared = out.headers()["set-cookie"].to_str().unwrap();
    assert!(cleared.starts_with("__Host-gatehouse_session=;") && cleared.contains("Max-Age=0"), "{cleared}");
});

both_backends!(http_public_url_keeps_plain_cookies_without_hsts, |db| async move {
    let db: TestDb = db;
    let s = Server::start(db.url(), &[("GATEHOUSE_BOOTSTRAP_PASSWORD", OP_PASSWORD)]).await;
    let r = graphql(&s.base, None, sign_in_body()).await;
    assert!(r.headers().get("strict-transport-security").is_none());
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("gatehouse_session=") && !cookie.contains("Secure"), "{cookie}");
});

both_backends!(metrics_require_the_configured_bearer_token, |db| async move {
    let db: TestDb = db;
    let token = "metrics-token-0123456789abcdef";
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), format!("{token}\n")).unwrap();
    let path = file.path().display().to_string();
    for env in [("GATEHOUSE_METRICS_TOKEN", token), ("GATEHOUSE_METRICS_TOKEN_FILE", path.as_str())] {
        let s = Server::start(db.url(), &[env]).await;
        let get = |auth: Option<String>| {
            let mut req = reqwest::Client::new().get(format!("{}/metrics", s.base));
            if let Some(a) = auth {
                req = req.header("authorization", a);
            }
            req.send()
        };
        let r = get(None).await.unwrap();
        assert_eq!(r.status().as_u16(), 401, "{env:?}");
        assert_eq!(r.headers()["www-authenticate"], "Bearer");
        assert!(!r.text().await.unwrap().contains("gatehouse_build_info"));
        for wrong in
            ["Bearer metrics-token-0123456789abcdeX", "Bearer ", "Basic bWV0cmljczp4", &format!("Bearer {token}x")]
        {
            assert_eq!(get(Some(wrong.to_owned())).await.unwrap().status().as_u16(), 401, "{wrong}");
        }
        let r = get(Some(format!("Bearer {token}"))).await.unwrap();
        assert_eq!(r.status().as_u16(), 200, "{env:?}");
        assert!(r.text().await.unwrap().contains("gatehouse_build_info"));
        drop(s);
    }
    // Without the key the metrics stay open (the default, for scrapers on a private network).
    let s = Server::start(db.url(), &[]).await;
    assert_eq!(reqwest::get(format!("{}/metrics", s.base)).await.unwrap().status().as_u16(), 200);
});

both_backends!(graphql_explorer_loads_nothing_from_another_host, |db| async move {
    let db: TestDb = db;
    let s = Server::start(db.url(), &[]).await;
    let r = reqwest::get(format!("{}/graphql", s.base)).await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let csp = r.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("script-src 'self'") && csp.contains("default-src 'none'"), "{csp}");
    assert!(!csp.contains("http") && !csp.contains("unsafe"), "{csp}");
    let html = r.text().await.unwrap();
    for other_host in ["http:", "https:", "\"//", "'//"] {
        assert!(!html.contains(other_host), "{other_host} in {html}");
    }
    assert!(!html.to_ascii_lowercase().contains("cdn"), "{html}");
    for asset in ["/graphql/explorer.js", "/graphql/explorer.css"] {
        assert!(html.contains(asset), "{asset}");
        let r = reqwest::get(format!("{}{asset}", s.base)).await.unwrap();
        assert_eq!(r.status().as_u16(), 200, "{asset}");
        let text = r.text().await.unwrap();
        assert!(!text.contains("http:") && !text.contains("https:"), "{asset} names another host");
    }
});
