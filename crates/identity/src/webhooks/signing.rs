//! Webhook secrets and signatures, by the Standard Webhooks convention
//! (<https://www.standardwebhooks.com>): a secret is `whsec_` + Base64 of random bytes; the
//! signature of a message is `v1,` + Base64(HMAC-SHA256(secret bytes, id "." timestamp "."
//! body)). While a rotated-away secret still signs, the header carries both, space-separated.
//!
//! A secret is needed to sign, so it cannot be hashed: it is sealed with the key-encryption
//! key that seals Gatehouse's SP private keys (AES-256-GCM, the endpoint ID as associated
//! data, so a sealed secret copied onto another endpoint does not open).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use openssl::hash::MessageDigest;
use openssl::pkey::PKey;
use openssl::sign::Signer;
use rand::RngCore;

use crate::error::{Error, Result};
use crate::ids::WebhookEndpointId;
use crate::sp_keys::KeyEncryptionKey;

/// What every webhook secret starts with.
pub const SECRET_PREFIX: &str = "whsec_";

/// A new random secret (24 bytes, as the Standard Webhooks libraries make them).
pub(crate) fn new_secret() -> String {
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes))
}

/// The `webhook-signature` value of one secret: `v1,<base64>`.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Result<String> {
    let key = STANDARD
        .decode(secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret))
        .map_err(|_| Error::internal("a webhook secret is not Base64"))?;
    let hmac = || -> std::result::Result<Vec<u8>, openssl::error::ErrorStack> {
        let pkey = PKey::hmac(&key)?;
        let mut signer = Signer::new(MessageDigest::sha256(), &pkey)?;
        signer.update(format!("{id}.{timestamp}.").as_bytes())?;
        signer.update(body)?;
        signer.sign_to_vec()
    };
    let mac = hmac().map_err(|_| Error::internal("HMAC-SHA256 failed"))?;
    Ok(format!("v1,{}", STANDARD.encode(mac)))
}

fn aad(endpoint: WebhookEndpointId) -> Vec<u8> {
    let mut aad = endpoint.as_uuid().as_bytes().to_vec();
    aad.extend_from_slice(b"webhook secret");
    aad
}

pub(crate) fn seal(kek: &KeyEncryptionKey, endpoint: WebhookEndpointId, secret: &str) -> Result<String> {
    kek.seal(secret.as_bytes(), &aad(endpoint))
}

pub(crate) fn open(kek: &KeyEncryptionKey, endpoint: WebhookEndpointId, sealed: &str) -> Option<String> {
    kek.open(sealed, &aad(endpoint)).and_then(|b| String::from_utf8(b).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks specification, signed by its reference libraries.
    #[test]
    fn signs_the_standard_webhooks_example() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = br#"{"test": 2432232314}"#;
        let sig = sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body).unwrap();
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn a_sealed_secret_opens_only_for_its_endpoint() {
        let kek = KeyEncryptionKey::generate();
        let (a, b) = (WebhookEndpointId::generate(), WebhookEndpointId::generate());
        let secret = new_secret();
        assert!(secret.starts_with(SECRET_PREFIX));
        let sealed = seal(&kek, a, &secret).unwrap();
        assert!(!sealed.contains(&secret[SECRET_PREFIX.len()..]));
        assert_eq!(open(&kek, a, &sealed).as_deref(), Some(secret.as_str()));
        assert_eq!(open(&kek, b, &sealed), None);
        assert_eq!(open(&KeyEncryptionKey::generate(), a, &sealed), None);
    }
}
