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
use facts::tables::{FactTables, Sym};

use super::candidates::Candidate;
use super::engine::{Analyzer, Cell, CellAnswer, Decide};
use super::hash::{SymMap, SymSet};
use super::model::{Access, ActionAnswer, Conditions, Hop, PrincipalKind, Stats};
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

/// A direct access of a principal, as the chain search reads it: who has it, and on what.
/// The whole access (its answer and reason) is asked of the caller of
/// [`through_roles`] only when a chain ends with it.
#[derive(Debug, Clone)]
pub struct Direct<'a> {
    /// Who has it.
    pub principal: Sym,
    /// The action.
    pub action: &'a str,
    /// The resource.
    pub resource: &'a str,
}

/// The last step of a chain not yet propagated: a direct access (by its index in the
/// `direct` of [`through_roles`], made whole only when a chain takes it), or an access
/// reached through hops.
enum Step {
    Direct(usize),
    Chain(Box<Reached>),
}

impl Step {
    /// Who has the access.
    fn principal(&self, direct: &[Direct<'_>]) -> Sym {
        match self {
            Step::Direct(i) => direct[*i].principal,
            Step::Chain(r) => r.principal,
        }
    }

    /// Its hops, first to last (none for a direct access).
    fn hops(&self) -> &[(Sym, Sym, CellAnswer)] {
        match self {
            Step::Direct(_) => &[],
            Step::Chain(r) => &r.hops,
        }
    }

    /// The whole access (`reach` makes a direct one whole).
    fn reached(&self, reach: &dyn Fn(usize) -> Reached) -> std::borrow::Cow<'_, Reached> {
        match self {
            Step::Direct(i) => {
                let mut r = reach(*i);
                // Chained answers show no witnesses ([`group`]).
                r.answer.witnesses = None;
                std::borrow::Cow::Owned(r)
            }
            Step::Chain(r) => std::borrow::Cow::Borrowed(r),
        }
    }
}

/// Whether a candidate may call `sts:AssumeRole`.
fn may_assume(kind: PrincipalKind) -> bool {
    !matches!(kind, PrincipalKind::Root | PrincipalKind::Public)
}

/// Hops decided in one engine run at most.
const HOP_CHUNK: usize = 8192;

/// The decision of one hop as the backward walk sees it.
enum HopState {
    /// Allowed for a caller with no session state.
    Allowed(Box<HopAnswer>),
    /// Denied for a caller with no session state, but its decision reads state an earlier
    /// hop may carry (session tags, source identity: [`Analyzer::reads_session_state`]):
    /// kept for the callers that reach the caller with such state, and decided again with
    /// it ([`with_carry`]).
    Carried,
    /// Never allowed.
    Denied,
}

/// An access not yet propagated, with its target number, and whether its chain holds a hop
/// that only some carried session state may allow (then it is no answer of its principal,
/// only a chain its callers may complete).
type Pending = (u32, Step, bool);

/// The decision of a hop kept only for callers with session state: never shown, every
/// chain that holds it is decided again ([`with_carry`]).
fn carried_placeholder() -> CellAnswer {
    CellAnswer {
        access: Access::Conditional,
        conditions: None,
        witnesses: None,
        reason: super::model::Reason {
            allowed_by: Vec::new(),
            guardrails: Vec::new(),
            group: None,
        },
        notes: Vec::new(),
    }
}

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
        .decide(
            &[cell],
            &mut Decide::new(&carry.context(context), strict, stats),
        )
        .pop()
        .flatten()?;
    Some((hops, answer))
}

/// The callers a chain search starts from (every candidate that may assume a role, sorted)
/// and, per caller, the roles whose trust policy may let it in ([`TrustIndex::roles_for`]).
/// They read only the fact tables, so a query computes them on other cores while it decides
/// the direct accesses ([`RoleLists::new`]); the lists are the same whatever the threads.
pub struct RoleLists {
    /// The trust-policy index the lists come from.
    pub index: TrustIndex,
    /// The callers, sorted, without repeats.
    pub callers: Vec<Sym>,
    /// `roles[i]`: the roles `callers[i]` may be let in by, sorted.
    pub roles: Vec<Vec<Sym>>,
    /// The roles that have a trust policy (the only ones a chain may end with).
    pub assumable: HashSet<Sym>,
}

impl RoleLists {
    /// The lists for `candidates`, computed in `threads` (at least one) chunks of callers,
    /// each on its own thread, joined back in caller order.
    pub fn new(t: &FactTables, candidates: &[Candidate], threads: usize) -> RoleLists {
        let index = TrustIndex::new(t);
        let mut callers: Vec<Sym> = candidates
            .iter()
            .filter(|c| may_assume(c.kind))
            .map(|c| c.id)
            .collect();
        callers.sort_unstable();
        callers.dedup();
        let chunk = callers.len().div_ceil(threads.max(1)).max(1);
        let roles: Vec<Vec<Sym>> = std::thread::scope(|s| {
            let index = &index;
            let parts: Vec<_> = callers
                .chunks(chunk)
                .map(|part| {
                    s.spawn(move || {
                        part.iter()
                            .map(|&c| index.roles_for(t, c))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            parts
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        });
        RoleLists {
            index,
            callers,
            roles,
            assumable: t.trust_policies.iter().map(|&(r, _)| r).collect(),
        }
    }
}

/// The chained accesses of `candidates`, up to `max_depth` role hops, from the `direct`
/// accesses (`reach(i)`: the whole access `direct[i]`, asked only for a role some trust
/// policy lets be assumed when a chain ends with it). A principal is listed for an action
/// and resource only when it has no direct access to it.
///
/// Lazily, round by round (one more hop each): each caller still missing some access walks
/// the roles it may assume that have one ([`TrustIndex`]: only roles whose trust policy may
/// name it), in role order, deciding hops in growing batches until nothing it misses is left
/// to gain; the first role (in order) that gives an access gives its chain, as a whole-graph
/// search in that order would. Memory stays bounded by the accesses found and the hops
/// decided, not by callers × roles.
///
/// A hop is first decided for a caller with no session state. When some trust policy sets
/// session state ([`TrustIndex::sets_session_state`]), a hop that is then denied but reads
/// that state ([`HopState::Carried`]) is kept for the callers that reach its caller: their
/// chain is decided again, hop by hop, with the tags and source identity their first hop
/// sets ([`with_carry`], as `paths` decides forwards), and listed only when it holds.
///
/// The same holds for the access itself: a role that is not allowed an access of `asked`
/// (action, access level, resource) on its own, but whose decision of it reads session
/// state ([`Analyzer::reads_session_state`]: a condition on `aws:PrincipalTag/*` the role's
/// own tags do not satisfy), may be allowed it in a session an earlier hop tagged (IAM User
/// Guide, "Pass session tags in AWS STS", "Chaining roles with session tags"). Such an
/// access is kept as [`HopState::Carried`] is, and decided again for each chain that
/// reaches it with the state its first hop sets.
#[allow(clippy::too_many_arguments)]
pub fn through_roles(
    analyzer: &Analyzer<'_>,
    candidates: &[Candidate],
    lists: &RoleLists,
    direct: &[Direct<'_>],
    reach: &dyn Fn(usize) -> Reached,
    asked: &[(String, String, String)],
    context: &Context,
    strict: bool,
    max_depth: usize,
    stats: &mut Stats,
) -> Vec<Reached> {
    let index = &lists.index;
    let assumable = &lists.assumable;
    // Every (action, resource) asked, numbered.
    let mut target_ids: HashMap<String, HashMap<String, u32>> = HashMap::new();
    let mut n_ids = 0u32;
    let mut tid = |action: &str, resource: &str| {
        if let Some(&id) = target_ids.get(action).and_then(|m| m.get(resource)) {
            return id;
        }
        n_ids += 1;
        target_ids
            .entry(action.to_string())
            .or_default()
            .insert(resource.to_string(), n_ids - 1);
        n_ids - 1
    };
    let mut have: SymSet<(Sym, u32)> = SymSet::default();
    let mut have_count: SymMap<Sym, usize> = SymMap::default();
    // Accesses not yet propagated, by the role that performs their first step, each with
    // its target number.
    let mut pending: SymMap<Sym, Vec<Pending>> = SymMap::default();
    let carries = index.sets_session_state();
    for (i, d) in direct.iter().enumerate() {
        let id = tid(d.action, d.resource);
        if have.insert((d.principal, id)) {
            *have_count.entry(d.principal).or_default() += 1;
        }
        if assumable.contains(&d.principal) {
            pending
                .entry(d.principal)
                .or_default()
                .push((id, Step::Direct(i), false));
        }
    }
    if carries {
        // Accesses a role has only in a session that carries state (tags, source identity)
        // from an earlier hop: no answer of the role itself, only a chain's last step.
        for (action, level, resource) in asked {
            let r = Reached {
                principal: Sym::default(),
                action: action.clone(),
                level: level.clone(),
                resource: resource.clone(),
                answer: carried_placeholder(),
                hops: Vec::new(),
            };
            let id = tid(&r.action, &r.resource);
            for c in candidates {
                let role = c.id;
                if c.kind != PrincipalKind::Role
                    || !assumable.contains(&role)
                    || have.contains(&(role, id))
                    || !analyzer.reads_session_state(role, action, resource)
                {
                    continue;
                }
                let reached = Reached {
                    principal: role,
                    ..r.clone()
                };
                pending
                    .entry(role)
                    .or_default()
                    .push((id, Step::Chain(Box::new(reached)), true));
            }
        }
    }
    let n_targets = n_ids as usize;
    let mut decided: SymMap<(Sym, Sym), HopState> = SymMap::default();
    let mut out = Vec::new();
    for _ in 0..max_depth {
        if pending.is_empty() {
            break;
        }
        let gives = |c: Sym, r: Sym, have: &SymSet<(Sym, u32)>| {
            pending.get(&r).into_iter().flatten().any(|(id, p, _)| {
                c != p.principal(direct)
                    && !p.hops().iter().any(|h| h.0 == c)
                    && !have.contains(&(c, *id))
            })
        };
        let mut walks: Vec<Walk> = Vec::new();
        for (&c, roles) in lists.callers.iter().zip(&lists.roles) {
            if have_count.get(&c).copied().unwrap_or(0) >= n_targets {
                continue;
            }
            let roles: Vec<Sym> = roles
                .iter()
                .copied()
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
        let mut next: SymMap<Sym, Vec<Pending>> = SymMap::default();
        let mut width = 1;
        while !walks.is_empty() {
            // Past the roles that have nothing left to give their caller (they would give
            // nothing): a caller with everything those roles have stops.
            for w in &mut walks {
                while w.pos < w.roles.len() && !gives(w.caller, w.roles[w.pos], &have) {
                    w.pos += 1;
                }
            }
            walks.retain(|w| w.pos < w.roles.len());
            let asks: Vec<HopAsk> = walks
                .iter()
                .flat_map(|w| {
                    w.roles[w.pos..]
                        .iter()
                        .filter(|&&r| gives(w.caller, r, &have))
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
                    let state = match a {
                        Some(a) => HopState::Allowed(Box::new(a)),
                        None if carries
                            && assumable.contains(&h.caller)
                            && analyzer.reads_session_state(
                                h.caller,
                                ASSUME_ROLE,
                                analyzer.arn(h.role),
                            ) =>
                        {
                            HopState::Carried
                        }
                        None => HopState::Denied,
                    };
                    decided.insert((h.caller, h.role), state);
                }
            }
            for w in &mut walks {
                let c = w.caller;
                while w.pos < w.roles.len() {
                    let role = w.roles[w.pos];
                    let Some(state) = decided.get(&(c, role)) else {
                        break;
                    };
                    w.pos += 1;
                    let ans = match state {
                        HopState::Denied => continue,
                        HopState::Carried => None,
                        HopState::Allowed(a) => Some(a),
                    };
                    for (id, p, carried) in pending.get(&role).into_iter().flatten() {
                        let simple = c != p.principal(direct) && !p.hops().iter().any(|h| h.0 == c);
                        if !simple || have.contains(&(c, *id)) {
                            continue;
                        }
                        let p = p.reached(reach);
                        let p: &Reached = &p;
                        let exact = match ans {
                            None => None,
                            Some(ans) if ans.carry.is_empty() && !carried => {
                                Some((p.hops.clone(), p.answer.clone()))
                            }
                            Some(ans) => {
                                with_carry(analyzer, &ans.carry, p, context, strict, stats)
                            }
                        };
                        let Some((later, mut answer)) = exact else {
                            // No chain of c's own; one a caller of c may complete with the
                            // state it carries.
                            if carries && assumable.contains(&c) {
                                let first = ans
                                    .map(|a| a.answer.clone())
                                    .unwrap_or_else(carried_placeholder);
                                let mut hops = vec![(c, role, first)];
                                hops.extend(p.hops.iter().cloned());
                                let reached = Reached {
                                    principal: c,
                                    hops,
                                    ..p.clone()
                                };
                                next.entry(c).or_default().push((
                                    *id,
                                    Step::Chain(Box::new(reached)),
                                    true,
                                ));
                            }
                            continue;
                        };
                        // A chain's answer shows no witnesses ([`group`]): not kept.
                        answer.witnesses = None;
                        have.insert((c, *id));
                        *have_count.entry(c).or_default() += 1;
                        let Some(ans) = ans else { continue };
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
                            next.entry(c).or_default().push((
                                *id,
                                Step::Chain(Box::new(reached.clone())),
                                false,
                            ));
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

/// The order of kinds in a result: public and other accounts first.
pub fn kind_rank(k: PrincipalKind) -> u8 {
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

/// The action answer of one access reached: its chain (role hops, then the access), the
/// decision and conditions of the whole chain, witnesses for a direct access only.
pub fn action_answer(analyzer: &Analyzer<'_>, r: &Reached) -> ActionAnswer {
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
    ActionAnswer {
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
    }
}
