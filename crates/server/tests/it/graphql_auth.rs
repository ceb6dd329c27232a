use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use gatehouse_test_support::{TestDb, both_backends};
use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::support::*;

both_backends!(sign_in_sets_a_hardened_cookie_and_sign_out_ends_it, |db| async move {
    let app = TestApp::new(db).await;
    let op = app.operator().await;
    app.tenant(&op, "contoso").await;
    let r = app
        .gql(
            &Auth::Anonymous,
            "mutation { signIn(email:\"admin@contoso.test\", password:\"correct horse battery staple\"){ me { email role tenant { slug } } } }",
            json!({}),
        )
        .await;
    assert_eq!(r.data()["signIn"]["me"]["role"], "TENANT_ADMIN");
    assert_eq!(r.data()["signIn"]["me"]["tenant"]["slug"], "contoso");
    let cookie = &r.set_cookie[0];
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain-http public URL: no Secure flag ({cookie})");
    let session = session_from(&r.set_cookie).unwrap();
    assert!(session.len() >= 43, "256-bit random value");

    let me = app.gql(&Auth::Cookie(session.clone()), "{ me { email } }", json!({})).await;
    assert_eq!(me.data()["me"]["email"], "admin@contoso.test");
    let out = app.gql(&Auth::Cookie(session.clone()), "mutation { signOut }", json!({})).await;
    assert!(out.set_cookie[0].contains("Max-Age=0"));
    let me = app.gql(&Auth::Cookie(session), "{ me { email } }", json!({})).await;
    assert!(me.data()["me"].is_null());
});

#[tokio::test]
async fn https_public_url_sets_secure_cookies() {
    let app =
        TestApp::with_public_url(TestDb::new(gatehouse_test_support::Backend::Sqlite).await, "https://id.example.com")
            .await;
    app.operator().await;
    let r = app
        .gql(&Auth::Anonymous, "mutation { signIn(email:\"ops@gatehouse.test\", password:\"correct horse battery staple\"){ me { role } } }", json!({}))
        .await;
    assert_eq!(r.data()["signIn"]["me"]["role"], "PLATFORM_OPERATOR");
    assert!(
        r.set_cookie[0].starts_with("__Host-gatehouse_session=") && r.set_cookie[0].contains("; Secure"),
        "{}",
        r.set_cookie[0]
    );
}

both_backends!(cookie_requests_must_be_json_and_same_origin, |db| async move {
    let app = TestApp::new(db).await;
    let op = app.operator().await;
    let admin = app.tenant(&op, "contoso").await;
    let body = json!({"query": "mutation { createApiToken(name:\"x\"){ token } }"}).to_string();
    // A form-encoded or text/plain cross-site POST is what a CSRF attack can send.
    for ct in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"] {
        let req = Request::post("/graphql")
            .header(header::CONTENT_TYPE, ct)
            .header(header::COOKIE, format!("gatehouse_session={admin}"))
            .body(Body::from(body.clone()))
            .unwrap();
        let r = app.request(req).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{ct}");
    }
    let req = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::HOST, "gatehouse.test")
        .header(header::COOKIE, format!("gatehouse_session={admin}"))
        .body(Body::from(body.clone()))
        .unwrap();
    assert_eq!(app.request(req).await.status, StatusCode::FORBIDDEN);
    let req = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ORIGIN, PUBLIC_URL)
        .header(header::COOKIE, format!("gatehouse_session={admin}"))
        .body(Body::from(body))
        .unwrap();
    let r = app.request(req).await;
    assert!(r.body["data"]["createApiToken"]["token"].is_string(), "{}", r.body);
    let tokens = app.gql(&Auth::Cookie(admin), "{ apiTokens { nodes { name } } }", json!({})).await;
    assert_eq!(
        tokens.data()["apiTokens"]["nodes"].as_array().unwrap().len(),
        1,
        "only the same-origin request created a token"
    );
});

both_backends!(api_tokens_authenticate_and_bad_ones_are_refused, |db| async move {
    let app = TestApp::new(db).await;
    let op = app.operator().await;
    let admin = app.tenant(&op, "contoso").await;
    let r = app
        .gql(
            &Auth::Cookie(admin.clone()),
            "mutation { createApiToken(name:\"ci\"){ token apiToken { id name prefix } } }",
            json!({}),
        )
        .await;
    let token = r.data()["createApiToken"]["token"].as_str().unwrap().to_owned();
    let id = r.data()["createApiToken"]["apiToken"]["id"].as_str().unwrap().to_owned();
    let me = app.gql(&Auth::Bearer(token.clone()), "{ me { role tenant { slug } } }", json!({})).await;
    assert_eq!(me.data()["me"]["role"], "API_TOKEN");
    let listed = app.gql(&Auth::Bearer(token.clone()), "{ apiTokens { nodes { name lastUsedAt } } }", json!({})).await;
    assert!(!listed.body.to_string().contains(&token), "the token is never shown again");
    let bad = app.gql(&Auth::Bearer("gh_api_forged".into()), "{ me { role } }", json!({})).await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert_eq!(bad.code(), Some("UNAUTHENTICATED"));
    app.gql(&Auth::Cookie(admin), "mutation($id:ID!){ revokeApiToken(id:$id){ revokedAt } }", json!({"id": id}))
        .await
        .data();
    assert_eq!(app.gql(&Auth::Bearer(token), "{ me { role } }", json!({})).await.status, StatusCode::UNAUTHORIZED);
});

both_backends!(errors_carry_codes_and_fields, |db| async move {
    let app = TestApp::new(db).await;
    let op = app.operator().await;
    let admin = app.tenant(&op, "contoso").await;
    let anon = app.gql(&Auth::Anonymous, "{ users { edges { node { email } } } }", json!({})).await;
    assert_eq!(anon.code(), Some("UNAUTHENTICATED"));
    let r = app
        .gql(
            &Auth::Cookie(admin.clone()),
            "mutation { updateSsoConnection(input:{enabled:true, provider:OKTA, loginUrl:\"ftp://x\", issuer:\"\", loginPolicy:SSO, allowIdpInitiated:true}){ enabled } }",
            json!({}),
        )
        .await;
    assert_eq!(r.code(), Some("VALIDATION"));
    assert_eq!(r.body["errors"][0]["extensions"]["field"], "loginUrl");
    let fields: Vec<&str> = r.body["errors"][0]["extensions"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["loginUrl", "issuer", "certificates"]);
    let r = app
        .gql(&Auth::Cookie(admin.clone()), "mutation { addIdpCertificate(certificate:\"garbage\"){ id } }", json!({}))
        .await;
    assert_eq!(r.code(), Some("VALIDATION"));
    assert_eq!(r.body["errors"][0]["extensions"]["field"], "certificate");
    let r = app
        .gql(
            &Auth::Cookie(admin.clone()),
            "mutation { createUser(input:{email:\"admin@contoso.test\"}){ id } }",
            json!({}),
        )
        .await;
    assert_eq!(r.code(), Some("CONFLICT"));
    assert_eq!(r.body["errors"][0]["extensions"]["field"], "email");
    let r = app.gql(&Auth::Cookie(admin.clone()), "mutation { suspendUser(id:\"not-an-id\"){ id } }", json!({})).await;
    assert_eq!(r.code(), Some("VALIDATION"));
    let r = app.gql(&Auth::Cookie(admin.clone()), "{ tenants { nodes { slug } } }", json!({})).await;
    assert_eq!(r.code(), Some("FORBIDDEN"));

    // A database fault is INTERNAL with a correlation ID and none of the database's words.
    app.db.conn().execute_unprepared("DROP TABLE api_tokens").await.unwrap();
    let r = app.gql(&Auth::Cookie(admin), "{ apiTokens { nodes { name } } }", json!({})).await;
    assert_eq!(r.code(), Some("INTERNAL"));
    let text = r.body.to_string().to_lowercase();
    assert!(r.body["errors"][0]["extensions"]["correlationId"].is_string());
    for leak in ["api_tokens", "no such table", "does not exist", "sqlite", "select "] {
        assert!(!text.contains(leak), "error body leaks {leak:?}: {text}");
    }
});

both_backends!(plain_users_read_only_their_profile, |db| async move {
    let app = TestApp::new(db).await;
    let op = app.operator().await;
    let admin = app.tenant(&op, "contoso").await;
    app.gql(
        &Auth::Cookie(admin),
        "mutation { createUser(input:{email:\"u@contoso.test\", password:\"correct horse battery staple\", active:true}){ id } }",
        json!({}),
    )
    .await
    .data();
    let user = app.sign_in("u@contoso.test", PASSWORD).await;
    let me = app.gql(&Auth::Cookie(user.clone()), "{ me { role email } }", json!({})).await;
    assert_eq!(me.data()["me"]["role"], "USER");
    for q in [
        "{ users { edges { node { id } } } }",
        "{ ssoConnection { enabled } }",
        "{ apiTokens { nodes { id } } }",
        "{ auditEvents { edges { node { id } } } }",
    ] {
        assert_eq!(app.gql(&Auth::Cookie(user.clone()), q, json!({})).await.code(), Some("FORBIDDEN"), "{q}");
    }
    let r = app.gql(&Auth::Cookie(user), "mutation { createApiToken(name:\"x\"){ token } }", json!({})).await;
    assert_eq!(r.code(), Some("FORBIDDEN"));
});

both_backends!(operators_act_on_a_named_tenant, |db| async move {
    let app = TestApp::new(db).await;
    let op = app.operator().await;
    app.tenant(&op, "contoso").await;
    let r = app.gql(&Auth::Cookie(op.clone()), "{ users { edges { node { email } } } }", json!({})).await;
    assert_eq!(r.code(), Some("FORBIDDEN"));
    let r = app
        .gql(&Auth::Operator(op.clone(), "contoso".into()), "{ users { edges { node { email } } } }", json!({}))
        .await;
    assert_eq!(r.data()["users"]["edges"][0]["node"]["email"], "admin@contoso.test");
    let r = app.gql(&Auth::Operator(op.clone(), "nope".into()), "{ tenant { slug } }", json!({})).await;
    assert_eq!(r.code(), Some("NOT_FOUND"));
    let r = app
        .gql(&Auth::Cookie(op), "mutation { setTenantDevMode(slug:\"contoso\", enabled:true){ devMode } }", json!({}))
        .await;
    assert_eq!(r.data()["setTenantDevMode"]["devMode"], true);
});

#[tokio::test]
async fn health_and_explorer() {
    let app = TestApp::new(TestDb::new(gatehouse_test_support::Backend::Sqlite).await).await;
    let r = app.request(Request::get("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app.request(Request::get("/readyz").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app.request(Request::get("/graphql").body(Body::empty()).unwrap()).await;
    assert!(r.body.as_str().unwrap_or_default().contains("GraphQL explorer"));
    let r = app.request(Request::get("/metrics").body(Body::empty()).unwrap()).await;
    let text = r.body.as_str().unwrap_or_default().to_owned();
    assert!(
        text.contains("gatehouse_http_responses_total{class=\"2xx\"}") && text.contains("gatehouse_sso_sign_ins_total"),
        "{text}"
    );
    app.db.conn().clone().close().await.unwrap();
    let r = app.request(Request::get("/readyz").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
}
