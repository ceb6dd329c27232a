//! Configuration, layered: built-in defaults → optional TOML file → `GATEHOUSE_*`
//! environment variables (and `DATABASE_URL`). Secrets may come from files
//! (`GATEHOUSE_BOOTSTRAP_PASSWORD_FILE`, `GATEHOUSE_METRICS_TOKEN_FILE`,
//! `GATEHOUSE_KEY_ENCRYPTION_KEY_FILE`). Unknown keys are
//! warned about, not ignored silently.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use gatehouse_identity::{KeyAlgorithm, KeyEncryptionKey, Limits, Policy, SpKeyPolicy, WebhookPolicy};

use gatehouse_outbound::OutboundPolicy;
use serde::{Deserialize, Serialize};

/// Keys a config file or `GATEHOUSE_*` variable may set.
const KNOWN_KEYS: &[&str] = &[
    "database_url",
    "listen",
    "public_url",
    "bootstrap_email",
    "bootstrap_password",
    "bootstrap_password_file",
    "demo_tenant",
    "log_format",
    "session_idle_minutes",
    "session_absolute_hours",
    "graphql_max_body_bytes",
    "acs_max_body_bytes",
    "metrics_token",
    "metrics_token_file",
    "throttle_password_account_failures",
    "throttle_password_address_failures",
    "throttle_password_window_minutes",
    "throttle_acs_issuer_failures",
    "throttle_acs_address_failures",
    "throttle_acs_window_minutes",
    "throttle_scim_requests_per_minute",
    "throttle_api_requests_per_minute",
    "throttle_backoff_base_ms",
    "throttle_backoff_cap_seconds",
    "password_hashing_concurrency",
    "password_hashing_queue",
    "password_hashing_wait_ms",
    "database_pool_size",
    "outbound_allowed_hosts",
    "outbound_max_bytes",
    "outbound_timeout_seconds",
    "metadata_refresh_interval_seconds",
    "dns_servers",
    "dns_timeout_seconds",
    "domain_recheck_interval_seconds",
    "domain_grace_seconds",
    "domain_recheck_concurrency",
    "key_encryption_key",
    "key_encryption_key_file",
    "key_encryption_key_previous",
    "key_encryption_key_previous_file",
    "sp_signing_algorithm",
    "trusted_proxies",
    "live_max_subscriptions",
    "live_poll_interval_ms",
    "live_recheck_seconds",
    "webhook_give_up_hours",
    "webhook_retry_base_seconds",
    "webhook_retry_cap_seconds",
    "webhook_lease_seconds",
    "webhook_concurrency",
    "webhook_poll_interval_ms",
    "webhook_timeout_seconds",
    "webhook_max_response_bytes",
    "webhook_retention_days",
    "webhook_secret_overlap_hours",
    "config",
];

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Clone, Deserialize, Serialize)]
pub struct Config {
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    pub listen: SocketAddr,
    /// The externally visible base URL; SP URLs are built from it.
    pub public_url: Option<String>,
    pub bootstrap_email: String,
    pub bootstrap_password: Option<String>,
    pub bootstrap_password_file: Option<PathBuf>,
    /// Create the `demo` tenant on first start.
    pub demo_tenant: bool,
    pub log_format: LogFormat,
    pub session_idle_minutes: i64,
    pub session_absolute_hours: i64,
    /// Largest `POST /graphql` body.
    pub graphql_max_body_bytes: usize,
    /// Largest body posted to the ACS (`POST /saml2`).
    pub acs_max_body_bytes: usize,
    /// When set, `/metrics` requires `Authorization: Bearer <metrics_token>`.
    pub metrics_token: Option<String>,
    pub metrics_token_file: Option<PathBuf>,
    /// Password sign-ins per account (e-mail) per window before back-off starts.
    pub throttle_password_account_failures: u32,
    /// Failed password sign-ins per client address per window before back-off starts.
    pub throttle_password_address_failures: u32,
    pub throttle_password_window_minutes: u64,
    /// Refused SAML Responses per Issuer per window before back-off starts.
    pub throttle_acs_issuer_failures: u32,
    /// Refused SAML Responses per client address per window before back-off starts.
    pub throttle_acs_address_failures: u32,
    pub throttle_acs_window_minutes: u64,
    /// SCIM requests per token per minute before back-off starts.
    pub throttle_scim_requests_per_minute: u32,
    /// GraphQL requests per API token per minute before back-off starts.
    pub throttle_api_requests_per_minute: u32,
    /// The first back-off wait; each further attempt doubles it.
    pub throttle_backoff_base_ms: u64,
    /// The longest back-off wait (per IdP Issuer, SCIM and API token: at most a minute).
    pub throttle_backoff_cap_seconds: u64,
    /// Password hashes computed at once (default: twice the CPU cores).
    pub password_hashing_concurrency: Option<usize>,
    /// Sign-ins that may wait for a hashing slot (default: 16 per CPU core).
    pub password_hashing_queue: Option<usize>,
    /// How long a sign-in waits for a hashing slot before it is refused.
    pub password_hashing_wait_ms: u64,
    /// PostgreSQL connections this process keeps at most (default: 4 per CPU core, 4 … 64).
    pub database_pool_size: Option<u32>,
    /// Hosts (names or IP literals, comma-separated) that outbound requests (IdP metadata
    /// URLs) may reach although they resolve to private or loopback addresses.
    pub outbound_allowed_hosts: String,
    /// Largest outbound answer (IdP metadata).
    pub outbound_max_bytes: usize,
    /// The whole outbound exchange, redirects and body included.
    pub outbound_timeout_seconds: u64,
    /// How often the scheduler looks for metadata URLs due for a refresh.
    pub metadata_refresh_interval_seconds: u64,
    /// Name servers (`ip:port`, comma-separated) for domain verification; empty: the
    /// system's (`/etc/resolv.conf`). See `crate::dns`.
    pub dns_servers: String,
    /// One DNS lookup, retries included.
    pub dns_timeout_seconds: u64,
    /// How often a verified domain's TXT record is checked again (± 10 %).
    pub domain_recheck_interval_seconds: u64,
    /// How long a flagged domain (record gone) keeps routing and enforcing.
    pub domain_grace_seconds: u64,
    /// DNS lookups the re-check runs at once.
    pub domain_recheck_concurrency: usize,
    /// The key that seals Gatehouse's SP private keys at rest: 32 random bytes as Base64 or
    /// hex. Unset with an http:// public URL (development): a key file is generated next to
    /// the SQLite database. Unset with an https:// public URL: Gatehouse has no SP keys.
    pub key_encryption_key: Option<String>,
    pub key_encryption_key_file: Option<PathBuf>,
    /// The key being rotated away from: keys it sealed are re-sealed with the current one.
    pub key_encryption_key_previous: Option<String>,
    pub key_encryption_key_previous_file: Option<PathBuf>,
    /// `rsa-3072` (default) or `p-256`: the SP signing key's algorithm when one is created.
    pub sp_signing_algorithm: String,
    /// Load balancers and reverse proxies (CIDR blocks or addresses, comma-separated) whose
    /// `X-Forwarded-For` names the client. Empty: the header is ignored (see
    /// `crate::client_address`).
    pub trusted_proxies: String,
    /// Live sign-in log subscriptions (and WebSockets) one process serves at once.
    pub live_max_subscriptions: usize,
    /// How often each process reads new sign-in events while anyone watches live.
    pub live_poll_interval_ms: u64,
    /// How often a live subscription checks its session or token is still valid.
    pub live_recheck_seconds: u64,
    /// A webhook delivery still failing this long after its event is given up, and its
    /// endpoint marked failing.
    pub webhook_give_up_hours: u64,
    /// The first retry's delay; each further retry doubles it (with jitter) up to the cap.
    pub webhook_retry_base_seconds: u64,
    pub webhook_retry_cap_seconds: u64,
    /// How long a replica holds a claimed delivery (a replica that dies releases it after this).
    pub webhook_lease_seconds: u64,
    /// Deliveries one replica sends at once.
    pub webhook_concurrency: usize,
    /// How often an idle replica looks for due deliveries.
    pub webhook_poll_interval_ms: u64,
    /// One delivery's whole exchange.
    pub webhook_timeout_seconds: u64,
    /// Largest answer body read from an endpoint.
    pub webhook_max_response_bytes: usize,
    /// Sent and given-up deliveries are purged this long after their event.
    pub webhook_retention_days: u64,
    /// After a secret rotation, the previous secret keeps signing this long.
    pub webhook_secret_overlap_hours: u64,
}

/// The range a configured body limit must fall in (1 KiB … 64 MiB).
const BODY_LIMIT_RANGE: std::ops::RangeInclusive<usize> = 1024..=64 * 1024 * 1024;

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &redact_url(&self.database_url))
            .field("listen", &self.listen)
            .field("public_url", &self.public_url)
            .field("bootstrap_email", &self.bootstrap_email)
            .field("bootstrap_password", &self.bootstrap_password.as_ref().map(|_| "<redacted>"))
            .field("log_format", &self.log_format)
            .field("graphql_max_body_bytes", &self.graphql_max_body_bytes)
            .field("acs_max_body_bytes", &self.acs_max_body_bytes)
            .field("metrics_token", &self.metrics_token.as_ref().map(|_| "<redacted>"))
            .field("key_encryption_key", &self.key_encryption_key.as_ref().map(|_| "<redacted>"))
            .field("key_encryption_key_previous", &self.key_encryption_key_previous.as_ref().map(|_| "<redacted>"))
            .field("sp_signing_algorithm", &self.sp_signing_algorithm)
            .finish_non_exhaustive()
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: "sqlite://data/gatehouse.sqlite?mode=rwc".into(),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: None,
            bootstrap_email: "admin@gatehouse.local".into(),
            bootstrap_password: None,
            bootstrap_password_file: None,
            demo_tenant: true,
            log_format: LogFormat::Text,
            session_idle_minutes: 120,
            session_absolute_hours: 12,
            graphql_max_body_bytes: 1024 * 1024,
            acs_max_body_bytes: 256 * 1024,
            metrics_token: None,
            metrics_token_file: None,
            throttle_password_account_failures: 5,
            throttle_password_address_failures: 50,
            throttle_password_window_minutes: 60,
            throttle_acs_issuer_failures: 100,
            throttle_acs_address_failures: 20,
            throttle_acs_window_minutes: 15,
            throttle_scim_requests_per_minute: 3000,
            throttle_api_requests_per_minute: 1200,
            throttle_backoff_base_ms: 1000,
            throttle_backoff_cap_seconds: 900,
            password_hashing_concurrency: None,
            password_hashing_queue: None,
            password_hashing_wait_ms: 5000,
            database_pool_size: None,
            outbound_allowed_hosts: String::new(),
            outbound_max_bytes: 1024 * 1024,
            outbound_timeout_seconds: 10,
            metadata_refresh_interval_seconds: 60,
            dns_servers: String::new(),
            dns_timeout_seconds: 5,
            domain_recheck_interval_seconds: 86_400,
            domain_grace_seconds: 259_200,
            domain_recheck_concurrency: 4,
            key_encryption_key: None,
            key_encryption_key_file: None,
            key_encryption_key_previous: None,
            key_encryption_key_previous_file: None,
            sp_signing_algorithm: "rsa-3072".into(),
            trusted_proxies: String::new(),
            live_max_subscriptions: 1000,
            live_poll_interval_ms: 1000,
            live_recheck_seconds: 30,
            webhook_give_up_hours: 24,
            webhook_retry_base_seconds: 5,
            webhook_retry_cap_seconds: 3600,
            webhook_lease_seconds: 60,
            webhook_concurrency: 4,
            webhook_poll_interval_ms: 1000,
            webhook_timeout_seconds: 10,
            webhook_max_response_bytes: 64 * 1024,
            webhook_retention_days: 7,
            webhook_secret_overlap_hours: 24,
        }
    }
}

/// A config problem, named so an operator can fix it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Invalid(String),
    #[error("configuration file {path}: {message}")]
    File { path: String, message: String },
}

impl Config {
    /// Loads the layers. `file` is the `--config` flag; `GATEHOUSE_CONFIG` names one too;
    /// `./gatehouse.toml` is read when present.
    pub fn load(file: Option<&Path>) -> Result<(Config, Vec<String>), ConfigError> {
        let env_file = std::env::var_os("GATEHOUSE_CONFIG").map(PathBuf::from);
        let path = file.map(Path::to_path_buf).or(env_file);
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        let mut warnings = Vec::new();
        match &path {
            Some(p) if !p.exists() => {
                return Err(ConfigError::File { path: p.display().to_string(), message: "does not exist".into() });
            }
            Some(p) => fig = fig.merge(Toml::file(p)),
            None if Path::new("gatehouse.toml").exists() => fig = fig.merge(Toml::file("gatehouse.toml")),
            None => {}
        }
        fig = fig
            // GATEHOUSE_BIN and GATEHOUSE_TEST_POSTGRES_URL belong to the test tooling, not the server.
            .merge(Env::prefixed("GATEHOUSE_").ignore(&["config", "bin", "test_postgres_url"]))
            .merge(Env::raw().only(&["database_url"]));
        let all: figment::value::Dict = fig.extract().map_err(|e| ConfigError::Invalid(e.to_string()))?;
        for key in all.keys() {
            if !KNOWN_KEYS.contains(&key.as_str()) {
                warnings.push(format!("unknown configuration key {key:?} is ignored"));
            }
        }
        let mut cfg: Config = fig.extract().map_err(|e| ConfigError::Invalid(e.to_string()))?;
        if let Some(p) = &cfg.bootstrap_password_file {
            let secret = std::fs::read_to_string(p).map_err(|e| ConfigError::File {
                path: p.display().to_string(),
                message: format!("cannot read the bootstrap password: {e}"),
            })?;
            cfg.bootstrap_password = Some(secret.trim_end_matches(['\r', '\n']).to_owned());
        }
        if let Some(p) = &cfg.metrics_token_file {
            let secret = std::fs::read_to_string(p).map_err(|e| ConfigError::File {
                path: p.display().to_string(),
                message: format!("cannot read the metrics token: {e}"),
            })?;
            cfg.metrics_token = Some(secret.trim_end_matches(['\r', '\n']).to_owned());
        }
        for (file, slot, what) in [
            (&cfg.key_encryption_key_file, &mut cfg.key_encryption_key, "key-encryption key"),
            (
                &cfg.key_encryption_key_previous_file,
                &mut cfg.key_encryption_key_previous,
                "previous key-encryption key",
            ),
        ] {
            if let Some(p) = file {
                let secret = std::fs::read_to_string(p).map_err(|e| ConfigError::File {
                    path: p.display().to_string(),
                    message: format!("cannot read the {what}: {e}"),
                })?;
                *slot = Some(secret.trim().to_owned());
            }
        }
        cfg.check_sp_keys()?;
        if cfg.metrics_token.as_deref().is_some_and(|t| t.trim().len() < 16) {
            return Err(ConfigError::Invalid("metrics_token must be at least 16 characters".into()));
        }
        for (key, value) in
            [("graphql_max_body_bytes", cfg.graphql_max_body_bytes), ("acs_max_body_bytes", cfg.acs_max_body_bytes)]
        {
            if !BODY_LIMIT_RANGE.contains(&value) {
                return Err(ConfigError::Invalid(format!(
                    "{key} is {value}; it must be between {} and {} bytes",
                    BODY_LIMIT_RANGE.start(),
                    BODY_LIMIT_RANGE.end()
                )));
            }
        }
        if let Some(u) = &cfg.public_url {
            let parsed = url::Url::parse(u)
                .map_err(|_| ConfigError::Invalid(format!("GATEHOUSE_PUBLIC_URL {u:?} is not an absolute URL")))?;
            if !matches!(parsed.scheme(), "http" | "https") || parsed.query().is_some() {
                return Err(ConfigError::Invalid(format!(
                    "GATEHOUSE_PUBLIC_URL {u:?} must be an http(s) URL without a query"
                )));
            }
        }
        if cfg.database_pool_size.is_some_and(|n| !(1..=1000).contains(&n)) {
            return Err(ConfigError::Invalid(format!(
                "database_pool_size is {}; it must be between 1 and 1000 connections",
                cfg.database_pool_size.unwrap_or_default()
            )));
        }
        if cfg.session_idle_minutes < 1 || cfg.session_absolute_hours < 1 {
            return Err(ConfigError::Invalid("session timeouts must be positive".into()));
        }
        if cfg.throttle_password_window_minutes == 0
            || cfg.throttle_acs_window_minutes == 0
            || cfg.throttle_backoff_base_ms == 0
            || cfg.throttle_backoff_cap_seconds == 0
            || cfg.password_hashing_concurrency == Some(0)
        {
            return Err(ConfigError::Invalid(
                "throttle windows, back-off times and the password hashing concurrency must be positive".into(),
            ));
        }
        cfg.check_outbound()?;
        cfg.check_domains()?;
        cfg.trusted_proxies()?;
        cfg.check_live()?;
        cfg.check_webhooks()?;
        Ok((cfg, warnings))
    }

    /// The key-encryption keys and the signing algorithm, named when wrong (never echoed).
    fn check_sp_keys(&self) -> Result<(), ConfigError> {
        for (key, value) in [
            ("key_encryption_key (GATEHOUSE_KEY_ENCRYPTION_KEY)", &self.key_encryption_key),
            ("key_encryption_key_previous (GATEHOUSE_KEY_ENCRYPTION_KEY_PREVIOUS)", &self.key_encryption_key_previous),
        ] {
            if let Some(v) = value {
                KeyEncryptionKey::parse(v).map_err(|why| ConfigError::Invalid(format!("{key} {why}")))?;
            }
        }
        if self.key_encryption_key.is_none() && self.key_encryption_key_previous.is_some() {
            return Err(ConfigError::Invalid(
                "key_encryption_key_previous is set without key_encryption_key: name the new key to rotate to".into(),
            ));
        }
        if KeyAlgorithm::parse(&self.sp_signing_algorithm).is_none() {
            return Err(ConfigError::Invalid(format!(
                "sp_signing_algorithm is {:?}; it must be rsa-3072 or p-256",
                self.sp_signing_algorithm
            )));
        }
        Ok(())
    }

    /// The SP key policy when a key-encryption key is configured.
    pub(crate) fn configured_sp_keys(&self) -> Option<SpKeyPolicy> {
        let current = KeyEncryptionKey::parse(self.key_encryption_key.as_deref()?).ok()?;
        Some(SpKeyPolicy {
            current,
            previous: self.key_encryption_key_previous.as_deref().and_then(|k| KeyEncryptionKey::parse(k).ok()),
            signing_algorithm: self.signing_algorithm(),
        })
    }

    pub(crate) fn signing_algorithm(&self) -> KeyAlgorithm {
        KeyAlgorithm::parse(&self.sp_signing_algorithm).unwrap_or(KeyAlgorithm::Rsa3072)
    }

    /// The bounds of the outbound (IdP metadata URL) settings.
    fn check_outbound(&self) -> Result<(), ConfigError> {
        if !(1024..=16 * 1024 * 1024).contains(&self.outbound_max_bytes) {
            return Err(ConfigError::Invalid(format!(
                "outbound_max_bytes is {}; it must be between 1024 and 16777216 bytes",
                self.outbound_max_bytes
            )));
        }
        if !(1..=120).contains(&self.outbound_timeout_seconds) {
            return Err(ConfigError::Invalid(format!(
                "outbound_timeout_seconds is {}; it must be between 1 and 120",
                self.outbound_timeout_seconds
            )));
        }
        if !(5..=86_400).contains(&self.metadata_refresh_interval_seconds) {
            return Err(ConfigError::Invalid(format!(
                "metadata_refresh_interval_seconds is {}; it must be between 5 and 86400",
                self.metadata_refresh_interval_seconds
            )));
        }
        Ok(())
    }

    /// Every webhook setting within its bounds, named when not.
    fn check_webhooks(&self) -> Result<(), ConfigError> {
        let checks: [(&str, u64, std::ops::RangeInclusive<u64>); 10] = [
            ("webhook_give_up_hours", self.webhook_give_up_hours, 1..=720),
            ("webhook_retry_base_seconds", self.webhook_retry_base_seconds, 1..=3600),
            ("webhook_retry_cap_seconds", self.webhook_retry_cap_seconds, 1..=86_400),
            ("webhook_lease_seconds", self.webhook_lease_seconds, 1..=3600),
            ("webhook_concurrency", self.webhook_concurrency as u64, 1..=64),
            ("webhook_poll_interval_ms", self.webhook_poll_interval_ms, 50..=60_000),
            ("webhook_timeout_seconds", self.webhook_timeout_seconds, 1..=60),
            ("webhook_max_response_bytes", self.webhook_max_response_bytes as u64, 1024..=1024 * 1024),
            ("webhook_retention_days", self.webhook_retention_days, 1..=365),
            ("webhook_secret_overlap_hours", self.webhook_secret_overlap_hours, 0..=720),
        ];
        for (key, value, range) in checks {
            if !range.contains(&value) {
                return Err(ConfigError::Invalid(format!(
                    "{key} is {value}; it must be between {} and {}",
                    range.start(),
                    range.end()
                )));
            }
        }
        if self.webhook_lease_seconds <= self.webhook_timeout_seconds {
            return Err(ConfigError::Invalid(format!(
                "webhook_lease_seconds ({}) must be longer than webhook_timeout_seconds ({}): a delivery \
                 must end before its lease does",
                self.webhook_lease_seconds, self.webhook_timeout_seconds
            )));
        }
        Ok(())
    }

    /// The SSRF guard's policy for webhook deliveries: the operator's allowed hosts, the
    /// webhook time and answer-size limits, no redirects (a receiver answers, it does not
    /// send us elsewhere).
    pub(crate) fn webhook_outbound(&self) -> OutboundPolicy {
        OutboundPolicy {
            max_bytes: self.webhook_max_response_bytes,
            timeout: Duration::from_secs(self.webhook_timeout_seconds),
            max_redirects: 0,
            ..self.outbound()
        }
    }

    /// How webhook deliveries are retried, leased and kept.
    pub(crate) fn webhook_policy(&self) -> WebhookPolicy {
        let secs = |s: u64| chrono::Duration::seconds(i64::try_from(s).unwrap_or(i64::MAX / 1000));
        WebhookPolicy {
            give_up_after: secs(self.webhook_give_up_hours * 3600),
            retry_base: secs(self.webhook_retry_base_seconds),
            retry_cap: secs(self.webhook_retry_cap_seconds),
            lease: secs(self.webhook_lease_seconds),
            concurrency: self.webhook_concurrency,
            retention: secs(self.webhook_retention_days * 86_400),
            secret_overlap: secs(self.webhook_secret_overlap_hours * 3600),
        }
    }

    /// The SSRF guard's policy for outbound requests.
    pub(crate) fn outbound(&self) -> OutboundPolicy {
        OutboundPolicy {
            allowed_hosts: self
                .outbound_allowed_hosts
                .split(',')
                .map(str::trim)
                .filter(|h| !h.is_empty())
                .map(str::to_owned)
                .collect(),
            max_bytes: self.outbound_max_bytes,
            timeout: Duration::from_secs(self.outbound_timeout_seconds),
            ..OutboundPolicy::default()
        }
    }

    /// The attempt limits and the hashing pool, as the identity services take them.
    pub(crate) fn limits(&self) -> Limits {
        let base = Duration::from_millis(self.throttle_backoff_base_ms);
        let cap = Duration::from_secs(self.throttle_backoff_cap_seconds);
        let policy = |free: u32, window: Duration, cap: Duration| Policy { free, window, base, cap };
        let password_window = Duration::from_secs(60 * self.throttle_password_window_minutes);
        let acs_window = Duration::from_secs(60 * self.throttle_acs_window_minutes);
        let minute = Duration::from_secs(60);
        let defaults = Limits::default();
        Limits {
            password_per_account: policy(self.throttle_password_account_failures, password_window, cap),
            password_per_address: policy(self.throttle_password_address_failures, password_window, cap),
            // A short cap: the Issuer is unsigned at this point, so a long wait would let
            // anyone who knows it hold up the tenant's SSO for long.
            acs_per_issuer: policy(self.throttle_acs_issuer_failures, acs_window, cap.min(minute)),
            acs_per_address: policy(self.throttle_acs_address_failures, acs_window, cap),
            scim_per_token: policy(self.throttle_scim_requests_per_minute, minute, cap.min(minute)),
            api_per_token: policy(self.throttle_api_requests_per_minute, minute, cap.min(minute)),
            hashing_concurrency: self.password_hashing_concurrency.unwrap_or(defaults.hashing_concurrency),
            hashing_queue: self.password_hashing_queue.unwrap_or(defaults.hashing_queue),
            hashing_wait: Duration::from_millis(self.password_hashing_wait_ms),
        }
    }

    /// The live sign-in log's bounds.
    fn check_live(&self) -> Result<(), ConfigError> {
        for (key, value, range) in [
            ("live_max_subscriptions", self.live_max_subscriptions as u64, 1..=100_000),
            ("live_poll_interval_ms", self.live_poll_interval_ms, 50..=60_000),
            ("live_recheck_seconds", self.live_recheck_seconds, 1..=3600),
        ] {
            if !range.contains(&value) {
                return Err(ConfigError::Invalid(format!(
                    "{key} is {value}; it must be between {} and {}",
                    range.start(),
                    range.end()
                )));
            }
        }
        Ok(())
    }

    /// The live sign-in log's limits, as the identity services take them.
    pub(crate) fn live_limits(&self) -> gatehouse_identity::LiveLimits {
        gatehouse_identity::LiveLimits {
            poll_interval: Duration::from_millis(self.live_poll_interval_ms),
            per_process: self.live_max_subscriptions,
            ..gatehouse_identity::LiveLimits::default()
        }
    }

    /// The proxies whose `X-Forwarded-For` is believed.
    pub(crate) fn trusted_proxies(&self) -> Result<crate::client_address::TrustedProxies, ConfigError> {
        crate::client_address::TrustedProxies::parse(&self.trusted_proxies)
            .map_err(|why| ConfigError::Invalid(format!("trusted_proxies (GATEHOUSE_TRUSTED_PROXIES): {why}")))
    }

    /// The public base URL without a trailing slash.
    pub(crate) fn public_url(&self) -> String {
        match &self.public_url {
            Some(u) => u.trim_end_matches('/').to_owned(),
            None => format!("http://{}", self.listen),
        }
    }
}

/// A database URL with any password hidden, for logs.
pub(crate) fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn outbound_settings_are_bounded_and_hosts_listed() {
        let ok = Config { outbound_allowed_hosts: " idp.corp.example , 10.1.2.3,,".into(), ..Config::default() };
        assert!(ok.check_outbound().is_ok());
        assert_eq!(ok.outbound().allowed_hosts, ["idp.corp.example", "10.1.2.3"]);
        assert_eq!(ok.outbound().timeout, Duration::from_secs(10));
        for (bad, key) in [
            (Config { outbound_max_bytes: 1000, ..Config::default() }, "outbound_max_bytes"),
            (Config { outbound_max_bytes: 17 * 1024 * 1024, ..Config::default() }, "outbound_max_bytes"),
            (Config { outbound_timeout_seconds: 0, ..Config::default() }, "outbound_timeout_seconds"),
            (Config { outbound_timeout_seconds: 121, ..Config::default() }, "outbound_timeout_seconds"),
            (Config { metadata_refresh_interval_seconds: 4, ..Config::default() }, "metadata_refresh_interval_seconds"),
        ] {
            let e = bad.check_outbound().unwrap_err().to_string();
            assert!(e.contains(key), "{e}");
        }
    }

    #[test]
    fn webhook_settings_are_bounded() {
        assert!(Config::default().check_webhooks().is_ok());
        let policy = Config::default().webhook_policy();
        assert_eq!(policy.give_up_after, chrono::Duration::hours(24));
        assert_eq!(Config::default().webhook_outbound().max_redirects, 0);
        for (bad, key) in [
            (Config { webhook_give_up_hours: 0, ..Config::default() }, "webhook_give_up_hours"),
            (Config { webhook_concurrency: 65, ..Config::default() }, "webhook_concurrency"),
            (Config { webhook_max_response_bytes: 100, ..Config::default() }, "webhook_max_response_bytes"),
            (Config { webhook_poll_interval_ms: 10, ..Config::default() }, "webhook_poll_interval_ms"),
            (Config { webhook_lease_seconds: 10, ..Config::default() }, "webhook_lease_seconds"),
        ] {
            let e = bad.check_webhooks().unwrap_err().to_string();
            assert!(e.contains(key), "{e}");
        }
    }
}
