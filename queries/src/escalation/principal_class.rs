//! Principals whose administrator probes the decision engine cannot tell apart, so that the
//! probes of a hypothetical change ("granted": a policy allowing `*` added; "unbounded": its
//! permissions boundary removed) are decided once per class and the answer copied to every
//! member.
//!
//! A probe is a request of the principal for one action on `*`: no resource, trust or
//! resource-based policy takes part, so the engine reads of the caller only what the
//! decision is a function of (IAM User Guide, "Policy evaluation logic"): the statements of
//! its identity policies (its own and its groups'), its boundary, the SCPs of its account and
//! the RCPs, in their layers, and the context keys AWS fills for it. Two principals share a
//! class when:
//!
//! - they have the same *profile* (who-can's [`crate::who_can::classes::profiles`]: account,
//!   kind, service-linked or not, groups, identity and boundary policies, an own inline
//!   policy counted by its document), so the same statements apply to both, in the same
//!   layers; and the same change is made to each of them (the same policy added, their
//!   boundaries removed), so their changed profiles are equal too;
//! - every *principal-specific* part of those statements ([`crate::who_can::classes::Test`]:
//!   a condition on `aws:PrincipalArn`, `aws:username`, `aws:userid`, `aws:PrincipalTag/*`,
//!   a policy variable in a resource pattern or a condition's values) says the same of both,
//!   evaluated by the one matcher (`facts`) over the context the engine fills for a probe:
//!   the request's base keys and the principal's own.
//!
//! A principal whose statements hold a policy variable on a key it does not fix (a
//! request or resource key) is a class of its own.

use std::collections::{HashMap, HashSet};

use facts::account::context::RoleNames;
use facts::account::Model;
use facts::policy::{Condition, Policy};
use facts::request::{Context, RequestPrincipal};
use facts::tables::FactTables;

use super::target_class;
use crate::who_can::classes::{self, ClassId, Test};

/// The class key of a principal: its profile and, per principal-specific part of its
/// statements (by document and statement index), what the part says of it.
pub(crate) type Key = (u32, Vec<(usize, usize, Vec<bool>)>);

/// The principal classes of one loaded organization.
pub(crate) struct Classes<'t> {
    model: &'t Model,
    profiles: classes::Profiles,
    statements: target_class::Statements<'t>,
    base: Context,
    roles: Option<RoleNames>,
    /// The profiles whose statements have no principal-specific part: the profile alone is
    /// the key (principals of one profile have the same statements).
    plain: HashSet<u32>,
    /// The keys found so far, by principal ARN: the same principal is classed in phase 1
    /// and again for the "granted" and "unbounded" probes.
    memo: super::FastMap<String, Option<Key>>,
}

impl<'t> Classes<'t> {
    /// The classes of the principals of `t` (compiled from `model`, with the decision
    /// engine's profiles `decisions`), for requests carrying the `base` context.
    pub fn new(
        model: &'t Model,
        t: &'t FactTables,
        decisions: &rules::profile::Profiles,
        base: &Context,
    ) -> Classes<'t> {
        let statements = target_class::Statements::new(t);
        let profiles = classes::profiles(t, decisions, statements.groups(), &|_| true);
        Classes {
            model,
            profiles,
            statements,
            base: base.clone(),
            roles: None,
            plain: HashSet::new(),
            memo: super::FastMap::default(),
        }
    }

    /// The class key of user or role `arn`; `None`: a class of its own.
    pub fn key(&mut self, arn: &str) -> Option<Key> {
        if let Some(k) = self.memo.get(arn) {
            return k.clone();
        }
        let k = self.find_key(arn);
        self.memo.insert(arn.to_string(), k.clone());
        k
    }

    /// [`Classes::key`], found.
    fn find_key(&mut self, arn: &str) -> Option<Key> {
        let row = self.statements.principal(arn)?;
        let ClassId::Profile(profile) = self.profiles.class(row) else {
            return None;
        };
        if self.plain.contains(&profile) {
            return Some((profile, Vec::new()));
        }
        let stmts = self.statements.of_principal(arn)?;
        // The statements of every RCP of the data (they apply to whichever account they
        // are attached to; a superset is exact: more tests only split classes further).
        let tests: Vec<(usize, usize, Test<'_>)> = stmts
            .iter()
            .chain(self.statements.rcps())
            .filter_map(|&(doc, st)| {
                let index = doc
                    .statements
                    .iter()
                    .position(|s| std::ptr::eq(s, st))
                    .unwrap_or(usize::MAX);
                classes::test_of(st, doc.version.supports_variables())
                    .map(|t| (doc as *const Policy as usize, index, t))
            })
            .collect();
        if tests.is_empty() {
            self.plain.insert(profile);
            return Some((profile, Vec::new()));
        }
        // Variables must read keys the principal fixes, else the context below (which has
        // no resource and no live keys) would not be the engine's.
        if tests.iter().any(|(_, _, t)| !fixed_variables(t)) {
            return None;
        }
        let (model, base) = (self.model, &self.base);
        let roles = self.roles.get_or_insert_with(|| RoleNames::new(model));
        let caller = RequestPrincipal::Aws {
            arn: arn.to_string(),
        };
        let mut context = || {
            let mut req = facts::request::Request {
                principal: caller.clone(),
                action: String::new(),
                resource: String::new(),
                context: base.clone(),
            };
            facts::account::context::fill_with(model, Some(roles), &mut req);
            req.context
        };
        let mut parts = Vec::with_capacity(tests.len());
        for (doc, index, t) in &tests {
            let bits = classes::outcome(
                std::slice::from_ref(t),
                &caller,
                arn,
                "*",
                classes::ContextOf::Build(&mut context),
                // A probe carries no live key: the engine decides with them absent, as here.
                &|_: &Condition, _, _: &Context| false,
            )?;
            parts.push((*doc, *index, bits));
        }
        parts.sort_unstable();
        Some((profile, parts))
    }
}

/// Whether every policy variable of test `t` reads a principal-specific key (one the
/// principal's own context fixes).
fn fixed_variables(t: &Test<'_>) -> bool {
    if !t.variables {
        return true;
    }
    let st = t.statement;
    let resources: Vec<&str> = match &st.resource {
        Some(
            facts::policy::ResourceClause::Resource(ps)
            | facts::policy::ResourceClause::NotResource(ps),
        ) => ps.iter().map(|p| p.0.as_str()).collect(),
        None => Vec::new(),
    };
    let values = t
        .conditions
        .iter()
        .flat_map(|c| c.values.iter().map(String::as_str));
    resources
        .into_iter()
        .chain(values)
        .flat_map(facts::variables::variable_keys)
        .all(classes::specific_key)
}

/// The representative of the class of principal `arn` (node `id`) among `reps`, when an
/// earlier principal stands for it; else `arn` becomes its class's representative (or is a
/// class of its own) and `None` is returned: decide it.
pub(crate) fn representative(
    classes: &mut Classes<'_>,
    reps: &mut HashMap<Key, u32>,
    arn: &str,
    id: u32,
) -> Option<u32> {
    let key = classes.key(arn)?;
    match reps.entry(key) {
        std::collections::hash_map::Entry::Occupied(o) => Some(*o.get()),
        std::collections::hash_map::Entry::Vacant(v) => {
            v.insert(id);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{self, arn};
    use super::*;
    use crate::simulate::{AccountSimulator, Outcome};
    use serde_json::json;

    fn user(name: &str, team: &str) -> serde_json::Value {
        json!({"UserName": name, "UserId": format!("AIDA{name}"), "Arn": arn("user", name),
               "Path": "/", "GroupList": ["ops"], "AttachedManagedPolicies": [],
               "UserPolicyList": [], "Tags": [{"Key": "team", "Value": team}]})
    }

    /// Users `a1`, `a2` (tag team=a) and `b1` (team=b), all in group `ops`, which allows
    /// everything but denies `s3:*` to team b.
    /// The classes of `sim`'s principals, for probes with no base context.
    fn classes_of(sim: &AccountSimulator) -> Classes<'_> {
        Classes::new(
            sim.model(),
            sim.tables(),
            sim.index().profiles(),
            &Context::new(),
        )
    }

    fn load() -> AccountSimulator {
        let group = json!({"GroupName": "ops", "GroupId": "AGPAOPS", "Arn": arn("group", "ops"),
            "Path": "/", "AttachedManagedPolicies": [],
            "GroupPolicyList": [{"PolicyName": "ops", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Effect": "Deny", "Action": "s3:*", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:PrincipalTag/team": "b"}}}]}}]});
        let gaad = json!({"UserDetailList": [user("a1", "a"), user("a2", "a"), user("b1", "b")],
            "GroupDetailList": [group], "RoleDetailList": [], "Policies": []});
        fixtures::load(gaad)
    }

    fn probe(sim: &AccountSimulator, who: &str) -> Outcome {
        fixtures::decide(sim, &arn("user", who), "s3:IamlogicAdministratorProbe", "*").decision
    }

    /// IAM User Guide, "Policy evaluation logic": the decision reads the principal only
    /// through the statements that apply and the keys AWS fills for it, here
    /// `aws:PrincipalTag/team` ("AWS global condition context keys").
    #[test]
    fn principals_alike_but_for_a_tag_no_condition_reads_share_a_class() {
        let sim = load();
        let mut classes = classes_of(&sim);
        let (a1, a2, b1) = (
            classes.key(&arn("user", "a1")),
            classes.key(&arn("user", "a2")),
            classes.key(&arn("user", "b1")),
        );
        assert!(a1.is_some());
        assert_eq!(a1, a2);
        assert_ne!(a1, b1);
        // What the classes stand for: the engine's decisions.
        assert_eq!(probe(&sim, "a1"), Outcome::Allowed);
        assert_eq!(probe(&sim, "a2"), Outcome::Allowed);
        assert_eq!(probe(&sim, "b1"), Outcome::ExplicitDeny);
    }

    #[test]
    fn a_member_is_answered_by_its_class_representative() {
        let sim = load();
        let mut classes = classes_of(&sim);
        let mut reps = HashMap::new();
        assert_eq!(
            representative(&mut classes, &mut reps, &arn("user", "a1"), 1),
            None
        );
        assert_eq!(
            representative(&mut classes, &mut reps, &arn("user", "b1"), 3),
            None
        );
        assert_eq!(
            representative(&mut classes, &mut reps, &arn("user", "a2"), 2),
            Some(1)
        );
    }
}
