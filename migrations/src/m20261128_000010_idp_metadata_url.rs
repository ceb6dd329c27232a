//! Certificates that never cause an outage (issue 12): a per-tenant IdP metadata URL with its
//! refresh status, certificates staged from new metadata until an admin (or the tenant's
//! auto-promotion) trusts them, and the "refuse expired certificates" setting. The sign-in
//! log gets an index on the certificate that verified each sign-in, so "last verified" and
//! "sign-ins in the last 30 days" are read from it instead of being written per sign-in.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SsoConnections {
    Table,
    MetadataUrl,
    MetadataAutoPromote,
    RefuseExpiredCertificates,
}

#[derive(DeriveIden)]
enum SsoMetadataStatus {
    Table,
    TenantId,
    LastAttemptAt,
    LastSuccessAt,
    LastError,
    Failures,
    NextFetchAt,
}

#[derive(DeriveIden)]
enum IdpStagedCertificates {
    Table,
    Id,
    TenantId,
    ConnectionId,
    Pem,
    FingerprintSha256,
    Subject,
    Issuer,
    NotBefore,
    NotAfter,
    FirstSeenAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one at a time.
        m.alter_table(
            Table::alter().table(SsoConnections::Table).add_column(string_null(SsoConnections::MetadataUrl)).take(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(SsoConnections::Table)
                .add_column(boolean(SsoConnections::MetadataAutoPromote).default(false))
                .take(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(SsoConnections::Table)
                .add_column(boolean(SsoConnections::RefuseExpiredCertificates).default(false))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(SsoMetadataStatus::Table)
                .col(uuid(SsoMetadataStatus::TenantId).primary_key())
                .col(timestamp_with_time_zone_null(SsoMetadataStatus::LastAttemptAt))
                .col(timestamp_with_time_zone_null(SsoMetadataStatus::LastSuccessAt))
                .col(text_null(SsoMetadataStatus::LastError))
                .col(integer(SsoMetadataStatus::Failures).default(0))
                .col(timestamp_with_time_zone_null(SsoMetadataStatus::NextFetchAt))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_sso_metadata_status_next_fetch")
                .table(SsoMetadataStatus::Table)
                .col(SsoMetadataStatus::NextFetchAt)
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(IdpStagedCertificates::Table)
                .col(pk_uuid(IdpStagedCertificates::Id))
                .col(uuid(IdpStagedCertificates::TenantId))
                .col(uuid(IdpStagedCertificates::ConnectionId))
                .col(text(IdpStagedCertificates::Pem))
                .col(string(IdpStagedCertificates::FingerprintSha256))
                .col(text(IdpStagedCertificates::Subject))
                .col(text(IdpStagedCertificates::Issuer))
                .col(timestamp_with_time_zone(IdpStagedCertificates::NotBefore))
                .col(timestamp_with_time_zone(IdpStagedCertificates::NotAfter))
                .col(timestamp_with_time_zone(IdpStagedCertificates::FirstSeenAt))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_idp_staged_certificates_fingerprint")
                .table(IdpStagedCertificates::Table)
                .col(IdpStagedCertificates::TenantId)
                .col(IdpStagedCertificates::FingerprintSha256)
                .unique()
                .take(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX idx_sign_in_events_certificate ON sign_in_events (tenant_id, certificate_fingerprint, created_at)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection().execute_unprepared("DROP INDEX idx_sign_in_events_certificate").await?;
        m.drop_table(Table::drop().table(IdpStagedCertificates::Table).take()).await?;
        m.drop_table(Table::drop().table(SsoMetadataStatus::Table).take()).await?;
        for col in [
            SsoConnections::RefuseExpiredCertificates,
            SsoConnections::MetadataAutoPromote,
            SsoConnections::MetadataUrl,
        ] {
            m.alter_table(Table::alter().table(SsoConnections::Table).drop_column(col).take()).await?;
        }
        Ok(())
    }
}
