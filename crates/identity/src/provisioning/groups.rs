//! Groups of a tenant's users, provisioned by the IdP over SCIM (create, rename, add and
//! remove members, delete) and read by the console. `displayName` is unique per tenant,
//! case-insensitively; members are live users of the same tenant.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::Serialize;
use serde_json::json;

use crate::audit::{self, Change};
use crate::auth::principal::{AdminScope, ScimScope};
use crate::error::{Error, Result, on_unique};
use crate::ids::*;
use crate::model::*;
use crate::provisioning::listing::{Listing, Lookup, LookupAttribute, Window};
use crate::store::entities::{group, group_member, user};
use crate::{Identity, validate};

const MAX_DISPLAY_NAME_LEN: usize = 256;
const MAX_EXTERNAL_ID_LEN: usize = 1024;

/// What an IdP provisions for a group, besides its members.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct GroupAttributes {
    pub display_name: String,
    pub external_id: Option<String>,
}

/// A group. `members` is `None` when the caller did not ask for them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub id: GroupId,
    pub display_name: String,
    pub external_id: Option<String>,
    /// Member user IDs, oldest membership first.
    pub members: Option<Vec<UserId>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Group {
    pub fn attributes(&self) -> GroupAttributes {
        GroupAttributes { display_name: self.display_name.clone(), external_id: self.external_id.clone() }
    }
}

/// A group as the IdP wants it after a SCIM PUT or PATCH.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupEdit {
    pub attributes: GroupAttributes,
    /// The members after the change, user IDs as the IdP sent them; `None` leaves the
    /// members as they are (a PATCH that does not mention them).
    pub members: Option<Vec<String>>,
}

/// Members to add and remove (user IDs as the IdP sent them), as written and audited.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub(crate) struct MemberChanges {
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

impl MemberChanges {
    /// What turns the `current` members into the `wanted` ones. IDs are compared as user
    /// IDs, not as text, so an IdP writing a member's ID in capitals keeps that member;
    /// a value that is no user ID counts as added (and is refused as an unknown user).
    fn between(current: &[UserId], wanted: &[String]) -> MemberChanges {
        let parse = |v: &str| uuid::Uuid::parse_str(v.trim()).ok().map(UserId::from);
        let wanted_ids: HashSet<UserId> = wanted.iter().filter_map(|w| parse(w)).collect();
        MemberChanges {
            added: wanted.iter().filter(|w| parse(w).is_none_or(|id| !current.contains(&id))).cloned().collect(),
            removed: current.iter().filter(|c| !wanted_ids.contains(c)).map(ToString::to_string).collect(),
        }
    }
}

impl Identity {
    /// Creates a group with its first members. A taken `displayName` is a `Conflict`.
    #[tracing::instrument(skip(self, scope, input, members), fields(tenant_id = %scope.tenant_id()), err(level = "info"))]
    pub async fn create_group(&self, scope: &ScimScope, input: GroupAttributes, members: &[String]) -> Result<Group> {
        let input = check_group(input)?;
        let now = self.now();
        let id = GroupId::generate();
        let txn = self.begin_write().await?;
        ensure_display_name_free(&txn, scope.tenant_id(), None, &input.display_name).await?;
        group::ActiveModel {
            id: Set(id.as_uuid()),
            tenant_id: Set(scope.tenant_id().as_uuid()),
            display_name_key: Set(input.display_name.to_lowercase()),
            display_name: Set(input.display_name.clone()),
            external_id: Set(input.external_id.clone()),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await
        .map_err(|e| on_unique(e, "displayName", "a group with this displayName already exists"))?;
        let changes = MemberChanges { added: members.to_vec(), removed: Vec::new() };
        self.write_members(&txn, scope.tenant_id(), id, &changes, now).await?;
        audit::record(
            &txn,
            now,
            Change::in_scope(
                scope,
                "group.create",
                "group",
                id,
                None,
                Some(json!({"group": input, "members": changes})),
            ),
        )
        .await?;
        txn.commit().await?;
        self.scim_group(scope, id, true).await
    }

    pub async fn scim_group(&self, scope: &ScimScope, id: GroupId, with_members: bool) -> Result<Group> {
        let row = find_group(&self.db, scope.tenant_id(), id).await?;
        let mut groups = self.with_members(&self.db, scope.tenant_id(), vec![row], with_members).await?;
        groups.pop().ok_or(Error::NotFound { what: "group" })
    }

    /// Groups matching every lookup (none: all), in creation order, `window` of them.
    #[tracing::instrument(skip(self, scope), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn scim_groups(
        &self,
        scope: &ScimScope,
        lookups: &[Lookup],
        window: Window,
        with_members: bool,
    ) -> Result<Listing<Group>> {
        let mut q = group::Entity::find()
            .filter(group::Column::TenantId.eq(scope.tenant_id().as_uuid()))
            .order_by_asc(group::Column::Id);
        for l in lookups {
            match l.attribute {
                LookupAttribute::Id => match uuid::Uuid::parse_str(&l.value) {
                    Ok(id) => q = q.filter(group::Column::Id.eq(id)),
                    Err(_) => return Ok(Listing { items: Vec::new(), total: 0 }),
                },
                LookupAttribute::DisplayName => {
                    q = q.filter(group::Column::DisplayNameKey.eq(l.value.to_lowercase()));
                }
                LookupAttribute::ExternalId => q = q.filter(group::Column::ExternalId.eq(l.value.as_str())),
                LookupAttribute::UserName => return Ok(Listing { items: Vec::new(), total: 0 }),
            }
        }
        let total = q.clone().count(&self.db).await?;
        let rows = window.skip_unapplied(window.apply(q).all(&self.db).await?);
        let items = self.with_members(&self.db, scope.tenant_id(), rows, with_members).await?;
        Ok(Listing { items, total })
    }

    /// Changes a group (SCIM PUT and PATCH): `edit` gets the stored group (with members when
    /// `with_members`) and returns the group as wanted; the members to add and remove are
    /// worked out here, against the members stored. It runs inside the transaction. Unknown
    /// member IDs are a validation error on `members`.
    #[tracing::instrument(skip(self, scope, edit), fields(tenant_id = %scope.tenant_id()), err(level = "info"))]
    pub async fn update_group<E>(
        &self,
        scope: &ScimScope,
        id: GroupId,
        with_members: bool,
        edit: impl FnOnce(&Group) -> std::result::Result<GroupEdit, E>,
    ) -> std::result::Result<Group, E>
    where
        E: From<Error> + std::fmt::Display,
    {
        let now = self.now();
        let txn = self.begin_write().await?;
        let row = find_group_for_update(&txn, scope.tenant_id(), id).await?;
        let before = self
            .with_members(&txn, scope.tenant_id(), vec![row.clone()], with_members)
            .await?
            .pop()
            .ok_or(Error::NotFound { what: "group" })?;
        let GroupEdit { attributes: wanted, members } = edit(&before)?;
        let changes = match (members, &before.members) {
            (None, _) => MemberChanges::default(),
            (Some(wanted), Some(current)) => MemberChanges::between(current, &wanted),
            (Some(wanted), None) => {
                let loaded = self.with_members(&txn, scope.tenant_id(), vec![row], true).await?;
                let current = loaded.first().and_then(|g| g.members.as_deref()).unwrap_or_default();
                MemberChanges::between(current, &wanted)
            }
        };
        let wanted = check_group(wanted)?;
        let renamed = wanted != before.attributes();
        if !renamed && changes.added.is_empty() && changes.removed.is_empty() {
            return Ok(before);
        }
        if wanted.display_name.to_lowercase() != before.display_name.to_lowercase() {
            ensure_display_name_free(&txn, scope.tenant_id(), Some(id), &wanted.display_name).await?;
        }
        group::ActiveModel {
            id: Set(id.as_uuid()),
            display_name_key: Set(wanted.display_name.to_lowercase()),
            display_name: Set(wanted.display_name.clone()),
            external_id: Set(wanted.external_id.clone()),
            updated_at: Set(now),
            ..Default::default()
        }
        .update(&txn)
        .await
        .map_err(|e| on_unique(e, "displayName", "a group with this displayName already exists"))?;
        self.write_members(&txn, scope.tenant_id(), id, &changes, now).await?;
        let before_json = renamed.then(|| json!({"group": before.attributes()}));
        let after = json!({"group": wanted, "members": changes});
        audit::record(&txn, now, Change::in_scope(scope, "group.update", "group", id, before_json, Some(after)))
            .await?;
        txn.commit().await.map_err(Error::from)?;
        Ok(self.scim_group(scope, id, with_members).await?)
    }

    /// Deletes a group and its memberships (the users stay).
    #[tracing::instrument(skip(self, scope), fields(tenant_id = %scope.tenant_id()), err(level = "info"))]
    pub async fn delete_group(&self, scope: &ScimScope, id: GroupId) -> Result<()> {
        let now = self.now();
        let txn = self.begin_write().await?;
        let row = find_group_for_update(&txn, scope.tenant_id(), id).await?;
        group_member::Entity::delete_many()
            .filter(group_member::Column::TenantId.eq(scope.tenant_id().as_uuid()))
            .filter(group_member::Column::GroupId.eq(id.as_uuid()))
            .exec(&txn)
            .await?;
        group::Entity::delete_by_id(row.id).exec(&txn).await?;
        let before = json!({"group": GroupAttributes { display_name: row.display_name, external_id: row.external_id }});
        audit::record(&txn, now, Change::in_scope(scope, "group.delete", "group", id, Some(before), None)).await?;
        txn.commit().await?;
        Ok(())
    }

    /// The tenant's groups for the console, oldest first (members are read separately).
    #[tracing::instrument(skip(self, scope), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn groups(&self, scope: &AdminScope, page: &PageRequest) -> Result<Page<Group>> {
        self.groups_matching(scope, None, page).await
    }

    /// [`Identity::groups`], only those whose name contains `search` (case-insensitive).
    pub async fn groups_matching(
        &self,
        scope: &AdminScope,
        search: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<Group>> {
        let size = page.size()?;
        let mut q = group::Entity::find()
            .filter(group::Column::TenantId.eq(scope.tenant_id().as_uuid()))
            .order_by_asc(group::Column::Id)
            .limit(size + 1);
        if let Some(after) = page.after_uuid()? {
            q = q.filter(group::Column::Id.gt(after));
        }
        if let Some(s) = search.map(str::trim).filter(|s| !s.is_empty()) {
            let pattern = format!("%{}%", crate::sign_in_log::escape_like(&s.to_lowercase()));
            q = q.filter(Expr::col(group::Column::DisplayNameKey).like(LikeExpr::new(pattern).escape('\\')));
        }
        let rows = q.all(&self.db).await?;
        Ok(page_from(rows.into_iter().map(Group::from).collect(), size))
    }

    /// A group for the console; its members are read by [`Identity::group_members`].
    pub async fn group(&self, scope: &AdminScope, id: GroupId) -> Result<Group> {
        Ok(Group::from(find_group(&self.db, scope.tenant_id(), id).await?))
    }

    async fn with_members(
        &self,
        conn: &impl ConnectionTrait,
        tenant: TenantId,
        rows: Vec<group::Model>,
        with_members: bool,
    ) -> Result<Vec<Group>> {
        let mut members: std::collections::HashMap<uuid::Uuid, Vec<UserId>> = Default::default();
        if with_members && !rows.is_empty() {
            let ids: Vec<uuid::Uuid> = rows.iter().map(|g| g.id).collect();
            for chunk in ids.chunks(500) {
                let pairs: Vec<(uuid::Uuid, uuid::Uuid)> = group_member::Entity::find()
                    .select_only()
                    .column(group_member::Column::GroupId)
                    .column(group_member::Column::UserId)
                    .inner_join(user::Entity)
                    .filter(group_member::Column::TenantId.eq(tenant.as_uuid()))
                    .filter(group_member::Column::GroupId.is_in(chunk.iter().copied()))
                    .filter(user::Column::DeletedAt.is_null())
                    .order_by_asc(group_member::Column::CreatedAt)
                    .order_by_asc(group_member::Column::UserId)
                    .into_tuple()
                    .all(conn)
                    .await?;
                for (g, u) in pairs {
                    members.entry(g).or_default().push(u.into());
                }
            }
        }
        Ok(rows
            .into_iter()
            .map(|g| Group {
                id: g.id.into(),
                members: with_members.then(|| members.remove(&g.id).unwrap_or_default()),
                display_name: g.display_name,
                external_id: g.external_id,
                created_at: g.created_at,
                updated_at: g.updated_at,
            })
            .collect())
    }

    async fn write_members(
        &self,
        conn: &impl ConnectionTrait,
        tenant: TenantId,
        group_id: GroupId,
        changes: &MemberChanges,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut added = Vec::new();
        let mut seen = HashSet::new();
        for value in &changes.added {
            let id = uuid::Uuid::parse_str(value.trim())
                .map_err(|_| Error::invalid("members", format!("{value:?} is not a user of this tenant")))?;
            if seen.insert(id) {
                added.push(id);
            }
        }
        let live: HashSet<uuid::Uuid> = self.live_user_ids(conn, tenant, &added).await?.into_iter().collect();
        if let Some(unknown) = added.iter().find(|id| !live.contains(id)) {
            return Err(Error::invalid("members", format!("\"{unknown}\" is not a user of this tenant")));
        }
        if !added.is_empty() {
            let rows = added.iter().map(|u| group_member::ActiveModel {
                group_id: Set(group_id.as_uuid()),
                user_id: Set(*u),
                tenant_id: Set(tenant.as_uuid()),
                created_at: Set(now),
            });
            group_member::Entity::insert_many(rows).on_conflict_do_nothing().exec(conn).await?;
        }
        let removed: Vec<uuid::Uuid> =
            changes.removed.iter().filter_map(|v| uuid::Uuid::parse_str(v.trim()).ok()).collect();
        if !removed.is_empty() {
            group_member::Entity::delete_many()
                .filter(group_member::Column::TenantId.eq(tenant.as_uuid()))
                .filter(group_member::Column::GroupId.eq(group_id.as_uuid()))
                .filter(group_member::Column::UserId.is_in(removed))
                .exec(conn)
                .await?;
        }
        Ok(())
    }
}

fn check_group(input: GroupAttributes) -> Result<GroupAttributes> {
    let mut errors = Vec::new();
    let display_name = validate::required_text("displayName", &input.display_name, MAX_DISPLAY_NAME_LEN)
        .map_err(|e| errors.push(e))
        .ok();
    if input.external_id.as_deref().is_some_and(|v| v.chars().count() > MAX_EXTERNAL_ID_LEN) {
        errors.push(crate::FieldError::new("externalId", format!("must be at most {MAX_EXTERNAL_ID_LEN} characters")));
    }
    match display_name {
        // Kept as written (compliance clients read back exactly what they wrote).
        Some(_) if errors.is_empty() => Ok(input),
        _ => Err(Error::Validation(errors)),
    }
}

async fn ensure_display_name_free(
    conn: &impl ConnectionTrait,
    tenant: TenantId,
    except: Option<GroupId>,
    display_name: &str,
) -> Result<()> {
    let mut q = group::Entity::find()
        .filter(group::Column::TenantId.eq(tenant.as_uuid()))
        .filter(group::Column::DisplayNameKey.eq(display_name.to_lowercase()));
    if let Some(id) = except {
        q = q.filter(group::Column::Id.ne(id.as_uuid()));
    }
    if q.one(conn).await?.is_some() {
        return Err(Error::conflict("displayName", format!("a group named {display_name:?} already exists")));
    }
    Ok(())
}

async fn find_group(conn: &impl ConnectionTrait, tenant: TenantId, id: GroupId) -> Result<group::Model> {
    group::Entity::find_by_id(id.as_uuid())
        .filter(group::Column::TenantId.eq(tenant.as_uuid()))
        .one(conn)
        .await?
        .ok_or(Error::NotFound { what: "group" })
}

async fn find_group_for_update(conn: &impl ConnectionTrait, tenant: TenantId, id: GroupId) -> Result<group::Model> {
    group::Entity::find_by_id(id.as_uuid())
        .filter(group::Column::TenantId.eq(tenant.as_uuid()))
        .lock_exclusive()
        .one(conn)
        .await?
        .ok_or(Error::NotFound { what: "group" })
}
