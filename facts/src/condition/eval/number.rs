//! Numeric condition values: integers and decimals, compared exactly.
//!
//! Reference: IAM User Guide, "Condition operators", numeric condition operators
//! (`NumericEquals`, `NumericLessThan`, ...), which compare integer and decimal values. A
//! value that is not a number matches no numeric operator.

use std::cmp::Ordering;

/// A parsed number: exact decimal digits when written plainly, a float when written with an
/// exponent (JSON numbers such as `1e3`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number<'a> {
    /// `[+-]digits[.digits]`, normalised (no leading zeros in `int`, no trailing zeros in
    /// `frac`; zero is never negative).
    Exact {
        /// Whether the number is below zero.
        negative: bool,
        /// Integer digits without leading zeros.
        int: &'a str,
        /// Fraction digits without trailing zeros.
        frac: &'a str,
    },
    /// A number written with an exponent.
    Float(f64),
}

/// Parse a numeric condition value; `None` when it is not a number.
pub fn parse_number(text: &str) -> Option<Number<'_>> {
    let (negative, body) = match text.as_bytes().first()? {
        b'-' => (true, text.get(1..)?),
        b'+' => (false, text.get(1..)?),
        _ => (false, text),
    };
    if body.contains(['e', 'E']) {
        let f: f64 = text.parse().ok()?;
        return f.is_finite().then_some(Number::Float(f));
    }
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, f),
        None => (body, ""),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    let negative = negative && !(int.is_empty() && frac.is_empty());
    Some(Number::Exact {
        negative,
        int,
        frac,
    })
}

impl Number<'_> {
    fn to_f64(self) -> f64 {
        match self {
            Number::Float(f) => f,
            Number::Exact {
                negative,
                int,
                frac,
            } => {
                let text = format!("{}{}.{}0", if negative { "-" } else { "" }, int, frac);
                text.parse().unwrap_or(f64::NAN)
            }
        }
    }
}

/// Compare two numbers; `None` only if a float comparison is undefined.
pub fn compare(a: Number<'_>, b: Number<'_>) -> Option<Ordering> {
    match (a, b) {
        (
            Number::Exact {
                negative: na,
                int: ia,
                frac: fa,
            },
            Number::Exact {
                negative: nb,
                int: ib,
                frac: fb,
            },
        ) => {
            let magnitude = ia
                .len()
                .cmp(&ib.len())
                .then_with(|| ia.cmp(ib))
                .then_with(|| fa.cmp(fb));
            Some(match (na, nb) {
                (false, false) => magnitude,
                (true, true) => magnitude.reverse(),
                (false, true) => Ordering::Greater,
                (true, false) => Ordering::Less,
            })
        }
        (a, b) => a.to_f64().partial_cmp(&b.to_f64()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Option<Ordering> {
        compare(parse_number(a)?, parse_number(b)?)
    }

    #[test]
    fn integers_and_decimals_compare_exactly() {
        assert_eq!(cmp("10", "10"), Some(Ordering::Equal));
        assert_eq!(cmp("10", "10.0"), Some(Ordering::Equal));
        assert_eq!(cmp("010", "10"), Some(Ordering::Equal));
        assert_eq!(cmp("9", "10"), Some(Ordering::Less));
        assert_eq!(cmp("0.5", "0.51"), Some(Ordering::Less));
        assert_eq!(cmp("-1", "1"), Some(Ordering::Less));
        assert_eq!(cmp("-2", "-1"), Some(Ordering::Less));
        assert_eq!(cmp("-0", "0"), Some(Ordering::Equal));
        assert_eq!(cmp(".5", "0.5"), Some(Ordering::Equal));
        // Beyond f64 precision.
        assert_eq!(
            cmp("12345678901234567891", "12345678901234567890"),
            Some(Ordering::Greater)
        );
        assert_eq!(cmp("1e3", "1000"), Some(Ordering::Equal));
    }

    #[test]
    fn non_numbers_are_rejected() {
        for bad in ["", "-", ".", "1.2.3", "abc", "1a", " 1", "0x10", "1e999"] {
            assert!(parse_number(bad).is_none(), "{bad}");
        }
    }
}
