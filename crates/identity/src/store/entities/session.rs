use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// SHA-256 of the cookie value; the value itself is never stored.
    pub token_hash: String,
    pub tenant_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub operator_id: Option<Uuid>,
    pub auth_method: String,
    pub created_at: DateTimeUtc,
    pub last_seen_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    /// For SSO sessions: what single logout needs.
    pub name_id: Option<String>,
    pub name_id_format: Option<String>,
    pub session_index: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
