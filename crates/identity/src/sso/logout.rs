//! Single logout in both directions: our LogoutRequest to the IdP and its answer, and the
//! IdP's LogoutRequest (verified, once) ending the matching sessions.

use super::{REQUEST_LIFETIME, SignInReason, SsoError, SsoResult, refused, to_saml_certs};
use crate::Identity;
use crate::error::{Error, Result};
use crate::ids::*;
use crate::model::{AuthMethod, RequestPurpose};
use crate::secrets;
use crate::secrets::TokenKind;
use crate::store::entities::{logout_replay, session, sso_request};
use gatehouse_saml::logout::{
    LogoutPolicy, LogoutRequestOptions, LogoutStatus, build_logout_request, build_logout_response,
    parse_logout_request, parse_logout_response, peek_logout_request_issuer,
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

/// One decoded value of an `application/x-www-form-urlencoded` query.
fn form_value(raw_query: &str, name: &str) -> Option<String> {
    url::form_urlencoded::parse(raw_query.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

impl Identity {
    /// Ends the session behind `session_token`; for an SSO session of a tenant with an IdP
    /// Logout URL, returns the LogoutRequest redirect for single logout.
    pub async fn sign_out_everywhere(&self, session_token: &str) -> Result<Option<String>> {
        let s = session::Entity::find()
            .filter(session::Column::TokenHash.eq(secrets::token_hash(session_token)))
            .one(&self.db)
            .await?;
        let Some(s) = s else { return Ok(None) };
        session::Entity::delete_by_id(s.id).exec(&self.db).await?;
        let (Some(tenant_id), Some(name_id), Ok(AuthMethod::Sso)) =
            (s.tenant_id, s.name_id.clone(), AuthMethod::parse_stored(&s.auth_method))
        else {
            return Ok(None);
        };
        let conn = self.load_connection(&self.db, tenant_id.into()).await?;
        let Some(logout_url) = conn.logout_url.filter(|_| conn.enabled) else { return Ok(None) };
        let now = self.now();
        let relay = TokenKind::LogoutRelay.generate();
        let options = LogoutRequestOptions {
            name_id,
            name_id_format: s.name_id_format,
            session_index: s.session_index,
            relay_state: Some(relay.clone()),
            // Logout messages Gatehouse sends are always signed when it has a key.
            signing_key: self.sp_keyring().signing.clone(),
        };
        let req = build_logout_request(self.sp(), &logout_url, &options, now)
            .map_err(|e| Error::internal(format!("building the LogoutRequest failed: {e}")))?;
        sso_request::ActiveModel {
            id: Set(req.id),
            tenant_id: Set(tenant_id),
            purpose: Set(RequestPurpose::Logout.as_str().into()),
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
    /// checks the answer, consumes the pending request and names the tenant signed out of.
    pub async fn finish_logout(&self, raw_query: &str) -> SsoResult<TenantId> {
        let relay = form_value(raw_query, "RelayState");
        let pending = match relay {
            Some(r) => {
                sso_request::Entity::find()
                    .filter(sso_request::Column::Purpose.eq(RequestPurpose::Logout.as_str()))
                    .filter(sso_request::Column::RelayState.eq(r))
                    .one(&self.db)
                    .await?
            }
            None => None,
        };
        let Some(pending) = pending.filter(|p| p.expires_at > self.now()) else {
            return Err(refused(
                SignInReason::UnknownRequest,
                "This sign-out answer does not match a sign-out in progress.",
                None,
            ));
        };
        let conn = self.load_connection(&self.db, pending.tenant_id.into()).await?;
        let mut policy = LogoutPolicy::new(
            self.sp(),
            conn.issuer.unwrap_or_default(),
            to_saml_certs(&conn.certificates),
            self.now(),
        );
        policy.expected_in_response_to = Some(pending.id.clone());
        parse_logout_response(raw_query, &policy).map_err(|e| {
            refused(
                SignInReason::Saml(e.reason),
                format!("The identity provider's sign-out answer was not accepted: {}", e.detail),
                None,
            )
        })?;
        // Only a verified answer uses the pending sign-out up, once on every replica: a forged
        // answer carrying the right RelayState cannot spend the genuine one's.
        let consumed = sso_request::Entity::delete_by_id(pending.id).exec(&self.db).await?.rows_affected == 1;
        if !consumed {
            return Err(refused(
                SignInReason::UnknownRequest,
                "This sign-out answer does not match a sign-out in progress.",
                None,
            ));
        }
        Ok(pending.tenant_id.into())
    }

    /// An IdP-initiated LogoutRequest: verify it with the tenant's certificates, end the
    /// matching sessions at once, and return the LogoutResponse redirect.
    pub async fn idp_logout(&self, raw_query: &str) -> SsoResult<String> {
        let issuer = peek_logout_request_issuer(raw_query).map_err(|e| {
            refused(SignInReason::Saml(e.reason), format!("The sign-out request is not readable: {}", e.detail), None)
        })?;
        let conn_row = self.connection_by_issuer(&issuer).await?.ok_or_else(|| {
            refused(SignInReason::UnknownIssuer, "No organisation has SSO enabled with this identity provider.", None)
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
            refused(SignInReason::Saml(e.reason), format!("The sign-out request was not accepted: {}", e.detail), None)
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
                    refused(SignInReason::Replay, "This sign-out request was already used.", None)
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
            return Err(refused(
                SignInReason::NotConfigured,
                "Signed out. (No IdP Logout URL is configured to answer to.)",
                None,
            ));
        };
        build_logout_response(
            self.sp(),
            &logout_url,
            &req.id,
            LogoutStatus::Success,
            req.relay_state.as_deref(),
            self.sp_keyring().signing.as_ref(),
            self.now(),
        )
        .map_err(|e| SsoError::Internal(Error::internal(format!("building the LogoutResponse failed: {e}"))))
    }
}
