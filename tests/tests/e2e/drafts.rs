//! Change SSO without fear (issue 13) end to end: two `gatehouse` processes on one
//! PostgreSQL and the independent test IdP. A draft with a wrong issuer fails its Test SSO
//! while sign-ins on the published settings keep working on both replicas; publishing it is
//! seen by the other replica's next sign-in; a rollback restores sign-ins; the history
//! shows the versions and their difference.

use gatehouse_e2e::*;
use serde_json::{Value, json};

const OP_PASSWORD: &str = "operator password 123";

/// An SP-initiated sign-in of `user` at `replica`: the status of `/saml2/complete` (303 on
/// success) or of the ACS when it refused.
async fn sign_in(replica: &str, idp: &Idp, user: &str) -> u16 {
    let browser = Client::new(replica);
    let r = browser.http.get(format!("{replica}/saml2/login?tenant=contoso")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303, "sign-in started");
    let req = query_param(r.headers()["location"].to_str().unwrap(), "SAMLRequest").unwrap();
    let resp = idp.response(&[("request", &req), ("user", user)]).await;
    let saml = resp["SAMLResponse"].as_str().unwrap().to_owned();
    let r = browser.http.post(format!("{replica}/saml2")).form(&[("SAMLResponse", &saml)]).send().await.unwrap();
    if r.status().as_u16() != 200 {
        return r.status().as_u16();
    }
    let handle = handoff_handle(&r.text().await.unwrap()).expect("hand-over");
    let r = browser.http.post(format!("{replica}/saml2/complete")).form(&[("handle", handle)]).send().await.unwrap();
    r.status().as_u16()
}

/// Runs Test SSO at `replica` the way an admin does: the one-time link, the IdP, the report.
async fn test_sso(admin: &Client, replica: &str, idp: &Idp, user: &str) -> String {
    let r = admin.gql("mutation { testSsoConnection { url } }", json!({})).await;
    let url = r["data"]["testSsoConnection"]["url"].as_str().unwrap_or_else(|| panic!("{r}")).to_owned();
    let path = url.split_once("/saml2/test").unwrap().1;
    let browser = Client::new(replica);
    let r = browser.http.get(format!("{replica}/saml2/test{path}")).send().await.unwrap();
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let req = query_param(&location, "SAMLRequest").unwrap();
    let resp = idp.response(&[("request", &req), ("user", user)]).await;
    let saml = resp["SAMLResponse"].as_str().unwrap().to_owned();
    let r = browser.http.post(format!("{replica}/saml2")).form(&[("SAMLResponse", &saml)]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let html = r.text().await.unwrap();
    assert!(!html.contains("name=\"handle\""), "a test run hands over no session: {html}");
    html
}

fn ok(r: &Value) -> &Value {
    assert!(r["errors"].is_null(), "{r}");
    &r["data"]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_is_tested_published_on_every_replica_and_rolled_back() {
    let db = TestDb::new(Backend::Postgres).await;
    let tid = "dddddddd-4444-4444-8444-dddddddddddd";
    let issuer = format!("https://sts.windows.net/{tid}/");
    let idp = Idp::start(&issuer);
    let one = Server::start(db.url(), &[("GATEHOUSE_BOOTSTRAP_PASSWORD", OP_PASSWORD)]).await;
    let two = Server::start(db.url(), &[("GATEHOUSE_PUBLIC_URL", &one.base)]).await;
    let admin = sso_tenant(&one.base, OP_PASSWORD, &idp, "contoso", &issuer, "ada@contoso.example").await;
    assert_eq!(sign_in(&one.base, &idp, "ada@contoso.example").await, 303);
    assert_eq!(sign_in(&two.base, &idp, "ada@contoso.example").await, 303, "replica two caches the published keys");

    // A draft with a typo in the issuer: saved while SSO is live, so it is a draft.
    let conn = admin
        .gql("{ ssoConnection { enabled provider loginUrl issuer loginPolicy allowIdpInitiated version } }", json!({}))
        .await;
    let c = ok(&conn)["ssoConnection"].clone();
    let typo = "https://sts.windows.net/typo/";
    let r = admin
        .gql(
            "mutation($i:SaveSsoSettingsInput!){ saveSsoSettings(input:$i){ issuer version } }",
            json!({"i": {"enabled": true, "provider": c["provider"], "loginUrl": c["loginUrl"], "issuer": typo,
                "loginPolicy": c["loginPolicy"], "allowIdpInitiated": true, "expectedVersion": c["version"]}}),
        )
        .await;
    assert_eq!(ok(&r)["saveSsoSettings"]["issuer"], issuer.as_str(), "the published issuer did not change");
    let d = admin
        .gql(
            "{ ssoDraft { revision settings { issuer } lastTest { success } changes { field before after } } }",
            json!({}),
        )
        .await;
    let draft = ok(&d)["ssoDraft"].clone();
    assert_eq!(draft["settings"]["issuer"], typo);
    assert!(draft["lastTest"].is_null());
    assert_eq!(draft["changes"], json!([{"field": "issuer", "before": issuer, "after": typo}]));

    // Its test fails (on replica two); sign-ins on both replicas keep the published settings.
    let html = test_sso(&admin, &two.base, &idp, "ada@contoso.example").await;
    assert!(html.contains("The test sign-in failed.") && html.contains("Tested the draft"), "{html}");
    let d = admin.gql("{ ssoDraft { revision lastTest { success by } } }", json!({})).await;
    assert_eq!(ok(&d)["ssoDraft"]["lastTest"], json!({"success": false, "by": "admin@contoso.example"}));
    assert_eq!(sign_in(&one.base, &idp, "ada@contoso.example").await, 303);
    assert_eq!(sign_in(&two.base, &idp, "ada@contoso.example").await, 303);

    // Publishing a failed draft needs confirmation; then replica two sees it at once.
    let publish =
        "mutation($r:Int,$c:Boolean){ publishSsoDraft(expectedRevision:$r, confirmUntested:$c){ issuer version } }";
    let r = admin.gql(publish, json!({"r": draft["revision"], "c": false})).await;
    assert_eq!(r["errors"][0]["extensions"]["code"], "VALIDATION", "{r}");
    assert_eq!(r["errors"][0]["extensions"]["field"], "confirmUntested", "{r}");
    assert!(r["errors"][0]["message"].as_str().unwrap().contains("failed"), "{r}");
    let r = admin.gql(publish, json!({"r": draft["revision"], "c": true})).await;
    assert_eq!(ok(&r)["publishSsoDraft"]["issuer"], typo);
    assert_eq!(
        sign_in(&two.base, &idp, "ada@contoso.example").await,
        403,
        "replica two signs in with the published typo"
    );
    assert_eq!(sign_in(&one.base, &idp, "ada@contoso.example").await, 403);

    // History: what was live before, and the publish; the diff between them.
    let h = admin.gql("{ ssoSettingsHistory { version action publishedBy settings { issuer } } }", json!({})).await;
    let history = ok(&h)["ssoSettingsHistory"].as_array().unwrap().clone();
    let actions: Vec<&str> = history.iter().map(|v| v["action"].as_str().unwrap()).collect();
    // The set-up's two edits (certificate, then settings) went live while SSO was off, each a
    // published Save (issue 13: the older mutations are Saves); then the draft's publish.
    assert_eq!(actions, ["PUBLISH", "SAVE", "SAVE"]);
    assert_eq!(history[0]["publishedBy"], "admin@contoso.example");
    let diff = admin
        .gql(
            "query($a:Int,$b:Int){ ssoSettingsDiff(from:{kind:VERSION, version:$a}, to:{kind:VERSION, version:$b}){ field before after } }",
            json!({"a": history[1]["version"], "b": history[0]["version"]}),
        )
        .await;
    assert_eq!(ok(&diff)["ssoSettingsDiff"], json!([{"field": "issuer", "before": issuer, "after": typo}]));

    // Roll back (through replica two's API): sign-ins work again on both replicas.
    let two_admin = Client { http: admin.http.clone(), base: two.base.clone() };
    let r = two_admin
        .gql(
            "mutation($v:Int!){ rollbackSsoSettings(version:$v){ issuer version } }",
            json!({"v": history[1]["version"]}),
        )
        .await;
    assert_eq!(ok(&r)["rollbackSsoSettings"]["issuer"], issuer.as_str());
    assert_eq!(sign_in(&one.base, &idp, "ada@contoso.example").await, 303);
    assert_eq!(sign_in(&two.base, &idp, "ada@contoso.example").await, 303);
    let h = admin.gql("{ ssoSettingsHistory { action restoredFrom } }", json!({})).await;
    assert_eq!(ok(&h)["ssoSettingsHistory"][0], json!({"action": "ROLLBACK", "restoredFrom": history[1]["version"]}));

    // All of it is in the audit log.
    let a = admin.gql("{ auditEvents(first: 50) { edges { node { action } } } }", json!({})).await;
    let actions: Vec<String> = ok(&a)["auditEvents"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap().to_owned())
        .collect();
    for want in ["sso_draft.save", "sso_settings.publish", "sso_settings.rollback"] {
        assert!(actions.iter().any(|a| a == want), "{want} in {actions:?}");
    }
}
