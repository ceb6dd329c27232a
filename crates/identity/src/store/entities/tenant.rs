use crate::model::Tenant;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tenants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub dev_mode: bool,
    pub scim_manages_admins: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl From<Model> for Tenant {
    fn from(m: Model) -> Tenant {
        Tenant {
            id: m.id.into(),
            slug: m.slug,
            name: m.name,
            dev_mode: m.dev_mode,
            scim_manages_admins: m.scim_manages_admins,
            created_at: m.created_at,
        }
    }
}
