use sea_orm::entity::prelude::*;

/// A certificate found in the IdP's metadata but not trusted yet (never used to verify).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idp_staged_certificates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub connection_id: Uuid,
    pub pem: String,
    pub fingerprint_sha256: String,
    pub subject: String,
    pub issuer: String,
    pub not_before: DateTimeUtc,
    pub not_after: DateTimeUtc,
    pub first_seen_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
