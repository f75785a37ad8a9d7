//! `what-can`: a principal's effective permissions after boundaries, SCPs, RCPs and denies,
//! as concrete catalogue actions with the resources each applies to and its conditions;
//! optionally what it reaches through the roles it can assume.
//!
//! The actions and resources to decide come from the policies: every catalogue action an
//! `Allow` statement of the principal's identity policies matches, on each resource pattern
//! of that statement (decided as a resource of that literal name, e.g. `arn:aws:s3:::b/*`),
//! and every action a resource policy grants the principal on its resource. Each is decided
//! exactly by the who-can [`Analyzer`] (allowed, conditional with its condition, or left
//! out). With `--resource`, every action that applies to that resource is decided instead.

use std::collections::HashSet;

use facts::catalogue::Catalogue;
use facts::policy::{ActionClause, Effect, ResourceClause};
use facts::request::Context;
use facts::tables::{PolicyId, Sym};

use crate::who_can::actions::{asked, level_rank, object_patterns};
use crate::who_can::chains::ASSUME_ROLE;
use crate::who_can::{
    Access, ActionAnswer, Analyzer, Cell, CellAnswer, Decide, Hop, Stats, WhoCanError,
};

/// What to ask.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// The principal's ARN (a user, role or account root of the data).
    pub principal: String,
    /// Only actions of this service prefix (`s3`).
    pub service: Option<String>,
    /// Only this resource (every action that applies to it).
    pub resource: Option<String>,
    /// Keys the user fixes (`--context`).
    pub context: Context,
    /// Treat keys nobody gives as absent.
    pub strict: bool,
    /// Also what the roles it can assume can do, up to this many hops (0: none).
    pub chain_depth: usize,
}

/// The effective permissions of a principal.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WhatCanResult {
    /// The principal asked about.
    pub principal: String,
    /// Every allowed or conditional action on each resource, by service, access level and
    /// name; `via` holds the role chain for actions reached through roles.
    pub actions: Vec<ActionAnswer>,
    /// Work counts.
    pub stats: Stats,
}

/// The cells of one principal: (action, resource) pairs its policies could allow.
fn cells_of(a: &Analyzer<'_>, p: Sym, q: &Query) -> Vec<Cell> {
    let t = a.tables();
    let cat = Catalogue::get();
    let mut out: Vec<(String, String)> = Vec::new();
    let service_ok = |name: &str| {
        q.service.as_deref().is_none_or(|s| {
            name.split(':')
                .next()
                .is_some_and(|x| x.eq_ignore_ascii_case(s))
        })
    };
    if let Some(r) = &q.resource {
        let objects = object_patterns(t, r);
        for x in asked(&[], r, &objects) {
            if service_ok(&x.action) {
                out.push((x.action, x.resource));
            }
        }
    } else {
        // Identity-side Allow statements: their actions on their resource patterns.
        let mut holders = vec![p];
        holders.extend(t.member_of.iter().filter(|m| m.0 == p).map(|m| m.1));
        holders.extend(t.session_of.iter().filter(|s| s.0 == p).map(|s| s.1));
        let pols: Vec<PolicyId> = t
            .identity_policies
            .iter()
            .filter(|(h, _)| holders.contains(h))
            .map(|&(_, pol)| pol)
            .collect();
        let root = t
            .principal(p)
            .is_some_and(|r| r.kind == facts::tables::PrincipalKind::Root);
        let mut stmts: Vec<(Vec<String>, bool, Vec<String>)> = Vec::new();
        for pol in pols {
            let Some(row) = t.policies.get(pol as usize) else {
                continue;
            };
            for st in row
                .document
                .statements
                .iter()
                .filter(|s| s.effect == Effect::Allow)
            {
                let (pats, negated) = match &st.action {
                    ActionClause::Action(ps) => (ps.iter().map(|p| p.0.clone()).collect(), false),
                    ActionClause::NotAction(ps) => (ps.iter().map(|p| p.0.clone()).collect(), true),
                };
                let resources = match &st.resource {
                    Some(ResourceClause::Resource(ps)) => ps.iter().map(|p| p.0.clone()).collect(),
                    _ => vec!["*".to_string()],
                };
                stmts.push((pats, negated, resources));
            }
        }
        if root {
            stmts.push((vec!["*".to_string()], false, vec!["*".to_string()]));
        }
        for (pats, negated, resources) in stmts {
            let actions: Vec<String> = if negated {
                cat.actions()
                    .filter(|x| {
                        let n = x.full_name();
                        !pats
                            .iter()
                            .any(|p| facts::wildcard::glob_match(p, &n, true))
                    })
                    .map(|x| x.full_name())
                    .collect()
            } else {
                pats.iter()
                    .flat_map(|p| cat.expand(p).map(|x| x.full_name()).collect::<Vec<_>>())
                    .collect()
            };
            for action in actions.into_iter().filter(|x| service_ok(x)) {
                let Some(info) = cat.action(&action) else {
                    continue;
                };
                for r in &resources {
                    if let Some(r) = decided_on(&info, r) {
                        out.push((action.clone(), r));
                    }
                }
            }
        }
        // Resource policies that grant the principal (directly, its account, or everyone).
        let caller = a.request_principal(p);
        for &(x, pol) in &t.resource_policies {
            let Some(row) = t.policies.get(pol as usize) else {
                continue;
            };
            let arn = t
                .resource(x)
                .map(|r| t.symbols.name(r.arn).to_string())
                .unwrap_or_default();
            for st in row
                .document
                .statements
                .iter()
                .filter(|s| s.effect == Effect::Allow)
            {
                let named = st
                    .principal
                    .as_ref()
                    .is_some_and(|pc| facts::eval::principal_clause_matches(pc, &caller));
                if !named {
                    continue;
                }
                let ActionClause::Action(ps) = &st.action else {
                    continue;
                };
                let resources: Vec<String> = match &st.resource {
                    Some(ResourceClause::Resource(rs)) => rs.iter().map(|r| r.0.clone()).collect(),
                    _ => vec![arn.clone()],
                };
                for p in ps {
                    for info in cat.expand(&p.0) {
                        let n = info.full_name();
                        if !service_ok(&n) {
                            continue;
                        }
                        for r in &resources {
                            let r = if r == "*" { arn.clone() } else { r.clone() };
                            // On a bucket's policy, `*` and the bucket ARN reach its
                            // objects too (as who-can decides them: `bucket/*`).
                            let r = crate::who_can::actions::resource_for(&info, &r)
                                .or_else(|| decided_on(&info, &r));
                            out.extend(r.map(|r| (n.clone(), r)));
                        }
                    }
                }
            }
        }
    }
    let mut seen = HashSet::new();
    out.into_iter()
        .filter(|c| seen.insert(c.clone()))
        .map(|(action, resource)| Cell {
            principal: p,
            action,
            resource,
        })
        .collect()
}

/// The resource an action is decided on for a policy's resource pattern, or `None` when the
/// pattern names no resource the action acts on (Service Authorization Reference: each
/// action's resource types; [`facts::catalogue::Action::acts_on`]): `s3:ListBucket` is not
/// listed on `bucket/*`, nor `s3:GetObject` on the bucket ARN. A pattern whose literal name
/// is of another type of the service but ends in a wildcard may still cover resources of
/// the action's types below it (`arn:aws:s3:::b-*` covers the objects `b-x/key`): it is
/// decided on `pattern/*`. A pattern no type of the service matches literally
/// (`arn:aws:iam::111111111111:*`) is kept when it may name a resource of the action.
fn decided_on(info: &facts::catalogue::Action<'_>, pattern: &str) -> Option<String> {
    if info.acts_on(pattern) {
        return Some(pattern.to_string());
    }
    if info.service().resource_types_of(pattern).is_empty() {
        return info.accepts_resource(pattern).then(|| pattern.to_string());
    }
    if pattern.ends_with('*') {
        let below = format!("{pattern}/*");
        if info.acts_on(&below) {
            return Some(below);
        }
    }
    None
}

fn answer(
    a: &Analyzer<'_>,
    cell: &Cell,
    ans: CellAnswer,
    hops: &[(Sym, Sym, CellAnswer)],
) -> ActionAnswer {
    let cat = Catalogue::get();
    let level = cat
        .action(&cell.action)
        .map(|x| x.access_level().name().to_string())
        .unwrap_or_default();
    let mut via: Vec<Hop> = hops
        .iter()
        .map(|(f, to, h)| Hop {
            from: a.arn(*f).to_string(),
            action: ASSUME_ROLE.to_string(),
            to: a.arn(*to).to_string(),
            decision: h.access,
            conditions: h.conditions.clone(),
            reason: h.reason.clone(),
        })
        .collect();
    via.push(Hop {
        from: a.arn(cell.principal).to_string(),
        action: cell.action.clone(),
        to: cell.resource.clone(),
        decision: ans.access,
        conditions: ans.conditions.clone(),
        reason: ans.reason.clone(),
    });
    let decision = if via.iter().all(|h| h.decision == Access::Allowed) {
        Access::Allowed
    } else {
        Access::Conditional
    };
    ActionAnswer {
        action: cell.action.clone(),
        access_level: level,
        resource: cell.resource.clone(),
        decision,
        conditions: ans.conditions.clone(),
        witnesses: if hops.is_empty() { ans.witnesses } else { None },
        via,
        notes: ans.notes,
    }
}

/// The effective permissions of `q.principal`.
pub fn what_can(a: &Analyzer<'_>, q: &Query) -> Result<WhatCanResult, WhoCanError> {
    let t = a.tables();
    let p = t
        .principal_by_arn(&q.principal)
        .map(|r| r.id)
        .ok_or_else(|| {
            WhoCanError::Invalid(format!(
                "--principal `{}` is not a user, role or account root of the loaded data",
                q.principal
            ))
        })?;
    let mut stats = Stats::default();
    let cells = cells_of(a, p, q);
    let answers = a.decide(&cells, &mut Decide::new(&q.context, q.strict, &mut stats));
    let mut actions: Vec<ActionAnswer> = Vec::new();
    for (cell, ans) in cells.iter().zip(answers) {
        if let Some(ans) = ans {
            actions.push(answer(a, cell, ans, &[]));
        }
    }
    if q.chain_depth > 0 {
        let reach =
            crate::paths::reachable_roles(a, p, &q.context, q.strict, q.chain_depth, &mut stats);
        let have: HashSet<(String, String)> = actions
            .iter()
            .map(|x| (x.action.clone(), x.resource.clone()))
            .collect();
        for (role, hops) in reach {
            let cells = cells_of(a, role, q);
            let answers = a.decide(&cells, &mut Decide::new(&q.context, q.strict, &mut stats));
            for (cell, ans) in cells.iter().zip(answers) {
                let Some(ans) = ans else { continue };
                if have.contains(&(cell.action.clone(), cell.resource.clone())) {
                    continue;
                }
                actions.push(answer(a, cell, ans, &hops));
            }
        }
    }
    actions.sort_by(|x, y| {
        let lvl = |s: &str| {
            Catalogue::get()
                .action(s)
                .map(|a| level_rank(a.access_level()))
                .unwrap_or(9)
        };
        let svc = |s: &str| s.split(':').next().unwrap_or("").to_string();
        (
            svc(&x.action),
            lvl(&x.action),
            &x.action,
            &x.resource,
            x.via.len(),
        )
            .cmp(&(
                svc(&y.action),
                lvl(&y.action),
                &y.action,
                &y.resource,
                y.via.len(),
            ))
    });
    Ok(WhatCanResult {
        principal: q.principal.clone(),
        actions,
        stats,
    })
}
