//! Evaluation of one condition entry against a request context.
//!
//! The rules, from the AWS IAM User Guide ("Condition operators", "Conditions with multiple
//! context keys or values", "Set operators for multivalued context keys"):
//!
//! - **Absent key.** "If the key that you specify in a policy condition is not present in the
//!   request context, the values do not match and the condition is false. If the policy
//!   condition requires that the key is not matched, such as `StringNotLike` or
//!   `ArnNotLike`, and the right key is not present, the condition is true." `...IfExists`:
//!   an absent key makes the condition true. `Null`: `true` holds when the key is absent,
//!   `false` when it is present. `ForAllValues:` over an absent key is true; `ForAnyValue:`
//!   over an absent key is false. An empty multivalued set counts as absent for `Null`.
//! - **Several values** for one key are ORed; for a negated operator they are NORed (the
//!   condition holds when the request value matches none of them).
//! - **Multivalued request keys.** "Multivalued context keys require a condition set
//!   operator" (IAM User Guide, "Single-valued vs. multivalued context keys"). Without one,
//!   the policy values are compared with a single value, and a multivalued request key (even
//!   a one-element list) is none: AWS's policy simulator answers such a positive condition
//!   with no match (politest `11-context-stringlist`, checked against the simulator). iamlogic
//!   applies the absent-key rule: an unqualified positive operator is false and an
//!   unqualified negated operator is true (`...IfExists` does not change this: the key exists).
//!   `ForAnyValue:` holds when at least one request value satisfies the operator;
//!   `ForAllValues:` when every request value does (an empty set: true). With a negated
//!   operator "satisfies" means "matches none of the policy values", so
//!   `ForAllValues:StringNotLike` holds when no request value matches any pattern.
//! - **Case.** Condition key names are case-insensitive; values follow the operator
//!   (`StringEquals`, `StringLike` and the `Arn` operators are case-sensitive;
//!   `...IgnoreCase` is not; `Bool` accepts `true`/`false` in any case).
//! - **Types.** A request value or policy value of the wrong type for the operator (not a
//!   number, date, IP address, base64 or boolean) does not match; for a negated operator that
//!   counts as "matches none".
//! - **Policy variables** in condition values are substituted under `2012-10-17`; a value
//!   whose variable cannot be resolved matches nothing.

pub mod binary;
pub mod date;
pub mod ip;
pub mod number;

use std::cmp::Ordering;

use crate::arn::{arn_like, arn_like_tokens};
use crate::condition::{BaseOperator, OperatorFamily, SetQualifier};
use crate::policy::Condition;
use crate::request::{Context, ContextValue};
use crate::variables::{has_variables, substitute, substitute_glob, SubstitutedGlob};
use crate::wildcard::{eq_ignore_case, glob_match, glob_match_tokens};

/// Whether `cond` holds for `ctx`. `variables` says whether policy variables in condition
/// values are substituted (policy version 2012-10-17).
pub fn condition_holds(cond: &Condition, ctx: &Context, variables: bool) -> bool {
    let positive = cond.operator.base.positive();
    holds_with(cond, ctx.get(&cond.key), |r| {
        cond.values
            .iter()
            .any(|v| value_matches(positive, v, r, ctx, variables))
    })
}

/// Whether `cond` holds when its key has `value` in the request, given `matches_any(r)`:
/// whether request value `r` matches any policy value under the positive operator. The
/// absent-key, `Null`, multivalued-key and set-operator rules of the module documentation.
pub(crate) fn holds_with(
    cond: &Condition,
    value: Option<&ContextValue>,
    matches_any: impl Fn(&str) -> bool,
) -> bool {
    let op = cond.operator;
    if op.base == BaseOperator::Null {
        return null_holds(cond, value);
    }
    let negated = op.base.is_negated();
    let request: &[String] = match value {
        None => return absent(cond),
        Some(ContextValue::Single(v)) => std::slice::from_ref(v),
        // No set operator on a multivalued key: the values do not match (module docs).
        Some(ContextValue::Multi(_)) if op.qualifier.is_none() => return negated,
        Some(ContextValue::Multi(vs)) => vs.as_slice(),
    };
    // Whether request value `r` satisfies the (possibly negated) operator.
    let satisfies = |r: &str| matches_any(r) != negated;
    match op.qualifier {
        None if negated => !request.iter().any(|r| matches_any(r)),
        None => request.iter().any(|r| matches_any(r)),
        Some(SetQualifier::ForAnyValue) => request.iter().any(|r| satisfies(r)),
        Some(SetQualifier::ForAllValues) => request.iter().all(|r| satisfies(r)),
    }
}

/// The condition's outcome when its key is absent from the request.
fn absent(cond: &Condition) -> bool {
    let op = cond.operator;
    if op.if_exists {
        return true;
    }
    match op.qualifier {
        Some(SetQualifier::ForAllValues) => true,
        Some(SetQualifier::ForAnyValue) => false,
        None => op.base.is_negated(),
    }
}

/// `Null`: `true` → the key is absent (or an empty set); `false` → present. Several values
/// are ORed; a value other than `true`/`false` matches nothing.
fn null_holds(cond: &Condition, value: Option<&ContextValue>) -> bool {
    let absent = match value {
        None => true,
        Some(ContextValue::Multi(vs)) => vs.is_empty(),
        Some(ContextValue::Single(_)) => false,
    };
    cond.values.iter().any(|v| match parse_bool(v) {
        Some(want_absent) => want_absent == absent,
        None => false,
    })
}

/// `true`/`false` in any case.
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Whether the request value `request` matches the policy value `policy` under a positive
/// operator, substituting variables in the policy value when `variables` is set.
pub(crate) fn value_matches(
    op: BaseOperator,
    policy: &str,
    request: &str,
    ctx: &Context,
    variables: bool,
) -> bool {
    if variables && has_variables(policy) {
        return match op {
            BaseOperator::StringLike => match substitute_glob(policy, ctx) {
                SubstitutedGlob::Unresolved => false,
                SubstitutedGlob::Plain(p) => glob_match(&p, request, false),
                SubstitutedGlob::Tokens(toks) => glob_match_tokens(&toks, request, false),
            },
            BaseOperator::ArnLike | BaseOperator::ArnEquals => match substitute_glob(policy, ctx) {
                SubstitutedGlob::Unresolved => false,
                SubstitutedGlob::Plain(p) => arn_like(&p, request),
                SubstitutedGlob::Tokens(toks) => arn_like_tokens(&toks, request),
            },
            _ => substitute(policy, ctx).is_some_and(|p| compare(op, &p, request)),
        };
    }
    compare(op, policy, request)
}

/// The positive operator `op` applied to a concrete policy value and request value.
pub fn compare(op: BaseOperator, policy: &str, request: &str) -> bool {
    use BaseOperator::*;
    match op.family() {
        OperatorFamily::String => match op {
            StringEqualsIgnoreCase => eq_ignore_case(policy, request),
            StringLike => glob_match(policy, request, false),
            _ => policy == request,
        },
        OperatorFamily::Numeric => {
            let (Some(p), Some(r)) = (number::parse_number(policy), number::parse_number(request))
            else {
                return false;
            };
            ordering_holds(op, number::compare(r, p))
        }
        OperatorFamily::Date => {
            let (Some(p), Some(r)) = (date::parse_date(policy), date::parse_date(request)) else {
                return false;
            };
            ordering_holds(op, Some(r.cmp(&p)))
        }
        OperatorFamily::Bool => match (parse_bool(policy), parse_bool(request)) {
            (Some(p), Some(r)) => p == r,
            _ => false,
        },
        OperatorFamily::Binary => {
            match (
                binary::decode_base64(policy),
                binary::decode_base64(request),
            ) {
                (Some(p), Some(r)) => p == r,
                _ => false,
            }
        }
        OperatorFamily::Ip => match (ip::parse_cidr(policy), ip::parse_addr(request)) {
            (Some(block), Some(addr)) => block.contains(addr),
            _ => false,
        },
        OperatorFamily::Arn => arn_like(policy, request),
        OperatorFamily::Null => false,
    }
}

/// Whether `request ⋄ policy` holds for an ordering operator, given `request.cmp(policy)`.
fn ordering_holds(op: BaseOperator, ord: Option<Ordering>) -> bool {
    use BaseOperator::*;
    let Some(ord) = ord else {
        return false;
    };
    match op {
        NumericEquals | DateEquals => ord == Ordering::Equal,
        NumericLessThan | DateLessThan => ord == Ordering::Less,
        NumericLessThanEquals | DateLessThanEquals => ord != Ordering::Greater,
        NumericGreaterThan | DateGreaterThan => ord == Ordering::Greater,
        NumericGreaterThanEquals | DateGreaterThanEquals => ord != Ordering::Less,
        _ => false,
    }
}

#[cfg(test)]
mod tests;
