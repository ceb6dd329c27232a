//! SCIM provisioning: per-tenant SCIM bearer tokens, the attributes an IdP provisions on
//! users, and groups with their members.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ScimTokens {
    Table,
    Id,
    TenantId,
    TokenHash,
    TokenPrefix,
    CreatedBy,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum ScimUserAttributes {
    Table,
    UserId,
    TenantId,
    UserName,
    ExternalId,
    DisplayName,
    GivenName,
    FamilyName,
    FormattedName,
    Title,
    Active,
    Emails,
    PhoneNumbers,
    Department,
    EmployeeNumber,
    ManagerValue,
    ManagerRef,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Groups {
    Table,
    Id,
    TenantId,
    DisplayName,
    DisplayNameKey,
    ExternalId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum GroupMembers {
    Table,
    GroupId,
    UserId,
    TenantId,
    CreatedAt,
}

fn fk(
    from_table: impl IntoIden,
    from_col: impl IntoIden,
    to_table: impl IntoIden,
    to_col: impl IntoIden,
) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(from_table, from_col).to(to_table, to_col).on_delete(ForeignKeyAction::Cascade).take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ScimTokens::Table)
                .col(pk_uuid(ScimTokens::Id))
                .col(uuid(ScimTokens::TenantId))
                .col(string_uniq(ScimTokens::TokenHash))
                .col(string(ScimTokens::TokenPrefix))
                .col(string(ScimTokens::CreatedBy))
                .col(timestamp_with_time_zone(ScimTokens::CreatedAt))
                .col(timestamp_with_time_zone_null(ScimTokens::LastUsedAt))
                .col(timestamp_with_time_zone_null(ScimTokens::RevokedAt))
                .foreign_key(&mut fk(ScimTokens::Table, ScimTokens::TenantId, Tenants::Table, Tenants::Id))
                .take(),
        )
        .await?;

        // One row per user the IdP has provisioned or changed; users made in the console
        // have none until the IdP first touches them.
        m.create_table(
            Table::create()
                .table(ScimUserAttributes::Table)
                .col(pk_uuid(ScimUserAttributes::UserId))
                .col(uuid(ScimUserAttributes::TenantId))
                .col(string(ScimUserAttributes::UserName))
                .col(string_null(ScimUserAttributes::ExternalId))
                .col(string_null(ScimUserAttributes::DisplayName))
                .col(string_null(ScimUserAttributes::GivenName))
                .col(string_null(ScimUserAttributes::FamilyName))
                .col(string_null(ScimUserAttributes::FormattedName))
                .col(string_null(ScimUserAttributes::Title))
                .col(boolean_null(ScimUserAttributes::Active))
                .col(json_binary_null(ScimUserAttributes::Emails))
                .col(json_binary_null(ScimUserAttributes::PhoneNumbers))
                .col(string_null(ScimUserAttributes::Department))
                .col(string_null(ScimUserAttributes::EmployeeNumber))
                .col(string_null(ScimUserAttributes::ManagerValue))
                .col(string_null(ScimUserAttributes::ManagerRef))
                .col(timestamp_with_time_zone(ScimUserAttributes::UpdatedAt))
                .foreign_key(&mut fk(ScimUserAttributes::Table, ScimUserAttributes::UserId, Users::Table, Users::Id))
                .foreign_key(&mut fk(
                    ScimUserAttributes::Table,
                    ScimUserAttributes::TenantId,
                    Tenants::Table,
                    Tenants::Id,
                ))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Groups::Table)
                .col(pk_uuid(Groups::Id))
                .col(uuid(Groups::TenantId))
                .col(string(Groups::DisplayName))
                .col(string(Groups::DisplayNameKey))
                .col(string_null(Groups::ExternalId))
                .col(timestamp_with_time_zone(Groups::CreatedAt))
                .col(timestamp_with_time_zone(Groups::UpdatedAt))
                .foreign_key(&mut fk(Groups::Table, Groups::TenantId, Tenants::Table, Tenants::Id))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(GroupMembers::Table)
                .col(uuid(GroupMembers::GroupId))
                .col(uuid(GroupMembers::UserId))
                .col(uuid(GroupMembers::TenantId))
                .col(timestamp_with_time_zone(GroupMembers::CreatedAt))
                .primary_key(Index::create().col(GroupMembers::GroupId).col(GroupMembers::UserId))
                .foreign_key(&mut fk(GroupMembers::Table, GroupMembers::GroupId, Groups::Table, Groups::Id))
                .foreign_key(&mut fk(GroupMembers::Table, GroupMembers::UserId, Users::Table, Users::Id))
                .foreign_key(&mut fk(GroupMembers::Table, GroupMembers::TenantId, Tenants::Table, Tenants::Id))
                .take(),
        )
        .await?;

        let db = m.get_connection();
        for sql in [
            "CREATE INDEX ix_scim_tokens_tenant ON scim_tokens (tenant_id)",
            "CREATE INDEX ix_scim_user_attributes_tenant_external_id ON scim_user_attributes (tenant_id, external_id)",
            // displayName is caseExact=false: the key is lower-cased in Rust (SQLite's lower() is ASCII-only).
            "CREATE UNIQUE INDEX ux_groups_tenant_display_name_key ON \"groups\" (tenant_id, display_name_key)",
            "CREATE INDEX ix_groups_tenant_external_id ON \"groups\" (tenant_id, external_id)",
            "CREATE INDEX ix_group_members_user ON group_members (user_id)",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
