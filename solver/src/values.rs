//! Parsing condition values of the typed families (numbers, dates, IP ranges) into the
//! constants of the encoding, and printing model values back as request values.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A numeric condition value as an exact Z3 rational, read with the evaluator's own parser
/// (`facts::condition::eval::number`): plain decimals of any size exactly; a value written
/// with an exponent is the evaluator's `f64`, whose decimal expansion is exact.
pub(crate) fn decimal(text: &str) -> Option<z3::ast::Real> {
    use facts::condition::eval::number::{parse_number, Number};
    let (negative, int, frac) = match parse_number(text)? {
        Number::Exact {
            negative,
            int,
            frac,
        } => (negative, int.to_string(), frac.to_string()),
        Number::Float(f) => {
            // `Display` of an f64 never uses an exponent and round-trips.
            let t = format!("{}", f.abs());
            let (i, fr) = t.split_once('.').unwrap_or((&t, ""));
            (f < 0.0, i.to_string(), fr.to_string())
        }
    };
    let mut num = format!("{int}{frac}").trim_start_matches('0').to_string();
    if num.is_empty() {
        num = "0".to_string();
    }
    if negative && num != "0" {
        num.insert(0, '-');
    }
    let den = format!("1{}", "0".repeat(frac.len()));
    z3::ast::Real::from_rational_str(&num, &den)
}

/// A model's rational as the shortest decimal text the evaluator reads back as the same
/// number (40 fractional digits at most; the constants of the policies are decimals, so a
/// model between two of them can always be read as one).
pub(crate) fn decimal_text(r: &z3::ast::Real) -> String {
    let t = r.approx(40);
    let t = t.trim();
    let t = if t.contains('.') {
        t.trim_end_matches('0').trim_end_matches('.')
    } else {
        t
    };
    if t == "-0" || t.is_empty() {
        "0".to_string()
    } else {
        t.to_string()
    }
}

/// A date condition value as nanoseconds since the epoch, read with the evaluator's own
/// parser (`facts::condition::eval::date`).
pub(crate) fn epoch_nanos(text: &str) -> Option<i128> {
    let (secs, nanos) = facts::condition::eval::date::parse_date(text)?;
    Some(i128::from(secs) * 1_000_000_000 + i128::from(nanos))
}

/// Nanoseconds since the epoch as a date value: ISO 8601 UTC for whole seconds, epoch
/// seconds with a fraction otherwise.
pub(crate) fn date_text(nanos: i128) -> String {
    let secs = nanos.div_euclid(1_000_000_000);
    let frac = nanos.rem_euclid(1_000_000_000);
    match i64::try_from(secs) {
        Ok(s) if frac == 0 => iso_date(s),
        _ => format!("{secs}.{frac:09}"),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_exact_beyond_64_bits() {
        // Issue 12: numbers beyond 64 bits are exact, as in the evaluator.
        for (text, back) in [
            ("12.50", "12.5"),
            ("-3", "-3"),
            ("9223372036854775808", "9223372036854775808"),
            ("10000000000000000000000.0", "10000000000000000000000"),
            ("1e3", "1000"),
        ] {
            let r = decimal(text).expect(text);
            assert_eq!(decimal_text(&r), back, "{text}");
        }
        assert!(decimal("abc").is_none());
    }

    #[test]
    fn dates_in_iso_and_epoch_forms() {
        assert_eq!(epoch_nanos("1970-01-02"), Some(86_400_000_000_000));
        assert_eq!(
            epoch_nanos("2020-01-01T00:00:00Z"),
            Some(1_577_836_800_000_000_000)
        );
        assert_eq!(date_text(1_577_836_800_000_000_000), "2020-01-01T00:00:00Z");
        assert_eq!(date_text(1_500_000_000), "1.500000000");
    }

    #[test]
    fn cidrs_are_masked() {
        assert_eq!(cidr("10.1.2.3/8"), Some(Cidr::V4(0x0a00_0000, 8)));
        assert_eq!(cidr("203.0.113.7"), Some(Cidr::V4(0xcb00_7107, 32)));
        assert!(matches!(cidr("2001:db8::/32"), Some(Cidr::V6(_, 32))));
        assert_eq!(cidr("10.0.0.0/33"), None);
    }
}
