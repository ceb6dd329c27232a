//! Why a SAML message was refused: a stable machine-readable [`ReasonCode`] plus a sentence for
//! the admin reading the sign-in log, naming what was expected and what arrived.
//!
//! Used by [`crate::response`] and [`crate::logout`]; the identity crate stores
//! [`ReasonCode::as_str`] in the sign-in log and shows [`ValidationError::detail`].

use crate::xml::XmlError;

/// Stable reason codes. `as_str()` values are part of the product's contract (sign-in log,
/// GraphQL, tests); add new ones, never rename.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReasonCode {
    /// The tenant has no IdP certificate configured: nothing can be trusted.
    NoCertificate,
    /// Neither the Response nor the Assertion is signed (or a Redirect-binding message lacks
    /// SigAlg/Signature while the policy requires a signature).
    SignatureMissing,
    /// The signature does not verify with any configured certificate.
    SignatureInvalid,
    /// The signature verifies only with a certificate that is not configured (for example
    /// the one embedded in the message's KeyInfo, or Entra's new certificate after a rollover).
    UntrustedKey,
    /// The signed content was changed after signing.
    DigestMismatch,
    /// SHA-1, HMAC or another algorithm below the floor (RSA/ECDSA with SHA-256 or stronger).
    WeakAlgorithm,
    /// A signature transform or canonicalisation other than enveloped-signature + c14n.
    UnsupportedTransform,
    /// A DOCTYPE, DTD or entity declaration.
    DoctypeForbidden,
    /// The message is over the size limit.
    TooLarge,
    /// Not Base64, not well-formed XML, not a SAML message, or a required element is missing.
    Malformed,
    /// Not exactly one Assertion.
    AssertionCount,
    /// XML signature wrapping: signed content moved, nested or shadowed.
    Wrapping,
    /// The same ID appears twice.
    DuplicateId,
    /// Issuer differs from the configured IdP issuer.
    IssuerMismatch,
    /// Audience missing or not this service provider.
    AudienceMismatch,
    /// Response Destination is not the ACS URL (or the SLO URL for logout messages).
    DestinationMismatch,
    /// Bearer SubjectConfirmationData Recipient is not the ACS URL.
    RecipientMismatch,
    /// No bearer SubjectConfirmation.
    SubjectConfirmationMissing,
    /// Bearer SubjectConfirmationData NotOnOrAfter has passed.
    SubjectExpired,
    /// Conditions NotBefore is in the future (beyond the clock skew).
    NotYetValid,
    /// Conditions NotOnOrAfter (or the message's own NotOnOrAfter) has passed.
    Expired,
    /// IssueInstant too old or in the future.
    IssueInstant,
    /// InResponseTo is not the request we sent (or answers a request that is not pending).
    InResponseToMismatch,
    /// The Response's InResponseTo is not covered by a signature and the signed Assertion does
    /// not name the same request: an unsigned value can never bind a Response to a sign-in.
    InResponseToUnsigned,
    /// IdP-initiated (unsolicited) Response while the tenant does not allow it.
    Unsolicited,
    /// The IdP answered with a non-Success status.
    StatusNotSuccess,
    /// Encrypted assertions / NameIDs / attributes are not supported.
    EncryptedUnsupported,
}

impl ReasonCode {
    /// The stable snake_case code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoCertificate => "no_certificate",
            Self::SignatureMissing => "signature_missing",
            Self::SignatureInvalid => "signature_invalid",
            Self::UntrustedKey => "untrusted_key",
            Self::DigestMismatch => "digest_mismatch",
            Self::WeakAlgorithm => "weak_algorithm",
            Self::UnsupportedTransform => "unsupported_transform",
            Self::DoctypeForbidden => "doctype_forbidden",
            Self::TooLarge => "too_large",
            Self::Malformed => "malformed",
            Self::AssertionCount => "assertion_count",
            Self::Wrapping => "wrapping",
            Self::DuplicateId => "duplicate_id",
            Self::IssuerMismatch => "issuer_mismatch",
            Self::AudienceMismatch => "audience_mismatch",
            Self::DestinationMismatch => "destination_mismatch",
            Self::RecipientMismatch => "recipient_mismatch",
            Self::SubjectConfirmationMissing => "subject_confirmation_missing",
            Self::SubjectExpired => "subject_expired",
            Self::NotYetValid => "not_yet_valid",
            Self::Expired => "expired",
            Self::IssueInstant => "issue_instant",
            Self::InResponseToMismatch => "in_response_to_mismatch",
            Self::InResponseToUnsigned => "in_response_to_unsigned",
            Self::Unsolicited => "unsolicited",
            Self::StatusNotSuccess => "status_not_success",
            Self::EncryptedUnsupported => "encrypted_unsupported",
        }
    }
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
