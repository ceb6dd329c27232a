//! Full Response validation of the Entra-shaped fixture next to bare libxmlsec1 verification of
//! the same bytes, in the same run. Results go to BENCHMARKS.md ("gatehouse-saml").
//!
//! Run: `cargo bench -p gatehouse-saml --bench validate`

#![allow(clippy::unwrap_used)]

use base64::Engine as _;
use chrono::{TimeZone as _, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use gatehouse_saml::certificate::parse_certificate;
use gatehouse_saml::response::{ResponsePolicy, validate_response};
use gatehouse_saml::sp::ServiceProvider;
use samael::crypto::{CertificateDer, CryptoProvider as _, XmlSec};

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn bench(c: &mut Criterion) {
    let xml = String::from_utf8(fixture("responses/entra_assertion_signed.xml")).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(&xml);
    let certificate = parse_certificate(&fixture("keys/idp.crt")).unwrap();
    let sp = ServiceProvider::from_public_url("https://gatehouse.example.com").unwrap();
    let mut policy = ResponsePolicy::new(
        &sp,
        "https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/",
        vec![certificate.clone()],
        Utc.with_ymd_and_hms(2030, 1, 1, 10, 0, 30).unwrap(),
    );
    policy.expected_in_response_to = Some("_4f6d8a1c2b9e4e0f8a7b6c5d4e3f2a1b".into());
    let der = CertificateDer::from(certificate.der.clone());

    // Both must succeed, or the comparison means nothing.
    validate_response(&b64, &policy).unwrap();
    XmlSec::verify_signed_xml(&xml, &der, Some("ID")).unwrap();

    let mut group = c.benchmark_group("entra_response");
    group.bench_function("full_validation", |b| {
        b.iter(|| validate_response(std::hint::black_box(&b64), &policy).unwrap())
    });
    group.bench_function("bare_xmlsec_verify", |b| {
        b.iter(|| XmlSec::verify_signed_xml(std::hint::black_box(&xml), &der, Some("ID")).unwrap())
    });
    group.bench_function("samael_reduce_predigest", |b| {
        b.iter(|| {
            XmlSec::reduce_xml_to_signed_with_allowed_algorithms(
                std::hint::black_box(&xml),
                &[der.clone()],
                samael::crypto::ReduceMode::PreDigest,
                None,
            )
            .unwrap()
        })
    });
    group.bench_function("peek_parse_only", |b| {
        b.iter(|| gatehouse_saml::response::peek_response(std::hint::black_box(&b64)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
