//! Validating the IdP's `<samlp:Response>` (HTTP-POST binding) — fail closed, read only what is
//! signed.
//!
//! [`validate_response`] runs, in order: the tenant has certificates → size → Base64 → DOCTYPE /
//! encoding guard (raw bytes, before any parser) → strict parse → duplicate IDs → signature
//! wrapping shapes → encrypted content → status → exactly one Assertion → signature shape and
//! algorithm floor ([`prepare`]) → verification with each configured certificate (never the
//! embedded one) → claims extracted from the canonical bytes that were hashed → issuer,
//! destination, issue instant, in-response-to, audience, conditions, subject confirmation,
//! authentication statement.
//!
//! Verification (see `signature`) runs in the crate on the strict tree for the profile every
//! mainstream IdP uses — exclusive c14n, SHA-2 digests, RSA/ECDSA-SHA-2 — with each
//! certificate's key decoded once when it was parsed (so keep parsed [`IdpCertificate`]s
//! around); anything else goes to samael / libxmlsec1. Either way the canonical bytes are
//! re-parsed strictly and only they are read.
//!
//! Validation is **blocking** (libxmlsec1, and samael's errors are not `Send`): async callers
//! run it inside `tokio::task::spawn_blocking`. Everything it returns is owned and `Send + Sync`.
//!
//! [`peek_response`] reads the Issuer and InResponseTo **without** verifying anything, behind
//! the same size/DOCTYPE/parse guards, so the caller can find the tenant (IdP-initiated SSO) or
//! the pending request before the real validation. Never act on what it returns.

use std::borrow::Cow;
use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Duration, Utc};

use crate::certificate::{IdpCertificate, MIN_RSA_BITS, check_key_strength};
use crate::error::{ReasonCode, Result, ValidationError};
use crate::signature;
use crate::sp::ServiceProvider;
use crate::sp_keys::DecryptionKey;
use crate::xml::{self, Element, NS_DS, NS_SAML, NS_SAMLP, NS_XML};
use crate::xmlenc;

pub use crate::peek::{ResponsePeek, peek_response};

const STATUS_SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";
const BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
/// Characters of an (unverified) StatusMessage kept for the sign-in log.
const MAX_STATUS_MESSAGE: usize = 300;

/// Default accepted clock difference between the IdP and us.
pub const DEFAULT_CLOCK_SKEW: Duration = Duration::minutes(3);
/// Default maximum age of a Response's IssueInstant (on top of the clock skew).
pub const DEFAULT_MAX_ISSUE_AGE: Duration = Duration::minutes(5);
/// Default size limit of the decoded Response XML.
pub const DEFAULT_MAX_SIZE: usize = 512 * 1024;

/// What a Response must satisfy. Build with [`ResponsePolicy::new`] and adjust fields.
#[derive(Debug, Clone)]
pub struct ResponsePolicy {
    /// The tenant's IdP signing certificates; empty means every Response is refused.
    pub certificates: Vec<IdpCertificate>,
    /// The IdP issuer (Entra: `https://sts.windows.net/<tenant-id>/`).
    pub expected_issuer: String,
    /// Our entity ID (the required Audience).
    pub sp_entity_id: String,
    /// Our ACS URL (required Destination when present, and bearer Recipient).
    pub acs_url: String,
    /// The ID of the AuthnRequest this Response must answer; `None` for IdP-initiated SSO.
    pub expected_in_response_to: Option<String>,
    /// Whether a Response without InResponseTo is acceptable (tenant setting).
    pub allow_unsolicited: bool,
    /// Accepted clock difference.
    pub clock_skew: Duration,
    /// Maximum age of IssueInstant (the clock skew is added).
    pub max_issue_age: Duration,
    /// The current time (injected so tests and replicas agree).
    pub now: DateTime<Utc>,
    /// Maximum decoded size in bytes (the decrypted Assertion counts against it too).
    pub max_size: usize,
    /// Our encryption keys: an `EncryptedAssertion` is decrypted with one of them and then
    /// validated exactly like a plain Assertion. Empty: encrypted assertions are refused.
    pub decryption_keys: Vec<DecryptionKey>,
    /// Refuse a plain (unencrypted) Assertion (tenant setting "require encrypted assertions").
    pub require_encrypted: bool,
}

impl ResponsePolicy {
    /// A policy for `sp` with default skew, age and size limits; SP-initiated only
    /// (`expected_in_response_to` unset and `allow_unsolicited` false) until the caller says.
    pub fn new(
        sp: &ServiceProvider,
        expected_issuer: impl Into<String>,
        certificates: Vec<IdpCertificate>,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            certificates,
            expected_issuer: expected_issuer.into(),
            sp_entity_id: sp.entity_id.clone(),
            acs_url: sp.acs_url.clone(),
            expected_in_response_to: None,
            allow_unsolicited: false,
            clock_skew: DEFAULT_CLOCK_SKEW,
            max_issue_age: DEFAULT_MAX_ISSUE_AGE,
            now,
            max_size: DEFAULT_MAX_SIZE,
            decryption_keys: Vec::new(),
            require_encrypted: false,
        }
    }
}

/// A verified sign-in, read from signed content only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatedAssertion {
    /// Subject NameID, whole (comments inside it never truncate it).
    pub name_id: String,
    /// NameID Format, if given.
    pub name_id_format: Option<String>,
    /// Every attribute by Name, values in document order.
    pub attributes: BTreeMap<String, Vec<String>>,
    /// AuthnStatement SessionIndex (needed for logout).
    pub session_index: Option<String>,
    /// Assertion ID (the replay-cache key, together with the issuer).
    pub assertion_id: String,
    /// Keep `assertion_id` in the replay cache until at least this instant: after it the
    /// assertion can no longer pass validation (clock skew included).
    pub not_on_or_after: DateTime<Utc>,
    /// The Assertion's Issuer.
    pub issuer: String,
    /// AuthnStatement AuthnInstant.
    pub authn_instant: Option<DateTime<Utc>>,
    /// The request this answers (`None` for IdP-initiated).
    pub in_response_to: Option<String>,
    /// Assertion IssueInstant.
    pub issue_instant: DateTime<Utc>,
    /// SHA-256 fingerprint of the configured certificate that verified the signature.
    pub certificate_fingerprint: String,
}

/// Validate a Base64 `SAMLResponse` against `policy`. Blocking: see the module docs.
pub fn validate_response(
    saml_response_b64: &str,
    policy: &ResponsePolicy,
) -> Result<ValidatedAssertion> {
    if policy.certificates.is_empty() {
        return Err(ValidationError::new(
            ReasonCode::NoCertificate,
            "no IdP signing certificate is configured for this connection, so no sign-in can be \
             trusted; upload the IdP's certificate",
        ));
    }
    // A certificate below the key-strength floor never verifies anything, even one stored
    // before the floor existed.
    let strong: Cow<'_, [IdpCertificate]> = if policy
        .certificates
        .iter()
        .all(|c| check_key_strength(c).is_ok())
    {
        Cow::Borrowed(&policy.certificates)
    } else {
        Cow::Owned(
            policy
                .certificates
                .iter()
                .filter(|c| check_key_strength(c).is_ok())
                .cloned()
                .collect(),
        )
    };
    if strong.is_empty() {
        let weakest = policy
            .certificates
            .iter()
            .map(|c| format!("{} {}-bit", c.key_type, c.key_bits));
        return Err(ValidationError::new(
            ReasonCode::NoCertificate,
            format!(
                "every configured IdP certificate has a key below the floor ({}); upload a \
                 signing certificate with an RSA key of at least {MIN_RSA_BITS} bits",
                weakest.collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    let bytes = decode(saml_response_b64, policy.max_size)?;
    let received = xml::guard(&bytes, policy.max_size)?;
    let received_root = xml::parse(received)?;
    let decrypted = decrypt_in_place(received, received_root, policy, &strong)?;
    let text = decrypted.0.as_ref();
    let root = decrypted.1;
    let (assertion, signed) = prepare(&root)?;
    let Some(verified) = signature::verify(text, &root, &signed, &strong) else {
        return Err(signature::diagnose(text, &strong, &signed));
    };
    let certificate = &strong[verified.certificate];

    // From here on, read only the canonical bytes libxmlsec1 verified.
    let signed_root = xml::parse(&verified.signed_xml).map_err(|_| {
        ValidationError::new(ReasonCode::Malformed, "the signed content is unreadable")
    })?;
    let root_id = root.attr("ID").unwrap_or_default();
    let assertion_id = assertion.attr("ID").unwrap_or_default();
    let response_signed = signed_root.is(NS_SAMLP, "Response");
    let (response, signed_assertion) = if response_signed {
        if signed_root.attr("ID") != Some(root_id) {
            return Err(wrapping("the signed Response is not the Response received"));
        }
        let mut assertions = signed_root.children_named(NS_SAML, "Assertion");
        match (assertions.next(), assertions.next()) {
            (Some(a), None) => (&signed_root, a),
            _ => {
                return Err(wrapping(
                    "the signed Response does not hold exactly one Assertion",
                ));
            }
        }
    } else if signed_root.is(NS_SAML, "Assertion") {
        (&root, &signed_root)
    } else {
        return Err(wrapping(
            "the signature covers neither the Response nor the Assertion",
        ));
    };
    if signed_assertion.attr("ID") != Some(assertion_id) {
        return Err(wrapping(
            "the signed Assertion is not the Assertion received",
        ));
    }
    check_claims(
        response,
        response_signed,
        signed_assertion,
        policy,
        certificate,
    )
}

/// An `EncryptedAssertion` is decrypted and put back exactly where it was (same namespace
/// context), and the document is parsed again from scratch by the strict parser behind the
/// same guards; everything after that is the plain path. A Response signature covers the
/// *encrypted* form, so it is verified here, on the document as received, and then left out of
/// the rebuilt one: the decrypted Assertion must carry its own signature (an encrypted
/// Assertion earns no trust from being encrypted). Without an EncryptedAssertion the document
/// passes through unchanged, unless the policy requires encryption and it holds a plain
/// Assertion.
fn decrypt_in_place<'a>(
    received: &'a str,
    root: Element,
    policy: &ResponsePolicy,
    certificates: &[IdpCertificate],
) -> Result<(Cow<'a, str>, Element)> {
    if !root.is(NS_SAMLP, "Response") {
        return Err(not_a_response(&root));
    }
    let children: Vec<&Element> = root.elements().collect();
    let encrypted: Vec<usize> = children
        .iter()
        .enumerate()
        .filter(|(_, e)| xmlenc::is_encrypted_assertion(e))
        .map(|(i, _)| i)
        .collect();
    let plain = children.iter().any(|e| e.is(NS_SAML, "Assertion"));
    let index = match (encrypted.as_slice(), plain) {
        ([], _) => {
            if plain && policy.require_encrypted {
                return Err(ValidationError::new(
                    ReasonCode::EncryptionRequired,
                    "this organisation requires encrypted assertions and the IdP sent a plain \
                     Assertion; turn on token encryption with Gatehouse's encryption certificate",
                ));
            }
            return Ok((Cow::Borrowed(received), root));
        }
        ([one], false) => *one,
        _ => {
            return Err(ValidationError::new(
                ReasonCode::AssertionCount,
                "the Response holds more than one (encrypted or plain) Assertion; expected \
                 exactly one",
            ));
        }
    };
    let plaintext =
        xmlenc::decrypt_assertion(children[index], &policy.decryption_keys, policy.max_size)?;
    let plaintext = strip_declaration(&plaintext);
    let response_signature = children.iter().position(|e| e.is(NS_DS, "Signature"));
    if let Some(position) = response_signature {
        verify_response_signature(received, &root, children[position], certificates)?;
    }
    let spans = xml::root_child_spans(received)?;
    if spans.len() != children.len() {
        return Err(ValidationError::new(
            ReasonCode::Malformed,
            "the Response could not be taken apart",
        ));
    }
    let mut rebuilt = String::with_capacity(received.len() + plaintext.len());
    let mut at = 0;
    for (i, span) in spans.iter().enumerate() {
        if i == index || Some(i) == response_signature {
            rebuilt.push_str(&received[at..span.start]);
            if i == index {
                rebuilt.push_str(plaintext);
            }
            at = span.end;
        }
    }
    rebuilt.push_str(&received[at..]);
    let checked = xml::guard(rebuilt.as_bytes(), policy.max_size)?;
    let root = xml::parse(checked)?;
    Ok((Cow::Owned(rebuilt), root))
}

/// The decrypted serialisation may start with its own XML declaration, which has no place in
/// the middle of the Response.
fn strip_declaration(plaintext: &str) -> &str {
    let trimmed = plaintext.trim_start_matches('\u{feff}').trim_start();
    match trimmed.strip_prefix("<?xml ") {
        Some(rest) => rest.split_once("?>").map_or(trimmed, |(_, after)| after),
        None => trimmed,
    }
}

/// A Response signature over an EncryptedAssertion: same shape rules and certificates as any
/// other signature, and it must sign the Response itself.
fn verify_response_signature(
    received: &str,
    root: &Element,
    signature: &Element,
    certificates: &[IdpCertificate],
) -> Result<()> {
    let uri = signature::check_signature_shape(signature)?;
    let id = root.attr("ID").unwrap_or_default();
    if id.is_empty() || uri != format!("#{id}") {
        return Err(wrapping(
            "the Response's Signature does not sign the Response",
        ));
    }
    let signed = [signature::Signed {
        signature,
        element: root,
        scope: Vec::new(),
        signs_root: true,
    }];
    match signature::verify(received, root, &signed, certificates) {
        Some(_) => Ok(()),
        None => Err(signature::diagnose(received, certificates, &signed)),
    }
}

/// Everything decided before a signature is verified, on the strict tree: a Response, the
/// structure and wrapping shapes, unique IDs, Success status, exactly one Assertion, at least
/// one signature, each of an accepted shape. Returns the Assertion and the signatures with the
/// elements they sign.
pub(crate) fn prepare(root: &Element) -> Result<(&Element, Vec<signature::Signed<'_>>)> {
    if !root.is(NS_SAMLP, "Response") {
        return Err(not_a_response(root));
    }
    let elements = root.descendants();
    let assertion = check_structure(root, &elements)?;
    check_unique_ids(&elements)?;
    check_status(root)?;
    let assertion = assertion.ok_or_else(|| {
        ValidationError::new(
            ReasonCode::AssertionCount,
            "the Response contains no Assertion; expected exactly one",
        )
    })?;

    // Signatures may sit only on the Response and on the Assertion (check_structure).
    let response_sig = root.child(NS_DS, "Signature");
    let assertion_sig = assertion.child(NS_DS, "Signature");
    if response_sig.is_none() && assertion_sig.is_none() {
        return Err(ValidationError::new(
            ReasonCode::SignatureMissing,
            "neither the Response nor the Assertion is signed",
        ));
    }
    for signature in response_sig.iter().chain(assertion_sig.iter()) {
        signature::check_signature_shape(signature)?;
    }

    let assertion_scope: Vec<(&str, &str)> = root
        .ns_decls
        .iter()
        .map(|(p, u)| (p.as_str(), u.as_str()))
        .collect();
    let mut signed = Vec::with_capacity(2);
    if let Some(signature) = response_sig {
        signed.push(signature::Signed {
            signature,
            element: root,
            scope: Vec::new(),
            signs_root: true,
        });
    }
    if let Some(signature) = assertion_sig {
        signed.push(signature::Signed {
            signature,
            element: assertion,
            scope: assertion_scope,
            signs_root: false,
        });
    }
    Ok((assertion, signed))
}

pub(crate) fn decode(saml_response_b64: &str, max_size: usize) -> Result<Vec<u8>> {
    if saml_response_b64.len() > max_size.saturating_mul(2) {
        return Err(ValidationError::new(
            ReasonCode::TooLarge,
            format!(
                "the SAMLResponse is {} bytes, over the {max_size}-byte limit",
                saml_response_b64.len()
            ),
        ));
    }
    let bytes = saml_response_b64.as_bytes();
    // Most IdPs send one line; only a refused decode pays for the whitespace filter.
    let decoded = STANDARD.decode(bytes).or_else(|error| {
        if !bytes.iter().any(u8::is_ascii_whitespace) {
            return Err(error);
        }
        let compact: Vec<u8> = bytes
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        STANDARD.decode(compact)
    });
    decoded.map_err(|_| {
        ValidationError::new(
            ReasonCode::Malformed,
            "the SAMLResponse is not valid Base64",
        )
    })
}

fn not_a_response(root: &Element) -> ValidationError {
    not_a_response_named(&root.local, root.ns.as_deref())
}

pub(crate) fn not_a_response_named(local: &str, ns: Option<&str>) -> ValidationError {
    ValidationError::new(
        ReasonCode::Malformed,
        format!(
            "expected a SAML 2.0 <samlp:Response>, received <{local}> in namespace {:?}",
            ns.unwrap_or("")
        ),
    )
}

fn wrapping(detail: &str) -> ValidationError {
    ValidationError::new(
        ReasonCode::Wrapping,
        format!("{detail} (XML signature wrapping)"),
    )
}

/// Every ID-like attribute in the document is unique (libxml2 also treats `xml:id` as an ID).
fn check_unique_ids(elements: &[(&Element, usize)]) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    for (element, _) in elements {
        for attribute in &element.attrs {
            let is_id = (attribute.ns.is_none()
                && matches!(attribute.local.as_str(), "ID" | "Id" | "id" | "AssertionID"))
                || (attribute.ns.as_deref() == Some(NS_XML) && attribute.local == "id");
            if is_id && !seen.insert(attribute.value.as_str()) {
                return Err(ValidationError::new(
                    ReasonCode::DuplicateId,
                    format!("the ID {:?} appears more than once", attribute.value),
                ));
            }
        }
    }
    Ok(())
}

/// The only shape accepted: Assertions directly under the Response; Signatures directly under
/// the Response or the Assertion, each signing exactly its parent. Returns the Assertion if
/// there is exactly one.
fn check_structure<'a>(
    root: &'a Element,
    elements: &[(&'a Element, usize)],
) -> Result<Option<&'a Element>> {
    let mut direct = Vec::new();
    let mut total = 0usize;
    let mut all_signatures = 0usize;
    for &(element, depth) in elements {
        if element.is(NS_DS, "Signature") {
            all_signatures += 1;
        }
        if element.is(NS_SAML, "EncryptedAssertion")
            || element.is(NS_SAML, "EncryptedID")
            || element.is(NS_SAML, "EncryptedAttribute")
        {
            return Err(ValidationError::new(
                ReasonCode::EncryptedUnsupported,
                format!(
                    "the IdP sent an <{}>; encrypted assertions are not supported — turn off \
                     token encryption for this application in the IdP",
                    element.local
                ),
            ));
        }
        if element.is(NS_SAML, "Assertion") {
            total += 1;
            if depth == 1 {
                direct.push(element);
            }
        }
    }
    if total != direct.len() {
        return Err(wrapping(
            "an Assertion is nested somewhere other than directly inside the Response",
        ));
    }
    let signers: Vec<&Element> = std::iter::once(root)
        .chain(direct.iter().copied())
        .collect();
    let mut allowed_signatures = 0usize;
    for signer in &signers {
        let signatures: Vec<&Element> = signer.children_named(NS_DS, "Signature").collect();
        if signatures.len() > 1 {
            return Err(wrapping(&format!(
                "<{}> carries several Signatures",
                signer.local
            )));
        }
        for signature in signatures {
            allowed_signatures += 1;
            let uri = signature::check_signature_shape(signature).or_else(|e| {
                // Algorithm problems are reported after the structure is known to be sound.
                if e.reason == ReasonCode::Wrapping {
                    Err(e)
                } else {
                    Ok(reference_uri(signature))
                }
            })?;
            let id = signer.attr("ID").unwrap_or_default();
            if id.is_empty() || uri != format!("#{id}") {
                return Err(wrapping(&format!(
                    "a Signature inside <{}> ID {:?} signs {:?} instead of its own element",
                    signer.local, id, uri
                )));
            }
        }
    }
    if all_signatures != allowed_signatures {
        return Err(wrapping(
            "a Signature sits somewhere other than directly inside the Response or Assertion",
        ));
    }
    if direct.len() > 1 {
        let signed = direct
            .iter()
            .filter(|a| a.child(NS_DS, "Signature").is_some())
            .count();
        if signed > 0 && signed < direct.len() {
            return Err(wrapping("a signed Assertion sits next to an unsigned one"));
        }
        return Err(ValidationError::new(
            ReasonCode::AssertionCount,
            format!(
                "the Response contains {} Assertions; expected exactly one",
                direct.len()
            ),
        ));
    }
    Ok(direct.first().copied())
}

fn reference_uri(signature: &Element) -> String {
    signature
        .child(NS_DS, "SignedInfo")
        .and_then(|s| s.child(NS_DS, "Reference"))
        .and_then(|r| r.attr("URI"))
        .unwrap_or_default()
        .to_owned()
}

/// A non-Success status is reported with its codes and message (unverified: only explains a
/// refusal, never grants anything, and is labelled as unverified for the admin).
fn check_status(root: &Element) -> Result<()> {
    let status = root
        .child(NS_SAMLP, "Status")
        .ok_or_else(|| ValidationError::new(ReasonCode::Malformed, "the Response has no Status"))?;
    let code = status.child(NS_SAMLP, "StatusCode");
    let value = code.and_then(|c| c.attr("Value")).unwrap_or_default();
    if value == STATUS_SUCCESS {
        return Ok(());
    }
    let short = |v: &str| v.rsplit(':').next().unwrap_or(v).to_owned();
    let mut detail = format!(
        "the Response (not yet verified) reports status {}",
        short(value)
    );
    if let Some(sub) = code
        .and_then(|c| c.child(NS_SAMLP, "StatusCode"))
        .and_then(|c| c.attr("Value"))
    {
        detail.push_str(&format!(" / {}", short(sub)));
    }
    if let Some(message) = status.child(NS_SAMLP, "StatusMessage") {
        // Checked before any signature: the text may come from anyone, so it is quoted as
        // unverified, bounded and stripped of control characters.
        let text: String = message
            .text()
            .trim()
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(MAX_STATUS_MESSAGE)
            .collect();
        detail.push_str(&format!(
            "; its StatusMessage (unsigned, not verified to come from the IdP): \"{text}\""
        ));
    }
    Err(ValidationError::new(ReasonCode::StatusNotSuccess, detail))
}

pub(crate) fn parse_instant(value: Option<&str>, what: &str) -> Result<DateTime<Utc>> {
    let value = value
        .ok_or_else(|| ValidationError::new(ReasonCode::Malformed, format!("{what} is missing")))?;
    DateTime::parse_from_rfc3339(value.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            ValidationError::new(
                ReasonCode::Malformed,
                format!("{what} {value:?} is not an xs:dateTime with a time zone"),
            )
        })
}

fn optional_instant(value: Option<&str>, what: &str) -> Result<Option<DateTime<Utc>>> {
    value.map(|v| parse_instant(Some(v), what)).transpose()
}

fn fmt_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub(crate) fn check_issue_instant(
    issue_instant: DateTime<Utc>,
    what: &str,
    now: DateTime<Utc>,
    skew: Duration,
    max_age: Duration,
) -> Result<()> {
    if issue_instant > now + skew {
        return Err(ValidationError::new(
            ReasonCode::IssueInstant,
            format!(
                "{what} IssueInstant {} is in the future (now {}, allowed skew {} s); check the \
                 clocks",
                fmt_time(issue_instant),
                fmt_time(now),
                skew.num_seconds()
            ),
        ));
    }
    if issue_instant + max_age + skew < now {
        return Err(ValidationError::new(
            ReasonCode::IssueInstant,
            format!(
                "{what} IssueInstant {} is too old (now {}, maximum age {} s)",
                fmt_time(issue_instant),
                fmt_time(now),
                (max_age + skew).num_seconds()
            ),
        ));
    }
    Ok(())
}

fn check_claims(
    response: &Element,
    response_signed: bool,
    assertion: &Element,
    policy: &ResponsePolicy,
    certificate: &IdpCertificate,
) -> Result<ValidatedAssertion> {
    let now = policy.now;
    let skew = policy.clock_skew;
    for (element, what) in [(response, "Response"), (assertion, "Assertion")] {
        if element.attr("Version") != Some("2.0") {
            return Err(ValidationError::new(
                ReasonCode::Malformed,
                format!(
                    "{what} Version is {:?}, expected \"2.0\"",
                    element.attr("Version")
                ),
            ));
        }
    }

    // Issuer: the Assertion's is required, the Response's optional; both must match.
    let issuer = assertion
        .child(NS_SAML, "Issuer")
        .map(|i| i.text().trim().to_owned())
        .ok_or_else(|| {
            ValidationError::new(ReasonCode::Malformed, "the Assertion has no Issuer")
        })?;
    let response_issuer = response
        .child(NS_SAML, "Issuer")
        .map(|i| i.text().trim().to_owned());
    for (received, what) in [
        (Some(&issuer), "Assertion"),
        (response_issuer.as_ref(), "Response"),
    ] {
        if let Some(received) = received
            && *received != policy.expected_issuer
        {
            return Err(ValidationError::new(
                ReasonCode::IssuerMismatch,
                format!(
                    "{what} Issuer is {received:?}, expected {:?} (the IdP Issuer configured for \
                     this connection)",
                    policy.expected_issuer
                ),
            ));
        }
    }

    if let Some(destination) = response.attr("Destination")
        && destination != policy.acs_url
    {
        return Err(ValidationError::new(
            ReasonCode::DestinationMismatch,
            format!(
                "Response Destination is {destination:?}, expected {:?} (the Reply URL)",
                policy.acs_url
            ),
        ));
    }

    let response_instant = parse_instant(response.attr("IssueInstant"), "Response IssueInstant")?;
    let issue_instant = parse_instant(assertion.attr("IssueInstant"), "Assertion IssueInstant")?;
    check_issue_instant(
        response_instant,
        "Response",
        now,
        skew,
        policy.max_issue_age,
    )?;
    check_issue_instant(issue_instant, "Assertion", now, skew, policy.max_issue_age)?;

    // Subject.
    let subject = assertion.child(NS_SAML, "Subject").ok_or_else(|| {
        ValidationError::new(ReasonCode::Malformed, "the Assertion has no Subject")
    })?;
    let name_id_element = subject
        .child(NS_SAML, "NameID")
        .ok_or_else(|| ValidationError::new(ReasonCode::Malformed, "the Subject has no NameID"))?;
    if name_id_element.elements().next().is_some() {
        return Err(ValidationError::new(
            ReasonCode::Malformed,
            "the NameID contains markup",
        ));
    }
    let name_id = name_id_element.text().trim().to_owned();
    if name_id.is_empty() {
        return Err(ValidationError::new(
            ReasonCode::Malformed,
            "the NameID is empty",
        ));
    }
    let confirmation = check_subject_confirmation(subject, policy)?;

    // InResponseTo binds the Response to a sign-in this browser started, so only a signed value
    // may do it: the Response's attribute counts when the Response itself is signed, the bearer
    // SubjectConfirmationData's always (it lies inside the signed Assertion). An unsigned outer
    // value is only compared: when the Assertion alone is signed (Entra's default) an attacker
    // can wrap someone else's unsolicited Assertion in a new Response naming their own request.
    let outer = response.attr("InResponseTo");
    let (signed_outer, unsigned_outer) = if response_signed {
        (outer, None)
    } else {
        (None, outer)
    };
    let carried: Vec<&str> = [signed_outer, confirmation.in_response_to]
        .into_iter()
        .flatten()
        .collect();
    match &policy.expected_in_response_to {
        Some(expected) => {
            if carried.is_empty() {
                return Err(match unsigned_outer {
                    Some(outer) => ValidationError::new(
                        ReasonCode::InResponseToUnsigned,
                        format!(
                            "the Response's InResponseTo {outer:?} is not covered by a signature \
                             and the signed Assertion names no request (its \
                             SubjectConfirmationData has no InResponseTo); an unsigned \
                             InResponseTo cannot bind a sign-in"
                        ),
                    ),
                    None => ValidationError::new(
                        ReasonCode::InResponseToMismatch,
                        format!(
                            "expected a Response to request {expected:?}, received an \
                             unsolicited one"
                        ),
                    ),
                });
            }
            if let Some(other) = carried.iter().find(|c| **c != expected) {
                return Err(ValidationError::new(
                    ReasonCode::InResponseToMismatch,
                    format!("InResponseTo is {other:?}, expected {expected:?}"),
                ));
            }
            if let Some(outer) = unsigned_outer.filter(|o| o != expected) {
                return Err(ValidationError::new(
                    ReasonCode::InResponseToUnsigned,
                    format!(
                        "the Response's unsigned InResponseTo {outer:?} disagrees with the signed \
                         one {expected:?}"
                    ),
                ));
            }
        }
        None => {
            if let Some(other) = carried.first().copied().or(unsigned_outer) {
                return Err(ValidationError::new(
                    ReasonCode::InResponseToMismatch,
                    format!(
                        "the Response answers request {other:?}, which is not pending (expired, \
                         already used, or started in another browser)"
                    ),
                ));
            }
            if !policy.allow_unsolicited {
                return Err(ValidationError::new(
                    ReasonCode::Unsolicited,
                    "IdP-initiated sign-in is not allowed for this connection; start the sign-in \
                     from the sign-on URL or allow IdP-initiated sign-in",
                ));
            }
        }
    }

    // Conditions and audience.
    let conditions = assertion.child(NS_SAML, "Conditions").ok_or_else(|| {
        ValidationError::new(
            ReasonCode::AudienceMismatch,
            format!(
                "the Assertion has no Conditions, so no Audience; expected {:?}",
                policy.sp_entity_id
            ),
        )
    })?;
    let not_before = optional_instant(conditions.attr("NotBefore"), "Conditions NotBefore")?;
    let conditions_end =
        optional_instant(conditions.attr("NotOnOrAfter"), "Conditions NotOnOrAfter")?;
    if let Some(nb) = not_before
        && now + skew < nb
    {
        return Err(ValidationError::new(
            ReasonCode::NotYetValid,
            format!(
                "the Assertion is valid from {} but now is {} (allowed skew {} s); check the clocks",
                fmt_time(nb),
                fmt_time(now),
                skew.num_seconds()
            ),
        ));
    }
    if let Some(end) = conditions_end
        && now - skew >= end
    {
        return Err(ValidationError::new(
            ReasonCode::Expired,
            format!(
                "the Assertion expired at {} (now {})",
                fmt_time(end),
                fmt_time(now)
            ),
        ));
    }
    let restrictions: Vec<&Element> = conditions
        .children_named(NS_SAML, "AudienceRestriction")
        .collect();
    if restrictions.is_empty() {
        return Err(ValidationError::new(
            ReasonCode::AudienceMismatch,
            format!(
                "the Assertion has no Audience; expected {:?}",
                policy.sp_entity_id
            ),
        ));
    }
    for restriction in restrictions {
        let audiences: Vec<String> = restriction
            .children_named(NS_SAML, "Audience")
            .map(|a| a.text().trim().to_owned())
            .collect();
        if !audiences.contains(&policy.sp_entity_id) {
            return Err(ValidationError::new(
                ReasonCode::AudienceMismatch,
                format!(
                    "Audience is {:?}, expected {:?} (the Identifier / Entity ID)",
                    audiences, policy.sp_entity_id
                ),
            ));
        }
    }

    // Authentication statement.
    let authn = assertion.child(NS_SAML, "AuthnStatement").ok_or_else(|| {
        ValidationError::new(ReasonCode::Malformed, "the Assertion has no AuthnStatement")
    })?;
    let authn_instant = optional_instant(authn.attr("AuthnInstant"), "AuthnInstant")?;
    if let Some(session_end) =
        optional_instant(authn.attr("SessionNotOnOrAfter"), "SessionNotOnOrAfter")?
        && now - skew >= session_end
    {
        return Err(ValidationError::new(
            ReasonCode::Expired,
            format!(
                "the IdP session ended at {} (now {})",
                fmt_time(session_end),
                fmt_time(now)
            ),
        ));
    }

    let mut attributes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for statement in assertion.children_named(NS_SAML, "AttributeStatement") {
        for attribute in statement.children_named(NS_SAML, "Attribute") {
            let Some(name) = attribute.attr("Name") else {
                continue;
            };
            let values = attributes.entry(name.to_owned()).or_default();
            values.extend(
                attribute
                    .children_named(NS_SAML, "AttributeValue")
                    .map(|v| v.deep_text()),
            );
        }
    }

    let mut valid_until = confirmation.not_on_or_after;
    if let Some(end) = conditions_end {
        valid_until = valid_until.min(end);
    }
    valid_until = valid_until.min(response_instant.max(issue_instant) + policy.max_issue_age);

    Ok(ValidatedAssertion {
        name_id,
        name_id_format: name_id_element.attr("Format").map(str::to_owned),
        attributes,
        session_index: authn.attr("SessionIndex").map(str::to_owned),
        assertion_id: assertion.attr("ID").unwrap_or_default().to_owned(),
        not_on_or_after: valid_until + skew,
        issuer,
        authn_instant,
        in_response_to: carried.first().map(|s| (*s).to_owned()),
        issue_instant,
        certificate_fingerprint: certificate.fingerprint_sha256.clone(),
    })
}

struct Confirmation<'a> {
    in_response_to: Option<&'a str>,
    not_on_or_after: DateTime<Utc>,
}

/// At least one bearer SubjectConfirmation must pass every check; report the first failure of
/// the first one otherwise.
fn check_subject_confirmation<'a>(
    subject: &'a Element,
    policy: &ResponsePolicy,
) -> Result<Confirmation<'a>> {
    let now = policy.now;
    let skew = policy.clock_skew;
    let mut first_error = None;
    for confirmation in subject.children_named(NS_SAML, "SubjectConfirmation") {
        if confirmation.attr("Method") != Some(BEARER) {
            continue;
        }
        let attempt = (|| {
            let data = confirmation
                .child(NS_SAML, "SubjectConfirmationData")
                .ok_or_else(|| {
                    ValidationError::new(
                        ReasonCode::RecipientMismatch,
                        "the bearer SubjectConfirmation has no SubjectConfirmationData",
                    )
                })?;
            let recipient = data.attr("Recipient");
            if recipient != Some(policy.acs_url.as_str()) {
                return Err(ValidationError::new(
                    ReasonCode::RecipientMismatch,
                    format!(
                        "SubjectConfirmationData Recipient is {:?}, expected {:?} (the Reply URL)",
                        recipient.unwrap_or("(missing)"),
                        policy.acs_url
                    ),
                ));
            }
            let end = data.attr("NotOnOrAfter").ok_or_else(|| {
                ValidationError::new(
                    ReasonCode::SubjectExpired,
                    "SubjectConfirmationData has no NotOnOrAfter",
                )
            })?;
            let end = parse_instant(Some(end), "SubjectConfirmationData NotOnOrAfter")?;
            if now - skew >= end {
                return Err(ValidationError::new(
                    ReasonCode::SubjectExpired,
                    format!(
                        "the sign-in had to be completed by {} (now {}, allowed skew {} s)",
                        fmt_time(end),
                        fmt_time(now),
                        skew.num_seconds()
                    ),
                ));
            }
            if let Some(nb) =
                optional_instant(data.attr("NotBefore"), "SubjectConfirmationData NotBefore")?
                && now + skew < nb
            {
                return Err(ValidationError::new(
                    ReasonCode::NotYetValid,
                    format!(
                        "the subject confirmation is valid from {} but now is {}",
                        fmt_time(nb),
                        fmt_time(now)
                    ),
                ));
            }
            Ok(Confirmation {
                in_response_to: data.attr("InResponseTo"),
                not_on_or_after: end,
            })
        })();
        match attempt {
            Ok(c) => return Ok(c),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or_else(|| {
        ValidationError::new(
            ReasonCode::SubjectConfirmationMissing,
            "the Subject has no bearer SubjectConfirmation",
        )
    }))
}

#[cfg(test)]
mod tests {
    use super::parse_instant;

    #[test]
    fn instants_in_the_forms_idps_send() {
        for (input, expected) in [
            ("2030-01-01T10:00:00Z", "2030-01-01T10:00:00+00:00"),
            ("2030-01-01T10:00:00.123Z", "2030-01-01T10:00:00.123+00:00"),
            (
                "2030-01-01T10:00:00.1234567Z",
                "2030-01-01T10:00:00.123456700+00:00",
            ),
            ("2030-01-01T11:00:00+01:00", "2030-01-01T10:00:00+00:00"),
        ] {
            let parsed = parse_instant(Some(input), "t").map(|t| t.to_rfc3339());
            assert_eq!(parsed.as_deref(), Ok(expected), "{input}");
        }
        for bad in ["2030-01-01T10:00:00", "yesterday", ""] {
            assert!(parse_instant(Some(bad), "t").is_err(), "{bad}");
        }
        assert!(parse_instant(None, "t").is_err());
    }
}
