//! The operators' list of tenants: a search by slug or name, and for a page of tenants
//! what the list shows beside each (SSO on or off, how many users), read for the whole
//! page in two statements.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::Identity;
use crate::auth::principal::OperatorScope;
use crate::error::Result;
use crate::ids::TenantId;
use crate::model::{LoginPolicy, Page, PageRequest, Tenant, page_from};
use crate::sign_in_log::escape_like;
use crate::store::entities::{sso_connection, tenant, user};

/// Tenants per statement when reading a page's overviews.
const TENANTS_PER_STATEMENT: usize = 200;

/// What the tenants list shows beside a tenant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TenantOverview {
    /// Single sign-on is switched on.
    pub sso_enabled: bool,
    /// Its sign-in policy (`None` before a connection row exists).
    pub login_policy: Option<LoginPolicy>,
    /// Users not deleted, of any status.
    pub users: u64,
}

impl Identity {
    /// Tenants by slug, a page at a time; `search` keeps those whose slug or name contains it
    /// (case-insensitive).
    pub async fn list_tenants_matching(
        &self,
        _scope: &OperatorScope,
        search: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<Tenant>> {
        let size = page.size()?;
        let mut q = tenant::Entity::find().order_by_asc(tenant::Column::Slug).limit(size + 1);
        if let Some(after) = page.after.as_deref() {
            q = q.filter(tenant::Column::Slug.gt(after));
        }
        if let Some(s) = search.map(str::trim).filter(|s| !s.is_empty()) {
            let pattern = format!("%{}%", escape_like(&s.to_lowercase()));
            let lower_like = |c: tenant::Column| {
                Expr::expr(Func::lower(Expr::col(c))).like(LikeExpr::new(pattern.clone()).escape('\\'))
            };
            q = q.filter(Condition::any().add(lower_like(tenant::Column::Slug)).add(lower_like(tenant::Column::Name)));
        }
        let rows = q.all(&self.db).await?;
        Ok(page_from(rows.into_iter().map(Tenant::from).collect(), size))
    }

    /// SSO status and user count of each of `tenants`.
    pub async fn tenant_overviews(
        &self,
        _scope: &OperatorScope,
        tenants: &[TenantId],
    ) -> Result<HashMap<TenantId, TenantOverview>> {
        let mut out: HashMap<TenantId, TenantOverview> = HashMap::new();
        for chunk in tenants.chunks(TENANTS_PER_STATEMENT) {
            let ids = || chunk.iter().map(TenantId::as_uuid);
            let connections: Vec<(uuid::Uuid, bool, String)> = sso_connection::Entity::find()
                .select_only()
                .column(sso_connection::Column::TenantId)
                .column(sso_connection::Column::Enabled)
                .column(sso_connection::Column::LoginPolicy)
                .filter(sso_connection::Column::TenantId.is_in(ids()))
                .into_tuple()
                .all(&self.db)
                .await?;
            for (t, enabled, policy) in connections {
                let o = out.entry(t.into()).or_default();
                o.sso_enabled = enabled;
                o.login_policy = Some(LoginPolicy::parse_stored(&policy)?);
            }
            let counts: Vec<(uuid::Uuid, i64)> = user::Entity::find()
                .select_only()
                .column(user::Column::TenantId)
                .column_as(user::Column::Id.count(), "users")
                .filter(user::Column::TenantId.is_in(ids()))
                .filter(user::Column::DeletedAt.is_null())
                .group_by(user::Column::TenantId)
                .into_tuple()
                .all(&self.db)
                .await?;
            for (t, n) in counts {
                out.entry(t.into()).or_default().users = u64::try_from(n).unwrap_or_default();
            }
        }
        Ok(out)
    }
}
