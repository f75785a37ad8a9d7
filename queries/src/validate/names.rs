//! Action names, service prefixes and condition keys against the action catalogue.
//!
//! IAM User Guide, "IAM JSON policy elements: Action": an action is `service:action`, case
//! insensitive, with `*` and `?` wildcards; "Condition": key names are case insensitive.

use facts::catalogue::{Action, Catalogue};
use facts::parse::check_action;
use facts::policy::{ActionClause, Statement};
use facts::wildcard::has_wildcard;

use super::finding::{Code, Finding, Severity};
use super::paths::Shape;

/// The catalogue actions a statement's `Action` element names, when every pattern can be
/// resolved to concrete known actions (no `*` service prefix, no unknown names); `None`
/// otherwise, so that checks relying on it stay silent rather than guess.
pub(crate) fn resolved_actions(stmt: &Statement) -> Option<Vec<Action<'static>>> {
    let ActionClause::Action(patterns) = &stmt.action else {
        return None;
    };
    let catalogue = Catalogue::get();
    let mut out: Vec<Action<'static>> = Vec::new();
    for p in patterns {
        let (prefix, name) = split_action(&p.0)?;
        if has_wildcard(prefix) {
            return None;
        }
        let before = out.len();
        out.extend(catalogue.expand(&format!("{prefix}:{name}")));
        if out.len() == before {
            return None;
        }
    }
    Some(out)
}

/// `service` and `action` of `service:action`, without the white space AWS tolerates
/// around the action part.
fn split_action(text: &str) -> Option<(&str, &str)> {
    let (prefix, name) = text.split_once(':')?;
    Some((prefix, name.trim_matches(|c: char| c.is_ascii_whitespace())))
}

/// Findings about the action names of one statement.
pub(crate) fn check_actions(stmt: &Statement, shape: &Shape<'_>, out: &mut Vec<Finding>) {
    let (element, patterns) = match &stmt.action {
        ActionClause::Action(p) => ("Action", p),
        ActionClause::NotAction(p) => ("NotAction", p),
    };
    let catalogue = Catalogue::get();
    for p in patterns {
        let text = p.0.as_str();
        if text == "*" {
            continue;
        }
        let path = || shape.item(stmt.index, element, text);
        // The parser's shape rule for actions (one rule in `facts`).
        if let Err(why) = check_action(text) {
            out.push(Finding::new(
                Severity::Error,
                Code::InvalidAction,
                path(),
                format!("`{text}` is not a valid action: {why}"),
            ));
            continue;
        }
        let Some((prefix, name)) = split_action(text) else {
            continue;
        };
        // Stray spaces around the name (`ec2: DescribeX`) are accepted by AWS and kept.
        let text = &format!("{prefix}:{name}");
        if !has_wildcard(prefix) && !catalogue.is_known_service(prefix) {
            let hint = catalogue
                .suggest_service(prefix)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            out.push(Finding::new(
                Severity::Error,
                Code::UnknownService,
                path(),
                format!("`{prefix}` in `{text}` is not a known service prefix{hint}"),
            ));
            continue;
        }
        if has_wildcard(text) {
            if catalogue.expand(text).next().is_none() {
                out.push(Finding::new(
                    Severity::Warning,
                    Code::ActionMatchesNothing,
                    path(),
                    format!("the pattern `{text}` matches no known action"),
                ));
            }
            continue;
        }
        if catalogue.action(text).is_none() {
            let hint = catalogue
                .suggest_action(text)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            out.push(Finding::new(
                Severity::Error,
                Code::UnknownAction,
                path(),
                format!("`{text}` is not a known action of `{prefix}`{hint}"),
            ));
        }
    }
}

/// Findings about the condition keys of one statement.
pub(crate) fn check_condition_keys(
    stmt: &Statement,
    actions: Option<&[Action<'static>]>,
    shape: &Shape<'_>,
    out: &mut Vec<Finding>,
) {
    let catalogue = Catalogue::get();
    for cond in &stmt.conditions {
        let key = cond.key.as_str();
        let path = || shape.condition(stmt.index, &cond.operator.to_string(), key);
        if !catalogue.is_known_condition_key(key) {
            let hint = catalogue
                .suggest_condition_key(key)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            out.push(Finding::new(
                Severity::Error,
                Code::UnknownConditionKey,
                path(),
                format!("`{key}` is not a known condition key{hint}"),
            ));
            continue;
        }
        if catalogue.is_global_condition_key(key) {
            continue;
        }
        let Some(actions) = actions else { continue };
        if !actions.iter().any(|a| a.accepts_condition_key(key)) {
            out.push(Finding::new(
                Severity::Warning,
                Code::ConditionKeyNotApplicable,
                path(),
                format!(
                    "no action of this statement supports the condition key `{key}` ({}), so \
                     it is never present in the request context",
                    summarize(actions)
                ),
            ));
        }
    }
}

/// `a, b, c and N more` for messages.
pub(crate) fn summarize(actions: &[Action<'_>]) -> String {
    let mut names: Vec<String> = actions.iter().take(3).map(Action::full_name).collect();
    if actions.len() > 3 {
        names.push(format!("{} more", actions.len() - 3));
    }
    names.join(", ")
}
