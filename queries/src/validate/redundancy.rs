//! Duplicate, redundant and shadowed statements.
//!
//! IAM User Guide, "Policy evaluation logic": statements of one policy are ORed for
//! `Allow`, and an explicit `Deny` overrides any `Allow`. So an `Allow` whose requests all
//! match another unconditional `Allow` adds nothing, and one whose requests all match an
//! unconditional `Deny` can never grant anything.
//!
//! Containment is decided conservatively: pattern containment by
//! [`facts::catalogue::glob_covers`] (never claims a containment that does not hold), plus,
//! for action patterns, the catalogue's concrete actions (`s3:Get*` is covered by a list
//! naming every known `s3:Get*` action). Statements with `NotAction`/`NotResource`/
//! `NotPrincipal` on either side, or conditions on the covering side, are left alone.

use std::collections::HashSet;

use facts::catalogue::{glob_covers, Catalogue};
use facts::policy::{ActionClause, Effect, PrincipalClause, Principals, ResourceClause, Statement};
use facts::wildcard::{glob_match, has_wildcard};

use super::finding::{Code, Finding, Severity};
use super::paths::Shape;

/// Redundancy findings over all statements of a policy.
pub(crate) fn check_policy(statements: &[Statement], shape: &Shape<'_>, out: &mut Vec<Finding>) {
    // Each statement's action patterns, indexed once for the pairwise comparisons.
    let sets: Vec<Option<ActionSet<'_>>> = statements.iter().map(ActionSet::of).collect();
    for (i, s) in statements.iter().enumerate() {
        if let Some(first) = statements.iter().take(i).find(|t| same_statement(t, s)) {
            out.push(Finding::new(
                Severity::Warning,
                Code::DuplicateStatement,
                shape.statement(s.index),
                format!(
                    "statement `{}` repeats statement `{}`",
                    s.label(),
                    first.label()
                ),
            ));
            continue;
        }
        if s.effect != Effect::Allow {
            continue;
        }
        // A covering `Deny` first: a statement that can never grant anything is the
        // stronger finding, also when an `Allow` makes it redundant as well.
        let covering = |effect: Effect| {
            statements.iter().enumerate().find(|(j, t)| {
                *j != i
                    && t.effect == effect
                    && t.conditions.is_empty()
                    && covers(t, sets.get(*j), s)
                    // Of two `Allow`s that cover each other, report only the later one.
                    && !(effect == Effect::Allow
                        && *j > i
                        && s.conditions.is_empty()
                        && covers(s, sets.get(i), t))
            })
        };
        if let Some((_, t)) = covering(Effect::Deny) {
            out.push(Finding::new(
                Severity::Warning,
                Code::ShadowedByDeny,
                shape.statement(s.index),
                format!(
                    "statement `{}` never grants anything: the `Deny` statement `{}` covers all \
                     its actions and resources",
                    s.label(),
                    t.label()
                ),
            ));
        } else if let Some((_, t)) = covering(Effect::Allow) {
            out.push(Finding::new(
                Severity::Suggestion,
                Code::RedundantStatement,
                shape.statement(s.index),
                format!(
                    "statement `{}` is redundant: statement `{}` already allows all its actions \
                     on all its resources without conditions",
                    s.label(),
                    t.label()
                ),
            ));
        }
    }
}

fn same_statement(a: &Statement, b: &Statement) -> bool {
    a.effect == b.effect
        && a.action == b.action
        && a.resource == b.resource
        && a.principal == b.principal
        && a.conditions == b.conditions
}

/// Whether every request `small` matches is matched by `big` (conditions aside);
/// `big_actions` is `big`'s [`ActionSet`].
fn covers(big: &Statement, big_actions: Option<&Option<ActionSet<'_>>>, small: &Statement) -> bool {
    // Cheapest first: principals and resources are short lists, actions can be long.
    if !principals_cover(&big.principal, &small.principal)
        || !resources_cover(&big.resource, &small.resource)
    {
        return false;
    }
    let (Some(Some(big_actions)), ActionClause::Action(small)) = (big_actions, &small.action)
    else {
        return false;
    };
    small.iter().all(|s| big_actions.covers(&s.0))
}

/// The `Action` patterns of a statement: literals (lowercased, in a set) and wildcards.
struct ActionSet<'s> {
    literals: HashSet<String>,
    wildcards: Vec<&'s str>,
}

impl<'s> ActionSet<'s> {
    /// `None` for a `NotAction` statement (never used to claim coverage).
    fn of(stmt: &'s Statement) -> Option<ActionSet<'s>> {
        let ActionClause::Action(patterns) = &stmt.action else {
            return None;
        };
        let mut set = ActionSet {
            literals: HashSet::new(),
            wildcards: Vec::new(),
        };
        for p in patterns {
            if has_wildcard(&p.0) {
                set.wildcards.push(&p.0);
            } else {
                set.literals.insert(p.0.to_ascii_lowercase());
            }
        }
        Some(set)
    }

    /// Whether the set matches the concrete action `name`.
    fn matches(&self, name: &str) -> bool {
        self.literals.contains(&name.to_ascii_lowercase())
            || self.wildcards.iter().any(|w| glob_match(w, name, true))
    }

    /// Whether every action the pattern `small` matches is matched by the set.
    fn covers(&self, small: &str) -> bool {
        if !has_wildcard(small) && self.literals.contains(&small.to_ascii_lowercase()) {
            return true;
        }
        if self.wildcards.iter().any(|w| glob_covers(w, small, true)) {
            return true;
        }
        // A wildcard within one service: covered when every known action it names is.
        let Some((prefix, _)) = small.split_once(':') else {
            return false;
        };
        if !has_wildcard(small) || has_wildcard(prefix) {
            return false;
        }
        let mut expanded = Catalogue::get().expand(small).peekable();
        if expanded.peek().is_none() {
            return false;
        }
        expanded.all(|a| self.matches(&a.full_name()))
    }
}

fn principals_cover(big: &Option<PrincipalClause>, small: &Option<PrincipalClause>) -> bool {
    match (big, small) {
        (None, None) => true,
        (
            Some(PrincipalClause::Principal(Principals::Any)),
            Some(PrincipalClause::Principal(_)),
        ) => true,
        (Some(b), Some(s)) => b == s,
        _ => false,
    }
}

fn resources_cover(big: &Option<ResourceClause>, small: &Option<ResourceClause>) -> bool {
    match (big, small) {
        (None, None) => true,
        (Some(ResourceClause::Resource(big)), Some(ResourceClause::Resource(small))) => small
            .iter()
            .all(|s| big.iter().any(|b| glob_covers(&b.0, &s.0, false))),
        _ => false,
    }
}
