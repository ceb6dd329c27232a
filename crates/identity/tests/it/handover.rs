//! The hand-over from the ACS to the browser's session (`complete_sso`): a one-time handle,
//! short-lived, bound to the browser that started an SP-initiated sign-in.

use chrono::Duration;
use gatehouse_identity::*;
use gatehouse_test_support::both_backends;
use sea_orm::ConnectionTrait as _;

use crate::saml_fixtures::*;

/// An SP-initiated sign-in through the ACS at T0 + 30 s: the browser's binding nonce and the
/// hand-over handle.
async fn through_the_acs(w: &World) -> (String, String) {
    let started = w.start(Some("/users?page=2")).await;
    let h = handle(w.acs("entra_assertion_signed", None).await);
    (started.binding_nonce, h)
}

/// How many rows `table` holds.
async fn rows(w: &World, table: &str) -> i64 {
    let db = w.id().db();
    let sql = format!("SELECT COUNT(*) AS n FROM {table}");
    let row = db.query_one_raw(sea_orm::Statement::from_string(db.get_database_backend(), sql)).await.unwrap();
    row.unwrap().try_get("", "n").unwrap()
}

both_backends!(handover_signs_the_browser_in_once, |db| async move {
    let w = World::new(db).await;
    let (nonce, h) = through_the_acs(&w).await;
    let done = w.id().complete_sso(&h, Some(&nonce), &w.meta).await.unwrap();
    assert_eq!(done.redirect_to, "/users?page=2", "back where the sign-in started");
    let p = &done.signed_in.principal;
    assert_eq!((p.kind(), p.user_id(), p.tenant_id()), (PrincipalKind::User, Some(w.alice.id), Some(w.contoso.id)));
    let me = w.id().resolve_session(&done.signed_in.session_token).await.unwrap();
    assert_eq!(me.and_then(|p| p.user_id()), Some(w.alice.id), "a session of the same user");

    let again = refusal(w.id().complete_sso(&h, Some(&nonce), &w.meta).await);
    assert_eq!(again.reason.as_str(), "handoff_expired");
    assert_eq!(w.events().await.len(), 1, "only the ACS's success is logged");
});

both_backends!(a_handle_brought_twice_at_once_makes_one_session, |db| async move {
    let w = World::new(db).await;
    let (nonce, h) = through_the_acs(&w).await;
    let (a, b) =
        tokio::join!(w.id().complete_sso(&h, Some(&nonce), &w.meta), w.id().complete_sso(&h, Some(&nonce), &w.meta));
    let (done, lost) = match (a, b) {
        (Ok(done), Err(lost)) | (Err(lost), Ok(done)) => (done, lost),
        other => panic!("expected one session and one refusal, got {other:?}"),
    };
    assert_eq!(refusal::<()>(Err(lost)).reason.as_str(), "handoff_expired");
    assert!(w.id().resolve_session(&done.signed_in.session_token).await.unwrap().is_some());
    assert_eq!(rows(&w, "sessions").await, 1, "one session for one hand-over");
});

both_backends!(a_handle_brought_to_two_replicas_at_once_makes_one_session, |db| async move {
    // Two servers over one database: each has its own SQLite sign-in gate, so nothing in
    // either process orders the two hand-overs; the database's claim on the handle must.
    let w = World::new(db).await;
    let sp = ServiceProvider::from_public_url(PUBLIC_URL).unwrap();
    let replica = Identity::new(w.id().db().clone(), w.ctx.clock.clone(), SessionPolicy::default(), sp);
    for round in 0..4 {
        let (nonce, h) = through_the_acs(&w).await;
        let (a, b) = tokio::join!(
            w.id().complete_sso(&h, Some(&nonce), &w.meta),
            replica.complete_sso(&h, Some(&nonce), &w.meta)
        );
        let lost = match (a, b) {
            (Ok(_), Err(lost)) | (Err(lost), Ok(_)) => lost,
            other => panic!("round {round}: expected one session and one refusal, got {other:?}"),
        };
        assert_eq!(refusal::<()>(Err(lost)).reason.as_str(), "handoff_expired", "round {round}");
        assert_eq!(rows(&w, "sessions").await, round + 1, "round {round}: one session per hand-over");
        assert_eq!(rows(&w, "sso_handoffs").await, 0, "round {round}: the hand-over row is gone");
        w.id().db().execute_unprepared("DELETE FROM assertion_replays").await.unwrap();
    }
});

both_backends!(handover_works_until_its_lifetime_ends, |db| async move {
    let w = World::new(db).await;
    let (nonce, h) = through_the_acs(&w).await;
    w.ctx.clock.advance(Duration::minutes(2) - Duration::seconds(1));
    w.id().complete_sso(&h, Some(&nonce), &w.meta).await.unwrap();
});

both_backends!(handover_expires_after_its_lifetime, |db| async move {
    let w = World::new(db).await;
    let (nonce, h) = through_the_acs(&w).await;
    w.ctx.clock.advance(Duration::minutes(2));
    // Logged: the admin sees why a validated sign-in got no session.
    let e = w.assert_refused(w.id().complete_sso(&h, Some(&nonce), &w.meta).await, "handoff_expired").await;
    assert_eq!(e.user_id.as_deref(), Some(w.alice.id.to_string().as_str()));
    assert!(e.detail.contains("120 seconds after"), "{}", e.detail);
    // The clock moved back, the expired handle was spent by the attempt all the same.
    w.set_clock(at(30));
    assert_eq!(refusal(w.id().complete_sso(&h, Some(&nonce), &w.meta).await).reason.as_str(), "handoff_expired");
});

both_backends!(handover_in_another_browser_is_refused_and_spends_the_handle, |db| async move {
    let w = World::new(db).await;
    let (nonce, h) = through_the_acs(&w).await;
    let e = w
        .assert_refused(w.id().complete_sso(&h, Some("gh_b_another-browser"), &w.meta).await, "browser_mismatch")
        .await;
    assert_eq!(e.flow, "sp_initiated");
    assert_eq!(e.user_id.as_deref(), Some(w.alice.id.to_string().as_str()));
    // Whoever tried first, the handle is gone: the starting browser cannot use it either.
    assert_eq!(refusal(w.id().complete_sso(&h, Some(&nonce), &w.meta).await).reason.as_str(), "handoff_expired");
});

both_backends!(handover_without_the_binding_cookie_is_refused, |db| async move {
    let w = World::new(db).await;
    let (_, h) = through_the_acs(&w).await;
    w.assert_refused(w.id().complete_sso(&h, None, &w.meta).await, "browser_mismatch").await;
});

both_backends!(handover_for_a_user_suspended_meanwhile_is_refused, |db| async move {
    let w = World::new(db).await;
    let (nonce, h) = through_the_acs(&w).await;
    w.id().set_user_status(&w.scope, w.alice.id, UserStatus::Suspended).await.unwrap();
    w.assert_refused(w.id().complete_sso(&h, Some(&nonce), &w.meta).await, "user_suspended").await;
});

both_backends!(unknown_handle_is_refused, |db| async move {
    let w = World::new(db).await;
    let (nonce, _) = through_the_acs(&w).await;
    assert_eq!(
        refusal(w.id().complete_sso("gh_h_made-up", Some(&nonce), &w.meta).await).reason.as_str(),
        "handoff_expired"
    );
});
