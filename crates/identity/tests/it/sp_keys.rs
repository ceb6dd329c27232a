//! Gatehouse's own SP keys on both backends: created on first start and sealed at rest,
//! reopened on the next start, refused with a clear error under a missing or wrong
//! key-encryption key, re-sealed on KEK rotation, rolled over with guards, and used: signed
//! AuthnRequests (verified by Python's `cryptography`, not by our code) and encrypted
//! assertions through the real ACS (encrypted by the independent encrypter).

use std::process::Command;

use chrono::Duration;
use gatehouse_identity::*;
use gatehouse_test_support::both_backends;
use sea_orm::ConnectionTrait as _;
use sea_orm::sea_query::{Alias, ExprTrait as _, Query};

use crate::saml_fixtures::*;
use crate::support::*;

fn policy(kek: &KeyEncryptionKey) -> SpKeyPolicy {
    SpKeyPolicy { current: kek.clone(), previous: None, signing_algorithm: KeyAlgorithm::Rsa3072 }
}

fn keyed(ctx: &Ctx, policy: SpKeyPolicy) -> Identity {
    ctx.identity.clone().with_sp_key_policy(policy)
}

fn operator() -> OperatorScope {
    OperatorScope::for_tests("operator@gatehouse.test")
}

fn internal_text(e: &Error) -> String {
    match e {
        Error::Internal(cause) => cause.to_string(),
        other => other.to_string(),
    }
}

both_backends!(keys_are_created_once_sealed_and_reopened, |db| async move {
    let ctx = Ctx::new(db);
    let kek = KeyEncryptionKey::generate();
    let id = keyed(&ctx, policy(&kek));
    id.load_sp_keys().await.unwrap();
    let ring = id.sp_keyring();
    assert!(ring.signing.is_some());
    assert_eq!((ring.signing_published.len(), ring.encryption_published.len(), ring.decryption.len()), (1, 1, 1));
    let certs = id.sp_certificates().await.unwrap();
    assert_eq!(certs.len(), 2);
    assert!(certs.iter().all(|c| c.state == SpKeyState::Active && c.published));

    // Nothing in the table is a private key in the clear, and nothing shows the KEK.
    let mut select = Query::select();
    select
        .columns([Alias::new("private_key_ciphertext"), Alias::new("kek_id"), Alias::new("certificate_pem")])
        .from(Alias::new("sp_keys"));
    for row in ctx.identity.db().query_all(&select).await.unwrap() {
        let sealed: String = row.try_get("", "private_key_ciphertext").unwrap();
        assert!(sealed.starts_with("v1:") && !sealed.contains("PRIVATE"), "{sealed}");
        // PKCS#8 DER starts 30 82 …, Base64 "MII": never stored as such.
        assert!(!sealed.trim_start_matches("v1:").starts_with("MII"));
        assert!(!sealed.contains(&kek.to_base64()));
        let kek_id: String = row.try_get("", "kek_id").unwrap();
        assert_eq!(kek_id, kek.id());
    }

    // The next start reopens the same keys (no new ones).
    let again = keyed(&ctx, policy(&kek));
    again.load_sp_keys().await.unwrap();
    let fingerprints = |c: &[SpCertificate]| c.iter().map(|c| c.fingerprint_sha256.clone()).collect::<Vec<_>>();
    assert_eq!(fingerprints(&again.sp_certificates().await.unwrap()), fingerprints(&certs));
    assert_eq!(
        again.sp_keyring().signing.as_ref().unwrap().certificate().fingerprint_sha256,
        ring.signing.as_ref().unwrap().certificate().fingerprint_sha256
    );

    // Metadata publishes both roles.
    let xml = again.sp_metadata_xml(None).await.unwrap();
    assert!(
        xml.contains("<md:KeyDescriptor use=\"signing\">") && xml.contains("<md:KeyDescriptor use=\"encryption\">")
    );
    assert!(xml.contains("AuthnRequestsSigned=\"false\""));
});

both_backends!(a_missing_or_wrong_kek_stops_the_start_and_names_only_ids, |db| async move {
    let ctx = Ctx::new(db);
    let kek = KeyEncryptionKey::generate();
    keyed(&ctx, policy(&kek)).load_sp_keys().await.unwrap();

    let e = ctx.identity.load_sp_keys().await.unwrap_err();
    let text = internal_text(&e);
    assert!(text.contains("no key-encryption key is configured") && text.contains(kek.id()), "{text}");

    let wrong = KeyEncryptionKey::generate();
    let e = keyed(&ctx, policy(&wrong)).load_sp_keys().await.unwrap_err();
    let text = internal_text(&e);
    assert!(text.contains(kek.id()) && text.contains(wrong.id()), "{text}");
    assert!(!text.contains(&kek.to_base64()) && !text.contains(&wrong.to_base64()), "{text}");
    assert!(!format!("{e:?}").contains(&kek.to_base64()));

    // Rotation: the new key with the old one as previous re-seals; then the new one alone works.
    let rotating = SpKeyPolicy { previous: Some(kek.clone()), ..policy(&wrong) };
    keyed(&ctx, rotating).load_sp_keys().await.unwrap();
    keyed(&ctx, policy(&wrong)).load_sp_keys().await.unwrap();
    let e = keyed(&ctx, policy(&kek)).load_sp_keys().await.unwrap_err();
    assert!(internal_text(&e).contains(wrong.id()));
});

both_backends!(rollover_publishes_ahead_activates_after_the_overlap_and_drops_later, |db| async move {
    let ctx = Ctx::new(db);
    let id = keyed(&ctx, policy(&KeyEncryptionKey::generate()));
    id.load_sp_keys().await.unwrap();
    let old = id.sp_keyring().signing.as_ref().unwrap().certificate().fingerprint_sha256.clone();

    let e = id.generate_next_sp_key(&operator(), SpKeyRole::Signing, Duration::days(91)).await.unwrap_err();
    assert_eq!(field_of(&e), ["overlapHours"]);
    let next = id.generate_next_sp_key(&operator(), SpKeyRole::Signing, Duration::hours(24)).await.unwrap();
    assert_eq!(next.state, SpKeyState::Next);
    let e = id.generate_next_sp_key(&operator(), SpKeyRole::Signing, Duration::hours(24)).await.unwrap_err();
    assert_eq!(field_of(&e), ["role"], "one next key at a time");
    // Published at once, not yet signing.
    let ring = id.sp_keyring();
    assert_eq!(ring.signing_published.len(), 2);
    assert_eq!(ring.signing.as_ref().unwrap().certificate().fingerprint_sha256, old);
    let xml = id.sp_metadata_xml(None).await.unwrap();
    assert_eq!(xml.matches("use=\"signing\"").count(), 2);

    // Not before the overlap, unless forced.
    let e = id.activate_next_sp_key(&operator(), SpKeyRole::Signing, false).await.unwrap_err();
    assert_eq!(field_of(&e), ["force"]);
    ctx.set_clock(ctx.identity.now() + Duration::hours(25));
    let active = id.activate_next_sp_key(&operator(), SpKeyRole::Signing, false).await.unwrap();
    assert_eq!(active.fingerprint_sha256, next.fingerprint_sha256);
    assert_eq!(id.sp_keyring().signing.as_ref().unwrap().certificate().fingerprint_sha256, next.fingerprint_sha256);
    let xml = id.sp_metadata_xml(None).await.unwrap();
    assert_eq!(xml.matches("use=\"signing\"").count(), 1, "the previous key is no longer published");

    // The active key cannot be dropped; another activation waits for the previous one to go.
    let e = id.drop_sp_key(&operator(), active.id).await.unwrap_err();
    assert_eq!(field_of(&e), ["id"]);
    id.generate_next_sp_key(&operator(), SpKeyRole::Signing, Duration::zero()).await.unwrap();
    let e = id.activate_next_sp_key(&operator(), SpKeyRole::Signing, true).await.unwrap_err();
    assert_eq!(field_of(&e), ["role"]);
    let previous = id.sp_certificates().await.unwrap().into_iter().find(|c| c.state == SpKeyState::Previous).unwrap();
    assert_eq!(previous.fingerprint_sha256, old);
    id.drop_sp_key(&operator(), previous.id).await.unwrap();
    id.activate_next_sp_key(&operator(), SpKeyRole::Signing, true).await.unwrap();

    // Encryption rollover: a next key decrypts at once (an IdP may switch as soon as it reads
    // the metadata), and a previous one still decrypts until dropped.
    id.generate_next_sp_key(&operator(), SpKeyRole::Encryption, Duration::zero()).await.unwrap();
    assert_eq!(id.sp_keyring().decryption.len(), 2);
    id.activate_next_sp_key(&operator(), SpKeyRole::Encryption, false).await.unwrap();
    assert_eq!(id.sp_keyring().decryption.len(), 2);
    assert_eq!(id.sp_keyring().encryption_published.len(), 1);

    // Each step is audited with the operator who took it (SP keys belong to no tenant).
    let mut select = Query::select();
    select
        .columns([Alias::new("action"), Alias::new("actor_kind"), Alias::new("actor_label")])
        .from(Alias::new("audit_events"))
        .and_where(sea_orm::sea_query::Expr::col(Alias::new("target_type")).eq("sp_key"));
    let rows = id.db().query_all(&select).await.unwrap();
    let mut steps: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r.try_get("", "action").unwrap(),
                r.try_get("", "actor_kind").unwrap(),
                r.try_get("", "actor_label").unwrap(),
            )
        })
        .collect();
    steps.sort();
    steps.dedup();
    // `for_tests` gives operator rights labelled as the system; the label names who acted.
    let by = |a: &str| (a.to_owned(), "system".to_owned(), "operator@gatehouse.test".to_owned());
    assert_eq!(steps, [by("sp_key.activate"), by("sp_key.drop"), by("sp_key.generate_next")], "{steps:?}");
    let count = |a: &str| rows.iter().filter(|r| r.try_get::<String>("", "action").unwrap() == a).count();
    assert_eq!((count("sp_key.generate_next"), count("sp_key.activate"), count("sp_key.drop")), (3, 3, 1));

    // Without a KEK there is nothing to roll over.
    let e = ctx.identity.generate_next_sp_key(&operator(), SpKeyRole::Signing, Duration::zero()).await.unwrap_err();
    assert!(matches!(e, Error::Conflict { .. }), "{e:?}");
});

/// Verifies a Redirect-binding query signature (of a SAMLRequest or a SAMLResponse) with
/// Python's `cryptography` and the PEM certificate, over the octets SAML bindings §3.4.4.1 names.
fn python_verifies(redirect_url: &str, certificate_pem: &str) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("sp.pem");
    std::fs::write(&cert, certificate_pem).unwrap();
    let script = r#"
import base64, sys, urllib.parse
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
url, cert = sys.argv[1], sys.argv[2]
query = url.split("?", 1)[1]
parts = dict(p.split("=", 1) for p in query.split("&"))
param = "SAMLRequest" if "SAMLRequest" in parts else "SAMLResponse"
octets = param + "=" + parts[param]
if "RelayState" in parts:
    octets += "&RelayState=" + parts["RelayState"]
octets += "&SigAlg=" + parts["SigAlg"]
assert urllib.parse.unquote(parts["SigAlg"]) == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
sig = base64.b64decode(urllib.parse.unquote(parts["Signature"]))
key = x509.load_pem_x509_certificate(open(cert, "rb").read()).public_key()
key.verify(sig, octets.encode(), padding.PKCS1v15(), hashes.SHA256())
print("VERIFIED")
"#;
    let out = Command::new("python3").arg("-c").arg(script).arg(redirect_url).arg(&cert).output().unwrap();
    String::from_utf8_lossy(&out.stdout).contains("VERIFIED")
}

both_backends!(signed_authn_requests_follow_the_tenant_setting_and_verify_independently, |db| async move {
    let mut w = World::new(db).await;
    // Without SP keys the setting cannot be turned on.
    let e = w
        .id()
        .update_sso_connection(&w.scope, SsoConnectionInput { sign_authn_requests: Some(true), ..entra_connection() })
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), ["signAuthnRequests"]);
    let e = w
        .id()
        .update_sso_connection(
            &w.scope,
            SsoConnectionInput { require_encrypted_assertions: Some(true), ..entra_connection() },
        )
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), ["requireEncryptedAssertions"]);

    w.ctx.identity = w.ctx.identity.clone().with_sp_key_policy(policy(&KeyEncryptionKey::generate()));
    w.id().load_sp_keys().await.unwrap();
    let unsigned = w.id().start_sso(&w.contoso.slug, Some("/x"), Some(ALICE)).await.unwrap();
    assert!(query_param(&unsigned.redirect_url, "Signature").is_none(), "off by default");
    assert!(w.id().sp_metadata_xml(Some("contoso")).await.unwrap().contains("AuthnRequestsSigned=\"false\""));

    w.reconfigure(|c| c.sign_authn_requests = Some(true)).await;
    let saved = w.id().sso_connection(&w.scope).await.unwrap();
    assert!(saved.sign_authn_requests);
    let signed = w.id().start_sso(&w.contoso.slug, Some("/x"), Some(ALICE)).await.unwrap();
    let signing_pem = w
        .id()
        .sp_certificates()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.role == SpKeyRole::Signing && c.state == SpKeyState::Active)
        .unwrap()
        .certificate_pem;
    assert!(python_verifies(&signed.redirect_url, &signing_pem), "{}", signed.redirect_url);
    // A changed request breaks it (the verifier is not a rubber stamp).
    let at = signed.redirect_url.find("SAMLRequest=").unwrap() + "SAMLRequest=".len() + 20;
    let mut tampered = signed.redirect_url.clone();
    let swapped = if &tampered[at..=at] == "A" { "B" } else { "A" };
    tampered.replace_range(at..=at, swapped);
    assert_ne!(tampered, signed.redirect_url);
    assert!(!python_verifies(&tampered, &signing_pem));
    // The per-tenant metadata now says so; the global one cannot.
    assert!(w.id().sp_metadata_xml(Some("contoso")).await.unwrap().contains("AuthnRequestsSigned=\"true\""));
    assert!(w.id().sp_metadata_xml(None).await.unwrap().contains("AuthnRequestsSigned=\"false\""));
    assert!(matches!(w.id().sp_metadata_xml(Some("nobody")).await, Err(Error::NotFound { .. })));
});

/// `fixture`'s Assertion encrypted to `certificate_pem` by the independent encrypter.
fn encrypted(fixture_name: &str, certificate_pem: &str, args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("enc.pem");
    std::fs::write(&cert, certificate_pem).unwrap();
    let fixtures = format!("{}/../saml/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("python3")
        .arg(format!("{fixtures}/encrypt.py"))
        .arg(format!("{fixtures}/responses/{fixture_name}.xml"))
        .arg(&cert)
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

both_backends!(encrypted_assertions_through_the_acs, |db| async move {
    let mut w = World::new(db).await;
    w.ctx.identity = w.ctx.identity.clone().with_sp_key_policy(policy(&KeyEncryptionKey::generate()));
    w.id().load_sp_keys().await.unwrap();
    let encryption_pem = w
        .id()
        .sp_certificates()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.role == SpKeyRole::Encryption)
        .unwrap()
        .certificate_pem;

    // Encrypted (AES-256-GCM, RSA-OAEP) → signed in.
    w.start(None).await;
    let b64 = encrypted("entra_assertion_signed", &encryption_pem, &[]);
    handle(w.id().consume_saml_response(&b64, None, &w.meta).await);

    // A flipped bit → its own reason code in the sign-in log.
    w.start(None).await;
    let b64 = encrypted("entra_second_sign_in", &encryption_pem, &["--tamper", "bitflip"]);
    let r = refusal(w.id().consume_saml_response(&b64, None, &w.meta).await);
    assert_eq!(r.reason.as_str(), "decryption_failed");
    assert_eq!(w.events().await[0].reason_code, "decryption_failed");

    // Required: a plain assertion is refused with its reason; an encrypted one still passes
    // (a refusal leaves the sign-in pending).
    w.reconfigure(|c| c.require_encrypted_assertions = Some(true)).await;
    let r = refusal(w.acs("entra_second_sign_in", None).await);
    assert_eq!(r.reason.as_str(), "encryption_required");
    let b64 = encrypted("entra_second_sign_in", &encryption_pem, &["--content", "aes128-cbc", "--transport", "oaep11"]);
    handle(w.id().consume_saml_response(&b64, None, &w.meta).await);
    assert!(SignInReason::parse("encryption_required").is_some() && SignInReason::parse("decryption_failed").is_some());
});

both_backends!(logout_requests_are_signed_whenever_a_key_exists, |db| async move {
    let mut w = World::new(db).await;
    w.ctx.identity = w.ctx.identity.clone().with_sp_key_policy(policy(&KeyEncryptionKey::generate()));
    w.id().load_sp_keys().await.unwrap();
    let session = w.sign_in().await.signed_in.session_token;
    let url = w.id().sign_out_everywhere(&session).await.unwrap().expect("a LogoutRequest");
    assert!(query_param(&url, "RelayState").is_some(), "{url}");
    let signing_pem = w
        .id()
        .sp_certificates()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.role == SpKeyRole::Signing)
        .unwrap()
        .certificate_pem;
    assert!(python_verifies(&url, &signing_pem), "{url}");

    // The LogoutResponse answering the IdP's LogoutRequest is signed too.
    w.sign_in_with("entra_second_sign_in").await;
    let answer = w.id().idp_logout(&logout_query("entra_logout_request_signed")).await.unwrap();
    assert!(query_param(&answer, "SAMLResponse").is_some() && query_param(&answer, "Signature").is_some());
    assert!(python_verifies(&answer, &signing_pem), "{answer}");
    let other = certificate("not ours", start(), 30);
    assert!(!python_verifies(&answer, &other), "the verifier can fail");
});
