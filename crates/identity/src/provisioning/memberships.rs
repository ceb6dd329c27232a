//! Group membership as the console reads it: a group's members, a user's groups and member
//! counts — for many parents at once, one statement each, so the GraphQL API can batch a
//! list of groups (or users) into one load instead of one query per row.
//!
//! Each parent gets its own page (`first` items after `after`), cut in the database with
//! `ROW_NUMBER() OVER (PARTITION BY parent …)`, so a group with a million members costs
//! one page, not a million rows. Window functions exist on SQLite (3.25+) and PostgreSQL.

use std::collections::HashMap;

use sea_orm::sea_query::{
    Alias, Asterisk, Expr, ExprTrait, IntoColumnRef, Order, Query, SelectStatement, WindowStatement,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, JoinType, QueryFilter, QuerySelect, QueryTrait,
    RelationTrait,
};

use crate::Identity;
use crate::auth::principal::{AdminScope, TenantScope};
use crate::error::Result;
use crate::ids::*;
use crate::model::*;
use crate::provisioning::groups::Group;
use crate::store::entities::{group, group_member, user};

/// Parents per statement; keeps the `IN (…)` list well under every backend's limit.
const PARENTS_PER_STATEMENT: usize = 500;
const PARENT: &str = "gh_parent";
const ROW: &str = "gh_row";

impl Identity {
    /// The live members of each group, a page per group, by user ID (creation order).
    /// Groups of other tenants are absent from the answer.
    #[tracing::instrument(skip(self, scope, groups), fields(tenant_id = %scope.tenant_id(), groups = groups.len()), err)]
    pub async fn group_members(
        &self,
        scope: &AdminScope,
        groups: &[GroupId],
        page: &PageRequest,
    ) -> Result<HashMap<GroupId, Page<User>>> {
        let size = page.size()?;
        let after = page.after_uuid()?;
        let mut pages = HashMap::new();
        for chunk in groups.chunks(PARENTS_PER_STATEMENT) {
            let mut q = user::Entity::find()
                .join(JoinType::InnerJoin, group_member::Relation::User.def().rev())
                .filter(group_member::Column::TenantId.eq(scope.tenant_id().as_uuid()))
                .filter(user::Column::TenantId.eq(scope.tenant_id().as_uuid()))
                .filter(group_member::Column::GroupId.is_in(chunk.iter().map(GroupId::as_uuid)))
                .filter(user::Column::DeletedAt.is_null())
                .column_as(group_member::Column::GroupId, PARENT);
            if let Some(after) = after {
                q = q.filter(user::Column::Id.gt(after));
            }
            let ranked = ranked(
                q.into_query(),
                (group_member::Entity, group_member::Column::GroupId),
                (user::Entity, user::Column::Id),
                size,
            );
            let mut rows: HashMap<GroupId, Vec<User>> = HashMap::new();
            for row in self.db.query_all(&ranked).await? {
                let parent: uuid::Uuid = row.try_get("", PARENT)?;
                rows.entry(parent.into()).or_default().push(User::try_from(user::Model::from_query_result(&row, "")?)?);
            }
            pages.extend(rows.into_iter().map(|(g, users)| (g, page_from(users, size))));
        }
        Ok(pages)
    }

    /// The groups each user belongs to, a page per user, by name (the cursor is the last
    /// name seen, lower-cased). A user sees their own groups; an admin anyone's. Users of
    /// other tenants, or not visible to the caller, are absent from the answer.
    #[tracing::instrument(skip(self, scope, users), fields(tenant_id = %scope.tenant_id(), users = users.len()), err)]
    pub async fn user_groups(
        &self,
        scope: &TenantScope,
        users: &[UserId],
        page: &PageRequest,
    ) -> Result<HashMap<UserId, Page<Group>>> {
        let size = page.size()?;
        let visible: Vec<uuid::Uuid> =
            users.iter().filter(|u| scope.is_admin() || self.is_self(scope, **u)).map(UserId::as_uuid).collect();
        let mut pages = HashMap::new();
        for chunk in visible.chunks(PARENTS_PER_STATEMENT) {
            let mut q = group::Entity::find()
                .join(JoinType::InnerJoin, group_member::Relation::Group.def().rev())
                .join(JoinType::InnerJoin, group_member::Relation::User.def())
                .filter(group::Column::TenantId.eq(scope.tenant_id().as_uuid()))
                .filter(group_member::Column::TenantId.eq(scope.tenant_id().as_uuid()))
                .filter(group_member::Column::UserId.is_in(chunk.iter().copied()))
                .filter(user::Column::DeletedAt.is_null())
                .column_as(group_member::Column::UserId, PARENT);
            if let Some(after) = page.after.as_deref() {
                q = q.filter(group::Column::DisplayNameKey.gt(after));
            }
            let ranked = ranked(
                q.into_query(),
                (group_member::Entity, group_member::Column::UserId),
                (group::Entity, group::Column::DisplayNameKey),
                size,
            );
            let mut rows: HashMap<UserId, Vec<Group>> = HashMap::new();
            for row in self.db.query_all(&ranked).await? {
                let parent: uuid::Uuid = row.try_get("", PARENT)?;
                rows.entry(parent.into()).or_default().push(Group::from(group::Model::from_query_result(&row, "")?));
            }
            pages.extend(rows.into_iter().map(|(u, groups)| (u, page_from(groups, size))));
        }
        Ok(pages)
    }

    /// How many live members each group has. Groups of other tenants are absent.
    #[tracing::instrument(skip(self, scope, groups), fields(tenant_id = %scope.tenant_id(), groups = groups.len()), err)]
    pub async fn group_member_counts(&self, scope: &AdminScope, groups: &[GroupId]) -> Result<HashMap<GroupId, u64>> {
        let mut counts = HashMap::new();
        for chunk in groups.chunks(PARENTS_PER_STATEMENT) {
            let rows: Vec<(uuid::Uuid, i64)> = group_member::Entity::find()
                .select_only()
                .column(group_member::Column::GroupId)
                .column_as(group_member::Column::UserId.count(), "members")
                .inner_join(user::Entity)
                .filter(group_member::Column::TenantId.eq(scope.tenant_id().as_uuid()))
                .filter(group_member::Column::GroupId.is_in(chunk.iter().map(GroupId::as_uuid)))
                .filter(user::Column::DeletedAt.is_null())
                .group_by(group_member::Column::GroupId)
                .into_tuple()
                .all(&self.db)
                .await?;
            counts.extend(rows.into_iter().map(|(g, n)| (GroupId::from(g), u64::try_from(n).unwrap_or_default())));
        }
        Ok(counts)
    }
}

/// `inner` numbered per `parent` in `order`, keeping the first `size + 1` rows of each
/// parent (one more than a page, to know whether another page follows).
fn ranked(
    mut inner: SelectStatement,
    parent: impl IntoColumnRef,
    order: impl IntoColumnRef,
    size: u64,
) -> SelectStatement {
    let mut window = WindowStatement::partition_by(parent);
    window.order_by(order, Order::Asc);
    inner.expr_window_as(Expr::cust("ROW_NUMBER()"), window, ROW);
    Query::select()
        .column(Asterisk)
        .from_subquery(inner, Alias::new("ranked"))
        .and_where(Expr::col(Alias::new(ROW)).lte(size + 1))
        .order_by(Alias::new(ROW), Order::Asc)
        .to_owned()
}
