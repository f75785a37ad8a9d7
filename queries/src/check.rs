//! `check`: policy checks for CI gates, each passing or failing with counterexamples.

use std::path::Path;

use solver::{Catalogue, Direction, Options, Stack};

use crate::diff::{load_policy, ProofError};

/// The outcome of one check.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CheckResult {
    /// `no-new-access`, `access-not-granted` or `no-public-access`.
    pub check: &'static str,
    /// `pass`, `fail` or `unknown`.
    pub result: CheckStatus,
    /// The requests that make the check fail (replayed through the concrete evaluator).
    pub findings: Direction,
    /// Where the encoding approximates.
    pub approximations: Vec<String>,
}

/// Pass, fail, or the solver gave up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckStatus {
    /// No request violates the property.
    Pass,
    /// Some request violates it: see the findings.
    Fail,
    /// The solver gave up before deciding.
    Unknown,
}

fn status(d: &Direction) -> CheckStatus {
    if d.differs() {
        CheckStatus::Fail
    } else if d.complete {
        CheckStatus::Pass
    } else {
        CheckStatus::Unknown
    }
}

/// `check no-new-access --reference OLD NEW`: NEW grants nothing OLD does not.
pub fn no_new_access(
    reference: &Path,
    new: &Path,
    opts: &Options,
) -> Result<CheckResult, ProofError> {
    let c = crate::diff::diff_files(reference, new, opts)?;
    Ok(CheckResult {
        check: "no-new-access",
        result: status(&c.gained),
        findings: c.gained,
        approximations: c.approximations,
    })
}

/// `check access-not-granted --action A... [--resource R...] POLICY`: the policy allows
/// none of the actions (on the resources, when given).
pub fn access_not_granted(
    policy: &Path,
    actions: &[String],
    resources: &[String],
    opts: &Options,
) -> Result<CheckResult, ProofError> {
    if actions.is_empty() {
        return Err(ProofError::Usage("give at least one --action".to_string()));
    }
    let p = load_policy(policy)?;
    let r = solver::find_allowed(
        &Stack::single(p),
        actions,
        resources,
        Catalogue::aws(),
        opts,
    )?;
    Ok(CheckResult {
        check: "access-not-granted",
        result: status(&r.found),
        findings: r.found,
        approximations: r.approximations,
    })
}

/// `check no-public-access --resource-type TYPE POLICY`: no anonymous or outside caller can
/// reach the resource under conditions an outsider can satisfy.
pub fn no_public_access(
    policy: &Path,
    resource_type: &str,
    opts: &Options,
) -> Result<CheckResult, ProofError> {
    let p = load_policy(policy)?;
    let r = solver::find_public(&Stack::single(p), resource_type, Catalogue::aws(), opts)?;
    Ok(CheckResult {
        check: "no-public-access",
        result: status(&r.found),
        findings: r.found,
        approximations: r.approximations,
    })
}
