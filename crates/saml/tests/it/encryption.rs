//! Encrypted assertions made by an independent encrypter (`fixtures/encrypt.py`, Python's
//! `cryptography`): decrypted with the SP encryption key, then validated exactly like a plain
//! Assertion; tampered, mis-keyed or unsigned-inside ones are refused with their reason codes.

use std::process::Command;

use gatehouse_saml::ReasonCode;
use gatehouse_saml::response::{ResponsePolicy, peek_response, validate_response};
use gatehouse_saml::sp_keys::{DecryptionKey, KeyAlgorithm, generate_key};

use crate::support::*;

/// The test SP key (`keys/sp.key`) as an encryption key.
fn sp_decryption_key() -> DecryptionKey {
    let key = openssl::pkey::PKey::private_key_from_pem(&fixture_bytes("keys/sp.key")).unwrap();
    let cert = openssl::x509::X509::from_pem(&fixture_bytes("keys/sp.crt")).unwrap();
    DecryptionKey::from_der(
        &key.private_key_to_pkcs8().unwrap(),
        &cert.to_der().unwrap(),
    )
    .unwrap()
}

/// `fixture` with its Assertion encrypted to `cert` by the independent encrypter.
fn encrypted(fixture: &str, cert: &str, args: &[&str]) -> String {
    let out = Command::new("python3")
        .arg(fixture_path("encrypt.py"))
        .arg(fixture_path(&format!("responses/{fixture}.xml")))
        .arg(fixture_path(&format!("keys/{cert}.crt")))
        .args(args)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "encrypt.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn policy() -> ResponsePolicy {
    let mut policy = entra_policy();
    policy.decryption_keys = vec![sp_decryption_key()];
    policy
}

#[test]
fn every_accepted_algorithm_combination_decrypts_and_validates() {
    let plain =
        validate_response(&response_b64("entra_assertion_signed"), &entra_policy()).unwrap();
    for content in ["aes128-gcm", "aes256-gcm", "aes128-cbc", "aes256-cbc"] {
        for transport in [
            &["--transport", "mgf1p"][..],
            &["--transport", "mgf1p", "--digest", "sha256"],
            &[
                "--transport",
                "oaep11",
                "--digest",
                "sha256",
                "--mgf",
                "sha256",
            ],
            &["--transport", "oaep11"],
        ] {
            for placement in ["keyinfo", "sibling"] {
                let mut args = vec!["--content", content, "--key-placement", placement];
                args.extend_from_slice(transport);
                let b64 = encrypted("entra_assertion_signed", "sp", &args);
                let validated = validate_response(&b64, &policy())
                    .unwrap_or_else(|e| panic!("{content} {transport:?} {placement}: {e}"));
                assert_eq!(validated, plain, "{content} {transport:?} {placement}");
            }
        }
    }
}

/// The peek says which Responses carry an encrypted assertion (the ACS validates those on
/// the blocking pool) and still routes them by the Response's Issuer.
#[test]
fn the_peek_tells_an_encrypted_response_from_a_plain_one() {
    let plain = peek_response(&response_b64("entra_assertion_signed")).unwrap();
    assert!(!plain.encrypted);
    let encrypted = peek_response(&encrypted("entra_assertion_signed", "sp", &[])).unwrap();
    assert!(encrypted.encrypted);
    assert_eq!(encrypted.issuer, plain.issuer);
}

#[test]
fn the_decrypted_assertion_gets_every_check_of_a_plain_one() {
    // Signature still verified: unsigned inside is refused.
    let b64 = encrypted("unsigned", "sp", &[]);
    assert_eq!(
        validate_response(&b64, &policy()).unwrap_err().reason,
        ReasonCode::SignatureMissing
    );
    // Content changed after signing, then encrypted: still a digest mismatch.
    let b64 = encrypted("digest_mismatch", "sp", &[]);
    assert_eq!(
        validate_response(&b64, &policy()).unwrap_err().reason,
        ReasonCode::DigestMismatch
    );
    // Another tenant's certificate: the signature does not verify with ours.
    let b64 = encrypted("untrusted_key", "sp", &[]);
    assert_eq!(
        validate_response(&b64, &policy()).unwrap_err().reason,
        ReasonCode::UntrustedKey
    );
    // Audience and timing are the plain path's.
    let b64 = encrypted("audience_other", "sp", &[]);
    assert_eq!(
        validate_response(&b64, &policy()).unwrap_err().reason,
        ReasonCode::AudienceMismatch
    );
    let b64 = encrypted("conditions_expired", "sp", &[]);
    assert_eq!(
        validate_response(&b64, &policy()).unwrap_err().reason,
        ReasonCode::Expired
    );
    // A DOCTYPE hidden inside the ciphertext is refused like one outside.
    let b64 = encrypted("doctype", "sp", &[]);
    assert!(validate_response(&b64, &policy()).is_err());
}

#[test]
fn tampered_and_mis_keyed_ciphertexts_are_decryption_failures() {
    for (args, what) in [
        (&["--tamper", "bitflip"][..], "a flipped bit (GCM)"),
        (
            &["--tamper", "bitflip", "--content", "aes256-cbc"],
            "a flipped bit (CBC)",
        ),
        (&["--tamper", "swapkey"], "another message's EncryptedKey"),
    ] {
        let err = validate_response(&encrypted("entra_assertion_signed", "sp", args), &policy())
            .unwrap_err();
        assert!(
            matches!(
                err.reason,
                ReasonCode::DecryptionFailed
                    | ReasonCode::Malformed
                    | ReasonCode::SignatureInvalid
                    | ReasonCode::DigestMismatch
            ),
            "{what}: {err}"
        );
        assert!(
            !err.detail.contains("openssl") && !err.detail.contains("error:"),
            "{what}: {err}"
        );
    }
    // GCM refuses any change outright.
    let err = validate_response(
        &encrypted("entra_assertion_signed", "sp", &["--tamper", "bitflip"]),
        &policy(),
    )
    .unwrap_err();
    assert_eq!(err.reason, ReasonCode::DecryptionFailed);
    let err = validate_response(
        &encrypted("entra_assertion_signed", "sp", &["--tamper", "swapkey"]),
        &policy(),
    )
    .unwrap_err();
    assert_eq!(err.reason, ReasonCode::DecryptionFailed);
    // Encrypted to another certificate (the IdP's own): none of our keys opens it.
    let err =
        validate_response(&encrypted("entra_assertion_signed", "idp", &[]), &policy()).unwrap_err();
    assert_eq!(err.reason, ReasonCode::DecryptionFailed);
    assert!(err.detail.contains("could not be decrypted"), "{err}");
    // A decoy EncryptedKey before the right one: keys are tried, bounded.
    validate_response(
        &encrypted("entra_assertion_signed", "sp", &["--tamper", "twokeys"]),
        &policy(),
    )
    .unwrap();
}

#[test]
fn rollover_any_published_encryption_key_decrypts() {
    let next = generate_key(KeyAlgorithm::Rsa3072, "next", now(), 30).unwrap();
    let next = DecryptionKey::from_der(&next.private_key_der, &next.certificate.der).unwrap();
    let mut policy = policy();
    policy.decryption_keys.insert(0, next);
    validate_response(&encrypted("entra_assertion_signed", "sp", &[]), &policy).unwrap();
}

#[test]
fn require_encrypted_refuses_plain_and_accepts_encrypted() {
    let mut policy = policy();
    policy.require_encrypted = true;
    let err = validate_response(&response_b64("entra_assertion_signed"), &policy).unwrap_err();
    assert_eq!(err.reason, ReasonCode::EncryptionRequired);
    validate_response(&encrypted("entra_assertion_signed", "sp", &[]), &policy).unwrap();
}

#[test]
fn refused_algorithms_and_shapes() {
    let b64 = encrypted("entra_assertion_signed", "sp", &[]);
    let xml = String::from_utf8(base64_decode(&b64)).unwrap();
    let weak = xml.replace("xmlenc#rsa-oaep-mgf1p", "xmlenc#rsa-1_5");
    let err = validate_response(&base64_encode(&weak), &policy()).unwrap_err();
    assert_eq!(err.reason, ReasonCode::EncryptionAlgorithm);
    let tripledes = xml.replace("xmlenc11#aes256-gcm", "xmlenc#tripledes-cbc");
    let err = validate_response(&base64_encode(&tripledes), &policy()).unwrap_err();
    assert_eq!(err.reason, ReasonCode::EncryptionAlgorithm);
    // No SP encryption key at all.
    let err = validate_response(&b64, &entra_policy()).unwrap_err();
    assert_eq!(err.reason, ReasonCode::EncryptedUnsupported);
    // Too many EncryptedKeys (the bound).
    let ek_start = xml.find("<xenc:EncryptedKey").unwrap();
    let ek_end = xml.find("</xenc:EncryptedKey>").unwrap() + "</xenc:EncryptedKey>".len();
    let ek = &xml[ek_start..ek_end];
    let many = xml.replacen(ek, &ek.repeat(5), 1);
    let err = validate_response(&base64_encode(&many), &policy()).unwrap_err();
    assert_eq!(err.reason, ReasonCode::TooLarge);
    // An encrypted and a plain Assertion side by side.
    let plain = String::from_utf8(base64_decode(&response_b64("entra_assertion_signed"))).unwrap();
    let assertion_start = plain.find("<Assertion ").unwrap();
    let assertion_end = plain.find("</Assertion>").unwrap() + "</Assertion>".len();
    let both = xml.replacen(
        "</samlp:Response>",
        &format!(
            "{}</samlp:Response>",
            &plain[assertion_start..assertion_end]
        ),
        1,
    );
    let err = validate_response(&base64_encode(&both), &policy()).unwrap_err();
    assert!(
        matches!(
            err.reason,
            ReasonCode::AssertionCount | ReasonCode::DuplicateId
        ),
        "{err}"
    );
    // The size limit holds for the encrypted message (the decrypted one is checked too).
    let mut small = policy();
    small.max_size = xml.len() - 1;
    let err = validate_response(&b64, &small).unwrap_err();
    assert_eq!(err.reason, ReasonCode::TooLarge, "{err}");
}

fn base64_decode(b64: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap()
}

fn base64_encode(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}
