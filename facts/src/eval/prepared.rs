//! Statements prepared once for matching many requests.
//!
//! [`statement_applies`](super::statement_applies) reads a statement as parsed: for every
//! request it scans each action and resource pattern for wildcards and policy variables,
//! lowercases each condition key and reads each condition value again. A
//! [`PreparedStatement`] keeps what those readings find: the class of each pattern (`*`, no
//! wildcard, one trailing `*`, anything else, holding variables), each condition key
//! lowercased, and how each condition value compares (`Bool` values read, string values
//! with their glob class). It holds no copy of the patterns or values: it is matched
//! together with the statement it was made from, so making one costs a scan of the
//! statement and at most two small allocations (worth it for a statement matched a few
//! times). Its answers are exactly those of `statement_applies` (the same AWS rules, see
//! [`crate::eval`] and [`crate::condition::eval`]); the property test in
//! `facts/src/eval/prepared_tests.rs` compares the two on generated statements and requests.

use crate::condition::eval::{compare, holds_with, parse_bool, value_matches};
use crate::condition::{BaseOperator, OperatorFamily};
use crate::policy::{Condition, Policy, ResourceClause, Statement};
use crate::request::{Context, Request};
use crate::variables::has_variables;
use crate::wildcard::{eq_ignore_case, glob_match, glob_match_general, prefix_bytes_match};

/// The class of one pattern or condition value (one byte each in a prepared statement).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Class {
    /// A glob that is `*`: matches everything.
    Any,
    /// A glob without wildcard: equal text (but for case when matching case-insensitively).
    Exact,
    /// A glob with one trailing `*` and no other wildcard: a prefix.
    Prefix,
    /// Any other glob: [`glob_match`].
    Glob,
    /// A resource pattern or condition value whose policy variables are substituted per
    /// request.
    Variables,
    /// `StringEqualsIgnoreCase`.
    EqualsIgnoreCase,
    /// `Bool` with `true`.
    True,
    /// `Bool` with `false`.
    False,
    /// `Bool` with a value that is not a boolean: matches nothing.
    NotBool,
    /// Any other operator: [`compare`] with the value as written.
    Compare,
}

/// The glob class of `pattern`, as [`glob_match`] tells it apart on each call.
fn glob_class(pattern: &str) -> Class {
    if pattern == "*" {
        return Class::Any;
    }
    let p = pattern.as_bytes();
    match p.iter().position(|&b| b == b'*' || b == b'?') {
        None => Class::Exact,
        Some(i) if i + 1 == p.len() && p.get(i) == Some(&b'*') => Class::Prefix,
        Some(_) => Class::Glob,
    }
}

/// `glob_match(pattern, text, ignore_case)` for a pattern of class `class`.
fn glob_matches(class: Class, pattern: &str, text: &str, ignore_case: bool) -> bool {
    match class {
        Class::Any => true,
        Class::Exact if ignore_case => eq_ignore_case(pattern, text),
        Class::Exact => pattern == text,
        Class::Prefix => {
            let head = pattern.as_bytes().split_last().map_or(&[][..], |(_, h)| h);
            prefix_bytes_match(head, text, ignore_case)
                .unwrap_or_else(|| glob_match_general(pattern, text, ignore_case))
        }
        _ => glob_match(pattern, text, ignore_case),
    }
}

/// The class of a condition value under the positive operator `op`.
fn value_class(op: BaseOperator, value: &str, variables: bool) -> Class {
    if variables && has_variables(value) {
        return Class::Variables;
    }
    match op.family() {
        OperatorFamily::String => match op {
            BaseOperator::StringEqualsIgnoreCase => Class::EqualsIgnoreCase,
            BaseOperator::StringLike => glob_class(value),
            // `StringEquals`: equal text, what `Exact` compares case-sensitively.
            _ => Class::Exact,
        },
        OperatorFamily::Bool => match parse_bool(value) {
            Some(true) => Class::True,
            Some(false) => Class::False,
            None => Class::NotBool,
        },
        _ => Class::Compare,
    }
}

/// `value_matches(op, value, request, ctx, variables)` for a value of class `class`.
fn value_class_matches(
    class: Class,
    op: BaseOperator,
    value: &str,
    request: &str,
    ctx: &Context,
) -> bool {
    match class {
        Class::Variables => value_matches(op, value, request, ctx, true),
        Class::EqualsIgnoreCase => eq_ignore_case(value, request),
        Class::True => parse_bool(request) == Some(true),
        Class::False => parse_bool(request) == Some(false),
        Class::NotBool => false,
        Class::Compare => compare(op, value, request),
        // String classes: `StringEquals` (`Exact`) or a `StringLike` glob.
        glob => glob_matches(glob, value, request, false),
    }
}

/// A statement prepared once for matching many requests (see the module documentation).
/// Its methods take the statement it was made from: [`PreparedStatement::applies`] answers
/// exactly what [`super::statement_applies`] answers for that statement. Given another
/// statement, answers are unspecified (never a panic).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PreparedStatement {
    /// One class per resource pattern, then per value of each condition in order.
    classes: Box<[Class]>,
    /// The condition keys, ASCII-lowercased (as [`Context`] stores keys), one after the
    /// other: each is as long as the key as written.
    keys: Box<str>,
}

/// The patterns of a statement's resource element (none without one), and whether it is
/// `NotResource`.
fn resources(stmt: &Statement) -> (bool, &[crate::policy::ResourcePattern]) {
    match &stmt.resource {
        Some(ResourceClause::Resource(ps)) => (false, ps),
        Some(ResourceClause::NotResource(ps)) => (true, ps),
        None => (false, &[]),
    }
}

impl PreparedStatement {
    /// Prepare `stmt`, a statement of `policy` (whose version says whether policy variables
    /// are substituted).
    pub fn new(policy: &Policy, stmt: &Statement) -> PreparedStatement {
        let variables = policy.version.supports_variables();
        let (_, res) = resources(stmt);
        let values: usize = stmt.conditions.iter().map(|c| c.values.len()).sum();
        let mut classes = Vec::with_capacity(res.len() + values);
        classes.extend(res.iter().map(|p| {
            if variables && has_variables(&p.0) {
                Class::Variables
            } else {
                glob_class(&p.0)
            }
        }));
        let mut keys = String::with_capacity(stmt.conditions.iter().map(|c| c.key.len()).sum());
        for c in &stmt.conditions {
            let positive = c.operator.base.positive();
            classes.extend(c.values.iter().map(|v| value_class(positive, v, variables)));
            keys.push_str(&c.key);
        }
        keys.make_ascii_lowercase();
        PreparedStatement {
            classes: classes.into_boxed_slice(),
            keys: keys.into_boxed_str(),
        }
    }

    /// Whether `stmt` (the statement this was prepared from) applies to `req`: exactly
    /// [`statement_applies`](super::statement_applies)`(policy, stmt, req)`.
    pub fn applies(&self, stmt: &Statement, req: &Request) -> bool {
        self.action_matches(stmt, &req.action) && self.applies_given_action(stmt, req)
    }

    /// [`PreparedStatement::applies`] for a caller that already knows that the statement's
    /// action element matches `req.action` (such as one that found the statement through an
    /// exact index of action patterns): resource, principal and conditions.
    pub fn applies_given_action(&self, stmt: &Statement, req: &Request) -> bool {
        debug_assert!(self.action_matches(stmt, &req.action));
        self.resource_matches(stmt, &req.resource, &req.context)
            && stmt
                .principal
                .as_ref()
                .is_none_or(|p| super::principal_clause_matches(p, &req.principal))
            && self.conditions_hold(stmt, &req.context)
    }

    /// Whether the statement's action, resource and conditions match `req`, whatever its
    /// principal element says (what a `Deny` with `NotPrincipal` is reduced to for a
    /// caller with a permissions boundary).
    pub fn applies_ignoring_principal(&self, stmt: &Statement, req: &Request) -> bool {
        self.action_matches(stmt, &req.action)
            && self.resource_matches(stmt, &req.resource, &req.context)
            && self.conditions_hold(stmt, &req.context)
    }

    /// [`super::action_matches`] of the statement's action element (matched as parsed:
    /// classifying an action pattern costs what matching it does).
    pub fn action_matches(&self, stmt: &Statement, action: &str) -> bool {
        super::action_matches(&stmt.action, action)
    }

    /// [`super::resource_clause_matches`] of the statement's resource element (`true`
    /// without one).
    pub fn resource_matches(&self, stmt: &Statement, resource: &str, ctx: &Context) -> bool {
        if stmt.resource.is_none() {
            return true;
        }
        let (not, ps) = resources(stmt);
        let classes = self.classes.get(..ps.len()).unwrap_or(&[]);
        let any = ps.iter().zip(classes).any(|(p, &c)| match c {
            Class::Variables => super::resource_pattern_matches(&p.0, resource, ctx, true),
            glob => glob_matches(glob, &p.0, resource, false),
        });
        any != not
    }

    /// Whether every condition of the statement holds in `ctx`
    /// ([`crate::condition::eval::condition_holds`] of each).
    pub fn conditions_hold(&self, stmt: &Statement, ctx: &Context) -> bool {
        let skip = resources(stmt).1.len();
        let mut classes = self.classes.get(skip..).unwrap_or(&[]);
        let mut keys = &*self.keys;
        stmt.conditions.iter().all(|c| {
            let (key, rest) = keys.split_at_checked(c.key.len()).unwrap_or(("", ""));
            keys = rest;
            let (mine, others) = classes
                .split_at_checked(c.values.len())
                .unwrap_or((&[], &[]));
            classes = others;
            condition_holds(c, key, mine, ctx)
        })
    }
}

/// `condition_holds(cond, ctx, variables)` for a condition whose key lowercased is `key`
/// and whose values have classes `classes`.
fn condition_holds(cond: &Condition, key: &str, classes: &[Class], ctx: &Context) -> bool {
    let positive = cond.operator.base.positive();
    holds_with(cond, ctx.get_lowercase_key(key), |r| {
        cond.values
            .iter()
            .zip(classes)
            .any(|(v, &c)| value_class_matches(c, positive, v, r, ctx))
    })
}
