//! JSON → [`Policy`]: strict parsing of the IAM policy grammar, collecting every error.
//!
//! Reference: AWS IAM User Guide, "IAM JSON policy element reference" and "Grammar of the IAM
//! JSON policy language". The parser checks what the grammar fixes: the element names at each
//! level, their JSON types, `Version` values, `Effect` values, exclusive pairs (`Action` /
//! `NotAction`, `Resource` / `NotResource`, `Principal` / `NotPrincipal`), condition operators,
//! the shape of action names (`service:Action` or `*`) and of resources (`*` or an ARN with
//! six colon-separated parts). It does not check whether a service, action or condition key
//! exists: that is the catalogue's job (`validate`).
//!
//! Every error is collected ([`PolicyErrors`]) with its JSON path; parsing never panics.

mod grammar;
pub mod json;

pub(crate) use grammar::type_name;

use serde_json::Value;

use crate::error::{JsonPath, PolicyError, PolicyErrorKind, PolicyErrors};
use crate::policy::Policy;
use grammar::Parser;

/// Parse a policy document from JSON text (a leading UTF-8 byte-order mark is ignored).
/// An object key given twice anywhere in the text is an error (`DuplicateKey`), reported
/// with every other error of the document.
pub fn parse_policy(text: &str) -> Result<Policy, PolicyErrors> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let decoded = json::decode(text).map_err(json_error)?;
    let result = parse_owned(decoded.value);
    if decoded.duplicates.is_empty() {
        return result;
    }
    let mut errors: Vec<PolicyError> = decoded
        .duplicates
        .into_iter()
        .map(|path| {
            let key = match path.0.last() {
                Some(crate::error::PathSegment::Key(k)) => k.clone(),
                _ => String::new(),
            };
            PolicyError {
                file: None,
                path,
                kind: PolicyErrorKind::DuplicateKey(key),
            }
        })
        .collect();
    if let Err(PolicyErrors(more)) = result {
        errors.extend(more);
    }
    Err(PolicyErrors(errors))
}

/// Parse a policy document given in any of the forms IAM tools hand out: a JSON object, a
/// JSON *string* whose content is the document (GAAD, some CLIs), or URL-encoded JSON (the
/// IAM API). Leading whitespace and a byte-order mark are ignored.
pub fn parse_policy_lenient(text: &str) -> Result<Policy, PolicyErrors> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let trimmed = text.trim_start();
    if trimmed.starts_with('"') {
        let inner: String = serde_json::from_str(trimmed).map_err(json_error)?;
        return parse_policy_lenient(&inner);
    }
    if trimmed.starts_with('%') {
        let decoded = percent_decode(trimmed).ok_or_else(|| {
            single(
                JsonPath::default(),
                PolicyErrorKind::InvalidValue {
                    value: abbreviate(trimmed),
                    reason: "not valid URL-encoded UTF-8 text".to_string(),
                },
            )
        })?;
        return parse_policy(&decoded);
    }
    parse_policy(text)
}

/// Parse a policy document from an already-decoded JSON value (GAAD embeds documents as
/// objects, or as URL-encoded/JSON strings that the caller decodes first).
pub fn parse_policy_value(value: &Value) -> Result<Policy, PolicyErrors> {
    parse_owned(value.clone())
}

/// Parse a decoded document, moving its strings into the model (no copy of the value, as
/// [`parse_policy_value`] makes).
pub(crate) fn parse_owned(value: Value) -> Result<Policy, PolicyErrors> {
    let mut p = Parser { errors: Vec::new() };
    let policy = p.policy(value, &JsonPath::default());
    match policy {
        Some(policy) if p.errors.is_empty() => Ok(policy),
        _ => {
            if p.errors.is_empty() {
                // INVARIANT: every `None` above pushed an error; keep the promise of a
                // non-empty list even if that is ever broken.
                p.errors.push(PolicyError {
                    file: None,
                    path: JsonPath::default(),
                    kind: PolicyErrorKind::InvalidValue {
                        value: String::new(),
                        reason: "the document is not a policy".to_string(),
                    },
                });
            }
            Err(PolicyErrors(p.errors))
        }
    }
}

/// RFC 3986 percent-decoding (`%7B` → `{`), as the IAM API encodes documents; `+` stays.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// A malformed-JSON error with serde_json's line and column.
fn json_error(e: serde_json::Error) -> PolicyErrors {
    single(
        JsonPath::default(),
        PolicyErrorKind::Json {
            line: e.line(),
            column: e.column(),
            message: json::syntax_message(&e),
        },
    )
}

fn single(path: JsonPath, kind: PolicyErrorKind) -> PolicyErrors {
    PolicyErrors(vec![PolicyError {
        file: None,
        path,
        kind,
    }])
}

/// The first 80 characters of `s`, for messages.
fn abbreviate(s: &str) -> String {
    match s.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", s.get(..i).unwrap_or(s)),
        None => s.to_string(),
    }
}

/// Check the shape of an action name: `*`, or `service:action` where the service prefix is
/// letters, digits and `-` (wildcards allowed) and the action is non-empty, made of letters,
/// digits, `-`, `_`, `.` and wildcards. Case is free (action names are case-insensitive).
pub fn check_action(s: &str) -> Result<(), &'static str> {
    if s == "*" {
        return Ok(());
    }
    let Some((service, action)) = s.split_once(':') else {
        return Err("an action is `*` or `service:ActionName`");
    };
    if service.is_empty()
        || !service
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'*' | b'?'))
    {
        return Err("the service prefix may hold only letters, digits, `-` and wildcards");
    }
    // AWS accepts (and the managed corpus holds) names with stray spaces around the action
    // part, such as `ec2: DescribeAccountAttributes`; they are kept as written.
    let action = action.trim_matches(|c: char| c.is_ascii_whitespace());
    if action.is_empty()
        || !action
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'*' | b'?'))
    {
        return Err("the action name may hold only letters, digits, `-`, `_`, `.` and wildcards");
    }
    Ok(())
}

/// Check the shape of a resource: `*`, or an ARN `arn:partition:service:region:account:
/// resource` (six parts; wildcards and policy variables allowed in any part). An ARN with
/// fewer parts is accepted when it ends with `*`, which AWS lets expand across the colons
/// (IAM User Guide, Resource element; the managed policies use `arn:aws:waf:*`).
pub fn check_resource(s: &str) -> Result<(), &'static str> {
    if s == "*" {
        return Ok(());
    }
    let mut parts = s.splitn(6, ':');
    match parts.next() {
        Some("arn") => {}
        Some(p) if p.contains('*') || p.contains('?') => {}
        _ => return Err("a resource is `*` or an ARN starting with `arn:`"),
    }
    if parts.count() < 5 && !s.ends_with('*') {
        return Err(
            "an ARN has six colon-separated parts: arn:partition:service:region:account:resource",
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests;
