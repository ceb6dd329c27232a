//! Users of a tenant: the user, its role and status, and the create/update inputs.

use std::sync::Arc;

use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use gatehouse_identity as idn;

use super::Group;
use crate::batches::UserBatch;
use crate::error::GqlResult;
use crate::pagination::{connection, page};

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "Role", remote = "idn::Role")]
pub enum RoleGql {
    TenantAdmin,
    User,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "idn::UserStatus")]
pub enum UserStatus {
    Pending,
    Active,
    Suspended,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "idn::UserSource")]
/// Where a user came from.
pub enum UserSource {
    /// Created in the console (or by the API).
    Console,
    /// Provisioned by the IdP over SCIM.
    Scim,
    /// Created just in time, at their first SSO sign-in.
    JustInTime,
}

/// A user of the tenant.
#[derive(Clone)]
pub(crate) struct User {
    pub(crate) user: idn::User,
    /// The users read with this one (see [`crate::batches`]).
    pub(crate) batch: Arc<UserBatch>,
}

#[Object]
impl User {
    async fn id(&self) -> ID {
        ID(self.user.id.to_string())
    }
    async fn email(&self) -> &str {
        &self.user.email
    }
    async fn display_name(&self) -> &str {
        &self.user.display_name
    }
    /// The ID the IdP sends as NameID; matched case-insensitively when e-mail shaped.
    async fn federation_id(&self) -> &str {
        &self.user.federation_id
    }
    async fn role(&self) -> RoleGql {
        self.user.role.into()
    }
    async fn status(&self) -> UserStatus {
        self.user.status.into()
    }
    /// Whether the user can sign in with a password (where the login policy allows it).
    async fn has_password(&self) -> bool {
        self.user.has_password
    }
    /// Where the user came from: the console, SCIM, or just-in-time provisioning.
    async fn source(&self) -> UserSource {
        self.user.source.into()
    }
    /// The user's last successful sign-in (SSO or password; Test SSO runs not counted),
    /// read from the sign-in log; null when they never signed in.
    async fn last_sign_in_at(&self, ctx: &Context<'_>) -> GqlResult<Option<DateTime<Utc>>> {
        self.batch.last_sign_in(ctx, self.user.id).await
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.user.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.user.updated_at
    }
    /// The groups the user belongs to (provisioned by the IdP over SCIM), by name.
    #[graphql(complexity = "crate::limits::list_cost(first, child_complexity)")]
    async fn groups(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, Group>> {
        let had_cursor = after.is_some();
        let p = self.batch.groups(ctx, self.user.id, &page(first, after)?).await?;
        Ok(connection(p, |g| g.group.display_name.to_lowercase(), had_cursor))
    }
}

#[derive(InputObject)]
pub(crate) struct CreateUserInput {
    pub email: String,
    pub display_name: Option<String>,
    /// Defaults to the e-mail.
    pub federation_id: Option<String>,
    pub role: Option<RoleGql>,
    /// Only needed where the login policy allows passwords.
    pub password: Option<String>,
    /// Create the user active instead of pending.
    #[graphql(default = false)]
    pub active: bool,
}

#[derive(InputObject)]
pub(crate) struct UpdateUserInput {
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub federation_id: Option<String>,
    pub role: Option<RoleGql>,
}
