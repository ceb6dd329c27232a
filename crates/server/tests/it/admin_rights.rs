//! Who may do what, for every GraphQL operation: a plain tenant user is refused every
//! admin and operator operation (FORBIDDEN, with the words the identity crate gives), and
//! can still do what users may. A new operation fails `every_operation_is_classified`
//! until it is listed here.

use gatehouse_test_support::both_backends;
use serde_json::json;

use crate::support::*;

/// A syntactically valid ID that names nothing: the refusal must come before any lookup.
const SOME_ID: &str = "0190b6a4-0000-7000-8000-000000000000";

/// Tenant admins (and API tokens, and operators naming the tenant) only.
const ADMIN_ONLY: &[(&str, &str)] = &[
    ("ssoConnection", "{ ssoConnection { enabled } }"),
    ("users", "{ users { edges { node { id } } } }"),
    ("auditEvents", "{ auditEvents { edges { node { id } } } }"),
    ("signInEvents", "{ signInEvents { edges { node { id } } } }"),
    ("connectionStatus", "{ connectionStatus { health } }"),
    ("scimTokens", "{ scimTokens { nodes { id } } }"),
    ("groups", "{ groups { nodes { id } } }"),
    ("group", "query($id:ID!){ group(id:$id) { id } }"),
    ("apiTokens", "{ apiTokens { nodes { id } } }"),
    ("setScimManagesAdmins", "mutation { setScimManagesAdmins(enabled:true) { slug } }"),
    ("createUser", "mutation { createUser(input:{email:\"x@contoso.test\"}) { id } }"),
    ("updateUser", "mutation($id:ID!){ updateUser(id:$id, input:{displayName:\"x\"}) { id } }"),
    ("activateUser", "mutation($id:ID!){ activateUser(id:$id) { id } }"),
    ("suspendUser", "mutation($id:ID!){ suspendUser(id:$id) { id } }"),
    ("deleteUser", "mutation($id:ID!){ deleteUser(id:$id) { id } }"),
    (
        "updateSsoConnection",
        "mutation { updateSsoConnection(input:{enabled:false, provider:OKTA, loginPolicy:PASSWORD, allowIdpInitiated:false}) { enabled } }",
    ),
    (
        "saveSsoSettings",
        "mutation { saveSsoSettings(input:{enabled:false, provider:OKTA, loginPolicy:PASSWORD, allowIdpInitiated:false}) { enabled } }",
    ),
    ("addIdpCertificate", "mutation { addIdpCertificate(certificate:\"garbage\") { id } }"),
    ("removeIdpCertificate", "mutation($id:ID!){ removeIdpCertificate(id:$id) { id } }"),
    ("testSsoConnection", "mutation { testSsoConnection { url } }"),
    ("importIdpMetadata", "mutation { importIdpMetadata(xml:\"<x/>\") { issuer } }"),
    ("createApiToken", "mutation { createApiToken(name:\"x\") { token } }"),
    ("revokeApiToken", "mutation($id:ID!){ revokeApiToken(id:$id) { id } }"),
    ("createScimToken", "mutation { createScimToken { token } }"),
    ("rotateScimToken", "mutation($id:ID!){ rotateScimToken(id:$id) { token } }"),
    ("revokeScimToken", "mutation($id:ID!){ revokeScimToken(id:$id) { id } }"),
    ("certificateWarnings", "{ certificateWarnings { daysLeft } }"),
    ("setIdpMetadataUrl", "mutation { setIdpMetadataUrl(url:\"https://10.0.0.1/m.xml\") { url } }"),
    ("refreshIdpMetadata", "mutation { refreshIdpMetadata { url } }"),
    ("promoteStagedCertificate", "mutation($id:ID!){ promoteStagedCertificate(id:$id) { version } }"),
    ("dismissStagedCertificate", "mutation($id:ID!){ dismissStagedCertificate(id:$id) }"),
    ("setRefuseExpiredCertificates", "mutation { setRefuseExpiredCertificates(refuse:true) { version } }"),
    ("domains", "{ domains { id } }"),
    ("addDomain", "mutation { addDomain(name:\"contoso.test\") { id } }"),
    ("verifyDomain", "mutation($id:ID!){ verifyDomain(id:$id) { id } }"),
    ("removeDomain", "mutation($id:ID!){ removeDomain(id:$id) }"),
    ("breakGlassAccounts", "{ breakGlassAccounts { ssoRequired } }"),
    ("addBreakGlassAccount", "mutation($id:ID!){ addBreakGlassAccount(userId:$id) { ssoRequired } }"),
    ("removeBreakGlassAccount", "mutation($id:ID!){ removeBreakGlassAccount(userId:$id) { ssoRequired } }"),
    ("ssoDraft", "{ ssoDraft { revision } }"),
    ("ssoSettingsHistory", "{ ssoSettingsHistory { version } }"),
    ("ssoSettingsDiff", "{ ssoSettingsDiff(from:{kind:PUBLISHED}, to:{kind:DRAFT}) { field } }"),
    ("ssoPublishPolicy", "{ ssoPublishPolicy { requireTestedDraft } }"),
    ("publishSsoDraft", "mutation { publishSsoDraft(confirmUntested:true) { version } }"),
    ("discardSsoDraft", "mutation { discardSsoDraft }"),
    ("rollbackSsoSettings", "mutation { rollbackSsoSettings(version:1) { version } }"),
    ("webhookEndpoints", "{ webhookEndpoints { id } }"),
    ("webhookDeliveries", "query($id:ID!){ webhookDeliveries(endpointId:$id) { nodes { id } } }"),
    (
        "createWebhookEndpoint",
        "mutation { createWebhookEndpoint(input:{url:\"https://hooks.example/\", eventTypes:[USER_CREATED]}) { secret } }",
    ),
    ("updateWebhookEndpoint", "mutation($id:ID!){ updateWebhookEndpoint(id:$id, input:{enabled:false}) { id } }"),
    ("deleteWebhookEndpoint", "mutation($id:ID!){ deleteWebhookEndpoint(id:$id) }"),
    ("rotateWebhookSecret", "mutation($id:ID!){ rotateWebhookSecret(id:$id) { secret } }"),
    ("resendWebhookDelivery", "mutation($id:ID!){ resendWebhookDelivery(id:$id) { id } }"),
];

/// Platform operators only.
const OPERATOR_ONLY: &[(&str, &str)] = &[
    ("tenants", "{ tenants { nodes { slug } } }"),
    (
        "createTenant",
        "mutation { createTenant(input:{slug:\"x-tenant\", name:\"x\", adminEmail:\"x@x.test\"}) { tenant { id } } }",
    ),
    ("setTenantDevMode", "mutation { setTenantDevMode(slug:\"contoso\", enabled:true) { devMode } }"),
    ("unattributedSignInEvents", "{ unattributedSignInEvents { nodes { id } } }"),
    (
        "setTenantSsoPublishPolicy",
        "mutation { setTenantSsoPublishPolicy(slug:\"contoso\", requireTestedDraft:true) { requireTestedDraft } }",
    ),
    ("spKeys", "{ spKeys { id } }"),
    ("generateNextSpKey", "mutation { generateNextSpKey(role:SIGNING, overlapHours:24) { id } }"),
    ("activateNextSpKey", "mutation { activateNextSpKey(role:SIGNING, force:true) { id } }"),
    ("dropSpKey", "mutation($id:ID!){ dropSpKey(id:$id) { id } }"),
];

/// Subscriptions for tenant admins (and API tokens, and operators naming the tenant) only.
const ADMIN_ONLY_SUBSCRIPTIONS: &[(&str, &str)] = &[("signInEventAdded", "subscription { signInEventAdded { id } }")];

/// Every signed-in user (`user` for their own record), or anyone (`signIn`).
const EVERYONE: &[&str] = &["me", "tenant", "serviceProvider", "user", "signIn", "signOut", "signInReasons"];

#[test]
fn every_operation_is_classified() {
    let listed: Vec<&str> = ADMIN_ONLY
        .iter()
        .chain(OPERATOR_ONLY)
        .chain(ADMIN_ONLY_SUBSCRIPTIONS)
        .map(|(name, _)| *name)
        .chain(EVERYONE.iter().copied())
        .collect();
    let missing: Vec<String> = schema_operations().into_iter().filter(|o| !listed.contains(&o.as_str())).collect();
    assert!(missing.is_empty(), "operations without a rights test: {missing:?}");
}

both_backends!(plain_users_are_refused_every_admin_and_operator_operation, |db| async move {
    let app = TestApp::new(db).await;
    let op = app.operator().await;
    let admin = app.tenant(&op, "contoso").await;
    app.gql(
        &Auth::Cookie(admin.clone()),
        "mutation { createUser(input:{email:\"u@contoso.test\", password:\"correct horse battery staple\", active:true}){ id } }",
        json!({}),
    )
    .await
    .data();
    let user = Auth::Cookie(app.sign_in("u@contoso.test", PASSWORD).await);
    let refused = |ops: &'static [(&'static str, &'static str)], words: &'static str| {
        let app = &app;
        let user = &user;
        async move {
            for (name, q) in ops {
                let r = app.gql(user, q, json!({"id": SOME_ID})).await;
                assert_eq!(r.code(), Some("FORBIDDEN"), "{name}: {}", r.body);
                assert_eq!(r.body["errors"][0]["message"], words, "{name}");
            }
        }
    };
    refused(ADMIN_ONLY, "only a tenant admin may do this").await;
    for (name, q) in ADMIN_ONLY_SUBSCRIPTIONS {
        use futures_util::StreamExt as _;
        let first = app.subscribe(&user, q).await.next().await.expect("an answer");
        let e = &first.errors[0];
        assert_eq!(e.message, "only a tenant admin may do this", "{name}");
        let code = e.extensions.as_ref().and_then(|x| x.get("code")).cloned();
        assert_eq!(code, Some(async_graphql::Value::from("FORBIDDEN")), "{name}");
    }
    refused(OPERATOR_ONLY, "only a platform operator may do this").await;

    // What users may do, they still may: their own record, their tenant, the SP values.
    let me = app.gql(&user, "{ me { id role } }", json!({})).await;
    assert_eq!(me.data()["me"]["role"], "USER");
    let own = me.data()["me"]["id"].as_str().unwrap().to_owned();
    let r = app.gql(&user, "query($id:ID!){ user(id:$id) { email } }", json!({"id": own})).await;
    assert_eq!(r.data()["user"]["email"], "u@contoso.test");
    let r = app.gql(&user, "{ tenant { slug } serviceProvider { entityId } }", json!({})).await;
    assert_eq!(r.data()["tenant"]["slug"], "contoso");
    let r = app.gql(&user, "{ signInReasons { code } }", json!({})).await;
    assert!(r.data()["signInReasons"].as_array().unwrap().iter().any(|r| r["code"] == "unknown_user"));
    let r = app.gql(&Auth::Anonymous, "{ signInReasons { code } }", json!({})).await;
    assert_eq!(r.code(), Some("UNAUTHENTICATED"), "{}", r.body);

    // The admin is refused nothing on the admin list (errors, if any, are about the input).
    for (name, q) in ADMIN_ONLY {
        let r = app.gql(&Auth::Cookie(admin.clone()), q, json!({"id": SOME_ID})).await;
        assert_ne!(r.code(), Some("FORBIDDEN"), "{name}: {}", r.body);
    }
});
