//! Tenants: the customer organisation, and creating one with its first admin.

use async_graphql::{ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use gatehouse_identity as idn;

use super::User;

/// A customer organisation.
pub(crate) struct Tenant(pub idn::Tenant);

#[Object]
impl Tenant {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The short name used in URLs (`/scim/v2/<slug>`, `/saml2/login?tenant=<slug>`).
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Whether the tenant's IdP URLs may use plain http (set by an operator for test IdPs).
    async fn dev_mode(&self) -> bool {
        self.0.dev_mode
    }
    /// Whether SCIM may rename, deactivate and delete tenant admins (off by default: SCIM
    /// requests that would are refused with 403).
    async fn scim_manages_admins(&self) -> bool {
        self.0.scim_manages_admins
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
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
