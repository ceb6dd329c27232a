//! The service provider (us): its fixed URLs, the request-signing key type, and the SP metadata
//! document an admin can hand to the IdP (its keys come from an [`SpKeyring`]).
//!
//! Entity ID and ACS URL are the same URL, `<public URL>/saml2` (the 8x8 convention Entra's
//! gallery app expects); single logout is `<public URL>/saml2/logout`.

use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::sign::Signer;
use openssl::x509::X509;

use crate::certificate::{CertificateError, IdpCertificate, certificate_from_der};
use crate::sp_keys::SpKeyring;
use crate::xml::escape;

/// Our SAML identity and endpoints.
#[derive(Debug, Clone)]
pub struct ServiceProvider {
    /// Entity ID (Entra: "Identifier"), `<public URL>/saml2`.
    pub entity_id: String,
    /// Assertion Consumer Service (Entra: "Reply URL"), `<public URL>/saml2`.
    pub acs_url: String,
    /// Single logout endpoint (Redirect binding), `<public URL>/saml2/logout`.
    pub slo_url: String,
}

/// Why a service provider could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpError {
    /// The public URL is not an absolute http(s) URL.
    #[error("the public URL {0:?} is not an absolute http:// or https:// URL without query")]
    InvalidPublicUrl(String),
    /// The signing key could not be read.
    #[error("the SP signing key is not a readable PEM private key (RSA or EC)")]
    InvalidKey,
    /// The signing certificate could not be read.
    #[error("the SP signing certificate is invalid: {0}")]
    InvalidCertificate(CertificateError),
    /// The key and certificate do not belong together.
    #[error("the SP signing key does not match the SP signing certificate")]
    KeyMismatch,
}

impl ServiceProvider {
    /// Derive the SP from the public base URL (`GATEHOUSE_PUBLIC_URL`), e.g.
    /// `https://gatehouse.example.com` → entity ID `https://gatehouse.example.com/saml2`.
    pub fn from_public_url(public_url: &str) -> Result<Self, SpError> {
        let parsed = url::Url::parse(public_url)
            .map_err(|_| SpError::InvalidPublicUrl(public_url.to_owned()))?;
        if !matches!(parsed.scheme(), "http" | "https")
            || parsed.host().is_none()
            || parsed.query().is_some()
            || parsed.fragment().is_some()
        {
            return Err(SpError::InvalidPublicUrl(public_url.to_owned()));
        }
        let base = public_url.trim_end_matches('/');
        Ok(Self {
            entity_id: format!("{base}/saml2"),
            acs_url: format!("{base}/saml2"),
            slo_url: format!("{base}/saml2/logout"),
        })
    }

    /// The SP `EntityDescriptor`, publishing every signing and encryption certificate of
    /// `keys` (during a rollover, the active and the next one).
    ///
    /// `authn_requests_signed` is the caller's promise that *every* AuthnRequest the reader of
    /// this document will receive is signed (per tenant: the tenant's "sign AuthnRequests"
    /// setting with a signing key present; the global document: false, because tenants
    /// choose). `WantAssertionsSigned` is false because a signature over the whole Response
    /// (one of Entra's modes) is accepted too — what is required is that the Assertion is
    /// covered by a signature, which the validator enforces.
    pub fn metadata_xml(&self, keys: &SpKeyring, authn_requests_signed: bool) -> String {
        let key_info = |certificate: &IdpCertificate| {
            use base64::Engine as _;
            format!(
                "<ds:KeyInfo xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:X509Data>\
                 <ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>",
                base64::engine::general_purpose::STANDARD.encode(&certificate.der)
            )
        };
        let mut key_descriptor = String::new();
        for certificate in &keys.signing_published {
            key_descriptor.push_str(&format!(
                "<md:KeyDescriptor use=\"signing\">{}</md:KeyDescriptor>",
                key_info(certificate)
            ));
        }
        for certificate in &keys.encryption_published {
            key_descriptor.push_str(&format!(
                "<md:KeyDescriptor use=\"encryption\">{}{}</md:KeyDescriptor>",
                key_info(certificate),
                crate::xmlenc::ACCEPTED_ALGORITHMS
                    .iter()
                    .map(|a| format!("<md:EncryptionMethod Algorithm=\"{a}\"/>"))
                    .collect::<String>()
            ));
        }
        let formats = [
            "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
            "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
            "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
        ]
        .iter()
        .map(|f| format!("<md:NameIDFormat>{f}</md:NameIDFormat>"))
        .collect::<String>();
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" \
             entityID=\"{entity}\">\
             <md:SPSSODescriptor AuthnRequestsSigned=\"{signed}\" WantAssertionsSigned=\"false\" \
             protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">\
             {key_descriptor}\
             <md:SingleLogoutService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" \
             Location=\"{slo}\"/>\
             {formats}\
             <md:AssertionConsumerService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\" \
             Location=\"{acs}\" index=\"0\" isDefault=\"true\"/>\
             </md:SPSSODescriptor></md:EntityDescriptor>\n",
            entity = escape(&self.entity_id),
            signed = authn_requests_signed && keys.signing.is_some(),
            slo = escape(&self.slo_url),
            acs = escape(&self.acs_url),
        )
    }
}

/// The SP's private key and certificate for signing Redirect-binding messages (RSA-SHA256, or
/// ECDSA-SHA256 for EC keys). Cheap to clone.
#[derive(Clone)]
pub struct SigningKey {
    key: PKey<Private>,
    certificate: IdpCertificate,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("certificate", &self.certificate.fingerprint_sha256)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Load a PEM private key (PKCS#8 or traditional) and its PEM certificate.
    pub fn from_pem(key_pem: &[u8], certificate_pem: &[u8]) -> Result<Self, SpError> {
        let key = PKey::private_key_from_pem(key_pem).map_err(|_| SpError::InvalidKey)?;
        let x509 = X509::from_pem(certificate_pem)
            .map_err(|_| SpError::InvalidCertificate(CertificateError::Malformed))?;
        let der = x509
            .to_der()
            .map_err(|_| SpError::InvalidCertificate(CertificateError::Malformed))?;
        let certificate = certificate_from_der(&der).map_err(SpError::InvalidCertificate)?;
        let public = x509
            .public_key()
            .map_err(|_| SpError::InvalidCertificate(CertificateError::Malformed))?;
        if !key.public_eq(&public) {
            return Err(SpError::KeyMismatch);
        }
        Ok(Self { key, certificate })
    }

    pub(crate) fn from_parts(key: PKey<Private>, certificate: IdpCertificate) -> Self {
        Self { key, certificate }
    }

    /// The certificate that goes into SP metadata.
    pub fn certificate(&self) -> &IdpCertificate {
        &self.certificate
    }

    /// The `SigAlg` URI this key signs with.
    pub(crate) fn sig_alg(&self) -> &'static str {
        if self.key.id() == openssl::pkey::Id::EC {
            "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
        } else {
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
        }
    }

    /// Sign `octets` (the Redirect-binding query string) with SHA-256. ECDSA signatures are
    /// returned as DER, which is what common IdP implementations verify for the query string.
    pub(crate) fn sign(&self, octets: &[u8]) -> Option<Vec<u8>> {
        let mut signer = Signer::new(MessageDigest::sha256(), &self.key).ok()?;
        signer.update(octets).ok()?;
        signer.sign_to_vec().ok()
    }
}
