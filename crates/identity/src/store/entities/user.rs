use crate::error::Error;
use crate::model::{Role, User, UserSource, UserStatus};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    /// Lower-cased.
    pub email: String,
    pub display_name: String,
    /// As the admin or the IdP wrote it.
    pub federation_id: String,
    /// The matching key: lower-cased when the federation ID is e-mail shaped.
    pub federation_key: String,
    pub status: String,
    pub role: String,
    pub password_hash: Option<String>,
    /// A [`UserSource`].
    pub source: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::tenant::Entity", from = "Column::TenantId", to = "super::tenant::Column::Id")]
    Tenant,
}

impl Related<super::tenant::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tenant.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

impl TryFrom<Model> for User {
    type Error = Error;

    fn try_from(m: Model) -> Result<User, Error> {
        Ok(User {
            id: m.id.into(),
            tenant_id: m.tenant_id.into(),
            email: m.email,
            display_name: m.display_name,
            federation_id: m.federation_id,
            role: Role::parse_stored(&m.role)?,
            status: UserStatus::parse_stored(&m.status)?,
            has_password: m.password_hash.is_some(),
            source: UserSource::parse_stored(&m.source)?,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}
