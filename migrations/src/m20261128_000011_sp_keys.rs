//! Gatehouse's own SAML keys (issue 12, SP side): signing and encryption key pairs whose
//! private keys are stored only encrypted (AES-256-GCM under the operator's key-encryption
//! key, whose id is recorded per row so that key can be rotated), with their rollover state;
//! and two per-tenant SSO settings on the connection row the sign-in already reads: sign
//! AuthnRequests, require encrypted assertions.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SsoConnections {
    Table,
    SignAuthnRequests,
    RequireEncryptedAssertions,
}

#[derive(DeriveIden)]
enum SpKeys {
    Table,
    Id,
    Role,
    State,
    Algorithm,
    CertificatePem,
    FingerprintSha256,
    NotBefore,
    NotAfter,
    PrivateKeyCiphertext,
    KekId,
    CreatedAt,
    ActivateAfter,
    ActivatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(SsoConnections::Table)
                .add_column(boolean(SsoConnections::SignAuthnRequests).default(false))
                .take(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(SsoConnections::Table)
                .add_column(boolean(SsoConnections::RequireEncryptedAssertions).default(false))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(SpKeys::Table)
                .col(uuid(SpKeys::Id).primary_key())
                .col(string(SpKeys::Role))
                .col(string(SpKeys::State))
                .col(string(SpKeys::Algorithm))
                .col(text(SpKeys::CertificatePem))
                .col(string(SpKeys::FingerprintSha256))
                .col(timestamp_with_time_zone(SpKeys::NotBefore))
                .col(timestamp_with_time_zone(SpKeys::NotAfter))
                .col(text(SpKeys::PrivateKeyCiphertext))
                .col(string(SpKeys::KekId))
                .col(timestamp_with_time_zone(SpKeys::CreatedAt))
                .col(timestamp_with_time_zone(SpKeys::ActivateAfter))
                .col(timestamp_with_time_zone_null(SpKeys::ActivatedAt))
                .take(),
        )
        .await?;
        // At most one active and one next key per role, on every replica.
        m.create_index(
            Index::create()
                .name("ux_sp_keys_role_state")
                .table(SpKeys::Table)
                .col(SpKeys::Role)
                .col(SpKeys::State)
                .unique()
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(SpKeys::Table).take()).await?;
        m.alter_table(
            Table::alter().table(SsoConnections::Table).drop_column(SsoConnections::RequireEncryptedAssertions).take(),
        )
        .await?;
        m.alter_table(
            Table::alter().table(SsoConnections::Table).drop_column(SsoConnections::SignAuthnRequests).take(),
        )
        .await?;
        Ok(())
    }
}
