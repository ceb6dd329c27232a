//! Issue 13's rule for the SSO changes that predate drafts, on both backends: the
//! single-purpose edits (`updateSsoConnection`, `addIdpCertificate`, `removeIdpCertificate`,
//! `importIdpMetadata(apply)`) publish while SSO is off and edit the draft once it is live;
//! the deliberate immediate changes (staged promotion, metadata URL and refreshes with
//! automatic promotion, the expired-certificate rule) publish a new version with their actor
//! and are carried into the draft.

use chrono::Duration;
use gatehouse_identity::*;
use gatehouse_test_support::both_backends;

use crate::certificates::{ISSUER, metadata, setup};
use crate::saml_fixtures::{self, World, fixture};
use crate::support::*;

async fn actions_of(id: &Identity, scope: &AdminScope) -> Vec<(PublishAction, String)> {
    id.sso_versions(scope).await.unwrap().into_iter().map(|v| (v.action, v.published_by)).collect()
}

async fn audit_actions(id: &Identity, scope: &AdminScope) -> Vec<String> {
    id.audit_events(scope, &AuditFilter::default(), &PageRequest { first: Some(200), after: None })
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| e.action)
        .collect()
}

/// A live SP-initiated sign-in at contoso with a fixture the published settings accept.
async fn live_sign_in_works(w: &World, fixture: &str) {
    w.start(None).await;
    saml_fixtures::handle(w.acs(fixture, None).await);
}

const ADMIN: &str = "admin@contoso.example.com";

both_backends!(single_purpose_edits_publish_while_sso_is_off, |db| async move {
    let (ctx, _, scope, _server) = setup(db).await;
    let id = &ctx.identity;
    let a = id.add_idp_certificate(&scope, certificate("A", start(), 365).as_bytes()).await.unwrap();
    let live = id.sso_connection(&scope).await.unwrap();
    assert_eq!(live.certificates.iter().map(|c| c.id).collect::<Vec<_>>(), [a.certificate.id], "published at once");
    assert!(id.sso_draft(&scope).await.unwrap().is_none(), "nothing is left in a draft");
    let b = id.add_idp_certificate(&scope, certificate("B", start(), 365).as_bytes()).await.unwrap();
    id.remove_idp_certificate(&scope, a.certificate.id).await.unwrap();
    let xml = metadata(ISSUER, &[&certificate("C", start(), 365)], "");
    let imported = id.import_idp_metadata(&scope, &xml, true).await.unwrap();
    let saved = imported.saved.expect("applied");
    assert_eq!(saved.issuer.as_deref(), Some(ISSUER));
    assert_eq!(saved.certificates.len(), 2);
    let mut input = saml_fixtures::entra_connection();
    input.issuer = Some(ISSUER.into());
    input.login_url = Some("https://login.microsoftonline.com/t/saml2".into());
    let enabled = id.update_sso_connection(&scope, input).await.unwrap();
    assert!(enabled.enabled, "enabling SSO is one step");
    assert!(id.sso_draft(&scope).await.unwrap().is_none());
    // Each was a published version, by the admin, in the history and the audit log.
    let history = actions_of(id, &scope).await;
    assert_eq!(history, vec![(PublishAction::Save, ADMIN.to_owned()); 5], "{history:?}");
    let audit = audit_actions(id, &scope).await;
    assert_eq!(audit.iter().filter(|a| *a == "sso_settings.save_and_publish").count(), 5, "{audit:?}");
    assert!(audit.iter().any(|a| a == "idp_certificate.add") && audit.iter().any(|a| a == "idp_certificate.remove"));
    assert!(b.certificate.id != a.certificate.id);
});

both_backends!(single_purpose_edits_change_the_draft_once_sso_is_live, |db| async move {
    let w = World::new(db).await;
    let id = w.id();
    let published = id.sso_connection(&w.scope).await.unwrap();
    let history_before = actions_of(id, &w.scope).await;

    // updateSsoConnection: the typo goes into the draft; sign-ins keep the published issuer.
    let typo = SsoConnectionInput {
        issuer: Some("https://sts.windows.net/typo/".into()),
        ..saml_fixtures::entra_connection()
    };
    let answer = id.update_sso_connection(&w.scope, typo).await.unwrap();
    assert_eq!((answer.issuer.as_deref(), answer.version), (Some(saml_fixtures::ISSUER), published.version));
    let draft = id.sso_draft(&w.scope).await.unwrap().expect("a draft from the published version");
    assert_eq!(draft.settings.issuer.as_deref(), Some("https://sts.windows.net/typo/"));
    assert_eq!(draft.base_version, published.version);
    live_sign_in_works(&w, "entra_assertion_signed").await;

    // addIdpCertificate: into the draft, answered as the draft has it.
    let now = id.now() - Duration::days(1);
    let added = id.add_idp_certificate(&w.scope, certificate("Next", now, 365).as_bytes()).await.unwrap();
    let draft = id.sso_draft(&w.scope).await.unwrap().unwrap();
    assert!(draft.settings.certificates.iter().any(|c| c.id == added.certificate.id));
    assert_eq!(draft.settings.issuer.as_deref(), Some("https://sts.windows.net/typo/"), "earlier edits stay");
    assert_eq!(id.sso_connection(&w.scope).await.unwrap().certificates.len(), 1, "not live");
    let dup = id.add_idp_certificate(&w.scope, &fixture("keys/idp.crt")).await.unwrap_err();
    assert!(matches!(dup, Error::Conflict { .. }), "{dup:?}");
    assert_eq!(field_of(&dup), ["certificate"]);

    // removeIdpCertificate: from the draft; the last valid one cannot go while SSO is on.
    id.remove_idp_certificate(&w.scope, added.certificate.id).await.unwrap();
    let draft = id.sso_draft(&w.scope).await.unwrap().unwrap();
    assert!(!draft.settings.certificates.iter().any(|c| c.id == added.certificate.id));
    let last = published.certificates[0].id;
    assert_eq!(field_of(&id.remove_idp_certificate(&w.scope, last).await.unwrap_err()), ["id"]);
    let e = id.remove_idp_certificate(&w.scope, added.certificate.id).await.unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }), "{e:?}");

    // importIdpMetadata(apply): the metadata's issuer and URLs go into the draft.
    let xml = metadata(ISSUER, &[&certificate("Imported", now, 365)], "");
    let imported = id.import_idp_metadata(&w.scope, &xml, true).await.unwrap();
    assert_eq!(imported.saved.unwrap().issuer.as_deref(), Some(saml_fixtures::ISSUER), "the published one");
    let draft = id.sso_draft(&w.scope).await.unwrap().unwrap();
    assert_eq!(draft.settings.issuer.as_deref(), Some(ISSUER));
    assert_eq!(draft.settings.certificates.len(), 2);

    // Nothing was published: same version, same history; every edit is in the audit log.
    let live = id.sso_connection(&w.scope).await.unwrap();
    assert_eq!((live.version, live.issuer.as_deref()), (published.version, Some(saml_fixtures::ISSUER)));
    assert_eq!(actions_of(id, &w.scope).await, history_before);
    live_sign_in_works(&w, "entra_second_sign_in").await;
    let audit = audit_actions(id, &w.scope).await;
    assert_eq!(audit.iter().filter(|a| *a == "sso_draft.save").count(), 4, "{audit:?}");
    // A stale read of the draft is refused, never overwritten.
    let stale = SsoConnectionInput { expected_version: Some(draft.revision - 1), ..saml_fixtures::entra_connection() };
    assert_eq!(field_of(&id.update_sso_connection(&w.scope, stale).await.unwrap_err()), ["version"]);

    // Publishing the draft makes it live, as a version in the history.
    let after = id.publish_sso_draft(&w.scope, Some(draft.revision), true).await.unwrap();
    assert_eq!(after.issuer.as_deref(), Some(ISSUER));
    assert_eq!(actions_of(id, &w.scope).await[0].0, PublishAction::Publish);
});

both_backends!(immediate_changes_publish_a_version_and_are_carried_into_the_draft, |db| async move {
    let (ctx, _, scope, server) = setup(db).await;
    let id = &ctx.identity;
    let old = certificate("Entra old", start() - Duration::days(10), 1000);
    let new = certificate("Entra new", start() - Duration::days(1), 1095);
    let newer = certificate("Entra newer", start() - Duration::days(1), 1095);
    server.serve(metadata(ISSUER, &[&old], ""));
    id.set_idp_metadata_url(&scope, Some(server.url()), false).await.unwrap();
    assert_eq!(actions_of(id, &scope).await, [(PublishAction::Metadata, ADMIN.to_owned())]);
    let mut input = saml_fixtures::entra_connection();
    input.issuer = Some(ISSUER.into());
    input.login_url = Some("https://login.microsoftonline.com/t/saml2".into());
    input.logout_url = Some("https://login.microsoftonline.com/t/saml2".into());
    id.update_sso_connection(&scope, input.clone()).await.unwrap();
    // SSO is live; an admin starts a draft.
    id.update_sso_connection(&scope, SsoConnectionInput { allow_idp_initiated: false, ..input }).await.unwrap();
    let revision = id.sso_draft(&scope).await.unwrap().expect("draft").revision;

    // Promotion: live at once, a version by the admin, and in the draft too.
    server.serve(metadata(ISSUER, &[&old, &new], ""));
    id.refresh_idp_metadata(&scope).await.unwrap();
    let staged = id.staged_certificates(&scope).await.unwrap();
    let v = id.sso_connection(&scope).await.unwrap().version;
    let live = id.promote_staged_certificate(&scope, staged[0].id).await.unwrap();
    assert_eq!((live.certificates.len(), live.version), (2, v + 1));
    let versions = id.sso_versions(&scope).await.unwrap();
    assert_eq!((versions[0].action, versions[0].version), (PublishAction::PromoteCertificate, live.version));
    assert_eq!(versions[0].published_by, ADMIN);
    assert_eq!(versions[0].settings.certificates.len(), 2, "the history has what is live");
    let draft = id.sso_draft(&scope).await.unwrap().unwrap();
    assert_eq!(draft.revision, revision, "carrying a change is not an admin's edit");
    assert_eq!(draft.settings.certificates.len(), 2);
    assert!(!draft.settings.allow_idp_initiated, "the draft's own edit stays");

    // The expired-certificate rule.
    let live = id.set_refuse_expired_certificates(&scope, true).await.unwrap();
    assert!(live.refuse_expired_certificates);
    assert_eq!(actions_of(id, &scope).await[0], (PublishAction::RefuseExpired, ADMIN.to_owned()));
    assert!(id.sso_draft(&scope).await.unwrap().unwrap().settings.refuse_expired_certificates);

    // The metadata URL's settings, then a scheduled refresh that trusts a certificate itself.
    id.set_idp_metadata_url(&scope, Some(server.url()), true).await.unwrap();
    assert_eq!(actions_of(id, &scope).await[0], (PublishAction::Metadata, ADMIN.to_owned()));
    assert!(id.sso_draft(&scope).await.unwrap().unwrap().settings.metadata_auto_promote);
    server.serve(metadata(ISSUER, &[&old, &new, &newer], ""));
    ctx.set_clock(start() + Duration::hours(12));
    assert_eq!(id.refresh_due_idp_metadata(&OperatorScope::for_tests("scheduler")).await.unwrap(), 1);
    let live = id.sso_connection(&scope).await.unwrap();
    assert_eq!(live.certificates.len(), 3, "auto-promotion trusted it at once");
    let versions = id.sso_versions(&scope).await.unwrap();
    assert_eq!((versions[0].action, versions[0].version), (PublishAction::Metadata, live.version));
    assert_eq!(versions[0].published_by, "metadata refresh", "the system is the actor");
    assert_eq!(id.sso_draft(&scope).await.unwrap().unwrap().settings.certificates.len(), 3);
    let diff =
        id.sso_settings_diff(&scope, SettingsRef::Version(versions[1].version), SettingsRef::Published).await.unwrap();
    assert_eq!(diff.iter().map(|c| c.field.as_str()).collect::<Vec<_>>(), ["certificates"], "{diff:?}");

    // Publishing the draft keeps every immediate change, and adds its own edit.
    let published = id.publish_sso_draft(&scope, Some(revision), true).await.unwrap();
    assert_eq!(published.certificates.len(), 3);
    assert!(published.refuse_expired_certificates && published.metadata_auto_promote);
    assert!(!published.allow_idp_initiated);

    let audit = audit_actions(id, &scope).await;
    for a in ["sso_settings.promote_certificate", "sso_settings.refuse_expired", "sso_settings.metadata"] {
        assert!(audit.iter().any(|x| x == a), "{a} in {audit:?}");
    }
});
