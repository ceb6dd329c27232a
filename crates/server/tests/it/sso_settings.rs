//! `saveSsoSettings` through the real router, on SQLite and PostgreSQL: settings, added and
//! removed certificates saved together, or nothing at all.

use chrono::{Duration, Utc};
use gatehouse_test_support::{both_backends, certificate, certificate_with_key_bits};
use serde_json::{Value, json};

use crate::support::*;

const SAVE: &str = "mutation($i:SaveSsoSettingsInput!){ saveSsoSettings(input:$i){
    enabled issuer loginPolicy version certificates { id subject expiresSoon } } }";
const READ: &str = "{ ssoConnection { enabled provider loginUrl issuer logoutUrl loginPolicy allowIdpInitiated
    jitProvisioning version updatedAt certificates { id subject fingerprintSha256 } } }";

fn entra(tid: &str, version: &Value) -> Value {
    json!({
        "enabled": true,
        "provider": "ENTRA_ID",
        "loginUrl": format!("https://login.microsoftonline.com/{tid}/saml2"),
        "issuer": format!("https://sts.windows.net/{tid}/"),
        "loginPolicy": "PASSWORD_OR_SSO",
        "allowIdpInitiated": true,
        "expectedVersion": version,
    })
}

fn with(mut input: Value, add: &[&str], remove: &[&Value]) -> Value {
    input["addCertificates"] = json!(add);
    input["removeCertificateIds"] = json!(remove);
    input
}

async fn connection(app: &TestApp, admin: &Auth) -> Value {
    app.gql(admin, READ, json!({})).await.data()["ssoConnection"].clone()
}

both_backends!(save_sso_settings_saves_everything_in_one_go_or_nothing, |db| async move {
    let app = TestApp::new(db).await;
    let op = app.operator().await;
    let admin = Auth::Cookie(app.tenant(&op, "contoso").await);
    let v1 = connection(&app, &admin).await["version"].clone();

    // Not for plain users.
    let r = app
        .gql(&admin, "mutation { createUser(input:{email:\"u@contoso.test\", password:\"correct horse battery staple\", active:true}){ id } }", json!({}))
        .await;
    r.data();
    let user = Auth::Cookie(app.sign_in("u@contoso.test", PASSWORD).await);
    let r = app.gql(&user, SAVE, json!({"i": with(entra("t3", &Value::Null), &[], &[])})).await;
    assert_eq!(r.code(), Some("FORBIDDEN"), "{}", r.body);

    // Enabled by the save that brings the first certificate.
    let first = certificate("first", Utc::now() - Duration::days(1), 365);
    let r = app.gql(&admin, SAVE, json!({"i": with(entra("t1", &v1), &[&first], &[])})).await;
    let saved = r.data()["saveSsoSettings"].clone();
    assert_eq!(saved["enabled"], true);
    assert_eq!(saved["version"], v1.as_i64().unwrap() + 1);
    assert_eq!(saved["certificates"][0]["subject"], "CN=first");
    let first_id = saved["certificates"][0]["id"].clone();

    // A bad certificate among good ones: refused by field, and nothing of the save is kept.
    let before = connection(&app, &admin).await;
    let good = certificate("good", Utc::now() - Duration::days(1), 365);
    let weak = certificate_with_key_bits("weak", Utc::now() - Duration::days(1), 365, 1024);
    let mut sso_only = entra("t2", &saved["version"]);
    sso_only["loginPolicy"] = json!("SSO");
    // SSO is live now: this test is about one Save, so it saves and publishes (issue 13).
    sso_only["publish"] = json!(true);
    sso_only["confirmUntested"] = json!(true);
    let r = app.gql(&admin, SAVE, json!({"i": with(sso_only.clone(), &[&good, &weak], &[&first_id])})).await;
    assert_eq!(r.code(), Some("VALIDATION"), "{}", r.body);
    let ext = &r.body["errors"][0]["extensions"];
    assert_eq!(ext["field"], "addCertificates[1]");
    assert_eq!(ext["fields"].as_array().unwrap().len(), 1, "{ext}");
    assert!(ext["fields"][0]["message"].as_str().unwrap().contains("2048"), "{ext}");
    assert_eq!(connection(&app, &admin).await, before, "nothing saved");
    // An ID that is no ID is named by its place in the list.
    let r = app.gql(&admin, SAVE, json!({"i": with(sso_only.clone(), &[], &[&json!("nope")])})).await;
    assert_eq!(r.code(), Some("VALIDATION"));
    assert_eq!(r.body["errors"][0]["extensions"]["field"], "removeCertificateIds[0]");

    // The same save without the bad certificate: all of it lands.
    let r = app.gql(&admin, SAVE, json!({"i": with(sso_only.clone(), &[&good], &[&first_id])})).await;
    let saved = r.data()["saveSsoSettings"].clone();
    assert_eq!(saved["issuer"], "https://sts.windows.net/t2/");
    assert_eq!(saved["loginPolicy"], "SSO");
    assert_eq!(saved["certificates"].as_array().unwrap().len(), 1);
    assert_eq!(saved["certificates"][0]["subject"], "CN=good");
    assert_eq!(saved["certificates"][0]["expiresSoon"], false);

    // The version it was made from is stale now: CONFLICT on `version`, nothing saved.
    let before = connection(&app, &admin).await;
    let r = app.gql(&admin, SAVE, json!({"i": with(sso_only, &[&first], &[])})).await;
    assert_eq!(r.code(), Some("CONFLICT"), "{}", r.body);
    assert_eq!(r.body["errors"][0]["extensions"]["field"], "version");
    assert_eq!(connection(&app, &admin).await, before, "nothing saved");
});
