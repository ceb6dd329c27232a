//! Full Response validation of the Entra-shaped fixture next to bare libxmlsec1 verification of
//! the same bytes, in the same run. Results go to BENCHMARKS.md ("gatehouse-saml").
//!
//! Run: `cargo bench -p gatehouse-saml --bench validate`
//!
//! Besides criterion's groups (which measure one function after the other), the run first
//! prints an *interleaved* comparison — full, bare, full, bare… — whose ratio is robust against
//! other load on a shared machine drifting between criterion's sequential measurements.
//! `samael_reduce_predigest` (samael's reduce-to-signed alone) and `peek_response` (Base64,
//! guards and the strict parse alone) show how the overhead splits.

#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use base64::Engine as _;
use chrono::{TimeZone as _, Utc};
use criterion::Criterion;
use gatehouse_saml::certificate::parse_certificate;
use gatehouse_saml::response::{ResponsePolicy, validate_response};
use gatehouse_saml::sp::ServiceProvider;
use samael::crypto::{CertificateDer, CryptoProvider as _, ReduceMode, XmlSec};

struct Fixture {
    xml: String,
    b64: String,
    policy: ResponsePolicy,
    der: CertificateDer,
}

fn fixture() -> Fixture {
    let dir = env!("CARGO_MANIFEST_DIR");
    let read = |path: &str| std::fs::read(format!("{dir}/tests/fixtures/{path}")).unwrap();
    let xml = String::from_utf8(read("responses/entra_assertion_signed.xml")).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(&xml);
    let certificate = parse_certificate(&read("keys/idp.crt")).unwrap();
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
    Fixture {
        xml,
        b64,
        policy,
        der,
    }
}

fn full(f: &Fixture) {
    validate_response(black_box(&f.b64), &f.policy).unwrap();
}

fn bare(f: &Fixture) {
    XmlSec::verify_signed_xml(black_box(&f.xml), &f.der, Some("ID")).unwrap();
}

fn interleaved(f: &Fixture) {
    let rounds = 2_000;
    for _ in 0..100 {
        full(f);
        bare(f);
    }
    let (mut t_full, mut t_bare) = (Duration::ZERO, Duration::ZERO);
    for _ in 0..rounds {
        let start = Instant::now();
        full(f);
        t_full += start.elapsed();
        let start = Instant::now();
        bare(f);
        t_bare += start.elapsed();
    }
    let us = |d: Duration| d.as_secs_f64() * 1e6 / f64::from(rounds);
    println!(
        "interleaved ({rounds} rounds): full_validation {:.1} µs, bare_xmlsec_verify {:.1} µs, \
         ratio {:.2}",
        us(t_full),
        us(t_bare),
        t_full.as_secs_f64() / t_bare.as_secs_f64()
    );
}

fn main() {
    let f = fixture();
    interleaved(&f);
    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("entra_response");
    group.bench_function("full_validation", |b| b.iter(|| full(&f)));
    group.bench_function("bare_xmlsec_verify", |b| b.iter(|| bare(&f)));
    group.bench_function("samael_reduce_predigest", |b| {
        b.iter(|| {
            XmlSec::reduce_xml_to_signed_with_allowed_algorithms(
                black_box(&f.xml),
                std::slice::from_ref(&f.der),
                ReduceMode::PreDigest,
                None,
            )
            .unwrap()
        })
    });
    group.bench_function("peek_response", |b| {
        b.iter(|| gatehouse_saml::response::peek_response(black_box(&f.b64)).unwrap())
    });
    group.finish();
    c.final_summary();
}
