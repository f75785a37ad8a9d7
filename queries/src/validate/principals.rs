//! Principal values in the forms AWS accepts.
//!
//! IAM User Guide, "AWS JSON policy elements: Principal": an `AWS` principal is `*`, a
//! 12-digit account id, or the ARN of an account (`arn:aws:iam::123456789012:root`), user,
//! role, assumed-role session or federated user (IAM shows the unique id, `AIDA...`/
//! `AROA...`, of a principal that was deleted); a `Service` principal is a service name
//! such as `ec2.amazonaws.com`; a `Federated` principal is an identity provider ARN
//! (`saml-provider/...`, `oidc-provider/...`) or a provider name such as
//! `cognito-identity.amazonaws.com`; a `CanonicalUser` is an S3 canonical user id (64 hex
//! digits). "You cannot use a wildcard to match part of a principal name or ARN": only a
//! whole `*` is a wildcard there, so a partial one never matches anyone.

use facts::policy::{PrincipalClause, PrincipalEntry, Principals, Statement};
use facts::wildcard::has_wildcard;

use super::arns::arn_problem;
use super::finding::{Code, Finding, Severity};
use super::paths::Shape;

/// Findings about the principal values of one statement.
pub(crate) fn check_principals(stmt: &Statement, shape: &Shape<'_>, out: &mut Vec<Finding>) {
    let (element, principals) = match &stmt.principal {
        Some(PrincipalClause::Principal(p)) => ("Principal", p),
        Some(PrincipalClause::NotPrincipal(p)) => ("NotPrincipal", p),
        None => return,
    };
    let Principals::Specific(entries) = principals else {
        return;
    };
    for entry in entries {
        let (ty, value, problem) = match entry {
            PrincipalEntry::Aws(v) => ("AWS", v, aws_problem(v)),
            PrincipalEntry::Service(v) => ("Service", v, service_problem(v)),
            PrincipalEntry::Federated(v) => ("Federated", v, federated_problem(v)),
            PrincipalEntry::CanonicalUser(v) => ("CanonicalUser", v, canonical_problem(v)),
        };
        // "IAM policy elements: Variables and tags": variables are read in `Resource` and in
        // condition values only; elsewhere `${...}` is literal text.
        let problem = problem.map(|(severity, why)| {
            if facts::variables::has_variables(value) {
                (
                    severity,
                    format!(
                        "{why}; policy variables are read only in `Resource` and condition \
                         values, so `${{...}}` here is literal text"
                    ),
                )
            } else {
                (severity, why)
            }
        });
        let Some((severity, why)) = problem else {
            continue;
        };
        out.push(Finding::new(
            severity,
            Code::InvalidPrincipal,
            shape.principal_item(stmt.index, element, ty, value),
            format!("`{value}` is not a valid `{ty}` principal: {why}"),
        ));
    }
}

type Problem = Option<(Severity, String)>;

fn partial_wildcard() -> Problem {
    Some((
        Severity::Error,
        "a wildcard cannot match part of a principal name or ARN (only a whole `*` is \
         accepted), so it matches no one; use `*` with a condition such as \
         `aws:PrincipalArn`"
            .to_string(),
    ))
}

fn aws_problem(v: &str) -> Problem {
    if v == "*" || facts::arn::is_account_id(v) || is_unique_id(v) {
        return None;
    }
    if has_wildcard(v) {
        return partial_wildcard();
    }
    if !v.starts_with("arn:") {
        return Some((
            Severity::Error,
            "an `AWS` principal is `*`, a 12-digit account id or an IAM or STS ARN".to_string(),
        ));
    }
    if let Some(why) = arn_problem(v) {
        return Some((Severity::Error, why));
    }
    match v.split(':').nth(2) {
        Some("iam" | "sts") => None,
        _ => Some((
            Severity::Error,
            "a principal ARN names an IAM or STS entity (`arn:aws:iam::...` or \
             `arn:aws:sts::...`)"
                .to_string(),
        )),
    }
}

/// The unique id IAM shows in place of a deleted principal (`AIDA...`, `AROA...`).
fn is_unique_id(v: &str) -> bool {
    v.len() >= 16
        && v.starts_with('A')
        && v.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// A DNS-like name: `ec2.amazonaws.com`, `cognito-identity.amazonaws.com`.
fn is_dns_name(v: &str) -> bool {
    v.contains('.')
        && !v.starts_with('.')
        && !v.ends_with('.')
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'))
}

fn service_problem(v: &str) -> Problem {
    if v != "*" && has_wildcard(v) {
        return partial_wildcard();
    }
    if is_dns_name(v) {
        return None;
    }
    Some((
        Severity::Warning,
        "a service principal is a service name such as `ec2.amazonaws.com`".to_string(),
    ))
}

fn federated_problem(v: &str) -> Problem {
    if v != "*" && has_wildcard(v) {
        return partial_wildcard();
    }
    if v.starts_with("arn:") {
        return arn_problem(v).map(|why| (Severity::Error, why));
    }
    if is_dns_name(v) {
        return None;
    }
    Some((
        Severity::Warning,
        "a federated principal is an identity provider ARN or a provider name such as \
         `cognito-identity.amazonaws.com`"
            .to_string(),
    ))
}

fn canonical_problem(v: &str) -> Problem {
    if v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    if v != "*" && has_wildcard(v) {
        return partial_wildcard();
    }
    Some((
        Severity::Warning,
        "an S3 canonical user id is 64 hexadecimal digits".to_string(),
    ))
}
