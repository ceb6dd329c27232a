//! Tenant isolation at the GraphQL level: an admin (or API token) of tenant A, handed
//! tenant B's IDs, can neither read nor change anything of B — for every query and
//! mutation in the schema. A new operation fails `every_operation_is_covered` until it
//! is added here.

use chrono::{Duration, Utc};
use gatehouse_test_support::{both_backends, certificate};
use serde_json::{Value, json};

use crate::support::*;

/// Operations this file exercises; compared with the schema below.
const COVERED: &[&str] = &[
    // queries
    "me",
    "tenant",
    "tenants",
    "ssoConnection",
    "serviceProvider",
    "users",
    "user",
    "auditEvents",
    "apiTokens",
    "signInEvents",
    "unattributedSignInEvents",
    "signInReasons",
    "connectionStatus",
    "scimTokens",
    "groups",
    "group",
    // subscriptions: tests/it/live.rs (an admin's live log gets only their tenant's sign-ins)
    "signInEventAdded",
    // mutations
    "signIn",
    "signOut",
    "createTenant",
    "setTenantDevMode",
    "createUser",
    "updateUser",
    "activateUser",
    "suspendUser",
    "deleteUser",
    "updateSsoConnection",
    "saveSsoSettings",
    "addIdpCertificate",
    "removeIdpCertificate",
    "createApiToken",
    "revokeApiToken",
    "testSsoConnection",
    "importIdpMetadata",
    "createScimToken",
    "rotateScimToken",
    "revokeScimToken",
    "setScimManagesAdmins",
    // issue 12: they act on the caller's own connection; staged IDs of B are NOT_FOUND
    // (below), and the identity tests prove a tenant cannot promote or dismiss another's.
    "certificateWarnings",
    "setIdpMetadataUrl",
    "refreshIdpMetadata",
    "promoteStagedCertificate",
    "dismissStagedCertificate",
    "setRefuseExpiredCertificates",
    // issue 13: covered by domains.rs (`domains_and_break_glass_are_tenant_isolated_and_admin_only`):
    // B's domain and user IDs are NOT_FOUND to A, and A's lists never show B's.
    "domains",
    "addDomain",
    "verifyDomain",
    "removeDomain",
    "breakGlassAccounts",
    "addBreakGlassAccount",
    "removeBreakGlassAccount",
    // issue 13: proven in `sso_drafts::another_tenant_cannot_see_or_change_drafts_and_history`.
    "ssoDraft",
    "ssoSettingsHistory",
    "ssoSettingsDiff",
    "ssoPublishPolicy",
    "publishSsoDraft",
    "discardSsoDraft",
    "rollbackSsoSettings",
    "setTenantSsoPublishPolicy",
    // issue 12, SP side: Gatehouse's own keys belong to no tenant; the rollover is for
    // operators only (refused below), the certificates are public.
    "spKeys",
    "generateNextSpKey",
    "activateNextSpKey",
    "dropSpKey",
    // issue 15: proven in `webhooks::webhooks_are_tenant_isolated_and_admin_only`: B's endpoint
    // and delivery IDs are NOT_FOUND to A for every operation, and A's list never shows B's.
    "webhookEndpoints",
    "webhookDeliveries",
    "createWebhookEndpoint",
    "updateWebhookEndpoint",
    "deleteWebhookEndpoint",
    "rotateWebhookSecret",
    "resendWebhookDelivery",
];

#[test]
fn every_operation_is_covered() {
    let ops = schema_operations();
    let missing: Vec<&String> = ops.iter().filter(|o| !COVERED.contains(&o.as_str())).collect();
    assert!(missing.is_empty(), "operations without an isolation test: {missing:?}");
}

struct TenantB {
    sign_in_event: String,
    admin: String,
    user_id: String,
    user_email: String,
    cert_id: String,
    fingerprint: String,
    token_id: String,
    scim_token_id: String,
    group_id: String,
}

async fn tenant_b(app: &TestApp, op: &str) -> TenantB {
    let admin = app.tenant(op, "tenant-b").await;
    let a = Auth::Cookie(admin.clone());
    let u = app
        .gql(
            &a,
            "mutation { createUser(input:{email:\"secret.person@b.test\", displayName:\"B Person\"}){ id email } }",
            json!({}),
        )
        .await;
    let pem = certificate("B IdP", Utc::now() - Duration::days(1), 365);
    let c = app
        .gql(&a, "mutation($c:String!){ addIdpCertificate(certificate:$c){ id fingerprintSha256 } }", json!({"c": pem}))
        .await;
    let t = app.gql(&a, "mutation { createApiToken(name:\"b-token\"){ apiToken { id } } }", json!({})).await;
    app.gql(
        &a,
        "mutation { updateSsoConnection(input:{enabled:true, provider:ENTRA_ID, loginUrl:\"https://login.microsoftonline.com/b/saml2\", issuer:\"https://sts.windows.net/b/\", loginPolicy:PASSWORD_OR_SSO, allowIdpInitiated:true}){ version } }",
        json!({}),
    )
    .await
    .data();
    // A response naming B's issuer lands in B's sign-in log (refused: it is unsigned).
    let unsigned = format!(
        "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_r1\" Version=\"2.0\" IssueInstant=\"{}\"><saml:Issuer>https://sts.windows.net/b/</saml:Issuer></samlp:Response>",
        Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    let form = format!("SAMLResponse={}", urlencode(&base64(&unsigned)));
    app.request(
        axum::http::Request::post("/saml2")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(axum::body::Body::from(form))
            .unwrap(),
    )
    .await;
    let log =
        app.gql(&Auth::Cookie(admin.clone()), "{ signInEvents { edges { node { id reasonCode } } } }", json!({})).await;
    let sign_in_event =
        log.data()["signInEvents"]["edges"][0]["node"]["id"].as_str().expect("B has a sign-in event").to_owned();
    // B provisions over SCIM: a token, and a group with B's user in it.
    let scim = app.gql(&a, "mutation { createScimToken { token tenantUrl scimToken { id } } }", json!({})).await;
    let scim = &scim.data()["createScimToken"];
    let user_id = u.data()["createUser"]["id"].as_str().unwrap().to_owned();
    let g = scim_request(
        app,
        "POST",
        scim["tenantUrl"].as_str().unwrap(),
        "/Groups",
        scim["token"].as_str().unwrap(),
        json!({"displayName": "B secret group", "members": [{"value": user_id}]}),
    )
    .await;
    assert_eq!(g.status, axum::http::StatusCode::CREATED, "{}", g.body);
    TenantB {
        scim_token_id: scim["scimToken"]["id"].as_str().unwrap().into(),
        group_id: g.body["id"].as_str().unwrap().into(),
        sign_in_event,
        admin,
        user_id: u.data()["createUser"]["id"].as_str().unwrap().into(),
        user_email: u.data()["createUser"]["email"].as_str().unwrap().into(),
        cert_id: c.data()["addIdpCertificate"]["id"].as_str().unwrap().into(),
        fingerprint: c.data()["addIdpCertificate"]["fingerprintSha256"].as_str().unwrap().into(),
        token_id: t.data()["createApiToken"]["apiToken"]["id"].as_str().unwrap().into(),
    }
}

/// B's state, as B's admin sees it; must be the same before and after A's attempts.
pub(crate) async fn scim_request(
    app: &TestApp,
    method: &str,
    tenant_url: &str,
    path: &str,
    token: &str,
    body: Value,
) -> Reply {
    let uri = format!("{}{path}", tenant_url.strip_prefix(PUBLIC_URL).expect("a Gatehouse URL"));
    app.request(
        axum::http::Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/scim+json")
            .body(axum::body::Body::from(body.to_string()))
            .unwrap(),
    )
    .await
}

async fn snapshot_of_b(app: &TestApp, b: &TenantB) -> Value {
    let r = app
        .gql(
            &Auth::Cookie(b.admin.clone()),
            "{ tenant { slug name devMode } ssoConnection { enabled issuer loginUrl version certificates { id } }
               users { edges { node { id email displayName federationId role status } } }
               apiTokens { nodes { id name revokedAt } } scimTokens { nodes { id revokedAt } }
               groups(first:10) { edges { node { id displayName memberCount members(first:10) { nodes { id groups(first:10) { nodes { id } } } } } } } }",
            json!({}),
        )
        .await;
    r.data().clone()
}

async fn attack(app: &TestApp, caller: &Auth, b: &TenantB) {
    let text = |r: &Reply| r.body.to_string();
    // Queries answer with A's data only.
    let r = app
        .gql(caller, "{ me { email tenant { slug } } tenant { slug } serviceProvider { signOnUrl } }", json!({}))
        .await;
    assert_eq!(r.data()["tenant"]["slug"], "tenant-a");
    assert!(r.data()["serviceProvider"]["signOnUrl"].as_str().unwrap().ends_with("tenant=tenant-a"));
    assert_eq!(app.gql(caller, "{ tenants { nodes { slug } } }", json!({})).await.code(), Some("FORBIDDEN"));
    let r = app.gql(caller, "{ ssoConnection { issuer certificates { id fingerprintSha256 } } }", json!({})).await;
    assert!(!text(&r).contains(&b.fingerprint), "{}", text(&r));
    let r = app
        .gql(caller, "query($s:String){ users(search:$s) { edges { node { id } } } }", json!({"s": b.user_email}))
        .await;
    assert_eq!(r.data()["users"]["edges"].as_array().unwrap().len(), 0);
    let r = app.gql(caller, "query($id:ID!){ user(id:$id) { id } }", json!({"id": b.user_id})).await;
    assert!(r.data()["user"].is_null());
    let r = app.gql(caller, "{ auditEvents(first:200) { edges { node { targetId before after } } } }", json!({})).await;
    for needle in [&b.user_id, &b.cert_id, &b.token_id, &b.fingerprint] {
        assert!(!text(&r).contains(needle.as_str()), "A's audit log shows B's {needle}");
    }
    let r = app.gql(caller, "{ apiTokens { nodes { id name } } }", json!({})).await;
    assert!(!text(&r).contains(&b.token_id) && !text(&r).contains("b-token"));
    // A cursor naming B's object pages through A's list only.
    let r = app
        .gql(caller, "query($a:String){ apiTokens(after:$a) { nodes { id name } } }", json!({"a": b.token_id}))
        .await;
    assert!(!text(&r).contains(&b.token_id) && !text(&r).contains("b-token"), "{}", text(&r));
    let r = app
        .gql(caller, "query($a:String){ scimTokens(after:$a) { nodes { id } } }", json!({"a": b.scim_token_id}))
        .await;
    assert!(!text(&r).contains(&b.scim_token_id), "{}", text(&r));
    let r = app.gql(caller, "{ signInEvents(first:200) { edges { node { id } } } }", json!({})).await;
    assert!(!text(&r).contains(&b.sign_in_event), "A sees B's sign-in log");
    // B's reference, searched for in A's log, finds nothing; nor does B's admin's e-mail.
    let r = app
        .gql(
            caller,
            "query($r:ID, $u:String){ a: signInEvents(filter:{reference:$r}) { nodes { id } } b: signInEvents(filter:{user:$u}) { nodes { id } } }",
            json!({"r": b.sign_in_event, "u": b.user_email}),
        )
        .await;
    assert_eq!(r.data()["a"]["nodes"].as_array().unwrap().len(), 0, "{}", text(&r));
    assert!(!text(&r).contains(&b.sign_in_event), "{}", text(&r));
    let r = app
        .gql(caller, "{ connectionStatus { certificateExpiresAt lastSuccess { id } lastFailure { id nameId } lastTest { id } } }", json!({}))
        .await;
    assert!(!text(&r).contains(&b.sign_in_event) && !text(&r).contains(&b.fingerprint), "{}", text(&r));
    // The reason list is the same for everyone and carries no tenant's data.
    let r = app.gql(caller, "{ signInReasons { code description } }", json!({})).await;
    assert!(r.data()["signInReasons"].as_array().unwrap().len() > 10);
    // Attempts tied to no tenant are for operators only.
    let r = app.gql(caller, "{ unattributedSignInEvents { nodes { id } } }", json!({})).await;
    assert_eq!(r.code(), Some("FORBIDDEN"), "{}", text(&r));

    let r = app.gql(caller, "{ scimTokens { nodes { id } } groups(first:10) { edges { node { id displayName memberCount members(first:10) { nodes { id groups(first:10) { nodes { id displayName } } } } } } } users { nodes { id groups(first:10) { nodes { id displayName } } } } }", json!({})).await;
    for needle in [&b.scim_token_id, &b.group_id, &b.user_id, &"B secret group".to_owned()] {
        assert!(!text(&r).contains(needle.as_str()), "A sees B's {needle}: {}", text(&r));
    }
    let r = app
        .gql(caller, "query($id:ID!){ group(id:$id) { id members { nodes { id } } } }", json!({"id": b.group_id}))
        .await;
    assert!(r.data()["group"].is_null());

    // Mutations naming B's objects find nothing.
    let by_id = [
        ("mutation($id:ID!){ updateUser(id:$id, input:{displayName:\"pwned\", role:TENANT_ADMIN}){ id } }", &b.user_id),
        ("mutation($id:ID!){ activateUser(id:$id){ id } }", &b.user_id),
        ("mutation($id:ID!){ suspendUser(id:$id){ id } }", &b.user_id),
        ("mutation($id:ID!){ deleteUser(id:$id){ id } }", &b.user_id),
        ("mutation($id:ID!){ removeIdpCertificate(id:$id){ id } }", &b.cert_id),
        ("mutation($id:ID!){ revokeApiToken(id:$id){ id } }", &b.token_id),
        ("mutation($id:ID!){ revokeScimToken(id:$id){ id } }", &b.scim_token_id),
        ("mutation($id:ID!){ rotateScimToken(id:$id){ token } }", &b.scim_token_id),
        ("mutation($id:ID!){ promoteStagedCertificate(id:$id){ version } }", &b.cert_id),
        ("mutation($id:ID!){ dismissStagedCertificate(id:$id) }", &b.cert_id),
    ];
    for (q, id) in by_id {
        let r = app.gql(caller, q, json!({"id": id})).await;
        assert_eq!(r.code(), Some("NOT_FOUND"), "{q}: {}", text(&r));
    }
    // A save naming B's certificate for removal finds no such certificate, and saves nothing.
    let save = json!({"i": {"enabled": false, "provider": "GENERIC_SAML", "loginPolicy": "PASSWORD",
        "allowIdpInitiated": false, "removeCertificateIds": [b.cert_id]}});
    let r = app.gql(caller, "mutation($i:SaveSsoSettingsInput!){ saveSsoSettings(input:$i){ version } }", save).await;
    assert_eq!(r.code(), Some("VALIDATION"), "{}", text(&r));
    assert_eq!(r.body["errors"][0]["extensions"]["field"], "removeCertificateIds[0]");
    // Operator-only mutations are refused.
    let r = app
        .gql(caller, "mutation { createTenant(input:{slug:\"x-tenant\", name:\"x\", adminEmail:\"x@x.test\"}){ tenant { id } } }", json!({}))
        .await;
    assert_eq!(r.code(), Some("FORBIDDEN"));
    let r =
        app.gql(caller, "mutation { setTenantDevMode(slug:\"tenant-b\", enabled:true){ devMode } }", json!({})).await;
    assert_eq!(r.code(), Some("FORBIDDEN"));
    for q in [
        "{ spKeys { id } }",
        "mutation { generateNextSpKey(role:ENCRYPTION, overlapHours:0){ id } }",
        "mutation { activateNextSpKey(role:SIGNING, force:true){ id } }",
    ] {
        let r = app.gql(caller, q, json!({})).await;
        assert_eq!(r.code(), Some("FORBIDDEN"), "{q}: {}", text(&r));
    }
    // Mutations without IDs act on A only — including claiming B's issuer, which is refused.
    let r = app.gql(caller, "mutation { createUser(input:{email:\"secret.person@b.test\"}){ id } }", json!({})).await;
    r.data();
    let pem = certificate("A IdP", Utc::now() - Duration::days(1), 365);
    app.gql(caller, "mutation($c:String!){ addIdpCertificate(certificate:$c){ id } }", json!({"c": pem})).await.data();
    let r = app
        .gql(
            caller,
            "mutation { updateSsoConnection(input:{enabled:true, provider:ENTRA_ID, loginUrl:\"https://login.microsoftonline.com/b/saml2\", issuer:\"https://sts.windows.net/b/\", loginPolicy:SSO, allowIdpInitiated:true}){ version } }",
            json!({}),
        )
        .await;
    assert_eq!(r.code(), Some("CONFLICT"));
    app.gql(caller, "mutation { createApiToken(name:\"a-token\"){ token } }", json!({})).await.data();
    // The SCIM admin setting is the caller's tenant's: A's changes, B's stays off.
    let r =
        app.gql(caller, "mutation { setScimManagesAdmins(enabled:true){ slug scimManagesAdmins } }", json!({})).await;
    assert_eq!(r.data()["setScimManagesAdmins"], json!({"slug": "tenant-a", "scimManagesAdmins": true}));
    let r = app.gql(&Auth::Cookie(b.admin.clone()), "{ tenant { slug scimManagesAdmins } }", json!({})).await;
    assert_eq!(r.data()["tenant"], json!({"slug": "tenant-b", "scimManagesAdmins": false}));
    // A's SCIM token is for A's URL; on B's it is refused, and it cannot reach B's group.
    let r = app.gql(caller, "mutation { createScimToken { token tenantUrl } }", json!({})).await;
    let created = &r.data()["createScimToken"];
    let (token, url_a) = (created["token"].as_str().unwrap(), created["tenantUrl"].as_str().unwrap());
    assert_eq!(url_a, format!("{PUBLIC_URL}/scim/v2/tenant-a"));
    let url_b = format!("{PUBLIC_URL}/scim/v2/tenant-b");
    let r = scim_request(app, "GET", &url_b, "/Groups", token, Value::Null).await;
    assert_eq!(r.status, axum::http::StatusCode::UNAUTHORIZED);
    let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "remove", "path": "members"}]});
    let r = scim_request(app, "PATCH", &url_b, &format!("/Groups/{}", b.group_id), token, patch.clone()).await;
    assert_eq!(r.status, axum::http::StatusCode::UNAUTHORIZED);
    let r = scim_request(app, "PATCH", url_a, &format!("/Groups/{}", b.group_id), token, patch).await;
    assert_eq!(r.status, axum::http::StatusCode::NOT_FOUND);
    let r = scim_request(app, "DELETE", url_a, &format!("/Users/{}", b.user_id), token, Value::Null).await;
    assert_eq!(r.status, axum::http::StatusCode::NOT_FOUND);
    // A's test link is A's: before A has a login URL it cannot be made (B's settings are
    // not used); once A imported its metadata, the link leads to A's IdP, never B's.
    let r = app.gql(caller, "mutation { testSsoConnection { url } }", json!({})).await;
    match r.body["data"]["testSsoConnection"]["url"].as_str() {
        None => assert_eq!(r.code(), Some("VALIDATION"), "{}", text(&r)),
        Some(url) => {
            let path = url.strip_prefix(PUBLIC_URL).expect("a Gatehouse URL");
            let started = app.request(axum::http::Request::get(path).body(axum::body::Body::empty()).unwrap()).await;
            let location = started.location.clone().unwrap_or_default();
            assert!(location.starts_with("https://login.microsoftonline.com/a/saml2?"), "{location}");
        }
    }
    // Importing A's own metadata saves into A only (A's SSO stays disabled) ...
    let import =
        "mutation($x:String!){ importIdpMetadata(xml:$x, apply:true){ issuer ssoConnection { enabled issuer } } }";
    let md = metadata("https://sts.windows.net/a/", "https://login.microsoftonline.com/a/saml2");
    let r = app.gql(caller, import, json!({"x": md})).await;
    assert_eq!(r.data()["importIdpMetadata"]["ssoConnection"]["enabled"], false);
    // ... and metadata naming B's issuer cannot claim it: an issuer belongs to one tenant.
    let md = metadata("https://sts.windows.net/b/", "https://login.microsoftonline.com/a/saml2");
    let r = app.gql(caller, import, json!({"x": md})).await;
    assert_eq!(r.code(), Some("CONFLICT"), "{}", text(&r));
}

fn metadata(entity_id: &str, sso_url: &str) -> String {
    let pem = certificate("A IdP metadata", Utc::now() - Duration::days(1), 365);
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    format!(
        "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" entityID=\"{entity_id}\">\
         <md:IDPSSODescriptor protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">\
         <md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{body}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>\
         <md:SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" Location=\"{sso_url}\"/>\
         </md:IDPSSODescriptor></md:EntityDescriptor>"
    )
}

fn base64(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

both_backends!(tenant_a_cannot_read_or_change_tenant_b, |db| async move {
    let app = TestApp::new(db).await;
    let op = app.operator().await;
    let admin_a = app.tenant(&op, "tenant-a").await;
    let b = tenant_b(&app, &op).await;
    let before = snapshot_of_b(&app, &b).await;

    attack(&app, &Auth::Cookie(admin_a.clone()), &b).await;
    let r = app
        .gql(&Auth::Cookie(admin_a.clone()), "mutation { createApiToken(name:\"automation\"){ token } }", json!({}))
        .await;
    let token = r.data()["createApiToken"]["token"].as_str().unwrap().to_owned();
    // A's user, created above with B's e-mail, would clash on the second pass.
    let users = app
        .gql(&Auth::Cookie(admin_a.clone()), "{ users(search:\"secret.person\") { edges { node { id } } } }", json!({}))
        .await;
    let dup = users.data()["users"]["edges"][0]["node"]["id"].as_str().unwrap().to_owned();
    app.gql(&Auth::Cookie(admin_a), "mutation($id:ID!){ deleteUser(id:$id){ id } }", json!({"id": dup})).await.data();
    attack(&app, &Auth::Bearer(token), &b).await;

    // signIn / signOut of A touch nothing of B.
    let s = app.sign_in("admin@tenant-a.test", PASSWORD).await;
    app.gql(&Auth::Cookie(s), "mutation { signOut }", json!({})).await.data();

    assert_eq!(snapshot_of_b(&app, &b).await, before, "tenant B is unchanged");
});
