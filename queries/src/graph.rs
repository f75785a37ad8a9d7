//! A small generic graph of access: principals, roles, accounts, services, the public and
//! resources, joined by labelled edges (`assumes`, `can access`, ...).
//!
//! Queries that answer "who reaches what, and how" (`who-can`, `paths`, escalation, audit)
//! build one [`Graph`]; the command line renders it (DOT, Mermaid). The model holds no
//! presentation: a node has an id, a kind and a label; an edge has its ends, a kind, a label
//! and whether it holds only under conditions.
//!
//! Node ids are unique: adding a node twice keeps the first; edges are kept in insertion
//! order and deduplicated on `(from, to, kind, label)`.

use std::collections::HashSet;

/// What a node stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum NodeKind {
    /// An IAM user, a federated user or an assumed-role session.
    Principal,
    /// An IAM role (any session of it).
    Role,
    /// An AWS account (its root, or "anyone in it").
    Account,
    /// An AWS service principal (`lambda.amazonaws.com`).
    Service,
    /// Anonymous or public access (`*`).
    Public,
    /// A resource (a bucket, a key, a queue...).
    Resource,
    /// Administrator access, the goal of privilege escalation.
    Administrator,
}

impl NodeKind {
    /// `principal`, `role`, `account`, `service`, `public` or `resource`.
    pub fn name(self) -> &'static str {
        match self {
            NodeKind::Principal => "principal",
            NodeKind::Role => "role",
            NodeKind::Account => "account",
            NodeKind::Service => "service",
            NodeKind::Public => "public",
            NodeKind::Resource => "resource",
            NodeKind::Administrator => "administrator",
        }
    }
}

/// What an edge says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum EdgeKind {
    /// `from` may assume role `to` (`sts:AssumeRole` allowed).
    Assumes,
    /// `from` may perform actions (the label) on resource `to`.
    CanAccess,
    /// User `from` is a member of group `to`.
    MemberOf,
    /// `from` may pass role `to` to a service (`iam:PassRole`).
    PassRole,
    /// `from` may gain the permissions of `to` by another means (privilege escalation).
    Escalates,
}

impl EdgeKind {
    /// `assumes`, `can access`, `member of`, `pass role` or `escalates`.
    pub fn name(self) -> &'static str {
        match self {
            EdgeKind::Assumes => "assumes",
            EdgeKind::CanAccess => "can access",
            EdgeKind::MemberOf => "member of",
            EdgeKind::PassRole => "pass role",
            EdgeKind::Escalates => "escalates",
        }
    }
}

/// A node.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Node {
    /// Unique id (an ARN, a service name, `*`).
    pub id: String,
    /// What it stands for.
    pub kind: NodeKind,
    /// A short label a person reads (`user/alice`, `role/Deploy`, `public`).
    pub label: String,
}

/// A directed edge.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Edge {
    /// The id of the source node.
    pub from: String,
    /// The id of the target node.
    pub to: String,
    /// What it says.
    pub kind: EdgeKind,
    /// A short label (`s3:GetObject`, `sts:AssumeRole`, a count of actions...); may be empty.
    pub label: String,
    /// Whether the edge holds only for some values of request keys (drawn dashed).
    pub conditional: bool,
    /// Whether the edge holds only if a resource the data does not show exists (drawn
    /// dotted; privilege escalation through compute "if such a resource exists").
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub hypothetical: bool,
}

/// A graph of nodes and edges.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Graph {
    /// The nodes, in insertion order.
    pub nodes: Vec<Node>,
    /// The edges, in insertion order.
    pub edges: Vec<Edge>,
    #[serde(skip)]
    ids: HashSet<String>,
    #[serde(skip)]
    edge_keys: HashSet<(String, String, EdgeKind, String)>,
}

impl Graph {
    /// An empty graph.
    pub fn new() -> Graph {
        Graph::default()
    }

    /// Add a node unless one with this id exists; returns the id.
    pub fn node(&mut self, id: &str, kind: NodeKind, label: &str) -> String {
        if self.ids.insert(id.to_string()) {
            self.nodes.push(Node {
                id: id.to_string(),
                kind,
                label: label.to_string(),
            });
        }
        id.to_string()
    }

    /// Add an edge unless the same `(from, to, kind, label)` exists. Both ends should be
    /// nodes of the graph; an end that is not gets a node of kind
    /// [`NodeKind::Principal`] labelled with its id, so the graph stays well formed.
    pub fn edge(&mut self, from: &str, to: &str, kind: EdgeKind, label: &str, conditional: bool) {
        self.push_edge(from, to, kind, label, conditional, false);
    }

    /// Add an edge that holds only if a resource the data does not show exists (drawn
    /// dotted), as [`Graph::edge`] does.
    pub fn hypothetical_edge(&mut self, from: &str, to: &str, kind: EdgeKind, label: &str) {
        self.push_edge(from, to, kind, label, false, true);
    }

    fn push_edge(
        &mut self,
        from: &str,
        to: &str,
        kind: EdgeKind,
        label: &str,
        conditional: bool,
        hypothetical: bool,
    ) {
        for end in [from, to] {
            if !self.ids.contains(end) {
                self.node(end, NodeKind::Principal, end);
            }
        }
        let key = (from.to_string(), to.to_string(), kind, label.to_string());
        if self.edge_keys.insert(key) {
            self.edges.push(Edge {
                from: from.to_string(),
                to: to.to_string(),
                kind,
                label: label.to_string(),
                conditional,
                hypothetical,
            });
        }
    }

    /// The node with this id.
    pub fn get(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }
}

/// A short label for a principal or resource ARN: the part after the account
/// (`user/alice`, `role/Deploy`, `root`), the bucket or key name for resources without an
/// account, the text itself for services and `*`.
pub fn short_label(arn: &str) -> String {
    if arn == "*" {
        return "public (*)".to_string();
    }
    match facts::arn::Arn::parse(arn) {
        Some(a) if a.account.is_empty() => a.resource.clone(),
        Some(a) if a.resource == "root" => format!("account {}", a.account),
        Some(a) => format!("{}:{}", a.account, a.resource),
        None => arn.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_and_edges_are_deduplicated_and_ends_exist() {
        let mut g = Graph::new();
        g.node("a", NodeKind::Role, "A");
        g.node("a", NodeKind::Principal, "other");
        g.edge("a", "b", EdgeKind::Assumes, "", false);
        g.edge("a", "b", EdgeKind::Assumes, "", false);
        g.edge("a", "b", EdgeKind::CanAccess, "s3:GetObject", true);
        assert_eq!(g.nodes.len(), 2);
        assert_eq!(g.get("a").map(|n| n.kind), Some(NodeKind::Role));
        assert_eq!(g.get("b").map(|n| n.kind), Some(NodeKind::Principal));
        assert_eq!(g.edges.len(), 2);
    }

    #[test]
    fn short_labels() {
        assert_eq!(
            short_label("arn:aws:iam::111122223333:role/x/Deploy"),
            "111122223333:role/x/Deploy"
        );
        assert_eq!(short_label("arn:aws:s3:::bucket"), "bucket");
        assert_eq!(
            short_label("arn:aws:iam::111122223333:root"),
            "account 111122223333"
        );
        assert_eq!(short_label("lambda.amazonaws.com"), "lambda.amazonaws.com");
    }
}
