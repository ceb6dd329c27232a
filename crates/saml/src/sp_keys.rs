//! Our own (SP) key pairs: generating a signing or encryption key with its self-signed
//! certificate, and the [`SpKeyring`] the rest of the crate signs, decrypts and publishes with.
//!
//! Storage (encrypted at rest) and the rollover steps live in the identity crate; this room
//! only knows keys and certificates. Private keys never leave this module except as PKCS#8 DER
//! bytes handed to the caller that encrypts them, and no `Debug` output shows them.

use openssl::asn1::{Asn1Integer, Asn1Time};
use openssl::bn::{BigNum, MsbOption};
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{Id, PKey, Private};
use openssl::rsa::Rsa;
use openssl::x509::extension::{BasicConstraints, KeyUsage};
use openssl::x509::{X509, X509NameBuilder};

use crate::certificate::{CertificateError, IdpCertificate, certificate_from_der};
use crate::sp::{SigningKey, SpError};

/// Which algorithm a new SP key uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAlgorithm {
    /// RSA with a 3072-bit modulus: what every IdP (Entra included) accepts for signed
    /// requests, and the only choice for encryption (Entra's token encryption is RSA-OAEP).
    Rsa3072,
    /// ECDSA P-256: smaller and faster; for IdPs known to verify ECDSA query signatures.
    P256,
}

impl KeyAlgorithm {
    /// The stored and configured name (`rsa-3072`, `p-256`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rsa3072 => "rsa-3072",
            Self::P256 => "p-256",
        }
    }

    /// The algorithm named `name` ([`Self::as_str`]).
    pub fn parse(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "rsa-3072" | "rsa3072" | "rsa" => Some(Self::Rsa3072),
            "p-256" | "p256" | "ecdsa-p256" => Some(Self::P256),
            _ => None,
        }
    }
}

/// A freshly generated key pair: the private key as PKCS#8 DER (to be encrypted by the caller
/// before it is stored anywhere) and the certificate.
pub struct GeneratedKey {
    /// PKCS#8 DER of the private key. Never log it.
    pub private_key_der: Vec<u8>,
    /// The self-signed certificate.
    pub certificate: IdpCertificate,
}

impl std::fmt::Debug for GeneratedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeneratedKey")
            .field("certificate", &self.certificate.fingerprint_sha256)
            .finish_non_exhaustive()
    }
}

/// Generate a key pair and a self-signed certificate (`CN=<common_name>`, SHA-256, valid from
/// `not_before` for `valid_days`).
pub fn generate_key(
    algorithm: KeyAlgorithm,
    common_name: &str,
    not_before: chrono::DateTime<chrono::Utc>,
    valid_days: u32,
) -> Result<GeneratedKey, SpError> {
    let key = match algorithm {
        KeyAlgorithm::Rsa3072 => Rsa::generate(3072)
            .and_then(PKey::from_rsa)
            .map_err(|_| SpError::InvalidKey)?,
        KeyAlgorithm::P256 => EcGroup::from_curve_name(Nid::X9_62_PRIME256V1)
            .and_then(|group| EcKey::generate(&group))
            .and_then(PKey::from_ec_key)
            .map_err(|_| SpError::InvalidKey)?,
    };
    let certificate = self_signed(&key, common_name, not_before, valid_days)
        .map_err(|_| SpError::InvalidCertificate(CertificateError::Malformed))?;
    let der = certificate
        .to_der()
        .map_err(|_| SpError::InvalidCertificate(CertificateError::Malformed))?;
    let certificate = certificate_from_der(&der).map_err(SpError::InvalidCertificate)?;
    let private_key_der = key
        .private_key_to_pkcs8()
        .map_err(|_| SpError::InvalidKey)?;
    Ok(GeneratedKey {
        private_key_der,
        certificate,
    })
}

fn self_signed(
    key: &PKey<Private>,
    common_name: &str,
    not_before: chrono::DateTime<chrono::Utc>,
    valid_days: u32,
) -> Result<X509, openssl::error::ErrorStack> {
    let mut name = X509NameBuilder::new()?;
    name.append_entry_by_nid(Nid::COMMONNAME, common_name)?;
    let name = name.build();
    let mut serial = BigNum::new()?;
    serial.rand(127, MsbOption::MAYBE_ZERO, false)?;
    let serial = Asn1Integer::from_bn(&serial)?;
    let mut builder = X509::builder()?;
    builder.set_version(2)?;
    builder.set_serial_number(&serial)?;
    builder.set_subject_name(&name)?;
    builder.set_issuer_name(&name)?;
    builder.set_pubkey(key)?;
    let start = Asn1Time::from_unix(not_before.timestamp())?;
    let end = Asn1Time::from_unix(not_before.timestamp() + i64::from(valid_days) * 86_400)?;
    builder.set_not_before(&start)?;
    builder.set_not_after(&end)?;
    builder.append_extension(BasicConstraints::new().build()?)?;
    builder.append_extension(
        KeyUsage::new()
            .digital_signature()
            .key_encipherment()
            .build()?,
    )?;
    builder.sign(key, MessageDigest::sha256())?;
    Ok(builder.build())
}

/// The private half of an SP encryption key: decrypts the key an IdP wrapped for us
/// (RSA-OAEP). Cheap to clone; `Debug` shows only the certificate fingerprint.
#[derive(Clone)]
pub struct DecryptionKey {
    pub(crate) key: PKey<Private>,
    certificate: IdpCertificate,
}

impl std::fmt::Debug for DecryptionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecryptionKey")
            .field("certificate", &self.certificate.fingerprint_sha256)
            .finish_non_exhaustive()
    }
}

impl DecryptionKey {
    /// An RSA private key (PKCS#8 DER) and its certificate (DER); refused when they do not
    /// belong together or the key is not RSA.
    pub fn from_der(private_key_der: &[u8], certificate_der: &[u8]) -> Result<Self, SpError> {
        let (key, certificate) = key_and_certificate(private_key_der, certificate_der)?;
        if key.id() != Id::RSA {
            return Err(SpError::InvalidKey);
        }
        Ok(Self { key, certificate })
    }

    /// The certificate the IdP encrypts to.
    pub fn certificate(&self) -> &IdpCertificate {
        &self.certificate
    }
}

impl SigningKey {
    /// A private key (PKCS#8 DER) and its certificate (DER).
    pub fn from_der(private_key_der: &[u8], certificate_der: &[u8]) -> Result<Self, SpError> {
        let (key, certificate) = key_and_certificate(private_key_der, certificate_der)?;
        Ok(Self::from_parts(key, certificate))
    }
}

fn key_and_certificate(
    private_key_der: &[u8],
    certificate_der: &[u8],
) -> Result<(PKey<Private>, IdpCertificate), SpError> {
    let key = PKey::private_key_from_pkcs8(private_key_der).map_err(|_| SpError::InvalidKey)?;
    let certificate = certificate_from_der(certificate_der).map_err(SpError::InvalidCertificate)?;
    let public = X509::from_der(certificate_der)
        .and_then(|x| x.public_key())
        .map_err(|_| SpError::InvalidCertificate(CertificateError::Malformed))?;
    if !key.public_eq(&public) {
        return Err(SpError::KeyMismatch);
    }
    Ok((key, certificate))
}

/// The SP keys in use at one moment: the active signing key, the certificates published in
/// metadata (active and next, per role) and every encryption key still accepted (active,
/// next and previous: an IdP may encrypt to any certificate it was given until the operator
/// drops it).
#[derive(Clone, Debug, Default)]
pub struct SpKeyring {
    /// Signs AuthnRequests and logout messages.
    pub signing: Option<SigningKey>,
    /// Signing certificates in metadata (`use="signing"`).
    pub signing_published: Vec<IdpCertificate>,
    /// Keys an EncryptedAssertion may be decrypted with, active first.
    pub decryption: Vec<DecryptionKey>,
    /// Encryption certificates in metadata (`use="encryption"`), active first.
    pub encryption_published: Vec<IdpCertificate>,
}
