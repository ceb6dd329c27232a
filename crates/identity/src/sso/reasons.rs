//! What each sign-in reason code means: a sentence for the end user and one for the admin.

/// A sentence for the end user; the admin reads the exact detail in the sign-in log.
pub(crate) fn user_message(reason: &str) -> &'static str {
    match reason {
        "unknown_user" => "Your account does not exist in this organisation yet. Ask your administrator to add you.",
        "user_pending" => "Your account is not active yet. Ask your administrator to activate it.",
        "user_suspended" => "Your account is suspended. Ask your administrator.",
        "replay" => "This sign-in response was already used. Start the sign-in again.",
        "unknown_request" | "browser_mismatch" | "handoff_expired" => {
            "This sign-in expired or was started in another browser. Start the sign-in again."
        }
        "status_not_success" => "Your identity provider did not sign you in.",
        "sso_disabled" | "not_configured" => "Single sign-on is not enabled for this organisation.",
        "sso_not_allowed" => {
            "This organisation signs in with passwords, not single sign-on. Sign in with your password."
        }
        "unsolicited" => {
            "This organisation does not accept sign-ins started at the identity provider. Start from the sign-in page."
        }
        _ => "The sign-in response from your identity provider could not be accepted.",
    }
}

/// What a sign-in log reason code means, for admins.
pub fn reason_text(code: &str) -> &'static str {
    match code {
        "success" => "Signed in.",
        "no_certificate" => "No IdP signing certificate is configured, so no sign-in can be trusted.",
        "signature_missing" => "The response was not signed.",
        "signature_invalid" | "untrusted_key" => {
            "The response was not signed with any configured certificate. If the IdP rolled over its certificate, download the new one from the IdP itself (never from a sign-in attempt) and compare fingerprints."
        }
        "digest_mismatch" => "The signed content was changed after signing.",
        "weak_algorithm" => "The IdP signed with SHA-1 or another refused algorithm; switch the IdP to SHA-256.",
        "issuer_mismatch" => "The response came from a different IdP issuer than the one configured.",
        "audience_mismatch" => "The response was made for another application (Audience / Identifier).",
        "destination_mismatch" | "recipient_mismatch" => "The response was addressed to another Reply URL.",
        "expired" | "subject_expired" | "not_yet_valid" | "issue_instant" => {
            "The response is outside its validity window; check the clocks of the IdP and Gatehouse."
        }
        "in_response_to_mismatch" | "unknown_request" => {
            "The response does not answer a sign-in in progress (expired, replayed or from another browser)."
        }
        "in_response_to_unsigned" => {
            "The response names a sign-in in progress only outside its signature (or disagrees with the signed one): a sign-in can be bound only by signed content. This is what a forged or re-wrapped response looks like."
        }
        "unsolicited" => {
            "An IdP-initiated sign-in arrived, but this organisation allows only sign-ins started at Gatehouse."
        }
        "sso_not_allowed" => "The login policy is \"password only\", so SSO sign-ins are refused.",
        "status_not_success" => {
            "A response (its status not verified to come from the IdP) reported that the user was not signed in."
        }
        "encrypted_unsupported" => "The IdP encrypted the assertion; turn token encryption off for this application.",
        "replay" => "The same response was used twice.",
        "unknown_user" => "No user with this federation ID exists; create or provision the user.",
        "wrong_password" => "The password was wrong.",
        "sso_required" => "This organisation signs in with SSO only; passwords are refused for users.",
        "user_pending" => "The user exists but is not active yet.",
        "user_suspended" => "The user is suspended.",
        "unknown_issuer" => "No organisation has SSO enabled with this IdP issuer.",
        "sso_disabled" => "SSO is disabled for this organisation.",
        "browser_mismatch" | "handoff_expired" => {
            "The sign-in was finished in a different browser than it was started in, or too late."
        }
        "doctype_forbidden" | "too_large" | "malformed" | "assertion_count" | "wrapping" | "duplicate_id" => {
            "The response is malformed or manipulated and was refused."
        }
        _ => "The sign-in was refused.",
    }
}
