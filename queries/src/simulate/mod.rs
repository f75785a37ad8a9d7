//! `simulate`: decide requests as AWS would, against loaded accounts (account mode) or
//! against policies given with each request (scenario mode, [`crate::scenario`]).
//!
//! Both modes compile to fact tables and a batch of requests and make one Datalog run of
//! [`rules::Engine::decide`] for the whole batch. Results are plain `Serialize` values; the
//! command line renders them as text or JSON.

mod account;
pub mod aws_format;
mod batch;
mod error;
pub(crate) mod input;
pub mod positions;
pub(crate) mod principal;
mod request_line;

use std::sync::Arc;

use facts::policy::Effect;
use facts::tables::{FactTables, Layer};
use rules::{Decision, LayerSet};

pub use account::{
    read_numbered_requests, read_requests, AccountSimulator, ExtraPolicies, RequestSpec,
    SimulatedCaller,
};
pub use error::SimulateError;
pub use input::{check_request_flags, parse_context_flags};
pub use rules::Outcome;

/// The 12-digit account of a caller given as text (`*` and service principals have none).
pub fn caller_account(principal: &str) -> Option<String> {
    principal::classify(principal).and_then(|c| c.account)
}

/// A statement that decided a request.
///
/// The policy's name and the `Sid` are the fact tables' shared text ([`facts::tables::PolicyRow::name`],
/// [`FactTables::sid`]): a result refers to them instead of copying them, and they
/// serialize as plain strings.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MatchedOut {
    /// The policy's name: a managed policy ARN, `<owner ARN>#inline/<name>`,
    /// `<resource ARN>#policy`, `<role ARN>#trust`, or a scenario field such as
    /// `identityPolicies[0]`.
    #[serde(serialize_with = "shared_text")]
    pub policy: Arc<str>,
    /// The layer it was evaluated in.
    pub layer: Layer,
    /// Its index in the policy's `Statement` array.
    pub statement: usize,
    /// Its `Sid`, if any.
    #[serde(serialize_with = "shared_text_opt")]
    pub sid: Option<Arc<str>>,
    /// `Allow` or `Deny`.
    pub effect: Effect,
}

/// Serialize shared text as a JSON string (what a `String` field gives; serde's own
/// `Arc` support needs its `rc` feature).
fn shared_text<S: serde::Serializer>(text: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(text)
}

/// [`shared_text`] of an optional text: `null` when absent, as an `Option<String>` gives.
fn shared_text_opt<S: serde::Serializer>(text: &Option<Arc<str>>, s: S) -> Result<S::Ok, S::Error> {
    match text {
        Some(t) => s.serialize_some(&**t),
        None => s.serialize_none(),
    }
}

/// The result of one request: `{"decision": ..., "matched": [...], "missing": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SimulationResult {
    /// `allowed`, `explicitDeny` or `implicitDeny`.
    pub decision: Outcome,
    /// The statements that decided it (see [`rules::Decision::matched`]).
    pub matched: Vec<MatchedOut>,
    /// For `implicitDeny`: the layers that lacked an Allow.
    pub missing: Vec<Layer>,
    /// For `implicitDeny` by an SCP or RCP: the levels that lacked an Allow, root first
    /// (omitted from JSON when empty).
    #[serde(rename = "missingLevels", skip_serializing_if = "Vec::is_empty")]
    pub missing_levels: Vec<MissingLevelOut>,
    /// Bucket-policy `Allow` statements that applied but grant nothing to this caller
    /// because S3 Block Public Access `RestrictPublicBuckets` applies to the public policy
    /// (see [`rules::Decision::restricted`]; omitted from JSON when empty).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub restricted: Vec<MatchedOut>,
    /// The rule of AWS outside every policy that decided the request (omitted from JSON
    /// when none did): an AWS-owned resource, or an action that needs no permission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<RuleOut>,
    /// Each policy type's own decision, for the layers this request was evaluated in
    /// (`--format aws`: `EvalDecisionDetails`, `OrganizationsDecisionDetail`,
    /// `PermissionsBoundaryDecisionDetail`); not part of the JSON output.
    #[serde(skip)]
    pub layers: LayerDecisions,
}

/// Each layer's own decision, at most one per layer, in [`Layer::ALL`]'s order (see
/// [`layer_decisions`]); read as a slice of `(layer, outcome)`. Held in place (no
/// allocation per result).
#[derive(Clone, Copy)]
pub struct LayerDecisions {
    len: u8,
    items: [(Layer, Outcome); Layer::ALL.len()],
}

impl Default for LayerDecisions {
    fn default() -> Self {
        LayerDecisions {
            len: 0,
            items: [(Layer::Identity, Outcome::ImplicitDeny); Layer::ALL.len()],
        }
    }
}

impl LayerDecisions {
    /// Add `layer`'s decision (each layer at most once, in [`Layer::ALL`]'s order).
    fn push(&mut self, layer: Layer, outcome: Outcome) {
        if let Some(slot) = self.items.get_mut(usize::from(self.len)) {
            *slot = (layer, outcome);
            self.len += 1;
        }
    }
}

impl std::ops::Deref for LayerDecisions {
    type Target = [(Layer, Outcome)];
    fn deref(&self) -> &Self::Target {
        self.items.get(..usize::from(self.len)).unwrap_or(&[])
    }
}

impl PartialEq for LayerDecisions {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for LayerDecisions {}

impl std::fmt::Debug for LayerDecisions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Each layer's own decision: `explicitDeny` when one of its Deny statements applies,
/// `implicitDeny` when the request needed an Allow from it and got none, `allowed` when one
/// of its Allow statements applies; layers with none of these are left out. One pass over
/// the statements (a set of layers each way), then the layers in order.
fn layer_decisions(d: &Decision) -> LayerDecisions {
    let (mut deny, mut allow) = (LayerSet::new(), LayerSet::new());
    for m in &d.matched {
        match m.effect {
            Effect::Deny => deny.insert(m.layer),
            Effect::Allow => allow.insert(m.layer),
        }
    }
    for m in &d.overridden {
        if m.effect == Effect::Allow {
            allow.insert(m.layer);
        }
    }
    let mut out = LayerDecisions::default();
    for l in Layer::ALL {
        if deny.contains(l) {
            out.push(l, Outcome::ExplicitDeny);
        } else if d.lacking.contains(l) {
            out.push(l, Outcome::ImplicitDeny);
        } else if allow.contains(l) {
            out.push(l, Outcome::Allowed);
        }
    }
    out
}

/// A rule of AWS outside every policy (`facts::aws_rules`), as printed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RuleOut {
    /// A stable code: `aws-managed-policy`, `service-linked-role`, `identity-center-role`,
    /// `aws-managed-kms-alias`, `no-permission-required`.
    pub code: &'static str,
    /// What AWS does.
    pub reason: &'static str,
    /// The AWS documentation page it comes from.
    pub source: &'static str,
}

impl From<facts::aws_rules::AwsRule> for RuleOut {
    fn from(r: facts::aws_rules::AwsRule) -> RuleOut {
        RuleOut {
            code: r.code(),
            reason: r.reason(),
            source: r.source(),
        }
    }
}

/// An SCP or RCP level (organization root, OU or account) without an applicable Allow.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MissingLevelOut {
    /// `scp` or `rcp`.
    pub layer: Layer,
    /// The level: `org:<root, OU or account id>` from account data, or the scenario field
    /// (`scps[1]`, `rcps[0]`).
    pub level: String,
}

/// The display name of an organization level entity: scenario levels (`scenario#3/scp/1`)
/// become their field (`scps[1]`); account-data levels keep their `org:<id>` name.
fn level_name(name: &str) -> String {
    let scenario = name
        .strip_prefix("scenario#")
        .and_then(|rest| rest.split_once('/'))
        .and_then(|(_, field)| field.split_once('/'));
    match scenario {
        Some((kind, depth)) => format!("{kind}s[{depth}]"),
        None => name.to_string(),
    }
}

impl SimulationResult {
    /// A slot of an output being filled (no request's result: nothing allocated), to be
    /// overwritten with the result of the request at its position.
    pub(crate) fn slot() -> SimulationResult {
        SimulationResult {
            decision: Outcome::ImplicitDeny,
            matched: Vec::new(),
            missing: Vec::new(),
            missing_levels: Vec::new(),
            restricted: Vec::new(),
            rule: None,
            layers: LayerDecisions::default(),
        }
    }
}

/// Turn an engine decision into a result with names from `tables`.
pub(crate) fn result_of(tables: &FactTables, d: &Decision) -> SimulationResult {
    assemble(tables, d, d.missing.clone())
}

/// [`result_of`] of a decision not needed after: its list of missing layers is moved into
/// the result, not copied (what `simulate` does for every request it decides).
pub(crate) fn result_from(tables: &FactTables, d: &mut Decision) -> SimulationResult {
    let missing = std::mem::take(&mut d.missing);
    assemble(tables, d, missing)
}

/// The result of `d`, whose missing layers are `missing`.
fn assemble(tables: &FactTables, d: &Decision, missing: Vec<Layer>) -> SimulationResult {
    let named = |list: &[rules::MatchedStatement]| -> Vec<MatchedOut> {
        list.iter()
            .map(|m| {
                // The shared texts of the tables: reference counts, not copies.
                let name = tables
                    .policies
                    .get(m.policy as usize)
                    .map_or_else(|| Arc::from(""), |p| Arc::clone(&p.name));
                let index = tables.statement(m.statement).map_or(0, |(_, st)| st.index);
                MatchedOut {
                    policy: name,
                    layer: m.layer,
                    statement: index,
                    sid: tables.sid(m.statement).cloned(),
                    effect: m.effect,
                }
            })
            .collect()
    };
    SimulationResult {
        decision: d.outcome,
        matched: named(&d.matched),
        restricted: named(&d.restricted),
        missing,
        missing_levels: d
            .missing_levels
            .iter()
            .map(|&(layer, node)| MissingLevelOut {
                layer,
                level: level_name(tables.symbols.name(node)),
            })
            .collect(),
        rule: d.rule.map(RuleOut::from),
        layers: layer_decisions(d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rules::MatchedStatement;

    /// Each layer's decision as it was computed before the one-pass version.
    fn reference(d: &Decision) -> Vec<(Layer, Outcome)> {
        let has = |list: &[MatchedStatement], layer: Layer, effect: Effect| {
            list.iter().any(|m| m.layer == layer && m.effect == effect)
        };
        Layer::ALL
            .iter()
            .filter_map(|&l| {
                if has(&d.matched, l, Effect::Deny) {
                    Some((l, Outcome::ExplicitDeny))
                } else if d.lacking.contains(l) {
                    Some((l, Outcome::ImplicitDeny))
                } else if has(&d.matched, l, Effect::Allow) || has(&d.overridden, l, Effect::Allow)
                {
                    Some((l, Outcome::Allowed))
                } else {
                    None
                }
            })
            .collect()
    }

    /// Decisions with every small mix of matched and overridden statements (any layer,
    /// either effect) and lacking layers get the reference's layer decisions, in order.
    #[test]
    fn layer_decisions_answer_as_the_reference() {
        // A small deterministic generator (xorshift), so that failures reproduce.
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n) as usize
        };
        let mut kinds = std::collections::HashSet::new();
        for _ in 0..20_000 {
            let statements = |n: usize, next: &mut dyn FnMut(u64) -> usize| {
                (0..n)
                    .map(|i| MatchedStatement {
                        layer: Layer::ALL[next(7)],
                        policy: i as u32,
                        statement: i as u32,
                        effect: if next(2) == 0 {
                            Effect::Allow
                        } else {
                            Effect::Deny
                        },
                    })
                    .collect::<Vec<_>>()
            };
            let matched = statements(next(5), &mut next);
            let overridden = statements(next(3), &mut next);
            let lacking = (0..next(3)).map(|_| Layer::ALL[next(7)]).collect();
            let d = Decision {
                outcome: Outcome::Allowed,
                matched,
                missing: vec![],
                missing_levels: vec![],
                rule: None,
                restricted: vec![],
                lacking,
                overridden,
            };
            let want = reference(&d);
            let got = layer_decisions(&d);
            assert_eq!(&*got, want.as_slice(), "{d:?}");
            kinds.extend(want.iter().map(|&(_, o)| o as u8));
        }
        assert_eq!(kinds.len(), 3, "every outcome is reached");
    }
}
