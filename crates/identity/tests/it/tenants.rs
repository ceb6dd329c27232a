use gatehouse_identity::*;
use gatehouse_test_support::both_backends;

use crate::support::*;

both_backends!(creating_a_tenant_makes_its_admin_and_a_disabled_connection, |db| async move {
    let ctx = Ctx::new(db);
    let (tenant, scope) = ctx.tenant("contoso").await;
    assert_eq!(tenant.slug, "contoso");
    assert!(!tenant.dev_mode);
    let conn = ctx.identity.sso_connection(&scope).await.unwrap();
    assert!(!conn.enabled);
    assert_eq!(conn.login_policy, LoginPolicy::PasswordOrSso);
    assert!(conn.allow_idp_initiated);
    let users = ctx.identity.list_users(&scope, None, &PageRequest::default()).await.unwrap();
    assert_eq!(users.items.len(), 1);
    assert_eq!(users.items[0].role, Role::TenantAdmin);
    assert_eq!(users.items[0].status, UserStatus::Active);
    let audit = ctx.identity.audit_events(&scope, &AuditFilter::default(), &PageRequest::default()).await.unwrap();
    assert_eq!(audit.items[0].action, "tenant.create");
});

both_backends!(duplicate_slugs_and_bad_input_are_named, |db| async move {
    let ctx = Ctx::new(db);
    ctx.tenant("contoso").await;
    let op = OperatorScope::for_tests("test");
    let dup = ctx
        .identity
        .create_tenant(
            &op,
            NewTenant {
                slug: "contoso".into(),
                name: "Again".into(),
                admin_email: "a@b.example".into(),
                admin_password: None,
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(dup, Error::Conflict { .. }), "{dup:?}");
    assert_eq!(field_of(&dup), ["slug"]);
    let bad = ctx
        .identity
        .create_tenant(
            &op,
            NewTenant {
                slug: "Bad Slug".into(),
                name: " ".into(),
                admin_email: "nope".into(),
                admin_password: Some("short".into()),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(field_of(&bad), ["slug", "name", "adminEmail", "adminPassword"]);
    assert_eq!(
        ctx.identity.list_tenants(&op, &PageRequest::default()).await.unwrap().items.len(),
        1,
        "nothing half-saved"
    );
});

both_backends!(generated_admin_password_signs_in, |db| async move {
    let ctx = Ctx::new(db);
    let created = ctx
        .identity
        .create_tenant(
            &OperatorScope::for_tests("test"),
            NewTenant {
                slug: "fabrikam".into(),
                name: "Fabrikam".into(),
                admin_email: "Boss@Fabrikam.example".into(),
                admin_password: None,
            },
        )
        .await
        .unwrap();
    let pw = created.generated_password.expect("generated");
    assert!(pw.len() >= 20);
    let s = ctx
        .identity
        .sign_in(SignIn { email: "boss@fabrikam.example".into(), password: pw, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(s.principal.role(), Some(Role::TenantAdmin));
});

both_backends!(bootstrap_runs_once, |db| async move {
    let ctx = Ctx::new(db);
    let cfg = Bootstrap { operator_email: "ops@gatehouse.example".into(), operator_password: None, demo_tenant: true };
    let first =
        ctx.identity.bootstrap(&SystemAccess::for_tests(), &cfg).await.unwrap().expect("first start creates accounts");
    let op_pw = first.operator_password.clone().expect("generated operator password");
    let demo = first.demo.clone().expect("demo tenant");
    assert_eq!(demo.slug, DEMO_SLUG);
    assert!(
        ctx.identity.bootstrap(&SystemAccess::for_tests(), &cfg).await.unwrap().is_none(),
        "second start creates nothing"
    );
    let op = ctx
        .identity
        .sign_in(SignIn { email: "ops@gatehouse.example".into(), password: op_pw, ..Default::default() })
        .await
        .unwrap();
    assert!(op.principal.is_operator());
    let tenants = ctx
        .identity
        .list_tenants(&OperatorScope::of_principal(&op.principal).unwrap(), &PageRequest::default())
        .await
        .unwrap()
        .items;
    assert_eq!(tenants.len(), 1);
    assert!(tenants[0].dev_mode, "the demo tenant may use a local http test IdP");
});
