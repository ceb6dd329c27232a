//! Database migrations for Gatehouse (SQLite and PostgreSQL).
//!
//! Migrations describe tables with sea-query only and never import the entities of
//! `gatehouse-identity`: an entity may change shape later, a migration never does.
//! Add a new module per change; never edit one that has shipped.

pub use sea_orm_migration::MigratorTrait;
use sea_orm_migration::prelude::*;

mod m20261126_000001_foundation;
mod m20261126_000002_sso_sign_in;
mod m20261126_000003_scim;
mod m20261128_000004_rate_limits;
mod m20261128_000005_scim_admin_guard;
mod m20261128_000006_sso_hardening;
mod m20261128_000010_idp_metadata_url;
mod m20261128_000011_sp_keys;
mod m20261128_000020_user_source;
mod m20261128_000030_sso_drafts;
mod m20261128_000040_verified_domains;
mod m20261128_000050_webhooks;
mod m20261128_000051_webhook_certificate_notices;
mod m20261129_000060_sign_in_foreign_keys;

/// The ordered list of migrations.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_foundation::Migration),
            Box::new(m20261126_000002_sso_sign_in::Migration),
            Box::new(m20261126_000003_scim::Migration),
            Box::new(m20261128_000004_rate_limits::Migration),
            Box::new(m20261128_000005_scim_admin_guard::Migration),
            Box::new(m20261128_000006_sso_hardening::Migration),
            Box::new(m20261128_000010_idp_metadata_url::Migration),
            Box::new(m20261128_000011_sp_keys::Migration),
            Box::new(m20261128_000020_user_source::Migration),
            Box::new(m20261128_000030_sso_drafts::Migration),
            Box::new(m20261128_000040_verified_domains::Migration),
            Box::new(m20261128_000050_webhooks::Migration),
            Box::new(m20261128_000051_webhook_certificate_notices::Migration),
            Box::new(m20261129_000060_sign_in_foreign_keys::Migration),
        ]
    }
}
