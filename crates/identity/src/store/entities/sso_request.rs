use sea_orm::entity::prelude::*;

/// A pending AuthnRequest or LogoutRequest we sent, consumed exactly once.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sso_requests")]
pub struct Model {
    /// The SAML request ID.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub tenant_id: Uuid,
    /// `login`, `test` or `logout`.
    pub purpose: String,
    pub relay_state: Option<String>,
    /// SHA-256 of the browser-binding nonce (cookie) of the browser that started it.
    pub binding_hash: Option<String>,
    pub session_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
