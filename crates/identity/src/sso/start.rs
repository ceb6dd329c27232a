//! Starting an SP-initiated sign-in: the AuthnRequest redirect and the browser binding.

use super::{REQUEST_LIFETIME, SignInReason, SsoResult, refused, safe_redirect};
use crate::Identity;
use crate::error::Error;
use crate::model::*;
use crate::secrets;
use crate::secrets::TokenKind;
use crate::store::entities::sso_request;
use gatehouse_saml::authn_request::{AuthnRequestOptions, build_authn_request};
use sea_orm::{ActiveModelTrait, ActiveValue::Set};

/// A started sign-in: send the browser to `redirect_url` and set `binding_nonce` as the
/// binding cookie.
#[derive(Clone, Debug)]
pub struct SsoStart {
    pub redirect_url: String,
    pub binding_nonce: String,
    /// The AuthnRequest's ID (a test run of a draft is tied to it).
    pub(crate) request_id: String,
}

impl Identity {
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
            .ok_or_else(|| refused(SignInReason::UnknownTenant, "There is no organisation with this name.", None))?;
        let conn = self.load_connection(&self.db, tenant.id).await?;
        if !conn.enabled {
            return Err(refused(SignInReason::SsoDisabled, SignInReason::SsoDisabled.user_message(), None));
        }
        if conn.login_policy == LoginPolicy::Password {
            return Err(refused(SignInReason::SsoNotAllowed, SignInReason::SsoNotAllowed.user_message(), None));
        }
        self.begin_request(&tenant, &conn, RequestPurpose::Login, Some(safe_redirect(relay_state)), login_hint).await
    }

    pub(crate) async fn begin_request(
        &self,
        tenant: &Tenant,
        conn: &SsoConnection,
        purpose: RequestPurpose,
        relay_state: Option<String>,
        login_hint: Option<&str>,
    ) -> SsoResult<SsoStart> {
        let Some(login_url) = conn.login_url.as_deref() else {
            return Err(refused(SignInReason::NotConfigured, SignInReason::NotConfigured.user_message(), None));
        };
        let now = self.now();
        let options = AuthnRequestOptions {
            login_hint: login_hint.map(str::trim).filter(|h| !h.is_empty() && h.len() <= 256).map(str::to_owned),
            // The tenant's choice; the key is read from memory (no extra statement).
            signing_key: if conn.sign_authn_requests { self.sp_keyring().signing.clone() } else { None },
            ..AuthnRequestOptions::default()
        };
        let request = build_authn_request(self.sp(), login_url, &options, now)
            .map_err(|e| Error::internal(format!("building the AuthnRequest failed: {e}")))?;
        let nonce = TokenKind::BrowserBinding.generate();
        sso_request::ActiveModel {
            id: Set(request.id.clone()),
            tenant_id: Set(tenant.id.as_uuid()),
            purpose: Set(purpose.as_str().into()),
            relay_state: Set(relay_state),
            binding_hash: Set(Some(secrets::token_hash(&nonce))),
            session_id: Set(None),
            created_at: Set(now),
            expires_at: Set(now + REQUEST_LIFETIME),
        }
        .insert(&self.db)
        .await?;
        Ok(SsoStart { redirect_url: request.redirect_url, binding_nonce: nonce, request_id: request.id })
    }
}
