//! Throttling over HTTP, as an attacker meets it: password guessing (one account, many
//! aliased fields), a SCIM token flood, a flood of bad SAML Responses — and legitimate
//! users who must not notice any of it.

use gatehouse_e2e::*;
use gatehouse_test_support::both_backends;
use serde_json::{Value, json};

const OPERATOR_PASSWORD: &str = "operator password 123";
const SIGN_IN: &str = "mutation($e:String!,$p:String!){ signIn(email:$e,password:$p){ me { email } } }";

/// One `signIn` from a fresh browser; the error code (`None` on success) and the answer.
async fn try_sign_in(base: &str, email: &str, password: &str) -> (Option<String>, Value) {
    let r = Client::new(base).gql(SIGN_IN, json!({"e": email, "p": password})).await;
    let code = r["errors"][0]["extensions"]["code"].as_str().map(str::to_owned);
    (code, r)
}

async fn demo_server(db: &TestDb, extra: &[(&str, &str)]) -> (Server, String) {
    let mut env = vec![("GATEHOUSE_BOOTSTRAP_PASSWORD", OPERATOR_PASSWORD)];
    env.extend_from_slice(extra);
    let server = Server::start(db.url(), &env).await;
    let demo_password = server.printed("Demo admin password:").expect("demo admin password printed");
    (server, demo_password)
}

fn count(codes: &[Option<String>], code: &str) -> usize {
    codes.iter().filter(|c| c.as_deref() == Some(code)).count()
}

both_backends!(thirty_wrong_passwords_are_throttled, |db| async move {
    let db: TestDb = db;
    let (server, demo_password) = demo_server(&db, &[]).await;
    let mut codes = Vec::new();
    let mut waits = Vec::new();
    for n in 0..30 {
        let (code, r) = try_sign_in(&server.base, "admin@demo.example.com", &format!("wrong guess {n}")).await;
        if code.as_deref() == Some("RATE_LIMITED") {
            waits.push(r["errors"][0]["extensions"]["retryAfterSeconds"].as_u64().expect("retryAfterSeconds"));
        }
        codes.push(code);
    }
    let checked = count(&codes, "UNAUTHENTICATED");
    assert!((5..=6).contains(&checked), "5 free guesses (a 6th if a 1 s wait passed), then none: {codes:?}");
    assert_eq!(checked + count(&codes, "RATE_LIMITED"), 30, "{codes:?}");
    assert!(waits.iter().all(|w| *w >= 1), "every refusal says how long to wait: {waits:?}");

    // While the account waits, even the right password is not checked — on /graphql and
    // on the /login form (429 with Retry-After).
    let (code, _) = try_sign_in(&server.base, "admin@demo.example.com", &demo_password).await;
    assert_eq!(code.as_deref(), Some("RATE_LIMITED"));
    let r = reqwest::Client::new()
        .post(format!("{}/login", server.base))
        .header("origin", &server.base)
        .form(&[("email", "admin@demo.example.com"), ("password", demo_password.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429);
    assert!(r.headers()["retry-after"].to_str().unwrap().parse::<u64>().unwrap() >= 1);
    assert!(r.text().await.unwrap().contains("too many sign-in attempts"));

    // Unknown e-mails are throttled the same way (probing them gains nothing).
    let mut unknown = Vec::new();
    for n in 0..8 {
        unknown.push(try_sign_in(&server.base, "nobody@demo.example.com", &format!("guess {n}")).await.0);
    }
    assert_eq!(count(&unknown, "UNAUTHENTICATED"), 5, "{unknown:?}");
    assert_eq!(count(&unknown, "RATE_LIMITED"), 3, "{unknown:?}");

    // Another account is not affected.
    let (code, r) = try_sign_in(&server.base, "admin@gatehouse.local", OPERATOR_PASSWORD).await;
    assert!(code.is_none(), "the operator signs in: {r}");
});

both_backends!(aliased_sign_in_fields_are_refused, |db| async move {
    let db: TestDb = db;
    let (server, _) = demo_server(&db, &[]).await;
    let c = Client::new(&server.base);
    let aliased = |n: usize| -> String {
        let fields: String = (0..n)
            .map(|n| format!("a{n}: signIn(email:\"admin@demo.example.com\", password:\"guess number {n}\") {{ me {{ email }} }} "))
            .collect();
        format!("mutation {{ {fields} }}")
    };
    // Fifty aliases: over the per-request alias limit as well; refused before anything runs.
    let r = c.gql(&aliased(50), json!({})).await;
    assert!(r["data"].is_null(), "nothing ran: {r}");
    let code = r["errors"][0]["extensions"]["code"].as_str().unwrap_or_default().to_owned();
    assert!(["QUERY_TOO_COMPLEX", "VALIDATION"].contains(&code.as_str()), "{r}");
    // Five: within every query limit, refused by the one-signIn rule.
    let r = c.gql(&aliased(5), json!({})).await;
    assert!(r["data"].is_null(), "nothing ran: {r}");
    assert_eq!(r["errors"].as_array().unwrap().len(), 1, "one error for the whole request: {r}");
    assert_eq!(r["errors"][0]["extensions"]["code"], "VALIDATION", "{r}");
    assert_eq!(r["errors"][0]["extensions"]["field"], "signIn", "{r}");
    assert!(r["errors"][0]["message"].as_str().unwrap().contains("at most one signIn"), "{r}");

    // Fragments and inline fragments that repeat it are counted too.
    let spread = "mutation { ...F ...F } fragment F on Mutation { signIn(email:\"admin@demo.example.com\", password:\"x\") { me { email } } }";
    let inline = "mutation { signIn(email:\"admin@demo.example.com\", password:\"x\") { me { email } } ... on Mutation { b: signIn(email:\"admin@demo.example.com\", password:\"y\") { me { email } } } }";
    for q in [spread, inline] {
        let r = c.gql(q, json!({})).await;
        assert_eq!(r["errors"][0]["extensions"]["code"], "VALIDATION", "{q}: {r}");
        assert!(r["data"].is_null(), "{r}");
    }

    // A batch (a JSON array of requests) is not executed at all.
    let one = json!({"query": SIGN_IN, "variables": {"e": "admin@demo.example.com", "p": "batched guess"}});
    let r = c.http.post(format!("{}/graphql", server.base)).json(&json!([one, one, one])).send().await.unwrap();
    let status = r.status().as_u16();
    let body = r.text().await.unwrap();
    assert!(status == 400 || !body.contains("UNAUTHENTICATED"), "a batch must not check passwords: {status} {body}");

    // No password was checked: the account still has all five free attempts.
    for n in 0..5 {
        assert_eq!(
            try_sign_in(&server.base, "admin@demo.example.com", &format!("later {n}")).await.0.as_deref(),
            Some("UNAUTHENTICATED")
        );
    }
});

both_backends!(legitimate_users_sign_in_while_one_account_is_attacked, |db| async move {
    let db: TestDb = db;
    let (server, demo_password) = demo_server(&db, &[]).await;
    let admin = Client::new(&server.base);
    admin.sign_in("admin@demo.example.com", &demo_password, None).await;
    let users: Vec<String> = (0..20).map(|n| format!("user{n}@demo.example.com")).collect();
    for u in &users {
        let r = admin
            .gql("mutation($e:String!){ createUser(input:{email:$e, active:true, password:\"a user's own password\"}){ id } }", json!({"e": u}))
            .await;
        assert!(r["errors"].is_null(), "{r}");
    }
    // Everyone at once, from the same address: twenty users and an attacker guessing the
    // admin's password thirty times.
    let base = server.base.clone();
    let legit = users.iter().map(|u| {
        let (base, u) = (base.clone(), u.clone());
        tokio::spawn(async move { try_sign_in(&base, &u, "a user's own password").await })
    });
    let attack = (0..30).map(|n| {
        let base = base.clone();
        tokio::spawn(async move { try_sign_in(&base, "admin@demo.example.com", &format!("guess {n}")).await })
    });
    let (legit, attack): (Vec<_>, Vec<_>) = (legit.collect(), attack.collect());
    for (u, h) in users.iter().zip(legit) {
        let (code, r) = h.await.unwrap();
        assert!(code.is_none(), "{u} must sign in: {r}");
    }
    let mut codes = Vec::new();
    for h in attack {
        codes.push(h.await.unwrap().0);
    }
    assert!(count(&codes, "UNAUTHENTICATED") <= 6, "{codes:?}");
    assert!(count(&codes, "RATE_LIMITED") >= 24, "{codes:?}");
});

both_backends!(scim_token_flood_gets_429_with_retry_after, |db| async move {
    let db: TestDb = db;
    let (server, demo_password) = demo_server(&db, &[("GATEHOUSE_THROTTLE_SCIM_REQUESTS_PER_MINUTE", "20")]).await;
    let admin = Client::new(&server.base);
    admin.sign_in("admin@demo.example.com", &demo_password, None).await;
    let token = |r: Value| r["data"]["createScimToken"]["token"].as_str().expect("token").to_owned();
    let flooding = token(admin.gql("mutation { createScimToken { token } }", json!({})).await);
    let other = token(admin.gql("mutation { createScimToken { token } }", json!({})).await);
    let http = reqwest::Client::new();
    let get = |t: String| http.get(format!("{}/scim/v2/demo/Users", server.base)).bearer_auth(t).send();
    let mut statuses = Vec::new();
    let mut refusal = None;
    for _ in 0..30 {
        let r = get(flooding.clone()).await.unwrap();
        statuses.push(r.status().as_u16());
        if r.status().as_u16() == 429 && refusal.is_none() {
            let retry = r.headers()["retry-after"].to_str().unwrap().parse::<u64>().unwrap();
            let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
            refusal = Some((retry, ct, r.json::<Value>().await.unwrap()));
        }
    }
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 20, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 10, "{statuses:?}");
    let (retry, ct, body) = refusal.expect("a 429");
    assert!(retry >= 1, "Retry-After: {retry}");
    assert!(ct.starts_with("application/scim+json"), "{ct}");
    assert_eq!(body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error", "{body}");
    assert_eq!(body["status"], "429", "{body}");
    assert!(body["detail"].as_str().unwrap().contains("too many requests"), "{body}");
    // Another token of the same tenant is counted on its own.
    assert_eq!(get(other).await.unwrap().status().as_u16(), 200);
});

// A flood of bad Responses naming a tenant's Issuer (unsigned at that point: anyone can
// name it) fills the tenant's sign-in log only up to the Issuer's budget and never pauses
// the tenant's SSO: a genuine sign-in in the middle of the flood still succeeds. The
// flooding address itself is refused unchecked (429) once its own budget is used up.
both_backends!(acs_failure_flood_is_throttled, |db| async move {
    let db: TestDb = db;
    let issuer = "https://sts.windows.net/dddddddd-4444-4444-8444-dddddddddddd/";
    let idp = Idp::start(issuer);
    let server = Server::start(
        db.url(),
        &[
            ("GATEHOUSE_BOOTSTRAP_PASSWORD", OPERATOR_PASSWORD),
            ("GATEHOUSE_THROTTLE_ACS_ISSUER_FAILURES", "10"),
            ("GATEHOUSE_THROTTLE_ACS_ADDRESS_FAILURES", "40"),
        ],
    )
    .await;
    let admin = sso_tenant(&server.base, OPERATOR_PASSWORD, &idp, "contoso", issuer, "ada@contoso.example").await;
    let acs = format!("{}/saml2", server.base);
    // Signed with a key the tenant never uploaded: refused each time.
    let forged = idp.response(&[("user", "ada@contoso.example"), ("acs", &acs), ("key", "alt")]).await;
    let forged = forged["SAMLResponse"].as_str().unwrap().to_owned();
    let post = |saml: String, client: reqwest::Client| {
        let acs = acs.clone();
        async move {
            let r = client.post(acs).form(&[("SAMLResponse", saml)]).send().await.unwrap();
            let status = r.status().as_u16();
            let retry = r.headers().get("retry-after").map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
            (status, retry, r.text().await.unwrap())
        }
    };
    let plain = reqwest::Client::new();
    let mut statuses = Vec::new();
    for _ in 0..30 {
        statuses.push(post(forged.clone(), plain.clone()).await.0);
    }
    assert!(statuses.iter().all(|s| *s == 403), "every forged Response is validated and refused: {statuses:?}");
    let failures_logged = || async {
        let events = admin.gql("{ signInEvents(first:100) { edges { node { success } } } }", json!({})).await;
        events["data"]["signInEvents"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["node"]["success"] == false)
            .count()
    };
    assert_eq!(failures_logged().await, 10, "the tenant's sign-in log holds the Issuer's budget, not the flood");

    // The flood does not pause the tenant's SSO: a genuine sign-in goes through.
    let genuine = idp.response(&[("user", "ada@contoso.example"), ("acs", &acs)]).await;
    let browser = Client::new(&server.base);
    let r = browser
        .http
        .post(&acs)
        .form(&[("SAMLResponse", genuine["SAMLResponse"].as_str().unwrap())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let handle = handoff_handle(&r.text().await.unwrap()).expect("a hand-over");
    let r =
        browser.http.post(format!("{}/saml2/complete", server.base)).form(&[("handle", handle)]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);

    // The flooding address: 30 of its 40 failures are used; 10 more, then 429 unchecked.
    let other =
        idp.response(&[("user", "x@other.example"), ("acs", &acs), ("issuer", "https://other.example/idp")]).await;
    let other = other["SAMLResponse"].as_str().unwrap().to_owned();
    let mut statuses = Vec::new();
    for _ in 0..12 {
        let (status, retry, html) = post(other.clone(), plain.clone()).await;
        if status == 429 {
            assert!(retry.is_some_and(|r| r >= 1), "429 says when to retry");
            assert!(html.contains("Too many failed sign-ins came from this address"), "{html}");
        }
        statuses.push(status);
    }
    assert_eq!(
        statuses,
        [403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 429, 429],
        "the address's 40 failures are used up"
    );
    assert_eq!(failures_logged().await, 10, "another Issuer's refusals never land in this tenant's log");
});

both_backends!(api_token_flood_gets_429_with_retry_after, |db| async move {
    let db: TestDb = db;
    let (server, demo_password) = demo_server(&db, &[("GATEHOUSE_THROTTLE_API_REQUESTS_PER_MINUTE", "10")]).await;
    let admin = Client::new(&server.base);
    admin.sign_in("admin@demo.example.com", &demo_password, None).await;
    let r = admin.gql("mutation { createApiToken(name:\"ci\") { token } }", json!({})).await;
    let token = r["data"]["createApiToken"]["token"].as_str().expect("token").to_owned();
    let http = reqwest::Client::new();
    let mut statuses = Vec::new();
    let mut refusal = None;
    for _ in 0..15 {
        let r = http
            .post(format!("{}/graphql", server.base))
            .bearer_auth(&token)
            .json(&json!({"query": "{ me { role } }"}))
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
        if r.status().as_u16() == 429 && refusal.is_none() {
            let retry = r.headers()["retry-after"].to_str().unwrap().parse::<u64>().unwrap();
            refusal = Some((retry, r.json::<Value>().await.unwrap()));
        }
    }
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 10, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 5, "{statuses:?}");
    let (retry, body) = refusal.expect("a 429");
    assert!(retry >= 1);
    assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["retryAfterSeconds"], retry, "{body}");
    // The console's session is not an API token: it is not counted.
    assert!(admin.gql("{ me { role } }", json!({})).await["errors"].is_null());
});
