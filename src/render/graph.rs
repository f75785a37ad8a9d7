//! Render a [`queries::graph::Graph`] as Graphviz DOT or as a Mermaid flowchart.
//!
//! Both renderers give every node a stable short identifier (`n0`, `n1`, ... in node order)
//! and put the node's label in quotes, so ARNs with `:` and `/` are safe. Conditional edges
//! are dashed; hypothetical ones dotted in DOT (Mermaid has one broken line: both are
//! drawn `-.->`, the label says which).

use queries::graph::{EdgeKind, Graph, NodeKind};
use std::collections::HashMap;
use std::fmt::Write;

/// Escape a label for a DOT double-quoted string.
fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Escape a label for a Mermaid quoted label (`#quot;` is Mermaid's entity for `"`).
fn mermaid_escape(s: &str) -> String {
    s.replace('"', "#quot;")
}

fn ids(g: &Graph) -> HashMap<&str, String> {
    g.nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), format!("n{i}")))
        .collect()
}

fn dot_shape(k: NodeKind) -> &'static str {
    match k {
        NodeKind::Principal => "ellipse",
        NodeKind::Role => "box",
        NodeKind::Account => "house",
        NodeKind::Service => "hexagon",
        NodeKind::Public => "doubleoctagon",
        NodeKind::Resource => "cylinder",
        NodeKind::Administrator => "tripleoctagon",
    }
}

/// The graph as a Graphviz `digraph`.
pub fn to_dot(g: &Graph) -> String {
    let ids = ids(g);
    let mut out =
        String::from("digraph access {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n");
    for n in &g.nodes {
        let _ = writeln!(
            out,
            "  {} [label=\"{}\", shape={}, tooltip=\"{}\"];",
            ids[n.id.as_str()],
            dot_escape(&n.label),
            dot_shape(n.kind),
            dot_escape(&n.id)
        );
    }
    for e in &g.edges {
        let label = if e.label.is_empty() {
            e.kind.name().to_string()
        } else {
            e.label.clone()
        };
        let style = if e.hypothetical {
            ", style=dotted"
        } else if e.conditional {
            ", style=dashed"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  {} -> {} [label=\"{}\"{}];",
            ids[e.from.as_str()],
            ids[e.to.as_str()],
            dot_escape(&label),
            style
        );
    }
    out.push_str("}\n");
    out
}

/// The graph as a Mermaid `flowchart LR`.
pub fn to_mermaid(g: &Graph) -> String {
    let ids = ids(g);
    let mut out = String::from("flowchart LR\n");
    for n in &g.nodes {
        let label = mermaid_escape(&n.label);
        let id = &ids[n.id.as_str()];
        let _ = match n.kind {
            NodeKind::Principal => writeln!(out, "  {id}([\"{label}\"])"),
            NodeKind::Role => writeln!(out, "  {id}[\"{label}\"]"),
            NodeKind::Account => writeln!(out, "  {id}[/\"{label}\"/]"),
            NodeKind::Service => writeln!(out, "  {id}{{{{\"{label}\"}}}}"),
            NodeKind::Public => writeln!(out, "  {id}((\"{label}\"))"),
            NodeKind::Resource => writeln!(out, "  {id}[(\"{label}\")]"),
            NodeKind::Administrator => writeln!(out, "  {id}[[\"{label}\"]]"),
        };
    }
    for e in &g.edges {
        let label = if e.label.is_empty() && e.kind != EdgeKind::CanAccess {
            e.kind.name().to_string()
        } else {
            e.label.clone()
        };
        let arrow = if e.conditional || e.hypothetical {
            "-.->"
        } else {
            "-->"
        };
        let (from, to) = (&ids[e.from.as_str()], &ids[e.to.as_str()]);
        let _ = if label.is_empty() {
            writeln!(out, "  {from} {arrow} {to}")
        } else {
            writeln!(out, "  {from} {arrow}|\"{}\"| {to}", mermaid_escape(&label))
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Graph {
        let mut g = Graph::new();
        g.node("arn:aws:iam::1:user/a\"b", NodeKind::Principal, "user/a\"b");
        g.node("arn:aws:iam::1:role/R", NodeKind::Role, "role/R");
        g.node("arn:aws:s3:::b", NodeKind::Resource, "b");
        g.edge(
            "arn:aws:iam::1:user/a\"b",
            "arn:aws:iam::1:role/R",
            EdgeKind::Assumes,
            "",
            false,
        );
        g.edge(
            "arn:aws:iam::1:role/R",
            "arn:aws:s3:::b",
            EdgeKind::CanAccess,
            "s3:GetObject",
            true,
        );
        g
    }

    #[test]
    fn dot_has_every_node_and_edge_escaped() {
        let d = to_dot(&sample());
        assert!(d.starts_with("digraph access {"), "{d}");
        assert!(
            d.contains("n0 [label=\"user/a\\\"b\", shape=ellipse"),
            "{d}"
        );
        assert!(d.contains("n0 -> n1 [label=\"assumes\"];"), "{d}");
        assert!(
            d.contains("n1 -> n2 [label=\"s3:GetObject\", style=dashed];"),
            "{d}"
        );
    }

    #[test]
    fn mermaid_has_every_node_and_edge_escaped() {
        let m = to_mermaid(&sample());
        assert!(m.starts_with("flowchart LR\n"), "{m}");
        assert!(m.contains("n0([\"user/a#quot;b\"])"), "{m}");
        assert!(m.contains("n2[(\"b\")]"), "{m}");
        assert!(m.contains("n0 -->|\"assumes\"| n1"), "{m}");
        assert!(m.contains("n1 -.->|\"s3:GetObject\"| n2"), "{m}");
    }
}
