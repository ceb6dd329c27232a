//! What the end-user pages (`/login`, the error pages, `/logout`) may say about an
//! organisation: its display name and which ways in it offers, so a page can carry the
//! tenant's name once it is known and offer the next step ("Try single sign-on again",
//! "Sign in with a password"). Read-only, never on the SSO sign-in's success path (the
//! ACS and the hand-over do not call it). Only the server's page handlers call it.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::Identity;
use crate::error::Result;
use crate::ids::{SignInEventId, TenantId};
use crate::model::LoginPolicy;
use crate::store::entities::{sign_in_event, sso_connection, tenant};

/// An organisation as an end-user page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Organisation {
    pub slug: String,
    /// The tenant's display name (an operator chose it; the page escapes it).
    pub name: String,
    /// Single sign-on is switched on: "Try single sign-on again" leads somewhere.
    pub sso: bool,
    /// The policy lets its users sign in with a password (under SSO only, just its
    /// break-glass accounts may, so the page does not offer it to everyone).
    pub password: bool,
}

impl Identity {
    /// The organisation a sign-in link names (`?tenant=<slug>`); `None` for an unknown slug.
    pub async fn organisation_by_slug(&self, slug: &str) -> Result<Option<Organisation>> {
        let Some(t) = tenant::Entity::find().filter(tenant::Column::Slug.eq(slug.trim())).one(&self.db).await? else {
            return Ok(None);
        };
        self.organisation_of(t).await.map(Some)
    }

    /// The organisation a refused sign-in was tied to (its sign-in event names the tenant);
    /// `None` when the attempt could not be tied to one.
    pub async fn organisation_of_sign_in_event(&self, event: SignInEventId) -> Result<Option<Organisation>> {
        let tenant_id: Option<Option<uuid::Uuid>> = sign_in_event::Entity::find_by_id(event.as_uuid())
            .select_only()
            .column(sign_in_event::Column::TenantId)
            .into_tuple()
            .one(&self.db)
            .await?;
        let Some(Some(tenant_id)) = tenant_id else { return Ok(None) };
        self.organisation_by_id(tenant_id.into()).await
    }

    /// The organisation of a tenant by its ID; `None` when it is gone.
    pub async fn organisation_by_id(&self, tenant_id: TenantId) -> Result<Option<Organisation>> {
        match tenant::Entity::find_by_id(tenant_id.as_uuid()).one(&self.db).await? {
            Some(t) => self.organisation_of(t).await.map(Some),
            None => Ok(None),
        }
    }

    async fn organisation_of(&self, t: tenant::Model) -> Result<Organisation> {
        let conn =
            sso_connection::Entity::find().filter(sso_connection::Column::TenantId.eq(t.id)).one(&self.db).await?;
        let (sso, password) = match conn {
            Some(c) => {
                let policy = LoginPolicy::parse_stored(&c.login_policy)?;
                (c.enabled && policy != LoginPolicy::Password, !(c.enabled && policy == LoginPolicy::Sso))
            }
            None => (false, true),
        };
        Ok(Organisation { slug: t.slug, name: t.name, sso, password })
    }
}
