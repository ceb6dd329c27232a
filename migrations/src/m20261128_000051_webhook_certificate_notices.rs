//! Which certificate-expiry webhook events were written (issue 15): one row per IdP
//! certificate and notice (`expiring_60`, `expiring_30`, `expiring_7`, `expired`), so each is
//! written once however many replicas look.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum WebhookCertificateNotices {
    Table,
    CertificateId,
    Notice,
    TenantId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(WebhookCertificateNotices::Table)
                .col(uuid(WebhookCertificateNotices::CertificateId))
                .col(string(WebhookCertificateNotices::Notice))
                .col(uuid(WebhookCertificateNotices::TenantId))
                .col(timestamp_with_time_zone(WebhookCertificateNotices::CreatedAt))
                .primary_key(
                    Index::create()
                        .col(WebhookCertificateNotices::CertificateId)
                        .col(WebhookCertificateNotices::Notice),
                )
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(WebhookCertificateNotices::Table).take()).await?;
        Ok(())
    }
}
