//! Statements that grant more than is usually intended, and elements the policy kind does
//! not take.
//!
//! IAM User Guide: "IAM JSON policy elements: NotAction" and "NotResource" (an `Allow` with
//! them grants everything not listed, including actions and resources added later);
//! "NotPrincipal" (AWS recommends against `Allow` with `NotPrincipal`); "Granting a user
//! permissions to pass a role to an AWS service" (limit `iam:PassRole` to specific roles);
//! "Security best practices in IAM" (grant least privilege). Identity-based policies take
//! no `Principal` ("IAM JSON policy elements: Principal"); SCPs neither (AWS Organizations,
//! "SCP syntax"); resource-based and trust policies must name one. Every statement needs
//! `Resource` or `NotResource` except in role trust policies ("IAM JSON policy elements:
//! Resource").

use facts::policy::{ActionClause, Effect, PrincipalClause, Principals, ResourceClause, Statement};
use facts::wildcard::glob_match;

use super::finding::{Code, Finding, Severity};
use super::kind::PolicyKind;
use super::paths::Shape;

/// Security findings for one statement.
pub(crate) fn check_statement(
    stmt: &Statement,
    kind: PolicyKind,
    shape: &Shape<'_>,
    out: &mut Vec<Finding>,
) {
    check_principal_element(stmt, kind, shape, out);
    if kind == PolicyKind::Rcp {
        check_rcp_allow(stmt, shape, out);
    }
    if stmt.resource.is_none() && kind != PolicyKind::Trust {
        out.push(Finding::new(
            Severity::Error,
            Code::MissingResource,
            shape.statement(stmt.index),
            "the statement has no `Resource` or `NotResource`; only role trust policies may \
             omit it"
                .to_string(),
        ));
    }
    if stmt.effect != Effect::Allow {
        return;
    }
    if matches!(stmt.action, ActionClause::NotAction(_)) {
        out.push(Finding::new(
            Severity::SecurityWarning,
            Code::AllowWithNotAction,
            shape.element(stmt.index, "NotAction"),
            "`Allow` with `NotAction` grants every action not listed, including actions AWS \
             adds later; list the allowed actions instead"
                .to_string(),
        ));
    }
    if matches!(stmt.resource, Some(ResourceClause::NotResource(_))) {
        out.push(Finding::new(
            Severity::SecurityWarning,
            Code::AllowWithNotResource,
            shape.element(stmt.index, "NotResource"),
            "`Allow` with `NotResource` grants access to every resource not listed, including \
             resources created later; list the allowed resources instead"
                .to_string(),
        ));
    }
    if matches!(stmt.principal, Some(PrincipalClause::NotPrincipal(_))) {
        out.push(Finding::new(
            Severity::SecurityWarning,
            Code::AllowWithNotPrincipal,
            shape.element(stmt.index, "NotPrincipal"),
            "`Allow` with `NotPrincipal` grants access to every principal not listed, \
             including anonymous callers"
                .to_string(),
        ));
    }
    let ActionClause::Action(actions) = &stmt.action else {
        return;
    };
    let on_all_resources = match &stmt.resource {
        Some(ResourceClause::Resource(r)) => r.iter().any(|p| p.0 == "*"),
        _ => false,
    };
    if !on_all_resources {
        return;
    }
    let conditional = if stmt.conditions.is_empty() {
        ""
    } else {
        " (under the statement's conditions)"
    };
    if actions.iter().any(|p| p.0 == "*" || p.0 == "*:*") {
        out.push(Finding::new(
            Severity::SecurityWarning,
            Code::AllowAllActionsAllResources,
            shape.statement(stmt.index),
            format!("the statement allows every action on every resource{conditional}"),
        ));
        return;
    }
    if let Some(p) = actions
        .iter()
        .find(|p| glob_match(&p.0, "iam:PassRole", true))
    {
        out.push(Finding::new(
            Severity::SecurityWarning,
            Code::PassRoleWithStarResource,
            shape.item(stmt.index, "Resource", "*"),
            format!(
                "{} `iam:PassRole` on `*`{conditional}: any role can be passed to a service; \
                 name the roles in `Resource`",
                if p.0.eq_ignore_ascii_case("iam:PassRole") {
                    "the statement allows".to_string()
                } else {
                    format!("`{}` allows", p.0)
                }
            ),
        ));
    }
}

fn check_principal_element(
    stmt: &Statement,
    kind: PolicyKind,
    shape: &Shape<'_>,
    out: &mut Vec<Finding>,
) {
    match &stmt.principal {
        Some(clause) if kind.is_identity() || kind == PolicyKind::Scp => {
            let element = match clause {
                PrincipalClause::Principal(_) => "Principal",
                PrincipalClause::NotPrincipal(_) => "NotPrincipal",
            };
            let what = if kind == PolicyKind::Scp {
                "service control policies"
            } else {
                "identity-based policies"
            };
            out.push(Finding::new(
                Severity::Error,
                Code::PrincipalNotAllowed,
                shape.element(stmt.index, element),
                format!("`{element}` is not allowed in {what}: the principal is whoever the policy is attached to"),
            ));
        }
        None if kind.needs_principal() => {
            out.push(Finding::new(
                Severity::Error,
                Code::MissingPrincipal,
                shape.statement(stmt.index),
                "resource-based, trust and resource control policies must name a `Principal` \
                 in every statement"
                    .to_string(),
            ));
        }
        // "AWS JSON policy elements: NotPrincipal": "Using it with \"Effect\":\"Allow\" is
        // not supported"; "You cannot use the NotPrincipal element ... in an IAM role trust
        // policy." AWS refuses such a trust policy.
        Some(PrincipalClause::NotPrincipal(_)) if kind == PolicyKind::Trust => {
            let why = if stmt.effect == Effect::Allow {
                "`Allow` with `NotPrincipal` is not supported, and "
            } else {
                ""
            };
            out.push(Finding::new(
                Severity::Error,
                Code::UnsupportedForKind,
                shape.element(stmt.index, "NotPrincipal"),
                format!(
                    "{why}`NotPrincipal` cannot be used in a role trust policy: AWS refuses the \
                     policy; name the principals in `Principal` (or use `aws:PrincipalArn` \
                     conditions)"
                ),
            ));
        }
        Some(clause)
            if kind == PolicyKind::Rcp
                && !matches!(clause, PrincipalClause::Principal(Principals::Any)) =>
        {
            let element = match clause {
                PrincipalClause::Principal(_) => "Principal",
                PrincipalClause::NotPrincipal(_) => "NotPrincipal",
            };
            out.push(Finding::new(
                Severity::Error,
                Code::UnsupportedForKind,
                shape.element(stmt.index, element),
                "resource control policies take only `\"Principal\": \"*\"`; narrow the \
                 principals with conditions"
                    .to_string(),
            ));
        }
        _ => {}
    }
}

/// AWS Organizations, "RCP syntax": the `Allow` effect is supported only for the
/// `RCPFullAWSAccess` policy (allow `*` on `*` to `*`).
fn check_rcp_allow(stmt: &Statement, shape: &Shape<'_>, out: &mut Vec<Finding>) {
    let star_action =
        matches!(&stmt.action, ActionClause::Action(a) if a.iter().any(|p| p.0 == "*"));
    let star_resource =
        matches!(&stmt.resource, Some(ResourceClause::Resource(r)) if r.iter().any(|p| p.0 == "*"));
    if stmt.effect == Effect::Allow && !(star_action && star_resource) {
        out.push(Finding::new(
            Severity::Error,
            Code::UnsupportedForKind,
            shape.element(stmt.index, "Effect"),
            "resource control policies support `Allow` only as in `RCPFullAWSAccess` (every \
             action on every resource); use `Deny` statements"
                .to_string(),
        ));
    }
}
