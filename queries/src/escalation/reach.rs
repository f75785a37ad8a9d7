//! Which principals a caller may come to act as through access steps (assuming a role,
//! another user's credentials, a trust policy rewritten, a role passed to compute or run by
//! compute it changes): a superset of the access edges the escalation program derives,
//! from the permissions decided so far. A grant to another principal leads to
//! "administrator" only when the grantor can then act as it, so only those grants need the
//! costly decisions on a changed copy ("granted" probes).

use super::{FastMap as HashMap, FastSet as HashSet};

use rules::escalation::Action;

use super::nodes::{NodeKind, Nodes};

/// The access graph, searched per caller on demand.
#[derive(Debug, Default)]
pub(crate) struct Reach {
    next: HashMap<u32, Vec<u32>>,
    memo: HashMap<u32, HashSet<u32>>,
}

impl Reach {
    /// The graph of `can` (caller, action, target) rows. `runs(c)` lists the roles compute
    /// node `c` runs with (or, for compute the data does not show, may run with).
    pub fn new<'a>(
        can: impl Iterator<Item = &'a (u32, Action, u32)>,
        nodes: &Nodes,
        runs: &dyn Fn(u32) -> Vec<u32>,
    ) -> Reach {
        let mut next: HashMap<u32, Vec<u32>> = HashMap::default();
        let mut cache: HashMap<u32, Vec<u32>> = HashMap::default();
        for &(p, a, t) in can {
            let to: Vec<u32> = match a {
                Action::AssumeRole
                | Action::CreateAccessKey
                | Action::CreateLoginProfile
                | Action::UpdateLoginProfile
                | Action::UpdateAssumeRolePolicy
                | Action::PassRole(_) => vec![t],
                _ => match nodes.kind(t) {
                    Some(NodeKind::Compute(_) | NodeKind::Hypothetical(..)) => {
                        cache.entry(t).or_insert_with(|| runs(t)).clone()
                    }
                    _ => Vec::new(),
                },
            };
            if !to.is_empty() {
                next.entry(p).or_default().extend(to);
            }
        }
        Reach {
            next,
            memo: HashMap::default(),
        }
    }

    /// Whether `from` may come to act as `to` (`from` itself included).
    pub fn reaches(&mut self, from: u32, to: u32) -> bool {
        if from == to {
            return true;
        }
        let next = &self.next;
        self.memo
            .entry(from)
            .or_insert_with(|| {
                let mut seen = HashSet::default();
                let mut stack = vec![from];
                while let Some(x) = stack.pop() {
                    for &y in next.get(&x).into_iter().flatten() {
                        if seen.insert(y) {
                            stack.push(y);
                        }
                    }
                }
                seen
            })
            .contains(&to)
    }
}
