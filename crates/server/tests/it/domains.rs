//! Verified domains and break-glass accounts through the router: GraphQL with a real DNS
//! server on this machine behind the production resolver, tenant isolation of every new
//! operation, and the sign-on page's answers for verified, unverified and unknown domains
//! (no tenant leaks, one SSO answer for every password at a verified domain).

use chrono::{Duration, Utc};
use gatehouse_server::config::Config;
use gatehouse_test_support::dns::LocalDns;
use gatehouse_test_support::{TestDb, both_backends, certificate};
use serde_json::{Value, json};

use crate::support::*;

async fn app_with_dns(db: TestDb, dns: &LocalDns) -> TestApp {
    let cfg = Config {
        public_url: Some(PUBLIC_URL.into()),
        database_url: db.url().into(),
        dns_servers: dns.addr.to_string(),
        dns_timeout_seconds: 2,
        ..Config::default()
    };
    let state = gatehouse_server::state(&cfg, db.conn().clone()).expect("state");
    let router = gatehouse_server::app(state.clone());
    TestApp { router, state, db }
}

const DOMAIN_FIELDS: &str = "id name status recordName recordValue routesSignIns lastCheckError graceEndsAt";

async fn add_domain(app: &TestApp, admin: &Auth, name: &str) -> Value {
    let r = app
        .gql(admin, &format!("mutation($n:String!){{ addDomain(name:$n){{ {DOMAIN_FIELDS} }} }}"), json!({"n": name}))
        .await;
    r.data()["addDomain"].clone()
}

async fn verify(app: &TestApp, admin: &Auth, id: &Value) -> Reply {
    app.gql(admin, &format!("mutation($id:ID!){{ verifyDomain(id:$id){{ {DOMAIN_FIELDS} }} }}"), json!({"id": id}))
        .await
}

/// SSO on for the tenant (PASSWORD_OR_SSO, JIT as asked), with an IdP URL that does not name it.
async fn enable_sso(app: &TestApp, admin: &Auth, idp: &str, jit: bool) {
    let pem = certificate("IdP", Utc::now() - Duration::days(1), 365);
    app.gql(admin, "mutation($c:String!){ addIdpCertificate(certificate:$c){ id } }", json!({"c": pem})).await.data();
    app.gql(
        admin,
        "mutation($u:String!,$i:String!,$j:Boolean){ updateSsoConnection(input:{enabled:true, provider:GENERIC_SAML, loginUrl:$u, issuer:$i, loginPolicy:PASSWORD_OR_SSO, allowIdpInitiated:false, jitProvisioning:$j}){ version } }",
        json!({"u": format!("https://idp.example/{idp}/sso"), "i": format!("urn:idp:{idp}"), "j": jit}),
    )
    .await
    .data();
}

async fn login(app: &TestApp, form: &str) -> Reply {
    app.request(
        axum::http::Request::post("/login")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", PUBLIC_URL)
            .body(axum::body::Body::from(form.to_owned()))
            .unwrap(),
    )
    .await
}

both_backends!(a_domain_is_verified_and_flagged_through_the_real_resolver, |db| async move {
    let dns = LocalDns::start().await;
    let app = app_with_dns(db, &dns).await;
    let op = app.operator().await;
    let admin = Auth::Cookie(app.tenant(&op, "contoso").await);
    let d = add_domain(&app, &admin, "Contoso.TEST").await;
    assert_eq!((d["name"].as_str(), d["status"].as_str()), (Some("contoso.test"), Some("PENDING")));
    assert_eq!(d["recordName"], "_gatehouse.contoso.test");
    let r = verify(&app, &admin, &d["id"]).await;
    assert_eq!(r.data()["verifyDomain"]["status"], "PENDING");
    assert!(r.data()["verifyDomain"]["lastCheckError"].as_str().unwrap().contains("no TXT record"));
    dns.set_txt("_gatehouse.contoso.test", vec!["other".into(), d["recordValue"].as_str().unwrap().into()]);
    let r = verify(&app, &admin, &d["id"]).await;
    assert_eq!(r.data()["verifyDomain"]["status"], "VERIFIED", "{}", r.body);
    assert_eq!(r.data()["verifyDomain"]["routesSignIns"], true);
    // The record is lost: flagged, still routing until the grace period ends.
    dns.set_txt("_gatehouse.contoso.test", vec![]);
    let r = verify(&app, &admin, &d["id"]).await;
    assert_eq!(r.data()["verifyDomain"]["status"], "FLAGGED");
    assert_eq!(r.data()["verifyDomain"]["routesSignIns"], true);
    assert!(r.data()["verifyDomain"]["graceEndsAt"].is_string());
    let listed = app.gql(&admin, "{ domains { name status } }", json!({})).await;
    assert_eq!(listed.data()["domains"], json!([{"name": "contoso.test", "status": "FLAGGED"}]));
    // A silent DNS server: an answer within the configured bound, nothing changed.
    dns.set_silent(true);
    let started = std::time::Instant::now();
    let r = verify(&app, &admin, &d["id"]).await;
    assert!(started.elapsed() < std::time::Duration::from_secs(4));
    assert_eq!(r.data()["verifyDomain"]["status"], "FLAGGED");
    assert!(r.data()["verifyDomain"]["lastCheckError"].as_str().unwrap().contains("timed out"), "{}", r.body);
    let audit = app.gql(&admin, "{ auditEvents(first: 50) { edges { node { action } } } }", json!({})).await;
    let text = audit.body.to_string();
    for want in ["domain.add", "domain.verify", "domain.flagged"] {
        assert!(text.contains(want), "{want}: {text}");
    }
    // Bad input names the field.
    let r = app.gql(&admin, "mutation { addDomain(name:\"*.contoso.test\"){ id } }", json!({})).await;
    assert_eq!(r.code(), Some("VALIDATION"));
    assert!(r.body.to_string().contains("wildcards"), "{}", r.body);
});

both_backends!(domains_and_break_glass_are_tenant_isolated_and_admin_only, |db| async move {
    let dns = LocalDns::start().await;
    let app = app_with_dns(db, &dns).await;
    let op = app.operator().await;
    let a = Auth::Cookie(app.tenant(&op, "tenant-a").await);
    let b = Auth::Cookie(app.tenant(&op, "tenant-b").await);
    let bd = add_domain(&app, &b, "b-secret.test").await;
    let bu = app
        .gql(&b, "mutation { createUser(input:{email:\"bee@b-secret.test\", displayName:\"Bee\"}){ id } }", json!({}))
        .await;
    let bu = bu.data()["createUser"]["id"].clone();
    assert_eq!(verify(&app, &a, &bd["id"]).await.code(), Some("NOT_FOUND"));
    let r = app.gql(&a, "mutation($id:ID!){ removeDomain(id:$id) }", json!({"id": bd["id"]})).await;
    assert_eq!(r.code(), Some("NOT_FOUND"));
    let r = app.gql(&a, "{ domains { id } }", json!({})).await;
    assert_eq!(r.data()["domains"], json!([]));
    for m in ["addBreakGlassAccount", "removeBreakGlassAccount"] {
        let r = app
            .gql(
                &a,
                &format!("mutation($u:ID!){{ {m}(userId:$u){{ accounts {{ user {{ id }} }} }} }}"),
                json!({"u": bu}),
            )
            .await;
        assert_eq!(r.code(), Some("NOT_FOUND"), "{m}: {}", r.body);
    }
    let r = app
        .gql(&a, "{ breakGlassAccounts { accounts { user { email } } ssoRequired warnings { kind } } }", json!({}))
        .await;
    assert_eq!(r.data()["breakGlassAccounts"]["accounts"], json!([]));
    // B's state is untouched.
    let r = app.gql(&b, "{ domains { id name } }", json!({})).await;
    assert_eq!(r.data()["domains"][0]["name"], "b-secret.test");
    // A plain user of A may use none of them.
    app.gql(
        &a,
        "mutation { createUser(input:{email:\"u@a.test\", displayName:\"U\", password:\"correct horse battery staple\", active:true}){ id } }",
        json!({}),
    )
    .await
    .data();
    let user = Auth::Cookie(app.sign_in("u@a.test", PASSWORD).await);
    for q in [
        "{ domains { id } }",
        "{ breakGlassAccounts { ssoRequired } }",
        "mutation { addDomain(name:\"a.test\"){ id } }",
    ] {
        assert_eq!(app.gql(&user, q, json!({})).await.code(), Some("FORBIDDEN"), "{q}");
    }
});

both_backends!(the_sign_on_page_routes_by_domain_without_leaking_the_tenant, |db| async move {
    let dns = LocalDns::start().await;
    let app = app_with_dns(db, &dns).await;
    let op = app.operator().await;
    let admin = Auth::Cookie(app.tenant(&op, "contoso").await);
    enable_sso(&app, &admin, "7f3a", true).await;
    app.gql(
        &admin,
        "mutation { createUser(input:{email:\"ann@contoso.test\", displayName:\"Ann\", password:\"correct horse battery staple\", active:true}){ id } }",
        json!({}),
    )
    .await
    .data();
    let d = add_domain(&app, &admin, "contoso.test").await;
    dns.set_txt("_gatehouse.contoso.test", vec![d["recordValue"].as_str().unwrap().into()]);
    assert_eq!(verify(&app, &admin, &d["id"]).await.data()["verifyDomain"]["status"], "VERIFIED");
    // Another tenant has only added (not verified) fabrikam.test.
    let f = Auth::Cookie(app.tenant(&op, "fabrikam").await);
    add_domain(&app, &f, "fabrikam.test").await;

    // Verified: the existing user and an address with no account go straight to the IdP,
    // and nothing in the answer names the tenant.
    for email in ["ann%40contoso.test", "new.hire%40contoso.test"] {
        let r = login(&app, &format!("email={email}")).await;
        assert!(r.status.is_redirection(), "{email}: {}", r.status);
        let loc = r.location.clone().unwrap();
        assert!(loc.starts_with("https://idp.example/7f3a/sso?SAMLRequest="), "{loc}");
        assert!(!loc.contains("contoso") || loc.contains("login_hint"), "{loc}");
        assert!(!loc.to_lowercase().contains("tenant="), "{loc}");
    }
    // Unverified and unknown domains: the same page, byte for byte (but the address).
    let page = |r: &Reply, email: &str| r.body.as_str().unwrap().replace(email, "EMAIL");
    let unverified = login(&app, "email=x%40fabrikam.test").await;
    let unknown = login(&app, "email=x%40nowhere.test").await;
    assert_eq!(unverified.status, unknown.status);
    assert_eq!(page(&unverified, "x@fabrikam.test"), page(&unknown, "x@nowhere.test"));
    assert!(!page(&unverified, "x@fabrikam.test").contains("fabrikam"));

    // A password for an address of the verified domain: one answer, right or wrong, account or not.
    let mut pages = Vec::new();
    for (email, form) in [
        ("ann@contoso.test", "email=ann%40contoso.test&password=correct+horse+battery+staple"),
        ("ann@contoso.test", "email=ann%40contoso.test&password=wrong+password+here"),
        ("nobody@contoso.test", "email=nobody%40contoso.test&password=wrong+password+here"),
    ] {
        let r = login(&app, form).await;
        assert!(page(&r, email).contains("single sign-on"), "{}", r.body);
        pages.push((r.status, page(&r, email)));
    }
    assert!(pages.windows(2).all(|w| w[0] == w[1]), "{pages:?}");
    // The same through GraphQL signIn.
    let mut answers = Vec::new();
    for (e, p) in [
        ("ann@contoso.test", PASSWORD),
        ("ann@contoso.test", "wrong password here"),
        ("nobody@contoso.test", "wrong password here"),
    ] {
        let r = app
            .gql(
                &Auth::Anonymous,
                "mutation($e:String!,$p:String!){ signIn(email:$e,password:$p){ me { email } } }",
                json!({"e": e, "p": p}),
            )
            .await;
        assert!(session_from(&r.set_cookie).is_none());
        answers.push((r.code().map(str::to_owned), r.body["errors"][0]["message"].clone()));
    }
    assert_eq!(answers[0].0.as_deref(), Some("FORBIDDEN"));
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:?}");

    // A break-glass account signs in with a password (the page's password form), audited.
    let users = app.gql(&admin, "{ users(search:\"ann@\") { edges { node { id } } } }", json!({})).await;
    let ann = users.data()["users"]["edges"][0]["node"]["id"].clone();
    let r = app
        .gql(
            &admin,
            "mutation($u:ID!){ addBreakGlassAccount(userId:$u){ accounts { user { email } } warnings { kind } } }",
            json!({"u": ann}),
        )
        .await;
    assert_eq!(r.data()["addBreakGlassAccount"]["accounts"][0]["user"]["email"], "ann@contoso.test");
    let page_form =
        app.request(axum::http::Request::get("/login?method=password").body(axum::body::Body::empty()).unwrap()).await;
    assert!(page_form.body.as_str().unwrap().contains("type=\"password\""));
    let r = login(&app, "email=ann%40contoso.test&password=correct+horse+battery+staple").await;
    assert!(r.status.is_redirection() && session_from(&r.set_cookie).is_some(), "{} {}", r.status, r.body);
    let r = app.gql(&admin, "{ breakGlassAccounts { accounts { lastUsedAt } warnings { kind message } } auditEvents(first:50){ edges { node { action } } } }", json!({})).await;
    assert!(r.data()["breakGlassAccounts"]["accounts"][0]["lastUsedAt"].is_string());
    assert_eq!(r.data()["breakGlassAccounts"]["warnings"][0]["kind"], "RECENTLY_USED");
    assert!(r.body.to_string().contains("break_glass.sign_in"));
});
