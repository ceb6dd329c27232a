//! Users as the IdP provisions them over SCIM: create, read, list with pushed-down
//! equality lookups, replace/patch, deprovision. Only a [`ScimScope`] (a live SCIM token of
//! the tenant) reaches these services; each change is one transaction with its audit entry,
//! whose actor is the token.
//!
//! Mapping (as 8x8 does): `userName` is the user's username/e-mail (`users.email`, lower-cased)
//! and their federation ID (as written); `active` is the status (`false` suspends and ends
//! the user's sessions at once); the other SCIM attributes live in `scim_user_attributes`.
//! Users made in the console are visible too, with `userName` = their e-mail.

use super::listing::*;
use super::user_attributes::*;
use crate::Identity;
use crate::audit::{self, Change};
use crate::auth::principal::ScimScope;
use crate::error::{Error, Result, on_unique};
use crate::ids::*;
use crate::model::*;
use crate::provisioning::admin_guard::{AdminChange, ensure_admin_remains, ensure_scim_may_change, lock_tenant};
use crate::provisioning::users::federation_key;
use crate::store::entities::{scim_user_attributes as attrs, user};
use crate::store::{end_user_sessions, live_users, soft_delete_user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

impl Identity {
    /// Provisions a new, active (unless `active` is `false`) user. A `userName` taken by a
    /// live user of the tenant — as e-mail or as federation ID — is a `Conflict` on
    /// `userName`, and nothing is written.
    #[tracing::instrument(skip(self, scope, input), fields(tenant_id = %scope.tenant_id()), err(level = "info"))]
    pub async fn provision_user(&self, scope: &ScimScope, input: UserAttributes) -> Result<ProvisionedUser> {
        check_attributes(&input)?;
        let now = self.now();
        let id = UserId::generate();
        let status = if input.active == Some(false) { UserStatus::Suspended } else { UserStatus::Active };
        let txn = self.begin_write().await?;
        ensure_user_name_free(&txn, scope.tenant_id(), None, &input.user_name).await?;
        let row = user::ActiveModel {
            id: Set(id.as_uuid()),
            tenant_id: Set(scope.tenant_id().as_uuid()),
            email: Set(user_name_key(&input.user_name)),
            display_name: Set(console_display_name(&input)),
            federation_key: Set(federation_key(&input.user_name)),
            federation_id: Set(input.user_name.trim().to_owned()),
            status: Set(status.as_str().to_owned()),
            role: Set(Role::User.as_str().to_owned()),
            password_hash: Set(None),
            source: Set(UserSource::Scim.as_str().to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
            deleted_at: Set(None),
        }
        .insert(&txn)
        .await
        .map_err(|e| on_unique(e, "userName", "a user with this userName already exists"))?;
        let extra = attributes_row(scope, id, &input, now).insert(&txn).await?;
        let created = to_provisioned(row, Some(extra))?;
        audit::record(&txn, now, change(scope, "user.create", created.id, None, Some(&created.attributes))).await?;
        txn.commit().await?;
        Ok(created)
    }

    pub async fn provisioned_user(&self, scope: &ScimScope, id: UserId) -> Result<ProvisionedUser> {
        let (row, extra) = load_user(&self.db, scope.tenant_id(), id).await?;
        to_provisioned(row, extra)
    }

    /// Live users matching every lookup (none: all), in creation order, `window` of them.
    #[tracing::instrument(skip(self, scope), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn provisioned_users(
        &self,
        scope: &ScimScope,
        lookups: &[Lookup],
        window: Window,
    ) -> Result<Listing<ProvisionedUser>> {
        let mut q = live_users(scope.tenant_id()).left_join(attrs::Entity).order_by_asc(user::Column::Id);
        let mut display_names = Vec::new();
        for l in lookups {
            match l.attribute {
                LookupAttribute::Id => match uuid::Uuid::parse_str(&l.value) {
                    Ok(id) => q = q.filter(user::Column::Id.eq(id)),
                    Err(_) => return Ok(Listing { items: Vec::new(), total: 0 }),
                },
                LookupAttribute::UserName => q = q.filter(user::Column::Email.eq(user_name_key(&l.value))),
                LookupAttribute::ExternalId => q = q.filter(attrs::Column::ExternalId.eq(l.value.as_str())),
                // Computed (the SCIM value or the console's name): compared in Rust below.
                LookupAttribute::DisplayName => display_names.push(l.value.to_lowercase()),
            }
        }
        if display_names.is_empty() {
            let total = q.clone().count(&self.db).await?;
            let rows = window.apply(q.select_also(attrs::Entity)).all(&self.db).await?;
            let items =
                window.skip_unapplied(rows).into_iter().map(|(u, a)| to_provisioned(u, a)).collect::<Result<_>>()?;
            return Ok(Listing { items, total });
        }
        let all: Vec<ProvisionedUser> = q
            .select_also(attrs::Entity)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|(u, a)| to_provisioned(u, a))
            .collect::<Result<_>>()?;
        let matching: Vec<ProvisionedUser> = all
            .into_iter()
            .filter(|u| {
                let name = u.attributes.display_name.as_deref().unwrap_or_default().to_lowercase();
                display_names.iter().all(|d| *d == name)
            })
            .collect();
        Ok(window_of(matching, window))
    }

    /// Changes a user (SCIM PUT and PATCH): `edit` gets the stored user and returns the
    /// attributes to keep; it runs inside the transaction, so concurrent changes cannot interleave.
    /// `active` false suspends and ends the user's sessions; true activates.
    #[tracing::instrument(skip(self, scope, edit), fields(tenant_id = %scope.tenant_id()), err(level = "info"))]
    pub async fn update_provisioned_user<E>(
        &self,
        scope: &ScimScope,
        id: UserId,
        edit: impl FnOnce(&ProvisionedUser) -> std::result::Result<UserAttributes, E>,
    ) -> std::result::Result<ProvisionedUser, E>
    where
        E: From<Error> + std::fmt::Display,
    {
        let now = self.now();
        let txn = self.begin_write().await?;
        let tenant = lock_admin_target(&txn, scope, id).await?;
        let (row, extra) = load_user(&txn, scope.tenant_id(), id).await?;
        let had_attributes = extra.is_some();
        let before = to_provisioned(row.clone(), extra)?;
        let wanted = edit(&before)?;
        check_attributes(&wanted)?;

        let mut am = user::ActiveModel { id: Set(id.as_uuid()), ..Default::default() };
        let key = user_name_key(&wanted.user_name);
        let fed_id = wanted.user_name.trim().to_owned();
        let renamed = key != row.email || fed_id != row.federation_id;
        let deactivated = wanted.active == Some(false) && before.status == UserStatus::Active;
        let admin_changes =
            [renamed.then_some(AdminChange::Rename { field: "userName" }), deactivated.then_some(AdminChange::Suspend)];
        for change in admin_changes.into_iter().flatten() {
            guard_admin(&txn, tenant.as_ref(), &row, change).await?;
        }
        if renamed {
            ensure_user_name_free(&txn, scope.tenant_id(), Some(id), &wanted.user_name).await?;
            am.email = Set(key);
            am.federation_key = Set(federation_key(&fed_id));
            am.federation_id = Set(fed_id);
        }
        let display_name = console_display_name(&wanted);
        if display_name != row.display_name {
            am.display_name = Set(display_name);
        }
        let old_status = before.status;
        let new_status = match wanted.active {
            Some(true) => UserStatus::Active,
            Some(false) if old_status == UserStatus::Active => UserStatus::Suspended,
            _ => old_status,
        };
        if new_status != old_status {
            am.status = Set(new_status.as_str().to_owned());
        }
        // `active` is compared through the status; everything else as written.
        let without_active = |a: &UserAttributes| UserAttributes { active: None, ..a.clone() };
        // Whether `active` is reported at all is an attribute too, unless the status event covers it.
        let active_presence_changed = before.attributes.active.is_some() != wanted.active.is_some();
        let attributes_changed = without_active(&before.attributes) != without_active(&wanted)
            || (active_presence_changed && new_status == old_status)
            || !had_attributes;
        if !attributes_changed && new_status == old_status {
            return Ok(before);
        }
        am.updated_at = Set(now);
        let row =
            am.update(&txn).await.map_err(|e| on_unique(e, "userName", "a user with this userName already exists"))?;
        let mut extra_am = attributes_row(scope, id, &wanted, now);
        let extra = if had_attributes {
            extra_am.tenant_id = sea_orm::ActiveValue::Unchanged(scope.tenant_id().as_uuid());
            extra_am.user_id = sea_orm::ActiveValue::Unchanged(id.as_uuid());
            extra_am.update(&txn).await.map_err(Error::from)?
        } else {
            extra_am.insert(&txn).await.map_err(Error::from)?
        };
        if new_status != UserStatus::Active && new_status != old_status {
            end_user_sessions(&txn, scope.tenant_id(), id).await?;
        }
        let after = to_provisioned(row, Some(extra))?;
        if attributes_changed {
            audit::record(
                &txn,
                now,
                change(scope, "user.update", id, Some(&before.attributes), Some(&after.attributes)),
            )
            .await?;
        }
        if new_status != old_status {
            let action = if new_status == UserStatus::Active { "user.activate" } else { "user.suspend" };
            audit::record(&txn, now, change(scope, action, id, Some(&before.attributes), Some(&after.attributes)))
                .await?;
        }
        txn.commit().await.map_err(Error::from)?;
        Ok(after)
    }

    /// Deprovisions (SCIM DELETE): a soft delete — the user disappears, can no longer sign
    /// in, loses their sessions and group memberships; the audit and sign-in logs keep them.
    #[tracing::instrument(skip(self, scope), fields(tenant_id = %scope.tenant_id()), err(level = "info"))]
    pub async fn deprovision_user(&self, scope: &ScimScope, id: UserId) -> Result<()> {
        let now = self.now();
        let txn = self.begin_write().await?;
        let tenant = lock_admin_target(&txn, scope, id).await?;
        let (row, extra) = load_user(&txn, scope.tenant_id(), id).await?;
        guard_admin(&txn, tenant.as_ref(), &row, AdminChange::Delete).await?;
        let before = to_provisioned(row, extra)?;
        soft_delete_user(&txn, scope.tenant_id(), id, now).await?;
        audit::record(&txn, now, change(scope, "user.delete", id, Some(&before.attributes), None)).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Users by ID, for group member lists: only live users of the scope's tenant.
    pub(crate) async fn live_user_ids(
        &self,
        conn: &impl ConnectionTrait,
        tenant: TenantId,
        ids: &[uuid::Uuid],
    ) -> Result<Vec<uuid::Uuid>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut found = Vec::new();
        for chunk in ids.chunks(500) {
            let rows: Vec<uuid::Uuid> = user::Entity::find()
                .select_only()
                .column(user::Column::Id)
                .filter(user::Column::TenantId.eq(tenant.as_uuid()))
                .filter(user::Column::DeletedAt.is_null())
                .filter(user::Column::Id.is_in(chunk.iter().copied()))
                .into_tuple()
                .all(conn)
                .await?;
            found.extend(rows);
        }
        Ok(found)
    }
}

async fn ensure_user_name_free(
    conn: &impl ConnectionTrait,
    tenant: TenantId,
    except: Option<UserId>,
    user_name: &str,
) -> Result<()> {
    let mut q = live_users(tenant).filter(
        sea_orm::Condition::any()
            .add(user::Column::Email.eq(user_name_key(user_name)))
            .add(user::Column::FederationKey.eq(federation_key(user_name))),
    );
    if let Some(id) = except {
        q = q.filter(user::Column::Id.ne(id.as_uuid()));
    }
    if q.one(conn).await?.is_some() {
        return Err(Error::conflict("userName", format!("a user with userName {:?} already exists", user_name.trim())));
    }
    Ok(())
}

/// Locks the user a SCIM change targets. When they are a tenant admin, the tenant row is
/// locked first (the lock order of `admin_guard`) and returned for [`guard_admin`].
async fn lock_admin_target(
    txn: &DatabaseTransaction,
    scope: &ScimScope,
    id: UserId,
) -> Result<Option<crate::store::entities::tenant::Model>> {
    let (row, _) = load_user(txn, scope.tenant_id(), id).await?;
    let tenant = if Role::parse_stored(&row.role)? == Role::TenantAdmin {
        Some(lock_tenant(txn, scope.tenant_id()).await?)
    } else {
        None
    };
    lock_user(txn, scope.tenant_id(), id).await?;
    Ok(tenant)
}

/// The admin rules for one SCIM change of `row` (loaded after [`lock_admin_target`]).
async fn guard_admin(
    txn: &DatabaseTransaction,
    tenant: Option<&crate::store::entities::tenant::Model>,
    row: &user::Model,
    change: AdminChange,
) -> Result<()> {
    if Role::parse_stored(&row.role)? != Role::TenantAdmin {
        return Ok(());
    }
    let Some(tenant) = tenant else {
        // Made an admin between the first read and the lock: the tenant lock was not taken.
        return Err(Error::Conflict {
            field: None,
            message: "the user's role changed while this request ran; send it again".to_owned(),
        });
    };
    ensure_scim_may_change(tenant, row, change)?;
    ensure_admin_remains(txn, row, change).await
}

/// Takes the row lock on PostgreSQL (`FOR UPDATE`); SQLite's write transaction holds the
/// database lock already.
async fn lock_user(conn: &impl ConnectionTrait, tenant: TenantId, id: UserId) -> Result<()> {
    live_users(tenant)
        .filter(user::Column::Id.eq(id.as_uuid()))
        .lock_exclusive()
        .one(conn)
        .await?
        .map(|_| ())
        .ok_or(Error::NotFound { what: "user" })
}

async fn load_user(
    conn: &impl ConnectionTrait,
    tenant: TenantId,
    id: UserId,
) -> Result<(user::Model, Option<attrs::Model>)> {
    live_users(tenant)
        .filter(user::Column::Id.eq(id.as_uuid()))
        .find_also_related(attrs::Entity)
        .one(conn)
        .await?
        .ok_or(Error::NotFound { what: "user" })
}

fn change<'a>(
    scope: &'a ScimScope,
    action: &'static str,
    id: UserId,
    before: Option<&UserAttributes>,
    after: Option<&UserAttributes>,
) -> Change<'a> {
    Change::in_scope(scope, action, "user", id, before.and_then(audit::snapshot), after.and_then(audit::snapshot))
}
