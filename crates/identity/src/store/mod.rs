//! The store: the sea-orm entities (one module per table) and the rules every writer
//! shares. Only this crate touches the entities; everything outside sees the service types.

pub(crate) mod entities;
pub(crate) mod sign_in_connections;
pub(crate) mod sqlite_rows;
pub(crate) mod sqlite_writer;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter, QueryResult, Select, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

use crate::Identity;
use crate::error::Result;
use crate::ids::{TenantId, UserId};
use crate::model::UserStatus;
use entities::{group_member, session, user};

/// A row read by column name, whichever connection produced it: sea-orm's (the pool,
/// PostgreSQL's sign-in connections) or the SQLite sign-in writer's (`sqlite_writer::WrittenRow`).
pub(crate) trait Columns {
    fn text(&self, column: &str) -> std::result::Result<Option<String>, DbErr>;
    fn uuid(&self, column: &str) -> std::result::Result<Option<uuid::Uuid>, DbErr>;
    fn time(&self, column: &str) -> std::result::Result<Option<DateTime<Utc>>, DbErr>;
    fn flag(&self, column: &str) -> std::result::Result<bool, DbErr>;
}

impl Columns for QueryResult {
    fn text(&self, column: &str) -> std::result::Result<Option<String>, DbErr> {
        self.try_get("", column)
    }

    fn uuid(&self, column: &str) -> std::result::Result<Option<uuid::Uuid>, DbErr> {
        self.try_get("", column)
    }

    fn time(&self, column: &str) -> std::result::Result<Option<DateTime<Utc>>, DbErr> {
        self.try_get("", column)
    }

    fn flag(&self, column: &str) -> std::result::Result<bool, DbErr> {
        self.try_get("", column)
    }
}

/// A tenant's live users (not deleted): where every read of users starts, so a deleted user
/// or another tenant's user cannot be returned by forgetting a filter.
pub(crate) fn live_users(tenant: TenantId) -> Select<user::Entity> {
    user::Entity::find().filter(user::Column::TenantId.eq(tenant.as_uuid())).filter(user::Column::DeletedAt.is_null())
}

/// The one soft delete of a user, whoever asks (an admin in the console or the IdP over
/// SCIM): the row stays (for the audit log) but is marked deleted and suspended, its password
/// is dropped, its sessions end and it leaves every group — all inside the caller's transaction.
pub(crate) async fn soft_delete_user(
    conn: &impl ConnectionTrait,
    tenant: TenantId,
    id: UserId,
    now: DateTime<Utc>,
) -> Result<()> {
    user::ActiveModel {
        id: Set(id.as_uuid()),
        deleted_at: Set(Some(now)),
        status: Set(UserStatus::Suspended.as_str().to_owned()),
        password_hash: Set(None),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(conn)
    .await?;
    end_user_sessions(conn, tenant, id).await?;
    group_member::Entity::delete_many()
        .filter(group_member::Column::TenantId.eq(tenant.as_uuid()))
        .filter(group_member::Column::UserId.eq(id.as_uuid()))
        .exec(conn)
        .await?;
    Ok(())
}

/// Ends every session of a user (suspended, deleted, or signed out by the IdP).
pub(crate) async fn end_user_sessions(conn: &impl ConnectionTrait, tenant: TenantId, user: UserId) -> Result<u64> {
    let r = session::Entity::delete_many()
        .filter(session::Column::TenantId.eq(tenant.as_uuid()))
        .filter(session::Column::UserId.eq(user.as_uuid()))
        .exec(conn)
        .await?;
    Ok(r.rows_affected)
}

impl Identity {
    /// A write transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`):
    /// a deferred transaction that reads first could not upgrade to a writer once another
    /// connection has written, and would fail instead of waiting.
    pub(crate) async fn begin_write(&self) -> Result<DatabaseTransaction> {
        Ok(self
            .db
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await?)
    }
}

/// The statement logs the tests of the connections kept for sign-ins share.
#[cfg(test)]
pub(crate) mod statement_log {
    use std::sync::{Arc, Mutex};

    use sea_orm::{DatabaseConnection, Statement};

    use super::sign_in_connections::Observer;

    /// Statements' texts, in the order they ran.
    pub(crate) type Log = Arc<Mutex<Vec<String>>>;

    /// `pool` with every statement it runs logged (sea-orm's metric callback), and the log.
    pub(crate) fn logged(pool: &DatabaseConnection) -> (DatabaseConnection, Log) {
        let log = Log::default();
        let sink = log.clone();
        let mut pool = pool.clone();
        pool.set_metric_callback(move |info| sink.lock().unwrap().push(info.statement.sql.clone()));
        (pool, log)
    }

    /// An observer that logs each statement it is shown, and the log.
    pub(crate) fn observer() -> (Observer, Log) {
        let log = Log::default();
        let sink = log.clone();
        (Arc::new(move |s: &Statement| sink.lock().unwrap().push(s.sql.clone())), log)
    }
}
