//! Users of a tenant: created by a tenant admin (or provisioned by the IdP), matched at
//! SSO sign-in by federation ID, activated, suspended, soft-deleted.

use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, Func},
};

use crate::audit::{self, Change, snapshot};
use crate::auth::principal::{AdminScope, TenantScope};
use crate::error::{Error, Result, on_unique};
use crate::ids::*;
use crate::model::*;
use crate::provisioning::admin_guard::{AdminChange, ensure_admin_remains, lock_tenant};
use crate::store::entities::user;
use crate::store::{end_user_sessions, live_users, soft_delete_user};
use crate::{Identity, secrets, validate};

/// A user to create. Missing display name and federation ID default to the e-mail.
#[derive(Clone, Debug, Default)]
pub struct NewUser {
    pub email: String,
    pub display_name: Option<String>,
    pub federation_id: Option<String>,
    pub role: Option<Role>,
    /// Only for tenants that allow password sign-in.
    pub password: Option<String>,
    /// Create the user active at once instead of pending.
    pub active: bool,
}

/// Fields to change; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct UserUpdate {
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub federation_id: Option<String>,
    pub role: Option<Role>,
}

/// The key a federation ID is matched by: e-mail-shaped IDs compare case-insensitively
/// (IdPs vary the case of UPNs), opaque IDs exactly.
pub fn federation_key(federation_id: &str) -> String {
    let v = federation_id.trim();
    if v.contains('@') { v.to_lowercase() } else { v.to_owned() }
}

const MAX_FEDERATION_ID_LEN: usize = 256;

impl Identity {
    /// Creates a user in the console (or by the API).
    pub async fn create_user(&self, scope: &AdminScope, input: NewUser) -> Result<User> {
        self.create_user_from(scope, UserSource::Console, input).await
    }

    /// Creates a user, recording where it came from (the console, or just-in-time
    /// provisioning at a first SSO sign-in; SCIM has its own path).
    #[tracing::instrument(skip(self, scope, input), fields(tenant_id = %scope.tenant_id()), err)]
    pub(crate) async fn create_user_from(
        &self,
        scope: &AdminScope,
        source: UserSource,
        input: NewUser,
    ) -> Result<User> {
        let mut errors = Vec::new();
        let email = validate::email("email", &input.email).map_err(|e| errors.push(e)).ok();
        let display_name = match &input.display_name {
            Some(d) => {
                validate::required_text("displayName", d, validate::MAX_NAME_LEN).map_err(|e| errors.push(e)).ok()
            }
            None => email.clone(),
        };
        let federation_id = match &input.federation_id {
            Some(f) => {
                validate::required_text("federationId", f, MAX_FEDERATION_ID_LEN).map_err(|e| errors.push(e)).ok()
            }
            None => email.clone(),
        };
        if let Some(p) = &input.password
            && let Err(Error::Validation(mut v)) = secrets::check_password_strength("password", p)
        {
            errors.append(&mut v);
        }
        let (Some(email), Some(display_name), Some(federation_id)) = (email, display_name, federation_id) else {
            return Err(Error::Validation(errors));
        };
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        let password_hash = match input.password.as_deref() {
            Some(p) => Some(self.hash_password(p).await?),
            None => None,
        };
        let now = self.now();
        let status = if input.active { UserStatus::Active } else { UserStatus::Pending };
        let txn = self.begin_write().await?;
        self.ensure_unique(&txn, scope, None, &email, &federation_id).await?;
        let model = user::ActiveModel {
            id: Set(UserId::generate().as_uuid()),
            tenant_id: Set(scope.tenant_id().as_uuid()),
            email: Set(email),
            display_name: Set(display_name),
            federation_key: Set(federation_key(&federation_id)),
            federation_id: Set(federation_id),
            status: Set(status.as_str().to_owned()),
            role: Set(input.role.unwrap_or(Role::User).as_str().to_owned()),
            password_hash: Set(password_hash),
            source: Set(source.as_str().to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
            deleted_at: Set(None),
        }
        .insert(&txn)
        .await
        .map_err(|e| on_unique(e, "email", "a user with this e-mail or federation ID already exists"))?;
        let created = User::try_from(model)?;
        audit::record(&txn, now, Change::in_scope(scope, "user.create", "user", created.id, None, snapshot(&created)))
            .await?;
        txn.commit().await?;
        Ok(created)
    }

    #[tracing::instrument(skip(self, scope, update), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn update_user(&self, scope: &AdminScope, id: UserId, update: UserUpdate) -> Result<User> {
        let mut errors = Vec::new();
        let email = update
            .email
            .as_deref()
            .map(|e| validate::email("email", e))
            .transpose()
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        let display_name = update
            .display_name
            .as_deref()
            .map(|d| validate::required_text("displayName", d, validate::MAX_NAME_LEN))
            .transpose()
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        let federation_id = update
            .federation_id
            .as_deref()
            .map(|f| validate::required_text("federationId", f, MAX_FEDERATION_ID_LEN))
            .transpose()
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        if update.role == Some(Role::User) && self.is_self(scope, id) {
            return Err(Error::invalid("role", "you cannot remove your own admin role"));
        }
        let txn = self.begin_write().await?;
        lock_tenant(&txn, scope.tenant_id()).await?;
        let row = self.find_user_row(&txn, scope, id).await?;
        let before = User::try_from(row.clone())?;
        if update.role == Some(Role::User) {
            ensure_admin_remains(&txn, &row, AdminChange::Demote).await?;
        }
        if !self.is_self(scope, id) {
            if email.as_ref().is_some_and(|e| *e != before.email) {
                ensure_admin_remains(&txn, &row, AdminChange::Rename { field: "email" }).await?;
            }
            if federation_id.as_ref().is_some_and(|f| federation_key(f) != row.federation_key) {
                ensure_admin_remains(&txn, &row, AdminChange::Rename { field: "federationId" }).await?;
            }
        }
        let new_email = email.clone().unwrap_or_else(|| before.email.clone());
        let new_fid = federation_id.clone().unwrap_or_else(|| before.federation_id.clone());
        self.ensure_unique(&txn, scope, Some(id), &new_email, &new_fid).await?;
        let now = self.now();
        let mut am = user::ActiveModel { id: Set(id.as_uuid()), updated_at: Set(now), ..Default::default() };
        if let Some(e) = email {
            am.email = Set(e);
        }
        if let Some(d) = display_name {
            am.display_name = Set(d);
        }
        if let Some(f) = federation_id {
            am.federation_key = Set(federation_key(&f));
            am.federation_id = Set(f);
        }
        if let Some(r) = update.role {
            am.role = Set(r.as_str().to_owned());
        }
        let after = User::try_from(
            am.update(&txn)
                .await
                .map_err(|e| on_unique(e, "email", "a user with this e-mail or federation ID already exists"))?,
        )?;
        audit::record(
            &txn,
            now,
            Change::in_scope(scope, "user.update", "user", after.id, snapshot(&before), snapshot(&after)),
        )
        .await?;
        txn.commit().await?;
        Ok(after)
    }

    /// Activates or suspends a user. Suspending ends all their sessions at once.
    #[tracing::instrument(skip(self, scope), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn set_user_status(&self, scope: &AdminScope, id: UserId, status: UserStatus) -> Result<User> {
        if status != UserStatus::Active && self.is_self(scope, id) {
            return Err(Error::invalid("id", "you cannot suspend your own account"));
        }
        let txn = self.begin_write().await?;
        lock_tenant(&txn, scope.tenant_id()).await?;
        let row = self.find_user_row(&txn, scope, id).await?;
        if status != UserStatus::Active {
            ensure_admin_remains(&txn, &row, AdminChange::Suspend).await?;
        }
        let before = User::try_from(row)?;
        let now = self.now();
        let after = User::try_from(
            user::ActiveModel {
                id: Set(id.as_uuid()),
                status: Set(status.as_str().to_owned()),
                updated_at: Set(now),
                ..Default::default()
            }
            .update(&txn)
            .await?,
        )?;
        if status != UserStatus::Active {
            end_user_sessions(&txn, scope.tenant_id(), id).await?;
        }
        let action = if status == UserStatus::Active { "user.activate" } else { "user.suspend" };
        audit::record(
            &txn,
            now,
            Change::in_scope(scope, action, "user", after.id, snapshot(&before), snapshot(&after)),
        )
        .await?;
        txn.commit().await?;
        Ok(after)
    }

    /// Deletes a user: they disappear from lists and can no longer sign in; the row stays
    /// (soft delete) so the audit and sign-in logs keep their meaning.
    #[tracing::instrument(skip(self, scope), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn delete_user(&self, scope: &AdminScope, id: UserId) -> Result<User> {
        if self.is_self(scope, id) {
            return Err(Error::invalid("id", "you cannot delete your own account"));
        }
        let txn = self.begin_write().await?;
        lock_tenant(&txn, scope.tenant_id()).await?;
        let row = self.find_user_row(&txn, scope, id).await?;
        ensure_admin_remains(&txn, &row, AdminChange::Delete).await?;
        let before = User::try_from(row)?;
        let now = self.now();
        soft_delete_user(&txn, scope.tenant_id(), id, now).await?;
        audit::record(&txn, now, Change::in_scope(scope, "user.delete", "user", before.id, snapshot(&before), None))
            .await?;
        txn.commit().await?;
        Ok(before)
    }

    pub async fn user(&self, scope: &TenantScope, id: UserId) -> Result<User> {
        if !scope.is_admin() && !self.is_self(scope, id) {
            return Err(Error::NotFound { what: "user" });
        }
        self.find_user(&self.db, scope, id).await
    }

    /// Users of the tenant in creation order, optionally narrowed by a search over
    /// e-mail, display name and federation ID (case-insensitive substring).
    #[tracing::instrument(skip(self, scope), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn list_users(&self, scope: &AdminScope, search: Option<&str>, page: &PageRequest) -> Result<Page<User>> {
        self.list_users_with_status(scope, search, None, page).await
    }

    /// [`Identity::list_users`], only the users in `status` when one is given.
    pub async fn list_users_with_status(
        &self,
        scope: &AdminScope,
        search: Option<&str>,
        status: Option<UserStatus>,
        page: &PageRequest,
    ) -> Result<Page<User>> {
        let size = page.size()?;
        let mut q = live_users(scope.tenant_id()).order_by_asc(user::Column::Id).limit(size + 1);
        if let Some(status) = status {
            q = q.filter(user::Column::Status.eq(status.as_str()));
        }
        if let Some(after) = page.after_uuid()? {
            q = q.filter(user::Column::Id.gt(after));
        }
        if let Some(s) = search.map(str::trim).filter(|s| !s.is_empty()) {
            let pattern = format!("%{}%", escape_like(&s.to_lowercase()));
            let lower_like = |c: user::Column| {
                Expr::expr(Func::lower(Expr::col(c)))
                    .like(sea_orm::sea_query::LikeExpr::new(pattern.clone()).escape('\\'))
            };
            q = q.filter(
                Condition::any()
                    .add(lower_like(user::Column::Email))
                    .add(lower_like(user::Column::DisplayName))
                    .add(lower_like(user::Column::FederationId)),
            );
        }
        let rows = q.all(&self.db).await?;
        let users = rows.into_iter().map(User::try_from).collect::<Result<Vec<_>>>()?;
        Ok(page_from(users, size))
    }

    pub(crate) async fn find_user(&self, conn: &impl ConnectionTrait, scope: &TenantScope, id: UserId) -> Result<User> {
        User::try_from(self.find_user_row(conn, scope, id).await?)
    }

    async fn find_user_row(&self, conn: &impl ConnectionTrait, scope: &TenantScope, id: UserId) -> Result<user::Model> {
        live_users(scope.tenant_id())
            .filter(user::Column::Id.eq(id.as_uuid()))
            .one(conn)
            .await?
            .ok_or(Error::NotFound { what: "user" })
    }

    pub(crate) fn is_self(&self, scope: &TenantScope, id: UserId) -> bool {
        scope.actor().kind == "user" && scope.actor().id.as_deref() == Some(id.to_string().as_str())
    }

    /// Names the field that clashes, before the unique index would answer with less.
    async fn ensure_unique(
        &self,
        conn: &impl ConnectionTrait,
        scope: &TenantScope,
        except: Option<UserId>,
        email: &str,
        federation_id: &str,
    ) -> Result<()> {
        let live = || {
            let mut q = live_users(scope.tenant_id());
            if let Some(id) = except {
                q = q.filter(user::Column::Id.ne(id.as_uuid()));
            }
            q
        };
        if live().filter(user::Column::Email.eq(email)).one(conn).await?.is_some() {
            return Err(Error::conflict("email", "a user with this e-mail already exists"));
        }
        let key = federation_key(federation_id);
        if live().filter(user::Column::FederationKey.eq(key)).one(conn).await?.is_some() {
            return Err(Error::conflict("federationId", "another user already has this federation ID"));
        }
        Ok(())
    }
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}
