//! AWS's own simulator output shape (`aws iam simulate-custom-policy` /
//! `simulate-principal-policy`): `{"EvaluationResults": [...], "IsTruncated": false}`.
//! Every name and nesting is AWS's (IAM API Reference, "EvaluationResult",
//! "ResourceSpecificResult", "Statement", "Position", "OrganizationsDecisionDetail",
//! "PermissionsBoundaryDecisionDetail"):
//!
//! - one `EvaluationResult` per action ("The simulator now returns a single
//!   EvaluationResult per action, regardless of how many resource ARNs are provided"), whose
//!   `EvalDecision` is "the most restrictive decision across all resources" and whose
//!   `MatchedStatements`, `MissingContextValues` and `EvalDecisionDetails` are the aggregate;
//! - `ResourceSpecificResults`, one per resource of `ResourceArns` other than `*`, with
//!   `EvalResourceName`, `EvalResourceDecision`, `MatchedStatements`,
//!   `MissingContextValues`, `EvalDecisionDetails` and `PermissionsBoundaryDecisionDetail`;
//! - `EvalDecisionDetails`: "populated for only cross-account simulations"; "present but
//!   empty" in the same account with a resource ARN; "not returned" for `*` or when an SCP
//!   denies ("the simulation ends");
//! - `OrganizationsDecisionDetail.AllowedByOrganizations` when SCPs apply to the caller,
//!   `PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary` when it has a boundary.

use std::collections::BTreeMap;

use facts::policy::Policy;
use facts::request::Request;
use facts::tables::Layer;

use super::positions::{Position, StatementPositions};
use super::{MatchedOut, Outcome, SimulationResult};

/// The whole response, as `--output json` prints it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EvaluationResults {
    /// One result per action (per request outside `--aws-input`), in input order.
    pub evaluation_results: Vec<EvaluationResult>,
    /// Always `false`: every result is printed.
    pub is_truncated: bool,
}

/// AWS's `EvaluationResult`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EvaluationResult {
    /// The action.
    pub eval_action_name: String,
    /// The resource ARN (`*` when none); left out when the action was decided on several
    /// resources (each is in `ResourceSpecificResults`; AWS marks the field optional).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eval_resource_name: Option<String>,
    /// The most restrictive decision across the resources.
    pub eval_decision: Outcome,
    /// The statements that decided: for `explicitDeny` the applicable denies, otherwise
    /// the applicable allows (of the resources with that decision).
    pub matched_statements: Vec<AwsStatement>,
    /// Condition keys that policies in force for this action read but the request
    /// context lacks.
    pub missing_context_values: Vec<String>,
    /// Whether the SCPs allow, when SCPs apply to the caller.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organizations_decision_detail: Option<OrganizationsDecisionDetail>,
    /// Whether the caller's permissions boundary allows, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions_boundary_decision_detail: Option<PermissionsBoundaryDecisionDetail>,
    /// Each policy type's own decision (cross-account; `{}` in one account).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eval_decision_details: Option<BTreeMap<&'static str, Outcome>>,
    /// One result per resource (not for `*`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_specific_results: Option<Vec<ResourceSpecificResult>>,
}

/// AWS's `ResourceSpecificResult`: one action on one resource.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceSpecificResult {
    /// The resource ARN.
    pub eval_resource_name: String,
    /// The decision on this resource.
    pub eval_resource_decision: Outcome,
    /// The statements that decided on this resource.
    pub matched_statements: Vec<AwsStatement>,
    /// Condition keys read but not given, for this resource.
    pub missing_context_values: Vec<String>,
    /// Each policy type's own decision on this resource.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eval_decision_details: Option<BTreeMap<&'static str, Outcome>>,
    /// Whether the caller's permissions boundary allows, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions_boundary_decision_detail: Option<PermissionsBoundaryDecisionDetail>,
}

/// AWS's `OrganizationsDecisionDetail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrganizationsDecisionDetail {
    /// Whether the SCPs allow the action.
    pub allowed_by_organizations: bool,
}

/// AWS's `PermissionsBoundaryDecisionDetail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PermissionsBoundaryDecisionDetail {
    /// "true means that the permissions boundary does not deny the action" (it has an
    /// applicable Allow and no applicable Deny).
    pub allowed_by_permissions_boundary: bool,
}

/// AWS's `Statement` of `MatchedStatements`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AwsStatement {
    /// The policy: `PolicyInputList.N`, `PermissionsBoundaryPolicyInputList.N`,
    /// `ResourcePolicy`, or the policy's name for account data.
    pub source_policy_id: String,
    /// AWS's `PolicySourceType`: `user`, `group`, `role`, `aws-managed`, `user-managed`,
    /// `resource`, or `none` (iamlogic layers AWS's simulator has no type for).
    pub source_policy_type: &'static str,
    /// Where the statement starts in the policy's text (policies given as text to
    /// `--aws-input`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_position: Option<Position>,
    /// Where it ends (its closing brace).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_position: Option<Position>,
}

/// The key of a policy type in `EvalDecisionDetails`. AWS's reference gives the values
/// (`allowed`, `explicitDeny`, `implicitDeny`) and says the map summarises "how each policy
/// type contributes", without listing its keys: iamlogic names each type as below.
pub fn policy_type_key(layer: Layer) -> &'static str {
    match layer {
        Layer::Identity => "IAM Policy",
        Layer::Boundary => "Permissions Boundary Policy",
        Layer::Session => "Session Policy",
        Layer::Scp => "Service Control Policy",
        Layer::Rcp => "Resource Control Policy",
        Layer::Resource => "Resource Policy",
        Layer::VpcEndpoint => "VPC Endpoint Policy",
    }
}

/// One decided request, as `--format aws` groups and prints it.
#[derive(Debug, Clone)]
pub struct AwsRow<'a> {
    /// Requests with the same group and action form one `EvaluationResult` (the action's
    /// index in `ActionNames` for `--aws-input`; the request's own index elsewhere).
    pub group: usize,
    /// The action.
    pub action: &'a str,
    /// The resource ARN, `*` when none.
    pub resource: &'a str,
    /// The decision.
    pub result: &'a SimulationResult,
    /// AWS's `MissingContextValues` for this request.
    pub missing_context_values: Vec<String>,
    /// Whether the caller and the resource are in different accounts.
    pub cross_account: bool,
}

/// The most restrictive of two decisions: `explicitDeny`, then `implicitDeny`, then
/// `allowed`.
fn most_restrictive(a: Outcome, b: Outcome) -> Outcome {
    let rank = |o: Outcome| match o {
        Outcome::Allowed => 0,
        Outcome::ImplicitDeny => 1,
        Outcome::ExplicitDeny => 2,
    };
    if rank(b) > rank(a) {
        b
    } else {
        a
    }
}

/// The per-resource part of a row.
fn resource_result(row: &AwsRow<'_>, positions: &StatementPositions) -> ResourceSpecificResult {
    let r = row.result;
    let layer = |l: Layer| r.layers.iter().find(|(x, _)| *x == l).map(|&(_, o)| o);
    // EvaluationResult: "If an AWS Organizations SCP included in the evaluation denies
    // access, the simulation ends ... this parameter is not returned"; "specifies all
    // resources (*), then the parameter is not returned"; same account: "present but the
    // response is empty".
    let scp_denies = layer(Layer::Scp).is_some_and(|o| o != Outcome::Allowed);
    let details = if row.resource == "*" || scp_denies {
        None
    } else if row.cross_account {
        Some(
            r.layers
                .iter()
                .map(|&(l, o)| (policy_type_key(l), o))
                .collect(),
        )
    } else {
        Some(BTreeMap::new())
    };
    ResourceSpecificResult {
        eval_resource_name: row.resource.to_string(),
        eval_resource_decision: r.decision,
        matched_statements: r.matched.iter().map(|m| statement(m, positions)).collect(),
        missing_context_values: row.missing_context_values.clone(),
        eval_decision_details: details,
        permissions_boundary_decision_detail: layer(Layer::Boundary).map(|o| {
            PermissionsBoundaryDecisionDetail {
                allowed_by_permissions_boundary: o == Outcome::Allowed,
            }
        }),
    }
}

/// AWS's `Statement` for a matched statement.
fn statement(m: &MatchedOut, positions: &StatementPositions) -> AwsStatement {
    let (id, ty) = source_policy(m);
    let span = positions.get(&id).and_then(|v| v.get(m.statement)).copied();
    AwsStatement {
        source_policy_id: id,
        source_policy_type: ty,
        start_position: span.map(|s| s.0),
        end_position: span.map(|s| s.1),
    }
}

/// AWS's response for `rows`: consecutive rows of the same group and action make one
/// `EvaluationResult`.
pub fn evaluation_results(
    rows: &[AwsRow<'_>],
    positions: &StatementPositions,
) -> EvaluationResults {
    let mut out = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let first = &rows[i];
        let mut j = i + 1;
        while j < rows.len() && rows[j].group == first.group && rows[j].action == first.action {
            j += 1;
        }
        out.push(aggregate(&rows[i..j], positions));
        i = j;
    }
    EvaluationResults {
        evaluation_results: out,
        is_truncated: false,
    }
}

/// One `EvaluationResult` for the rows of one action.
fn aggregate(rows: &[AwsRow<'_>], positions: &StatementPositions) -> EvaluationResult {
    let per: Vec<ResourceSpecificResult> =
        rows.iter().map(|r| resource_result(r, positions)).collect();
    let decision = per
        .iter()
        .map(|p| p.eval_resource_decision)
        .fold(Outcome::Allowed, most_restrictive);
    let mut matched: Vec<AwsStatement> = Vec::new();
    for p in per.iter().filter(|p| p.eval_resource_decision == decision) {
        for m in &p.matched_statements {
            if !matched.contains(m) {
                matched.push(m.clone());
            }
        }
    }
    let mut missing: Vec<String> = Vec::new();
    for p in &per {
        for k in &p.missing_context_values {
            if !missing.iter().any(|x| x.eq_ignore_ascii_case(k)) {
                missing.push(k.clone());
            }
        }
    }
    let organizations = rows
        .iter()
        .filter_map(|r| r.result.layers.iter().find(|(l, _)| *l == Layer::Scp))
        .map(|&(_, o)| o == Outcome::Allowed)
        .reduce(|a, b| a && b)
        .map(|allowed| OrganizationsDecisionDetail {
            allowed_by_organizations: allowed,
        });
    let boundary = per
        .iter()
        .filter_map(|p| p.permissions_boundary_decision_detail)
        .map(|d| d.allowed_by_permissions_boundary)
        .reduce(|a, b| a && b)
        .map(|allowed| PermissionsBoundaryDecisionDetail {
            allowed_by_permissions_boundary: allowed,
        });
    let details = per
        .iter()
        .filter_map(|p| p.eval_decision_details.as_ref())
        .fold(None, |acc: Option<BTreeMap<&'static str, Outcome>>, d| {
            let mut acc = acc.unwrap_or_default();
            for (&k, &o) in d {
                let e = acc.entry(k).or_insert(o);
                *e = most_restrictive(*e, o);
            }
            Some(acc)
        });
    let single = rows.len() == 1;
    let specific: Vec<ResourceSpecificResult> = per
        .into_iter()
        .filter(|p| p.eval_resource_name != "*")
        .collect();
    EvaluationResult {
        eval_action_name: rows[0].action.to_string(),
        eval_resource_name: single.then(|| rows[0].resource.to_string()),
        eval_decision: decision,
        matched_statements: matched,
        missing_context_values: missing,
        organizations_decision_detail: organizations,
        permissions_boundary_decision_detail: boundary,
        eval_decision_details: details,
        resource_specific_results: (!specific.is_empty()).then_some(specific),
    }
}

/// AWS's id and type of the policy a matched statement comes from. Scenario fields map to
/// the request parameters of `SimulateCustomPolicy` (`identityPolicies[0]` →
/// `PolicyInputList.1`); account data policies are named as `SimulatePrincipalPolicy`
/// names them (the managed policy's or inline policy's name).
pub fn source_policy(m: &MatchedOut) -> (String, &'static str) {
    let name: &str = &m.policy;
    let index = |prefix: &str| {
        name.strip_prefix(prefix)
            .and_then(|r| r.strip_suffix(']'))
            .and_then(|n| n.parse::<usize>().ok())
    };
    if let Some(i) = index("identityPolicies[") {
        return (format!("PolicyInputList.{}", i + 1), "none");
    }
    if let Some(i) = name.strip_prefix("PolicyInputList.") {
        return (format!("PolicyInputList.{i}"), "none");
    }
    match name {
        "permissionBoundary" => return ("PermissionsBoundaryPolicyInputList.1".into(), "none"),
        "resourcePolicy" | "ResourcePolicy" => return ("ResourcePolicy".into(), "resource"),
        _ => {}
    }
    if let Some((owner, inline)) = name.split_once("#inline/") {
        let kind = match owner.split(':').nth(5).and_then(|r| r.split('/').next()) {
            Some("user") => "user",
            Some("group") => "group",
            Some("role") => "role",
            _ => "none",
        };
        return (inline.to_string(), kind);
    }
    if let Some(arn) = facts::arn::Arn::parse(name) {
        if arn.service == "iam" && arn.resource.starts_with("policy/") {
            let short = arn.resource.rsplit('/').next().unwrap_or(&arn.resource);
            let kind = if arn.account == "aws" {
                "aws-managed"
            } else {
                "user-managed"
            };
            return (short.to_string(), kind);
        }
    }
    let kind = match m.layer {
        Layer::Resource => "resource",
        _ => "none",
    };
    (name.to_string(), kind)
}

/// The condition keys that `policies` read for `request`'s action and resource but that
/// `request.context` (with the keys AWS fills) lacks, in first-use order: AWS's
/// `MissingContextValues`. A statement counts when its action and resource elements match
/// the request (its conditions are what the keys are for).
pub fn missing_context_values<'a>(
    policies: impl IntoIterator<Item = &'a Policy>,
    request: &Request,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in policies {
        for st in &p.statements {
            if st.conditions.is_empty() || !facts::eval::action_matches(&st.action, &request.action)
            {
                continue;
            }
            let resource_ok = st.resource.as_ref().is_none_or(|r| {
                facts::eval::resource_clause_matches(
                    r,
                    &request.resource,
                    &request.context,
                    p.version.supports_variables(),
                )
            });
            if !resource_ok {
                continue;
            }
            for c in &st.conditions {
                if request.context.get(&c.key).is_none()
                    && !out.iter().any(|k| k.eq_ignore_ascii_case(&c.key))
                {
                    out.push(c.key.clone());
                }
            }
        }
    }
    out
}
