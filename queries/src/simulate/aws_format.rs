//! AWS's own simulator output shape (`aws iam simulate-custom-policy` /
//! `simulate-principal-policy`): `{"EvaluationResults": [...], "IsTruncated": false}`, each
//! result with `EvalActionName`, `EvalResourceName`, `EvalDecision` (AWS's spellings
//! `allowed`, `explicitDeny`, `implicitDeny`), `MatchedStatements` and
//! `MissingContextValues`. IAM API Reference, "EvaluationResult" and "Statement".

use facts::policy::Policy;
use facts::request::Request;
use facts::tables::Layer;

use super::positions::{Position, StatementPositions};
use super::{MatchedOut, SimulationResult};

/// The whole response, as `--output json` prints it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EvaluationResults {
    /// One result per action and resource, in input order.
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
    /// The resource ARN (`*` when none).
    pub eval_resource_name: String,
    /// `allowed`, `explicitDeny` or `implicitDeny`.
    pub eval_decision: super::Outcome,
    /// The statements that decided: for `explicitDeny` the applicable denies, otherwise
    /// the applicable allows.
    pub matched_statements: Vec<AwsStatement>,
    /// Condition keys that policies in force for this action and resource read but the
    /// request context lacks.
    pub missing_context_values: Vec<String>,
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
    /// iamlogic's addition: the statement's index in its policy's `Statement` array.
    pub statement_index: usize,
}

/// AWS's id and type of the policy a matched statement comes from. Scenario fields map to
/// the request parameters of `SimulateCustomPolicy` (`identityPolicies[0]` →
/// `PolicyInputList.1`); account data policies are named as `SimulatePrincipalPolicy`
/// names them (the managed policy's or inline policy's name).
pub fn source_policy(m: &MatchedOut) -> (String, &'static str) {
    let name = m.policy.as_str();
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

/// One `EvaluationResult` for `action` on `resource`; `positions` gives the statements'
/// text positions where known.
pub fn evaluation_result(
    action: &str,
    resource: &str,
    r: &SimulationResult,
    missing_context_values: Vec<String>,
    positions: &StatementPositions,
) -> EvaluationResult {
    EvaluationResult {
        eval_action_name: action.to_string(),
        eval_resource_name: resource.to_string(),
        eval_decision: r.decision,
        matched_statements: r
            .matched
            .iter()
            .map(|m| {
                let (id, ty) = source_policy(m);
                let span = positions.get(&id).and_then(|v| v.get(m.statement)).copied();
                AwsStatement {
                    source_policy_id: id,
                    source_policy_type: ty,
                    start_position: span.map(|s| s.0),
                    end_position: span.map(|s| s.1),
                    statement_index: m.statement,
                }
            })
            .collect(),
        missing_context_values,
    }
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
