//! Users as the IdP provisions them over SCIM: create, read, list with pushed-down
//! equality lookups, replace/patch, deprovision. Only a [`ScimScope`] (a live SCIM token of
//! the tenant) reaches these services; each change is one transaction with its audit entry,
//! whose actor is the token.
//!
//! Mapping (as 8x8 does): `userName` is the user's username/e-mail (`users.email`, lower-cased)
//! and their federation ID (as written); `active` is the status (`false` suspends and ends
//! the user's sessions at once); the other SCIM attributes live in `scim_user_attributes`.
//! Users made in the console are visible too, with `userName` = their e-mail.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};

use crate::audit::{self, Change};
use crate::auth::principal::ScimScope;
use crate::error::{Error, Result, on_unique};
use crate::ids::*;
use crate::model::*;
use crate::provisioning::admin_guard::{AdminChange, ensure_admin_remains, ensure_scim_may_change, lock_tenant};
use crate::provisioning::users::federation_key;
use crate::store::entities::{scim_user_attributes as attrs, user};
use crate::store::{end_user_sessions, live_users, soft_delete_user};
use crate::{Identity, validate};

/// Longest `userName` (it is also the federation ID).
const MAX_USER_NAME_LEN: usize = 256;
/// Longest other string attribute.
const MAX_TEXT_LEN: usize = 1024;
/// Most e-mails or phone numbers on one user.
const MAX_VALUES: usize = 50;

/// One value of `emails` or `phoneNumbers`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactValue {
    pub value: String,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
}

/// The user's manager, as the IdP names them (an `id` and/or a `$ref`), kept as written.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ManagerRef {
    pub value: Option<String>,
    pub reference: Option<String>,
}

/// What an IdP provisions for a user.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct UserAttributes {
    pub user_name: String,
    pub external_id: Option<String>,
    pub display_name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub formatted_name: Option<String>,
    pub title: Option<String>,
    /// On input, `None` leaves the status as it is (a new user is active). On output, the
    /// status — unless the IdP never sent `active` or removed it: then `None`.
    pub active: Option<bool>,
    pub emails: Vec<ContactValue>,
    pub phone_numbers: Vec<ContactValue>,
    pub department: Option<String>,
    pub employee_number: Option<String>,
    pub manager: Option<ManagerRef>,
}

/// A (live) user as the SCIM endpoint shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProvisionedUser {
    pub id: UserId,
    pub attributes: UserAttributes,
    pub status: UserStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An attribute the store can match by equality (a SCIM `attr eq "value"` filter term).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LookupAttribute {
    /// Exact.
    Id,
    /// Case-insensitive.
    UserName,
    /// Exact.
    ExternalId,
    /// Case-insensitive.
    DisplayName,
}

/// One `attribute eq value` term; a list of them is an `and`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lookup {
    pub attribute: LookupAttribute,
    pub value: String,
}

/// Which part of a result list to return.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Window {
    pub offset: u64,
    /// `None`: everything from `offset` on.
    pub limit: Option<u64>,
}

impl Window {
    /// Adds OFFSET/LIMIT to a query. SQLite accepts OFFSET only after a LIMIT, so without a
    /// limit the offset is left to [`Window::skip_unapplied`].
    pub(crate) fn apply<Q: QuerySelect>(self, q: Q) -> Q {
        match self.limit {
            Some(limit) => q.offset(self.offset).limit(limit),
            None => q,
        }
    }

    pub(crate) fn skip_unapplied<T>(self, rows: Vec<T>) -> Vec<T> {
        match self.limit {
            Some(_) => rows,
            None => rows.into_iter().skip(usize::try_from(self.offset).unwrap_or(usize::MAX)).collect(),
        }
    }
}

/// One page of matches and how many matched in all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listing<T> {
    pub items: Vec<T>,
    pub total: u64,
}

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

/// `userName` as the e-mail column holds it: trimmed, lower-cased in Rust (SQLite's lower()
/// is ASCII-only, so comparisons never happen in SQL).
fn user_name_key(user_name: &str) -> String {
    user_name.trim().to_lowercase()
}

/// The name the console shows: the SCIM display name, else the formatted or given and
/// family names, else the userName.
fn console_display_name(a: &UserAttributes) -> String {
    let joined = [a.given_name.as_deref(), a.family_name.as_deref()]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let name = [a.display_name.as_deref(), a.formatted_name.as_deref(), Some(joined.as_str())]
        .into_iter()
        .flatten()
        .map(str::trim)
        .find(|s| !s.is_empty())
        .unwrap_or(a.user_name.trim());
    name.chars().filter(|c| !c.is_control()).take(validate::MAX_NAME_LEN).collect()
}

fn check_attributes(a: &UserAttributes) -> Result<()> {
    let mut errors = Vec::new();
    if let Err(e) = validate::required_text("userName", &a.user_name, MAX_USER_NAME_LEN) {
        errors.push(e);
    }
    let texts = [
        ("externalId", &a.external_id),
        ("displayName", &a.display_name),
        ("name.givenName", &a.given_name),
        ("name.familyName", &a.family_name),
        ("name.formatted", &a.formatted_name),
        ("title", &a.title),
        ("department", &a.department),
        ("employeeNumber", &a.employee_number),
    ];
    for (field, value) in texts {
        if value.as_deref().is_some_and(|v| v.chars().count() > MAX_TEXT_LEN) {
            errors.push(crate::FieldError::new(field, format!("must be at most {MAX_TEXT_LEN} characters")));
        }
    }
    for (field, values) in [("emails", &a.emails), ("phoneNumbers", &a.phone_numbers)] {
        if values.len() > MAX_VALUES {
            errors.push(crate::FieldError::new(field, format!("must have at most {MAX_VALUES} values")));
        }
        if values.iter().any(|v| v.value.chars().count() > MAX_TEXT_LEN) {
            errors.push(crate::FieldError::new(field, format!("values must be at most {MAX_TEXT_LEN} characters")));
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(Error::Validation(errors)) }
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

fn attributes_row(scope: &ScimScope, id: UserId, a: &UserAttributes, now: DateTime<Utc>) -> attrs::ActiveModel {
    let json = |values: &[ContactValue]| (!values.is_empty()).then(|| serde_json::to_value(values).unwrap_or_default());
    attrs::ActiveModel {
        user_id: Set(id.as_uuid()),
        tenant_id: Set(scope.tenant_id().as_uuid()),
        user_name: Set(a.user_name.clone()),
        external_id: Set(a.external_id.clone()),
        display_name: Set(a.display_name.clone()),
        given_name: Set(a.given_name.clone()),
        family_name: Set(a.family_name.clone()),
        formatted_name: Set(a.formatted_name.clone()),
        title: Set(a.title.clone()),
        active: Set(a.active),
        emails: Set(json(&a.emails)),
        phone_numbers: Set(json(&a.phone_numbers)),
        department: Set(a.department.clone()),
        employee_number: Set(a.employee_number.clone()),
        manager_value: Set(a.manager.as_ref().and_then(|m| m.value.clone())),
        manager_ref: Set(a.manager.as_ref().and_then(|m| m.reference.clone())),
        updated_at: Set(now),
    }
}

fn to_provisioned(row: user::Model, extra: Option<attrs::Model>) -> Result<ProvisionedUser> {
    let status = UserStatus::parse_stored(&row.status)?;
    let values = |v: Option<serde_json::Value>| -> Result<Vec<ContactValue>> {
        v.map(|v| serde_json::from_value(v).map_err(|e| Error::internal(format!("stored SCIM values unreadable: {e}"))))
            .transpose()
            .map(Option::unwrap_or_default)
    };
    let attributes = match extra {
        Some(a) => UserAttributes {
            // The console may have changed the e-mail since; the e-mail then wins.
            user_name: if user_name_key(&a.user_name) == row.email { a.user_name } else { row.email.clone() },
            external_id: a.external_id,
            display_name: a.display_name,
            given_name: a.given_name,
            family_name: a.family_name,
            formatted_name: a.formatted_name,
            title: a.title,
            active: a.active.map(|_| status == UserStatus::Active),
            emails: values(a.emails)?,
            phone_numbers: values(a.phone_numbers)?,
            department: a.department,
            employee_number: a.employee_number,
            manager: (a.manager_value.is_some() || a.manager_ref.is_some())
                .then_some(ManagerRef { value: a.manager_value, reference: a.manager_ref }),
        },
        None => UserAttributes {
            user_name: row.email.clone(),
            display_name: Some(row.display_name.clone()),
            active: Some(status == UserStatus::Active),
            ..UserAttributes::default()
        },
    };
    Ok(ProvisionedUser {
        id: row.id.into(),
        attributes,
        status,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

fn window_of<T>(all: Vec<T>, window: Window) -> Listing<T> {
    let total = all.len() as u64;
    let offset = usize::try_from(window.offset).unwrap_or(usize::MAX);
    let limit = window.limit.map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
    Listing { items: all.into_iter().skip(offset).take(limit).collect(), total }
}

fn change<'a>(
    scope: &'a ScimScope,
    action: &'static str,
    id: UserId,
    before: Option<&UserAttributes>,
    after: Option<&UserAttributes>,
) -> Change<'a> {
    Change::by_scim(scope, action, "user", id, before.and_then(audit::snapshot), after.and_then(audit::snapshot))
}
