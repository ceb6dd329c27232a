//! Whether a tenant lets its SCIM client rename, deactivate and delete tenant admins
//! (`tenants.scim_manages_admins`, off by default: SCIM cannot touch admins).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tenants {
    Table,
    ScimManagesAdmins,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter().table(Tenants::Table).add_column(boolean(Tenants::ScimManagesAdmins).default(false)).take(),
        )
        .await
    }
}
