//! The store: the sea-orm entities (one module per table) and the rules every writer
//! shares. Only this crate touches the entities; everything outside sees the service types.

pub(crate) mod entities;

use sea_orm::{DatabaseTransaction, SqliteTransactionMode, TransactionOptions, TransactionTrait};

use crate::Identity;
use crate::error::Result;

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
