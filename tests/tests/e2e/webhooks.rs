//! Webhooks against the real binary (issue 15): two replicas on one PostgreSQL, a receiver
//! on this machine that first fails and then recovers — every event arrives once, in order,
//! with a signature an independent implementation (Python's `hmac`) accepts; and a replica
//! killed while it holds a delivery loses nothing.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gatehouse_e2e::*;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One request the receiver got, and the status it answered (0: it never answered).
#[derive(Clone, Debug)]
struct Received {
    headers: HashMap<String, String>,
    body: String,
    status: u16,
}

/// An HTTP/1.1 receiver: answers `status`; while `hold` is set it never answers.
#[derive(Clone)]
struct Receiver {
    port: u16,
    got: Arc<Mutex<Vec<Received>>>,
    status: Arc<AtomicU16>,
    hold: Arc<AtomicBool>,
}

impl Receiver {
    async fn start(status: u16) -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let r = Receiver {
            port: listener.local_addr().unwrap().port(),
            got: Arc::default(),
            status: Arc::new(AtomicU16::new(status)),
            hold: Arc::default(),
        };
        let me = r.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(me.clone().serve(stream));
            }
        });
        r
    }

    async fn serve(self, mut stream: tokio::net::TcpStream) {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        let head_end = loop {
            let Ok(n) = stream.read(&mut chunk).await else { return };
            if n == 0 {
                return;
            }
            buf.extend_from_slice(&chunk[..n]);
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
        let headers: HashMap<String, String> = head
            .split("\r\n")
            .skip(1)
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let len: usize = headers.get("content-length").and_then(|l| l.parse().ok()).unwrap_or(0);
        while buf.len() < head_end + len {
            let Ok(n) = stream.read(&mut chunk).await else { return };
            if n == 0 {
                return;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        let body = String::from_utf8_lossy(&buf[head_end..head_end + len]).to_string();
        let hold = self.hold.load(Ordering::SeqCst);
        let status = if hold { 0 } else { self.status.load(Ordering::SeqCst) };
        self.got.lock().unwrap().push(Received { headers, body, status });
        if hold {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            return;
        }
        let answer = format!("HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        let _ = stream.write_all(answer.as_bytes()).await;
    }

    fn got(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    fn delivered(&self) -> Vec<Received> {
        self.got().into_iter().filter(|r| (200..300).contains(&r.status)).collect()
    }

    /// Waits until `n` deliveries were answered 2xx.
    async fn wait_delivered(&self, n: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let d = self.delivered();
            if d.len() >= n {
                return d;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{n} deliveries expected; got {:?}", self.got());
    }
}

const KEK: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

fn env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("GATEHOUSE_KEY_ENCRYPTION_KEY", KEK),
        ("GATEHOUSE_OUTBOUND_ALLOWED_HOSTS", "127.0.0.1"),
        ("GATEHOUSE_WEBHOOK_RETRY_BASE_SECONDS", "1"),
        ("GATEHOUSE_WEBHOOK_RETRY_CAP_SECONDS", "2"),
        ("GATEHOUSE_WEBHOOK_TIMEOUT_SECONDS", "2"),
        ("GATEHOUSE_WEBHOOK_LEASE_SECONDS", "3"),
        ("GATEHOUSE_WEBHOOK_POLL_INTERVAL_MS", "100"),
        ("GATEHOUSE_BOOTSTRAP_PASSWORD", "operator password 123"),
    ]
}

/// A dev-mode tenant whose admin registered an endpoint at `url`; the admin's client and
/// the endpoint's secret.
async fn tenant_with_endpoint(base: &str, url: &str) -> (Client, String) {
    let ops = Client::new(base);
    ops.sign_in("admin@gatehouse.local", "operator password 123", None).await;
    let r = ops
        .gql(
            "mutation($i:CreateTenantInput!){ createTenant(input:$i){ tenant { slug } } }",
            json!({"i": {"slug": "contoso", "name": "Contoso", "adminEmail": "admin@contoso.example", "adminPassword": "tenant admin password"}}),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
    ops.gql("mutation{ setTenantDevMode(slug:\"contoso\", enabled:true){ devMode } }", json!({})).await;
    let admin = Client::new(base);
    admin.sign_in("admin@contoso.example", "tenant admin password", None).await;
    let r = admin
        .gql(
            "mutation($u:String!){ createWebhookEndpoint(input:{url:$u, eventTypes:[USER_CREATED]}){ secret } }",
            json!({"u": url}),
        )
        .await;
    let secret = r["data"]["createWebhookEndpoint"]["secret"].as_str().unwrap_or_else(|| panic!("{r}")).to_owned();
    (admin, secret)
}

async fn create_user(admin: &Client, email: &str) {
    let r = admin.gql("mutation($e:String!){ createUser(input:{email:$e}){ id } }", json!({"e": email})).await;
    assert!(r["errors"].is_null(), "{r}");
}

/// Python's `hmac` checks every delivery's Standard Webhooks signature (not Gatehouse's code).
fn python_verifies(secret: &str, got: &[Received]) {
    let messages: Vec<Value> = got
        .iter()
        .map(|r| {
            json!({"id": r.headers["webhook-id"], "ts": r.headers["webhook-timestamp"],
                   "sig": r.headers["webhook-signature"], "body": r.body})
        })
        .collect();
    let script = r#"
import base64, hashlib, hmac, json, sys
secret, messages = sys.argv[1], json.loads(sys.stdin.read())
key = base64.b64decode(secret[len("whsec_"):])
for m in messages:
    signed = f"{m['id']}.{m['ts']}.{m['body']}".encode()
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert any(hmac.compare_digest(expected, s) for s in m["sig"].split(" ")), m
print(len(messages))
"#;
    let mut child = std::process::Command::new("python3")
        .args(["-c", script, secret])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    use std::io::Write as _;
    child.stdin.take().unwrap().write_all(Value::Array(messages).to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "python rejected a signature: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), got.len().to_string());
}

fn emails(got: &[Received]) -> Vec<String> {
    got.iter()
        .map(|r| {
            let v: Value = serde_json::from_str(&r.body).unwrap();
            v["data"]["object_after"]["email"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_deliver_every_event_once_in_order_through_an_outage() {
    let db = TestDb::new(Backend::Postgres).await;
    let rx = Receiver::start(503).await;
    let one = Server::start(db.url(), &env()).await;
    let mut two_env = env();
    two_env.push(("GATEHOUSE_PUBLIC_URL", &one.base));
    let two = Server::start(db.url(), &two_env).await;
    let (admin, secret) = tenant_with_endpoint(&one.base, &format!("http://127.0.0.1:{}/hooks", rx.port)).await;
    let admin_two = Client { http: admin.http.clone(), base: two.base.clone() };
    let expected: Vec<String> = (0..6).map(|n| format!("user{n}@contoso.example")).collect();
    for (n, email) in expected.iter().enumerate() {
        create_user(if n % 2 == 0 { &admin } else { &admin_two }, email).await;
    }
    // The receiver is down: only the first event is tried (again and again), never a later one.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let tried = rx.got();
    assert!(tried.len() >= 2, "retried while failing: {tried:?}");
    assert!(tried.iter().all(|r| r.headers["webhook-id"] == tried[0].headers["webhook-id"]), "in order: {tried:?}");

    rx.status.store(200, Ordering::SeqCst);
    let delivered = rx.wait_delivered(expected.len()).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let delivered_later = rx.delivered();
    assert_eq!(delivered_later.len(), expected.len(), "each event once: {:?}", emails(&delivered_later));
    assert_eq!(emails(&delivered), expected, "in order");
    python_verifies(&secret, &rx.got());

    let r = admin.gql("{ webhookEndpoints { id failing } }", json!({})).await;
    assert_eq!(r["data"]["webhookEndpoints"][0]["failing"], false);
    let metrics = reqwest::get(format!("{}/metrics", one.base)).await.unwrap().text().await.unwrap();
    assert!(metrics.contains("\ngatehouse_webhook_queue_depth 0\n"), "{metrics}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_killed_mid_delivery_loses_nothing() {
    let db = TestDb::new(Backend::Postgres).await;
    let rx = Receiver::start(200).await;
    rx.hold.store(true, Ordering::SeqCst);
    let one = Server::start(db.url(), &env()).await;
    let base = one.base.clone();
    let (admin, secret) = tenant_with_endpoint(&base, &format!("http://127.0.0.1:{}/hooks", rx.port)).await;
    create_user(&admin, "eve@contoso.example").await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while rx.got().is_empty() {
        assert!(Instant::now() < deadline, "the delivery never started");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(one); // SIGKILL while the delivery is leased and in flight
    rx.hold.store(false, Ordering::SeqCst);

    let two = Server::start(db.url(), &env()).await;
    let delivered = rx.wait_delivered(1).await;
    assert_eq!(emails(&delivered), ["eve@contoso.example"]);
    assert_eq!(delivered[0].headers["webhook-id"], rx.got()[0].headers["webhook-id"], "the same event, sent again");
    python_verifies(&secret, &delivered);
    drop(two);
}
