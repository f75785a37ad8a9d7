//! Turns the 43 scenarios of the IAM Vulnerable lab (`../shared/corpus/iamvulnerable/
//! scenarios.json`, read by path at test time, never copied) into one account's
//! `aws iam get-account-authorization-details` output, as the lab deploys them all into
//! one account: users, groups (with members), roles (trust policies, instance profiles),
//! customer-managed policies and their attachments. Terraform references are resolved:
//! `${aws_iam_role.X.arn}` → the role's ARN, `${var.aws_root_user}` → the account root,
//! `${var.aws_assume_role_arn}` → the lab operator, a principal of another account.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

/// The account the fixture puts everything in.
pub const ACCOUNT: &str = "123456789012";
/// The lab operator (`var.aws_assume_role_arn`): outside the account.
pub const OPERATOR: &str = "arn:aws:iam::999999999999:root";

/// One scenario: its name, README path name (when it is an escalation path), and the
/// ARNs of the users and roles that hold its policies (the starting principals).
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub path_name: Option<String>,
    pub starting: Vec<String>,
    pub expected: String,
}

/// The scenarios file, or `None` when the shared corpus is missing.
pub fn scenarios_file() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/iamvulnerable/scenarios.json");
    if p.is_file() {
        Some(p)
    } else {
        eprintln!("note: {} missing; skipping", p.display());
        None
    }
}

fn arn(kind: &str, name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:{kind}/{name}")
}

/// Resolve a Terraform reference or literal.
fn resolve(v: &str, policies: &HashMap<String, String>) -> String {
    if v == "${var.aws_assume_role_arn}" {
        return OPERATOR.to_string();
    }
    if v == "${var.aws_root_user}" {
        return format!("arn:aws:iam::{ACCOUNT}:root");
    }
    if let Some(inner) = v.strip_prefix("${").and_then(|s| s.strip_suffix('}')) {
        let parts: Vec<&str> = inner.split('.').collect();
        if let [kind, id, attr] = parts.as_slice() {
            let name = match *kind {
                "aws_iam_policy" => policies.get(*id).cloned().unwrap_or_else(|| id.to_string()),
                _ => id.to_string(),
            };
            return match (*kind, *attr) {
                ("aws_iam_role", "arn") => arn("role", &name),
                ("aws_iam_user", "arn") => arn("user", &name),
                ("aws_iam_group", "arn") => arn("group", &name),
                ("aws_iam_policy", "arn") => arn("policy", &name),
                (_, _) => name,
            };
        }
    }
    v.to_string()
}

/// Replace Terraform references inside a JSON document.
fn resolve_doc(v: &Value, policies: &HashMap<String, String>) -> Value {
    match v {
        Value::String(s) => Value::String(resolve(s, policies)),
        Value::Array(a) => Value::Array(a.iter().map(|x| resolve_doc(x, policies)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| (k.clone(), resolve_doc(x, policies)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Write the GAAD for every scenario of `file` to `dir/gaad.json`; returns the scenarios.
pub fn write_fixture(file: &Path, dir: &Path) -> Vec<Scenario> {
    let text = std::fs::read_to_string(file).expect("read scenarios.json");
    let root: Value = serde_json::from_str(&text).expect("parse scenarios.json");
    let scenarios = root["scenarios"].as_array().expect("scenarios array");
    // Policy Terraform ids → names, across every scenario.
    let mut policy_names: HashMap<String, String> = HashMap::new();
    for s in scenarios {
        for (name, p) in s["policies"].as_object().into_iter().flatten() {
            let id = p["tf_id"].as_str().unwrap_or(name).to_string();
            policy_names.insert(id, name.clone());
        }
    }
    let mut users: Map<String, Value> = Map::new();
    let mut groups: Map<String, Value> = Map::new();
    let mut roles: Map<String, Value> = Map::new();
    let mut policies: Vec<Value> = Vec::new();
    let mut out = Vec::new();
    for s in scenarios {
        for (name, p) in s["policies"].as_object().into_iter().flatten() {
            let doc = resolve_doc(&p["document"], &policy_names);
            policies.push(json!({
                "PolicyName": name, "PolicyId": format!("ANPA{}", policies.len()),
                "Arn": arn("policy", name), "Path": "/", "DefaultVersionId": "v1",
                "IsAttachable": true,
                "PolicyVersionList": [{"Document": doc, "VersionId": "v1", "IsDefaultVersion": true}]
            }));
        }
        for u in s["users"].as_array().into_iter().flatten() {
            let name = u.as_str().unwrap_or_default();
            users.insert(name.to_string(), json!({
                "UserName": name, "UserId": format!("AIDA{}", users.len()), "Arn": arn("user", name),
                "Path": "/", "GroupList": [], "UserPolicyList": [], "AttachedManagedPolicies": []
            }));
        }
        for g in s["groups"].as_array().into_iter().flatten() {
            let name = g.as_str().unwrap_or_default();
            groups.insert(name.to_string(), json!({
                "GroupName": name, "GroupId": format!("AGPA{}", groups.len()), "Arn": arn("group", name),
                "Path": "/", "GroupPolicyList": [], "AttachedManagedPolicies": []
            }));
        }
        for (name, r) in s["roles"].as_object().into_iter().flatten() {
            roles.insert(name.clone(), json!({
                "RoleName": name, "RoleId": format!("AROA{}", roles.len()), "Arn": arn("role", name),
                "Path": "/", "AssumeRolePolicyDocument": resolve_doc(&r["trust_policy"], &policy_names),
                "RolePolicyList": [], "AttachedManagedPolicies": [], "InstanceProfileList": []
            }));
        }
    }
    for s in scenarios {
        let mut starting = Vec::new();
        for a in s["attachments"].as_array().into_iter().flatten() {
            let who = resolve(
                a["principal_ref"].as_str().unwrap_or_default(),
                &policy_names,
            );
            let pol = resolve(
                a["policy_arn_ref"].as_str().unwrap_or_default(),
                &policy_names,
            );
            let entry =
                json!({"PolicyName": pol.rsplit('/').next().unwrap_or_default(), "PolicyArn": pol});
            let (map, kind) = match a["principal_type"].as_str() {
                Some("user") => (&mut users, "user"),
                Some("group") => (&mut groups, "group"),
                _ => (&mut roles, "role"),
            };
            if let Some(e) = map.get_mut(&who) {
                e["AttachedManagedPolicies"]
                    .as_array_mut()
                    .expect("array")
                    .push(entry);
                if kind != "group" && !starting.contains(&arn(kind, &who)) {
                    starting.push(arn(kind, &who));
                }
            }
        }
        for m in s["group_memberships"].as_array().into_iter().flatten() {
            let g = resolve(m["group_ref"].as_str().unwrap_or_default(), &policy_names);
            for u in m["users_ref"].as_array().into_iter().flatten() {
                let u = resolve(u.as_str().unwrap_or_default(), &policy_names);
                if let Some(e) = users.get_mut(&u) {
                    e["GroupList"].as_array_mut().expect("array").push(json!(g));
                }
            }
        }
        for (name, ip) in s["instance_profiles"].as_object().into_iter().flatten() {
            let role = resolve(ip["role_ref"].as_str().unwrap_or_default(), &policy_names);
            if let Some(e) = roles.get_mut(&role) {
                e["InstanceProfileList"].as_array_mut().expect("array").push(json!({
                    "InstanceProfileName": name, "InstanceProfileId": "AIPA0",
                    "Arn": format!("arn:aws:iam::{ACCOUNT}:instance-profile/{name}"), "Path": "/"
                }));
            }
        }
        out.push(Scenario {
            name: s["scenario"].as_str().unwrap_or_default().to_string(),
            path_name: s["readme"]["path_name"].as_str().map(str::to_string),
            starting,
            expected: s["expected"].as_str().unwrap_or_default().to_string(),
        });
    }
    let gaad = json!({
        "UserDetailList": users.into_iter().map(|(_, v)| v).collect::<Vec<_>>(),
        "GroupDetailList": groups.into_iter().map(|(_, v)| v).collect::<Vec<_>>(),
        "RoleDetailList": roles.into_iter().map(|(_, v)| v).collect::<Vec<_>>(),
        "Policies": policies,
    });
    std::fs::write(
        dir.join("gaad.json"),
        serde_json::to_string_pretty(&gaad).expect("json"),
    )
    .expect("write gaad.json");
    out
}
