//! Condition values that the operator cannot read, and condition keys repeated with another
//! case.
//!
//! IAM User Guide, "IAM JSON policy elements: Condition operators": date operators take ISO
//! 8601 dates or epoch seconds, numeric operators numbers, IP address operators addresses or
//! CIDR blocks (IPv4 prefix at most 32, IPv6 at most 128), `Bool` and `Null` `true` or
//! `false`, binary operators base64 text, ARN operators ARNs (six colon-separated parts). A
//! value the operator cannot read never matches, so the condition does not say what it
//! seems to. Values holding a policy variable (`${...}`) are only known at request time and
//! are not checked. "IAM JSON policy elements: Condition": condition key names are not case
//! sensitive, so two keys of one operator block that differ only in case name one key.
//!
//! The parsers are `facts`' own (the ones the evaluation uses), so "cannot be read" here
//! means exactly "never matches" there.

use facts::condition::eval::{binary, date, ip, number};
use facts::condition::OperatorFamily;
use facts::policy::Statement;
use facts::variables::has_variables;
use facts::wildcard::has_wildcard;

use super::finding::{Code, Finding, Severity};
use super::paths::Shape;

/// Findings about the condition values and key names of one statement.
pub(crate) fn check_values(stmt: &Statement, shape: &Shape<'_>, out: &mut Vec<Finding>) {
    for (i, cond) in stmt.conditions.iter().enumerate() {
        let op = cond.operator.to_string();
        let earlier = stmt.conditions.iter().take(i);
        if let Some(first) = earlier.into_iter().find(|c| {
            c.operator == cond.operator
                && c.key != cond.key
                && c.key.eq_ignore_ascii_case(&cond.key)
        }) {
            out.push(Finding::new(
                Severity::Error,
                Code::DuplicateConditionKey,
                shape.condition(stmt.index, &op, &cond.key),
                format!(
                    "`{}` and `{}` in one `{op}` block name the same key (condition key names \
                     are not case sensitive); merge them",
                    first.key, cond.key
                ),
            ));
        }
        if cond.values.is_empty() {
            out.push(Finding::new(
                Severity::Warning,
                Code::EmptyElement,
                shape.condition(stmt.index, &op, &cond.key),
                format!(
                    "`{}` is compared with no value: the condition can never be true as \
                     written",
                    cond.key
                ),
            ));
        }
        let family = cond.operator.base.family();
        for (j, value) in cond.values.iter().enumerate() {
            if has_variables(value) {
                continue;
            }
            let Some(expected) = unreadable(family, value) else {
                continue;
            };
            out.push(Finding::new(
                Severity::Error,
                Code::ConditionValueInvalid,
                shape.condition_value(stmt.index, &op, &cond.key, j),
                format!(
                    "`{value}` is not {expected}, so `{}` never matches it",
                    cond.operator.base.name()
                ),
            ));
        }
    }
}

/// What the operator family expects, when `value` is not one.
fn unreadable(family: OperatorFamily, value: &str) -> Option<&'static str> {
    let ok = match family {
        OperatorFamily::String => true,
        OperatorFamily::Date => date::parse_date(value).is_some(),
        OperatorFamily::Numeric => number::parse_number(value).is_some(),
        OperatorFamily::Ip => ip::parse_cidr(value).is_some(),
        OperatorFamily::Bool | OperatorFamily::Null => {
            value.eq_ignore_ascii_case("true") || value.eq_ignore_ascii_case("false")
        }
        OperatorFamily::Binary => binary::decode_base64(value).is_some(),
        // `facts::arn::arn_like`: a pattern without a colon is a glob over the whole value
        // (useful only with a wildcard); one with colons needs the six ARN parts.
        OperatorFamily::Arn => {
            if value.contains(':') {
                value.splitn(6, ':').count() == 6
            } else {
                has_wildcard(value)
            }
        }
    };
    if ok {
        return None;
    }
    Some(match family {
        OperatorFamily::Date => "an ISO 8601 date or epoch seconds",
        OperatorFamily::Numeric => "a number",
        OperatorFamily::Ip => "an IP address or CIDR block",
        OperatorFamily::Bool | OperatorFamily::Null => "`true` or `false`",
        OperatorFamily::Binary => "base64 text",
        OperatorFamily::Arn => "an ARN (`arn:partition:service:region:account:resource`)",
        OperatorFamily::String => "a string",
    })
}
