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

use facts::policy::Effect;
use facts::tables::{FactTables, Layer};
use rules::Decision;

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
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MatchedOut {
    /// The policy's name: a managed policy ARN, `<owner ARN>#inline/<name>`,
    /// `<resource ARN>#policy`, `<role ARN>#trust`, or a scenario field such as
    /// `identityPolicies[0]`.
    pub policy: String,
    /// The layer it was evaluated in.
    pub layer: Layer,
    /// Its index in the policy's `Statement` array.
    pub statement: usize,
    /// Its `Sid`, if any.
    pub sid: Option<String>,
    /// `Allow` or `Deny`.
    pub effect: Effect,
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
    pub layers: Vec<(Layer, Outcome)>,
}

/// Each layer's own decision: `explicitDeny` when one of its Deny statements applies,
/// `implicitDeny` when the request needed an Allow from it and got none, `allowed` when one
/// of its Allow statements applies; layers with none of these are left out.
fn layer_decisions(d: &Decision) -> Vec<(Layer, Outcome)> {
    let has = |list: &[rules::MatchedStatement], layer: Layer, effect: Effect| {
        list.iter().any(|m| m.layer == layer && m.effect == effect)
    };
    Layer::ALL
        .iter()
        .filter_map(|&l| {
            if has(&d.matched, l, Effect::Deny) {
                Some((l, Outcome::ExplicitDeny))
            } else if d.lacking.contains(&l) {
                Some((l, Outcome::ImplicitDeny))
            } else if has(&d.matched, l, Effect::Allow) || has(&d.overridden, l, Effect::Allow) {
                Some((l, Outcome::Allowed))
            } else {
                None
            }
        })
        .collect()
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

/// Turn an engine decision into a result with names from `tables`.
pub(crate) fn result_of(tables: &FactTables, d: &Decision) -> SimulationResult {
    let named = |list: &[rules::MatchedStatement]| -> Vec<MatchedOut> {
        list.iter()
            .map(|m| {
                let name = tables
                    .policies
                    .get(m.policy as usize)
                    .map(|p| p.name.clone())
                    .unwrap_or_default();
                let (index, sid) = tables
                    .statement(m.statement)
                    .map(|(_, st)| (st.index, st.sid.clone()))
                    .unwrap_or((0, None));
                MatchedOut {
                    policy: name,
                    layer: m.layer,
                    statement: index,
                    sid,
                    effect: m.effect,
                }
            })
            .collect()
    };
    SimulationResult {
        decision: d.outcome,
        matched: named(&d.matched),
        restricted: named(&d.restricted),
        missing: d.missing.clone(),
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
