//! Differential check of the two XML-signature verifiers behind [`crate::signature`]: the
//! in-crate one ([`crate::dsig`]) and samael / libxmlsec1. Not part of the API (hidden; built for
//! the crate's tests and, with the `differential` feature, for the fuzz target).
//!
//! [`compare`] runs what validation runs before verification (guards, strict parse, structure,
//! IDs, signature shapes) and then both verifiers on the same message and certificates.

use crate::certificate::IdpCertificate;
use crate::response::prepare;
use crate::signature::{Verified, verify_with_xmlsec};
use crate::xml;

/// One verifier's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every signature verified with `certificates[certificate]`; `canonical` is what the claims
    /// would be read from.
    Accepted {
        /// Index into the certificates given.
        certificate: usize,
        /// The canonical bytes that were hashed.
        canonical: String,
    },
    /// Refused.
    Refused,
}

/// Both answers for one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// The in-crate verifier; `None` when the message is outside its profile.
    pub in_crate: Option<Verdict>,
    /// samael / libxmlsec1.
    pub xmlsec: Verdict,
}

impl Comparison {
    /// Whether both verifiers agree (trivially so outside the in-crate profile).
    pub fn agrees(&self) -> bool {
        self.in_crate.as_ref().is_none_or(|v| *v == self.xmlsec)
    }
}

/// `None` when validation would refuse `xml` before verifying any signature.
pub fn compare(xml: &str, certificates: &[IdpCertificate]) -> Option<Comparison> {
    let text = xml::guard(xml.as_bytes(), crate::response::DEFAULT_MAX_SIZE).ok()?;
    let root = xml::parse(text).ok()?;
    let (_, signed) = prepare(&root).ok()?;
    let verdict = |v: Option<Verified>| match v {
        Some(v) => Verdict::Accepted {
            certificate: v.certificate,
            canonical: v.signed_xml,
        },
        None => Verdict::Refused,
    };
    Some(Comparison {
        in_crate: crate::dsig::verify(&root, &signed, certificates).map(verdict),
        xmlsec: verdict(verify_with_xmlsec(text, certificates)),
    })
}

#[cfg(test)]
mod tests;
