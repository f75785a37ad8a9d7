//! Node ids for the escalation program: one `u32` per principal, group, policy or compute
//! resource, by name (an ARN, or `hypothetical:<kind>:<account>` for compute the data does
//! not show).

use super::FastMap as HashMap;

use rules::escalation::{ComputeKind, ADMIN, NEW, NONE};

/// What a node stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NodeKind {
    /// A user or role.
    Principal,
    /// A group.
    Group,
    /// A customer-managed policy.
    Policy,
    /// A compute resource of the data.
    Compute(ComputeKind),
    /// A compute resource the data does not show, in an account.
    Hypothetical(ComputeKind, String),
}

/// The interner.
#[derive(Debug, Default)]
pub(crate) struct Nodes {
    ids: HashMap<String, u32>,
    names: Vec<(String, NodeKind)>,
}

impl Nodes {
    /// The id of `name`, added with `kind` when new.
    pub fn id(&mut self, name: &str, kind: NodeKind) -> u32 {
        if let Some(&i) = self.ids.get(name) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push((name.to_string(), kind));
        self.ids.insert(name.to_string(), i);
        i
    }

    /// The id of `name`, if known.
    pub fn get(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }

    /// The display name of a node (`administrator` for [`ADMIN`]).
    pub fn name(&self, id: u32) -> &str {
        match id {
            ADMIN => "administrator",
            NEW => "a new resource",
            NONE => "",
            _ => self
                .names
                .get(id as usize)
                .map(|(n, _)| n.as_str())
                .unwrap_or(""),
        }
    }

    /// The kind of a node.
    pub fn kind(&self, id: u32) -> Option<&NodeKind> {
        self.names.get(id as usize).map(|(_, k)| k)
    }

    /// The hypothetical node of `kind` in `account`.
    pub fn hypothetical(&mut self, kind: ComputeKind, account: &str) -> u32 {
        let name = format!("hypothetical:{kind:?}:{account}");
        self.id(&name, NodeKind::Hypothetical(kind, account.to_string()))
    }
}
