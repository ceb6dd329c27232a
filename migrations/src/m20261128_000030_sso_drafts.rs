//! Change SSO without fear (issue 13): at most one draft of a tenant's SSO settings, the
//! published versions kept as history (bounded by the identity crate), and the operator's
//! per-tenant rule that a draft must pass Test SSO before it is published.
//!
//! Drafts and versions hold a serialized snapshot of the settings and certificates: the live
//! `sso_connections` / `idp_certificates` rows stay what sign-ins read.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SsoDrafts {
    Table,
    TenantId,
    ConnectionId,
    Revision,
    BaseVersion,
    Snapshot,
    UpdatedBy,
    UpdatedAt,
    TestRequestId,
    TestStartedBy,
    LastTestOk,
    LastTestAt,
    LastTestBy,
    LastTestDetail,
}

#[derive(DeriveIden)]
enum SsoVersions {
    Table,
    Id,
    TenantId,
    Version,
    Snapshot,
    Action,
    PublishedBy,
    PublishedAt,
    RestoredFrom,
}

#[derive(DeriveIden)]
enum SsoPublishPolicies {
    Table,
    TenantId,
    RequireTestedDraft,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(SsoDrafts::Table)
                .col(uuid(SsoDrafts::TenantId).primary_key())
                .col(uuid(SsoDrafts::ConnectionId))
                .col(integer(SsoDrafts::Revision))
                .col(integer(SsoDrafts::BaseVersion))
                .col(text(SsoDrafts::Snapshot))
                .col(text(SsoDrafts::UpdatedBy))
                .col(timestamp_with_time_zone(SsoDrafts::UpdatedAt))
                .col(string_null(SsoDrafts::TestRequestId))
                .col(text_null(SsoDrafts::TestStartedBy))
                .col(boolean_null(SsoDrafts::LastTestOk))
                .col(timestamp_with_time_zone_null(SsoDrafts::LastTestAt))
                .col(text_null(SsoDrafts::LastTestBy))
                .col(text_null(SsoDrafts::LastTestDetail))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_sso_drafts_test_request")
                .table(SsoDrafts::Table)
                .col(SsoDrafts::TestRequestId)
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(SsoVersions::Table)
                .col(pk_uuid(SsoVersions::Id))
                .col(uuid(SsoVersions::TenantId))
                .col(integer(SsoVersions::Version))
                .col(text(SsoVersions::Snapshot))
                .col(string(SsoVersions::Action))
                .col(text(SsoVersions::PublishedBy))
                .col(timestamp_with_time_zone(SsoVersions::PublishedAt))
                .col(integer_null(SsoVersions::RestoredFrom))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_sso_versions_tenant_version")
                .table(SsoVersions::Table)
                .col(SsoVersions::TenantId)
                .col(SsoVersions::Version)
                .unique()
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(SsoPublishPolicies::Table)
                .col(uuid(SsoPublishPolicies::TenantId).primary_key())
                .col(boolean(SsoPublishPolicies::RequireTestedDraft).default(false))
                .col(timestamp_with_time_zone(SsoPublishPolicies::UpdatedAt))
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(SsoPublishPolicies::Table).take()).await?;
        m.drop_table(Table::drop().table(SsoVersions::Table).take()).await?;
        m.drop_table(Table::drop().table(SsoDrafts::Table).take()).await?;
        Ok(())
    }
}
