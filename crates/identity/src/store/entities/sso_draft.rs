use sea_orm::entity::prelude::*;

/// The one unpublished draft of a tenant's SSO settings (issue 13).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sso_drafts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    pub connection_id: Uuid,
    /// Counts every save of the draft; `expectedVersion` names it while a draft exists.
    pub revision: i32,
    /// The published version the draft was started from.
    pub base_version: i32,
    /// The serialized settings and certificates (`SsoSnapshot`).
    pub snapshot: String,
    pub updated_by: String,
    pub updated_at: DateTimeUtc,
    /// The pending Test SSO request (or one-time test link) that tests this revision.
    pub test_request_id: Option<String>,
    pub test_started_by: Option<String>,
    pub last_test_ok: Option<bool>,
    pub last_test_at: Option<DateTimeUtc>,
    pub last_test_by: Option<String>,
    pub last_test_detail: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
