//! SQLite: one connection, beside the pool, for a sign-in's writes.
//!
//! A sign-in's writes on SQLite (the ACS's transaction, the hand-over's batch) already run one
//! at a time per process, behind the sign-in gate (`Identity::sqlite_sign_in_gate`); this
//! connection lives inside that gate, so whoever holds the gate holds it. Two costs of the
//! pool are gone that way (measured: BENCHMARKS.md, issue 11, sixth step):
//!
//! - **The test on return.** sqlx's pool pings every connection it takes back; on SQLite a
//!   ping is one more trip to the connection's thread (two thread wake-ups) after every write.
//! - **A cold page cache.** In WAL mode, a connection that starts a transaction after another
//!   connection has written drops its whole page cache and reads every page again (SQLite
//!   keeps no finer record of what changed). With the writes spread over the pool's eight
//!   connections, nearly every write started cold: `pread` of the same pages and `malloc`/`free`
//!   of their buffers, sign-in after sign-in. One connection that makes every sign-in write
//!   finds its cache still valid unless something else wrote in between.
//!
//! Safety, as for the PostgreSQL connections kept for sign-ins (`sign_in_connections`):
//! - The ACS's batch runs in sqlx's `Transaction` (`BEGIN IMMEDIATE` … `COMMIT`). If it fails
//!   or its future is dropped part-way, the transaction is rolled back before the connection
//!   runs anything else (sqlx queues the rollback on the connection's thread, in order).
//! - A statement SQLite refused keeps the connection; any other failure (the connection's
//!   thread gone, I/O) drops it, and the next write opens a new one.
//! - When no connection can be opened, the write goes through the pool as before, and the
//!   writer waits a second before trying again (`sign_in_connections::open`).

use std::sync::Arc;
use std::time::Instant;

use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sea_orm::sqlx::{self, Connection};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, QueryResult, RuntimeErr, SqliteTransactionMode, Statement,
    TransactionOptions, TransactionTrait,
};
use sea_query_sqlx::SqlxValues;

use super::sign_in_connections::{Observer, open};

/// The connection a sign-in's writes run on (see the module docs). Lives inside the sign-in
/// gate's mutex.
pub(crate) struct SqliteWriter {
    options: Arc<SqliteConnectOptions>,
    conn: Option<SqliteConnection>,
    failed_at: Option<Instant>,
    observer: Option<Observer>,
}

impl SqliteWriter {
    /// The writer for `db`; `None` unless it is SQLite.
    pub(crate) fn for_db(db: &DatabaseConnection) -> Option<SqliteWriter> {
        (db.get_database_backend() == DbBackend::Sqlite)
            .then(|| SqliteWriter::with_options(db.get_sqlite_connection_pool().connect_options()))
    }

    /// A writer connecting with `options`; nothing is opened before the first write.
    pub(crate) fn with_options(options: Arc<SqliteConnectOptions>) -> SqliteWriter {
        SqliteWriter { options, conn: None, failed_at: None, observer: None }
    }

    /// Shows every statement this writer runs to `observer`.
    #[cfg(any(test, feature = "testing"))]
    pub(crate) fn observe(&mut self, observer: Observer) {
        self.observer = Some(observer);
    }

    /// Whether the connection is open.
    pub(crate) fn is_open(&self) -> bool {
        self.conn.is_some()
    }

    /// Runs `stmt` (one statement or a batch) inside a write transaction (`BEGIN IMMEDIATE`)
    /// and commits; returns every row it produced. Through `db`'s pool when the writer has no
    /// connection now.
    pub(crate) async fn transaction(
        &mut self,
        db: &DatabaseConnection,
        stmt: Statement,
    ) -> Result<Vec<QueryResult>, DbErr> {
        if !self.ready().await {
            let txn = db
                .begin_with_options(TransactionOptions {
                    sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                    ..Default::default()
                })
                .await?;
            let rows = txn.query_all_raw(stmt).await?;
            txn.commit().await?;
            return Ok(rows);
        }
        let (sql, values) = self.take(stmt);
        let Some(conn) = self.conn.as_mut() else {
            return Err(DbErr::Custom("the sign-in writer's connection vanished".into()));
        };
        let result = async move {
            let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
            let rows = sqlx::query_with(sqlx::AssertSqlSafe(sql.as_str()), values).fetch_all(&mut *tx).await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(rows)
        }
        .await;
        self.finish(result)
    }

    /// Runs `stmt` (one statement or a batch) in autocommit; returns every row it produced.
    /// Through `db`'s pool when the writer has no connection now.
    pub(crate) async fn query_all(
        &mut self,
        db: &DatabaseConnection,
        stmt: Statement,
    ) -> Result<Vec<QueryResult>, DbErr> {
        if !self.ready().await {
            return db.query_all_raw(stmt).await;
        }
        let (sql, values) = self.take(stmt);
        let Some(conn) = self.conn.as_mut() else {
            return Err(DbErr::Custom("the sign-in writer's connection vanished".into()));
        };
        let result = sqlx::query_with(sqlx::AssertSqlSafe(sql.as_str()), values).fetch_all(&mut *conn).await;
        self.finish(result)
    }

    /// Shows `stmt` to the observer and takes its text and values (moved, not copied).
    fn take(&self, mut stmt: Statement) -> (String, SqlxValues) {
        if let Some(observe) = &self.observer {
            observe(&stmt);
        }
        let values = stmt.values.take().unwrap_or(sea_orm::sea_query::Values(Vec::new()));
        (stmt.sql, SqlxValues(values))
    }

    /// Rows as sea-orm's; a failure other than SQLite refusing the statement drops the
    /// connection.
    fn finish(&mut self, result: Result<Vec<sqlx::sqlite::SqliteRow>, sqlx::Error>) -> Result<Vec<QueryResult>, DbErr> {
        match result {
            Ok(rows) => Ok(rows.into_iter().map(QueryResult::from).collect()),
            Err(e) => {
                if !matches!(e, sqlx::Error::Database(_)) {
                    self.conn = None;
                }
                Err(DbErr::Query(RuntimeErr::SqlxError(Arc::new(e))))
            }
        }
    }

    /// Opens the connection when there is none (unless the last attempt failed under a
    /// second ago); `false` when there is none now.
    async fn ready(&mut self) -> bool {
        if self.conn.is_none() {
            self.conn = open(&*self.options, &mut self.failed_at, "the SQLite sign-in writer").await;
        }
        self.conn.is_some()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex as StdMutex;
    use std::time::Duration;

    use gatehouse_test_support::{Backend, TestDb};
    use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

    use super::*;

    /// A writer over a fresh SQLite database with a table `t (k INTEGER PRIMARY KEY, v TEXT)`,
    /// and the statements it ran itself and those that went through the pool.
    struct Fixture {
        _db: TestDb,
        pool: DatabaseConnection,
        writer: SqliteWriter,
        own: Arc<StdMutex<Vec<String>>>,
        pooled: Arc<StdMutex<Vec<String>>>,
    }

    async fn fixture() -> Fixture {
        let db = TestDb::new(Backend::Sqlite).await;
        db.conn().execute_unprepared("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)").await.unwrap();
        let pooled = Arc::new(StdMutex::new(Vec::new()));
        let mut pool = db.conn().clone();
        let sink = pooled.clone();
        pool.set_metric_callback(move |info| sink.lock().unwrap().push(info.statement.sql.clone()));
        let mut writer = SqliteWriter::for_db(&pool).unwrap();
        let own = Arc::new(StdMutex::new(Vec::new()));
        let sink = own.clone();
        writer.observe(Arc::new(move |s: &Statement| sink.lock().unwrap().push(s.sql.clone())));
        Fixture { _db: db, pool, writer, own, pooled }
    }

    fn sql(text: &str, values: Vec<sea_orm::Value>) -> Statement {
        Statement::from_sql_and_values(DbBackend::Sqlite, text, values)
    }

    impl Fixture {
        /// The rows of `t`, read through the pool (another connection).
        async fn rows(&self) -> Vec<(i64, String)> {
            let rows = self.pool.query_all_raw(sql("SELECT k, v FROM t ORDER BY k", vec![])).await.unwrap();
            rows.iter().map(|r| (r.try_get("", "k").unwrap(), r.try_get("", "v").unwrap())).collect()
        }

        /// A write through the pool: fails (after the busy timeout) if the writer left its
        /// transaction open and so kept the write lock.
        async fn pool_write(&self, k: i64) {
            self.pool.execute_raw(sql("INSERT INTO t (k, v) VALUES ($1, 'pool')", vec![k.into()])).await.unwrap();
        }
    }

    #[tokio::test]
    async fn a_batch_commits_on_the_writers_connection_and_leaves_the_pool_alone() {
        let mut f = fixture().await;
        assert!(!f.writer.is_open(), "opened on first use");
        let batch =
            "INSERT INTO t (k, v) VALUES ($1, $2); INSERT INTO t (k, v) VALUES ($3, $2); SELECT count(*) AS n FROM t";
        let rows = f.writer.transaction(&f.pool, sql(batch, vec![1.into(), "a".into(), 2.into()])).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].try_get::<i64>("", "n").unwrap(), 2, "the batch's last statement reads its own writes");
        assert!(f.writer.is_open());
        let rows = f
            .writer
            .query_all(
                &f.pool,
                sql("UPDATE t SET v = $1 WHERE k = $2; SELECT v FROM t WHERE k = $2", vec!["b".into(), 2.into()]),
            )
            .await
            .unwrap();
        assert_eq!(rows[0].try_get::<String>("", "v").unwrap(), "b");
        assert_eq!(f.own.lock().unwrap().len(), 2);
        assert!(f.pooled.lock().unwrap().is_empty(), "{:?}", f.pooled.lock().unwrap());
        // Committed: another connection sees both rows.
        assert_eq!(f.rows().await, [(1, "a".to_owned()), (2, "b".to_owned())]);
    }

    #[tokio::test]
    async fn a_batch_that_fails_part_way_leaves_nothing_and_keeps_the_connection() {
        let mut f = fixture().await;
        f.writer.transaction(&f.pool, sql("INSERT INTO t (k, v) VALUES (1, 'a')", vec![])).await.unwrap();
        // The second insert hits the primary key: the first of the batch must not stay.
        let batch = "INSERT INTO t (k, v) VALUES (2, 'b'); INSERT INTO t (k, v) VALUES (1, 'again')";
        assert!(f.writer.transaction(&f.pool, sql(batch, vec![])).await.is_err());
        assert!(f.writer.is_open(), "a statement SQLite refused keeps the connection");
        assert_eq!(f.rows().await, [(1, "a".to_owned())], "nothing half-saved");
        f.pool_write(5).await;
        f.writer.transaction(&f.pool, sql("INSERT INTO t (k, v) VALUES (3, 'c')", vec![])).await.unwrap();
        assert_eq!(f.rows().await.len(), 3);
    }

    #[tokio::test]
    async fn a_transaction_stopped_part_way_is_rolled_back_before_the_next() {
        let mut f = fixture().await;
        let batch = "INSERT INTO t (k, v) VALUES (1, 'a'); INSERT INTO t (k, v) VALUES (2, 'b')";
        // Dropped at each point the future can stop at: after one poll, two, … until it
        // completes on its own.
        for polls in 1..=20u32 {
            let mut fut = Box::pin(f.writer.transaction(&f.pool, sql(batch, vec![])));
            let mut done = false;
            for _ in 0..polls {
                if tokio::time::timeout(Duration::from_micros(50), &mut fut).await.is_ok() {
                    done = true;
                    break;
                }
            }
            drop(fut);
            // The connection is free for the next transaction, which sees either all of the
            // stopped batch or none of it, and the write lock was released.
            f.writer.transaction(&f.pool, sql("DELETE FROM t", vec![])).await.unwrap();
            f.pool_write(9).await;
            f.writer.transaction(&f.pool, sql("DELETE FROM t", vec![])).await.unwrap();
            if done {
                break;
            }
        }
        assert!(f.writer.is_open());
        assert!(f.rows().await.is_empty());
    }

    #[tokio::test]
    async fn a_writer_that_cannot_open_its_connection_writes_through_the_pool() {
        let f = fixture().await;
        let unopenable = SqliteConnectOptions::new().filename("/nonexistent-directory/gatehouse.sqlite");
        let mut writer = SqliteWriter::with_options(Arc::new(unopenable));
        writer.transaction(&f.pool, sql("INSERT INTO t (k, v) VALUES (1, 'a')", vec![])).await.unwrap();
        writer.query_all(&f.pool, sql("INSERT INTO t (k, v) VALUES (2, 'b')", vec![])).await.unwrap();
        assert!(!writer.is_open());
        assert_eq!(f.rows().await.len(), 2);
        assert!(f.pooled.lock().unwrap().iter().any(|s| s.contains("VALUES (2")), "{:?}", f.pooled.lock().unwrap());
    }
}
