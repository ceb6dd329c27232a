use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sso_connections")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub enabled: bool,
    pub provider: String,
    pub login_url: Option<String>,
    pub issuer: Option<String>,
    pub logout_url: Option<String>,
    pub login_policy: String,
    pub allow_idp_initiated: bool,
    /// Create unknown users at their first SSO sign-in (off by default).
    pub jit_provisioning: bool,
    /// The IdP's federation metadata URL, fetched on save and refreshed on a schedule.
    pub metadata_url: Option<String>,
    /// New certificates found at the metadata URL are trusted at once instead of staged.
    pub metadata_auto_promote: bool,
    /// Refuse sign-ins verified by a certificate past its end (off: logged only).
    pub refuse_expired_certificates: bool,
    /// Sign AuthnRequests with the active SP signing key.
    pub sign_authn_requests: bool,
    /// Refuse plain (unencrypted) assertions.
    pub require_encrypted_assertions: bool,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
