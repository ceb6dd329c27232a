//! Load benchmark of password sign-ins (GraphQL `signIn`, argon2id check + session) against
//! the real `gatehouse` binary: distinct users signing in with the right password, with
//! `CONCURRENCY` requests in flight. Reports sign-ins per second and p50/p99 latency, on
//! SQLite and PostgreSQL.
//!
//! ```sh
//! cargo build --release -p gatehouse-server
//! GATEHOUSE_BIN=target/release/gatehouse cargo run -p gatehouse-e2e --bin password_load -- [SIGN_INS] [CONCURRENCY] [USERS]
//! ```

use std::time::{Duration, Instant};

use gatehouse_e2e::*;
use serde_json::json;

const OP_PASSWORD: &str = "operator password 123";
const USER_PASSWORD: &str = "a user's own password";

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize, default: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let (sign_ins, concurrency, users) = (arg(1, 400), arg(2, 8), arg(3, 50));
    println!("| backend | users | sign-ins | concurrency | sign-ins/s | p50 ms | p99 ms | failures |");
    println!("|---|---|---|---|---|---|---|---|");
    for backend in [Backend::Sqlite, Backend::Postgres] {
        // The server migrates an empty database itself, so the driver works with any build of it.
        let db = TestDb::empty(backend).await;
        let server = Server::start(db.url(), &[("GATEHOUSE_BOOTSTRAP_PASSWORD", OP_PASSWORD)]).await;
        let demo_password = server.printed("Demo admin password:").expect("demo admin password");
        let admin = Client::new(&server.base);
        admin.sign_in("admin@demo.example.com", &demo_password, None).await;
        let emails: Vec<String> = (0..users).map(|n| format!("user{n}@demo.example.com")).collect();
        for e in &emails {
            let r = admin
                .gql(
                    "mutation($e:String!,$p:String!){ createUser(input:{email:$e, active:true, password:$p}){ id } }",
                    json!({"e": e, "p": USER_PASSWORD}),
                )
                .await;
            assert!(r["errors"].is_null(), "{r}");
        }
        let queue: Vec<String> = (0..sign_ins).map(|i| emails[i % users].clone()).collect();
        let (elapsed, latencies, failures) = run(&server.base, queue, concurrency).await;
        println!("{}", load_report_row(backend, users, sign_ins, concurrency, elapsed, latencies, failures));
    }
}

async fn run(base: &str, emails: Vec<String>, concurrency: usize) -> (Duration, Vec<Duration>, usize) {
    let queue = std::sync::Arc::new(tokio::sync::Mutex::new(emails));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let queue = queue.clone();
        let base = base.to_owned();
        workers.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut failures = 0;
            loop {
                let Some(email) = queue.lock().await.pop() else { break };
                let t = Instant::now();
                let r = Client::new(&base)
                    .gql(
                        "mutation($e:String!,$p:String!){ signIn(email:$e,password:$p){ me { email } } }",
                        json!({"e": email, "p": USER_PASSWORD}),
                    )
                    .await;
                if r["errors"].is_null() {
                    lat.push(t.elapsed());
                } else {
                    failures += 1;
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
