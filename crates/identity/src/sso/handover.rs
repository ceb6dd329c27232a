//! The hand-over: the browser brings the ACS's one-time handle to our own site, where its
//! binding cookie is compared and the session is made.

use super::{Attempt, RequestMeta, SignInFlow, SignInReason, SsoResult, refused, safe_redirect};
use crate::auth::SsoSessionInfo;
use crate::auth::principal::Principal;
use crate::error::Error;
use crate::model::*;
use crate::secrets;
use crate::store::entities::{sso_handoff, user};
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
        let row = sso_handoff::Entity::find()
            .filter(sso_handoff::Column::HandleHash.eq(secrets::token_hash(handle)))
            .one(&self.db)
            .await?;
        let consumed = match &row {
            Some(r) => sso_handoff::Entity::delete_by_id(r.id).exec(&self.db).await?.rows_affected == 1,
            None => false,
        };
        let Some(row) = row.filter(|r| consumed && r.expires_at > now) else {
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
        if let Some(expected) = &row.binding_hash
            && binding_nonce.map(secrets::token_hash).as_ref() != Some(expected)
        {
            let detail = "the browser that finished the sign-in is not the one that started it (binding cookie missing or different)";
            return Err(self.fail(&attempt, SignInReason::BrowserMismatch, detail).await);
        }
        let user_id = row.user_id.ok_or_else(|| Error::internal("hand-over without a user"))?;
        let u = user::Entity::find_by_id(user_id)
            .filter(user::Column::TenantId.eq(row.tenant_id))
            .filter(user::Column::DeletedAt.is_null())
            .one(&self.db)
            .await?
            .map(crate::provisioning::users::to_user)
            .transpose()?
            .filter(|u| u.status == UserStatus::Active)
            .ok_or_else(|| refused(SignInReason::UserSuspended, SignInReason::UserSuspended.user_message(), None))?;
        let principal = Principal::User { tenant_id: u.tenant_id, user_id: u.id, email: u.email.clone(), role: u.role };
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
