//! Load benchmark of IdP-initiated SAML sign-ins (`POST /saml2` + `/saml2/complete`)
//! against the real `gatehouse` binary, with Responses pre-minted by the independent test
//! IdP. Reports sign-ins per second and p50/p99 latency, on SQLite and PostgreSQL, with 1
//! tenant and with 100,000 tenants configured, and the CPU time the server, PostgreSQL (all its
//! processes) and this driver spent per sign-in (from `/proc`; for SQLite the database runs
//! inside the server). Responses are minted before the clock starts; a short warm-up runs first.
//!
//! ```sh
//! cargo build --release -p gatehouse-server -p gatehouse-e2e --bins
//! GATEHOUSE_BIN=target/release/gatehouse target/release/sso_load [SIGN_INS=3000] [CONCURRENCY=16] [sqlite|postgres|both] [TENANTS=1,100000]
//! ```

use std::time::{Duration, Instant};

use chrono::Utc;
use gatehouse_e2e::*;
use sea_orm::sea_query::{Alias, Query};
use sea_orm::{ConnectionTrait, DbBackend, Statement};

const OP_PASSWORD: &str = "operator password 123";
const TID: &str = "dddddddd-4444-4444-8444-dddddddddddd";

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let sign_ins: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(3000);
    let concurrency: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(16);
    let backends: Vec<Backend> = match args.get(3).map(String::as_str) {
        Some("sqlite") => vec![Backend::Sqlite],
        Some("postgres") => vec![Backend::Postgres],
        _ => vec![Backend::Sqlite, Backend::Postgres],
    };
    let scales: Vec<usize> =
        args.get(4).map(|a| a.split(',').filter_map(|n| n.parse().ok()).collect()).unwrap_or_else(|| vec![1, 100_000]);
    let issuer = format!("https://sts.windows.net/{TID}/");
    let idp = Idp::start(&issuer);
    println!(
        "| backend | tenants | sign-ins | concurrency | sign-ins/s | p50 ms | p99 ms | failures \
         | server CPU ms/sign-in | database CPU ms/sign-in | driver CPU ms/sign-in | (server + database) ÷ driver CPU |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for &backend in &backends {
        for &tenants in &scales {
            // The server migrates an empty database itself, so the driver works with any build of it.
            let db = TestDb::empty(backend).await;
            let server = Server::start(
                db.url(),
                &[("GATEHOUSE_BOOTSTRAP_PASSWORD", OP_PASSWORD), ("GATEHOUSE_DEMO_TENANT", "false")],
            )
            .await;
            sso_tenant(&server.base, OP_PASSWORD, &idp, "bench", &issuer, "ada@bench.example").await;
            if tenants > 1 {
                add_filler_tenants(&db, tenants - 1).await;
            }
            let responses = mint(&idp, &server, sign_ins).await;
            // A few sign-ins first, so connections, caches and prepared statements are warm.
            let warm = responses.len().min(concurrency * 4);
            let mut responses = responses;
            let warm_up: Vec<String> = responses.drain(..warm).collect();
            run(&server.base, warm_up, concurrency).await;
            let before = CpuSample::take(server.pid());
            let (elapsed, latencies, failures) = run(&server.base, responses, concurrency).await;
            let cpu = CpuSample::take(server.pid()).since(&before);
            let measured = latencies.len() + failures;
            let row = load_report_row(backend, tenants, measured, concurrency, elapsed, latencies, failures);
            println!("{}", load_report_row_cpu(row, measured, &cpu));
            drop(server);
        }
    }
}

/// Other tenants with enabled SSO connections and their own issuers, inserted directly
/// (creating them through the API would spend minutes hashing admin passwords).
async fn add_filler_tenants(db: &TestDb, n: usize) {
    let conn = db.conn();
    let backend = conn.get_database_backend();
    let now = Utc::now();
    for chunk in (0..n).collect::<Vec<_>>().chunks(500) {
        let mut tenants = Query::insert();
        tenants
            .into_table(Alias::new("tenants"))
            .columns(["id", "slug", "name", "dev_mode", "created_at", "updated_at"].map(Alias::new));
        let mut conns = Query::insert();
        conns.into_table(Alias::new("sso_connections")).columns(
            [
                "id",
                "tenant_id",
                "enabled",
                "provider",
                "login_url",
                "issuer",
                "login_policy",
                "allow_idp_initiated",
                "jit_provisioning",
                "version",
                "created_at",
                "updated_at",
            ]
            .map(Alias::new),
        );
        for i in chunk {
            let tid = uuid::Uuid::now_v7();
            tenants.values_panic([
                tid.into(),
                format!("filler-{i}").into(),
                format!("Filler {i}").into(),
                false.into(),
                now.into(),
                now.into(),
            ]);
            conns.values_panic([
                uuid::Uuid::now_v7().into(),
                tid.into(),
                true.into(),
                "entra_id".into(),
                format!("https://login.microsoftonline.com/filler-{i}/saml2").into(),
                format!("https://sts.windows.net/filler-{i}/").into(),
                "password_or_sso".into(),
                true.into(),
                false.into(),
                1i32.into(),
                now.into(),
                now.into(),
            ]);
        }
        for stmt in [tenants, conns] {
            let (sql, values) = match backend {
                DbBackend::Postgres => stmt.build(sea_orm::sea_query::PostgresQueryBuilder),
                _ => stmt.build(sea_orm::sea_query::SqliteQueryBuilder),
            };
            conn.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await.expect("filler insert");
        }
    }
}

/// Pre-mints unsolicited Responses (4 at a time: each is an xmlsec1 run at the IdP).
async fn mint(idp: &Idp, server: &Server, n: usize) -> Vec<String> {
    let acs = format!("{}/saml2", server.base);
    let mut out = Vec::with_capacity(n);
    let mut pending = Vec::new();
    for _ in 0..n {
        let acs = acs.clone();
        let base = idp.base.clone();
        pending.push(tokio::spawn(async move {
            let r: serde_json::Value = reqwest::Client::new()
                .get(format!("{base}/_response"))
                .query(&[("user", "ada@bench.example"), ("acs", acs.as_str())])
                .send()
                .await
                .expect("IdP")
                .json()
                .await
                .expect("JSON");
            r["SAMLResponse"].as_str().expect("SAMLResponse").to_owned()
        }));
        if pending.len() == 4 {
            for p in pending.drain(..) {
                out.push(p.await.expect("mint"));
            }
        }
    }
    for p in pending {
        out.push(p.await.expect("mint"));
    }
    out
}

async fn run(base: &str, responses: Vec<String>, concurrency: usize) -> (Duration, Vec<Duration>, usize) {
    let queue = std::sync::Arc::new(tokio::sync::Mutex::new(responses));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let queue = queue.clone();
        let base = base.to_owned();
        workers.push(tokio::spawn(async move {
            let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
            let mut lat = Vec::new();
            let mut failures = 0;
            loop {
                let Some(saml) = queue.lock().await.pop() else { break };
                let t = Instant::now();
                let ok = async {
                    let r = http.post(format!("{base}/saml2")).form(&[("SAMLResponse", saml)]).send().await.ok()?;
                    let handle = handoff_handle(&r.text().await.ok()?)?;
                    let r =
                        http.post(format!("{base}/saml2/complete")).form(&[("handle", handle)]).send().await.ok()?;
                    (r.status().as_u16() == 303).then_some(())
                }
                .await;
                match ok {
                    Some(()) => lat.push(t.elapsed()),
                    None => failures += 1,
                }
            }
            (lat, failures)
        }));
    }
    let mut all = Vec::new();
    let mut failures = 0;
    for w in workers {
        let (l, f) = w.await.expect("worker");
        all.extend(l);
        failures += f;
    }
    (started.elapsed(), all, failures)
}
