use crate::provisioning::groups::Group;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "groups")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub display_name: String,
    /// `display_name` lower-cased in Rust: unique per tenant, and what filters compare.
    pub display_name_key: String,
    pub external_id: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl From<Model> for Group {
    fn from(g: Model) -> Group {
        Group {
            id: g.id.into(),
            members: None,
            display_name: g.display_name,
            external_id: g.external_id,
            created_at: g.created_at,
            updated_at: g.updated_at,
        }
    }
}
