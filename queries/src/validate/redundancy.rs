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

use facts::catalogue::{glob_covers, Catalogue};
use facts::policy::{
    ActionClause, ActionPattern, Effect, PrincipalClause, Principals, ResourceClause, Statement,
};
use facts::wildcard::{glob_match, has_wildcard};

use super::finding::{Code, Finding, Severity};
use super::paths::Shape;

/// Redundancy findings over all statements of a policy.
pub(crate) fn check_policy(statements: &[Statement], shape: &Shape<'_>, out: &mut Vec<Finding>) {
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
        for (j, t) in statements.iter().enumerate() {
            if i == j || !t.conditions.is_empty() || !covers(t, s) {
                continue;
            }
            match t.effect {
                Effect::Deny => {
                    out.push(Finding::new(
                        Severity::Warning,
                        Code::ShadowedByDeny,
                        shape.statement(s.index),
                        format!(
                            "statement `{}` never grants anything: the `Deny` statement `{}` \
                             covers all its actions and resources",
                            s.label(),
                            t.label()
                        ),
                    ));
                    break;
                }
                Effect::Allow => {
                    // Of two statements that cover each other, report only the later one.
                    if s.conditions.is_empty() && covers(s, t) && j > i {
                        continue;
                    }
                    out.push(Finding::new(
                        Severity::Suggestion,
                        Code::RedundantStatement,
                        shape.statement(s.index),
                        format!(
                            "statement `{}` is redundant: statement `{}` already allows all its \
                             actions on all its resources without conditions",
                            s.label(),
                            t.label()
                        ),
                    ));
                    break;
                }
            }
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

/// Whether every request `small` matches is matched by `big` (conditions aside).
fn covers(big: &Statement, small: &Statement) -> bool {
    // Cheapest first: principals and resources are short lists, actions can be long.
    principals_cover(&big.principal, &small.principal)
        && resources_cover(&big.resource, &small.resource)
        && actions_cover(&big.action, &small.action)
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

fn actions_cover(big: &ActionClause, small: &ActionClause) -> bool {
    let (ActionClause::Action(big), ActionClause::Action(small)) = (big, small) else {
        return false;
    };
    small.iter().all(|s| action_pattern_covered(big, s))
}

fn action_pattern_covered(big: &[ActionPattern], small: &ActionPattern) -> bool {
    if big.iter().any(|b| glob_covers(&b.0, &small.0, true)) {
        return true;
    }
    // A wildcard within one service: covered when every known action it names is.
    let Some((prefix, _)) = small.0.split_once(':') else {
        return false;
    };
    if !has_wildcard(&small.0) || has_wildcard(prefix) {
        return false;
    }
    let mut expanded = Catalogue::get().expand(&small.0).peekable();
    if expanded.peek().is_none() {
        return false;
    }
    expanded.all(|a| {
        let name = a.full_name();
        big.iter().any(|b| glob_match(&b.0, &name, true))
    })
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
