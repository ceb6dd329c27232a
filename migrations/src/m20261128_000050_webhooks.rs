//! Webhooks (issue 15).
//!
//! `webhook_endpoints`: where a tenant wants its events sent, which event types
//! (`event_types` as `,a,b,` so one `LIKE '%,a,%'` tells whether an endpoint is subscribed),
//! and its signing secret sealed with the key-encryption key (the secret is needed to sign,
//! so it cannot be hashed). During a rotation the previous secret keeps signing until
//! `previous_secret_expires_at`. `failing_since` is set when a delivery was given up.
//!
//! `webhook_deliveries`: the durable outbox, one row per event and subscribed endpoint,
//! written in the same transaction as the change it reports. `seq` orders an endpoint's
//! deliveries; `locked_until` is the lease of the replica sending it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum WebhookEndpoints {
    Table,
    Id,
    TenantId,
    Url,
    Description,
    EventTypes,
    Enabled,
    SecretSealed,
    PreviousSecretSealed,
    PreviousSecretExpiresAt,
    KekId,
    FailingSince,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    Seq,
    EventId,
    TenantId,
    EndpointId,
    EventType,
    Payload,
    State,
    Attempts,
    NextAttemptAt,
    LockedUntil,
    LastStatus,
    LastError,
    CreatedAt,
    LastAttemptAt,
    DeliveredAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(WebhookEndpoints::Table)
                .col(pk_uuid(WebhookEndpoints::Id))
                .col(uuid(WebhookEndpoints::TenantId))
                .col(text(WebhookEndpoints::Url))
                .col(string(WebhookEndpoints::Description))
                .col(text(WebhookEndpoints::EventTypes))
                .col(boolean(WebhookEndpoints::Enabled))
                .col(text(WebhookEndpoints::SecretSealed))
                .col(text_null(WebhookEndpoints::PreviousSecretSealed))
                .col(timestamp_with_time_zone_null(WebhookEndpoints::PreviousSecretExpiresAt))
                .col(string(WebhookEndpoints::KekId))
                .col(timestamp_with_time_zone_null(WebhookEndpoints::FailingSince))
                .col(timestamp_with_time_zone(WebhookEndpoints::CreatedAt))
                .col(timestamp_with_time_zone(WebhookEndpoints::UpdatedAt))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_webhook_endpoints_tenant")
                .table(WebhookEndpoints::Table)
                .col(WebhookEndpoints::TenantId)
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(WebhookDeliveries::Table)
                .col(pk_auto(WebhookDeliveries::Seq))
                .col(uuid(WebhookDeliveries::EventId))
                .col(uuid(WebhookDeliveries::TenantId))
                .col(uuid(WebhookDeliveries::EndpointId))
                .col(string(WebhookDeliveries::EventType))
                .col(text(WebhookDeliveries::Payload))
                .col(string(WebhookDeliveries::State))
                .col(integer(WebhookDeliveries::Attempts))
                .col(timestamp_with_time_zone(WebhookDeliveries::NextAttemptAt))
                .col(timestamp_with_time_zone_null(WebhookDeliveries::LockedUntil))
                .col(integer_null(WebhookDeliveries::LastStatus))
                .col(text_null(WebhookDeliveries::LastError))
                .col(timestamp_with_time_zone(WebhookDeliveries::CreatedAt))
                .col(timestamp_with_time_zone_null(WebhookDeliveries::LastAttemptAt))
                .col(timestamp_with_time_zone_null(WebhookDeliveries::DeliveredAt))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_webhook_deliveries_endpoint_event")
                .table(WebhookDeliveries::Table)
                .col(WebhookDeliveries::EndpointId)
                .col(WebhookDeliveries::EventId)
                .unique()
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_webhook_deliveries_due")
                .table(WebhookDeliveries::Table)
                .col(WebhookDeliveries::State)
                .col(WebhookDeliveries::NextAttemptAt)
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_webhook_deliveries_endpoint_seq")
                .table(WebhookDeliveries::Table)
                .col(WebhookDeliveries::EndpointId)
                .col(WebhookDeliveries::Seq)
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(WebhookDeliveries::Table).take()).await?;
        m.drop_table(Table::drop().table(WebhookEndpoints::Table).take()).await?;
        Ok(())
    }
}
