//! Reading the sign-in log: finding an attempt by its reference, by part of the user's
//! e-mail, the operators' view of attempts tied to no tenant, and the connection status card.

use gatehouse_identity::*;
use gatehouse_test_support::both_backends;

use crate::saml_fixtures::*;

fn all() -> PageRequest {
    PageRequest { first: Some(100), after: None }
}

async fn find(w: &World, filter: SignInFilter) -> Vec<SignInEvent> {
    w.id().sign_in_events(&w.scope, &filter, &all()).await.expect("sign-in log").items
}

both_backends!(an_attempt_is_found_by_its_reference_and_by_part_of_the_user, |db| async move {
    let w = World::new(db).await;
    w.sign_in().await;
    let refused = refusal(w.acs("entra_assertion_signed", None).await);
    let reference = refused.event_id.expect("a reference");
    assert_eq!(w.events().await.len(), 2);

    let found = find(&w, SignInFilter { reference: Some(reference), ..Default::default() }).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].id, reference);

    // The refused replay was turned away before its NameID was read: only the sign-in names Alice.
    for part in ["ALICE@", "contoso.COM", "lice"] {
        let found = find(&w, SignInFilter { user: Some(part.into()), ..Default::default() }).await;
        assert_eq!(found.len(), 1, "{part}: {found:?}");
        assert!(found[0].success);
    }
    // LIKE's wildcards match only themselves.
    for part in ["%", "_", "alice%contoso", "\\"] {
        let found = find(&w, SignInFilter { user: Some(part.into()), ..Default::default() }).await;
        assert!(found.is_empty(), "{part}: {found:?}");
    }
    let both = SignInFilter { user: Some("alice".into()), reason_code: Some("success".into()), ..Default::default() };
    assert_eq!(find(&w, both).await.len(), 1);
    let neither = SignInFilter { user: Some("alice".into()), success: Some(false), ..Default::default() };
    assert!(find(&w, neither).await.is_empty());
});

both_backends!(a_user_filter_longer_than_a_name_id_is_refused_by_its_field, |db| async move {
    let w = World::new(db).await;
    let at_limit = SignInFilter { user: Some("a".repeat(256)), ..Default::default() };
    assert!(find(&w, at_limit).await.is_empty());
    let over = SignInFilter { user: Some("a".repeat(257)), ..Default::default() };
    let e = w.id().sign_in_events(&w.scope, &over, &all()).await.expect_err("too long");
    assert_eq!(crate::support::field_of(&e), vec!["filter.user"]);
});

both_backends!(attempts_tied_to_no_tenant_are_shown_to_operators_only, |db| async move {
    let w = World::new(db).await;
    w.reconfigure(|c| c.issuer = Some(OTHER_ISSUER.into())).await;
    let refused = refusal(w.acs("entra_unsolicited", None).await);
    assert_eq!(refused.reason.as_str(), "unknown_issuer");
    assert!(w.events().await.is_empty(), "not in the tenant's log");

    let operator = OperatorScope::for_tests("ops");
    let loose = w.id().unattributed_sign_in_events(&operator, &SignInFilter::default(), &all()).await.unwrap().items;
    assert_eq!(loose.len(), 1, "{loose:?}");
    assert_eq!(loose[0].reason_code, "unknown_issuer");
    if let Some(reference) = refused.event_id {
        let by_ref = SignInFilter { reference: Some(reference), ..Default::default() };
        assert_eq!(w.id().unattributed_sign_in_events(&operator, &by_ref, &all()).await.unwrap().items.len(), 1);
    }
    // A tenant's own attempts stay out of the operators' list.
    w.reconfigure(|_| {}).await;
    w.sign_in().await;
    assert_eq!(
        w.id().unattributed_sign_in_events(&operator, &SignInFilter::default(), &all()).await.unwrap().items.len(),
        1
    );
});

both_backends!(the_status_card_follows_sign_ins_tests_and_provisioning, |db| async move {
    let w = World::new(db).await;
    let s = w.id().connection_status(&w.scope).await.unwrap();
    assert!(s.last_success.is_none() && s.last_failure.is_none() && s.last_test.is_none());
    assert!(s.certificate_expires_at.is_some(), "idp.crt is valid");
    assert!(s.scim_last_activity_at.is_none());

    w.sign_in().await;
    let s = w.id().connection_status(&w.scope).await.unwrap();
    assert_eq!(s.last_success.as_ref().map(|e| e.name_id.as_deref()), Some(Some(ALICE)));
    assert!(s.attention.iter().all(|a| !a.contains("failed")), "{:?}", s.attention);

    // A refusal after the success: needs attention, with the reason.
    refusal(w.acs("entra_assertion_signed", None).await);
    let s = w.id().connection_status(&w.scope).await.unwrap();
    assert_eq!(s.health, ConnectionHealth::NeedsAttention);
    assert_eq!(s.last_failure.as_ref().map(|e| e.reason_code.as_str()), Some("unknown_request"));
    assert!(s.attention.contains(&"The last SSO sign-in attempt failed."), "{:?}", s.attention);

    // Password attempts do not count as SSO failures.
    let (_, other) = w.ctx.tenant("fabrikam").await;
    let s = w.id().connection_status(&other).await.unwrap();
    assert_eq!(s.health, ConnectionHealth::Off, "no SSO set up");
    assert!(s.certificate_expires_at.is_none() && s.last_failure.is_none());

    // SCIM activity: the newest use of a token.
    let token = w.id().create_scim_token(&w.scope).await.unwrap();
    w.id().resolve_scim_token(&w.contoso.slug, &token.token).await.unwrap().expect("token works");
    let s = w.id().connection_status(&w.scope).await.unwrap();
    assert_eq!(s.scim_last_activity_at, Some(w.id().now()));

    // SSO off: the card says so whatever happened before.
    w.reconfigure(|c| c.enabled = false).await;
    assert_eq!(w.id().connection_status(&w.scope).await.unwrap().health, ConnectionHealth::Off);
});

both_backends!(the_status_card_of_one_tenant_shows_nothing_of_another, |db| async move {
    let w = World::new(db).await;
    w.sign_in().await;
    let (_, fabrikam) = w.ctx.tenant("fabrikam").await;
    let s = w.id().connection_status(&fabrikam).await.unwrap();
    assert!(s.last_success.is_none() && s.last_test.is_none() && s.certificate_expires_at.is_none());
    let found = w
        .id()
        .sign_in_events(&fabrikam, &SignInFilter { user: Some("alice".into()), ..Default::default() }, &all())
        .await
        .unwrap();
    assert!(found.items.is_empty());
});

#[test]
fn every_reason_is_listed_once() {
    let all = SignInReason::all();
    let mut codes: Vec<&str> = all.iter().map(|r| r.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), all.len());
    assert!(codes.contains(&"unknown_user") && codes.contains(&"untrusted_key"));
}
