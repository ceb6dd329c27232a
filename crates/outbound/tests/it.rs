//! The SSRF guard, each refusal hit once, against a tiny local HTTP server (allowed by
//! name in the policy, as an operator allows an on-premises IdP). Refused addresses are
//! refused before any connection is made, so no traffic leaves this machine.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use gatehouse_outbound::{FetchError, Fetcher, OutboundPolicy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Serves canned answers by path: `/ok`, `/big` (declared length), `/chunked-big`, `/slow`,
/// `/redirect-same`, `/redirect-other` (to `localhost`), `/redirect-loop`, `/missing`.
async fn server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = listener.accept().await else { return };
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let n = s.read(&mut buf).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).to_string();
                let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let answer: Vec<u8> = match path.as_str() {
                    "/ok" => ok("hello"),
                    "/big" => ok(&"x".repeat(5000)),
                    "/chunked-big" => {
                        let mut r =
                            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n".to_vec();
                        for _ in 0..10 {
                            r.extend_from_slice(format!("3e8\r\n{}\r\n", "y".repeat(1000)).as_bytes());
                        }
                        r.extend_from_slice(b"0\r\n\r\n");
                        r
                    }
                    "/slow" => {
                        tokio::time::sleep(Duration::from_secs(5)).await;
                        ok("late")
                    }
                    "/redirect-same" => redirect("/ok".into()),
                    "/redirect-other" => redirect(format!("http://localhost:{port}/ok")),
                    "/redirect-loop" => redirect("/redirect-loop".into()),
                    _ => b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_vec(),
                };
                let _ = s.write_all(&answer).await;
                let _ = s.shutdown().await;
            });
        }
    });
    port
}

fn ok(body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn redirect(to: String) -> Vec<u8> {
    format!("HTTP/1.1 302 Found\r\nlocation: {to}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").into_bytes()
}

fn fetcher(allowed: &[&str]) -> Fetcher {
    Fetcher::new(OutboundPolicy {
        allowed_hosts: allowed.iter().map(|s| s.to_string()).collect(),
        max_bytes: 4096,
        timeout: Duration::from_millis(800),
        max_redirects: 3,
    })
    .unwrap()
}

#[tokio::test]
async fn an_allowed_local_host_is_fetched_and_same_host_redirects_followed() {
    let port = server().await;
    let f = fetcher(&["127.0.0.1"]);
    let got = f.get(&format!("http://127.0.0.1:{port}/ok"), true).await.unwrap();
    assert_eq!((got.status, got.body.as_slice()), (200, b"hello".as_slice()));
    let got = f.get(&format!("http://127.0.0.1:{port}/redirect-same"), true).await.unwrap();
    assert_eq!(got.body, b"hello");
    assert_eq!(got.final_url.path(), "/ok");
}

#[tokio::test]
async fn http_is_refused_unless_allowed() {
    let port = server().await;
    let f = fetcher(&["127.0.0.1"]);
    let e = f.get(&format!("http://127.0.0.1:{port}/ok"), false).await.unwrap_err();
    assert_eq!(e, FetchError::SchemeNotAllowed);
    assert_eq!(f.get("ftp://example.com/x", true).await.unwrap_err(), FetchError::SchemeNotAllowed);
    assert!(matches!(f.get("not a url", true).await.unwrap_err(), FetchError::InvalidUrl(_)));
}

#[tokio::test]
async fn private_loopback_link_local_and_metadata_addresses_are_refused() {
    let f = fetcher(&[]);
    for url in [
        "https://10.0.0.1/metadata.xml",
        "https://192.168.0.10/",
        "https://127.0.0.1/",
        "https://[::1]/",
        "https://169.254.169.254/latest/meta-data/",
        "https://[fd00:ec2::254]/",
        "https://[::ffff:127.0.0.1]/",
    ] {
        let e = f.get(url, false).await.unwrap_err();
        assert!(matches!(e, FetchError::ForbiddenAddress { .. }), "{url}: {e:?}");
    }
}

#[tokio::test]
async fn a_name_resolving_to_loopback_is_refused_after_resolution() {
    let port = server().await;
    // `localhost` is a name: only the resolver sees that it points at 127.0.0.1.
    let e = fetcher(&[]).get(&format!("http://localhost:{port}/ok"), true).await.unwrap_err();
    match e {
        FetchError::ForbiddenAddress { host, address, .. } => {
            assert_eq!(host, "localhost");
            assert!(address.is_loopback());
        }
        other => panic!("expected a refused address, got {other:?}"),
    }
    assert!(e_text(&fetcher(&[]), &format!("http://localhost:{port}/ok")).await.contains("outbound_allowed_hosts"));
}

async fn e_text(f: &Fetcher, url: &str) -> String {
    f.get(url, true).await.unwrap_err().to_string()
}

#[tokio::test]
async fn a_redirect_to_another_host_is_refused() {
    let port = server().await;
    // Even to a host the operator allowed: a redirect never changes host.
    let f = fetcher(&["127.0.0.1", "localhost"]);
    let e = f.get(&format!("http://127.0.0.1:{port}/redirect-other"), true).await.unwrap_err();
    assert_eq!(e, FetchError::RedirectToOtherHost("localhost".into()));
    let e = f.get(&format!("http://127.0.0.1:{port}/redirect-loop"), true).await.unwrap_err();
    assert_eq!(e, FetchError::TooManyRedirects(3));
}

#[tokio::test]
async fn an_oversized_answer_is_cut_off() {
    let port = server().await;
    let f = fetcher(&["127.0.0.1"]);
    assert_eq!(f.get(&format!("http://127.0.0.1:{port}/big"), true).await.unwrap_err(), FetchError::TooLarge(4096));
    let e = f.get(&format!("http://127.0.0.1:{port}/chunked-big"), true).await.unwrap_err();
    assert_eq!(e, FetchError::TooLarge(4096));
}

#[tokio::test]
async fn a_slow_answer_times_out() {
    let port = server().await;
    let f = fetcher(&["127.0.0.1"]);
    let started = std::time::Instant::now();
    let e = f.get(&format!("http://127.0.0.1:{port}/slow"), true).await.unwrap_err();
    assert!(matches!(e, FetchError::Timeout(_)), "{e:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn an_error_status_is_reported() {
    let port = server().await;
    let e = fetcher(&["127.0.0.1"]).get(&format!("http://127.0.0.1:{port}/missing"), true).await.unwrap_err();
    assert_eq!(e, FetchError::Status(404));
}

/// The production resolver against a real DNS server on this machine (UDP).
mod dns {
    use std::time::{Duration, Instant};

    use gatehouse_outbound::dns::{DnsError, DnsLimits, HickoryTxtResolver, TxtResolver};
    use gatehouse_test_support::dns::LocalDns;

    fn limits() -> DnsLimits {
        DnsLimits { timeout: Duration::from_millis(800), max_records: 4, max_record_bytes: 300 }
    }

    #[tokio::test]
    async fn reads_txt_records_and_sees_them_go() {
        let server = LocalDns::start().await;
        let long = "v".repeat(290); // two character-strings on the wire, joined again
        server.set_txt("_gatehouse.contoso.test", vec!["gatehouse-verification=abc".into(), long.clone()]);
        let r = HickoryTxtResolver::with_servers(&[server.addr], limits());
        let got = r.txt("_gatehouse.contoso.test").await.unwrap();
        assert_eq!(got, vec!["gatehouse-verification=abc".to_owned(), long]);
        // Nothing is cached: the record removed is gone at the next lookup.
        server.set_txt("_gatehouse.contoso.test", vec![]);
        assert_eq!(r.txt("_gatehouse.contoso.test").await, Err(DnsError::NoRecords("_gatehouse.contoso.test".into())));
    }

    #[tokio::test]
    async fn too_many_or_too_long_records_are_refused() {
        let server = LocalDns::start().await;
        server.set_txt("many.test", (0..5).map(|i| format!("r{i}")).collect());
        server.set_txt("long.test", vec!["x".repeat(301)]);
        let r = HickoryTxtResolver::with_servers(&[server.addr], limits());
        assert!(matches!(r.txt("many.test").await, Err(DnsError::TooManyRecords { max: 4, .. })));
        assert!(matches!(r.txt("long.test").await, Err(DnsError::RecordTooLong { max: 300, .. })));
    }

    #[tokio::test]
    async fn a_silent_server_times_out_within_the_bound() {
        let server = LocalDns::start().await;
        server.set_silent(true);
        let r = HickoryTxtResolver::with_servers(&[server.addr], limits());
        let started = Instant::now();
        let e = r.txt("contoso.test").await.unwrap_err();
        assert!(matches!(e, DnsError::Timeout(_)), "{e:?}");
        assert!(!e.is_definite());
        assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    }
}
