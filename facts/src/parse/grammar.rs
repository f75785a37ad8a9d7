//! The walk over a decoded JSON document that checks the policy grammar and builds the
//! typed model. It consumes the value, so strings move into the model instead of being
//! copied (allocation dominates parsing time), and it builds the JSON path of an element
//! only when it reports an error there.

use serde_json::{Map, Value};

use super::{check_action, check_resource};
use crate::condition::ConditionOperator;
use crate::error::{JsonPath, PolicyError, PolicyErrorKind};
use crate::policy::{
    ActionClause, ActionPattern, Condition, Effect, Policy, PolicyVersion, PrincipalClause,
    PrincipalEntry, Principals, ResourceClause, ResourcePattern, Statement,
};

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

/// The JSON type of a value, as named in "expected X, found Y" messages (policies and
/// account inputs alike).
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The path of an item of a string-or-array element.
fn item_path(element: &JsonPath, index: Option<usize>) -> JsonPath {
    match index {
        Some(i) => element.index(i),
        None => element.clone(),
    }
}

/// Collects errors while building a [`Policy`].
pub(super) struct Parser {
    /// Every error found so far, in document order.
    pub errors: Vec<PolicyError>,
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

    /// The whole document.
    pub fn policy(&mut self, value: Value, path: &JsonPath) -> Option<Policy> {
        let Value::Object(mut obj) = value else {
            self.wrong_type(path.clone(), "a policy document (an object)", &value);
            return None;
        };
        self.unknown_elements(&obj, &POLICY_ELEMENTS, path);
        let (version, version_given) = match obj.remove("Version") {
            None => (Some(PolicyVersion::V2008_10_17), false),
            Some(v) => (self.version(v, path), true),
        };
        let id = match obj.remove("Id") {
            None => None,
            Some(Value::String(s)) => Some(s),
            Some(other) => {
                self.wrong_type(path.key("Id"), "a string", &other);
                None
            }
        };
        let statements = match obj.remove("Statement") {
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

    fn version(&mut self, v: Value, parent: &JsonPath) -> Option<PolicyVersion> {
        match v {
            Value::String(s) if s == "2012-10-17" => Some(PolicyVersion::V2012_10_17),
            Value::String(s) if s == "2008-10-17" => Some(PolicyVersion::V2008_10_17),
            Value::String(s) => {
                self.err(
                    parent.key("Version"),
                    PolicyErrorKind::InvalidValue {
                        value: s,
                        reason: "the policy version must be `2012-10-17` or `2008-10-17`"
                            .to_string(),
                    },
                );
                None
            }
            other => {
                self.wrong_type(parent.key("Version"), "a string", &other);
                None
            }
        }
    }

    fn statements(&mut self, v: Value, path: &JsonPath) -> Option<Vec<Statement>> {
        match v {
            Value::Object(_) => Some(vec![self.statement(v, path, 0)?]),
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                let mut ok = true;
                for (i, item) in items.into_iter().enumerate() {
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
                    &other,
                );
                None
            }
        }
    }

    fn statement(&mut self, v: Value, path: &JsonPath, index: usize) -> Option<Statement> {
        let Value::Object(mut obj) = v else {
            self.wrong_type(path.clone(), "a statement (an object)", &v);
            return None;
        };
        let before = self.errors.len();
        self.unknown_elements(&obj, &STATEMENT_ELEMENTS, path);
        let sid = match obj.remove("Sid") {
            None => None,
            Some(Value::String(s)) => Some(s),
            Some(other) => {
                self.wrong_type(path.key("Sid"), "a string", &other);
                None
            }
        };
        let effect = match obj.remove("Effect") {
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
                        value: s,
                        reason: "the effect must be `Allow` or `Deny`".to_string(),
                    },
                );
                None
            }
            Some(other) => {
                self.wrong_type(path.key("Effect"), "a string", &other);
                None
            }
        };
        let action = self.action_clause(&mut obj, path);
        let resource = self.resource_clause(&mut obj, path);
        let principal = self.principal_clause(&mut obj, path);
        let conditions = match obj.remove("Condition") {
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

    /// Take whichever of two exclusive elements is present: `Ok(Some((name, value)))`,
    /// `Ok(None)` when neither is, `Err(())` after reporting both present.
    fn exclusive(
        &mut self,
        obj: &mut Map<String, Value>,
        path: &JsonPath,
        a: &'static str,
        b: &'static str,
    ) -> Result<Option<(&'static str, Value)>, ()> {
        match (obj.remove(a), obj.remove(b)) {
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
    /// string).
    fn strings(&mut self, v: Value, path: &JsonPath) -> Option<Vec<(String, Option<usize>)>> {
        match v {
            Value::String(s) => Some(vec![(s, None)]),
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                let mut ok = true;
                for (i, item) in items.into_iter().enumerate() {
                    match item {
                        Value::String(s) => out.push((s, Some(i))),
                        other => {
                            self.wrong_type(path.index(i), "a string", &other);
                            ok = false;
                        }
                    }
                }
                ok.then_some(out)
            }
            other => {
                self.wrong_type(path.clone(), "a string or an array of strings", &other);
                None
            }
        }
    }

    fn action_clause(
        &mut self,
        obj: &mut Map<String, Value>,
        path: &JsonPath,
    ) -> Option<ActionClause> {
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
        let items = self.strings(v, &path.key(name))?;
        let mut patterns = Vec::with_capacity(items.len());
        for (s, at) in items {
            match check_action(&s) {
                Ok(()) => patterns.push(ActionPattern(s)),
                Err(reason) => self.err(
                    item_path(&path.key(name), at),
                    PolicyErrorKind::InvalidValue {
                        value: s,
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
        obj: &mut Map<String, Value>,
        path: &JsonPath,
    ) -> Option<ResourceClause> {
        let (name, v) = self
            .exclusive(obj, path, "Resource", "NotResource")
            .ok()??;
        let items = self.strings(v, &path.key(name))?;
        let mut patterns = Vec::with_capacity(items.len());
        for (s, at) in items {
            match check_resource(&s) {
                Ok(()) => patterns.push(ResourcePattern(s)),
                Err(reason) => self.err(
                    item_path(&path.key(name), at),
                    PolicyErrorKind::InvalidArn {
                        value: s,
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
        obj: &mut Map<String, Value>,
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
                        value: s,
                        reason: "a principal is `*` or an object such as {\"AWS\": ...}"
                            .to_string(),
                    },
                );
                return None;
            }
            Value::Object(map) => {
                let mut entries = Vec::new();
                for (ty, ids) in map {
                    let at = p.key(&ty);
                    let make: fn(String) -> PrincipalEntry = match ty.as_str() {
                        "AWS" => PrincipalEntry::Aws,
                        "Service" => PrincipalEntry::Service,
                        "Federated" => PrincipalEntry::Federated,
                        "CanonicalUser" => PrincipalEntry::CanonicalUser,
                        _ => {
                            self.err(at, PolicyErrorKind::UnknownElement(ty));
                            continue;
                        }
                    };
                    if let Some(items) = self.strings(ids, &at) {
                        entries.extend(items.into_iter().map(|(s, _)| make(s)));
                    }
                }
                Principals::Specific(entries)
            }
            other => {
                self.wrong_type(p, "`*` or an object of principal types", &other);
                return None;
            }
        };
        Some(if name == "Principal" {
            PrincipalClause::Principal(principals)
        } else {
            PrincipalClause::NotPrincipal(principals)
        })
    }

    fn conditions(&mut self, v: Value, path: &JsonPath) -> Vec<Condition> {
        let Value::Object(ops) = v else {
            self.wrong_type(path.clone(), "an object of condition operators", &v);
            return Vec::new();
        };
        let mut out = Vec::new();
        for (op_name, block) in ops {
            let operator = ConditionOperator::parse(&op_name);
            if operator.is_none() {
                self.err(
                    path.key(&op_name),
                    PolicyErrorKind::UnknownOperator(op_name.clone()),
                );
            }
            let Value::Object(keys) = block else {
                self.wrong_type(path.key(&op_name), "an object of condition keys", &block);
                continue;
            };
            for (key, values) in keys {
                let Some(values) = self.condition_values(values, path, &op_name, &key) else {
                    continue;
                };
                if let Some(operator) = operator {
                    out.push(Condition {
                        operator,
                        key,
                        values,
                    });
                }
            }
        }
        out
    }

    /// A condition value: a string, number or boolean, or an array of them. The path
    /// `Condition.<op>.<key>` is built only for an error.
    fn condition_values(
        &mut self,
        v: Value,
        cond_path: &JsonPath,
        op: &str,
        key: &str,
    ) -> Option<Vec<String>> {
        let scalar = |v: Value| match v {
            Value::String(s) => Ok(s),
            Value::Number(n) => Ok(n.to_string()),
            Value::Bool(b) => Ok(b.to_string()),
            other => Err(other),
        };
        match v {
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                let mut ok = true;
                for (i, item) in items.into_iter().enumerate() {
                    match scalar(item) {
                        Ok(s) => out.push(s),
                        Err(bad) => {
                            self.wrong_type(
                                cond_path.key(op).key(key).index(i),
                                "a string, number or boolean",
                                &bad,
                            );
                            ok = false;
                        }
                    }
                }
                ok.then_some(out)
            }
            other => match scalar(other) {
                Ok(s) => Some(vec![s]),
                Err(bad) => {
                    self.wrong_type(
                        cond_path.key(op).key(key),
                        "a string, number or boolean, or an array of them",
                        &bad,
                    );
                    None
                }
            },
        }
    }
}
