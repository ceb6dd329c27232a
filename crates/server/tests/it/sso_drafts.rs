//! Drafts, publishing, history and rollback of the SSO settings through the real router, on
//! SQLite and PostgreSQL (issue 13): what each operation answers, and that tenant A's admin
//! can neither read nor change tenant B's draft or history.

use chrono::{Duration, Utc};
use gatehouse_test_support::{both_backends, certificate};
use serde_json::{Value, json};

use crate::support::*;

const SAVE: &str = "mutation($i:SaveSsoSettingsInput!){ saveSsoSettings(input:$i){ issuer version } }";
const DRAFT: &str =
    "{ ssoDraft { revision baseVersion settings { issuer } lastTest { success } changes { field before after } } }";
const HISTORY: &str = "{ ssoSettingsHistory { version action publishedBy restoredFrom settings { issuer } } }";

fn entra(tid: &str) -> Value {
    json!({
        "enabled": true,
        "provider": "ENTRA_ID",
        "loginUrl": format!("https://login.microsoftonline.com/{tid}/saml2"),
        "issuer": format!("https://sts.windows.net/{tid}/"),
        "loginPolicy": "PASSWORD_OR_SSO",
        "allowIdpInitiated": true,
    })
}

/// Tenant `slug` with SSO live (first-time set-up: saved and published in one step), then a
/// draft that changes its issuer. Returns the admin and the published version.
async fn live_with_draft(app: &TestApp, op: &str, slug: &str) -> (Auth, i64) {
    let admin = Auth::Cookie(app.tenant(op, slug).await);
    let mut first = entra(slug);
    first["addCertificates"] = json!([certificate(slug, Utc::now() - Duration::days(1), 365)]);
    let r = app.gql(&admin, SAVE, json!({"i": first})).await;
    let version = r.data()["saveSsoSettings"]["version"].as_i64().unwrap();
    let mut edit = entra(slug);
    edit["issuer"] = json!(format!("https://sts.windows.net/{slug}-typo/"));
    edit["expectedVersion"] = json!(version);
    let r = app.gql(&admin, SAVE, json!({"i": edit})).await;
    assert_eq!(r.data()["saveSsoSettings"]["issuer"], format!("https://sts.windows.net/{slug}/"), "still published");
    (admin, version)
}

both_backends!(a_live_save_is_a_draft_published_with_confirmation_and_rolled_back, |db| async move {
    let app = TestApp::new(db).await;
    let op = app.operator().await;
    let (admin, v1) = live_with_draft(&app, &op, "contoso").await;
    let r = app.gql(&admin, DRAFT, json!({})).await;
    let draft = r.data()["ssoDraft"].clone();
    assert_eq!(draft["baseVersion"], v1);
    assert_eq!(draft["settings"]["issuer"], "https://sts.windows.net/contoso-typo/");
    assert_eq!(
        draft["changes"],
        json!([{"field": "issuer", "before": "https://sts.windows.net/contoso/", "after": "https://sts.windows.net/contoso-typo/"}])
    );

    // Untested: publishing needs the confirmation, which the error names.
    let publish =
        "mutation($r:Int,$c:Boolean){ publishSsoDraft(expectedRevision:$r, confirmUntested:$c){ issuer version } }";
    let r = app.gql(&admin, publish, json!({"r": draft["revision"], "c": false})).await;
    assert_eq!(r.code(), Some("VALIDATION"), "{}", r.body);
    assert_eq!(r.body["errors"][0]["extensions"]["field"], "confirmUntested");
    assert!(r.body["errors"][0]["message"].as_str().unwrap().contains("not been tested"), "{}", r.body);
    // A stale revision is a CONFLICT on `version`.
    let r = app.gql(&admin, publish, json!({"r": draft["revision"].as_i64().unwrap() - 1, "c": true})).await;
    assert_eq!((r.code(), r.body["errors"][0]["extensions"]["field"].as_str()), (Some("CONFLICT"), Some("version")));
    let r = app.gql(&admin, publish, json!({"r": draft["revision"], "c": true})).await;
    let published = r.data()["publishSsoDraft"].clone();
    assert_eq!(published["issuer"], "https://sts.windows.net/contoso-typo/");
    assert!(app.gql(&admin, DRAFT, json!({})).await.data()["ssoDraft"].is_null());

    let r = app.gql(&admin, HISTORY, json!({})).await;
    let history = r.data()["ssoSettingsHistory"].as_array().unwrap().clone();
    let shape: Vec<(&str, &str)> =
        history.iter().map(|v| (v["action"].as_str().unwrap(), v["settings"]["issuer"].as_str().unwrap())).collect();
    assert_eq!(
        shape,
        [("PUBLISH", "https://sts.windows.net/contoso-typo/"), ("SAVE", "https://sts.windows.net/contoso/")]
    );
    assert_eq!(history[0]["publishedBy"], "admin@contoso.test");

    let rollback = "mutation($v:Int!,$e:Int){ rollbackSsoSettings(version:$v, expectedVersion:$e){ issuer version } }";
    let r = app.gql(&admin, rollback, json!({"v": v1, "e": v1})).await;
    assert_eq!(r.code(), Some("CONFLICT"), "the published version moved on: {}", r.body);
    let r = app.gql(&admin, rollback, json!({"v": v1, "e": published["version"]})).await;
    assert_eq!(r.data()["rollbackSsoSettings"]["issuer"], "https://sts.windows.net/contoso/");
    let r = app.gql(&admin, HISTORY, json!({})).await;
    assert_eq!(r.data()["ssoSettingsHistory"][0]["restoredFrom"], v1);
    let r = app.gql(&admin, rollback, json!({"v": 9999})).await;
    assert_eq!(r.code(), Some("NOT_FOUND"), "{}", r.body);
    let r = app.gql(&admin, "{ ssoSettingsDiff(from:{kind:VERSION}, to:{kind:PUBLISHED}) { field } }", json!({})).await;
    assert_eq!(
        (r.code(), r.body["errors"][0]["extensions"]["field"].as_str()),
        (Some("VALIDATION"), Some("from.version"))
    );

    // The operator's rule: an untested draft is FORBIDDEN even when confirmed.
    let ops = Auth::Cookie(op.clone());
    let r = app
        .gql(
            &ops,
            "mutation { setTenantSsoPublishPolicy(slug:\"contoso\", requireTestedDraft:true) { requireTestedDraft } }",
            json!({}),
        )
        .await;
    assert_eq!(r.data()["setTenantSsoPublishPolicy"]["requireTestedDraft"], true);
    let r = app.gql(&admin, "{ ssoPublishPolicy { requireTestedDraft } }", json!({})).await;
    assert_eq!(r.data()["ssoPublishPolicy"]["requireTestedDraft"], true);
    let mut edit = entra("contoso");
    edit["logoutUrl"] = json!("https://login.microsoftonline.com/contoso/saml2");
    app.gql(&admin, SAVE, json!({"i": edit})).await.data();
    let r = app.gql(&admin, publish, json!({"c": true})).await;
    assert_eq!(r.code(), Some("FORBIDDEN"), "{}", r.body);
    let r = app.gql(&admin, "mutation { discardSsoDraft }", json!({})).await;
    assert_eq!(r.data()["discardSsoDraft"], true);
});

both_backends!(another_tenant_cannot_see_or_change_drafts_and_history, |db| async move {
    let app = TestApp::new(db).await;
    let op = app.operator().await;
    let (_b, b_version) = live_with_draft(&app, &op, "fabrikam").await;
    let a = Auth::Cookie(app.tenant(&op, "contoso").await);

    assert!(app.gql(&a, DRAFT, json!({})).await.data()["ssoDraft"].is_null());
    assert_eq!(app.gql(&a, HISTORY, json!({})).await.data()["ssoSettingsHistory"], json!([]));
    for (q, vars) in [
        ("mutation { publishSsoDraft(confirmUntested:true) { version } }", json!({})),
        ("mutation { discardSsoDraft }", json!({})),
        ("mutation($v:Int!){ rollbackSsoSettings(version:$v) { version } }", json!({"v": b_version})),
        (
            "query($v:Int){ ssoSettingsDiff(from:{kind:VERSION, version:$v}, to:{kind:PUBLISHED}) { field } }",
            json!({"v": b_version}),
        ),
        ("{ ssoSettingsDiff(from:{kind:PUBLISHED}, to:{kind:DRAFT}) { field } }", json!({})),
    ] {
        let r = app.gql(&a, q, vars).await;
        assert_eq!(r.code(), Some("NOT_FOUND"), "{q}: {}", r.body);
    }
    // A tenant admin cannot set the operator's rule, for any tenant.
    let r = app
        .gql(
            &a,
            "mutation { setTenantSsoPublishPolicy(slug:\"fabrikam\", requireTestedDraft:true) { requireTestedDraft } }",
            json!({}),
        )
        .await;
    assert_eq!(r.code(), Some("FORBIDDEN"), "{}", r.body);

    // B's draft and history are as they were.
    let b = Auth::Operator(op.clone(), "fabrikam".into());
    let r = app.gql(&b, DRAFT, json!({})).await;
    assert_eq!(r.data()["ssoDraft"]["settings"]["issuer"], "https://sts.windows.net/fabrikam-typo/");
    let r = app.gql(&b, HISTORY, json!({})).await;
    assert_eq!(r.data()["ssoSettingsHistory"][0]["version"], b_version);
    let r = app.gql(&b, "{ ssoConnection { issuer } }", json!({})).await;
    assert_eq!(r.data()["ssoConnection"]["issuer"], "https://sts.windows.net/fabrikam/");
});

// The single-purpose mutations API clients used before drafts: one step while SSO is off
// (each a published version), the draft once it is live; the answers say which.
both_backends!(the_single_purpose_mutations_publish_while_off_and_edit_the_draft_once_live, |db| async move {
    let app = TestApp::new(db).await;
    let op = app.operator().await;
    let admin = Auth::Cookie(app.tenant(&op, "contoso").await);
    let add = "mutation($c:String!){ addIdpCertificate(certificate:$c){ id subject } }";
    let update = "mutation($i:SsoConnectionInput!){ updateSsoConnection(input:$i){ enabled issuer version } }";
    let remove = "mutation($id:ID!){ removeIdpCertificate(id:$id){ id } }";
    let first = certificate("First", Utc::now() - Duration::days(1), 365);
    let r = app.gql(&admin, add, json!({"c": first})).await;
    let first_id = r.data()["addIdpCertificate"]["id"].clone();
    let r = app.gql(&admin, update, json!({"i": entra("contoso")})).await;
    assert_eq!(r.data()["updateSsoConnection"]["enabled"], true, "a first-time set-up is one step");
    let v = r.data()["updateSsoConnection"]["version"].as_i64().unwrap();
    let history = app.gql(&admin, HISTORY, json!({})).await;
    let actions: Vec<&str> = history.data()["ssoSettingsHistory"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["SAVE", "SAVE"]);

    // Live now: every one of them edits the draft; the published settings stay.
    let mut typo = entra("contoso");
    typo["issuer"] = json!("https://sts.windows.net/typo/");
    let r = app.gql(&admin, update, json!({"i": typo})).await;
    assert_eq!(r.data()["updateSsoConnection"]["issuer"], "https://sts.windows.net/contoso/", "{}", r.body);
    assert_eq!(r.data()["updateSsoConnection"]["version"], v);
    let next = certificate("Next", Utc::now() - Duration::days(1), 365);
    let r = app.gql(&admin, add, json!({"c": next})).await;
    assert_eq!(r.data()["addIdpCertificate"]["subject"], "CN=Next");
    let r = app.gql(&admin, remove, json!({"id": first_id})).await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    let draft = app.gql(&admin, "{ ssoDraft { settings { issuer certificates { subject } } } }", json!({})).await;
    assert_eq!(
        draft.data()["ssoDraft"]["settings"],
        json!({"issuer": "https://sts.windows.net/typo/", "certificates": [{"subject": "CN=Next"}]})
    );
    let live = app.gql(&admin, "{ ssoConnection { version issuer certificates { subject } } }", json!({})).await;
    assert_eq!(
        live.data()["ssoConnection"],
        json!({"version": v, "issuer": "https://sts.windows.net/contoso/", "certificates": [{"subject": "CN=First"}]})
    );
    let r = app.gql(&admin, add, json!({"c": "garbage"})).await;
    assert_eq!(
        (r.code(), r.body["errors"][0]["extensions"]["field"].as_str()),
        (Some("VALIDATION"), Some("certificate"))
    );

    // The expired-certificate rule is immediate: live at once, a version in the history.
    let r = app.gql(&admin, "mutation { setRefuseExpiredCertificates(refuse:true){ version } }", json!({})).await;
    assert!(r.data()["setRefuseExpiredCertificates"]["version"].as_i64().unwrap() > v);
    let history = app.gql(&admin, HISTORY, json!({})).await;
    assert_eq!(history.data()["ssoSettingsHistory"][0]["action"], "REFUSE_EXPIRED");
    assert_eq!(history.data()["ssoSettingsHistory"][0]["publishedBy"], "admin@contoso.test");
});
