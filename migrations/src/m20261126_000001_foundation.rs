//! Tenants, operators, users, SSO connections and IdP certificates, console sessions,
//! API tokens and the audit log.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
    Slug,
    Name,
    DevMode,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Operators {
    Table,
    Id,
    Email,
    DisplayName,
    PasswordHash,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    TenantId,
    Email,
    DisplayName,
    FederationId,
    FederationKey,
    Status,
    Role,
    PasswordHash,
    CreatedAt,
    UpdatedAt,
    DeletedAt,
}

#[derive(DeriveIden)]
enum SsoConnections {
    Table,
    Id,
    TenantId,
    Enabled,
    Provider,
    LoginUrl,
    Issuer,
    LogoutUrl,
    LoginPolicy,
    AllowIdpInitiated,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum IdpCertificates {
    Table,
    Id,
    TenantId,
    ConnectionId,
    Pem,
    FingerprintSha256,
    Subject,
    Issuer,
    NotBefore,
    NotAfter,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    TokenHash,
    TenantId,
    UserId,
    OperatorId,
    AuthMethod,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
    UserAgent,
    Ip,
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    Id,
    TenantId,
    Name,
    TokenHash,
    TokenPrefix,
    CreatedBy,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    TenantId,
    ActorKind,
    ActorId,
    ActorLabel,
    Action,
    TargetType,
    TargetId,
    Before,
    After,
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
                .table(Tenants::Table)
                .col(pk_uuid(Tenants::Id))
                .col(string_uniq(Tenants::Slug))
                .col(string(Tenants::Name))
                .col(boolean(Tenants::DevMode).default(false))
                .col(timestamp_with_time_zone(Tenants::CreatedAt))
                .col(timestamp_with_time_zone(Tenants::UpdatedAt))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Operators::Table)
                .col(pk_uuid(Operators::Id))
                .col(string_uniq(Operators::Email))
                .col(string(Operators::DisplayName))
                .col(string(Operators::PasswordHash))
                .col(timestamp_with_time_zone(Operators::CreatedAt))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(pk_uuid(Users::Id))
                .col(uuid(Users::TenantId))
                .col(string(Users::Email))
                .col(string(Users::DisplayName))
                .col(string(Users::FederationId))
                .col(string(Users::FederationKey))
                .col(string(Users::Status))
                .col(string(Users::Role))
                .col(string_null(Users::PasswordHash))
                .col(timestamp_with_time_zone(Users::CreatedAt))
                .col(timestamp_with_time_zone(Users::UpdatedAt))
                .col(timestamp_with_time_zone_null(Users::DeletedAt))
                .foreign_key(&mut fk(Users::Table, Users::TenantId, Tenants::Table, Tenants::Id))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(SsoConnections::Table)
                .col(pk_uuid(SsoConnections::Id))
                .col(uuid_uniq(SsoConnections::TenantId))
                .col(boolean(SsoConnections::Enabled))
                .col(string(SsoConnections::Provider))
                .col(string_null(SsoConnections::LoginUrl))
                .col(string_null(SsoConnections::Issuer))
                .col(string_null(SsoConnections::LogoutUrl))
                .col(string(SsoConnections::LoginPolicy))
                .col(boolean(SsoConnections::AllowIdpInitiated))
                .col(integer(SsoConnections::Version))
                .col(timestamp_with_time_zone(SsoConnections::CreatedAt))
                .col(timestamp_with_time_zone(SsoConnections::UpdatedAt))
                .foreign_key(&mut fk(SsoConnections::Table, SsoConnections::TenantId, Tenants::Table, Tenants::Id))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(IdpCertificates::Table)
                .col(pk_uuid(IdpCertificates::Id))
                .col(uuid(IdpCertificates::TenantId))
                .col(uuid(IdpCertificates::ConnectionId))
                .col(text(IdpCertificates::Pem))
                .col(string(IdpCertificates::FingerprintSha256))
                .col(text(IdpCertificates::Subject))
                .col(text(IdpCertificates::Issuer))
                .col(timestamp_with_time_zone(IdpCertificates::NotBefore))
                .col(timestamp_with_time_zone(IdpCertificates::NotAfter))
                .col(timestamp_with_time_zone(IdpCertificates::CreatedAt))
                .foreign_key(&mut fk(IdpCertificates::Table, IdpCertificates::TenantId, Tenants::Table, Tenants::Id))
                .foreign_key(&mut fk(
                    IdpCertificates::Table,
                    IdpCertificates::ConnectionId,
                    SsoConnections::Table,
                    SsoConnections::Id,
                ))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Sessions::Table)
                .col(pk_uuid(Sessions::Id))
                .col(string_uniq(Sessions::TokenHash))
                .col(uuid_null(Sessions::TenantId))
                .col(uuid_null(Sessions::UserId))
                .col(uuid_null(Sessions::OperatorId))
                .col(string(Sessions::AuthMethod))
                .col(timestamp_with_time_zone(Sessions::CreatedAt))
                .col(timestamp_with_time_zone(Sessions::LastSeenAt))
                .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                .col(string_null(Sessions::UserAgent))
                .col(string_null(Sessions::Ip))
                .foreign_key(&mut fk(Sessions::Table, Sessions::TenantId, Tenants::Table, Tenants::Id))
                .foreign_key(&mut fk(Sessions::Table, Sessions::UserId, Users::Table, Users::Id))
                .foreign_key(&mut fk(Sessions::Table, Sessions::OperatorId, Operators::Table, Operators::Id))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ApiTokens::Table)
                .col(pk_uuid(ApiTokens::Id))
                .col(uuid(ApiTokens::TenantId))
                .col(string(ApiTokens::Name))
                .col(string_uniq(ApiTokens::TokenHash))
                .col(string(ApiTokens::TokenPrefix))
                .col(string(ApiTokens::CreatedBy))
                .col(timestamp_with_time_zone(ApiTokens::CreatedAt))
                .col(timestamp_with_time_zone_null(ApiTokens::LastUsedAt))
                .col(timestamp_with_time_zone_null(ApiTokens::RevokedAt))
                .foreign_key(&mut fk(ApiTokens::Table, ApiTokens::TenantId, Tenants::Table, Tenants::Id))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AuditEvents::Table)
                .col(pk_uuid(AuditEvents::Id))
                .col(uuid_null(AuditEvents::TenantId))
                .col(string(AuditEvents::ActorKind))
                .col(string_null(AuditEvents::ActorId))
                .col(string(AuditEvents::ActorLabel))
                .col(string(AuditEvents::Action))
                .col(string(AuditEvents::TargetType))
                .col(string_null(AuditEvents::TargetId))
                .col(json_binary_null(AuditEvents::Before))
                .col(json_binary_null(AuditEvents::After))
                .col(timestamp_with_time_zone(AuditEvents::CreatedAt))
                .take(),
        )
        .await?;

        // Lookups the flows need. Partial unique indexes are written as SQL because both
        // SQLite and PostgreSQL accept the same text for them.
        let db = m.get_connection();
        for sql in [
            // A live (not deleted) user is unique per tenant by e-mail and by federation ID.
            "CREATE UNIQUE INDEX ux_users_tenant_email ON users (tenant_id, email) WHERE deleted_at IS NULL",
            "CREATE UNIQUE INDEX ux_users_tenant_federation_key ON users (tenant_id, federation_key) WHERE deleted_at IS NULL",
            "CREATE INDEX ix_users_email ON users (email)",
            // IdP-initiated SSO finds the tenant by the Response's Issuer: one enabled connection per issuer.
            "CREATE UNIQUE INDEX ux_sso_connections_enabled_issuer ON sso_connections (issuer) WHERE enabled",
            "CREATE UNIQUE INDEX ux_idp_certificates_connection_fingerprint ON idp_certificates (connection_id, fingerprint_sha256)",
            "CREATE INDEX ix_idp_certificates_tenant ON idp_certificates (tenant_id)",
            "CREATE INDEX ix_sessions_user ON sessions (user_id)",
            "CREATE INDEX ix_api_tokens_tenant ON api_tokens (tenant_id)",
            "CREATE INDEX ix_audit_events_tenant_created ON audit_events (tenant_id, created_at)",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
