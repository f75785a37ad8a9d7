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

/// Every permission-policy document of `model`: users', groups' and roles' inline policies,
/// managed policies (identity policies and boundaries), and each organization's SCPs and RCPs.
pub(crate) fn permission_documents(model: &Model) -> impl Iterator<Item = &Policy> {
    let inline = model
        .users
        .values()
        .flat_map(|u| &u.inline_policies)
        .chain(model.groups.values().flat_map(|g| &g.inline_policies))
        .chain(model.roles.values().flat_map(|r| &r.inline_policies))
        .map(|p| &*p.document);
    let managed = model.policies.values().map(|p| &*p.document);
    let org = model
        .organizations
        .iter()
        .flat_map(|o| o.policies.values().map(|p| &*p.document));
    inline.chain(managed).chain(org)
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
    permission_documents(model).for_each(&mut take);
    seen.into_iter()
        .map(|p| ActionClause::Action(vec![facts::policy::ActionPattern(p)]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn model(statements: serde_json::Value) -> Model {
        let dir = tempfile::tempdir().expect("tempdir");
        let user = json!({"UserName": "u", "UserId": "AIDAU", "Arn": "arn:aws:iam::111122223333:user/u",
            "Path": "/", "GroupList": [], "AttachedManagedPolicies": [],
            "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}]});
        let gaad = json!({"UserDetailList": [user], "GroupDetailList": [], "RoleDetailList": [], "Policies": []});
        std::fs::write(dir.path().join("gaad.json"), gaad.to_string()).expect("write");
        facts::account::load(&[dir.path().to_path_buf()]).expect("load")
    }

    #[test]
    fn probes_the_policies_match_alike_share_a_class_and_others_do_not() {
        let m = model(json!([
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:Create*", "Resource": "*"}]));
        let probe = |s: &str| format!("{s}:IamlogicAdministratorProbe");
        let set = ProbeSet::new(
            &m,
            vec![
                probe("appflow"),
                probe("braket"),
                "iam:CreateUser".to_string(),
                probe("iam"),
                // RCPs apply to S3 actions: a class of its own whatever the patterns.
                probe("s3"),
            ],
        );
        assert_eq!(set.len(), 5);
        assert_eq!(set.decided, vec![0, 2, 4]);
        assert_eq!(set.class_of(0), &[0, 1, 3]);
        assert_eq!(set.class_of(2), &[2]);
        assert_eq!(set.class_of(4), &[4]);
    }
}
