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
    /// Warnings about the arguments (e.g. an action outside the catalogue).
    pub warnings: Vec<String>,
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

/// Fail only on a request the evaluator confirmed; only unconfirmed ones give `unknown`.
fn status(d: &mut Direction) -> CheckStatus {
    match crate::diff::evidence(d) {
        Some(true) => CheckStatus::Fail,
        Some(false) => CheckStatus::Pass,
        None => CheckStatus::Unknown,
    }
}

/// `check no-new-access --reference OLD NEW`: NEW grants nothing OLD does not.
pub fn no_new_access(
    reference: &Path,
    new: &Path,
    opts: &Options,
) -> Result<CheckResult, ProofError> {
    let mut c = crate::diff::diff_files(reference, new, opts)?;
    Ok(CheckResult {
        check: "no-new-access",
        result: status(&mut c.gained),
        findings: c.gained,
        approximations: c.approximations,
        warnings: Vec::new(),
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
    let mut warnings = Vec::new();
    for a in actions {
        if let Some(w) = check_action(a)? {
            warnings.push(w);
        }
    }
    for r in resources {
        check_resource(r)?;
    }
    let stack = Stack::single(load_policy(policy)?);
    let mut r = solver::find_allowed(&stack, actions, resources, Catalogue::aws(), opts)?;
    crate::diff::star_resource(&mut r.found, &|q| stack.allows(q));
    Ok(CheckResult {
        check: "access-not-granted",
        result: status(&mut r.found),
        findings: r.found,
        approximations: r.approximations,
        warnings,
    })
}

/// `check no-public-access --resource-type TYPE POLICY`: no anonymous or outside caller can
/// reach the resource under conditions an outsider can satisfy.
pub fn no_public_access(
    policy: &Path,
    resource_type: &str,
    opts: &Options,
) -> Result<CheckResult, ProofError> {
    let stack = Stack::single(load_policy(policy)?);
    let mut r = solver::find_public(&stack, resource_type, Catalogue::aws(), opts)?;
    crate::diff::star_resource(&mut r.found, &|q| stack.allows(q));
    Ok(CheckResult {
        check: "no-public-access",
        result: status(&mut r.found),
        findings: r.found,
        approximations: r.approximations,
        warnings: Vec::new(),
    })
}

/// An `--action` must be `*` or `service:name` (wildcards allowed in either part). A name the
/// catalogue does not know is a warning, not an error: the catalogue may lag behind AWS.
fn check_action(a: &str) -> Result<Option<String>, ProofError> {
    let bad = || {
        ProofError::Usage(format!(
            "--action: `{a}` is not an action: expected `service:ActionName`, e.g. `s3:GetObject`"
        ))
    };
    if a == "*" {
        return Ok(None);
    }
    let (service, name) = a.split_once(':').ok_or_else(bad)?;
    let word = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'*' | b'?'))
    };
    if !word(service) || !word(name) {
        return Err(bad());
    }
    // The catalogue's own wording, shared with `simulate` and `validate`; a wildcard that
    // matches no action is reported too.
    Ok(facts::catalogue::Catalogue::get()
        .unknown_action(a)
        .map(|why| {
            format!("--action: {why} (checked as written; the catalogue may lag behind AWS)")
        }))
}

/// A `--resource` is `*` or an ARN (`arn:partition:service:region:account:resource`,
/// wildcards allowed).
fn check_resource(r: &str) -> Result<(), ProofError> {
    if r == "*" || (r.starts_with("arn:") && r.splitn(6, ':').count() == 6) {
        Ok(())
    } else {
        Err(ProofError::Usage(format!(
            "--resource: `{r}` is not a resource: expected `*` or an ARN such as `arn:aws:s3:::bucket/*`"
        )))
    }
}
