//! One hop of a role chain decided as AWS decides it: `sts:AssumeRole` (the role's trust
//! policy and the caller's side), plus the permissions AWS requires when the hop passes
//! session tags or a source identity, and the session state a chain carries to its next hop.
//!
//! - **Session tags** (IAM User Guide, "Pass session tags in AWS STS", section "Permissions
//!   required to add session tags"): a caller that passes session tags must be allowed
//!   `sts:TagSession`, by the role's trust policy and by its own identity side. A trust
//!   policy that allows `sts:AssumeRole` only with `aws:RequestTag/*` or `aws:TagKeys`
//!   conditions that need a tag present makes the hop need `sts:TagSession` too: the terms of
//!   its condition that need tags are kept only where `sts:TagSession` is allowed (and under
//!   its conditions).
//! - **Source identity** (IAM User Guide, "Monitor and control actions taken with assumed
//!   roles", section "Permissions required to set source identity"): a caller that sets a
//!   source identity must be allowed `sts:SetSourceIdentity` by the trust policy and its
//!   identity side. A condition needing `sts:SourceIdentity` present makes the hop need it.
//!   Once set, the source identity persists across role chaining and cannot be changed: a
//!   later hop's request carries it (`sts:SourceIdentity`, `aws:SourceIdentity`), and AWS
//!   again requires `sts:SetSourceIdentity` for it.
//! - **Carried state** (["Chaining roles with session tags"]): the tags a hop must pass become
//!   the new session's tags, seen by the next hop as `aws:PrincipalTag/*` (session tags
//!   override the role's tags of the same key); passed as transitive (`TransitiveTagKeys`,
//!   which the caller chooses) they persist to every later session of the chain. A [`Carry`]
//!   holds the tags and source identity a hop's condition fixes (a `StringEquals` of one
//!   value that every term needs), and later hops are decided with them in the context.
//! - **Session duration**: role chaining limits the session to one hour (IAM User Guide, "IAM
//!   roles", role chaining). That limits how long, not what: it is no deny, and not modelled.
//!
//! ["Chaining roles with session tags"]: crate::assume_hop

use std::collections::BTreeMap;

use facts::request::{Context, ContextValue};
use facts::tables::Sym;

use crate::trust_index::is_session_key;
use crate::who_can::engine::Decide;
use crate::who_can::exact::{condition_sentence, Literal};
use crate::who_can::{Access, Analyzer, Cell, CellAnswer, ConditionLiteral, Conditions, Stats};

/// The action of a hop.
pub const ASSUME_ROLE: &str = "sts:AssumeRole";
/// The permission to pass session tags.
pub const TAG_SESSION: &str = "sts:TagSession";
/// The permission to set (or carry) a source identity.
pub const SET_SOURCE_IDENTITY: &str = "sts:SetSourceIdentity";

/// Session state a chain carries from one hop to the next: the session tags a hop had to
/// pass, and the source identity once set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Carry {
    /// Session tag key (as written in the condition) → value.
    pub tags: BTreeMap<String, String>,
    /// The source identity, once set.
    pub source_identity: Option<String>,
    /// Whether the caller may pass session tags of its own choice, keys and values: a hop
    /// whose trust policy and the caller's identity side allow `sts:TagSession` without
    /// fixing the tags (IAM User Guide, "Pass session tags in AWS STS"). Passed as
    /// transitive tags (`TransitiveTagKeys`, which the caller chooses), they persist to
    /// every later session of the chain ("Chaining roles with session tags"), so their
    /// `aws:PrincipalTag/*` values are the caller's choice: unknown, as a live key is.
    pub free_tags: bool,
}

impl Carry {
    /// Whether nothing is carried.
    pub fn is_empty(&self) -> bool {
        self.tags.is_empty() && self.source_identity.is_none() && !self.free_tags
    }

    /// The context a hop made by a session with this state is decided in: `user`'s keys,
    /// with the session's tags as `aws:PrincipalTag/*` and its source identity as
    /// `sts:SourceIdentity` and `aws:SourceIdentity` (they override the data's values).
    pub fn context(&self, user: &Context) -> Context {
        let mut c = user.clone();
        for (k, v) in &self.tags {
            c.insert(
                &format!("aws:PrincipalTag/{k}"),
                ContextValue::Single(v.clone()),
            );
        }
        if let Some(s) = &self.source_identity {
            c.insert("sts:SourceIdentity", ContextValue::Single(s.clone()));
            c.insert("aws:SourceIdentity", ContextValue::Single(s.clone()));
        }
        if self.free_tags {
            c.insert(
                crate::who_can::atoms::FREE_TAGS_MARK,
                ContextValue::Single("true".to_string()),
            );
        }
        c
    }

    /// Words for the state, for a hop's notes.
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = self
            .tags
            .iter()
            .map(|(k, v)| format!("session tag {k}={v}"))
            .collect();
        if let Some(s) = &self.source_identity {
            parts.push(format!("source identity {s}"));
        }
        if self.free_tags {
            parts.push("session tags of the caller's choice".to_string());
        }
        parts.join(", ")
    }
}

/// A hop to decide: `caller`, with the session state `carry`, assumes `role`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HopAsk {
    /// Who assumes.
    pub caller: Sym,
    /// The role.
    pub role: Sym,
    /// The caller's session state.
    pub carry: Carry,
}

/// An allowed hop: its decision, and the session state of the new session.
#[derive(Debug, Clone)]
pub struct HopAnswer {
    /// The decision of `sts:AssumeRole` with the permissions it needs.
    pub answer: CellAnswer,
    /// What the new session carries on.
    pub carry: Carry,
}

/// What a term of a hop's condition needs besides `sts:AssumeRole`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Needs {
    tags: bool,
    source_identity: bool,
}

/// Whether a literal can only hold with its key present in the request: decided by the
/// one condition matcher on a request without the key (`facts::condition::eval`).
fn needs_present(l: &ConditionLiteral) -> bool {
    let Some(operator) = facts::condition::ConditionOperator::parse(&l.atom.operator) else {
        return true;
    };
    let c = facts::policy::Condition {
        operator,
        key: l.atom.key.clone(),
        values: l.atom.values.clone(),
    };
    facts::condition::eval::condition_holds(&c, &Context::new(), true) != l.holds
}

fn term_needs(term: &[ConditionLiteral]) -> Needs {
    let mut n = Needs {
        tags: false,
        source_identity: false,
    };
    for l in term {
        let key = l.atom.key.to_ascii_lowercase();
        if !is_session_key(&key) || !needs_present(l) {
            continue;
        }
        if key == "sts:sourceidentity" {
            n.source_identity = true;
        } else {
            n.tags = true;
        }
    }
    n
}

/// The one value a term fixes for `key` (`StringEquals key = value`, holding), if any.
fn fixed_value<'t>(term: &'t [ConditionLiteral], key: &str) -> Option<&'t str> {
    term.iter().find_map(|l| {
        (l.holds
            && l.atom.key.eq_ignore_ascii_case(key)
            && l.atom.operator == "StringEquals"
            && l.atom.values.len() == 1)
            .then(|| l.atom.values[0].as_str())
    })
}

/// The session state every term of `terms` fixes, on top of `carry`.
fn carried(carry: &Carry, terms: &[Vec<ConditionLiteral>]) -> Carry {
    let mut out = carry.clone();
    let Some(first) = terms.first() else {
        return out;
    };
    for l in first {
        let key = &l.atom.key;
        let lower = key.to_ascii_lowercase();
        let Some(v) = fixed_value(first, key) else {
            continue;
        };
        if !terms.iter().all(|t| fixed_value(t, key) == Some(v)) {
            continue;
        }
        if let Some(tag) = lower
            .strip_prefix("aws:requesttag/")
            .map(|_| &key["aws:RequestTag/".len()..])
        {
            out.tags.insert(tag.to_string(), v.to_string());
        } else if lower == "sts:sourceidentity" && out.source_identity.is_none() {
            // Set once; it cannot be changed later in the chain.
            out.source_identity = Some(v.to_string());
        }
    }
    out
}

/// The terms of an answer: one empty term for an unconditional allow.
fn terms_of(a: &CellAnswer) -> Vec<Vec<ConditionLiteral>> {
    match (&a.access, &a.conditions) {
        (Access::Conditional, Some(c)) => c.any_of.clone(),
        _ => vec![Vec::new()],
    }
}

/// `terms` each joined with every term of `extra` (both must hold).
fn product(
    terms: Vec<Vec<ConditionLiteral>>,
    extra: &[Vec<ConditionLiteral>],
) -> Vec<Vec<ConditionLiteral>> {
    let mut out = Vec::new();
    for t in terms {
        for e in extra {
            let mut x = t.clone();
            for l in e {
                if !x.contains(l) {
                    x.push(l.clone());
                }
            }
            out.push(x);
        }
    }
    out
}

/// The condition of `terms` in words, as who-can writes conditions.
fn conditions_of(terms: &[Vec<ConditionLiteral>]) -> Conditions {
    let mut atoms: Vec<&ConditionLiteral> = Vec::new();
    let lits: Vec<Vec<Literal>> = terms
        .iter()
        .map(|t| {
            t.iter()
                .map(|l| {
                    let i = match atoms.iter().position(|a| a.atom == l.atom) {
                        Some(i) => i,
                        None => {
                            atoms.push(l);
                            atoms.len() - 1
                        }
                    };
                    Literal {
                        atom: i,
                        holds: l.holds,
                    }
                })
                .collect()
        })
        .collect();
    Conditions {
        text: condition_sentence(&lits, &|i| atoms[i].atom.text.clone()),
        any_of: terms.to_vec(),
    }
}

/// Add `extra`'s reason to `to`'s (the statements that allowed the extra permission).
fn add_reason(to: &mut CellAnswer, extra: &CellAnswer) {
    for s in &extra.reason.allowed_by {
        if !to.reason.allowed_by.contains(s) {
            to.reason.allowed_by.push(s.clone());
        }
    }
    for s in &extra.reason.guardrails {
        if !to.reason.guardrails.contains(s) {
            to.reason.guardrails.push(s.clone());
        }
    }
}

/// Decide `asks`, in order (`None`: the hop is never allowed). Hops of one session state
/// are decided in one engine run each.
pub fn decide_hops(
    a: &Analyzer<'_>,
    asks: &[HopAsk],
    user: &Context,
    strict: bool,
    stats: &mut Stats,
) -> Vec<Option<HopAnswer>> {
    let mut out: Vec<Option<HopAnswer>> = vec![None; asks.len()];
    let mut groups: BTreeMap<&Carry, Vec<usize>> = BTreeMap::new();
    for (i, h) in asks.iter().enumerate() {
        groups.entry(&h.carry).or_default().push(i);
    }
    for (carry, idx) in groups {
        let ctx = carry.context(user);
        let cell = |i: usize, action: &str| Cell {
            principal: asks[i].caller,
            action: action.to_string(),
            resource: a.arn(asks[i].role).to_string(),
        };
        let cells: Vec<Cell> = idx.iter().map(|&i| cell(i, ASSUME_ROLE)).collect();
        let answers = a.decide(&cells, &mut Decide::new(&ctx, strict, stats));
        // The extra permissions the allowed hops need.
        let mut extra_cells = Vec::new();
        let mut extra_of: Vec<(Option<usize>, Option<usize>)> = Vec::new();
        for (&i, ans) in idx.iter().zip(&answers) {
            let Some(ans) = ans else {
                extra_of.push((None, None));
                continue;
            };
            let needs: Vec<Needs> = terms_of(ans).iter().map(|t| term_needs(t)).collect();
            let mut slot = |need: bool, action: &str| {
                need.then(|| {
                    extra_cells.push(cell(i, action));
                    extra_cells.len() - 1
                })
            };
            // A trust policy that allows sts:TagSession lets the caller pass tags of its
            // choice when its own side allows it too (IAM User Guide, "Pass session tags in
            // AWS STS", "Permissions required to add session tags"), needed or not.
            let may_tag = needs.iter().any(|n| n.tags)
                || (!carry.free_tags && a.trust_allows(asks[i].role, TAG_SESSION));
            let ts = slot(may_tag, TAG_SESSION);
            let si = slot(
                carry.source_identity.is_some() || needs.iter().any(|n| n.source_identity),
                SET_SOURCE_IDENTITY,
            );
            extra_of.push((ts, si));
        }
        let extra = if extra_cells.is_empty() {
            Vec::new()
        } else {
            a.decide(&extra_cells, &mut Decide::new(&ctx, strict, stats))
        };
        for ((&i, ans), (ts, si)) in idx.iter().zip(answers).zip(extra_of) {
            let Some(mut ans) = ans else { continue };
            // A hop shows its decision, condition and reason; its witnesses are never shown
            // (the chain's answer has none), so they are not kept.
            ans.witnesses = None;
            let mut changed = false;
            let mut terms = Vec::new();
            for t in terms_of(&ans) {
                let n = term_needs(&t);
                let mut kept = vec![t];
                for (need, slot, action) in [
                    (n.tags, ts, TAG_SESSION),
                    (
                        n.source_identity || carry.source_identity.is_some(),
                        si,
                        SET_SOURCE_IDENTITY,
                    ),
                ] {
                    if !need {
                        continue;
                    }
                    match slot.and_then(|s| extra[s].as_ref()) {
                        None => {
                            kept.clear();
                            ans.notes.push(format!(
                                "{action} is not allowed, which this hop needs: {}",
                                if action == TAG_SESSION {
                                    "its trust policy requires session tags (IAM User \
                                     Guide, \"Pass session tags in AWS STS\")"
                                } else {
                                    "it requires or carries a source identity (IAM User \
                                     Guide, \"Monitor and control actions taken with \
                                     assumed roles\")"
                                }
                            ));
                        }
                        Some(x) => {
                            if x.access == Access::Conditional {
                                kept = product(kept, &terms_of(x));
                            }
                            add_reason(&mut ans, x);
                        }
                    }
                    changed = true;
                }
                terms.extend(kept);
            }
            if terms.is_empty() {
                continue;
            }
            if changed {
                if terms.iter().any(|t| t.is_empty()) {
                    ans.access = Access::Allowed;
                    ans.conditions = None;
                } else {
                    ans.access = Access::Conditional;
                    ans.conditions = Some(conditions_of(&terms));
                }
            }
            let mut next = carried(carry, &terms);
            // Tags of the caller's choice: sts:TagSession allowed with no condition on which
            // tags ([`is_session_key`]) in some term.
            if let Some(x) = ts.and_then(|s| extra[s].as_ref()) {
                if terms_of(x)
                    .iter()
                    .any(|t| !t.iter().any(|l| is_session_key(&l.atom.key)))
                {
                    next.free_tags = true;
                }
            }
            let fixed = Carry {
                free_tags: false,
                ..next.clone()
            };
            if !fixed.is_empty() {
                ans.notes
                    .push(format!("the new session carries {}", fixed.describe()));
            }
            out[i] = Some(HopAnswer {
                answer: ans,
                carry: next,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::who_can::ConditionAtom;

    fn lit(operator: &str, key: &str, values: &[&str], holds: bool) -> ConditionLiteral {
        ConditionLiteral {
            atom: ConditionAtom {
                operator: operator.to_string(),
                key: key.to_string(),
                values: values.iter().map(|v| v.to_string()).collect(),
                text: format!("{key} {operator} {values:?}"),
            },
            holds,
        }
    }

    // IAM User Guide, "Pass session tags in AWS STS": a condition that an absent tag fails
    // needs the caller to pass tags (and so sts:TagSession); one an absent tag satisfies
    // does not.
    #[test]
    fn which_terms_need_session_tags_pass_session_tags_in_aws_sts() {
        let t = |l: ConditionLiteral| term_needs(&[l]);
        assert!(
            t(lit(
                "StringEquals",
                "aws:RequestTag/project",
                &["alpha"],
                true
            ))
            .tags
        );
        assert!(
            !t(lit(
                "StringEquals",
                "aws:RequestTag/project",
                &["alpha"],
                false
            ))
            .tags
        );
        assert!(
            !t(lit(
                "StringNotEquals",
                "aws:RequestTag/project",
                &["x"],
                true
            ))
            .tags
        );
        assert!(t(lit("Null", "aws:RequestTag/project", &["false"], true)).tags);
        assert!(
            !t(lit(
                "ForAllValues:StringEquals",
                "aws:TagKeys",
                &["project"],
                true
            ))
            .tags
        );
        assert!(
            t(lit(
                "ForAnyValue:StringEquals",
                "aws:TagKeys",
                &["project"],
                true
            ))
            .tags
        );
        let si = t(lit("StringEquals", "sts:SourceIdentity", &["carol"], true));
        assert!(si.source_identity && !si.tags);
        assert_eq!(
            t(lit("Bool", "aws:MultiFactorAuthPresent", &["true"], true)),
            Needs {
                tags: false,
                source_identity: false
            }
        );
    }

    // "Chaining roles with session tags" and "Monitor and control actions taken with
    // assumed roles": what every term fixes is carried; a source identity once set stays.
    #[test]
    fn carried_state_is_what_every_term_fixes() {
        let tag = lit("StringEquals", "aws:RequestTag/project", &["alpha"], true);
        let mfa = lit("Bool", "aws:MultiFactorAuthPresent", &["true"], true);
        let c = carried(
            &Carry::default(),
            &[vec![tag.clone(), mfa.clone()], vec![tag.clone()]],
        );
        assert_eq!(c.tags.get("project").map(String::as_str), Some("alpha"));
        let c = carried(&Carry::default(), &[vec![tag.clone()], vec![mfa]]);
        assert!(c.is_empty(), "one term does not need the tag");
        let before = Carry {
            source_identity: Some("carol".into()),
            ..Carry::default()
        };
        let si = lit("StringEquals", "sts:SourceIdentity", &["dave"], true);
        let c = carried(&before, &[vec![si]]);
        assert_eq!(c.source_identity.as_deref(), Some("carol"));
        let ctx = c.context(&Context::new());
        assert!(ctx.get("aws:sourceidentity").is_some());
    }
}
