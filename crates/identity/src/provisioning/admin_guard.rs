//! The rules that protect a tenant's admins, in one place for every path that changes a user
//! (the console, GraphQL and CLI through `users`, SCIM through `provisioning`):
//!
//! - **The last active tenant admin stays.** Nobody can delete, suspend, demote or rename
//!   (e-mail or federation ID, what sign-in binds to) the only active `TENANT_ADMIN` of a
//!   tenant — a rename is allowed only to that admin themselves. Otherwise nobody could
//!   administer the tenant, or a stranger whose IdP NameID matches the new name would.
//! - **SCIM cannot touch admins** unless the tenant allows it (`scim_manages_admins`, off by
//!   default): a SCIM token may not rename, deactivate or delete a tenant admin.
//!
//! Both checks run inside the transaction that makes the change. [`lock_tenant`] serialises
//! every change that could remove an admin of one tenant (the tenant row's lock on
//! PostgreSQL; SQLite's write transaction holds the database lock already), so two
//! concurrent demotions of the last two admins cannot both see "one other admin is left".
//! Callers take it before locking any user row, so locks are always taken in one order.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};

use crate::error::{Error, Result};
use crate::ids::*;
use crate::model::*;
use crate::store::entities::{tenant, user};

/// What a change would do to a user who may be a tenant admin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AdminChange {
    Delete,
    Suspend,
    Demote,
    /// A new e-mail / federation ID / SCIM `userName`; `field` as the caller's API names it.
    Rename {
        field: &'static str,
    },
}

impl AdminChange {
    fn field(self) -> &'static str {
        match self {
            AdminChange::Delete | AdminChange::Suspend => "id",
            AdminChange::Demote => "role",
            AdminChange::Rename { field } => field,
        }
    }

    fn refusal(self) -> &'static str {
        match self {
            AdminChange::Delete => "cannot be deleted",
            AdminChange::Suspend => "cannot be suspended or deactivated",
            AdminChange::Demote => "cannot lose the tenant admin role",
            AdminChange::Rename { .. } => "cannot be renamed by anyone but themselves",
        }
    }
}

/// What SCIM tells a provisioning client that may not change an admin.
pub(crate) const SCIM_ADMIN_REFUSAL: &str = "this user is a tenant admin in Gatehouse; an admin can change them in the \
     console, or allow SCIM to manage admins under Provisioning";

/// Locks the tenant row for the rest of the transaction and returns it.
pub(crate) async fn lock_tenant(conn: &impl ConnectionTrait, tenant: TenantId) -> Result<tenant::Model> {
    tenant::Entity::find_by_id(tenant.as_uuid())
        .lock_exclusive()
        .one(conn)
        .await?
        .ok_or(Error::NotFound { what: "tenant" })
}

/// Whether the stored user is an active tenant admin.
pub(crate) fn is_active_admin(row: &user::Model) -> Result<bool> {
    Ok(Role::parse_stored(&row.role)? == Role::TenantAdmin
        && UserStatus::parse_stored(&row.status)? == UserStatus::Active
        && row.deleted_at.is_none())
}

/// Refuses `change` when `target` is the tenant's last active admin. Call under [`lock_tenant`].
pub(crate) async fn ensure_admin_remains(
    conn: &impl ConnectionTrait,
    target: &user::Model,
    change: AdminChange,
) -> Result<()> {
    if !is_active_admin(target)? {
        return Ok(());
    }
    let others = user::Entity::find()
        .filter(user::Column::TenantId.eq(target.tenant_id))
        .filter(user::Column::Id.ne(target.id))
        .filter(user::Column::Role.eq(Role::TenantAdmin.as_str()))
        .filter(user::Column::Status.eq(UserStatus::Active.as_str()))
        .filter(user::Column::DeletedAt.is_null())
        .count(conn)
        .await?;
    if others > 0 {
        return Ok(());
    }
    tracing::info!(
        tenant_id = %target.tenant_id,
        user_id = %target.id,
        ?change,
        "refused: the change would leave the tenant without an active admin"
    );
    Err(Error::invalid(
        change.field(),
        format!(
            "{} is the last active tenant admin and {}; make another user an active tenant admin first",
            target.email,
            change.refusal()
        ),
    ))
}

/// Refuses a SCIM `change` to a tenant admin unless the tenant lets SCIM manage admins.
pub(crate) fn ensure_scim_may_change(tenant: &tenant::Model, target: &user::Model, change: AdminChange) -> Result<()> {
    if tenant.scim_manages_admins || Role::parse_stored(&target.role)? != Role::TenantAdmin {
        return Ok(());
    }
    tracing::info!(
        tenant_id = %target.tenant_id,
        user_id = %target.id,
        ?change,
        "SCIM refused: the user is a tenant admin and the tenant does not let SCIM manage admins"
    );
    Err(Error::Forbidden(SCIM_ADMIN_REFUSAL.to_owned()))
}
