//! SAML sign-in state, shared by all replicas through the database: pending AuthnRequests
//! and LogoutRequests, one-time hand-over handles, the assertion replay cache, the sign-in
//! log, SSO details on sessions, and the just-in-time provisioning switch.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SsoRequests {
    Table,
    Id,
    TenantId,
    Purpose,
    RelayState,
    BindingHash,
    SessionId,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum SsoHandoffs {
    Table,
    Id,
    HandleHash,
    TenantId,
    UserId,
    Purpose,
    BindingHash,
    RelayState,
    NameId,
    NameIdFormat,
    SessionIndex,
    SignInEventId,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum AssertionReplays {
    Table,
    TenantId,
    AssertionId,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum SignInEvents {
    Table,
    Id,
    TenantId,
    UserId,
    NameId,
    Flow,
    Outcome,
    ReasonCode,
    Detail,
    CertificateFingerprint,
    ClockOffsetSeconds,
    Ip,
    UserAgent,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    NameId,
    NameIdFormat,
    SessionIndex,
}

#[derive(DeriveIden)]
enum SsoConnections {
    Table,
    JitProvisioning,
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(SsoRequests::Table)
                .col(string(SsoRequests::Id).primary_key())
                .col(uuid(SsoRequests::TenantId))
                .col(string(SsoRequests::Purpose))
                .col(string_null(SsoRequests::RelayState))
                .col(string_null(SsoRequests::BindingHash))
                .col(uuid_null(SsoRequests::SessionId))
                .col(timestamp_with_time_zone(SsoRequests::CreatedAt))
                .col(timestamp_with_time_zone(SsoRequests::ExpiresAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(SsoRequests::Table, SsoRequests::TenantId)
                        .to(Tenants::Table, Tenants::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(SsoHandoffs::Table)
                .col(pk_uuid(SsoHandoffs::Id))
                .col(string_uniq(SsoHandoffs::HandleHash))
                .col(uuid(SsoHandoffs::TenantId))
                .col(uuid_null(SsoHandoffs::UserId))
                .col(string(SsoHandoffs::Purpose))
                .col(string_null(SsoHandoffs::BindingHash))
                .col(string_null(SsoHandoffs::RelayState))
                .col(string(SsoHandoffs::NameId))
                .col(string_null(SsoHandoffs::NameIdFormat))
                .col(string_null(SsoHandoffs::SessionIndex))
                .col(uuid(SsoHandoffs::SignInEventId))
                .col(timestamp_with_time_zone(SsoHandoffs::ExpiresAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(SsoHandoffs::Table, SsoHandoffs::TenantId)
                        .to(Tenants::Table, Tenants::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AssertionReplays::Table)
                .col(uuid(AssertionReplays::TenantId))
                .col(string(AssertionReplays::AssertionId))
                .col(timestamp_with_time_zone(AssertionReplays::ExpiresAt))
                .primary_key(Index::create().col(AssertionReplays::TenantId).col(AssertionReplays::AssertionId))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(SignInEvents::Table)
                .col(pk_uuid(SignInEvents::Id))
                .col(uuid_null(SignInEvents::TenantId))
                .col(uuid_null(SignInEvents::UserId))
                .col(string_null(SignInEvents::NameId))
                .col(string(SignInEvents::Flow))
                .col(string(SignInEvents::Outcome))
                .col(string(SignInEvents::ReasonCode))
                .col(text(SignInEvents::Detail))
                .col(string_null(SignInEvents::CertificateFingerprint))
                .col(big_integer_null(SignInEvents::ClockOffsetSeconds))
                .col(string_null(SignInEvents::Ip))
                .col(string_null(SignInEvents::UserAgent))
                .col(timestamp_with_time_zone(SignInEvents::CreatedAt))
                .take(),
        )
        .await?;
        m.alter_table(Table::alter().table(Sessions::Table).add_column(string_null(Sessions::NameId)).take()).await?;
        m.alter_table(Table::alter().table(Sessions::Table).add_column(string_null(Sessions::NameIdFormat)).take())
            .await?;
        m.alter_table(Table::alter().table(Sessions::Table).add_column(string_null(Sessions::SessionIndex)).take())
            .await?;
        m.alter_table(
            Table::alter()
                .table(SsoConnections::Table)
                .add_column(boolean(SsoConnections::JitProvisioning).default(false))
                .take(),
        )
        .await?;
        let db = m.get_connection();
        for sql in [
            "CREATE INDEX ix_sso_requests_expires ON sso_requests (expires_at)",
            "CREATE INDEX ix_sso_handoffs_expires ON sso_handoffs (expires_at)",
            "CREATE INDEX ix_assertion_replays_expires ON assertion_replays (expires_at)",
            "CREATE INDEX ix_sign_in_events_tenant ON sign_in_events (tenant_id, id)",
            "CREATE INDEX ix_sessions_tenant_name_id ON sessions (tenant_id, name_id)",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
