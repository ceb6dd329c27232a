//! The SQLite sign-in writer against a real database file, beside the pool.

use gatehouse_test_support::{Backend, TestDb};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, SqliteTransactionMode, Statement,
    TransactionOptions, TransactionTrait,
};

use super::*;
use crate::store::Columns;
use crate::store::sqlite_rows::parse_time;
use crate::store::statement_log::{self, Log};

/// A writer over a fresh SQLite database with a table `t (k INTEGER PRIMARY KEY, v TEXT)`
/// and a table `e (k INTEGER PRIMARY KEY, v)` of any type, and the statements it ran
/// itself and those that went through the pool.
struct Fixture {
    _db: TestDb,
    pool: DatabaseConnection,
    writer: SqliteWriter,
    own: Log,
    pooled: Log,
}

async fn fixture() -> Fixture {
    let db = TestDb::new(Backend::Sqlite).await;
    db.conn().execute_unprepared("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)").await.unwrap();
    db.conn().execute_unprepared("CREATE TABLE e (k INTEGER PRIMARY KEY, v)").await.unwrap();
    let (pool, pooled) = statement_log::logged(db.conn());
    let mut writer = SqliteWriter::for_db(&pool).unwrap();
    let (observer, own) = statement_log::observer();
    writer.observe(observer);
    Fixture { _db: db, pool, writer, own, pooled }
}

/// A transaction of the pool's that holds SQLite's write lock until it ends.
async fn write_lock(pool: &DatabaseConnection) -> DatabaseTransaction {
    let immediate =
        TransactionOptions { sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate), ..Default::default() };
    pool.begin_with_options(immediate).await.unwrap()
}

fn sql(text: &str, values: Vec<sea_orm::Value>) -> Statement {
    Statement::from_sql_and_values(DbBackend::Sqlite, text, values)
}

fn integer(row: &WrittenRow, column: &str) -> i64 {
    match row.value(column).unwrap() {
        SqlValue::Integer(i) => *i,
        other => panic!("{column}: {other:?}"),
    }
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
    let rows = f.writer.transaction(sql(batch, vec![1.into(), "a".into(), 2.into()])).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(integer(&rows[0], "n"), 2, "the batch's last statement reads its own writes");
    assert!(f.writer.is_open());
    let rows = f
        .writer
        .transaction(sql("UPDATE t SET v = $1 WHERE k = $2; SELECT v FROM t WHERE k = $2", vec!["b".into(), 2.into()]))
        .await
        .unwrap();
    assert_eq!(rows[0].text("v").unwrap().as_deref(), Some("b"));
    assert_eq!(f.own.lock().unwrap().len(), 2);
    assert!(f.pooled.lock().unwrap().is_empty(), "{:?}", f.pooled.lock().unwrap());
    // Committed: another connection sees both rows.
    assert_eq!(f.rows().await, [(1, "a".to_owned()), (2, "b".to_owned())]);
}

#[tokio::test]
async fn a_batch_that_fails_part_way_leaves_nothing_and_keeps_the_connection() {
    let mut f = fixture().await;
    f.writer.transaction(sql("INSERT INTO t (k, v) VALUES (1, 'a')", vec![])).await.unwrap();
    // The second insert hits the primary key: the first of the batch must not stay.
    let batch = "INSERT INTO t (k, v) VALUES (2, 'b'); INSERT INTO t (k, v) VALUES (1, 'again')";
    let e = f.writer.transaction(sql(batch, vec![])).await.unwrap_err();
    assert!(e.to_string().contains("UNIQUE"), "{e}");
    assert!(f.writer.is_open(), "a statement SQLite refused keeps the connection");
    assert_eq!(f.rows().await, [(1, "a".to_owned())], "nothing half-saved");
    f.pool_write(5).await;
    f.writer.transaction(sql("INSERT INTO t (k, v) VALUES (3, 'c')", vec![])).await.unwrap();
    assert_eq!(f.rows().await.len(), 3);
}

#[tokio::test]
async fn a_parameter_without_a_value_is_an_error_not_a_null() {
    let mut f = fixture().await;
    let e = f.writer.transaction(sql("INSERT INTO e (k, v) VALUES ($1, $2)", vec![1.into()])).await.unwrap_err();
    assert!(e.to_string().contains("parameter 2 has no value"), "{e}");
    let e = f.writer.transaction(sql("INSERT INTO e (k, v) VALUES ($1, :name)", vec![1.into()])).await.unwrap_err();
    assert!(e.to_string().contains("only numbered parameters"), "{e}");
    assert!(f.pool.query_all_raw(sql("SELECT k FROM e", vec![])).await.unwrap().is_empty());
    // Anonymous parameters take the values in order, across the statements.
    let batch = "INSERT INTO e (k, v) VALUES (?, ?); INSERT INTO e (k, v) VALUES (?, ?)";
    f.writer.transaction(sql(batch, vec![1.into(), "a".into(), 2.into(), "b".into()])).await.unwrap();
    let rows = f.writer.transaction(sql("SELECT v FROM e ORDER BY k", vec![])).await.unwrap();
    let read: Vec<_> = rows.iter().map(|r| r.text("v").unwrap().unwrap()).collect();
    assert_eq!(read, ["a", "b"]);
}

#[tokio::test]
async fn a_value_is_stored_as_the_pool_stores_it() {
    let mut f = fixture().await;
    let t = chrono::DateTime::parse_from_rfc3339("2026-11-29T12:34:56.123456789Z").unwrap().to_utc();
    let samples: Vec<sea_orm::Value> = vec![
        true.into(),
        false.into(),
        (-5i32).into(),
        i64::MAX.into(),
        7u32.into(),
        1.5f64.into(),
        "é'x\0y".to_owned().into(),
        'x'.into(),
        vec![0u8, 1, 255].into(),
        t.into(),
        (t - chrono::Duration::nanoseconds(123_456_789)).into(),
        uuid::Uuid::now_v7().into(),
        serde_json::json!({"a": [1, "b"]}).into(),
        Option::<String>::None.into(),
        Option::<uuid::Uuid>::None.into(),
    ];
    let insert = "INSERT INTO e (k, v) VALUES ($1, $2)";
    for (k, value) in (0i64..).zip(samples) {
        f.pool.execute_raw(sql(insert, vec![k.into(), value.clone()])).await.unwrap();
        f.writer.transaction(sql(insert, vec![(k + 1000).into(), value])).await.unwrap();
    }
    let stored = "SELECT a.k, typeof(a.v) AS pool_type, hex(a.v) AS pool_hex, typeof(b.v) AS writer_type, \
                  hex(b.v) AS writer_hex FROM e a JOIN e b ON b.k = a.k + 1000 ORDER BY a.k";
    let rows = f.pool.query_all_raw(sql(stored, vec![])).await.unwrap();
    assert_eq!(rows.len(), 15);
    for r in rows {
        let pool: (String, String) = (r.try_get("", "pool_type").unwrap(), r.try_get("", "pool_hex").unwrap());
        let writer: (String, String) = (r.try_get("", "writer_type").unwrap(), r.try_get("", "writer_hex").unwrap());
        assert_eq!(writer, pool, "sample {}", r.try_get::<i64>("", "k").unwrap());
    }
    // A kind sqlx would bind but the writer does not know is refused, not guessed.
    let e = f
        .writer
        .transaction(sql(insert, vec![99.into(), chrono::NaiveDate::from_ymd_opt(2026, 1, 2).unwrap().into()]))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("cannot bind"), "{e}");
}

#[tokio::test]
async fn the_writer_reads_what_the_pool_wrote() {
    let mut f = fixture().await;
    let t = chrono::DateTime::parse_from_rfc3339("2026-11-29T12:34:56.5Z").unwrap().to_utc();
    let id = uuid::Uuid::now_v7();
    let insert = "INSERT INTO e (k, v) VALUES ($1, $2)";
    for (k, v) in [(1i64, sea_orm::Value::from(t)), (2, id.into()), (3, true.into()), (4, "text".into())] {
        f.pool.execute_raw(sql(insert, vec![k.into(), v])).await.unwrap();
    }
    let read = "SELECT (SELECT v FROM e WHERE k = 1) AS t, (SELECT v FROM e WHERE k = 2) AS id, \
                (SELECT v FROM e WHERE k = 3) AS yes, (SELECT v FROM e WHERE k = 4) AS s, NULL AS missing";
    let rows = f.writer.transaction(sql(read, vec![])).await.unwrap();
    let r = &rows[0];
    assert_eq!(r.time("t").unwrap(), Some(t));
    assert_eq!(r.uuid("id").unwrap(), Some(id));
    assert!(r.flag("yes").unwrap());
    assert_eq!(r.text("s").unwrap().as_deref(), Some("text"));
    assert_eq!(r.text("missing").unwrap(), None);
    assert_eq!(r.uuid("missing").unwrap(), None);
    // The wrong type, or no such column, is an error naming the column.
    assert!(r.uuid("s").unwrap_err().to_string().contains("\"s\""));
    assert!(r.text("absent").unwrap_err().to_string().contains("\"absent\""));
    // Times SQLite's own functions write are read too.
    assert_eq!(parse_time("2026-11-29 12:34:56.5"), Some(t));
    assert_eq!(parse_time("2026-11-29 13:34:56.5+01:00"), Some(t));
    assert_eq!(parse_time("yesterday"), None);
}

#[tokio::test]
async fn the_writer_runs_with_the_pools_settings() {
    let mut f = fixture().await;
    let q = "SELECT (SELECT foreign_keys FROM pragma_foreign_keys) AS fk, \
             (SELECT synchronous FROM pragma_synchronous) AS sync, \
             (SELECT journal_mode FROM pragma_journal_mode) AS mode";
    let pool = f.pool.query_all_raw(sql(q, vec![])).await.unwrap();
    let pool: (i64, i64, String) = (
        pool[0].try_get("", "fk").unwrap(),
        pool[0].try_get("", "sync").unwrap(),
        pool[0].try_get("", "mode").unwrap(),
    );
    let own = f.writer.transaction(sql(q, vec![])).await.unwrap();
    let own = (integer(&own[0], "fk"), integer(&own[0], "sync"), own[0].text("mode").unwrap().unwrap());
    assert_eq!(own, pool);
    assert_eq!(own, (1, 1, "wal".to_owned()), "foreign keys on, synchronous NORMAL, WAL");
}

/// Another connection holds the write lock: the writer waits for it on the blocking
/// pool, not on the runtime (this test's runtime has one thread, which the other
/// connection needs to commit).
#[tokio::test(flavor = "current_thread")]
async fn a_write_waits_for_another_connections_lock_off_the_runtime() {
    let Fixture { _db, pool, mut writer, .. } = fixture().await;
    let holder = write_lock(&pool).await;
    holder.execute_raw(sql("INSERT INTO t (k, v) VALUES (1, 'holder')", vec![])).await.unwrap();
    let waiting = tokio::spawn(async move {
        let result = writer.transaction(sql("INSERT INTO t (k, v) VALUES (2, 'writer')", vec![])).await;
        (writer, result)
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!waiting.is_finished(), "the writer did not wait for the lock");
    holder.commit().await.unwrap();
    let (writer, result) = waiting.await.unwrap();
    result.unwrap();
    assert!(writer.is_open());
    let rows = pool.query_all_raw(sql("SELECT k FROM t ORDER BY k", vec![])).await.unwrap();
    assert_eq!(rows.len(), 2);
}

/// A waiting write whose caller gives up: the writer is usable at once (it opens another
/// connection), and the abandoned write is all there or not at all.
#[tokio::test]
async fn a_waiting_write_that_is_dropped_leaves_the_writer_usable() {
    let mut f = fixture().await;
    let holder = write_lock(&f.pool).await;
    holder.execute_raw(sql("INSERT INTO t (k, v) VALUES (1, 'holder')", vec![])).await.unwrap();
    let batch = "INSERT INTO t (k, v) VALUES (2, 'a'); INSERT INTO t (k, v) VALUES (3, 'b')";
    let gave_up = tokio::time::timeout(Duration::from_millis(100), f.writer.transaction(sql(batch, vec![]))).await;
    assert!(gave_up.is_err(), "the write could not have finished while the lock was held");
    holder.commit().await.unwrap();
    f.writer.transaction(sql("INSERT INTO t (k, v) VALUES (4, 'next')", vec![])).await.unwrap();
    f.pool_write(5).await;
    let keys: Vec<i64> = f.rows().await.into_iter().map(|(k, _)| k).collect();
    assert!(keys == [1, 2, 3, 4, 5] || keys == [1, 4, 5], "{keys:?}");
}

#[tokio::test]
async fn a_writer_that_cannot_open_its_connection_fails_and_waits_before_trying_again() {
    let f = fixture().await;
    let mut writer = SqliteWriter::at("/nonexistent-directory/gatehouse.sqlite".into());
    let e = writer.transaction(sql("INSERT INTO t (k, v) VALUES (1, 'a')", vec![])).await.unwrap_err();
    assert!(e.to_string().contains("could not open its connection:"), "{e}");
    let e = writer.transaction(sql("INSERT INTO t (k, v) VALUES (1, 'a')", vec![])).await.unwrap_err();
    assert!(e.to_string().contains("just now"), "{e}");
    assert!(!writer.is_open());
    assert!(f.rows().await.is_empty());
    assert!(f.pooled.lock().unwrap().iter().all(|s| !s.contains("INSERT")), "nothing went through the pool");
}

#[test]
fn a_batch_is_split_at_semicolons_outside_strings_names_and_comments() {
    let sql = "INSERT INTO t (v) VALUES ('a;b');\n -- a comment; still one\nSELECT \"x;y\", [p;q], `r;s` /* c; d */ FROM t;;  ; DELETE FROM t";
    let split: Vec<&str> = statements(sql).collect();
    assert_eq!(
        split,
        [
            "INSERT INTO t (v) VALUES ('a;b')",
            "-- a comment; still one\nSELECT \"x;y\", [p;q], `r;s` /* c; d */ FROM t",
            "DELETE FROM t",
        ]
    );
    assert_eq!(statements("SELECT 'it''s; fine'").collect::<Vec<_>>(), ["SELECT 'it''s; fine'"]);
    assert_eq!(statements(" ; ").count(), 0);
}

#[tokio::test]
async fn a_semicolon_in_a_value_does_not_split_the_statement() {
    let mut f = fixture().await;
    f.writer
        .transaction(sql(
            "INSERT INTO t (k, v) VALUES (1, 'x;y'); INSERT INTO t (k, v) VALUES (2, $1)",
            vec!["a;b".into()],
        ))
        .await
        .unwrap();
    assert_eq!(f.rows().await, [(1, "x;y".to_owned()), (2, "a;b".to_owned())]);
}
