//! Issue 12: the metadata URL (fetched on save, refreshed on schedule and on demand, failures
//! recorded and never applied), staged rollover, certificate usage from the sign-in log,
//! expiry warnings, and the version that every change a sign-in depends on counts up.
//! Metadata is served by a local HTTP server on 127.0.0.1, allowed by name in the fetch policy.

use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use chrono::Duration;
use gatehouse_identity::*;
use gatehouse_outbound::{Fetcher, OutboundPolicy};
use gatehouse_test_support::both_backends;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::saml_fixtures::{self, ALICE, World, fixture};
use crate::support::*;

pub(crate) const ISSUER: &str = "https://sts.windows.net/11111111-2222-3333-4444-555555555555/";

/// What the local IdP serves at `/metadata.xml`: a document, or an HTTP error status.
#[derive(Clone)]
pub(crate) struct MetadataServer {
    answer: Arc<Mutex<Result<String, u16>>>,
    port: u16,
}

impl MetadataServer {
    pub(crate) async fn start() -> MetadataServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let answer: Arc<Mutex<Result<String, u16>>> = Arc::new(Mutex::new(Err(404)));
        let served = answer.clone();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                let mut buf = vec![0u8; 4096];
                let _ = s.read(&mut buf).await;
                let reply = match served.lock().unwrap().clone() {
                    Ok(body) => format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/samlmetadata+xml\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    ),
                    Err(code) => format!("HTTP/1.1 {code} Error\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"),
                };
                let _ = s.write_all(reply.as_bytes()).await;
                let _ = s.shutdown().await;
            }
        });
        MetadataServer { answer, port }
    }

    pub(crate) fn url(&self) -> String {
        format!("http://127.0.0.1:{}/metadata.xml", self.port)
    }

    pub(crate) fn serve(&self, xml: String) {
        *self.answer.lock().unwrap() = Ok(xml);
    }

    fn fail(&self, status: u16) {
        *self.answer.lock().unwrap() = Err(status);
    }
}

/// Entra-shaped federation metadata naming `certs` (PEM) as signing certificates.
pub(crate) fn metadata(issuer: &str, certs: &[&str], extra_root_attrs: &str) -> String {
    let keys: String = certs
        .iter()
        .map(|pem| {
            let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
            format!(
                r#"<KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>{body}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>"#
            )
        })
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" ID="_m" entityID="{issuer}"{extra_root_attrs}><IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">{keys}<SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://login.microsoftonline.com/t/saml2"/><SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://login.microsoftonline.com/t/saml2"/></IDPSSODescriptor></EntityDescriptor>"#
    )
}

pub(crate) fn local_fetcher() -> Fetcher {
    Fetcher::new(OutboundPolicy {
        allowed_hosts: vec!["127.0.0.1".into()],
        timeout: StdDuration::from_secs(5),
        ..OutboundPolicy::default()
    })
    .unwrap()
}

/// A tenant in dev mode (plain-http metadata allowed) whose services can fetch from 127.0.0.1.
pub(crate) async fn setup(db: gatehouse_test_support::TestDb) -> (Ctx, Tenant, AdminScope, MetadataServer) {
    let mut ctx = Ctx::new(db);
    ctx.identity = ctx.identity.clone().with_fetcher(local_fetcher());
    let (tenant, scope) = ctx.tenant("contoso").await;
    ctx.identity.set_tenant_dev_mode(&OperatorScope::for_tests("test"), "contoso", true).await.unwrap();
    (ctx, tenant, scope, MetadataServer::start().await)
}

async fn version(ctx: &Ctx, scope: &AdminScope) -> i32 {
    ctx.identity.sso_connection(scope).await.unwrap().version
}

both_backends!(metadata_url_is_fetched_on_save_and_fills_the_connection, |db| async move {
    let (ctx, _, scope, server) = setup(db).await;
    let old = certificate("Entra old", start() - Duration::days(10), 1000);
    server.serve(metadata(ISSUER, &[&old], ""));
    let v0 = version(&ctx, &scope).await;
    let status = ctx.identity.set_idp_metadata_url(&scope, Some(server.url()), false).await.unwrap();
    assert_eq!(status.url.as_deref(), Some(server.url().as_str()));
    assert_eq!(status.last_success_at, Some(start()));
    assert_eq!(status.last_error, None);
    assert_eq!(status.next_fetch_at, Some(start() + Duration::hours(12)), "Entra's metadata has no cacheDuration");
    let conn = ctx.identity.sso_connection(&scope).await.unwrap();
    assert_eq!(conn.issuer.as_deref(), Some(ISSUER));
    assert_eq!(conn.login_url.as_deref(), Some("https://login.microsoftonline.com/t/saml2"));
    assert_eq!(conn.certificates.len(), 1, "the first certificate is trusted at once");
    assert!(conn.version > v0, "what a sign-in uses changed: a new version");
    assert!(ctx.identity.staged_certificates(&scope).await.unwrap().is_empty());
});

both_backends!(a_failing_or_unusable_fetch_on_save_saves_nothing, |db| async move {
    let (ctx, _, scope, server) = setup(db).await;
    server.fail(500);
    let v0 = version(&ctx, &scope).await;
    let e = ctx.identity.set_idp_metadata_url(&scope, Some(server.url()), false).await.unwrap_err();
    assert_eq!(field_of(&e), ["metadataUrl"]);
    assert!(e.to_string().contains("HTTP 500") || format!("{e:?}").contains("HTTP 500"), "{e:?}");
    server.serve("<html>not metadata</html>".into());
    let e = ctx.identity.set_idp_metadata_url(&scope, Some(server.url()), false).await.unwrap_err();
    assert_eq!(field_of(&e), ["metadataUrl"]);
    let conn = ctx.identity.sso_connection(&scope).await.unwrap();
    assert_eq!((conn.metadata_url, conn.version, conn.certificates.len()), (None, v0, 0));
    // Without dev mode plain http is refused before anything is fetched; a URL is bounded.
    let e = ctx.identity.set_idp_metadata_url(&scope, Some("ftp://x".into()), false).await.unwrap_err();
    assert_eq!(field_of(&e), ["metadataUrl"]);
    let long = format!("https://idp.example.com/{}", "a".repeat(5000));
    assert_eq!(
        field_of(&ctx.identity.set_idp_metadata_url(&scope, Some(long), false).await.unwrap_err()),
        ["metadataUrl"]
    );
});

both_backends!(a_new_certificate_is_staged_then_promoted_with_a_new_version, |db| async move {
    let (ctx, _, scope, server) = setup(db).await;
    let old = certificate("Entra old", start() - Duration::days(10), 1000);
    let new = certificate("Entra new", start() - Duration::days(1), 1095);
    server.serve(metadata(ISSUER, &[&old], ""));
    ctx.identity.set_idp_metadata_url(&scope, Some(server.url()), false).await.unwrap();
    let v1 = version(&ctx, &scope).await;

    server.serve(metadata(ISSUER, &[&old, &new], ""));
    ctx.set_clock(start() + Duration::hours(1));
    let status = ctx.identity.refresh_idp_metadata(&scope).await.unwrap();
    assert_eq!(status.last_success_at, Some(start() + Duration::hours(1)));
    let staged = ctx.identity.staged_certificates(&scope).await.unwrap();
    assert_eq!(staged.len(), 1);
    assert_eq!(staged[0].subject, "CN=Entra new");
    assert_eq!(staged[0].sign_ins_seen, 0);
    let conn = ctx.identity.sso_connection(&scope).await.unwrap();
    assert_eq!(conn.certificates.len(), 1, "a staged certificate is not trusted");
    assert_eq!(conn.version, v1, "staging changes nothing a sign-in uses");

    // Refreshing again does not stage it twice.
    ctx.identity.refresh_idp_metadata(&scope).await.unwrap();
    assert_eq!(ctx.identity.staged_certificates(&scope).await.unwrap().len(), 1);

    let after = ctx.identity.promote_staged_certificate(&scope, staged[0].id).await.unwrap();
    assert_eq!(after.certificates.len(), 2);
    assert_eq!(after.version, v1 + 1, "promotion counts the version up");
    assert!(ctx.identity.staged_certificates(&scope).await.unwrap().is_empty());
    let e = ctx.identity.promote_staged_certificate(&scope, staged[0].id).await.unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }), "{e:?}");
});

both_backends!(auto_promotion_trusts_new_certificates_at_refresh, |db| async move {
    let (ctx, _, scope, server) = setup(db).await;
    let old = certificate("Entra old", start() - Duration::days(10), 1000);
    let new = certificate("Entra new", start() - Duration::days(1), 1095);
    server.serve(metadata(ISSUER, &[&old], ""));
    ctx.identity.set_idp_metadata_url(&scope, Some(server.url()), true).await.unwrap();
    let v1 = version(&ctx, &scope).await;
    server.serve(metadata(ISSUER, &[&old, &new], ""));
    ctx.identity.refresh_idp_metadata(&scope).await.unwrap();
    let conn = ctx.identity.sso_connection(&scope).await.unwrap();
    assert_eq!(conn.certificates.len(), 2);
    assert!(conn.version > v1);
    assert!(ctx.identity.staged_certificates(&scope).await.unwrap().is_empty());
});

both_backends!(a_failed_refresh_is_recorded_backed_off_and_changes_nothing, |db| async move {
    let (ctx, _, scope, server) = setup(db).await;
    let old = certificate("Entra old", start() - Duration::days(10), 1000);
    server.serve(metadata(ISSUER, &[&old], ""));
    ctx.identity.set_idp_metadata_url(&scope, Some(server.url()), true).await.unwrap();
    let before = ctx.identity.sso_connection(&scope).await.unwrap();

    server.fail(503);
    let status = ctx.identity.refresh_idp_metadata(&scope).await.unwrap();
    assert!(status.last_error.as_deref().unwrap().contains("HTTP 503"), "{status:?}");
    assert_eq!((status.failures, status.last_success_at), (1, Some(start())));
    assert_eq!(status.next_fetch_at, Some(start() + Duration::minutes(5)));
    let status = ctx.identity.refresh_idp_metadata(&scope).await.unwrap();
    assert_eq!((status.failures, status.next_fetch_at), (2, Some(start() + Duration::minutes(10))));

    // Metadata for another issuer, or already expired, is unusable: recorded, not applied.
    let other = certificate("Other", start() - Duration::days(1), 365);
    server.serve(metadata("https://sts.windows.net/other/", &[&other], ""));
    let status = ctx.identity.refresh_idp_metadata(&scope).await.unwrap();
    assert!(status.last_error.as_deref().unwrap().contains("issuer"), "{status:?}");
    server.serve(metadata(ISSUER, &[&other], r#" validUntil="2026-01-01T00:00:00Z""#));
    let status = ctx.identity.refresh_idp_metadata(&scope).await.unwrap();
    assert!(status.last_error.as_deref().unwrap().contains("expired"), "{status:?}");
    assert_eq!(status.failures, 4);
    assert_eq!(ctx.identity.sso_connection(&scope).await.unwrap(), before, "the live configuration is untouched");

    // A good fetch clears the error and honours cacheDuration (within bounds).
    server.serve(metadata(ISSUER, &[&old], r#" cacheDuration="PT3H""#));
    let status = ctx.identity.refresh_idp_metadata(&scope).await.unwrap();
    assert_eq!((status.failures, status.last_error), (0, None));
    assert_eq!(status.next_fetch_at, Some(start() + Duration::hours(3)));
});

both_backends!(the_scheduler_refreshes_only_due_tenants_and_once, |db| async move {
    let (ctx, _, scope, server) = setup(db).await;
    let old = certificate("Entra old", start() - Duration::days(10), 1000);
    let new = certificate("Entra new", start() - Duration::days(1), 1095);
    server.serve(metadata(ISSUER, &[&old], ""));
    ctx.identity.set_idp_metadata_url(&scope, Some(server.url()), false).await.unwrap();
    server.serve(metadata(ISSUER, &[&old, &new], ""));
    let op = OperatorScope::for_tests("scheduler");
    assert_eq!(ctx.identity.refresh_due_idp_metadata(&op).await.unwrap(), 0, "not due for 12 hours");
    ctx.set_clock(start() + Duration::hours(12));
    assert_eq!(ctx.identity.refresh_due_idp_metadata(&op).await.unwrap(), 1);
    assert_eq!(ctx.identity.staged_certificates(&scope).await.unwrap().len(), 1);
    assert_eq!(ctx.identity.refresh_due_idp_metadata(&op).await.unwrap(), 0, "next one in 12 hours again");
    // Clearing the URL stops the schedule.
    ctx.identity.set_idp_metadata_url(&scope, None, false).await.unwrap();
    ctx.set_clock(start() + Duration::days(3));
    assert_eq!(ctx.identity.refresh_due_idp_metadata(&op).await.unwrap(), 0);
    let status = ctx.identity.idp_metadata_status(&scope).await.unwrap();
    assert_eq!((status.url, status.last_attempt_at), (None, None));
});

both_backends!(every_change_a_sign_in_uses_counts_the_version_up, |db| async move {
    let (ctx, _, scope, server) = setup(db).await;
    let id = &ctx.identity;
    let mut v = version(&ctx, &scope).await;
    let mut next = async |what: &str| {
        let now = version(&ctx, &scope).await;
        assert!(now > v, "{what}: version {now} did not move past {v}");
        v = now;
    };
    let a = id.add_idp_certificate(&scope, certificate("A", start(), 365).as_bytes()).await.unwrap();
    next("add certificate").await;
    id.add_idp_certificate(&scope, certificate("B", start(), 365).as_bytes()).await.unwrap();
    next("add another certificate").await;
    id.remove_idp_certificate(&scope, a.certificate.id).await.unwrap();
    next("remove certificate").await;
    id.set_refuse_expired_certificates(&scope, true).await.unwrap();
    next("refuse expired certificates").await;
    assert!(id.sso_connection(&scope).await.unwrap().refuse_expired_certificates);
    server.serve(metadata(ISSUER, &[&certificate("C", start(), 365)], ""));
    id.set_idp_metadata_url(&scope, Some(server.url()), false).await.unwrap();
    next("metadata URL set").await;
    id.set_idp_metadata_url(&scope, Some(server.url()), true).await.unwrap();
    next("auto-promotion switched on").await;
    server.serve(metadata(ISSUER, &[&certificate("D", start(), 365)], ""));
    id.refresh_idp_metadata(&scope).await.unwrap();
    next("refresh trusting a certificate").await;
});

both_backends!(tenants_cannot_touch_each_others_staged_certificates, |db| async move {
    let (ctx, _, scope, server) = setup(db).await;
    let (_, other) = ctx.tenant("fabrikam").await;
    let old = certificate("Entra old", start() - Duration::days(10), 1000);
    let new = certificate("Entra new", start() - Duration::days(1), 1095);
    server.serve(metadata(ISSUER, &[&old], ""));
    ctx.identity.set_idp_metadata_url(&scope, Some(server.url()), false).await.unwrap();
    server.serve(metadata(ISSUER, &[&old, &new], ""));
    ctx.identity.refresh_idp_metadata(&scope).await.unwrap();
    let staged = ctx.identity.staged_certificates(&scope).await.unwrap();
    assert!(ctx.identity.staged_certificates(&other).await.unwrap().is_empty());
    let e = ctx.identity.promote_staged_certificate(&other, staged[0].id).await.unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }), "{e:?}");
    let e = ctx.identity.dismiss_staged_certificate(&other, staged[0].id).await.unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }), "{e:?}");
    assert_eq!(ctx.identity.staged_certificates(&scope).await.unwrap().len(), 1);
    ctx.identity.dismiss_staged_certificate(&scope, staged[0].id).await.unwrap();
    assert!(ctx.identity.staged_certificates(&scope).await.unwrap().is_empty());
});

both_backends!(expiry_warnings_step_at_60_30_and_7_days, |db| async move {
    let (ctx, _, scope, _) = setup(db).await;
    let id = &ctx.identity;
    id.add_idp_certificate(&scope, certificate("Soon", start() - Duration::days(300), 320).as_bytes()).await.unwrap();
    let w = id.certificate_warnings(&scope).await.unwrap();
    assert_eq!(w.len(), 1);
    assert_eq!((w[0].threshold_days, w[0].days_left, w[0].covered), (30, 20, false));
    ctx.set_clock(start() + Duration::days(15));
    assert_eq!(id.certificate_warnings(&scope).await.unwrap()[0].threshold_days, 7);
    ctx.set_clock(start() + Duration::days(21));
    assert_eq!(id.certificate_warnings(&scope).await.unwrap()[0].threshold_days, 0, "expired");
    ctx.set_clock(start());
    id.add_idp_certificate(&scope, certificate("Next", start(), 1000).as_bytes()).await.unwrap();
    let w = id.certificate_warnings(&scope).await.unwrap();
    assert_eq!(w.len(), 1, "the new certificate is far from its end");
    assert!(w[0].covered, "another certificate stays valid after it");
    ctx.set_clock(start() - Duration::days(50));
    assert!(id.certificate_warnings(&scope).await.unwrap().is_empty(), "70 days left: no warning yet");
});

both_backends!(usage_and_staged_sign_ins_come_from_the_sign_in_log, |db| async move {
    let w = World::new(db).await;
    let w = World { ctx: Ctx { identity: w.ctx.identity.clone().with_fetcher(local_fetcher()), ..w.ctx }, ..w };
    w.start(None).await;
    handle_ok(w.acs("entra_assertion_signed", None).await);
    let usage = w.id().certificate_usage(&w.scope).await.unwrap();
    assert_eq!(usage.len(), 1);
    assert_eq!((usage[0].sign_ins_last_30_days, usage[0].last_verified_at), (1, Some(saml_fixtures::at(30))));
    assert_eq!(usage[0].expired_sign_ins, 0);

    // Entra rolls over: the fixture key is now the IdP's *new* certificate, staged from its
    // metadata, while Gatehouse still trusts only the old one.
    let idp_pem = String::from_utf8(fixture("keys/idp.crt")).unwrap();
    w.id().set_tenant_dev_mode(&OperatorScope::for_tests("test"), &w.contoso.slug, true).await.unwrap();
    let old = certificate("Entra old", saml_fixtures::at(-86400), 1000);
    let fixture_cert = w.id().sso_connection(&w.scope).await.unwrap().certificates[0].clone();
    trust_only(&w, &old).await;
    let server = MetadataServer::start().await;
    server.serve(metadata(saml_fixtures::ISSUER, &[&old, &idp_pem], ""));
    w.id().set_idp_metadata_url(&w.scope, Some(server.url()), false).await.unwrap();
    let staged = w.id().staged_certificates(&w.scope).await.unwrap();
    assert_eq!(staged.len(), 1);
    assert_eq!(staged[0].fingerprint_sha256, fixture_cert.fingerprint_sha256);

    // The IdP signs with the staged key: refused (untrusted), and the ACS hook names it.
    let conn = w.id().sso_connection(&w.scope).await.unwrap();
    let matched = w
        .id()
        .staged_certificate_match(
            &conn,
            None,
            &saml_fixtures::response("entra_unsolicited"),
            ReasonCode::SignatureInvalid,
        )
        .await
        .unwrap();
    assert_eq!(matched.as_deref(), Some(fixture_cert.fingerprint_sha256.as_str()));
    let none = w
        .id()
        .staged_certificate_match(&conn, None, &saml_fixtures::response("entra_unsolicited"), ReasonCode::Malformed)
        .await
        .unwrap();
    assert_eq!(none, None, "only signature refusals are checked against staged certificates");
    let _ = ALICE;
});

fn handle_ok(r: SsoResult<AcsOutcome>) {
    saml_fixtures::handle(r);
}

both_backends!(refusing_expired_certificates_is_a_tenant_setting_off_by_default, |db| async move {
    let (ctx, _, scope, _) = setup(db).await;
    let id = &ctx.identity;
    let cert =
        id.add_idp_certificate(&scope, certificate("Old", start() - Duration::days(10), 30).as_bytes()).await.unwrap();
    let later = start() + Duration::days(40);
    let conn = id.sso_connection(&scope).await.unwrap();
    assert!(!conn.refuse_expired_certificates);
    assert_eq!(expired_certificate_refusal(&conn, &cert.certificate.fingerprint_sha256, later), None);
    let conn = id.set_refuse_expired_certificates(&scope, true).await.unwrap();
    let detail = expired_certificate_refusal(&conn, &cert.certificate.fingerprint_sha256, later).unwrap();
    assert!(detail.contains("expired on"), "{detail}");
    assert_eq!(
        expired_certificate_refusal(&conn, &cert.certificate.fingerprint_sha256, start()),
        None,
        "not expired yet"
    );
});

/// Contoso's live connection trusts `pem` instead of the fixtures' IdP certificate
/// (published at once: SSO is live, so the single-purpose edits would go into the draft).
async fn trust_only(w: &World, pem: &str) {
    let conn = w.id().sso_connection(&w.scope).await.unwrap();
    let save = SsoSettingsSave {
        settings: saml_fixtures::entra_connection(),
        add_certificates: vec![pem.to_owned()],
        remove_certificate_ids: conn.certificates.iter().map(|c| c.id).collect(),
    };
    saml_fixtures::publish_save(w.id(), &w.scope, save).await;
}

/// The IdP signs with a staged certificate: the refused sign-in names it, so the admin sees
/// "the IdP has started signing with the new certificate" (the ACS's refusal path checks the
/// staged certificates after a signature refusal).
async fn staged_sign_ins_are_counted(db: gatehouse_test_support::TestDb) {
    let w = World::new(db).await;
    let w = World { ctx: Ctx { identity: w.ctx.identity.clone().with_fetcher(local_fetcher()), ..w.ctx }, ..w };
    let idp_pem = String::from_utf8(fixture("keys/idp.crt")).unwrap();
    w.id().set_tenant_dev_mode(&OperatorScope::for_tests("test"), &w.contoso.slug, true).await.unwrap();
    let old = certificate("Entra old", saml_fixtures::at(-86400), 1000);
    trust_only(&w, &old).await;
    let server = MetadataServer::start().await;
    server.serve(metadata(saml_fixtures::ISSUER, &[&old, &idp_pem], ""));
    w.id().set_idp_metadata_url(&w.scope, Some(server.url()), false).await.unwrap();

    assert!(w.acs("entra_unsolicited", None).await.is_err(), "a staged certificate verifies nothing");
    let staged = w.id().staged_certificates(&w.scope).await.unwrap();
    assert_eq!(staged[0].sign_ins_seen, 1, "the refusal names the staged certificate");
    // A Test SSO run now says which certificate signed: the staged one, verified by its own
    // signature check, never the certificate the message carries.
    let url = w.id().create_sso_test(&w.scope, saml_fixtures::PUBLIC_URL).await.unwrap();
    let token = saml_fixtures::query_param(&url, "token").expect("token");
    let started = w.id().start_sso_test(&token).await.unwrap();
    w.adopt(&started.redirect_url, saml_fixtures::REQ, None).await;
    let Ok(AcsOutcome::Test(report)) = w.acs("entra_assertion_signed", None).await else { panic!("a test report") };
    assert!(!report.success && report.reason.as_str() == "untrusted_key", "{report:?}");
    assert_eq!(report.signed_by_staged.as_deref(), Some(staged[0].fingerprint_sha256.as_str()));
    w.id().promote_staged_certificate(&w.scope, staged[0].id).await.unwrap();
    saml_fixtures::handle(w.acs("entra_unsolicited", None).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staged_sign_ins_are_counted_sqlite() {
    staged_sign_ins_are_counted(gatehouse_test_support::TestDb::new(gatehouse_test_support::Backend::Sqlite).await)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staged_sign_ins_are_counted_postgres() {
    staged_sign_ins_are_counted(gatehouse_test_support::TestDb::new(gatehouse_test_support::Backend::Postgres).await)
        .await;
}
