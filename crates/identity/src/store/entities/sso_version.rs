use sea_orm::entity::prelude::*;

/// A published version of a tenant's SSO settings, kept for history and rollback.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sso_versions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    /// The connection's version once this was published.
    pub version: i32,
    /// The serialized settings and certificates (`SsoSnapshot`).
    pub snapshot: String,
    /// `publish`, `rollback`, `save` or `baseline` (`PublishAction`).
    pub action: String,
    pub published_by: String,
    pub published_at: DateTimeUtc,
    /// For a rollback: the version it restored.
    pub restored_from: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
