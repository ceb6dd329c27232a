//! Tokens: API tokens for GraphQL clients and SCIM bearer tokens for provisioning, and the
//! payloads that show a new secret once.

use async_graphql::{ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use gatehouse_identity as idn;

pub(crate) struct ApiToken(pub idn::ApiToken);

#[Object]
impl ApiToken {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The token's first characters, to tell tokens apart.
    async fn prefix(&self) -> &str {
        &self.0.prefix
    }
    async fn created_by(&self) -> &str {
        &self.0.created_by
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_used_at
    }
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
}

#[derive(SimpleObject)]
pub(crate) struct CreateApiTokenPayload {
    /// The token, shown this once. Send it as `Authorization: Bearer <token>`.
    pub token: String,
    pub api_token: ApiToken,
}

/// A SCIM bearer token (Entra's "Secret Token"); the secret itself is shown only on creation.
pub(crate) struct ScimToken(pub idn::ScimToken);

#[Object]
impl ScimToken {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The token's first characters, to tell tokens apart.
    async fn prefix(&self) -> &str {
        &self.0.prefix
    }
    async fn created_by(&self) -> &str {
        &self.0.created_by
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_used_at
    }
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
}

/// What Entra's provisioning page asks for: "Tenant URL" and "Secret Token".
#[derive(SimpleObject)]
pub(crate) struct CreateScimTokenPayload {
    /// The Secret Token, shown this once. Sent as `Authorization: Bearer <token>`.
    pub token: String,
    /// The Tenant URL: `<public URL>/scim/v2/<tenant>`.
    pub tenant_url: String,
    pub scim_token: ScimToken,
}
