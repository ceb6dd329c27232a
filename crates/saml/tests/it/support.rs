//! Shared fixture access for the integration tests.

use std::path::PathBuf;

pub fn fixture_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(relative)
}

pub fn fixture_bytes(relative: &str) -> Vec<u8> {
    std::fs::read(fixture_path(relative))
        .unwrap_or_else(|e| panic!("fixture {relative} unreadable: {e}"))
}

pub fn fixture_string(relative: &str) -> String {
    String::from_utf8(fixture_bytes(relative)).expect("fixture is UTF-8")
}

use base64::Engine as _;
use chrono::{DateTime, TimeZone as _, Utc};
use gatehouse_saml::certificate::{IdpCertificate, parse_certificate};
use gatehouse_saml::response::ResponsePolicy;
use gatehouse_saml::sp::ServiceProvider;

pub const ENTRA_ISSUER: &str = "https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/";
pub const OKTA_ISSUER: &str = "http://www.okta.com/exk1fcia6d6EMsf331d8";
pub const GOOGLE_ISSUER: &str = "https://accounts.google.com/o/saml2?idpid=C01abcdef";
pub const REQUEST_ID: &str = "_4f6d8a1c2b9e4e0f8a7b6c5d4e3f2a1b";

/// The instant every fixture was issued at, plus 30 seconds.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 1, 1, 10, 0, 30).unwrap()
}

pub fn sp() -> ServiceProvider {
    ServiceProvider::from_public_url("https://gatehouse.example.com").unwrap()
}

pub fn cert(name: &str) -> IdpCertificate {
    parse_certificate(&fixture_bytes(&format!("keys/{name}.crt"))).unwrap()
}

/// SP-initiated policy for the Entra fixtures.
pub fn entra_policy() -> ResponsePolicy {
    let mut policy = ResponsePolicy::new(&sp(), ENTRA_ISSUER, vec![cert("idp")], now());
    policy.expected_in_response_to = Some(REQUEST_ID.to_owned());
    policy
}

/// A response fixture, Base64-encoded as it arrives in the SAMLResponse form field.
pub fn response_b64(name: &str) -> String {
    base64::engine::general_purpose::STANDARD
        .encode(fixture_bytes(&format!("responses/{name}.xml")))
}

/// Query parameters of a redirect URL, decoded.
pub fn query_params(redirect_url: &str) -> std::collections::BTreeMap<String, String> {
    url::Url::parse(redirect_url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

/// Inflate the SAMLRequest/SAMLResponse of a redirect URL.
pub fn inflate_param(redirect_url: &str, name: &str) -> String {
    use std::io::Read as _;
    let value = &query_params(redirect_url)[name];
    let deflated = base64::engine::general_purpose::STANDARD
        .decode(value)
        .unwrap();
    let mut out = String::new();
    flate2::read::DeflateDecoder::new(deflated.as_slice())
        .read_to_string(&mut out)
        .unwrap();
    out
}

/// The SP (the same URLs as [`sp`]; its signing key is [`sp_signing_key`]).
pub fn signing_sp() -> ServiceProvider {
    sp()
}

/// The test SP signing key.
pub fn sp_signing_key() -> gatehouse_saml::sp::SigningKey {
    gatehouse_saml::sp::SigningKey::from_pem(
        &fixture_bytes("keys/sp.key"),
        &fixture_bytes("keys/sp.crt"),
    )
    .unwrap()
}

/// A keyring with the test SP signing key only.
pub fn signing_keyring() -> gatehouse_saml::sp_keys::SpKeyring {
    let key = sp_signing_key();
    gatehouse_saml::sp_keys::SpKeyring {
        signing_published: vec![key.certificate().clone()],
        signing: Some(key),
        ..Default::default()
    }
}

/// Verify a redirect URL's query-string signature with a certificate, independently of the
/// crate (openssl directly over the raw query).
pub fn query_signature_verifies(redirect_url: &str, cert_name: &str) -> bool {
    let query = redirect_url.split_once('?').unwrap().1;
    let (signed, signature) = query.split_once("&Signature=").unwrap();
    let signature = signature.split('&').next().unwrap();
    let signature: String = url::form_urlencoded::parse(format!("s={signature}").as_bytes())
        .next()
        .unwrap()
        .1
        .into_owned();
    let signature = base64::engine::general_purpose::STANDARD
        .decode(signature)
        .unwrap();
    // The signed octets start at the SAML parameter (an IdP URL may carry its own query first).
    let start = signed
        .find("SAMLRequest=")
        .or_else(|| signed.find("SAMLResponse="))
        .unwrap();
    let x509 =
        openssl::x509::X509::from_pem(&fixture_bytes(&format!("keys/{cert_name}.crt"))).unwrap();
    let key = x509.public_key().unwrap();
    let mut verifier =
        openssl::sign::Verifier::new(openssl::hash::MessageDigest::sha256(), &key).unwrap();
    verifier.update(&signed.as_bytes()[start..]).unwrap();
    verifier.verify(&signature).unwrap()
}

pub fn logout_query(name: &str) -> String {
    fixture_string(&format!("logout/{name}.txt"))
        .trim()
        .to_owned()
}
