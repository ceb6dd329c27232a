//! Tenants: the customer organisation, and creating one with its first admin.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use gatehouse_identity as idn;
use tokio::sync::OnceCell;

use super::User;
use super::sso::LoginPolicy;
use crate::context::{identity, operator_scope};
use crate::error::{GqlResult, OrGql};

/// A customer organisation.
pub(crate) struct Tenant {
    pub(crate) tenant: idn::Tenant,
    /// The tenants listed with this one: their overviews are read together.
    batch: Arc<TenantBatch>,
}

/// Tenants read together (a page of the operators' list).
#[derive(Default)]
pub(crate) struct TenantBatch {
    ids: Vec<idn::TenantId>,
    overviews: OnceCell<HashMap<idn::TenantId, idn::TenantOverview>>,
}

impl Tenant {
    /// A tenant read on its own.
    pub(crate) fn one(tenant: idn::Tenant) -> Tenant {
        Tenant::listed(vec![tenant]).remove(0)
    }

    /// Tenants read together: an overview field of one is read for all of them.
    pub(crate) fn listed(tenants: Vec<idn::Tenant>) -> Vec<Tenant> {
        let batch = Arc::new(TenantBatch { ids: tenants.iter().map(|t| t.id).collect(), ..TenantBatch::default() });
        tenants.into_iter().map(|tenant| Tenant { tenant, batch: batch.clone() }).collect()
    }

    async fn overview(&self, ctx: &Context<'_>) -> GqlResult<idn::TenantOverview> {
        let all = self
            .batch
            .overviews
            .get_or_try_init(|| async {
                let scope = operator_scope(ctx)?;
                identity(ctx).tenant_overviews(&scope, &self.batch.ids).await.gql()
            })
            .await?;
        Ok(all.get(&self.tenant.id).copied().unwrap_or_default())
    }
}

#[Object]
impl Tenant {
    async fn id(&self) -> ID {
        ID(self.tenant.id.to_string())
    }
    /// The short name used in URLs (`/scim/v2/<slug>`, `/saml2/login?tenant=<slug>`).
    async fn slug(&self) -> &str {
        &self.tenant.slug
    }
    async fn name(&self) -> &str {
        &self.tenant.name
    }
    /// Whether the tenant's IdP URLs may use plain http (set by an operator for test IdPs).
    async fn dev_mode(&self) -> bool {
        self.tenant.dev_mode
    }
    /// Whether SCIM may rename, deactivate and delete tenant admins (off by default: SCIM
    /// requests that would are refused with 403).
    async fn scim_manages_admins(&self) -> bool {
        self.tenant.scim_manages_admins
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.tenant.created_at
    }
    /// Whether single sign-on is switched on (platform operators only).
    async fn sso_enabled(&self, ctx: &Context<'_>) -> GqlResult<bool> {
        Ok(self.overview(ctx).await?.sso_enabled)
    }
    /// How its users sign in (platform operators only).
    async fn login_policy(&self, ctx: &Context<'_>) -> GqlResult<Option<LoginPolicy>> {
        Ok(self.overview(ctx).await?.login_policy.map(Into::into))
    }
    /// Its users, deleted ones not counted (platform operators only).
    async fn user_count(&self, ctx: &Context<'_>) -> GqlResult<u64> {
        Ok(self.overview(ctx).await?.users)
    }
}

#[derive(InputObject)]
pub(crate) struct CreateTenantInput {
    pub slug: String,
    pub name: String,
    pub admin_email: String,
    /// Leave out to have one generated and returned once.
    pub admin_password: Option<String>,
}

#[derive(SimpleObject)]
pub(crate) struct CreateTenantPayload {
    pub tenant: Tenant,
    pub admin: User,
    /// Only when the password was generated; shown this once.
    pub generated_admin_password: Option<String>,
}
