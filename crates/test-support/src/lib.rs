//! Test support shared by the crates' integration tests: a fresh, migrated database per
//! test on SQLite or PostgreSQL, and a macro that runs one test body on both backends.
//!
//! PostgreSQL tests use a new schema per test in the database named by
//! `GATEHOUSE_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/test`); the
//! schema is dropped when the [`TestDb`] is dropped. A PostgreSQL that cannot be reached
//! fails the test: `make test` promises both backends, so nothing is skipped silently.

pub mod dns;

use chrono::{DateTime, Duration, Utc};
use gatehouse_migrations::{Migrator, MigratorTrait};
use openssl::asn1::Asn1Time;
use openssl::bn::BigNum;
use openssl::hash::MessageDigest;
use openssl::pkey::PKey;
use openssl::rsa::Rsa;
use openssl::x509::{X509Builder, X509NameBuilder};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};

/// The storage backends every storage test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server the tests use.
pub fn postgres_base_url() -> String {
    std::env::var("GATEHOUSE_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A fresh, migrated database that lives as long as this value.
pub struct TestDb {
    url: String,
    conn: DatabaseConnection,
    backend: Backend,
    schema: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// Creates an empty database and applies every migration.
    pub async fn new(backend: Backend) -> TestDb {
        let db = Self::empty(backend).await;
        Migrator::up(&db.conn, None).await.expect("migrations apply");
        db
    }

    /// Creates an empty database without migrating it (for tests of start-up itself).
    pub async fn empty(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.sqlite").display());
                // The settings Gatehouse runs with (`gatehouse_identity::db::connect_options`):
                // WAL, `synchronous = NORMAL`, a busy timeout, foreign keys on.
                let mut options = sea_orm::ConnectOptions::new(url.clone());
                options.sqlx_logging(false).map_sqlx_sqlite_opts(|o| {
                    o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                        .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                        .busy_timeout(std::time::Duration::from_secs(10))
                        .foreign_keys(true)
                });
                let conn = Database::connect(options).await.expect("open SQLite");
                TestDb { url, conn, backend, schema: None, _dir: Some(dir) }
            }
            Backend::Postgres => {
                let base = postgres_base_url();
                let schema = format!("gh_test_{}", uuid::Uuid::new_v4().simple());
                let admin = Database::connect(&base)
                    .await
                    .unwrap_or_else(|e| panic!("PostgreSQL at {base} is needed for the storage tests: {e}"));
                admin.execute_unprepared(&format!("CREATE SCHEMA {schema}")).await.expect("create schema");
                admin.close().await.ok();
                let sep = if base.contains('?') { '&' } else { '?' };
                let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
                let conn = Database::connect(&url).await.expect("connect to test schema");
                TestDb { url, conn, backend, schema: Some(schema), _dir: None }
            }
        }
    }

    /// The connection string of this database (for starting a real server on it).
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(schema) = self.schema.take() else { return };
        // Drop runs inside the test's runtime, which cannot be blocked on; a short-lived
        // thread with its own runtime removes the schema.
        let base = postgres_base_url();
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build();
            if let Ok(rt) = rt {
                rt.block_on(async move {
                    if let Ok(admin) = Database::connect(&base).await {
                        let _ = admin.execute_unprepared(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).await;
                        admin.close().await.ok();
                    }
                });
            }
        })
        .join();
    }
}

/// Runs an async test body on SQLite and on PostgreSQL, as two tests named
/// `<name>::sqlite` and `<name>::postgres`. The body gets a fresh migrated [`TestDb`].
///
/// ```ignore
/// both_backends!(creates_a_tenant, |db| async move { ... });
/// ```
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::TestDb::new($crate::Backend::Sqlite).await;
                ($body)(db).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let db = $crate::TestDb::new($crate::Backend::Postgres).await;
                ($body)(db).await;
            }
        }
    };
}

/// A self-signed certificate valid from `not_before` for `days`, as PEM.
pub fn certificate(cn: &str, not_before: DateTime<Utc>, days: i64) -> String {
    certificate_with_key_bits(cn, not_before, days, 2048)
}

/// [`certificate`] with an RSA key of `bits` bits (below 2048 to test the key-strength floor).
pub fn certificate_with_key_bits(cn: &str, not_before: DateTime<Utc>, days: i64, bits: u32) -> String {
    let key = PKey::from_rsa(Rsa::generate(bits).expect("rsa")).expect("pkey");
    let mut name = X509NameBuilder::new().expect("name");
    name.append_entry_by_text("CN", cn).expect("cn");
    let name = name.build();
    let mut b = X509Builder::new().expect("builder");
    b.set_version(2).expect("version");
    b.set_serial_number(&BigNum::from_u32(1).expect("bn").to_asn1_integer().expect("serial")).expect("serial");
    b.set_subject_name(&name).expect("subject");
    b.set_issuer_name(&name).expect("issuer");
    b.set_pubkey(&key).expect("pubkey");
    b.set_not_before(&Asn1Time::from_unix(not_before.timestamp()).expect("nb")).expect("nb");
    let not_after = not_before + Duration::days(days);
    b.set_not_after(&Asn1Time::from_unix(not_after.timestamp()).expect("na")).expect("na");
    b.sign(&key, MessageDigest::sha256()).expect("sign");
    String::from_utf8(b.build().to_pem().expect("pem")).expect("utf8")
}
