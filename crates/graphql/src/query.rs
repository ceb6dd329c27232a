//! Queries. Tenant data is read only through the scope of the authenticated caller.

use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{Context, ID, Object};
use gatehouse_identity::{AuditFilter, PageRequest};

use crate::context::{ServiceProviderInfo, auth, identity, operator_scope, tenant_scope};
use crate::error::{GqlResult, OrGql};
use crate::types::*;

pub struct QueryRoot;

pub(crate) fn parse_id<T: std::str::FromStr>(field: &str, id: &ID) -> GqlResult<T> {
    id.parse::<T>().map_err(|_| crate::error::invalid(field, "is not a valid ID"))
}

fn page(first: Option<i32>, after: Option<String>) -> GqlResult<PageRequest> {
    let first = match first {
        Some(n) if n < 0 => return Err(crate::error::invalid("first", "must not be negative")),
        Some(n) => Some(n as u64),
        None => None,
    };
    Ok(PageRequest { first, after })
}

fn connection<T, N>(
    p: gatehouse_identity::Page<T>,
    cursor: impl Fn(&T) -> String,
    node: impl Fn(T) -> N,
    had_cursor: bool,
) -> Connection<String, N>
where
    N: async_graphql::OutputType,
{
    let mut c = Connection::new(had_cursor, p.has_next_page);
    c.edges.extend(p.items.into_iter().map(|t| Edge::with_additional_fields(cursor(&t), node(t), EmptyFields)));
    c
}

#[Object(name = "Query")]
impl QueryRoot {
    /// The signed-in caller; `null` when not signed in.
    async fn me(&self, ctx: &Context<'_>) -> GqlResult<Option<Me>> {
        let Some(p) = auth(ctx).principal.as_ref() else { return Ok(None) };
        identity(ctx).me(p).await.gql().map(|m| Some(Me(m)))
    }

    /// The caller's tenant.
    async fn tenant(&self, ctx: &Context<'_>) -> GqlResult<Tenant> {
        let scope = tenant_scope(ctx).await?;
        identity(ctx).tenant(&scope).await.gql().map(Tenant)
    }

    /// All tenants (platform operators only).
    async fn tenants(&self, ctx: &Context<'_>) -> GqlResult<Vec<Tenant>> {
        let scope = operator_scope(ctx)?;
        Ok(identity(ctx).list_tenants(&scope).await.gql()?.into_iter().map(Tenant).collect())
    }

    /// The tenant's SSO settings and IdP certificates.
    async fn sso_connection(&self, ctx: &Context<'_>) -> GqlResult<SsoConnection> {
        let scope = tenant_scope(ctx).await?;
        identity(ctx).sso_connection(&scope).await.gql().map(SsoConnection)
    }

    /// The values to paste into the IdP: Identifier, Reply URL, Sign-on URL, metadata URL.
    async fn service_provider(&self, ctx: &Context<'_>) -> GqlResult<ServiceProvider> {
        let scope = tenant_scope(ctx).await?;
        let tenant = identity(ctx).tenant(&scope).await.gql()?;
        Ok(ServiceProvider { info: ctx.data_unchecked::<ServiceProviderInfo>().clone(), tenant_slug: tenant.slug })
    }

    /// Users of the tenant, oldest first; `search` matches e-mail, name and federation ID.
    async fn users(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        search: Option<String>,
    ) -> GqlResult<Connection<String, User>> {
        let scope = tenant_scope(ctx).await?;
        let had_cursor = after.is_some();
        let p = identity(ctx).list_users(&scope, search.as_deref(), &page(first, after)?).await.gql()?;
        Ok(connection(p, |u| u.id.to_string(), User, had_cursor))
    }

    async fn user(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<User>> {
        let scope = tenant_scope(ctx).await?;
        match identity(ctx).user(&scope, parse_id("id", &id)?).await {
            Ok(u) => Ok(Some(User(u))),
            Err(gatehouse_identity::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(crate::error::to_gql(e)),
        }
    }

    /// The tenant's audit log, newest first.
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<AuditEventFilter>,
    ) -> GqlResult<Connection<String, AuditEvent>> {
        let scope = tenant_scope(ctx).await?;
        let f = filter.unwrap_or_default();
        let filter = AuditFilter { action: f.action, target_id: f.target_id, since: f.since, until: f.until };
        let had_cursor = after.is_some();
        let p = identity(ctx).audit_events(&scope, &filter, &page(first, after)?).await.gql()?;
        Ok(connection(p, |e| e.id.to_string(), AuditEvent, had_cursor))
    }

    /// The tenant's SSO sign-in log, newest first.
    async fn sign_in_events(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<SignInEventFilter>,
    ) -> GqlResult<Connection<String, SignInEvent>> {
        let scope = tenant_scope(ctx).await?;
        let f = filter.unwrap_or_default();
        let user_id = match &f.user_id {
            Some(id) => Some(parse_id("filter.userId", id)?),
            None => None,
        };
        let filter = gatehouse_identity::SignInFilter { success: f.success, reason_code: f.reason_code, user_id, since: f.since };
        let had_cursor = after.is_some();
        let p = identity(ctx).sign_in_events(&scope, &filter, &page(first, after)?).await.gql()?;
        Ok(connection(p, |e| e.id.clone(), SignInEvent, had_cursor))
    }

    /// The tenant's SCIM tokens (without the secrets), revoked ones included.
    async fn scim_tokens(&self, ctx: &Context<'_>) -> GqlResult<Vec<ScimToken>> {
        let scope = tenant_scope(ctx).await?;
        Ok(identity(ctx).scim_tokens(&scope).await.gql()?.into_iter().map(ScimToken).collect())
    }

    /// The tenant's groups (provisioned by the IdP), oldest first, with their members.
    async fn groups(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, Group>> {
        let scope = tenant_scope(ctx).await?;
        let had_cursor = after.is_some();
        let p = identity(ctx).groups(&scope, &page(first, after)?).await.gql()?;
        Ok(connection(p, |g| g.id.to_string(), Group, had_cursor))
    }

    async fn group(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<Group>> {
        let scope = tenant_scope(ctx).await?;
        match identity(ctx).group(&scope, parse_id("id", &id)?).await {
            Ok(g) => Ok(Some(Group(g))),
            Err(gatehouse_identity::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(crate::error::to_gql(e)),
        }
    }

    /// The tenant's API tokens (without the secrets).
    async fn api_tokens(&self, ctx: &Context<'_>) -> GqlResult<Vec<ApiToken>> {
        let scope = tenant_scope(ctx).await?;
        Ok(identity(ctx).api_tokens(&scope).await.gql()?.into_iter().map(ApiToken).collect())
    }
}
