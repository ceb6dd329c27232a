//! Single logout over the HTTP-Redirect binding (the only binding Entra uses for SLO).
//!
//! - [`build_logout_request`]: our LogoutRequest (NameID + SessionIndex) to the IdP's logout URL.
//! - [`parse_logout_response`]: the IdP's answer to it.
//! - [`parse_logout_request`]: an IdP-initiated LogoutRequest.
//! - [`build_logout_response`]: our answer to that.
//! - [`peek_logout_request_issuer`]: the unverified Issuer of an IdP-initiated LogoutRequest,
//!   to find the tenant before [`parse_logout_request`] verifies it.
//!
//! Incoming messages are checked like Responses, minus the Assertion: DOCTYPE refused, size
//! limits, issuer, destination, issue instant, status. A signed query (`SigAlg` + `Signature`)
//! is always verified against the tenant's certificates; an unsigned one is accepted only when
//! [`LogoutPolicy::require_signature`] is false. `SigAlg` without `Signature` (or the reverse)
//! is an error. POST-bound logout messages are not supported (Entra never sends them); an
//! XML `<Signature>` inside a Redirect-bound message is ignored, never trusted.
//!
//! Entra signs its LogoutResponse with Issuer `https://login.microsoftonline.com/<tid>/`, not
//! the `https://sts.windows.net/<tid>/` of its Responses; both are accepted for an Entra issuer
//! (and the national clouds' forms: `login.microsoftonline.us`, and
//! `sts.chinacloudapi.cn` ↔ `login.partner.microsoftonline.cn`).

use chrono::{DateTime, Duration, Utc};

use crate::authn_request::{RequestError, check_relay_state, check_url, instant, new_id};
use crate::certificate::IdpCertificate;
use crate::error::{ReasonCode, Result, ValidationError};
use crate::redirect::{self, Param, Received};
use crate::response::{
    DEFAULT_CLOCK_SKEW, DEFAULT_MAX_ISSUE_AGE, check_issue_instant, parse_instant,
};
use crate::sp::{ServiceProvider, SigningKey};
use crate::xml::{self, Element, NS_SAML, NS_SAMLP, escape};

const STATUS_SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";

/// Our LogoutRequest's content.
#[derive(Debug, Clone, Default)]
pub struct LogoutRequestOptions {
    /// The NameID from the sign-in's assertion.
    pub name_id: String,
    /// Its Format, if the assertion gave one.
    pub name_id_format: Option<String>,
    /// The sign-in's SessionIndex.
    pub session_index: Option<String>,
    /// Passed through to our SLO endpoint with the LogoutResponse.
    pub relay_state: Option<String>,
    /// Sign the query string with this key.
    pub signing_key: Option<SigningKey>,
}

/// A ready-to-send LogoutRequest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoutRequest {
    /// Remember it: the LogoutResponse's InResponseTo must equal it.
    pub id: String,
    /// Where to redirect the browser.
    pub redirect_url: String,
    /// The request's IssueInstant.
    pub issue_instant: DateTime<Utc>,
}

/// What incoming logout messages must satisfy.
#[derive(Debug, Clone)]
pub struct LogoutPolicy {
    /// The tenant's IdP signing certificates.
    pub certificates: Vec<IdpCertificate>,
    /// The connection's IdP issuer.
    pub expected_issuer: String,
    /// Our SLO URL (required Destination when present).
    pub slo_url: String,
    /// Refuse unsigned messages.
    pub require_signature: bool,
    /// For LogoutResponses: the ID of our pending LogoutRequest. When `None` the caller must
    /// check [`ValidatedLogoutResponse::in_response_to`] itself.
    pub expected_in_response_to: Option<String>,
    /// Accepted clock difference.
    pub clock_skew: Duration,
    /// Maximum age of IssueInstant (the clock skew is added).
    pub max_issue_age: Duration,
    /// The current time.
    pub now: DateTime<Utc>,
}

impl LogoutPolicy {
    /// Defaults: signatures required, 3 minutes skew, 5 minutes maximum age.
    pub fn new(
        sp: &ServiceProvider,
        expected_issuer: impl Into<String>,
        certificates: Vec<IdpCertificate>,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            certificates,
            expected_issuer: expected_issuer.into(),
            slo_url: sp.slo_url.clone(),
            require_signature: true,
            expected_in_response_to: None,
            clock_skew: DEFAULT_CLOCK_SKEW,
            max_issue_age: DEFAULT_MAX_ISSUE_AGE,
            now,
        }
    }
}

/// A validated LogoutResponse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatedLogoutResponse {
    /// The LogoutRequest it answers.
    pub in_response_to: Option<String>,
    /// The IdP's Issuer as sent.
    pub issuer: String,
    /// RelayState from the query string.
    pub relay_state: Option<String>,
    /// Fingerprint of the certificate that verified the query signature (`None` if unsigned).
    pub certificate_fingerprint: Option<String>,
}

/// A validated IdP-initiated LogoutRequest: end the sessions it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatedLogoutRequest {
    /// Its ID (our LogoutResponse's InResponseTo).
    pub id: String,
    /// The IdP's Issuer as sent.
    pub issuer: String,
    /// Whose sessions end.
    pub name_id: String,
    /// NameID Format, if given.
    pub name_id_format: Option<String>,
    /// The sessions to end; empty means all of this NameID's sessions from this IdP.
    pub session_indexes: Vec<String>,
    /// RelayState to hand back with our LogoutResponse.
    pub relay_state: Option<String>,
    /// Fingerprint of the certificate that verified the query signature (`None` if unsigned).
    pub certificate_fingerprint: Option<String>,
}

/// Our answer to an IdP-initiated LogoutRequest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoutStatus {
    /// Sessions ended.
    Success,
    /// We could not process the request (`Responder`).
    Failed,
}

/// Build our LogoutRequest to `idp_slo_url`, issued at `now`.
pub fn build_logout_request(
    sp: &ServiceProvider,
    idp_slo_url: &str,
    options: &LogoutRequestOptions,
    now: DateTime<Utc>,
) -> std::result::Result<LogoutRequest, RequestError> {
    check_url(idp_slo_url)?;
    check_relay_state(options.relay_state.as_deref())?;
    let id = new_id();
    let format = options
        .name_id_format
        .as_deref()
        .map(|f| format!(" Format=\"{}\"", escape(f)))
        .unwrap_or_default();
    let session = options
        .session_index
        .as_deref()
        .map(|s| format!("<samlp:SessionIndex>{}</samlp:SessionIndex>", escape(s)))
        .unwrap_or_default();
    let xml = format!(
        "<samlp:LogoutRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" \
         xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"{id}\" Version=\"2.0\" \
         IssueInstant=\"{instant}\" Destination=\"{destination}\">\
         <saml:Issuer>{issuer}</saml:Issuer><saml:NameID{format}>{name_id}</saml:NameID>\
         {session}</samlp:LogoutRequest>",
        instant = instant(now),
        destination = escape(idp_slo_url),
        issuer = escape(&sp.entity_id),
        name_id = escape(&options.name_id),
    );
    let redirect_url = redirect::build_url(
        idp_slo_url,
        Param::Request,
        &xml,
        options.relay_state.as_deref(),
        options.signing_key.as_ref(),
        &[],
    )
    .ok_or(RequestError::Encoding)?;
    Ok(LogoutRequest {
        id,
        redirect_url,
        issue_instant: now,
    })
}

/// Build our LogoutResponse to an IdP-initiated LogoutRequest; returns the redirect URL.
pub fn build_logout_response(
    sp: &ServiceProvider,
    idp_slo_url: &str,
    in_response_to: &str,
    status: LogoutStatus,
    relay_state: Option<&str>,
    signing_key: Option<&SigningKey>,
    now: DateTime<Utc>,
) -> std::result::Result<String, RequestError> {
    check_url(idp_slo_url)?;
    check_relay_state(relay_state)?;
    let code = match status {
        LogoutStatus::Success => STATUS_SUCCESS,
        LogoutStatus::Failed => "urn:oasis:names:tc:SAML:2.0:status:Responder",
    };
    let xml = format!(
        "<samlp:LogoutResponse xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" \
         xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"{id}\" Version=\"2.0\" \
         IssueInstant=\"{instant}\" Destination=\"{destination}\" \
         InResponseTo=\"{in_response_to}\"><saml:Issuer>{issuer}</saml:Issuer>\
         <samlp:Status><samlp:StatusCode Value=\"{code}\"/></samlp:Status>\
         </samlp:LogoutResponse>",
        id = new_id(),
        instant = instant(now),
        destination = escape(idp_slo_url),
        in_response_to = escape(in_response_to),
        issuer = escape(&sp.entity_id),
    );
    redirect::build_url(
        idp_slo_url,
        Param::Response,
        &xml,
        relay_state,
        signing_key,
        &[],
    )
    .ok_or(RequestError::Encoding)
}

/// Validate the IdP's LogoutResponse from the raw query string of the request to our SLO URL.
pub fn parse_logout_response(
    raw_query: &str,
    policy: &LogoutPolicy,
) -> Result<ValidatedLogoutResponse> {
    let received = redirect::parse_query(raw_query, Param::Response)?;
    let fingerprint = check_signature(&received, policy)?;
    let root = parse_message(&received, "LogoutResponse")?;
    let issuer = check_common(&root, policy)?;
    let in_response_to = root.attr("InResponseTo").map(str::to_owned);
    if let Some(expected) = &policy.expected_in_response_to
        && in_response_to.as_deref() != Some(expected.as_str())
    {
        return Err(ValidationError::new(
            ReasonCode::InResponseToMismatch,
            format!(
                "LogoutResponse InResponseTo is {:?}, expected {expected:?}",
                in_response_to.as_deref().unwrap_or("(missing)")
            ),
        ));
    }
    let status = root
        .child(NS_SAMLP, "Status")
        .and_then(|s| s.child(NS_SAMLP, "StatusCode"))
        .and_then(|c| c.attr("Value"))
        .unwrap_or_default();
    if status != STATUS_SUCCESS {
        let message = root
            .child(NS_SAMLP, "Status")
            .and_then(|s| s.child(NS_SAMLP, "StatusMessage"))
            .map(|m| format!(": {}", m.text().trim()))
            .unwrap_or_default();
        return Err(ValidationError::new(
            ReasonCode::StatusNotSuccess,
            format!(
                "the IdP answered the logout with status {}{message}",
                status.rsplit(':').next().unwrap_or(status)
            ),
        ));
    }
    Ok(ValidatedLogoutResponse {
        in_response_to,
        issuer,
        relay_state: received.relay_state,
        certificate_fingerprint: fingerprint,
    })
}

/// Validate an IdP-initiated LogoutRequest from the raw query string.
pub fn parse_logout_request(
    raw_query: &str,
    policy: &LogoutPolicy,
) -> Result<ValidatedLogoutRequest> {
    let received = redirect::parse_query(raw_query, Param::Request)?;
    let fingerprint = check_signature(&received, policy)?;
    let root = parse_message(&received, "LogoutRequest")?;
    let issuer = check_common(&root, policy)?;
    let id = root
        .attr("ID")
        .filter(|id| !id.is_empty())
        .ok_or_else(|| ValidationError::new(ReasonCode::Malformed, "the LogoutRequest has no ID"))?
        .to_owned();
    if let Some(end) = root.attr("NotOnOrAfter") {
        let end = parse_instant(Some(end), "LogoutRequest NotOnOrAfter")?;
        if policy.now - policy.clock_skew >= end {
            return Err(ValidationError::new(
                ReasonCode::Expired,
                format!("the LogoutRequest expired at {}", instant(end)),
            ));
        }
    }
    if root.child(NS_SAML, "EncryptedID").is_some() {
        return Err(ValidationError::new(
            ReasonCode::EncryptedUnsupported,
            "the LogoutRequest carries an encrypted NameID, which is not supported",
        ));
    }
    let name_id = root.child(NS_SAML, "NameID").ok_or_else(|| {
        ValidationError::new(ReasonCode::Malformed, "the LogoutRequest has no NameID")
    })?;
    Ok(ValidatedLogoutRequest {
        id,
        issuer,
        name_id: name_id.text().trim().to_owned(),
        name_id_format: name_id.attr("Format").map(str::to_owned),
        session_indexes: root
            .children_named(NS_SAMLP, "SessionIndex")
            .map(|s| s.text().trim().to_owned())
            .collect(),
        relay_state: received.relay_state,
        certificate_fingerprint: fingerprint,
    })
}

fn check_signature(received: &Received, policy: &LogoutPolicy) -> Result<Option<String>> {
    if received.is_signed() {
        return received.verify(&policy.certificates).map(Some);
    }
    if policy.require_signature {
        return Err(ValidationError::new(
            ReasonCode::SignatureMissing,
            "the logout message is not signed (no SigAlg/Signature) but this connection requires \
             signed logout messages",
        ));
    }
    Ok(None)
}

fn parse_message(received: &Received, expected: &str) -> Result<Element> {
    let text = xml::guard(received.xml.as_bytes(), 256 * 1024)?;
    let root = xml::parse(text)?;
    if !root.is(NS_SAMLP, expected) {
        return Err(ValidationError::new(
            ReasonCode::Malformed,
            format!("expected a <samlp:{expected}>, received <{}>", root.local),
        ));
    }
    if root.attr("Version") != Some("2.0") {
        return Err(ValidationError::new(
            ReasonCode::Malformed,
            format!("{expected} Version is not \"2.0\""),
        ));
    }
    Ok(root)
}

/// Issuer, Destination and IssueInstant.
fn check_common(root: &Element, policy: &LogoutPolicy) -> Result<String> {
    let issuer = root
        .child(NS_SAML, "Issuer")
        .map(|i| i.text().trim().to_owned())
        .ok_or_else(|| ValidationError::new(ReasonCode::Malformed, "the message has no Issuer"))?;
    if !issuer_matches(&policy.expected_issuer, &issuer) {
        return Err(ValidationError::new(
            ReasonCode::IssuerMismatch,
            format!(
                "Issuer is {issuer:?}, expected {:?} (the IdP Issuer configured for this connection)",
                policy.expected_issuer
            ),
        ));
    }
    if let Some(destination) = root.attr("Destination")
        && destination != policy.slo_url
    {
        return Err(ValidationError::new(
            ReasonCode::DestinationMismatch,
            format!(
                "Destination is {destination:?}, expected {:?} (the logout URL)",
                policy.slo_url
            ),
        ));
    }
    let issued = parse_instant(root.attr("IssueInstant"), "IssueInstant")?;
    check_issue_instant(
        issued,
        "the logout message's",
        policy.now,
        policy.clock_skew,
        policy.max_issue_age,
    )?;
    Ok(issuer)
}

/// Read the Issuer of a Redirect-binding LogoutRequest **without verification**, to find the
/// tenant whose certificates [`parse_logout_request`] must then verify it with. Entra's
/// `https://login.microsoftonline.com/<tenant>/` issuer is returned as the
/// `https://sts.windows.net/<tenant>/` form admins configure.
pub fn peek_logout_request_issuer(raw_query: &str) -> Result<String> {
    let received = redirect::parse_query(raw_query, Param::Request)?;
    let root = parse_message(&received, "LogoutRequest")?;
    let issuer = root
        .child(NS_SAML, "Issuer")
        .map(|i| i.text().trim().to_owned())
        .ok_or_else(|| ValidationError::new(ReasonCode::Malformed, "the message has no Issuer"))?;
    Ok(ENTRA_LOGOUT_ALIASES
        .iter()
        .find_map(|(sts, login)| {
            issuer
                .strip_prefix(login)
                .map(|tenant| format!("{sts}{tenant}"))
        })
        .unwrap_or(issuer))
}

/// Entra's issuer forms per cloud: (the `sts` issuer of its Responses, the sign-in host its
/// logout messages carry). Global, US Government, China (21Vianet).
const ENTRA_LOGOUT_ALIASES: &[(&str, &str)] = &[
    (
        "https://sts.windows.net/",
        "https://login.microsoftonline.com/",
    ),
    (
        "https://sts.windows.net/",
        "https://login.microsoftonline.us/",
    ),
    (
        "https://sts.chinacloudapi.cn/",
        "https://login.partner.microsoftonline.cn/",
    ),
];

/// Equal, or Entra's logout alias of an Entra issuer (`https://sts.windows.net/<tid>/` ↔
/// `https://login.microsoftonline.com/<tid>/` or `…microsoftonline.us/<tid>/`;
/// `https://sts.chinacloudapi.cn/<tid>/` ↔ `https://login.partner.microsoftonline.cn/<tid>/`).
fn issuer_matches(expected: &str, received: &str) -> bool {
    if expected == received {
        return true;
    }
    ENTRA_LOGOUT_ALIASES.iter().any(|(sts, login)| {
        expected
            .strip_prefix(sts)
            .is_some_and(|tenant| received.strip_prefix(login) == Some(tenant))
    })
}

#[cfg(test)]
mod tests {
    use super::issuer_matches;

    #[test]
    fn entra_logout_issuer_alias() {
        let sts = "https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/";
        assert!(issuer_matches(sts, sts));
        assert!(issuer_matches(
            sts,
            "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/"
        ));
        assert!(!issuer_matches(
            sts,
            "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/"
        ));
        assert!(issuer_matches(
            sts,
            "https://login.microsoftonline.us/72f988bf-86f1-41af-91ab-2d7cd011db47/"
        ));
        let china = "https://sts.chinacloudapi.cn/72f988bf-86f1-41af-91ab-2d7cd011db47/";
        assert!(issuer_matches(
            china,
            "https://login.partner.microsoftonline.cn/72f988bf-86f1-41af-91ab-2d7cd011db47/"
        ));
        assert!(!issuer_matches(
            china,
            "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/"
        ));
        assert!(!issuer_matches(
            "http://www.okta.com/x",
            "http://www.okta.com/y"
        ));
    }
}
