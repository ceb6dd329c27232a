//! `gatehouse-outbound`: the one way Gatehouse makes HTTP requests to addresses a tenant
//! admin typed in (IdP metadata URLs; later webhooks). A request made on a tenant's behalf
//! must never reach Gatehouse's own network, so every request is guarded (SSRF):
//!
//! - **https only**, unless the caller allows http (tenants in dev mode);
//! - **public addresses only**: the host name is resolved by our own resolver, every
//!   address it returns is checked ([`address::forbidden_reason`]) and the connection is
//!   made to exactly those checked addresses, so a name that resolves differently a moment
//!   later (DNS rebinding) cannot slip a private address in; literal IP hosts are checked
//!   before any connection; no proxy from the environment is used (it would resolve for us);
//! - **redirects** are followed by hand, each hop checked like the first, only on the same
//!   host and never from https down to http, at most [`OutboundPolicy::max_redirects`];
//! - **bounded**: the whole exchange (all hops and the body) within
//!   [`OutboundPolicy::timeout`], the body cut off past [`OutboundPolicy::max_bytes`].
//!
//! Operators may exempt named hosts from the address check ([`OutboundPolicy::allowed_hosts`],
//! for an on-premises IdP); the scheme, redirect and size rules still apply to them.

#![cfg_attr(test, allow(clippy::unwrap_used))] // a failed unwrap is a failed test

pub mod address;
pub mod dns;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

/// Limits and exemptions for outbound requests.
#[derive(Clone, Debug)]
pub struct OutboundPolicy {
    /// Host names (or IP literals) an operator allows although they resolve to
    /// non-public addresses. Compared case-insensitively with the URL's host.
    pub allowed_hosts: Vec<String>,
    /// Largest response body.
    pub max_bytes: usize,
    /// The whole exchange: connecting, every redirect hop and reading the body.
    pub timeout: Duration,
    /// Redirects followed (same host only).
    pub max_redirects: usize,
}

impl Default for OutboundPolicy {
    fn default() -> Self {
        Self { allowed_hosts: Vec::new(), max_bytes: 1024 * 1024, timeout: Duration::from_secs(10), max_redirects: 3 }
    }
}

impl OutboundPolicy {
    fn allows_host(&self, host: &str) -> bool {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        self.allowed_hosts.iter().any(|h| h.trim_start_matches('[').trim_end_matches(']').eq_ignore_ascii_case(host))
    }
}

/// Why an outbound request was refused or failed. `Display` is written for a tenant admin.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("the URL is not valid: {0}")]
    InvalidUrl(String),
    #[error("only https URLs can be fetched (http is allowed only in dev mode)")]
    SchemeNotAllowed,
    #[error(
        "{host} resolves to {address}, {why}; only public addresses can be fetched (an operator can allow this host with outbound_allowed_hosts)"
    )]
    ForbiddenAddress { host: String, address: IpAddr, why: &'static str },
    #[error("the server redirected to another host ({0}); only redirects on the same host are followed")]
    RedirectToOtherHost(String),
    #[error("the server redirected from https to http ({0})")]
    RedirectDowngrade(String),
    #[error("the server redirected more than {0} times")]
    TooManyRedirects(usize),
    #[error("the answer is larger than {0} bytes")]
    TooLarge(usize),
    #[error("no complete answer within {0} seconds")]
    Timeout(u64),
    #[error("the server answered HTTP {0}")]
    Status(u16),
    #[error("could not resolve {0}")]
    Resolve(String),
    #[error("could not connect: {0}")]
    Connect(String),
}

pub type Result<T> = std::result::Result<T, FetchError>;

/// The HTTP methods outbound requests use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

/// One outbound request.
#[derive(Clone, Debug)]
pub struct OutboundRequest {
    pub method: Method,
    pub url: String,
    /// Allow `http://` (dev mode); `https://` is always allowed.
    pub allow_http: bool,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

impl OutboundRequest {
    pub fn get(url: impl Into<String>, allow_http: bool) -> Self {
        Self { method: Method::Get, url: url.into(), allow_http, headers: Vec::new(), body: None }
    }
}

/// A complete answer (any status).
#[derive(Clone, Debug)]
pub struct Fetched {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    /// The URL that answered, after same-host redirects.
    pub final_url: Url,
}

/// The guarded HTTP client. Cheap to clone; share one.
#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    policy: Arc<OutboundPolicy>,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher").field("policy", &self.policy).finish()
    }
}

/// Resolves names and keeps only what the policy allows; refuses a name with any
/// forbidden address (a name mixing public and private addresses is refused whole).
struct GuardedResolver {
    policy: Arc<OutboundPolicy>,
}

/// Carried through reqwest's error chain so the refusal keeps its words.
#[derive(Debug)]
struct Refused(FetchError);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Refused {}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map_err(|_| Box::new(Refused(FetchError::Resolve(host.clone()))) as Box<_>)?
                .collect();
            if addrs.is_empty() {
                return Err(Box::new(Refused(FetchError::Resolve(host))) as Box<_>);
            }
            if !policy.allows_host(&host) {
                for a in &addrs {
                    if let Some(why) = address::forbidden_reason(a.ip()) {
                        let e = FetchError::ForbiddenAddress { host: host.clone(), address: a.ip(), why };
                        return Err(Box::new(Refused(e)) as Box<_>);
                    }
                }
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

impl Fetcher {
    pub fn new(policy: OutboundPolicy) -> Result<Self> {
        let policy = Arc::new(policy);
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(Arc::new(GuardedResolver { policy: policy.clone() }))
            .connect_timeout(policy.timeout)
            .user_agent(concat!("Gatehouse/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| FetchError::Connect(e.to_string()))?;
        Ok(Self { client, policy })
    }

    pub fn policy(&self) -> &OutboundPolicy {
        &self.policy
    }

    /// GETs `url` and insists on a 2xx answer.
    pub async fn get(&self, url: &str, allow_http: bool) -> Result<Fetched> {
        let fetched = self.send(OutboundRequest::get(url, allow_http)).await?;
        if !(200..300).contains(&fetched.status) {
            return Err(FetchError::Status(fetched.status));
        }
        Ok(fetched)
    }

    /// Sends a request under the policy; any HTTP status is an answer.
    #[tracing::instrument(skip(self, request), fields(method = ?request.method), err)]
    pub async fn send(&self, request: OutboundRequest) -> Result<Fetched> {
        let secs = self.policy.timeout.as_secs().max(1);
        tokio::time::timeout(self.policy.timeout, self.follow(request)).await.map_err(|_| FetchError::Timeout(secs))?
    }

    async fn follow(&self, request: OutboundRequest) -> Result<Fetched> {
        let mut url = Url::parse(request.url.trim()).map_err(|e| FetchError::InvalidUrl(e.to_string()))?;
        self.check_url(&url, request.allow_http)?;
        let first_host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let mut method = request.method;
        let mut body = request.body.clone();
        for hop in 0..=self.policy.max_redirects {
            let mut builder = match method {
                Method::Get => self.client.get(url.clone()),
                Method::Post => self.client.post(url.clone()),
            };
            for (k, v) in &request.headers {
                builder = builder.header(k, v);
            }
            if let Some(b) = &body {
                builder = builder.body(b.clone());
            }
            let response = builder.send().await.map_err(map_reqwest)?;
            let status = response.status();
            if status.is_redirection()
                && let Some(location) = response.headers().get(reqwest::header::LOCATION)
            {
                if hop == self.policy.max_redirects {
                    return Err(FetchError::TooManyRedirects(self.policy.max_redirects));
                }
                let next = location
                    .to_str()
                    .ok()
                    .and_then(|l| url.join(l).ok())
                    .ok_or_else(|| FetchError::InvalidUrl("the redirect Location is not a URL".into()))?;
                let next_host = next.host_str().unwrap_or_default().to_ascii_lowercase();
                if next_host != first_host {
                    return Err(FetchError::RedirectToOtherHost(next_host));
                }
                if url.scheme() == "https" && next.scheme() != "https" {
                    return Err(FetchError::RedirectDowngrade(next.to_string()));
                }
                self.check_url(&next, request.allow_http)?;
                // 303 (and 301/302 after a POST, as browsers do) continue as a GET.
                if status.as_u16() == 303 || (method == Method::Post && matches!(status.as_u16(), 301 | 302)) {
                    method = Method::Get;
                    body = None;
                }
                url = next;
                continue;
            }
            return self.read(response, url).await;
        }
        Err(FetchError::TooManyRedirects(self.policy.max_redirects))
    }

    /// Scheme and literal-IP checks (names are checked when they are resolved).
    fn check_url(&self, url: &Url, allow_http: bool) -> Result<()> {
        match url.scheme() {
            "https" => {}
            "http" if allow_http => {}
            _ => return Err(FetchError::SchemeNotAllowed),
        }
        let host = url.host().ok_or_else(|| FetchError::InvalidUrl("the URL has no host".into()))?;
        let ip = match host {
            Host::Ipv4(v4) => IpAddr::V4(v4),
            Host::Ipv6(v6) => IpAddr::V6(v6),
            Host::Domain(_) => return Ok(()),
        };
        let host_str = url.host_str().unwrap_or_default();
        if self.policy.allows_host(host_str) {
            return Ok(());
        }
        match address::forbidden_reason(ip) {
            Some(why) => Err(FetchError::ForbiddenAddress { host: host_str.to_owned(), address: ip, why }),
            None => Ok(()),
        }
    }

    async fn read(&self, mut response: reqwest::Response, url: Url) -> Result<Fetched> {
        let max = self.policy.max_bytes;
        if response.content_length().is_some_and(|n| n > max as u64) {
            return Err(FetchError::TooLarge(max));
        }
        let status = response.status().as_u16();
        let content_type =
            response.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(map_reqwest)? {
            if body.len() + chunk.len() > max {
                return Err(FetchError::TooLarge(max));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Fetched { status, content_type, body, final_url: url })
    }
}

/// Finds our own refusal in reqwest's error chain; anything else is a connection problem.
fn map_reqwest(e: reqwest::Error) -> FetchError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(s) = source {
        if let Some(Refused(inner)) = s.downcast_ref::<Refused>() {
            return inner.clone();
        }
        source = s.source();
    }
    if e.is_timeout() {
        return FetchError::Timeout(0);
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        text = format!("{text}: {s}");
        source = s.source();
    }
    FetchError::Connect(text)
}
