//! Authentication: password sign-in to the console, sessions (random 256-bit IDs stored
//! as SHA-256 hashes, with idle and absolute expiry), API tokens, platform operators.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait, sea_query::Expr,
};
use serde_json::json;

use crate::audit::{self, Change};
use crate::entities::{api_token, operator, session, sso_connection, tenant, user};
use crate::error::{Error, Result, on_unique};
use crate::ids::*;
use crate::model::*;
use crate::principal::{Actor, OperatorScope, Principal, TenantScope};
use crate::throttle::{self, Key};
use crate::{Identity, secrets, validate};

const SESSION_PREFIX: &str = "gh_s_";
const API_TOKEN_PREFIX: &str = "gh_api_";
/// Last-seen / last-used times are written at most this often per session or token.
const TOUCH_EVERY: Duration = Duration::seconds(60);

/// A password sign-in attempt.
#[derive(Clone, Debug, Default)]
pub struct SignIn {
    pub email: String,
    pub password: String,
    /// Needed only when the e-mail and password match accounts in several tenants.
    pub tenant: Option<String>,
    pub session: NewSessionInfo,
}

/// Where a session was made from (kept for the admin's view, never for auth).
#[derive(Clone, Debug, Default)]
pub struct NewSessionInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// A new session: the cookie value (shown once, never stored) and who it is for.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub session_token: String,
    pub principal: Principal,
    pub expires_at: DateTime<Utc>,
}

/// The IdP's view of an SSO session, kept for single logout.
#[derive(Clone, Debug)]
pub(crate) struct SsoSessionInfo {
    pub name_id: String,
    pub name_id_format: Option<String>,
    pub session_index: Option<String>,
}

#[expect(clippy::large_enum_variant, reason = "a handful live for one sign-in; boxing buys nothing")]
enum Candidate {
    Operator(operator::Model),
    User(user::Model, tenant::Model),
}

fn wrong_credentials() -> Error {
    Error::Unauthenticated("wrong e-mail or password".into())
}

impl Identity {
    /// Signs in with e-mail and password. Every candidate account's hash is checked, so
    /// timing says nothing about which e-mails exist.
    ///
    /// Throttled before any hashing: every attempt is counted against the e-mail (known or
    /// not) atomically, so parallel guesses at one account cannot slip past its limit;
    /// the client address is checked first and counts failures only, so many people
    /// signing in at once behind one address are never mistaken for an attack.
    #[tracing::instrument(skip(self, input), err(level = "info"))]
    pub async fn sign_in(&self, input: SignIn) -> Result<SignedIn> {
        let email = input.email.trim().to_lowercase();
        let account = [Key::Account(&email)];
        let address: Vec<Key<'_>> = input.session.ip.as_deref().map(Key::PasswordAddress).into_iter().collect();
        if let Some(secs) = self.count_attempt_unless(&account, &address).await? {
            tracing::info!(
                reason = "password_rate_limited",
                retry_after_secs = secs,
                "password sign-in refused unchecked"
            );
            return Err(throttle::refused("too many sign-in attempts for this account or from this address", secs));
        }
        let tenant_slug = input.tenant.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let (candidates, matches) = match self.check_password(&email, tenant_slug, &input.password).await {
            Ok(checked) => checked,
            Err(e) => {
                if matches!(e, Error::RateLimited { .. }) {
                    // Not checked at all: the attempt does not count.
                    self.take_back(&account).await?;
                }
                return Err(e);
            }
        };
        let meta = crate::RequestMeta {
            ip: input.session.ip.clone(),
            user_agent: input.session.user_agent.clone(),
            quiet_failures: false,
        };
        let known_users: Vec<(TenantId, UserId)> = candidates
            .iter()
            .filter_map(|c| match c {
                Candidate::User(u, t) => Some((t.id.into(), u.id.into())),
                Candidate::Operator(_) => None,
            })
            .collect();
        let mut matched: Vec<Candidate> =
            candidates.into_iter().zip(matches).filter_map(|(c, ok)| ok.then_some(c)).collect();
        if matched.is_empty() {
            // Each tenant where this e-mail exists sees the failed attempt in its sign-in log.
            for (tenant_id, user_id) in known_users {
                self.record_password_attempt(&self.db, tenant_id, user_id, &email, Err("wrong_password"), &meta)
                    .await?;
            }
            self.count_attempt(&address).await?;
            return Err(wrong_credentials());
        }
        if matched.len() > 1 {
            // The password was right, so the account's count is forgotten all the same.
            self.forget(&self.db, &account).await?;
            return Err(Error::invalid(
                "tenant",
                "this e-mail signs in to several tenants; choose the tenant (its short name) to sign in to",
            ));
        }
        let Some(who) = matched.pop() else { return Err(wrong_credentials()) };
        let principal = match who {
            Candidate::Operator(o) => Principal::Operator { id: o.id.into(), email: o.email },
            Candidate::User(u, t) => {
                let role = Role::parse_stored(&u.role)?;
                // Refused for who the person is, not for the password: that was right, so
                // the account's count is forgotten here too.
                let refuse = async |reason: &'static str| -> Result<()> {
                    let txn = self.begin_write().await?;
                    self.forget(&txn, &account).await?;
                    self.record_password_attempt(&txn, t.id.into(), u.id.into(), &u.email, Err(reason), &meta).await?;
                    Ok(txn.commit().await?)
                };
                match UserStatus::parse_stored(&u.status)? {
                    UserStatus::Active => {}
                    UserStatus::Pending => {
                        refuse("user_pending").await?;
                        return Err(Error::Unauthenticated(
                            "your account is not active yet; ask your administrator".into(),
                        ));
                    }
                    UserStatus::Suspended => {
                        refuse("user_suspended").await?;
                        return Err(Error::Unauthenticated("your account is suspended; ask your administrator".into()));
                    }
                }
                let policy = sso_connection::Entity::find()
                    .filter(sso_connection::Column::TenantId.eq(t.id))
                    .one(&self.db)
                    .await?
                    .map(|c| LoginPolicy::parse_stored(&c.login_policy))
                    .transpose()?
                    .unwrap_or(LoginPolicy::Password);
                // Tenant admins keep password sign-in under an SSO-only policy, so a broken
                // IdP configuration cannot lock the tenant out of its own settings.
                if policy == LoginPolicy::Sso && role != Role::TenantAdmin {
                    refuse("sso_required").await?;
                    return Err(Error::Forbidden(
                        "your organisation signs in with single sign-on; use \"Sign in with SSO\"".into(),
                    ));
                }
                Principal::User { tenant_id: t.id.into(), user_id: u.id.into(), email: u.email, role }
            }
        };
        // The password was right: in one transaction (one commit, one turn of SQLite's
        // write lock) the account's count is forgotten, the sign-in logged and the session made.
        let txn = self.begin_write().await?;
        self.forget(&txn, &account).await?;
        if let Principal::User { tenant_id, user_id, email, .. } = &principal {
            self.record_password_attempt(&txn, *tenant_id, *user_id, email, Ok(()), &meta).await?;
        }
        let signed_in = self.create_session_on(&txn, &principal, "password", &input.session, None).await?;
        txn.commit().await?;
        Ok(signed_in)
    }

    /// The accounts this e-mail names (in one tenant when `tenant_slug` is given) and,
    /// for each, whether the password matches; checked in the bounded hashing pool.
    async fn check_password(
        &self,
        email: &str,
        tenant_slug: Option<&str>,
        password: &str,
    ) -> Result<(Vec<Candidate>, Vec<bool>)> {
        let mut candidates = Vec::new();
        if tenant_slug.is_none()
            && let Some(op) = operator::Entity::find().filter(operator::Column::Email.eq(email)).one(&self.db).await?
        {
            candidates.push(Candidate::Operator(op));
        }
        let mut q = user::Entity::find()
            .find_also_related(tenant::Entity)
            .filter(user::Column::Email.eq(email))
            .filter(user::Column::DeletedAt.is_null());
        if let Some(slug) = tenant_slug {
            q = q.filter(tenant::Column::Slug.eq(slug));
        }
        for (u, t) in q.all(&self.db).await? {
            if let Some(t) = t {
                candidates.push(Candidate::User(u, t));
            }
        }
        let password = password.to_owned();
        let hashes: Vec<Option<String>> = candidates
            .iter()
            .map(|c| match c {
                Candidate::Operator(o) => Some(o.password_hash.clone()),
                Candidate::User(u, _) => u.password_hash.clone(),
            })
            .collect();
        let matches = self
            .hashing(move || {
                if hashes.is_empty() {
                    secrets::verify_password(&password, secrets::dummy_hash());
                    return Vec::new();
                }
                hashes
                    .iter()
                    .map(|h| {
                        secrets::verify_password(&password, h.as_deref().unwrap_or(secrets::dummy_hash()))
                            && h.is_some()
                    })
                    .collect()
            })
            .await?;
        Ok((candidates, matches))
    }

    /// Starts a session for an already authenticated principal (password or SSO).
    pub async fn create_session(&self, principal: &Principal, method: &str, info: &NewSessionInfo) -> Result<SignedIn> {
        self.create_session_with(principal, method, info, None).await
    }

    /// A session that remembers what single logout will need.
    pub(crate) async fn create_session_with(
        &self,
        principal: &Principal,
        method: &str,
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
        method: &str,
        info: &NewSessionInfo,
        sso: Option<&SsoSessionInfo>,
    ) -> Result<SignedIn> {
        let now = self.now();
        let token = secrets::new_token(SESSION_PREFIX);
        let expires_at = now + self.sessions.absolute_timeout;
        let (tenant_id, user_id, operator_id) = match principal {
            Principal::Operator { id, .. } => (None, None, Some(id.as_uuid())),
            Principal::User { tenant_id, user_id, .. } => (Some(tenant_id.as_uuid()), Some(user_id.as_uuid()), None),
            Principal::ApiToken { .. } => {
                return Err(Error::internal("an API token cannot start a session"));
            }
        };
        session::ActiveModel {
            id: Set(SessionId::generate().as_uuid()),
            token_hash: Set(secrets::token_hash(&token)),
            tenant_id: Set(tenant_id),
            user_id: Set(user_id),
            operator_id: Set(operator_id),
            auth_method: Set(method.to_owned()),
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
        if !token.starts_with(SESSION_PREFIX) || token.len() > 128 {
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
            operator::Entity::find_by_id(op)
                .one(&self.db)
                .await?
                .map(|o| Principal::Operator { id: o.id.into(), email: o.email })
        } else if let (Some(t), Some(u)) = (s.tenant_id, s.user_id) {
            let u = user::Entity::find_by_id(u)
                .filter(user::Column::TenantId.eq(t))
                .filter(user::Column::DeletedAt.is_null())
                .one(&self.db)
                .await?;
            match u {
                Some(u) if u.status == UserStatus::Active.as_str() => Some(Principal::User {
                    tenant_id: t.into(),
                    user_id: u.id.into(),
                    email: u.email,
                    role: Role::parse_stored(&u.role)?,
                }),
                _ => None,
            }
        } else {
            None
        };
        if principal.is_some() && now - s.last_seen_at >= TOUCH_EVERY {
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

    /// Creates an API token; the token text is returned once and only its hash is kept.
    #[tracing::instrument(skip(self, scope), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn create_api_token(&self, scope: &TenantScope, name: &str) -> Result<(String, ApiToken)> {
        scope.require_admin()?;
        let name = validate::required_text("name", name, 100).map_err(|e| Error::Validation(vec![e]))?;
        let token = secrets::new_token(API_TOKEN_PREFIX);
        let now = self.now();
        let txn = self.db.begin().await?;
        let m = api_token::ActiveModel {
            id: Set(ApiTokenId::generate().as_uuid()),
            tenant_id: Set(scope.tenant_id().as_uuid()),
            name: Set(name),
            token_hash: Set(secrets::token_hash(&token)),
            token_prefix: Set(token.chars().take(API_TOKEN_PREFIX.len() + 4).collect()),
            created_by: Set(scope.actor().label.clone()),
            created_at: Set(now),
            last_used_at: Set(None),
            revoked_at: Set(None),
        }
        .insert(&txn)
        .await?;
        let t = to_api_token(m);
        audit::record(
            &txn,
            now,
            Change::in_scope(scope, "api_token.create", "api_token", t.id, None, Some(json!({"name": t.name}))),
        )
        .await?;
        txn.commit().await?;
        Ok((token, t))
    }

    /// The tenant's API tokens, oldest first, a page at a time.
    pub async fn api_tokens(&self, scope: &TenantScope, page: &PageRequest) -> Result<Page<ApiToken>> {
        scope.require_admin()?;
        let size = page.size()?;
        let mut q = api_token::Entity::find()
            .filter(api_token::Column::TenantId.eq(scope.tenant_id().as_uuid()))
            .order_by_asc(api_token::Column::Id)
            .limit(size + 1);
        if let Some(after) = page.after_uuid()? {
            q = q.filter(api_token::Column::Id.gt(after));
        }
        let rows = q.all(&self.db).await?;
        Ok(page_from(rows.into_iter().map(to_api_token).collect(), size))
    }

    #[tracing::instrument(skip(self, scope), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn revoke_api_token(&self, scope: &TenantScope, id: ApiTokenId) -> Result<ApiToken> {
        scope.require_admin()?;
        let now = self.now();
        let txn = self.db.begin().await?;
        let m = api_token::Entity::find_by_id(id.as_uuid())
            .filter(api_token::Column::TenantId.eq(scope.tenant_id().as_uuid()))
            .one(&txn)
            .await?
            .ok_or(Error::NotFound { what: "API token" })?;
        if m.revoked_at.is_some() {
            return Ok(to_api_token(m));
        }
        let m = api_token::ActiveModel { id: Set(m.id), revoked_at: Set(Some(now)), ..Default::default() }
            .update(&txn)
            .await?;
        let t = to_api_token(m);
        audit::record(
            &txn,
            now,
            Change::in_scope(scope, "api_token.revoke", "api_token", t.id, Some(json!({"name": t.name})), None),
        )
        .await?;
        txn.commit().await?;
        Ok(t)
    }

    /// The principal behind an `Authorization: Bearer` API token, if live.
    pub async fn resolve_api_token(&self, token: &str) -> Result<Option<Principal>> {
        if !token.starts_with(API_TOKEN_PREFIX) || token.len() > 128 {
            return Ok(None);
        }
        let Some(m) = api_token::Entity::find()
            .filter(api_token::Column::TokenHash.eq(secrets::token_hash(token)))
            .filter(api_token::Column::RevokedAt.is_null())
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let now = self.now();
        if m.last_used_at.is_none_or(|t| now - t >= TOUCH_EVERY) {
            api_token::Entity::update_many()
                .col_expr(api_token::Column::LastUsedAt, Expr::value(now))
                .filter(api_token::Column::Id.eq(m.id))
                .exec(&self.db)
                .await?;
        }
        Ok(Some(Principal::ApiToken { tenant_id: m.tenant_id.into(), token_id: m.id.into(), name: m.name }))
    }

    /// Creates a platform operator (the CLI's `admin create`, and first start).
    #[tracing::instrument(skip(self, scope, password), err)]
    pub async fn create_operator(&self, scope: &OperatorScope, email: &str, password: &str) -> Result<Operator> {
        let email = validate::email("email", email).map_err(|e| Error::Validation(vec![e]))?;
        secrets::check_password_strength("password", password)?;
        let hash = self.hash_password(password).await?;
        let now = self.now();
        let txn = self.db.begin().await?;
        let m = operator::ActiveModel {
            id: Set(OperatorId::generate().as_uuid()),
            email: Set(email.clone()),
            display_name: Set(email.clone()),
            password_hash: Set(hash),
            created_at: Set(now),
        }
        .insert(&txn)
        .await
        .map_err(|e| on_unique(e, "email", "an operator with this e-mail already exists"))?;
        audit::record(
            &txn,
            now,
            Change {
                tenant_id: None,
                actor: scope.actor(),
                action: "operator.create",
                target_type: "operator",
                target_id: Some(m.id.to_string()),
                before: None,
                after: Some(json!({"email": email})),
            },
        )
        .await?;
        txn.commit().await?;
        Ok(Operator { id: m.id.into(), email: m.email, display_name: m.display_name })
    }

    pub(crate) async fn operator_count(&self) -> Result<u64> {
        use sea_orm::PaginatorTrait;
        Ok(operator::Entity::find().count(&self.db).await?)
    }

    /// The signed-in user's own record (for `me`), or the operator's.
    pub async fn me(&self, principal: &Principal) -> Result<Me> {
        match principal {
            Principal::Operator { id, email } => Ok(Me {
                id: id.to_string(),
                email: email.clone(),
                display_name: email.clone(),
                role: MeRole::Operator,
                tenant: None,
            }),
            Principal::User { .. } | Principal::ApiToken { .. } => {
                let scope = TenantScope::of_principal(principal).ok_or(Error::NotFound { what: "tenant" })?;
                let tenant = self.tenant(&scope).await?;
                match principal {
                    Principal::User { user_id, role, .. } => {
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

fn to_api_token(m: api_token::Model) -> ApiToken {
    ApiToken {
        id: m.id.into(),
        name: m.name,
        prefix: m.token_prefix,
        created_by: m.created_by,
        created_at: m.created_at,
        last_used_at: m.last_used_at,
        revoked_at: m.revoked_at,
    }
}
