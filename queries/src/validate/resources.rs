//! Resource ARNs: well-formed, and usable by at least one action of the statement.
//!
//! IAM User Guide, "IAM JSON policy elements: Resource" and "IAM identifiers" (ARN format
//! `arn:partition:service:region:account-id:resource`); Service Authorization Reference for
//! the ARN formats of each action's resource types.

use facts::catalogue::{Action, ResourceType};
use facts::parse::check_resource;
use facts::policy::{ResourceClause, Statement};

use super::finding::{Code, Finding, Severity};
use super::names::summarize;
use super::paths::Shape;

/// Findings about the resources of one statement.
pub(crate) fn check_resources(
    stmt: &Statement,
    actions: Option<&[Action<'static>]>,
    shape: &Shape<'_>,
    out: &mut Vec<Finding>,
) {
    let Some(clause) = &stmt.resource else { return };
    let (element, patterns, positive) = match clause {
        ResourceClause::Resource(p) => ("Resource", p, true),
        ResourceClause::NotResource(p) => ("NotResource", p, false),
    };
    // The distinct resource types of the statement's actions (many actions share them).
    let types: Option<Vec<&ResourceType>> = actions.map(|actions| {
        let mut types: Vec<&ResourceType> = Vec::new();
        for r in actions.iter().flat_map(Action::resource_types) {
            if !types.iter().any(|t| std::ptr::eq(*t, r.resource_type)) {
                types.push(r.resource_type);
            }
        }
        types
    });
    for p in patterns {
        let text = p.0.as_str();
        if text == "*" {
            continue;
        }
        let path = || shape.item(stmt.index, element, text);
        // The parser's shape rule for resources (one rule in `facts`); a document that
        // parsed has passed it already, so this guards callers with hand-built policies.
        if let Err(why) = check_resource(text) {
            out.push(Finding::new(
                Severity::Error,
                Code::InvalidArn,
                path(),
                format!("`{text}` is not a valid resource: {why}"),
            ));
            continue;
        }
        if let Some(why) = super::arns::arn_problem(text) {
            out.push(Finding::new(
                Severity::Error,
                Code::InvalidArn,
                path(),
                format!("`{text}` is not a valid ARN: {why}"),
            ));
            continue;
        }
        if !positive {
            continue;
        }
        let (Some(actions), Some(types)) = (actions, &types) else {
            continue;
        };
        if !types.iter().any(|t| t.accepts(text)) {
            out.push(Finding::new(
                Severity::Warning,
                Code::ResourceNotApplicable,
                path(),
                format!(
                    "`{text}` matches the ARN format of no resource type of this statement's \
                     actions ({}), so the statement never applies to it",
                    summarize(actions)
                ),
            ));
        }
    }
}
