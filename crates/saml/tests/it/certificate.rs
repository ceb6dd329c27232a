//! Certificate upload: every encoding an admin might paste, and everything that must be refused.

use crate::support::{fixture_bytes, fixture_string};
use base64::Engine as _;
use chrono::{TimeZone as _, Utc};
use gatehouse_saml::certificate::{CertificateError, parse_certificate};

fn pem_body(pem: &str) -> String {
    pem.lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn pem_with_headers_is_parsed() {
    let cert = parse_certificate(&fixture_bytes("keys/idp.crt")).expect("valid PEM");
    assert_eq!(cert.subject, "CN=Microsoft Azure Federated SSO Certificate");
    assert_eq!(cert.issuer, cert.subject);
    assert_eq!(cert.key_type, "RSA");
    assert_eq!(cert.key_bits, 2048);
    assert_eq!(cert.fingerprint_sha256.len(), 95);
    assert!(
        cert.fingerprint_sha256
            .chars()
            .all(|c| c == ':' || c.is_ascii_hexdigit())
    );
    assert_eq!(
        cert.fingerprint_sha256,
        cert.fingerprint_sha256.to_uppercase()
    );
    assert!(cert.pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
    assert!(cert.not_before < cert.not_after);
}

#[test]
fn fingerprint_matches_openssl_cli() {
    let cert = parse_certificate(&fixture_bytes("keys/idp.crt")).expect("valid PEM");
    let expected = fixture_string("keys/idp.crt.sha256").trim().to_owned();
    assert_eq!(cert.fingerprint_sha256, expected);
}

#[test]
fn crlf_and_surrounding_whitespace_are_accepted() {
    let pem = fixture_string("keys/idp.crt");
    let crlf = format!("\r\n  {}  \r\n\r\n", pem.replace('\n', "\r\n"));
    let a = parse_certificate(crlf.as_bytes()).expect("CRLF PEM");
    let b = parse_certificate(pem.as_bytes()).expect("PEM");
    assert_eq!(a, b);
}

#[test]
fn bare_base64_wrapped_or_single_line_is_accepted() {
    let pem = fixture_string("keys/idp.crt");
    let reference = parse_certificate(pem.as_bytes()).expect("PEM");
    let wrapped = pem_body(&pem);
    assert_eq!(
        parse_certificate(wrapped.as_bytes()).expect("wrapped"),
        reference
    );
    let one_line = wrapped.replace('\n', "");
    assert_eq!(
        parse_certificate(one_line.as_bytes()).expect("one line"),
        reference
    );
    let with_bom = format!("\u{feff}{one_line}\r\n");
    assert_eq!(
        parse_certificate(with_bom.as_bytes()).expect("BOM"),
        reference
    );
}

#[test]
fn raw_der_is_accepted() {
    let pem = fixture_string("keys/idp.crt");
    let reference = parse_certificate(pem.as_bytes()).expect("PEM");
    let der = base64::engine::general_purpose::STANDARD
        .decode(pem_body(&pem).replace('\n', ""))
        .expect("base64");
    let cert = parse_certificate(&der).expect("DER");
    assert_eq!(cert, reference);
    assert_eq!(cert.der, der);
}

#[test]
fn ec_certificate_reports_key_and_multi_rdn_subject() {
    let cert = parse_certificate(&fixture_bytes("keys/idp-ec.crt")).expect("EC PEM");
    assert_eq!(cert.key_type, "EC");
    assert_eq!(cert.key_bits, 256);
    assert_eq!(cert.subject, "CN=idp.example.com, O=Example IdP, C=US");
}

#[test]
fn validity_window() {
    let cert = parse_certificate(&fixture_bytes("keys/idp.crt")).expect("PEM");
    assert!(cert.is_valid_at(cert.not_before));
    assert!(cert.is_valid_at(cert.not_after));
    assert!(!cert.is_valid_at(cert.not_before - chrono::Duration::seconds(1)));
    assert!(!cert.is_valid_at(cert.not_after + chrono::Duration::seconds(1)));
    assert!(cert.not_after > Utc.with_ymd_and_hms(2035, 1, 1, 0, 0, 0).unwrap());
}

#[test]
fn private_keys_are_refused_in_every_encoding() {
    let pem = fixture_string("keys/idp.key");
    let err = parse_certificate(pem.as_bytes()).unwrap_err();
    assert_eq!(err, CertificateError::PrivateKey);
    assert!(err.to_string().contains("private key"));
    assert!(err.to_string().contains("never be uploaded"));

    let der = base64::engine::general_purpose::STANDARD
        .decode(pem_body(&pem).replace('\n', ""))
        .expect("base64");
    assert_eq!(
        parse_certificate(&der).unwrap_err(),
        CertificateError::PrivateKey
    );
    assert_eq!(
        parse_certificate(pem_body(&pem).as_bytes()).unwrap_err(),
        CertificateError::PrivateKey
    );

    // A certificate and its key pasted together: the key must still be noticed.
    let both = format!("{}{}", fixture_string("keys/idp.crt"), pem);
    assert_eq!(
        parse_certificate(both.as_bytes()).unwrap_err(),
        CertificateError::PrivateKey
    );

    let ec = fixture_string("keys/idp-ec.key");
    assert_eq!(
        parse_certificate(ec.as_bytes()).unwrap_err(),
        CertificateError::PrivateKey
    );
}

#[test]
fn csr_is_refused() {
    let err = parse_certificate(&fixture_bytes("keys/request.csr")).unwrap_err();
    assert_eq!(err, CertificateError::CertificateRequest);
    assert!(err.to_string().contains("signing request"));
}

#[test]
fn several_certificates_are_refused() {
    let both = format!(
        "{}{}",
        fixture_string("keys/idp.crt"),
        fixture_string("keys/idp2.crt")
    );
    let err = parse_certificate(both.as_bytes()).unwrap_err();
    assert_eq!(err, CertificateError::MultipleCertificates { count: 2 });
    assert!(err.to_string().contains("exactly one"));
}

#[test]
fn der_with_trailing_bytes_is_refused() {
    let pem = fixture_string("keys/idp.crt");
    let mut der = base64::engine::general_purpose::STANDARD
        .decode(pem_body(&pem).replace('\n', ""))
        .expect("base64");
    let copy = der.clone();
    der.extend_from_slice(&copy);
    assert_eq!(
        parse_certificate(&der).unwrap_err(),
        CertificateError::TrailingData
    );
}

#[test]
fn empty_and_garbage_are_refused() {
    assert_eq!(parse_certificate(b"").unwrap_err(), CertificateError::Empty);
    assert_eq!(
        parse_certificate(b"  \r\n\t").unwrap_err(),
        CertificateError::Empty
    );
    assert_eq!(
        parse_certificate(b"hello, this is not a certificate").unwrap_err(),
        CertificateError::NotACertificate
    );
    assert_eq!(
        parse_certificate(b"aGVsbG8gd29ybGQ=").unwrap_err(),
        CertificateError::NotACertificate
    );
    assert_eq!(
        parse_certificate(&[0x30, 0x82, 0x01, 0x00, 0xff, 0xfe]).unwrap_err(),
        CertificateError::Malformed
    );
    assert_eq!(
        parse_certificate(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
            .unwrap_err(),
        CertificateError::Malformed
    );
    assert_eq!(
        parse_certificate(b"-----BEGIN CERTIFICATE-----\nMIIB").unwrap_err(),
        CertificateError::Malformed
    );
    let err = parse_certificate(b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----")
        .unwrap_err();
    assert_eq!(
        err,
        CertificateError::UnsupportedPem {
            label: "PUBLIC KEY".into()
        }
    );
}

#[test]
fn errors_are_send_sync_static() {
    fn assert_traits<T: Send + Sync + 'static + std::error::Error>() {}
    assert_traits::<CertificateError>();
}

#[test]
fn rsa_below_2048_bits_is_refused_at_upload() {
    let err = parse_certificate(&fixture_bytes("keys/weak.crt")).unwrap_err();
    assert_eq!(
        err,
        CertificateError::WeakKey {
            key_type: "RSA".into(),
            bits: 1024
        }
    );
    assert!(err.to_string().contains("at least 2048 bits"), "{err}");
}
