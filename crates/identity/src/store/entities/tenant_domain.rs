use sea_orm::entity::prelude::*;

/// An e-mail domain a tenant claims, with its DNS TXT token and check state.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tenant_domains")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    /// Normalised: lower-case ASCII (punycode), no trailing dot.
    pub name: String,
    /// `name` while verified or flagged, else NULL; unique across tenants.
    pub claimed_name: Option<String>,
    /// The value the TXT record must carry (public by design: it is published in DNS).
    pub token: String,
    pub status: String,
    pub verified_at: Option<DateTimeUtc>,
    pub flagged_at: Option<DateTimeUtc>,
    pub last_checked_at: Option<DateTimeUtc>,
    pub last_check_error: Option<String>,
    pub next_check_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
