use sea_orm::entity::prelude::*;

/// One of Gatehouse's own SAML key pairs. The private key is stored only encrypted
/// (see `crate::sp_keys`); the certificate is public.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sp_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `signing` or `encryption`.
    pub role: String,
    /// `next`, `active` or `previous`.
    pub state: String,
    /// `rsa-3072` or `p-256`.
    pub algorithm: String,
    pub certificate_pem: String,
    pub fingerprint_sha256: String,
    pub not_before: DateTimeUtc,
    pub not_after: DateTimeUtc,
    /// `v1:` + Base64(nonce ‖ AES-256-GCM ciphertext ‖ tag) of the PKCS#8 private key.
    pub private_key_ciphertext: String,
    /// Which key-encryption key sealed `private_key_ciphertext`.
    pub kek_id: String,
    pub created_at: DateTimeUtc,
    /// A `next` key may be activated from this instant on (the published overlap).
    pub activate_after: DateTimeUtc,
    pub activated_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
