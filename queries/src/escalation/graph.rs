//! The escalation graph (petgraph): principals and "administrator" as nodes, steps as
//! edges; shortest paths by Dijkstra on the reversed graph (one run per target gives every
//! source's distance), every simple path up to a depth for `--all`.

use super::FastMap as HashMap;
use std::hash::RandomState;

use petgraph::algo::{all_simple_paths, dijkstra};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{EdgeRef, Reversed};
use petgraph::Direction;

use super::result::Status;

/// The most paths `all_paths` lists for one principal: parallel techniques multiply paths,
/// and a dense account has millions of them.
pub const MAX_PATHS: usize = 1000;

/// Edge costs: any number of allowed steps beats one conditional step, and any number of
/// conditional steps beats one hypothetical step (paths are short; these never overflow).
pub(crate) fn cost(status: Status) -> u64 {
    match status {
        Status::Allowed => 1,
        Status::Conditional => 1_000,
        Status::Hypothetical => 1_000_000,
    }
}

/// The graph: node weights are node ids, edge weights indexes into the caller's step list.
#[derive(Debug, Default)]
pub(crate) struct Graph {
    g: DiGraph<u32, usize>,
    index: HashMap<u32, NodeIndex>,
    status: Vec<Status>,
}

impl Graph {
    /// A graph whose edge `i` (an index into `status`) goes `from → to`.
    pub fn new(edges: &[(u32, u32)], status: Vec<Status>) -> Graph {
        let mut gr = Graph {
            status,
            ..Graph::default()
        };
        for (i, &(a, b)) in edges.iter().enumerate() {
            let ia = gr.node(a);
            let ib = gr.node(b);
            gr.g.add_edge(ia, ib, i);
        }
        gr
    }

    fn node(&mut self, id: u32) -> NodeIndex {
        if let Some(&i) = self.index.get(&id) {
            return i;
        }
        let i = self.g.add_node(id);
        self.index.insert(id, i);
        i
    }

    fn edge_cost(&self, e: usize) -> u64 {
        self.status
            .get(e)
            .copied()
            .map(cost)
            .unwrap_or(u64::MAX / 4)
    }

    /// Distances to `target` from every node that reaches it.
    pub fn distances_to(&self, target: u32) -> HashMap<u32, u64> {
        let Some(&t) = self.index.get(&target) else {
            return HashMap::default();
        };
        dijkstra(Reversed(&self.g), t, None, |e| self.edge_cost(*e.weight()))
            .into_iter()
            .map(|(n, d)| (self.g[n], d))
            .collect()
    }

    /// The first edge of the cheapest path from each node of `dist` (from
    /// [`Graph::distances_to`]) to its target: of the edges `a → b` with
    /// `cost + dist(b) = dist(a)`, the cheapest, then the first added. Found from the
    /// edges *into* the nodes of `dist`, so a node with many edges out (a principal that
    /// can act on every role of its account) is not scanned once per path through it.
    pub fn next_edges(&self, dist: &HashMap<u32, u64>) -> HashMap<u32, (usize, u32)> {
        let mut best: HashMap<u32, (u64, usize, u32)> = HashMap::default();
        for (&b, &db) in dist {
            let Some(&ib) = self.index.get(&b) else {
                continue;
            };
            for e in self.g.edges_directed(ib, Direction::Incoming) {
                let a = self.g[e.source()];
                let Some(&da) = dist.get(&a) else {
                    continue;
                };
                let i = *e.weight();
                let w = self.edge_cost(i);
                if w.saturating_add(db) != da {
                    continue;
                }
                let slot = best.entry(a).or_insert((w, i, b));
                if (w, i) < (slot.0, slot.1) {
                    *slot = (w, i, b);
                }
            }
        }
        best.into_iter().map(|(a, (_, i, b))| (a, (i, b))).collect()
    }

    /// The cheapest path from `from` to `target`, as edge indexes, following `next`
    /// ([`Graph::next_edges`] of the distances to `target`).
    pub fn path(
        &self,
        from: u32,
        target: u32,
        next: &HashMap<u32, (usize, u32)>,
    ) -> Option<Vec<usize>> {
        self.index.get(&from)?;
        let mut at = from;
        let mut out = Vec::new();
        while at != target {
            let &(i, b) = next.get(&at)?;
            out.push(i);
            at = b;
            if out.len() > self.g.node_count() {
                return None;
            }
        }
        Some(out)
    }

    /// Every simple path from `from` to `target` of at most `max_steps` steps (at most
    /// [`MAX_PATHS`], in the order they are found), cheapest first. Parallel edges (different techniques between the same principals) make
    /// different paths; of parallel edges with the same `kind`, the cheapest stands for all.
    pub fn all_paths(
        &self,
        from: u32,
        target: u32,
        max_steps: usize,
        kind: &dyn Fn(usize) -> u32,
    ) -> Vec<Vec<usize>> {
        let (Some(&a), Some(&b)) = (self.index.get(&from), self.index.get(&target)) else {
            return Vec::new();
        };
        if max_steps == 0 {
            return Vec::new();
        }
        let mut out: Vec<(u64, Vec<usize>)> = Vec::new();
        'paths: for nodes in all_simple_paths::<Vec<NodeIndex>, _, RandomState>(
            &self.g,
            a,
            b,
            0,
            Some(max_steps - 1),
        ) {
            // Every combination of one edge per hop.
            let mut partial: Vec<(u64, Vec<usize>)> = vec![(0, Vec::new())];
            for w in nodes.windows(2) {
                let (x, y) = (w[0], w[1]);
                let mut best: HashMap<u32, (u64, usize)> = HashMap::default();
                for e in self.g.edges_connecting(x, y) {
                    let i = *e.weight();
                    let c = (self.edge_cost(i), i);
                    let slot = best.entry(kind(i)).or_insert(c);
                    if c < *slot {
                        *slot = c;
                    }
                }
                let mut hop: Vec<(u64, usize)> = best.into_values().collect();
                hop.sort();
                partial = partial
                    .into_iter()
                    .flat_map(|(t, steps)| {
                        hop.iter().map(move |&(c, i)| {
                            let mut s = steps.clone();
                            s.push(i);
                            (t + c, s)
                        })
                    })
                    .take(MAX_PATHS)
                    .collect();
            }
            out.extend(partial);
            if out.len() >= MAX_PATHS {
                out.truncate(MAX_PATHS);
                break 'paths;
            }
        }
        out.sort();
        out.into_iter().map(|(_, s)| s).collect()
    }
}
