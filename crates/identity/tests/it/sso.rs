use chrono::Duration;
use gatehouse_identity::*;
use gatehouse_test_support::both_backends;

use crate::support::*;

fn entra(tid: &str) -> SsoConnectionInput {
    SsoConnectionInput {
        enabled: true,
        provider: IdpProvider::EntraId,
        login_url: Some(format!("https://login.microsoftonline.com/{tid}/saml2")),
        issuer: Some(format!("https://sts.windows.net/{tid}/")),
        logout_url: Some(format!("https://login.microsoftonline.com/{tid}/saml2")),
        login_policy: LoginPolicy::PasswordOrSso,
        allow_idp_initiated: true,
        jit_provisioning: None,
        expected_version: None,
    }
}

both_backends!(sso_cannot_be_enabled_without_a_valid_certificate, |db| async move {
    let ctx = Ctx::new(db);
    let (_, scope) = ctx.tenant("contoso").await;
    let e = ctx.identity.update_sso_connection(&scope, entra("t1")).await.unwrap_err();
    assert_eq!(field_of(&e), ["certificates"]);
    let conn = ctx.identity.sso_connection(&scope).await.unwrap();
    assert!(!conn.enabled && conn.login_url.is_none() && conn.version == 1, "nothing half-saved");

    let pem = certificate("Microsoft Azure Federated SSO Certificate", start() - Duration::days(10), 3 * 365);
    let added = ctx.identity.add_idp_certificate(&scope, pem.as_bytes()).await.unwrap();
    assert!(!added.expires_soon);
    assert_eq!(added.certificate.subject, "CN=Microsoft Azure Federated SSO Certificate");
    let saved = ctx.identity.update_sso_connection(&scope, entra("t1")).await.unwrap();
    assert!(saved.enabled);
    assert_eq!(saved.version, 2);
    assert_eq!(saved.issuer.as_deref(), Some("https://sts.windows.net/t1/"));
    assert_eq!(saved.certificates.len(), 1);

    // The last valid certificate cannot be removed while SSO is on.
    let e = ctx.identity.remove_idp_certificate(&scope, added.certificate.id).await.unwrap_err();
    assert_eq!(field_of(&e), ["id"]);
});

both_backends!(whole_input_is_validated_and_errors_name_fields, |db| async move {
    let ctx = Ctx::new(db);
    let (_, scope) = ctx.tenant("contoso").await;
    let input = SsoConnectionInput {
        enabled: true,
        provider: IdpProvider::Okta,
        login_url: Some("http://idp.example/sso".into()),
        issuer: Some("   ".into()),
        logout_url: Some("not a url".into()),
        login_policy: LoginPolicy::Sso,
        allow_idp_initiated: false,
        jit_provisioning: None,
        expected_version: None,
    };
    let e = ctx.identity.update_sso_connection(&scope, input.clone()).await.unwrap_err();
    assert_eq!(field_of(&e), ["loginUrl", "logoutUrl", "issuer", "certificates"]);
    let e =
        ctx.identity.update_sso_connection(&scope, SsoConnectionInput { enabled: false, ..input }).await.unwrap_err();
    assert_eq!(field_of(&e), ["loginUrl", "logoutUrl", "loginPolicy"]);
});

both_backends!(dev_mode_allows_http_idp_urls, |db| async move {
    let ctx = Ctx::new(db);
    let (t, scope) = ctx.tenant("contoso").await;
    let input = SsoConnectionInput {
        enabled: false,
        provider: IdpProvider::GenericSaml,
        login_url: Some("http://127.0.0.1:9000/sso".into()),
        issuer: Some("urn:test:idp".into()),
        logout_url: None,
        login_policy: LoginPolicy::PasswordOrSso,
        allow_idp_initiated: true,
        jit_provisioning: None,
        expected_version: None,
    };
    assert!(ctx.identity.update_sso_connection(&scope, input.clone()).await.is_err());
    ctx.identity.set_tenant_dev_mode(&OperatorScope::for_tests("test"), &t.slug, true).await.unwrap();
    let saved = ctx.identity.update_sso_connection(&scope, input).await.unwrap();
    assert_eq!(saved.login_url.as_deref(), Some("http://127.0.0.1:9000/sso"));
});

both_backends!(stale_versions_conflict, |db| async move {
    let ctx = Ctx::new(db);
    let (_, scope) = ctx.tenant("contoso").await;
    let pem = certificate("idp", start() - Duration::days(1), 365);
    ctx.identity.add_idp_certificate(&scope, pem.as_bytes()).await.unwrap();
    let v1 = ctx.identity.sso_connection(&scope).await.unwrap().version;
    ctx.identity
        .update_sso_connection(&scope, SsoConnectionInput { expected_version: Some(v1), ..entra("t1") })
        .await
        .unwrap();
    let e = ctx
        .identity
        .update_sso_connection(&scope, SsoConnectionInput { expected_version: Some(v1), ..entra("t2") })
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Conflict { .. }), "{e:?}");
    assert_eq!(
        ctx.identity.sso_connection(&scope).await.unwrap().issuer.as_deref(),
        Some("https://sts.windows.net/t1/")
    );
});

both_backends!(an_issuer_belongs_to_one_tenant, |db| async move {
    let ctx = Ctx::new(db);
    let (_, a) = ctx.tenant("tenant-a").await;
    let (_, b) = ctx.tenant("tenant-b").await;
    for s in [&a, &b] {
        let pem = certificate("idp", start() - Duration::days(1), 365);
        ctx.identity.add_idp_certificate(s, pem.as_bytes()).await.unwrap();
    }
    ctx.identity.update_sso_connection(&a, entra("shared")).await.unwrap();
    let e = ctx.identity.update_sso_connection(&b, entra("shared")).await.unwrap_err();
    assert!(matches!(e, Error::Conflict { .. }));
    assert_eq!(field_of(&e), ["issuer"]);
    // Saved disabled it is refused too: an issuer belongs to one tenant whether its SSO is on
    // or not (IdP-initiated Responses and Test SSO find the tenant by it).
    let e = ctx
        .identity
        .update_sso_connection(&b, SsoConnectionInput { enabled: false, ..entra("shared") })
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), ["issuer"]);
    // ... and a disabled tenant keeps its claim.
    ctx.identity.update_sso_connection(&a, SsoConnectionInput { enabled: false, ..entra("shared") }).await.unwrap();
    let e = ctx.identity.update_sso_connection(&b, entra("shared")).await.unwrap_err();
    assert_eq!(field_of(&e), ["issuer"]);
    assert!(ctx.identity.sso_connection(&b).await.unwrap().issuer.is_none(), "nothing half-saved");
});

both_backends!(rsa_keys_below_2048_bits_are_refused_at_upload, |db| async move {
    let ctx = Ctx::new(db);
    let (_, scope) = ctx.tenant("contoso").await;
    let weak = gatehouse_test_support::certificate_with_key_bits("weak", start() - Duration::days(1), 365, 1024);
    let e = ctx.identity.add_idp_certificate(&scope, weak.as_bytes()).await.unwrap_err();
    assert_eq!(field_of(&e), ["certificate"]);
    assert!(e.to_string().contains("2048"), "{e}");
    assert!(ctx.identity.sso_connection(&scope).await.unwrap().certificates.is_empty());
});

both_backends!(certificates_are_checked, |db| async move {
    let ctx = Ctx::new(db);
    let (_, scope) = ctx.tenant("contoso").await;
    let expired = certificate("old", start() - Duration::days(400), 365);
    let e = ctx.identity.add_idp_certificate(&scope, expired.as_bytes()).await.unwrap_err();
    assert!(e.to_string().contains("expired"), "{e}");
    let e = ctx.identity.add_idp_certificate(&scope, b"hello, not a certificate").await.unwrap_err();
    assert_eq!(field_of(&e), ["certificate"]);
    let key = openssl::rsa::Rsa::generate(2048).unwrap().private_key_to_pem().unwrap();
    let e = ctx.identity.add_idp_certificate(&scope, &key).await.unwrap_err();
    assert!(e.to_string().to_lowercase().contains("private key"), "{e}");

    let soon = certificate("soon", start() - Duration::days(300), 320);
    let added = ctx.identity.add_idp_certificate(&scope, soon.as_bytes()).await.unwrap();
    assert!(added.expires_soon);
    let dup = ctx.identity.add_idp_certificate(&scope, soon.as_bytes()).await.unwrap_err();
    assert!(matches!(dup, Error::Conflict { .. }));
    // Bare Base64 (Entra's "Certificate (Base64)" body without the armour lines) works too.
    let body: String = certificate("bare", start(), 30).lines().filter(|l| !l.starts_with("-----")).collect();
    ctx.identity.add_idp_certificate(&scope, body.as_bytes()).await.unwrap();
    assert_eq!(ctx.identity.sso_connection(&scope).await.unwrap().certificates.len(), 2);
});

both_backends!(tenant_b_cannot_touch_tenant_a_certificates, |db| async move {
    let ctx = Ctx::new(db);
    let (_, a) = ctx.tenant("tenant-a").await;
    let (_, b) = ctx.tenant("tenant-b").await;
    let pem = certificate("a-idp", start() - Duration::days(1), 365);
    let cert = ctx.identity.add_idp_certificate(&a, pem.as_bytes()).await.unwrap().certificate;
    assert!(matches!(ctx.identity.remove_idp_certificate(&b, cert.id).await, Err(Error::NotFound { .. })));
    assert!(ctx.identity.sso_connection(&b).await.unwrap().certificates.is_empty());
    assert_eq!(ctx.identity.sso_connection(&a).await.unwrap().certificates.len(), 1);
});

both_backends!(a_refused_metadata_import_saves_nothing, |db| async move {
    let ctx = Ctx::new(db);
    let (_, a) = ctx.tenant("tenant-a").await;
    let (_, b) = ctx.tenant("tenant-b").await;
    let pem = certificate("idp", start() - Duration::days(1), 365);
    ctx.identity.add_idp_certificate(&a, pem.as_bytes()).await.unwrap();
    ctx.identity.update_sso_connection(&a, entra("shared")).await.unwrap();
    // B imports metadata naming A's issuer: refused, and its certificate is not kept either.
    let cert = certificate("b-idp", start() - Duration::days(1), 365);
    let body: String = cert.lines().filter(|l| !l.starts_with("-----")).collect();
    let xml = format!(
        "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" entityID=\"https://sts.windows.net/shared/\">\
         <md:IDPSSODescriptor protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">\
         <md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{body}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>\
         <md:SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" Location=\"https://login.microsoftonline.com/shared/saml2\"/>\
         </md:IDPSSODescriptor></md:EntityDescriptor>"
    );
    let e = ctx.identity.import_idp_metadata(&b, &xml, true).await.unwrap_err();
    assert_eq!(field_of(&e), ["issuer"]);
    let conn = ctx.identity.sso_connection(&b).await.unwrap();
    assert!(conn.certificates.is_empty() && conn.issuer.is_none(), "nothing half-saved: {conn:?}");
});
