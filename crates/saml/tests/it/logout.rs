//! Single logout over the Redirect binding; IdP messages signed with the openssl CLI.

use crate::support::*;
use gatehouse_saml::ReasonCode;
use gatehouse_saml::logout::{
    LogoutPolicy, LogoutRequestOptions, LogoutStatus, build_logout_request, build_logout_response,
    parse_logout_request, parse_logout_response,
};

const ENTRA_LOGOUT: &str =
    "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/saml2";

fn policy() -> LogoutPolicy {
    LogoutPolicy::new(&sp(), ENTRA_ISSUER, vec![cert("idp")], now())
}

fn request_reason(name: &str, policy: &LogoutPolicy) -> ReasonCode {
    parse_logout_request(&logout_query(name), policy)
        .unwrap_err()
        .reason
}

#[test]
fn our_logout_request_carries_name_id_and_session_index() {
    let sp = signing_sp();
    let options = LogoutRequestOptions {
        name_id: "alice@contoso.com".into(),
        name_id_format: Some("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress".into()),
        session_index: Some("_c1d2e3f4".into()),
        relay_state: Some("bye".into()),
        signing_key: Some(sp_signing_key()),
    };
    let req = build_logout_request(&sp, ENTRA_LOGOUT, &options, now()).unwrap();
    assert!(req.id.starts_with('_'));
    let xml = inflate_param(&req.redirect_url, "SAMLRequest");
    assert!(xml.contains(&format!("ID=\"{}\"", req.id)));
    assert!(xml.contains(">alice@contoso.com</saml:NameID>"));
    assert!(xml.contains("<samlp:SessionIndex>_c1d2e3f4</samlp:SessionIndex>"));
    assert!(xml.contains("<saml:Issuer>https://gatehouse.example.com/saml2</saml:Issuer>"));
    assert!(xml.contains(&format!("Destination=\"{ENTRA_LOGOUT}\"")));
    assert_eq!(query_params(&req.redirect_url)["RelayState"], "bye");
    assert!(query_signature_verifies(&req.redirect_url, "sp"));
}

#[test]
fn entra_logout_response_signed() {
    let mut policy = policy();
    policy.expected_in_response_to = Some("_logoutrequest0000000000000000000000000".into());
    let v = parse_logout_response(&logout_query("entra_logout_response_signed"), &policy).unwrap();
    assert_eq!(
        v.issuer,
        "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/"
    );
    assert_eq!(v.relay_state.as_deref(), Some("rs-123"));
    assert_eq!(
        v.certificate_fingerprint,
        Some(cert("idp").fingerprint_sha256)
    );

    policy.expected_in_response_to = Some("_another".into());
    let err =
        parse_logout_response(&logout_query("entra_logout_response_signed"), &policy).unwrap_err();
    assert_eq!(err.reason, ReasonCode::InResponseToMismatch);
}

#[test]
fn unsigned_logout_response_only_when_policy_allows() {
    let mut policy = policy();
    let err = parse_logout_response(&logout_query("entra_logout_response_unsigned"), &policy)
        .unwrap_err();
    assert_eq!(err.reason, ReasonCode::SignatureMissing);
    policy.require_signature = false;
    let v =
        parse_logout_response(&logout_query("entra_logout_response_unsigned"), &policy).unwrap();
    assert_eq!(v.certificate_fingerprint, None);
}

#[test]
fn failed_logout_status_is_reported() {
    let err =
        parse_logout_response(&logout_query("logout_response_failed"), &policy()).unwrap_err();
    assert_eq!(err.reason, ReasonCode::StatusNotSuccess);
    assert!(err.detail.contains("Responder"));
}

#[test]
fn idp_initiated_logout_request() {
    let v = parse_logout_request(&logout_query("entra_logout_request_signed"), &policy()).unwrap();
    assert_eq!(v.name_id, "alice@contoso.com");
    assert_eq!(
        v.session_indexes,
        vec!["_c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f"]
    );
    assert_eq!(v.id, "_5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a");
    assert_eq!(
        v.certificate_fingerprint,
        Some(cert("idp").fingerprint_sha256)
    );
}

#[test]
fn logout_request_refusals() {
    let p = policy();
    assert_eq!(
        request_reason("logout_request_unsigned", &p),
        ReasonCode::SignatureMissing
    );
    assert_eq!(
        request_reason("logout_request_sigalg_only", &p),
        ReasonCode::SignatureMissing
    );
    assert_eq!(
        request_reason("logout_request_signature_only", &p),
        ReasonCode::SignatureMissing
    );
    assert_eq!(
        request_reason("logout_request_attacker", &p),
        ReasonCode::SignatureInvalid
    );
    assert_eq!(
        request_reason("logout_request_tampered_relay_state", &p),
        ReasonCode::SignatureInvalid
    );
    assert_eq!(
        request_reason("logout_request_rsa_sha1", &p),
        ReasonCode::WeakAlgorithm
    );
    assert_eq!(
        request_reason("logout_request_other_issuer", &p),
        ReasonCode::IssuerMismatch
    );
    assert_eq!(
        request_reason("logout_request_doctype", &p),
        ReasonCode::DoctypeForbidden
    );
    let mut late = policy();
    late.now = now() + chrono::Duration::hours(1);
    assert_eq!(
        request_reason("entra_logout_request_signed", &late),
        ReasonCode::IssueInstant
    );
    let mut no_certs = policy();
    no_certs.certificates.clear();
    assert_eq!(
        request_reason("entra_logout_request_signed", &no_certs),
        ReasonCode::NoCertificate
    );
    let mut wrong_slo = policy();
    wrong_slo.slo_url = "https://elsewhere.example.com/saml2/logout".into();
    assert_eq!(
        request_reason("entra_logout_request_signed", &wrong_slo),
        ReasonCode::DestinationMismatch
    );
}

#[test]
fn garbage_queries_are_errors_never_panics() {
    let p = policy();
    for q in [
        "",
        "?",
        "SAMLRequest",
        "SAMLRequest=",
        "SAMLRequest=%ZZ",
        "SAMLRequest=AAAA&SigAlg",
        "Signature=&SigAlg=&SAMLRequest=eJwrSS0uAQAEXQHB",
    ] {
        assert!(parse_logout_request(q, &p).is_err(), "{q}");
        assert!(parse_logout_response(q, &p).is_err(), "{q}");
    }
}

#[test]
fn our_logout_response() {
    let sp = signing_sp();
    let url = build_logout_response(
        &sp,
        ENTRA_LOGOUT,
        "_5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a",
        LogoutStatus::Success,
        Some("rs"),
        Some(&sp_signing_key()),
        now(),
    )
    .unwrap();
    let xml = inflate_param(&url, "SAMLResponse");
    assert!(xml.contains("InResponseTo=\"_5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a\""));
    assert!(xml.contains("urn:oasis:names:tc:SAML:2.0:status:Success"));
    assert!(query_signature_verifies(&url, "sp"));
}

#[test]
fn peek_logout_request_issuer_maps_entra_logout_issuer_to_the_configured_form() {
    use gatehouse_saml::logout::peek_logout_request_issuer;
    assert_eq!(
        peek_logout_request_issuer(&logout_query("entra_logout_request_signed")).unwrap(),
        ENTRA_ISSUER
    );
    assert_eq!(
        peek_logout_request_issuer(&logout_query("logout_request_doctype"))
            .unwrap_err()
            .reason,
        ReasonCode::DoctypeForbidden
    );
}
