use chrono::Duration;
use gatehouse_identity::*;
use gatehouse_test_support::both_backends;

use crate::support::*;

both_backends!(sso_cannot_be_enabled_without_a_valid_certificate, |db| async move {
    let ctx = Ctx::new(db);
    let (_, scope) = ctx.tenant("contoso").await;
    let e = ctx.identity.update_sso_connection(&scope, entra_sso("t1")).await.unwrap_err();
    assert_eq!(field_of(&e), ["certificates"]);
    let conn = ctx.identity.sso_connection(&scope).await.unwrap();
    assert!(!conn.enabled && conn.login_url.is_none() && conn.version == 1, "nothing half-saved");

    let pem = certificate("Microsoft Azure Federated SSO Certificate", start() - Duration::days(10), 3 * 365);
    let added = ctx.identity.add_idp_certificate(&scope, pem.as_bytes()).await.unwrap();
    assert!(!added.expires_soon);
    assert_eq!(added.certificate.subject, "CN=Microsoft Azure Federated SSO Certificate");
    let saved = ctx.identity.update_sso_connection(&scope, entra_sso("t1")).await.unwrap();
    assert!(saved.enabled);
    assert_eq!(saved.version, 3, "adding the certificate changed what a sign-in uses: a version of its own");
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
        sign_authn_requests: None,
        require_encrypted_assertions: None,
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
        ..entra_sso("unused")
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
        .update_sso_connection(&scope, SsoConnectionInput { expected_version: Some(v1), ..entra_sso("t1") })
        .await
        .unwrap();
    let e = ctx
        .identity
        .update_sso_connection(&scope, SsoConnectionInput { expected_version: Some(v1), ..entra_sso("t2") })
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
    ctx.identity.update_sso_connection(&a, entra_sso("shared")).await.unwrap();
    let e = ctx.identity.update_sso_connection(&b, entra_sso("shared")).await.unwrap_err();
    assert!(matches!(e, Error::Conflict { .. }));
    assert_eq!(field_of(&e), ["issuer"]);
    // Saved disabled it is refused too: an issuer belongs to one tenant whether its SSO is on
    // or not (IdP-initiated Responses and Test SSO find the tenant by it).
    let e = ctx
        .identity
        .update_sso_connection(&b, SsoConnectionInput { enabled: false, ..entra_sso("shared") })
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), ["issuer"]);
    // ... and a disabled tenant keeps its claim.
    ctx.identity.update_sso_connection(&a, SsoConnectionInput { enabled: false, ..entra_sso("shared") }).await.unwrap();
    let e = ctx.identity.update_sso_connection(&b, entra_sso("shared")).await.unwrap_err();
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
    ctx.identity.update_sso_connection(&a, entra_sso("shared")).await.unwrap();
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

fn save(settings: SsoConnectionInput, add: &[&str], remove: &[CertificateId]) -> SsoSettingsSave {
    SsoSettingsSave {
        settings,
        add_certificates: add.iter().map(|c| (*c).to_owned()).collect(),
        remove_certificate_ids: remove.to_vec(),
    }
}

/// The tenant's audit actions, newest first.
async fn audit_actions(ctx: &Ctx, scope: &AdminScope) -> Vec<String> {
    let page = ctx.identity.audit_events(scope, &AuditFilter::default(), &PageRequest::default()).await.unwrap();
    page.items.into_iter().map(|e| e.action).collect()
}

/// The audit actions recorded since the log had `before` entries.
async fn audit_actions_since(ctx: &Ctx, scope: &AdminScope, before: usize) -> Vec<String> {
    let mut all = audit_actions(ctx, scope).await;
    all.truncate(all.len() - before);
    all.sort_unstable();
    all
}

both_backends!(one_save_applies_settings_added_and_removed_certificates_together, |db| async move {
    let ctx = Ctx::new(db);
    let (_, scope) = ctx.tenant("contoso").await;
    // SSO is enabled by the same save that brings its first certificate.
    let first = certificate("first", start() - Duration::days(1), 365);
    let v1 = ctx.identity.sso_connection(&scope).await.unwrap().version;
    let saved = ctx
        .identity
        .save_sso_settings(
            &scope,
            save(SsoConnectionInput { expected_version: Some(v1), ..entra_sso("t1") }, &[&first], &[]),
        )
        .await
        .unwrap();
    assert!(saved.enabled);
    assert_eq!(saved.version, v1 + 1);
    assert_eq!(saved.issuer.as_deref(), Some("https://sts.windows.net/t1/"));
    let old = saved.certificates[0].clone();
    assert_eq!(old.subject, "CN=first");

    // Rollover in one save: new settings, the next certificate in, the old one out — the
    // old one may go because the new one is valid, though SSO stays on.
    let next = certificate("next", start() - Duration::days(1), 3 * 365);
    let spare = certificate("spare", start() - Duration::days(1), 3 * 365);
    let before_audit = audit_actions(&ctx, &scope).await.len();
    let saved = ctx
        .identity
        .save_sso_settings(
            &scope,
            save(
                SsoConnectionInput {
                    expected_version: Some(saved.version),
                    login_policy: LoginPolicy::Sso,
                    ..entra_sso("t1")
                },
                &[&next, &spare],
                &[old.id],
            ),
        )
        .await
        .unwrap();
    assert_eq!(saved.login_policy, LoginPolicy::Sso);
    assert_eq!(saved.version, v1 + 2);
    let mut subjects: Vec<&str> = saved.certificates.iter().map(|c| c.subject.as_str()).collect();
    subjects.sort_unstable();
    assert_eq!(subjects, ["CN=next", "CN=spare"]);
    assert_eq!(ctx.identity.sso_connection(&scope).await.unwrap(), saved);
    let actions = audit_actions_since(&ctx, &scope, before_audit).await;
    assert_eq!(
        actions,
        ["idp_certificate.add", "idp_certificate.add", "idp_certificate.remove", "sso_connection.update"]
    );

    // A save that changes certificates only counts the version up (it covers the whole
    // connection) without an empty settings entry in the audit log.
    let spare_id = saved.certificates.iter().find(|c| c.subject == "CN=spare").unwrap().id;
    let before_audit = audit_actions(&ctx, &scope).await.len();
    let saved = ctx
        .identity
        .save_sso_settings(
            &scope,
            save(
                SsoConnectionInput {
                    expected_version: Some(saved.version),
                    login_policy: LoginPolicy::Sso,
                    ..entra_sso("t1")
                },
                &[],
                &[spare_id],
            ),
        )
        .await
        .unwrap();
    assert_eq!(saved.version, v1 + 3);
    assert_eq!(saved.certificates.len(), 1);
    assert_eq!(audit_actions_since(&ctx, &scope, before_audit).await, ["idp_certificate.remove"]);
});

both_backends!(a_save_with_a_bad_certificate_among_good_ones_saves_nothing, |db| async move {
    let ctx = Ctx::new(db);
    let (_, scope) = ctx.tenant("contoso").await;
    let (_, other) = ctx.tenant("fabrikam").await;
    let old = certificate("old", start() - Duration::days(1), 365);
    let saved = ctx.identity.save_sso_settings(&scope, save(entra_sso("t1"), &[&old], &[])).await.unwrap();
    let old_id = saved.certificates[0].id;
    let theirs = ctx.identity.add_idp_certificate(&other, certificate("theirs", start(), 30).as_bytes()).await.unwrap();
    let before = ctx.identity.sso_connection(&scope).await.unwrap();
    let audit_before = audit_actions(&ctx, &scope).await;

    let good = certificate("good", start() - Duration::days(1), 365);
    let weak = gatehouse_test_support::certificate_with_key_bits("weak", start() - Duration::days(1), 365, 1024);
    let expired = certificate("expired", start() - Duration::days(400), 365);
    let renamed = SsoConnectionInput { expected_version: Some(before.version), ..entra_sso("t2") };
    let cases: Vec<(SsoSettingsSave, Vec<&str>)> = vec![
        (save(renamed.clone(), &[&good, "not a certificate"], &[old_id]), vec!["addCertificates[1]"]),
        (save(renamed.clone(), &[&weak, &good], &[old_id]), vec!["addCertificates[0]"]),
        (save(renamed.clone(), &[&good, &expired, &good], &[]), vec!["addCertificates[1]", "addCertificates[2]"]),
        (save(renamed.clone(), &[&old], &[]), vec!["addCertificates[0]"]),
        // Another tenant's certificate is not one of ours to remove.
        (save(renamed.clone(), &[&good], &[theirs.certificate.id]), vec!["removeCertificateIds[0]"]),
        // SSO stays on, so its last valid certificate cannot go without a valid successor.
        (save(renamed.clone(), &[&expired], &[old_id]), vec!["addCertificates[0]", "removeCertificateIds[0]"]),
        // The settings are checked in the same pass, and every problem reported at once.
        (
            save(
                SsoConnectionInput { login_url: Some("http://idp.example/sso".into()), ..renamed.clone() },
                &[&good, "x"],
                &[],
            ),
            vec!["addCertificates[1]", "loginUrl"],
        ),
    ];
    for (attempt, fields) in cases {
        let e = ctx.identity.save_sso_settings(&scope, attempt).await.unwrap_err();
        assert!(matches!(e, Error::Validation(_)), "{e:?}");
        assert_eq!(field_of(&e), fields, "{e}");
        assert_eq!(ctx.identity.sso_connection(&scope).await.unwrap(), before, "nothing saved");
        assert_eq!(audit_actions(&ctx, &scope).await, audit_before, "nothing audited");
    }
    assert_eq!(ctx.identity.sso_connection(&other).await.unwrap().certificates.len(), 1);
    // Turning SSO off in the same save lets the last certificate go.
    let off = SsoConnectionInput { enabled: false, expected_version: Some(before.version), ..entra_sso("t1") };
    let saved = ctx.identity.save_sso_settings(&scope, save(off, &[], &[old_id])).await.unwrap();
    assert!(!saved.enabled && saved.certificates.is_empty());
});

both_backends!(a_save_over_a_newer_version_is_refused_and_saves_nothing, |db| async move {
    let ctx = Ctx::new(db);
    let (_, scope) = ctx.tenant("contoso").await;
    let first = certificate("first", start() - Duration::days(1), 365);
    let loaded = ctx.identity.save_sso_settings(&scope, save(entra_sso("t1"), &[&first], &[])).await.unwrap();
    // Someone else saves meanwhile (certificates only: that moves the version too).
    let theirs = certificate("theirs", start() - Duration::days(1), 365);
    let stamp = Some(loaded.version);
    ctx.identity
        .save_sso_settings(
            &scope,
            save(SsoConnectionInput { expected_version: stamp, ..entra_sso("t1") }, &[&theirs], &[]),
        )
        .await
        .unwrap();
    let current = ctx.identity.sso_connection(&scope).await.unwrap();

    let mine = certificate("mine", start() - Duration::days(1), 365);
    let e = ctx
        .identity
        .save_sso_settings(
            &scope,
            save(
                SsoConnectionInput { expected_version: stamp, ..entra_sso("t2") },
                &[&mine],
                &[loaded.certificates[0].id],
            ),
        )
        .await
        .unwrap_err();
    assert!(matches!(&e, Error::Conflict { field: Some(f), .. } if f == "version"), "{e:?}");
    assert_eq!(ctx.identity.sso_connection(&scope).await.unwrap(), current, "nothing saved");
});

both_backends!(expires_soon_is_one_rule, |db| async move {
    let ctx = Ctx::new(db);
    let (_, scope) = ctx.tenant("contoso").await;
    let pem = certificate("edge", start() - Duration::days(10), 70);
    let added = ctx.identity.add_idp_certificate(&scope, pem.as_bytes()).await.unwrap();
    let cert = &added.certificate;
    // Exactly 60 days left: not yet; a second less: soon; expired: expired, not "soon".
    assert!(!added.expires_soon);
    let at_60_days = cert.not_after - Duration::days(EXPIRY_WARNING_DAYS);
    assert!(!cert.expires_soon_at(at_60_days));
    assert!(cert.expires_soon_at(at_60_days + Duration::seconds(1)));
    assert!(cert.expires_soon_at(cert.not_after - Duration::seconds(1)));
    assert!(!cert.expires_soon_at(cert.not_after) && cert.is_expired_at(cert.not_after));
    let soon = certificate("soon", start() - Duration::days(1), 60);
    assert!(ctx.identity.add_idp_certificate(&scope, soon.as_bytes()).await.unwrap().expires_soon);
});

both_backends!(sign_in_route_sends_sso_only_users_to_their_idp, |db| async move {
    let ctx = Ctx::new(db);
    let (_, contoso) = ctx.tenant("contoso").await;
    let (_, fabrikam) = ctx.tenant("fabrikam").await;
    let user = |email: &str, active: bool| NewUser {
        email: email.into(),
        display_name: None,
        federation_id: None,
        role: None,
        password: None,
        active,
    };
    for (scope, email, active) in [
        (&contoso, "ann@contoso.example", true),
        (&contoso, "sam@contoso.example", false),
        (&contoso, "both@example.com", true),
        (&fabrikam, "both@example.com", true),
        (&fabrikam, "fay@fabrikam.example", true),
    ] {
        ctx.identity.create_user(scope, user(email, active)).await.unwrap();
    }
    let route = |email: &'static str| {
        let identity = ctx.identity.clone();
        async move { identity.sign_in_route(email).await.unwrap() }
    };
    let password = |sso: Option<&str>| SignInRoute::Password { sso_tenant: sso.map(str::to_owned) };
    // Nobody has SSO yet: the password field for everyone.
    assert_eq!(route("ann@contoso.example").await, password(None));

    let cert = certificate("idp", start() - Duration::days(1), 365);
    ctx.identity.save_sso_settings(&contoso, save(entra_sso("contoso"), &[&cert], &[])).await.unwrap();
    assert_eq!(route(" Ann@Contoso.example ").await, password(Some("contoso")));
    let sso_only = SsoConnectionInput { login_policy: LoginPolicy::Sso, ..entra_sso("contoso") };
    ctx.identity.save_sso_settings(&contoso, save(sso_only, &[], &[])).await.unwrap();
    assert_eq!(route("ann@contoso.example").await, SignInRoute::SsoOnly { tenant_slug: "contoso".into() });
    // Several tenants, an inactive user, an unknown address or a password-only tenant:
    // the password field, with no SSO button, so the page does not tell who exists where.
    assert_eq!(route("both@example.com").await, password(None));
    assert_eq!(route("sam@contoso.example").await, password(None));
    assert_eq!(route("nobody@contoso.example").await, password(None));
    assert_eq!(route("fay@fabrikam.example").await, password(None));
    let password_only = SsoConnectionInput { login_policy: LoginPolicy::Password, ..entra_sso("contoso") };
    ctx.identity.save_sso_settings(&contoso, save(password_only, &[], &[])).await.unwrap();
    assert_eq!(route("ann@contoso.example").await, password(None));
});
