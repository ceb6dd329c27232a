//! The SAML sign-in flow: SP-initiated (AuthnRequest → ACS → hand-over), IdP-initiated,
//! "Test SSO" and single logout in both directions; every attempt goes to the sign-in log
//! ([`crate::sign_in_log`]).
//!
//! All state lives in the database so any replica can continue what another started:
//! pending requests (`sso_requests`), validated sign-ins waiting for the browser
//! (`sso_handoffs`) and accepted assertion IDs (`assertion_replays`, whose primary key
//! refuses a replay everywhere).
//!
//! Browser binding: starting a sign-in sets a random nonce in a SameSite=Lax cookie and
//! stores its hash with the request. The IdP's POST to the ACS is cross-site, so that
//! cookie is not sent with it; the ACS therefore validates the Response and answers with a
//! page that continues on our own site (`/saml2/complete`), where the cookie is sent and
//! compared. Nothing depends on a SameSite=None cookie.
//!
//! Rooms: [`connection`] (settings and certificates), [`metadata`] (import), [`metadata_url`]
//! (fetch and refresh), [`rollover`] (staged certificates, usage, expiry), [`start`],
//! [`routing`] (the ACS's first read, with the admission's), [`acs`], [`handover`] (with
//! [`pg_sign_in`], their one-statement writes on PostgreSQL), [`logout`], [`test_run`],
//! [`home_realm`], [`organisation`] (what end-user pages say about a tenant), and [`signing`] (the parsed
//! signing certificates each sign-in verifies with, cached per connection version).
//! Issue 13: [`draft`] (draft → test → publish), [`history`] (published versions, diff,
//! rollback) and [`snapshot`] (the settings and certificates as one serialized value);
//! [`single_edits`] (the pre-draft single-purpose edits as Saves) and [`immediate`] (the
//! deliberate immediate changes — certificate promotion, metadata, the expired-certificate
//! rule — each published as a new version and carried into the draft).

mod acs;
mod connection;
mod draft;
mod handover;
mod history;
mod home_realm;
mod immediate;
mod logout;
mod metadata;
mod metadata_url;
mod organisation;
mod pg_sign_in;
mod rollover;
mod routing;
pub(crate) mod signing;
mod single_edits;
mod snapshot;
mod sqlite_sign_in;
mod start;
mod test_run;

pub(crate) use crate::sign_in_log::{Attempt, RequestMeta, SignInFlow, SignInReason};
pub use acs::AcsOutcome;
pub use connection::{AddedCertificate, MAX_CERTIFICATES, SsoConnectionInput, SsoSettingsSave};
pub use draft::{DraftTest, SaveTarget, SsoDraft};
pub use handover::SsoSignedIn;
pub use history::{MAX_VERSIONS, PublishAction, SettingsRef, SsoVersion};
pub use home_realm::SignInRoute;
pub use metadata::MetadataImport;
pub use metadata_url::{MAX_REFRESH, MIN_REFRESH, MetadataUrlStatus};
pub use organisation::Organisation;
pub use rollover::{
    CertificateUsage, CertificateWarning, EXPIRY_WARNING_STEPS, StagedCertificate, expired_certificate_refusal,
};
pub(crate) use routing::Routing;
pub use snapshot::SettingChange;
pub use start::SsoStart;
pub use test_run::TestReport;
pub(crate) use test_run::report;

/// The actor label of just-in-time provisioning (audit entries and webhook events say `jit`).
pub(crate) const JIT_ACTOR: &str = "just-in-time provisioning";

use crate::Identity;
use crate::error::Error;
use crate::ids::SignInEventId;
use crate::model::*;
use chrono::Duration;
use gatehouse_saml::certificate::IdpCertificate as SamlCertificate;

/// How long an AuthnRequest may take to come back.
const REQUEST_LIFETIME: Duration = Duration::minutes(10);

/// How long the browser has to reach `/saml2/complete` after the ACS.
const HANDOFF_LIFETIME: Duration = Duration::minutes(2);

const MAX_RELAY_STATE: usize = 512;

/// A refused sign-in: a reason code, a sentence for the user, and the sign-in log entry
/// where the admin finds the details.
#[derive(Clone, Debug)]
pub struct SsoRefusal {
    pub reason: SignInReason,
    pub message: String,
    pub event_id: Option<SignInEventId>,
}

/// What the SSO flow answers: success, a refusal (shown as a page), or our own fault.
#[derive(Debug)]
pub enum SsoError {
    Refused(SsoRefusal),
    Internal(Error),
}

impl From<Error> for SsoError {
    fn from(e: Error) -> Self {
        SsoError::Internal(e)
    }
}

impl From<sea_orm::DbErr> for SsoError {
    fn from(e: sea_orm::DbErr) -> Self {
        SsoError::Internal(e.into())
    }
}

pub type SsoResult<T> = std::result::Result<T, SsoError>;

/// Only a relative path on our own host is a redirect target; anything else becomes `/`.
pub fn safe_redirect(target: Option<&str>) -> String {
    let Some(t) = target.map(str::trim).filter(|t| !t.is_empty()) else { return "/".into() };
    let ok = t.starts_with('/')
        && !t.starts_with("//")
        && !t.contains('\\')
        && !t.chars().any(|c| c.is_control() || c.is_whitespace())
        && t.len() <= MAX_RELAY_STATE;
    if ok { t.to_owned() } else { "/".into() }
}

pub(crate) fn refused(reason: SignInReason, message: impl Into<String>, event_id: Option<SignInEventId>) -> SsoError {
    SsoError::Refused(SsoRefusal { reason, message: message.into(), event_id })
}

pub(crate) fn to_saml_certs(certs: &[IdpCertificate]) -> Vec<SamlCertificate> {
    certs.iter().filter_map(|c| gatehouse_saml::certificate::parse_certificate(c.pem.as_bytes()).ok()).collect()
}

impl Identity {
    /// Logs a refusal ([`Self::fail_event`]) and makes the refusal the person sees.
    pub(crate) async fn fail(&self, attempt: &Attempt<'_>, reason: SignInReason, detail: &str) -> SsoError {
        match self.fail_event(attempt, reason, detail).await {
            Ok(event) => refused(reason, reason.user_message(), event),
            Err(e) => SsoError::Internal(e),
        }
    }

    fn sp(&self) -> &gatehouse_saml::sp::ServiceProvider {
        self.service_provider()
    }
}

#[cfg(test)]
mod tests {
    use super::safe_redirect;

    #[test]
    fn only_local_paths_are_redirect_targets() {
        assert_eq!(safe_redirect(Some("/users?x=1")), "/users?x=1");
        for evil in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "javascript:alert(1)",
            "/ok\r\nLocation: x",
            "evil",
            "\\\\evil",
        ] {
            assert_eq!(safe_redirect(Some(evil)), "/", "{evil:?}");
        }
        assert_eq!(safe_redirect(None), "/");
    }
}
