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
    /// The context keys AWS fills for the caller itself (`aws:username`,
    /// `aws:PrincipalTag/*`...), when a resource pattern of its statements has a policy
    /// variable; empty otherwise.
    own_keys: Context,
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
            own_keys: Context::new(),
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
            own_keys: Context::new(),
        }
    }

    /// Its `Allow` statements' identities (addresses: a document shared by callers is one
    /// value): callers with equal signatures have the same [`Caller::may_act`] answers.
    pub fn signature(&self) -> Vec<usize> {
        self.allows
            .iter()
            .map(|(_, s)| *s as *const Statement as usize)
            .collect()
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
        self.allows.iter().any(|(p, s)| {
            action_matches(&s.action, action) && resource_may_match(p, s, resource, &self.own_keys)
        })
    }

    /// The `Allow` statements whose action element names `action`, for
    /// [`Caller::may_allow_among`] over many resources.
    pub fn statements_for(&self, action: &str) -> Vec<(&'m Policy, &'m Statement)> {
        self.allows
            .iter()
            .filter(|(_, s)| action_matches(&s.action, action))
            .copied()
            .collect()
    }

    /// [`Caller::may_allow`] for the action whose statements `among` are
    /// ([`Caller::statements_for`]).
    pub fn may_allow_among(&self, among: &[(&Policy, &Statement)], resource: &str) -> bool {
        among
            .iter()
            .any(|(p, s)| resource_may_match(p, s, resource, &self.own_keys))
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

/// Whether statement `s` of `p` could match `resource`, conditions left to the engine. A
/// pattern with a policy variable is matched with the caller's own keys (`own`) when every
/// variable it reads is one of them (AWS fills those from the caller alone, as the engine
/// does), and otherwise counts as matching.
fn resource_may_match(p: &Policy, s: &Statement, resource: &str, own: &Context) -> bool {
    match &s.resource {
        None => true,
        Some(clause) => {
            let vars = p.version.supports_variables();
            let (ResourceClause::Resource(ps) | ResourceClause::NotResource(ps)) = clause;
            let with_vars = vars && ps.iter().any(|x| x.0.contains("${"));
            if !with_vars {
                return facts::eval::resource_clause_matches(
                    clause,
                    resource,
                    &Context::new(),
                    vars,
                );
            }
            let known = ps.iter().all(|x| {
                facts::variables::variable_keys(&x.0)
                    .iter()
                    .all(|k| principal_key(k) && own.get(k).is_some())
            });
            !known || facts::eval::resource_clause_matches(clause, resource, own, vars)
        }
    }
}

/// Whether `key` describes the caller alone ("AWS global condition context keys",
/// properties of the principal): no request the engine decides gives it otherwise.
fn principal_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.starts_with("aws:principal") || k == "aws:username" || k == "aws:userid"
}

/// Whether some statement of `allows` has a resource pattern with a policy variable.
pub(crate) fn has_variables(allows: &[(&Policy, &Statement)]) -> bool {
    allows.iter().any(|(p, s)| {
        p.version.supports_variables()
            && s.resource.as_ref().is_some_and(|c| {
                let (ResourceClause::Resource(ps) | ResourceClause::NotResource(ps)) = c;
                ps.iter().any(|x| x.0.contains("${"))
            })
    })
}

/// The keys AWS fills for caller `arn` alone (no resource), as the engine fills them.
fn own_keys(model: &Model, roles: &facts::account::context::RoleNames, arn: &str) -> Context {
    let mut req = facts::request::Request {
        principal: facts::request::RequestPrincipal::Aws {
            arn: arn.to_string(),
        },
        action: String::new(),
        resource: String::new(),
        context: Context::new(),
    };
    facts::account::context::fill_with(model, Some(roles), &mut req);
    req.context
}

/// Every user and role of the model, by ARN, in model order.
pub(crate) fn callers(model: &Model) -> Vec<Caller<'_>> {
    let mut out: Vec<Caller<'_>> = model
        .users
        .values()
        .map(|u| Caller::of_user(model, u))
        .collect();
    out.extend(model.roles.values().map(|r| Caller::of_role(model, r)));
    let mut roles = None;
    for c in out.iter_mut().filter(|c| has_variables(&c.allows)) {
        let roles = roles.get_or_insert_with(|| facts::account::context::RoleNames::new(model));
        c.own_keys = own_keys(model, roles, c.arn);
    }
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
