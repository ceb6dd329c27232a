//! DNS TXT lookups: the one resolver interface ([`TxtResolver`]) every DNS question
//! Gatehouse asks goes through (today: domain-ownership records), and the production
//! implementation over hickory-resolver ([`HickoryTxtResolver`]).
//!
//! Every answer is bounded the same way, whichever resolver produced it ([`DnsLimits`]):
//! the whole lookup within a timeout, at most `max_records` TXT records and at most
//! `max_record_bytes` per record (the strings of one record joined, as RFC 7208 does).
//! Nothing is cached: an admin who has just created a record and clicks "Verify now"
//! must not be answered from a cached "no such name".

use std::net::SocketAddr;
use std::time::Duration;

use hickory_resolver::config::{NameServerConfigGroup, ResolverConfig, ResolverOpts};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::{ResolveErrorKind, TokioResolver};

/// Bounds on one lookup.
#[derive(Clone, Copy, Debug)]
pub struct DnsLimits {
    /// The whole lookup, retries included.
    pub timeout: Duration,
    /// TXT records accepted in one answer; more is an error, not a silent cut.
    pub max_records: usize,
    /// Bytes of one record (its strings joined).
    pub max_record_bytes: usize,
}

impl Default for DnsLimits {
    fn default() -> Self {
        Self { timeout: Duration::from_secs(5), max_records: 32, max_record_bytes: 1024 }
    }
}

/// Why a lookup gave no usable answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DnsError {
    /// The name exists with no TXT records, or does not exist: a definite answer.
    #[error("no TXT record found at {0}")]
    NoRecords(String),
    #[error("the DNS lookup of {0} timed out")]
    Timeout(String),
    #[error("{name} has more than {max} TXT records")]
    TooManyRecords { name: String, max: usize },
    #[error("a TXT record at {name} is longer than {max} bytes")]
    RecordTooLong { name: String, max: usize },
    /// Anything else (server failure, refused, network): may pass, so not a definite answer.
    #[error("the DNS lookup of {name} failed: {reason}")]
    Failed { name: String, reason: String },
}

impl DnsError {
    /// A definite "the record is not there" (as opposed to "we could not find out").
    pub fn is_definite(&self) -> bool {
        matches!(self, DnsError::NoRecords(_) | DnsError::TooManyRecords { .. } | DnsError::RecordTooLong { .. })
    }
}

/// Answers "which TXT records does this name have?". Production uses
/// [`HickoryTxtResolver`]; tests put an in-process fake behind the same trait.
#[async_trait::async_trait]
pub trait TxtResolver: Send + Sync {
    /// The TXT records at `name` (an ASCII domain name), each record's strings joined.
    async fn txt(&self, name: &str) -> Result<Vec<String>, DnsError>;
}

/// Applies [`DnsLimits`] to records however they were found: the one place the bounds live.
pub fn bounded(name: &str, records: Vec<Vec<u8>>, limits: &DnsLimits) -> Result<Vec<String>, DnsError> {
    if records.len() > limits.max_records {
        return Err(DnsError::TooManyRecords { name: name.to_owned(), max: limits.max_records });
    }
    if records.iter().any(|r| r.len() > limits.max_record_bytes) {
        return Err(DnsError::RecordTooLong { name: name.to_owned(), max: limits.max_record_bytes });
    }
    Ok(records.into_iter().map(|r| String::from_utf8_lossy(&r).into_owned()).collect())
}

/// The production resolver: hickory over UDP (TCP on truncation), no cache, bounded.
pub struct HickoryTxtResolver {
    resolver: TokioResolver,
    limits: DnsLimits,
}

impl HickoryTxtResolver {
    /// Uses the system's name servers (`/etc/resolv.conf`).
    pub fn system(limits: DnsLimits) -> Result<Self, DnsError> {
        let mut builder = TokioResolver::builder_tokio()
            .map_err(|e| DnsError::Failed { name: "/etc/resolv.conf".into(), reason: e.to_string() })?;
        configure(builder.options_mut(), &limits);
        Ok(Self { resolver: builder.build(), limits })
    }

    /// Asks exactly these name servers (an operator's choice, or a test's local server).
    pub fn with_servers(servers: &[SocketAddr], limits: DnsLimits) -> Self {
        let mut group = NameServerConfigGroup::new();
        for s in servers {
            group.merge(NameServerConfigGroup::from_ips_clear(&[s.ip()], s.port(), true));
        }
        let config = ResolverConfig::from_parts(None, vec![], group);
        let mut builder = TokioResolver::builder_with_config(config, TokioConnectionProvider::default());
        configure(builder.options_mut(), &limits);
        Self { resolver: builder.build(), limits }
    }
}

fn configure(opts: &mut ResolverOpts, limits: &DnsLimits) {
    // Two tries within the budget; the outer timeout below is the hard bound.
    opts.timeout = limits.timeout / 2;
    opts.attempts = 1;
    opts.positive_max_ttl = Some(Duration::ZERO);
    opts.negative_max_ttl = Some(Duration::ZERO);
    opts.cache_size = 1;
    // Names are absolute: no search list, no hosts file.
    opts.ndots = 0;
    opts.use_hosts_file = hickory_resolver::config::ResolveHosts::Never;
}

#[async_trait::async_trait]
impl TxtResolver for HickoryTxtResolver {
    async fn txt(&self, name: &str) -> Result<Vec<String>, DnsError> {
        let fqdn = format!("{}.", name.trim_end_matches('.'));
        let lookup = tokio::time::timeout(self.limits.timeout, self.resolver.txt_lookup(fqdn)).await;
        let answer = match lookup {
            Err(_) => return Err(DnsError::Timeout(name.to_owned())),
            Ok(Err(e)) if e.is_no_records_found() || e.is_nx_domain() => {
                return Err(DnsError::NoRecords(name.to_owned()));
            }
            Ok(Err(e)) => {
                let timed_out = matches!(e.kind(), ResolveErrorKind::Proto(p) if matches!(p.kind(), hickory_resolver::proto::ProtoErrorKind::Timeout));
                return Err(if timed_out {
                    DnsError::Timeout(name.to_owned())
                } else {
                    DnsError::Failed { name: name.to_owned(), reason: e.to_string() }
                });
            }
            Ok(Ok(answer)) => answer,
        };
        let records: Vec<Vec<u8>> = answer.iter().map(|txt| txt.txt_data().concat()).collect();
        bounded(name, records, &self.limits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_count_and_size() {
        let limits = DnsLimits { max_records: 2, max_record_bytes: 4, ..DnsLimits::default() };
        assert_eq!(bounded("a.test", vec![b"ab".to_vec()], &limits).unwrap(), vec!["ab"]);
        assert!(matches!(
            bounded("a.test", vec![vec![], vec![], vec![]], &limits),
            Err(DnsError::TooManyRecords { max: 2, .. })
        ));
        assert!(matches!(bounded("a.test", vec![b"abcde".to_vec()], &limits), Err(DnsError::RecordTooLong { .. })));
    }
}
