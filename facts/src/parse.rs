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

mod json;

use serde_json::{Map, Value};

use crate::condition::ConditionOperator;
use crate::error::{JsonPath, PolicyError, PolicyErrorKind, PolicyErrors};
use crate::policy::{
    ActionClause, ActionPattern, Condition, Effect, Policy, PolicyVersion, PrincipalClause,
    PrincipalEntry, Principals, ResourceClause, ResourcePattern, Statement,
};

/// Parse a policy document from JSON text (a leading UTF-8 byte-order mark is ignored).
/// An object key given twice anywhere in the text is an error (`DuplicateKey`), reported
/// with every other error of the document.
pub fn parse_policy(text: &str) -> Result<Policy, PolicyErrors> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let decoded = json::decode(text).map_err(json_error)?;
    let result = parse_policy_value(&decoded.value);
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
            message: e.to_string(),
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

/// The path of an item of a string-or-array element.
fn item_path(element: &JsonPath, index: Option<usize>) -> JsonPath {
    match index {
        Some(i) => element.index(i),
        None => element.clone(),
    }
}

/// The JSON type of a value, as named in messages.
fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

const POLICY_ELEMENTS: [&str; 3] = ["Version", "Id", "Statement"];
const STATEMENT_ELEMENTS: [&str; 9] = [
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Principal",
    "NotPrincipal",
    "Condition",
];

struct Parser {
    errors: Vec<PolicyError>,
}

impl Parser {
    fn err(&mut self, path: JsonPath, kind: PolicyErrorKind) {
        self.errors.push(PolicyError {
            file: None,
            path,
            kind,
        });
    }

    fn wrong_type(&mut self, path: JsonPath, expected: &str, found: &Value) {
        self.err(
            path,
            PolicyErrorKind::WrongType {
                expected: expected.to_string(),
                found: type_name(found).to_string(),
            },
        );
    }

    /// Report members of `obj` whose names are not in `known`.
    fn unknown_elements(&mut self, obj: &Map<String, Value>, known: &[&str], path: &JsonPath) {
        for k in obj.keys() {
            if !known.contains(&k.as_str()) {
                self.err(path.key(k), PolicyErrorKind::UnknownElement(k.clone()));
            }
        }
    }

    fn policy(&mut self, value: &Value, path: &JsonPath) -> Option<Policy> {
        let Value::Object(obj) = value else {
            self.wrong_type(path.clone(), "a policy document (an object)", value);
            return None;
        };
        self.unknown_elements(obj, &POLICY_ELEMENTS, path);
        let (version, version_given) = match obj.get("Version") {
            None => (Some(PolicyVersion::V2008_10_17), false),
            Some(v) => (self.version(v, &path.key("Version")), true),
        };
        let id = match obj.get("Id") {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                self.wrong_type(path.key("Id"), "a string", other);
                None
            }
        };
        let statements = match obj.get("Statement") {
            None => {
                self.err(
                    path.clone(),
                    PolicyErrorKind::MissingElement("Statement".to_string()),
                );
                None
            }
            Some(v) => self.statements(v, &path.key("Statement")),
        };
        Some(Policy {
            version: version?,
            version_given,
            id,
            statements: statements?,
        })
    }

    fn version(&mut self, v: &Value, path: &JsonPath) -> Option<PolicyVersion> {
        match v {
            Value::String(s) if s == "2012-10-17" => Some(PolicyVersion::V2012_10_17),
            Value::String(s) if s == "2008-10-17" => Some(PolicyVersion::V2008_10_17),
            Value::String(s) => {
                self.err(
                    path.clone(),
                    PolicyErrorKind::InvalidValue {
                        value: s.clone(),
                        reason: "the policy version must be `2012-10-17` or `2008-10-17`"
                            .to_string(),
                    },
                );
                None
            }
            other => {
                self.wrong_type(path.clone(), "a string", other);
                None
            }
        }
    }

    fn statements(&mut self, v: &Value, path: &JsonPath) -> Option<Vec<Statement>> {
        match v {
            Value::Object(_) => Some(vec![self.statement(v, path, 0)?]),
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                let mut ok = true;
                for (i, item) in items.iter().enumerate() {
                    match self.statement(item, &path.index(i), i) {
                        Some(s) => out.push(s),
                        None => ok = false,
                    }
                }
                ok.then_some(out)
            }
            other => {
                self.wrong_type(
                    path.clone(),
                    "a statement object or an array of them",
                    other,
                );
                None
            }
        }
    }

    fn statement(&mut self, v: &Value, path: &JsonPath, index: usize) -> Option<Statement> {
        let Value::Object(obj) = v else {
            self.wrong_type(path.clone(), "a statement (an object)", v);
            return None;
        };
        let before = self.errors.len();
        self.unknown_elements(obj, &STATEMENT_ELEMENTS, path);
        let sid = match obj.get("Sid") {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                self.wrong_type(path.key("Sid"), "a string", other);
                None
            }
        };
        let effect = match obj.get("Effect") {
            None => {
                self.err(
                    path.clone(),
                    PolicyErrorKind::MissingElement("Effect".to_string()),
                );
                None
            }
            Some(Value::String(s)) if s == "Allow" => Some(Effect::Allow),
            Some(Value::String(s)) if s == "Deny" => Some(Effect::Deny),
            Some(Value::String(s)) => {
                self.err(
                    path.key("Effect"),
                    PolicyErrorKind::InvalidValue {
                        value: s.clone(),
                        reason: "the effect must be `Allow` or `Deny`".to_string(),
                    },
                );
                None
            }
            Some(other) => {
                self.wrong_type(path.key("Effect"), "a string", other);
                None
            }
        };
        let action = self.action_clause(obj, path);
        let resource = self.resource_clause(obj, path);
        let principal = self.principal_clause(obj, path);
        let conditions = match obj.get("Condition") {
            None => Vec::new(),
            Some(c) => self.conditions(c, &path.key("Condition")),
        };
        if self.errors.len() > before {
            return None;
        }
        Some(Statement {
            index,
            sid,
            effect: effect?,
            action: action?,
            resource,
            principal,
            conditions,
        })
    }

    /// Which of two exclusive elements is present: `Some((name, value))`, or `None` after
    /// reporting both present; `Ok(None)` when neither is.
    fn exclusive<'v>(
        &mut self,
        obj: &'v Map<String, Value>,
        path: &JsonPath,
        a: &'static str,
        b: &'static str,
    ) -> Result<Option<(&'static str, &'v Value)>, ()> {
        match (obj.get(a), obj.get(b)) {
            (Some(_), Some(_)) => {
                self.err(
                    path.clone(),
                    PolicyErrorKind::Conflicting(a.to_string(), b.to_string()),
                );
                Err(())
            }
            (Some(v), None) => Ok(Some((a, v))),
            (None, Some(v)) => Ok(Some((b, v))),
            (None, None) => Ok(None),
        }
    }

    /// A string or an array of strings, each with its index in the array (`None` for a lone
    /// string); the caller builds the JSON path of an item only if it reports an error.
    fn strings<'v>(
        &mut self,
        v: &'v Value,
        path: &JsonPath,
    ) -> Option<Vec<(&'v str, Option<usize>)>> {
        match v {
            Value::String(s) => Some(vec![(s.as_str(), None)]),
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                let mut ok = true;
                for (i, item) in items.iter().enumerate() {
                    match item {
                        Value::String(s) => out.push((s.as_str(), Some(i))),
                        other => {
                            self.wrong_type(path.index(i), "a string", other);
                            ok = false;
                        }
                    }
                }
                ok.then_some(out)
            }
            other => {
                self.wrong_type(path.clone(), "a string or an array of strings", other);
                None
            }
        }
    }

    fn action_clause(&mut self, obj: &Map<String, Value>, path: &JsonPath) -> Option<ActionClause> {
        let (name, v) = match self.exclusive(obj, path, "Action", "NotAction") {
            Err(()) => return None,
            Ok(None) => {
                self.err(
                    path.clone(),
                    PolicyErrorKind::MissingElement("Action".to_string()),
                );
                return None;
            }
            Ok(Some(found)) => found,
        };
        let p = path.key(name);
        let items = self.strings(v, &p)?;
        let mut patterns = Vec::with_capacity(items.len());
        for (s, at) in items {
            match check_action(s) {
                Ok(()) => patterns.push(ActionPattern(s.to_string())),
                Err(reason) => self.err(
                    item_path(&p, at),
                    PolicyErrorKind::InvalidValue {
                        value: s.to_string(),
                        reason: reason.to_string(),
                    },
                ),
            }
        }
        Some(if name == "Action" {
            ActionClause::Action(patterns)
        } else {
            ActionClause::NotAction(patterns)
        })
    }

    fn resource_clause(
        &mut self,
        obj: &Map<String, Value>,
        path: &JsonPath,
    ) -> Option<ResourceClause> {
        let (name, v) = self
            .exclusive(obj, path, "Resource", "NotResource")
            .ok()??;
        let p = path.key(name);
        let items = self.strings(v, &p)?;
        let mut patterns = Vec::with_capacity(items.len());
        for (s, at) in items {
            match check_resource(s) {
                Ok(()) => patterns.push(ResourcePattern(s.to_string())),
                Err(reason) => self.err(
                    item_path(&p, at),
                    PolicyErrorKind::InvalidArn {
                        value: s.to_string(),
                        reason: reason.to_string(),
                    },
                ),
            }
        }
        Some(if name == "Resource" {
            ResourceClause::Resource(patterns)
        } else {
            ResourceClause::NotResource(patterns)
        })
    }

    fn principal_clause(
        &mut self,
        obj: &Map<String, Value>,
        path: &JsonPath,
    ) -> Option<PrincipalClause> {
        let (name, v) = self
            .exclusive(obj, path, "Principal", "NotPrincipal")
            .ok()??;
        let p = path.key(name);
        let principals = match v {
            Value::String(s) if s == "*" => Principals::Any,
            Value::String(s) => {
                self.err(
                    p,
                    PolicyErrorKind::InvalidValue {
                        value: s.clone(),
                        reason: "a principal is `*` or an object such as {\"AWS\": ...}"
                            .to_string(),
                    },
                );
                return None;
            }
            Value::Object(map) => {
                let mut entries = Vec::new();
                for (ty, ids) in map {
                    let at = p.key(ty);
                    let make: fn(String) -> PrincipalEntry = match ty.as_str() {
                        "AWS" => PrincipalEntry::Aws,
                        "Service" => PrincipalEntry::Service,
                        "Federated" => PrincipalEntry::Federated,
                        "CanonicalUser" => PrincipalEntry::CanonicalUser,
                        _ => {
                            self.err(at, PolicyErrorKind::UnknownElement(ty.clone()));
                            continue;
                        }
                    };
                    if let Some(items) = self.strings(ids, &at) {
                        entries.extend(items.into_iter().map(|(s, _)| make(s.to_string())));
                    }
                }
                Principals::Specific(entries)
            }
            other => {
                self.wrong_type(p, "`*` or an object of principal types", other);
                return None;
            }
        };
        Some(if name == "Principal" {
            PrincipalClause::Principal(principals)
        } else {
            PrincipalClause::NotPrincipal(principals)
        })
    }

    fn conditions(&mut self, v: &Value, path: &JsonPath) -> Vec<Condition> {
        let Value::Object(ops) = v else {
            self.wrong_type(path.clone(), "an object of condition operators", v);
            return Vec::new();
        };
        let mut out = Vec::new();
        for (op_name, block) in ops {
            let op_path = path.key(op_name);
            let operator = ConditionOperator::parse(op_name);
            if operator.is_none() {
                self.err(
                    op_path.clone(),
                    PolicyErrorKind::UnknownOperator(op_name.clone()),
                );
            }
            let Value::Object(keys) = block else {
                self.wrong_type(op_path, "an object of condition keys", block);
                continue;
            };
            for (key, values) in keys {
                let key_path = op_path.key(key);
                let Some(values) = self.condition_values(values, &key_path) else {
                    continue;
                };
                if let Some(operator) = operator {
                    out.push(Condition {
                        operator,
                        key: key.clone(),
                        values,
                    });
                }
            }
        }
        out
    }

    /// A condition value: a string, number or boolean, or an array of them.
    fn condition_values(&mut self, v: &Value, path: &JsonPath) -> Option<Vec<String>> {
        const EXPECTED: &str = "a string, number or boolean, or an array of them";
        let scalar = |v: &Value| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        };
        match v {
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                let mut ok = true;
                for (i, item) in items.iter().enumerate() {
                    match scalar(item) {
                        Some(s) => out.push(s),
                        None => {
                            self.wrong_type(path.index(i), "a string, number or boolean", item);
                            ok = false;
                        }
                    }
                }
                ok.then_some(out)
            }
            other => match scalar(other) {
                Some(s) => Some(vec![s]),
                None => {
                    self.wrong_type(path.clone(), EXPECTED, other);
                    None
                }
            },
        }
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
