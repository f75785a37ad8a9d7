//! The result of `escalation`: plain serialisable structs that every renderer (text, JSON,
//! DOT, Mermaid, the audit report) reads.

use rules::escalation::Category;

use super::principals::Kind;
use crate::simulate::MatchedOut;

/// How firmly a step or path holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Status {
    /// Allowed by the decision engine for the concrete targets.
    Allowed,
    /// Allowed only under a condition the caller does not control.
    Conditional,
    /// Holds only if a resource the data does not show exists.
    Hypothetical,
}

/// One permission a step needs, with the request decided and the statements that allow it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Permission {
    /// The action.
    pub action: String,
    /// The resource the engine decided it on.
    pub resource: String,
    /// The context keys the technique set (`iam:PassedToService`...), as `key=value`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<String>,
    /// The statements that allow it (identity, resource, SCP, RCP...).
    #[serde(rename = "allowedBy")]
    pub allowed_by: Vec<MatchedOut>,
    /// For a conditional permission: the condition on keys only a live request carries
    /// under which it is allowed (`aws:MultiFactorAuthPresent = true`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Step {
    /// The principal acting.
    pub from: String,
    /// The principal reached, or `administrator`.
    pub to: String,
    /// The technique id (`iam-001`, `sts-001`, `x-...`, `admin`).
    pub technique: String,
    /// The technique's permissions (`iam:PassRole + ec2:RunInstances`).
    pub name: String,
    /// The catalogue category.
    pub category: Category,
    /// The resource changed or used (policy, group, compute, or `a new resource`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// The principal acted through (the role assumed after changing its policy).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub through: Option<String>,
    /// allowed, conditional or hypothetical.
    pub status: Status,
    /// For a hypothetical step: what must exist ("if such a resource exists: ...").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assumption: Option<String>,
    /// For a conditional step: the conditions of its conditional permissions (and of the
    /// steps of `then`), on keys only a live request carries, joined with `; and `.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// The AWS documentation of the action semantics the technique relies on.
    pub citation: String,
    /// The permissions, each decided by the engine.
    pub permissions: Vec<Permission>,
    /// For a grant to another principal: the steps by which the caller then acts as it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub then: Vec<Step>,
}

/// A path: its steps and its overall status (the weakest of its steps).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Path {
    /// allowed, conditional or hypothetical.
    pub status: Status,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

/// One principal that can become an administrator (or reach the target).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Escalation {
    /// The principal's ARN.
    pub principal: String,
    /// `user` or `role`.
    pub kind: Kind,
    /// `administrator` or the target ARN.
    pub target: String,
    /// The status of the best path.
    pub status: Status,
    /// The shortest path (fewest steps, allowed before conditional before hypothetical).
    pub path: Path,
    /// With `--all`: every simple path up to the depth, the shortest first.
    #[serde(rename = "allPaths", skip_serializing_if = "Vec::is_empty")]
    pub all_paths: Vec<Path>,
}

/// A principal that has administrator access only under a condition.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ConditionalAdministrator {
    /// The principal's ARN.
    pub principal: String,
    /// The condition on keys a live request carries under which every probed action is
    /// allowed (distinct conditions joined with `; and `).
    pub condition: String,
}

/// The whole answer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EscalationReport {
    /// What was asked: `administrator` or a principal ARN.
    pub target: String,
    /// Principals that already have administrator access (allowed every probed action,
    /// whatever the keys only a live request carries).
    pub administrators: Vec<String>,
    /// Principals allowed every probed action only under a condition on keys a live
    /// request carries that they may not control (`aws:MultiFactorAuthPresent = true`).
    /// Each is also listed in `escalations`, with its best path.
    #[serde(
        rename = "conditionalAdministrators",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub conditional_administrators: Vec<ConditionalAdministrator>,
    /// Principals that can become administrators (or reach the target), by principal.
    pub escalations: Vec<Escalation>,
    /// Service-specific credentials of other users a principal can get (the user's
    /// permissions in Amazon Bedrock, CodeCommit or Amazon Keyspaces only): one step each,
    /// `to` the user. Not steps of any path.
    #[serde(rename = "serviceCredentials")]
    pub service_credentials: Vec<Step>,
    /// How many requests the decision engine decided.
    pub decisions: usize,
}
