//! The concrete evaluator of one policy against one request.

use crate::policy::{Policy, Statement};
use crate::request::Request;

/// Which statements of a policy apply to a request, by effect.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyMatch {
    /// Indices of `Allow` statements that apply.
    pub allows: Vec<usize>,
    /// Indices of `Deny` statements that apply.
    pub denies: Vec<usize>,
}

/// Whether `stmt` (of a policy with `policy`'s version) applies to `req`: action, resource,
/// principal (when the statement has a principal element) and every condition match.
pub fn statement_applies(policy: &Policy, stmt: &Statement, req: &Request) -> bool {
    let _ = (policy, stmt, req);
    todo!("statement_applies: being written")
}

/// Every statement of `policy` that applies to `req`.
pub fn evaluate_policy(policy: &Policy, req: &Request) -> PolicyMatch {
    let _ = (policy, req);
    todo!("evaluate_policy: being written")
}
