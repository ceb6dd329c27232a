//! IdP signing certificates: parsing what an admin uploads, and the facts the console shows.
//!
//! Admins upload whatever their IdP hands them: Entra's "Certificate (Base64)" download (a PEM
//! file, sometimes without headers, sometimes with CRLF line ends), "Certificate (Raw)" (DER), a
//! PEM copied out of metadata, or by mistake a private key or a CSR. [`parse_certificate`] accepts
//! exactly one X.509 certificate in any of those encodings and rejects everything else with a
//! message an admin can act on.
//!
//! Expiry is *not* enforced here: the caller decides whether an expired certificate may be saved.
//! The dates are exposed ([`IdpCertificate::not_before`], [`IdpCertificate::not_after`],
//! [`IdpCertificate::is_valid_at`]) so it can.
//!
//! Called by the identity crate (certificate upload) and by [`crate::metadata`].

use std::borrow::Cow;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use openssl::asn1::{Asn1Time, Asn1TimeRef};
use openssl::ec::{EcKey, EcKeyRef};
use openssl::nid::Nid;
use openssl::pkey::{Id, PKey, PKeyRef, Public};
use openssl::rsa::{Rsa, RsaRef};
use openssl::x509::{X509, X509NameRef, X509Req};
use sha2::{Digest as _, Sha256};

/// One parsed IdP signing certificate. Owned and cheap to clone; store `pem` (or `der`) and parse
/// again with [`parse_certificate`] when loading. Keep the parsed value (for example in a
/// per-connection cache) to verify many Responses: its public key is decoded once, here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdpCertificate {
    /// The certificate re-encoded as PEM (`-----BEGIN CERTIFICATE-----`, 64-column lines, LF).
    pub pem: String,
    /// The DER bytes exactly as uploaded.
    pub der: Vec<u8>,
    /// Subject distinguished name, most specific first, e.g.
    /// `CN=Microsoft Azure Federated SSO Certificate`.
    pub subject: String,
    /// Issuer distinguished name in the same form (equal to `subject` for self-signed certificates).
    pub issuer: String,
    /// SHA-256 over the DER, uppercase hex pairs joined by `:` (the form Windows and openssl show).
    pub fingerprint_sha256: String,
    /// Start of the validity period.
    pub not_before: DateTime<Utc>,
    /// End of the validity period.
    pub not_after: DateTime<Utc>,
    /// Public key algorithm: `RSA`, `EC`, `Ed25519`, `Ed448`, `DSA`, `RSA-PSS` or `unknown`.
    pub key_type: String,
    /// Public key size in bits (modulus size for RSA, curve size for EC).
    pub key_bits: u32,
    /// The public key, decoded once from `der` when the certificate was parsed.
    pub verification_key: VerificationKey,
}

impl IdpCertificate {
    /// Whether `now` lies inside `[not_before, not_after]`.
    pub fn is_valid_at(&self, now: DateTime<Utc>) -> bool {
        self.not_before <= now && now <= self.not_after
    }

    /// The public key of `der`, for signature checks inside this crate: the cached one when it
    /// was decoded from these very DER bytes, else decoded now. (A struct built by hand, e.g.
    /// `IdpCertificate { der: other, ..parsed }`, carries a key of other bytes; it is never used.)
    pub(crate) fn key(&self) -> Result<Cow<'_, VerificationKey>, CertificateError> {
        if *self.verification_key.0.der == *self.der {
            return Ok(Cow::Borrowed(&self.verification_key));
        }
        let key = X509::from_der(&self.der)
            .and_then(|x509| x509.public_key())
            .map_err(|_| CertificateError::Malformed)?;
        Ok(Cow::Owned(VerificationKey::new(&self.der, key)))
    }
}

/// The public key of an [`IdpCertificate`], decoded once (OpenSSL's key decoding costs more
/// than the signature check itself). Opaque: only [`parse_certificate`] makes one. Cheap to
/// clone; two are equal when they come from the same certificate bytes.
#[derive(Clone)]
pub struct VerificationKey(Arc<KeyParts>);

struct KeyParts {
    /// The certificate DER the key was decoded from.
    der: Vec<u8>,
    key: PKey<Public>,
    /// The same key for OpenSSL's low-level calls (no algorithm fetch per signature): set for
    /// plain RSA keys (not RSA-PSS) and EC keys respectively.
    rsa: Option<Rsa<Public>>,
    ec: Option<EcKey<Public>>,
}

impl VerificationKey {
    fn new(der: &[u8], key: PKey<Public>) -> Self {
        let rsa = (key.id() == Id::RSA).then(|| key.rsa().ok()).flatten();
        let ec = (key.id() == Id::EC).then(|| key.ec_key().ok()).flatten();
        Self(Arc::new(KeyParts {
            der: der.to_vec(),
            key,
            rsa,
            ec,
        }))
    }

    pub(crate) fn pkey(&self) -> &PKeyRef<Public> {
        &self.0.key
    }

    pub(crate) fn rsa(&self) -> Option<&RsaRef<Public>> {
        self.0.rsa.as_deref()
    }

    pub(crate) fn ec(&self) -> Option<&EcKeyRef<Public>> {
        self.0.ec.as_deref()
    }
}

impl PartialEq for VerificationKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.der == other.0.der
    }
}

impl Eq for VerificationKey {}

impl std::fmt::Debug for VerificationKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "VerificationKey({:?}, {} bits)",
            self.0.key.id(),
            self.0.key.bits()
        )
    }
}

/// Why an uploaded certificate was refused. The `Display` text is written for a tenant admin.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    /// Nothing (or only whitespace) was uploaded.
    #[error("the certificate is empty")]
    Empty,
    /// A private key was uploaded.
    #[error(
        "this is a private key, not a certificate; a private key must never be uploaded \
         (treat it as compromised if it left the identity provider) — upload the IdP's public \
         signing certificate instead"
    )]
    PrivateKey,
    /// A certificate signing request was uploaded.
    #[error(
        "this is a certificate signing request (CSR), not a certificate — upload the IdP's \
         signing certificate"
    )]
    CertificateRequest,
    /// More than one certificate was found in one upload.
    #[error(
        "the upload contains {count} certificates; upload exactly one signing certificate at a \
         time (add each certificate separately during a rollover)"
    )]
    MultipleCertificates {
        /// How many certificates were found.
        count: usize,
    },
    /// A PEM block of some other kind (public key, PKCS#7, parameters…).
    #[error("the upload contains a PEM \"{label}\" block, not a certificate")]
    UnsupportedPem {
        /// The PEM label, e.g. `PUBLIC KEY`.
        label: String,
    },
    /// Not PEM, not Base64, not DER.
    #[error(
        "the upload is not a certificate: expected PEM (-----BEGIN CERTIFICATE-----), the Base64 \
         certificate download, or a DER (.cer) file"
    )]
    NotACertificate,
    /// The encoding was recognised but the certificate inside is damaged.
    #[error("the certificate is damaged or truncated and could not be read")]
    Malformed,
    /// A DER certificate followed by extra bytes.
    #[error("the certificate is followed by unexpected extra data")]
    TrailingData,
    /// The public key is below the floor ([`check_key_strength`]).
    #[error(
        "the certificate's {key_type} key is {bits} bits; Gatehouse requires RSA keys of at least \
         2048 bits or EC keys of at least 256 bits (Entra, Okta and Google use RSA-2048) — ask \
         the IdP for a stronger signing certificate"
    )]
    WeakKey {
        /// `RSA`, `EC`, `DSA`…
        key_type: String,
        /// The key size in bits.
        bits: u32,
    },
}

/// Smallest RSA modulus accepted for an IdP signing key.
pub const MIN_RSA_BITS: u32 = 2048;
/// Smallest EC curve accepted for an IdP signing key.
pub const MIN_EC_BITS: u32 = 256;

/// The key-strength floor for IdP signing certificates: RSA (and RSA-PSS) of at least
/// [`MIN_RSA_BITS`], EC of at least [`MIN_EC_BITS`], Ed25519/Ed448; DSA and unknown keys never.
/// Applied when a certificate is uploaded or imported and again at every verification, so a
/// weak certificate stored before the floor existed cannot verify anything.
pub fn check_key_strength(certificate: &IdpCertificate) -> Result<(), CertificateError> {
    let strong = match certificate.key_type.as_str() {
        "RSA" | "RSA-PSS" => certificate.key_bits >= MIN_RSA_BITS,
        "EC" => certificate.key_bits >= MIN_EC_BITS,
        "Ed25519" | "Ed448" => true,
        _ => false,
    };
    if strong {
        Ok(())
    } else {
        Err(CertificateError::WeakKey {
            key_type: certificate.key_type.clone(),
            bits: certificate.key_bits,
        })
    }
}

/// Parse exactly one X.509 certificate from PEM (with headers, any line ends, surrounding text
/// ignored), bare Base64 (Entra's "Certificate (Base64)" body, wrapped or not) or raw DER.
///
/// Several certificates in one input are refused ([`CertificateError::MultipleCertificates`])
/// rather than silently taking the first: during a rollover the admin must decide which
/// certificates to trust, one by one.
pub fn parse_certificate(input: &[u8]) -> Result<IdpCertificate, CertificateError> {
    let (der, labelled) = decode_to_der(input)?;
    let certificate = certificate_from_der(&der).map_err(|err| match err {
        // A block labelled CERTIFICATE that is not one is damaged, whatever its bytes look like.
        CertificateError::NotACertificate if labelled => CertificateError::Malformed,
        other => other,
    })?;
    check_key_strength(&certificate)?;
    Ok(certificate)
}

/// Build an [`IdpCertificate`] from DER bytes (metadata import already has them decoded).
pub(crate) fn certificate_from_der(der: &[u8]) -> Result<IdpCertificate, CertificateError> {
    let x509 = match X509::from_der(der) {
        Ok(x509) => x509,
        Err(_) => return Err(classify_non_certificate_der(der)),
    };
    // openssl keeps the original encoding, so a shorter re-encoding means bytes were left over
    // (for example two DER certificates glued together).
    let reencoded = x509.to_der().map_err(|_| CertificateError::Malformed)?;
    if reencoded.len() != der.len() {
        return Err(CertificateError::TrailingData);
    }
    let pem = String::from_utf8(x509.to_pem().map_err(|_| CertificateError::Malformed)?)
        .map_err(|_| CertificateError::Malformed)?;
    let key = x509.public_key().map_err(|_| CertificateError::Malformed)?;
    let key_type = match key.id() {
        Id::RSA => "RSA",
        Id::RSA_PSS => "RSA-PSS",
        Id::EC => "EC",
        Id::ED25519 => "Ed25519",
        Id::ED448 => "Ed448",
        Id::DSA => "DSA",
        _ => "unknown",
    };
    Ok(IdpCertificate {
        pem,
        der: der.to_vec(),
        subject: distinguished_name(x509.subject_name()),
        issuer: distinguished_name(x509.issuer_name()),
        fingerprint_sha256: fingerprint_sha256(der),
        not_before: asn1_to_chrono(x509.not_before())?,
        not_after: asn1_to_chrono(x509.not_after())?,
        key_type: key_type.to_owned(),
        key_bits: key.bits(),
        verification_key: VerificationKey::new(der, key),
    })
}

/// SHA-256 fingerprint in the `AB:CD:…` form.
pub(crate) fn fingerprint_sha256(der: &[u8]) -> String {
    let digest = Sha256::digest(der);
    let mut out = String::with_capacity(digest.len() * 3);
    for (i, byte) in digest.iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        out.push_str(&format!("{byte:02X}"));
    }
    out
}

/// The DER inside the upload, and whether it came from a PEM block labelled as a certificate.
fn decode_to_der(input: &[u8]) -> Result<(Vec<u8>, bool), CertificateError> {
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let trimmed = input.trim_ascii();
    if trimmed.is_empty() {
        return Err(CertificateError::Empty);
    }
    // DER always starts with a SEQUENCE tag followed by non-ASCII length bytes; PEM and Base64
    // are ASCII. Use the untrimmed bytes: trimming could eat a DER byte that happens to be 0x20.
    if input[0] == 0x30 && std::str::from_utf8(input).is_err() {
        return Ok((input.to_vec(), false));
    }
    let Ok(text) = std::str::from_utf8(trimmed) else {
        return Err(CertificateError::NotACertificate);
    };
    if text.contains("-----BEGIN ") {
        return decode_pem(text).map(|der| (der, true));
    }
    decode_base64(text)
        .map(|der| (der, false))
        .ok_or(CertificateError::NotACertificate)
}

fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if compact.is_empty() {
        return None;
    }
    STANDARD.decode(compact.as_bytes()).ok()
}

/// Find every PEM block, refuse anything that is not a single certificate.
fn decode_pem(text: &str) -> Result<Vec<u8>, CertificateError> {
    let mut certificates = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + "-----BEGIN ".len()..];
        let Some(label_end) = after.find("-----") else {
            return Err(CertificateError::NotACertificate);
        };
        let label = after[..label_end].trim().to_owned();
        let body_and_rest = &after[label_end + "-----".len()..];
        let end_marker = format!("-----END {label}-----");
        let Some(end) = body_and_rest.find(&end_marker) else {
            return Err(CertificateError::Malformed);
        };
        let body = &body_and_rest[..end];
        rest = &body_and_rest[end + end_marker.len()..];

        if label.contains("PRIVATE KEY") {
            return Err(CertificateError::PrivateKey);
        }
        match label.as_str() {
            "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => {
                certificates.push(decode_base64(body).ok_or(CertificateError::Malformed)?);
            }
            "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => {
                return Err(CertificateError::CertificateRequest);
            }
            _ => return Err(CertificateError::UnsupportedPem { label }),
        }
    }
    match certificates.len() {
        0 => Err(CertificateError::NotACertificate),
        1 => Ok(certificates.remove(0)),
        count => Err(CertificateError::MultipleCertificates { count }),
    }
}

/// The DER is not a certificate: say what it is if we can tell.
fn classify_non_certificate_der(der: &[u8]) -> CertificateError {
    if PKey::private_key_from_der(der).is_ok() {
        return CertificateError::PrivateKey;
    }
    if X509Req::from_der(der).is_ok() {
        return CertificateError::CertificateRequest;
    }
    if der.first() == Some(&0x30) {
        CertificateError::Malformed
    } else {
        CertificateError::NotACertificate
    }
}

/// RFC 4514-style rendering, most specific RDN first (`CN=…, O=…, C=…`).
fn distinguished_name(name: &X509NameRef) -> String {
    let mut parts: Vec<String> = name
        .entries()
        .map(|entry| {
            let nid = entry.object().nid();
            let key = match nid {
                Nid::COMMONNAME => "CN".to_owned(),
                Nid::ORGANIZATIONNAME => "O".to_owned(),
                Nid::ORGANIZATIONALUNITNAME => "OU".to_owned(),
                Nid::COUNTRYNAME => "C".to_owned(),
                Nid::STATEORPROVINCENAME => "ST".to_owned(),
                Nid::LOCALITYNAME => "L".to_owned(),
                Nid::DOMAINCOMPONENT => "DC".to_owned(),
                Nid::PKCS9_EMAILADDRESS => "emailAddress".to_owned(),
                other => other
                    .short_name()
                    .map(str::to_owned)
                    .unwrap_or_else(|_| entry.object().to_string()),
            };
            let value = entry.data().to_string().unwrap_or_else(|_| "?".to_owned());
            format!("{key}={}", escape_dn_value(&value))
        })
        .collect();
    parts.reverse();
    parts.join(", ")
}

fn escape_dn_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for (i, c) in value.chars().enumerate() {
        let leading = i == 0 && (c == ' ' || c == '#');
        if leading || matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=') {
            out.push('\\');
        }
        out.push(c);
    }
    if out.ends_with(' ') && !out.ends_with("\\ ") {
        out.insert(out.len() - 1, '\\');
    }
    out
}

fn asn1_to_chrono(time: &Asn1TimeRef) -> Result<DateTime<Utc>, CertificateError> {
    let epoch = Asn1Time::from_unix(0).map_err(|_| CertificateError::Malformed)?;
    let diff = epoch.diff(time).map_err(|_| CertificateError::Malformed)?;
    let seconds = i64::from(diff.days) * 86_400 + i64::from(diff.secs);
    DateTime::from_timestamp(seconds, 0).ok_or(CertificateError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_format() {
        let fp = fingerprint_sha256(b"abc");
        assert_eq!(fp.len(), 32 * 3 - 1);
        assert!(fp.starts_with("BA:78:16:BF"));
    }

    #[test]
    fn dn_escaping() {
        assert_eq!(escape_dn_value("Acme, Inc."), "Acme\\, Inc.");
        assert_eq!(escape_dn_value("#x"), "\\#x");
        assert_eq!(escape_dn_value("plain"), "plain");
    }
}
