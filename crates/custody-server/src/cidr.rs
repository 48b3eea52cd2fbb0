//! CIDR blocks (`10.0.0.0/8`, `fd00::/8`, or one address), for the lists of
//! addresses an operator names: where webhooks may go, which proxies are
//! trusted to say who the client is.

use std::net::IpAddr;

/// A CIDR block; an address without `/bits` is a block of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    base: u128,
    bits: u32,
    v4: bool,
}

/// An address as a number, its width in bits, and whether it is IPv4.
fn widen(ip: IpAddr) -> (u128, u32, bool) {
    match ip {
        IpAddr::V4(a) => (u128::from(u32::from(a)), 32, true),
        IpAddr::V6(a) => match a.to_ipv4_mapped() {
            Some(v4) => (u128::from(u32::from(v4)), 32, true),
            None => (u128::from(a), 128, false),
        },
    }
}

impl Cidr {
    /// `ADDRESS[/BITS]`, or `None` when it is not one.
    pub fn parse(text: &str) -> Option<Cidr> {
        let (addr, bits) = match text.split_once('/') {
            Some((a, b)) => (a.parse::<IpAddr>().ok()?, Some(b.parse::<u32>().ok()?)),
            None => (text.parse::<IpAddr>().ok()?, None),
        };
        let (base, max, v4) = widen(addr);
        let bits = bits.unwrap_or(max);
        (bits <= max).then_some(Cidr { base, bits, v4 })
    }

    /// Whether `ip` is in the block (an IPv4-mapped IPv6 address counts as
    /// the IPv4 address it carries).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let (value, max, v4) = widen(ip);
        if v4 != self.v4 {
            return false;
        }
        let shift = max - self.bits;
        shift >= 128 || (value >> shift) == (self.base >> shift)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn blocks_hold_their_addresses_only() {
        let private = Cidr::parse("10.0.0.0/8").unwrap();
        assert!(private.contains(ip("10.200.3.4")));
        assert!(private.contains(ip("::ffff:10.1.1.1")), "IPv4-mapped");
        assert!(!private.contains(ip("11.0.0.1")));
        assert!(!private.contains(ip("fd00::1")));
        let one = Cidr::parse("fd00::7").unwrap();
        assert!(one.contains(ip("fd00::7")) && !one.contains(ip("fd00::8")));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
        assert!(Cidr::parse("::/0").unwrap().contains(ip("2001:db8::1")));
        for wrong in [
            "10.0.0.0/33",
            "fd00::/129",
            "example.com",
            "10.0.0/8",
            "10.0.0.0/x",
        ] {
            assert_eq!(Cidr::parse(wrong), None, "{wrong}");
        }
    }
}
