//! The callers escalation considers (IAM users and roles of the data) with the identity
//! `Allow` statements that could grant them an action: a *sound pre-filter* only — a
//! request is generated when some statement could allow it, and the decision engine then
//! decides it. Nothing here decides access.

use std::collections::HashMap;

use facts::account::{Model, Role, User};
use facts::eval::action_matches;
use facts::policy::{Effect, Policy, ResourceClause, Statement};
use facts::request::Context;

/// A user or a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// An IAM user.
    User,
    /// An IAM role.
    Role,
}

/// A caller with its identity `Allow` statements (own, groups', attached).
#[derive(Debug)]
pub(crate) struct Caller<'m> {
    pub arn: &'m str,
    pub account: &'m str,
    pub kind: Kind,
    pub has_boundary: bool,
    allows: Vec<(&'m Policy, &'m Statement)>,
}

impl<'m> Caller<'m> {
    fn collect(
        model: &'m Model,
        inline: impl Iterator<Item = &'m Policy>,
        attached: impl Iterator<Item = &'m str>,
    ) -> Vec<(&'m Policy, &'m Statement)> {
        let mut docs: Vec<&'m Policy> = inline.collect();
        docs.extend(
            attached
                .filter_map(|arn| model.policies.get(arn))
                .map(|p| &*p.document),
        );
        docs.iter()
            .flat_map(|d| d.statements.iter().map(move |s| (*d, s)))
            .filter(|(_, s)| s.effect == Effect::Allow && s.principal.is_none())
            .collect()
    }

    fn of_user(model: &'m Model, u: &'m User) -> Caller<'m> {
        let groups: Vec<_> = u
            .groups
            .iter()
            .filter_map(|g| model.groups.get(g))
            .collect();
        let inline = u
            .inline_policies
            .iter()
            .chain(groups.iter().flat_map(|g| g.inline_policies.iter()))
            .map(|p| &*p.document);
        let attached = u
            .attached_policies
            .iter()
            .chain(groups.iter().flat_map(|g| g.attached_policies.iter()))
            .map(|a| a.arn.as_str());
        Caller {
            arn: &u.arn,
            account: u.account.as_str(),
            kind: Kind::User,
            has_boundary: u.permissions_boundary.is_some(),
            allows: Caller::collect(model, inline, attached),
        }
    }

    fn of_role(model: &'m Model, r: &'m Role) -> Caller<'m> {
        Caller {
            arn: &r.arn,
            account: r.account.as_str(),
            kind: Kind::Role,
            has_boundary: r.permissions_boundary.is_some(),
            allows: Caller::collect(
                model,
                r.inline_policies.iter().map(|p| &*p.document),
                r.attached_policies.iter().map(|a| a.arn.as_str()),
            ),
        }
    }

    /// Whether some `Allow` statement names `action` (before resources and conditions).
    pub fn may_act(&self, action: &str) -> bool {
        self.allows
            .iter()
            .any(|(_, s)| action_matches(&s.action, action))
    }

    /// Whether some `Allow` statement could allow `action` on `resource` (conditions are
    /// left to the engine; a pattern with a policy variable counts as matching).
    pub fn may_allow(&self, action: &str, resource: &str) -> bool {
        self.allows
            .iter()
            .any(|(p, s)| action_matches(&s.action, action) && resource_may_match(p, s, resource))
    }

    /// The resource patterns of the `Allow` statements that name `action`.
    pub fn patterns(&self, action: &str) -> Vec<&'m str> {
        let mut out = Vec::new();
        for (_, s) in &self.allows {
            if !action_matches(&s.action, action) {
                continue;
            }
            if let Some(ResourceClause::Resource(ps)) = &s.resource {
                out.extend(ps.iter().map(|p| p.0.as_str()));
            }
        }
        out
    }
}

fn resource_may_match(p: &Policy, s: &Statement, resource: &str) -> bool {
    match &s.resource {
        None => true,
        Some(clause) => {
            let vars = p.version.supports_variables();
            let has_var = |ps: &[facts::policy::ResourcePattern]| {
                vars && ps.iter().any(|x| x.0.contains("${"))
            };
            match clause {
                ResourceClause::Resource(ps) | ResourceClause::NotResource(ps) if has_var(ps) => {
                    true
                }
                _ => facts::eval::resource_clause_matches(clause, resource, &Context::new(), vars),
            }
        }
    }
}

/// Every user and role of the model, by ARN, in model order.
pub(crate) fn callers(model: &Model) -> Vec<Caller<'_>> {
    let mut out: Vec<Caller<'_>> = model
        .users
        .values()
        .map(|u| Caller::of_user(model, u))
        .collect();
    out.extend(model.roles.values().map(|r| Caller::of_role(model, r)));
    out
}

/// Index of callers by ARN.
pub(crate) fn index<'m>(callers: &[Caller<'m>]) -> HashMap<&'m str, usize> {
    callers
        .iter()
        .enumerate()
        .map(|(i, c)| (c.arn, i))
        .collect()
}
