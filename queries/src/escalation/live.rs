//! Requests decided over the keys only a live request carries (`aws:SourceIp`,
//! `aws:MultiFactorAuthPresent`, `aws:RequestTag/*`...), with who-can's exact machinery
//! ([`crate::who_can::Analyzer`]): a request is `allowed` when every value of those keys
//! allows it, `conditional` (with the deciding condition) when only some do. The techniques'
//! permissions, the administrator probes (of principals and of each account's root user)
//! and the decisions on changed copies of the model (a policy granted, a boundary removed,
//! a group joined, a trust policy rewritten) are all decided this way, each over the model
//! it is asked of.
//!
//! A condition the caller controls does not make a step conditional: the caller sets the
//! keys that describe its own request — the tags it sends (`aws:RequestTag/*`,
//! `aws:TagKeys`), its user agent and referer, the region it calls and TLS ("AWS global
//! condition context keys", properties of the request). The keys a technique itself sets
//! (`iam:PassedToService`, `iam:PolicyARN`, `iam:PermissionsBoundary`) and the base keys of
//! [`super::plan::base_context`] are fixed in the request, never live. Every other key
//! (the network it calls from, MFA, the VPC endpoint, a service calling on its behalf,
//! service-specific request keys) is one the attacker may not control: a permission that
//! needs it is `conditional`.

use super::FastMap as HashMap;
use super::FastSet;

use facts::policy::Effect;
use facts::request::Context;

use super::target_class::{reads_unfixed_keys, Statements};
use crate::simulate::{AccountSimulator, MatchedOut};
use crate::who_can::{Access, Analyzer, Cell, CellAnswer, Conditions, Decide, Prepared, Stats};

/// One permission decided over the live keys.
#[derive(Debug, Clone)]
pub(crate) struct LiveAnswer {
    /// `None`: allowed for every value of the live keys (or for values the caller sets);
    /// `Some`: allowed only under this condition.
    pub condition: Option<String>,
    /// The keys the caller sets to be allowed (`aws:RequestTag/team = dev`), when that is
    /// what allows it.
    pub chosen: Vec<String>,
    /// The statements that allow it (grants, then guardrails).
    pub allowed_by: Vec<MatchedOut>,
}

/// Whether the caller itself sets `key` (lowercase) in its request.
fn caller_sets(key: &str) -> bool {
    key.starts_with("aws:requesttag/")
        || matches!(
            key,
            "aws:tagkeys"
                | "aws:useragent"
                | "aws:referer"
                | "aws:requestedregion"
                | "aws:securetransport"
                | "iam:passedtoservice"
                | "iam:policyarn"
                | "iam:permissionsboundary"
        )
}

/// The term of `c` whose literals are all on keys the caller sets, if any: the caller makes
/// its request satisfy it, so the permission is allowed.
fn chosen_term(c: &Conditions) -> Option<Vec<String>> {
    c.any_of
        .iter()
        .find(|t| {
            t.iter()
                .all(|l| caller_sets(&l.atom.key.to_ascii_lowercase()))
        })
        .map(|t| {
            t.iter()
                .map(|l| {
                    if l.holds {
                        l.atom.text.clone()
                    } else {
                        format!("not {}", l.atom.text)
                    }
                })
                .collect()
        })
}

/// The statements of who-can's reason, as simulate prints them.
fn allowed_by(a: &CellAnswer) -> Vec<MatchedOut> {
    a.reason
        .allowed_by
        .iter()
        .chain(&a.reason.guardrails)
        .map(|r| MatchedOut {
            policy: r.policy.as_str().into(),
            layer: r.layer,
            statement: r.statement,
            sid: r.sid.as_deref().map(Into::into),
            effect: Effect::Allow,
        })
        .collect()
}

/// The fixed context of a group of requests, as `(key, values)` pairs.
type FixedKeys = Vec<(String, String)>;

/// One request to decide over its live keys: caller ARN, action, resource, the context the
/// technique fixes.
pub(crate) struct Ask<'a> {
    pub principal: &'a str,
    pub action: &'a str,
    pub resource: &'a str,
    pub context: &'a Context,
}

/// Who-can's tables of one simulator's data ([`Prepared`]), built when first needed; a
/// [`Live`] borrows them.
#[derive(Default)]
pub(crate) struct Tables {
    prepared: std::cell::OnceCell<Prepared>,
}

/// Decides requests over their live keys on one simulator's data (the loaded model, or a
/// hypothetical copy of it). Who-can's tables and analyzer are built at the first request
/// that may read a live key, once, and only then: a batch the pre-filter clears costs no
/// more than the pre-filter; later batches (the probes, then the techniques' permissions)
/// share them.
pub(crate) struct Live<'s> {
    sim: &'s AccountSimulator,
    tables: &'s Tables,
    analyzer: std::cell::OnceCell<Analyzer<'s>>,
    /// The pre-filter's statement index of `sim`'s tables, built once.
    statements: std::cell::OnceCell<Statements<'s>>,
}

impl<'s> Live<'s> {
    /// A decider over `sim`'s data, with its who-can tables kept in `tables`.
    pub fn new(sim: &'s AccountSimulator, tables: &'s Tables) -> Live<'s> {
        Live {
            sim,
            tables,
            analyzer: std::cell::OnceCell::new(),
            statements: std::cell::OnceCell::new(),
        }
    }

    /// Decide `asks` over their live keys. Answers in order: `None` when the request reads
    /// no live key (one decision with them absent, simulate's, is its whole answer) or is
    /// never allowed. Requests are grouped by their fixed context; only those whose
    /// applicable statements read a live key are decided by the solver and the engine.
    pub fn decide(&self, asks: &[Ask<'_>]) -> Vec<Option<LiveAnswer>> {
        let sim = self.sim;
        let mut out: Vec<Option<LiveAnswer>> = vec![None; asks.len()];
        if asks.is_empty() {
            return out;
        }
        // Group by fixed context (a handful: the base, per service passed to, per key set).
        let mut groups: HashMap<FixedKeys, Vec<usize>> = HashMap::default();
        for (i, a) in asks.iter().enumerate() {
            let key: Vec<(String, String)> = a
                .context
                .iter()
                .map(|(k, v)| (k.to_string(), v.values().join(",")))
                .collect();
            groups.entry(key).or_default().push(i);
        }
        let mut groups: Vec<(FixedKeys, Vec<usize>)> = groups.into_iter().collect();
        groups.sort();
        // A sound pre-filter before who-can's screen: a request none of whose statements
        // that can apply has a condition on a key its context does not fix reads no live key.
        let statements = self
            .statements
            .get_or_init(|| Statements::new(sim.tables()));
        let screen_all = statements.has_endpoint_or_session_policies();
        type Stmts<'t> = Vec<(&'t facts::policy::Policy, &'t facts::policy::Statement)>;
        let mut of_principal: HashMap<&str, Option<Stmts<'_>>> = HashMap::default();
        let mut of_resource: HashMap<&str, Stmts<'_>> = HashMap::default();
        // Whether the caller's account is in the data (who-can knows the keys it fills then).
        let accounts: FastSet<&str> = sim.model().accounts.iter().map(|a| a.as_str()).collect();
        let loaded = |arn: &str| arn.split(':').nth(4).is_some_and(|a| accounts.contains(a));
        let mut screened: Vec<Vec<usize>> = Vec::new();
        for (_, idx) in &groups {
            let user = asks[idx[0]].context;
            let mut caller_reads: HashMap<(&str, &str), bool> = HashMap::default();
            let mut resource_reads: HashMap<(&str, &str), bool> = HashMap::default();
            let mut at = Vec::new();
            for &i in idx {
                let a = &asks[i];
                let may_read = screen_all
                    || *caller_reads
                        .entry((a.principal, a.action))
                        .or_insert_with(|| {
                            of_principal
                                .entry(a.principal)
                                .or_insert_with(|| statements.of_principal(a.principal))
                                .as_deref()
                                .is_none_or(|st| {
                                    reads_unfixed_keys(st, a.action, user, loaded(a.principal))
                                })
                        })
                    || *resource_reads
                        .entry((a.resource, a.action))
                        .or_insert_with(|| {
                            let st = of_resource
                                .entry(a.resource)
                                .or_insert_with(|| statements.of_resource(a.resource));
                            reads_unfixed_keys(st, a.action, user, loaded(a.principal))
                        });
                if may_read {
                    at.push(i);
                }
            }
            screened.push(at);
        }
        if screened.iter().all(Vec::is_empty) {
            return out;
        }
        let tables: &'s Tables = self.tables;
        let analyzer = self
            .analyzer
            .get_or_init(|| Analyzer::new(tables.prepared.get_or_init(|| Prepared::new(sim)), sim));
        for ((_, idx), at) in groups.iter().zip(screened) {
            let user = asks[idx[0]].context;
            let (cells, at): (Vec<Cell>, Vec<usize>) = at
                .into_iter()
                .filter_map(|i| {
                    let a = &asks[i];
                    let p = analyzer.tables().principal_by_arn(a.principal)?;
                    Some((
                        Cell {
                            principal: p.id,
                            action: a.action.to_string(),
                            resource: a.resource.to_string(),
                        },
                        i,
                    ))
                })
                .unzip();
            let live = analyzer.reads_live_keys(&cells, user);
            let (cells, at): (Vec<Cell>, Vec<usize>) = cells
                .into_iter()
                .zip(at)
                .zip(live)
                .filter(|(_, l)| *l)
                .map(|(c, _)| c)
                .unzip();
            if cells.is_empty() {
                continue;
            }
            let mut stats = Stats::default();
            let answers = analyzer.decide(&cells, &mut Decide::new(user, false, &mut stats));
            for (i, ans) in at.into_iter().zip(answers) {
                let Some(ans) = ans else { continue };
                let (condition, chosen) = match (&ans.access, &ans.conditions) {
                    (Access::Conditional, Some(c)) => match chosen_term(c) {
                        Some(t) => (None, t),
                        None => (Some(c.text.clone()), Vec::new()),
                    },
                    _ => (None, Vec::new()),
                };
                out[i] = Some(LiveAnswer {
                    condition,
                    chosen,
                    allowed_by: allowed_by(&ans),
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::who_can::{ConditionAtom, ConditionLiteral};

    fn lit(key: &str, holds: bool) -> ConditionLiteral {
        ConditionLiteral {
            atom: ConditionAtom {
                operator: "StringEquals".into(),
                key: key.into(),
                values: vec!["v".into()],
                text: format!("{key} = v"),
            },
            holds,
        }
    }

    #[test]
    fn a_term_of_keys_the_caller_sets_is_chosen_others_are_not() {
        let c = Conditions {
            text: String::new(),
            any_of: vec![
                vec![lit("aws:SourceIp", true)],
                vec![lit("aws:RequestTag/team", true), lit("aws:TagKeys", false)],
            ],
        };
        assert_eq!(
            chosen_term(&c),
            Some(vec![
                "aws:RequestTag/team = v".to_string(),
                "not aws:TagKeys = v".to_string()
            ])
        );
        let c = Conditions {
            text: String::new(),
            any_of: vec![vec![
                lit("aws:MultiFactorAuthPresent", true),
                lit("aws:RequestTag/team", true),
            ]],
        };
        assert_eq!(chosen_term(&c), None);
    }
}
