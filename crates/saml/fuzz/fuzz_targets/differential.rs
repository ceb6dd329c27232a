//! Differential fuzzing of the two XML-signature verifiers: for any input that gets as far as
//! signature verification, the in-crate verifier (when the input is in its profile) and samael /
//! libxmlsec1 must give the same verdict, the same certificate and the same canonical bytes.
//! Seed with ../tests/fixtures/responses (signed by the xmlsec1 CLI): mutations of genuine
//! signatures are what exercises the acceptance side.

#![no_main]

use std::sync::OnceLock;

use gatehouse_saml::certificate::{IdpCertificate, parse_certificate};
use gatehouse_saml::differential::compare;
use libfuzzer_sys::fuzz_target;

fn certificates() -> &'static [IdpCertificate] {
    static CERTIFICATES: OnceLock<Vec<IdpCertificate>> = OnceLock::new();
    CERTIFICATES.get_or_init(|| {
        [
            include_bytes!("../../tests/fixtures/keys/idp.crt").as_slice(),
            include_bytes!("../../tests/fixtures/keys/idp2.crt"),
            include_bytes!("../../tests/fixtures/keys/idp-ec.crt"),
        ]
        .iter()
        .map(|pem| parse_certificate(pem).expect("cert"))
        .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(xml) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(comparison) = compare(xml, certificates()) {
        assert!(comparison.agrees(), "{comparison:#?}");
    }
});
