//! The audit log: every change an admin, operator, token or the system makes, with the
//! state before and after (never secrets). Written in the same transaction as the change.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;

use crate::Identity;
use crate::auth::principal::{Actor, AdminScope, ScimScope, TenantScope};
use crate::error::{Error, Result};
use crate::ids::{AuditEventId, TenantId};
use crate::model::{AuditEvent, Page, PageRequest, page_from};
use crate::store::entities::audit_event;

/// What changed, as one audit entry.
pub(crate) struct Change<'a> {
    pub tenant_id: Option<TenantId>,
    pub actor: &'a Actor,
    pub action: &'static str,
    pub target_type: &'static str,
    pub target_id: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Whoever acts inside one tenant: a tenant scope (admin, user, API token) or a SCIM token.
pub(crate) trait Acting {
    fn acting_tenant(&self) -> TenantId;
    fn acting_actor(&self) -> &Actor;
}

/// Every scope already knows its tenant and actor under the same names.
macro_rules! acting {
    ($($scope:ty),*) => {$(
        impl Acting for $scope {
            fn acting_tenant(&self) -> TenantId {
                self.tenant_id()
            }
            fn acting_actor(&self) -> &Actor {
                self.actor()
            }
        }
    )*};
}

acting!(TenantScope, AdminScope, ScimScope);

impl<'a> Change<'a> {
    /// A change inside the acting scope's tenant, by its actor (an admin, or the SCIM token).
    pub(crate) fn in_scope(
        scope: &'a impl Acting,
        action: &'static str,
        target_type: &'static str,
        target_id: impl ToString,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) -> Change<'a> {
        Change {
            tenant_id: Some(scope.acting_tenant()),
            actor: scope.acting_actor(),
            action,
            target_type,
            target_id: Some(target_id.to_string()),
            before,
            after,
        }
    }
}

pub(crate) fn snapshot<T: Serialize>(v: &T) -> Option<serde_json::Value> {
    serde_json::to_value(v).ok()
}

/// Writes the audit entry and, when the change is a webhook event a tenant's endpoint is
/// subscribed to, its outbox row — both on `conn`, the change's own transaction.
pub(crate) async fn record(conn: &impl ConnectionTrait, now: DateTime<Utc>, c: Change<'_>) -> Result<()> {
    crate::webhooks::outbox::for_audit(conn, now, &c).await?;
    audit_event::Entity::insert(audit_event::ActiveModel {
        id: Set(AuditEventId::generate().as_uuid()),
        tenant_id: Set(c.tenant_id.map(|t| t.as_uuid())),
        actor_kind: Set(c.actor.kind.to_owned()),
        actor_id: Set(c.actor.id.clone()),
        actor_label: Set(c.actor.label.clone()),
        action: Set(c.action.to_owned()),
        target_type: Set(c.target_type.to_owned()),
        target_id: Set(c.target_id),
        before: Set(c.before),
        after: Set(c.after),
        created_at: Set(now),
    })
    .exec(conn)
    .await?;
    Ok(())
}

/// Narrows an audit listing.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    /// Exact action, e.g. `sso_connection.update`.
    pub action: Option<String>,
    /// Only changes to this target.
    pub target_id: Option<String>,
    /// Only changes to this kind of target (the category), e.g. `user`, `sso_connection`.
    pub target_type: Option<String>,
    /// Part of the action, the actor or the target ID, any case.
    pub search: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// The longest `search` an audit filter may carry.
pub const MAX_SEARCH_CHARS: usize = 256;

impl Identity {
    /// The tenant's audit log, newest first.
    #[tracing::instrument(skip(self, scope), fields(tenant_id = %scope.tenant_id()), err)]
    pub async fn audit_events(
        &self,
        scope: &AdminScope,
        filter: &AuditFilter,
        page: &PageRequest,
    ) -> Result<Page<AuditEvent>> {
        let size = page.size()?;
        let mut q = audit_event::Entity::find()
            .filter(audit_event::Column::TenantId.eq(scope.tenant_id().as_uuid()))
            .order_by_desc(audit_event::Column::Id)
            .limit(size + 1);
        if let Some(after) = page.after_uuid()? {
            q = q.filter(audit_event::Column::Id.lt(after));
        }
        if let Some(a) = &filter.action {
            q = q.filter(audit_event::Column::Action.eq(a.as_str()));
        }
        if let Some(t) = &filter.target_id {
            q = q.filter(audit_event::Column::TargetId.eq(t.as_str()));
        }
        if let Some(t) = &filter.target_type {
            q = q.filter(audit_event::Column::TargetType.eq(t.as_str()));
        }
        if let Some(search) = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            if search.chars().count() > MAX_SEARCH_CHARS {
                return Err(Error::invalid("filter.search", format!("must be at most {MAX_SEARCH_CHARS} characters")));
            }
            let pattern = format!("%{}%", crate::sign_in_log::escape_like(&search.to_lowercase()));
            let like = |col: audit_event::Column| -> Expr {
                Expr::expr(Func::lower(Expr::col(col))).like(LikeExpr::new(pattern.clone()).escape('\\'))
            };
            q = q.filter(
                Condition::any()
                    .add(like(audit_event::Column::Action))
                    .add(like(audit_event::Column::ActorLabel))
                    .add(like(audit_event::Column::TargetId)),
            );
        }
        if let Some(s) = filter.since {
            q = q.filter(audit_event::Column::CreatedAt.gte(s));
        }
        if let Some(u) = filter.until {
            q = q.filter(audit_event::Column::CreatedAt.lt(u));
        }
        let rows = q.all(&self.db).await?;
        Ok(page_from(rows.into_iter().map(AuditEvent::from).collect(), size))
    }
}
