//! Home-realm discovery: where the sign-on page (`/login`) sends an e-mail address next.
//!
//! First by the address's **verified domain** ([`crate::domains`]): when a tenant offering
//! SSO holds a live claim on it, every address there goes to that tenant's IdP — whether
//! or not it has an account yet (just-in-time provisioning creates it at the ACS; without
//! JIT the ACS refuses an unknown user), so the page never tells which addresses of a
//! verified domain have accounts, nor which are break-glass accounts (those sign in with
//! a password through the page's password form). Then by the **exact user**, as before.
//! Every address costs the same two lookups (domain, then users), answered or not, so the
//! time taken does not tell a verified domain from an unknown one either.

use crate::Identity;
use crate::domains::tenant_sso;
use crate::error::Result;
use crate::model::*;
use crate::store::entities::{tenant, user};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// What the sign-on page does with an e-mail address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignInRoute {
    /// The address's domain is verified by a tenant offering SSO: on to its IdP. The page
    /// starts the sign-in itself, so the tenant's short name never shows in a URL.
    Domain { tenant_slug: String },
    /// The address is an active user of exactly one tenant, and that tenant signs in with
    /// SSO only: straight on to its IdP.
    SsoOnly { tenant_slug: String },
    /// Ask for the password. `sso_tenant` names the one tenant where SSO is offered beside
    /// the password (the page shows an SSO button); `None` when the address is in several
    /// tenants, in none, or its tenant does not offer SSO.
    Password { sso_tenant: Option<String> },
}

/// How one tenant of an e-mail address signs in.
struct HomeRealm {
    tenant_slug: String,
    login_policy: LoginPolicy,
    sso_enabled: bool,
}

impl Identity {
    /// Where the sign-on page sends `email`: an SSO-only user straight to their IdP, anyone
    /// else to the password field (with an SSO button where both are allowed). Unknown and
    /// inactive addresses get the password field like everyone else, so the page does not
    /// tell who has an account.
    pub async fn sign_in_route(&self, email: &str) -> Result<SignInRoute> {
        let owner = self.domain_owner(&self.db, email).await?;
        let realms = self.home_realms(email).await?;
        if let Some(tenant_id) = owner
            && tenant_sso(&self.db, tenant_id).await?.is_some_and(|s| s.offers_sso())
            && let Some(t) = tenant::Entity::find_by_id(tenant_id.as_uuid()).one(&self.db).await?
        {
            return Ok(SignInRoute::Domain { tenant_slug: t.slug });
        }
        Ok(match realms.as_slice() {
            [only] if only.sso_enabled && only.login_policy == LoginPolicy::Sso => {
                SignInRoute::SsoOnly { tenant_slug: only.tenant_slug.clone() }
            }
            [only] => SignInRoute::Password {
                sso_tenant: (only.sso_enabled && only.login_policy == LoginPolicy::PasswordOrSso)
                    .then(|| only.tenant_slug.clone()),
            },
            _ => SignInRoute::Password { sso_tenant: None },
        })
    }

    /// The tenants where `email` is an active user, and how each signs in.
    async fn home_realms(&self, email: &str) -> Result<Vec<HomeRealm>> {
        let email = email.trim().to_lowercase();
        let rows = user::Entity::find()
            .find_also_related(tenant::Entity)
            .filter(user::Column::Email.eq(email))
            .filter(user::Column::DeletedAt.is_null())
            .filter(user::Column::Status.eq(UserStatus::Active.as_str()))
            .all(&self.db)
            .await?;
        let mut realms = Vec::new();
        for (_, t) in rows {
            let Some(t) = t else { continue };
            let conn = self.load_connection(&self.db, t.id.into()).await?;
            realms.push(HomeRealm { tenant_slug: t.slug, login_policy: conn.login_policy, sso_enabled: conn.enabled });
        }
        Ok(realms)
    }
}
