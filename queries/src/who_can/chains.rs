//! Role chains: principals that reach an access only by assuming roles.
//!
//! Found backwards, breadth first, from the roles that have the access: at each depth, who
//! can assume one of the roles reached so far (an exact `sts:AssumeRole` decision per
//! caller and role, by the same [`Analyzer`]: the role's trust policy and the caller's
//! identity policies, boundary, SCPs and conditions, as AWS decides each hop — IAM User
//! Guide, "Methods to assume a role", role chaining). Breadth first, so each principal gets
//! its shortest chain; chains are simple (no role twice). The root user of an account
//! cannot assume a role (AWS STS API Reference, "AssumeRole": root user credentials cannot
//! call it), and an anonymous caller has no credentials to call STS with.

use std::collections::{HashMap, HashSet};

use facts::request::Context;
use facts::tables::Sym;

use super::candidates::Candidate;
use super::engine::{Analyzer, Cell, CellAnswer};
use super::model::{Access, ActionAnswer, Conditions, Hop, PrincipalAnswer, PrincipalKind, Stats};

/// The action of a hop.
pub const ASSUME_ROLE: &str = "sts:AssumeRole";

/// Role hops, first to last: (caller, role, decision of its `sts:AssumeRole`).
pub type Hops = Vec<(Sym, Sym, CellAnswer)>;

/// An access reached by a principal, directly or through hops.
#[derive(Debug, Clone)]
pub struct Reached {
    /// Who reaches it.
    pub principal: Sym,
    /// The action.
    pub action: String,
    /// Its access level.
    pub level: String,
    /// The resource.
    pub resource: String,
    /// The decision of the last step (the access itself, by the last role or the principal).
    pub answer: CellAnswer,
    /// The role hops, first to last: (caller, role, decision of the AssumeRole).
    pub hops: Hops,
}

impl Reached {
    /// Who performs the access itself: the last role, or the principal.
    pub fn actor(&self) -> Sym {
        self.hops.last().map(|h| h.1).unwrap_or(self.principal)
    }
}

/// Whether a candidate may call `sts:AssumeRole`.
fn may_assume(kind: PrincipalKind) -> bool {
    !matches!(kind, PrincipalKind::Root | PrincipalKind::Public)
}

/// The chained accesses of `candidates`, up to `max_depth` role hops, from the `direct`
/// accesses. A principal is listed for an action and resource only when it has no direct
/// access to it.
pub fn through_roles(
    analyzer: &Analyzer<'_>,
    candidates: &[Candidate],
    direct: &[Reached],
    context: &Context,
    strict: bool,
    max_depth: usize,
    stats: &mut Stats,
) -> Vec<Reached> {
    let t = analyzer.tables();
    let assumable: HashSet<Sym> = t.trust_policies.iter().map(|&(r, _)| r).collect();
    let mut have: HashSet<(Sym, String, String)> = direct
        .iter()
        .map(|r| (r.principal, r.action.clone(), r.resource.clone()))
        .collect();
    // Accesses not yet propagated, by the role that performs their first step.
    let mut pending: HashMap<Sym, Vec<Reached>> = HashMap::new();
    for r in direct {
        if assumable.contains(&r.principal) {
            pending.entry(r.principal).or_default().push(r.clone());
        }
    }
    // Who can assume each role (decided once per role).
    // Every hop a chain of at most `max_depth` roles may take, found structurally (the
    // callers each trust policy may name), then decided in one engine run.
    let kinds: HashMap<Sym, PrincipalKind> = candidates.iter().map(|c| (c.id, c.kind)).collect();
    let sts = ["sts".to_string()];
    let mut cells = Vec::new();
    let mut level: Vec<Sym> = pending.keys().copied().collect();
    level.sort_unstable();
    let mut expanded: HashSet<Sym> = HashSet::new();
    for _ in 0..max_depth {
        let mut next_level = Vec::new();
        for &role in &level {
            if !expanded.insert(role) {
                continue;
            }
            let arn = analyzer.arn(role).to_string();
            let target = analyzer.targets(std::slice::from_ref(&arn));
            for c in analyzer.trust_callers(role) {
                let Some(&kind) = kinds.get(&c) else { continue };
                if c == role || !may_assume(kind) || !analyzer.may_act(c, &sts, &target) {
                    continue;
                }
                cells.push(Cell {
                    principal: c,
                    action: ASSUME_ROLE.to_string(),
                    resource: arn.clone(),
                });
                if assumable.contains(&c) && !expanded.contains(&c) {
                    next_level.push(c);
                }
            }
        }
        next_level.sort_unstable();
        next_level.dedup();
        level = next_level;
    }
    let answers = analyzer.decide(&cells, context, strict, stats, &|_| {});
    // Who can assume each role.
    let mut callers_of: HashMap<Sym, Vec<(Sym, CellAnswer)>> = HashMap::new();
    for (cell, ans) in cells.iter().zip(answers) {
        let Some(ans) = ans else { continue };
        if let Some(role) = t.principal_by_arn(&cell.resource).map(|p| p.id) {
            callers_of
                .entry(role)
                .or_default()
                .push((cell.principal, ans));
        }
    }
    let mut out = Vec::new();
    // Breadth first: accesses reached with one more hop per round.
    for _ in 0..max_depth {
        if pending.is_empty() {
            break;
        }
        let mut roles: Vec<Sym> = pending.keys().copied().collect();
        roles.sort_unstable();
        let mut next: HashMap<Sym, Vec<Reached>> = HashMap::new();
        for role in roles {
            let entries = pending.remove(&role).unwrap_or_default();
            for (caller, ans) in callers_of.get(&role).into_iter().flatten() {
                let caller = *caller;
                for p in &entries {
                    let simple = caller != p.principal && !p.hops.iter().any(|h| h.0 == caller);
                    if !simple {
                        continue;
                    }
                    let key = (caller, p.action.clone(), p.resource.clone());
                    if !have.insert(key) {
                        continue;
                    }
                    let mut hops = vec![(caller, role, ans.clone())];
                    hops.extend(p.hops.iter().cloned());
                    let reached = Reached {
                        principal: caller,
                        action: p.action.clone(),
                        level: p.level.clone(),
                        resource: p.resource.clone(),
                        answer: p.answer.clone(),
                        hops,
                    };
                    if assumable.contains(&caller) {
                        next.entry(caller).or_default().push(reached.clone());
                    }
                    out.push(reached);
                }
            }
        }
        pending = next;
    }
    out
}

/// The hop of one decided step.
fn hop(analyzer: &Analyzer<'_>, from: Sym, action: &str, to: &str, a: &CellAnswer) -> Hop {
    Hop {
        from: analyzer.arn(from).to_string(),
        action: action.to_string(),
        to: to.to_string(),
        decision: a.access,
        conditions: a.conditions.clone(),
        reason: a.reason.clone(),
    }
}

/// The conditions of a chain: those of each conditional step, all required.
fn chain_conditions(via: &[Hop]) -> Option<Conditions> {
    let steps: Vec<&Hop> = via.iter().filter(|h| h.conditions.is_some()).collect();
    match steps.as_slice() {
        [] => None,
        [one] if via.len() == 1 => one.conditions.clone(),
        _ => {
            let text = steps
                .iter()
                .map(|h| {
                    let c = h.conditions.as_ref().map(|c| c.text.as_str()).unwrap_or("");
                    if h.action == ASSUME_ROLE {
                        format!("assuming {}: {c}", crate::graph::short_label(&h.to))
                    } else {
                        c.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join("; and ");
            // Every step's condition must hold: the product of their terms.
            let mut any_of = vec![Vec::new()];
            for h in &steps {
                let terms = &h
                    .conditions
                    .as_ref()
                    .map(|c| c.any_of.clone())
                    .unwrap_or_default();
                let mut next = Vec::new();
                for base in &any_of {
                    for t in terms {
                        let mut x: Vec<_> = Vec::clone(base);
                        x.extend(t.iter().cloned());
                        next.push(x);
                    }
                }
                any_of = next;
            }
            Some(Conditions { text, any_of })
        }
    }
}

fn kind_rank(k: PrincipalKind) -> u8 {
    match k {
        PrincipalKind::Public => 0,
        PrincipalKind::ExternalAccount => 1,
        PrincipalKind::ExternalPrincipal => 2,
        PrincipalKind::Service => 3,
        PrincipalKind::Root => 4,
        PrincipalKind::User => 5,
        PrincipalKind::Role => 6,
    }
}

/// One answer per principal, its actions in the order reached (direct first), ordered by
/// kind (public and other accounts first) then principal.
pub fn group(
    analyzer: &Analyzer<'_>,
    candidates: &[Candidate],
    all: Vec<Reached>,
) -> Vec<PrincipalAnswer> {
    let kinds: HashMap<Sym, PrincipalKind> = candidates.iter().map(|c| (c.id, c.kind)).collect();
    let mut by: HashMap<Sym, Vec<ActionAnswer>> = HashMap::new();
    let mut order: Vec<Sym> = Vec::new();
    for r in all {
        let mut via: Vec<Hop> = r
            .hops
            .iter()
            .map(|(from, to, a)| hop(analyzer, *from, ASSUME_ROLE, analyzer.arn(*to), a))
            .collect();
        via.push(hop(analyzer, r.actor(), &r.action, &r.resource, &r.answer));
        let decision = if via.iter().all(|h| h.decision == Access::Allowed) {
            Access::Allowed
        } else {
            Access::Conditional
        };
        let mut notes = r.answer.notes.clone();
        for h in &r.hops {
            notes.extend(h.2.notes.iter().cloned());
        }
        let a = ActionAnswer {
            action: r.action.clone(),
            access_level: r.level.clone(),
            resource: r.resource.clone(),
            decision,
            conditions: chain_conditions(&via),
            witnesses: if r.hops.is_empty() {
                r.answer.witnesses.clone()
            } else {
                None
            },
            via,
            notes,
        };
        if !by.contains_key(&r.principal) {
            order.push(r.principal);
        }
        by.entry(r.principal).or_default().push(a);
    }
    let mut out: Vec<PrincipalAnswer> = order
        .into_iter()
        .map(|p| {
            let actions = by.remove(&p).unwrap_or_default();
            let decision = if actions.iter().all(|a| a.decision == Access::Allowed) {
                Access::Allowed
            } else {
                Access::Conditional
            };
            PrincipalAnswer {
                principal: analyzer.arn(p).to_string(),
                kind: kinds
                    .get(&p)
                    .copied()
                    .unwrap_or(PrincipalKind::ExternalPrincipal),
                decision,
                conditions: actions.iter().find_map(|a| a.conditions.clone()),
                via: actions.first().map(|a| a.via.clone()).unwrap_or_default(),
                actions,
            }
        })
        .collect();
    out.sort_by(|a, b| (kind_rank(a.kind), &a.principal).cmp(&(kind_rank(b.kind), &b.principal)));
    out
}
