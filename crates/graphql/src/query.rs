//! Queries. Tenant data is read only through the scope of the authenticated caller.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object};
use gatehouse_identity::AuditFilter;

use crate::context::{ServiceProviderInfo, auth, identity, operator_scope, tenant_scope};
use crate::error::{GqlResult, OrGql};
use crate::pagination::{connection, objects, page};
use crate::types::*;

#[derive(Default)]
pub(crate) struct CoreQuery;

pub(crate) fn parse_id<T: std::str::FromStr>(field: &str, id: &ID) -> GqlResult<T> {
    id.parse::<T>().map_err(|_| crate::error::invalid(field, "is not a valid ID"))
}

#[Object]
impl CoreQuery {
    /// The signed-in caller; `null` when not signed in.
    async fn me(&self, ctx: &Context<'_>) -> GqlResult<Option<Me>> {
        let Some(p) = auth(ctx).principal.as_ref() else { return Ok(None) };
        identity(ctx).me(p).await.gql().map(|m| Some(Me(m)))
    }

    /// The caller's tenant.
    async fn tenant(&self, ctx: &Context<'_>) -> GqlResult<Tenant> {
        let scope = tenant_scope(ctx).await?;
        identity(ctx).tenant(&scope).await.gql().map(Tenant::one)
    }

    /// All tenants, by slug (platform operators only); `search` keeps those whose slug or
    /// name contains it (case-insensitive).
    #[graphql(complexity = "crate::limits::list_cost(first, child_complexity)")]
    async fn tenants(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        search: Option<String>,
    ) -> GqlResult<Connection<String, Tenant>> {
        let scope = operator_scope(ctx)?;
        let had_cursor = after.is_some();
        let p = identity(ctx).list_tenants_matching(&scope, search.as_deref(), &page(first, after)?).await.gql()?;
        Ok(connection(objects(p, Tenant::listed), |t| t.tenant.slug.clone(), had_cursor))
    }

    /// The tenant's SSO settings and IdP certificates.
    async fn sso_connection(&self, ctx: &Context<'_>) -> GqlResult<SsoConnection> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        identity(ctx).sso_connection(&scope).await.gql().map(SsoConnection)
    }

    /// The values to paste into the IdP: Identifier, Reply URL, Sign-on URL, metadata URL.
    async fn service_provider(&self, ctx: &Context<'_>) -> GqlResult<ServiceProvider> {
        let scope = tenant_scope(ctx).await?;
        let tenant = identity(ctx).tenant(&scope).await.gql()?;
        Ok(ServiceProvider { info: ctx.data_unchecked::<ServiceProviderInfo>().clone(), tenant_slug: tenant.slug })
    }

    /// Gatehouse's SP keys with their rollover state (platform operators only; tenant admins
    /// see the same certificates under `serviceProvider.certificates`).
    async fn sp_keys(&self, ctx: &Context<'_>) -> GqlResult<Vec<SpCertificate>> {
        operator_scope(ctx)?;
        let keys = identity(ctx).sp_certificates().await.gql()?;
        Ok(keys.into_iter().map(SpCertificate).collect())
    }

    /// Users of the tenant, oldest first; `search` matches e-mail, name and federation ID,
    /// `status` keeps only the users in that status.
    #[graphql(complexity = "crate::limits::list_cost(first, child_complexity)")]
    async fn users(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        search: Option<String>,
        status: Option<UserStatus>,
    ) -> GqlResult<Connection<String, User>> {
        let scope = tenant_scope(ctx).await?;
        let had_cursor = after.is_some();
        let page = page(first, after)?;
        let p = identity(ctx)
            .list_users_with_status(&scope.admin().gql()?, search.as_deref(), status.map(Into::into), &page)
            .await
            .gql()?;
        Ok(connection(objects(p, User::batch), |u| u.user.id.to_string(), had_cursor))
    }

    async fn user(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<User>> {
        let scope = tenant_scope(ctx).await?;
        match identity(ctx).user(&scope, parse_id("id", &id)?).await {
            Ok(u) => Ok(Some(User::one(u))),
            Err(gatehouse_identity::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(crate::error::to_gql(e)),
        }
    }

    /// The tenant's audit log, newest first.
    #[graphql(complexity = "crate::limits::list_cost(first, child_complexity)")]
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<AuditEventFilter>,
    ) -> GqlResult<Connection<String, AuditEvent>> {
        let scope = tenant_scope(ctx).await?;
        let f = filter.unwrap_or_default();
        let filter = AuditFilter {
            action: f.action,
            target_id: f.target_id,
            target_type: f.target_type,
            search: f.search,
            since: f.since,
            until: f.until,
        };
        let had_cursor = after.is_some();
        let page = page(first, after)?;
        let p = identity(ctx).audit_events(&scope.admin().gql()?, &filter, &page).await.gql()?;
        Ok(connection(objects(p, |es| es.into_iter().map(AuditEvent).collect()), |e| e.0.id.to_string(), had_cursor))
    }

    /// The tenant's SSO sign-in log, newest first.
    #[graphql(complexity = "crate::limits::list_cost(first, child_complexity)")]
    async fn sign_in_events(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<SignInEventFilter>,
    ) -> GqlResult<Connection<String, SignInEvent>> {
        let scope = tenant_scope(ctx).await?;
        let filter = sign_in_filter(filter)?;
        let had_cursor = after.is_some();
        let page = page(first, after)?;
        let p = identity(ctx).sign_in_events(&scope.admin().gql()?, &filter, &page).await.gql()?;
        Ok(connection(objects(p, |es| es.into_iter().map(SignInEvent).collect()), |e| e.0.id.to_string(), had_cursor))
    }

    /// Sign-in attempts that could not be tied to a tenant (no organisation named, unknown
    /// IdP issuer, unreadable posts), newest first (platform operators only).
    #[graphql(complexity = "crate::limits::list_cost(first, child_complexity)")]
    async fn unattributed_sign_in_events(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<SignInEventFilter>,
    ) -> GqlResult<Connection<String, SignInEvent>> {
        let scope = operator_scope(ctx)?;
        let filter = sign_in_filter(filter)?;
        let had_cursor = after.is_some();
        let page = page(first, after)?;
        let p = identity(ctx).unattributed_sign_in_events(&scope, &filter, &page).await.gql()?;
        Ok(connection(objects(p, |es| es.into_iter().map(SignInEvent).collect()), |e| e.0.id.to_string(), had_cursor))
    }

    /// Every sign-in reason code with its meaning, for the sign-in log's reason filter
    /// (any signed-in caller: the list is the same for everyone).
    async fn sign_in_reasons(&self, ctx: &Context<'_>) -> GqlResult<Vec<SignInReasonInfo>> {
        crate::context::principal(ctx)?;
        Ok(SignInReasonInfo::all())
    }

    /// The SSO connection at a glance: health, last sign-in, last failure, certificate
    /// expiry, last Test SSO, SCIM activity.
    async fn connection_status(&self, ctx: &Context<'_>) -> GqlResult<ConnectionStatus> {
        let scope = tenant_scope(ctx).await?.admin().gql()?;
        identity(ctx).connection_status(&scope).await.gql().map(ConnectionStatus)
    }

    /// The tenant's SCIM tokens (without the secrets), oldest first, revoked ones included.
    #[graphql(complexity = "crate::limits::list_cost(first, child_complexity)")]
    async fn scim_tokens(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, ScimToken>> {
        let scope = tenant_scope(ctx).await?;
        let had_cursor = after.is_some();
        let page = page(first, after)?;
        let p = identity(ctx).scim_tokens(&scope.admin().gql()?, &page).await.gql()?;
        Ok(connection(objects(p, |ts| ts.into_iter().map(ScimToken).collect()), |t| t.0.id.to_string(), had_cursor))
    }

    /// The tenant's groups (provisioned by the IdP), oldest first; `search` keeps those
    /// whose name contains it (case-insensitive).
    #[graphql(complexity = "crate::limits::list_cost(first, child_complexity)")]
    async fn groups(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        search: Option<String>,
    ) -> GqlResult<Connection<String, Group>> {
        let scope = tenant_scope(ctx).await?;
        let had_cursor = after.is_some();
        let page = page(first, after)?;
        let p = identity(ctx).groups_matching(&scope.admin().gql()?, search.as_deref(), &page).await.gql()?;
        Ok(connection(objects(p, Group::batch), |g| g.group.id.to_string(), had_cursor))
    }

    async fn group(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<Group>> {
        let scope = tenant_scope(ctx).await?;
        let id = parse_id("id", &id)?;
        match identity(ctx).group(&scope.admin().gql()?, id).await {
            Ok(g) => Ok(Some(Group::one(g))),
            Err(gatehouse_identity::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(crate::error::to_gql(e)),
        }
    }

    /// The tenant's API tokens (without the secrets), oldest first, revoked ones included.
    #[graphql(complexity = "crate::limits::list_cost(first, child_complexity)")]
    async fn api_tokens(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, ApiToken>> {
        let scope = tenant_scope(ctx).await?;
        let had_cursor = after.is_some();
        let page = page(first, after)?;
        let p = identity(ctx).api_tokens(&scope.admin().gql()?, &page).await.gql()?;
        Ok(connection(objects(p, |ts| ts.into_iter().map(ApiToken).collect()), |t| t.0.id.to_string(), had_cursor))
    }
}

pub(crate) fn sign_in_filter(filter: Option<SignInEventFilter>) -> GqlResult<gatehouse_identity::SignInFilter> {
    let f = filter.unwrap_or_default();
    let user_id = match &f.user_id {
        Some(id) => Some(parse_id("filter.userId", id)?),
        None => None,
    };
    let reference = match &f.reference {
        Some(id) => Some(parse_id("filter.reference", &ID(id.trim().to_owned()))?),
        None => None,
    };
    Ok(gatehouse_identity::SignInFilter {
        success: f.success,
        reason_code: f.reason_code,
        user_id,
        user: f.user,
        reference,
        since: f.since,
    })
}
