//! `who-can`: every principal that can perform some actions on a resource, exact under the
//! conditions only a live request decides, directly or through role chains.
//!
//! - Candidates ([`candidates`]): the users, roles and root users of the loaded accounts;
//!   the accounts, roles and users of accounts not loaded, services and the public (`*`)
//!   that resource and trust policies name.
//! - Each principal × action × resource is decided exactly by [`engine::Analyzer`]: screened
//!   with `facts`' matchers, decided by the Datalog engine, with the solver enumerating the
//!   truth assignments of conditions on live keys ([`atoms`], [`exact`]).
//! - Principals that reach the access only by assuming roles are found backwards from the
//!   roles that have it ([`chains`]); each hop is an exact `sts:AssumeRole` decision.
//!
//! The result ([`model`]) is one plain model that every renderer (text, JSON, DOT,
//! Mermaid) and other commands (what-can, paths, escalation, audit) share.

pub mod actions;
pub mod atoms;
pub mod candidates;
pub mod chains;
pub mod classes;
pub mod engine;
pub mod exact;
pub mod hash;
pub mod model;
pub mod text;

use std::collections::HashMap;

use facts::request::Context;
use facts::tables::Sym;

pub use engine::{Analyzer, Cell, CellAnswer, Decide, Prepared};
pub use model::*;

/// What to ask.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// The resource ARN, or `None` with `resource_account`.
    pub resource: Option<String>,
    /// Every resource of this account (and `*` for actions that take no resource).
    pub resource_account: Option<String>,
    /// Action names or patterns; empty: every action of the resource's type.
    pub actions: Vec<String>,
    /// Keys the user fixes (`--context`).
    pub context: Context,
    /// Treat keys nobody gives as absent (as simulate does), instead of unknown.
    pub strict: bool,
    /// How many roles a chain may assume (0: direct access only).
    pub max_depth: usize,
}

/// Errors of who-can, what-can and paths.
#[derive(Debug, thiserror::Error)]
pub enum WhoCanError {
    /// An argument is not usable.
    #[error("{0}")]
    Invalid(String),
}

/// Answer `q` over `analyzer`. `progress(done, total)` is called as cells are screened.
pub fn who_can(
    analyzer: &Analyzer<'_>,
    prepared: &Prepared,
    q: &Query,
    progress: &dyn Fn(u64, u64),
) -> Result<WhoCanResult, WhoCanError> {
    let resources: Vec<String> = match (&q.resource, &q.resource_account) {
        (Some(r), None) => vec![r.clone()],
        (None, Some(acct)) => candidates::account_resources(analyzer.tables(), acct),
        _ => {
            return Err(WhoCanError::Invalid(
                "give exactly one of --resource and --resource-account".to_string(),
            ))
        }
    };
    let all_principals = candidates::principals(analyzer.tables(), prepared);
    // The chain search's role lists read only the fact tables: computed on the other cores
    // while this thread finds the actions and decides the direct accesses; the answer is
    // the same either way.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let all = &all_principals;
    std::thread::scope(|s| {
        let lists = (q.max_depth > 0 && cores > 1)
            .then(|| s.spawn(move || chains::RoleLists::new(analyzer.tables(), all, cores - 1)));
        let lists = move || match lists {
            Some(h) => h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)),
            None => chains::RoleLists::new(analyzer.tables(), all, 1),
        };
        let mut asked = Vec::new();
        for r in &resources {
            let objects = actions::object_patterns(analyzer.tables(), r);
            asked.extend(actions::asked(&q.actions, r, &objects));
        }
        if asked.is_empty() {
            return Err(WhoCanError::Invalid(format!(
                "no action of the catalogue applies: actions {:?} on {}",
                q.actions,
                resources.join(", ")
            )));
        }
        let principals = acting(analyzer, &asked, all);
        answer(
            analyzer, q, progress, resources, asked, all, principals, lists,
        )
    })
}

/// The principals of `all` that some policy could allow one of the `asked` actions
/// ([`Analyzer::may_act`]; every one for an action AWS allows without any permission),
/// in order. Principals that no policy could allow are never made cells.
fn acting(
    analyzer: &Analyzer<'_>,
    asked: &[actions::Asked],
    all: &[candidates::Candidate],
) -> Vec<candidates::Candidate> {
    let mut services: Vec<String> = asked
        .iter()
        .map(|a| {
            a.action
                .split(':')
                .next()
                .unwrap_or("")
                .to_ascii_lowercase()
        })
        .collect();
    services.sort();
    services.dedup();
    let mut asked_resources: Vec<String> = asked.iter().map(|a| a.resource.clone()).collect();
    asked_resources.sort();
    asked_resources.dedup();
    let targets = analyzer.targets(&asked_resources);
    // An action AWS allows without any permission (sts:GetCallerIdentity) has no policy to
    // filter on.
    let free = asked.iter().any(|a| {
        matches!(
            facts::aws_rules::rule_for(&a.action, &a.resource),
            Some(facts::aws_rules::AwsRule::NoPermissionRequired)
        )
    });
    all.iter()
        .filter(|c| free || analyzer.may_act(c.id, &services, &targets))
        .cloned()
        .collect()
}

/// The rest of [`who_can`]: the direct decisions of `principals` (those that may act), then
/// the chains through roles (`lists` gives the chain search's role lists when it runs).
#[allow(clippy::too_many_arguments)]
fn answer(
    analyzer: &Analyzer<'_>,
    q: &Query,
    progress: &dyn Fn(u64, u64),
    resources: Vec<String>,
    asked: Vec<actions::Asked>,
    all_principals: &[candidates::Candidate],
    principals: Vec<candidates::Candidate>,
    lists: impl FnOnce() -> chains::RoleLists,
) -> Result<WhoCanResult, WhoCanError> {
    let mut stats = Stats::default();
    // Actions whose statements match alike are decided once (the first of each class).
    let ids: Vec<Sym> = principals.iter().map(|c| c.id).collect();
    let pairs: Vec<(String, String)> = asked
        .iter()
        .map(|a| (a.action.clone(), a.resource.clone()))
        .collect();
    let ask_lead = analyzer.action_classes(&pairs, &ids);
    // Every principal asked every leading ask (no cell made for each: [`engine::Grid`]).
    let grid_asks: Vec<(String, String)> = pairs
        .iter()
        .enumerate()
        .filter(|&(i, _)| ask_lead[i] == i)
        .map(|(_, p)| p.clone())
        .collect();
    let mut extra: Vec<Cell> = Vec::new();
    // Object patterns with a policy variable (`b/home/${aws:username}/*`), one concrete
    // prefix per principal, for the object actions asked on the bucket's objects.
    for r in &resources {
        let Some(objects) = actions::s3_objects(r) else {
            continue;
        };
        let object_actions: Vec<&str> = asked
            .iter()
            .filter(|a| a.resource == objects)
            .map(|a| a.action.as_str())
            .collect();
        if object_actions.is_empty() {
            continue;
        }
        let each = analyzer.object_patterns_each(&ids, r, &q.context);
        for (&p, patterns) in ids.iter().zip(each) {
            for pattern in patterns {
                if asked.iter().any(|a| a.resource == pattern) {
                    continue;
                }
                extra.extend(object_actions.iter().map(|&action| Cell {
                    principal: p,
                    action: action.to_string(),
                    resource: pattern.clone(),
                }));
            }
        }
    }
    let grid = engine::Grid {
        asks: &grid_asks,
        principals: &ids,
        extra: &extra,
    };
    let total = grid.len() as u64;
    let decided = analyzer.decide_grid(
        &grid,
        &mut engine::Decide {
            user: &q.context,
            strict: q.strict,
            stats: &mut stats,
            progress: &|d| progress(d as u64, total),
        },
    );
    let mut levels: HashMap<&str, &str> = HashMap::new();
    for a in &asked {
        levels.entry(a.action.as_str()).or_insert(a.level.name());
    }
    // The asks that share a leader's answers.
    let mut followers: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for (i, &l) in ask_lead.iter().enumerate() {
        if l != i {
            followers
                .entry((asked[l].action.as_str(), asked[l].resource.as_str()))
                .or_default()
                .push(i);
        }
    }
    let shared_asks = followers.values().map(Vec::len).sum::<usize>() * principals.len();
    stats.shared += shared_asks;
    stats.cells += shared_asks;
    let mut out = Results::default();
    // Each leader cell's answer becomes one shared action answer (one more per follower
    // ask); every cell of its class refers to it.
    let mut direct_k: Vec<u32> = vec![u32::MAX; decided.leaders()];
    let mut memo: HashMap<(usize, usize), u32> = HashMap::new();
    let level_of = |action: &str| {
        levels
            .get(action)
            .map(|l| l.to_string())
            .unwrap_or_default()
    };
    for i in 0..grid.len() {
        let Some(ans) = decided.answer(i) else {
            continue;
        };
        let slot = decided.slot(i);
        if direct_k[slot] == u32::MAX {
            let leader = grid.cell(decided.lead[i]);
            direct_k[slot] = out.share(
                analyzer,
                leader.principal,
                &direct_reached(&leader, level_of(&leader.action), ans.clone()),
            );
        }
        out.refer(grid.principal(i), direct_k[slot]);
    }
    for i in 0..grid.len() {
        let l = decided.slot(i);
        let Some(ans) = decided.answer(i) else {
            continue;
        };
        for &f in followers.get(&grid.ask(i)).into_iter().flatten() {
            let k = *memo.entry((l, f)).or_insert_with(|| {
                let a = &asked[f];
                let mut answer = ans.clone();
                if let Some(w) = answer.witnesses.as_mut() {
                    w.allowed.action = a.action.clone();
                    w.denied.action = a.action.clone();
                }
                let leader = Cell {
                    principal: grid.principal(decided.lead[i]),
                    action: a.action.clone(),
                    resource: a.resource.clone(),
                };
                out.share(
                    analyzer,
                    leader.principal,
                    &direct_reached(&leader, a.level.name().to_string(), answer),
                )
            });
            out.refer(grid.principal(i), k);
        }
    }
    if q.max_depth > 0 {
        // The chain search reads every principal's direct accesses (who, which action on
        // which resource); the whole answer of one, out of its class, only when a chain
        // ends with it (`reach`).
        let lists = lists();
        let direct: Vec<(Sym, u32)> = out
            .order
            .iter()
            .flat_map(|&p| out.items[&p].iter().map(move |&k| (p, k)))
            .collect();
        let reach = |i: usize| {
            let (p, k) = direct[i];
            let s = &out.answers[k as usize];
            let a = s.for_principal(analyzer.arn(p));
            let first = a.via.first();
            chains::Reached {
                principal: p,
                action: a.action.clone(),
                level: a.access_level.clone(),
                resource: a.resource.clone(),
                answer: CellAnswer {
                    access: a.decision,
                    conditions: a.conditions.clone(),
                    // Chained answers show no witnesses ([`group`]).
                    witnesses: None,
                    reason: first.map(|h| h.reason.clone()).unwrap_or_else(|| Reason {
                        allowed_by: Vec::new(),
                        guardrails: Vec::new(),
                        group: None,
                    }),
                    notes: a.notes.clone(),
                },
                hops: Vec::new(),
            }
        };
        let direct_steps: Vec<chains::Direct<'_>> = direct
            .iter()
            .map(|&(p, k)| {
                let s = &out.answers[k as usize];
                chains::Direct {
                    principal: p,
                    action: &s.answer.action,
                    resource: &s.answer.resource,
                }
            })
            .collect();
        let asked_steps: Vec<(String, String, String)> = asked
            .iter()
            .map(|a| {
                (
                    a.action.clone(),
                    a.level.name().to_string(),
                    a.resource.clone(),
                )
            })
            .collect();
        let chained = chains::through_roles(
            analyzer,
            all_principals,
            &lists,
            &direct_steps,
            &reach,
            &asked_steps,
            &q.context,
            q.strict,
            q.max_depth,
            &mut stats,
        );
        for r in &chained {
            let k = out.share(analyzer, r.principal, r);
            out.refer(r.principal, k);
        }
    }
    let __r = out.finish(analyzer, all_principals, resources, &asked, stats);
    Ok(__r)
}

/// A direct access of `cell`'s principal.
fn direct_reached(cell: &Cell, level: String, answer: CellAnswer) -> chains::Reached {
    chains::Reached {
        principal: cell.principal,
        action: cell.action.clone(),
        level,
        resource: cell.resource.clone(),
        answer,
        hops: Vec::new(),
    }
}

/// A result being built: the shared action answers, and per principal the answers it
/// refers to, in order.
#[derive(Default)]
struct Results {
    answers: Vec<SharedAction>,
    items: hash::SymMap<Sym, Vec<u32>>,
    order: Vec<Sym>,
}

impl Results {
    /// Hold `r` (decided for `p`) once; its index.
    fn share(&mut self, analyzer: &Analyzer<'_>, p: Sym, r: &chains::Reached) -> u32 {
        self.answers.push(SharedAction {
            decided_for: analyzer.arn(p).to_string(),
            answer: chains::action_answer(analyzer, r),
        });
        (self.answers.len() - 1) as u32
    }

    /// Principal `p` has answer `k`.
    fn refer(&mut self, p: Sym, k: u32) {
        let items = self.items.entry(p).or_insert_with(|| {
            self.order.push(p);
            Vec::new()
        });
        items.push(k);
    }

    /// The result: principals with the same answers share a class; ordered by kind (public
    /// and other accounts first) then principal.
    fn finish(
        self,
        analyzer: &Analyzer<'_>,
        candidates: &[candidates::Candidate],
        resources: Vec<String>,
        asked: &[actions::Asked],
        stats: Stats,
    ) -> WhoCanResult {
        let kinds: hash::SymMap<Sym, PrincipalKind> =
            candidates.iter().map(|c| (c.id, c.kind)).collect();
        let mut classes: Vec<Vec<u32>> = Vec::new();
        let mut class_of: HashMap<Vec<u32>, usize> = HashMap::new();
        let mut items = self.items;
        let mut principals: Vec<PrincipalEntry> = self
            .order
            .into_iter()
            .map(|p| {
                let mine = items.remove(&p).unwrap_or_default();
                let class = *class_of.entry(mine).or_insert_with_key(|k| {
                    classes.push(k.clone());
                    classes.len() - 1
                });
                PrincipalEntry {
                    principal: analyzer.arn(p).to_string(),
                    kind: kinds
                        .get(&p)
                        .copied()
                        .unwrap_or(PrincipalKind::ExternalPrincipal),
                    class,
                }
            })
            .collect();
        principals.sort_by(|a, b| {
            (chains::kind_rank(a.kind), &a.principal)
                .cmp(&(chains::kind_rank(b.kind), &b.principal))
        });
        WhoCanResult {
            resources,
            actions: asked
                .iter()
                .map(|a| (a.action.clone(), a.level.name().to_string()))
                .collect(),
            principals,
            classes,
            answers: self.answers,
            stats,
        }
    }
}

/// The picture of a result: principals, the roles of their chains and the resources, with
/// `assumes` and `can access` edges (dashed when conditional).
pub fn to_graph(r: &WhoCanResult) -> crate::graph::Graph {
    use crate::graph::{short_label, EdgeKind, Graph, NodeKind};
    let mut g = Graph::new();
    let node_kind = |k: PrincipalKind| match k {
        PrincipalKind::User => NodeKind::Principal,
        PrincipalKind::Role => NodeKind::Role,
        PrincipalKind::Root | PrincipalKind::ExternalAccount => NodeKind::Account,
        PrincipalKind::ExternalPrincipal => NodeKind::Principal,
        PrincipalKind::Service => NodeKind::Service,
        PrincipalKind::Public => NodeKind::Public,
    };
    let answers: Vec<PrincipalAnswer> = r.principal_answers().collect();
    for p in &answers {
        g.node(&p.principal, node_kind(p.kind), &short_label(&p.principal));
    }
    // Edges to a resource are labelled with the actions, grouped per (actor, resource).
    let mut access: Vec<(String, String, Vec<String>, bool)> = Vec::new();
    for p in &answers {
        for a in &p.actions {
            for h in &a.via {
                if h.action == chains::ASSUME_ROLE && h.to != a.resource {
                    g.node(&h.to, NodeKind::Role, &short_label(&h.to));
                    g.edge(
                        &h.from,
                        &h.to,
                        EdgeKind::Assumes,
                        "",
                        h.decision == Access::Conditional,
                    );
                } else {
                    g.node(&h.to, NodeKind::Resource, &short_label(&h.to));
                    let cond = h.decision == Access::Conditional;
                    match access
                        .iter_mut()
                        .find(|x| x.0 == h.from && x.1 == h.to && x.3 == cond)
                    {
                        Some(x) => {
                            if !x.2.contains(&h.action) {
                                x.2.push(h.action.clone())
                            }
                        }
                        None => access.push((
                            h.from.clone(),
                            h.to.clone(),
                            vec![h.action.clone()],
                            cond,
                        )),
                    }
                }
            }
        }
    }
    for (from, to, actions, cond) in access {
        let label = if actions.len() <= 3 {
            actions.join(", ")
        } else {
            format!("{} actions", actions.len())
        };
        g.edge(&from, &to, EdgeKind::CanAccess, &label, cond);
    }
    g
}
