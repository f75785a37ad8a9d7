//! Parsing condition values of the typed families (numbers, dates, IP ranges) into the
//! constants of the encoding, and printing model values back as request values.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A decimal number as an exact fraction `(numerator, denominator)` in decimal text.
pub(crate) fn decimal(text: &str) -> Option<(String, String)> {
    let t = text.trim();
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, f),
        None => (body, ""),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut num = format!("{int}{frac}").trim_start_matches('0').to_string();
    if num.is_empty() {
        num = "0".to_string();
    }
    if neg && num != "0" {
        num.insert(0, '-');
    }
    Some((num, format!("1{}", "0".repeat(frac.len()))))
}

/// A date value as epoch seconds: an ISO 8601 date or date-time, or epoch seconds.
pub(crate) fn epoch_seconds(text: &str) -> Option<i64> {
    let t = text.trim();
    if let Ok(n) = t.parse::<i64>() {
        return Some(n);
    }
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(t) {
        return Some(dt.timestamp());
    }
    for fmt in ["%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%MZ"] {
        if let Ok(dt) = chrono::NaiveDateTime::parse_from_str(t, fmt) {
            return Some(dt.and_utc().timestamp());
        }
    }
    chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc().timestamp())
}

/// Epoch seconds as an ISO 8601 UTC date-time.
pub(crate) fn iso_date(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|| secs.to_string())
}

/// An IP range: the network and prefix length, IPv4 or IPv6.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cidr {
    /// IPv4 network bits and prefix length.
    V4(u32, u32),
    /// IPv6 network bits and prefix length.
    V6(u128, u32),
}

/// Parse `a.b.c.d/n`, an IPv6 CIDR, or a bare address (a /32 or /128).
pub(crate) fn cidr(text: &str) -> Option<Cidr> {
    let t = text.trim();
    let (addr, len) = match t.split_once('/') {
        Some((a, l)) => (a, Some(l.parse::<u32>().ok()?)),
        None => (t, None),
    };
    match addr.parse::<IpAddr>().ok()? {
        IpAddr::V4(a) => {
            let len = len.unwrap_or(32);
            (len <= 32).then(|| Cidr::V4(u32::from(a) & mask32(len), len))
        }
        IpAddr::V6(a) => {
            let len = len.unwrap_or(128);
            (len <= 128).then(|| Cidr::V6(u128::from(a) & mask128(len), len))
        }
    }
}

/// The network mask of a /`len` IPv4 prefix.
pub(crate) fn mask32(len: u32) -> u32 {
    if len == 0 {
        0
    } else {
        u32::MAX << (32 - len.min(32))
    }
}

/// The network mask of a /`len` IPv6 prefix.
pub(crate) fn mask128(len: u32) -> u128 {
    if len == 0 {
        0
    } else {
        u128::MAX << (128 - len.min(128))
    }
}

/// Dotted IPv4 text.
pub(crate) fn ipv4_text(bits: u32) -> String {
    Ipv4Addr::from(bits).to_string()
}

/// IPv6 text.
pub(crate) fn ipv6_text(bits: u128) -> String {
    Ipv6Addr::from(bits).to_string()
}

/// A rational as decimal text, exact when the denominator divides a power of ten.
pub(crate) fn rational_text(num: i64, den: i64) -> String {
    if den == 1 {
        return num.to_string();
    }
    let v = num as f64 / den as f64;
    format!("{v}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_exact_fractions() {
        assert_eq!(decimal("12.50"), Some(("1250".into(), "100".into())));
        assert_eq!(decimal("-3"), Some(("-3".into(), "1".into())));
        assert_eq!(decimal("abc"), None);
    }

    #[test]
    fn dates_in_iso_and_epoch_forms() {
        assert_eq!(epoch_seconds("1970-01-02"), Some(86400));
        assert_eq!(epoch_seconds("2020-01-01T00:00:00Z"), Some(1_577_836_800));
        assert_eq!(epoch_seconds("86400"), Some(86400));
        assert_eq!(iso_date(1_577_836_800), "2020-01-01T00:00:00Z");
    }

    #[test]
    fn cidrs_are_masked() {
        assert_eq!(cidr("10.1.2.3/8"), Some(Cidr::V4(0x0a00_0000, 8)));
        assert_eq!(cidr("203.0.113.7"), Some(Cidr::V4(0xcb00_7107, 32)));
        assert!(matches!(cidr("2001:db8::/32"), Some(Cidr::V6(_, 32))));
        assert_eq!(cidr("10.0.0.0/33"), None);
    }
}
