#![allow(clippy::unwrap_used)]

//! The admin guard: the last active tenant admin can never be removed (deleted, suspended,
//! demoted, renamed by someone else), not even by two concurrent demotions; SCIM cannot
//! rename, deactivate or delete a tenant admin unless the tenant allows it.

use gatehouse_identity::*;
use gatehouse_test_support::both_backends;

use crate::support::*;

async fn scim_scope(ctx: &Ctx, scope: &AdminScope, slug: &str) -> ScimScope {
    let created = ctx.identity.create_scim_token(scope).await.unwrap();
    ctx.identity.resolve_scim_token(slug, &created.token).await.unwrap().expect("live token")
}

fn admin_scope(ctx: &Ctx, user: &User) -> AdminScope {
    let principal = Principal::for_tests_user(user.tenant_id, user.id, &user.email, Role::TenantAdmin);
    ctx.identity.tenant_scope(&principal).expect("tenant scope").admin().expect("admin")
}

/// The tenant's first admin (A) and a second active admin (B), with their scopes.
async fn two_admins(ctx: &Ctx, slug: &str) -> (User, AdminScope, User, AdminScope) {
    let (_, scope_a) = ctx.tenant(slug).await;
    let a = ctx.identity.me_user(&scope_a).await;
    let b = ctx
        .identity
        .create_user(
            &scope_a,
            NewUser {
                email: format!("second.admin@{slug}.example.com"),
                role: Some(Role::TenantAdmin),
                active: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let scope_b = admin_scope(ctx, &b);
    (a, scope_a, b, scope_b)
}

trait MeUser {
    async fn me_user(&self, scope: &TenantScope) -> User;
}

impl MeUser for Identity {
    async fn me_user(&self, scope: &TenantScope) -> User {
        let id: UserId = scope.actor().id.as_deref().expect("a user actor").parse().expect("a user id");
        self.user(scope, id).await.unwrap()
    }
}

fn says(e: &Error, field: &str, text: &str) {
    assert_eq!(field_of(e), [field], "{e:?}");
    assert!(e.to_string().contains(text), "{e} should say {text:?}");
}

both_backends!(last_active_admin_cannot_be_removed_by_anyone, |db| async move {
    let ctx = Ctx::new(db);
    let (a, scope_a, b, scope_b) = two_admins(&ctx, "contoso").await;
    // With two active admins, one may suspend the other; then B is the last active one.
    ctx.identity.set_user_status(&scope_b, a.id, UserStatus::Suspended).await.unwrap();
    let last = "is the last active tenant admin";
    let e = ctx.identity.delete_user(&scope_a, b.id).await.unwrap_err();
    says(&e, "id", last);
    let e = ctx.identity.set_user_status(&scope_a, b.id, UserStatus::Suspended).await.unwrap_err();
    says(&e, "id", "cannot be suspended");
    let e = ctx.identity.set_user_status(&scope_a, b.id, UserStatus::Pending).await.unwrap_err();
    says(&e, "id", last);
    let demote = UserUpdate { role: Some(Role::User), ..Default::default() };
    let e = ctx.identity.update_user(&scope_a, b.id, demote.clone()).await.unwrap_err();
    says(&e, "role", "cannot lose the tenant admin role");
    let rename = UserUpdate { email: Some("someone.else@contoso.example.com".into()), ..Default::default() };
    let e = ctx.identity.update_user(&scope_a, b.id, rename.clone()).await.unwrap_err();
    says(&e, "email", "cannot be renamed by anyone but themselves");
    let refed = UserUpdate { federation_id: Some("attacker@idp.example".into()), ..Default::default() };
    let e = ctx.identity.update_user(&scope_a, b.id, refed).await.unwrap_err();
    says(&e, "federationId", last);
    // Nothing was changed; harmless edits and the admin's own rename still work.
    let stored = ctx.identity.user(&scope_b, b.id).await.unwrap();
    assert_eq!(
        (stored.role, stored.status, stored.email.as_str()),
        (Role::TenantAdmin, UserStatus::Active, b.email.as_str())
    );
    let named = UserUpdate { display_name: Some("Second Admin".into()), ..Default::default() };
    ctx.identity.update_user(&scope_a, b.id, named).await.unwrap();
    let own = ctx.identity.update_user(&scope_b, b.id, rename).await.unwrap();
    assert_eq!(own.email, "someone.else@contoso.example.com");
    // Once A is active again, B may go.
    ctx.identity.set_user_status(&scope_b, a.id, UserStatus::Active).await.unwrap();
    ctx.identity.update_user(&scope_a, b.id, demote).await.unwrap();
    // Suspended and demoted admins never counted; the rule holds for A now.
    let e = ctx.identity.delete_user(&scope_b, a.id).await.unwrap_err();
    says(&e, "id", last);
});

both_backends!(concurrent_demotions_of_the_last_two_admins_do_not_both_succeed, |db| async move {
    let ctx = Ctx::new(db);
    let (a, scope_a, b, scope_b) = two_admins(&ctx, "contoso").await;
    let demote = UserUpdate { role: Some(Role::User), ..Default::default() };
    for round in 0..5 {
        // Each admin demotes the other at the same time.
        let (r1, r2) = tokio::join!(
            ctx.identity.update_user(&scope_a, b.id, demote.clone()),
            ctx.identity.update_user(&scope_b, a.id, demote.clone()),
        );
        let ok = [r1.is_ok(), r2.is_ok()];
        assert_eq!(ok.iter().filter(|o| **o).count(), 1, "round {round}: exactly one demotion succeeds: {r1:?} {r2:?}");
        for e in [r1.err(), r2.err()].into_iter().flatten() {
            says(&e, "role", "is the last active tenant admin");
        }
        // Promote the demoted one back for the next round (by the admin that is left).
        let (winner, loser) = if ok[0] { (&scope_a, b.id) } else { (&scope_b, a.id) };
        let promote = UserUpdate { role: Some(Role::TenantAdmin), ..Default::default() };
        ctx.identity.update_user(winner, loser, promote).await.unwrap();
    }
    // The same race through deletion and suspension.
    let (r1, r2) = tokio::join!(
        ctx.identity.delete_user(&scope_a, b.id),
        ctx.identity.set_user_status(&scope_b, a.id, UserStatus::Suspended),
    );
    assert_eq!([r1.is_ok(), r2.is_ok()].iter().filter(|o| **o).count(), 1, "{r1:?} {r2:?}");
});

both_backends!(scim_cannot_rename_deactivate_or_delete_a_tenant_admin, |db| async move {
    let ctx = Ctx::new(db);
    let (a, scope_a, b, _) = two_admins(&ctx, "contoso").await;
    let scim = scim_scope(&ctx, &scope_a, "contoso").await;
    let current = ctx.identity.provisioned_user(&scim, a.id).await.unwrap();
    let refused = |e: Error| match e {
        Error::Forbidden(m) => assert!(m.contains("allow SCIM to manage admins under Provisioning"), "{m}"),
        other => panic!("expected Forbidden, got {other:?}"),
    };
    let edit = |f: fn(&mut UserAttributes)| {
        let mut wanted = current.attributes.clone();
        f(&mut wanted);
        wanted
    };
    let renamed = edit(|w| w.user_name = "attacker@idp.example".into());
    refused(ctx.identity.update_provisioned_user(&scim, a.id, |_| Ok::<_, Error>(renamed)).await.unwrap_err());
    let deactivated = edit(|w| w.active = Some(false));
    refused(ctx.identity.update_provisioned_user(&scim, a.id, |_| Ok::<_, Error>(deactivated)).await.unwrap_err());
    refused(ctx.identity.deprovision_user(&scim, a.id).await.unwrap_err());
    let stored = ctx.identity.user(&scope_a, a.id).await.unwrap();
    assert_eq!((stored.email.as_str(), stored.status), (a.email.as_str(), UserStatus::Active));
    // Profile attributes of an admin stay in sync.
    let titled = edit(|w| w.title = Some("CTO".into()));
    let after = ctx.identity.update_provisioned_user(&scim, a.id, |_| Ok::<_, Error>(titled)).await.unwrap();
    assert_eq!(after.attributes.title.as_deref(), Some("CTO"));

    // Allowed by the tenant: SCIM manages admins, but never the last active one.
    let tenant = ctx.identity.set_scim_manages_admins(&scope_a, true).await.unwrap();
    assert!(tenant.scim_manages_admins);
    let renamed = edit(|w| w.user_name = "ceo@contoso.example.com".into());
    let after = ctx.identity.update_provisioned_user(&scim, a.id, |_| Ok::<_, Error>(renamed)).await.unwrap();
    assert_eq!(after.attributes.user_name, "ceo@contoso.example.com");
    ctx.identity.deprovision_user(&scim, b.id).await.unwrap();
    let deactivated = edit(|w| {
        w.user_name = "ceo@contoso.example.com".into();
        w.active = Some(false);
    });
    let e = ctx.identity.update_provisioned_user(&scim, a.id, |_| Ok::<_, Error>(deactivated)).await.unwrap_err();
    says(&e, "id", "is the last active tenant admin");
    let e = ctx.identity.deprovision_user(&scim, a.id).await.unwrap_err();
    says(&e, "id", "cannot be deleted");
    // Turned off again, SCIM is refused before the last-admin rule is even asked.
    ctx.identity.set_scim_manages_admins(&scope_a, false).await.unwrap();
    refused(ctx.identity.deprovision_user(&scim, a.id).await.unwrap_err());
});

both_backends!(only_admins_set_whether_scim_manages_admins, |db| async move {
    let ctx = Ctx::new(db);
    let (_, scope_a, _, _) = two_admins(&ctx, "contoso").await;
    let user = ctx
        .identity
        .create_user(
            &scope_a,
            NewUser { email: "plain@contoso.example.com".into(), active: true, ..Default::default() },
        )
        .await
        .unwrap();
    let principal = Principal::for_tests_user(user.tenant_id, user.id, &user.email, Role::User);
    let scope_user = ctx.identity.tenant_scope(&principal).unwrap();
    // `set_scim_manages_admins` takes admin rights, which a plain user is not handed.
    let refused = scope_user.admin().unwrap_err();
    assert!(matches!(refused, Error::Forbidden(ref m) if m == "only a tenant admin may do this"), "{refused:?}");
    assert!(!ctx.identity.tenant(&scope_a).await.unwrap().scim_manages_admins, "off by default");
});
