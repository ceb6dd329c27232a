//! The console's lists (issue 14): where each user came from, their last successful
//! sign-in (read from the sign-in log), the status filter, the tenants list's search, SSO
//! status and user counts, and the groups search; each tenant sees only its own.

use chrono::Duration;
use gatehouse_identity::*;
use gatehouse_test_support::both_backends;

use crate::saml_fixtures::*;
use crate::support::*;

both_backends!(users_record_where_they_came_from, |db| async move {
    let w = World::new(db).await;
    let id = w.id();
    let admin = id.list_users(&w.scope, Some("admin@"), &PageRequest::default()).await.unwrap().items;
    assert_eq!(admin[0].source, UserSource::Console, "the first admin is the operator's (console) doing");
    assert_eq!(w.alice.source, UserSource::Console);

    let token = id.create_scim_token(&w.scope).await.unwrap();
    let scim = id.resolve_scim_token("contoso", &token.token).await.unwrap().unwrap();
    let provisioned = id
        .provision_user(
            &scim,
            UserAttributes { user_name: "bob@contoso.com".into(), active: Some(true), ..Default::default() },
        )
        .await
        .unwrap();
    assert_eq!(id.user(&w.scope, provisioned.id).await.unwrap().source, UserSource::Scim);

    // Alice's account goes; just-in-time provisioning makes her again at her next SSO sign-in.
    id.delete_user(&w.scope, w.alice.id).await.unwrap();
    w.reconfigure(|c| c.jit_provisioning = Some(true)).await;
    let signed_in = w.sign_in().await;
    let principal = id.resolve_session(&signed_in.signed_in.session_token).await.unwrap().expect("session");
    let again = id.user(&w.scope, principal.user_id().expect("a user")).await.unwrap();
    assert_eq!((again.email.as_str(), again.source), (ALICE, UserSource::JustInTime));
});

both_backends!(the_last_sign_in_is_the_latest_success_and_stays_in_its_tenant, |db| async move {
    let w = World::new(db).await;
    let id = w.id();
    let never = id.last_sign_ins(&w.scope, &[w.alice.id]).await.unwrap();
    assert!(never.is_empty(), "{never:?}");

    w.sign_in().await;
    let first = id.now();
    w.set_clock(first + Duration::minutes(3));
    // A refused attempt later on does not move it.
    w.start(None).await;
    w.reconfigure(|c| c.enabled = false).await;
    refusal(w.acs("entra_assertion_signed", None).await);
    let last = id.last_sign_ins(&w.scope, &[w.alice.id]).await.unwrap();
    assert_eq!(last.get(&w.alice.id).map(|t| t.timestamp()), Some(first.timestamp()));

    // A password sign-in counts too.
    let admin = id.list_users(&w.scope, Some("admin@"), &PageRequest::default()).await.unwrap().items.remove(0);
    id.sign_in(SignIn { email: admin.email.clone(), password: PASSWORD.into(), tenant: None, ..Default::default() })
        .await
        .unwrap();
    let both = id.last_sign_ins(&w.scope, &[w.alice.id, admin.id]).await.unwrap();
    assert_eq!(both.len(), 2, "{both:?}");

    // Another tenant asking about contoso's users learns nothing.
    let (_, fabrikam) = w.ctx.tenant("fabrikam").await;
    assert!(id.last_sign_ins(&fabrikam, &[w.alice.id, admin.id]).await.unwrap().is_empty());
});

both_backends!(users_filter_by_status, |db| async move {
    let ctx = Ctx::new(db);
    let (_, scope) = ctx.tenant("contoso").await;
    let pending = ctx
        .identity
        .create_user(&scope, NewUser { email: "pending@contoso.example".into(), ..Default::default() })
        .await
        .unwrap();
    let list = |status| {
        let identity = ctx.identity.clone();
        let scope = scope.clone();
        async move {
            let page = identity.list_users_with_status(&scope, None, status, &PageRequest::default()).await.unwrap();
            page.items.into_iter().map(|u| u.email).collect::<Vec<_>>()
        }
    };
    assert_eq!(list(Some(UserStatus::Pending)).await, [pending.email.as_str()]);
    assert_eq!(list(Some(UserStatus::Active)).await, ["admin@contoso.example.com"]);
    assert!(list(Some(UserStatus::Suspended)).await.is_empty());
    assert_eq!(list(None).await.len(), 2);
    let searched = ctx
        .identity
        .list_users_with_status(&scope, Some("pending"), Some(UserStatus::Active), &PageRequest::default())
        .await
        .unwrap();
    assert!(searched.items.is_empty(), "search and status both apply");
});

both_backends!(tenants_are_searched_and_show_sso_status_and_user_counts, |db| async move {
    let w = World::new(db).await;
    let id = w.id();
    let (fabrikam, fabrikam_scope) = w.ctx.tenant("fabrikam").await;
    let op = OperatorScope::for_tests("test");
    let slugs = |p: Page<Tenant>| p.items.into_iter().map(|t| t.slug).collect::<Vec<_>>();
    assert_eq!(
        slugs(id.list_tenants_matching(&op, Some("FABRI"), &PageRequest::default()).await.unwrap()),
        ["fabrikam"]
    );
    assert_eq!(
        slugs(id.list_tenants_matching(&op, Some("tenant c"), &PageRequest::default()).await.unwrap()),
        ["contoso"]
    );
    assert_eq!(
        slugs(id.list_tenants_matching(&op, Some("%"), &PageRequest::default()).await.unwrap()),
        Vec::<String>::new()
    );
    assert_eq!(slugs(id.list_tenants_matching(&op, None, &PageRequest::default()).await.unwrap()).len(), 2);

    let gone = id
        .create_user(&fabrikam_scope, NewUser { email: "gone@fabrikam.example".into(), ..Default::default() })
        .await
        .unwrap();
    id.delete_user(&fabrikam_scope, gone.id).await.unwrap();
    let overviews = id.tenant_overviews(&op, &[w.contoso.id, fabrikam.id]).await.unwrap();
    let contoso = overviews[&w.contoso.id];
    assert_eq!((contoso.sso_enabled, contoso.users), (true, 2), "admin and alice");
    assert_eq!(contoso.login_policy, Some(LoginPolicy::PasswordOrSso));
    let f = overviews[&fabrikam.id];
    assert_eq!((f.sso_enabled, f.users), (false, 1), "the deleted user is not counted");
});

both_backends!(groups_are_searched_by_name_within_the_tenant, |db| async move {
    let ctx = Ctx::new(db);
    let (_, a) = ctx.tenant("tenant-a").await;
    let (_, b) = ctx.tenant("tenant-b").await;
    for (scope, slug, names) in
        [(&a, "tenant-a", ["Sales EMEA", "Engineering", "100%_club"]), (&b, "tenant-b", ["Sales US", "Ops", "x"])]
    {
        let token = ctx.identity.create_scim_token(scope).await.unwrap();
        let scim = ctx.identity.resolve_scim_token(slug, &token.token).await.unwrap().unwrap();
        for n in names {
            ctx.identity
                .create_group(&scim, GroupAttributes { display_name: n.into(), external_id: None }, &[])
                .await
                .unwrap();
        }
    }
    let names = |p: Page<Group>| {
        let mut v = p.items.into_iter().map(|g| g.display_name).collect::<Vec<_>>();
        v.sort();
        v
    };
    let page = PageRequest::default();
    assert_eq!(names(ctx.identity.groups_matching(&a, Some("sales"), &page).await.unwrap()), ["Sales EMEA"]);
    assert_eq!(
        names(ctx.identity.groups_matching(&a, Some("%_"), &page).await.unwrap()),
        ["100%_club"],
        "LIKE wildcards are literal"
    );
    assert_eq!(names(ctx.identity.groups_matching(&a, None, &page).await.unwrap()).len(), 3);
    assert!(names(ctx.identity.groups_matching(&a, Some("Ops"), &page).await.unwrap()).is_empty());
});
