//! Rate-limit counters shared by every replica: one row per throttled key (an account, a
//! client address, an IdP issuer, a SCIM or API token), with the policy it was counted
//! under, so one atomic upsert can count an attempt and compute the back-off.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RateLimits {
    Table,
    /// SHA-256 (hex) of the key's kind and value: no e-mail or address is stored.
    Key,
    /// Attempts counted in the current window.
    Hits,
    /// When the current window began (Unix milliseconds).
    WindowStartMs,
    /// No attempt is admitted before this time (Unix milliseconds).
    NextAllowedMs,
    /// Whether the last upsert admitted its attempt (1) or refused it (0).
    Admitted,
    /// The policy: free attempts per window, back-off base and cap, window length.
    FreeHits,
    BaseMs,
    CapMs,
    WindowMs,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RateLimits::Table)
                    .col(string_len(RateLimits::Key, 64).primary_key())
                    .col(integer(RateLimits::Hits))
                    .col(big_integer(RateLimits::WindowStartMs))
                    .col(big_integer(RateLimits::NextAllowedMs))
                    .col(integer(RateLimits::Admitted))
                    .col(integer(RateLimits::FreeHits))
                    .col(big_integer(RateLimits::BaseMs))
                    .col(big_integer(RateLimits::CapMs))
                    .col(big_integer(RateLimits::WindowMs))
                    .to_owned(),
            )
            .await?;
        // The purge deletes rows whose window and back-off are both over.
        manager
            .create_index(
                Index::create()
                    .name("idx_rate_limits_window_start")
                    .table(RateLimits::Table)
                    .col(RateLimits::WindowStartMs)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(RateLimits::Table).to_owned()).await
    }
}
