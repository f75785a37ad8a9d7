//! The IAM policy `iamlogic collect` needs (docs/collect-policy.json, documented in
//! docs/collect.md) grants only List and Read actions: every action it names is List or Read
//! in the action catalogue (the access levels of AWS's Service Authorization Reference), and
//! `iamlogic check access-not-granted` proves it grants no Write, Permissions management or
//! Tagging action of any service it names. The management account's extra policy
//! (docs/collect-assume-policy.json) grants nothing but `sts:AssumeRole` on the collector role.

use facts::catalogue::{AccessLevel, Catalogue};
use serde_json::Value;
use std::path::{Path, PathBuf};

mod support;
use support::iamlogic;

fn doc(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs")
        .join(name)
}

fn actions(policy: &Path) -> Vec<String> {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(policy).unwrap()).unwrap();
    let mut out = Vec::new();
    for st in v["Statement"].as_array().unwrap() {
        match &st["Action"] {
            Value::String(a) => out.push(a.clone()),
            Value::Array(a) => out.extend(a.iter().map(|x| x.as_str().unwrap().to_string())),
            other => panic!("Action {other}"),
        }
    }
    out
}

#[test]
fn the_collector_policy_names_only_list_and_read_actions() {
    let catalogue = Catalogue::get();
    for a in actions(&doc("collect-policy.json")) {
        let action = catalogue
            .action(&a)
            .unwrap_or_else(|| panic!("{a} is not in the action catalogue"));
        assert!(
            matches!(action.access_level(), AccessLevel::List | AccessLevel::Read),
            "{a} is {}",
            action.access_level()
        );
    }
}

#[test]
fn check_access_not_granted_proves_the_collector_policy_grants_no_write_action() {
    let policy = doc("collect-policy.json");
    let catalogue = Catalogue::get();
    let mut services: Vec<&str> = actions(&policy)
        .iter()
        .map(|a| catalogue.action(a).unwrap().service().prefix())
        .collect();
    services.sort();
    services.dedup();
    let writes: Vec<String> = services
        .iter()
        .flat_map(|p| catalogue.service(p).unwrap().actions())
        .filter(|a| !matches!(a.access_level(), AccessLevel::List | AccessLevel::Read))
        .map(|a| a.full_name())
        .collect();
    // iam, s3, kms, sqs, organizations and account have hundreds of such actions.
    assert!(writes.len() > 200, "{} actions", writes.len());
    let policy = policy.to_str().unwrap();
    let o = iamlogic(&[
        "check",
        "access-not-granted",
        "--action",
        &writes.join(","),
        policy,
    ]);
    o.assert_code(0);
    assert!(o.stdout().contains("access-not-granted: PASS"), "{o:?}");
    // Not vacuous: the same check finds the Read actions the policy does grant.
    let o = iamlogic(&[
        "check",
        "access-not-granted",
        "--action",
        "s3:GetBucketPolicy,iam:GetAccountAuthorizationDetails",
        policy,
    ]);
    o.assert_code(1);
    assert!(o.stdout().contains("actions (2)"), "{o:?}");
}

#[test]
fn the_assume_role_policy_grants_only_assuming_the_collector_role() {
    let policy = doc("collect-assume-policy.json");
    let policy = policy.to_str().unwrap();
    // Nothing at all on any other role...
    let o = iamlogic(&[
        "check",
        "access-not-granted",
        "--action",
        "*",
        "--resource",
        "arn:aws:iam::111122223333:role/Admin",
        policy,
    ]);
    o.assert_code(0);
    // ... and on the collector role, nothing but sts:AssumeRole.
    let o = iamlogic(&[
        "check",
        "access-not-granted",
        "--action",
        "sts:AssumeRole",
        "--resource",
        "arn:aws:iam::111122223333:role/IamlogicCollector",
        policy,
    ]);
    o.assert_code(1);
}
