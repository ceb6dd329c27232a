//! Forged browser requests against `/graphql`, `/login` and `/logout`: what another site
//! can make a victim's browser send (a `text/plain` or form post, with `Origin` of that site
//! or `null`, `Sec-Fetch-Site: cross-site`) is refused before anything runs; bearer-token
//! clients and the browser's own same-origin requests are unaffected.

use gatehouse_e2e::*;
use gatehouse_test_support::both_backends;
use serde_json::{Value, json};

const OP_PASSWORD: &str = "operator password 123";
const OP_EMAIL: &str = "admin@gatehouse.local";

async fn server(db: &TestDb) -> Server {
    Server::start(db.url(), &[("GATEHOUSE_BOOTSTRAP_PASSWORD", OP_PASSWORD)]).await
}

fn sign_in_body() -> String {
    json!({"query": format!("mutation {{ signIn(email:\"{OP_EMAIL}\", password:\"{OP_PASSWORD}\"){{ me {{ email }} }} }}")})
        .to_string()
}

/// A POST to `/graphql` with exactly these headers and no cookie jar.
async fn post_graphql(base: &str, headers: &[(&str, &str)], body: String) -> reqwest::Response {
    let mut req = reqwest::Client::new().post(format!("{base}/graphql")).body(body);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.expect("graphql answers")
}

fn set_cookies(r: &reqwest::Response) -> Vec<String> {
    r.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap_or_default().to_owned()).collect()
}

both_backends!(login_csrf_text_plain_signin_is_refused, |db| async move {
    let db: TestDb = db;
    let s = server(&db).await;
    // What an attacker's auto-submitting form can send: no CORS preflight is needed for
    // these content types, and the browser adds its own Origin / Sec-Fetch-Site.
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "text/plain;charset=UTF-8",
    ] {
        for signals in [
            &[("origin", "https://attacker.example"), ("sec-fetch-site", "cross-site")][..],
            &[("origin", "null")][..],
            &[][..],
        ] {
            let mut headers = vec![("content-type", content_type)];
            headers.extend_from_slice(signals);
            let r = post_graphql(&s.base, &headers, sign_in_body()).await;
            assert_eq!(r.status().as_u16(), 403, "{content_type} {signals:?}");
            assert!(set_cookies(&r).is_empty(), "no session cookie for {content_type} {signals:?}");
            let body: Value = r.json().await.unwrap();
            assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN", "{body}");
        }
    }
});

both_backends!(login_csrf_cross_site_json_signin_is_refused, |db| async move {
    let db: TestDb = db;
    let s = server(&db).await;
    for signals in [
        &[("sec-fetch-site", "cross-site")][..],
        &[("sec-fetch-site", "same-site"), ("origin", "https://other.gatehouse.test")][..],
        &[("origin", "https://attacker.example")][..],
        &[("origin", "null")][..],
    ] {
        let mut headers = vec![("content-type", "application/json")];
        headers.extend_from_slice(signals);
        let r = post_graphql(&s.base, &headers, sign_in_body()).await;
        assert_eq!(r.status().as_u16(), 403, "{signals:?}");
        assert!(set_cookies(&r).is_empty(), "{signals:?}");
    }
    // The browser's own requests still sign in: the console (Sec-Fetch-Site), a browser
    // without it (Origin = the public URL), and a non-browser client (neither).
    let own = s.base.clone();
    for signals in
        [vec![("sec-fetch-site", "same-origin"), ("origin", own.as_str())], vec![("origin", own.as_str())], vec![]]
    {
        let mut headers = vec![("content-type", "application/json")];
        headers.extend_from_slice(&signals);
        let r = post_graphql(&s.base, &headers, sign_in_body()).await;
        assert_eq!(r.status().as_u16(), 200, "{signals:?}");
        assert!(
            set_cookies(&r).iter().any(|c| c.starts_with("gatehouse_session=") && !c.contains("Max-Age=0")),
            "{signals:?}"
        );
    }
});

both_backends!(forced_signout_cross_site_is_refused, |db| async move {
    let db: TestDb = db;
    let s = server(&db).await;
    let victim = Client::new(&s.base);
    victim.sign_in(OP_EMAIL, OP_PASSWORD, None).await;
    let sign_out = json!({"query": "mutation { signOut }"}).to_string();
    // A SameSite=Lax cookie is not sent with the attacker's post, but a clearing Set-Cookie
    // in the answer would still end the victim's session in their browser.
    for (content_type, origin) in [("text/plain", "https://attacker.example"), ("application/json", "null")] {
        let r = post_graphql(&s.base, &[("content-type", content_type), ("origin", origin)], sign_out.clone()).await;
        assert_eq!(r.status().as_u16(), 403, "{content_type} {origin}");
        assert!(set_cookies(&r).is_empty(), "no clearing cookie: {:?}", set_cookies(&r));
    }
    // The same through the sign-out form: refused, nothing cleared.
    for origin in ["https://attacker.example", "null"] {
        let r = reqwest::Client::new()
            .post(format!("{}/logout", s.base))
            .header("origin", origin)
            .form(&[("x", "y")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 403, "{origin}");
        assert!(set_cookies(&r).is_empty());
    }
    let r = reqwest::Client::new()
        .post(format!("{}/logout", s.base))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let me = victim.gql("{ me { email } }", json!({})).await;
    assert_eq!(me["data"]["me"]["email"], OP_EMAIL, "the victim is still signed in");
});

both_backends!(login_form_posted_cross_site_or_with_origin_null_is_refused, |db| async move {
    let db: TestDb = db;
    let s = server(&db).await;
    let form = [("email", OP_EMAIL), ("password", OP_PASSWORD)];
    for signals in [
        &[("origin", "null")][..],
        &[("origin", "http://localhost:1")][..],
        &[("sec-fetch-site", "cross-site"), ("origin", "https://attacker.example")][..],
        &[("sec-fetch-site", "same-site")][..],
    ] {
        let mut req = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .post(format!("{}/login", s.base));
        for (k, v) in signals {
            req = req.header(*k, *v);
        }
        let r = req.form(&form).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 403, "{signals:?}");
        assert!(set_cookies(&r).is_empty(), "{signals:?}");
        assert!(r.text().await.unwrap().contains("sent from another website"));
    }
    // Chromium's same-origin post from the page (Referrer-Policy: same-origin) signs in.
    let page = reqwest::get(format!("{}/login", s.base)).await.unwrap();
    assert_eq!(page.headers()["referrer-policy"], "same-origin");
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{}/login", s.base))
        .header("origin", &s.base)
        .header("sec-fetch-site", "same-origin")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert!(set_cookies(&r).iter().any(|c| c.starts_with("gatehouse_session=")));
});

both_backends!(bearer_token_clients_are_unaffected_by_csrf_rules, |db| async move {
    let db: TestDb = db;
    let s = server(&db).await;
    let ops = Client::new(&s.base);
    ops.sign_in(OP_EMAIL, OP_PASSWORD, None).await;
    let r = ops
        .gql("mutation { createTenant(input:{slug:\"acme\", name:\"Acme\", adminEmail:\"it@acme.example\", adminPassword:\"acme admin password\"}){ tenant { slug } } }", json!({}))
        .await;
    assert!(r["errors"].is_null(), "{r}");
    let admin = Client::new(&s.base);
    admin.sign_in("it@acme.example", "acme admin password", None).await;
    let created = admin.gql("mutation { createApiToken(name:\"ci\"){ token } }", json!({})).await;
    let token = created["data"]["createApiToken"]["token"].as_str().expect("token").to_owned();
    let bearer = format!("Bearer {token}");
    let query = json!({"query": "{ me { role tenant { slug } } }"}).to_string();
    for extra in [&[][..], &[("origin", "https://ci.example")][..], &[("sec-fetch-site", "cross-site")][..]] {
        let mut headers = vec![("content-type", "application/json"), ("authorization", bearer.as_str())];
        headers.extend_from_slice(extra);
        let r = post_graphql(&s.base, &headers, query.clone()).await;
        assert_eq!(r.status().as_u16(), 200, "{extra:?}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["data"]["me"]["role"], "API_TOKEN", "{body}");
    }
});

both_backends!(graphql_over_get_never_executes, |db| async move {
    let db: TestDb = db;
    let s = server(&db).await;
    let victim = Client::new(&s.base);
    victim.sign_in(OP_EMAIL, OP_PASSWORD, None).await;
    // A link or <img> on another site makes the browser GET with its Lax cookie.
    let mutation = "mutation { createTenant(input:{slug:\"forged\", name:\"Forged\", adminEmail:\"x@forged.example\", adminPassword:\"forged admin password\"}){ tenant { slug } } }";
    for query in [
        mutation,
        "mutation { signOut }",
        &format!("mutation {{ signIn(email:\"{OP_EMAIL}\", password:\"{OP_PASSWORD}\"){{ me {{ email }} }} }}"),
    ] {
        let r = victim.http.get(format!("{}/graphql", s.base)).query(&[("query", query)]).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200);
        assert!(set_cookies(&r).is_empty(), "{query}");
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"), "GET is the explorer page");
    }
    let tenants = victim.gql("{ tenants { slug } }", json!({})).await;
    assert!(!tenants.to_string().contains("forged"), "{tenants}");
    assert_eq!(victim.gql("{ me { email } }", json!({})).await["data"]["me"]["email"], OP_EMAIL);
});
