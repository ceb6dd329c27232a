//! In-crate XML-DSig verification for the profile every mainstream IdP uses: exclusive c14n
//! (optionally with an `InclusiveNamespaces PrefixList`) as CanonicalizationMethod and as the
//! only transform besides enveloped-signature, a SHA-256/384/512 digest, and RSA (PKCS#1 v1.5) or
//! ECDSA with SHA-256/384/512, verified with the configured certificates' keys, decoded once.
//!
//! It works on the strict tree [`crate::response`] already parsed and checked (structure,
//! wrapping shapes, unique IDs, one Reference whose URI names the signature's parent), so
//! libxml2 never parses the message and libxmlsec1 never reloads the certificate:
//! 1. canonicalise `SignedInfo`, **re-parse those canonical bytes** and take every decision
//!    input (methods, Reference URI, transforms, DigestValue) from them only;
//! 2. canonicalise the signed element without its enveloped Signature, hash it, and compare
//!    with the signed DigestValue in constant time;
//! 3. verify `SignatureValue` over the canonical `SignedInfo` with each configured key; a key
//!    whose type does not match the signature method verifies nothing.
//!
//! The caller reads the claims from the canonical bytes of step 2, exactly what was hashed.
//! [`verify`] answers `None` for anything outside the profile (inclusive c14n, `#WithComments`,
//! other transforms or children, processing instructions in the signed content): those go to
//! samael / libxmlsec1 as before. A refusal here is final; it is never retried there.
//!
//! Only used inside the crate, by [`crate::signature::verify`].

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use openssl::bn::BigNum;
use openssl::ecdsa::EcdsaSig;
use openssl::rsa::Padding;

use crate::c14n::{C14n, has_processing_instruction};
use crate::certificate::{IdpCertificate, VerificationKey};
use crate::signature::{Signed, Verified};
use crate::xml::{self, Element, NS_DS, Node};

pub(crate) const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
pub(crate) const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
const SHA384: &str = "http://www.w3.org/2001/04/xmldsig-more#sha384";
const SHA512: &str = "http://www.w3.org/2001/04/xmlenc#sha512";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Digest {
    Sha256,
    Sha384,
    Sha512,
}

impl Digest {
    fn from_uri(uri: &str) -> Option<Self> {
        match uri {
            SHA256 => Some(Self::Sha256),
            SHA384 => Some(Self::Sha384),
            SHA512 => Some(Self::Sha512),
            _ => None,
        }
    }

    /// OpenSSL's SHA-2 (hardware SHA extensions where the CPU has them).
    fn hash(self, bytes: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha256 => openssl::sha::sha256(bytes).to_vec(),
            Self::Sha384 => openssl::sha::sha384(bytes).to_vec(),
            Self::Sha512 => openssl::sha::sha512(bytes).to_vec(),
        }
    }

    /// DER of `DigestInfo { AlgorithmIdentifier { oid, NULL }, OCTET STRING }` up to the hash.
    fn digest_info_prefix(self) -> &'static [u8] {
        match self {
            Self::Sha256 => &[
                0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x01, 0x05, 0x00, 0x04, 0x20,
            ],
            Self::Sha384 => &[
                0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x02, 0x05, 0x00, 0x04, 0x30,
            ],
            Self::Sha512 => &[
                0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x03, 0x05, 0x00, 0x04, 0x40,
            ],
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Method {
    Rsa(Digest),
    Ecdsa(Digest),
}

impl Method {
    fn from_uri(uri: &str) -> Option<Self> {
        const MORE: &str = "http://www.w3.org/2001/04/xmldsig-more#";
        let name = uri.strip_prefix(MORE)?;
        Some(match name {
            "rsa-sha256" => Self::Rsa(Digest::Sha256),
            "rsa-sha384" => Self::Rsa(Digest::Sha384),
            "rsa-sha512" => Self::Rsa(Digest::Sha512),
            "ecdsa-sha256" => Self::Ecdsa(Digest::Sha256),
            "ecdsa-sha384" => Self::Ecdsa(Digest::Sha384),
            "ecdsa-sha512" => Self::Ecdsa(Digest::Sha512),
            _ => return None,
        })
    }
}

/// The algorithms and values of one signature, as read from its canonical, re-parsed
/// SignedInfo.
struct SignedInfo {
    method: Method,
    reference_uri: String,
    transform_prefixes: Vec<String>,
    digest: Digest,
    digest_value: Vec<u8>,
}

/// One signature whose digest matched: what remains is the signature value.
struct Checked {
    signed_info: String,
    method: Method,
    signature_value: Vec<u8>,
    canonical: String,
    signs_root: bool,
}

/// `None`: outside the profile (use libxmlsec1). `Some(None)`: refused. `Some(Some(v))`:
/// every signature verified with the certificate `v.certificate`.
pub(crate) fn verify(
    root: &Element,
    signed: &[Signed<'_>],
    certificates: &[IdpCertificate],
) -> Option<Option<Verified>> {
    if signed.is_empty() || !signed.iter().all(in_profile) {
        return None;
    }
    // samael registers every `ID` attribute with libxml2 and refuses a value that is not an
    // NCName; so does this verifier, so that both give one verdict.
    if !ids_are_ncnames(root) {
        return Some(None);
    }
    let mut checked = Vec::with_capacity(signed.len());
    for s in signed {
        let Some(c) = check_reference(s) else {
            return Some(None);
        };
        checked.push(c);
    }
    let verified = certificates.iter().position(|certificate| {
        let Ok(key) = certificate.key() else {
            return false;
        };
        checked.iter().all(|c| {
            verify_signature_value(c.method, &key, c.signed_info.as_bytes(), &c.signature_value)
        })
    });
    let certificate = verified?;
    // Both signed: the Response's canonical bytes (they contain the Assertion), as samael's
    // PreDigest reduction answers.
    let chosen = match checked.len() {
        1 => checked.pop(),
        _ => checked.into_iter().find(|c| c.signs_root),
    };
    Some(chosen.map(|c| Verified {
        certificate,
        signed_xml: c.canonical,
    }))
}

/// The profile, read from the received tree (the decision inputs are re-read from the signed
/// bytes later and must agree).
fn in_profile(signed: &Signed<'_>) -> bool {
    let Some(children) = element_children(signed.signature) else {
        return false;
    };
    let [signed_info, signature_value, rest @ ..] = children.as_slice() else {
        return false;
    };
    if !signed_info.is(NS_DS, "SignedInfo")
        || !signature_value.is(NS_DS, "SignatureValue")
        || !signature_value
            .children
            .iter()
            .all(|c| matches!(c, Node::Text(_)))
        || rest
            .iter()
            .any(|e| e.is(NS_DS, "SignedInfo") || e.is(NS_DS, "SignatureValue"))
    {
        return false;
    }
    read_signed_info(signed_info).is_some()
        && !has_processing_instruction(signed.element)
        && !has_processing_instruction(signed_info)
}

/// SignedInfo = CanonicalizationMethod, SignatureMethod, one Reference = Transforms
/// (enveloped-signature, exclusive c14n), DigestMethod, DigestValue — nothing else.
fn read_signed_info(signed_info: &Element) -> Option<SignedInfo> {
    let children = element_children(signed_info)?;
    let [c14n, method, reference] = children.as_slice() else {
        return None;
    };
    if !c14n.is(NS_DS, "CanonicalizationMethod")
        || c14n.attr("Algorithm") != Some(EXC_C14N)
        || !method.is(NS_DS, "SignatureMethod")
        || has_elements(method)
        || !reference.is(NS_DS, "Reference")
    {
        return None;
    }
    inclusive_prefixes(c14n)?;
    let method = Method::from_uri(method.attr("Algorithm")?)?;
    let children = element_children(reference)?;
    let [transforms, digest_method, digest_value] = children.as_slice() else {
        return None;
    };
    if !transforms.is(NS_DS, "Transforms")
        || !digest_method.is(NS_DS, "DigestMethod")
        || has_elements(digest_method)
        || !digest_value.is(NS_DS, "DigestValue")
        || has_elements(digest_value)
    {
        return None;
    }
    let children = element_children(transforms)?;
    let [enveloped, exclusive] = children.as_slice() else {
        return None;
    };
    if !enveloped.is(NS_DS, "Transform")
        || enveloped.attr("Algorithm") != Some(ENVELOPED)
        || has_elements(enveloped)
        || !exclusive.is(NS_DS, "Transform")
        || exclusive.attr("Algorithm") != Some(EXC_C14N)
    {
        return None;
    }
    Some(SignedInfo {
        method,
        reference_uri: reference.attr("URI")?.to_owned(),
        transform_prefixes: inclusive_prefixes(exclusive)?,
        digest: Digest::from_uri(digest_method.attr("Algorithm")?)?,
        digest_value: decode_base64(&digest_value.text())?,
    })
}

/// The `InclusiveNamespaces PrefixList` of an exclusive c14n method, if any; `None` when the
/// element holds anything else.
fn inclusive_prefixes(method: &Element) -> Option<Vec<String>> {
    const NS_EC: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
    match element_children(method)?.as_slice() {
        [] => Some(Vec::new()),
        [inclusive] if inclusive.is(NS_EC, "InclusiveNamespaces") && !has_elements(inclusive) => {
            let [attribute] = inclusive.attrs.as_slice() else {
                return None;
            };
            if attribute.ns.is_some() || attribute.local != "PrefixList" {
                return None;
            }
            Some(
                attribute
                    .value
                    .split_ascii_whitespace()
                    .map(str::to_owned)
                    .collect(),
            )
        }
        _ => None,
    }
}

/// Steps 1 and 2 of the module docs for one signature; `None` refuses.
fn check_reference(signed: &Signed<'_>) -> Option<Checked> {
    let signature = signed.signature;
    let signed_info = signature.child(NS_DS, "SignedInfo")?;
    let c14n_method = signed_info.child(NS_DS, "CanonicalizationMethod")?;
    let prefixes = inclusive_prefixes(c14n_method)?;

    let mut scope = signed.scope.clone();
    for element in [signed.element, signature] {
        scope.extend(
            element
                .ns_decls
                .iter()
                .map(|(p, u)| (p.as_str(), u.as_str())),
        );
    }
    let canonical_signed_info = C14n {
        exclusive: true,
        with_comments: false,
        inclusive_prefixes: &prefixes,
        skip: None,
    }
    .canonicalize(signed_info, &scope);

    // Only what was signed decides from here on.
    let reparsed = xml::parse(&canonical_signed_info).ok()?;
    if !reparsed.is(NS_DS, "SignedInfo") {
        return None;
    }
    let info = read_signed_info(&reparsed)?;
    if inclusive_prefixes(reparsed.child(NS_DS, "CanonicalizationMethod")?)? != prefixes {
        return None;
    }
    let id = signed.element.attr("ID")?;
    if info.reference_uri.strip_prefix('#') != Some(id) {
        return None;
    }
    let canonical = C14n {
        exclusive: true,
        with_comments: false,
        inclusive_prefixes: &info.transform_prefixes,
        skip: Some(signature),
    }
    .canonicalize(signed.element, &signed.scope);
    let actual = info.digest.hash(canonical.as_bytes());
    if actual.len() != info.digest_value.len() || !openssl::memcmp::eq(&actual, &info.digest_value)
    {
        return None;
    }
    let signature_value = decode_base64(&signature.child(NS_DS, "SignatureValue")?.text())?;
    Some(Checked {
        signed_info: canonical_signed_info,
        method: info.method,
        signature_value,
        canonical,
        signs_root: signed.signs_root,
    })
}

/// RSASSA-PKCS1-v1_5 (RFC 8017 8.2.2: the decrypted block must be exactly the encoding of the
/// expected DigestInfo, and the signature exactly as long as the modulus) or ECDSA over r || s.
fn verify_signature_value(
    method: Method,
    key: &VerificationKey,
    signed_info: &[u8],
    value: &[u8],
) -> bool {
    match method {
        Method::Rsa(digest) => {
            let Some(rsa) = key.rsa() else {
                return false;
            };
            let size = rsa.size() as usize;
            if value.len() != size {
                return false;
            }
            let mut block = vec![0u8; size];
            let Ok(len) = rsa.public_decrypt(value, &mut block, Padding::PKCS1) else {
                return false;
            };
            let hash = digest.hash(signed_info);
            let prefix = digest.digest_info_prefix();
            len == prefix.len() + hash.len()
                && block[..prefix.len()] == *prefix
                && block[prefix.len()..len] == *hash
        }
        Method::Ecdsa(digest) => {
            let Some(ec) = key.ec() else {
                return false;
            };
            if value.is_empty() || !value.len().is_multiple_of(2) || value.len() > 132 {
                return false;
            }
            let (r, s) = value.split_at(value.len() / 2);
            let Ok(signature) = BigNum::from_slice(r).and_then(|r| {
                BigNum::from_slice(s).and_then(|s| EcdsaSig::from_private_components(r, s))
            }) else {
                return false;
            };
            signature
                .verify(&digest.hash(signed_info), ec)
                .unwrap_or(false)
        }
    }
}

/// Base64 with any XML whitespace inside (IdPs wrap it at 64 or 76 columns).
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    STANDARD.decode(compact).ok()
}

/// The element children of `element`, provided everything else in it is whitespace.
fn element_children(element: &Element) -> Option<Vec<&Element>> {
    let mut out = Vec::with_capacity(4);
    for child in &element.children {
        match child {
            Node::Element(e) => out.push(e),
            Node::Text(t) if t.bytes().all(|b| b.is_ascii_whitespace()) => {}
            Node::Text(_) | Node::Comment(_) | Node::Pi(_) => return None,
        }
    }
    Some(out)
}

fn ids_are_ncnames(element: &Element) -> bool {
    element
        .attrs
        .iter()
        .filter(|a| a.local == "ID")
        .all(|a| is_ncname(&a.value))
        && element.elements().all(ids_are_ncnames)
}

/// XML Namespaces' NCName, with Unicode letters and digits standing in for the name-character
/// tables.
fn is_ncname(value: &str) -> bool {
    let mut chars = value.chars();
    chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '\u{b7}'))
}

fn has_elements(element: &Element) -> bool {
    element.elements().next().is_some()
}
