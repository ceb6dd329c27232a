//! Groups of users, provisioned by the IdP over SCIM (read-only in GraphQL).

use std::sync::Arc;

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use gatehouse_identity as idn;

use super::User;
use crate::batches::GroupBatch;
use crate::error::GqlResult;
use crate::pagination::{connection, page};

/// A group of users, provisioned by the IdP over SCIM.
#[derive(Clone)]
pub(crate) struct Group {
    pub(crate) group: idn::Group,
    /// The groups read with this one (see [`crate::batches`]).
    pub(crate) batch: Arc<GroupBatch>,
}

#[Object]
impl Group {
    async fn id(&self) -> ID {
        ID(self.group.id.to_string())
    }
    async fn display_name(&self) -> &str {
        &self.group.display_name
    }
    /// The IdP's own identifier for the group.
    async fn external_id(&self) -> Option<&str> {
        self.group.external_id.as_deref()
    }
    async fn member_count(&self, ctx: &Context<'_>) -> GqlResult<i32> {
        let n = self.batch.member_count(ctx, self.group.id).await?;
        Ok(i32::try_from(n).unwrap_or(i32::MAX))
    }
    /// The group's members, oldest user first.
    #[graphql(complexity = "crate::limits::list_cost(first, child_complexity)")]
    async fn members(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, User>> {
        let had_cursor = after.is_some();
        let p = self.batch.members(ctx, self.group.id, &page(first, after)?).await?;
        Ok(connection(p, |u| u.user.id.to_string(), had_cursor))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.group.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.group.updated_at
    }
}
