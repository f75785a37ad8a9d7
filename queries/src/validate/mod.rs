//! `validate`: findings about IAM policy documents, in the spirit of IAM Access Analyzer's
//! policy validation. Each finding has a severity, a code (documented in
//! `docs/validate.md`), a message and the JSON path of the element concerned.
//!
//! The checks: the policy grammar (the parser's errors become `syntax` findings); action,
//! service and condition-key names against the action catalogue, with "did you mean";
//! resource ARNs, well-formed and usable by the statement's actions; AWS's size quota for
//! the policy's kind; condition operators against the key's type and cardinality; `Allow`
//! with `NotAction`/`NotResource`/`NotPrincipal`, `*` on `*`, `iam:PassRole` on `*`;
//! `Principal` where the kind takes none or lacks one; duplicate `Sid`s; duplicate,
//! redundant and shadowed statements.

mod arns;
mod conditions;
mod elements;
mod finding;
mod kind;
mod names;
mod paths;
mod principals;
mod redundancy;
mod resources;
mod security;
mod values;

use facts::error::{PathSegment, PolicyError, PolicyErrorKind};
use facts::parse::parse_policy;
use facts::policy::Policy;

pub use finding::{Code, Finding, Severity};
pub use kind::PolicyKind;

use paths::Shape;

/// Validate one policy document given as bytes (a file's content): text that is not UTF-8
/// is a `syntax` finding, as IAM policy documents are UTF-8 JSON.
pub fn validate_bytes(bytes: &[u8], kind: PolicyKind) -> Vec<Finding> {
    match std::str::from_utf8(bytes) {
        Ok(text) => validate_policy(text, kind),
        Err(e) => vec![Finding::new(
            Severity::Error,
            Code::Syntax,
            "$".to_string(),
            format!(
                "the document is not UTF-8 text (invalid byte at offset {})",
                e.valid_up_to()
            ),
        )],
    }
}

/// Validate one policy document given as JSON text. Findings come in document order.
pub fn validate_policy(text: &str, kind: PolicyKind) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(f) = kind::check_size(text, kind) {
        out.push(f);
    }
    let policy = match parse_policy(text) {
        Ok(p) => p,
        Err(errors) => {
            let partial = statements_that_parse(text, &errors);
            out.extend(errors.0.into_iter().map(|e| {
                Finding::new(
                    Severity::Error,
                    syntax_code(&e),
                    e.path.to_string(),
                    e.kind.to_string(),
                )
            }));
            // A parse error stops no check of the statements that did parse: their
            // findings follow the syntax errors, with their own paths.
            if let Some((policy, doc)) = partial {
                let mut more = Vec::new();
                check_policy(&policy, &Shape::new(&doc), kind, &mut more);
                out.extend(
                    more.into_iter()
                        .filter(|f| f.code != Code::MissingVersion && f.code != Code::EmptyElement),
                );
            }
            return out;
        }
    };
    // The parser accepted the text, so it is JSON; the value gives the written shape.
    let doc: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    check_policy(&policy, &Shape::new(&doc), kind, &mut out);
    out
}

/// The statements of a document that does not parse as a whole but whose statements parse
/// one by one (each keeps its index in the document), with the decoded document; `None`
/// when the text is not JSON, repeats a key, or no statement parses.
fn statements_that_parse(
    text: &str,
    errors: &facts::PolicyErrors,
) -> Option<(Policy, serde_json::Value)> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let doc = facts::parse::json::decode_unique(body).ok()?;
    // A JSON or repeated-key error leaves nothing to check statement by statement.
    if errors.0.iter().any(|e| {
        matches!(
            e.kind,
            PolicyErrorKind::Json { .. } | PolicyErrorKind::DuplicateKey(_)
        )
    }) {
        return None;
    }
    let statements: Vec<&serde_json::Value> = match doc.get("Statement")? {
        serde_json::Value::Array(items) => items.iter().collect(),
        lone @ serde_json::Value::Object(_) => vec![lone],
        _ => return None,
    };
    let version = doc
        .get("Version")
        .and_then(|v| v.as_str())
        .filter(|v| *v == "2012-10-17" || *v == "2008-10-17");
    let mut parsed = Vec::new();
    for (i, st) in statements.into_iter().enumerate() {
        let mut one = serde_json::Map::new();
        if let Some(v) = version {
            one.insert("Version".to_string(), v.into());
        }
        one.insert(
            "Statement".to_string(),
            serde_json::Value::Array(vec![st.clone()]),
        );
        if let Ok(p) = facts::parse::parse_policy_value(&serde_json::Value::Object(one)) {
            for mut s in p.statements {
                s.index = i;
                parsed.push(s);
            }
        }
    }
    if parsed.is_empty() {
        return None;
    }
    let policy = Policy {
        version: match version {
            Some("2012-10-17") => facts::policy::PolicyVersion::V2012_10_17,
            _ => facts::policy::PolicyVersion::V2008_10_17,
        },
        version_given: version.is_some(),
        id: None,
        statements: parsed,
    };
    Some((policy, doc))
}

/// The code of a parser error: the parser's shape rules for actions and resources have
/// their own codes (`invalid-action`, `invalid-arn`); anything else is `syntax`.
fn syntax_code(e: &PolicyError) -> Code {
    let element = e.path.0.iter().rev().find_map(|seg| match seg {
        PathSegment::Key(k) => Some(k.as_str()),
        PathSegment::Index(_) => None,
    });
    match (&e.kind, element) {
        (PolicyErrorKind::InvalidArn { .. }, _) => Code::InvalidArn,
        (PolicyErrorKind::InvalidValue { .. }, Some("Action" | "NotAction")) => Code::InvalidAction,
        _ => Code::Syntax,
    }
}

fn check_policy(policy: &Policy, shape: &Shape<'_>, kind: PolicyKind, out: &mut Vec<Finding>) {
    if !policy.version_given {
        let uses_variables = policy_mentions_variables(policy);
        out.push(Finding::new(
            if uses_variables {
                Severity::Warning
            } else {
                Severity::Suggestion
            },
            Code::MissingVersion,
            "$".to_string(),
            if uses_variables {
                "no `Version`: the policy is read as 2008-10-17, where `${...}` policy variables \
                 are literal text; add `\"Version\": \"2012-10-17\"`"
            } else {
                "no `Version`: the policy is read as 2008-10-17; add \
                 `\"Version\": \"2012-10-17\"`"
            }
            .to_string(),
        ));
    }
    check_sids(policy, shape, out);
    elements::check_policy(policy, out);
    for stmt in &policy.statements {
        // Resolving wildcards against the catalogue costs; only do it when a check needs it.
        let actions = if needs_actions(stmt) {
            names::resolved_actions(stmt)
        } else {
            None
        };
        names::check_actions(stmt, shape, out);
        resources::check_resources(stmt, actions.as_deref(), shape, out);
        names::check_condition_keys(stmt, actions.as_deref(), shape, out);
        conditions::check_operators(stmt, shape, out);
        values::check_values(stmt, shape, out);
        elements::check_statement(stmt, shape, out);
        principals::check_principals(stmt, shape, out);
        security::check_statement(stmt, kind, shape, out);
    }
    redundancy::check_policy(&policy.statements, shape, out);
}

/// IAM User Guide, "IAM JSON policy elements: Sid": in IAM, the `Sid` value must be unique
/// within a JSON policy.
fn check_sids(policy: &Policy, shape: &Shape<'_>, out: &mut Vec<Finding>) {
    for (i, s) in policy.statements.iter().enumerate() {
        let Some(sid) = s.sid.as_deref().filter(|sid| !sid.is_empty()) else {
            continue;
        };
        let earlier = policy.statements.iter().take(i);
        if let Some(first) = earlier.into_iter().find(|t| t.sid.as_deref() == Some(sid)) {
            out.push(Finding::new(
                Severity::Error,
                Code::DuplicateSid,
                shape.element(s.index, "Sid"),
                format!(
                    "the `Sid` `{sid}` is already used by statement {}; a `Sid` must be unique \
                     within a policy",
                    first.index
                ),
            ));
        }
    }
}

/// Whether a statement has a resource other than `*` or a condition key that is not
/// global: only then do the resource and condition-key checks need its actions.
fn needs_actions(stmt: &facts::policy::Statement) -> bool {
    let catalogue = facts::catalogue::Catalogue::get();
    let resources = match &stmt.resource {
        Some(facts::policy::ResourceClause::Resource(r)) => r.iter().any(|p| p.0 != "*"),
        _ => false,
    };
    resources
        || stmt
            .conditions
            .iter()
            .any(|c| !catalogue.is_global_condition_key(&c.key))
}

fn policy_mentions_variables(policy: &Policy) -> bool {
    policy.statements.iter().any(|s| {
        let resources = match &s.resource {
            Some(facts::policy::ResourceClause::Resource(r))
            | Some(facts::policy::ResourceClause::NotResource(r)) => {
                r.iter().any(|p| p.0.contains("${"))
            }
            None => false,
        };
        resources
            || s.conditions
                .iter()
                .any(|c| c.values.iter().any(|v| v.contains("${")))
    })
}

#[cfg(test)]
mod tests;
