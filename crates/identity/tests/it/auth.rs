use chrono::Duration;
use gatehouse_identity::*;
use gatehouse_test_support::both_backends;

use crate::support::*;

fn sign_in(email: &str, password: &str, tenant: Option<&str>) -> SignIn {
    SignIn { email: email.into(), password: password.into(), tenant: tenant.map(Into::into), ..Default::default() }
}

/// Tenants `tenant-a` and `tenant-b`, each with an active `pat@example.com` (same password).
async fn pat_in_two_tenants(ctx: &Ctx) -> (AdminScope, AdminScope) {
    let (_, a) = ctx.tenant("tenant-a").await;
    let (_, b) = ctx.tenant("tenant-b").await;
    for s in [&a, &b] {
        ctx.identity
            .create_user(
                s,
                NewUser {
                    email: "pat@example.com".into(),
                    password: Some(PASSWORD.into()),
                    active: true,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
    }
    (a, b)
}

both_backends!(wrong_passwords_and_unknown_emails_look_the_same, |db| async move {
    let ctx = Ctx::new(db);
    ctx.tenant("contoso").await;
    let wrong = ctx.identity.sign_in(sign_in("admin@contoso.example.com", "wrong password!!", None)).await.unwrap_err();
    let unknown = ctx.identity.sign_in(sign_in("nobody@contoso.example.com", PASSWORD, None)).await.unwrap_err();
    assert!(matches!(wrong, Error::Unauthenticated(_)));
    assert_eq!(wrong.to_string(), unknown.to_string());
});

both_backends!(an_email_in_two_tenants_needs_the_tenant_only_when_both_match, |db| async move {
    let ctx = Ctx::new(db);
    let (_, b) = pat_in_two_tenants(&ctx).await;
    let e = ctx.identity.sign_in(sign_in("pat@example.com", PASSWORD, None)).await.unwrap_err();
    assert_eq!(field_of(&e), ["tenant"]);
    let s = ctx.identity.sign_in(sign_in("pat@example.com", PASSWORD, Some("tenant-b"))).await.unwrap();
    assert_eq!((s.principal.kind(), s.principal.tenant_id()), (PrincipalKind::User, Some(b.tenant_id())));
    // The tenant slug narrows the search: no account there means wrong credentials.
    assert!(ctx.identity.sign_in(sign_in("pat@example.com", PASSWORD, Some("no-such"))).await.is_err());
});

both_backends!(sessions_expire_when_idle_and_absolutely, |db| async move {
    let ctx = Ctx::new(db);
    ctx.tenant("contoso").await;
    let s = ctx.identity.sign_in(sign_in("admin@contoso.example.com", PASSWORD, None)).await.unwrap();
    assert!(s.session_token.len() >= 40);
    ctx.clock.advance(Duration::minutes(100));
    assert!(ctx.identity.resolve_session(&s.session_token).await.unwrap().is_some(), "used within the idle time");
    ctx.clock.advance(Duration::minutes(100));
    assert!(ctx.identity.resolve_session(&s.session_token).await.unwrap().is_some(), "the use above refreshed it");
    ctx.clock.advance(Duration::minutes(121));
    assert!(ctx.identity.resolve_session(&s.session_token).await.unwrap().is_none(), "idle too long");

    let s = ctx.identity.sign_in(sign_in("admin@contoso.example.com", PASSWORD, None)).await.unwrap();
    for _ in 0..7 {
        ctx.clock.advance(Duration::minutes(110));
        let _ = ctx.identity.resolve_session(&s.session_token).await.unwrap();
    }
    assert!(ctx.identity.resolve_session(&s.session_token).await.unwrap().is_none(), "past the absolute limit");

    let s = ctx.identity.sign_in(sign_in("admin@contoso.example.com", PASSWORD, None)).await.unwrap();
    ctx.identity.sign_out(&s.session_token).await.unwrap();
    assert!(ctx.identity.resolve_session(&s.session_token).await.unwrap().is_none());
    assert!(ctx.identity.resolve_session("gh_s_forged").await.unwrap().is_none());
});

both_backends!(sso_only_policy_refuses_passwords_except_for_break_glass_accounts, |db| async move {
    let ctx = Ctx::new(db);
    let (_, scope) = ctx.tenant("contoso").await;
    ctx.identity
        .create_user(
            &scope,
            NewUser {
                email: "eve@contoso.example".into(),
                password: Some(PASSWORD.into()),
                active: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let pem = certificate("idp", start() - Duration::days(1), 365);
    ctx.identity.add_idp_certificate(&scope, pem.as_bytes()).await.unwrap();
    ctx.identity
        .update_sso_connection(
            &scope,
            SsoConnectionInput { logout_url: None, login_policy: LoginPolicy::Sso, ..entra_sso("t") },
        )
        .await
        .unwrap();
    let e = ctx.identity.sign_in(sign_in("eve@contoso.example", PASSWORD, None)).await.unwrap_err();
    assert!(matches!(e, Error::Forbidden(_)), "{e:?}");
    // Issue 13: admins keep a password under an SSO-only policy only as break-glass accounts.
    let e = ctx.identity.sign_in(sign_in("admin@contoso.example.com", PASSWORD, None)).await.unwrap_err();
    assert!(matches!(e, Error::Forbidden(_)), "{e:?}");
    let admin: UserId = scope.actor().id.clone().unwrap().parse().unwrap();
    ctx.identity.add_break_glass_account(&scope, admin).await.unwrap();
    assert!(ctx.identity.sign_in(sign_in("admin@contoso.example.com", PASSWORD, None)).await.is_ok());
});

both_backends!(api_tokens_are_shown_once_and_revocable, |db| async move {
    let ctx = Ctx::new(db);
    let (_, a) = ctx.tenant("tenant-a").await;
    let (_, b) = ctx.tenant("tenant-b").await;
    let (token, t) = ctx.identity.create_api_token(&a, "terraform").await.unwrap();
    assert!(token.starts_with(&t.prefix));
    let p = ctx.identity.resolve_api_token(&token).await.unwrap().expect("live token");
    assert_eq!((p.kind(), p.tenant_id()), (PrincipalKind::ApiToken, Some(a.tenant_id())));
    let listed = ctx.identity.api_tokens(&a, &PageRequest::default()).await.unwrap().items;
    assert!(listed[0].last_used_at.is_some());
    assert!(ctx.identity.api_tokens(&b, &PageRequest::default()).await.unwrap().items.is_empty());
    assert!(matches!(ctx.identity.revoke_api_token(&b, t.id).await, Err(Error::NotFound { .. })));
    assert!(ctx.identity.resolve_api_token(&token).await.unwrap().is_some(), "B's attempt changed nothing");
    ctx.identity.revoke_api_token(&a, t.id).await.unwrap();
    assert!(ctx.identity.resolve_api_token(&token).await.unwrap().is_none());
    let e = ctx.identity.create_api_token(&a, "  ").await.unwrap_err();
    assert_eq!(field_of(&e), ["name"]);
    let audit = ctx.identity.audit_events(&a, &AuditFilter::default(), &PageRequest::default()).await.unwrap();
    let json = serde_json::to_string(&audit.items.iter().map(|e| (&e.before, &e.after)).collect::<Vec<_>>()).unwrap();
    assert!(!json.contains(&token[8..]), "no secret in the audit log");
});

both_backends!(password_attempts_land_in_each_tenants_sign_in_log, |db| async move {
    let ctx = Ctx::new(db);
    let (a, b) = pat_in_two_tenants(&ctx).await;
    let reasons = |scope: AdminScope| {
        let identity = ctx.identity.clone();
        async move {
            identity
                .sign_in_events(&scope, &SignInFilter::default(), &PageRequest::default())
                .await
                .unwrap()
                .items
                .into_iter()
                .map(|e| (e.flow, e.reason_code, e.success))
                .collect::<Vec<_>>()
        }
    };
    assert!(ctx.identity.sign_in(sign_in("pat@example.com", "not the password!", None)).await.is_err());
    let wrong = ("password".to_owned(), "wrong_password".to_owned(), false);
    assert_eq!(reasons(a.clone()).await, std::slice::from_ref(&wrong));
    assert_eq!(reasons(b.clone()).await, std::slice::from_ref(&wrong));
    ctx.identity.sign_in(sign_in("pat@example.com", PASSWORD, Some("tenant-a"))).await.unwrap();
    assert_eq!(reasons(a.clone()).await[0], ("password".to_owned(), "success".to_owned(), true));
    assert_eq!(reasons(b.clone()).await.len(), 1, "B sees nothing of A's successful sign-in");
    // An unknown e-mail is in nobody's log.
    assert!(ctx.identity.sign_in(sign_in("nobody@example.com", PASSWORD, None)).await.is_err());
    assert_eq!(reasons(b).await.len(), 1);
});

both_backends!(admin_rights_go_to_tenant_admins_api_tokens_and_operators_only, |db| async move {
    let ctx = Ctx::new(db);
    let (tenant, admin) = ctx.tenant("contoso").await;
    let plain = ctx
        .identity
        .create_user(&admin, NewUser { email: "plain@contoso.example".into(), active: true, ..Default::default() })
        .await
        .unwrap();
    // A plain user acts in their tenant but is handed no admin rights; they still read their own record.
    let user = ctx.identity.tenant_scope(&Principal::for_tests_user(tenant.id, plain.id, &plain.email, Role::User));
    let user = user.expect("a user's tenant scope");
    let e = user.admin().unwrap_err();
    assert!(matches!(&e, Error::Forbidden(m) if m == "only a tenant admin may do this"), "{e:?}");
    assert_eq!(ctx.identity.user(&user, plain.id).await.unwrap().email, "plain@contoso.example");
    // API tokens act with admin rights on their own tenant.
    let (token, _) = ctx.identity.create_api_token(&admin, "automation").await.unwrap();
    let p = ctx.identity.resolve_api_token(&token).await.unwrap().expect("live token");
    let rights = ctx.identity.tenant_scope(&p).expect("a token's tenant scope").admin().expect("admin rights");
    assert_eq!(rights.tenant_id(), tenant.id);
    // Operators have no tenant of their own; naming one gives them admin rights there.
    ctx.identity.create_operator(&OperatorScope::for_tests("test"), "ops@gatehouse.example", PASSWORD).await.unwrap();
    let op = ctx.identity.sign_in(sign_in("ops@gatehouse.example", PASSWORD, None)).await.unwrap().principal;
    assert_eq!((op.kind(), op.tenant_id()), (PrincipalKind::Operator, None));
    assert!(ctx.identity.tenant_scope(&op).is_none());
    let rights = ctx.identity.operator_tenant_scope(&op, "contoso").await.unwrap().admin().expect("admin rights");
    assert_eq!((rights.tenant_id(), rights.actor().kind), (tenant.id, "operator"));
    // An operator's rights are refused to tenant users.
    assert!(matches!(OperatorScope::of_principal(&p), Err(Error::Forbidden(_))));
});
