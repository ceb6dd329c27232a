//! End-to-end test support: start the real `gatehouse` binary on a fresh database and a
//! free port, read what it prints, and talk to it over HTTP with a cookie-keeping client.
//!
//! The binary is `target/debug/gatehouse` (build it first: `cargo build -p
//! gatehouse-server`), or the path in `GATEHOUSE_BIN`.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use gatehouse_test_support::{Backend, TestDb};
use serde_json::{Value, json};

/// The path of the binary under test.
pub fn binary() -> PathBuf {
    if let Ok(p) = std::env::var("GATEHOUSE_BIN") {
        return PathBuf::from(p);
    }
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let p = target.join("debug/gatehouse");
    assert!(p.exists(), "{} is missing: run `cargo build -p gatehouse-server` first (make test does)", p.display());
    p
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

/// Runs a `gatehouse` subcommand to completion and returns its stdout.
pub fn run_cli(database_url: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(binary())
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("GATEHOUSE_LOG_FORMAT", "text")
        .env_remove("GATEHOUSE_CONFIG")
        .output()
        .expect("run gatehouse");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A running server.
pub struct Server {
    child: Child,
    pub base: String,
    stdout: Arc<Mutex<String>>,
    /// The service log (stderr), when started with [`Server::start_logged`].
    logs: Option<Arc<Mutex<String>>>,
}

/// Collects a child's output lines into a shared string.
fn collect(pipe: impl std::io::Read + Send + 'static) -> Arc<Mutex<String>> {
    let out = Arc::new(Mutex::new(String::new()));
    let sink = out.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            let mut s = sink.lock().unwrap_or_else(|p| p.into_inner());
            s.push_str(&line);
            s.push('\n');
        }
    });
    out
}

impl Server {
    /// Starts `gatehouse serve` and waits until `/readyz` answers.
    pub async fn start(database_url: &str, extra_env: &[(&str, &str)]) -> Server {
        Self::launch(database_url, extra_env, false).await
    }

    /// [`Server::start`], keeping the service log (stderr, text format, `RUST_LOG=info` unless
    /// `extra_env` says otherwise) for [`Server::logs`].
    pub async fn start_logged(database_url: &str, extra_env: &[(&str, &str)]) -> Server {
        let mut env = vec![("RUST_LOG", "info"), ("GATEHOUSE_LOG_FORMAT", "text")];
        env.extend_from_slice(extra_env);
        Self::launch(database_url, &env, true).await
    }

    async fn launch(database_url: &str, extra_env: &[(&str, &str)], keep_logs: bool) -> Server {
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let mut cmd = Command::new(binary());
        cmd.arg("serve")
            .env("DATABASE_URL", database_url)
            .env("GATEHOUSE_LISTEN", format!("127.0.0.1:{port}"))
            .env("GATEHOUSE_PUBLIC_URL", &base)
            .env_remove("GATEHOUSE_CONFIG")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(if keep_logs { Stdio::piped() } else { Stdio::inherit() });
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start gatehouse");
        let stdout = collect(child.stdout.take().expect("stdout"));
        let logs = child.stderr.take().map(collect);
        let server = Server { child, base, stdout, logs };
        server.wait_ready().await;
        server
    }

    async fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = reqwest::Client::new();
        while Instant::now() < deadline {
            if let Ok(r) = client.get(format!("{}/readyz", self.base)).send().await
                && r.status().is_success()
            {
                // The banner is printed just before listening; give the reader a moment.
                tokio::time::sleep(Duration::from_millis(50)).await;
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("gatehouse did not become ready; stdout so far:\n{}", self.stdout());
    }

    /// The server's process ID (for CPU accounting in the load benchmarks).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn stdout(&self) -> String {
        self.stdout.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The service log so far (only for [`Server::start_logged`]).
    pub fn logs(&self) -> String {
        let logs = self.logs.as_ref().expect("started with Server::start_logged");
        logs.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The value printed after `label` on a line of the start-up banner.
    pub fn printed(&self, label: &str) -> Option<String> {
        self.stdout().lines().find_map(|l| l.trim().strip_prefix(label).map(|v| v.trim().to_owned()))
    }

    /// Sends SIGTERM and returns whether the process exited cleanly.
    pub fn terminate(mut self) -> bool {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A browser-like client: keeps cookies, sends JSON to `/graphql`.
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
}

impl Client {
    pub fn new(base: &str) -> Client {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Client { http, base: base.to_owned() }
    }

    pub async fn gql(&self, query: &str, variables: Value) -> Value {
        self.http
            .post(format!("{}/graphql", self.base))
            .json(&json!({"query": query, "variables": variables}))
            .send()
            .await
            .expect("graphql request")
            .json()
            .await
            .expect("graphql JSON")
    }

    /// Signs in; panics with the server's answer when that fails.
    pub async fn sign_in(&self, email: &str, password: &str, tenant: Option<&str>) -> Value {
        let r = self
            .gql(
                "mutation($e:String!,$p:String!,$t:String){ signIn(email:$e,password:$p,tenant:$t){ me { email role tenant { slug } } } }",
                json!({"e": email, "p": password, "t": tenant}),
            )
            .await;
        assert!(r["errors"].is_null(), "sign-in failed: {r}");
        r["data"]["signIn"]["me"].clone()
    }
}

/// The independent test IdP (`tests/idp/test_idp.py`: Python + the xmlsec1 CLI), with
/// its keys in a temporary folder.
pub struct Idp {
    child: Child,
    pub base: String,
    pub issuer: String,
    pub keys: tempfile::TempDir,
}

impl Idp {
    /// Starts an IdP whose issuer is `issuer` (Entra-shaped: `https://sts.windows.net/<tid>/`).
    pub fn start(issuer: &str) -> Idp {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("idp");
        let keys = tempfile::tempdir().expect("key dir");
        let made = Command::new(root.join("make_keys.sh")).arg(keys.path()).output().expect("make_keys.sh");
        assert!(made.status.success(), "make_keys.sh failed: {}", String::from_utf8_lossy(&made.stderr));
        let k = |f: &str| keys.path().join(f).display().to_string();
        let mut child = Command::new("python3")
            .arg(root.join("test_idp.py"))
            .args(["--port", "0", "--host", "127.0.0.1", "--quiet", "--issuer", issuer])
            .args([
                "--key",
                &k("idp.key"),
                "--cert",
                &k("idp.crt"),
                "--alt-key",
                &k("alt.key"),
                "--alt-cert",
                &k("alt.crt"),
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the test IdP (python3)");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let base = loop {
            match lines.next() {
                Some(Ok(l)) if l.starts_with("READY ") => break l["READY ".len()..].trim().to_owned(),
                Some(Ok(_)) => continue,
                _ => panic!("the test IdP did not start"),
            }
        };
        Idp { child, base, issuer: issuer.to_owned(), keys }
    }

    /// The IdP's signing certificate (PEM), as an admin would upload it.
    pub fn certificate(&self) -> String {
        std::fs::read_to_string(self.keys.path().join("idp.crt")).expect("idp.crt")
    }

    /// The alternate key's certificate (another tenant's IdP, or an attacker's).
    pub fn alt_certificate(&self) -> String {
        std::fs::read_to_string(self.keys.path().join("alt.crt")).expect("alt.crt")
    }

    /// Mints a Response through `GET /_response` with the given query parameters.
    pub async fn response(&self, params: &[(&str, &str)]) -> Value {
        let r = reqwest::Client::new()
            .get(format!("{}/_response", self.base))
            .query(params)
            .send()
            .await
            .expect("test IdP answers");
        assert!(r.status().is_success(), "test IdP refused: {}", r.text().await.unwrap_or_default());
        r.json().await.expect("JSON")
    }
}

impl Drop for Idp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The value of one query parameter in a URL.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    let q = url.split_once('?')?.1;
    url::form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// The hidden `handle` of the ACS's hand-over page.
pub fn handoff_handle(html: &str) -> Option<String> {
    let start = html.find("name=\"handle\" value=\"")? + "name=\"handle\" value=\"".len();
    Some(html[start..].split('"').next()?.to_owned())
}

/// As the platform operator (signed in with `operator_password`): creates tenant `slug` in
/// dev mode with SSO enabled against `idp` (its main key, `issuer`) and one active user.
/// Returns the tenant admin's client.
pub async fn sso_tenant(
    base: &str,
    operator_password: &str,
    idp: &Idp,
    slug: &str,
    issuer: &str,
    user_email: &str,
) -> Client {
    let ops = Client::new(base);
    ops.sign_in("admin@gatehouse.local", operator_password, None).await;
    let admin_email = format!("admin@{slug}.example");
    let steps = [
        ops.gql(
            "mutation($i:CreateTenantInput!){ createTenant(input:$i){ tenant { slug } } }",
            json!({"i": {"slug": slug, "name": slug, "adminEmail": admin_email, "adminPassword": "tenant admin password"}}),
        )
        .await,
        ops.gql("mutation($s:String!){ setTenantDevMode(slug:$s, enabled:true){ devMode } }", json!({"s": slug})).await,
    ];
    let admin = Client::new(base);
    admin.sign_in(&admin_email, "tenant admin password", None).await;
    let more = [
        admin
            .gql("mutation($c:String!){ addIdpCertificate(certificate:$c){ id } }", json!({"c": idp.certificate()}))
            .await,
        admin
            .gql(
                "mutation($i:SsoConnectionInput!){ updateSsoConnection(input:$i){ enabled } }",
                json!({"i": {"enabled": true, "provider": "ENTRA_ID", "loginUrl": format!("{}/saml2/sso", idp.base),
                    "issuer": issuer, "loginPolicy": "PASSWORD_OR_SSO", "allowIdpInitiated": true}}),
            )
            .await,
        admin
            .gql("mutation($e:String!){ createUser(input:{email:$e, active:true}){ id } }", json!({"e": user_email}))
            .await,
    ];
    for r in steps.iter().chain(more.iter()) {
        assert!(r["errors"].is_null(), "set-up step failed: {r}");
    }
    admin
}

/// How [`send_body`] sends a request body.
#[derive(Clone, Copy, Debug)]
pub enum BodyShape {
    /// Declares `Content-Length: n` and sends none of it: a server that waits for the body
    /// before refusing never answers.
    Declared(usize),
    /// `Transfer-Encoding: chunked`: sends `n` bytes in 64 KiB chunks and never the final
    /// chunk, so an answer proves the server stopped reading before the body ended.
    ChunkedUnfinished(usize),
}

/// What came back over a raw connection.
#[derive(Debug)]
pub struct RawAnswer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// Body bytes the client had offered (written or being written) when the answer arrived.
    pub sent: usize,
}

impl RawAnswer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Sends a request with a body of `shape` over a raw TCP connection and reads the answer
/// (status, headers, a body of `Content-Length`) within ten seconds, while the body is still
/// being written. `head` holds extra header lines (`"Name: value"`).
pub async fn send_body(base: &str, method: &str, path: &str, head: &[&str], shape: BodyShape) -> RawAnswer {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.strip_prefix("http://").expect("an http base URL");
    let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let (mut reader, mut writer) = stream.into_split();
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\n");
    for line in head {
        request.push_str(line);
        request.push_str("\r\n");
    }
    match shape {
        BodyShape::Declared(n) => request.push_str(&format!("Content-Length: {n}\r\n\r\n")),
        BodyShape::ChunkedUnfinished(_) => request.push_str("Transfer-Encoding: chunked\r\n\r\n"),
    }
    writer.write_all(request.as_bytes()).await.expect("write the request head");
    let sent = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = sent.clone();
    let writing = tokio::spawn(async move {
        if let BodyShape::ChunkedUnfinished(total) = shape {
            // Small frames, counted before they are written: a write can block once the server
            // stops reading, and the server can never have read more than was offered.
            let chunk = vec![b' '; 8 * 1024];
            let mut frame = format!("{:x}\r\n", chunk.len()).into_bytes();
            frame.extend_from_slice(&chunk);
            frame.extend_from_slice(b"\r\n");
            while counter.load(std::sync::atomic::Ordering::SeqCst) < total {
                counter.fetch_add(chunk.len(), std::sync::atomic::Ordering::SeqCst);
                if writer.write_all(&frame).await.is_err() {
                    break;
                }
            }
        }
        // Keep the connection open without ever finishing the body.
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(writer);
    });
    let read = async {
        let mut buf = Vec::new();
        let mut byte = [0u8; 4096];
        let head_end = loop {
            let n = reader.read(&mut byte).await.expect("read the answer");
            assert!(n > 0, "the server closed the connection without answering");
            buf.extend_from_slice(&byte[..n]);
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
        let mut lines = head.lines();
        let status: u16 =
            lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).expect("a status line");
        let headers: Vec<(String, String)> =
            lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned())).collect();
        let length: usize = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = buf[head_end..].to_vec();
        while body.len() < length {
            let n = reader.read(&mut byte).await.expect("read the body");
            if n == 0 {
                break;
            }
            body.extend_from_slice(&byte[..n]);
        }
        (status, headers, String::from_utf8_lossy(&body).into_owned())
    };
    let (status, headers, body) = tokio::time::timeout(Duration::from_secs(10), read)
        .await
        .unwrap_or_else(|_| panic!("no answer to {method} {path} within 10 s while its body was still unfinished"));
    let sent = sent.load(std::sync::atomic::Ordering::SeqCst);
    writing.abort();
    RawAnswer { status, headers, body, sent }
}

/// One row of a load benchmark's table: `| backend | scale | sign-ins | concurrency | sign-ins/s |
/// p50 ms | p99 ms | failures |`, from the run's wall time and per-request latencies.
/// CPU time spent so far by the server, the local PostgreSQL (every `postgres` process) and
/// this driver, read from `/proc` (Linux). Two samples around a run give each one's share.
#[derive(Clone, Copy, Debug, Default)]
pub struct CpuSample {
    pub server: Duration,
    pub database: Duration,
    pub driver: Duration,
}

impl CpuSample {
    pub fn take(server_pid: u32) -> CpuSample {
        let mut database = Duration::ZERO;
        if let Ok(dir) = std::fs::read_dir("/proc") {
            for entry in dir.flatten() {
                let name = entry.file_name();
                if name.to_str().is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
                    && let Some((comm, cpu)) = proc_cpu(&entry.path().join("stat"))
                    && comm == "postgres"
                {
                    database += cpu;
                }
            }
        }
        CpuSample {
            server: proc_cpu(std::path::Path::new(&format!("/proc/{server_pid}/stat")))
                .map(|(_, c)| c)
                .unwrap_or_default(),
            database,
            driver: proc_cpu(std::path::Path::new("/proc/self/stat")).map(|(_, c)| c).unwrap_or_default(),
        }
    }

    /// What was spent between `earlier` and this sample.
    pub fn since(&self, earlier: &CpuSample) -> CpuSample {
        CpuSample {
            server: self.server.saturating_sub(earlier.server),
            database: self.database.saturating_sub(earlier.database),
            driver: self.driver.saturating_sub(earlier.driver),
        }
    }
}

/// A process's name and user + system CPU time from its `/proc/<pid>/stat`.
fn proc_cpu(stat: &std::path::Path) -> Option<(String, Duration)> {
    let text = std::fs::read_to_string(stat).ok()?;
    let (open, close) = (text.find('(')?, text.rfind(')')?);
    let comm = text[open + 1..close].to_owned();
    // Fields after the name start at field 3 (state); utime and stime are fields 14 and 15.
    let fields: Vec<&str> = text[close + 2..].split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some((comm, Duration::from_millis(ticks * 1000 / clock_ticks())))
}

fn clock_ticks() -> u64 {
    static TICKS: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(100)
    })
}

/// A load report row with the CPU each process spent per operation (ms).
/// `row` with the CPU per operation of the server, the database and the driver, and the
/// server's and database's together divided by the driver's: the driver does the same work in
/// every run, so on a VM whose speed drifts between minutes that ratio compares builds where
/// the raw figures cannot.
pub fn load_report_row_cpu(row: String, operations: usize, cpu: &CpuSample) -> String {
    let per = |d: Duration| d.as_secs_f64() * 1000.0 / operations.max(1) as f64;
    let ratio = (cpu.server + cpu.database).as_secs_f64() / cpu.driver.as_secs_f64().max(1e-9);
    format!("{row} {:.2} | {:.2} | {:.2} | {ratio:.1} |", per(cpu.server), per(cpu.database), per(cpu.driver))
}

pub fn load_report_row(
    backend: Backend,
    scale: usize,
    sign_ins: usize,
    concurrency: usize,
    elapsed: Duration,
    mut latencies: Vec<Duration>,
    failures: usize,
) -> String {
    latencies.sort();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    format!(
        "| {backend:?} | {scale} | {sign_ins} | {concurrency} | {:.0} | {:.1} | {:.1} | {failures} |",
        latencies.len() as f64 / elapsed.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1000.0,
        pct(0.99).as_secs_f64() * 1000.0,
    )
}
