//! Console sessions: made by a sign-in, resolved from the cookie (idle and absolute expiry),
//! ended by sign-out; and `me`, who a session is.

use super::{NewSessionInfo, SignedIn, SsoSessionInfo, TOUCH_EVERY};
use crate::auth::principal::{Actor, Principal, TenantScope, Who};
use crate::error::{Error, Result};
use crate::ids::*;
use crate::model::*;
use crate::secrets::TokenKind;
use crate::store::entities::{operator, session, user};
use crate::store::live_users;
use crate::{Identity, secrets};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr,
};

/// Who is signed in, as `me` shows it.
#[derive(Clone, Debug)]
pub struct Me {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: MeRole,
    pub tenant: Option<Tenant>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MeRole {
    Operator,
    TenantAdmin,
    User,
    ApiToken,
}

impl Identity {
    /// Starts a session for an already authenticated principal (password or SSO).
    pub async fn create_session(
        &self,
        principal: &Principal,
        method: AuthMethod,
        info: &NewSessionInfo,
    ) -> Result<SignedIn> {
        self.create_session_with(principal, method, info, None).await
    }

    /// A session that remembers what single logout will need.
    pub(crate) async fn create_session_with(
        &self,
        principal: &Principal,
        method: AuthMethod,
        info: &NewSessionInfo,
        sso: Option<&SsoSessionInfo>,
    ) -> Result<SignedIn> {
        self.create_session_on(&self.db, principal, method, info, sso).await
    }

    /// [`Self::create_session_with`] on `conn`, for a sign-in that writes in one transaction.
    pub(crate) async fn create_session_on(
        &self,
        conn: &impl ConnectionTrait,
        principal: &Principal,
        method: AuthMethod,
        info: &NewSessionInfo,
        sso: Option<&SsoSessionInfo>,
    ) -> Result<SignedIn> {
        let now = self.now();
        let token = TokenKind::Session.generate();
        let expires_at = now + self.sessions.absolute_timeout;
        let (tenant_id, user_id, operator_id) = match &principal.who {
            Who::Operator { id, .. } => (None, None, Some(id.as_uuid())),
            Who::User { tenant_id, user_id, .. } => (Some(tenant_id.as_uuid()), Some(user_id.as_uuid()), None),
            Who::ApiToken { .. } => {
                return Err(Error::internal("an API token cannot start a session"));
            }
        };
        session::ActiveModel {
            id: Set(SessionId::generate().as_uuid()),
            token_hash: Set(secrets::token_hash(&token)),
            tenant_id: Set(tenant_id),
            user_id: Set(user_id),
            operator_id: Set(operator_id),
            auth_method: Set(method.as_str().into()),
            created_at: Set(now),
            last_seen_at: Set(now),
            expires_at: Set(expires_at),
            user_agent: Set(info.user_agent.as_ref().map(|s| s.chars().take(512).collect())),
            ip: Set(info.ip.clone()),
            name_id: Set(sso.map(|s| s.name_id.clone())),
            name_id_format: Set(sso.and_then(|s| s.name_id_format.clone())),
            session_index: Set(sso.and_then(|s| s.session_index.clone())),
        }
        .insert(conn)
        .await?;
        Ok(SignedIn { session_token: token, principal: principal.clone(), expires_at })
    }

    /// The principal behind a session cookie, if the session is live and its user still
    /// active. Unknown, expired and idle sessions are all just `None`.
    pub async fn resolve_session(&self, token: &str) -> Result<Option<Principal>> {
        self.find_session(token, true).await
    }

    /// Whether the session behind a cookie still stands (not signed out, expired, idle too
    /// long, or its user suspended), without counting as use: a long-lived connection (the
    /// live sign-in log) re-checks with this, so leaving a page open does not keep a session
    /// from going idle.
    pub async fn session_still_valid(&self, token: &str) -> Result<Option<Principal>> {
        self.find_session(token, false).await
    }

    async fn find_session(&self, token: &str, touch: bool) -> Result<Option<Principal>> {
        if !TokenKind::Session.is_plausible(token) {
            return Ok(None);
        }
        let now = self.now();
        let Some(s) = session::Entity::find()
            .filter(session::Column::TokenHash.eq(secrets::token_hash(token)))
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        if s.expires_at <= now || s.last_seen_at + self.sessions.idle_timeout <= now {
            session::Entity::delete_by_id(s.id).exec(&self.db).await?;
            return Ok(None);
        }
        let principal = if let Some(op) = s.operator_id {
            operator::Entity::find_by_id(op).one(&self.db).await?.map(|o| Principal::operator(o.id.into(), o.email))
        } else if let (Some(t), Some(u)) = (s.tenant_id, s.user_id) {
            let u = live_users(TenantId::from(t)).filter(user::Column::Id.eq(u)).one(&self.db).await?;
            match u {
                Some(u) if u.status == UserStatus::Active.as_str() => {
                    Some(Principal::user(t.into(), u.id.into(), u.email, Role::parse_stored(&u.role)?))
                }
                _ => None,
            }
        } else {
            None
        };
        if touch && principal.is_some() && now - s.last_seen_at >= TOUCH_EVERY {
            session::Entity::update_many()
                .col_expr(session::Column::LastSeenAt, Expr::value(now))
                .filter(session::Column::Id.eq(s.id))
                .exec(&self.db)
                .await?;
        }
        Ok(principal)
    }

    /// Ends the session behind a cookie (nothing happens for an unknown one).
    pub async fn sign_out(&self, token: &str) -> Result<()> {
        session::Entity::delete_many()
            .filter(session::Column::TokenHash.eq(secrets::token_hash(token)))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// The signed-in user's own record (for `me`), or the operator's.
    pub async fn me(&self, principal: &Principal) -> Result<Me> {
        match &principal.who {
            Who::Operator { id, email } => Ok(Me {
                id: id.to_string(),
                email: email.clone(),
                display_name: email.clone(),
                role: MeRole::Operator,
                tenant: None,
            }),
            Who::User { .. } | Who::ApiToken { .. } => {
                let scope = TenantScope::of_principal(principal).ok_or(Error::NotFound { what: "tenant" })?;
                let tenant = self.tenant(&scope).await?;
                match &principal.who {
                    Who::User { user_id, role, .. } => {
                        let u = self.find_user(&self.db, &scope, *user_id).await?;
                        Ok(Me {
                            id: u.id.to_string(),
                            email: u.email,
                            display_name: u.display_name,
                            role: if *role == Role::TenantAdmin { MeRole::TenantAdmin } else { MeRole::User },
                            tenant: Some(tenant),
                        })
                    }
                    _ => {
                        let actor: Actor = principal.actor();
                        Ok(Me {
                            id: actor.id.unwrap_or_default(),
                            email: String::new(),
                            display_name: actor.label,
                            role: MeRole::ApiToken,
                            tenant: Some(tenant),
                        })
                    }
                }
            }
        }
    }
}
