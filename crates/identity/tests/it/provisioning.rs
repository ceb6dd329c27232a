use gatehouse_identity::*;
use gatehouse_test_support::both_backends;

use crate::support::*;

fn attrs(user_name: &str) -> UserAttributes {
    UserAttributes {
        user_name: user_name.into(),
        external_id: Some(format!("ext-{user_name}")),
        given_name: Some("Ada".into()),
        family_name: Some("Lovelace".into()),
        active: Some(true),
        emails: vec![ContactValue { value: user_name.into(), kind: Some("work".into()), primary: Some(true) }],
        ..Default::default()
    }
}

async fn scim_scope(ctx: &Ctx, scope: &AdminScope, slug: &str) -> ScimScope {
    let created = ctx.identity.create_scim_token(scope).await.unwrap();
    ctx.identity.resolve_scim_token(slug, &created.token).await.unwrap().expect("live token")
}

fn lookup(attribute: LookupAttribute, value: &str) -> Vec<Lookup> {
    vec![Lookup { attribute, value: value.into() }]
}

both_backends!(scim_tokens_belong_to_one_tenant, |db| async move {
    let ctx = Ctx::new(db);
    let (_, a) = ctx.tenant("tenant-a").await;
    let (_, b) = ctx.tenant("tenant-b").await;
    let created = ctx.identity.create_scim_token(&a).await.unwrap();
    assert!(created.token.starts_with(&created.scim_token.prefix) && created.token.len() > 40);
    let scope = ctx.identity.resolve_scim_token("tenant-a", &created.token).await.unwrap().unwrap();
    assert_eq!(scope.tenant_id(), a.tenant_id());
    assert_eq!(scope.actor().kind, "scim_token");
    assert!(ctx.identity.resolve_scim_token("tenant-b", &created.token).await.unwrap().is_none());
    assert!(ctx.identity.resolve_scim_token("tenant-a", "gh_scim_guess").await.unwrap().is_none());
    // B cannot list, rotate or revoke A's token.
    assert!(ctx.identity.scim_tokens(&b, &PageRequest::default()).await.unwrap().items.is_empty());
    let id = created.scim_token.id;
    assert!(matches!(ctx.identity.revoke_scim_token(&b, id).await, Err(Error::NotFound { .. })));
    assert!(matches!(ctx.identity.rotate_scim_token(&b, id).await, Err(Error::NotFound { .. })));
    // Rotation replaces; revocation ends.
    let rotated = ctx.identity.rotate_scim_token(&a, id).await.unwrap();
    assert!(ctx.identity.resolve_scim_token("tenant-a", &created.token).await.unwrap().is_none());
    assert!(ctx.identity.resolve_scim_token("tenant-a", &rotated.token).await.unwrap().is_some());
    ctx.identity.revoke_scim_token(&a, rotated.scim_token.id).await.unwrap();
    assert!(ctx.identity.resolve_scim_token("tenant-a", &rotated.token).await.unwrap().is_none());
    let tokens = ctx.identity.scim_tokens(&a, &PageRequest::default()).await.unwrap().items;
    assert_eq!(tokens.len(), 2);
    assert!(tokens.iter().all(|t| t.revoked_at.is_some()));
    // Only admins manage tokens.
    let user = ctx
        .identity
        .create_user(&a, NewUser { email: "u@a.example".into(), active: true, ..Default::default() })
        .await
        .unwrap();
    let principal = Principal::for_tests_user(a.tenant_id(), user.id, &user.email, Role::User);
    let plain = ctx.identity.tenant_scope(&principal).unwrap();
    assert!(matches!(plain.admin(), Err(Error::Forbidden(_))));
    let log = ctx.identity.audit_events(&a, &AuditFilter::default(), &PageRequest::default()).await.unwrap();
    let actions: Vec<&str> = log.items.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"scim_token.create") && actions.contains(&"scim_token.revoke"), "{actions:?}");
    assert!(log.items.iter().all(|e| !format!("{:?}", e.after).contains(&created.token)));
});

both_backends!(provisioned_users_map_onto_console_users, |db| async move {
    let ctx = Ctx::new(db);
    let (_, admin) = ctx.tenant("contoso").await;
    let scim = scim_scope(&ctx, &admin, "contoso").await;
    let u = ctx.identity.provision_user(&scim, attrs("Ada.Lovelace@Contoso.example")).await.unwrap();
    assert_eq!(u.status, UserStatus::Active);
    let console = ctx.identity.user(&admin, u.id).await.unwrap();
    assert_eq!(
        (console.email.as_str(), console.federation_id.as_str(), console.display_name.as_str()),
        ("ada.lovelace@contoso.example", "Ada.Lovelace@Contoso.example", "Ada Lovelace")
    );
    // Lookups: userName case-insensitively, externalId exactly, displayName computed.
    for l in [
        lookup(LookupAttribute::UserName, "ADA.LOVELACE@contoso.example"),
        lookup(LookupAttribute::ExternalId, "ext-Ada.Lovelace@Contoso.example"),
        lookup(LookupAttribute::Id, &u.id.to_string()),
    ] {
        let found = ctx.identity.provisioned_users(&scim, &l, Window { offset: 0, limit: Some(10) }).await.unwrap();
        assert_eq!((found.total, found.items.len()), (1, 1), "{l:?}");
    }
    let none = ctx
        .identity
        .provisioned_users(
            &scim,
            &lookup(LookupAttribute::ExternalId, "EXT-ADA.LOVELACE@CONTOSO.EXAMPLE"),
            Window::default(),
        )
        .await
        .unwrap();
    assert_eq!(none.total, 0);
    let by_name = ctx
        .identity
        .provisioned_users(&scim, &lookup(LookupAttribute::DisplayName, "admin@contoso.example.com"), Window::default())
        .await
        .unwrap();
    assert_eq!(by_name.total, 1, "console users are visible, userName = e-mail");
    assert_eq!(by_name.items[0].attributes.user_name, "admin@contoso.example.com");
    let page = ctx.identity.provisioned_users(&scim, &[], Window { offset: 1, limit: Some(1) }).await.unwrap();
    assert_eq!((page.total, page.items[0].id), (2, u.id));

    // A userName already used — in any case, as e-mail or federation ID — is a conflict,
    // and nothing is written.
    let before =
        ctx.identity.audit_events(&admin, &AuditFilter::default(), &PageRequest::default()).await.unwrap().items.len();
    for taken in ["ada.lovelace@contoso.EXAMPLE", "admin@contoso.example.com"] {
        let e = ctx.identity.provision_user(&scim, attrs(taken)).await.unwrap_err();
        assert_eq!(field_of(&e), ["userName"]);
    }
    let e = ctx
        .identity
        .update_provisioned_user(&scim, u.id, |cur| {
            Ok::<_, Error>(UserAttributes { user_name: "admin@contoso.example.com".into(), ..cur.attributes.clone() })
        })
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), ["userName"]);
    let after =
        ctx.identity.audit_events(&admin, &AuditFilter::default(), &PageRequest::default()).await.unwrap().items.len();
    assert_eq!(before, after);
    assert_eq!(ctx.identity.provisioned_users(&scim, &[], Window::default()).await.unwrap().total, 2);
});

both_backends!(deprovisioning_suspends_ends_sessions_and_soft_deletes, |db| async move {
    let ctx = Ctx::new(db);
    let (tenant, admin) = ctx.tenant("contoso").await;
    let scim = scim_scope(&ctx, &admin, "contoso").await;
    let u = ctx.identity.provision_user(&scim, attrs("grace@contoso.example")).await.unwrap();
    let principal = Principal::for_tests_user(tenant.id, u.id, "grace@contoso.example", Role::User);
    let session = ctx.identity.create_session(&principal, AuthMethod::Sso, &NewSessionInfo::default()).await.unwrap();

    let suspended = ctx
        .identity
        .update_provisioned_user(&scim, u.id, |cur| {
            Ok::<_, Error>(UserAttributes { active: Some(false), ..cur.attributes.clone() })
        })
        .await
        .unwrap();
    assert_eq!((suspended.status, suspended.attributes.active), (UserStatus::Suspended, Some(false)));
    assert!(ctx.identity.resolve_session(&session.session_token).await.unwrap().is_none());

    // Removing `active` leaves the status alone (fail closed) and reads back as unset.
    let removed = ctx
        .identity
        .update_provisioned_user(&scim, u.id, |cur| {
            Ok::<_, Error>(UserAttributes { active: None, ..cur.attributes.clone() })
        })
        .await
        .unwrap();
    assert_eq!((removed.status, removed.attributes.active), (UserStatus::Suspended, None));

    let back = ctx
        .identity
        .update_provisioned_user(&scim, u.id, |cur| {
            Ok::<_, Error>(UserAttributes { active: Some(true), ..cur.attributes.clone() })
        })
        .await
        .unwrap();
    assert_eq!(back.status, UserStatus::Active);
    let group = ctx
        .identity
        .create_group(
            &scim,
            GroupAttributes { display_name: "Engineers".into(), external_id: None },
            &[u.id.to_string()],
        )
        .await
        .unwrap();
    assert_eq!(group.members, Some(vec![u.id]));
    assert_eq!(ctx.identity.user_groups(&admin, &[u.id], &PageRequest::default()).await.unwrap()[&u.id].items.len(), 1);
    let session = ctx.identity.create_session(&principal, AuthMethod::Sso, &NewSessionInfo::default()).await.unwrap();

    ctx.identity.deprovision_user(&scim, u.id).await.unwrap();
    assert!(ctx.identity.resolve_session(&session.session_token).await.unwrap().is_none());
    assert!(matches!(ctx.identity.provisioned_user(&scim, u.id).await, Err(Error::NotFound { .. })));
    assert!(matches!(ctx.identity.user(&admin, u.id).await, Err(Error::NotFound { .. })));
    assert_eq!(ctx.identity.scim_group(&scim, group.id, true).await.unwrap().members, Some(vec![]));
    // The userName is free again; the audit trail of the deleted user remains.
    ctx.identity.provision_user(&scim, attrs("grace@contoso.example")).await.unwrap();
    let log = ctx
        .identity
        .audit_events(
            &admin,
            &AuditFilter { target_id: Some(u.id.to_string()), ..Default::default() },
            &PageRequest::default(),
        )
        .await
        .unwrap();
    let actions: Vec<&str> = log.items.iter().rev().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["user.create", "user.suspend", "user.update", "user.activate", "user.delete"]);
    assert!(log.items.iter().all(|e| e.actor_kind == "scim_token"));
});

both_backends!(groups_stay_inside_their_tenant, |db| async move {
    let ctx = Ctx::new(db);
    let (_, admin_a) = ctx.tenant("tenant-a").await;
    let (_, admin_b) = ctx.tenant("tenant-b").await;
    let a = scim_scope(&ctx, &admin_a, "tenant-a").await;
    let b = scim_scope(&ctx, &admin_b, "tenant-b").await;
    let alice = ctx.identity.provision_user(&a, attrs("alice@a.example")).await.unwrap();
    let bob = ctx.identity.provision_user(&b, attrs("bob@b.example")).await.unwrap();
    let g = ctx
        .identity
        .create_group(
            &b,
            GroupAttributes { display_name: "Team".into(), external_id: Some("t1".into()) },
            &[bob.id.to_string()],
        )
        .await
        .unwrap();

    // A cannot add B's user, nor see, change or delete B's group or user.
    let e = ctx
        .identity
        .create_group(&a, GroupAttributes { display_name: "Mine".into(), external_id: None }, &[bob.id.to_string()])
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), ["members"]);
    assert!(matches!(ctx.identity.scim_group(&a, g.id, true).await, Err(Error::NotFound { .. })));
    let r = ctx
        .identity
        .update_group(&a, g.id, true, |_| {
            Ok::<_, Error>(GroupEdit {
                attributes: GroupAttributes { display_name: "x".into(), external_id: None },
                members: Some(Vec::new()),
            })
        })
        .await;
    assert!(matches!(r, Err(Error::NotFound { .. })));
    assert!(matches!(ctx.identity.delete_group(&a, g.id).await, Err(Error::NotFound { .. })));
    assert!(matches!(ctx.identity.deprovision_user(&a, bob.id).await, Err(Error::NotFound { .. })));
    assert!(matches!(ctx.identity.group(&admin_a, g.id).await, Err(Error::NotFound { .. })));
    assert!(ctx.identity.group_members(&admin_a, &[g.id], &PageRequest::default()).await.unwrap().is_empty());
    assert!(ctx.identity.group_member_counts(&admin_a, &[g.id]).await.unwrap().is_empty());
    assert!(ctx.identity.user_groups(&admin_a, &[bob.id], &PageRequest::default()).await.unwrap().is_empty());
    assert_eq!(ctx.identity.scim_groups(&a, &[], Window::default(), true).await.unwrap().total, 0);
    // The same name is fine in another tenant; within one it is unique case-insensitively.
    ctx.identity
        .create_group(&a, GroupAttributes { display_name: "team".into(), external_id: None }, &[alice.id.to_string()])
        .await
        .unwrap();
    let e = ctx
        .identity
        .create_group(&b, GroupAttributes { display_name: "TEAM".into(), external_id: None }, &[])
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), ["displayName"]);

    // Member changes and lookups.
    let found = ctx
        .identity
        .scim_groups(
            &b,
            &[Lookup { attribute: LookupAttribute::DisplayName, value: "tEAM".into() }],
            Window::default(),
            false,
        )
        .await
        .unwrap();
    assert_eq!((found.total, found.items[0].members.clone()), (1, None));
    let carol = ctx.identity.provision_user(&b, attrs("carol@b.example")).await.unwrap();
    let changed = ctx
        .identity
        .update_group(&b, g.id, true, |cur| {
            Ok::<_, Error>(GroupEdit { attributes: cur.attributes(), members: Some(vec![carol.id.to_string()]) })
        })
        .await
        .unwrap();
    assert_eq!(changed.members, Some(vec![carol.id]));
    let members = ctx.identity.group_members(&admin_b, &[g.id], &PageRequest::default()).await.unwrap();
    assert_eq!(members[&g.id].items.iter().map(|u| u.id).collect::<Vec<_>>(), [carol.id]);
    assert_eq!(ctx.identity.group_member_counts(&admin_b, &[g.id]).await.unwrap()[&g.id], 1);
    let page = ctx.identity.groups(&admin_b, &PageRequest::default()).await.unwrap();
    assert_eq!(page.items.len(), 1);
    ctx.identity.delete_group(&b, g.id).await.unwrap();
    assert!(ctx.identity.user_groups(&admin_b, &[carol.id], &PageRequest::default()).await.unwrap().is_empty());
});

/// How many group memberships the database still holds for `user` (the API hides rows of
/// deleted users, so the leftover is only visible here).
async fn membership_rows(ctx: &Ctx, user: UserId) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let db = ctx.identity.db();
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => "SELECT COUNT(*) AS n FROM group_members WHERE user_id = $1",
        _ => "SELECT COUNT(*) AS n FROM group_members WHERE user_id = ?",
    };
    let row = db.query_one_raw(Statement::from_sql_and_values(backend, sql, [user.as_uuid().into()])).await.unwrap();
    row.unwrap().try_get::<i64>("", "n").unwrap()
}

both_backends!(a_user_deleted_in_the_console_leaves_their_groups_like_a_deprovisioned_one, |db| async move {
    let ctx = Ctx::new(db);
    let (_, admin) = ctx.tenant("contoso").await;
    let scim = scim_scope(&ctx, &admin, "contoso").await;
    let by_console = ctx.identity.provision_user(&scim, attrs("ada@contoso.example")).await.unwrap();
    let by_scim = ctx.identity.provision_user(&scim, attrs("bob@contoso.example")).await.unwrap();
    let members = [by_console.id.to_string(), by_scim.id.to_string()];
    ctx.identity
        .create_group(&scim, GroupAttributes { display_name: "Team".into(), external_id: None }, &members)
        .await
        .unwrap();
    assert_eq!((membership_rows(&ctx, by_console.id).await, membership_rows(&ctx, by_scim.id).await), (1, 1));

    ctx.identity.delete_user(&admin, by_console.id).await.unwrap();
    ctx.identity.deprovision_user(&scim, by_scim.id).await.unwrap();
    assert_eq!(membership_rows(&ctx, by_console.id).await, 0, "the console's delete is the same soft delete");
    assert_eq!(membership_rows(&ctx, by_scim.id).await, 0);
});

both_backends!(group_members_are_diffed_against_the_stored_ones, |db| async move {
    let ctx = Ctx::new(db);
    let (_, admin) = ctx.tenant("contoso").await;
    let scim = scim_scope(&ctx, &admin, "contoso").await;
    let [ann, ben, cat] = [
        ctx.identity.provision_user(&scim, attrs("ann@contoso.example")).await.unwrap().id,
        ctx.identity.provision_user(&scim, attrs("ben@contoso.example")).await.unwrap().id,
        ctx.identity.provision_user(&scim, attrs("cat@contoso.example")).await.unwrap().id,
    ];
    let team = GroupAttributes { display_name: "Team".into(), external_id: None };
    let g = ctx.identity.create_group(&scim, team.clone(), &[ann.to_string(), ben.to_string()]).await.unwrap();
    let edit = |members: Option<Vec<String>>| {
        let team = team.clone();
        move |_: &Group| Ok::<_, Error>(GroupEdit { attributes: team, members })
    };

    // The members wanted (a PUT): Ben stays although written in capitals, Ann goes, Cat comes.
    let wanted = vec![ben.to_string().to_uppercase(), cat.to_string()];
    let changed = ctx.identity.update_group(&scim, g.id, true, edit(Some(wanted))).await.unwrap();
    assert_eq!(changed.members, Some(vec![ben, cat]));
    // `None` leaves the members alone, even when they were not loaded (a PATCH of the name).
    let renamed = ctx
        .identity
        .update_group(&scim, g.id, false, |_| {
            Ok::<_, Error>(GroupEdit {
                attributes: GroupAttributes { display_name: "Renamed".into(), external_id: None },
                members: None,
            })
        })
        .await
        .unwrap();
    assert_eq!(renamed.display_name, "Renamed");
    assert_eq!(ctx.identity.scim_group(&scim, g.id, true).await.unwrap().members, Some(vec![ben, cat]));
    // Members named without having been loaded are diffed against the stored ones.
    let changed = ctx.identity.update_group(&scim, g.id, false, edit(Some(vec![cat.to_string()]))).await.unwrap();
    assert_eq!(changed.members, None);
    assert_eq!(ctx.identity.scim_group(&scim, g.id, true).await.unwrap().members, Some(vec![cat]));
    // An unknown member refuses the whole change.
    let e = ctx
        .identity
        .update_group(&scim, g.id, true, edit(Some(vec![ann.to_string(), "not-a-user".into()])))
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), ["members"]);
    assert_eq!(ctx.identity.scim_group(&scim, g.id, true).await.unwrap().members, Some(vec![cat]));
});
