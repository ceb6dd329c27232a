//! Issue 12 end to end: Gatehouse's signed AuthnRequests, LogoutRequests and LogoutResponses
//! verified by the independent test IdP (`tests/idp/sp_verify.py`: the `openssl` CLI and the
//! certificates in `/saml2/metadata`), through an SP signing-key rollover
//! (`generateNextSpKey` → `activateNextSpKey`) with no failed sign-in — on SQLite and PostgreSQL.

use gatehouse_e2e::*;
use gatehouse_test_support::both_backends;
use serde_json::{Value, json};

use crate::sso::*;

/// A fixed key-encryption key, so the server has SP keys (64 hex digits).
const KEK: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

/// What the IdP's independent verifier says about the redirect `url`.
async fn idp_verifies(w: &World, url: &str) -> Value {
    let metadata = format!("{}/saml2/metadata", w.server.base);
    let r = reqwest::Client::new()
        .get(format!("{}/_verify_redirect", w.idp.base))
        .query(&[("url", url), ("metadata", &metadata)])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "verifier failed: {}", r.text().await.unwrap_or_default());
    r.json().await.unwrap()
}

/// `url` with the tenth character of its SAMLRequest/SAMLResponse value changed.
fn tamper(url: &str) -> String {
    let at = url.find("SAMLRequest=").or_else(|| url.find("SAMLResponse=")).unwrap();
    let i = url[at..].find('=').unwrap() + at + 10;
    let swapped = if &url[i..=i] == "A" { "B" } else { "A" };
    let tampered = format!("{}{}{}", &url[..i], swapped, &url[i + 1..]);
    assert_ne!(tampered, url);
    tampered
}

/// An SP-initiated sign-in at contoso: the redirect to the IdP must carry a signature the IdP
/// verifies (with `certificates` signing certificates in the metadata), then the sign-in
/// completes.
async fn signed_sign_in(w: &World, certificates: u64) -> Client {
    let browser = Client::new(&w.server.base);
    let r = browser
        .http
        .get(format!("{}/saml2/login?tenant=contoso&RelayState=%2Fwelcome", w.server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(query_param(&location, "Signature").is_some(), "the AuthnRequest is signed: {location}");
    let verdict = idp_verifies(w, &location).await;
    assert_eq!(
        (verdict["verified"].as_bool(), verdict["certificates"].as_u64()),
        (Some(true), Some(certificates)),
        "{verdict}"
    );
    // The verifier fails on anything else: one character of the request changed.
    assert_eq!(idp_verifies(w, &tamper(&location)).await["verified"], false);

    let request = query_param(&location, "SAMLRequest").unwrap();
    let resp = w.idp.response(&[("request", request.as_str()), ("user", "ada@shared.example")]).await;
    let (status, html) = post_acs(&browser, resp["SAMLResponse"].as_str().unwrap(), resp["RelayState"].as_str()).await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(complete(&browser, &html).await, (303, Some("/welcome".to_owned())));
    browser
}

/// A world whose server has SP keys (a fixed KEK) and whose contoso has published its Entra
/// settings with `switch` (a camelCase SSO setting, e.g. `signAuthnRequests`) turned on.
pub(crate) async fn world_with_sp_keys_and(db: &TestDb, switch: &str) -> World {
    let server = Server::start(
        db.url(),
        &[("GATEHOUSE_BOOTSTRAP_PASSWORD", OP_PASSWORD), ("GATEHOUSE_KEY_ENCRYPTION_KEY", KEK)],
    )
    .await;
    let w = world_on(server).await;
    let conn = w.admin_a.gql("{ ssoConnection { loginUrl issuer logoutUrl } }", json!({})).await;
    let c = &conn["data"]["ssoConnection"];
    let mut settings = json!({"enabled": true, "provider": "ENTRA_ID", "loginUrl": c["loginUrl"], "issuer": c["issuer"],
        "logoutUrl": c["logoutUrl"], "loginPolicy": "PASSWORD_OR_SSO", "allowIdpInitiated": true,
        "publish": true, "confirmUntested": true});
    settings[switch] = json!(true);
    let r = w
        .admin_a
        .gql(
            &format!("mutation($i:SaveSsoSettingsInput!){{ saveSsoSettings(input:$i){{ {switch} }} }}"),
            json!({ "i": settings }),
        )
        .await;
    assert_eq!(r["data"]["saveSsoSettings"][switch], true, "{r}");
    w
}

both_backends!(signed_requests_verify_independently_through_an_sp_key_rollover, |db| async move {
    let w = world_with_sp_keys_and(&db, "signAuthnRequests").await;
    signed_sign_in(&w, 1).await;

    // Rollover: the next key is published at once (the IdP reads both), then becomes active.
    let ops = Client::new(&w.server.base);
    ops.sign_in("admin@gatehouse.local", OP_PASSWORD, None).await;
    let r = ops
        .gql("mutation { generateNextSpKey(role: SIGNING, overlapHours: 0) { fingerprintSha256 } }", json!({}))
        .await;
    assert!(r["errors"].is_null(), "{r}");
    signed_sign_in(&w, 2).await;
    let r =
        ops.gql("mutation { activateNextSpKey(role: SIGNING, force: true) { fingerprintSha256 } }", json!({})).await;
    assert!(r["errors"].is_null(), "{r}");
    let browser = signed_sign_in(&w, 1).await;

    // Sign-out: the LogoutRequest to the IdP is signed with the active key too.
    let r =
        browser.http.post(format!("{}/logout", w.server.base)).header("origin", &w.server.base).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let to_idp = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(to_idp.contains("SAMLRequest=") && to_idp.contains("&Signature="), "{to_idp}");
    assert_eq!(idp_verifies(&w, &to_idp).await["verified"], true);

    // IdP-initiated logout: the LogoutResponse Gatehouse answers with is signed.
    let browser = signed_sign_in(&w, 1).await;
    let slo = format!("{}/saml2/logout", w.server.base);
    let idp = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = idp
        .get(format!("{}/saml2/idp-logout", w.idp.base))
        .query(&[("user", "ada@shared.example"), ("slo", &slo)])
        .send()
        .await
        .unwrap();
    let to_sp = r.headers()["location"].to_str().unwrap().to_owned();
    let r = idp.get(&to_sp).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let answer = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(answer.contains("SAMLResponse=") && answer.contains("&Signature="), "{answer}");
    assert_eq!(idp_verifies(&w, &answer).await["verified"], true);
    assert_eq!(idp_verifies(&w, &tamper(&answer)).await["verified"], false);
    assert!(me(&browser).await.is_null(), "the IdP's logout ended the session");
});
