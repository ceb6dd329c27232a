//! API tokens for GraphQL clients: created by tenant admins, shown once, stored hashed.

use super::TOUCH_EVERY;
use crate::audit::{self, Change};
use crate::auth::principal::{AdminScope, Principal};
use crate::error::{Error, Result};
use crate::ids::*;
use crate::model::*;
use crate::secrets::TokenKind;
use crate::store::entities::api_token;
use crate::{Identity, secrets, validate};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};
use serde_json::json;

impl Identity {
    /// Creates an API token; the token text is returned once and only its hash is kept.
    #[tracing::instrument(skip(self, scope), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn create_api_token(&self, scope: &AdminScope, name: &str) -> Result<(String, ApiToken)> {
        let name = validate::required_text("name", name, 100).map_err(|e| Error::Validation(vec![e]))?;
        let token = TokenKind::Api.generate();
        let now = self.now();
        let txn = self.begin_write().await?;
        let m = api_token::ActiveModel {
            id: Set(ApiTokenId::generate().as_uuid()),
            tenant_id: Set(scope.tenant_id().as_uuid()),
            name: Set(name),
            token_hash: Set(secrets::token_hash(&token)),
            token_prefix: Set(TokenKind::Api.shown_prefix(&token)),
            created_by: Set(scope.actor().label.clone()),
            created_at: Set(now),
            last_used_at: Set(None),
            revoked_at: Set(None),
        }
        .insert(&txn)
        .await?;
        let t = ApiToken::from(m);
        audit::record(
            &txn,
            now,
            Change::in_scope(scope, "api_token.create", "api_token", t.id, None, Some(json!({"name": t.name}))),
        )
        .await?;
        txn.commit().await?;
        Ok((token, t))
    }

    /// The tenant's API tokens, oldest first, a page at a time.
    pub async fn api_tokens(&self, scope: &AdminScope, page: &PageRequest) -> Result<Page<ApiToken>> {
        let size = page.size()?;
        let mut q = api_token::Entity::find()
            .filter(api_token::Column::TenantId.eq(scope.tenant_id().as_uuid()))
            .order_by_asc(api_token::Column::Id)
            .limit(size + 1);
        if let Some(after) = page.after_uuid()? {
            q = q.filter(api_token::Column::Id.gt(after));
        }
        let rows = q.all(&self.db).await?;
        Ok(page_from(rows.into_iter().map(ApiToken::from).collect(), size))
    }

    #[tracing::instrument(skip(self, scope), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn revoke_api_token(&self, scope: &AdminScope, id: ApiTokenId) -> Result<ApiToken> {
        let now = self.now();
        let txn = self.begin_write().await?;
        let m = api_token::Entity::find_by_id(id.as_uuid())
            .filter(api_token::Column::TenantId.eq(scope.tenant_id().as_uuid()))
            .one(&txn)
            .await?
            .ok_or(Error::NotFound { what: "API token" })?;
        if m.revoked_at.is_some() {
            return Ok(ApiToken::from(m));
        }
        let m = api_token::ActiveModel { id: Set(m.id), revoked_at: Set(Some(now)), ..Default::default() }
            .update(&txn)
            .await?;
        let t = ApiToken::from(m);
        audit::record(
            &txn,
            now,
            Change::in_scope(scope, "api_token.revoke", "api_token", t.id, Some(json!({"name": t.name})), None),
        )
        .await?;
        txn.commit().await?;
        Ok(t)
    }

    /// The principal behind an `Authorization: Bearer` API token, if live.
    pub async fn resolve_api_token(&self, token: &str) -> Result<Option<Principal>> {
        if !TokenKind::Api.is_plausible(token) {
            return Ok(None);
        }
        let Some(m) = api_token::Entity::find()
            .filter(api_token::Column::TokenHash.eq(secrets::token_hash(token)))
            .filter(api_token::Column::RevokedAt.is_null())
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let now = self.now();
        if m.last_used_at.is_none_or(|t| now - t >= TOUCH_EVERY) {
            api_token::Entity::update_many()
                .col_expr(api_token::Column::LastUsedAt, Expr::value(now))
                .filter(api_token::Column::Id.eq(m.id))
                .exec(&self.db)
                .await?;
        }
        Ok(Some(Principal::api_token(m.tenant_id.into(), m.id.into(), m.name)))
    }
}
