//! SAML sign-in end to end: the real binary, a cookie-keeping client, and the independent
//! test IdP (Python + xmlsec1) — on SQLite and PostgreSQL.

use gatehouse_e2e::*;
use gatehouse_test_support::both_backends;
use serde_json::{Value, json};

pub(crate) const TID_A: &str = "aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa";
pub(crate) const TID_B: &str = "bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb";
pub(crate) const OP_PASSWORD: &str = "operator password 123";
pub(crate) const ADMIN_PASSWORD: &str = "tenant admin password";

pub(crate) fn issuer(tid: &str) -> String {
    format!("https://sts.windows.net/{tid}/")
}

/// A server with tenant `contoso` (IdP key "idp") and `fabrikam` (the IdP's alternate key,
/// its own issuer), each with SSO on and a few users.
pub(crate) struct World {
    pub(crate) server: Server,
    pub(crate) idp: Idp,
    pub(crate) admin_a: Client,
    pub(crate) admin_b: Client,
}

pub(crate) async fn tenant(server: &Server, ops: &Client, slug: &str) -> Client {
    let r = ops
        .gql(
            "mutation($i:CreateTenantInput!){ createTenant(input:$i){ tenant { slug } } }",
            json!({"i": {"slug": slug, "name": slug, "adminEmail": format!("admin@{slug}.example"), "adminPassword": ADMIN_PASSWORD}}),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
    let r =
        ops.gql("mutation($s:String!){ setTenantDevMode(slug:$s, enabled:true){ devMode } }", json!({"s": slug})).await;
    assert!(r["errors"].is_null(), "{r}");
    let admin = Client::new(&server.base);
    admin.sign_in(&format!("admin@{slug}.example"), ADMIN_PASSWORD, None).await;
    admin
}

pub(crate) async fn configure(admin: &Client, idp: &Idp, cert: &str, issuer: &str, policy: &str) {
    let r = admin.gql("mutation($c:String!){ addIdpCertificate(certificate:$c){ id } }", json!({"c": cert})).await;
    assert!(r["errors"].is_null(), "{r}");
    let r = admin
        .gql(
            "mutation($i:SsoConnectionInput!){ updateSsoConnection(input:$i){ enabled } }",
            json!({"i": {"enabled": true, "provider": "ENTRA_ID",
                "loginUrl": format!("{}/saml2/sso", idp.base), "issuer": issuer,
                "logoutUrl": format!("{}/saml2/logout", idp.base),
                "loginPolicy": policy, "allowIdpInitiated": true}}),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
}

pub(crate) async fn user(admin: &Client, email: &str, active: bool) -> String {
    let r = admin
        .gql(
            "mutation($i:CreateUserInput!){ createUser(input:$i){ id } }",
            json!({"i": {"email": email, "active": active, "password": "user password 1234"}}),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
    r["data"]["createUser"]["id"].as_str().unwrap().to_owned()
}

pub(crate) async fn world(db: &TestDb) -> World {
    world_on(Server::start(db.url(), &[("GATEHOUSE_BOOTSTRAP_PASSWORD", OP_PASSWORD)]).await).await
}

/// [`world`] on a server the caller started (with its own options).
pub(crate) async fn world_on(server: Server) -> World {
    let idp = Idp::start(&issuer(TID_A));
    let ops = Client::new(&server.base);
    ops.sign_in("admin@gatehouse.local", OP_PASSWORD, None).await;
    let admin_a = tenant(&server, &ops, "contoso").await;
    let admin_b = tenant(&server, &ops, "fabrikam").await;
    configure(&admin_a, &idp, &idp.certificate(), &issuer(TID_A), "PASSWORD_OR_SSO").await;
    configure(&admin_b, &idp, &idp.alt_certificate(), &issuer(TID_B), "PASSWORD_OR_SSO").await;
    for a in [&admin_a, &admin_b] {
        user(a, "ada@shared.example", true).await;
    }
    user(&admin_a, "sam@contoso.example", false).await;
    World { server, idp, admin_a, admin_b }
}

/// A browser that starts at Gatehouse: returns the SAMLRequest of the AuthnRequest.
pub(crate) async fn start(browser: &Client, tenant: &str, relay: Option<&str>) -> String {
    let mut url = format!("{}/saml2/login?tenant={tenant}", browser.base);
    if let Some(r) = relay {
        url.push_str(&format!("&RelayState={}", urlenc(r)));
    }
    let r = browser.http.get(url).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap_or_default());
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    query_param(&location, "SAMLRequest").expect("SAMLRequest in the redirect")
}

pub(crate) fn urlenc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Posts a Response to the ACS; returns the status and body.
pub(crate) async fn post_acs(browser: &Client, saml_response: &str, relay: Option<&str>) -> (u16, String) {
    let mut form = vec![("SAMLResponse", saml_response.to_owned())];
    if let Some(r) = relay {
        form.push(("RelayState", r.to_owned()));
    }
    let r = browser.http.post(format!("{}/saml2", browser.base)).form(&form).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Finishes the hand-over; returns the status and the redirect target.
pub(crate) async fn complete(browser: &Client, html: &str) -> (u16, Option<String>) {
    let handle = handoff_handle(html).unwrap_or_else(|| panic!("no hand-over in: {html}"));
    let r =
        browser.http.post(format!("{}/saml2/complete", browser.base)).form(&[("handle", handle)]).send().await.unwrap();
    (r.status().as_u16(), r.headers().get("location").map(|l| l.to_str().unwrap().to_owned()))
}

pub(crate) async fn me(browser: &Client) -> Value {
    browser.gql("{ me { email role tenant { slug } } }", json!({})).await["data"]["me"].clone()
}

/// The newest sign-in log entry of a tenant.
pub(crate) async fn last_event(admin: &Client) -> Value {
    let r = admin.gql("{ signInEvents(first:1) { edges { node { success reasonCode reason detail flow nameId certificateFingerprint clockOffsetSeconds } } } }", json!({})).await;
    r["data"]["signInEvents"]["edges"][0]["node"].clone()
}

/// A full SP-initiated sign-in with the given extra IdP parameters.
pub(crate) async fn sp_sign_in(w: &World, email: &str, extra: &[(&str, &str)]) -> (Client, (u16, String)) {
    let browser = Client::new(&w.server.base);
    let req = start(&browser, "contoso", Some("/welcome")).await;
    let mut params = vec![("request", req.as_str()), ("user", email)];
    params.extend_from_slice(extra);
    let resp = w.idp.response(&params).await;
    let acs = post_acs(&browser, resp["SAMLResponse"].as_str().unwrap(), resp["RelayState"].as_str()).await;
    (browser, acs)
}

both_backends!(sp_initiated_sign_in_in_each_entra_signing_mode, |db| async move {
    let w = world(&db).await;
    for mode in ["assertion", "response", "both"] {
        let (browser, (status, html)) = sp_sign_in(&w, "ADA@shared.example", &[("mode", mode)]).await;
        assert_eq!(status, 200, "{mode}: {html}");
        assert!(
            html.contains(r#"<span class="org">contoso</span>"#),
            "{mode}: the hand-over names the organisation: {html}"
        );
        let (status, location) = complete(&browser, &html).await;
        assert_eq!((status, location.as_deref()), (303, Some("/welcome")), "{mode}");
        let me = me(&browser).await;
        assert_eq!(me["email"], "ada@shared.example", "{mode}");
        assert_eq!(me["tenant"]["slug"], "contoso", "{mode}: the response signed for contoso signs into contoso");
        let ev = last_event(&w.admin_a).await;
        assert_eq!(ev["success"], true);
        assert_eq!(ev["flow"], "sp_initiated");
        assert!(ev["certificateFingerprint"].is_string() && ev["clockOffsetSeconds"].is_number(), "{ev}");
    }
});

both_backends!(replays_and_foreign_browsers_are_refused, |db| async move {
    let w = world(&db).await;
    let browser = Client::new(&w.server.base);
    let req = start(&browser, "contoso", None).await;
    let resp = w.idp.response(&[("request", &req), ("user", "ada@shared.example")]).await;
    let saml = resp["SAMLResponse"].as_str().unwrap();
    // Another browser (no binding cookie) finishing this sign-in is refused.
    let (status, html) = post_acs(&browser, saml, None).await;
    assert_eq!(status, 200);
    let thief = Client::new(&w.server.base);
    assert_eq!(complete(&thief, &html).await.0, 403);
    assert_eq!(last_event(&w.admin_a).await["reasonCode"], "browser_mismatch");
    assert!(me(&thief).await.is_null());
    // The same Response again: its request was consumed.
    let (status, _) = post_acs(&browser, saml, None).await;
    assert_eq!(status, 403);
    assert_eq!(last_event(&w.admin_a).await["reasonCode"], "unknown_request");

    // IdP-initiated: the same unsolicited Response twice → the replay cache refuses it.
    let acs = format!("{}/saml2", w.server.base);
    let resp = w.idp.response(&[("user", "ada@shared.example"), ("acs", &acs)]).await;
    let saml = resp["SAMLResponse"].as_str().unwrap();
    let b1 = Client::new(&w.server.base);
    let (status, html) = post_acs(&b1, saml, None).await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains(r#"<span class="org">contoso</span>"#),
        "IdP-initiated hand-over names the organisation: {html}"
    );
    assert_eq!(complete(&b1, &html).await.0, 303);
    assert_eq!(me(&b1).await["tenant"]["slug"], "contoso");
    assert_eq!(last_event(&w.admin_a).await["flow"], "idp_initiated");
    let b2 = Client::new(&w.server.base);
    assert_eq!(post_acs(&b2, saml, None).await.0, 403);
    assert_eq!(last_event(&w.admin_a).await["reasonCode"], "replay");
});

both_backends!(cross_tenant_responses_never_sign_in, |db| async move {
    let w = world(&db).await;
    let acs = format!("{}/saml2", w.server.base);
    // Fabrikam's IdP (alternate key, its issuer) answering contoso's SP-initiated request.
    let (_, (status, _)) = sp_sign_in(&w, "ada@shared.example", &[("key", "alt"), ("issuer", &issuer(TID_B))]).await;
    assert_eq!(status, 403);
    let reason = last_event(&w.admin_a).await["reasonCode"].as_str().unwrap().to_owned();
    assert!(["issuer_mismatch", "untrusted_key", "signature_invalid"].contains(&reason.as_str()), "{reason}");
    // ... and even with contoso's issuer string, its signature is not contoso's certificate.
    let (_, (status, _)) = sp_sign_in(&w, "ada@shared.example", &[("key", "alt")]).await;
    assert_eq!(status, 403);
    let reason = last_event(&w.admin_a).await["reasonCode"].as_str().unwrap().to_owned();
    assert!(["untrusted_key", "signature_invalid"].contains(&reason.as_str()), "{reason}");
    // IdP-initiated with contoso's issuer, signed by fabrikam's key.
    let forged = w.idp.response(&[("user", "ada@shared.example"), ("acs", &acs), ("key", "alt")]).await;
    let b = Client::new(&w.server.base);
    assert_eq!(post_acs(&b, forged["SAMLResponse"].as_str().unwrap(), None).await.0, 403);
    // Fabrikam's genuine sign-in of the shared e-mail lands in fabrikam only.
    let genuine = w
        .idp
        .response(&[("user", "ada@shared.example"), ("acs", &acs), ("key", "alt"), ("issuer", &issuer(TID_B))])
        .await;
    let b = Client::new(&w.server.base);
    let (status, html) = post_acs(&b, genuine["SAMLResponse"].as_str().unwrap(), None).await;
    assert_eq!(status, 200, "{html}");
    complete(&b, &html).await;
    assert_eq!(me(&b).await["tenant"]["slug"], "fabrikam");
    assert_eq!(last_event(&w.admin_b).await["success"], true);
});

both_backends!(attacks_and_bad_responses_name_their_reason, |db| async move {
    let w = world(&db).await;
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("sha1", "1")], "weak_algorithm"),
        (&[("shift_minutes", "-200")], "expired"),
        (&[("audience", "https://other.example/app")], "audience_mismatch"),
        (&[("status", "Requester"), ("mode", "response")], "status_not_success"),
        (&[("mode", "none")], "signature_missing"),
    ];
    for (extra, expected) in cases {
        let (_, (status, body)) = sp_sign_in(&w, "ada@shared.example", extra).await;
        assert_eq!(status, 403, "{extra:?}");
        assert!(!body.contains("<samlp:") && !body.contains("xmlsec"), "no XML or library text in error pages");
        let ev = last_event(&w.admin_a).await;
        let got = ev["reasonCode"].as_str().unwrap();
        let ok = got == *expected
            || (*expected == "expired" && ["expired", "subject_expired", "issue_instant"].contains(&got));
        assert!(ok, "{extra:?}: expected {expected}, got {got} ({})", ev["detail"]);
        assert!(!ev["reason"].as_str().unwrap().is_empty());
    }
});

both_backends!(users_must_exist_and_be_active, |db| async move {
    let w = world(&db).await;
    let (_, (status, body)) = sp_sign_in(&w, "nobody@contoso.example", &[]).await;
    assert_eq!(status, 403);
    assert!(body.contains("does not exist"), "{body}");
    assert_eq!(last_event(&w.admin_a).await["reasonCode"], "unknown_user");
    let (_, (status, body)) = sp_sign_in(&w, "sam@contoso.example", &[]).await;
    assert_eq!(status, 403);
    assert!(body.contains("not active"), "{body}");
    assert_eq!(last_event(&w.admin_a).await["reasonCode"], "user_pending");
    // Suspending a signed-in user ends their session at once.
    let (browser, (_, html)) = sp_sign_in(&w, "ada@shared.example", &[]).await;
    complete(&browser, &html).await;
    assert!(!me(&browser).await.is_null());
    let users = w.admin_a.gql("{ users(search:\"ada@\") { edges { node { id } } } }", json!({})).await;
    let id = users["data"]["users"]["edges"][0]["node"]["id"].as_str().unwrap().to_owned();
    w.admin_a.gql("mutation($id:ID!){ suspendUser(id:$id){ status } }", json!({"id": id})).await;
    assert!(me(&browser).await.is_null(), "suspension ends the SSO session");
    let (_, (status, _)) = sp_sign_in(&w, "ada@shared.example", &[]).await;
    assert_eq!(status, 403);
    assert_eq!(last_event(&w.admin_a).await["reasonCode"], "user_suspended");
});

both_backends!(login_policies_route_users, |db| async move {
    let w = world(&db).await;
    // Password or SSO: the sign-on page offers both.
    let browser = Client::new(&w.server.base);
    let r = browser
        .http
        .post(format!("{}/login", w.server.base))
        .form(&[("email", "sam@contoso.example")])
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("type=\"password\""), "{html}");
    // The password form signs in on the page itself; a wrong password is answered on the page;
    // a post from another site is refused.
    let login = |c: &Client, pw: &str, origin: &str| {
        c.http
            .post(format!("{}/login", w.server.base))
            .header("origin", origin.to_owned())
            .form(&[("email", "sam@contoso.example"), ("password", pw)])
            .send()
    };
    let admin_login = Client::new(&w.server.base);
    let r = admin_login
        .http
        .post(format!("{}/login", w.server.base))
        .header("origin", &w.server.base)
        .form(&[("email", "admin@contoso.example"), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!((r.status().as_u16(), r.headers()["location"].to_str().unwrap()), (303, "/"));
    assert_eq!(me(&admin_login).await["email"], "admin@contoso.example");
    let r = login(&browser, "wrong password!!", &w.server.base).await.unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert!(r.text().await.unwrap().contains("role=\"alert\""));
    let r = login(&browser, "user password 1234", "https://evil.example").await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    // SSO only: users go straight to the IdP and cannot use a password; admins still can.
    let conn = w.admin_a.gql("{ ssoConnection { loginUrl issuer logoutUrl } }", json!({})).await;
    let c = &conn["data"]["ssoConnection"];
    let r = w
        .admin_a
        .gql(
            "mutation($i:SaveSsoSettingsInput!){ saveSsoSettings(input:$i){ loginPolicy } }",
            json!({"i": {"enabled": true, "provider": "ENTRA_ID", "loginUrl": c["loginUrl"], "issuer": c["issuer"], "logoutUrl": c["logoutUrl"], "loginPolicy": "SSO", "allowIdpInitiated": true,
                "publish": true, "confirmUntested": true}}),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
    let r = browser
        .http
        .post(format!("{}/login", w.server.base))
        .form(&[("email", "ada@shared.example")])
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("type=\"password\""), "ada is in two tenants: no automatic redirect ({html})");
    w.admin_b.gql("{ me { email } }", json!({})).await;
    let solo = user(&w.admin_a, "solo@contoso.example", true).await;
    assert!(!solo.is_empty());
    let r = browser
        .http
        .post(format!("{}/login", w.server.base))
        .form(&[("email", "solo@contoso.example")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let loc = r.headers()["location"].to_str().unwrap();
    assert!(loc.starts_with("/saml2/login?tenant=contoso&login_hint=solo%40contoso.example"), "{loc}");
    let pw = Client::new(&w.server.base)
        .gql(
            "mutation { signIn(email:\"solo@contoso.example\", password:\"user password 1234\"){ me { email } } }",
            json!({}),
        )
        .await;
    assert_eq!(pw["errors"][0]["extensions"]["code"], "FORBIDDEN", "{pw}");
    // Issue 13: the admin keeps a password only as a named break-glass account.
    let pw = Client::new(&w.server.base)
        .gql(
            "mutation { signIn(email:\"admin@contoso.example\", password:\"tenant admin password\"){ me { email } } }",
            json!({}),
        )
        .await;
    assert_eq!(pw["errors"][0]["extensions"]["code"], "FORBIDDEN", "{pw}");
    let me_a = w.admin_a.gql("{ me { id } }", json!({})).await;
    let r = w
        .admin_a
        .gql(
            "mutation($u:ID!){ addBreakGlassAccount(userId:$u){ ssoRequired } }",
            json!({"u": me_a["data"]["me"]["id"]}),
        )
        .await;
    assert_eq!(r["data"]["addBreakGlassAccount"]["ssoRequired"], true, "{r}");
    Client::new(&w.server.base).sign_in("admin@contoso.example", ADMIN_PASSWORD, None).await;
});

both_backends!(single_logout_both_ways, |db| async move {
    let w = world(&db).await;
    let slo = format!("{}/saml2/logout", w.server.base);
    // SP-initiated: sign out at Gatehouse → LogoutRequest to the IdP → LogoutResponse back.
    let (browser, (_, html)) = sp_sign_in(&w, "ada@shared.example", &[("session_index", "_s1")]).await;
    complete(&browser, &html).await;
    let r =
        browser.http.post(format!("{}/logout", w.server.base)).header("origin", &w.server.base).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let to_idp = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(to_idp.starts_with(&format!("{}/saml2/logout?SAMLRequest=", w.idp.base)), "{to_idp}");
    assert!(me(&browser).await.is_null(), "the local session ends before the IdP answers");
    let r = browser.http.get(format!("{to_idp}&slo={}", urlenc(&slo))).send().await.unwrap();
    let back = r.headers()["location"].to_str().unwrap().to_owned();
    let seen: Value = reqwest::get(format!("{}/_last_logout_request", w.idp.base)).await.unwrap().json().await.unwrap();
    assert_eq!(seen["name_id"], "ada@shared.example");
    assert_eq!(seen["session_index"], "_s1");
    let r = browser.http.get(&back).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains("You are signed out of contoso"), "the page names the organisation signed out of: {page}");

    // IdP-initiated: a signed LogoutRequest ends the matching session at once.
    let (browser, (_, html)) = sp_sign_in(&w, "ada@shared.example", &[("session_index", "_s2")]).await;
    complete(&browser, &html).await;
    assert!(!me(&browser).await.is_null());
    let idp = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    // Unsigned and wrongly signed requests change nothing.
    for bad in [("unsigned", "1"), ("key", "alt")] {
        let r = idp
            .get(format!("{}/saml2/idp-logout", w.idp.base))
            .query(&[("user", "ada@shared.example"), ("slo", &slo), bad])
            .send()
            .await
            .unwrap();
        let to_sp = r.headers()["location"].to_str().unwrap().to_owned();
        assert_eq!(idp.get(&to_sp).send().await.unwrap().status().as_u16(), 403, "{bad:?}");
        assert!(!me(&browser).await.is_null(), "{bad:?} must not sign anyone out");
    }
    let r = idp
        .get(format!("{}/saml2/idp-logout", w.idp.base))
        .query(&[("user", "ada@shared.example"), ("session_index", "_s2"), ("slo", &slo)])
        .send()
        .await
        .unwrap();
    let to_sp = r.headers()["location"].to_str().unwrap().to_owned();
    let r = idp.get(&to_sp).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let answer = r.headers()["location"].to_str().unwrap();
    assert!(answer.starts_with(&format!("{}/saml2/logout?SAMLResponse=", w.idp.base)), "{answer}");
    assert!(me(&browser).await.is_null(), "IdP-initiated logout ended the session");
});

both_backends!(relay_state_never_redirects_off_site, |db| async move {
    let w = world(&db).await;
    let acs = format!("{}/saml2", w.server.base);
    for evil in ["//evil.example/x", "/\\evil.example", "https://evil.example/", "javascript:alert(1)"] {
        let browser = Client::new(&w.server.base);
        let req = start(&browser, "contoso", Some(evil)).await;
        let resp = w.idp.response(&[("request", &req), ("user", "ada@shared.example")]).await;
        let (_, html) = post_acs(&browser, resp["SAMLResponse"].as_str().unwrap(), resp["RelayState"].as_str()).await;
        assert_eq!(complete(&browser, &html).await.1.as_deref(), Some("/"), "{evil}");
        // IdP-initiated RelayState is checked the same way.
        let resp = w.idp.response(&[("user", "ada@shared.example"), ("acs", &acs), ("relay_state", evil)]).await;
        let b = Client::new(&w.server.base);
        let (_, html) = post_acs(&b, resp["SAMLResponse"].as_str().unwrap(), Some(evil)).await;
        assert_eq!(complete(&b, &html).await.1.as_deref(), Some("/"), "{evil}");
    }
});

both_backends!(test_sso_shows_the_outcome, |db| async move {
    let w = world(&db).await;
    let r = w.admin_a.gql("mutation { testSsoConnection { url } }", json!({})).await;
    let url = r["data"]["testSsoConnection"]["url"].as_str().unwrap().to_owned();
    let browser = Client::new(&w.server.base);
    let r = browser.http.get(&url).send().await.unwrap();
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let req = query_param(&location, "SAMLRequest").unwrap();
    let resp = w.idp.response(&[("request", &req), ("user", "ada@shared.example")]).await;
    let (status, html) = post_acs(&browser, resp["SAMLResponse"].as_str().unwrap(), None).await;
    assert_eq!(status, 200);
    assert!(html.contains("The test sign-in worked.") && html.contains("ada@shared.example"), "{html}");
    assert!(me(&browser).await.is_null(), "a test creates no session");
    assert_eq!(last_event(&w.admin_a).await["flow"], "test");
    // The link works once.
    assert_eq!(browser.http.get(&url).send().await.unwrap().status().as_u16(), 403);
});

both_backends!(just_in_time_provisioning_is_opt_in, |db| async move {
    let w = world(&db).await;
    let (_, (status, _)) = sp_sign_in(&w, "newcomer@contoso.example", &[]).await;
    assert_eq!(status, 403, "off by default: unknown users are refused");
    let conn = w.admin_a.gql("{ ssoConnection { loginUrl issuer logoutUrl version } }", json!({})).await;
    let c = &conn["data"]["ssoConnection"];
    let r = w
        .admin_a
        .gql(
            "mutation($i:SaveSsoSettingsInput!){ saveSsoSettings(input:$i){ jitProvisioning } }",
            json!({"i": {"enabled": true, "provider": "ENTRA_ID", "loginUrl": c["loginUrl"], "issuer": c["issuer"],
                "logoutUrl": c["logoutUrl"], "loginPolicy": "PASSWORD_OR_SSO", "allowIdpInitiated": true,
                "jitProvisioning": true, "expectedVersion": c["version"], "publish": true, "confirmUntested": true}}),
        )
        .await;
    assert_eq!(r["data"]["saveSsoSettings"]["jitProvisioning"], true, "{r}");
    let (browser, (status, html)) = sp_sign_in(
        &w,
        "Newcomer@Contoso.example",
        &[("email", "newcomer@contoso.example"), ("display_name", "New Comer")],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    complete(&browser, &html).await;
    let me = me(&browser).await;
    assert_eq!(me["email"], "newcomer@contoso.example");
    assert_eq!(me["role"], "USER", "just-in-time users are never admins");
    let u = w
        .admin_a
        .gql("{ users(search:\"newcomer\") { edges { node { status federationId displayName } } } }", json!({}))
        .await;
    let node = &u["data"]["users"]["edges"][0]["node"];
    assert_eq!(node["status"], "ACTIVE");
    assert_eq!(node["federationId"], "Newcomer@Contoso.example");
    // The audit log names who created the user.
    let a = w
        .admin_a
        .gql("{ auditEvents(filter:{action:\"user.create\"}) { edges { node { actor actorKind } } } }", json!({}))
        .await;
    assert_eq!(a["data"]["auditEvents"]["edges"][0]["node"]["actor"], "just-in-time provisioning");
});

// `/metrics` after a real sign-in through the test IdP: the success and a refusal counted
// by reason, both steps timed (issue 15).
both_backends!(sign_ins_are_counted_and_timed_in_metrics, |db| async move {
    let w = world(&db).await;
    let (browser, (status, html)) = sp_sign_in(&w, "ada@shared.example", &[]).await;
    assert_eq!(status, 200, "{html}");
    let (status, _) = complete(&browser, &html).await;
    assert_eq!(status, 303);
    // The same hand-over again: refused (it was used).
    let (status, _) = complete(&browser, &html).await;
    assert_eq!(status, 403);
    let text = browser.http.get(format!("{}/metrics", w.server.base)).send().await.unwrap().text().await.unwrap();
    let value = |series: &str| {
        text.lines().find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse::<f64>().ok()).unwrap_or(-1.0)
    };
    assert_eq!(value("gatehouse_sso_sign_ins_total{outcome=\"success\",reason=\"success\"}"), 1.0, "{text}");
    let failures: f64 = text
        .lines()
        .filter(|l| l.starts_with("gatehouse_sso_sign_ins_total{outcome=\"failure\""))
        .filter_map(|l| l.rsplit_once(' ')?.1.parse::<f64>().ok())
        .sum();
    assert_eq!(failures, 1.0, "{text}");
    assert_eq!(value("gatehouse_sso_sign_in_duration_seconds_count{step=\"acs\"}"), 1.0, "{text}");
    assert_eq!(value("gatehouse_sso_sign_in_duration_seconds_count{step=\"complete\"}"), 2.0, "{text}");
    assert_eq!(value("gatehouse_http_request_duration_seconds_count{method=\"POST\",route=\"/saml2\"}"), 1.0, "{text}");
});
