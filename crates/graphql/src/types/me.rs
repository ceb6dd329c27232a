//! Who is calling: the signed-in caller (`me`) and what signing in returns.

use async_graphql::{Enum, ID, Object, SimpleObject};
use gatehouse_identity as idn;

use super::Tenant;

/// What the signed-in caller is.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalRole {
    PlatformOperator,
    TenantAdmin,
    User,
    ApiToken,
}

/// The signed-in caller.
pub(crate) struct Me(pub idn::Me);

#[Object]
impl Me {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn email(&self) -> &str {
        &self.0.email
    }
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
    async fn role(&self) -> PrincipalRole {
        match self.0.role {
            idn::MeRole::Operator => PrincipalRole::PlatformOperator,
            idn::MeRole::TenantAdmin => PrincipalRole::TenantAdmin,
            idn::MeRole::User => PrincipalRole::User,
            idn::MeRole::ApiToken => PrincipalRole::ApiToken,
        }
    }
    /// `null` for platform operators, who belong to no tenant.
    async fn tenant(&self) -> Option<Tenant> {
        self.0.tenant.clone().map(Tenant::one)
    }
}

#[derive(SimpleObject)]
pub(crate) struct SignInPayload {
    pub me: Me,
}
