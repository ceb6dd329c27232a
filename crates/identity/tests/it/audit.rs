//! Reading the audit log: by category (the kind of target) and by a part of the action, the
//! actor or the target, in any case; wildcards match only themselves; bounds name the field.

use gatehouse_identity::*;
use gatehouse_test_support::both_backends;

use crate::support::Ctx;

async fn find(c: &Ctx, scope: &AdminScope, filter: AuditFilter) -> Vec<AuditEvent> {
    c.identity.audit_events(scope, &filter, &PageRequest { first: Some(100), after: None }).await.unwrap().items
}

both_backends!(the_audit_log_filters_by_category_and_by_a_part_of_what_happened, |db| async move {
    let c = Ctx::new(db);
    let (_, scope) = c.tenant("contoso").await;
    let bob = c
        .identity
        .create_user(&scope, NewUser { email: "bob@contoso.com".into(), active: true, ..NewUser::default() })
        .await
        .unwrap();
    c.identity.set_user_status(&scope, bob.id, UserStatus::Suspended).await.unwrap();
    c.identity.create_scim_token(&scope).await.unwrap();

    let users = find(&c, &scope, AuditFilter { target_type: Some("user".into()), ..Default::default() }).await;
    let actions: Vec<&str> = users.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"user.create") && actions.contains(&"user.suspend"), "{actions:?}");
    assert!(users.iter().all(|e| e.target_type == "user"));

    let suspended = find(&c, &scope, AuditFilter { search: Some("SUSPEND".into()), ..Default::default() }).await;
    assert_eq!(suspended.len(), 1, "{suspended:?}");
    let by_actor = find(&c, &scope, AuditFilter { search: Some("admin@contoso".into()), ..Default::default() }).await;
    assert!(by_actor.len() >= 3, "{by_actor:?}");
    let by_target = find(&c, &scope, AuditFilter { search: Some(bob.id.to_string()), ..Default::default() }).await;
    assert!(by_target.len() >= 2 && by_target.iter().all(|e| e.target_id == Some(bob.id.to_string())));
    for wildcard in ["%", "us_r.create", "user%create"] {
        assert!(find(&c, &scope, AuditFilter { search: Some(wildcard.into()), ..Default::default() }).await.is_empty());
    }

    // Another tenant's search finds none of it.
    let (_, other) = c.tenant("fabrikam").await;
    assert!(find(&c, &other, AuditFilter { search: Some("suspend".into()), ..Default::default() }).await.is_empty());
});

both_backends!(an_audit_search_longer_than_its_bound_is_refused_by_its_field, |db| async move {
    let c = Ctx::new(db);
    let (_, scope) = c.tenant("contoso").await;
    assert!(find(&c, &scope, AuditFilter { search: Some("x".repeat(256)), ..Default::default() }).await.is_empty());
    let over = AuditFilter { search: Some("x".repeat(257)), ..Default::default() };
    let e = c.identity.audit_events(&scope, &over, &PageRequest::default()).await.expect_err("too long");
    assert_eq!(crate::support::field_of(&e), vec!["filter.search"]);
});
