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
}

/// The key of one target (see the module documentation); `None`: a class of its own.
pub(crate) type Key = Option<(Vec<bool>, Option<ResourceKind>, String, Option<String>)>;

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
        };
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
        let ctx = facts::request::Context::new();
        let mut bits = Vec::new();
        for (doc, s) in stmts {
            if !facts::eval::action_matches(&s.action, action) {
                continue;
            }
            let vars = doc.version.supports_variables();
            let reads = !s.conditions.is_empty()
                || s.principal.is_some()
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
        let account = target.split(':').nth(4).unwrap_or("").to_string();
        let rule = facts::aws_rules::rule_for(action, target).map(|r| format!("{r:?}"));
        Some((bits, resource.map(|r| r.kind), account, rule))
    }
}
