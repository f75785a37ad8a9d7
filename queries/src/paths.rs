//! `paths`: the assume-role chains from one principal to a role, each hop decided exactly
//! as AWS decides it (trust policy, the caller's identity policies, boundary, SCPs,
//! conditions, and `sts:TagSession` / `sts:SetSourceIdentity` where the hop needs them:
//! [`crate::assume_hop`]), over a petgraph graph of those decisions.
//!
//! No whole graph is built. Without session state to carry (no trust policy conditions on
//! keys the caller sets: [`TrustIndex::sets_session_state`]), the search runs from both
//! ends: forwards from `--from` over the roles whose trust policy may name each caller
//! ([`TrustIndex`]), backwards from `--to` over the callers its trust policy admits
//! ([`Analyzer::trust_callers`]), one level at a time on the side with fewer hops to decide,
//! until the two depths add up to `--max-depth`; the last level only decides hops that land
//! on a node the other side reached. Every hop of every path of at most `--max-depth` hops is
//! then decided: a path's hops before its meeting point were expanded forwards, the others
//! backwards. With session state to carry, the search runs forwards only, over (principal,
//! carried state) nodes, so each hop is decided with the tags and source identity its chain
//! set. The shortest chain is found with A* (unit costs); `--all` lists every simple path up
//! to `--max-depth` hops (`petgraph::algo::all_simple_paths`). The root user of an account
//! cannot assume a role (AWS STS API Reference, "AssumeRole").

use std::collections::{HashMap, HashSet};

use facts::request::Context;
use facts::tables::{PrincipalKind, Sym};
use petgraph::graph::{DiGraph, NodeIndex};

use crate::assume_hop::{decide_hops, Carry, HopAnswer, HopAsk, ASSUME_ROLE};
use crate::trust_index::TrustIndex;
use crate::who_can::{Access, Analyzer, CellAnswer, Hop, Stats, WhoCanError};

/// What to ask.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// The starting principal's ARN.
    pub from: String,
    /// The role to reach.
    pub to: String,
    /// Every simple path, not only the shortest.
    pub all: bool,
    /// The most hops a path may have.
    pub max_depth: usize,
    /// Keys the user fixes (`--context`).
    pub context: Context,
    /// Treat keys nobody gives as absent.
    pub strict: bool,
}

/// One chain from `from` to `to`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Path {
    /// `allowed` when every hop is, else `conditional`.
    pub decision: Access,
    /// The hops, each an `sts:AssumeRole` with its decision, conditions and reason.
    pub hops: Vec<Hop>,
}

/// The answer of `paths`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PathsResult {
    /// The starting principal.
    pub from: String,
    /// The role reached.
    pub to: String,
    /// The chains: the shortest, or every simple path with `--all` (shortest first).
    pub paths: Vec<Path>,
    /// Work counts.
    pub stats: Stats,
}

/// A node of the search: a principal and the session state its chain carries.
pub type State = (Sym, Carry);

/// The graph of exact `sts:AssumeRole` decisions a search found.
pub struct AssumeGraph {
    /// Nodes are (principal, carried state); edges carry the decision of the hop.
    pub graph: DiGraph<State, CellAnswer>,
    /// The node of each state.
    pub nodes: HashMap<State, NodeIndex>,
}

impl AssumeGraph {
    fn new() -> AssumeGraph {
        AssumeGraph {
            graph: DiGraph::new(),
            nodes: HashMap::new(),
        }
    }

    fn node(&mut self, s: &State) -> NodeIndex {
        if let Some(&n) = self.nodes.get(s) {
            return n;
        }
        let n = self.graph.add_node(s.clone());
        self.nodes.insert(s.clone(), n);
        n
    }

    fn edge(&mut self, from: &State, to: &State, answer: CellAnswer) {
        let f = self.node(from);
        let t = self.node(to);
        if self.graph.find_edge(f, t).is_none() {
            self.graph.add_edge(f, t, answer);
        }
    }
}

/// Whether `p` may call `sts:AssumeRole`: not a root user, not anonymous.
fn may_call(a: &Analyzer<'_>, p: Sym) -> bool {
    a.tables()
        .principal(p)
        .is_some_and(|r| !matches!(r.kind, PrincipalKind::Root | PrincipalKind::Anonymous))
}

/// Decide `asks`, once each.
fn decide_new(
    a: &Analyzer<'_>,
    asks: Vec<HopAsk>,
    decided: &mut HashMap<HopAsk, Option<HopAnswer>>,
    context: &Context,
    strict: bool,
    stats: &mut Stats,
) {
    let mut seen = HashSet::new();
    let asks: Vec<HopAsk> = asks
        .into_iter()
        .filter(|h| !decided.contains_key(h) && seen.insert(h.clone()))
        .collect();
    for chunk in asks.chunks(8192) {
        for (h, ans) in chunk
            .iter()
            .zip(decide_hops(a, chunk, context, strict, stats))
        {
            decided.insert(h.clone(), ans);
        }
    }
}

/// What a search step updates: the hops decided so far, the graph, the nodes seen on the
/// side being expanded.
type StepState<'s, N> = (
    &'s mut HashMap<HopAsk, Option<HopAnswer>>,
    &'s mut AssumeGraph,
    &'s mut HashSet<N>,
);

/// One frontier step of a search, forwards or backwards: decide `asks` (once each), add
/// each allowed hop to the graph as the edge `edge` gives (from state, to state, and the
/// node it reaches on the side being expanded), and return the nodes not seen before.
fn expand<N: Clone + Eq + std::hash::Hash>(
    a: &Analyzer<'_>,
    asks: Vec<HopAsk>,
    (decided, g, seen): StepState<'_, N>,
    context: &Context,
    strict: bool,
    stats: &mut Stats,
    edge: &dyn Fn(&HopAsk, &HopAnswer) -> (State, State, N),
) -> Vec<N> {
    decide_new(a, asks.clone(), decided, context, strict, stats);
    let mut next = Vec::new();
    for h in asks {
        let Some(Some(ans)) = decided.get(&h) else {
            continue;
        };
        let (from, to, reached) = edge(&h, ans);
        g.edge(&from, &to, ans.answer.clone());
        if seen.insert(reached.clone()) {
            next.push(reached);
        }
    }
    next
}

/// Forwards, breadth first, from `from` over (principal, carried state) nodes, up to
/// `depth` hops: every allowed hop out of every node reached in fewer than `depth` hops.
pub fn forward_graph(
    a: &Analyzer<'_>,
    index: &TrustIndex,
    from: Sym,
    context: &Context,
    strict: bool,
    depth: usize,
    stats: &mut Stats,
) -> AssumeGraph {
    let t = a.tables();
    let mut g = AssumeGraph::new();
    let start: State = (from, Carry::default());
    g.node(&start);
    let mut seen: HashSet<State> = HashSet::from([start.clone()]);
    let mut frontier = vec![start];
    let mut decided = HashMap::new();
    for _ in 0..depth {
        let asks: Vec<HopAsk> = frontier
            .iter()
            .filter(|(c, _)| may_call(a, *c))
            .flat_map(|(c, carry)| {
                index.roles_for(t, *c).into_iter().map(|r| HopAsk {
                    caller: *c,
                    role: r,
                    carry: carry.clone(),
                })
            })
            .collect();
        let next = expand(
            a,
            asks,
            (&mut decided, &mut g, &mut seen),
            context,
            strict,
            stats,
            &|h, ans| {
                let to: State = (h.role, ans.carry.clone());
                ((h.caller, h.carry.clone()), to.clone(), to)
            },
        );
        if next.is_empty() {
            break;
        }
        frontier = next;
    }
    g
}

/// From both ends (no session state carried): every allowed hop of every path of at most
/// `depth` hops from `from` to `to`, and maybe others.
fn meet_in_the_middle(
    a: &Analyzer<'_>,
    index: &TrustIndex,
    (from, to): (Sym, Sym),
    context: &Context,
    strict: bool,
    depth: usize,
    stats: &mut Stats,
) -> AssumeGraph {
    let t = a.tables();
    let roles: HashSet<Sym> = t.trust_policies.iter().map(|&(r, _)| r).collect();
    let mut g = AssumeGraph::new();
    let state = |p: Sym| -> State { (p, Carry::default()) };
    g.node(&state(from));
    g.node(&state(to));
    let mut fwd_seen: HashSet<Sym> = HashSet::from([from]);
    let mut bwd_seen: HashSet<Sym> = HashSet::from([to]);
    let mut fwd_frontier = vec![from];
    let mut bwd_frontier = vec![to];
    let mut levels = 0;
    let mut decided = HashMap::new();
    while levels < depth {
        let last = levels + 1 == depth;
        let ask = |caller: Sym, role: Sym| HopAsk {
            caller,
            role,
            carry: Carry::default(),
        };
        let mut fwd: Vec<HopAsk> = fwd_frontier
            .iter()
            .filter(|&&c| may_call(a, c))
            .flat_map(|&c| index.roles_for(t, c).into_iter().map(move |r| ask(c, r)))
            .collect();
        let mut bwd: Vec<HopAsk> = bwd_frontier
            .iter()
            .filter(|r| roles.contains(r))
            .flat_map(|&r| {
                a.trust_callers(r)
                    .into_iter()
                    .filter(move |&c| index.could_assume(c, r))
                    .map(move |c| ask(c, r))
            })
            .filter(|h| may_call(a, h.caller))
            .collect();
        if last {
            // The meeting level: only hops that join the two sides.
            fwd.retain(|h| bwd_seen.contains(&h.role));
            bwd.retain(|h| fwd_seen.contains(&h.caller));
        }
        let forwards = fwd.len() <= bwd.len();
        let asks = if forwards { fwd } else { bwd };
        let seen = if forwards {
            &mut fwd_seen
        } else {
            &mut bwd_seen
        };
        let mut next = expand(
            a,
            asks,
            (&mut decided, &mut g, seen),
            context,
            strict,
            stats,
            &|h, _| {
                let n = if forwards { h.role } else { h.caller };
                (state(h.caller), state(h.role), n)
            },
        );
        next.sort_unstable();
        next.dedup();
        if forwards {
            fwd_frontier = next;
        } else {
            bwd_frontier = next;
        }
        levels += 1;
    }
    g
}

/// Every role `p` can reach, with the hops of its shortest chain (forwards, each hop
/// decided with the session state its chain carries).
pub fn reachable_roles(
    a: &Analyzer<'_>,
    p: Sym,
    context: &Context,
    strict: bool,
    depth: usize,
    stats: &mut Stats,
) -> Vec<(Sym, crate::who_can::chains::Hops)> {
    let index = TrustIndex::new(a.tables());
    let g = forward_graph(a, &index, p, context, strict, depth, stats);
    let start = g.nodes[&(p, Carry::default())];
    // Breadth first over the graph: the first path found to a principal is a shortest one.
    let mut prev: HashMap<NodeIndex, (NodeIndex, petgraph::graph::EdgeIndex)> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    let mut seen = HashSet::from([start]);
    let mut first: HashMap<Sym, NodeIndex> = HashMap::new();
    while let Some(n) = queue.pop_front() {
        for e in g.graph.edges(n) {
            use petgraph::visit::EdgeRef;
            let m = e.target();
            if seen.insert(m) {
                prev.insert(m, (n, e.id()));
                first.entry(g.graph[m].0).or_insert(m);
                queue.push_back(m);
            }
        }
    }
    let mut out = Vec::new();
    for (&role, &m) in first.iter() {
        if role == p {
            continue;
        }
        let mut hops = Vec::new();
        let mut cur = m;
        while let Some(&(from, e)) = prev.get(&cur) {
            hops.push((g.graph[from].0, g.graph[cur].0, g.graph[e].clone()));
            cur = from;
        }
        hops.reverse();
        out.push((role, hops));
    }
    out.sort_by_key(|(r, h)| (h.len(), *r));
    out
}

fn hop(a: &Analyzer<'_>, from: Sym, to: Sym, ans: &CellAnswer) -> Hop {
    Hop {
        from: a.arn(from).to_string(),
        action: ASSUME_ROLE.to_string(),
        to: a.arn(to).to_string(),
        decision: ans.access,
        conditions: ans.conditions.clone(),
        reason: ans.reason.clone(),
    }
}

/// The chains from `q.from` to `q.to`.
pub fn paths(a: &Analyzer<'_>, q: &Query) -> Result<PathsResult, WhoCanError> {
    let t = a.tables();
    let find = |arn: &str, what: &str| {
        t.principal_by_arn(arn).map(|p| p.id).ok_or_else(|| {
            WhoCanError::Invalid(format!(
                "{what} `{arn}` is not a principal of the loaded data"
            ))
        })
    };
    let from = find(&q.from, "--from")?;
    let to = find(&q.to, "--to")?;
    let mut stats = Stats::default();
    let index = TrustIndex::new(t);
    let g = if index.sets_session_state() {
        forward_graph(
            a,
            &index,
            from,
            &q.context,
            q.strict,
            q.max_depth,
            &mut stats,
        )
    } else {
        meet_in_the_middle(
            a,
            &index,
            (from, to),
            &q.context,
            q.strict,
            q.max_depth,
            &mut stats,
        )
    };
    let mut node_paths: Vec<Vec<NodeIndex>> = Vec::new();
    let start = g.nodes.get(&(from, Carry::default())).copied();
    let ends: Vec<NodeIndex> = g
        .graph
        .node_indices()
        .filter(|&n| g.graph[n].0 == to && Some(n) != start)
        .collect();
    if let Some(s) = start {
        for &e in &ends {
            if q.all {
                node_paths.extend(
                    petgraph::algo::all_simple_paths::<Vec<_>, _, std::hash::RandomState>(
                        &g.graph,
                        s,
                        e,
                        0,
                        Some(q.max_depth.saturating_sub(1)),
                    )
                    // Simple in principals too, not only in (principal, state) nodes.
                    .filter(|p: &Vec<NodeIndex>| {
                        let mut seen = HashSet::new();
                        p.iter().all(|&n| seen.insert(g.graph[n].0))
                    }),
                );
            } else if let Some((_, p)) =
                petgraph::algo::astar(&g.graph, s, |n| n == e, |_| 1usize, |_| 0)
            {
                node_paths.push(p);
            }
        }
        if !q.all {
            node_paths.sort_by_key(|p| p.len());
            node_paths.truncate(1);
        }
    }
    node_paths.sort_by_key(|p| p.len());
    let paths = node_paths
        .into_iter()
        .map(|nodes| {
            let hops: Vec<Hop> = nodes
                .windows(2)
                .filter_map(|w| {
                    let e = g.graph.find_edge(w[0], w[1])?;
                    Some(hop(a, g.graph[w[0]].0, g.graph[w[1]].0, &g.graph[e]))
                })
                .collect();
            let decision = if hops.iter().all(|h| h.decision == Access::Allowed) {
                Access::Allowed
            } else {
                Access::Conditional
            };
            Path { decision, hops }
        })
        .collect();
    Ok(PathsResult {
        from: q.from.clone(),
        to: q.to.clone(),
        paths,
        stats,
    })
}

/// The picture of the paths: principals and roles with their `assumes` edges.
pub fn to_graph(r: &PathsResult) -> crate::graph::Graph {
    use crate::graph::{short_label, EdgeKind, Graph, NodeKind};
    let mut g = Graph::new();
    g.node(&r.from, NodeKind::Principal, &short_label(&r.from));
    for p in &r.paths {
        for h in &p.hops {
            g.node(&h.to, NodeKind::Role, &short_label(&h.to));
            g.edge(
                &h.from,
                &h.to,
                EdgeKind::Assumes,
                "",
                h.decision == Access::Conditional,
            );
        }
    }
    g
}
