use crate::model::IdpCertificate;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idp_certificates")]
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
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl From<Model> for IdpCertificate {
    fn from(m: Model) -> IdpCertificate {
        IdpCertificate {
            id: m.id.into(),
            subject: m.subject,
            issuer: m.issuer,
            fingerprint_sha256: m.fingerprint_sha256,
            not_before: m.not_before,
            not_after: m.not_after,
            pem: m.pem,
            created_at: m.created_at,
        }
    }
}
