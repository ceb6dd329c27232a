//! SP-initiated sign-in: the `<samlp:AuthnRequest>` sent with the HTTP-Redirect binding.
//!
//! Shaped by what Entra enforces: an ID that starts with `_` (never a digit) and carries 160
//! random bits, Issuer = our entity ID, our ACS URL with the HTTP-POST binding, a NameIDPolicy
//! of format `unspecified` (the IdP sends what the admin configured), no Subject (`login_hint`
//! goes in the query string instead), optional ForceAuthn, optional RSA-SHA256 query signature,
//! RelayState passed through. The caller stores [`AuthnRequest::id`] as the pending request and
//! later passes it as `ResponsePolicy::expected_in_response_to`.

use chrono::{DateTime, SecondsFormat, Utc};

use crate::redirect::{self, Param};
use crate::sp::{ServiceProvider, SigningKey};
use crate::xml::escape;

/// Options of one AuthnRequest.
#[derive(Debug, Clone, Default)]
pub struct AuthnRequestOptions {
    /// Ask the IdP to authenticate again even with a session (`ForceAuthn="true"`).
    pub force_authn: bool,
    /// The e-mail the user typed, sent as Entra's `login_hint` query parameter.
    pub login_hint: Option<String>,
    /// Opaque value the IdP returns with the Response (max 80 bytes per the SAML binding).
    pub relay_state: Option<String>,
    /// Sign the query string with this key (`SigAlg` + `Signature`); usually
    /// `sp.signing_key.clone()` when the tenant's IdP requires signed requests.
    pub signing_key: Option<SigningKey>,
}

/// A ready-to-send AuthnRequest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthnRequest {
    /// The request ID to remember as pending.
    pub id: String,
    /// Where to redirect the browser.
    pub redirect_url: String,
    /// The request's IssueInstant.
    pub issue_instant: DateTime<Utc>,
}

/// Why a request could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// The IdP URL is not an absolute http(s) URL.
    #[error("the IdP URL {0:?} is not an absolute https:// (or http://) URL")]
    InvalidIdpUrl(String),
    /// RelayState over the 80 bytes the SAML binding allows.
    #[error("RelayState is {0} bytes; the SAML binding allows at most 80")]
    RelayStateTooLong(usize),
    /// Signing or compression failed inside openssl/flate2.
    #[error("the request could not be encoded or signed")]
    Encoding,
}

/// A fresh message ID: `_` + 40 hex digits (160 random bits).
pub(crate) fn new_id() -> String {
    let bytes: [u8; 20] = rand::random();
    format!("_{}", hex::encode(bytes))
}

pub(crate) fn check_url(url: &str) -> Result<(), RequestError> {
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "https" | "http") && u.host().is_some() => Ok(()),
        _ => Err(RequestError::InvalidIdpUrl(url.to_owned())),
    }
}

pub(crate) fn check_relay_state(relay_state: Option<&str>) -> Result<(), RequestError> {
    match relay_state {
        Some(rs) if rs.len() > 80 => Err(RequestError::RelayStateTooLong(rs.len())),
        _ => Ok(()),
    }
}

pub(crate) fn instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Build an AuthnRequest for `idp_sso_url` (the connection's Login URL), issued at `now`.
pub fn build_authn_request(
    sp: &ServiceProvider,
    idp_sso_url: &str,
    options: &AuthnRequestOptions,
    now: DateTime<Utc>,
) -> Result<AuthnRequest, RequestError> {
    check_url(idp_sso_url)?;
    check_relay_state(options.relay_state.as_deref())?;
    let id = new_id();
    let force = if options.force_authn {
        " ForceAuthn=\"true\""
    } else {
        ""
    };
    let xml = format!(
        "<samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" \
         xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"{id}\" Version=\"2.0\" \
         IssueInstant=\"{instant}\" Destination=\"{destination}\" \
         AssertionConsumerServiceURL=\"{acs}\" \
         ProtocolBinding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\"{force}>\
         <saml:Issuer>{issuer}</saml:Issuer>\
         <samlp:NameIDPolicy Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified\" \
         AllowCreate=\"true\"/></samlp:AuthnRequest>",
        instant = instant(now),
        destination = escape(idp_sso_url),
        acs = escape(&sp.acs_url),
        issuer = escape(&sp.entity_id),
    );
    let extra: Vec<(&str, &str)> = options
        .login_hint
        .as_deref()
        .map(|hint| vec![("login_hint", hint)])
        .unwrap_or_default();
    let redirect_url = redirect::build_url(
        idp_sso_url,
        Param::Request,
        &xml,
        options.relay_state.as_deref(),
        options.signing_key.as_ref(),
        &extra,
    )
    .ok_or(RequestError::Encoding)?;
    Ok(AuthnRequest {
        id,
        redirect_url,
        issue_instant: now,
    })
}
