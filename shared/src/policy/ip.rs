//! Addresses and CIDR blocks of `IpAddress`/`NotIpAddress` (IPv4 and IPv6).

use std::net::IpAddr;

/// A network: an address with a prefix length (`/32` or `/128` when none is given).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cidr {
    bits: u128,
    prefix: u8,
    v6: bool,
}

impl Cidr {
    /// `203.0.113.0/24`, `2001:db8::/32` or a plain address.
    pub(crate) fn parse(text: &str) -> Option<Cidr> {
        let text = text.trim();
        let (addr, prefix) = match text.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (text, None),
        };
        let (bits, v6) = parse_addr(addr)?;
        let max = if v6 { 128 } else { 32 };
        let prefix = match prefix {
            Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
                p.parse::<u8>().ok().filter(|p| *p <= max)?
            }
            Some(_) => return None,
            None => max,
        };
        Some(Cidr { bits, prefix, v6 })
    }

    /// Whether the address `text` lies in this network (an unparsable address does not).
    pub(crate) fn contains(&self, text: &str) -> bool {
        let Some((bits, v6)) = parse_addr(text.trim()) else {
            return false;
        };
        if v6 != self.v6 {
            return false;
        }
        let width = if v6 { 128 } else { 32 };
        let shift = width - u32::from(self.prefix);
        if shift >= 128 {
            return true;
        }
        (bits >> shift) == (self.bits >> shift)
    }
}

fn parse_addr(text: &str) -> Option<(u128, bool)> {
    match text.parse::<IpAddr>().ok()? {
        IpAddr::V4(v4) => Some((u128::from(u32::from(v4)), false)),
        IpAddr::V6(v6) => Some((u128::from(v6), true)),
    }
}

#[cfg(test)]
mod tests {
    use super::Cidr;

    #[test]
    fn networks() {
        let net = |t: &str| Cidr::parse(t).expect(t);
        assert!(net("203.0.113.0/24").contains("203.0.113.7"));
        assert!(!net("203.0.113.0/24").contains("203.0.114.7"));
        assert!(net("0.0.0.0/0").contains("8.8.8.8"));
        assert!(net("10.1.2.3").contains("10.1.2.3"));
        assert!(!net("10.1.2.3").contains("10.1.2.4"));
        assert!(net("2001:db8::/32").contains("2001:db8:1::1"));
        assert!(!net("2001:db8::/32").contains("2001:db9::1"));
        assert!(net("::/0").contains("::1"));
        assert!(!net("10.0.0.0/8").contains("::1"));
        assert!(!net("10.0.0.0/8").contains("not an address"));
        assert_eq!(Cidr::parse("10.0.0.0/33"), None);
        assert_eq!(Cidr::parse("10.0.0.0/"), None);
        assert_eq!(Cidr::parse("10.0.0/8"), None);
    }
}
