//! Home-realm discovery: how each tenant of an e-mail address signs in, for `/login`.

use crate::Identity;
use crate::error::Result;
use crate::model::*;
use crate::store::entities::{tenant, user};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// How one tenant of an e-mail address signs in, for the sign-on page.
#[derive(Clone, Debug)]
pub struct HomeRealm {
    pub tenant_slug: String,
    pub tenant_name: String,
    pub login_policy: LoginPolicy,
    pub sso_enabled: bool,
}

impl Identity {
    /// The tenants where `email` is an active user, and how each signs in (home-realm
    /// discovery for `/login`).
    pub async fn home_realms(&self, email: &str) -> Result<Vec<HomeRealm>> {
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
            realms.push(HomeRealm {
                tenant_slug: t.slug,
                tenant_name: t.name,
                login_policy: conn.login_policy,
                sso_enabled: conn.enabled,
            });
        }
        Ok(realms)
    }
}
