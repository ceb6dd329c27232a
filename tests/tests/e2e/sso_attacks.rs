//! Attacks on the sign-in edges (issue 9), each named for the attack, against the real binary
//! and the independent test IdP, on SQLite and PostgreSQL.

use base64::Engine as _;
use gatehouse_e2e::*;
use gatehouse_test_support::both_backends;
use serde_json::{Value, json};

use crate::sso::*;

/// Saves contoso's SSO settings with `changes` applied to what is configured now.
async fn change_connection(admin: &Client, changes: Value) -> Value {
    let conn = admin
        .gql(
            "{ ssoConnection { enabled provider loginUrl issuer logoutUrl loginPolicy allowIdpInitiated } }",
            json!({}),
        )
        .await;
    let mut input = conn["data"]["ssoConnection"].clone();
    // SSO is live: publish at once (the single-purpose update would only edit the draft).
    input["publish"] = json!(true);
    input["confirmUntested"] = json!(true);
    for (k, v) in changes.as_object().expect("object") {
        input[k] = v.clone();
    }
    admin
        .gql(
            "mutation($i:SaveSsoSettingsInput!){ saveSsoSettings(input:$i){ enabled loginPolicy } }",
            json!({"i": input}),
        )
        .await
}

fn b64(xml: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(xml)
}

// The attack: an unsolicited Assertion for a victim (Entra's default: only the Assertion is
// signed), refused because the tenant does not allow IdP-initiated sign-in and so never used
// up, wrapped in a new unsigned Response that carries the InResponseTo of a sign-in the attacker
// started in their own browser. Before the fix the attacker's browser got the victim's session.
both_backends!(unsigned_in_response_to_cannot_sign_in_as_someone_else, |db| async move {
    let w = world(&db).await;
    user(&w.admin_a, "mallory@contoso.example", true).await;
    let r = change_connection(&w.admin_a, json!({"allowIdpInitiated": false})).await;
    assert!(r["errors"].is_null(), "{r}");
    let acs = format!("{}/saml2", w.server.base);

    // The victim's unsolicited Assertion is refused as such (and so never consumed).
    let victim = w.idp.response(&[("user", "ada@shared.example"), ("acs", &acs)]).await;
    let (status, _) = post_acs(&Client::new(&w.server.base), victim["SAMLResponse"].as_str().unwrap(), None).await;
    assert_eq!(status, 403);
    assert_eq!(last_event(&w.admin_a).await["reasonCode"], "unsolicited");

    // The attacker starts a sign-in of their own and learns its request ID.
    let attacker = Client::new(&w.server.base);
    let req = start(&attacker, "contoso", None).await;
    let own = w.idp.response(&[("request", &req), ("user", "mallory@contoso.example")]).await;
    let request_id = own["in_response_to"].as_str().unwrap().to_owned();

    // The wrapped Response names the attacker's request outside the signature.
    let xml = victim["xml"].as_str().unwrap();
    assert!(!xml.contains("InResponseTo"), "the victim's assertion is unsolicited");
    let wrapped = xml.replacen("<samlp:Response ", &format!("<samlp:Response InResponseTo=\"{request_id}\" "), 1);
    let (status, body) = post_acs(&attacker, &b64(&wrapped), None).await;
    assert_eq!(status, 403, "{body}");
    assert!(!body.contains("handle"), "no hand-over page");
    let ev = last_event(&w.admin_a).await;
    assert_eq!(ev["reasonCode"], "in_response_to_unsigned", "{ev}");
    assert!(me(&attacker).await.is_null(), "the attacker's browser has no session");

    // The refused Response did not use up the attacker's (legitimate) pending sign-in.
    let (status, html) = post_acs(&attacker, own["SAMLResponse"].as_str().unwrap(), None).await;
    assert_eq!(status, 200, "{html}");
    complete(&attacker, &html).await;
    assert_eq!(me(&attacker).await["email"], "mallory@contoso.example");
});

// A forged Response naming a victim's pending request (here signed with a key the tenant does
// not trust) is refused and leaves the victim's sign-in usable.
both_backends!(forged_response_does_not_use_up_a_pending_sign_in, |db| async move {
    let w = world(&db).await;
    let victim = Client::new(&w.server.base);
    let req = start(&victim, "contoso", None).await;
    let forged = w.idp.response(&[("request", &req), ("user", "ada@shared.example"), ("key", "alt")]).await;
    let (status, _) = post_acs(&Client::new(&w.server.base), forged["SAMLResponse"].as_str().unwrap(), None).await;
    assert_eq!(status, 403);
    let genuine = w.idp.response(&[("request", &req), ("user", "ada@shared.example")]).await;
    let (status, html) = post_acs(&victim, genuine["SAMLResponse"].as_str().unwrap(), None).await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(complete(&victim, &html).await.0, 303);
    assert_eq!(me(&victim).await["email"], "ada@shared.example");
    // Used once: the same genuine Response again is refused.
    let (status, _) = post_acs(&victim, genuine["SAMLResponse"].as_str().unwrap(), None).await;
    assert_eq!(status, 403);
});

// With SSO configured and the policy "password only", neither `/saml2/login` nor the ACS
// signs anyone in; Test SSO still works so an admin can prove a set-up before switching.
both_backends!(password_only_policy_refuses_sso_sign_ins, |db| async move {
    let w = world(&db).await;
    let r = change_connection(&w.admin_a, json!({"loginPolicy": "PASSWORD"})).await;
    assert!(r["errors"].is_null(), "{r}");
    let browser = Client::new(&w.server.base);
    let r = browser.http.get(format!("{}/saml2/login?tenant=contoso", w.server.base)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert!(r.text().await.unwrap().contains("passwords, not single sign-on"));
    let acs = format!("{}/saml2", w.server.base);
    let resp = w.idp.response(&[("user", "ada@shared.example"), ("acs", &acs)]).await;
    let (status, _) = post_acs(&browser, resp["SAMLResponse"].as_str().unwrap(), None).await;
    assert_eq!(status, 403);
    assert_eq!(last_event(&w.admin_a).await["reasonCode"], "sso_not_allowed");
    assert!(me(&browser).await.is_null());
    // Test SSO is not a sign-in: it still runs.
    let r = w.admin_a.gql("mutation { testSsoConnection { url } }", json!({})).await;
    let url = r["data"]["testSsoConnection"]["url"].as_str().unwrap().to_owned();
    let r = browser.http.get(&url).send().await.unwrap();
    let req = query_param(r.headers()["location"].to_str().unwrap(), "SAMLRequest").unwrap();
    let resp = w.idp.response(&[("request", &req), ("user", "ada@shared.example")]).await;
    let (status, html) = post_acs(&browser, resp["SAMLResponse"].as_str().unwrap(), None).await;
    assert_eq!(status, 200);
    assert!(html.contains("The test sign-in worked."), "{html}");
    assert!(me(&browser).await.is_null());
});

// An issuer belongs to one tenant whether its SSO is on or not: another tenant cannot take it
// (so cannot run Test SSO against it), and the owner's Responses are refused as "disabled".
both_backends!(disabled_tenant_keeps_its_issuer, |db| async move {
    let w = world(&db).await;
    let r = change_connection(&w.admin_a, json!({"enabled": false, "loginPolicy": "PASSWORD"})).await;
    assert!(r["errors"].is_null(), "{r}");
    let r = change_connection(&w.admin_b, json!({"issuer": issuer(TID_A), "enabled": false})).await;
    assert_eq!(r["errors"][0]["extensions"]["code"], "CONFLICT", "{r}");
    assert_eq!(r["errors"][0]["extensions"]["field"], "issuer", "{r}");
    let acs = format!("{}/saml2", w.server.base);
    let resp = w.idp.response(&[("user", "ada@shared.example"), ("acs", &acs)]).await;
    let (status, _) = post_acs(&Client::new(&w.server.base), resp["SAMLResponse"].as_str().unwrap(), None).await;
    assert_eq!(status, 403);
    assert_eq!(last_event(&w.admin_a).await["reasonCode"], "sso_disabled");
});

// A signed IdP-initiated LogoutRequest is good once: replayed later it ends nobody's session.
both_backends!(replayed_idp_logout_request_is_refused, |db| async move {
    let w = world(&db).await;
    let slo = format!("{}/saml2/logout", w.server.base);
    let idp = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let (browser, (_, html)) = sp_sign_in(&w, "ada@shared.example", &[("session_index", "_s9")]).await;
    complete(&browser, &html).await;
    let r = idp
        .get(format!("{}/saml2/idp-logout", w.idp.base))
        .query(&[("user", "ada@shared.example"), ("session_index", "_s9"), ("slo", &slo)])
        .send()
        .await
        .unwrap();
    let to_sp = r.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(idp.get(&to_sp).send().await.unwrap().status().as_u16(), 303);
    assert!(me(&browser).await.is_null());
    // Signed in again with the same session index; the captured request replayed changes nothing.
    let (browser, (_, html)) = sp_sign_in(&w, "ada@shared.example", &[("session_index", "_s9")]).await;
    complete(&browser, &html).await;
    assert_eq!(idp.get(&to_sp).send().await.unwrap().status().as_u16(), 403);
    assert!(!me(&browser).await.is_null(), "a replayed LogoutRequest must not sign anyone out");
});

// An attack run is logged once per attempt at INFO with its reason, never as an ERROR (errors
// are for our own faults, which an operator must not miss among refusals).
both_backends!(refused_sign_ins_are_logged_at_info_not_error, |db: TestDb| async move {
    let server = Server::start_logged(db.url(), &[("GATEHOUSE_BOOTSTRAP_PASSWORD", OP_PASSWORD)]).await;
    let w = world_on(server).await;
    let acs = format!("{}/saml2", w.server.base);
    let attempts: Vec<Vec<(&str, &str)>> = vec![
        vec![("key", "alt")],
        vec![("sha1", "1")],
        vec![("mode", "none")],
        vec![("audience", "https://other.example/app")],
        vec![("user", "nobody@contoso.example")],
    ];
    for extra in &attempts {
        let mut params = vec![("acs", acs.as_str()), ("user", "ada@shared.example")];
        params.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
        params.extend_from_slice(extra);
        let resp = w.idp.response(&params).await;
        assert_eq!(post_acs(&Client::new(&w.server.base), resp["SAMLResponse"].as_str().unwrap(), None).await.0, 403);
    }
    assert_eq!(post_acs(&Client::new(&w.server.base), "bm90IFhNTA==", None).await.0, 403);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let logs = w.server.logs();
    let errors: Vec<&str> = logs.lines().filter(|l| l.contains("ERROR")).collect();
    assert!(errors.is_empty(), "refusals logged as errors:\n{}", errors.join("\n"));
    let refusals = logs.lines().filter(|l| l.contains("SSO sign-in refused")).count();
    assert_eq!(refusals, attempts.len() + 1, "one INFO line per refused attempt:\n{logs}");
});
