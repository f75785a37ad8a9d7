//! Targets of one caller's action grouped into classes the decision engine cannot tell
//! apart, so that each class is decided once (a caller allowed `iam:*` would otherwise be
//! decided on every role and user of its account, one by one).
//!
//! The engine reads the target of a request only through: the resource patterns of the
//! statements that can apply (the caller's identity policies and its groups', its
//! boundary, the SCPs of its account), the context keys filled from the resource (only
//! statements with a condition or a policy variable read them), the resource's own
//! policies, the RCPs of its account, its kind and account, and the AWS rule that decides
//! it outside every policy. Two targets get the same key only when every statement whose
//! action element matches the action has no condition and no policy variable, matches both
//! targets' ARNs alike, and nothing else differs: no resource policy (nor S3 Block Public
//! Access restriction), no RCP applies to the action, it assumes no role, and the resource
//! kind, account and AWS rule are the same. Any other target is a class of its own.

use std::collections::HashMap;

use facts::policy::{Policy, Statement};
use facts::tables::{FactTables, PolicyId, ResourceKind, Sym};

/// The statements of each principal of the tables, for the class keys.
pub(crate) struct Statements<'t> {
    t: &'t FactTables,
    identity: HashMap<Sym, Vec<PolicyId>>,
    boundary: HashMap<Sym, Vec<PolicyId>>,
    groups: HashMap<Sym, Vec<Sym>>,
    scp_levels: HashMap<Sym, Vec<Sym>>,
    scp: HashMap<Sym, Vec<PolicyId>>,
    /// Resources with a resource policy or a public policy S3 restricts.
    own_policy: std::collections::HashSet<Sym>,
    /// The statements of every RCP of the data (a superset of those that apply to one
    /// account: more statements only split classes further).
    rcps: Vec<(&'t Policy, &'t Statement)>,
    /// Each role's trust policy.
    trust: HashMap<Sym, PolicyId>,
    /// Each resource's resource policies.
    resource_policies: HashMap<Sym, Vec<PolicyId>>,
}

/// The key of one target (see the module documentation); `None`: a class of its own.
pub(crate) type Key = Option<KeyOf>;

/// A class key: per statement whether it matches the target, the target's resource kind,
/// account and AWS rule.
pub(crate) type KeyOf = (Vec<bool>, Option<ResourceKind>, String, Option<String>);

impl<'t> Statements<'t> {
    /// Group the tables' attachments by holder.
    pub fn new(t: &'t FactTables) -> Statements<'t> {
        let mut s = Statements {
            t,
            identity: HashMap::new(),
            boundary: HashMap::new(),
            groups: HashMap::new(),
            scp_levels: HashMap::new(),
            scp: HashMap::new(),
            own_policy: t
                .resource_policies
                .iter()
                .chain(&t.s3_restricted_policies)
                .map(|&(x, _)| x)
                .collect(),
            rcps: Vec::new(),
            trust: t.trust_policies.iter().copied().collect(),
            resource_policies: HashMap::new(),
        };
        for &(x, p) in &t.resource_policies {
            s.resource_policies.entry(x).or_default().push(p);
        }
        let mut rcp_ids: Vec<PolicyId> = t.rcp_attachments.iter().map(|&(_, p)| p).collect();
        rcp_ids.sort_unstable();
        rcp_ids.dedup();
        for p in rcp_ids {
            if let Some(row) = t.policies.get(p as usize) {
                let doc: &'t Policy = &row.document;
                s.rcps.extend(doc.statements.iter().map(|st| (doc, st)));
            }
        }
        for &(h, p) in &t.identity_policies {
            s.identity.entry(h).or_default().push(p);
        }
        for &(h, p) in &t.boundaries {
            s.boundary.entry(h).or_default().push(p);
        }
        for &(u, g) in &t.member_of {
            s.groups.entry(u).or_default().push(g);
        }
        for l in &t.scp_levels {
            s.scp_levels.entry(l.account).or_default().push(l.node);
        }
        for &(n, p) in &t.scp_attachments {
            s.scp.entry(n).or_default().push(p);
        }
        s
    }

    /// The statements of every RCP of the data (a superset of those that apply to one
    /// account).
    pub fn rcps(&self) -> &[(&'t Policy, &'t Statement)] {
        &self.rcps
    }

    /// The groups of each user.
    pub fn groups(&self) -> &HashMap<Sym, Vec<Sym>> {
        &self.groups
    }

    /// The entity of principal `arn`, if the tables have it.
    pub fn principal(&self, arn: &str) -> Option<Sym> {
        self.t.principal_by_arn(arn).map(|r| r.id)
    }

    /// Every statement that can apply to a request of the principal `arn` (a superset:
    /// its identity policies and its groups', its boundary, the SCPs of its account).
    pub fn of_principal(&self, arn: &str) -> Option<Vec<(&'t Policy, &'t Statement)>> {
        let row = self.t.principal_by_arn(arn)?;
        let p = row.id;
        let empty = Vec::new();
        let groups = self.groups.get(&p).unwrap_or(&empty);
        let mut pols: Vec<PolicyId> = Vec::new();
        for h in std::iter::once(&p).chain(groups) {
            pols.extend(self.identity.get(h).into_iter().flatten());
        }
        pols.extend(self.boundary.get(&p).into_iter().flatten());
        for n in row
            .account
            .and_then(|a| self.scp_levels.get(&a))
            .into_iter()
            .flatten()
        {
            pols.extend(self.scp.get(n).into_iter().flatten());
        }
        pols.sort_unstable();
        pols.dedup();
        let mut out = Vec::new();
        for pol in pols {
            if let Some(row) = self.t.policies.get(pol as usize) {
                let doc: &'t Policy = &row.document;
                out.extend(doc.statements.iter().map(|s| (doc, s)));
            }
        }
        Some(out)
    }

    /// The statements of the policies of resource `arn` (its resource policies, or a role's
    /// trust policy) and of every RCP of the data: with [`Statements::of_principal`], every
    /// statement that can apply to a request on it, but for VPC endpoint and session
    /// policies ([`Statements::has_endpoint_or_session_policies`]).
    pub fn of_resource(&self, arn: &str) -> Vec<(&'t Policy, &'t Statement)> {
        let mut out = self.rcps.clone();
        let Some(x) = self.t.resource_for(arn).map(|r| r.id) else {
            return out;
        };
        let ids = self
            .resource_policies
            .get(&x)
            .into_iter()
            .flatten()
            .chain(self.trust.get(&x));
        for &pol in ids {
            if let Some(row) = self.t.policies.get(pol as usize) {
                let doc: &'t Policy = &row.document;
                out.extend(doc.statements.iter().map(|s| (doc, s)));
            }
        }
        out
    }

    /// Whether the data has VPC endpoint or session policies (which
    /// [`Statements::of_principal`] and [`Statements::of_resource`] leave out).
    pub fn has_endpoint_or_session_policies(&self) -> bool {
        !self.t.vpc_endpoint_policies.is_empty()
            || !self.t.session_policies.is_empty()
            || !self.t.session_of.is_empty()
    }

    /// The class key of `target` for `action` by a caller with statements `stmts`
    /// ([`Statements::of_principal`]).
    pub fn key(&self, stmts: &[(&Policy, &Statement)], action: &str, target: &str) -> Key {
        let lower = action.to_ascii_lowercase();
        if lower.starts_with("sts:assumerole") || rules::escalation::rcp_applies(action) {
            return None;
        }
        let resource = self.t.resource_for(target);
        if resource.is_some_and(|r| self.own_policy.contains(&r.id)) {
            return None;
        }
        let bits = bits(stmts, action, target, false)?;
        let account = target.split(':').nth(4).unwrap_or("").to_string();
        let rule = facts::aws_rules::rule_for(action, target).map(|r| format!("{r:?}"));
        Some((bits, resource.map(|r| r.kind), account, rule))
    }

    /// The class key of role `role` for `sts:AssumeRole` by a caller with statements
    /// `stmts`, when the role's trust policy is one the caller wrote (the same document for
    /// every role of the class, [`super::hypothetical::retrust`]): as [`Statements::key`],
    /// the trust policy standing for the resource policy, and the RCPs' statements (every
    /// one that matches the action matching the roles alike, none with a condition, a
    /// variable or a principal other than `*`) added. The caller must add what the trust
    /// policies name.
    pub fn rewritten_trust_key(&self, stmts: &[(&Policy, &Statement)], role: &str) -> Key {
        self.assume_key(stmts, role)
    }

    /// The class key of role `role` for `sts:AssumeRole` by a caller with statements
    /// `stmts`, under the role's own trust policy: [`Statements::rewritten_trust_key`] and
    /// the trust policy's document (roles whose trust policies are one document share a
    /// decision, but for the policy's name in its evidence: [`rename_trust`]). `None` (a
    /// class of its own) when a trust statement has a condition on a key AWS fills from the
    /// resource (`aws:ResourceTag/*`, `aws:ResourceAccount`...) or a policy variable in its
    /// values, or the role has no trust policy.
    pub fn trust_key(&self, stmts: &[(&Policy, &Statement)], role: &str) -> Option<(Key, usize)> {
        let row = self.t.resource_for(role)?;
        let doc = &self
            .t
            .policies
            .get(*self.trust.get(&row.id)? as usize)?
            .document;
        let reads_resource = doc.statements.iter().any(|s| {
            s.conditions.iter().any(|c| {
                let k = c.key.to_ascii_lowercase();
                k.starts_with("aws:resource")
                    || k.starts_with("iam:resource")
                    || c.values.iter().any(|v| v.contains("${"))
            })
        });
        if reads_resource {
            return None;
        }
        let key = self.assume_key(stmts, role)?;
        Some((Some(key), std::sync::Arc::as_ptr(doc) as usize))
    }

    fn assume_key(&self, stmts: &[(&Policy, &Statement)], role: &str) -> Option<KeyOf> {
        const ACTION: &str = "sts:AssumeRole";
        let resource = self.t.resource_for(role);
        if resource.is_some_and(|r| self.own_policy.contains(&r.id)) {
            return None;
        }
        let mut b = bits(stmts, ACTION, role, false)?;
        if rules::escalation::rcp_applies(ACTION) {
            b.extend(bits(&self.rcps, ACTION, role, true)?);
        }
        let account = role.split(':').nth(4).unwrap_or("").to_string();
        let rule = facts::aws_rules::rule_for(ACTION, role).map(|r| format!("{r:?}"));
        Some((b, resource.map(|r| r.kind), account, rule))
    }
}

/// The statements of a decision shared by role `from` with role `to` (same trust document,
/// [`Statements::trust_key`]), as `to`'s: `from`'s trust policy renamed to `to`'s.
pub(crate) fn rename_trust(matched: &mut [crate::simulate::MatchedOut], from: &str, to: &str) {
    if from == to {
        return;
    }
    for m in matched {
        if m.policy.strip_suffix("#trust") == Some(from) {
            m.policy = format!("{to}#trust").into();
        }
    }
}

/// Per statement of `stmts` whose action element matches `action`: whether its resource
/// element matches `target`; `None` when one of them reads more of the request than the
/// target's ARN (a condition, a policy variable, a principal element other than `*` when
/// `any_principal`, any principal element otherwise).
fn bits(
    stmts: &[(&Policy, &Statement)],
    action: &str,
    target: &str,
    any_principal: bool,
) -> Option<Vec<bool>> {
    let ctx = facts::request::Context::new();
    let mut bits = Vec::new();
    for (doc, s) in stmts {
        if !facts::eval::action_matches(&s.action, action) {
            continue;
        }
        let vars = doc.version.supports_variables();
        let principal = match &s.principal {
            None => false,
            Some(p) => !(any_principal && everyone(p)),
        };
        let reads = !s.conditions.is_empty()
            || principal
            || s.resource.as_ref().is_some_and(|r| {
                let (facts::policy::ResourceClause::Resource(ps)
                | facts::policy::ResourceClause::NotResource(ps)) = r;
                vars && ps.iter().any(|p| p.0.contains("${"))
            });
        if reads {
            return None;
        }
        bits.push(match &s.resource {
            None => true,
            Some(c) => facts::eval::resource_clause_matches(c, target, &ctx, vars),
        });
    }
    Some(bits)
}

/// Whether some statement of `stmts` whose action element matches `action` has a condition
/// that may read a key the request does not fix: a key neither in `fixed` nor, when
/// `loaded` (the caller's account is in the data), of a family the data fixes for every
/// principal and resource (`aws:PrincipalArn`, `aws:PrincipalTag/*`, `aws:ResourceTag/*`...,
/// [`crate::who_can::atoms::is_known`]), on its own key or as a policy variable in its
/// values (in a policy that substitutes them). `false` means no key only a live request
/// carries can change the statements' answer: who-can's atoms are the conditions on keys
/// neither given nor filled from the data ([`crate::who_can::atoms::is_atom`]), and there
/// is none.
pub(crate) fn reads_unfixed_keys(
    stmts: &[(&Policy, &Statement)],
    action: &str,
    fixed: &facts::request::Context,
    loaded: bool,
) -> bool {
    let none = facts::request::Context::new();
    let known = |key: &str| {
        fixed.get(key).is_some() || (loaded && crate::who_can::atoms::is_known(key, &none, &none))
    };
    stmts.iter().any(|(doc, s)| {
        !s.conditions.is_empty()
            && facts::eval::action_matches(&s.action, action)
            && s.conditions.iter().any(|c| {
                !known(&c.key)
                    || (doc.version.supports_variables()
                        && c.values
                            .iter()
                            .any(|v| facts::variables::variable_keys(v).iter().any(|k| !known(k))))
            })
    })
}

/// Whether a principal element is `"*"` (or `{"AWS": "*"}`): it matches every caller alike.
fn everyone(p: &facts::policy::PrincipalClause) -> bool {
    use facts::policy::{PrincipalClause, PrincipalEntry, Principals};
    match p {
        PrincipalClause::Principal(Principals::Any) => true,
        PrincipalClause::Principal(Principals::Specific(es)) => es
            .iter()
            .all(|e| matches!(e, PrincipalEntry::Aws(v) if v == "*")),
        PrincipalClause::NotPrincipal(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{self, arn, ACCT};
    use super::*;
    use crate::simulate::{AccountSimulator, Outcome};
    use serde_json::json;

    fn role(name: &str) -> serde_json::Value {
        json!({"RoleName": name, "RoleId": format!("AROA{name}"), "Arn": arn("role", name),
               "Path": "/", "RolePolicyList": [], "AttachedManagedPolicies": [],
               "InstanceProfileList": [],
               "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                   {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCT}:root")},
                    "Action": "sts:AssumeRole"}]}})
    }

    /// User `ops` may put policies on `app-*` roles only, attach policies only from one
    /// network, and is denied nothing; roles `app-1`, `app-2`, `db-1`.
    fn load() -> AccountSimulator {
        let user = json!({"UserName": "ops", "UserId": "AIDAOPS", "Arn": arn("user", "ops"),
            "Path": "/", "GroupList": [], "AttachedManagedPolicies": [],
            "UserPolicyList": [{"PolicyName": "ops", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "iam:PutRolePolicy", "Resource": arn("role", "app-*")},
                {"Effect": "Allow", "Action": "iam:AttachRolePolicy", "Resource": "*",
                 "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}}]});
        let gaad = json!({"UserDetailList": [user], "GroupDetailList": [],
            "RoleDetailList": [role("app-1"), role("app-2"), role("db-1")], "Policies": []});
        fixtures::load(gaad)
    }

    fn decide(sim: &AccountSimulator, action: &str, resource: &str) -> Outcome {
        fixtures::decide(sim, &arn("user", "ops"), action, resource).decision
    }

    #[test]
    fn targets_matched_alike_share_a_class_and_get_the_same_decision() {
        let sim = load();
        let classes = Statements::new(sim.tables());
        let stmts = classes
            .of_principal(&arn("user", "ops"))
            .expect("ops is a principal");
        let put = "iam:PutRolePolicy";
        let (a1, a2, db) = (
            arn("role", "app-1"),
            arn("role", "app-2"),
            arn("role", "db-1"),
        );
        let k1 = classes.key(&stmts, put, &a1);
        assert!(k1.is_some());
        assert_eq!(k1, classes.key(&stmts, put, &a2));
        assert_ne!(k1, classes.key(&stmts, put, &db));
        // What the classes stand for: the engine's decisions.
        assert_eq!(decide(&sim, put, &a1), Outcome::Allowed);
        assert_eq!(decide(&sim, put, &a2), Outcome::Allowed);
        assert_eq!(decide(&sim, put, &db), Outcome::ImplicitDeny);
    }

    /// IAM User Guide, "IAM roles" and "Policy evaluation logic": `sts:AssumeRole` is
    /// decided by the caller's identity policies and the role's trust policy; roles whose
    /// trust policies are one document get the same decision, each naming its own trust
    /// policy.
    #[test]
    fn roles_with_one_trust_document_share_an_assumption_and_its_renamed_evidence() {
        let sim = load();
        let classes = Statements::new(sim.tables());
        let stmts = classes
            .of_principal(&arn("user", "ops"))
            .expect("ops is a principal");
        let (a1, db) = (arn("role", "app-1"), arn("role", "db-1"));
        let k = classes.trust_key(&stmts, &a1);
        assert!(k.is_some());
        assert_eq!(k, classes.trust_key(&stmts, &db));
        let assume =
            |role: &str| fixtures::decide(&sim, &arn("user", "ops"), "sts:AssumeRole", role);
        let (r1, r2) = (assume(&a1), assume(&db));
        assert_eq!(r1.decision, Outcome::Allowed);
        assert_eq!(r1.decision, r2.decision);
        assert!(r2
            .matched
            .iter()
            .any(|m| *m.policy == *format!("{db}#trust")));
        let mut shared = r1.matched.clone();
        rename_trust(&mut shared, &a1, &db);
        assert_eq!(shared, r2.matched);
    }

    /// "AWS global condition context keys": a condition on a key the request fixes, or on
    /// one the data fills for every principal of a loaded account (`aws:PrincipalTag/*`),
    /// reads no key only a live request carries; one on `aws:SourceIp` may. Where the
    /// pre-filter says no, who-can's screen says no too.
    #[test]
    fn only_conditions_on_keys_the_request_does_not_fix_may_read_live_keys() {
        use crate::who_can::{Analyzer, Cell, Prepared};
        use facts::request::{Context, ContextValue};
        let sim = load();
        let classes = Statements::new(sim.tables());
        let ops = arn("user", "ops");
        let stmts = classes.of_principal(&ops).expect("ops is a principal");
        let none = Context::new();
        let (attach, put) = ("iam:AttachRolePolicy", "iam:PutRolePolicy");
        assert!(reads_unfixed_keys(&stmts, attach, &none, true));
        assert!(!reads_unfixed_keys(&stmts, put, &none, true));
        let mut ip = Context::new();
        ip.insert("aws:SourceIp", ContextValue::Single("10.1.2.3".into()));
        assert!(!reads_unfixed_keys(&stmts, attach, &ip, true));
        let prepared = Prepared::new(&sim);
        let analyzer = Analyzer::new(&prepared, &sim);
        let principal = analyzer.tables().principal_by_arn(&ops).expect("ops").id;
        let cell = |action: &str| Cell {
            principal,
            action: action.to_string(),
            resource: arn("role", "app-1"),
        };
        assert_eq!(
            analyzer.reads_live_keys(&[cell(attach), cell(put)], &none),
            vec![true, false]
        );
        let doc = facts::parse::parse_policy(
            r#"{"Version":"2012-10-17","Statement":[
                {"Effect":"Allow","Action":"iam:PassRole","Resource":"*",
                 "Condition":{"StringEquals":{"aws:PrincipalTag/team":"a"}}},
                {"Effect":"Allow","Action":"iam:GetRole","Resource":"*",
                 "Condition":{"StringEquals":{"aws:RequestedRegion":"${aws:SourceIp}"}}}]}"#,
        )
        .expect("a policy");
        let tagged: Vec<_> = doc.statements.iter().map(|s| (&doc, s)).collect();
        assert!(!reads_unfixed_keys(&tagged, "iam:PassRole", &none, true));
        assert!(reads_unfixed_keys(&tagged, "iam:PassRole", &none, false));
        let mut region = Context::new();
        region.insert(
            "aws:RequestedRegion",
            ContextValue::Single("us-east-1".into()),
        );
        assert!(reads_unfixed_keys(&tagged, "iam:GetRole", &region, true));
    }

    #[test]
    fn a_condition_or_a_role_assumption_makes_a_class_of_its_own() {
        let sim = load();
        let classes = Statements::new(sim.tables());
        let stmts = classes
            .of_principal(&arn("user", "ops"))
            .expect("ops is a principal");
        let a1 = arn("role", "app-1");
        assert_eq!(classes.key(&stmts, "iam:AttachRolePolicy", &a1), None);
        assert_eq!(classes.key(&stmts, "sts:AssumeRole", &a1), None);
    }
}
