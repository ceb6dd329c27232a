//! SCIM load benchmark: user creates and PATCHes per second against the real `gatehouse`
//! binary over HTTP, on a fresh SQLite database or PostgreSQL schema.
//!
//! ```text
//! cargo build --release -p gatehouse-server -p gatehouse-e2e
//! GATEHOUSE_BIN=target/release/gatehouse target/release/scim_bench --backend sqlite --users 2000 --concurrency 8
//! GATEHOUSE_BIN=target/release/gatehouse target/release/scim_bench --backend postgres --users 2000 --concurrency 8
//! ```
//!
//! Each run: one tenant, one SCIM token (made through GraphQL as the console does), then
//! `--users` POST /Users (Entra's body), then one PATCH per user in Entra's dialect (capitalised
//! `Replace` of `active` "False" and the title), `--concurrency` requests in flight. Prints
//! requests per second and latency percentiles; exits non-zero if any request fails.

use std::sync::Arc;
use std::time::{Duration, Instant};

use gatehouse_e2e::{Backend, Client, Server, TestDb, run_cli};
use serde_json::{Value, json};
use tokio::sync::Semaphore;

struct Args {
    backend: Backend,
    users: usize,
    concurrency: usize,
}

fn args() -> Args {
    let mut a = Args { backend: Backend::Sqlite, users: 1000, concurrency: 8 };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_default();
        match flag.as_str() {
            "--backend" => {
                a.backend = match value.as_str() {
                    "postgres" => Backend::Postgres,
                    _ => Backend::Sqlite,
                }
            }
            "--users" => a.users = value.parse().expect("--users N"),
            "--concurrency" => a.concurrency = value.parse().expect("--concurrency N"),
            other => panic!("unknown argument {other}"),
        }
    }
    a
}

struct Phase {
    name: &'static str,
    elapsed: Duration,
    latencies: Vec<Duration>,
    failures: usize,
}

impl Phase {
    fn report(&mut self) {
        self.latencies.sort();
        let pct = |p: f64| {
            let i = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
            self.latencies.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
        };
        println!(
            "{:<8} {:>6} requests in {:>6.2}s = {:>7.0} req/s   p50 {:>6.1} ms  p95 {:>6.1} ms  p99 {:>6.1} ms  failures {}",
            self.name,
            self.latencies.len(),
            self.elapsed.as_secs_f64(),
            self.latencies.len() as f64 / self.elapsed.as_secs_f64(),
            pct(0.50),
            pct(0.95),
            pct(0.99),
            self.failures
        );
    }
}

/// Runs `make(i)` for every `i` with at most `concurrency` in flight; returns the results.
async fn run<F, Fut>(name: &'static str, n: usize, concurrency: usize, make: F) -> (Phase, Vec<Option<Value>>)
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = (bool, Option<Value>)> + Send + 'static,
{
    let gate = Arc::new(Semaphore::new(concurrency));
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        let permit = gate.clone().acquire_owned().await.expect("semaphore");
        let fut = make(i);
        tasks.push(tokio::spawn(async move {
            let t = Instant::now();
            let (ok, body) = fut.await;
            drop(permit);
            (t.elapsed(), ok, body)
        }));
    }
    let mut phase = Phase { name, elapsed: Duration::ZERO, latencies: Vec::with_capacity(n), failures: 0 };
    let mut bodies = Vec::with_capacity(n);
    for t in tasks {
        let (latency, ok, body) = t.await.expect("task");
        phase.latencies.push(latency);
        if !ok {
            phase.failures += 1;
        }
        bodies.push(body);
    }
    phase.elapsed = start.elapsed();
    (phase, bodies)
}

#[tokio::main]
async fn main() {
    let args = args();
    let db = TestDb::new(args.backend).await;
    let (ok, _, err) = run_cli(
        db.url(),
        &[
            "tenant",
            "create",
            "--slug",
            "bench",
            "--name",
            "Bench",
            "--admin-email",
            "admin@bench.test",
            "--admin-password",
            "bench admin password",
        ],
    );
    assert!(ok, "tenant create failed: {err}");
    let server = Server::start(db.url(), &[]).await;
    let console = Client::new(&server.base);
    console.sign_in("admin@bench.test", "bench admin password", None).await;
    let created = console.gql("mutation { createScimToken { token tenantUrl } }", json!({})).await;
    let token = created["data"]["createScimToken"]["token"].as_str().expect("token").to_owned();
    let base = created["data"]["createScimToken"]["tenantUrl"].as_str().expect("tenantUrl").to_owned();
    let http = reqwest::Client::builder().pool_max_idle_per_host(args.concurrency).build().expect("client");
    println!(
        "backend {:?}, {} users, concurrency {}, server {}",
        args.backend,
        args.users,
        args.concurrency,
        gatehouse_e2e::binary().display()
    );

    let (mut creates, bodies) = run("create", args.users, args.concurrency, |i| {
        let req = http
            .post(format!("{base}/Users"))
            .bearer_auth(&token)
            .header("content-type", "application/scim+json")
            .body(
                json!({
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
                    "externalId": format!("user{i}"),
                    "userName": format!("user{i}@bench.test"),
                    "active": true,
                    "emails": [{"primary": true, "type": "work", "value": format!("user{i}@bench.test")}],
                    "name": {"givenName": "Bench", "familyName": format!("User {i}")},
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Load", "employeeNumber": i.to_string()}
                })
                .to_string(),
            );
        async move {
            match req.send().await {
                Ok(r) if r.status().as_u16() == 201 => (true, r.json::<Value>().await.ok()),
                _ => (false, None),
            }
        }
    })
    .await;
    creates.report();
    let ids: Vec<String> = bodies.iter().flatten().filter_map(|b| b["id"].as_str().map(str::to_owned)).collect();

    let (mut patches, _) = run("patch", ids.len(), args.concurrency, |i| {
        let req = http
            .patch(format!("{base}/Users/{}", ids[i]))
            .bearer_auth(&token)
            .header("content-type", "application/scim+json")
            .body(
                json!({
                    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                    "Operations": [
                        {"op": "Replace", "path": "active", "value": "False"},
                        {"op": "Replace", "path": "title", "value": format!("Title {i}")}
                    ]
                })
                .to_string(),
            );
        async move { (req.send().await.is_ok_and(|r| r.status().as_u16() == 200), None) }
    })
    .await;
    patches.report();

    drop(server);
    if creates.failures + patches.failures > 0 {
        std::process::exit(1);
    }
}
