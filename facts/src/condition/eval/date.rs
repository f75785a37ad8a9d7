//! Date condition values: ISO 8601 forms and epoch seconds.
//!
//! Reference: IAM User Guide, "Condition operators", date condition operators: values are
//! dates in one of the W3C implementations of ISO 8601 (`2020-01-01`, `2020-01-01T12:00Z`,
//! `2020-01-01T12:00:00Z`, `2020-01-01T12:00:00.000+01:00`...) or epoch (UNIX) time in
//! seconds. A value in no accepted form matches no date operator. Times without an offset
//! are taken as UTC.

use chrono::{DateTime, NaiveDate, NaiveDateTime};

/// An instant as (seconds since the epoch, nanoseconds), ordered.
pub type Instant = (i64, u32);

/// Parse a date condition value.
pub fn parse_date(text: &str) -> Option<Instant> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    if let Some(i) = parse_epoch(t) {
        return Some(i);
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Some((d.timestamp(), d.timestamp_subsec_nanos()));
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f%:z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%:z",
        "%Y-%m-%dT%H:%M%z",
        "%Y%m%dT%H%M%S%z",
    ] {
        if let Ok(d) = DateTime::parse_from_str(t, fmt) {
            return Some((d.timestamp(), d.timestamp_subsec_nanos()));
        }
    }
    let naive = t.strip_suffix(['Z', 'z']).unwrap_or(t);
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y%m%dT%H%M%S",
        "%Y-%m-%d %H:%M:%S%.f",
    ] {
        if let Ok(d) = NaiveDateTime::parse_from_str(naive, fmt) {
            let u = d.and_utc();
            return Some((u.timestamp(), u.timestamp_subsec_nanos()));
        }
    }
    let d = NaiveDate::parse_from_str(naive, "%Y-%m-%d").ok()?;
    let u = d.and_hms_opt(0, 0, 0)?.and_utc();
    Some((u.timestamp(), 0))
}

/// Epoch seconds: an optional `-`, digits, and an optional fraction (up to nanoseconds).
/// A string of digits is always read as epoch seconds, never as a basic-format date.
fn parse_epoch(t: &str) -> Option<Instant> {
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let secs: i64 = int.parse().ok()?;
    let mut nanos: u32 = 0;
    let mut scale = 100_000_000u32;
    for b in frac.bytes().take(9) {
        nanos += u32::from(b - b'0') * scale;
        scale /= 10;
    }
    if neg {
        if nanos == 0 {
            Some((-secs, 0))
        } else {
            Some((-secs - 1, 1_000_000_000 - nanos))
        }
    } else {
        Some((secs, nanos))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_forms_and_epoch_agree() {
        // 2020-01-01T00:00:00Z = 1577836800.
        let want = Some((1_577_836_800, 0));
        for t in [
            "2020-01-01T00:00:00Z",
            "2020-01-01T00:00:00.000Z",
            "2020-01-01T00:00Z",
            "2020-01-01T01:00:00+01:00",
            "2020-01-01T01:00:00+0100",
            "2020-01-01",
            "2020-01-01T00:00:00",
            "1577836800",
        ] {
            assert_eq!(parse_date(t), want, "{t}");
        }
        assert_eq!(
            parse_date("2020-01-01T00:00:00.5Z"),
            Some((1_577_836_800, 500_000_000))
        );
        assert_eq!(parse_date("1.5"), Some((1, 500_000_000)));
        assert_eq!(parse_date("-1.5"), Some((-2, 500_000_000)));
    }

    #[test]
    fn non_dates_are_rejected() {
        for bad in [
            "",
            "yesterday",
            "2020-13-01",
            "2020-01-01T25:00:00Z",
            "1.2.3",
            "-",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}
