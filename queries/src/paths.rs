//! `paths`: the assume-role chains from one principal to a role, each hop decided exactly
//! as AWS decides `sts:AssumeRole` (trust policy, the caller's identity policies, boundary,
//! SCPs, conditions: the who-can [`Analyzer`]), over a petgraph graph of those decisions.
//!
//! The graph is built forward, breadth first from `--from`, up to the depth asked: at each
//! depth, every role of the data is asked whether the callers reached so far may assume it.
//! The shortest chain is found with A* (unit costs); `--all` lists every simple path up to
//! `--max-depth` hops (`petgraph::algo::all_simple_paths`). The root user of an account
//! cannot assume a role (AWS STS API Reference, "AssumeRole").

use std::collections::HashMap;

use facts::request::Context;
use facts::tables::{PrincipalKind, Sym};
use petgraph::graph::{DiGraph, NodeIndex};

use crate::who_can::chains::ASSUME_ROLE;
use crate::who_can::{Access, Analyzer, Cell, CellAnswer, Hop, Stats, WhoCanError};

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

/// The graph of exact `sts:AssumeRole` decisions reachable from `from` in `depth` hops.
pub struct AssumeGraph {
    /// Nodes are principal entities; edges carry the decision of the hop.
    pub graph: DiGraph<Sym, CellAnswer>,
    /// The node of each entity.
    pub nodes: HashMap<Sym, NodeIndex>,
}

/// Build the [`AssumeGraph`] from `from`, breadth first.
pub fn assume_graph(
    a: &Analyzer<'_>,
    from: Sym,
    context: &Context,
    strict: bool,
    depth: usize,
    stats: &mut Stats,
) -> AssumeGraph {
    let t = a.tables();
    let mut g = AssumeGraph {
        graph: DiGraph::new(),
        nodes: HashMap::new(),
    };
    let start = g.graph.add_node(from);
    g.nodes.insert(from, start);
    // Every hop a path of at most `depth` roles may take, found structurally (the roles
    // whose trust policy may name each caller), then decided in one engine run.
    let may_call = |c: Sym| {
        t.principal(c)
            .is_some_and(|r| !matches!(r.kind, PrincipalKind::Root | PrincipalKind::Anonymous))
    };
    let mut cells = Vec::new();
    let mut seen: std::collections::HashSet<Sym> = std::collections::HashSet::from([from]);
    let mut frontier = vec![from];
    for _ in 0..depth {
        let mut next = Vec::new();
        for &c in frontier.iter().filter(|&&c| may_call(c)) {
            for r in a.assumable_by(c) {
                cells.push(Cell {
                    principal: c,
                    action: ASSUME_ROLE.to_string(),
                    resource: a.arn(r).to_string(),
                });
                if seen.insert(r) {
                    next.push(r);
                }
            }
        }
        if next.is_empty() {
            break;
        }
        frontier = next;
    }
    let answers = a.decide(&cells, context, strict, stats, &|_| {});
    for (cell, ans) in cells.iter().zip(answers) {
        let Some(ans) = ans else { continue };
        let Some(role) = t.principal_by_arn(&cell.resource).map(|p| p.id) else {
            continue;
        };
        let node = |x: Sym, g: &mut AssumeGraph| match g.nodes.get(&x) {
            Some(&n) => n,
            None => {
                let n = g.graph.add_node(x);
                g.nodes.insert(x, n);
                n
            }
        };
        let f = node(cell.principal, &mut g);
        let to = node(role, &mut g);
        g.graph.add_edge(f, to, ans);
    }
    g
}

/// Every role `p` can reach, with the hops of its shortest chain.
pub fn reachable_roles(
    a: &Analyzer<'_>,
    p: Sym,
    context: &Context,
    strict: bool,
    depth: usize,
    stats: &mut Stats,
) -> Vec<(Sym, crate::who_can::chains::Hops)> {
    let g = assume_graph(a, p, context, strict, depth, stats);
    let start = g.nodes[&p];
    let mut out = Vec::new();
    // Breadth first over the graph: the first path found to a node is a shortest one.
    let mut prev: HashMap<NodeIndex, (NodeIndex, petgraph::graph::EdgeIndex)> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    let mut seen = std::collections::HashSet::from([start]);
    while let Some(n) = queue.pop_front() {
        for e in g.graph.edges(n) {
            use petgraph::visit::EdgeRef;
            let m = e.target();
            if seen.insert(m) {
                prev.insert(m, (n, e.id()));
                queue.push_back(m);
            }
        }
    }
    for (&m, _) in prev.iter() {
        let mut hops = Vec::new();
        let mut cur = m;
        while let Some(&(from, e)) = prev.get(&cur) {
            hops.push((g.graph[from], g.graph[cur], g.graph[e].clone()));
            cur = from;
        }
        hops.reverse();
        out.push((g.graph[m], hops));
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
    let g = assume_graph(a, from, &q.context, q.strict, q.max_depth, &mut stats);
    let mut node_paths: Vec<Vec<NodeIndex>> = Vec::new();
    if let (Some(&s), Some(&e)) = (g.nodes.get(&from), g.nodes.get(&to)) {
        if q.all {
            node_paths = petgraph::algo::all_simple_paths::<Vec<_>, _, std::hash::RandomState>(
                &g.graph,
                s,
                e,
                0,
                Some(q.max_depth.saturating_sub(1)),
            )
            .collect();
        } else if let Some((_, p)) =
            petgraph::algo::astar(&g.graph, s, |n| n == e, |_| 1usize, |_| 0)
        {
            node_paths.push(p);
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
                    Some(hop(a, g.graph[w[0]], g.graph[w[1]], &g.graph[e]))
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
