use sea_orm::entity::prelude::*;

/// A validated sign-in waiting for the browser to arrive on our own site (where its
/// SameSite=Lax cookies are sent), so it can be checked against the browser binding.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sso_handoffs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub handle_hash: String,
    pub tenant_id: Uuid,
    pub user_id: Option<Uuid>,
    pub purpose: String,
    pub binding_hash: Option<String>,
    pub relay_state: Option<String>,
    pub name_id: String,
    pub name_id_format: Option<String>,
    pub session_index: Option<String>,
    pub sign_in_event_id: Uuid,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
