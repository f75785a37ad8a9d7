//! Principals decided in equivalence classes, as actions are.
//!
//! Two principals are decided alike for one action on one resource when everything the
//! decision reads of them is the same (IAM User Guide, "Policy evaluation logic": the
//! decision is a function of the statements that apply and of the layers they sit in):
//!
//! - their *profile* ([`profiles`]), built on the decision engine's profile
//!   (`rules::profile::ProfileId`: kind, identity policies unioned over groups, boundary,
//!   session policies, SCP levels, service-linked flag) plus what who-can needs beyond it:
//!   the account (the management-account and cross-account tests, `aws:PrincipalAccount`,
//!   `aws:PrincipalOrgID`, `OrgPaths`, RCPs), the groups (a reason names the group a grant
//!   came through), and a principal's own inline policy by its document and name, so that
//!   users with the same inline document share a profile. Sessions, services, the public and
//!   principals of accounts not loaded are each their own class.
//! - within a profile, what the *principal-specific* parts of the statements that may apply
//!   say of each ([`Test`]): a `Principal`/`NotPrincipal` element that is not `*` (a
//!   principal it names by ARN is a class of its own: the engine grants it differently), a
//!   resource pattern with a policy variable, a condition on a key whose value differs
//!   between principals of one profile (`aws:PrincipalArn`, `aws:username`, `aws:userid`,
//!   `aws:PrincipalTag/*`, ..., see [`specific_key`]) or whose values hold a policy
//!   variable. A principal for which such a condition reads a live key is a class of its
//!   own (its solver witnesses depend on its own values).
//!
//! The class of a principal is computed by one function ([`profiles`]), from the profiles
//! the decision index interned at load.

use std::collections::HashMap;

use facts::policy::{Condition, PrincipalClause, PrincipalEntry, Principals, Statement};
use facts::request::{Context, RequestPrincipal};
use facts::tables::{FactTables, PrincipalKind, Sym};

/// The class of a principal before the statements of a question refine it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClassId {
    /// Principals with this profile.
    Profile(u32),
    /// A principal decided on its own.
    Single(Sym),
}

/// One part of a profile: a policy shared by principals (managed, a group's), or a
/// principal's own inline policy by document and name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Part {
    Shared(u8, u32),
    Own(u8, usize, String),
}

/// Every principal's profile class.
#[derive(Debug, Default)]
pub struct Profiles {
    class_of: super::hash::SymMap<Sym, u32>,
    /// How many profiles.
    pub count: usize,
}

impl Profiles {
    /// The class of principal `p`.
    pub fn class(&self, p: Sym) -> ClassId {
        match self.class_of.get(&p) {
            Some(&c) => ClassId::Profile(c),
            None => ClassId::Single(p),
        }
    }
}

/// The profile classes of the users, roles and root users of loaded accounts (see the
/// module documentation), built on the decision engine's profiles (`rules::profile`: kind,
/// identity policies unioned over groups, boundary, session policies, SCP levels,
/// service-linked flag), so that "same policies" means one thing in both. Who-can adds
/// what it needs beyond a [`rules::profile::ProfileId`]: the account (same-account rules,
/// RCPs, `aws:PrincipalAccount`), the groups (the reason names the group a grant came
/// through), and a principal's own inline policy taken by document and name (users with
/// equal inline documents share a class, where the engine's profile keeps each policy id).
/// `groups` is the tables' per-user group index; `loaded(account entity)` tells whether an
/// account's IAM data is loaded.
pub fn profiles<S: std::hash::BuildHasher>(
    t: &FactTables,
    decisions: &rules::profile::Profiles,
    groups: &HashMap<Sym, Vec<Sym>, S>,
    loaded: &dyn Fn(Sym) -> bool,
) -> Profiles {
    let mut attached: super::hash::SymMap<u32, usize> = Default::default();
    for &(_, p) in t.identity_policies.iter().chain(t.boundaries.iter()) {
        *attached.entry(p).or_default() += 1;
    }
    // Per engine profile: its parts, for the first principal seen with it (principals
    // that share an engine profile share every policy, so their parts are equal).
    let mut parts_of: super::hash::SymMap<rules::profile::ProfileId, std::sync::Arc<Vec<Part>>> =
        Default::default();
    type Key = (Sym, Basis, Vec<Sym>);
    let mut keys: super::hash::SymMap<Key, u32> = Default::default();
    let mut class_of = super::hash::SymMap::default();
    for row in &t.principals {
        if !matches!(
            row.kind,
            PrincipalKind::User | PrincipalKind::Role | PrincipalKind::Root
        ) {
            continue;
        }
        let Some(account) = row.account else { continue };
        if !loaded(account) {
            continue;
        }
        let Some(id) = decisions.class_of(row.id) else {
            continue;
        };
        let Some(profile) = decisions.get(id) else {
            continue;
        };
        let parts = parts_of
            .entry(id)
            .or_insert_with(|| {
                let owner = t.symbols.name(row.arn);
                let own = |layer: u8, pid: u32| -> Part {
                    let Some(prow) = t.policies.get(pid as usize) else {
                        return Part::Shared(layer, pid);
                    };
                    let inline = prow
                        .name
                        .strip_prefix(owner)
                        .and_then(|n| n.strip_prefix('#'));
                    match inline {
                        Some(name) if attached.get(&pid) == Some(&1) => Part::Own(
                            layer,
                            std::sync::Arc::as_ptr(&prow.document) as usize,
                            name.to_string(),
                        ),
                        _ => Part::Shared(layer, pid),
                    }
                };
                let mut parts: Vec<Part> = profile.identity.iter().map(|&p| own(0, p)).collect();
                parts.extend(profile.boundary.iter().map(|&p| own(1, p)));
                parts.sort();
                std::sync::Arc::new(parts)
            })
            .clone();
        // A profile holding an own inline policy is its owner's alone: then the parts
        // (document and name), kind and service-linked flag are the key (SCP levels follow
        // the account; sessions are not classed here).
        let basis = if parts.iter().any(|p| matches!(p, Part::Own(..))) {
            Basis::Own(profile.kind, profile.service_linked, parts)
        } else {
            Basis::Engine(id)
        };
        let mut gs: Vec<Sym> = groups.get(&row.id).cloned().unwrap_or_default();
        gs.sort_unstable();
        let key = (account, basis, gs);
        let next = keys.len() as u32;
        let c = *keys.entry(key).or_insert(next);
        class_of.insert(row.id, c);
    }
    Profiles {
        count: keys.len(),
        class_of,
    }
}

/// What a class key takes from the engine's profile.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Basis {
    /// The engine's profile as it is.
    Engine(rules::profile::ProfileId),
    /// A profile with an own inline policy: kind, service-linked flag, parts.
    Own(PrincipalKind, bool, std::sync::Arc<Vec<Part>>),
}

/// Whether the value of condition key `key` (any case) may differ between two principals
/// of one profile: the principal keys AWS fills per principal (IAM User Guide, "AWS global
/// condition context keys"), except those fixed by account and kind (`aws:PrincipalAccount`,
/// `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`, `aws:PrincipalType`,
/// `aws:PrincipalIsAWSService`).
pub fn specific_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    if k == "aws:username" || k == "aws:userid" {
        return true;
    }
    k.starts_with("aws:principal")
        && !matches!(
            k.as_str(),
            "aws:principalaccount"
                | "aws:principalorgid"
                | "aws:principalorgpaths"
                | "aws:principaltype"
                | "aws:principalisawsservice"
        )
}

/// Whether condition `c` may hold for one principal of a profile and not for another.
pub fn specific_condition(c: &Condition, variables: bool) -> bool {
    specific_key(&c.key) || (variables && c.values.iter().any(|v| v.contains("${")))
}

/// The principal-specific parts of one statement.
#[derive(Debug)]
pub struct Test<'p> {
    /// The statement.
    pub statement: &'p Statement,
    /// Whether its policy substitutes variables.
    pub variables: bool,
    /// Its principal element must be matched per principal.
    pub principal: bool,
    /// Its resource element holds a policy variable.
    pub resource: bool,
    /// Its principal-specific conditions.
    pub conditions: Vec<&'p Condition>,
}

/// The test of statement `st`, if it has principal-specific parts.
pub fn test_of(st: &Statement, variables: bool) -> Option<Test<'_>> {
    let principal = match &st.principal {
        None | Some(PrincipalClause::Principal(Principals::Any)) => false,
        Some(PrincipalClause::Principal(Principals::Specific(es))) => !es
            .iter()
            .all(|e| matches!(e, PrincipalEntry::Aws(v) if v == "*")),
        Some(PrincipalClause::NotPrincipal(_)) => true,
    };
    let resource = variables
        && st.resource.as_ref().is_some_and(|rc| {
            let ps = match rc {
                facts::policy::ResourceClause::Resource(ps)
                | facts::policy::ResourceClause::NotResource(ps) => ps,
            };
            ps.iter().any(|p| p.0.contains("${"))
        });
    let conditions: Vec<&Condition> = st
        .conditions
        .iter()
        .filter(|c| specific_condition(c, variables))
        .collect();
    (principal || resource || !conditions.is_empty()).then_some(Test {
        statement: st,
        variables,
        principal,
        resource,
        conditions,
    })
}

/// The context [`outcome`] reads a principal's keys from: given, or built on first need.
pub enum ContextOf<'a> {
    /// Already built.
    Given(&'a Context),
    /// Built by this function when a test needs it.
    Build(&'a mut dyn FnMut() -> Context),
}

/// What the tests say of one principal: `None` when it must be decided on its own, else a
/// vector that is equal for two principals of a profile exactly when every test says the
/// same of both. `caller` is the principal as the matcher sees it, `arn` its entity's ARN;
/// `context` gives its filled context (user keys over the keys AWS fills) when a test needs
/// it; `live(c, ctx)` whether condition `c` reads a key only a live request carries.
pub fn outcome(
    tests: &[Test<'_>],
    caller: &RequestPrincipal,
    arn: &str,
    resource: &str,
    mut context: ContextOf<'_>,
    live: &dyn Fn(&Condition, bool, &Context) -> bool,
) -> Option<Vec<bool>> {
    let mut out = Vec::with_capacity(tests.len() * 2);
    let mut built: Option<Context> = None;
    for t in tests {
        if t.principal {
            let clause = t.statement.principal.as_ref()?;
            let es = match clause {
                PrincipalClause::Principal(Principals::Specific(es))
                | PrincipalClause::NotPrincipal(Principals::Specific(es)) => es.as_slice(),
                _ => &[],
            };
            // Named by its own ARN (or by a service, federated or canonical entry): the
            // engine grants such a principal differently; decided on its own.
            if es.iter().any(|e| match e {
                PrincipalEntry::Aws(v) => v == arn,
                _ => true,
            }) {
                return None;
            }
            out.push(facts::eval::principal_clause_matches(clause, caller));
        }
        if t.resource || !t.conditions.is_empty() {
            let c: &Context = match &mut context {
                ContextOf::Given(c) => c,
                ContextOf::Build(f) => built.get_or_insert_with(f),
            };
            if t.resource {
                out.push(t.statement.resource.as_ref().is_none_or(|rc| {
                    facts::eval::resource_clause_matches(rc, resource, c, t.variables)
                }));
            }
            for cond in &t.conditions {
                if live(cond, t.variables, c) {
                    return None;
                }
                out.push(facts::condition::eval::condition_holds(
                    cond,
                    c,
                    t.variables,
                ));
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principal_keys_fixed_by_account_and_kind_are_not_specific() {
        assert!(specific_key("aws:PrincipalArn"));
        assert!(specific_key("aws:PrincipalTag/team"));
        assert!(specific_key("aws:username"));
        assert!(specific_key("aws:userid"));
        assert!(!specific_key("aws:PrincipalOrgID"));
        assert!(!specific_key("aws:PrincipalAccount"));
        assert!(!specific_key("aws:SourceIp"));
        assert!(!specific_key("aws:ResourceTag/team"));
    }
}
