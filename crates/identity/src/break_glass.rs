//! Break-glass accounts and the password rule for SSO-required users.
//!
//! **SSO required** (decided here, nowhere else): a user of tenant T may not sign in with
//! a password when T's login policy is `SSO`, or when T offers SSO (enabled, policy `SSO`
//! or `PASSWORD_OR_SSO`) and the user's e-mail domain is a live verified domain of T.
//! The only exception is a **break-glass account**: a user T's admins put on the list
//! explicitly (audited). Using one writes an audit entry and a sign-in log entry and
//! raises a warning in the console; an empty list while SSO is required is a warning too.
//! (Before issue 13 every tenant admin kept password sign-in under an SSO-only policy;
//! the migration put those admins on the list.)
//!
//! Called by password sign-in (`auth::password`, the one password path behind the console,
//! GraphQL `signIn` and `/login`) and by the admin's GraphQL operations.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;

use crate::Identity;
use crate::audit::{self, Change};
use crate::auth::principal::{Actor, AdminScope};
use crate::domains::{TenantSso, tenant_sso};
use crate::error::{Error, Result, on_unique};
use crate::ids::{TenantId, UserId};
use crate::model::{LoginPolicy, User};
use crate::sign_in_log::{Attempt, RequestMeta, SignInFlow, SignInReason};
use crate::store::entities::{break_glass_account, user};
use crate::store::live_users;

/// A break-glass use this recent is shown as a warning.
pub const RECENT_USE: Duration = Duration::days(7);

/// One account on the list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BreakGlassAccount {
    pub user: User,
    pub added_by: String,
    pub added_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// Something about the list the admin should act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum BreakGlassWarningKind {
    /// SSO is required for some users and nobody may use a password: if the IdP breaks,
    /// only a platform operator can get the tenant back in.
    Empty,
    /// A break-glass account signed in with a password recently.
    RecentlyUsed,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BreakGlassWarning {
    pub kind: BreakGlassWarningKind,
    pub message: String,
}

/// The list with what it means right now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BreakGlassList {
    pub accounts: Vec<BreakGlassAccount>,
    /// Some users of the tenant must use SSO (policy `SSO`, or a live verified domain).
    pub sso_required: bool,
    pub warnings: Vec<BreakGlassWarning>,
}

/// Whether `tenant_user` (an address of tenant `tenant`) must use SSO, before the
/// break-glass exception: `domain_owner` is who holds the address's domain.
pub(crate) fn sso_required(sso: Option<TenantSso>, tenant: TenantId, domain_owner: Option<TenantId>) -> bool {
    let Some(sso) = sso else { return false };
    sso.login_policy == LoginPolicy::Sso || (sso.offers_sso() && domain_owner == Some(tenant))
}

impl Identity {
    /// The tenant's break-glass accounts (live users only) and the warnings about them.
    #[tracing::instrument(skip(self, scope), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn break_glass_accounts(&self, scope: &AdminScope) -> Result<BreakGlassList> {
        let tenant = scope.tenant_id();
        let rows = break_glass_account::Entity::find()
            .filter(break_glass_account::Column::TenantId.eq(tenant.as_uuid()))
            .order_by_asc(break_glass_account::Column::AddedAt)
            .all(&self.db)
            .await?;
        let users =
            live_users(tenant).filter(user::Column::Id.is_in(rows.iter().map(|r| r.user_id))).all(&self.db).await?;
        let mut accounts = Vec::new();
        for r in rows {
            if let Some(u) = users.iter().find(|u| u.id == r.user_id) {
                accounts.push(BreakGlassAccount {
                    user: User::try_from(u.clone())?,
                    added_by: r.added_by,
                    added_at: r.added_at,
                    last_used_at: r.last_used_at,
                });
            }
        }
        let sso = tenant_sso(&self.db, tenant).await?;
        let sso_required = sso.is_some_and(|s| s.login_policy == LoginPolicy::Sso)
            || (sso.is_some_and(|s| s.offers_sso()) && self.has_live_domain(&self.db, tenant).await?);
        let mut warnings = Vec::new();
        if sso_required && accounts.is_empty() {
            warnings.push(BreakGlassWarning {
                kind: BreakGlassWarningKind::Empty,
                message: "SSO is required and no break-glass account can sign in with a password: if your IdP \
                          fails, nobody in this organisation can sign in. Add at least one break-glass account."
                    .into(),
            });
        }
        let since = self.now() - RECENT_USE;
        let recent: Vec<&str> = accounts
            .iter()
            .filter(|a| a.last_used_at.is_some_and(|t| t >= since))
            .map(|a| a.user.email.as_str())
            .collect();
        if !recent.is_empty() {
            warnings.push(BreakGlassWarning {
                kind: BreakGlassWarningKind::RecentlyUsed,
                message: format!(
                    "Break-glass sign-in used in the last 7 days by {}; check the audit log that it was expected.",
                    recent.join(", ")
                ),
            });
        }
        Ok(BreakGlassList { accounts, sso_required, warnings })
    }

    /// Puts a user of the tenant on the break-glass list.
    #[tracing::instrument(skip(self, scope), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn add_break_glass_account(&self, scope: &AdminScope, user_id: UserId) -> Result<()> {
        let txn = self.begin_write().await?;
        let u = live_users(scope.tenant_id())
            .filter(user::Column::Id.eq(user_id.as_uuid()))
            .one(&txn)
            .await?
            .ok_or(Error::NotFound { what: "user" })?;
        break_glass_account::ActiveModel {
            tenant_id: Set(scope.tenant_id().as_uuid()),
            user_id: Set(u.id),
            added_by: Set(scope.actor().label.clone()),
            added_at: Set(self.now()),
            last_used_at: Set(None),
        }
        .insert(&txn)
        .await
        .map_err(|e| on_unique(e, "userId", "this user is already a break-glass account"))?;
        audit::record(
            &txn,
            self.now(),
            Change::in_scope(scope, "break_glass.add", "user", user_id, None, audit::snapshot(&u.email)),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Takes a user off the break-glass list.
    #[tracing::instrument(skip(self, scope), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn remove_break_glass_account(&self, scope: &AdminScope, user_id: UserId) -> Result<()> {
        let txn = self.begin_write().await?;
        let gone = break_glass_account::Entity::delete_many()
            .filter(break_glass_account::Column::TenantId.eq(scope.tenant_id().as_uuid()))
            .filter(break_glass_account::Column::UserId.eq(user_id.as_uuid()))
            .exec(&txn)
            .await?
            .rows_affected;
        if gone == 0 {
            return Err(Error::NotFound { what: "break-glass account" });
        }
        audit::record(&txn, self.now(), Change::in_scope(scope, "break_glass.remove", "user", user_id, None, None))
            .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Whether the user is on their tenant's break-glass list.
    pub(crate) async fn is_break_glass(
        &self,
        conn: &impl ConnectionTrait,
        tenant: TenantId,
        user: UserId,
    ) -> Result<bool> {
        Ok(break_glass_account::Entity::find_by_id((tenant.as_uuid(), user.as_uuid())).one(conn).await?.is_some())
    }

    /// A break-glass account signed in with a password: its sign-in log entry (saying so),
    /// its last use and an audit entry, inside the sign-in's transaction.
    pub(crate) async fn record_break_glass_use(
        &self,
        conn: &impl ConnectionTrait,
        tenant: TenantId,
        user: UserId,
        email: &str,
        meta: &RequestMeta,
    ) -> Result<()> {
        let now = self.now();
        let attempt = Attempt {
            tenant_id: Some(tenant),
            user_id: Some(user),
            name_id: Some(email),
            flow: SignInFlow::Password,
            fingerprint: None,
            clock_offset: None,
            meta,
        };
        let detail = format!("{email} signed in with a password as a break-glass account (SSO is required for them)");
        self.record_on(conn, &attempt, SignInReason::Success, &detail).await?;
        break_glass_account::ActiveModel {
            tenant_id: Set(tenant.as_uuid()),
            user_id: Set(user.as_uuid()),
            last_used_at: Set(Some(now)),
            ..Default::default()
        }
        .update(conn)
        .await?;
        let actor = Actor { kind: "user", id: Some(user.to_string()), label: email.to_owned() };
        audit::record(
            conn,
            now,
            Change {
                tenant_id: Some(tenant),
                actor: &actor,
                action: "break_glass.sign_in",
                target_type: "user",
                target_id: Some(user.to_string()),
                before: None,
                after: Some(serde_json::json!({ "email": email, "ip": meta.ip })),
            },
        )
        .await
    }
}
