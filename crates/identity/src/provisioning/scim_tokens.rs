//! SCIM bearer tokens: a tenant admin creates, rotates and revokes them (the "Secret Token"
//! Entra asks for); the token text is shown once and only its SHA-256 is kept. The SCIM
//! endpoint turns a token into a [`ScimScope`] for the tenant named in its URL only.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, sea_query::Expr,
};
use serde_json::json;

use crate::audit::{self, Change};
use crate::auth::principal::{AdminScope, ScimScope, TenantScope};
use crate::error::{Error, Result};
use crate::ids::*;
use crate::model::{Page, PageRequest, page_from};
use crate::secrets::TokenKind;
use crate::store::entities::{scim_token, tenant};
use crate::{Identity, secrets};

/// Last-used times are written at most this often per token.
const TOUCH_EVERY: Duration = Duration::seconds(60);

/// A SCIM token as the console lists it (never the secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScimToken {
    pub id: ScimTokenId,
    /// The token's first characters, to tell tokens apart; never enough to use it.
    pub prefix: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A new token: the secret (shown this once) and its record.
#[derive(Clone, Debug)]
pub struct CreatedScimToken {
    pub token: String,
    pub scim_token: ScimToken,
}

impl Identity {
    /// Creates a SCIM token for the caller's tenant. Earlier tokens stay valid until revoked,
    /// so the IdP can be switched over without a gap.
    #[tracing::instrument(skip(self, scope), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn create_scim_token(&self, scope: &AdminScope) -> Result<CreatedScimToken> {
        let txn = self.begin_write().await?;
        let created = self.insert_scim_token(&txn, scope).await?;
        txn.commit().await?;
        Ok(created)
    }

    /// Replaces a token by a new one in one step: the old one stops working at once.
    #[tracing::instrument(skip(self, scope), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn rotate_scim_token(&self, scope: &AdminScope, id: ScimTokenId) -> Result<CreatedScimToken> {
        let txn = self.begin_write().await?;
        self.revoke_in(&txn, scope, id).await?;
        let created = self.insert_scim_token(&txn, scope).await?;
        txn.commit().await?;
        Ok(created)
    }

    #[tracing::instrument(skip(self, scope), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn revoke_scim_token(&self, scope: &AdminScope, id: ScimTokenId) -> Result<ScimToken> {
        let txn = self.begin_write().await?;
        let t = self.revoke_in(&txn, scope, id).await?;
        txn.commit().await?;
        Ok(t)
    }

    /// The tenant's SCIM tokens, oldest first, revoked ones included, a page at a time.
    pub async fn scim_tokens(&self, scope: &AdminScope, page: &PageRequest) -> Result<Page<ScimToken>> {
        let size = page.size()?;
        let mut q = scim_token::Entity::find()
            .filter(scim_token::Column::TenantId.eq(scope.tenant_id().as_uuid()))
            .order_by_asc(scim_token::Column::Id)
            .limit(size + 1);
        if let Some(after) = page.after_uuid()? {
            q = q.filter(scim_token::Column::Id.gt(after));
        }
        let rows = q.all(&self.db).await?;
        Ok(page_from(rows.into_iter().map(ScimToken::from).collect(), size))
    }

    /// The scope behind `Authorization: Bearer <token>` on `/scim/v2/<tenant_slug>`: `None`
    /// unless the token is live and belongs to exactly that tenant.
    pub async fn resolve_scim_token(&self, tenant_slug: &str, token: &str) -> Result<Option<ScimScope>> {
        if !TokenKind::Scim.is_plausible(token) {
            return Ok(None);
        }
        let found = scim_token::Entity::find()
            .filter(scim_token::Column::TokenHash.eq(secrets::token_hash(token)))
            .filter(scim_token::Column::RevokedAt.is_null())
            .one(&self.db)
            .await?;
        let Some(m) = found else { return Ok(None) };
        let owner = tenant::Entity::find_by_id(m.tenant_id).one(&self.db).await?;
        if owner.is_none_or(|t| t.slug != tenant_slug) {
            return Ok(None);
        }
        let now = self.now();
        if m.last_used_at.is_none_or(|t| now - t >= TOUCH_EVERY) {
            scim_token::Entity::update_many()
                .col_expr(scim_token::Column::LastUsedAt, Expr::value(now))
                .filter(scim_token::Column::Id.eq(m.id))
                .exec(&self.db)
                .await?;
        }
        Ok(Some(ScimScope::new(m.tenant_id.into(), m.id.into(), &m.token_prefix)))
    }

    async fn insert_scim_token(&self, conn: &impl ConnectionTrait, scope: &TenantScope) -> Result<CreatedScimToken> {
        let token = TokenKind::Scim.generate();
        let now = self.now();
        let m = scim_token::ActiveModel {
            id: Set(ScimTokenId::generate().as_uuid()),
            tenant_id: Set(scope.tenant_id().as_uuid()),
            token_hash: Set(secrets::token_hash(&token)),
            token_prefix: Set(TokenKind::Scim.shown_prefix(&token)),
            created_by: Set(scope.actor().label.clone()),
            created_at: Set(now),
            last_used_at: Set(None),
            revoked_at: Set(None),
        }
        .insert(conn)
        .await?;
        let t = ScimToken::from(m);
        audit::record(
            conn,
            now,
            Change::in_scope(scope, "scim_token.create", "scim_token", t.id, None, Some(json!({"prefix": t.prefix}))),
        )
        .await?;
        Ok(CreatedScimToken { token, scim_token: t })
    }

    async fn revoke_in(&self, conn: &impl ConnectionTrait, scope: &TenantScope, id: ScimTokenId) -> Result<ScimToken> {
        let m = scim_token::Entity::find_by_id(id.as_uuid())
            .filter(scim_token::Column::TenantId.eq(scope.tenant_id().as_uuid()))
            .one(conn)
            .await?
            .ok_or(Error::NotFound { what: "SCIM token" })?;
        if m.revoked_at.is_some() {
            return Ok(ScimToken::from(m));
        }
        let now = self.now();
        let m = scim_token::ActiveModel { id: Set(m.id), revoked_at: Set(Some(now)), ..Default::default() }
            .update(conn)
            .await?;
        let t = ScimToken::from(m);
        audit::record(
            conn,
            now,
            Change::in_scope(scope, "scim_token.revoke", "scim_token", t.id, Some(json!({"prefix": t.prefix})), None),
        )
        .await?;
        Ok(t)
    }
}
