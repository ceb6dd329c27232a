use gatehouse_identity::*;
use gatehouse_test_support::both_backends;

use crate::support::*;

fn new_user(email: &str) -> NewUser {
    NewUser { email: email.into(), ..Default::default() }
}

both_backends!(users_are_created_pending_and_matched_by_federation_id, |db| async move {
    let ctx = Ctx::new(db);
    let (_, scope) = ctx.tenant("contoso").await;
    let u = ctx.identity.create_user(&scope, new_user(" Ada@Contoso.example ")).await.unwrap();
    assert_eq!(u.email, "ada@contoso.example");
    assert_eq!(u.federation_id, "ada@contoso.example");
    assert_eq!(u.display_name, "ada@contoso.example");
    assert_eq!(u.status, UserStatus::Pending);
    assert_eq!(u.role, Role::User);

    // E-mail-shaped federation IDs are unique case-insensitively.
    let clash = ctx
        .identity
        .create_user(
            &scope,
            NewUser {
                email: "other@contoso.example".into(),
                federation_id: Some("ADA@contoso.example".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(field_of(&clash), ["federationId"]);
    let dup = ctx.identity.create_user(&scope, new_user("ADA@contoso.example")).await.unwrap_err();
    assert_eq!(field_of(&dup), ["email"]);

    let active = ctx.identity.set_user_status(&scope, u.id, UserStatus::Active).await.unwrap();
    assert_eq!(active.status, UserStatus::Active);
    let updated = ctx
        .identity
        .update_user(
            &scope,
            u.id,
            UserUpdate { federation_id: Some("00u1abc".into()), role: Some(Role::TenantAdmin), ..Default::default() },
        )
        .await
        .unwrap();
    assert_eq!(updated.federation_id, "00u1abc");
    assert_eq!(updated.role, Role::TenantAdmin);
});

both_backends!(search_and_pagination, |db| async move {
    let ctx = Ctx::new(db);
    let (_, scope) = ctx.tenant("contoso").await;
    for i in 0..7 {
        ctx.identity
            .create_user(
                &scope,
                NewUser {
                    email: format!("user{i}@contoso.example"),
                    display_name: Some(format!("Person {i}")),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
    }
    ctx.identity
        .create_user(
            &scope,
            NewUser {
                email: "odd_100%@contoso.example".into(),
                display_name: Some("Grace Hopper".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let first = ctx.identity.list_users(&scope, None, &PageRequest { first: Some(3), after: None }).await.unwrap();
    assert_eq!(first.items.len(), 3);
    assert!(first.has_next_page);
    let mut seen: Vec<String> = first.items.iter().map(|u| u.email.clone()).collect();
    let mut after = first.items.last().map(|u| u.id.to_string());
    loop {
        let p =
            ctx.identity.list_users(&scope, None, &PageRequest { first: Some(3), after: after.clone() }).await.unwrap();
        seen.extend(p.items.iter().map(|u| u.email.clone()));
        after = p.items.last().map(|u| u.id.to_string());
        if !p.has_next_page {
            break;
        }
    }
    assert_eq!(seen.len(), 9, "admin + 8 users, each once: {seen:?}");
    let hits = ctx.identity.list_users(&scope, Some("GRACE"), &PageRequest::default()).await.unwrap();
    assert_eq!(hits.items.len(), 1);
    // LIKE wildcards in the search are literal.
    let pct = ctx.identity.list_users(&scope, Some("_100%"), &PageRequest::default()).await.unwrap();
    assert_eq!(pct.items.len(), 1);
    let none = ctx.identity.list_users(&scope, Some("%"), &PageRequest::default()).await.unwrap();
    assert_eq!(none.items.len(), 1, "'%' matches only the address that contains it");
    let bad = ctx.identity.list_users(&scope, None, &PageRequest { first: Some(500), after: None }).await.unwrap_err();
    assert_eq!(field_of(&bad), ["first"]);
});

both_backends!(suspending_and_deleting_end_sessions, |db| async move {
    let ctx = Ctx::new(db);
    let (_, scope) = ctx.tenant("contoso").await;
    let u = ctx
        .identity
        .create_user(
            &scope,
            NewUser {
                email: "bob@contoso.example".into(),
                password: Some(PASSWORD.into()),
                active: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let s = ctx
        .identity
        .sign_in(SignIn { email: "bob@contoso.example".into(), password: PASSWORD.into(), ..Default::default() })
        .await
        .unwrap();
    assert!(ctx.identity.resolve_session(&s.session_token).await.unwrap().is_some());
    ctx.identity.set_user_status(&scope, u.id, UserStatus::Suspended).await.unwrap();
    assert!(ctx.identity.resolve_session(&s.session_token).await.unwrap().is_none(), "suspension ends the session");
    let e = ctx
        .identity
        .sign_in(SignIn { email: "bob@contoso.example".into(), password: PASSWORD.into(), ..Default::default() })
        .await
        .unwrap_err();
    assert!(e.to_string().contains("suspended"), "{e}");

    ctx.identity.set_user_status(&scope, u.id, UserStatus::Active).await.unwrap();
    let s = ctx
        .identity
        .sign_in(SignIn { email: "bob@contoso.example".into(), password: PASSWORD.into(), ..Default::default() })
        .await
        .unwrap();
    ctx.identity.delete_user(&scope, u.id).await.unwrap();
    assert!(ctx.identity.resolve_session(&s.session_token).await.unwrap().is_none());
    assert!(matches!(ctx.identity.user(&scope, u.id).await, Err(Error::NotFound { .. })));
    // The address is free again after deletion.
    ctx.identity.create_user(&scope, new_user("bob@contoso.example")).await.unwrap();
    let actions: Vec<String> = ctx
        .identity
        .audit_events(
            &scope,
            &AuditFilter { target_id: Some(u.id.to_string()), ..Default::default() },
            &PageRequest::default(),
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["user.delete", "user.activate", "user.suspend", "user.create"]);
});

both_backends!(admins_cannot_lock_themselves_out, |db| async move {
    let ctx = Ctx::new(db);
    let (_, scope) = ctx.tenant("contoso").await;
    let me: UserId = scope.actor().id.as_deref().unwrap().parse().unwrap();
    assert!(ctx.identity.set_user_status(&scope, me, UserStatus::Suspended).await.is_err());
    assert!(ctx.identity.delete_user(&scope, me).await.is_err());
    assert!(
        ctx.identity
            .update_user(&scope, me, UserUpdate { role: Some(Role::User), ..Default::default() })
            .await
            .is_err()
    );
});

both_backends!(tenant_b_cannot_see_or_change_tenant_a_users, |db| async move {
    let ctx = Ctx::new(db);
    let (_, a) = ctx.tenant("tenant-a").await;
    let (_, b) = ctx.tenant("tenant-b").await;
    let ua = ctx.identity.create_user(&a, new_user("shared@example.com")).await.unwrap();
    // The same e-mail may exist in B: uniqueness is per tenant.
    ctx.identity.create_user(&b, new_user("shared@example.com")).await.unwrap();
    assert!(matches!(ctx.identity.user(&b, ua.id).await, Err(Error::NotFound { .. })));
    assert!(matches!(ctx.identity.set_user_status(&b, ua.id, UserStatus::Active).await, Err(Error::NotFound { .. })));
    assert!(matches!(
        ctx.identity.update_user(&b, ua.id, UserUpdate { display_name: Some("x".into()), ..Default::default() }).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(ctx.identity.delete_user(&b, ua.id).await, Err(Error::NotFound { .. })));
    let listed = ctx.identity.list_users(&b, Some("shared"), &PageRequest::default()).await.unwrap();
    assert!(listed.items.iter().all(|u| u.id != ua.id));
    let still = ctx.identity.user(&a, ua.id).await.unwrap();
    assert_eq!(still.status, UserStatus::Pending);
    assert_eq!(still.display_name, "shared@example.com");
    let b_audit = ctx.identity.audit_events(&b, &AuditFilter::default(), &PageRequest::default()).await.unwrap();
    assert!(b_audit.items.iter().all(|e| e.target_id.as_deref() != Some(ua.id.to_string().as_str())));
});
