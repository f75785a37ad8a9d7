//! IP address condition values: IPv4 and IPv6 addresses and CIDR blocks.
//!
//! Reference: IAM User Guide, "Condition operators", IP address condition operators: values
//! use the standard CIDR format (`203.0.113.0/24`, `2001:DB8:1234:5678::/64`); a single
//! address stands for itself (`/32` or `/128`). A request value that is not an IP address
//! matches no `IpAddress` block, and an IPv4 address is never inside an IPv6 block (or the
//! reverse).

use std::net::IpAddr;

/// A CIDR block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    /// The network address as written.
    pub addr: IpAddr,
    /// The prefix length (32/128 for a single address).
    pub prefix: u8,
}

/// Parse a policy value: an address or `address/prefix`.
pub fn parse_cidr(text: &str) -> Option<Cidr> {
    let t = text.trim();
    let (a, p) = match t.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (t, None),
    };
    let addr: IpAddr = a.parse().ok()?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let prefix = match p {
        Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => p.parse().ok()?,
        Some(_) => return None,
        None => max,
    };
    (prefix <= max).then_some(Cidr { addr, prefix })
}

/// Parse a request value: a single address.
pub fn parse_addr(text: &str) -> Option<IpAddr> {
    text.trim().parse().ok()
}

impl Cidr {
    /// Whether `ip` lies inside this block.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inside(block: &str, ip: &str) -> bool {
        match (parse_cidr(block), parse_addr(ip)) {
            (Some(c), Some(a)) => c.contains(a),
            _ => false,
        }
    }

    #[test]
    fn doc_example_blocks() {
        // Condition operators, IpAddress example: 203.0.113.0/24 and 2001:DB8:1234:5678::/64.
        assert!(inside("203.0.113.0/24", "203.0.113.77"));
        assert!(!inside("203.0.113.0/24", "203.0.114.1"));
        assert!(inside("2001:DB8:1234:5678::/64", "2001:db8:1234:5678::1"));
        assert!(!inside("2001:DB8:1234:5678::/64", "2001:db8:1234:5679::1"));
    }

    #[test]
    fn single_addresses_zero_prefix_and_family_mismatch() {
        assert!(inside("10.0.0.1", "10.0.0.1"));
        assert!(!inside("10.0.0.1", "10.0.0.2"));
        assert!(inside("0.0.0.0/0", "192.0.2.1"));
        assert!(inside("::/0", "2001:db8::1"));
        assert!(!inside("0.0.0.0/0", "2001:db8::1"));
        assert!(!inside("10.0.0.0/8", "not-an-ip"));
        assert!(parse_cidr("10.0.0.0/33").is_none());
        assert!(parse_cidr("10.0.0.0/").is_none());
        assert!(parse_cidr("10.0.0.0/-1").is_none());
    }
}
