//! Draft → test → publish, history and rollback of the SSO settings (issue 13), on both
//! backends, through the signed fixture corpus: live sign-ins keep the published settings
//! while a draft is edited and tested; a draft's certificates verify its test only.

use gatehouse_identity::*;
use gatehouse_test_support::both_backends;
use sea_orm::ConnectionTrait as _;
use sea_orm::sea_query::{Alias, Expr, ExprTrait as _, Query};

use crate::saml_fixtures::*;
use crate::support::*;

fn save(settings: SsoConnectionInput) -> SsoSettingsSave {
    SsoSettingsSave { settings, add_certificates: Vec::new(), remove_certificate_ids: Vec::new() }
}

fn wrong_issuer() -> SsoConnectionInput {
    SsoConnectionInput { issuer: Some("https://sts.windows.net/typo/".into()), ..entra_connection() }
}

/// Starts Test SSO the way the console does and makes its AuthnRequest (and the draft's
/// note of it) the request the fixtures answer.
async fn start_test_run(w: &World) {
    let url = w.id().create_sso_test(&w.scope, PUBLIC_URL).await.unwrap();
    let token = query_param(&url, "token").expect("token");
    let started = w.id().start_sso_test(&token).await.unwrap();
    let sent = xml_attr(&inflate(&started.redirect_url, "SAMLRequest"), "ID");
    w.adopt(&started.redirect_url, REQ, None).await;
    let mut update = Query::update();
    update
        .table(Alias::new("sso_drafts"))
        .value(Alias::new("test_request_id"), REQ)
        .and_where(Expr::col(Alias::new("test_request_id")).eq(sent.as_str()));
    w.id().db().execute(&update).await.unwrap();
}

/// A Response refused at validation does not use its request up: clear it for the next run.
async fn clear_pending(w: &World) {
    let mut delete = Query::delete();
    delete.from_table(Alias::new("sso_requests")).and_where(Expr::col(Alias::new("id")).eq(REQ));
    w.id().db().execute(&delete).await.unwrap();
}

async fn test_report(w: &World, fixture: &str) -> TestReport {
    start_test_run(w).await;
    let report = match w.acs(fixture, None).await {
        Ok(AcsOutcome::Test(report)) => report,
        other => panic!("a test report, got {other:?}"),
    };
    clear_pending(w).await;
    report
}

/// A live SP-initiated sign-in with `fixture`: Ok on success, the refusal otherwise.
async fn live_sign_in(w: &World, fixture: &str) -> Result<SsoSignedIn, SsoRefusal> {
    let started = w.start(None).await;
    match w.acs(fixture, None).await {
        Ok(AcsOutcome::Handoff { handle, .. }) => {
            Ok(w.id().complete_sso(&handle, Some(&started.binding_nonce), &w.meta).await.expect("hand-over"))
        }
        Ok(AcsOutcome::Test(r)) => panic!("a live sign-in got a test report {r:?}"),
        Err(SsoError::Refused(r)) => {
            clear_pending(w).await;
            Err(r)
        }
        Err(SsoError::Internal(e)) => panic!("internal error {e:?}"),
    }
}

async fn audit_actions(w: &World) -> Vec<String> {
    w.id()
        .audit_events(&w.scope, &AuditFilter::default(), &PageRequest { first: Some(100), after: None })
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| e.action)
        .collect()
}

both_backends!(
    a_wrong_issuer_in_the_draft_fails_its_test_while_sign_ins_go_on_then_publish_and_roll_back,
    |db| async move {
        let w = World::new(db).await;
        let published = w.id().sso_connection(&w.scope).await.unwrap();
        let live = w.id().save_sso_settings_to(&w.scope, save(wrong_issuer()), SaveTarget::Auto, false).await.unwrap();
        assert_eq!(live.issuer.as_deref(), Some(ISSUER), "SSO is live: the save went into the draft");
        assert_eq!(live.version, published.version, "the published settings did not move");
        let draft = w.id().sso_draft(&w.scope).await.unwrap().expect("a draft");
        assert_eq!(draft.settings.issuer.as_deref(), Some("https://sts.windows.net/typo/"));
        assert!(draft.last_test.is_none());

        let report = test_report(&w, "entra_assertion_signed").await;
        assert!(!report.success, "{report:?}");
        assert!(report.detail.starts_with("Tested the draft"), "{}", report.detail);
        let draft = w.id().sso_draft(&w.scope).await.unwrap().unwrap();
        let last = draft.last_test.expect("the test is remembered");
        assert!(!last.success);
        assert_eq!(last.by, "admin@contoso.example.com");

        // Meanwhile users sign in with the published settings.
        live_sign_in(&w, "entra_second_sign_in").await.expect("published settings still serve sign-ins");

        let e = w.id().publish_sso_draft(&w.scope, Some(draft.revision), false).await.unwrap_err();
        assert_eq!(field_of(&e), ["confirmUntested"]);
        assert!(e.to_string().contains("failed"), "{e}");
        let after = w.id().publish_sso_draft(&w.scope, Some(draft.revision), true).await.unwrap();
        assert_eq!(after.issuer.as_deref(), Some("https://sts.windows.net/typo/"));
        assert!(after.version > published.version);
        assert!(w.id().sso_draft(&w.scope).await.unwrap().is_none(), "publishing uses the draft up");
        let refused = live_sign_in(&w, "entra_both_signed").await.expect_err("the typo is live now");
        assert_eq!(refused.reason.as_str(), "issuer_mismatch", "{refused:?}");

        let history = w.id().sso_versions(&w.scope).await.unwrap();
        let shape: Vec<(PublishAction, Option<&str>)> =
            history.iter().map(|v| (v.action, v.settings.issuer.as_deref())).collect();
        // The fixture's set-up (a certificate, then the settings) published while SSO was off.
        assert_eq!(
            shape,
            [
                (PublishAction::Publish, Some("https://sts.windows.net/typo/")),
                (PublishAction::Save, Some(ISSUER)),
                (PublishAction::Save, None)
            ]
        );
        assert_eq!(history[0].published_by, "admin@contoso.example.com");
        let diff = w
            .id()
            .sso_settings_diff(
                &w.scope,
                SettingsRef::Version(history[1].version),
                SettingsRef::Version(history[0].version),
            )
            .await
            .unwrap();
        assert_eq!(
            diff,
            [SettingChange {
                field: "issuer".into(),
                before: Some(ISSUER.into()),
                after: Some("https://sts.windows.net/typo/".into())
            }]
        );

        let rolled = w.id().rollback_sso_settings(&w.scope, history[1].version, Some(after.version)).await.unwrap();
        assert_eq!(rolled.issuer.as_deref(), Some(ISSUER));
        assert!(rolled.version > after.version, "a rollback is a new version");
        live_sign_in(&w, "entra_response_signed").await.expect("the rollback restored sign-ins");
        let history = w.id().sso_versions(&w.scope).await.unwrap();
        assert_eq!((history[0].action, history[0].restored_from), (PublishAction::Rollback, Some(history[2].version)));

        let actions = audit_actions(&w).await;
        for a in ["sso_draft.save", "sso_settings.publish", "sso_settings.rollback"] {
            assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
        }
    }
);

both_backends!(a_draft_certificate_verifies_its_test_and_never_a_live_sign_in, |db| async move {
    let w = World::new(db).await;
    let live = w.id().sso_connection(&w.scope).await.unwrap();
    let idp2 = String::from_utf8(fixture("keys/idp2.crt")).unwrap();
    let rollover = SsoSettingsSave {
        settings: entra_connection(),
        add_certificates: vec![idp2],
        remove_certificate_ids: vec![live.certificates[0].id],
    };
    w.id().save_sso_settings_to(&w.scope, rollover, SaveTarget::Draft, false).await.unwrap();
    assert_eq!(w.id().sso_connection(&w.scope).await.unwrap().certificates, live.certificates);

    let refused = live_sign_in(&w, "entra_rollover_idp2").await.expect_err("the draft's key signs no live sign-in");
    assert_eq!(refused.reason.as_str(), "untrusted_key", "{refused:?}");

    let report = test_report(&w, "entra_rollover_idp2").await;
    assert!(report.success, "{report:?}");
    let draft = w.id().sso_draft(&w.scope).await.unwrap().unwrap();
    assert!(draft.last_test.as_ref().is_some_and(|t| t.success));
    let changes = w.id().sso_settings_diff(&w.scope, SettingsRef::Published, SettingsRef::Draft).await.unwrap();
    assert_eq!(changes.iter().map(|c| c.field.as_str()).collect::<Vec<_>>(), ["certificates"]);

    // Tested: no confirmation needed.
    let after = w.id().publish_sso_draft(&w.scope, None, false).await.unwrap();
    assert_eq!(after.certificates.len(), 1);
    assert_eq!(after.certificates[0].id, draft.settings.certificates[0].id, "certificates keep their IDs");
    let refused = live_sign_in(&w, "entra_assertion_signed").await.expect_err("the old key is out");
    assert_eq!(refused.reason.as_str(), "untrusted_key", "{refused:?}");

    // Rolling back brings the old certificate back.
    let before = w.id().sso_versions(&w.scope).await.unwrap().into_iter().find(|v| v.version == live.version);
    let rolled = w.id().rollback_sso_settings(&w.scope, before.unwrap().version, None).await.unwrap();
    assert_eq!(
        rolled.certificates.iter().map(|c| &c.fingerprint_sha256).collect::<Vec<_>>(),
        [&live.certificates[0].fingerprint_sha256]
    );
    live_sign_in(&w, "entra_second_sign_in").await.expect("the old key verifies again");
});

both_backends!(concurrent_edits_of_the_draft_fail_cleanly_and_an_edit_clears_the_last_test, |db| async move {
    let w = World::new(db).await;
    let live = w.id().sso_connection(&w.scope).await.unwrap();
    let first = SsoConnectionInput { expected_version: Some(live.version), ..wrong_issuer() };
    w.id().save_sso_settings_to(&w.scope, save(first.clone()), SaveTarget::Draft, false).await.unwrap();
    let draft = w.id().sso_draft(&w.scope).await.unwrap().unwrap();
    assert!(draft.revision > live.version);
    // A second admin still holding the published version loses.
    let e = w.id().save_sso_settings_to(&w.scope, save(first), SaveTarget::Draft, false).await.unwrap_err();
    assert!(matches!(e, Error::Conflict { .. }), "{e:?}");

    let report = test_report(&w, "entra_assertion_signed").await;
    assert!(!report.success);
    let edit = SsoConnectionInput { expected_version: Some(draft.revision), logout_url: None, ..wrong_issuer() };
    w.id().save_sso_settings_to(&w.scope, save(edit), SaveTarget::Draft, false).await.unwrap();
    let edited = w.id().sso_draft(&w.scope).await.unwrap().unwrap();
    assert_eq!(edited.revision, draft.revision + 1);
    assert!(edited.last_test.is_none(), "an edit needs a new test");
    let e = w.id().publish_sso_draft(&w.scope, Some(draft.revision), true).await.unwrap_err();
    assert!(matches!(e, Error::Conflict { .. }), "{e:?}");
    let e = w.id().publish_sso_draft(&w.scope, Some(edited.revision), false).await.unwrap_err();
    assert!(e.to_string().contains("not been tested"), "{e}");
    let e = w.id().discard_sso_draft(&w.scope, Some(draft.revision)).await.unwrap_err();
    assert!(matches!(e, Error::Conflict { .. }), "{e:?}");

    // A field error names the field and saves nothing.
    let bad = SsoConnectionInput { login_url: Some("not a url".into()), ..entra_connection() };
    let e = w.id().save_sso_settings_to(&w.scope, save(bad), SaveTarget::Draft, false).await.unwrap_err();
    assert_eq!(field_of(&e), ["loginUrl"]);
    assert_eq!(w.id().sso_draft(&w.scope).await.unwrap().unwrap().revision, edited.revision);

    w.id().discard_sso_draft(&w.scope, Some(edited.revision)).await.unwrap();
    assert!(w.id().sso_draft(&w.scope).await.unwrap().is_none());
    assert!(audit_actions(&w).await.iter().any(|a| a == "sso_draft.discard"));
    assert!(matches!(w.id().publish_sso_draft(&w.scope, None, true).await, Err(Error::NotFound { .. })));

    // Saving what is published leaves no draft.
    w.id().save_sso_settings_to(&w.scope, save(entra_connection()), SaveTarget::Draft, false).await.unwrap();
    assert!(w.id().sso_draft(&w.scope).await.unwrap().is_none());
    assert_eq!(w.id().sso_connection(&w.scope).await.unwrap().version, live.version);
});

both_backends!(a_first_time_set_up_is_save_and_publish_and_a_live_one_needs_confirmation, |db| async move {
    let ctx = Ctx::new(db);
    let (_, scope) = ctx.tenant("fresh").await;
    let cert = certificate("idp.fresh.example", start() - chrono::Duration::days(1), 365);
    let first = SsoSettingsSave {
        settings: SsoConnectionInput {
            enabled: true,
            provider: IdpProvider::Okta,
            login_url: Some("https://fresh.okta.example/sso".into()),
            issuer: Some("http://www.okta.com/fresh".into()),
            logout_url: None,
            login_policy: LoginPolicy::PasswordOrSso,
            allow_idp_initiated: false,
            jit_provisioning: None,
            sign_authn_requests: None,
            require_encrypted_assertions: None,
            expected_version: None,
        },
        add_certificates: vec![cert],
        remove_certificate_ids: Vec::new(),
    };
    let live = ctx.identity.save_sso_settings_to(&scope, first.clone(), SaveTarget::Auto, false).await.unwrap();
    assert!(live.enabled, "nothing was live: saved and published");
    assert!(ctx.identity.sso_draft(&scope).await.unwrap().is_none());
    let history = ctx.identity.sso_versions(&scope).await.unwrap();
    assert_eq!(
        history.iter().map(|v| (v.action, v.version)).collect::<Vec<_>>(),
        [(PublishAction::Save, live.version)]
    );

    let mut next = first.clone();
    next.add_certificates.clear();
    next.settings.allow_idp_initiated = true;
    let e = ctx.identity.save_sso_settings_to(&scope, next.clone(), SaveTarget::Publish, false).await.unwrap_err();
    assert_eq!(field_of(&e), ["confirmUntested"]);
    let after = ctx.identity.save_sso_settings_to(&scope, next, SaveTarget::Publish, true).await.unwrap();
    assert!(after.allow_idp_initiated && after.version > live.version);
    assert_eq!(ctx.identity.sso_versions(&scope).await.unwrap().len(), 2);
});

both_backends!(the_operator_can_require_a_successful_test_before_publishing, |db| async move {
    let w = World::new(db).await;
    let operator = OperatorScope::for_tests("operator");
    assert!(!w.id().sso_requires_tested_draft(&w.scope).await.unwrap());
    w.id().set_sso_publish_policy(&operator, "contoso", true).await.unwrap();
    assert!(w.id().sso_requires_tested_draft(&w.scope).await.unwrap());

    let e = w.id().save_sso_settings_to(&w.scope, save(wrong_issuer()), SaveTarget::Publish, true).await.unwrap_err();
    assert!(matches!(e, Error::Forbidden(_)), "{e:?}");
    w.id().save_sso_settings_to(&w.scope, save(wrong_issuer()), SaveTarget::Draft, false).await.unwrap();
    let e = w.id().publish_sso_draft(&w.scope, None, true).await.unwrap_err();
    assert!(matches!(e, Error::Forbidden(_)), "untested, even confirmed: {e:?}");
    assert!(!test_report(&w, "entra_assertion_signed").await.success);
    let e = w.id().publish_sso_draft(&w.scope, None, true).await.unwrap_err();
    assert!(matches!(e, Error::Forbidden(ref m) if m.contains("failed")), "{e:?}");

    let fixed = SsoConnectionInput { logout_url: None, ..entra_connection() };
    w.id().save_sso_settings_to(&w.scope, save(fixed), SaveTarget::Draft, false).await.unwrap();
    assert!(test_report(&w, "entra_second_sign_in").await.success);
    let after = w.id().publish_sso_draft(&w.scope, None, false).await.unwrap();
    assert_eq!(after.logout_url, None);
    let audit = w
        .id()
        .audit_events(
            &w.scope,
            &AuditFilter { action: Some("tenant.set_sso_publish_policy".into()), ..AuditFilter::default() },
            &PageRequest { first: Some(10), after: None },
        )
        .await
        .unwrap();
    assert_eq!(audit.items.len(), 1);
});

both_backends!(another_tenant_cannot_read_publish_or_roll_back_drafts_and_history, |db| async move {
    let w = World::new(db).await;
    let (_, fabrikam) = w.ctx.tenant("fabrikam").await;
    w.id().save_sso_settings_to(&w.scope, save(wrong_issuer()), SaveTarget::Draft, false).await.unwrap();
    w.id().publish_sso_draft(&w.scope, None, true).await.unwrap();
    w.id().save_sso_settings_to(&w.scope, save(entra_connection()), SaveTarget::Draft, false).await.unwrap();
    let contoso_version = w.id().sso_versions(&w.scope).await.unwrap()[0].version;

    assert!(w.id().sso_draft(&fabrikam).await.unwrap().is_none());
    assert!(w.id().sso_versions(&fabrikam).await.unwrap().is_empty());
    assert!(matches!(w.id().publish_sso_draft(&fabrikam, None, true).await, Err(Error::NotFound { .. })));
    assert!(matches!(w.id().discard_sso_draft(&fabrikam, None).await, Err(Error::NotFound { .. })));
    assert!(matches!(
        w.id().rollback_sso_settings(&fabrikam, contoso_version, None).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        w.id().sso_settings_diff(&fabrikam, SettingsRef::Version(contoso_version), SettingsRef::Published).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        w.id().sso_settings_diff(&fabrikam, SettingsRef::Published, SettingsRef::Draft).await,
        Err(Error::NotFound { .. })
    ));
    // contoso's draft and history are untouched.
    assert!(w.id().sso_draft(&w.scope).await.unwrap().is_some());
    assert_eq!(w.id().sso_versions(&w.scope).await.unwrap()[0].version, contoso_version);
});

both_backends!(the_history_keeps_the_last_fifty_versions, |db| async move {
    let w = World::new(db).await;
    let total = MAX_VERSIONS as usize + 3;
    for i in 0..total {
        let settings = SsoConnectionInput {
            logout_url: Some(format!("https://login.microsoftonline.com/{TID}/saml2?n={i}")),
            ..entra_connection()
        };
        w.id().save_sso_settings_to(&w.scope, save(settings), SaveTarget::Publish, true).await.unwrap();
    }
    let history = w.id().sso_versions(&w.scope).await.unwrap();
    assert_eq!(history.len(), MAX_VERSIONS as usize);
    let newest = w.id().sso_connection(&w.scope).await.unwrap();
    assert_eq!(history[0].version, newest.version);
    assert_eq!(history[0].settings.logout_url, newest.logout_url);
    assert!(history.windows(2).all(|p| p[0].version > p[1].version), "newest first");
    // The oldest kept can still be rolled back to; a deleted one is gone.
    let oldest = history.last().unwrap().version;
    assert!(matches!(w.id().rollback_sso_settings(&w.scope, oldest - 1, None).await, Err(Error::NotFound { .. })));
    w.id().rollback_sso_settings(&w.scope, oldest, None).await.unwrap();
});
