//! Fewer foreign-key checks on a sign-in's inserts, with no weaker integrity (issue 11),
//! on PostgreSQL.
//!
//! PostgreSQL checks a foreign key by locking the referenced row (`SELECT … FOR KEY SHARE`),
//! which writes to that row; every sign-in of a tenant locked the same `tenants` row twice
//! (the hand-over row's and the session's `tenant_id`) and the user's row once, so concurrent
//! sign-ins queued on one tuple and made multixacts. After this migration a sign-in makes one
//! check, on its user's row:
//!
//! - `sessions`: the two keys `tenant_id → tenants` and `user_id → users` become one,
//!   `(tenant_id, user_id) → users (tenant_id, id)`, which also holds a session to its user's
//!   own tenant (the two keys did not). A user session has both columns and an operator's
//!   neither (`CHECK`), so the composite key is never half-null and skipped. A user's row
//!   exists only in its tenant (`users.tenant_id → tenants`), so the tenant is still checked,
//!   and deleting a user (or, through the user, a tenant) still deletes their sessions.
//! - `sso_handoffs` (a one-time hand-over, two minutes at most, then purged): its key to
//!   `tenants` goes. Nothing is trusted from it: the hand-over makes a session only for a user
//!   row it finds by the hand-over's tenant and user, and the session's own key checks that
//!   again. Tenants are never deleted, so the key's cascade had nothing to do.
//!
//! SQLite checks foreign keys without locks, and changing one there means rebuilding the
//! table; it keeps the keys it has.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &[&str] = &[
    "CREATE UNIQUE INDEX ux_users_tenant_id_id ON users (tenant_id, id)",
    "ALTER TABLE sessions ADD CONSTRAINT ck_sessions_tenant_user CHECK ((tenant_id IS NULL) = (user_id IS NULL))",
    "ALTER TABLE sessions ADD CONSTRAINT fk_sessions_tenant_user FOREIGN KEY (tenant_id, user_id) \
     REFERENCES users (tenant_id, id) ON DELETE CASCADE",
    "ALTER TABLE sessions DROP CONSTRAINT sessions_tenant_id_fkey",
    "ALTER TABLE sessions DROP CONSTRAINT sessions_user_id_fkey",
    "ALTER TABLE sso_handoffs DROP CONSTRAINT sso_handoffs_tenant_id_fkey",
];

const DOWN: &[&str] = &[
    "ALTER TABLE sso_handoffs ADD CONSTRAINT sso_handoffs_tenant_id_fkey FOREIGN KEY (tenant_id) \
     REFERENCES tenants (id) ON DELETE CASCADE",
    "ALTER TABLE sessions ADD CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE",
    "ALTER TABLE sessions ADD CONSTRAINT sessions_tenant_id_fkey FOREIGN KEY (tenant_id) \
     REFERENCES tenants (id) ON DELETE CASCADE",
    "ALTER TABLE sessions DROP CONSTRAINT fk_sessions_tenant_user",
    "ALTER TABLE sessions DROP CONSTRAINT ck_sessions_tenant_user",
    "DROP INDEX ux_users_tenant_id_id",
];

async fn run(m: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    if m.get_database_backend() != sea_orm::DbBackend::Postgres {
        return Ok(());
    }
    for sql in statements {
        m.get_connection().execute_unprepared(sql).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        run(m, UP).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        run(m, DOWN).await
    }
}
