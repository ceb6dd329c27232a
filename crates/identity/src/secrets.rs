//! Passwords (argon2id, OWASP parameters: m=19 MiB, t=2, p=1) and random bearer secrets
//! (session IDs, API tokens), which are stored only as SHA-256 hashes.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Shortest password accepted for console sign-in.
pub const MIN_PASSWORD_LEN: usize = 12;
/// Longest password hashed (bounds the work an attacker can make us do).
pub const MAX_PASSWORD_LEN: usize = 256;

pub(crate) fn hash_password(password: &str) -> Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| Error::internal(format!("argon2 hashing failed: {e}")))
}

/// Verifies in constant time with respect to the password; a malformed stored hash is
/// a non-match (and logged), never a panic.
pub(crate) fn verify_password(password: &str, hash: &str) -> bool {
    if password.len() > MAX_PASSWORD_LEN {
        return false;
    }
    match Argon2::default().verify_password(password.as_bytes(), hash) {
        Ok(()) => true,
        Err(argon2::password_hash::Error::PasswordInvalid) => false,
        Err(e) => {
            tracing::error!(error = %e, "stored password hash is unreadable");
            false
        }
    }
}

/// A hash to verify against when no account matched, so an unknown e-mail costs the
/// same time as a wrong password.
pub(crate) fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("not a real password, only for timing").unwrap_or_default())
}

pub(crate) fn check_password_strength(field: &str, password: &str) -> Result<()> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_LEN {
        return Err(Error::invalid(field, format!("must be at least {MIN_PASSWORD_LEN} characters long")));
    }
    if password.len() > MAX_PASSWORD_LEN {
        return Err(Error::invalid(field, format!("must be at most {MAX_PASSWORD_LEN} bytes long")));
    }
    Ok(())
}

/// Every kind of secret token Gatehouse hands out, each with its readable prefix, so a token
/// pasted in the wrong place is refused by its prefix before any lookup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// The console session cookie.
    Session,
    /// A GraphQL API token.
    Api,
    /// A SCIM bearer token.
    Scim,
    /// The one-time link of a "Test SSO" run.
    SsoTest,
    /// The browser-binding cookie of an SP-initiated sign-in.
    BrowserBinding,
    /// The ACS's one-time hand-over handle.
    Handoff,
    /// The RelayState of our LogoutRequest.
    LogoutRelay,
}

/// Longest token text accepted from a client (ours are far shorter).
const MAX_TOKEN_LEN: usize = 128;

impl TokenKind {
    pub(crate) fn prefix(self) -> &'static str {
        match self {
            TokenKind::Session => "gh_s_",
            TokenKind::Api => "gh_api_",
            TokenKind::Scim => "gh_scim_",
            TokenKind::SsoTest => "gh_t_",
            TokenKind::BrowserBinding => "gh_b_",
            TokenKind::Handoff => "gh_h_",
            TokenKind::LogoutRelay => "gh_l_",
        }
    }

    /// A new random secret of 256 bits, URL-safe, with this kind's prefix.
    pub(crate) fn generate(self) -> String {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        format!("{}{}", self.prefix(), URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Whether `token` could be one of this kind (prefix and length); worth a lookup.
    pub(crate) fn is_plausible(self, token: &str) -> bool {
        token.starts_with(self.prefix()) && token.len() <= MAX_TOKEN_LEN
    }

    /// The part shown in lists so an admin can tell tokens apart: prefix + 4 characters.
    pub(crate) fn shown_prefix(self, token: &str) -> String {
        token.chars().take(self.prefix().len() + 4).collect()
    }
}

pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A random password for bootstrap accounts: 24 URL-safe characters (144 bits).
pub fn generate_password() -> String {
    let mut bytes = [0u8; 18];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_round_trip_and_rejects_wrong() {
        let h = hash_password("correct horse battery").expect("hash");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse batterz", &h));
        assert!(!verify_password("x", "not a phc string"));
    }

    #[test]
    fn tokens_are_random_and_hashes_stable() {
        let a = TokenKind::Api.generate();
        let b = TokenKind::Api.generate();
        assert_ne!(a, b);
        assert!(a.starts_with("gh_api_") && a.len() == 7 + 43, "{a}");
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_ne!(token_hash(&a), token_hash(&b));
        assert!(!token_hash(&a).contains(&a[7..]));
    }

    #[test]
    fn a_token_of_one_kind_is_never_plausible_as_another() {
        use TokenKind::*;
        let kinds = [Session, Api, Scim, SsoTest, BrowserBinding, Handoff, LogoutRelay];
        for a in kinds {
            let token = a.generate();
            assert!(a.is_plausible(&token), "{a:?}");
            for b in kinds.into_iter().filter(|b| *b != a) {
                assert!(!b.is_plausible(&token), "a {a:?} token passes as {b:?}");
            }
        }
        assert!(!Session.is_plausible(&format!("gh_s_{}", "x".repeat(124))), "over the length limit");
    }

    #[test]
    fn weak_passwords_name_the_field() {
        let e = check_password_strength("adminPassword", "short").unwrap_err();
        assert_eq!(e.to_string(), "adminPassword: must be at least 12 characters long");
    }
}
