//! SQLite: one connection, beside the pool, for a sign-in's writes, run on the caller's thread.
//!
//! A sign-in's writes on SQLite (the ACS's transaction, the hand-over's) already run one at a
//! time per process, behind the sign-in gate (`Identity::sqlite_sign_in_gate`); this
//! connection lives inside that gate, so whoever holds the gate holds it. What it saves
//! (measured: BENCHMARKS.md, issue 11, sixth and seventh steps):
//!
//! - **The trips to a connection's thread.** sqlx runs each SQLite connection on a thread of
//!   its own; every call is a message there and an answer back, two thread wake-ups, and on a
//!   busy two-core machine the thread waits for a core each way. Under the gate those waits
//!   were every sign-in's shared critical path: the gate was held for about a millisecond per
//!   sign-in, which capped SQLite near 1,000 sign-ins/s with a core still idle. Here the
//!   connection is rusqlite's, called directly: a sign-in's write transaction is a few tens of
//!   microseconds of SQLite's own work on the thread that holds the gate, with no wake-up.
//! - **A cold page cache.** In WAL mode, a connection that starts a transaction after another
//!   connection has written drops its whole page cache and reads every page again. One
//!   connection that makes every sign-in write finds its cache still valid unless something
//!   else wrote in between.
//!
//! Blocking, and how it is bounded: the transaction runs inline only while it cannot wait.
//! The connection's busy timeout is zero, so `BEGIN IMMEDIATE` fails at once when another
//! connection (the pool: a console or SCIM write) holds the write lock; the same transaction
//! then runs again on tokio's blocking pool with the pool's busy timeout ([`BUSY_TIMEOUT`]),
//! and the runtime's threads never wait for a lock. (SQLite's automatic checkpoint, every
//! thousand pages of WAL, does run inline: a copy and two `fsync`s every few dozen sign-ins.)
//!
//! Safety:
//! - Every call is one transaction (`BEGIN IMMEDIATE` … `COMMIT`): all of its statements or
//!   none. A failure rolls it back before the call returns; a connection left inside a
//!   transaction all the same (a rollback that failed) is dropped, as is one after an I/O or
//!   corruption error, and the next write opens a new one. A statement SQLite refused keeps it.
//! - Values are bound exactly as sqlx binds them on the pool's connections (UUIDs as 16-byte
//!   blobs, times as RFC 3339 text, …), so what the writer stores the rest of Gatehouse reads
//!   (`tests::a_value_is_stored_as_the_pool_stores_it`); a value of a kind it does not know
//!   is an error, and so is a parameter without a value (sqlx would bind NULL).
//! - The connection is opened with the pool's settings (WAL, `synchronous = NORMAL`, foreign
//!   keys on; `tests::the_writer_runs_with_the_pools_settings`). When it cannot be opened, the
//!   write fails (the sign-in fails with an internal error and nothing was written) and the
//!   writer waits a second ([`RETRY_AFTER`]) before trying again.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior};
use sea_orm::{DatabaseConnection, DbBackend, DbErr, Statement};

use super::sign_in_connections::{Observer, RETRY_AFTER};
use super::sqlite_rows::{WrittenRow, bind_value};

/// How long the blocking pool's run of a transaction waits for another connection's write
/// lock: the pool's busy timeout (`db::connect_options`).
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The connection a sign-in's writes run on (see the module docs). Lives inside the sign-in
/// gate's mutex.
pub(crate) struct SqliteWriter {
    path: PathBuf,
    conn: Option<Connection>,
    failed_at: Option<Instant>,
    observer: Option<Observer>,
}

impl SqliteWriter {
    /// The writer for `db`'s database file; `None` unless it is SQLite.
    pub(crate) fn for_db(db: &DatabaseConnection) -> Option<SqliteWriter> {
        (db.get_database_backend() == DbBackend::Sqlite)
            .then(|| SqliteWriter::at(db.get_sqlite_connection_pool().connect_options().get_filename().to_path_buf()))
    }

    /// A writer for the database file at `path`; nothing is opened before the first write.
    pub(crate) fn at(path: PathBuf) -> SqliteWriter {
        SqliteWriter { path, conn: None, failed_at: None, observer: None }
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

    /// Runs `stmt` (one statement or several separated by `;`) as one write transaction
    /// (`BEGIN IMMEDIATE` … `COMMIT`) and returns every row its statements produced.
    pub(crate) async fn transaction(&mut self, stmt: Statement) -> Result<Vec<WrittenRow>, DbErr> {
        if let Some(observe) = &self.observer {
            observe(&stmt);
        }
        let values = match stmt.values {
            Some(values) => values.0.into_iter().map(bind_value).collect::<Result<Vec<_>, _>>()?,
            None => Vec::new(),
        };
        let sql = stmt.sql;
        let conn = self.ready()?;
        let result = match run(conn, &sql, &values) {
            Err(e) if is_busy(&e) => {
                // Another connection holds the write lock: wait for it off the runtime.
                let Some(mut conn) = self.conn.take() else {
                    return Err(DbErr::Custom("the sign-in writer's connection vanished".into()));
                };
                let waited = tokio::task::spawn_blocking(move || {
                    let result = conn.busy_timeout(BUSY_TIMEOUT).and_then(|()| run(&mut conn, &sql, &values));
                    // A connection that would wait inline again is not kept; the result
                    // (perhaps a commit) stands either way.
                    let keep = conn.busy_timeout(Duration::ZERO).is_ok();
                    (keep.then_some(conn), result)
                })
                .await;
                match waited {
                    Ok((conn, result)) => {
                        self.conn = conn;
                        result
                    }
                    Err(e) => return Err(DbErr::Custom(format!("the sign-in writer's wait for the lock failed: {e}"))),
                }
            }
            other => other,
        };
        result.map_err(|e| self.failed(e))
    }

    /// The error as sea-orm's; drops the connection unless it is still good.
    fn failed(&mut self, e: rusqlite::Error) -> DbErr {
        let in_transaction = self.conn.as_ref().is_some_and(|c| !c.is_autocommit());
        let broken = matches!(
            e.sqlite_error_code(),
            Some(
                ErrorCode::SystemIoFailure
                    | ErrorCode::DatabaseCorrupt
                    | ErrorCode::NotADatabase
                    | ErrorCode::CannotOpen
                    | ErrorCode::ReadOnly
                    | ErrorCode::DiskFull
                    | ErrorCode::OutOfMemory
            )
        );
        if in_transaction || broken {
            self.conn = None;
        }
        DbErr::Custom(format!("the SQLite sign-in writer: {e}"))
    }

    /// The connection, opened when there is none (unless the last attempt failed under
    /// [`RETRY_AFTER`] ago).
    fn ready(&mut self) -> Result<&mut Connection, DbErr> {
        if self.conn.is_none() {
            if self.failed_at.is_some_and(|t| t.elapsed() < RETRY_AFTER) {
                return Err(DbErr::Custom("the SQLite sign-in writer could not open its connection just now".into()));
            }
            match open(&self.path) {
                Ok(conn) => {
                    self.failed_at = None;
                    self.conn = Some(conn);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "opening the SQLite sign-in writer failed");
                    self.failed_at = Some(Instant::now());
                    return Err(DbErr::Custom(format!("the SQLite sign-in writer could not open its connection: {e}")));
                }
            }
        }
        self.conn.as_mut().ok_or_else(|| DbErr::Custom("the sign-in writer's connection vanished".into()))
    }
}

/// A connection to the database at `path` with the pool's settings (`db::connect_options`)
/// and no busy wait.
fn open(path: &std::path::Path) -> Result<Connection, String> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| e.to_string())?;
    // The journal mode is kept in the file: the pool made it WAL when it first connected.
    let settle = || -> rusqlite::Result<()> {
        conn.busy_timeout(Duration::ZERO)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")
    };
    settle().map_err(|e| e.to_string())?;
    Ok(conn)
}

/// The statements of `sql`, split at each `;` outside a string, a quoted name or a comment,
/// trimmed, the empty ones left out.
fn statements(sql: &str) -> impl Iterator<Item = &str> {
    let bytes = sql.as_bytes();
    let mut ends = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            quote @ (b'\'' | b'"' | b'`') => {
                // A doubled quote inside is the quote itself; either way the text runs on.
                i += 1;
                while i < bytes.len() && bytes[i] != quote {
                    i += 1;
                }
            }
            b'[' => {
                while i < bytes.len() && bytes[i] != b']' {
                    i += 1;
                }
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i += 1;
            }
            b';' => ends.push(i),
            _ => {}
        }
        i += 1;
    }
    ends.push(sql.len());
    let mut start = 0;
    ends.into_iter()
        .map(move |end| {
            let text = sql[start.min(end)..end].trim();
            start = end + 1;
            text
        })
        .filter(|text| !text.is_empty())
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(e.sqlite_error_code(), Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked))
}

/// One write transaction of `sql`'s statements over `values` (`$n` is `values[n - 1]`, an
/// anonymous `?` the next value in order, as sqlx binds them); every row they produced.
fn run(conn: &mut Connection, sql: &str, values: &[SqlValue]) -> rusqlite::Result<Vec<WrittenRow>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut rows = Vec::new();
    let mut anonymous = 0usize;
    for text in statements(sql) {
        let mut st = tx.prepare_cached(text)?;
        for i in 1..=st.parameter_count() {
            let n = match st.parameter_name(i) {
                Some(name) => name[1..].parse::<usize>().map_err(|_| {
                    rusqlite::Error::InvalidParameterName(format!("{name}: only numbered parameters are bound"))
                })?,
                None => {
                    anonymous += 1;
                    anonymous
                }
            };
            let value = n.checked_sub(1).and_then(|k| values.get(k)).ok_or_else(|| {
                rusqlite::Error::InvalidParameterName(format!("parameter {n} has no value ({} given)", values.len()))
            })?;
            st.raw_bind_parameter(i, value)?;
        }
        if st.column_count() == 0 {
            st.raw_execute()?;
            continue;
        }
        let names: Vec<String> = st.column_names().into_iter().map(str::to_owned).collect();
        let mut produced = st.raw_query();
        while let Some(row) = produced.next()? {
            let values = (0..names.len()).map(|i| row.get::<_, SqlValue>(i)).collect::<rusqlite::Result<Vec<_>>>()?;
            rows.push(WrittenRow { names: names.clone(), values });
        }
    }
    tx.commit()?;
    Ok(rows)
}

#[cfg(test)]
mod tests;
