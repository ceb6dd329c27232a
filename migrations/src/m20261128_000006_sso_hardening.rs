//! SSO hardening: an IdP issuer belongs to one tenant whether its SSO is enabled or not (the
//! partial index on enabled connections let two tenants hold the same issuer, one of them
//! disabled), and a replay cache for IdP-initiated LogoutRequests.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum LogoutReplays {
    Table,
    TenantId,
    RequestId,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        // Refuse to guess which tenant keeps a shared issuer: the operator decides.
        let shared = db
            .query_all_raw(sea_orm::Statement::from_string(
                m.get_database_backend(),
                "SELECT issuer FROM sso_connections WHERE issuer IS NOT NULL GROUP BY issuer HAVING COUNT(*) > 1",
            ))
            .await?;
        if !shared.is_empty() {
            let issuers: Vec<String> = shared.iter().filter_map(|r| r.try_get::<String>("", "issuer").ok()).collect();
            return Err(DbErr::Migration(format!(
                "several tenants use the same IdP issuer ({}); an issuer must belong to one tenant. \
                 Clear the IdP Issuer of the tenants that should not have it, then migrate again",
                issuers.join(", ")
            )));
        }
        db.execute_unprepared("DROP INDEX ux_sso_connections_enabled_issuer").await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_sso_connections_issuer ON sso_connections (issuer) WHERE issuer IS NOT NULL",
        )
        .await?;
        m.create_table(
            Table::create()
                .table(LogoutReplays::Table)
                .col(uuid(LogoutReplays::TenantId))
                .col(string(LogoutReplays::RequestId))
                .col(timestamp_with_time_zone(LogoutReplays::ExpiresAt))
                .primary_key(Index::create().col(LogoutReplays::TenantId).col(LogoutReplays::RequestId))
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(LogoutReplays::Table).to_owned()).await?;
        let db = m.get_connection();
        db.execute_unprepared("DROP INDEX ux_sso_connections_issuer").await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_sso_connections_enabled_issuer ON sso_connections (issuer) WHERE enabled",
        )
        .await?;
        Ok(())
    }
}
