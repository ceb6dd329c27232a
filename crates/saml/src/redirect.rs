//! The HTTP-Redirect binding: DEFLATE + Base64 + URL encoding, and the query-string signature
//! (`SigAlg` + `Signature` over `SAMLRequest|SAMLResponse=…&RelayState=…&SigAlg=…` exactly as
//! the values appear, still URL-encoded, in the query).
//!
//! Only used inside the crate, by [`crate::authn_request`] and [`crate::logout`].

use std::io::{Read as _, Write as _};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use flate2::Compression;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use openssl::bn::BigNum;
use openssl::ecdsa::EcdsaSig;
use openssl::hash::MessageDigest;
use openssl::pkey::Id;
use openssl::sign::Verifier;

use crate::certificate::{IdpCertificate, check_key_strength};
use crate::error::{ReasonCode, Result, ValidationError};
use crate::sp::SigningKey;

/// Largest raw query string accepted.
const MAX_QUERY: usize = 64 * 1024;
/// Largest inflated message accepted (protects against DEFLATE bombs).
const MAX_INFLATED: usize = 256 * 1024;

/// Which parameter carries the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Param {
    Request,
    Response,
}

impl Param {
    fn name(self) -> &'static str {
        match self {
            Self::Request => "SAMLRequest",
            Self::Response => "SAMLResponse",
        }
    }
}

fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// Build `<endpoint>?SAMLRequest=…[&RelayState=…][&SigAlg=…&Signature=…][&extra…]`. The
/// endpoint may already carry a query (Google's `?idpid=…`).
pub(crate) fn build_url(
    endpoint: &str,
    param: Param,
    xml: &str,
    relay_state: Option<&str>,
    signing_key: Option<&SigningKey>,
    extra: &[(&str, &str)],
) -> Option<String> {
    let mut deflater = DeflateEncoder::new(Vec::new(), Compression::default());
    deflater.write_all(xml.as_bytes()).ok()?;
    let deflated = deflater.finish().ok()?;
    let mut signed = format!("{}={}", param.name(), encode(&STANDARD.encode(deflated)));
    if let Some(relay_state) = relay_state {
        signed.push_str(&format!("&RelayState={}", encode(relay_state)));
    }
    if let Some(key) = signing_key {
        signed.push_str(&format!("&SigAlg={}", encode(key.sig_alg())));
        let signature = key.sign(signed.as_bytes())?;
        signed.push_str(&format!(
            "&Signature={}",
            encode(&STANDARD.encode(signature))
        ));
    }
    for (name, value) in extra {
        signed.push_str(&format!("&{}={}", encode(name), encode(value)));
    }
    let separator = if endpoint.contains('?') { '&' } else { '?' };
    Some(format!("{endpoint}{separator}{signed}"))
}

/// A Redirect-binding message taken apart.
pub(crate) struct Received {
    pub xml: String,
    pub relay_state: Option<String>,
    /// `Some((sig_alg, signature, signed_octets))` when the query is signed.
    signature: Option<(String, Vec<u8>, String)>,
}

/// Split the raw query string (as received, before any decoding).
pub(crate) fn parse_query(raw_query: &str, param: Param) -> Result<Received> {
    if raw_query.len() > MAX_QUERY {
        return Err(ValidationError::new(
            ReasonCode::TooLarge,
            format!(
                "the query string is {} bytes, over the {MAX_QUERY}-byte limit",
                raw_query.len()
            ),
        ));
    }
    let raw_query = raw_query.strip_prefix('?').unwrap_or(raw_query);
    let mut message = None;
    let mut relay_state = None;
    let mut sig_alg = None;
    let mut signature = None;
    for pair in raw_query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let slot = match name {
            n if n == param.name() => &mut message,
            "RelayState" => &mut relay_state,
            "SigAlg" => &mut sig_alg,
            "Signature" => &mut signature,
            _ => continue,
        };
        if slot.replace(value).is_some() {
            return Err(ValidationError::new(
                ReasonCode::Malformed,
                format!("the query string carries {name} twice"),
            ));
        }
    }
    let raw_message = message.ok_or_else(|| {
        ValidationError::new(
            ReasonCode::Malformed,
            format!("the query string has no {}", param.name()),
        )
    })?;
    let decoded = decode_component(raw_message)?;
    let deflated = STANDARD
        .decode(
            decoded
                .chars()
                .filter(|c| !c.is_ascii_whitespace())
                .collect::<String>(),
        )
        .map_err(|_| {
            ValidationError::new(
                ReasonCode::Malformed,
                format!("{} is not valid Base64", param.name()),
            )
        })?;
    let mut inflated = Vec::new();
    DeflateDecoder::new(deflated.as_slice())
        .take(MAX_INFLATED as u64 + 1)
        .read_to_end(&mut inflated)
        .map_err(|_| {
            ValidationError::new(
                ReasonCode::Malformed,
                format!("{} is not DEFLATE-compressed", param.name()),
            )
        })?;
    if inflated.len() > MAX_INFLATED {
        return Err(ValidationError::new(
            ReasonCode::TooLarge,
            format!("the inflated message is over the {MAX_INFLATED}-byte limit"),
        ));
    }
    let xml = String::from_utf8(inflated)
        .map_err(|_| ValidationError::new(ReasonCode::Malformed, "the message is not UTF-8"))?;
    let signature = match (sig_alg, signature) {
        (None, None) => None,
        (Some(_), None) => {
            return Err(ValidationError::new(
                ReasonCode::SignatureMissing,
                "the query string has SigAlg but no Signature",
            ));
        }
        (None, Some(_)) => {
            return Err(ValidationError::new(
                ReasonCode::SignatureMissing,
                "the query string has a Signature but no SigAlg",
            ));
        }
        (Some(alg), Some(sig)) => {
            let mut octets = format!("{}={raw_message}", param.name());
            if let Some(rs) = relay_state {
                octets.push_str(&format!("&RelayState={rs}"));
            }
            octets.push_str(&format!("&SigAlg={alg}"));
            let sig = STANDARD
                .decode(
                    decode_component(sig)?
                        .chars()
                        .filter(|c| !c.is_ascii_whitespace())
                        .collect::<String>(),
                )
                .map_err(|_| {
                    ValidationError::new(ReasonCode::Malformed, "Signature is not valid Base64")
                })?;
            Some((decode_component(alg)?, sig, octets))
        }
    };
    Ok(Received {
        xml,
        relay_state: relay_state.map(decode_component).transpose()?,
        signature,
    })
}

fn decode_component(raw: &str) -> Result<String> {
    let plus_as_space = raw.replace('+', " ");
    url::form_urlencoded::parse(format!("v={plus_as_space}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .ok_or_else(|| ValidationError::new(ReasonCode::Malformed, "bad URL encoding"))
}

impl Received {
    pub(crate) fn is_signed(&self) -> bool {
        self.signature.is_some()
    }

    /// Verify the query signature with the configured certificates; returns the fingerprint of
    /// the one that verified. Call only when [`Self::is_signed`].
    pub(crate) fn verify(&self, certificates: &[IdpCertificate]) -> Result<String> {
        let Some((alg, signature, octets)) = &self.signature else {
            return Err(ValidationError::new(
                ReasonCode::SignatureMissing,
                "the message is not signed",
            ));
        };
        if certificates.is_empty() {
            return Err(ValidationError::new(
                ReasonCode::NoCertificate,
                "no IdP signing certificate is configured for this connection",
            ));
        }
        let digest = match alg.as_str() {
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
            | "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256" => MessageDigest::sha256(),
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384"
            | "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384" => MessageDigest::sha384(),
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"
            | "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512" => MessageDigest::sha512(),
            other => {
                return Err(ValidationError::new(
                    ReasonCode::WeakAlgorithm,
                    format!(
                        "SigAlg {other:?} is not accepted; expected RSA or ECDSA with SHA-256 or \
                         stronger"
                    ),
                ));
            }
        };
        let wants_ec = alg.contains("ecdsa");
        // Keys below the floor never verify (see `check_key_strength`).
        for certificate in certificates
            .iter()
            .filter(|c| check_key_strength(c).is_ok())
        {
            let Ok(key) = certificate.key() else {
                continue;
            };
            let key = key.pkey();
            if (key.id() == Id::EC) != wants_ec {
                continue;
            }
            let mut candidates = vec![signature.clone()];
            if wants_ec && let Some(der) = raw_ecdsa_to_der(signature) {
                candidates.push(der);
            }
            for candidate in candidates {
                let verified = Verifier::new(digest, key)
                    .and_then(|mut v| {
                        v.update(octets.as_bytes())?;
                        v.verify(&candidate)
                    })
                    .unwrap_or(false);
                if verified {
                    return Ok(certificate.fingerprint_sha256.clone());
                }
            }
        }
        Err(ValidationError::new(
            ReasonCode::SignatureInvalid,
            format!(
                "the query-string signature does not verify with any configured certificate ({})",
                certificates
                    .iter()
                    .map(|c| c.fingerprint_sha256.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ))
    }
}

/// XML-DSig ECDSA signatures are `r || s`; openssl wants DER.
fn raw_ecdsa_to_der(raw: &[u8]) -> Option<Vec<u8>> {
    if raw.is_empty() || !raw.len().is_multiple_of(2) || raw.len() > 132 {
        return None;
    }
    let (r, s) = raw.split_at(raw.len() / 2);
    let sig =
        EcdsaSig::from_private_components(BigNum::from_slice(r).ok()?, BigNum::from_slice(s).ok()?)
            .ok()?;
    sig.to_der().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_unsigned() {
        let url = build_url(
            "https://idp.example/sso?idpid=1",
            Param::Request,
            "<x>hello</x>",
            Some("a b&c"),
            None,
            &[("login_hint", "alice@contoso.com")],
        )
        .unwrap_or_default();
        assert!(url.starts_with("https://idp.example/sso?idpid=1&SAMLRequest="));
        let query = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
        let received = parse_query(query, Param::Request).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(received.xml, "<x>hello</x>");
        assert_eq!(received.relay_state.as_deref(), Some("a b&c"));
        assert!(!received.is_signed());
    }

    #[test]
    fn half_signed_queries_are_errors_not_panics() {
        let url = build_url("https://sp/slo", Param::Response, "<x/>", None, None, &[])
            .unwrap_or_default();
        let query = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
        for extra in ["&SigAlg=x", "&Signature=AAAA", "&Signature=", "&SigAlg="] {
            let err = parse_query(&format!("{query}{extra}"), Param::Response)
                .err()
                .map(|e| e.reason);
            assert_eq!(err, Some(ReasonCode::SignatureMissing), "{extra}");
        }
        assert!(parse_query("SAMLResponse=%%%", Param::Response).is_err());
        assert!(parse_query("", Param::Response).is_err());
        assert!(parse_query(&format!("{query}&{query}"), Param::Response).is_err());
    }
}
