//! Principals decided in equivalence classes, as actions are.
//!
//! Two principals are decided alike for one action on one resource when everything the
//! decision reads of them is the same (IAM User Guide, "Policy evaluation logic": the
//! decision is a function of the statements that apply and of the layers they sit in):
//!
//! - their *profile* ([`profiles`]): account (so the SCP levels, the management-account and
//!   cross-account tests, `aws:PrincipalAccount`, `aws:PrincipalOrgID` and `OrgPaths`), kind
//!   (`aws:PrincipalType`, the root user's rules), service-linked or not, the groups they
//!   belong to, their identity and boundary policies (a principal's own inline policy counts
//!   by its document and name, so that users with the same inline document share a
//!   profile). Sessions, services, the public and principals of accounts not loaded are each
//!   their own class.
//! - within a profile, what the *principal-specific* parts of the statements that may apply
//!   say of each ([`Test`]): a `Principal`/`NotPrincipal` element that is not `*` (a
//!   principal it names by ARN is a class of its own: the engine grants it differently), a
//!   resource pattern with a policy variable, a condition on a key whose value differs
//!   between principals of one profile (`aws:PrincipalArn`, `aws:username`, `aws:userid`,
//!   `aws:PrincipalTag/*`, ..., see [`specific_key`]) or whose values hold a policy
//!   variable. A principal for which such a condition reads a live key is a class of its
//!   own (its solver witnesses depend on its own values).
//!
//! The class of a principal is computed by one function ([`profiles`]) so that another
//! grouping (a profile interned at load) can replace it.

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
    Group(Sym),
    Shared(u8, u32),
    Own(u8, usize, String),
}

/// Every principal's profile class.
#[derive(Debug, Default)]
pub struct Profiles {
    class_of: HashMap<Sym, u32>,
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
/// module documentation). `groups`, `identity`, `boundary`, `session` are the tables'
/// per-entity indices; `loaded(account entity)` tells whether an account's IAM data is
/// loaded.
pub fn profiles(
    t: &FactTables,
    groups: &HashMap<Sym, Vec<Sym>>,
    identity: &HashMap<Sym, Vec<u32>>,
    boundary: &HashMap<Sym, Vec<u32>>,
    session: &HashMap<Sym, Vec<u32>>,
    loaded: &dyn Fn(Sym) -> bool,
) -> Profiles {
    let service_linked: std::collections::HashSet<Sym> =
        t.service_linked_roles.iter().copied().collect();
    let mut attached: HashMap<u32, usize> = HashMap::new();
    for &(_, p) in t.identity_policies.iter().chain(t.boundaries.iter()) {
        *attached.entry(p).or_default() += 1;
    }
    type Key = (Sym, u8, bool, Vec<Part>);
    let mut keys: HashMap<Key, u32> = HashMap::new();
    let mut class_of = HashMap::new();
    for row in &t.principals {
        let kind = match row.kind {
            PrincipalKind::User => 0u8,
            PrincipalKind::Role => 1,
            PrincipalKind::Root => 2,
            _ => continue,
        };
        let Some(account) = row.account else { continue };
        if !loaded(account) || session.contains_key(&row.id) {
            continue;
        }
        let owner = t.symbols.name(row.arn);
        let mut parts: Vec<Part> = Vec::new();
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
        for &pid in identity.get(&row.id).into_iter().flatten() {
            parts.push(own(0, pid));
        }
        for &pid in boundary.get(&row.id).into_iter().flatten() {
            parts.push(own(1, pid));
        }
        parts.extend(
            groups
                .get(&row.id)
                .into_iter()
                .flatten()
                .map(|&g| Part::Group(g)),
        );
        parts.sort();
        let key = (account, kind, service_linked.contains(&row.id), parts);
        let next = keys.len() as u32;
        let c = *keys.entry(key).or_insert(next);
        class_of.insert(row.id, c);
    }
    Profiles {
        count: keys.len(),
        class_of,
    }
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
    context: &mut dyn FnMut() -> Context,
    live: &dyn Fn(&Condition, bool, &Context) -> bool,
) -> Option<Vec<bool>> {
    let mut out = Vec::with_capacity(tests.len() * 2);
    let mut ctx: Option<Context> = None;
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
            let c = ctx.get_or_insert_with(&mut *context);
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
