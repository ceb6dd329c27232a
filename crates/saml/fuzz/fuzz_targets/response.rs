//! Fuzz the Response parser: the unverified peek and the full validation path (guards, strict
//! XML parse, structure and wrapping checks, signature-shape checks; inputs that get as far as
//! libxmlsec1 are verified against a fixed test certificate).

#![no_main]

use std::sync::OnceLock;

use base64::Engine as _;
use chrono::{TimeZone as _, Utc};
use gatehouse_saml::certificate::parse_certificate;
use gatehouse_saml::response::{ResponsePolicy, peek_response, validate_response};
use gatehouse_saml::sp::ServiceProvider;
use libfuzzer_sys::fuzz_target;

fn policy() -> &'static ResponsePolicy {
    static POLICY: OnceLock<ResponsePolicy> = OnceLock::new();
    POLICY.get_or_init(|| {
        let certificate =
            parse_certificate(include_bytes!("../../tests/fixtures/keys/idp.crt")).expect("cert");
        let sp = ServiceProvider::from_public_url("https://gatehouse.example.com").expect("sp");
        let now = Utc.with_ymd_and_hms(2030, 1, 1, 10, 0, 30).single().expect("time");
        let mut policy = ResponsePolicy::new(
            &sp,
            "https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/",
            vec![certificate],
            now,
        );
        policy.allow_unsolicited = true;
        policy
    })
}

fuzz_target!(|data: &[u8]| {
    let encoded = base64::engine::general_purpose::STANDARD.encode(data);
    let _ = peek_response(&encoded);
    let _ = validate_response(&encoded, policy());
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = validate_response(text, policy());
    }
});
