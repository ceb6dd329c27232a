//! XML Encryption of a whole Assertion (`<saml:EncryptedAssertion>`, Entra's "token
//! encryption"): unwrap the content key with one of our RSA keys, decrypt, hand back the
//! plaintext Assertion text. Nothing here trusts the result: [`crate::response`] splices it
//! back where the EncryptedAssertion was and validates the document exactly like a plain one
//! (signature included).
//!
//! Accepted: key transport RSA-OAEP (`xmlenc#rsa-oaep-mgf1p`, `xmlenc11#rsa-oaep` with
//! SHA-1/SHA-2 digests and MGF1), content AES-128/256-GCM and AES-128/256-CBC. Refused:
//! RSA PKCS#1 v1.5 key transport (Bleichenbacher), key agreement, `CipherReference`, and
//! anything else. Every failure after the algorithms are known gives the same reason and the
//! same sentence, so the answer is no decryption oracle beyond "it did not decrypt".
//!
//! Only used inside the crate.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use openssl::hash::MessageDigest;
use openssl::md::{Md, MdRef};
use openssl::pkey_ctx::PkeyCtx;
use openssl::rsa::Padding;
use openssl::symm::{Cipher, Crypter, Mode, decrypt_aead};

use crate::error::{ReasonCode, Result, ValidationError};
use crate::sp_keys::DecryptionKey;
use crate::xml::{Element, NS_DS, NS_SAML};

pub(crate) const NS_XENC: &str = "http://www.w3.org/2001/04/xmlenc#";
const NS_XENC11: &str = "http://www.w3.org/2009/xmlenc11#";

const AES128_CBC: &str = "http://www.w3.org/2001/04/xmlenc#aes128-cbc";
const AES256_CBC: &str = "http://www.w3.org/2001/04/xmlenc#aes256-cbc";
const AES128_GCM: &str = "http://www.w3.org/2009/xmlenc11#aes128-gcm";
const AES256_GCM: &str = "http://www.w3.org/2009/xmlenc11#aes256-gcm";
const RSA_OAEP_MGF1P: &str = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p";
const RSA_OAEP: &str = "http://www.w3.org/2009/xmlenc11#rsa-oaep";
const TYPE_ELEMENT: &str = "http://www.w3.org/2001/04/xmlenc#Element";

/// The algorithms published in SP metadata (`md:EncryptionMethod`), preferred first.
pub(crate) const ACCEPTED_ALGORITHMS: &[&str] = &[
    AES256_GCM,
    AES128_GCM,
    AES256_CBC,
    AES128_CBC,
    RSA_OAEP,
    RSA_OAEP_MGF1P,
];

/// EncryptedKeys tried at most per EncryptedAssertion (each costs an RSA decryption per key).
pub(crate) const MAX_ENCRYPTED_KEYS: usize = 4;

/// The one sentence every decryption failure gets (see the module docs).
const DECRYPTION_FAILED: &str = "the EncryptedAssertion could not be decrypted with any of \
    Gatehouse's encryption keys: the IdP encrypted to a certificate that is not (or no longer) \
    in Gatehouse's SP metadata, or the encrypted data was changed";

#[derive(Clone, Copy)]
enum Content {
    Cbc(usize),
    Gcm(usize),
}

impl Content {
    fn key_len(self) -> usize {
        match self {
            Self::Cbc(n) | Self::Gcm(n) => n,
        }
    }
}

fn algorithm_refused(what: &str, uri: &str) -> ValidationError {
    ValidationError::new(
        ReasonCode::EncryptionAlgorithm,
        format!(
            "the {what} algorithm {uri:?} is not accepted; use RSA-OAEP key transport with \
             AES-GCM or AES-CBC content encryption"
        ),
    )
}

fn failed() -> ValidationError {
    ValidationError::new(ReasonCode::DecryptionFailed, DECRYPTION_FAILED)
}

fn malformed(detail: &str) -> ValidationError {
    ValidationError::new(
        ReasonCode::Malformed,
        format!("the EncryptedAssertion is malformed: {detail}"),
    )
}

fn method(element: &Element) -> Result<&str> {
    element
        .child(NS_XENC, "EncryptionMethod")
        .and_then(|m| m.attr("Algorithm"))
        .ok_or_else(|| malformed(&format!("<{}> has no EncryptionMethod", element.local)))
}

fn cipher_value(element: &Element, limit: usize) -> Result<Vec<u8>> {
    let data = element
        .child(NS_XENC, "CipherData")
        .ok_or_else(|| malformed(&format!("<{}> has no CipherData", element.local)))?;
    if data.child(NS_XENC, "CipherReference").is_some() {
        return Err(malformed("a CipherReference is never fetched"));
    }
    let text: String = data
        .child(NS_XENC, "CipherValue")
        .ok_or_else(|| malformed("CipherData has no CipherValue"))?
        .text()
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    if text.len() > limit.saturating_mul(4) / 3 + 4 {
        return Err(ValidationError::new(
            ReasonCode::TooLarge,
            format!("a CipherValue is over the {limit}-byte limit"),
        ));
    }
    STANDARD
        .decode(text)
        .map_err(|_| malformed("a CipherValue is not valid Base64"))
}

/// Decrypt the one `EncryptedData` of `encrypted_assertion` with `keys`; the plaintext (at most
/// `max_size` bytes, UTF-8) is returned unparsed.
pub(crate) fn decrypt_assertion(
    encrypted_assertion: &Element,
    keys: &[DecryptionKey],
    max_size: usize,
) -> Result<String> {
    if keys.is_empty() {
        return Err(ValidationError::new(
            ReasonCode::EncryptedUnsupported,
            "the IdP sent an EncryptedAssertion but Gatehouse has no SP encryption key; turn off \
             token encryption in the IdP, or configure GATEHOUSE_KEY_ENCRYPTION_KEY so Gatehouse \
             creates one",
        ));
    }
    let mut data = encrypted_assertion.children_named(NS_XENC, "EncryptedData");
    let data = match (data.next(), data.next()) {
        (Some(d), None) => d,
        _ => return Err(malformed("expected exactly one EncryptedData")),
    };
    if encrypted_assertion
        .elements()
        .any(|e| !e.is(NS_XENC, "EncryptedData") && !e.is(NS_XENC, "EncryptedKey"))
    {
        return Err(malformed(
            "it holds an element other than EncryptedData and EncryptedKey",
        ));
    }
    if let Some(kind) = data.attr("Type")
        && kind != TYPE_ELEMENT
    {
        return Err(malformed(&format!(
            "EncryptedData Type {kind:?} is not an element"
        )));
    }
    let content = match method(data)? {
        AES128_CBC => Content::Cbc(16),
        AES256_CBC => Content::Cbc(32),
        AES128_GCM => Content::Gcm(16),
        AES256_GCM => Content::Gcm(32),
        other => return Err(algorithm_refused("content encryption", other)),
    };
    let encrypted_keys: Vec<&Element> = data
        .child(NS_DS, "KeyInfo")
        .into_iter()
        .flat_map(|k| k.children_named(NS_XENC, "EncryptedKey"))
        .chain(encrypted_assertion.children_named(NS_XENC, "EncryptedKey"))
        .collect();
    if encrypted_keys.is_empty() {
        return Err(malformed("no EncryptedKey carries the content key"));
    }
    if encrypted_keys.len() > MAX_ENCRYPTED_KEYS {
        return Err(ValidationError::new(
            ReasonCode::TooLarge,
            format!(
                "the EncryptedAssertion carries {} EncryptedKeys; at most {MAX_ENCRYPTED_KEYS} are tried",
                encrypted_keys.len()
            ),
        ));
    }
    let transports = encrypted_keys
        .iter()
        .map(|k| KeyTransport::read(k))
        .collect::<Result<Vec<_>>>()?;
    let ciphertext = cipher_value(data, max_size)?;
    for transport in &transports {
        for key in keys {
            let Some(content_key) = transport.unwrap(key) else {
                continue;
            };
            if content_key.len() != content.key_len() {
                continue;
            }
            if let Some(plain) = decrypt_content(content, &content_key, &ciphertext) {
                if plain.len() > max_size {
                    return Err(ValidationError::new(
                        ReasonCode::TooLarge,
                        format!("the decrypted Assertion is over the {max_size}-byte limit"),
                    ));
                }
                return String::from_utf8(plain).map_err(|_| failed());
            }
        }
    }
    Err(failed())
}

/// One `EncryptedKey`: the wrapped content key and how it was wrapped.
struct KeyTransport {
    wrapped: Vec<u8>,
    digest: MessageDigest,
    mgf1: MessageDigest,
    label: Option<Vec<u8>>,
}

fn digest_named(uri: &str) -> Option<MessageDigest> {
    match uri {
        "http://www.w3.org/2000/09/xmldsig#sha1" => Some(MessageDigest::sha1()),
        "http://www.w3.org/2001/04/xmlenc#sha256"
        | "http://www.w3.org/2001/04/xmldsig-more#sha256" => Some(MessageDigest::sha256()),
        "http://www.w3.org/2001/04/xmldsig-more#sha384" => Some(MessageDigest::sha384()),
        "http://www.w3.org/2001/04/xmlenc#sha512"
        | "http://www.w3.org/2001/04/xmldsig-more#sha512" => Some(MessageDigest::sha512()),
        _ => None,
    }
}

fn mgf_named(uri: &str) -> Option<MessageDigest> {
    match uri {
        "http://www.w3.org/2009/xmlenc11#mgf1sha1" => Some(MessageDigest::sha1()),
        "http://www.w3.org/2009/xmlenc11#mgf1sha224" => Some(MessageDigest::sha224()),
        "http://www.w3.org/2009/xmlenc11#mgf1sha256" => Some(MessageDigest::sha256()),
        "http://www.w3.org/2009/xmlenc11#mgf1sha384" => Some(MessageDigest::sha384()),
        "http://www.w3.org/2009/xmlenc11#mgf1sha512" => Some(MessageDigest::sha512()),
        _ => None,
    }
}

fn md_of(digest: MessageDigest) -> &'static MdRef {
    match digest.type_() {
        t if t == MessageDigest::sha224().type_() => Md::sha224(),
        t if t == MessageDigest::sha256().type_() => Md::sha256(),
        t if t == MessageDigest::sha384().type_() => Md::sha384(),
        t if t == MessageDigest::sha512().type_() => Md::sha512(),
        _ => Md::sha1(),
    }
}

impl KeyTransport {
    fn read(encrypted_key: &Element) -> Result<Self> {
        let algorithm = method(encrypted_key)?;
        let method_element = encrypted_key.child(NS_XENC, "EncryptionMethod");
        let digest = match method_element.and_then(|m| m.child(NS_DS, "DigestMethod")) {
            None => MessageDigest::sha1(),
            Some(d) => {
                let uri = d.attr("Algorithm").unwrap_or_default();
                digest_named(uri).ok_or_else(|| algorithm_refused("OAEP digest", uri))?
            }
        };
        let mgf1 = match algorithm {
            // mgf1p: MGF1 with SHA-1, whatever the digest (xmlenc 1.0 §5.4.2).
            RSA_OAEP_MGF1P => MessageDigest::sha1(),
            RSA_OAEP => match method_element.and_then(|m| m.child(NS_XENC11, "MGF")) {
                None => MessageDigest::sha1(),
                Some(m) => {
                    let uri = m.attr("Algorithm").unwrap_or_default();
                    mgf_named(uri).ok_or_else(|| algorithm_refused("OAEP mask generation", uri))?
                }
            },
            other => return Err(algorithm_refused("key transport", other)),
        };
        let label = method_element
            .and_then(|m| m.child(NS_XENC, "OAEPparams"))
            .map(|p| {
                STANDARD
                    .decode(p.text().trim())
                    .map_err(|_| malformed("OAEPparams is not valid Base64"))
            })
            .transpose()?;
        Ok(Self {
            // An RSA-8192 block is 1 KiB; anything larger is not a wrapped key.
            wrapped: cipher_value(encrypted_key, 1024)?,
            digest,
            mgf1,
            label,
        })
    }

    fn unwrap(&self, key: &DecryptionKey) -> Option<Vec<u8>> {
        let mut ctx = PkeyCtx::new(&key.key).ok()?;
        ctx.decrypt_init().ok()?;
        ctx.set_rsa_padding(Padding::PKCS1_OAEP).ok()?;
        ctx.set_rsa_oaep_md(md_of(self.digest)).ok()?;
        ctx.set_rsa_mgf1_md(md_of(self.mgf1)).ok()?;
        if let Some(label) = &self.label {
            ctx.set_rsa_oaep_label(label).ok()?;
        }
        let mut out = Vec::new();
        ctx.decrypt_to_vec(&self.wrapped, &mut out).ok()?;
        Some(out)
    }
}

/// GCM: 12-byte IV ‖ ciphertext ‖ 16-byte tag. CBC: 16-byte IV ‖ ciphertext, xmlenc padding
/// (last byte = pad length, 1…16; other pad bytes arbitrary).
fn decrypt_content(content: Content, key: &[u8], data: &[u8]) -> Option<Vec<u8>> {
    match content {
        Content::Gcm(len) => {
            if data.len() < 12 + 16 {
                return None;
            }
            let cipher = if len == 16 {
                Cipher::aes_128_gcm()
            } else {
                Cipher::aes_256_gcm()
            };
            let (iv, rest) = data.split_at(12);
            let (ciphertext, tag) = rest.split_at(rest.len() - 16);
            decrypt_aead(cipher, key, Some(iv), &[], ciphertext, tag).ok()
        }
        Content::Cbc(len) => {
            if data.len() < 32 || !data.len().is_multiple_of(16) {
                return None;
            }
            let cipher = if len == 16 {
                Cipher::aes_128_cbc()
            } else {
                Cipher::aes_256_cbc()
            };
            let (iv, ciphertext) = data.split_at(16);
            let mut crypter = Crypter::new(cipher, Mode::Decrypt, key, Some(iv)).ok()?;
            crypter.pad(false);
            let mut out = vec![0u8; ciphertext.len() + 16];
            let mut n = crypter.update(ciphertext, &mut out).ok()?;
            n += crypter.finalize(&mut out[n..]).ok()?;
            out.truncate(n);
            let pad = usize::from(*out.last()?);
            if pad == 0 || pad > 16 || pad > out.len() {
                return None;
            }
            out.truncate(out.len() - pad);
            Some(out)
        }
    }
}

/// Whether `element` is an EncryptedAssertion (the only encrypted SAML element accepted).
pub(crate) fn is_encrypted_assertion(element: &Element) -> bool {
    element.is(NS_SAML, "EncryptedAssertion")
}
