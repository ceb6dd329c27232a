//! Single logout with the signed fixtures: ours (`sign_out_everywhere` + `finish_logout`) and
//! the IdP's (`idp_logout`, good once), with the clock pinned to the fixtures' T0.

use chrono::Duration;
use gatehouse_identity::*;
use gatehouse_test_support::both_backends;

use crate::saml_fixtures::*;

/// Signs out Alice's session and makes the pending LogoutRequest the one the
/// `entra_logout_response_signed` fixture answers.
async fn sign_out(w: &World, session_token: &str) -> String {
    let url = w.id().sign_out_everywhere(session_token).await.unwrap().expect("a LogoutRequest to the IdP");
    w.adopt(&url, LOGOUT_REQ, Some(LOGOUT_RELAY)).await;
    url
}

both_backends!(sp_initiated_logout_ends_the_session_and_takes_the_idp_answer_once, |db| async move {
    let w = World::new(db).await;
    let session = w.sign_in().await.signed_in.session_token;
    let url = sign_out(&w, &session).await;
    assert!(url.starts_with(&format!("https://login.microsoftonline.com/{TID}/saml2?")), "{url}");
    let request = inflate(&url, "SAMLRequest");
    assert!(request.contains(&format!(">{ALICE}</")), "{request}");
    assert!(request.contains(&format!(">{SESSION_INDEX}</")), "{request}");
    assert_eq!(w.id().resolve_session(&session).await.unwrap(), None, "the local session ended at once");

    let signed_out_of = w.id().finish_logout(&logout_query("entra_logout_response_signed")).await.unwrap();
    assert_eq!(signed_out_of, w.contoso.id, "the answer names the tenant signed out of (its page carries the name)");
    assert!(!w.pending(LOGOUT_REQ).await);
    let again = refusal(w.id().finish_logout(&logout_query("entra_logout_response_signed")).await);
    assert_eq!(again.reason.as_str(), "unknown_request");
});

both_backends!(sign_out_of_a_password_session_sends_no_logout_request, |db| async move {
    let w = World::new(db).await;
    let signed_in = w
        .id()
        .sign_in(SignIn {
            email: "admin@contoso.example.com".into(),
            password: crate::support::PASSWORD.into(),
            tenant: None,
            session: NewSessionInfo::default(),
        })
        .await
        .unwrap();
    assert_eq!(w.id().sign_out_everywhere(&signed_in.session_token).await.unwrap(), None);
    assert_eq!(w.id().resolve_session(&signed_in.session_token).await.unwrap(), None);
});

both_backends!(idp_answer_to_an_expired_logout_is_refused, |db| async move {
    let w = World::new(db).await;
    let session = w.sign_in().await.signed_in.session_token;
    // Signed out 10 minutes before the IdP's answer arrives: the LogoutRequest's lifetime ended.
    w.set_clock(at(30) - Duration::minutes(10));
    sign_out(&w, &session).await;
    w.set_clock(at(30));
    let r = refusal(w.id().finish_logout(&logout_query("entra_logout_response_signed")).await);
    assert_eq!(r.reason.as_str(), "unknown_request");
});

both_backends!(unsigned_logout_answer_is_refused, |db| async move {
    let w = World::new(db).await;
    let session = w.sign_in().await.signed_in.session_token;
    sign_out(&w, &session).await;
    let r = refusal(w.id().finish_logout(&logout_query("entra_logout_response_unsigned")).await);
    assert_eq!(r.reason.as_str(), "signature_missing");
    // The refused answer carried the right RelayState, but it did not use the sign-out up:
    // the IdP's genuine answer still completes it.
    assert!(w.pending(LOGOUT_REQ).await, "a refused answer leaves the sign-out pending");
    w.id().finish_logout(&logout_query("entra_logout_response_signed")).await.unwrap();
    assert!(!w.pending(LOGOUT_REQ).await);
});

both_backends!(idp_initiated_logout_ends_the_named_session_once, |db| async move {
    let w = World::new(db).await;
    let session = w.sign_in().await.signed_in.session_token;
    let query = logout_query("entra_logout_request_signed");
    let url = w.id().idp_logout(&query).await.unwrap();
    assert!(url.starts_with(&format!("https://login.microsoftonline.com/{TID}/saml2?")), "{url}");
    let answer = inflate(&url, "SAMLResponse");
    assert!(answer.contains("InResponseTo=\"_5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a\""), "{answer}");
    assert!(answer.contains("status:Success"), "{answer}");
    assert_eq!(w.id().resolve_session(&session).await.unwrap(), None);

    // Signed in again with the same SessionIndex: the captured request replayed ends nothing,
    // for as long as it could pass validation, even after expired entries are purged.
    let session = w.sign_in_with("entra_second_sign_in").await.signed_in.session_token;
    w.set_clock(at(8 * 60));
    w.id().purge_expired().await.unwrap();
    assert_eq!(refusal(w.id().idp_logout(&query).await).reason.as_str(), "replay");
    assert!(w.id().resolve_session(&session).await.unwrap().is_some(), "a replay signs nobody out");
    // A second later the request is too old to be accepted at all.
    w.set_clock(at(8 * 60 + 1));
    assert_eq!(refusal(w.id().idp_logout(&query).await).reason.as_str(), "issue_instant");
    assert!(w.id().resolve_session(&session).await.unwrap().is_some());
});

both_backends!(expired_idp_logout_request_is_refused, |db| async move {
    let w = World::new(db).await;
    let session = w.sign_in().await.signed_in.session_token;
    let query = logout_query("entra_logout_request_signed");
    // IssueInstant T0; 5 minutes maximum age plus 3 minutes skew.
    w.set_clock(at(8 * 60 + 1));
    assert_eq!(refusal(w.id().idp_logout(&query).await).reason.as_str(), "issue_instant");
    w.set_clock(at(-3 * 60 - 1));
    assert_eq!(refusal(w.id().idp_logout(&query).await).reason.as_str(), "issue_instant");
    assert!(w.id().resolve_session(&session).await.unwrap().is_some(), "nobody signed out");
    // The refusals did not spend it: in its window it is accepted.
    w.set_clock(at(8 * 60));
    w.id().idp_logout(&query).await.unwrap();
    assert_eq!(w.id().resolve_session(&session).await.unwrap(), None);
});

both_backends!(forged_idp_logout_requests_are_refused, |db| async move {
    let w = World::new(db).await;
    let session = w.sign_in().await.signed_in.session_token;
    for (name, reason) in [
        ("logout_request_unsigned", "signature_missing"),
        ("logout_request_attacker", "signature_invalid"),
        ("logout_request_rsa_sha1", "weak_algorithm"),
        ("logout_request_tampered_relay_state", "signature_invalid"),
        ("logout_request_sigalg_only", "signature_missing"),
        ("logout_request_signature_only", "signature_missing"),
        ("logout_request_other_issuer", "unknown_issuer"),
        ("logout_request_doctype", "doctype_forbidden"),
    ] {
        assert_eq!(refusal(w.id().idp_logout(&logout_query(name)).await).reason.as_str(), reason, "{name}");
    }
    assert!(w.id().resolve_session(&session).await.unwrap().is_some(), "nobody signed out");
    w.id().idp_logout(&logout_query("entra_logout_request_signed")).await.unwrap();
    assert_eq!(w.id().resolve_session(&session).await.unwrap(), None);
});
