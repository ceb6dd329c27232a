//! Opening the database named by `DATABASE_URL`: SQLite (a file, created when missing)
//! or PostgreSQL, picked at run time from the URL.

use std::time::Duration;

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr};

/// Connects with the default pool size ([`connect_with`]).
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    connect_with(url, None).await
}

/// The PostgreSQL pool size when none is configured: a few connections per core keep the
/// cores busy while some connections wait on the network; more only add database processes
/// competing for the same cores.
pub fn default_pool_size() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    u32::try_from(cores * 4).unwrap_or(u32::MAX).clamp(4, 64)
}

/// Connects and, for SQLite, turns on WAL and a busy timeout so the server's parallel
/// requests wait for the write lock instead of failing. For PostgreSQL, `pool_size`
/// connections at most ([`default_pool_size`] when `None`), and TLS as [`with_local_tls_default`]
/// decides.
pub async fn connect_with(url: &str, pool_size: Option<u32>) -> Result<DatabaseConnection, DbErr> {
    Database::connect(connect_options(url, pool_size)).await
}

/// How many PostgreSQL connections, beside a pool of `pool` connections, are kept for a
/// sign-in's statements (`store::sign_in_connections`): half the pool's, at most 8 (with the
/// default size, about one and a half per core), none for a pool under two.
pub fn sign_in_slots(pool: u32) -> usize {
    if pool < 2 { 0 } else { usize::try_from(pool.div_ceil(2).min(8)).unwrap_or(8) }
}

/// The pool's part of `total` PostgreSQL connections: the largest pool that, with its
/// [`sign_in_slots`], keeps within `total` (8 → a pool of 5 and 3 for sign-ins).
pub fn pool_share(total: u32) -> u32 {
    (1..=total.max(1)).rev().find(|&p| p as usize + sign_in_slots(p) <= total as usize).unwrap_or(1)
}

/// A pooled PostgreSQL connection idle this long is pinged before it is handed out (a proxy,
/// a firewall or the server may have dropped it); a busy one is not.
pub const PING_IF_IDLE_FOR: Duration = Duration::from_secs(30);

/// The pool settings [`connect_with`] uses.
///
/// sqlx pings every pooled connection before handing it out unless told otherwise: one more
/// round trip, and a wake-up of both processes, in front of every statement (a sign-in's
/// three statements cost six round trips). Here only a PostgreSQL connection idle for
/// [`PING_IF_IDLE_FOR`] is pinged, and a SQLite connection (a file in this process, which no
/// one can drop) never.
pub fn connect_options(url: &str, pool_size: Option<u32>) -> ConnectOptions {
    let url = with_local_tls_default(url);
    let mut opts = ConnectOptions::new(url.clone());
    opts.sqlx_logging(false).connect_timeout(Duration::from_secs(10));
    if url.starts_with("sqlite:") {
        opts.max_connections(8).test_before_acquire(false).map_sqlx_sqlite_opts(|o| {
            o.create_if_missing(true)
                .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    } else {
        opts.max_connections(pool_share(pool_size.unwrap_or_else(default_pool_size)))
            .test_before_acquire_if_idle_for(PING_IF_IDLE_FOR);
    }
    opts
}

/// TLS to PostgreSQL: an `sslmode` in the URL always decides. Without one, a server on this
/// machine (`localhost`, `127.0.0.1`, `::1`) is reached without TLS — encrypting a loopback
/// connection protects nothing and costs both processes CPU on every statement — and any
/// other host with libpq's default (`prefer`: TLS whenever the server offers it). Use
/// `sslmode=verify-full` for a database across a network you do not trust.
pub fn with_local_tls_default(url: &str) -> String {
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return url.to_owned();
    }
    let Ok(parsed) = url::Url::parse(url) else { return url.to_owned() };
    if parsed.query_pairs().any(|(k, _)| k == "sslmode") {
        return url.to_owned();
    }
    let local = match parsed.host() {
        // `postgres:` is not a scheme the URL standard knows, so its host stays text.
        Some(url::Host::Domain(d)) => {
            d.eq_ignore_ascii_case("localhost")
                || d.trim_matches(['[', ']']).parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    if !local {
        return url.to_owned();
    }
    let separator = if parsed.query().is_some() { '&' } else { '?' };
    format!("{url}{separator}sslmode=disable")
}

/// Checks that the database answers (for `/readyz`).
pub async fn ping(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.execute_unprepared("SELECT 1").await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::with_local_tls_default as tls;
    use super::{PING_IF_IDLE_FOR, connect_options, pool_share, sign_in_slots};

    #[test]
    fn the_pool_and_the_sign_in_connections_keep_within_the_configured_size() {
        for total in 1..=1000u32 {
            let t = total as usize;
            let pool = pool_share(total);
            assert!(pool >= 1, "{total}: a pool of at least one");
            assert!(pool as usize + sign_in_slots(pool) <= t, "{total}: {pool} + {}", sign_in_slots(pool));
            assert!(pool as usize + sign_in_slots(pool) + 1 >= t, "{total}: at most one connection unused");
        }
        assert_eq!((pool_share(8), sign_in_slots(5)), (5, 3), "the default on two cores");
        assert_eq!((pool_share(1), sign_in_slots(1)), (1, 0), "a pool of one has no sign-in connections");
        assert_eq!(sign_in_slots(1000), 8);
        let pg = connect_options("postgres://u@127.0.0.1/db", Some(8));
        assert_eq!(pg.get_max_connections(), Some(5));
    }

    #[test]
    fn a_busy_pooled_connection_is_not_pinged_before_each_statement() {
        let pg = connect_options("postgres://u@127.0.0.1/db", None);
        assert!(!pg.get_test_before_acquire(), "a ping on every acquire doubles a statement's round trips");
        assert_eq!(pg.get_test_before_acquire_if_idle_for(), Some(PING_IF_IDLE_FOR));
        let sqlite = connect_options("sqlite://data/g.sqlite?mode=rwc", None);
        assert!(!sqlite.get_test_before_acquire());
        assert_eq!(sqlite.get_test_before_acquire_if_idle_for(), None);
    }

    #[test]
    fn a_loopback_postgres_goes_without_tls_unless_the_url_says_otherwise() {
        assert_eq!(tls("postgres://u@127.0.0.1:5432/db"), "postgres://u@127.0.0.1:5432/db?sslmode=disable");
        assert_eq!(tls("postgres://u@localhost/db?x=1"), "postgres://u@localhost/db?x=1&sslmode=disable");
        assert_eq!(tls("postgresql://u@[::1]/db"), "postgresql://u@[::1]/db?sslmode=disable");
        assert_eq!(tls("postgres://u@127.0.0.1/db?sslmode=require"), "postgres://u@127.0.0.1/db?sslmode=require");
        assert_eq!(tls("postgres://u@db.example.com/db"), "postgres://u@db.example.com/db");
        assert_eq!(tls("postgres://u@10.0.0.5/db"), "postgres://u@10.0.0.5/db");
        assert_eq!(tls("sqlite://data/g.sqlite?mode=rwc"), "sqlite://data/g.sqlite?mode=rwc");
    }
}
