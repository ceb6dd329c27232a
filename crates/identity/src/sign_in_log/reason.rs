//! Why a sign-in succeeded or was refused: one exhaustive [`SignInReason`] with its stable
//! code, the sentence the person signing in sees and the explanation the admin reads in the
//! sign-in log. Every `match` here names every case, so a new reason — Gatehouse's own or a
//! new SAML [`ReasonCode`] — does not compile until someone has written its words.

use gatehouse_saml::error::ReasonCode;

/// Declares [`SignInReason`] with Gatehouse's own reasons, their codes and the list used to
/// parse stored codes, from one list — so no reason can be missing from any of them.
macro_rules! sign_in_reasons {
    ($($(#[$doc:meta])* $variant:ident => $code:literal,)*) => {
        /// The reason code of a sign-in attempt.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum SignInReason {
            /// The SAML message was refused by validation (or, for [`ReasonCode::Unsolicited`],
            /// by the tenant's choice to accept only sign-ins started at Gatehouse).
            Saml(ReasonCode),
            $($(#[$doc])* $variant,)*
        }

        /// Gatehouse's own reasons (all but the SAML crate's), for parsing stored codes.
        const OWN: &[SignInReason] = &[$(SignInReason::$variant),*];

        impl SignInReason {
            /// The stable snake_case code stored in the sign-in log and shown in the API.
            pub fn as_str(self) -> &'static str {
                match self {
                    Self::Saml(code) => code.as_str(),
                    $(Self::$variant => $code,)*
                }
            }
        }
    };
}

sign_in_reasons! {
    /// Signed in.
    Success => "success",
    /// `/saml2/login` named no organisation.
    UnknownTenant => "unknown_tenant",
    /// No organisation has this IdP Issuer.
    UnknownIssuer => "unknown_issuer",
    /// The Response (or logout answer) names no pending request.
    UnknownRequest => "unknown_request",
    /// An assertion or LogoutRequest already used.
    Replay => "replay",
    /// No user has the Response's federation ID.
    UnknownUser => "unknown_user",
    UserPending => "user_pending",
    UserSuspended => "user_suspended",
    /// The browser that finished the sign-in is not the one that started it.
    BrowserMismatch => "browser_mismatch",
    /// The hand-over to the browser was used or expired.
    HandoffExpired => "handoff_expired",
    SsoDisabled => "sso_disabled",
    /// SSO lacks a login URL or an issuer.
    NotConfigured => "not_configured",
    /// The login policy is "password only".
    SsoNotAllowed => "sso_not_allowed",
    WrongPassword => "wrong_password",
    /// The login policy is "SSO only" and the person is not a tenant admin.
    SsoRequired => "sso_required",
    /// Verified by a trusted certificate past its end, and the tenant refuses those.
    CertificateExpired => "certificate_expired",
}

/// The person's sentence when nothing more specific fits a refused SAML message.
const RESPONSE_REFUSED: &str = "The sign-in response from your identity provider could not be accepted.";
const START_AGAIN: &str = "This sign-in expired or was started in another browser. Start the sign-in again.";
const CLOCKS: &str = "The response is outside its validity window; check the clocks of the IdP and Gatehouse.";
const MANIPULATED: &str = "The response is malformed or manipulated and was refused.";
const WRONG_CERTIFICATE: &str = "The response was not signed with any configured certificate. If the IdP rolled over its certificate, download the new one from the IdP itself (never from a sign-in attempt) and compare fingerprints.";

impl SignInReason {
    /// The reason whose code is `code` (as stored in the sign-in log).
    pub fn parse(code: &str) -> Option<SignInReason> {
        OWN.iter().copied().find(|r| r.as_str() == code).or_else(|| ReasonCode::parse(code).map(Self::Saml))
    }

    /// Every reason, Gatehouse's own first, then the SAML validation's (for filter lists).
    pub fn all() -> Vec<SignInReason> {
        OWN.iter().copied().chain(ReasonCode::ALL.iter().copied().map(Self::Saml)).collect()
    }

    pub fn is_success(self) -> bool {
        self == Self::Success
    }

    /// A sentence for the person signing in; the admin reads the exact detail in the log.
    pub fn user_message(self) -> &'static str {
        match self {
            Self::Success => "You are signed in.",
            Self::UnknownTenant => "There is no organisation with this name.",
            Self::UnknownIssuer => RESPONSE_REFUSED,
            Self::UnknownUser => {
                "Your account does not exist in this organisation yet. Ask your administrator to add you."
            }
            Self::UserPending => "Your account is not active yet. Ask your administrator to activate it.",
            Self::UserSuspended => "Your account is suspended. Ask your administrator.",
            Self::Replay => "This sign-in response was already used. Start the sign-in again.",
            Self::UnknownRequest | Self::BrowserMismatch | Self::HandoffExpired => START_AGAIN,
            Self::SsoDisabled | Self::NotConfigured => "Single sign-on is not enabled for this organisation.",
            Self::SsoNotAllowed => {
                "This organisation signs in with passwords, not single sign-on. Sign in with your password."
            }
            Self::WrongPassword => "Wrong e-mail or password.",
            Self::SsoRequired => "Your organisation signs in with single sign-on; use \"Sign in with SSO\".",
            Self::CertificateExpired => RESPONSE_REFUSED,
            Self::Saml(code) => match code {
                ReasonCode::StatusNotSuccess => "Your identity provider did not sign you in.",
                ReasonCode::Unsolicited => {
                    "This organisation does not accept sign-ins started at the identity provider. Start from the sign-in page."
                }
                ReasonCode::NoCertificate
                | ReasonCode::SignatureMissing
                | ReasonCode::SignatureInvalid
                | ReasonCode::UntrustedKey
                | ReasonCode::DigestMismatch
                | ReasonCode::WeakAlgorithm
                | ReasonCode::UnsupportedTransform
                | ReasonCode::DoctypeForbidden
                | ReasonCode::TooLarge
                | ReasonCode::Malformed
                | ReasonCode::AssertionCount
                | ReasonCode::Wrapping
                | ReasonCode::DuplicateId
                | ReasonCode::IssuerMismatch
                | ReasonCode::AudienceMismatch
                | ReasonCode::DestinationMismatch
                | ReasonCode::RecipientMismatch
                | ReasonCode::SubjectConfirmationMissing
                | ReasonCode::SubjectExpired
                | ReasonCode::NotYetValid
                | ReasonCode::Expired
                | ReasonCode::IssueInstant
                | ReasonCode::InResponseToMismatch
                | ReasonCode::InResponseToUnsigned
                | ReasonCode::EncryptedUnsupported
                | ReasonCode::EncryptionRequired
                | ReasonCode::EncryptionAlgorithm
                | ReasonCode::DecryptionFailed => RESPONSE_REFUSED,
            },
        }
    }

    /// What the reason means, for the admin reading the sign-in log.
    pub fn admin_text(self) -> &'static str {
        match self {
            Self::Success => "Signed in.",
            Self::UnknownTenant => "The sign-in named an organisation that does not exist.",
            Self::UnknownIssuer => "No organisation has SSO enabled with this IdP issuer.",
            Self::UnknownRequest => {
                "The response does not answer a sign-in in progress (expired, replayed or from another browser)."
            }
            Self::Replay => "The same response was used twice.",
            Self::UnknownUser => "No user with this federation ID exists; create or provision the user.",
            Self::UserPending => "The user exists but is not active yet.",
            Self::UserSuspended => "The user is suspended.",
            Self::BrowserMismatch | Self::HandoffExpired => {
                "The sign-in was finished in a different browser than it was started in, or too late."
            }
            Self::SsoDisabled => "SSO is disabled for this organisation.",
            Self::NotConfigured => "SSO is not configured: the IdP login URL or issuer is missing.",
            Self::SsoNotAllowed => "The login policy is \"password only\", so SSO sign-ins are refused.",
            Self::WrongPassword => "The password was wrong.",
            Self::SsoRequired => "This organisation signs in with SSO only; passwords are refused for users.",
            Self::CertificateExpired => {
                "The response was signed with a certificate that has expired, and this organisation refuses expired certificates; promote the IdP's new certificate."
            }
            Self::Saml(code) => match code {
                ReasonCode::NoCertificate => "No IdP signing certificate is configured, so no sign-in can be trusted.",
                ReasonCode::SignatureMissing => "The response was not signed.",
                ReasonCode::SignatureInvalid | ReasonCode::UntrustedKey => WRONG_CERTIFICATE,
                ReasonCode::DigestMismatch => "The signed content was changed after signing.",
                ReasonCode::WeakAlgorithm => {
                    "The IdP signed with SHA-1 or another refused algorithm; switch the IdP to SHA-256."
                }
                ReasonCode::UnsupportedTransform => {
                    "The signature uses a transform or canonicalisation Gatehouse does not accept."
                }
                ReasonCode::IssuerMismatch => "The response came from a different IdP issuer than the one configured.",
                ReasonCode::AudienceMismatch => {
                    "The response was made for another application (Audience / Identifier)."
                }
                ReasonCode::DestinationMismatch | ReasonCode::RecipientMismatch => {
                    "The response was addressed to another Reply URL."
                }
                ReasonCode::SubjectConfirmationMissing => {
                    "The assertion has no bearer subject confirmation, so it cannot sign anyone in."
                }
                ReasonCode::Expired
                | ReasonCode::SubjectExpired
                | ReasonCode::NotYetValid
                | ReasonCode::IssueInstant => CLOCKS,
                ReasonCode::InResponseToMismatch => {
                    "The response does not answer a sign-in in progress (expired, replayed or from another browser)."
                }
                ReasonCode::InResponseToUnsigned => {
                    "The response names a sign-in in progress only outside its signature (or disagrees with the signed one): a sign-in can be bound only by signed content. This is what a forged or re-wrapped response looks like."
                }
                ReasonCode::Unsolicited => {
                    "An IdP-initiated sign-in arrived, but this organisation allows only sign-ins started at Gatehouse."
                }
                ReasonCode::StatusNotSuccess => {
                    "A response (its status not verified to come from the IdP) reported that the user was not signed in."
                }
                ReasonCode::EncryptedUnsupported => {
                    "The IdP encrypted the assertion (or a NameID or attribute inside it), which Gatehouse cannot read here: encrypt whole assertions only, with a certificate from Gatehouse's SP metadata, or turn token encryption off."
                }
                ReasonCode::EncryptionRequired => {
                    "This organisation requires encrypted assertions and the IdP sent a plain one; turn on token encryption in the IdP with Gatehouse's encryption certificate."
                }
                ReasonCode::EncryptionAlgorithm => {
                    "The IdP encrypted the assertion with an algorithm Gatehouse does not accept (use RSA-OAEP with AES-GCM or AES-CBC)."
                }
                ReasonCode::DecryptionFailed => {
                    "The encrypted assertion could not be decrypted: the IdP used a certificate that is not one of Gatehouse's current encryption certificates, or the message was changed."
                }
                ReasonCode::DoctypeForbidden
                | ReasonCode::TooLarge
                | ReasonCode::Malformed
                | ReasonCode::AssertionCount
                | ReasonCode::Wrapping
                | ReasonCode::DuplicateId => MANIPULATED,
            },
        }
    }
}

impl std::fmt::Display for SignInReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a stored reason code means, for admins (a code this version does not know — written
/// by a newer replica during an upgrade — is described as such).
pub fn reason_text(code: &str) -> &'static str {
    SignInReason::parse(code)
        .map_or("The sign-in was refused (a reason this version does not know).", |r| r.admin_text())
}

/// How a sign-in attempt ended, as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Success,
    Failure,
}

impl Outcome {
    pub(crate) fn of(reason: SignInReason) -> Outcome {
        if reason.is_success() { Outcome::Success } else { Outcome::Failure }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_unique_and_parses_back() {
        let all = SignInReason::all();
        let mut seen = std::collections::HashSet::new();
        for r in all {
            assert!(seen.insert(r.as_str()), "{r} is written twice");
            assert_eq!(SignInReason::parse(r.as_str()), Some(r));
            assert!(!r.admin_text().is_empty() && !r.user_message().is_empty());
        }
        assert_eq!(SignInReason::parse("nonsense"), None);
    }
}
