//! Administrator probes grouped into classes the decision engine cannot tell apart, so
//! that each class is decided once per principal.
//!
//! A probe is a request for one action on `*`. The engine reads the action of a request
//! only through: which statements' `Action`/`NotAction` element matches it (the action
//! index), whether RCPs apply to it ([`rules::escalation::rcp_applies`]), whether it
//! assumes a role, the AWS rule that decides it outside every policy
//! ([`facts::aws_rules::rule_for`]) and the service keys AWS fills for it
//! ([`facts::account::service_keys::keys_for`]). Two probe actions that agree on all of
//! these get the same decision for every principal, so the class key is exactly that:
//! the set of action patterns of the data that match the action (a `NotAction` element
//! matches when none of its patterns does, so the same matching patterns mean the same
//! statements), and the other inputs as they are.
//!
//! Only the patterns of policies that can apply to a probe are read: identity policies
//! (inline and managed, which include boundaries) and SCPs/RCPs. A probe's resource `*` is
//! no resource of the data, so no resource or trust policy takes part in its decision.

use std::collections::HashMap;

use facts::account::Model;
use facts::policy::{ActionClause, Policy};

/// The probe actions with their classes.
#[derive(Debug, Clone)]
pub(crate) struct ProbeSet {
    /// Every probe action, in order (their number is what explanations report).
    pub actions: Vec<String>,
    /// The probes decided: the first probe of each class, in order.
    pub decided: Vec<u32>,
    /// Per decided probe (by its index in `actions`): every probe of its class.
    members: HashMap<u32, Vec<u32>>,
}

impl ProbeSet {
    /// Group `actions` by what the engine reads of an action, over the policies of `model`.
    pub fn new(model: &Model, actions: Vec<String>) -> ProbeSet {
        let patterns = patterns(model);
        let mut first: HashMap<Key, u32> = HashMap::new();
        let mut decided = Vec::new();
        let mut members: HashMap<u32, Vec<u32>> = HashMap::new();
        for (i, a) in actions.iter().enumerate() {
            let i = i as u32;
            let rep = *first.entry(key(a, &patterns)).or_insert_with(|| {
                decided.push(i);
                i
            });
            members.entry(rep).or_default().push(i);
        }
        ProbeSet {
            actions,
            decided,
            members,
        }
    }

    /// How many probes there are (all classes' members).
    pub fn len(&self) -> usize {
        self.actions.len()
    }

    /// The decided probes as `(index, action)`.
    pub fn each(&self) -> impl Iterator<Item = (u32, &str)> + '_ {
        self.decided
            .iter()
            .filter_map(|&i| self.actions.get(i as usize).map(|a| (i, a.as_str())))
    }

    /// The probes whose answer is decided probe `index`'s (itself included).
    pub fn class_of(&self, index: u32) -> &[u32] {
        self.members.get(&index).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// What the engine reads of an action (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    /// Per distinct action pattern of the data, whether it matches the action.
    matches: Vec<bool>,
    rcp: bool,
    /// The lowercased action when it assumes a role (its resource policy is a trust
    /// policy), else empty.
    assume: String,
    rule: Option<String>,
    service_keys: Vec<(&'static str, &'static str)>,
}

fn key(action: &str, patterns: &[ActionClause]) -> Key {
    let lower = action.to_ascii_lowercase();
    Key {
        matches: patterns
            .iter()
            .map(|p| facts::eval::action_matches(p, action))
            .collect(),
        rcp: rules::escalation::rcp_applies(action),
        assume: if lower.starts_with("sts:assumerole") {
            lower
        } else {
            String::new()
        },
        rule: facts::aws_rules::rule_for(action, "*").map(|r| format!("{r:?}")),
        service_keys: facts::account::service_keys::keys_for(action).collect(),
    }
}

/// Every distinct action pattern of the identity policies, boundaries, SCPs and RCPs of
/// `model`, each as a one-pattern `Action` element.
fn patterns(model: &Model) -> Vec<ActionClause> {
    let mut seen: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    let mut take = |doc: &Policy| {
        for st in &doc.statements {
            let (ActionClause::Action(ps) | ActionClause::NotAction(ps)) = &st.action;
            for p in ps {
                if !seen.contains(&p.0) {
                    seen.insert(p.0.clone());
                }
            }
        }
    };
    for u in model.users.values() {
        u.inline_policies.iter().for_each(|p| take(&p.document));
    }
    for g in model.groups.values() {
        g.inline_policies.iter().for_each(|p| take(&p.document));
    }
    for r in model.roles.values() {
        r.inline_policies.iter().for_each(|p| take(&p.document));
    }
    for p in model.policies.values() {
        take(&p.document);
    }
    for org in &model.organizations {
        for p in org.policies.values() {
            take(&p.document);
        }
    }
    seen.into_iter()
        .map(|p| ActionClause::Action(vec![facts::policy::ActionPattern(p)]))
        .collect()
}
