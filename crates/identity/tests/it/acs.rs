//! The ACS (`consume_saml_response`) with the signed fixtures and a pinned clock: what it
//! accepts, and for each refusal the reason code, the sign-in log entry, and a pending sign-in
//! that the refused Response did not use up (the genuine Response still completes it).

use chrono::Duration;
use gatehouse_identity::*;
use gatehouse_test_support::both_backends;
use sea_orm::ConnectionTrait as _;

use crate::saml_fixtures::*;

/// The genuine Response completes the pending sign-in: it was not used up.
async fn genuine_still_accepted(w: &World) {
    assert!(w.pending(REQ).await, "the refused Response left the pending sign-in in place");
    handle(w.acs("entra_assertion_signed", None).await);
    assert!(!w.pending(REQ).await, "a sign-in is used up by the Response that completes it");
}

both_backends!(sp_initiated_signed_response_is_accepted_and_logged, |db| async move {
    let w = World::new(db).await;
    w.start(Some("/users?page=2")).await;
    assert!(w.pending(REQ).await);
    handle(w.acs("entra_assertion_signed", None).await);

    let events = w.events().await;
    assert_eq!(events.len(), 1, "{events:?}");
    let e = &events[0];
    assert!(e.success, "{e:?}");
    assert_eq!((e.reason_code.as_str(), e.flow.as_str()), ("success", "sp_initiated"));
    assert_eq!(e.name_id.as_deref(), Some(ALICE));
    assert_eq!(e.user_id.as_deref(), Some(w.alice.id.to_string().as_str()));
    let cert = &w.id().sso_connection(&w.scope).await.unwrap().certificates[0];
    assert_eq!(e.certificate_fingerprint.as_deref(), Some(cert.fingerprint_sha256.as_str()));
    assert_eq!(e.clock_offset_seconds, Some(-30), "IssueInstant T0, pinned clock T0 + 30 s");
    assert_eq!(e.user_agent.as_deref(), Some("fixture-browser"));
    assert_eq!(e.created_at, at(30), "logged at the injected clock's time");

    // Used up: the same Response again names no pending sign-in.
    assert!(!w.pending(REQ).await);
    let e = w.assert_refused(w.acs("entra_assertion_signed", None).await, "unknown_request").await;
    assert_eq!(e.flow, "sp_initiated");
});

both_backends!(an_assertion_is_accepted_once_whatever_response_carries_it, |db| async move {
    let w = World::new(db).await;
    w.start(None).await;
    handle(w.acs("entra_response_signed", None).await);
    // The same Assertion (same ID) in a Response signed another way, answering a new pending
    // sign-in with the same ID (as an IdP that reuses IDs would): a replay.
    w.start(None).await;
    let e = w.assert_refused(w.acs("entra_both_signed", None).await, "replay").await;
    assert!(e.detail.contains("_a5d1bb2c-3f4e-4d5c-8b7a-6c5d4e3f2a10"), "{}", e.detail);
});

both_backends!(idp_initiated_response_is_accepted_when_allowed_and_once, |db| async move {
    let w = World::new(db).await;
    let h = handle(w.acs("entra_unsolicited", Some("/groups")).await);
    let e = &w.events().await[0];
    assert!(e.success && e.flow == "idp_initiated", "{e:?}");
    // No browser started it, so any browser may finish it; the RelayState is where it goes.
    let done = w.id().complete_sso(&h, None, &w.meta).await.unwrap();
    assert_eq!(done.redirect_to, "/groups");

    let e = w.assert_refused(w.acs("entra_unsolicited", None).await, "replay").await;
    assert_eq!(e.flow, "idp_initiated");
    assert_eq!(e.name_id.as_deref(), Some(ALICE), "a replay is logged with whose assertion it was");
});

both_backends!(idp_initiated_response_is_refused_when_not_allowed, |db| async move {
    let w = World::new(db).await;
    w.reconfigure(|c| c.allow_idp_initiated = false).await;
    let e = w.assert_refused(w.acs("entra_unsolicited", None).await, "unsolicited").await;
    assert_eq!(e.flow, "idp_initiated");
    // The refusal did not spend the assertion: allowed again, the same Response is accepted.
    w.reconfigure(|_| {}).await;
    handle(w.acs("entra_unsolicited", None).await);
});

both_backends!(response_to_an_unknown_request_is_refused, |db| async move {
    let w = World::new(db).await;
    // Nothing pending at all.
    let e = w.assert_refused(w.acs("entra_assertion_signed", None).await, "unknown_request").await;
    assert_eq!(e.flow, "sp_initiated");
    assert!(e.detail.contains(REQ), "{}", e.detail);
    // A sign-in is pending, but not the one the Response answers.
    let other = w.id().start_sso(&w.contoso.slug, None, None).await.unwrap();
    w.assert_refused(w.acs("entra_assertion_signed", None).await, "unknown_request").await;
    let id = xml_attr(&inflate(&other.redirect_url, "SAMLRequest"), "ID");
    assert!(w.pending(&id).await, "the other sign-in is untouched");
});

both_backends!(two_responses_racing_for_one_request_sign_in_once, |db| async move {
    let w = World::new(db).await;
    // Two genuine Responses (different Assertion IDs) answer the same pending request at the
    // same moment: whichever way they interleave — one finds the request already gone, or
    // both find it and one loses at the write — exactly one signs in, and the other is
    // logged as refused, with no user and without taking its assertion ID.
    for round in 0..4 {
        w.start(None).await;
        let (a, b) = tokio::join!(w.acs("entra_assertion_signed", None), w.acs("entra_second_sign_in", None));
        let outcomes = [a, b];
        let won = outcomes.iter().filter(|o| matches!(o, Ok(AcsOutcome::Handoff { .. }))).count();
        assert_eq!(won, 1, "round {round}: {outcomes:?}");
        let lost = refusal(outcomes.into_iter().find(|o| o.is_err()).expect("a refusal"));
        assert_eq!(lost.reason.as_str(), "unknown_request", "{lost:?}");
        let events = w.events().await;
        let e = events.iter().find(|e| Some(e.id) == lost.event_id).expect("the refusal is logged");
        assert_eq!((e.success, e.reason_code.as_str(), e.user_id.as_deref()), (false, "unknown_request", None));
        assert!(!w.pending(REQ).await, "the request is used up");
        // The loser's assertion was not taken: answering a new request with it works once —
        // unless it was the winner's (then it is a replay).
        w.start(None).await;
        let again = w.acs("entra_second_sign_in", None).await;
        w.start(None).await;
        let other = w.acs("entra_assertion_signed", None).await;
        assert_eq!(
            [&again, &other].iter().filter(|o| matches!(o, Ok(AcsOutcome::Handoff { .. }))).count(),
            1,
            "round {round}: the loser's assertion is still unspent: {again:?} {other:?}"
        );
        if round < 3 {
            // Next round on a fresh database state for these assertion IDs.
            w.id().db().execute_unprepared("DELETE FROM assertion_replays").await.unwrap();
        }
    }
});

both_backends!(response_to_an_expired_request_is_refused, |db| async move {
    let w = World::new(db).await;
    // Started 10 min before the Response arrives: its lifetime has just ended.
    w.set_clock(at(30) - Duration::minutes(10));
    w.start(None).await;
    w.set_clock(at(30));
    let e = w.assert_refused(w.acs("entra_assertion_signed", None).await, "unknown_request").await;
    assert_eq!(e.flow, "sp_initiated");
    assert!(e.detail.contains("older than 10 minutes"), "{}", e.detail);
    w.ctx.clock.advance(Duration::seconds(1));
    w.id().purge_expired().await.unwrap();
    assert!(!w.pending(REQ).await, "the expired request is purged");

    // Started a second later, it is still pending when the same Response arrives.
    w.set_clock(at(31) - Duration::minutes(10));
    w.start(None).await;
    w.set_clock(at(30));
    handle(w.acs("entra_assertion_signed", None).await);
});

both_backends!(response_before_not_before_is_refused_until_the_clock_reaches_it, |db| async move {
    // `not_yet_valid`: NotBefore T0 + 10 min; the clock skew allowed is 3 min.
    let w = World::new(db).await;
    w.start(None).await;
    w.assert_refused(w.acs("not_yet_valid", None).await, "not_yet_valid").await;
    w.set_clock(at(7 * 60 - 1));
    w.assert_refused(w.acs("not_yet_valid", None).await, "not_yet_valid").await;
    w.set_clock(at(7 * 60));
    handle(w.acs("not_yet_valid", None).await);
});

both_backends!(response_outside_its_window_is_refused, |db| async move {
    let w = World::new(db).await;
    w.start(None).await;
    // Issued in the future (T0 is more than the 3-minute skew ahead of the clock).
    w.set_clock(at(-3 * 60 - 1));
    w.assert_refused(w.acs("entra_assertion_signed", None).await, "issue_instant").await;
    // The bearer confirmation ends at T0 + 5 min (+ 3 min skew) ...
    w.set_clock(at(8 * 60));
    w.assert_refused(w.acs("entra_assertion_signed", None).await, "subject_expired").await;
    // ... and the IssueInstant is too old a second later (5 min maximum age + 3 min skew).
    w.set_clock(at(8 * 60 + 1));
    w.assert_refused(w.acs("entra_assertion_signed", None).await, "issue_instant").await;
    // Conditions NotOnOrAfter T0 - 10 min.
    w.set_clock(at(30));
    w.assert_refused(w.acs("conditions_expired", None).await, "expired").await;
    w.assert_refused(w.acs("subject_expired", None).await, "subject_expired").await;
    genuine_still_accepted(&w).await;
});

both_backends!(response_for_another_sp_is_refused, |db| async move {
    let w = World::new(db).await;
    w.start(None).await;
    w.assert_refused(w.acs("audience_other", None).await, "audience_mismatch").await;
    w.assert_refused(w.acs("audience_missing", None).await, "audience_mismatch").await;
    w.assert_refused(w.acs("destination_other", None).await, "destination_mismatch").await;
    w.assert_refused(w.acs("recipient_other", None).await, "recipient_mismatch").await;
    genuine_still_accepted(&w).await;
});

both_backends!(response_from_another_tenants_idp_cannot_complete_a_sign_in, |db| async move {
    let w = World::new(db).await;
    // Fabrikam's IdP is the other Entra tenant, with the same signing key.
    let (_, fabrikam) = w.ctx.tenant("fabrikam").await;
    let cert = std::fs::read(format!("{}/../saml/tests/fixtures/keys/idp.crt", env!("CARGO_MANIFEST_DIR"))).unwrap();
    w.id().add_idp_certificate(&fabrikam, &cert).await.unwrap();
    w.id()
        .update_sso_connection(
            &fabrikam,
            SsoConnectionInput { issuer: Some(OTHER_ISSUER.into()), ..entra_connection() },
        )
        .await
        .unwrap();

    w.start(None).await;
    // The pending request decides the tenant; the Response's Issuer is only checked.
    let e = w.assert_refused(w.acs("issuer_other_tenant", None).await, "issuer_mismatch").await;
    assert!(e.detail.contains(OTHER_ISSUER) && e.detail.contains(ISSUER), "{}", e.detail);
    w.assert_refused(w.acs("response_issuer_differs", None).await, "issuer_mismatch").await;
    let theirs = w.id().sign_in_events(&fabrikam, &SignInFilter::default(), &PageRequest::default()).await.unwrap();
    assert!(theirs.items.is_empty(), "logged in the tenant whose sign-in it was: {:?}", theirs.items);
    genuine_still_accepted(&w).await;
});

both_backends!(in_response_to_outside_the_signature_is_refused, |db| async move {
    let w = World::new(db).await;
    w.start(None).await;
    // Someone's unsolicited Assertion wrapped in a Response naming our pending request.
    w.assert_refused(w.acs("irt_unsigned_wrap", None).await, "in_response_to_unsigned").await;
    // A genuine Response whose unsigned outer InResponseTo was changed.
    w.assert_refused(w.acs("irt_outer_differs", None).await, "in_response_to_unsigned").await;
    genuine_still_accepted(&w).await;
});

both_backends!(tampered_and_wrapped_responses_are_refused, |db| async move {
    let w = World::new(db).await;
    w.start(None).await;
    for (name, reason) in [
        ("unsigned", "signature_missing"),
        ("untrusted_key", "untrusted_key"),
        ("entra_rollover_idp2", "untrusted_key"),
        ("forged_keyinfo", "signature_invalid"),
        ("digest_mismatch", "digest_mismatch"),
        ("rsa_sha1", "weak_algorithm"),
        ("duplicate_id", "duplicate_id"),
        ("two_assertions", "assertion_count"),
        ("xsw1", "wrapping"),
        ("xsw3", "wrapping"),
        ("xsw5", "wrapping"),
        ("xsw8", "wrapping"),
        ("encrypted_assertion", "encrypted_unsupported"),
    ] {
        w.assert_refused(w.acs(name, None).await, reason).await;
    }
    assert_eq!(w.events().await.len(), 13, "each refusal is logged once");
    // Refused before its Issuer is read, a DOCTYPE belongs to no tenant: logged, but not in
    // contoso's log.
    let r = refusal(w.acs("doctype", None).await);
    assert_eq!(r.reason.as_str(), "doctype_forbidden");
    assert!(r.event_id.is_some(), "{r:?}");
    assert_eq!(w.events().await.len(), 13);
    genuine_still_accepted(&w).await;
});

both_backends!(sso_disabled_or_password_only_refuses_sign_ins, |db| async move {
    let w = World::new(db).await;
    w.start(None).await;
    w.reconfigure(|c| c.enabled = false).await;
    let e = w.assert_refused(w.acs("entra_assertion_signed", None).await, "sso_disabled").await;
    assert_eq!(e.flow, "sp_initiated");
    w.assert_refused(w.acs("entra_unsolicited", None).await, "sso_disabled").await;
    assert_eq!(refusal(w.id().start_sso("contoso", None, None).await).reason.as_str(), "sso_disabled");

    w.reconfigure(|c| c.login_policy = LoginPolicy::Password).await;
    w.assert_refused(w.acs("entra_assertion_signed", None).await, "sso_not_allowed").await;
    w.assert_refused(w.acs("entra_unsolicited", None).await, "sso_not_allowed").await;
    assert_eq!(refusal(w.id().start_sso("contoso", None, None).await).reason.as_str(), "sso_not_allowed");

    w.reconfigure(|c| c.login_policy = LoginPolicy::Sso).await;
    genuine_still_accepted(&w).await;
});

both_backends!(suspended_user_is_refused_and_the_response_is_spent, |db| async move {
    let w = World::new(db).await;
    w.id().set_user_status(&w.scope, w.alice.id, UserStatus::Suspended).await.unwrap();
    let e = w.assert_refused(w.acs("entra_unsolicited", None).await, "user_suspended").await;
    assert_eq!(e.user_id.as_deref(), Some(w.alice.id.to_string().as_str()));
    // The Response was genuine and has been decided: activating Alice does not make it good.
    w.id().set_user_status(&w.scope, w.alice.id, UserStatus::Active).await.unwrap();
    w.assert_refused(w.acs("entra_unsolicited", None).await, "replay").await;
});

both_backends!(comment_in_name_id_is_someone_else_not_a_truncated_alice, |db| async move {
    let w = World::new(db).await;
    w.start(None).await;
    let e = w.assert_refused(w.acs("comment_in_nameid", None).await, "unknown_user").await;
    assert_eq!(e.name_id.as_deref(), Some("alice@contoso.com.evil.example"));
    assert_eq!(e.user_id, None);
});

both_backends!(replay_cache_holds_an_assertion_for_as_long_as_it_is_valid, |db| async move {
    let w = World::new(db).await;
    handle(w.acs("entra_unsolicited", None).await);
    // The bearer confirmation allows it until T0 + 5 min + 3 min skew; purging expired
    // entries a second before must keep it.
    w.set_clock(at(8 * 60 - 1));
    w.id().purge_expired().await.unwrap();
    w.assert_refused(w.acs("entra_unsolicited", None).await, "replay").await;
    w.set_clock(at(8 * 60));
    w.assert_refused(w.acs("entra_unsolicited", None).await, "subject_expired").await;
});

/// Starts a "Test SSO" run the way the console does and makes it the request the fixtures
/// answer.
async fn start_test_run(w: &World) {
    let url = w.id().create_sso_test(&w.scope, PUBLIC_URL).await.unwrap();
    let token = query_param(&url, "token").expect("token");
    let started = w.id().start_sso_test(&token).await.unwrap();
    w.adopt(&started.redirect_url, REQ, None).await;
    assert_eq!(refusal(w.id().start_sso_test(&token).await).reason.as_str(), "unknown_request", "the link works once");
}

both_backends!(test_sso_reports_and_signs_nobody_in_even_while_sso_is_off, |db| async move {
    let w = World::new(db).await;
    w.reconfigure(|c| c.enabled = false).await;
    start_test_run(&w).await;
    let Ok(AcsOutcome::Test(report)) = w.acs("entra_assertion_signed", None).await else { panic!("a test report") };
    assert!(report.success, "{report:?}");
    assert_eq!(report.reason.as_str(), "success");
    assert_eq!(report.user.as_deref(), Some(ALICE));
    assert_eq!(report.clock_offset_seconds, Some(-30));
    let cert = &w.id().sso_connection(&w.scope).await.unwrap().certificates[0];
    assert_eq!(report.certificate_fingerprint.as_deref(), Some(cert.fingerprint_sha256.as_str()));
    let e = &w.events().await[0];
    assert!(e.success && e.flow == "test", "{e:?}");
    assert!(!w.pending(REQ).await, "a test run is used up too");
});

both_backends!(test_sso_reports_a_refusal_and_keeps_the_run_open, |db| async move {
    let w = World::new(db).await;
    start_test_run(&w).await;
    let Ok(AcsOutcome::Test(report)) = w.acs("audience_other", None).await else { panic!("a test report") };
    assert!(!report.success);
    assert_eq!(report.reason.as_str(), "audience_mismatch");
    let e = &w.events().await[0];
    assert_eq!((e.flow.as_str(), e.reason_code.as_str(), e.success), ("test", "audience_mismatch", false));
    let Ok(AcsOutcome::Test(report)) = w.acs("entra_assertion_signed", None).await else { panic!("a test report") };
    assert!(report.success, "{report:?}");
});
