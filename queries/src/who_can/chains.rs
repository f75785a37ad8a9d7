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
use crate::assume_hop::{decide_hops, Carry, HopAnswer, HopAsk};
use crate::trust_index::TrustIndex;

pub use crate::assume_hop::ASSUME_ROLE;

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

/// Hops decided in one engine run at most.
const HOP_CHUNK: usize = 8192;

/// A caller's walk over the roles it may assume this round, in role order.
struct Walk {
    caller: Sym,
    roles: Vec<Sym>,
    pos: usize,
}

/// The later hops and the access of a chain decided again with the session state its new
/// first hop fixes (session tags, source identity: [`crate::assume_hop`]); `None` when the
/// chain no longer holds with that state.
fn with_carry(
    analyzer: &Analyzer<'_>,
    carry: &Carry,
    p: &Reached,
    context: &Context,
    strict: bool,
    stats: &mut Stats,
) -> Option<(Hops, CellAnswer)> {
    let mut carry = carry.clone();
    let mut hops = Hops::new();
    for (from, to, _) in &p.hops {
        let ask = HopAsk {
            caller: *from,
            role: *to,
            carry: carry.clone(),
        };
        let h = decide_hops(analyzer, &[ask], context, strict, stats)
            .pop()
            .flatten()?;
        hops.push((*from, *to, h.answer));
        carry = h.carry;
    }
    let cell = Cell {
        principal: p.actor(),
        action: p.action.clone(),
        resource: p.resource.clone(),
    };
    let answer = analyzer
        .decide(&[cell], &carry.context(context), strict, stats, &|_| {})
        .pop()
        .flatten()?;
    Some((hops, answer))
}

/// The chained accesses of `candidates`, up to `max_depth` role hops, from the `direct`
/// accesses. A principal is listed for an action and resource only when it has no direct
/// access to it.
///
/// Lazily, round by round (one more hop each): each caller still missing some access walks
/// the roles it may assume that have one ([`TrustIndex`]: only roles whose trust policy may
/// name it), in role order, deciding hops in growing batches until nothing it misses is left
/// to gain; the first role (in order) that gives an access gives its chain, as a whole-graph
/// search in that order would. Memory stays bounded by the accesses found and the hops
/// decided, not by callers × roles.
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
    let index = TrustIndex::new(t);
    let assumable: HashSet<Sym> = t.trust_policies.iter().map(|&(r, _)| r).collect();
    // Every (action, resource) asked, numbered.
    let mut target_ids: HashMap<(String, String), u32> = HashMap::new();
    let mut tid = |r: &Reached| {
        let n = target_ids.len() as u32;
        *target_ids
            .entry((r.action.clone(), r.resource.clone()))
            .or_insert(n)
    };
    let mut have: HashSet<(Sym, u32)> = HashSet::new();
    let mut have_count: HashMap<Sym, usize> = HashMap::new();
    // Accesses not yet propagated, by the role that performs their first step, each with
    // its target number.
    let mut pending: HashMap<Sym, Vec<(u32, Reached)>> = HashMap::new();
    for r in direct {
        let id = tid(r);
        if have.insert((r.principal, id)) {
            *have_count.entry(r.principal).or_default() += 1;
        }
        if assumable.contains(&r.principal) {
            pending
                .entry(r.principal)
                .or_default()
                .push((id, r.clone()));
        }
    }
    let n_targets = target_ids.len();
    let mut callers: Vec<Sym> = candidates
        .iter()
        .filter(|c| may_assume(c.kind))
        .map(|c| c.id)
        .collect();
    callers.sort_unstable();
    callers.dedup();
    let mut decided: HashMap<(Sym, Sym), Option<HopAnswer>> = HashMap::new();
    let mut out = Vec::new();
    for _ in 0..max_depth {
        if pending.is_empty() {
            break;
        }
        let gives = |c: Sym, r: Sym, have: &HashSet<(Sym, u32)>| {
            pending.get(&r).into_iter().flatten().any(|(id, p)| {
                c != p.principal && !p.hops.iter().any(|h| h.0 == c) && !have.contains(&(c, *id))
            })
        };
        let mut walks: Vec<Walk> = Vec::new();
        for &c in &callers {
            if have_count.get(&c).copied().unwrap_or(0) >= n_targets {
                continue;
            }
            let roles: Vec<Sym> = index
                .roles_for(t, c)
                .into_iter()
                .filter(|&r| gives(c, r, &have))
                .collect();
            if !roles.is_empty() {
                walks.push(Walk {
                    caller: c,
                    roles,
                    pos: 0,
                });
            }
        }
        let mut next: HashMap<Sym, Vec<(u32, Reached)>> = HashMap::new();
        let mut width = 1;
        while !walks.is_empty() {
            let asks: Vec<HopAsk> = walks
                .iter()
                .flat_map(|w| {
                    w.roles[w.pos..]
                        .iter()
                        .take(width)
                        .map(move |&r| (w.caller, r))
                })
                .filter(|k| !decided.contains_key(k))
                .map(|(caller, role)| HopAsk {
                    caller,
                    role,
                    carry: Carry::default(),
                })
                .collect();
            for chunk in asks.chunks(HOP_CHUNK) {
                let answers = decide_hops(analyzer, chunk, context, strict, stats);
                for (h, a) in chunk.iter().zip(answers) {
                    decided.insert((h.caller, h.role), a);
                }
            }
            for w in &mut walks {
                let c = w.caller;
                while w.pos < w.roles.len() {
                    let role = w.roles[w.pos];
                    let Some(ans) = decided.get(&(c, role)) else {
                        break;
                    };
                    w.pos += 1;
                    let Some(ans) = ans else { continue };
                    for (id, p) in pending.get(&role).into_iter().flatten() {
                        let simple = c != p.principal && !p.hops.iter().any(|h| h.0 == c);
                        if !simple || have.contains(&(c, *id)) {
                            continue;
                        }
                        let (later, answer) = if ans.carry.is_empty() || p.hops.is_empty() {
                            (p.hops.clone(), p.answer.clone())
                        } else {
                            match with_carry(analyzer, &ans.carry, p, context, strict, stats) {
                                Some(x) => x,
                                None => continue,
                            }
                        };
                        have.insert((c, *id));
                        *have_count.entry(c).or_default() += 1;
                        let mut hops = vec![(c, role, ans.answer.clone())];
                        hops.extend(later);
                        let reached = Reached {
                            principal: c,
                            action: p.action.clone(),
                            level: p.level.clone(),
                            resource: p.resource.clone(),
                            answer,
                            hops,
                        };
                        if assumable.contains(&c) {
                            next.entry(c).or_default().push((*id, reached.clone()));
                        }
                        out.push(reached);
                    }
                    if have_count.get(&c).copied().unwrap_or(0) >= n_targets {
                        w.pos = w.roles.len();
                    }
                }
            }
            walks.retain(|w| w.pos < w.roles.len());
            width *= 2;
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
