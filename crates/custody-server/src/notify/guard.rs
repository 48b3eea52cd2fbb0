//! Where webhooks may go. Anyone who can create an action names a URL the
//! server will POST to, so the server refuses addresses inside its own
//! network: loopback, private (RFC 1918), link-local (with the cloud metadata
//! address 169.254.169.254), CGNAT, unique-local, multicast, unspecified and
//! reserved ranges, and IPv4 addresses wrapped in IPv6. A URL is checked when
//! the action is saved and its host resolved and every address checked again
//! right before each POST, which then connects to the checked address (so a
//! DNS answer cannot change in between). An explicit allow-list of CIDRs and
//! host names (`--webhook-allow`) opens ranges for tests and private
//! deployments.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::Url;

use crate::cidr::Cidr;

/// Host names that always mean the machine itself or its cloud's metadata.
const FORBIDDEN_NAMES: [&str; 4] = [
    "localhost",
    "metadata",
    "metadata.google.internal",
    "instance-data",
];

/// How long resolving a webhook's host may take.
const LOOKUP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Why an IPv4 address is not a public one, if it is not.
fn v4_refusal(a: Ipv4Addr) -> Option<&'static str> {
    let [o1, o2, o3, _] = a.octets();
    Some(match (o1, o2, o3) {
        _ if a.is_loopback() => "a loopback address",
        _ if a.is_private() => "a private address",
        (169, 254, _) if a == Ipv4Addr::new(169, 254, 169, 254) => "the cloud metadata address",
        _ if a.is_link_local() => "a link-local address",
        (100, 64..=127, _) => "a shared (CGNAT) address",
        _ if a.is_multicast() => "a multicast address",
        (0, ..) => "an unspecified address",
        (192, 0, 0) | (198, 18..=19, _) => "a reserved address",
        (240..=255, ..) => "a reserved address",
        _ => return None,
    })
}

/// Why an IPv6 address is not a public one, if it is not.
fn v6_refusal(a: Ipv6Addr) -> Option<&'static str> {
    let s = a.segments();
    if let Some(v4) = a.to_ipv4_mapped() {
        return v4_refusal(v4).or(Some("an IPv4-mapped address"));
    }
    Some(match s[0] {
        _ if a.is_loopback() => "a loopback address",
        _ if a.is_unspecified() => "an unspecified address",
        0xfc00..=0xfdff => "a unique-local address",
        0xfe80..=0xfebf => "a link-local address",
        0xff00..=0xffff => "a multicast address",
        0x0064 if s[1] == 0xff9b => "a NAT64 address",
        0x2002 => {
            let [a, b] = s[1].to_be_bytes();
            let [c, d] = s[2].to_be_bytes();
            return v4_refusal(Ipv4Addr::new(a, b, c, d))
                .map(|_| "a 6to4 address of a refused IPv4 one");
        }
        0x2001 if s[1] == 0x0db8 => "a documentation address",
        0 => "a reserved address",
        _ => return None,
    })
}

/// Why an address is refused, if it is.
pub fn refusal(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(a) => v4_refusal(a),
        IpAddr::V6(a) => v6_refusal(a),
    }
}

/// The allow-list and the checks.
#[derive(Debug, Clone, Default)]
pub struct WebhookGuard {
    blocks: Vec<Cidr>,
    hosts: Vec<String>,
}

impl WebhookGuard {
    /// A guard allowing these CIDRs, addresses and host names (any case).
    pub fn allowing(entries: &[String]) -> Result<WebhookGuard, String> {
        let mut guard = WebhookGuard::default();
        for entry in entries.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
            if let Some(block) = Cidr::parse(entry) {
                guard.blocks.push(block);
            } else if entry.contains('/') || entry.contains(':') {
                return Err(format!(
                    "webhook allow-list entry '{entry}' is neither a CIDR (10.0.0.0/8, fd00::/8) nor a host name"
                ));
            } else {
                guard.hosts.push(entry.to_ascii_lowercase());
            }
        }
        Ok(guard)
    }

    /// Checks a webhook URL as given (no DNS lookup): http or https, a host,
    /// and, unless allowed, no forbidden name or address.
    pub fn check_url(&self, text: &str) -> Result<Url, String> {
        let url =
            Url::parse(text).map_err(|e| format!("webhook '{text}' is not a valid URL: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("webhook '{text}' must be an http or https URL"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(format!("webhook '{text}' must not carry credentials"));
        }
        let host = match url.host() {
            Some(h) => h.to_string(),
            None => return Err(format!("webhook '{text}' has no host")),
        };
        let name = host.trim_start_matches('[').trim_end_matches(']');
        if self.hosts.contains(&name.to_ascii_lowercase()) {
            return Ok(url);
        }
        if let Ok(ip) = name.parse::<IpAddr>() {
            self.check_address(ip)?;
        } else if FORBIDDEN_NAMES.contains(&name.to_ascii_lowercase().as_str())
            || name.to_ascii_lowercase().ends_with(".localhost")
        {
            return Err(format!(
                "webhook host '{name}' is this machine or its cloud's metadata service"
            ));
        }
        Ok(url)
    }

    /// Refuses an address unless it is public or allowed.
    pub fn check_address(&self, ip: IpAddr) -> Result<(), String> {
        if self.blocks.iter().any(|b| b.contains(ip)) {
            return Ok(());
        }
        match refusal(ip) {
            Some(why) => Err(format!("webhook address {ip} is {why}")),
            None => Ok(()),
        }
    }

    /// Resolves a checked URL's host and checks every address it has; the
    /// address to connect to.
    pub async fn resolve(&self, url: &Url) -> Result<SocketAddr, String> {
        let host = url.host_str().unwrap_or_default();
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let port = url.port_or_known_default().unwrap_or(443);
        let lookup = tokio::net::lookup_host((bare, port));
        let addrs: Vec<SocketAddr> = tokio::time::timeout(LOOKUP_TIMEOUT, lookup)
            .await
            .map_err(|_| format!("cannot resolve webhook host '{host}' in time"))?
            .map_err(|e| format!("cannot resolve webhook host '{host}': {e}"))?
            .collect();
        if !self.hosts.contains(&bare.to_ascii_lowercase()) {
            for addr in &addrs {
                self.check_address(addr.ip())?;
            }
        }
        addrs
            .into_iter()
            .next()
            .ok_or_else(|| format!("webhook host '{host}' has no address"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard() -> WebhookGuard {
        WebhookGuard::default()
    }

    #[test]
    fn addresses_inside_the_network_are_refused() {
        for ip in [
            "127.0.0.1",
            "127.8.9.1",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "169.254.1.1",
            "100.64.0.1",
            "100.127.255.254",
            "224.0.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "::",
            "fc00::1",
            "fd00:ec2::254",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a00:1",
            "2002:7f00:1::1",
            "2002:a9fe:a9fe::1",
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            assert!(guard().check_address(ip).is_err(), "{ip} was allowed");
            let url = match ip {
                IpAddr::V4(_) => format!("http://{ip}/hook"),
                IpAddr::V6(_) => format!("http://[{ip}]/hook"),
            };
            assert!(guard().check_url(&url).is_err(), "{url} was allowed");
        }
    }

    #[test]
    fn public_addresses_pass() {
        for ip in ["93.184.216.34", "8.8.8.8", "100.128.0.1", "2606:4700::1111"] {
            assert_eq!(guard().check_address(ip.parse().unwrap()), Ok(()), "{ip}");
        }
    }

    #[test]
    fn urls_are_checked_before_any_lookup() {
        for (url, why) in [
            ("ftp://hooks.example.com/x", "http or https"),
            ("not a url", "not a valid URL"),
            ("http://user:pw@hooks.example.com/", "credentials"),
            ("http://localhost:8080/", "this machine"),
            ("http://app.localhost/", "this machine"),
            (
                "http://metadata.google.internal/computeMetadata/v1/",
                "metadata",
            ),
            ("http://0x7f000001/", "loopback"),
            ("http://2130706433/", "loopback"),
        ] {
            let e = guard().check_url(url).unwrap_err();
            assert!(e.contains(why), "{url}: {e}");
        }
        assert!(
            guard()
                .check_url("https://hooks.slack.com/services/T/B/X")
                .is_ok()
        );
    }

    #[test]
    fn the_allow_list_opens_ranges_and_hosts_only() {
        let g = WebhookGuard::allowing(&["127.0.0.1/32".into(), "hooks.internal".into()]).unwrap();
        assert!(g.check_url("http://127.0.0.1:9/x").is_ok());
        assert!(g.check_url("http://127.0.0.2:9/x").is_err());
        assert!(g.check_url("http://HOOKS.internal/x").is_ok());
        assert!(g.check_address("10.0.0.1".parse().unwrap()).is_err());
        assert!(WebhookGuard::allowing(&["10.0.0.0/33".into()]).is_err());
        assert!(WebhookGuard::allowing(&["fd00::/129".into()]).is_err());
    }

    #[tokio::test]
    async fn a_name_resolving_inside_the_network_is_refused_before_sending() {
        let url = Url::parse("http://localhost:1/").unwrap();
        let e = guard().resolve(&url).await.unwrap_err();
        assert!(e.contains("loopback"), "{e}");
        let url = Url::parse("http://127.0.0.1:1/").unwrap();
        let e = guard().resolve(&url).await.unwrap_err();
        assert!(e.contains("loopback"), "{e}");
    }
}
