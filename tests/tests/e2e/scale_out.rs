//! Two `gatehouse` processes on one PostgreSQL behave as one: a sign-in started on one
//! finishes on the other, a replay at either is refused, sessions are valid on both.

use gatehouse_e2e::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_share_sign_in_state() {
    let db = TestDb::new(Backend::Postgres).await;
    let tid = "cccccccc-3333-4333-8333-cccccccccccc";
    let issuer = format!("https://sts.windows.net/{tid}/");
    let idp = Idp::start(&issuer);
    let one = Server::start(db.url(), &[("GATEHOUSE_BOOTSTRAP_PASSWORD", "operator password 123")]).await;
    // Both replicas serve the same public URL, as behind a load balancer.
    let two = Server::start(db.url(), &[("GATEHOUSE_PUBLIC_URL", &one.base)]).await;
    assert!(!two.stdout().contains("Password:"), "the second replica finds the database set up");

    sso_tenant(&one.base, "operator password 123", &idp, "contoso", &issuer, "ada@contoso.example").await;

    // Start on replica one, finish on replica two (one cookie jar: cookies ignore ports).
    let browser = Client::new(&one.base);
    let r = browser.http.get(format!("{}/saml2/login?tenant=contoso", one.base)).send().await.unwrap();
    let req = query_param(r.headers()["location"].to_str().unwrap(), "SAMLRequest").unwrap();
    let resp = idp.response(&[("request", &req), ("user", "ada@contoso.example")]).await;
    let saml = resp["SAMLResponse"].as_str().unwrap().to_owned();
    let r = browser.http.post(format!("{}/saml2", two.base)).form(&[("SAMLResponse", &saml)]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let handle = handoff_handle(&r.text().await.unwrap()).expect("hand-over");
    let r = browser.http.post(format!("{}/saml2/complete", two.base)).form(&[("handle", handle)]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);

    // The session made on two is valid on one.
    let on_one = Client { http: browser.http.clone(), base: one.base.clone() };
    let me = on_one.gql("{ me { email } }", json!({})).await;
    assert_eq!(me["data"]["me"]["email"], "ada@contoso.example");

    // Replays are refused on both replicas (IdP-initiated: the replay cache decides).
    let unsolicited = idp.response(&[("user", "ada@contoso.example"), ("acs", &format!("{}/saml2", one.base))]).await;
    let saml = unsolicited["SAMLResponse"].as_str().unwrap().to_owned();
    let fresh = || reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let first = fresh().post(format!("{}/saml2", one.base)).form(&[("SAMLResponse", &saml)]).send().await.unwrap();
    assert_eq!(first.status().as_u16(), 200);
    let again = fresh().post(format!("{}/saml2", two.base)).form(&[("SAMLResponse", &saml)]).send().await.unwrap();
    assert_eq!(again.status().as_u16(), 403, "replayed on the other replica");
}

/// Password guesses spread over two replicas count against one limit: the counters live
/// in the shared database, not in either process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_passwords_spread_over_two_replicas_hit_one_limit() {
    let db = TestDb::new(Backend::Postgres).await;
    let one = Server::start(db.url(), &[("GATEHOUSE_BOOTSTRAP_PASSWORD", "operator password 123")]).await;
    let two = Server::start(db.url(), &[("GATEHOUSE_PUBLIC_URL", &one.base)]).await;
    let query = "mutation($p:String!){ signIn(email:\"admin@gatehouse.local\", password:$p){ me { email } } }";
    let mut codes = Vec::new();
    for n in 0..12 {
        let replica = if n % 2 == 0 { &one } else { &two };
        let r = Client::new(&replica.base).gql(query, json!({"p": format!("guess {n}")})).await;
        codes.push(r["errors"][0]["extensions"]["code"].as_str().unwrap_or("none").to_owned());
    }
    let checked = codes.iter().filter(|c| *c == "UNAUTHENTICATED").count();
    assert!((5..=6).contains(&checked), "five guesses in all, not five per replica: {codes:?}");
    assert_eq!(codes[checked..].iter().filter(|c| *c == "RATE_LIMITED").count(), 12 - checked, "{codes:?}");
    assert!(codes[checked..].iter().step_by(2).count() >= 3, "both replicas refuse: {codes:?}");
}
