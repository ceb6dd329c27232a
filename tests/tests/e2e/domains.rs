//! Verified domains end to end: the real binary resolving against a DNS server on this
//! machine (GATEHOUSE_DNS_SERVERS), the sign-on page sending an address of the verified
//! domain to the test IdP, and the ACS creating the user with just-in-time provisioning —
//! or refusing the unknown user without it.

use gatehouse_e2e::*;
use gatehouse_test_support::both_backends;
use gatehouse_test_support::dns::LocalDns;
use serde_json::json;

use crate::sso::*;

async fn set_jit(admin: &Client, on: bool) {
    let conn = admin.gql("{ ssoConnection { loginUrl issuer logoutUrl } }", json!({})).await;
    let c = &conn["data"]["ssoConnection"];
    let r = admin
        .gql(
            "mutation($i:SaveSsoSettingsInput!){ saveSsoSettings(input:$i){ jitProvisioning } }",
            json!({"i": {"enabled": true, "provider": "ENTRA_ID", "loginUrl": c["loginUrl"], "issuer": c["issuer"],
                "logoutUrl": c["logoutUrl"], "loginPolicy": "PASSWORD_OR_SSO", "allowIdpInitiated": true, "jitProvisioning": on,
                "publish": true, "confirmUntested": true}}),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
}

/// The sign-on page for `email`: the AuthnRequest it sends the browser to the IdP with.
async fn login_to_idp(w: &World, browser: &Client, email: &str) -> String {
    let r = browser
        .http
        .post(format!("{}/login", w.server.base))
        .header("origin", &w.server.base)
        .form(&[("email", email)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303, "{email}");
    let loc = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(loc.starts_with(&format!("{}/saml2/sso?SAMLRequest=", w.idp.base)), "{loc}");
    assert!(!loc.contains("tenant="), "the tenant is not named: {loc}");
    query_param(&loc, "SAMLRequest").unwrap()
}

both_backends!(
    a_verified_domain_routes_to_the_idp_with_and_without_jit,
    |db: gatehouse_test_support::TestDb| async move {
        let dns = LocalDns::start().await;
        let addr = dns.addr.to_string();
        let w = world_on(
            Server::start(db.url(), &[("GATEHOUSE_BOOTSTRAP_PASSWORD", OP_PASSWORD), ("GATEHOUSE_DNS_SERVERS", &addr)])
                .await,
        )
        .await;
        let r = w
            .admin_a
            .gql("mutation { addDomain(name:\"contoso.example\"){ id recordName recordValue } }", json!({}))
            .await;
        let d = &r["data"]["addDomain"];
        dns.set_txt(d["recordName"].as_str().unwrap(), vec![d["recordValue"].as_str().unwrap().to_owned()]);
        let r = w.admin_a.gql("mutation($id:ID!){ verifyDomain(id:$id){ status } }", json!({"id": d["id"]})).await;
        assert_eq!(r["data"]["verifyDomain"]["status"], "VERIFIED", "{r}");

        // Without JIT: an address with no account goes to the IdP all the same; the ACS refuses it.
        set_jit(&w.admin_a, false).await;
        let browser = Client::new(&w.server.base);
        let req = login_to_idp(&w, &browser, "new.hire@contoso.example").await;
        let resp = w.idp.response(&[("request", req.as_str()), ("user", "new.hire@contoso.example")]).await;
        let (status, html) =
            post_acs(&browser, resp["SAMLResponse"].as_str().unwrap(), resp["RelayState"].as_str()).await;
        assert_eq!(status, 403, "{html}");
        assert_eq!(last_event(&w.admin_a).await["reasonCode"], "unknown_user");
        let users = w.admin_a.gql("{ users(search:\"new.hire\") { edges { node { id } } } }", json!({})).await;
        assert_eq!(users["data"]["users"]["edges"].as_array().unwrap().len(), 0);

        // With JIT: the same route, and the ACS creates the user and signs them in.
        set_jit(&w.admin_a, true).await;
        let browser = Client::new(&w.server.base);
        let req = login_to_idp(&w, &browser, "New.Hire@Contoso.example").await;
        let resp = w.idp.response(&[("request", req.as_str()), ("user", "new.hire@contoso.example")]).await;
        let (status, html) =
            post_acs(&browser, resp["SAMLResponse"].as_str().unwrap(), resp["RelayState"].as_str()).await;
        assert_eq!(status, 200, "{html}");
        complete(&browser, &html).await;
        let me = me(&browser).await;
        assert_eq!(
            (me["email"].as_str(), me["tenant"]["slug"].as_str()),
            (Some("new.hire@contoso.example"), Some("contoso"))
        );

        // The user has no password: typing one is told to use SSO (the domain is verified).
        let pw = Client::new(&w.server.base)
            .gql(
                "mutation { signIn(email:\"new.hire@contoso.example\", password:\"anything at all\"){ me { email } } }",
                json!({}),
            )
            .await;
        assert_eq!(pw["errors"][0]["extensions"]["code"], "FORBIDDEN", "{pw}");
        assert!(pw["errors"][0]["message"].as_str().unwrap().contains("single sign-on"), "{pw}");

        // The record is lost: "Verify now" flags the domain; it keeps routing during the grace period.
        dns.set_txt(d["recordName"].as_str().unwrap(), vec![]);
        let r = w
            .admin_a
            .gql("mutation($id:ID!){ verifyDomain(id:$id){ status routesSignIns } }", json!({"id": d["id"]}))
            .await;
        assert_eq!(r["data"]["verifyDomain"], json!({"status": "FLAGGED", "routesSignIns": true}), "{r}");
        login_to_idp(&w, &Client::new(&w.server.base), "someone@contoso.example").await;
    }
);
