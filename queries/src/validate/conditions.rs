//! Condition operators against the type AWS documents for the key.
//!
//! IAM User Guide, "IAM JSON policy elements: Condition operators" (each operator family
//! compares one type of value: IP addresses, dates, numbers, booleans...) and "Multivalued
//! context keys" (the `ForAllValues:`/`ForAnyValue:` set operators are meant for keys that
//! carry several values; `ForAllValues` is also true when the key is missing, and a
//! multivalued key compared without a set operator is compared value by value in ways
//! that rarely express the intent). Key types come from the action catalogue.

use facts::catalogue::{Catalogue, KeyType, ScalarType};
use facts::condition::{OperatorFamily, SetQualifier};
use facts::policy::Statement;

use super::finding::{Code, Finding, Severity};
use super::paths::Shape;

/// Findings about the operators used with known condition keys of one statement.
pub(crate) fn check_operators(stmt: &Statement, shape: &Shape<'_>, out: &mut Vec<Finding>) {
    let catalogue = Catalogue::get();
    for cond in &stmt.conditions {
        let Some(def) = catalogue.condition_key(&cond.key) else {
            continue;
        };
        let ty = def.key_type();
        let op = cond.operator;
        let family = op.base.family();
        let path = || shape.condition(stmt.index, &op.to_string(), &cond.key);
        if family == OperatorFamily::Null {
            continue;
        }
        match (op.qualifier, ty.is_multivalued()) {
            (Some(q), false) => {
                let name = match q {
                    SetQualifier::ForAllValues => "ForAllValues",
                    SetQualifier::ForAnyValue => "ForAnyValue",
                };
                let extra = if q == SetQualifier::ForAllValues {
                    "; with `ForAllValues` the condition is also true when the key is missing"
                } else {
                    ""
                };
                out.push(Finding::new(
                    Severity::Warning,
                    Code::SetOperatorOnSingleValuedKey,
                    path(),
                    format!(
                        "`{name}:` is meant for multivalued keys, but `{}` has a single value{extra}",
                        cond.key
                    ),
                ));
            }
            (None, true) => out.push(Finding::new(
                Severity::Warning,
                Code::MultivaluedKeyWithoutSetOperator,
                path(),
                format!(
                    "`{}` can carry several values: say how they are compared with \
                     `ForAllValues:` or `ForAnyValue:`",
                    cond.key
                ),
            )),
            _ => {}
        }
        if let Some(expected) = mismatch(family, ty) {
            out.push(Finding::new(
                Severity::Warning,
                Code::ConditionTypeMismatch,
                path(),
                format!(
                    "`{}` compares {} but `{}` holds {expected}",
                    op.base.name(),
                    family_values(family),
                    cond.key
                ),
            ));
        }
    }
}

/// What the key holds, when the operator family clearly does not fit it. String operators
/// are accepted on every key except IP addresses (AWS compares the text); only the typed
/// families (IP, Bool, Numeric, Date, Binary) must match their key type.
fn mismatch(family: OperatorFamily, ty: KeyType) -> Option<&'static str> {
    let scalar = match ty {
        KeyType::String => ScalarType::String,
        KeyType::Arn => ScalarType::Arn,
        KeyType::Bool => ScalarType::Bool,
        KeyType::Numeric => ScalarType::Numeric,
        KeyType::Date => ScalarType::Date,
        KeyType::IpAddress => ScalarType::IpAddress,
        KeyType::Binary => return None,
        KeyType::ArrayOf(s) => s,
    };
    let ok = match family {
        OperatorFamily::Null => true,
        OperatorFamily::String | OperatorFamily::Arn => scalar != ScalarType::IpAddress,
        OperatorFamily::Ip => scalar == ScalarType::IpAddress,
        OperatorFamily::Bool => scalar == ScalarType::Bool,
        OperatorFamily::Numeric => scalar == ScalarType::Numeric,
        OperatorFamily::Date => matches!(scalar, ScalarType::Date | ScalarType::Numeric),
        OperatorFamily::Binary => false,
    };
    if ok {
        return None;
    }
    Some(match scalar {
        ScalarType::String => "strings",
        ScalarType::Arn => "ARNs",
        ScalarType::Bool => "booleans",
        ScalarType::Numeric => "numbers",
        ScalarType::Date => "dates",
        ScalarType::IpAddress => "IP addresses",
    })
}

fn family_values(family: OperatorFamily) -> &'static str {
    match family {
        OperatorFamily::String => "strings",
        OperatorFamily::Numeric => "numbers",
        OperatorFamily::Date => "dates",
        OperatorFamily::Bool => "booleans",
        OperatorFamily::Binary => "base64 binary values",
        OperatorFamily::Ip => "IP addresses",
        OperatorFamily::Arn => "ARNs",
        OperatorFamily::Null => "presence",
    }
}
