//! Empty lists and malformed policy variables.
//!
//! IAM User Guide, "IAM JSON policy elements": a statement applies to the actions and
//! resources it lists, so an empty `Action` or `Resource` list, like an empty `Statement`
//! list, makes a policy (or a statement) that does nothing. "IAM policy elements: Variables
//! and tags": a variable is `${key}`, with an optional default written after a comma in
//! single quotes (`${aws:PrincipalTag/team, 'none'}`); text that does not close the braces
//! is not a variable and is read literally, as `facts::variables` does.

use facts::policy::{ActionClause, Policy, ResourceClause, Statement};

use super::finding::{Code, Finding, Severity};
use super::paths::Shape;

/// An empty `Statement` list.
pub(crate) fn check_policy(policy: &Policy, out: &mut Vec<Finding>) {
    if policy.statements.is_empty() {
        out.push(Finding::new(
            Severity::Warning,
            Code::EmptyElement,
            "$.Statement".to_string(),
            "the policy has no statement: it grants and denies nothing".to_string(),
        ));
    }
}

/// Empty `Action`/`Resource` lists and malformed variables of one statement.
pub(crate) fn check_statement(stmt: &Statement, shape: &Shape<'_>, out: &mut Vec<Finding>) {
    let (element, actions) = match &stmt.action {
        ActionClause::Action(a) => ("Action", a),
        ActionClause::NotAction(a) => ("NotAction", a),
    };
    if actions.is_empty() {
        out.push(empty(shape.element(stmt.index, element), element));
    }
    let resources = match &stmt.resource {
        Some(ResourceClause::Resource(r)) => Some(("Resource", r)),
        Some(ResourceClause::NotResource(r)) => Some(("NotResource", r)),
        None => None,
    };
    if let Some((element, patterns)) = resources {
        if patterns.is_empty() {
            out.push(empty(shape.element(stmt.index, element), element));
        }
        for p in patterns {
            if let Some(why) = variable_problem(&p.0) {
                out.push(malformed(shape.item(stmt.index, element, &p.0), &p.0, &why));
            }
        }
    }
    for cond in &stmt.conditions {
        let op = cond.operator.to_string();
        for (j, v) in cond.values.iter().enumerate() {
            if let Some(why) = variable_problem(v) {
                out.push(malformed(
                    shape.condition_value(stmt.index, &op, &cond.key, j),
                    v,
                    &why,
                ));
            }
        }
    }
}

fn empty(path: String, element: &str) -> Finding {
    let what = if element.starts_with("Not") {
        "it excludes nothing, so the statement applies to everything"
    } else {
        "the statement applies to nothing"
    };
    Finding::new(
        Severity::Warning,
        Code::EmptyElement,
        path,
        format!("`{element}` is an empty list: {what}"),
    )
}

fn malformed(path: String, text: &str, why: &str) -> Finding {
    Finding::new(
        Severity::Warning,
        Code::MalformedVariable,
        path,
        format!("`{text}`: {why}"),
    )
}

/// What is wrong with the first malformed `${...}` of `text`, if any.
fn variable_problem(text: &str) -> Option<String> {
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = rest.get(start + 2..).unwrap_or("");
        let Some(end) = after.find('}') else {
            return Some(
                "`${` is not closed by `}`, so it is literal text, not a policy variable"
                    .to_string(),
            );
        };
        let inner = after.get(..end).unwrap_or("");
        if inner.contains("${") {
            return Some("a `${` opens inside another policy variable".to_string());
        }
        let (key, default) = match inner.split_once(',') {
            Some((k, d)) => (k.trim(), Some(d.trim())),
            None => (inner.trim(), None),
        };
        if key.is_empty() {
            return Some("the policy variable names no key".to_string());
        }
        if let Some(d) = default {
            let quoted = d.len() >= 2 && d.starts_with('\'') && d.ends_with('\'');
            if !quoted {
                return Some(format!(
                    "the default value `{d}` of a policy variable is written in single quotes \
                     (`${{{key}, 'value'}}`)"
                ));
            }
        }
        rest = after.get(end + 1..).unwrap_or("");
    }
    None
}
