//! Who the client is, behind load balancers: the one place that turns the TCP peer and
//! `X-Forwarded-For` into the client address the per-address throttles and the sign-in log
//! use. Handlers read [`ClientAddress`] (set by [`resolve`], layered over every route) and
//! never the peer or the header themselves.
//!
//! The header is believed only as far as `GATEHOUSE_TRUSTED_PROXIES` (CIDR blocks) vouches
//! for it, with the usual right-to-left walk: when the peer is a trusted proxy, the client
//! is the right-most `X-Forwarded-For` entry that is not itself a trusted proxy. Anything to
//! the left of that was written by the client and may be forged. With no trusted proxies
//! (the default) the header is ignored and the peer is the client.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;

/// The most `X-Forwarded-For` entries walked: a longer chain of trusted hops is not a
/// real deployment, and the walk stays bounded whatever a client sends.
const MAX_HOPS: usize = 32;

/// The client's address as this request's handlers see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ClientAddress(pub IpAddr);

/// The proxies whose `X-Forwarded-For` is believed (`GATEHOUSE_TRUSTED_PROXIES`).
#[derive(Clone, Debug, Default)]
pub(crate) struct TrustedProxies(Arc<Vec<IpNet>>);

impl TrustedProxies {
    /// Parses a comma-separated list of CIDR blocks or single addresses; names the first
    /// entry that is neither.
    pub(crate) fn parse(list: &str) -> Result<TrustedProxies, String> {
        let mut nets = Vec::new();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let net = entry
                .parse::<IpNet>()
                .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("{entry:?} is not a CIDR block (10.0.0.0/8) or an IP address"))?;
            nets.push(net.trunc());
        }
        Ok(TrustedProxies(Arc::new(nets)))
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client address for a request from `peer` carrying `headers`.
    pub(crate) fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.trusts(client) {
            return client;
        }
        // Several header lines are one list, in order (RFC 9110 §5.3).
        let entries: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        for entry in entries.iter().rev().take(MAX_HOPS) {
            let Some(hop) = parse_hop(entry) else {
                // A malformed entry ends what can be believed: the client is the last
                // trusted hop that handed it over.
                tracing::debug!(entry = %entry, "X-Forwarded-For: malformed entry; using the last trusted hop");
                return client;
            };
            client = hop;
            if !self.trusts(hop) {
                return hop;
            }
        }
        client
    }
}

/// One `X-Forwarded-For` entry: an address, possibly with a port (`192.0.2.1:4711`,
/// `[2001:db8::1]:4711`).
fn parse_hop(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .map(|ip| ip.to_canonical())
}

/// Sets [`ClientAddress`] on every request that came over a socket (tests that call the
/// router directly without a peer get none, as before).
pub(crate) async fn resolve(State(proxies): State<TrustedProxies>, mut req: Request, next: Next) -> Response {
    if let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<SocketAddr>>().copied() {
        let client = proxies.client(peer.ip(), req.headers());
        req.extensions_mut().insert(ClientAddress(client));
    }
    next.run(req).await
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn xff(values: &[&'static str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let none = TrustedProxies::parse("").unwrap();
        assert_eq!(none.client(ip("198.51.100.7"), &xff(&["203.0.113.9"])), ip("198.51.100.7"));
    }

    #[test]
    fn a_spoofed_header_from_an_untrusted_peer_is_ignored() {
        let proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
        assert_eq!(proxies.client(ip("198.51.100.7"), &xff(&["10.0.0.5, 203.0.113.9"])), ip("198.51.100.7"));
    }

    #[test]
    fn a_chain_through_trusted_proxies_resolves_to_the_first_untrusted_hop() {
        let proxies = TrustedProxies::parse("10.0.0.0/8, 192.168.1.1").unwrap();
        // The client forged "1.1.1.1"; the outer proxy 192.168.1.1 saw 203.0.113.9.
        let h = xff(&["1.1.1.1, 203.0.113.9", "192.168.1.1"]);
        assert_eq!(proxies.client(ip("10.0.0.2"), &h), ip("203.0.113.9"));
        // Ports and IPv6 entries, and an IPv4-mapped peer.
        let h = xff(&["[2001:db8::1]:4711, 192.168.1.1:80"]);
        assert_eq!(proxies.client(ip("::ffff:10.0.0.2"), &h), ip("2001:db8::1"));
        // Every hop trusted: the left-most is the best that is known.
        assert_eq!(proxies.client(ip("10.0.0.2"), &xff(&["10.9.9.9, 10.0.0.3"])), ip("10.9.9.9"));
        // A trusted peer that sent no header is the client.
        assert_eq!(proxies.client(ip("10.0.0.2"), &HeaderMap::new()), ip("10.0.0.2"));
    }

    #[test]
    fn a_malformed_entry_stops_the_walk_at_the_last_trusted_hop() {
        let proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
        assert_eq!(proxies.client(ip("10.0.0.2"), &xff(&["203.0.113.9, not-an-ip"])), ip("10.0.0.2"));
        assert_eq!(proxies.client(ip("10.0.0.2"), &xff(&["bogus, 10.0.0.3"])), ip("10.0.0.3"));
        assert_eq!(proxies.client(ip("10.0.0.2"), &xff(&[" , "])), ip("10.0.0.2"));
    }

    #[test]
    fn the_walk_is_bounded() {
        let proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
        let long = std::iter::repeat_n("10.1.1.1", 1000).collect::<Vec<_>>().join(",");
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_str(&format!("203.0.113.9,{long}")).unwrap());
        // The forged-looking far end is never reached: the walk stops after MAX_HOPS.
        assert_eq!(proxies.client(ip("10.0.0.2"), &h), ip("10.1.1.1"));
    }

    #[test]
    fn bad_entries_are_named() {
        let e = TrustedProxies::parse("10.0.0.0/8, proxy.internal").unwrap_err();
        assert!(e.contains("proxy.internal"), "{e}");
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
    }
}
