//! Who a request came from, for the per-client limits (the failed-key
//! throttle, failed sign-ins). It is the connection's peer address, unless
//! that peer is a proxy the operator trusts (`--trusted-proxy`): then it is
//! the nearest address in `X-Forwarded-For`, read from the right, that is not
//! itself a trusted proxy. Headers from anyone else are ignored, so a client
//! cannot pick its own address.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;

use crate::cidr::Cidr;
use crate::state::AppState;

/// The proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<Cidr>);

impl TrustedProxies {
    /// Proxies given as CIDRs or addresses.
    pub fn parse(entries: &[String]) -> Result<TrustedProxies, String> {
        entries
            .iter()
            .map(|e| e.trim())
            .filter(|e| !e.is_empty())
            .map(|entry| {
                Cidr::parse(entry).ok_or_else(|| {
                    format!(
                        "trusted proxy '{entry}' is not an address or CIDR (such as 10.0.0.0/8 or fd00::/8)"
                    )
                })
            })
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|block| block.contains(ip))
    }

    /// The client behind `peer`, as [the module](self) says.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        let mut client = peer;
        for hop in hops.into_iter().rev() {
            let Some(ip) = hop_address(hop) else {
                // Whatever is left of an entry that is not an address was
                // written by someone untrusted: stop at the last good one.
                return client;
            };
            client = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        client
    }
}

/// An `X-Forwarded-For` entry's address: `1.2.3.4`, `1.2.3.4:5678`, `::1` or `[::1]:5678`.
fn hop_address(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

/// The request's client address (`None` only where no connection is known,
/// as in requests made inside the process).
pub struct ClientAddress(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(ClientAddress(peer.map(|peer| {
            state.trusted_proxies.client(peer, &parts.headers)
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append("x-forwarded-for", v.parse().unwrap());
        }
        headers
    }

    fn proxies(entries: &[&str]) -> TrustedProxies {
        TrustedProxies::parse(&entries.iter().map(|e| e.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_says() {
        let none = TrustedProxies::default();
        let spoof = forwarded(&["203.0.113.9"]);
        assert_eq!(none.client(ip("198.51.100.1"), &spoof), ip("198.51.100.1"));
        let lb = proxies(&["10.0.0.0/8"]);
        assert_eq!(lb.client(ip("198.51.100.1"), &spoof), ip("198.51.100.1"));
    }

    #[test]
    fn behind_trusted_proxies_the_nearest_untrusted_hop_is_the_client() {
        let lb = proxies(&["10.0.0.0/8", "fd00::/8"]);
        let peer = ip("10.0.0.2");
        assert_eq!(
            lb.client(peer, &HeaderMap::new()),
            peer,
            "no header: the proxy"
        );
        assert_eq!(
            lb.client(peer, &forwarded(&["203.0.113.9"])),
            ip("203.0.113.9")
        );
        // The client wrote a fake first entry; the proxies appended the rest.
        let chain = forwarded(&["1.1.1.1, 203.0.113.9", "10.1.1.1"]);
        assert_eq!(lb.client(peer, &chain), ip("203.0.113.9"));
        assert_eq!(
            lb.client(peer, &forwarded(&["[2001:db8::5]:4711, fd00::3"])),
            ip("2001:db8::5")
        );
        assert_eq!(
            lb.client(peer, &forwarded(&["203.0.113.9:80"])),
            ip("203.0.113.9")
        );
        assert_eq!(
            lb.client(peer, &forwarded(&["203.0.113.9, garbage, 10.3.3.3"])),
            ip("10.3.3.3"),
            "an entry that is no address ends the walk"
        );
        assert_eq!(lb.client(peer, &forwarded(&["10.4.4.4"])), ip("10.4.4.4"));
    }

    #[test]
    fn entries_that_are_not_addresses_are_refused() {
        let e = TrustedProxies::parse(&["10.0.0.0/8".into(), "lb.internal".into()]).unwrap_err();
        assert!(e.contains("'lb.internal' is not an address or CIDR"), "{e}");
        assert!(TrustedProxies::parse(&[" ".into()]).unwrap().0.is_empty());
    }
}
