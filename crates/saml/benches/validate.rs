//! Full Response validation of the Entra-shaped fixture next to samael's own verification of the
//! same bytes, in the same run. Results go to BENCHMARKS.md ("gatehouse-saml").
//!
//! Run: `cargo bench -p gatehouse-saml --bench validate`
//!
//! Besides criterion's groups (which measure one function after the other), the run first
//! prints an *interleaved* comparison — full, bare, samael_sp, peek, full, bare… — whose
//! ratios are robust against other load on a shared machine drifting between criterion's
//! sequential measurements (`--bench nothing` runs only that part, e.g. under callgrind):
//! - `full_validation`: `gatehouse_saml::response::validate_response` (Base64 → claims);
//! - `bare_xmlsec_verify`: samael's `XmlSec::verify_signed_xml` (libxml2 parse, certificate
//!   load, `xmlSecDSigCtxVerify`) — signature verification alone, no SAML checks;
//! - `samael_sp_parse_response`: samael's own high-level path,
//!   `ServiceProvider::parse_base64_response` with the fixture's IdP certificate in its IdP
//!   metadata (reduce-to-signed, serde parse, samael's SAML checks). samael compares against
//!   the wall clock, so its clock skew is widened to cover the fixture's 2030 instants.
//!
//! - `peek_response`: what every sign-in's admission reads before validation (Base64, guards
//!   and the strict reader, no tree).
//!
//! `samael_reduce_predigest` (samael's reduce-to-signed alone, criterion only) shows how
//! samael's work splits.
//! `GATEHOUSE_BENCH_ROUNDS` overrides the 2,000 interleaved rounds.

#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use base64::Engine as _;
use chrono::{TimeZone as _, Utc};
use criterion::Criterion;
use gatehouse_saml::certificate::parse_certificate;
use gatehouse_saml::response::{ResponsePolicy, validate_response};
use gatehouse_saml::sp::ServiceProvider;
use samael::crypto::{
    AllowedSignatureAlgorithm, CertificateDer, CryptoProvider as _, ReduceMode, XmlSec,
};

const ISSUER: &str = "https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/";
const REQUEST_ID: &str = "_4f6d8a1c2b9e4e0f8a7b6c5d4e3f2a1b";
const ACS: &str = "https://gatehouse.example.com/saml2";

struct Fixture {
    xml: String,
    b64: String,
    policy: ResponsePolicy,
    der: CertificateDer,
    samael_sp: samael::service_provider::ServiceProvider,
}

/// samael's ServiceProvider configured as a careful integrator would: the IdP metadata with the
/// signing certificate, our entity ID and ACS, RSA/ECDSA-SHA-2 only.
fn samael_sp(certificate_b64: &str) -> samael::service_provider::ServiceProvider {
    let metadata = format!(
        r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{ISSUER}"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>{certificate_b64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/saml2"/></md:IDPSSODescriptor></md:EntityDescriptor>"#
    );
    samael::service_provider::ServiceProvider {
        entity_id: Some(ACS.to_owned()),
        acs_url: Some(ACS.to_owned()),
        idp_metadata: metadata.parse().unwrap(),
        allowed_signature_algorithms: Some(vec![
            AllowedSignatureAlgorithm::RsaSha256,
            AllowedSignatureAlgorithm::RsaSha384,
            AllowedSignatureAlgorithm::RsaSha512,
            AllowedSignatureAlgorithm::EcdsaSha256,
            AllowedSignatureAlgorithm::EcdsaSha384,
            AllowedSignatureAlgorithm::EcdsaSha512,
        ]),
        // The fixture is issued at 2030-01-01T10:00Z; samael reads the wall clock.
        max_clock_skew: chrono::Duration::days(3650),
        ..Default::default()
    }
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
        ISSUER,
        vec![certificate.clone()],
        Utc.with_ymd_and_hms(2030, 1, 1, 10, 0, 30).unwrap(),
    );
    policy.expected_in_response_to = Some(REQUEST_ID.into());
    let der = CertificateDer::from(certificate.der.clone());
    let samael_sp = samael_sp(&base64::engine::general_purpose::STANDARD.encode(&certificate.der));
    let f = Fixture {
        xml,
        b64,
        policy,
        der,
        samael_sp,
    };
    // Every row must succeed, or the comparison means nothing.
    full(&f);
    bare(&f);
    samael_sp_parse(&f);
    f
}

fn full(f: &Fixture) {
    validate_response(black_box(&f.b64), &f.policy).unwrap();
}

fn bare(f: &Fixture) {
    XmlSec::verify_signed_xml(black_box(&f.xml), &f.der, Some("ID")).unwrap();
}

fn peek(f: &Fixture) {
    gatehouse_saml::response::peek_response(black_box(&f.b64)).unwrap();
}

fn samael_sp_parse(f: &Fixture) {
    f.samael_sp
        .parse_base64_response(black_box(&f.b64), Some(&[REQUEST_ID]))
        .unwrap();
}

/// A row of the interleaved comparison: its name and one run.
type Row = (&'static str, fn(&Fixture));

fn interleaved(f: &Fixture) {
    let rounds: u32 = std::env::var("GATEHOUSE_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(2_000);
    let rows: [Row; 4] = [
        ("full_validation", full),
        ("bare_xmlsec_verify", bare),
        ("samael_sp_parse_response", samael_sp_parse),
        ("peek_response", peek),
    ];
    for _ in 0..rounds.min(100) {
        for (_, run) in rows {
            run(f);
        }
    }
    let mut totals = [Duration::ZERO; 4];
    for _ in 0..rounds {
        for (total, (_, run)) in totals.iter_mut().zip(rows) {
            let start = Instant::now();
            run(f);
            *total += start.elapsed();
        }
    }
    println!("interleaved ({rounds} rounds, one thread):");
    for (total, (name, _)) in totals.iter().zip(rows) {
        let us = total.as_secs_f64() * 1e6 / f64::from(rounds);
        println!(
            "  {name:<26} {us:>8.1} µs  {:>7.0} /s  (samael bare / this: {:.2}, samael SP / this: {:.2})",
            1e6 / us,
            totals[1].as_secs_f64() / total.as_secs_f64(),
            totals[2].as_secs_f64() / total.as_secs_f64(),
        );
    }
}

fn main() {
    let f = fixture();
    interleaved(&f);
    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("entra_response");
    group.bench_function("full_validation", |b| b.iter(|| full(&f)));
    group.bench_function("bare_xmlsec_verify", |b| b.iter(|| bare(&f)));
    group.bench_function("samael_sp_parse_response", |b| {
        b.iter(|| samael_sp_parse(&f))
    });
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
    group.bench_function("peek_response", |b| b.iter(|| peek(&f)));
    group.finish();
    c.final_summary();
}
