//! The ACS: which tenant and pending request a Response answers, validation, replay,
//! the user (or just-in-time provisioning), and the hand-over to the browser.

use super::pg_sign_in::is_postgres;
use super::routing::Routing;
use super::{
    Attempt, HANDOFF_LIFETIME, REQUEST_LIFETIME, RequestMeta, SignInFlow, SignInReason, SsoResult, TestReport, refused,
    report, safe_redirect,
};
use crate::Identity;
use crate::auth::principal::{Actor, AdminScope};
use crate::auth::throttle::AcsAdmission;
use crate::error::{Error, Result};
use crate::ids::*;
use crate::model::*;
use crate::provisioning::users::federation_key;
use crate::secrets;
use crate::secrets::TokenKind;
use crate::store::entities::{assertion_replay, sso_connection, sso_handoff, sso_request, user};
use crate::store::live_users;
use chrono::Duration;
use gatehouse_saml::error::{ReasonCode, ValidationError};
use gatehouse_saml::response::{ResponsePeek, ResponsePolicy, ValidatedAssertion, peek_response, validate_response};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseTransaction, DbBackend, EntityTrait, QueryFilter};

/// A plain (not encrypted) `SAMLResponse` up to this size (Base64) is validated on the
/// request's own task: an Entra, Okta or Google Response is 5–12 KB and takes a tenth of a
/// millisecond, less than handing it to the blocking pool and back costs (two thread
/// wake-ups). A larger one — many claims or groups, or someone sending the most the ACS
/// accepts — and any encrypted one (its decryption is an RSA private-key operation, about a
/// millisecond) go to the blocking pool, so they cannot hold up the other requests on this
/// worker thread.
const INLINE_VALIDATION_MAX: usize = 32 * 1024;

pub(super) fn replay_detail(assertion_id: &str) -> String {
    format!("assertion {assertion_id:?} was already accepted; a Response is good for one sign-in")
}

/// What the ACS produced.
#[derive(Clone, Debug)]
pub enum AcsOutcome {
    /// Continue at `/saml2/complete` with this one-time handle; `organisation` is the name of
    /// the tenant whose checks the Response passed (for the page that continues).
    Handoff { handle: String, organisation: Option<String> },
    /// A "Test SSO" run: show the admin this report (no session is made).
    Test(TestReport),
}

pub(super) fn unknown_request_detail(id: &str) -> String {
    format!(
        "InResponseTo {id:?} does not name a pending sign-in (unknown, already used, or older than {} minutes)",
        REQUEST_LIFETIME.num_minutes()
    )
}

impl Identity {
    /// The ACS: validates a `SAMLResponse` (SP- or IdP-initiated) and hands over to the
    /// browser, or reports a test run. Every attempt lands in the sign-in log (and in the
    /// service log once, at INFO, by `fail_event`; our own faults are logged by the caller).
    pub async fn consume_saml_response(
        &self,
        saml_response: &str,
        relay_state: Option<&str>,
        meta: &RequestMeta,
    ) -> SsoResult<AcsOutcome> {
        let peek = peek_response(saml_response);
        let request_id = peek.as_ref().ok().and_then(|p| p.in_response_to.clone());
        let outcome = self.consume(saml_response, peek, None, relay_state, meta).await;
        self.remember_draft_test(request_id.as_deref(), outcome).await
    }

    /// [`Self::consume_saml_response`] after [`Self::acs_admission`] let the Response in:
    /// the Issuer and InResponseTo it read are used, not read again.
    pub async fn consume_admitted_response(
        &self,
        saml_response: &str,
        admission: &AcsAdmission,
        relay_state: Option<&str>,
        meta: &RequestMeta,
    ) -> SsoResult<AcsOutcome> {
        let outcome =
            self.consume(saml_response, admission.peek.clone(), admission.routing.as_ref(), relay_state, meta).await;
        let request_id = admission.peek.as_ref().ok().and_then(|p| p.in_response_to.as_deref());
        self.remember_draft_test(request_id, outcome).await
    }

    #[tracing::instrument(skip_all)]
    async fn consume(
        &self,
        saml_response: &str,
        peek: std::result::Result<ResponsePeek, ValidationError>,
        routing: Option<&Routing>,
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
        let peek = match peek {
            Ok(p) => p,
            Err(e) => return Err(self.fail(&attempt, SignInReason::Saml(e.reason), &e.detail).await),
        };
        // Which tenant and which pending request: an InResponseTo must name a request we sent.
        // It is only looked up here; validation then requires the *signed* InResponseTo to name
        // it, and only a Response that passed is allowed to use the request up (finish_acs), so
        // a forged post can never spend a legitimate sign-in's request.
        // The rows the Response routes by: read at admission when the server admitted it
        // (`routing`), read here the same way otherwise.
        let routing = match routing {
            Some(r) => r.clone(),
            None => match self.admission_read(None, None, now.timestamp_millis(), Some(&peek)).await?.routing {
                Some(r) => r,
                None => return Err(Error::internal("no routing read for a readable Response").into()),
            },
        };
        let (request, (conn, draft_certificates)) = match &peek.in_response_to {
            Some(id) => {
                let Some(req) = routing.request.filter(|r| r.expires_at > now) else {
                    attempt.tenant_id = routing.issuer_tenant.map(Into::into);
                    attempt.flow = SignInFlow::SpInitiated;
                    return Err(self.fail(&attempt, SignInReason::UnknownRequest, &unknown_request_detail(id)).await);
                };
                // The request decides the tenant; the Response's Issuer is only checked.
                attempt.flow = match RequestPurpose::parse_stored(&req.purpose)? {
                    RequestPurpose::Test => SignInFlow::Test,
                    RequestPurpose::Login | RequestPurpose::TestToken | RequestPurpose::Logout => {
                        SignInFlow::SpInitiated
                    }
                };
                attempt.tenant_id = Some(req.tenant_id.into());
                let conn = routing
                    .connection
                    .filter(|c| c.tenant_id == req.tenant_id)
                    .ok_or(Error::NotFound { what: "SSO connection" })?;
                // A test run of a draft is checked against the draft (issue 13).
                let (conn, draft_certificates) = self.test_subject(conn, &req, attempt.flow).await?;
                (Some(req), (conn, draft_certificates))
            }
            None => match routing.connection.filter(|c| c.issuer.as_deref() == Some(peek.issuer.as_str())) {
                Some(conn) => {
                    attempt.tenant_id = Some(conn.tenant_id.into());
                    (None, (conn, None))
                }
                None => {
                    let detail = format!("no organisation has SSO enabled with the IdP Issuer {:?}", peek.issuer);
                    return Err(self.fail(&attempt, SignInReason::UnknownIssuer, &detail).await);
                }
            },
        };
        if attempt.flow != SignInFlow::Test && !conn.enabled {
            return Err(self
                .fail(&attempt, SignInReason::SsoDisabled, "SSO is not enabled for this organisation")
                .await);
        }
        if attempt.flow != SignInFlow::Test && LoginPolicy::parse_stored(&conn.login_policy)? == LoginPolicy::Password {
            let detail = "the login policy is \"password only\", so SSO sign-ins are refused; choose \"SSO\" or \"password or SSO\" to allow them";
            return Err(self.fail(&attempt, SignInReason::SsoNotAllowed, detail).await);
        }
        if request.is_none() && !conn.allow_idp_initiated {
            let detail = "the Response has no InResponseTo (IdP-initiated) and this organisation allows only sign-ins started at Gatehouse";
            return Err(self.fail(&attempt, SignInReason::Saml(ReasonCode::Unsolicited), detail).await);
        }
        let Some(expected_issuer) = conn.issuer.clone() else {
            return Err(self.fail(&attempt, SignInReason::NotConfigured, "no IdP Issuer is configured").await);
        };
        let certificates = match draft_certificates {
            Some(draft) => draft,
            None => self.signing_certificates(&conn).await?,
        };
        let mut policy = ResponsePolicy::new(self.sp(), expected_issuer, certificates.to_vec(), now);
        policy.expected_in_response_to = request.as_ref().map(|r| r.id.clone());
        policy.allow_unsolicited = request.is_none();
        // SP encryption keys come from memory and the setting from the row read above.
        policy.decryption_keys = self.sp_keyring().decryption.clone();
        policy.require_encrypted = conn.require_encrypted_assertions;
        let span = tracing::info_span!("saml.validate");
        let validated = if saml_response.len() <= INLINE_VALIDATION_MAX && !peek.encrypted {
            span.in_scope(|| validate_response(saml_response, &policy))
        } else {
            // On the blocking pool, under this sign-in's span (a new thread has no current span).
            let input = saml_response.to_owned();
            tokio::task::spawn_blocking(move || span.in_scope(|| validate_response(&input, &policy)))
                .await
                .map_err(|e| Error::internal(format!("validation task failed: {e}")))?
        };
        let assertion = match validated {
            Ok(a) => a,
            Err(e) => {
                let reason = SignInReason::Saml(e.reason);
                // Signed by a staged certificate? The log entry names it, so the admin sees the
                // IdP has started signing with it (only after a signature refusal: no cost to
                // a sign-in that passes).
                let staged = self
                    .staged_match(
                        conn.tenant_id,
                        conn.issuer.clone().unwrap_or_default(),
                        request.as_ref().map(|r| r.id.as_str()),
                        saml_response,
                        e.reason,
                    )
                    .await?;
                attempt.fingerprint = staged.as_deref();
                let event_id = self.fail_event(&attempt, reason, &e.detail).await?;
                if attempt.flow == SignInFlow::Test {
                    return Ok(AcsOutcome::Test(TestReport {
                        success: false,
                        reason,
                        detail: e.detail,
                        name_id: None,
                        user: None,
                        attributes: Vec::new(),
                        certificate_fingerprint: None,
                        clock_offset_seconds: None,
                        signed_by_staged: staged,
                    }));
                }
                return Err(refused(reason, reason.user_message(), event_id));
            }
        };
        attempt.name_id = Some(&assertion.name_id);
        attempt.fingerprint = Some(&assertion.certificate_fingerprint);
        attempt.clock_offset = Some((assertion.issue_instant - now).num_seconds());
        if let Some(detail) = super::rollover::expired_signing_refusal(
            conn.refuse_expired_certificates,
            &certificates,
            &assertion.certificate_fingerprint,
            now,
        ) {
            return Err(self.fail(&attempt, SignInReason::CertificateExpired, &detail).await);
        }
        match self.finish_acs(conn.jit_provisioning, request, relay_state, &assertion, attempt).await? {
            AcsOutcome::Handoff { handle, .. } => Ok(AcsOutcome::Handoff { handle, organisation: routing.tenant_name }),
            test @ AcsOutcome::Test(_) => Ok(test),
        }
    }

    /// After validation: the request used up, the assertion ID taken, the user checked, the
    /// sign-in log entry and the hand-over — one write transaction (one commit) whatever the
    /// outcome, so a refusal after validation still spends the request and the assertion.
    #[tracing::instrument(name = "acs.finish", skip_all, fields(gatehouse.tenant_id = attempt.tenant_id.as_ref().map(tracing::field::display)))]
    async fn finish_acs(
        &self,
        jit_provisioning: bool,
        request: Option<sso_request::Model>,
        relay_state: Option<&str>,
        a: &ValidatedAssertion,
        mut attempt: Attempt<'_>,
    ) -> SsoResult<AcsOutcome> {
        let now = self.now();
        let tenant_id = attempt.tenant_id.ok_or_else(|| Error::internal("tenant unknown after validation"))?;
        // The common case on PostgreSQL — a live sign-in of an active user — is one statement
        // (`pg_sign_in`); it writes nothing when the NameID names no active user, and the
        // transaction below runs instead (as it does for every sign-in on SQLite).
        if attempt.flow != SignInFlow::Test
            && !attempt.meta.quiet_failures
            && is_postgres(&self.db)
            && let Some(done) = self.finish_acs_pg(tenant_id, request.as_ref(), relay_state, a, &attempt).await?
        {
            return Ok(done);
        }
        // Read before the write transaction: a known user is the common case, and on SQLite
        // the write lock is then held for inserts only.
        let found = self.find_sso_user(tenant_id, &a.name_id).await?;
        // One sign-in writing at a time per process on SQLite (see `Identity::sqlite_sign_in_gate`).
        let mut gate = self.sqlite_sign_in_gate().await;
        // The common case on SQLite — a live sign-in of an active user — is one transaction
        // on the sign-in writer (`sqlite_sign_in`).
        if attempt.flow != SignInFlow::Test
            && !attempt.meta.quiet_failures
            && self.db.get_database_backend() == DbBackend::Sqlite
            && let Some(user) = found.as_ref().filter(|u| u.status == UserStatus::Active)
        {
            attempt.user_id = Some(user.id);
            return self.finish_acs_sqlite(gate.as_deref_mut(), user, request.as_ref(), relay_state, a, &attempt).await;
        }
        let txn = self.begin_write().await?;
        // The Response is valid and answers this request: use the request up, once, on every
        // replica (a concurrent Response to the same request loses here).
        if let Some(req) = &request {
            let consumed = sso_request::Entity::delete_by_id(req.id.clone()).exec(&txn).await?.rows_affected == 1;
            if !consumed {
                let detail = unknown_request_detail(&req.id);
                return self.refuse_in(txn, &attempt, SignInReason::UnknownRequest, &detail, None).await;
            }
        }
        // Replay: the primary key (tenant, assertion ID) holds across replicas. DO NOTHING
        // keeps the transaction usable (on PostgreSQL a failed statement would abort it), so
        // the refusal is logged in it.
        let inserted = assertion_replay::Entity::insert(assertion_replay::ActiveModel {
            tenant_id: Set(tenant_id.as_uuid()),
            assertion_id: Set(a.assertion_id.clone()),
            expires_at: Set(a.not_on_or_after.max(now + Duration::minutes(5))),
        })
        .on_conflict(
            OnConflict::columns([assertion_replay::Column::TenantId, assertion_replay::Column::AssertionId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        if inserted != 1 {
            let detail = replay_detail(&a.assertion_id);
            return self.refuse_in(txn, &attempt, SignInReason::Replay, &detail, None).await;
        }
        let user = match found {
            Some(u) => u,
            None if jit_provisioning && attempt.flow != SignInFlow::Test => {
                // Rare: the request and assertion are spent first, then the user is made in
                // its own transaction (with its audit entry), then the hand-over.
                txn.commit().await?;
                let user = self.jit_create(tenant_id, a).await?;
                attempt.user_id = Some(user.id);
                let txn = self.begin_write().await?;
                return self.hand_over(txn, &user, request, relay_state, a, &attempt).await;
            }
            None => {
                let detail = format!(
                    "no user has the federation ID {:?}; create the user (or provision them over SCIM) first",
                    a.name_id
                );
                return self.refuse_in(txn, &attempt, SignInReason::UnknownUser, &detail, Some(a)).await;
            }
        };
        attempt.user_id = Some(user.id);
        match user.status {
            UserStatus::Active => {}
            UserStatus::Pending => {
                let detail = format!("user {} exists but is pending; activate them", user.email);
                return self.refuse_in(txn, &attempt, SignInReason::UserPending, &detail, Some(a)).await;
            }
            UserStatus::Suspended => {
                let detail = format!("user {} is suspended", user.email);
                return self.refuse_in(txn, &attempt, SignInReason::UserSuspended, &detail, Some(a)).await;
            }
        }
        self.hand_over(txn, &user, request, relay_state, a, &attempt).await
    }

    /// The success: its sign-in log entry and the one-time hand-over (or, for a test run,
    /// the report), committed with whatever `txn` already holds.
    async fn hand_over(
        &self,
        txn: DatabaseTransaction,
        user: &User,
        request: Option<sso_request::Model>,
        relay_state: Option<&str>,
        a: &ValidatedAssertion,
        attempt: &Attempt<'_>,
    ) -> SsoResult<AcsOutcome> {
        let now = self.now();
        let detail = format!("signed in as {} (NameID {:?})", user.email, a.name_id);
        let event_id = self.record_on(&txn, attempt, SignInReason::Success, &detail).await?;
        if attempt.flow == SignInFlow::Test {
            txn.commit().await?;
            return Ok(AcsOutcome::Test(report(SignInReason::Success, &detail, Some(user), a, attempt)));
        }
        let relay = match &request {
            Some(r) => r.relay_state.clone(),
            None => Some(safe_redirect(relay_state)),
        };
        let handle = TokenKind::Handoff.generate();
        sso_handoff::Entity::insert(sso_handoff::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            handle_hash: Set(secrets::token_hash(&handle)),
            tenant_id: Set(user.tenant_id.as_uuid()),
            user_id: Set(Some(user.id.as_uuid())),
            purpose: Set(RequestPurpose::Login.as_str().into()),
            binding_hash: Set(request.and_then(|r| r.binding_hash)),
            relay_state: Set(relay),
            name_id: Set(a.name_id.clone()),
            name_id_format: Set(a.name_id_format.clone()),
            session_index: Set(a.session_index.clone()),
            sign_in_event_id: Set(event_id.as_uuid()),
            expires_at: Set(now + HANDOFF_LIFETIME),
        })
        .exec_without_returning(&txn)
        .await?;
        txn.commit().await?;
        Ok(AcsOutcome::Handoff { handle, organisation: None })
    }

    /// A refusal after validation: logged in `txn`, which is committed (the request and
    /// assertion it spent stay spent); a test run gets its report instead.
    async fn refuse_in(
        &self,
        txn: DatabaseTransaction,
        attempt: &Attempt<'_>,
        reason: SignInReason,
        detail: &str,
        validated: Option<&ValidatedAssertion>,
    ) -> SsoResult<AcsOutcome> {
        let event = self.fail_event_on(&txn, attempt, reason, detail).await?;
        txn.commit().await?;
        match validated {
            Some(a) if attempt.flow == SignInFlow::Test => {
                Ok(AcsOutcome::Test(report(reason, detail, None, a, attempt)))
            }
            _ => Err(refused(reason, reason.user_message(), event)),
        }
    }

    /// The connection that owns `issuer` (an issuer belongs to one tenant, enabled or not, so a
    /// disabled tenant's Response is refused as such instead of as an unknown issuer).
    pub(crate) async fn connection_by_issuer(&self, issuer: &str) -> Result<Option<sso_connection::Model>> {
        Ok(sso_connection::Entity::find().filter(sso_connection::Column::Issuer.eq(issuer)).one(&self.db).await?)
    }

    async fn find_sso_user(&self, tenant_id: TenantId, name_id: &str) -> Result<Option<User>> {
        // `all`, not `one`: a live user's federation key is unique in its tenant (the partial
        // unique index `ux_users_tenant_federation_key`), and `one` adds `LIMIT` as a bound
        // parameter, which makes SQLite compile the statement again before every run (it
        // plans with a bound LIMIT's value, so rebinding it expires the statement) — 5 % of
        // the SQLite server's time under sign-in load (BENCHMARKS.md, issue 11, sixth step).
        live_users(tenant_id)
            .filter(user::Column::FederationKey.eq(federation_key(name_id)))
            .all(&self.db)
            .await?
            .into_iter()
            .next()
            .map(User::try_from)
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
        let scope = AdminScope::for_system(tenant_id, Actor::system(super::JIT_ACTOR));
        self.create_user_from(
            &scope,
            crate::UserSource::JustInTime,
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
}
