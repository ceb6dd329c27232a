//! The hand-over: the browser brings the ACS's one-time handle to our own site, where its
//! binding cookie is compared and the session is made.

use super::{Attempt, HANDOFF_LIFETIME, RequestMeta, SignInFlow, SignInReason, SsoResult, refused, safe_redirect};
use crate::auth::SsoSessionInfo;
use crate::auth::principal::Principal;
use crate::error::Error;
use crate::ids::TenantId;
use crate::model::*;
use crate::secrets;
use crate::store::entities::{sso_handoff, user};
use crate::store::live_users;
use crate::{Identity, NewSessionInfo, SignedIn};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// A finished sign-in and where to send the browser.
#[derive(Debug)]
pub struct SsoSignedIn {
    pub signed_in: SignedIn,
    pub redirect_to: String,
}

impl Identity {
    /// The browser arrives on our site with the hand-over handle; its binding cookie must
    /// match the one set when this browser started the sign-in (SP-initiated).
    pub async fn complete_sso(
        &self,
        handle: &str,
        binding_nonce: Option<&str>,
        meta: &RequestMeta,
    ) -> SsoResult<SsoSignedIn> {
        let now = self.now();
        // One sign-in writing at a time per process on SQLite (see `Identity::sqlite_sign_in_gate`).
        let _gate = self.sqlite_sign_in_gate().await;
        // Found and used up in one statement: of two requests with the same handle, one
        // gets the row and the other nothing, on every replica.
        let row = sso_handoff::Entity::delete_many()
            .filter(sso_handoff::Column::HandleHash.eq(secrets::token_hash(handle)))
            .exec_with_returning(&self.db)
            .await?
            .into_iter()
            .next();
        let Some(row) = row else {
            // Unknown, already used, or purged: no row names a tenant, so there is no
            // sign-in log to write to.
            return Err(refused(SignInReason::HandoffExpired, SignInReason::HandoffExpired.user_message(), None));
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
        // The ACS logged the validated Response; a hand-over that then fails is logged too, so
        // the admin does not read a success for a sign-in that never got its session.
        if row.expires_at <= now {
            let detail = format!(
                "the browser reached Gatehouse {} seconds after the identity provider's answer; the hand-over lasts {} seconds",
                (now - row.expires_at + HANDOFF_LIFETIME).num_seconds(),
                HANDOFF_LIFETIME.num_seconds()
            );
            return Err(self.fail(&attempt, SignInReason::HandoffExpired, &detail).await);
        }
        if let Some(expected) = &row.binding_hash
            && binding_nonce.map(secrets::token_hash).as_ref() != Some(expected)
        {
            let detail = "the browser that finished the sign-in is not the one that started it (binding cookie missing or different)";
            return Err(self.fail(&attempt, SignInReason::BrowserMismatch, detail).await);
        }
        let user_id = row.user_id.ok_or_else(|| Error::internal("hand-over without a user"))?;
        let u = live_users(TenantId::from(row.tenant_id))
            .filter(user::Column::Id.eq(user_id))
            .one(&self.db)
            .await?
            .map(User::try_from)
            .transpose()?
            .filter(|u| u.status == UserStatus::Active);
        let Some(u) = u else {
            let detail = "the user was suspended or deleted between the identity provider's answer and the hand-over";
            return Err(self.fail(&attempt, SignInReason::UserSuspended, detail).await);
        };
        let principal = Principal::user(u.tenant_id, u.id, u.email.clone(), u.role);
        let sso = SsoSessionInfo {
            name_id: row.name_id.clone(),
            name_id_format: row.name_id_format.clone(),
            session_index: row.session_index.clone(),
        };
        let info = NewSessionInfo { ip: meta.ip.clone(), user_agent: meta.user_agent.clone() };
        let signed_in = self.create_session_with(&principal, AuthMethod::Sso, &info, Some(&sso)).await?;
        Ok(SsoSignedIn { signed_in, redirect_to: safe_redirect(row.relay_state.as_deref()) })
    }
}
