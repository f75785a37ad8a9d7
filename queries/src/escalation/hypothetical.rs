//! Hypothetical copies of the loaded model, decided by the same engine: what a principal
//! could do after a technique changed its permissions (a policy allowing `*` added, its
//! boundary removed, a group joined, a trust policy rewritten). Each copy changes only the
//! principals under test, so their probes answer exactly for them; ARNs are kept, so SCP
//! and RCP conditions on `aws:PrincipalArn` still apply (except for a joined group, which is
//! tested on a copy of the user with its own ARN).

use std::path::PathBuf;
use std::sync::Arc;

use facts::account::{InlinePolicy, Model, Source};
use facts::error::JsonPath;
use facts::policy::Policy;

fn source() -> Source {
    Source {
        file: Arc::new(PathBuf::from("<iamlogic escalation: hypothetical change>")),
        path: JsonPath::default(),
    }
}

fn inline(name: &str, json: &str) -> InlinePolicy {
    // INVARIANT: the documents below are fixed, valid policies.
    let document: Policy = facts::parse::parse_policy(json).unwrap_or_else(|_| Policy {
        version: facts::policy::PolicyVersion::V2012_10_17,
        version_given: true,
        id: None,
        statements: Vec::new(),
    });
    InlinePolicy {
        name: name.to_string(),
        document: std::sync::Arc::new(document),
        source: source(),
    }
}

/// A policy allowing every action on every resource (what CreatePolicyVersion,
/// Put*Policy or Attach*Policy of AdministratorAccess give).
pub(crate) fn allow_all() -> InlinePolicy {
    inline(
        "iamlogic-hypothetical-allow-all",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    )
}

/// Add [`allow_all`] to each principal (user or role) of `arns` (one document, shared).
pub(crate) fn grant_all(model: &mut Model, arns: &[String]) {
    let all = allow_all();
    for a in arns {
        if let Some(u) = model.users.get_mut(a) {
            u.inline_policies.push(all.clone());
        } else if let Some(r) = model.roles.get_mut(a) {
            r.inline_policies.push(all.clone());
        }
    }
}

/// Remove the permissions boundary of each principal of `arns`.
pub(crate) fn unbound(model: &mut Model, arns: &[String]) {
    for a in arns {
        if let Some(u) = model.users.get_mut(a) {
            u.permissions_boundary = None;
        } else if let Some(r) = model.roles.get_mut(a) {
            r.permissions_boundary = None;
        }
    }
}

/// Add a copy of user `user` (from `original`) that is also a member of group `group`;
/// returns the copy's ARN.
pub(crate) fn join(model: &mut Model, original: &Model, user: &str, group: &str) -> Option<String> {
    let u = original.users.get(user)?;
    let g = original.groups.get(group)?;
    let mut copy = u.clone();
    copy.name = format!("{}+{}", u.name, g.name);
    copy.path = "/iamlogic-hypothetical/".to_string();
    copy.arn = format!(
        "arn:aws:iam::{}:user/iamlogic-hypothetical/{}",
        u.account, copy.name
    );
    if !copy.groups.iter().any(|x| x == group) {
        copy.groups.push(group.to_string());
    }
    let arn = copy.arn.clone();
    model.users.insert(arn.clone(), copy);
    Some(arn)
}

/// A trust policy allowing each of `callers` to assume the role (one document for every
/// role whose trust policy is rewritten for the same callers: [`retrust`]).
pub(crate) fn trust_naming(callers: &[String]) -> InlinePolicy {
    let principals = serde_json::to_string(callers).unwrap_or_else(|_| "[]".to_string());
    inline(
        "trust",
        &format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":{principals}}},"Action":"sts:AssumeRole"}}]}}"#
        ),
    )
}

/// Replace the trust policy of `role` by `trust` ([`trust_naming`]).
pub(crate) fn retrust(model: &mut Model, role: &str, trust: &InlinePolicy) {
    if let Some(r) = model.roles.get_mut(role) {
        r.trust_policy = Some(trust.clone());
    }
}
