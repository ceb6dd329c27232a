//! Verified domains and break-glass accounts (issue 13).
//!
//! `tenant_domains`: e-mail domains a tenant claims, each with its DNS TXT token and check
//! state. `claimed_name` holds the domain only while it is verified (or flagged inside its
//! grace period) and is unique across all tenants, so one domain belongs to one tenant —
//! enforced by the database even when two tenants verify at the same moment.
//!
//! `break_glass_accounts`: the users a tenant names to keep password sign-in when SSO is
//! required. Until now every tenant admin kept it under an SSO-only policy; so nobody is
//! locked out, the live admins of every tenant whose login policy is `sso` are put on
//! the list here (`added_by` says so).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum TenantDomains {
    Table,
    Id,
    TenantId,
    Name,
    ClaimedName,
    Token,
    Status,
    VerifiedAt,
    FlaggedAt,
    LastCheckedAt,
    LastCheckError,
    NextCheckAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum BreakGlassAccounts {
    Table,
    TenantId,
    UserId,
    AddedBy,
    AddedAt,
    LastUsedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(TenantDomains::Table)
                .col(pk_uuid(TenantDomains::Id))
                .col(uuid(TenantDomains::TenantId))
                .col(string(TenantDomains::Name))
                .col(string_null(TenantDomains::ClaimedName))
                .col(string(TenantDomains::Token))
                .col(string(TenantDomains::Status))
                .col(timestamp_with_time_zone_null(TenantDomains::VerifiedAt))
                .col(timestamp_with_time_zone_null(TenantDomains::FlaggedAt))
                .col(timestamp_with_time_zone_null(TenantDomains::LastCheckedAt))
                .col(text_null(TenantDomains::LastCheckError))
                .col(timestamp_with_time_zone_null(TenantDomains::NextCheckAt))
                .col(timestamp_with_time_zone(TenantDomains::CreatedAt))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_tenant_domains_tenant_name")
                .table(TenantDomains::Table)
                .col(TenantDomains::TenantId)
                .col(TenantDomains::Name)
                .unique()
                .take(),
        )
        .await?;
        // NULLs are distinct on both backends: only claimed rows compete.
        m.create_index(
            Index::create()
                .name("ux_tenant_domains_claimed_name")
                .table(TenantDomains::Table)
                .col(TenantDomains::ClaimedName)
                .unique()
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_tenant_domains_next_check")
                .table(TenantDomains::Table)
                .col(TenantDomains::NextCheckAt)
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(BreakGlassAccounts::Table)
                .col(uuid(BreakGlassAccounts::TenantId))
                .col(uuid(BreakGlassAccounts::UserId))
                .col(string(BreakGlassAccounts::AddedBy))
                .col(timestamp_with_time_zone(BreakGlassAccounts::AddedAt))
                .col(timestamp_with_time_zone_null(BreakGlassAccounts::LastUsedAt))
                .primary_key(Index::create().col(BreakGlassAccounts::TenantId).col(BreakGlassAccounts::UserId))
                .take(),
        )
        .await?;
        let db = m.get_connection();
        db.execute_unprepared(
            "INSERT INTO break_glass_accounts (tenant_id, user_id, added_by, added_at) \
             SELECT u.tenant_id, u.id, 'migration: tenant admin under an SSO-only policy', CURRENT_TIMESTAMP \
             FROM users u JOIN sso_connections c ON c.tenant_id = u.tenant_id \
             WHERE c.login_policy = 'sso' AND u.role = 'tenant_admin' AND u.deleted_at IS NULL",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(BreakGlassAccounts::Table).take()).await?;
        m.drop_table(Table::drop().table(TenantDomains::Table).take()).await?;
        Ok(())
    }
}
