//! The SAML sign-in flow: SP-initiated (AuthnRequest → ACS → hand-over), IdP-initiated,
//! "Test SSO", single logout in both directions, and the sign-in log.
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

use chrono::{DateTime, Duration, Utc};
use gatehouse_saml::authn_request::{AuthnRequestOptions, build_authn_request};
use gatehouse_saml::certificate::IdpCertificate as SamlCertificate;
use gatehouse_saml::logout::{
    LogoutPolicy, LogoutRequestOptions, LogoutStatus, build_logout_request, build_logout_response,
    parse_logout_request, parse_logout_response, peek_logout_request_issuer,
};
use gatehouse_saml::response::{ResponsePolicy, ValidatedAssertion, peek_response, validate_response};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::auth::SsoSessionInfo;
use crate::entities::{
    assertion_replay, logout_replay, session, sign_in_event, sso_connection, sso_handoff, sso_request, tenant, user,
};
use crate::error::{Error, Result};
use crate::ids::*;
use crate::model::*;
use crate::principal::{Actor, Principal, TenantScope};
use crate::secrets;
use crate::users::federation_key;
use crate::{Identity, NewSessionInfo, SignedIn};

/// How long an AuthnRequest may take to come back.
const REQUEST_LIFETIME: Duration = Duration::minutes(10);
/// How long the browser has to reach `/saml2/complete` after the ACS.
const HANDOFF_LIFETIME: Duration = Duration::minutes(2);
const MAX_RELAY_STATE: usize = 512;

/// Where a sign-in attempt came from, for the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignInFlow {
    SpInitiated,
    IdpInitiated,
    Test,
    /// A console password sign-in (logged so admins see failed password attempts too).
    Password,
}

impl SignInFlow {
    fn as_str(self) -> &'static str {
        match self {
            SignInFlow::SpInitiated => "sp_initiated",
            SignInFlow::IdpInitiated => "idp_initiated",
            SignInFlow::Test => "test",
            SignInFlow::Password => "password",
        }
    }
}

/// A refused sign-in: a reason code, a sentence for the user, and the sign-in log entry
/// where the admin finds the details.
#[derive(Clone, Debug)]
pub struct SsoRefusal {
    pub reason: String,
    pub message: String,
    pub event_id: Option<String>,
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

/// A started sign-in: send the browser to `redirect_url` and set `binding_nonce` as the
/// binding cookie.
#[derive(Clone, Debug)]
pub struct SsoStart {
    pub redirect_url: String,
    pub binding_nonce: String,
}

/// Request details for the log.
#[derive(Clone, Debug, Default)]
pub struct RequestMeta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The IdP Issuer this Response names has used up its failure budget
    /// ([`Identity::acs_admission`]): it is still validated (a genuine sign-in must not be
    /// held up by someone else's flood), but refusals are not written to the sign-in log.
    pub quiet_failures: bool,
}

/// What the ACS produced.
#[derive(Clone, Debug)]
pub enum AcsOutcome {
    /// Continue at `/saml2/complete` with this one-time handle.
    Handoff { handle: String },
    /// A "Test SSO" run: show the admin this report (no session is made).
    Test(TestReport),
}

/// The outcome of a "Test SSO" run, in words.
#[derive(Clone, Debug)]
pub struct TestReport {
    pub success: bool,
    pub reason: String,
    pub detail: String,
    pub name_id: Option<String>,
    pub user: Option<String>,
    pub attributes: Vec<(String, Vec<String>)>,
    pub certificate_fingerprint: Option<String>,
    pub clock_offset_seconds: Option<i64>,
}

/// A finished sign-in and where to send the browser.
#[derive(Debug)]
pub struct SsoSignedIn {
    pub signed_in: SignedIn,
    pub redirect_to: String,
}

/// One sign-in attempt in the log.
#[derive(Clone, Debug)]
pub struct SignInEvent {
    pub id: String,
    pub user_id: Option<String>,
    pub name_id: Option<String>,
    pub flow: String,
    pub success: bool,
    pub reason_code: String,
    pub detail: String,
    pub certificate_fingerprint: Option<String>,
    pub clock_offset_seconds: Option<i64>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Narrows a sign-in log listing.
#[derive(Clone, Debug, Default)]
pub struct SignInFilter {
    /// `Some(true)` successes only, `Some(false)` failures only.
    pub success: Option<bool>,
    pub reason_code: Option<String>,
    pub user_id: Option<UserId>,
    pub since: Option<DateTime<Utc>>,
}

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

fn unknown_request_detail(id: &str) -> String {
    format!(
        "InResponseTo {id:?} does not name a pending sign-in (unknown, already used, or older than {} minutes)",
        REQUEST_LIFETIME.num_minutes()
    )
}

fn refused(reason: &str, message: impl Into<String>, event_id: Option<String>) -> SsoError {
    SsoError::Refused(SsoRefusal { reason: reason.into(), message: message.into(), event_id })
}

/// A sentence for the end user; the admin reads the exact detail in the sign-in log.
fn user_message(reason: &str) -> &'static str {
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

fn to_saml_certs(certs: &[IdpCertificate]) -> Vec<SamlCertificate> {
    certs.iter().filter_map(|c| gatehouse_saml::certificate::parse_certificate(c.pem.as_bytes()).ok()).collect()
}

pub(crate) struct Attempt<'a> {
    tenant_id: Option<TenantId>,
    user_id: Option<UserId>,
    name_id: Option<&'a str>,
    flow: SignInFlow,
    fingerprint: Option<&'a str>,
    clock_offset: Option<i64>,
    meta: &'a RequestMeta,
}

impl Identity {
    fn sp(&self) -> &gatehouse_saml::sp::ServiceProvider {
        self.service_provider()
    }

    /// Starts an SP-initiated sign-in for the tenant `slug`.
    #[tracing::instrument(skip(self, login_hint))]
    pub async fn start_sso(
        &self,
        slug: &str,
        relay_state: Option<&str>,
        login_hint: Option<&str>,
    ) -> SsoResult<SsoStart> {
        let tenant = self
            .find_tenant_by_slug(slug)
            .await?
            .ok_or_else(|| refused("unknown_tenant", "There is no organisation with this name.", None))?;
        let conn = self.load_connection(&self.db, tenant.id).await?;
        if !conn.enabled {
            return Err(refused("sso_disabled", user_message("sso_disabled"), None));
        }
        if conn.login_policy == LoginPolicy::Password {
            return Err(refused("sso_not_allowed", user_message("sso_not_allowed"), None));
        }
        self.begin_request(&tenant, &conn, "login", Some(safe_redirect(relay_state)), login_hint).await
    }

    /// Starts the "Test SSO" run behind a one-time token from [`Identity::create_sso_test`].
    pub async fn start_sso_test(&self, token: &str) -> SsoResult<SsoStart> {
        let now = self.now();
        let hash = secrets::token_hash(token);
        let pending = sso_request::Entity::find()
            .filter(sso_request::Column::Purpose.eq("test_token"))
            .filter(sso_request::Column::BindingHash.eq(hash))
            .one(&self.db)
            .await?
            .filter(|r| r.expires_at > now)
            .ok_or_else(|| {
                refused(
                    "unknown_request",
                    "This test link expired or was already used. Run the test again from the console.",
                    None,
                )
            })?;
        sso_request::Entity::delete_by_id(pending.id.clone()).exec(&self.db).await?;
        let tenant = tenant::Entity::find_by_id(pending.tenant_id)
            .one(&self.db)
            .await?
            .map(crate::tenants::to_tenant)
            .ok_or(Error::NotFound { what: "tenant" })?;
        let conn = self.load_connection(&self.db, tenant.id).await?;
        self.begin_request(&tenant, &conn, "test", None, None).await
    }

    /// Makes the one-time URL an admin opens to test the SSO connection (it works before
    /// SSO is enabled, so a configuration can be proven first).
    pub async fn create_sso_test(&self, scope: &TenantScope, public_url: &str) -> Result<String> {
        scope.require_admin()?;
        let conn = self.load_connection(&self.db, scope.tenant_id()).await?;
        let mut missing = Vec::new();
        if conn.login_url.is_none() {
            missing.push(crate::FieldError::new("loginUrl", "is required to test SSO"));
        }
        if conn.issuer.is_none() {
            missing.push(crate::FieldError::new("issuer", "is required to test SSO"));
        }
        if conn.certificates.is_empty() {
            missing.push(crate::FieldError::new("certificates", "upload the IdP's signing certificate to test SSO"));
        }
        if !missing.is_empty() {
            return Err(Error::Validation(missing));
        }
        let token = secrets::new_token("gh_t_");
        let now = self.now();
        sso_request::ActiveModel {
            id: Set(format!("test-{}", uuid::Uuid::new_v4().simple())),
            tenant_id: Set(scope.tenant_id().as_uuid()),
            purpose: Set("test_token".into()),
            relay_state: Set(None),
            binding_hash: Set(Some(secrets::token_hash(&token))),
            session_id: Set(None),
            created_at: Set(now),
            expires_at: Set(now + REQUEST_LIFETIME),
        }
        .insert(&self.db)
        .await?;
        Ok(format!("{public_url}/saml2/test?token={token}"))
    }

    async fn begin_request(
        &self,
        tenant: &Tenant,
        conn: &SsoConnection,
        purpose: &str,
        relay_state: Option<String>,
        login_hint: Option<&str>,
    ) -> SsoResult<SsoStart> {
        let Some(login_url) = conn.login_url.as_deref() else {
            return Err(refused("not_configured", user_message("not_configured"), None));
        };
        let now = self.now();
        let options = AuthnRequestOptions {
            login_hint: login_hint.map(str::trim).filter(|h| !h.is_empty() && h.len() <= 256).map(str::to_owned),
            ..AuthnRequestOptions::default()
        };
        let request = build_authn_request(self.sp(), login_url, &options, now)
            .map_err(|e| Error::internal(format!("building the AuthnRequest failed: {e}")))?;
        let nonce = secrets::new_token("gh_b_");
        sso_request::ActiveModel {
            id: Set(request.id.clone()),
            tenant_id: Set(tenant.id.as_uuid()),
            purpose: Set(purpose.into()),
            relay_state: Set(relay_state),
            binding_hash: Set(Some(secrets::token_hash(&nonce))),
            session_id: Set(None),
            created_at: Set(now),
            expires_at: Set(now + REQUEST_LIFETIME),
        }
        .insert(&self.db)
        .await?;
        Ok(SsoStart { redirect_url: request.redirect_url, binding_nonce: nonce })
    }

    /// The ACS: validates a `SAMLResponse` (SP- or IdP-initiated) and hands over to the
    /// browser, or reports a test run. Every attempt lands in the sign-in log (and in the
    /// service log once, at INFO, by `fail_event`; our own faults are logged by the caller).
    #[tracing::instrument(skip_all)]
    pub async fn consume_saml_response(
        &self,
        saml_response: &str,
        relay_state: Option<&str>,
        meta: &RequestMeta,
    ) -> SsoResult<AcsOutcome> {
        let now = self.now();
        let mut attempt = Attempt {
            tenant_id: None,
            user_id: None,
            name_id: None,
            flow: SignInFlow::IdpInitiated,
            fingerprint: None,
            clock_offset: None,
            meta,
        };
        let peek = match peek_response(saml_response) {
            Ok(p) => p,
            Err(e) => return Err(self.fail(&attempt, e.reason.as_str(), &e.detail).await),
        };
        // Which tenant and which pending request: an InResponseTo must name a request we sent.
        // It is only looked up here; validation then requires the *signed* InResponseTo to name
        // it, and only a Response that passed is allowed to use the request up (finish_acs), so
        // a forged post can never spend a legitimate sign-in's request.
        let request = match &peek.in_response_to {
            Some(id) => {
                let req = sso_request::Entity::find_by_id(id.clone())
                    .filter(sso_request::Column::Purpose.is_in(["login", "test"]))
                    .one(&self.db)
                    .await?;
                let Some(req) = req.filter(|r| r.expires_at > now) else {
                    attempt.tenant_id = self.connection_by_issuer(&peek.issuer).await?.map(|c| c.tenant_id.into());
                    attempt.flow = SignInFlow::SpInitiated;
                    return Err(self.fail(&attempt, "unknown_request", &unknown_request_detail(id)).await);
                };
                // The request decides the tenant; the Response's Issuer is only checked.
                attempt.flow = if req.purpose == "test" { SignInFlow::Test } else { SignInFlow::SpInitiated };
                attempt.tenant_id = Some(req.tenant_id.into());
                Some(req)
            }
            None => {
                attempt.tenant_id = self.connection_by_issuer(&peek.issuer).await?.map(|c| c.tenant_id.into());
                None
            }
        };
        let Some(tenant_id) = attempt.tenant_id else {
            let detail = format!("no organisation has SSO enabled with the IdP Issuer {:?}", peek.issuer);
            return Err(self.fail(&attempt, "unknown_issuer", &detail).await);
        };
        let conn = self.load_connection(&self.db, tenant_id).await?;
        if attempt.flow != SignInFlow::Test && !conn.enabled {
            return Err(self.fail(&attempt, "sso_disabled", "SSO is not enabled for this organisation").await);
        }
        if attempt.flow != SignInFlow::Test && conn.login_policy == LoginPolicy::Password {
            let detail = "the login policy is \"password only\", so SSO sign-ins are refused; choose \"SSO\" or \"password or SSO\" to allow them";
            return Err(self.fail(&attempt, "sso_not_allowed", detail).await);
        }
        if request.is_none() && !conn.allow_idp_initiated {
            let detail = "the Response has no InResponseTo (IdP-initiated) and this organisation allows only sign-ins started at Gatehouse";
            return Err(self.fail(&attempt, "unsolicited", detail).await);
        }
        let Some(expected_issuer) = conn.issuer.clone() else {
            return Err(self.fail(&attempt, "not_configured", "no IdP Issuer is configured").await);
        };
        let mut policy = ResponsePolicy::new(self.sp(), expected_issuer, to_saml_certs(&conn.certificates), now);
        policy.expected_in_response_to = request.as_ref().map(|r| r.id.clone());
        policy.allow_unsolicited = request.is_none();
        let input = saml_response.to_owned();
        let validated = tokio::task::spawn_blocking(move || validate_response(&input, &policy))
            .await
            .map_err(|e| Error::internal(format!("validation task failed: {e}")))?;
        let assertion = match validated {
            Ok(a) => a,
            Err(e) => {
                let reason = e.reason.as_str();
                let event_id = self.fail_event(&attempt, reason, &e.detail).await?;
                if attempt.flow == SignInFlow::Test {
                    return Ok(AcsOutcome::Test(TestReport {
                        success: false,
                        reason: reason.into(),
                        detail: e.detail,
                        name_id: None,
                        user: None,
                        attributes: Vec::new(),
                        certificate_fingerprint: None,
                        clock_offset_seconds: None,
                    }));
                }
                return Err(refused(reason, user_message(reason), event_id));
            }
        };
        attempt.name_id = Some(&assertion.name_id);
        attempt.fingerprint = Some(&assertion.certificate_fingerprint);
        attempt.clock_offset = Some((assertion.issue_instant - now).num_seconds());
        self.finish_acs(&conn, request, relay_state, &assertion, attempt).await
    }

    async fn finish_acs(
        &self,
        conn: &SsoConnection,
        request: Option<sso_request::Model>,
        relay_state: Option<&str>,
        a: &ValidatedAssertion,
        mut attempt: Attempt<'_>,
    ) -> SsoResult<AcsOutcome> {
        let now = self.now();
        let tenant_id = attempt.tenant_id.ok_or_else(|| Error::internal("tenant unknown after validation"))?;
        // The Response is valid and answers this request: use the request up, once, on every
        // replica (a concurrent Response to the same request loses here).
        if let Some(req) = &request {
            let consumed = sso_request::Entity::delete_by_id(req.id.clone()).exec(&self.db).await?.rows_affected == 1;
            if !consumed {
                return Err(self.fail(&attempt, "unknown_request", &unknown_request_detail(&req.id)).await);
            }
        }
        // Replay: the primary key (tenant, assertion ID) holds across replicas.
        let inserted = assertion_replay::Entity::insert(assertion_replay::ActiveModel {
            tenant_id: Set(tenant_id.as_uuid()),
            assertion_id: Set(a.assertion_id.clone()),
            expires_at: Set(a.not_on_or_after.max(now + Duration::minutes(5))),
        })
        .exec(&self.db)
        .await;
        if let Err(e) = inserted {
            return match e.sql_err() {
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
                    let detail = format!(
                        "assertion {:?} was already accepted; a Response is good for one sign-in",
                        a.assertion_id
                    );
                    Err(self.fail(&attempt, "replay", &detail).await)
                }
                _ => Err(SsoError::Internal(e.into())),
            };
        }
        let user = match self.find_sso_user(tenant_id, &a.name_id).await? {
            Some(u) => u,
            None if conn.jit_provisioning && attempt.flow != SignInFlow::Test => self.jit_create(tenant_id, a).await?,
            None => {
                let detail = format!(
                    "no user has the federation ID {:?}; create the user (or provision them over SCIM) first",
                    a.name_id
                );
                return self.refuse_or_report(&attempt, "unknown_user", &detail, a).await;
            }
        };
        attempt.user_id = Some(user.id);
        match user.status {
            UserStatus::Active => {}
            UserStatus::Pending => {
                let detail = format!("user {} exists but is pending; activate them", user.email);
                return self.refuse_or_report(&attempt, "user_pending", &detail, a).await;
            }
            UserStatus::Suspended => {
                let detail = format!("user {} is suspended", user.email);
                return self.refuse_or_report(&attempt, "user_suspended", &detail, a).await;
            }
        }
        let detail = format!("signed in as {} (NameID {:?})", user.email, a.name_id);
        let event_id = self.record(&attempt, true, "success", &detail).await?;
        if attempt.flow == SignInFlow::Test {
            return Ok(AcsOutcome::Test(report(true, "success", &detail, Some(&user), a, &attempt)));
        }
        let relay = match &request {
            Some(r) => r.relay_state.clone(),
            None => Some(safe_redirect(relay_state)),
        };
        let handle = secrets::new_token("gh_h_");
        sso_handoff::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            handle_hash: Set(secrets::token_hash(&handle)),
            tenant_id: Set(tenant_id.as_uuid()),
            user_id: Set(Some(user.id.as_uuid())),
            purpose: Set("login".into()),
            binding_hash: Set(request.and_then(|r| r.binding_hash)),
            relay_state: Set(relay),
            name_id: Set(a.name_id.clone()),
            name_id_format: Set(a.name_id_format.clone()),
            session_index: Set(a.session_index.clone()),
            sign_in_event_id: Set(event_id.parse::<uuid::Uuid>().map_err(|e| Error::internal(e.to_string()))?),
            expires_at: Set(now + HANDOFF_LIFETIME),
        }
        .insert(&self.db)
        .await?;
        Ok(AcsOutcome::Handoff { handle })
    }

    async fn refuse_or_report(
        &self,
        attempt: &Attempt<'_>,
        reason: &str,
        detail: &str,
        a: &ValidatedAssertion,
    ) -> SsoResult<AcsOutcome> {
        let event = self.fail_event(attempt, reason, detail).await?;
        if attempt.flow == SignInFlow::Test {
            return Ok(AcsOutcome::Test(report(false, reason, detail, None, a, attempt)));
        }
        Err(refused(reason, user_message(reason), event))
    }

    /// The browser arrives on our site with the hand-over handle; its binding cookie must
    /// match the one set when this browser started the sign-in (SP-initiated).
    pub async fn complete_sso(
        &self,
        handle: &str,
        binding_nonce: Option<&str>,
        meta: &RequestMeta,
    ) -> SsoResult<SsoSignedIn> {
        let now = self.now();
        let row = sso_handoff::Entity::find()
            .filter(sso_handoff::Column::HandleHash.eq(secrets::token_hash(handle)))
            .one(&self.db)
            .await?;
        let consumed = match &row {
            Some(r) => sso_handoff::Entity::delete_by_id(r.id).exec(&self.db).await?.rows_affected == 1,
            None => false,
        };
        let Some(row) = row.filter(|r| consumed && r.expires_at > now) else {
            return Err(refused("handoff_expired", user_message("handoff_expired"), None));
        };
        let attempt = Attempt {
            tenant_id: Some(row.tenant_id.into()),
            user_id: row.user_id.map(Into::into),
            name_id: Some(&row.name_id),
            flow: if row.binding_hash.is_some() { SignInFlow::SpInitiated } else { SignInFlow::IdpInitiated },
            fingerprint: None,
            clock_offset: None,
            meta,
        };
        if let Some(expected) = &row.binding_hash
            && binding_nonce.map(secrets::token_hash).as_ref() != Some(expected)
        {
            let detail = "the browser that finished the sign-in is not the one that started it (binding cookie missing or different)";
            return Err(self.fail(&attempt, "browser_mismatch", detail).await);
        }
        let user_id = row.user_id.ok_or_else(|| Error::internal("hand-over without a user"))?;
        let u = user::Entity::find_by_id(user_id)
            .filter(user::Column::TenantId.eq(row.tenant_id))
            .filter(user::Column::DeletedAt.is_null())
            .one(&self.db)
            .await?
            .map(crate::users::to_user)
            .transpose()?
            .filter(|u| u.status == UserStatus::Active)
            .ok_or_else(|| refused("user_suspended", user_message("user_suspended"), None))?;
        let principal = Principal::User { tenant_id: u.tenant_id, user_id: u.id, email: u.email.clone(), role: u.role };
        let sso = SsoSessionInfo {
            name_id: row.name_id.clone(),
            name_id_format: row.name_id_format.clone(),
            session_index: row.session_index.clone(),
        };
        let info = NewSessionInfo { ip: meta.ip.clone(), user_agent: meta.user_agent.clone() };
        let signed_in = self.create_session_with(&principal, "sso", &info, Some(&sso)).await?;
        Ok(SsoSignedIn { signed_in, redirect_to: safe_redirect(row.relay_state.as_deref()) })
    }

    /// Ends the session behind `session_token`; for an SSO session of a tenant with an IdP
    /// Logout URL, returns the LogoutRequest redirect for single logout.
    pub async fn sign_out_everywhere(&self, session_token: &str) -> Result<Option<String>> {
        let s = session::Entity::find()
            .filter(session::Column::TokenHash.eq(secrets::token_hash(session_token)))
            .one(&self.db)
            .await?;
        let Some(s) = s else { return Ok(None) };
        session::Entity::delete_by_id(s.id).exec(&self.db).await?;
        let (Some(tenant_id), Some(name_id), "sso") = (s.tenant_id, s.name_id.clone(), s.auth_method.as_str()) else {
            return Ok(None);
        };
        let conn = self.load_connection(&self.db, tenant_id.into()).await?;
        let Some(logout_url) = conn.logout_url.filter(|_| conn.enabled) else { return Ok(None) };
        let now = self.now();
        let relay = secrets::new_token("gh_l_");
        let options = LogoutRequestOptions {
            name_id,
            name_id_format: s.name_id_format,
            session_index: s.session_index,
            relay_state: Some(relay.clone()),
            signing_key: None,
        };
        let req = build_logout_request(self.sp(), &logout_url, &options, now)
            .map_err(|e| Error::internal(format!("building the LogoutRequest failed: {e}")))?;
        sso_request::ActiveModel {
            id: Set(req.id),
            tenant_id: Set(tenant_id),
            purpose: Set("logout".into()),
            relay_state: Set(Some(relay)),
            binding_hash: Set(None),
            session_id: Set(Some(s.id)),
            created_at: Set(now),
            expires_at: Set(now + REQUEST_LIFETIME),
        }
        .insert(&self.db)
        .await?;
        Ok(Some(req.redirect_url))
    }

    /// The IdP's answer to our LogoutRequest. The local session already ended; this
    /// checks the answer and consumes the pending request.
    pub async fn finish_logout(&self, raw_query: &str) -> SsoResult<()> {
        let relay = form_value(raw_query, "RelayState");
        let pending = match relay {
            Some(r) => {
                sso_request::Entity::find()
                    .filter(sso_request::Column::Purpose.eq("logout"))
                    .filter(sso_request::Column::RelayState.eq(r))
                    .one(&self.db)
                    .await?
            }
            None => None,
        };
        let Some(pending) = pending.filter(|p| p.expires_at > self.now()) else {
            return Err(refused(
                "unknown_request",
                "This sign-out answer does not match a sign-out in progress.",
                None,
            ));
        };
        sso_request::Entity::delete_by_id(pending.id.clone()).exec(&self.db).await?;
        let conn = self.load_connection(&self.db, pending.tenant_id.into()).await?;
        let mut policy = LogoutPolicy::new(
            self.sp(),
            conn.issuer.unwrap_or_default(),
            to_saml_certs(&conn.certificates),
            self.now(),
        );
        policy.expected_in_response_to = Some(pending.id);
        parse_logout_response(raw_query, &policy).map(|_| ()).map_err(|e| {
            refused(
                e.reason.as_str(),
                format!("The identity provider's sign-out answer was not accepted: {}", e.detail),
                None,
            )
        })
    }

    /// An IdP-initiated LogoutRequest: verify it with the tenant's certificates, end the
    /// matching sessions at once, and return the LogoutResponse redirect.
    pub async fn idp_logout(&self, raw_query: &str) -> SsoResult<String> {
        let issuer = peek_logout_request_issuer(raw_query).map_err(|e| {
            refused(e.reason.as_str(), format!("The sign-out request is not readable: {}", e.detail), None)
        })?;
        let conn_row = self.connection_by_issuer(&issuer).await?.ok_or_else(|| {
            refused("unknown_issuer", "No organisation has SSO enabled with this identity provider.", None)
        })?;
        let tenant_id: TenantId = conn_row.tenant_id.into();
        let conn = self.load_connection(&self.db, tenant_id).await?;
        let policy = LogoutPolicy::new(
            self.sp(),
            conn.issuer.clone().unwrap_or_default(),
            to_saml_certs(&conn.certificates),
            self.now(),
        );
        let req = parse_logout_request(raw_query, &policy).map_err(|e| {
            refused(e.reason.as_str(), format!("The sign-out request was not accepted: {}", e.detail), None)
        })?;
        // Replay: a LogoutRequest is good once, on every replica, for as long as it could still
        // pass validation (its IssueInstant window).
        let replay = logout_replay::ActiveModel {
            tenant_id: Set(tenant_id.as_uuid()),
            request_id: Set(req.id.clone()),
            expires_at: Set(policy.now + policy.max_issue_age + policy.clock_skew * 2),
        }
        .insert(&self.db)
        .await;
        if let Err(e) = replay {
            return Err(match e.sql_err() {
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
                    tracing::info!(tenant_id = %tenant_id, request_id = %req.id, "replayed IdP-initiated LogoutRequest refused");
                    refused("replay", "This sign-out request was already used.", None)
                }
                _ => SsoError::Internal(e.into()),
            });
        }
        let mut q = session::Entity::delete_many()
            .filter(session::Column::TenantId.eq(tenant_id.as_uuid()))
            .filter(session::Column::NameId.eq(req.name_id.as_str()));
        if !req.session_indexes.is_empty() {
            q = q.filter(session::Column::SessionIndex.is_in(req.session_indexes.clone()));
        }
        let ended = q.exec(&self.db).await?.rows_affected;
        tracing::info!(tenant_id = %tenant_id, ended, "IdP-initiated logout");
        let Some(logout_url) = conn.logout_url else {
            return Err(refused("not_configured", "Signed out. (No IdP Logout URL is configured to answer to.)", None));
        };
        build_logout_response(
            self.sp(),
            &logout_url,
            &req.id,
            LogoutStatus::Success,
            req.relay_state.as_deref(),
            None,
            self.now(),
        )
        .map_err(|e| SsoError::Internal(Error::internal(format!("building the LogoutResponse failed: {e}"))))
    }

    /// The tenant's sign-in log, newest first.
    pub async fn sign_in_events(
        &self,
        scope: &TenantScope,
        filter: &SignInFilter,
        page: &PageRequest,
    ) -> Result<Page<SignInEvent>> {
        scope.require_admin()?;
        let size = page.size()?;
        let mut q = sign_in_event::Entity::find()
            .filter(sign_in_event::Column::TenantId.eq(scope.tenant_id().as_uuid()))
            .order_by_desc(sign_in_event::Column::Id)
            .limit(size + 1);
        if let Some(after) = page.after_uuid()? {
            q = q.filter(sign_in_event::Column::Id.lt(after));
        }
        if let Some(s) = filter.success {
            q = q.filter(sign_in_event::Column::Outcome.eq(if s { "success" } else { "failure" }));
        }
        if let Some(r) = &filter.reason_code {
            q = q.filter(sign_in_event::Column::ReasonCode.eq(r.as_str()));
        }
        if let Some(u) = filter.user_id {
            q = q.filter(sign_in_event::Column::UserId.eq(u.as_uuid()));
        }
        if let Some(since) = filter.since {
            q = q.filter(sign_in_event::Column::CreatedAt.gte(since));
        }
        let rows = q.all(&self.db).await?;
        Ok(page_from(rows.into_iter().map(to_event).collect(), size))
    }

    /// Removes expired pending requests, hand-overs, replay entries (assertions and
    /// LogoutRequests) and sessions.
    pub async fn purge_expired(&self) -> Result<u64> {
        let now = self.now();
        let mut n = 0;
        n += sso_request::Entity::delete_many()
            .filter(sso_request::Column::ExpiresAt.lt(now))
            .exec(&self.db)
            .await?
            .rows_affected;
        n += sso_handoff::Entity::delete_many()
            .filter(sso_handoff::Column::ExpiresAt.lt(now))
            .exec(&self.db)
            .await?
            .rows_affected;
        n += assertion_replay::Entity::delete_many()
            .filter(assertion_replay::Column::ExpiresAt.lt(now))
            .exec(&self.db)
            .await?
            .rows_affected;
        n += logout_replay::Entity::delete_many()
            .filter(logout_replay::Column::ExpiresAt.lt(now))
            .exec(&self.db)
            .await?
            .rows_affected;
        n += session::Entity::delete_many()
            .filter(session::Column::ExpiresAt.lt(now))
            .exec(&self.db)
            .await?
            .rows_affected;
        Ok(n)
    }

    /// The connection that owns `issuer` (an issuer belongs to one tenant, enabled or not, so a
    /// disabled tenant's Response is refused as such instead of as an unknown issuer).
    async fn connection_by_issuer(&self, issuer: &str) -> Result<Option<sso_connection::Model>> {
        Ok(sso_connection::Entity::find().filter(sso_connection::Column::Issuer.eq(issuer)).one(&self.db).await?)
    }

    async fn find_sso_user(&self, tenant_id: TenantId, name_id: &str) -> Result<Option<User>> {
        user::Entity::find()
            .filter(user::Column::TenantId.eq(tenant_id.as_uuid()))
            .filter(user::Column::DeletedAt.is_null())
            .filter(user::Column::FederationKey.eq(federation_key(name_id)))
            .one(&self.db)
            .await?
            .map(crate::users::to_user)
            .transpose()
    }

    /// Just-in-time provisioning: an active user whose federation ID is the NameID and
    /// whose e-mail is the e-mail claim (or the NameID when that is an e-mail).
    async fn jit_create(&self, tenant_id: TenantId, a: &ValidatedAssertion) -> Result<User> {
        let email_claim = ["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", "email", "mail"]
            .iter()
            .find_map(|k| a.attributes.get(*k).and_then(|v| v.first()).cloned());
        let email = email_claim.unwrap_or_else(|| a.name_id.clone());
        let name = ["http://schemas.microsoft.com/identity/claims/displayname", "displayName"]
            .iter()
            .find_map(|k| a.attributes.get(*k).and_then(|v| v.first()).cloned());
        let scope = TenantScope::for_operator(tenant_id, Actor::system("just-in-time provisioning"));
        self.create_user(
            &scope,
            crate::NewUser {
                email,
                display_name: name,
                federation_id: Some(a.name_id.clone()),
                role: Some(Role::User),
                password: None,
                active: true,
            },
        )
        .await
    }

    async fn fail(&self, attempt: &Attempt<'_>, reason: &str, detail: &str) -> SsoError {
        match self.fail_event(attempt, reason, detail).await {
            Ok(event) => refused(reason, user_message(reason), event),
            Err(e) => SsoError::Internal(e),
        }
    }

    /// Logs a refusal: once at INFO and in the sign-in log, whose entry ID is the reference
    /// shown to the person. While the Issuer's failure budget is used up only a DEBUG line is
    /// written (`RequestMeta::quiet_failures`), so a flood cannot fill the tenant's log.
    async fn fail_event(&self, attempt: &Attempt<'_>, reason: &str, detail: &str) -> Result<Option<String>> {
        if attempt.meta.quiet_failures {
            tracing::debug!(reason, tenant_id = ?attempt.tenant_id, "SSO sign-in refused (Issuer over its failure budget: not in the sign-in log)");
            return Ok(None);
        }
        tracing::info!(reason, detail, tenant_id = ?attempt.tenant_id, "SSO sign-in refused");
        self.record(attempt, false, reason, detail).await.map(Some)
    }

    /// Logs a password sign-in attempt against a known user of a tenant.
    pub(crate) async fn record_password_attempt(
        &self,
        conn: &impl ConnectionTrait,
        tenant_id: TenantId,
        user_id: UserId,
        email: &str,
        outcome: std::result::Result<(), &str>,
        meta: &RequestMeta,
    ) -> Result<()> {
        let attempt = Attempt {
            tenant_id: Some(tenant_id),
            user_id: Some(user_id),
            name_id: Some(email),
            flow: SignInFlow::Password,
            fingerprint: None,
            clock_offset: None,
            meta,
        };
        let (success, reason, detail) = match outcome {
            Ok(()) => (true, "success", format!("{email} signed in with a password")),
            Err(reason) => (false, reason, format!("password sign-in of {email} refused: {}", reason_text(reason))),
        };
        self.record_on(conn, &attempt, success, reason, &detail).await.map(|_| ())
    }

    async fn record(&self, a: &Attempt<'_>, success: bool, reason: &str, detail: &str) -> Result<String> {
        self.record_on(&self.db, a, success, reason, detail).await
    }

    async fn record_on(
        &self,
        conn: &impl ConnectionTrait,
        a: &Attempt<'_>,
        success: bool,
        reason: &str,
        detail: &str,
    ) -> Result<String> {
        let id = uuid::Uuid::now_v7();
        sign_in_event::ActiveModel {
            id: Set(id),
            tenant_id: Set(a.tenant_id.map(|t| t.as_uuid())),
            user_id: Set(a.user_id.map(|u| u.as_uuid())),
            name_id: Set(a.name_id.map(|n| n.chars().take(256).collect())),
            flow: Set(a.flow.as_str().into()),
            outcome: Set(if success { "success" } else { "failure" }.into()),
            reason_code: Set(reason.into()),
            detail: Set(detail.chars().take(2000).collect()),
            certificate_fingerprint: Set(a.fingerprint.map(str::to_owned)),
            clock_offset_seconds: Set(a.clock_offset),
            ip: Set(a.meta.ip.clone()),
            user_agent: Set(a.meta.user_agent.as_ref().map(|u| u.chars().take(512).collect())),
            created_at: Set(self.now()),
        }
        .insert(conn)
        .await?;
        Ok(id.to_string())
    }
}

fn report(
    success: bool,
    reason: &str,
    detail: &str,
    user: Option<&User>,
    a: &ValidatedAssertion,
    attempt: &Attempt<'_>,
) -> TestReport {
    TestReport {
        success,
        reason: reason.into(),
        detail: detail.into(),
        name_id: Some(a.name_id.clone()),
        user: user.map(|u| u.email.clone()),
        attributes: a.attributes.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        certificate_fingerprint: Some(a.certificate_fingerprint.clone()),
        clock_offset_seconds: attempt.clock_offset,
    }
}

fn to_event(m: sign_in_event::Model) -> SignInEvent {
    SignInEvent {
        id: m.id.to_string(),
        user_id: m.user_id.map(|u| u.to_string()),
        name_id: m.name_id,
        flow: m.flow,
        success: m.outcome == "success",
        reason_code: m.reason_code,
        detail: m.detail,
        certificate_fingerprint: m.certificate_fingerprint,
        clock_offset_seconds: m.clock_offset_seconds,
        ip: m.ip,
        user_agent: m.user_agent,
        created_at: m.created_at,
    }
}

/// One decoded value of an `application/x-www-form-urlencoded` query.
fn form_value(raw_query: &str, name: &str) -> Option<String> {
    url::form_urlencoded::parse(raw_query.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
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

/// How one tenant of an e-mail address signs in, for the sign-on page.
#[derive(Clone, Debug)]
pub struct HomeRealm {
    pub tenant_slug: String,
    pub tenant_name: String,
    pub login_policy: LoginPolicy,
    pub sso_enabled: bool,
}

impl Identity {
    /// The tenants where `email` is an active user, and how each signs in (home-realm
    /// discovery for `/login`).
    pub async fn home_realms(&self, email: &str) -> Result<Vec<HomeRealm>> {
        let email = email.trim().to_lowercase();
        let rows = user::Entity::find()
            .find_also_related(tenant::Entity)
            .filter(user::Column::Email.eq(email))
            .filter(user::Column::DeletedAt.is_null())
            .filter(user::Column::Status.eq(UserStatus::Active.as_str()))
            .all(&self.db)
            .await?;
        let mut realms = Vec::new();
        for (_, t) in rows {
            let Some(t) = t else { continue };
            let conn = self.load_connection(&self.db, t.id.into()).await?;
            realms.push(HomeRealm {
                tenant_slug: t.slug,
                tenant_name: t.name,
                login_policy: conn.login_policy,
                sso_enabled: conn.enabled,
            });
        }
        Ok(realms)
    }
}
