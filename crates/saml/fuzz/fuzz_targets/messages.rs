//! Fuzz the other parsers that take untrusted input: certificate upload, IdP metadata import,
//! and Redirect-binding logout messages.

#![no_main]

use chrono::{TimeZone as _, Utc};
use gatehouse_saml::certificate::parse_certificate;
use gatehouse_saml::logout::{LogoutPolicy, parse_logout_request, parse_logout_response};
use gatehouse_saml::metadata::import_idp_metadata;
use gatehouse_saml::sp::ServiceProvider;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse_certificate(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = import_idp_metadata(text);
        let sp = ServiceProvider::from_public_url("https://gatehouse.example.com").expect("sp");
        let now = Utc.with_ymd_and_hms(2030, 1, 1, 10, 0, 30).single().expect("time");
        let mut policy = LogoutPolicy::new(&sp, "https://sts.windows.net/x/", Vec::new(), now);
        policy.require_signature = false;
        let _ = parse_logout_request(text, &policy);
        let _ = parse_logout_response(text, &policy);
    }
});
