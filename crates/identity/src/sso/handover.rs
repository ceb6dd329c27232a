//! The hand-over: the browser brings the ACS's one-time handle to our own site, where its
//! binding cookie is compared and the session is made.

use super::pg_sign_in::HandoffFacts;
use super::{Attempt, HANDOFF_LIFETIME, RequestMeta, SignInFlow, SignInReason, SsoResult, refused, safe_redirect};
use crate::auth::principal::Principal;
use crate::error::Error;
use crate::model::*;
use crate::secrets;
use crate::{Identity, SignedIn};
use chrono::{DateTime, Utc};

/// A finished sign-in and where to send the browser.
#[derive(Debug)]
pub struct SsoSignedIn {
    pub signed_in: SignedIn,
    pub redirect_to: String,
}

impl Identity {
    /// The browser arrives on our site with the hand-over handle; its binding cookie must
    /// match the one set when this browser started the sign-in (SP-initiated).
    #[tracing::instrument(name = "sso.complete", skip_all)]
    pub async fn complete_sso(
        &self,
        handle: &str,
        binding_nonce: Option<&str>,
        meta: &RequestMeta,
    ) -> SsoResult<SsoSignedIn> {
        let now = self.now();
        // One statement on PostgreSQL, one batch on SQLite (under the sign-in gate there): the
        // handle used up and, when every check passes, the session made.
        let row = {
            let mut gate = self.sqlite_sign_in_gate().await;
            self.handover_row(gate.as_deref_mut(), handle, binding_nonce, meta).await?
        };
        let Some(row) = row else {
            // Unknown, already used, or purged: no row names a tenant, so there is no
            // sign-in log to write to.
            return Err(refused(SignInReason::HandoffExpired, SignInReason::HandoffExpired.user_message(), None));
        };
        // The statement made the session only if the checks below pass; they run again here
        // to say why it did not.
        let facts = &row.handoff;
        let attempt = facts.attempt(meta);
        if let Some((reason, detail)) = facts.refusal(now, binding_nonce) {
            return Err(self.fail(&attempt, reason, &detail).await);
        }
        let user_id = facts.user_id.ok_or_else(|| Error::internal("hand-over without a user"))?;
        let active = row.user.filter(|(_, _, status)| *status == UserStatus::Active);
        let (Some((email, role, _)), Some((session, token))) = (active, row.session) else {
            return Err(self.fail(&attempt, SignInReason::UserSuspended, USER_GONE).await);
        };
        let principal = Principal::user(facts.tenant_id, user_id, email, role);
        let signed_in = SignedIn { session_token: token, principal, expires_at: session.expires_at };
        Ok(SsoSignedIn { signed_in, redirect_to: safe_redirect(facts.relay_state.as_deref()) })
    }
}

const USER_GONE: &str = "the user was suspended or deleted between the identity provider's answer and the hand-over";

impl HandoffFacts {
    fn attempt<'a>(&'a self, meta: &'a RequestMeta) -> Attempt<'a> {
        Attempt {
            tenant_id: Some(self.tenant_id),
            user_id: self.user_id,
            name_id: Some(&self.name_id),
            flow: if self.binding_hash.is_some() { SignInFlow::SpInitiated } else { SignInFlow::IdpInitiated },
            fingerprint: None,
            clock_offset: None,
            meta,
        }
    }

    /// The ACS logged the validated Response; a hand-over that then fails is logged too, so
    /// the admin does not read a success for a sign-in that never got its session.
    fn refusal(&self, now: DateTime<Utc>, binding_nonce: Option<&str>) -> Option<(SignInReason, String)> {
        if self.expires_at <= now {
            let detail = format!(
                "the browser reached Gatehouse {} seconds after the identity provider's answer; the hand-over lasts {} seconds",
                (now - self.expires_at + HANDOFF_LIFETIME).num_seconds(),
                HANDOFF_LIFETIME.num_seconds()
            );
            return Some((SignInReason::HandoffExpired, detail));
        }
        if let Some(expected) = &self.binding_hash
            && binding_nonce.map(secrets::token_hash).as_ref() != Some(expected)
        {
            let detail = "the browser that finished the sign-in is not the one that started it (binding cookie missing or different)";
            return Some((SignInReason::BrowserMismatch, detail.into()));
        }
        None
    }
}
