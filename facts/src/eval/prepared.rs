//! Statements prepared once for matching many requests.
//!
//! [`statement_applies`](super::statement_applies) reads a statement as parsed: for every
//! request it scans each action and resource pattern for wildcards and policy variables,
//! lowercases each condition key and reads each condition value again. A
//! [`PreparedStatement`] does that work once: patterns are classified (`*`, no wildcard,
//! one trailing `*`, anything else, holding variables), condition keys are lowercased and
//! condition values that hold no variable are read for their operator (`Bool` values
//! parsed, string values kept with their glob class). Its answers are exactly those of
//! `statement_applies` (the same AWS rules, see [`crate::eval`] and
//! [`crate::condition::eval`]); the property test in `facts/src/eval/prepared_tests.rs`
//! compares the two on generated statements and requests.

use crate::condition::eval::{compare, holds_with, parse_bool, value_matches};
use crate::condition::{BaseOperator, OperatorFamily};
use crate::policy::{
    ActionClause, Condition, Policy, PrincipalClause, ResourceClause, ResourcePattern, Statement,
};
use crate::request::{Context, Request};
use crate::variables::has_variables;
use crate::wildcard::{eq_ignore_case, glob_match, glob_match_general, prefix_bytes_match};

/// A glob pattern classified once: the classes [`glob_match`] tells apart on every call.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Glob {
    /// `*`: matches everything.
    Any,
    /// No wildcard: equal text (but for case when matching case-insensitively).
    Exact(Box<str>),
    /// One trailing `*` and no other wildcard: the pattern as written (`prefix*`).
    Prefix(Box<str>),
    /// Anything else: matched by [`glob_match`].
    Other(Box<str>),
}

impl Glob {
    fn new(pattern: &str) -> Glob {
        if pattern == "*" {
            return Glob::Any;
        }
        let p = pattern.as_bytes();
        match p.iter().position(|&b| b == b'*' || b == b'?') {
            None => Glob::Exact(pattern.into()),
            Some(i) if i + 1 == p.len() && p.get(i) == Some(&b'*') => Glob::Prefix(pattern.into()),
            Some(_) => Glob::Other(pattern.into()),
        }
    }

    /// `glob_match(pattern, text, ignore_case)`, without classifying the pattern again.
    fn matches(&self, text: &str, ignore_case: bool) -> bool {
        match self {
            Glob::Any => true,
            Glob::Exact(p) if ignore_case => eq_ignore_case(p, text),
            Glob::Exact(p) => **p == *text,
            Glob::Prefix(p) => {
                let head = p.as_bytes().split_last().map_or(&[][..], |(_, h)| h);
                prefix_bytes_match(head, text, ignore_case)
                    .unwrap_or_else(|| glob_match_general(p, text, ignore_case))
            }
            Glob::Other(p) => glob_match(p, text, ignore_case),
        }
    }
}

/// One `Resource`/`NotResource` pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ResourceMatcher {
    /// No policy variable to substitute: a case-sensitive glob over the ARN.
    Glob(Glob),
    /// Policy variables substituted per request ([`super::resource_pattern_matches`]).
    Variables(Box<str>),
}

impl ResourceMatcher {
    fn new(pattern: &ResourcePattern, variables: bool) -> ResourceMatcher {
        if variables && has_variables(&pattern.0) {
            ResourceMatcher::Variables(pattern.0.as_str().into())
        } else {
            ResourceMatcher::Glob(Glob::new(&pattern.0))
        }
    }

    fn matches(&self, resource: &str, ctx: &Context) -> bool {
        match self {
            ResourceMatcher::Glob(g) => g.matches(resource, false),
            ResourceMatcher::Variables(p) => {
                super::resource_pattern_matches(p, resource, ctx, true)
            }
        }
    }
}

/// One condition value as its (positive) operator reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ValueMatcher {
    /// Holds policy variables: substituted per request ([`value_matches`]).
    Variables,
    /// `StringEquals`: equal text.
    Equals(Box<str>),
    /// `StringEqualsIgnoreCase`.
    EqualsIgnoreCase(Box<str>),
    /// `StringLike`: a case-sensitive glob.
    Like(Glob),
    /// `Bool`: the value read (`None`: not a boolean, matches nothing).
    Bool(Option<bool>),
    /// Any other operator: [`compare`] with the value as written.
    Compare(Box<str>),
}

impl ValueMatcher {
    fn new(op: BaseOperator, value: &str, variables: bool) -> ValueMatcher {
        if variables && has_variables(value) {
            return ValueMatcher::Variables;
        }
        match (op.family(), op) {
            (OperatorFamily::String, BaseOperator::StringEqualsIgnoreCase) => {
                ValueMatcher::EqualsIgnoreCase(value.into())
            }
            (OperatorFamily::String, BaseOperator::StringLike) => {
                ValueMatcher::Like(Glob::new(value))
            }
            (OperatorFamily::String, _) => ValueMatcher::Equals(value.into()),
            (OperatorFamily::Bool, _) => ValueMatcher::Bool(parse_bool(value)),
            _ => ValueMatcher::Compare(value.into()),
        }
    }

    /// `value_matches(op, written, request, ctx, variables)` for the value this was made from.
    fn matches(&self, op: BaseOperator, written: &str, request: &str, ctx: &Context) -> bool {
        match self {
            ValueMatcher::Variables => value_matches(op, written, request, ctx, true),
            ValueMatcher::Equals(p) => **p == *request,
            ValueMatcher::EqualsIgnoreCase(p) => eq_ignore_case(p, request),
            ValueMatcher::Like(g) => g.matches(request, false),
            ValueMatcher::Bool(p) => p.is_some_and(|p| parse_bool(request) == Some(p)),
            ValueMatcher::Compare(p) => compare(op, p, request),
        }
    }
}

/// One condition entry: its key lowercased, its values read.
#[derive(Debug, Clone, PartialEq)]
struct PreparedCondition {
    condition: Condition,
    /// The key ASCII-lowercased, as [`Context`] stores keys.
    key: Box<str>,
    /// One per value of `condition`, in order.
    values: Box<[ValueMatcher]>,
}

impl PreparedCondition {
    fn new(condition: &Condition, variables: bool) -> PreparedCondition {
        let positive = condition.operator.base.positive();
        PreparedCondition {
            condition: condition.clone(),
            key: condition.key.to_ascii_lowercase().into(),
            values: condition
                .values
                .iter()
                .map(|v| ValueMatcher::new(positive, v, variables))
                .collect(),
        }
    }

    /// `condition_holds(condition, ctx, variables)`.
    fn holds(&self, ctx: &Context) -> bool {
        let cond = &self.condition;
        let positive = cond.operator.base.positive();
        holds_with(cond, ctx.get_lowercase_key(&self.key), |r| {
            self.values
                .iter()
                .zip(&cond.values)
                .any(|(m, written)| m.matches(positive, written, r, ctx))
        })
    }
}

/// A statement prepared once for matching many requests: [`PreparedStatement::applies`]
/// answers exactly what [`super::statement_applies`] answers for the statement and policy
/// it was made from, doing per request only the comparisons (see the module
/// documentation).
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedStatement {
    /// `NotAction` rather than `Action`.
    not_action: bool,
    actions: Box<[Glob]>,
    /// `(NotResource rather than Resource, patterns)`; `None`: no resource element.
    resource: Option<(bool, Box<[ResourceMatcher]>)>,
    principal: Option<PrincipalClause>,
    conditions: Box<[PreparedCondition]>,
}

impl PreparedStatement {
    /// Prepare `stmt`, a statement of `policy` (whose version says whether policy variables
    /// are substituted).
    pub fn new(policy: &Policy, stmt: &Statement) -> PreparedStatement {
        let variables = policy.version.supports_variables();
        let (not_action, actions) = match &stmt.action {
            ActionClause::Action(ps) => (false, ps),
            ActionClause::NotAction(ps) => (true, ps),
        };
        let resource = stmt.resource.as_ref().map(|r| {
            let (not, ps) = match r {
                ResourceClause::Resource(ps) => (false, ps),
                ResourceClause::NotResource(ps) => (true, ps),
            };
            let ms = ps
                .iter()
                .map(|p| ResourceMatcher::new(p, variables))
                .collect();
            (not, ms)
        });
        PreparedStatement {
            not_action,
            actions: actions.iter().map(|p| Glob::new(&p.0)).collect(),
            resource,
            principal: stmt.principal.clone(),
            conditions: stmt
                .conditions
                .iter()
                .map(|c| PreparedCondition::new(c, variables))
                .collect(),
        }
    }

    /// Whether the statement applies to `req`: exactly
    /// [`statement_applies`](super::statement_applies)`(policy, stmt, req)`.
    pub fn applies(&self, req: &Request) -> bool {
        self.action_matches(&req.action)
            && self.resource_matches(&req.resource, &req.context)
            && self
                .principal
                .as_ref()
                .is_none_or(|p| super::principal_clause_matches(p, &req.principal))
            && self.conditions_hold(&req.context)
    }

    /// Whether the statement's action, resource and conditions match `req`, whatever its
    /// principal element says (what a `Deny` with `NotPrincipal` is reduced to for a
    /// caller with a permissions boundary).
    pub fn applies_ignoring_principal(&self, req: &Request) -> bool {
        self.action_matches(&req.action)
            && self.resource_matches(&req.resource, &req.context)
            && self.conditions_hold(&req.context)
    }

    /// [`super::action_matches`] of the statement's action element.
    pub fn action_matches(&self, action: &str) -> bool {
        self.actions.iter().any(|g| g.matches(action, true)) != self.not_action
    }

    /// [`super::resource_clause_matches`] of the statement's resource element (`true`
    /// without one).
    pub fn resource_matches(&self, resource: &str, ctx: &Context) -> bool {
        self.resource
            .as_ref()
            .is_none_or(|(not, ms)| ms.iter().any(|m| m.matches(resource, ctx)) != *not)
    }

    /// Whether every condition holds in `ctx` ([`crate::condition::eval::condition_holds`]).
    pub fn conditions_hold(&self, ctx: &Context) -> bool {
        self.conditions.iter().all(|c| c.holds(ctx))
    }
}
