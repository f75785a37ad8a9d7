//! The picture of an escalation report as a [`crate::graph::Graph`] (the one graph model
//! who-can also draws): principals and the target as nodes, one edge per pair of principals
//! a shown path steps between, labelled with its techniques; dashed when the best step
//! holds only under a condition (the condition in the label), dotted when only if a
//! resource the data does not show exists.

use std::collections::BTreeMap;

use super::result::{EscalationReport, Path, Status};
use crate::graph::{short_label, EdgeKind, Graph, NodeKind};

/// The paths a picture shows: each escalation's shortest path, or all of them with `--all`.
fn shown_paths(r: &EscalationReport) -> Vec<&Path> {
    r.escalations
        .iter()
        .flat_map(|e| {
            if e.all_paths.is_empty() {
                vec![&e.path]
            } else {
                e.all_paths.iter().collect()
            }
        })
        .collect()
}

/// `administrator`, a role (by its ARN), or another principal (a user).
fn node_kind(id: &str) -> NodeKind {
    if id == "administrator" {
        NodeKind::Administrator
    } else if facts::arn::Arn::parse(id).is_some_and(|a| a.resource.starts_with("role/")) {
        NodeKind::Role
    } else {
        NodeKind::Principal
    }
}

/// One edge of the picture being gathered.
struct Gathered {
    techniques: Vec<String>,
    status: Status,
    conditions: Vec<String>,
}

/// The report as a graph: one node per principal of a shown path and the target, one edge
/// per pair of principals with the techniques of its steps; `assumes` when every technique
/// is `sts-001`, else `escalates`.
pub fn to_graph(r: &EscalationReport) -> Graph {
    let mut g = Graph::new();
    let mut edges: BTreeMap<(String, String), Gathered> = BTreeMap::new();
    for p in shown_paths(r) {
        for s in &p.steps {
            let e = edges
                .entry((s.from.clone(), s.to.clone()))
                .or_insert(Gathered {
                    techniques: Vec::new(),
                    status: s.status,
                    conditions: Vec::new(),
                });
            if !e.techniques.contains(&s.technique) {
                e.techniques.push(s.technique.clone());
            }
            if s.status < e.status {
                e.status = s.status;
                e.conditions.clear();
            }
            if s.status == e.status {
                if let Some(c) = &s.condition {
                    if !e.conditions.contains(c) {
                        e.conditions.push(c.clone());
                    }
                }
            }
        }
    }
    let label = |id: &str| {
        if id == "administrator" {
            "administrator".to_string()
        } else {
            short_label(id)
        }
    };
    g.node(&r.target, node_kind(&r.target), &label(&r.target));
    for (a, b) in edges.keys() {
        for n in [a, b] {
            g.node(n, node_kind(n), &label(n));
        }
    }
    for ((a, b), e) in &edges {
        let kind = if e.techniques.iter().all(|t| t == "sts-001") {
            EdgeKind::Assumes
        } else {
            EdgeKind::Escalates
        };
        let mut text = e.techniques.join(", ");
        match e.status {
            Status::Allowed => {}
            Status::Conditional => {
                if !e.conditions.is_empty() {
                    text.push_str(&format!(" (if {})", e.conditions.join(" or ")));
                }
            }
            Status::Hypothetical => text.push_str(" (if such a resource exists)"),
        }
        match e.status {
            Status::Allowed => g.edge(a, b, kind, &text, false),
            Status::Conditional => g.edge(a, b, kind, &text, true),
            Status::Hypothetical => g.hypothetical_edge(a, b, kind, &text),
        }
    }
    g
}
