//! PostgreSQL: a few connections, beside the pool, for a sign-in's statements.
//!
//! sqlx's pool tests every connection it takes back: a `Sync` sent to PostgreSQL and its
//! `ReadyForQuery` awaited, in a task spawned for the purpose. That is one more round trip —
//! a wake-up of the server's task and of a PostgreSQL backend, and two more syscalls each side
//! — after every statement, and the connection is not free again until it is done. A sign-in
//! runs three statements (the admission's read, the ACS's write, the hand-over's), so it paid
//! for six round trips; the profile put a tenth of the server's time in the pool's return path.
//!
//! The statements of a sign-in run here instead, on a few connections of their own, held for
//! one statement and then simply unlocked. The pool is made that much smaller
//! (`db::pool_share`), so one process still keeps at most `GATEHOUSE_DATABASE_POOL_SIZE`
//! connections. Nothing is lost by skipping the test on return:
//! - A statement that was stopped part-way (the client went away, the handler's future was
//!   dropped) leaves its answer unread; sqlx reads whatever is pending before it sends the next
//!   statement on that connection (`wait_until_ready` at the start of every query), exactly as
//!   the pool's test would have. These statements are single statements in autocommit, never
//!   inside a transaction, so nothing is left open.
//! - A connection that failed below the database (I/O, TLS, protocol) is dropped and a new one
//!   opened for the slot the next time it is needed; one idle for [`PING_IF_IDLE_FOR`] is
//!   pinged first, as the pool does (`db::connect_options`).
//! - When every slot is busy, or a slot cannot connect (then it waits a second before it tries
//!   again), the statement goes through the pool as before: nothing queues on this set. Queuing
//!   for a slot instead was measured (BENCHMARKS.md, issue 11, fifth step): less CPU per
//!   sign-in still, but with three slots on two cores the machine went partly idle and p99 rose
//!   — a slot is held until its task is scheduled again, not only while the database works.
//!
//! Only PostgreSQL: SQLite's pool has the same test on return (a trip to the connection's
//! thread); there the sign-in's writes, which already run one at a time behind the in-process
//! gate, have one connection of their own instead (`sqlite_writer`).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sea_orm::sqlx::postgres::{PgConnectOptions, PgConnection, PgDatabaseError, PgSeverity};
use sea_orm::sqlx::{self, ConnectOptions, Connection};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, QueryResult, RuntimeErr, Statement};
use sea_query_sqlx::SqlxValues;
use tokio::sync::Mutex;

use crate::db::{PING_IF_IDLE_FOR, sign_in_slots};

/// How long opening a connection for a slot may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// After opening a kept connection failed (a slot here, or the SQLite sign-in writer's), it is
/// not tried again for this long: a slot leaves its statements to the pool meanwhile.
pub(crate) const RETRY_AFTER: Duration = Duration::from_secs(1);

/// Something that sees each statement this set runs (the statement tests count them, as
/// sea-orm's metric callback counts the pool's).
pub(crate) type Observer = Arc<dyn Fn(&Statement) + Send + Sync>;

/// The connections kept for sign-ins (see the module docs).
pub(crate) struct SignInConnections {
    options: Arc<PgConnectOptions>,
    slots: Box<[Mutex<Slot>]>,
    next: AtomicUsize,
    observer: std::sync::OnceLock<Observer>,
}

#[derive(Default)]
struct Slot {
    conn: Option<PgConnection>,
    /// When the connection last answered (`None` before the first statement).
    last_used: Option<Instant>,
    /// When opening a connection last failed.
    failed_at: Option<Instant>,
}

impl SignInConnections {
    /// The set for `db`: `None` unless it is a PostgreSQL pool large enough to have one
    /// ([`sign_in_slots`] of the pool's size).
    pub(crate) fn for_db(db: &DatabaseConnection) -> Option<SignInConnections> {
        if db.get_database_backend() != DbBackend::Postgres {
            return None;
        }
        let pool = db.get_postgres_connection_pool();
        Self::with_slots(pool.connect_options(), sign_in_slots(pool.options().get_max_connections()))
    }

    /// A set of `n` slots connecting with `options` (`None` for none).
    pub(crate) fn with_slots(options: Arc<PgConnectOptions>, n: usize) -> Option<SignInConnections> {
        (n > 0).then(|| SignInConnections {
            options,
            slots: (0..n).map(|_| Mutex::new(Slot::default())).collect(),
            next: AtomicUsize::new(0),
            observer: std::sync::OnceLock::new(),
        })
    }

    /// Shows every statement this set runs to `observer` (the first observer stays).
    #[cfg(any(test, feature = "testing"))]
    pub(crate) fn observe(&self, observer: Observer) {
        let _ = self.observer.set(observer);
    }

    /// How many slots hold an open connection now (busy ones count as open).
    pub(crate) fn open(&self) -> usize {
        self.slots.iter().filter(|s| s.try_lock().map_or(true, |s| s.conn.is_some())).count()
    }

    /// Runs `stmt` on a free slot's connection and returns its first row; through `db`'s pool
    /// when no slot is free or can connect now.
    pub(crate) async fn query_one(
        &self,
        db: &DatabaseConnection,
        mut stmt: Statement,
    ) -> Result<Option<QueryResult>, DbErr> {
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let n = self.slots.len();
        let free = (0..n).find_map(|i| self.slots[(start + i) % n].try_lock().ok());
        let Some(mut slot) = free else {
            return db.query_one_raw(stmt).await;
        };
        if !self.ready(&mut slot).await {
            drop(slot);
            return db.query_one_raw(stmt).await;
        }
        let Some(conn) = slot.conn.as_mut() else {
            return Err(DbErr::Custom("a sign-in connection vanished".into()));
        };
        if let Some(observe) = self.observer.get() {
            observe(&stmt);
        }
        // Moved, not copied (sea-orm's own path copies them).
        let values = stmt.values.take().unwrap_or(sea_orm::sea_query::Values(Vec::new()));
        let query = sqlx::query_with(sqlx::AssertSqlSafe(stmt.sql.as_str()), SqlxValues(values));
        match query.fetch_all(&mut *conn).await {
            Ok(rows) => {
                slot.last_used = Some(Instant::now());
                Ok(rows.into_iter().next().map(QueryResult::from))
            }
            Err(e) => {
                if !survives(&e) {
                    slot.conn = None;
                }
                Err(DbErr::Query(RuntimeErr::SqlxError(Arc::new(e))))
            }
        }
    }

    /// Makes the slot's connection ready for a statement: opened when it has none (unless an
    /// attempt failed under [`RETRY_AFTER`] ago), pinged after [`PING_IF_IDLE_FOR`] idle.
    /// `false` when it has none now.
    async fn ready(&self, slot: &mut Slot) -> bool {
        let idle_too_long = slot.last_used.is_some_and(|t| t.elapsed() >= PING_IF_IDLE_FOR);
        if idle_too_long && let Some(conn) = slot.conn.as_mut() {
            if conn.ping().await.is_err() {
                slot.conn = None;
            } else {
                slot.last_used = Some(Instant::now());
            }
        }
        if slot.conn.is_none() {
            slot.conn = open(&self.options, &mut slot.failed_at).await;
        }
        slot.conn.is_some()
    }
}

/// Opens a slot's connection, unless an attempt failed under [`RETRY_AFTER`] ago
/// (`failed_at`); `None`, with a warning, when it cannot now, and the caller uses the pool
/// meanwhile.
async fn open(options: &PgConnectOptions, failed_at: &mut Option<Instant>) -> Option<PgConnection> {
    if failed_at.is_some_and(|t| t.elapsed() < RETRY_AFTER) {
        return None;
    }
    let error = match tokio::time::timeout(CONNECT_TIMEOUT, options.connect()).await {
        Ok(Ok(conn)) => {
            *failed_at = None;
            return Some(conn);
        }
        Ok(Err(e)) => e.to_string(),
        Err(_) => format!("no connection after {CONNECT_TIMEOUT:?}"),
    };
    tracing::warn!(error, "opening a sign-in database connection failed; the pool is used meanwhile");
    *failed_at = Some(Instant::now());
    None
}

/// Whether a connection is still good after `e`: only when the database refused the statement
/// (severity ERROR). Not after I/O, TLS or protocol errors, nor a FATAL error (the server ends
/// the connection, e.g. `pg_terminate_backend` or a shutdown).
fn survives(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => {
            d.try_downcast_ref::<PgDatabaseError>().is_some_and(|pg| matches!(pg.severity(), PgSeverity::Error))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use gatehouse_test_support::{Backend, TestDb};
    use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

    use super::*;
    use crate::store::statement_log::{self, Log};

    /// A one-slot set over a fresh PostgreSQL schema, and the statements it ran itself and
    /// those that went through the pool.
    struct Fixture {
        _db: TestDb,
        pool: DatabaseConnection,
        set: SignInConnections,
        own: Log,
        pooled: Log,
    }

    async fn fixture() -> Fixture {
        let db = TestDb::new(Backend::Postgres).await;
        let (pool, pooled) = statement_log::logged(db.conn());
        let set = SignInConnections::with_slots(pool.get_postgres_connection_pool().connect_options(), 1).unwrap();
        let (observer, own) = statement_log::observer();
        set.observe(observer);
        Fixture { _db: db, pool, set, own, pooled }
    }

    fn sql(text: &str) -> Statement {
        Statement::from_string(DbBackend::Postgres, text)
    }

    impl Fixture {
        async fn int(&self, text: &str) -> Result<i32, DbErr> {
            let row = self.set.query_one(&self.pool, sql(text)).await?.expect("a row");
            row.try_get::<i32>("", "v")
        }
    }

    #[tokio::test]
    async fn statements_run_on_the_kept_connection_and_leave_the_pool_alone() {
        let f = fixture().await;
        assert_eq!(f.set.open(), 0, "connected on first use");
        let first = f.int("SELECT pg_backend_pid() AS v").await.unwrap();
        for _ in 0..5 {
            assert_eq!(f.int("SELECT pg_backend_pid() AS v").await.unwrap(), first, "the same connection each time");
        }
        assert_eq!(f.set.open(), 1);
        assert_eq!(f.own.lock().unwrap().len(), 6);
        assert!(f.pooled.lock().unwrap().is_empty(), "{:?}", f.pooled.lock().unwrap());
        // Values are bound as sea-orm binds them.
        let row = f
            .set
            .query_one(
                &f.pool,
                Statement::from_sql_and_values(DbBackend::Postgres, "SELECT $1::int + 1 AS v", [41.into()]),
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.try_get::<i32>("", "v").unwrap(), 42);
        // A statement the database refuses keeps the connection.
        assert!(f.int("SELECT 1 / 0 AS v").await.is_err());
        assert_eq!(f.int("SELECT pg_backend_pid() AS v").await.unwrap(), first);
    }

    #[tokio::test]
    async fn a_statement_stopped_part_way_leaves_nothing_behind_for_the_next() {
        let f = fixture().await;
        f.int("SELECT 1 AS v").await.unwrap();
        // The client goes away while the database is still working on the statement.
        let stopped = tokio::time::timeout(
            Duration::from_millis(50),
            f.set.query_one(&f.pool, sql("SELECT 7 AS v FROM pg_sleep(0.3)")),
        )
        .await;
        assert!(stopped.is_err(), "the statement was still running");
        // The next statement on that connection gets its own answer, not the stopped one's.
        assert_eq!(f.int("SELECT 8 AS v").await.unwrap(), 8);
        assert_eq!(f.int("SELECT 9 AS v").await.unwrap(), 9);
        assert!(f.pooled.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_busy_slot_sends_the_statement_through_the_pool() {
        let f = Arc::new(fixture().await);
        f.int("SELECT 1 AS v").await.unwrap();
        let slow = {
            let f = f.clone();
            tokio::spawn(async move { f.int("SELECT 5 AS v FROM pg_sleep(0.3)").await })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(f.int("SELECT 6 AS v").await.unwrap(), 6);
        assert!(!slow.is_finished(), "the second statement did not wait for the first");
        assert_eq!(slow.await.unwrap().unwrap(), 5);
        assert_eq!(*f.pooled.lock().unwrap(), ["SELECT 6 AS v"]);
        assert_eq!(f.own.lock().unwrap().len(), 2);
    }

    #[tokio::test]
    async fn a_slot_that_cannot_connect_leaves_the_statement_to_the_pool() {
        let f = fixture().await;
        // A server no one listens on: the slot's connect fails at once.
        let nowhere = Arc::new((*f.pool.get_postgres_connection_pool().connect_options()).clone().port(1));
        let set = SignInConnections::with_slots(nowhere, 1).unwrap();
        let row = set.query_one(&f.pool, sql("SELECT 3 AS v")).await.unwrap().unwrap();
        assert_eq!(row.try_get::<i32>("", "v").unwrap(), 3);
        assert_eq!(*f.pooled.lock().unwrap(), ["SELECT 3 AS v"]);
        assert_eq!(set.open(), 0);
    }

    #[tokio::test]
    async fn a_connection_the_server_dropped_is_replaced() {
        let f = fixture().await;
        let pid = f.int("SELECT pg_backend_pid() AS v").await.unwrap();
        let killed = f
            .pool
            .query_one_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_terminate_backend($1) AS done",
                [pid.into()],
            ))
            .await
            .unwrap()
            .unwrap();
        assert!(killed.try_get::<bool>("", "done").unwrap());
        // The first statement after finds the connection gone (nothing was run twice) …
        let mut answers = Vec::new();
        for _ in 0..3 {
            answers.push(f.int("SELECT pg_backend_pid() AS v").await);
        }
        assert!(answers[0].is_err(), "{answers:?}");
        // … and the slot has a new connection for the next.
        let new = answers[1].as_ref().expect("reconnected");
        assert_ne!(*new, pid);
        assert_eq!(answers[2].as_ref().unwrap(), new);
    }
}
