//! Users' lists (issue 14): where each user came from (`users.source`: the console, SCIM or
//! just-in-time provisioning at a first SSO sign-in), and an index that reads a user's last
//! successful sign-in from the sign-in log instead of writing it on the user at every
//! sign-in (the sign-in's hot path stays as it is).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Source,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Users::Table).add_column(string(Users::Source).default("console")).take())
            .await?;
        // Users the IdP created over SCIM have their SCIM attributes row.
        m.get_connection()
            .execute_unprepared(
                "UPDATE users SET source = 'scim' WHERE id IN (SELECT user_id FROM scim_user_attributes)",
            )
            .await?;
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX idx_sign_in_events_user ON sign_in_events (tenant_id, user_id, outcome, created_at)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection().execute_unprepared("DROP INDEX idx_sign_in_events_user").await?;
        m.alter_table(Table::alter().table(Users::Table).drop_column(Users::Source).take()).await?;
        Ok(())
    }
}
