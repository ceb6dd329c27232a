use sea_orm::entity::prelude::*;

/// What an IdP provisioned for a user beyond the `users` row (SCIM User attributes).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "scim_user_attributes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    pub tenant_id: Uuid,
    /// `userName` as the IdP wrote it; `users.email` holds it lower-cased.
    pub user_name: String,
    pub external_id: Option<String>,
    pub display_name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub formatted_name: Option<String>,
    pub title: Option<String>,
    /// `active` as the IdP last wrote it (`None`: it removed or never sent it); the status
    /// itself is `users.status`.
    pub active: Option<bool>,
    pub emails: Option<Json>,
    pub phone_numbers: Option<Json>,
    pub department: Option<String>,
    pub employee_number: Option<String>,
    pub manager_value: Option<String>,
    pub manager_ref: Option<String>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::user::Entity", from = "Column::UserId", to = "super::user::Column::Id")]
    User,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

/// Users LEFT JOIN their provisioned attributes (declared here so `user.rs` stays as it is).
impl Related<Entity> for super::user::Entity {
    fn to() -> RelationDef {
        Relation::User.def().rev()
    }
}

impl ActiveModelBehavior for ActiveModel {}
