//! XML signatures: the algorithm floor, the shape a SAML signature may have, verification with the
//! configured certificates only, and — after a failure — the diagnosis an admin can act on.
//!
//! [`verify`] checks every `<Signature>` of the message against one configured certificate at a
//! time (never the message's own KeyInfo) and returns the exact canonical bytes that were
//! digested; callers extract claims from those bytes only. Two verifiers stand behind it:
//! - [`crate::dsig`], in the crate, for the common profile (exclusive c14n, SHA-2 digests,
//!   RSA/ECDSA-SHA-2): it works on the strict tree already parsed and uses each certificate's
//!   public key as decoded once when the certificate was parsed;
//! - everything else goes to samael's `reduce_xml_to_signed` in `PreDigest` mode: libxmlsec1
//!   with the certificate as its `signKey`.
//!
//! Which one runs is decided by the message's algorithms before anything is verified; a refusal
//! by the first is final. The differential tests (`crate::differential`) hold both to the same
//! verdict and the same canonical bytes over the corpus and its mutations.
//!
//! Only used inside the crate.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use samael::crypto::{
    AllowedSignatureAlgorithm, CertificateDer, CryptoProvider as _, ReduceMode, XmlSec,
};
use sha2::Digest as _;

use crate::c14n::C14n;
use crate::certificate::{IdpCertificate, certificate_from_der};
use crate::dsig::{ENVELOPED, EXC_C14N};
use crate::error::{ReasonCode, ValidationError};
use crate::xml::{Element, NS_DS};

const EXC_C14N_COMMENTS: &str = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments";
const C14N: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
const C14N_COMMENTS: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments";
const C14N11: &str = "http://www.w3.org/2006/12/xml-c14n11";
const C14N11_COMMENTS: &str = "http://www.w3.org/2006/12/xml-c14n11#WithComments";

/// RSA and ECDSA with SHA-256 or stronger. Everything else (SHA-1, HMAC, DSA, MD5) is refused.
const ALLOWED: [AllowedSignatureAlgorithm; 6] = [
    AllowedSignatureAlgorithm::RsaSha256,
    AllowedSignatureAlgorithm::RsaSha384,
    AllowedSignatureAlgorithm::RsaSha512,
    AllowedSignatureAlgorithm::EcdsaSha256,
    AllowedSignatureAlgorithm::EcdsaSha384,
    AllowedSignatureAlgorithm::EcdsaSha512,
];

fn ds_child<'a>(element: &'a Element, local: &str) -> Option<&'a Element> {
    element.child(NS_DS, local)
}

fn algorithm_name(uri: &str) -> &str {
    uri.rsplit(['#', '/']).next().unwrap_or(uri)
}

/// The single `Reference URI` of a signature, after checking its shape and algorithms:
/// exactly one Reference, only enveloped-signature + canonicalisation transforms, SHA-256+
/// digest, RSA/ECDSA-SHA-256+ signature method.
pub(crate) fn check_signature_shape(signature: &Element) -> Result<String, ValidationError> {
    let signed_info = ds_child(signature, "SignedInfo").ok_or_else(|| {
        ValidationError::new(ReasonCode::Malformed, "a Signature has no SignedInfo")
    })?;
    let method = ds_child(signed_info, "SignatureMethod")
        .and_then(|m| m.attr("Algorithm"))
        .unwrap_or_default();
    if !ALLOWED.iter().any(|a| a.signature_uri() == method) {
        return Err(ValidationError::new(
            ReasonCode::WeakAlgorithm,
            format!(
                "signature algorithm {} is not accepted; expected RSA or ECDSA with SHA-256 or \
                 stronger (in Entra: Signing Option \"SHA-256\")",
                algorithm_name(method)
            ),
        ));
    }
    let c14n = ds_child(signed_info, "CanonicalizationMethod")
        .and_then(|m| m.attr("Algorithm"))
        .unwrap_or_default();
    if !is_c14n(c14n) {
        return Err(ValidationError::new(
            ReasonCode::UnsupportedTransform,
            format!("canonicalization method {c14n:?} is not accepted"),
        ));
    }
    let references: Vec<&Element> = signed_info.children_named(NS_DS, "Reference").collect();
    let [reference] = references.as_slice() else {
        return Err(ValidationError::new(
            ReasonCode::Wrapping,
            format!(
                "a Signature must sign exactly one element; this one has {} References",
                references.len()
            ),
        ));
    };
    let digest = ds_child(reference, "DigestMethod")
        .and_then(|m| m.attr("Algorithm"))
        .unwrap_or_default();
    if !ALLOWED.iter().any(|a| a.digest_uri() == digest) {
        return Err(ValidationError::new(
            ReasonCode::WeakAlgorithm,
            format!(
                "digest algorithm {} is not accepted; expected SHA-256 or stronger",
                algorithm_name(digest)
            ),
        ));
    }
    let transforms: Vec<&str> = ds_child(reference, "Transforms")
        .map(|t| {
            t.children_named(NS_DS, "Transform")
                .map(|t| t.attr("Algorithm").unwrap_or_default())
                .collect()
        })
        .unwrap_or_default();
    let enveloped = transforms.iter().filter(|t| **t == ENVELOPED).count();
    let canonical = transforms.iter().filter(|t| is_c14n(t)).count();
    if enveloped != 1 || canonical > 1 || enveloped + canonical != transforms.len() {
        return Err(ValidationError::new(
            ReasonCode::UnsupportedTransform,
            format!(
                "signature transforms {:?} are not accepted; expected enveloped-signature and \
                 exclusive canonicalization",
                transforms
                    .iter()
                    .map(|t| algorithm_name(t))
                    .collect::<Vec<_>>()
            ),
        ));
    }
    Ok(reference.attr("URI").unwrap_or_default().to_owned())
}

fn is_c14n(uri: &str) -> bool {
    [
        EXC_C14N,
        EXC_C14N_COMMENTS,
        C14N,
        C14N_COMMENTS,
        C14N11,
        C14N11_COMMENTS,
    ]
    .contains(&uri)
}

/// A successful verification: which certificate, and the canonical bytes that were signed.
pub(crate) struct Verified {
    pub certificate: usize,
    pub signed_xml: String,
}

/// One `<Signature>` of the message with the element it envelops.
pub(crate) struct Signed<'a> {
    pub signature: &'a Element,
    pub element: &'a Element,
    /// The namespace declarations in scope at `element` (its ancestors'), outermost first.
    pub scope: Vec<(&'a str, &'a str)>,
    /// Whether `element` is the document's root (the Response).
    pub signs_root: bool,
}

/// Verify every signature of the message (`xml`, parsed into `signed`) with one configured
/// certificate at a time. Blocking.
pub(crate) fn verify(
    xml: &str,
    root: &Element,
    signed: &[Signed<'_>],
    certificates: &[IdpCertificate],
) -> Option<Verified> {
    match crate::dsig::verify(root, signed, certificates) {
        Some(outcome) => outcome,
        None => verify_with_xmlsec(xml, certificates),
    }
}

/// samael / libxmlsec1 for every signature of `xml`.
pub(crate) fn verify_with_xmlsec(xml: &str, certificates: &[IdpCertificate]) -> Option<Verified> {
    certificates
        .iter()
        .enumerate()
        .find_map(|(index, certificate)| {
            verify_with(xml, &certificate.der).map(|signed_xml| Verified {
                certificate: index,
                signed_xml,
            })
        })
}

fn verify_with(xml: &str, der: &[u8]) -> Option<String> {
    XmlSec::reduce_xml_to_signed_with_allowed_algorithms(
        xml,
        &[CertificateDer::from(der.to_vec())],
        ReduceMode::PreDigest,
        Some(&ALLOWED),
    )
    .ok()
}

/// Explain why no configured certificate verified the document.
///
/// Checks, in order: does the embedded KeyInfo certificate verify (→ the IdP
/// signs with a certificate the tenant has not configured); does the digest still match
/// (no → content changed after signing); otherwise the signature value itself is wrong.
pub(crate) fn diagnose(
    xml: &str,
    certificates: &[IdpCertificate],
    signed: &[Signed<'_>],
) -> ValidationError {
    let configured: Vec<&str> = certificates
        .iter()
        .map(|c| c.fingerprint_sha256.as_str())
        .collect();
    for Signed { signature, .. } in signed {
        let Some(embedded) = embedded_certificate(signature) else {
            continue;
        };
        if configured.contains(&embedded.fingerprint_sha256.as_str()) {
            continue;
        }
        if verify_with(xml, &embedded.der).is_some() {
            return ValidationError::new(
                ReasonCode::UntrustedKey,
                format!(
                    "the message is signed with a key that is not among the configured \
                     certificates ({}); it carries its own certificate (unverified — anyone can \
                     make one: fingerprint {}, subject \"{}\", valid until {}). Never trust a \
                     certificate taken from a sign-in attempt: if the IdP has rolled over its \
                     signing certificate, download the new one from the IdP itself and compare \
                     fingerprints",
                    configured.join(", "),
                    embedded.fingerprint_sha256,
                    embedded.subject,
                    embedded.not_after.format("%Y-%m-%d"),
                ),
            );
        }
    }
    for Signed {
        signature,
        element,
        scope,
        ..
    } in signed
    {
        if digest_matches(signature, element, scope) == Some(false) {
            return ValidationError::new(
                ReasonCode::DigestMismatch,
                format!(
                    "the signed <{}> was modified after it was signed (its digest does not match)",
                    element.local
                ),
            );
        }
    }
    ValidationError::new(
        ReasonCode::SignatureInvalid,
        format!(
            "the signature does not verify with any configured certificate ({})",
            configured.join(", ")
        ),
    )
}

fn embedded_certificate(signature: &Element) -> Option<IdpCertificate> {
    let text = ds_child(signature, "KeyInfo")?
        .child(NS_DS, "X509Data")?
        .child(NS_DS, "X509Certificate")?
        .text();
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let der = STANDARD.decode(compact).ok()?;
    certificate_from_der(&der).ok()
}

/// Recompute the reference digest (diagnosis only: says *why* verification failed).
/// `None` when the algorithms are outside what this re-implementation covers.
fn digest_matches<'a>(
    signature: &'a Element,
    element: &'a Element,
    in_scope: &[(&'a str, &'a str)],
) -> Option<bool> {
    let reference = ds_child(signature, "SignedInfo")?.child(NS_DS, "Reference")?;
    let expected = STANDARD
        .decode(
            ds_child(reference, "DigestValue")?
                .text()
                .chars()
                .filter(|c| !c.is_ascii_whitespace())
                .collect::<String>(),
        )
        .ok()?;
    let transforms = ds_child(reference, "Transforms")?;
    let c14n = transforms
        .children_named(NS_DS, "Transform")
        .find(|t| t.attr("Algorithm").is_some_and(is_c14n))
        .map(|t| {
            let prefixes = t
                .elements()
                .find(|e| e.local == "InclusiveNamespaces")
                .and_then(|e| e.attr("PrefixList"))
                .map(|l| l.split_whitespace().map(str::to_owned).collect())
                .unwrap_or_default();
            (t.attr("Algorithm").unwrap_or_default().to_owned(), prefixes)
        })
        .unwrap_or_else(|| (C14N.to_owned(), Vec::new()));
    let canonical = C14n {
        exclusive: c14n.0.starts_with(EXC_C14N),
        with_comments: c14n.0.ends_with("#WithComments"),
        inclusive_prefixes: &c14n.1,
        skip: Some(signature),
    }
    .canonicalize(element, in_scope);
    let actual = match ds_child(reference, "DigestMethod")?.attr("Algorithm")? {
        "http://www.w3.org/2001/04/xmlenc#sha256" => sha2::Sha256::digest(&canonical).to_vec(),
        "http://www.w3.org/2001/04/xmldsig-more#sha384" => {
            sha2::Sha384::digest(&canonical).to_vec()
        }
        "http://www.w3.org/2001/04/xmlenc#sha512" => sha2::Sha512::digest(&canonical).to_vec(),
        _ => return None,
    };
    Some(actual == expected)
}
