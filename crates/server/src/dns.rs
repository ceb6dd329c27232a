//! Domain verification's settings: the DNS resolver (hickory; the system's name servers
//! or `GATEHOUSE_DNS_SERVERS`) and the re-check policy, each bounded.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use gatehouse_identity::DomainPolicy;
use gatehouse_outbound::dns::{DnsLimits, HickoryTxtResolver, TxtResolver};

use crate::config::{Config, ConfigError};

impl Config {
    /// The bounds of the DNS and domain re-check settings.
    pub(crate) fn check_domains(&self) -> Result<(), ConfigError> {
        let bad = |m: String| Err(ConfigError::Invalid(m));
        if !(1..=30).contains(&self.dns_timeout_seconds) {
            return bad(format!("dns_timeout_seconds is {}; it must be between 1 and 30", self.dns_timeout_seconds));
        }
        if !(10..=30 * 86_400).contains(&self.domain_recheck_interval_seconds) {
            return bad(format!(
                "domain_recheck_interval_seconds is {}; it must be between 10 and 2592000 (30 days)",
                self.domain_recheck_interval_seconds
            ));
        }
        if self.domain_grace_seconds > 90 * 86_400 {
            return bad(format!(
                "domain_grace_seconds is {}; it must be at most 7776000 (90 days)",
                self.domain_grace_seconds
            ));
        }
        if !(1..=32).contains(&self.domain_recheck_concurrency) {
            return bad(format!(
                "domain_recheck_concurrency is {}; it must be between 1 and 32",
                self.domain_recheck_concurrency
            ));
        }
        self.dns_server_addresses().map(|_| ())
    }

    fn dns_server_addresses(&self) -> Result<Vec<SocketAddr>, ConfigError> {
        self.dns_servers
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<SocketAddr>()
                    .or_else(|_| s.parse::<std::net::IpAddr>().map(|ip| SocketAddr::new(ip, 53)))
                    .map_err(|_| {
                        ConfigError::Invalid(format!(
                            "dns_servers: {s:?} is not an IP address (with an optional :port)"
                        ))
                    })
            })
            .collect()
    }

    /// How verified domains are re-checked.
    pub(crate) fn domain_policy(&self) -> DomainPolicy {
        let every = chrono::Duration::seconds(i64::try_from(self.domain_recheck_interval_seconds).unwrap_or(i64::MAX));
        DomainPolicy {
            recheck_every: every,
            grace: chrono::Duration::seconds(i64::try_from(self.domain_grace_seconds).unwrap_or(i64::MAX)),
            retry_after_failure: every.min(chrono::Duration::hours(1)),
            concurrency: self.domain_recheck_concurrency,
        }
    }

    /// How often the scheduler looks for domains due for a re-check.
    pub fn domain_tick(&self) -> Duration {
        Duration::from_secs(self.domain_recheck_interval_seconds.min(60))
    }

    /// The resolver domain verification uses.
    pub(crate) fn resolver(&self) -> anyhow::Result<Arc<dyn TxtResolver>> {
        let limits = DnsLimits { timeout: Duration::from_secs(self.dns_timeout_seconds), ..DnsLimits::default() };
        let servers = self.dns_server_addresses()?;
        Ok(if servers.is_empty() {
            Arc::new(HickoryTxtResolver::system(limits).map_err(|e| anyhow::anyhow!("DNS resolver: {e}"))?)
        } else {
            Arc::new(HickoryTxtResolver::with_servers(&servers, limits))
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn domain_settings_are_bounded() {
        let ok = Config { dns_servers: "127.0.0.1:5353, 10.0.0.2".into(), ..Config::default() };
        assert!(ok.check_domains().is_ok());
        assert_eq!(ok.dns_server_addresses().unwrap().len(), 2);
        assert_eq!(ok.domain_policy().grace, chrono::Duration::hours(72));
        for (bad, key) in [
            (Config { dns_timeout_seconds: 0, ..Config::default() }, "dns_timeout_seconds"),
            (Config { dns_timeout_seconds: 31, ..Config::default() }, "dns_timeout_seconds"),
            (Config { domain_recheck_interval_seconds: 9, ..Config::default() }, "domain_recheck_interval_seconds"),
            (Config { domain_grace_seconds: 91 * 86_400, ..Config::default() }, "domain_grace_seconds"),
            (Config { domain_recheck_concurrency: 0, ..Config::default() }, "domain_recheck_concurrency"),
            (Config { dns_servers: "dns.example".into(), ..Config::default() }, "dns_servers"),
        ] {
            let e = bad.check_domains().unwrap_err().to_string();
            assert!(e.contains(key), "{e}");
        }
    }
}
