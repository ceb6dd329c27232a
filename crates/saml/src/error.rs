//! Why a SAML message was refused: a stable machine-readable [`ReasonCode`] plus a sentence for
//! the admin reading the sign-in log, naming what was expected and what arrived.
//!
//! Used by [`crate::response`] and [`crate::logout`]; the identity crate stores
//! [`ReasonCode::as_str`] in the sign-in log and shows [`ValidationError::detail`].

use crate::xml::XmlError;

/// Declares [`ReasonCode`], its `as_str` and [`ReasonCode::ALL`] from one list, so a new
/// code cannot be missing from any of them.
macro_rules! reason_codes {
    ($($(#[$doc:meta])* $variant:ident => $code:literal,)*) => {
        /// Stable reason codes. `as_str()` values are part of the product's contract (sign-in log,
        /// GraphQL, tests); add new ones, never rename.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ReasonCode {
            $($(#[$doc])* $variant,)*
        }

        impl ReasonCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ReasonCode] = &[$(Self::$variant),*];

            /// The stable snake_case code.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $code,)*
                }
            }

            /// The code whose [`Self::as_str`] is `code`.
            pub fn parse(code: &str) -> Option<ReasonCode> {
                Self::ALL.iter().copied().find(|c| c.as_str() == code)
            }
        }
    };
}

reason_codes! {
    /// The tenant has no IdP certificate configured: nothing can be trusted.
    NoCertificate => "no_certificate",
    /// Neither the Response nor the Assertion is signed (or a Redirect-binding message lacks
    /// SigAlg/Signature while the policy requires a signature).
    SignatureMissing => "signature_missing",
    /// The signature does not verify with any configured certificate.
    SignatureInvalid => "signature_invalid",
    /// The signature verifies only with a certificate that is not configured (for example
    /// the one embedded in the message's KeyInfo, or Entra's new certificate after a rollover).
    UntrustedKey => "untrusted_key",
    /// The signed content was changed after signing.
    DigestMismatch => "digest_mismatch",
    /// SHA-1, HMAC or another algorithm below the floor (RSA/ECDSA with SHA-256 or stronger).
    WeakAlgorithm => "weak_algorithm",
    /// A signature transform or canonicalisation other than enveloped-signature + c14n.
    UnsupportedTransform => "unsupported_transform",
    /// A DOCTYPE, DTD or entity declaration.
    DoctypeForbidden => "doctype_forbidden",
    /// The message is over the size limit.
    TooLarge => "too_large",
    /// Not Base64, not well-formed XML, not a SAML message, or a required element is missing.
    Malformed => "malformed",
    /// Not exactly one Assertion.
    AssertionCount => "assertion_count",
    /// XML signature wrapping: signed content moved, nested or shadowed.
    Wrapping => "wrapping",
    /// The same ID appears twice.
    DuplicateId => "duplicate_id",
    /// Issuer differs from the configured IdP issuer.
    IssuerMismatch => "issuer_mismatch",
    /// Audience missing or not this service provider.
    AudienceMismatch => "audience_mismatch",
    /// Response Destination is not the ACS URL (or the SLO URL for logout messages).
    DestinationMismatch => "destination_mismatch",
    /// Bearer SubjectConfirmationData Recipient is not the ACS URL.
    RecipientMismatch => "recipient_mismatch",
    /// No bearer SubjectConfirmation.
    SubjectConfirmationMissing => "subject_confirmation_missing",
    /// Bearer SubjectConfirmationData NotOnOrAfter has passed.
    SubjectExpired => "subject_expired",
    /// Conditions NotBefore is in the future (beyond the clock skew).
    NotYetValid => "not_yet_valid",
    /// Conditions NotOnOrAfter (or the message's own NotOnOrAfter) has passed.
    Expired => "expired",
    /// IssueInstant too old or in the future.
    IssueInstant => "issue_instant",
    /// InResponseTo is not the request we sent (or answers a request that is not pending).
    InResponseToMismatch => "in_response_to_mismatch",
    /// The Response's InResponseTo is not covered by a signature and the signed Assertion does
    /// not name the same request: an unsigned value can never bind a Response to a sign-in.
    InResponseToUnsigned => "in_response_to_unsigned",
    /// IdP-initiated (unsolicited) Response while the tenant does not allow it.
    Unsolicited => "unsolicited",
    /// The IdP answered with a non-Success status.
    StatusNotSuccess => "status_not_success",
    /// Encrypted NameIDs / attributes, or an EncryptedAssertion while Gatehouse has no SP
    /// encryption key.
    EncryptedUnsupported => "encrypted_unsupported",
    /// The tenant requires encrypted assertions and the IdP sent a plain one.
    EncryptionRequired => "encryption_required",
    /// The EncryptedAssertion uses a key-transport or content algorithm that is not accepted
    /// (only RSA-OAEP with AES-GCM or AES-CBC).
    EncryptionAlgorithm => "encryption_algorithm",
    /// The EncryptedAssertion could not be decrypted with any SP encryption key (wrong key,
    /// changed ciphertext, or a key that does not belong to the data).
    DecryptionFailed => "decryption_failed",
}

impl std::fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A refused SAML message. Owned, `Send + Sync`; `detail` is written for an admin and never
/// contains raw library error text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}: {detail}")]
pub struct ValidationError {
    /// Machine-readable reason.
    pub reason: ReasonCode,
    /// Human explanation: expected versus received.
    pub detail: String,
}

impl ValidationError {
    pub(crate) fn new(reason: ReasonCode, detail: impl Into<String>) -> Self {
        Self {
            reason,
            detail: detail.into(),
        }
    }
}

impl From<XmlError> for ValidationError {
    fn from(err: XmlError) -> Self {
        let reason = match err {
            XmlError::TooLarge { .. } => ReasonCode::TooLarge,
            XmlError::Doctype => ReasonCode::DoctypeForbidden,
            XmlError::Encoding(_) | XmlError::Malformed(_) => ReasonCode::Malformed,
        };
        Self::new(reason, err.to_string())
    }
}

/// Result alias for message validation.
pub type Result<T, E = ValidationError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::ReasonCode;

    #[test]
    fn every_code_is_listed_once_and_parses_back() {
        let mut seen = std::collections::HashSet::new();
        for &code in ReasonCode::ALL {
            assert!(seen.insert(code.as_str()), "{code} twice");
            assert_eq!(ReasonCode::parse(code.as_str()), Some(code));
        }
        assert_eq!(ReasonCode::parse("no_such_code"), None);
    }
}
