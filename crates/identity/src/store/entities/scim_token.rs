use crate::provisioning::scim_tokens::ScimToken;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "scim_tokens")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    /// SHA-256 of the token; the token is shown once and never stored.
    pub token_hash: String,
    /// The first characters, so an admin can tell tokens apart.
    pub token_prefix: String,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub last_used_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl From<Model> for ScimToken {
    fn from(m: Model) -> ScimToken {
        ScimToken {
            id: m.id.into(),
            prefix: m.token_prefix,
            created_by: m.created_by,
            created_at: m.created_at,
            last_used_at: m.last_used_at,
            revoked_at: m.revoked_at,
        }
    }
}
