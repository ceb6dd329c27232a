//! AuthnRequest for the HTTP-Redirect binding.

use crate::support::*;
use gatehouse_saml::authn_request::{AuthnRequestOptions, RequestError, build_authn_request};

const ENTRA_LOGIN: &str =
    "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/saml2";

#[test]
fn entra_shaped_request() {
    let options = AuthnRequestOptions {
        relay_state: Some("tenant=contoso".into()),
        login_hint: Some("alice@contoso.com".into()),
        ..Default::default()
    };
    let req = build_authn_request(&sp(), ENTRA_LOGIN, &options, now()).unwrap();
    assert!(req.id.starts_with('_'));
    assert!(req.id.len() >= 33, "at least 128 bits of hex");
    assert!(
        req.redirect_url
            .starts_with(&format!("{ENTRA_LOGIN}?SAMLRequest="))
    );
    let params = query_params(&req.redirect_url);
    assert_eq!(params["RelayState"], "tenant=contoso");
    assert_eq!(params["login_hint"], "alice@contoso.com");
    assert!(!params.contains_key("Signature"));
    let xml = inflate_param(&req.redirect_url, "SAMLRequest");
    assert!(xml.contains(&format!("ID=\"{}\"", req.id)));
    assert!(xml.contains("IssueInstant=\"2030-01-01T10:00:30.000Z\""));
    assert!(xml.contains("<saml:Issuer>https://gatehouse.example.com/saml2</saml:Issuer>"));
    assert!(xml.contains("AssertionConsumerServiceURL=\"https://gatehouse.example.com/saml2\""));
    assert!(xml.contains(&format!("Destination=\"{ENTRA_LOGIN}\"")));
    assert!(xml.contains("Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified\""));
    assert!(!xml.contains("ForceAuthn"));
    assert!(!xml.contains("Subject"));
    assert_eq!(req.issue_instant, now());
}

#[test]
fn ids_are_unique_and_never_start_with_a_digit() {
    let mut seen = std::collections::HashSet::new();
    for _ in 0..200 {
        let req = build_authn_request(&sp(), ENTRA_LOGIN, &AuthnRequestOptions::default(), now())
            .unwrap();
        assert!(req.id.starts_with('_'));
        assert!(seen.insert(req.id));
    }
}

#[test]
fn force_authn() {
    let options = AuthnRequestOptions {
        force_authn: true,
        ..Default::default()
    };
    let req = build_authn_request(&sp(), ENTRA_LOGIN, &options, now()).unwrap();
    assert!(inflate_param(&req.redirect_url, "SAMLRequest").contains("ForceAuthn=\"true\""));
}

#[test]
fn signed_request_verifies_with_the_sp_certificate() {
    let sp = signing_sp();
    let options = AuthnRequestOptions {
        relay_state: Some("rs".into()),
        login_hint: Some("alice@contoso.com".into()),
        signing_key: Some(sp_signing_key()),
        ..Default::default()
    };
    let req = build_authn_request(&sp, ENTRA_LOGIN, &options, now()).unwrap();
    let params = query_params(&req.redirect_url);
    assert_eq!(
        params["SigAlg"],
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    );
    assert!(query_signature_verifies(&req.redirect_url, "sp"));
    assert!(!query_signature_verifies(&req.redirect_url, "idp"));
}

#[test]
fn idp_url_with_its_own_query_keeps_it() {
    let google = "https://accounts.google.com/o/saml2/idp?idpid=C01abcdef";
    let sp = signing_sp();
    let options = AuthnRequestOptions {
        signing_key: Some(sp_signing_key()),
        ..Default::default()
    };
    let req = build_authn_request(&sp, google, &options, now()).unwrap();
    assert!(
        req.redirect_url
            .starts_with(&format!("{google}&SAMLRequest="))
    );
    assert_eq!(query_params(&req.redirect_url)["idpid"], "C01abcdef");
    assert!(query_signature_verifies(&req.redirect_url, "sp"));
}

#[test]
fn refusals() {
    assert!(matches!(
        build_authn_request(&sp(), "not a url", &AuthnRequestOptions::default(), now()),
        Err(RequestError::InvalidIdpUrl(_))
    ));
    let options = AuthnRequestOptions {
        relay_state: Some("x".repeat(81)),
        ..Default::default()
    };
    assert_eq!(
        build_authn_request(&sp(), ENTRA_LOGIN, &options, now()).unwrap_err(),
        RequestError::RelayStateTooLong(81)
    );
}
