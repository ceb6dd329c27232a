//! Response validation against the xmlsec1-signed corpus (tests/fixtures/generate.py).

use crate::support::*;
use base64::Engine as _;
use gatehouse_saml::ReasonCode;
use gatehouse_saml::response::{ResponsePolicy, peek_response, validate_response};

fn reject(name: &str, policy: &ResponsePolicy) -> gatehouse_saml::ValidationError {
    match validate_response(&response_b64(name), policy) {
        Ok(v) => panic!("{name} was accepted: {v:?}"),
        Err(e) => e,
    }
}

fn assert_reason(name: &str, reason: ReasonCode) {
    let err = reject(name, &entra_policy());
    assert_eq!(err.reason, reason, "{name}: {err}");
    assert!(!err.detail.is_empty());
}

// ---- accepted -------------------------------------------------------------------------------

#[test]
fn entra_assertion_signed_default_mode() {
    let v = validate_response(&response_b64("entra_assertion_signed"), &entra_policy()).unwrap();
    assert_eq!(v.name_id, "alice@contoso.com");
    assert_eq!(
        v.name_id_format.as_deref(),
        Some("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress")
    );
    assert_eq!(v.issuer, ENTRA_ISSUER);
    assert_eq!(v.assertion_id, "_a5d1bb2c-3f4e-4d5c-8b7a-6c5d4e3f2a10");
    assert_eq!(
        v.session_index.as_deref(),
        Some("_c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f")
    );
    assert_eq!(v.in_response_to.as_deref(), Some(REQUEST_ID));
    assert_eq!(v.certificate_fingerprint, cert("idp").fingerprint_sha256);
    assert_eq!(
        v.attributes["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"],
        vec!["alice@contoso.com"]
    );
    assert_eq!(
        v.attributes["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"],
        vec!["alice@contoso.com"]
    );
    assert_eq!(
        v.attributes["http://schemas.microsoft.com/identity/claims/tenantid"],
        vec!["72f988bf-86f1-41af-91ab-2d7cd011db47"]
    );
    assert_eq!(
        v.attributes["http://schemas.microsoft.com/identity/claims/objectidentifier"],
        vec!["0b3c1f2e-5d4a-4c3b-9a8f-7e6d5c4b3a21"]
    );
    assert_eq!(
        v.attributes["http://schemas.microsoft.com/ws/2008/06/identity/claims/groups"].len(),
        2
    );
    assert_eq!(
        v.authn_instant.unwrap().to_rfc3339(),
        "2030-01-01T09:59:58+00:00"
    );
    assert_eq!(v.issue_instant.to_rfc3339(), "2030-01-01T10:00:00+00:00");
    // Subject confirmation ends at T0+5 min; the replay cache must hold it past that + skew.
    assert_eq!(v.not_on_or_after.to_rfc3339(), "2030-01-01T10:08:00+00:00");
}

#[test]
fn entra_response_signed_mode() {
    let v = validate_response(&response_b64("entra_response_signed"), &entra_policy()).unwrap();
    assert_eq!(v.name_id, "alice@contoso.com");
}

#[test]
fn entra_both_signed_mode() {
    let v = validate_response(&response_b64("entra_both_signed"), &entra_policy()).unwrap();
    assert_eq!(v.name_id, "alice@contoso.com");
}

#[test]
fn okta_shaped_response() {
    let mut policy = entra_policy();
    policy.expected_issuer = OKTA_ISSUER.into();
    let v = validate_response(&response_b64("okta"), &policy).unwrap();
    assert_eq!(v.name_id, "bob@example.org");
    assert_eq!(
        v.attributes["groups"],
        vec!["Everyone", "Engineering & Ops"]
    );
    assert_eq!(v.attributes["email"], vec!["bob@example.org"]);
}

#[test]
fn google_shaped_response() {
    let mut policy = entra_policy();
    policy.expected_issuer = GOOGLE_ISSUER.into();
    let v = validate_response(&response_b64("google"), &policy).unwrap();
    assert_eq!(v.name_id, "carol@example.net");
    assert_eq!(v.attributes["department"], vec!["Research"]);
}

#[test]
fn rollover_tries_every_configured_certificate_and_reports_which_verified() {
    let mut policy = entra_policy();
    policy.certificates = vec![cert("idp"), cert("idp2")];
    let v = validate_response(&response_b64("entra_rollover_idp2"), &policy).unwrap();
    assert_eq!(v.certificate_fingerprint, cert("idp2").fingerprint_sha256);
}

#[test]
fn ecdsa_signature_is_accepted() {
    let mut policy = entra_policy();
    policy.certificates = vec![cert("idp-ec")];
    validate_response(&response_b64("ecdsa_signed"), &policy).unwrap();
}

#[test]
fn destination_is_optional() {
    validate_response(&response_b64("no_destination"), &entra_policy()).unwrap();
}

#[test]
fn idp_initiated_when_allowed() {
    let mut policy = entra_policy();
    policy.expected_in_response_to = None;
    policy.allow_unsolicited = true;
    let v = validate_response(&response_b64("entra_unsolicited"), &policy).unwrap();
    assert_eq!(v.in_response_to, None);
}

#[test]
fn comment_in_name_id_never_truncates_it() {
    let v = validate_response(&response_b64("comment_in_nameid"), &entra_policy()).unwrap();
    assert_eq!(v.name_id, "alice@contoso.com.evil.example");
}

#[test]
fn whitespace_in_base64_is_tolerated() {
    let wrapped: String = response_b64("entra_assertion_signed")
        .as_bytes()
        .chunks(76)
        .map(|c| format!("{}\r\n", std::str::from_utf8(c).unwrap()))
        .collect();
    validate_response(&wrapped, &entra_policy()).unwrap();
}

#[test]
fn clock_skew_is_honoured_at_both_ends() {
    // Subject confirmation ends at 10:05; with 3 minutes of skew 10:07:59 still passes.
    let mut policy = entra_policy();
    policy.max_issue_age = chrono::Duration::minutes(10);
    policy.now = chrono::DateTime::parse_from_rfc3339("2030-01-01T10:07:59Z")
        .unwrap()
        .into();
    validate_response(&response_b64("entra_assertion_signed"), &policy).unwrap();
    policy.now = chrono::DateTime::parse_from_rfc3339("2030-01-01T10:08:00Z")
        .unwrap()
        .into();
    assert_eq!(
        validate_response(&response_b64("entra_assertion_signed"), &policy)
            .unwrap_err()
            .reason,
        ReasonCode::SubjectExpired
    );
    // Issued at 10:00: an SP clock 2m59s behind still accepts it, 3m01s behind refuses.
    policy.now = chrono::DateTime::parse_from_rfc3339("2030-01-01T09:57:01Z")
        .unwrap()
        .into();
    validate_response(&response_b64("entra_assertion_signed"), &policy).unwrap();
    policy.now = chrono::DateTime::parse_from_rfc3339("2030-01-01T09:56:59Z")
        .unwrap()
        .into();
    assert_eq!(
        validate_response(&response_b64("entra_assertion_signed"), &policy)
            .unwrap_err()
            .reason,
        ReasonCode::IssueInstant
    );
}

// ---- refused: configuration and signatures --------------------------------------------------

#[test]
fn no_certificate_fails_closed() {
    let mut policy = entra_policy();
    policy.certificates.clear();
    let err = reject("entra_assertion_signed", &policy);
    assert_eq!(err.reason, ReasonCode::NoCertificate);
}

#[test]
fn unsigned_is_refused() {
    assert_reason("unsigned", ReasonCode::SignatureMissing);
}

#[test]
fn embedded_keyinfo_certificate_is_never_trusted() {
    let err = reject("untrusted_key", &entra_policy());
    assert_eq!(err.reason, ReasonCode::UntrustedKey);
    assert!(
        err.detail.contains(&cert("attacker").fingerprint_sha256),
        "{err}"
    );
    assert!(
        err.detail.contains(&cert("idp").fingerprint_sha256),
        "{err}"
    );
}

#[test]
fn rollover_certificate_not_yet_configured_is_reported_as_untrusted_key() {
    assert_reason("entra_rollover_idp2", ReasonCode::UntrustedKey);
}

#[test]
fn forged_signature_with_genuine_keyinfo_is_invalid() {
    assert_reason("forged_keyinfo", ReasonCode::SignatureInvalid);
}

#[test]
fn content_changed_after_signing_is_a_digest_mismatch() {
    assert_reason("digest_mismatch", ReasonCode::DigestMismatch);
}

#[test]
fn sha1_and_hmac_are_weak() {
    assert_reason("rsa_sha1", ReasonCode::WeakAlgorithm);
    assert_reason("sha1_digest", ReasonCode::WeakAlgorithm);
    assert_reason("hmac_with_certificate_as_key", ReasonCode::WeakAlgorithm);
}

// ---- refused: input guards ------------------------------------------------------------------

#[test]
fn doctype_is_refused_before_parsing() {
    assert_reason("doctype", ReasonCode::DoctypeForbidden);
}

#[test]
fn oversized_input_is_refused() {
    let mut policy = entra_policy();
    policy.max_size = 4096;
    assert_eq!(
        reject("entra_assertion_signed", &policy).reason,
        ReasonCode::TooLarge
    );
    let huge = "A".repeat(policy.max_size * 3);
    assert_eq!(
        validate_response(&huge, &policy).unwrap_err().reason,
        ReasonCode::TooLarge
    );
}

#[test]
fn malformed_base64_and_xml_are_refused() {
    let policy = entra_policy();
    for input in ["%%%not base64%%%", "", "PGE+"] {
        let err = validate_response(input, &policy).unwrap_err();
        assert_eq!(err.reason, ReasonCode::Malformed, "{input}: {err}");
    }
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    for xml in [
        "<samlp:Response xmlns:samlp='urn:oasis:names:tc:SAML:2.0:protocol'>",
        "<Response/>",
        "<?xml version='1.0' encoding='UTF-16'?><Response/>",
    ] {
        let err = validate_response(&b64(xml), &policy).unwrap_err();
        assert_eq!(err.reason, ReasonCode::Malformed, "{xml}: {err}");
    }
}

// ---- refused: structure ---------------------------------------------------------------------

#[test]
fn every_xsw_form_is_wrapping() {
    for name in [
        "xsw1",
        "xsw2",
        "xsw3",
        "xsw3_same_id",
        "xsw4",
        "xsw5",
        "xsw6",
        "xsw7",
        "xsw8",
    ] {
        assert_reason(name, ReasonCode::Wrapping);
    }
}

#[test]
fn duplicate_ids_are_refused() {
    assert_reason("duplicate_id", ReasonCode::DuplicateId);
}

#[test]
fn assertion_hidden_in_error_response_signature_is_wrapping() {
    assert_reason("assertion_in_error_signature", ReasonCode::Wrapping);
}

#[test]
fn exactly_one_assertion() {
    assert_reason("two_assertions", ReasonCode::AssertionCount);
    assert_reason("no_assertion_success", ReasonCode::AssertionCount);
}

#[test]
fn encrypted_assertions_without_an_sp_encryption_key_are_refused() {
    let err = reject("encrypted_assertion", &entra_policy());
    assert_eq!(err.reason, ReasonCode::EncryptedUnsupported);
    assert!(err.detail.contains("no SP encryption key"), "{err}");
}

#[test]
fn non_success_status_reports_code_and_message() {
    let err = reject("status_error_entra", &entra_policy());
    assert_eq!(err.reason, ReasonCode::StatusNotSuccess);
    assert!(err.detail.contains("Requester"), "{err}");
    assert!(err.detail.contains("RequestUnsupported"), "{err}");
    assert!(err.detail.contains("AADSTS75011"), "{err}");
}

// ---- refused: policy ------------------------------------------------------------------------

#[test]
fn issuer_must_match_on_assertion_and_response() {
    let err = reject("issuer_other_tenant", &entra_policy());
    assert_eq!(err.reason, ReasonCode::IssuerMismatch);
    assert!(err.detail.contains("00000000-1111"), "{err}");
    assert!(err.detail.contains(ENTRA_ISSUER), "{err}");
    assert_reason("response_issuer_differs", ReasonCode::IssuerMismatch);
}

#[test]
fn audience_must_be_us() {
    assert_reason("audience_other", ReasonCode::AudienceMismatch);
    assert_reason("audience_missing", ReasonCode::AudienceMismatch);
}

#[test]
fn destination_and_recipient_must_be_the_acs() {
    assert_reason("destination_other", ReasonCode::DestinationMismatch);
    assert_reason("recipient_other", ReasonCode::RecipientMismatch);
}

#[test]
fn validity_windows() {
    assert_reason("subject_expired", ReasonCode::SubjectExpired);
    assert_reason("not_yet_valid", ReasonCode::NotYetValid);
    assert_reason("conditions_expired", ReasonCode::Expired);
    assert_reason("issue_instant_future", ReasonCode::IssueInstant);
    assert_reason("issue_instant_old", ReasonCode::IssueInstant);
}

#[test]
fn in_response_to_must_be_the_pending_request() {
    let mut policy = entra_policy();
    policy.expected_in_response_to = Some("_someotherrequest".into());
    let err = reject("entra_assertion_signed", &policy);
    assert_eq!(err.reason, ReasonCode::InResponseToMismatch);
    assert!(err.detail.contains("_someotherrequest") && err.detail.contains(REQUEST_ID));
    // A solicited Response arriving when no request is pending.
    policy.expected_in_response_to = None;
    policy.allow_unsolicited = true;
    assert_eq!(
        reject("entra_assertion_signed", &policy).reason,
        ReasonCode::InResponseToMismatch
    );
    // An unsolicited Response when a request is pending.
    policy.expected_in_response_to = Some(REQUEST_ID.into());
    assert_eq!(
        reject("entra_unsolicited", &policy).reason,
        ReasonCode::InResponseToMismatch
    );
}

#[test]
fn unsolicited_refused_unless_allowed() {
    let mut policy = entra_policy();
    policy.expected_in_response_to = None;
    policy.allow_unsolicited = false;
    assert_eq!(
        reject("entra_unsolicited", &policy).reason,
        ReasonCode::Unsolicited
    );
}

// ---- peek -----------------------------------------------------------------------------------

#[test]
fn peek_reads_issuer_and_request_without_verifying() {
    assert_eq!(
        peek_response(&response_b64("entra_assertion_signed"))
            .unwrap()
            .issuer,
        ENTRA_ISSUER
    );
    assert_eq!(
        peek_response(&response_b64("okta")).unwrap().issuer,
        OKTA_ISSUER
    );
    let peek = peek_response(&response_b64("google")).unwrap();
    assert_eq!(peek.issuer, GOOGLE_ISSUER);
    assert_eq!(peek.in_response_to.as_deref(), Some(REQUEST_ID));
    assert_eq!(
        peek_response(&response_b64("entra_unsolicited"))
            .unwrap()
            .in_response_to,
        None
    );
}

#[test]
fn peek_applies_the_same_guards() {
    assert_eq!(
        peek_response(&response_b64("doctype")).unwrap_err().reason,
        ReasonCode::DoctypeForbidden
    );
    assert_eq!(
        peek_response("***").unwrap_err().reason,
        ReasonCode::Malformed
    );
}

#[test]
fn errors_are_send_sync_and_display_reason_and_detail() {
    fn assert_traits<T: Send + Sync + 'static + std::error::Error>() {}
    assert_traits::<gatehouse_saml::ValidationError>();
    let err = reject("audience_other", &entra_policy());
    let shown = err.to_string();
    assert!(shown.starts_with("audience_mismatch: "), "{shown}");
    assert!(
        shown.contains("https://other-sp.example.com/saml2"),
        "{shown}"
    );
}

#[test]
fn public_types_are_send_and_sync() {
    fn assert_traits<T: Send + Sync + 'static>() {}
    assert_traits::<gatehouse_saml::response::ResponsePolicy>();
    assert_traits::<gatehouse_saml::response::ValidatedAssertion>();
    assert_traits::<gatehouse_saml::certificate::IdpCertificate>();
    assert_traits::<gatehouse_saml::sp::ServiceProvider>();
    assert_traits::<gatehouse_saml::metadata::IdpMetadata>();
}

#[test]
fn concurrent_validation_from_several_threads() {
    let policy = std::sync::Arc::new(entra_policy());
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let policy = policy.clone();
            std::thread::spawn(move || {
                let name = if i % 2 == 0 {
                    "entra_assertion_signed"
                } else {
                    "xsw5"
                };
                for _ in 0..10 {
                    let result = validate_response(&response_b64(name), &policy);
                    assert_eq!(result.is_ok(), i % 2 == 0, "{name}: {result:?}");
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
}

// ---- only signed values bind a Response to a pending request ---------------------------------

/// Someone else's unsolicited Assertion (signed alone, Entra's default) wrapped in a new
/// unsigned Response that names the attacker's own pending request.
#[test]
fn unsigned_in_response_to_around_an_unsolicited_assertion_is_refused() {
    let err = reject("irt_unsigned_wrap", &entra_policy());
    assert_eq!(err.reason, ReasonCode::InResponseToUnsigned, "{err}");
    assert!(err.detail.contains("not covered by a signature"), "{err}");
    // peek names the unsigned value (to find the pending request), validation refuses it.
    let peek = peek_response(&response_b64("irt_unsigned_wrap")).unwrap();
    assert_eq!(peek.in_response_to.as_deref(), Some(REQUEST_ID));
}

#[test]
fn unsigned_in_response_to_that_disagrees_with_the_signed_one_is_refused() {
    // The outer value names another request: refused whichever request is expected.
    let err = reject("irt_outer_differs", &entra_policy());
    assert_eq!(err.reason, ReasonCode::InResponseToUnsigned, "{err}");
    let mut policy = entra_policy();
    policy.expected_in_response_to = Some("_attacker00000000000000000000000000".into());
    let err = reject("irt_outer_differs", &policy);
    assert_eq!(err.reason, ReasonCode::InResponseToMismatch, "{err}");
    // peek prefers the signed SubjectConfirmationData's value.
    let peek = peek_response(&response_b64("irt_outer_differs")).unwrap();
    assert_eq!(peek.in_response_to.as_deref(), Some(REQUEST_ID));
}

#[test]
fn signed_response_in_response_to_still_binds() {
    // Response signed: its own InResponseTo is covered, and matches the SubjectConfirmationData.
    for name in ["entra_response_signed", "entra_both_signed", "okta"] {
        let mut policy = entra_policy();
        if name == "okta" {
            policy.expected_issuer = OKTA_ISSUER.into();
        }
        let v = validate_response(&response_b64(name), &policy);
        assert!(v.is_ok(), "{name}: {v:?}");
    }
}

// ---- key-strength floor --------------------------------------------------------------------

/// The 1024-bit certificate as it might have been stored before the floor existed.
fn weak_certificate() -> gatehouse_saml::certificate::IdpCertificate {
    let pem = fixture_bytes("keys/weak.crt");
    let der = openssl::x509::X509::from_pem(&pem)
        .unwrap()
        .to_der()
        .unwrap();
    gatehouse_saml::certificate::IdpCertificate {
        pem: String::from_utf8(pem).unwrap(),
        der,
        key_type: "RSA".into(),
        key_bits: 1024,
        ..cert("idp")
    }
}

#[test]
fn rsa_1024_certificate_never_verifies() {
    let mut policy = entra_policy();
    policy.certificates = vec![weak_certificate()];
    let err = reject("rsa1024_signed", &policy);
    assert_eq!(err.reason, ReasonCode::NoCertificate, "{err}");
    assert!(err.detail.contains("RSA 1024-bit"), "{err}");
    // Next to a strong certificate the weak one is ignored: its signatures are refused, the
    // strong one's still accepted.
    policy.certificates = vec![weak_certificate(), cert("idp")];
    assert!(validate_response(&response_b64("rsa1024_signed"), &policy).is_err());
    assert!(validate_response(&response_b64("entra_assertion_signed"), &policy).is_ok());
}

// ---- what an attacker sends is never presented as trustworthy ------------------------------

#[test]
fn status_message_is_labelled_unverified() {
    let err = reject("status_error_entra", &entra_policy());
    assert!(err.detail.contains("unsigned, not verified"), "{err}");
}

#[test]
fn embedded_certificate_is_labelled_unverified_and_never_offered_for_upload() {
    let err = reject("untrusted_key", &entra_policy());
    assert!(err.detail.contains("unverified"), "{err}");
    assert!(!err.detail.to_lowercase().contains("upload"), "{err}");
}

// ---- the cached key always belongs to the certificate's own bytes ----------------------------

/// A certificate assembled by hand from another one's fields carries that one's cached key;
/// verification must use the key of `der`, never the stale cache.
#[test]
fn verification_uses_the_key_of_the_certificate_bytes() {
    let idp2 = cert("idp2");
    let spliced = gatehouse_saml::certificate::IdpCertificate {
        der: idp2.der.clone(),
        pem: idp2.pem.clone(),
        fingerprint_sha256: idp2.fingerprint_sha256.clone(),
        ..cert("idp")
    };
    assert_ne!(spliced, cert("idp"));
    let mut policy = entra_policy();
    policy.certificates = vec![spliced];
    let err = reject("entra_assertion_signed", &policy);
    assert_eq!(err.reason, ReasonCode::UntrustedKey, "{err}");
    let v = validate_response(&response_b64("entra_rollover_idp2"), &policy).unwrap();
    assert_eq!(v.certificate_fingerprint, idp2.fingerprint_sha256);
}

#[test]
fn other_accepted_algorithms_and_inclusive_namespaces() {
    let mut policy = entra_policy();
    for name in [
        "rsa_sha512_signed",
        "inclusive_namespaces_signed",
        "c14n_inclusive_signed",
    ] {
        let v = validate_response(&response_b64(name), &policy);
        assert!(v.is_ok(), "{name}: {v:?}");
    }
    policy.certificates = vec![cert("idp-ec")];
    validate_response(&response_b64("ecdsa_sha384_signed"), &policy).unwrap();
    // An EC key never verifies an RSA signature method (nor the reverse).
    assert!(validate_response(&response_b64("entra_assertion_signed"), &policy).is_err());
}
