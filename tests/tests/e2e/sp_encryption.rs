//! Issue 12 end to end: encrypted assertions through the real binary. The test IdP's signed
//! Response is encrypted by the independent encrypter (`crates/saml/tests/fixtures/encrypt.py`,
//! Python's `cryptography`: RSA-OAEP key transport, AES-GCM content) to the encryption
//! certificate Gatehouse publishes in `/saml2/metadata`, the way Entra's token encryption does.
//! A tenant that requires encryption refuses a plain assertion, accepts the encrypted one, and
//! keeps signing people in through an encryption-key rollover — on SQLite and PostgreSQL.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use gatehouse_e2e::*;
use gatehouse_test_support::both_backends;
use serde_json::json;

use crate::sp_signing::world_with_sp_keys_and;
use crate::sso::*;

/// The encryption certificates `/saml2/metadata` publishes, as PEM.
async fn encryption_certificates(w: &World) -> Vec<String> {
    let xml =
        reqwest::get(format!("{}/saml2/metadata?tenant=contoso", w.server.base)).await.unwrap().text().await.unwrap();
    xml.split("<md:KeyDescriptor use=\"encryption\">")
        .skip(1)
        .map(|part| {
            let start = part.find("X509Certificate>").unwrap() + "X509Certificate>".len();
            let end = start + part[start..].find('<').unwrap();
            let body: String = part[start..end].split_whitespace().collect();
            let lines: Vec<&str> = body.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap()).collect();
            format!("-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n", lines.join("\n"))
        })
        .collect()
}

/// `saml_response` (Base64) with its Assertion encrypted to `certificate_pem` by the
/// independent encrypter; `extra` passes its options (e.g. `--tamper bitflip`).
fn encrypted(saml_response: &str, certificate_pem: &str, extra: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let (xml, cert) = (dir.path().join("response.xml"), dir.path().join("sp-encryption.pem"));
    std::fs::write(&xml, B64.decode(saml_response).unwrap()).unwrap();
    std::fs::write(&cert, certificate_pem).unwrap();
    let script = format!("{}/../crates/saml/tests/fixtures/encrypt.py", env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new("python3").arg(script).arg(&xml).arg(&cert).args(extra).output().unwrap();
    assert!(out.status.success(), "encrypt.py: {}", String::from_utf8_lossy(&out.stderr));
    let b64 = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let decoded = String::from_utf8(B64.decode(&b64).unwrap()).unwrap();
    assert!(decoded.contains("EncryptedAssertion") && !decoded.contains("<saml:Assertion"), "{decoded}");
    b64
}

/// A fresh IdP-initiated Response for Ada, signed by the test IdP.
async fn fresh_response(w: &World) -> String {
    let acs = format!("{}/saml2", w.server.base);
    let resp = w.idp.response(&[("user", "ada@shared.example"), ("acs", &acs)]).await;
    resp["SAMLResponse"].as_str().unwrap().to_owned()
}

/// Posts `saml_response` as a new browser; on 200, finishes the hand-over and checks Ada is
/// signed in to contoso.
async fn sign_in_with(w: &World, saml_response: &str) -> u16 {
    let browser = Client::new(&w.server.base);
    let (status, html) = post_acs(&browser, saml_response, None).await;
    if status == 200 {
        assert_eq!(complete(&browser, &html).await.0, 303, "{html}");
        assert_eq!(me(&browser).await["tenant"]["slug"], "contoso");
    }
    status
}

both_backends!(encrypted_assertions_through_the_binary_and_an_encryption_key_rollover, |db| async move {
    let w = world_with_sp_keys_and(&db, "requireEncryptedAssertions").await;
    let certs = encryption_certificates(&w).await;
    assert_eq!(certs.len(), 1, "one encryption certificate published");

    // A plain (signed, unencrypted) assertion is refused, and the log says why.
    assert_eq!(sign_in_with(&w, &fresh_response(&w).await).await, 403);
    assert_eq!(last_event(&w.admin_a).await["reasonCode"], "encryption_required");

    // Encrypted to the published certificate: signed in.
    assert_eq!(sign_in_with(&w, &encrypted(&fresh_response(&w).await, &certs[0], &[])).await, 200);
    assert_eq!(last_event(&w.admin_a).await["success"], true);
    // AES-CBC content (older IdPs) works too.
    let cbc = encrypted(&fresh_response(&w).await, &certs[0], &["--content", "aes256-cbc"]);
    assert_eq!(sign_in_with(&w, &cbc).await, 200);

    // One bit of the ciphertext changed: refused, and nothing is signed in.
    let tampered = encrypted(&fresh_response(&w).await, &certs[0], &["--tamper", "bitflip"]);
    assert_eq!(sign_in_with(&w, &tampered).await, 403);
    assert_eq!(last_event(&w.admin_a).await["reasonCode"], "decryption_failed");

    // Rollover: the next encryption key is published at once; an IdP that already encrypts to
    // it and one that still uses the old certificate both sign people in.
    let ops = Client::new(&w.server.base);
    ops.sign_in("admin@gatehouse.local", OP_PASSWORD, None).await;
    let r = ops
        .gql("mutation { generateNextSpKey(role: ENCRYPTION, overlapHours: 0) { fingerprintSha256 } }", json!({}))
        .await;
    assert!(r["errors"].is_null(), "{r}");
    let both = encryption_certificates(&w).await;
    assert_eq!(both.len(), 2, "the next encryption certificate is published beside the active one");
    let next = both.iter().find(|c| **c != certs[0]).unwrap().clone();
    assert_eq!(sign_in_with(&w, &encrypted(&fresh_response(&w).await, &next, &[])).await, 200);
    assert_eq!(sign_in_with(&w, &encrypted(&fresh_response(&w).await, &certs[0], &[])).await, 200);
    let r =
        ops.gql("mutation { activateNextSpKey(role: ENCRYPTION, force: true) { fingerprintSha256 } }", json!({})).await;
    assert!(r["errors"].is_null(), "{r}");
    assert_eq!(sign_in_with(&w, &encrypted(&fresh_response(&w).await, &next, &[])).await, 200);
});
