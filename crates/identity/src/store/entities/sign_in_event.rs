use crate::sign_in_log::{Outcome, SignInEvent};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sign_in_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub name_id: Option<String>,
    pub flow: String,
    pub outcome: String,
    pub reason_code: String,
    pub detail: String,
    pub certificate_fingerprint: Option<String>,
    pub clock_offset_seconds: Option<i64>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl From<Model> for SignInEvent {
    fn from(m: Model) -> SignInEvent {
        SignInEvent {
            id: m.id.into(),
            user_id: m.user_id.map(|u| u.to_string()),
            name_id: m.name_id,
            flow: m.flow,
            success: m.outcome == Outcome::Success.as_str(),
            reason_code: m.reason_code,
            detail: m.detail,
            certificate_fingerprint: m.certificate_fingerprint,
            clock_offset_seconds: m.clock_offset_seconds,
            ip: m.ip,
            user_agent: m.user_agent,
            created_at: m.created_at,
        }
    }
}
