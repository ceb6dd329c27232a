//! Importing an IdP's SAML 2.0 metadata (Entra's App Federation Metadata, Okta, Google, generic).
//!
//! Reads the entity ID (→ the connection's issuer), the SSO URL (HTTP-Redirect preferred, else
//! HTTP-POST), the Redirect-binding SLO URL, and **every** signing certificate of the
//! `IDPSSODescriptor` (several during a rollover), deduplicated. Entra's WS-Federation
//! `RoleDescriptor`s and its metadata `<Signature>` are skipped: the admin uploads the document
//! through the authenticated console, and each certificate is shown to them before it is
//! trusted, so the metadata signature adds nothing here.
//!
//! Called by the identity crate's "import metadata" mutation.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::certificate::{
    CertificateError, IdpCertificate, certificate_from_der, check_key_strength,
};
use crate::xml::{self, Element, NS_DS, NS_MD, XmlError};

const REDIRECT: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
const POST: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
const MAX_METADATA_SIZE: usize = 1024 * 1024;

/// What a connection needs from IdP metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdpMetadata {
    /// `entityID` — the issuer the IdP's Responses carry.
    pub entity_id: String,
    /// Where to send AuthnRequests (HTTP-Redirect location if offered, else HTTP-POST).
    pub sso_url: String,
    /// Where to send LogoutRequests (HTTP-Redirect binding only), if the IdP has one.
    pub slo_url: Option<String>,
    /// Every signing certificate (`use="signing"` or no `use`), in document order, without
    /// duplicates.
    pub certificates: Vec<IdpCertificate>,
    /// The `validUntil` attribute as written (xs:dateTime), from the EntityDescriptor or,
    /// failing that, the enclosing EntitiesDescriptor; interpreted by the caller.
    pub valid_until: Option<String>,
    /// The `cacheDuration` attribute as written (xs:duration), found as `valid_until` is.
    pub cache_duration: Option<String>,
}

/// Why metadata could not be imported. `Display` is written for a tenant admin.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetadataError {
    /// DOCTYPE, bad encoding, size or well-formedness problem.
    #[error("the metadata could not be read: {0}")]
    Unreadable(String),
    /// Not an `EntityDescriptor`.
    #[error("this is not SAML 2.0 metadata (expected an EntityDescriptor, found <{0}>)")]
    NotMetadata(String),
    /// An `EntitiesDescriptor` with other than exactly one IdP.
    #[error("the metadata describes {0} identity providers; import the metadata of exactly one")]
    EntityCount(usize),
    /// No `entityID`.
    #[error("the metadata has no entityID")]
    NoEntityId,
    /// No `IDPSSODescriptor` (e.g. SP metadata was uploaded).
    #[error("the metadata has no IDPSSODescriptor — is this the identity provider's metadata?")]
    NotAnIdp,
    /// No Redirect or POST `SingleSignOnService`.
    #[error("the metadata has no HTTP-Redirect or HTTP-POST SingleSignOnService")]
    NoSsoUrl,
    /// No signing certificate.
    #[error("the metadata contains no signing certificate")]
    NoSigningCertificate,
    /// A signing certificate could not be read.
    #[error("signing certificate number {index} in the metadata cannot be used: {error}")]
    InvalidCertificate {
        /// 1-based position among the signing certificates.
        index: usize,
        /// What is wrong with it.
        error: CertificateError,
    },
}

impl From<XmlError> for MetadataError {
    fn from(err: XmlError) -> Self {
        Self::Unreadable(err.to_string())
    }
}

/// Import IdP metadata XML. DOCTYPEs are refused before parsing.
pub fn import_idp_metadata(xml: &str) -> Result<IdpMetadata, MetadataError> {
    let text = xml::guard(xml.as_bytes(), MAX_METADATA_SIZE)?;
    let root = xml::parse(text)?;
    let entity = if root.is(NS_MD, "EntityDescriptor") {
        &root
    } else if root.is(NS_MD, "EntitiesDescriptor") {
        let idps: Vec<&Element> = root
            .descendants()
            .into_iter()
            .map(|(e, _)| e)
            .filter(|e| {
                e.is(NS_MD, "EntityDescriptor") && e.child(NS_MD, "IDPSSODescriptor").is_some()
            })
            .collect();
        if idps.len() != 1 {
            return Err(MetadataError::EntityCount(idps.len()));
        }
        idps[0]
    } else {
        return Err(MetadataError::NotMetadata(root.local.clone()));
    };
    let entity_id = entity
        .attr("entityID")
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .ok_or(MetadataError::NoEntityId)?
        .to_owned();
    let idp = entity
        .child(NS_MD, "IDPSSODescriptor")
        .ok_or(MetadataError::NotAnIdp)?;

    let location = |service: &str, binding: &str| {
        idp.children_named(NS_MD, service)
            .find(|s| s.attr("Binding") == Some(binding))
            .and_then(|s| s.attr("Location"))
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty())
    };
    let sso_url = location("SingleSignOnService", REDIRECT)
        .or_else(|| location("SingleSignOnService", POST))
        .ok_or(MetadataError::NoSsoUrl)?;
    let slo_url = location("SingleLogoutService", REDIRECT);

    let mut certificates: Vec<IdpCertificate> = Vec::new();
    let signing = idp
        .children_named(NS_MD, "KeyDescriptor")
        .filter(|k| matches!(k.attr("use"), None | Some("signing")));
    let mut index = 0;
    for descriptor in signing {
        let bodies = descriptor
            .child(NS_DS, "KeyInfo")
            .into_iter()
            .flat_map(|k| k.children_named(NS_DS, "X509Data"))
            .flat_map(|d| d.children_named(NS_DS, "X509Certificate"));
        for body in bodies {
            index += 1;
            let compact: String = body.text().chars().filter(|c| !c.is_whitespace()).collect();
            let der = STANDARD
                .decode(compact)
                .map_err(|_| MetadataError::InvalidCertificate {
                    index,
                    error: CertificateError::NotACertificate,
                })?;
            let certificate = certificate_from_der(&der)
                .and_then(|c| check_key_strength(&c).map(|()| c))
                .map_err(|error| MetadataError::InvalidCertificate { index, error })?;
            if !certificates
                .iter()
                .any(|c| c.fingerprint_sha256 == certificate.fingerprint_sha256)
            {
                certificates.push(certificate);
            }
        }
    }
    if certificates.is_empty() {
        return Err(MetadataError::NoSigningCertificate);
    }
    let attr = |name: &str| {
        entity
            .attr(name)
            .or_else(|| root.attr(name))
            .map(|v| v.trim().to_owned())
    };
    Ok(IdpMetadata {
        entity_id,
        sso_url,
        slo_url,
        certificates,
        valid_until: attr("validUntil"),
        cache_duration: attr("cacheDuration"),
    })
}
