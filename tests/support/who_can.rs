//! Reading `who-can --format json` answers (one object per principal and line).

use serde_json::Value;

/// The object of `principal`, if listed.
pub fn principal_answer<'a>(r: &'a [Value], principal: &str) -> Option<&'a Value> {
    r.iter().find(|p| p["principal"] == principal)
}

/// The answer of `principal` for `action` on `resource`, if listed.
pub fn action_answer<'a>(
    r: &'a [Value],
    principal: &str,
    action: &str,
    resource: &str,
) -> Option<&'a Value> {
    principal_answer(r, principal)?["actions"]
        .as_array()?
        .iter()
        .find(|a| a["action"] == action && a["resource"] == resource)
}

/// The roles an answer's `via` assumes, first to last (empty for a direct access).
pub fn assumed_roles(answer: &Value) -> Vec<String> {
    answer["via"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|h| h["action"] == "sts:AssumeRole")
        .map(|h| h["to"].as_str().unwrap_or("").to_string())
        .collect()
}

/// The roles a `paths --format json` path reaches, hop by hop (each hop's `to`).
pub fn hop_targets(path: &Value) -> Vec<&str> {
    path["hops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["to"].as_str().unwrap())
        .collect()
}
