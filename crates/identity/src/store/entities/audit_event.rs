use crate::model::AuditEvent;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Option<Uuid>,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub actor_label: String,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub before: Option<Json>,
    pub after: Option<Json>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl From<Model> for AuditEvent {
    fn from(m: Model) -> AuditEvent {
        AuditEvent {
            id: m.id.into(),
            actor_kind: m.actor_kind,
            actor_id: m.actor_id,
            actor_label: m.actor_label,
            action: m.action,
            target_type: m.target_type,
            target_id: m.target_id,
            before: m.before,
            after: m.after,
            created_at: m.created_at,
        }
    }
}
