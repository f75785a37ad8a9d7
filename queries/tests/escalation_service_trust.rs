//! The services' own `sts:AssumeRole` of a role passed to them, under trust policies with
//! the confused-deputy conditions AWS recommends ("The confused deputy problem"; "AWS global
//! condition context keys": `aws:SourceAccount`, `aws:SourceArn`). The service assumes the
//! role on behalf of the resource the attacker creates with it, in the role's account (a
//! role is passed only to a service of its own account), named by the attacker: a trust
//! policy requiring the role's own account, or an ARN pattern of that account the attacker
//! can name, still lets the Lambda technique (iam:PassRole + lambda:CreateFunction +
//! lambda:InvokeFunction) reach the role; one requiring another account does not. A trust
//! condition on a key the attacker does not control (`aws:SourceIp`, a service-specific
//! key, a present `aws:SourceArn` under `ArnNotLike`) makes the path `conditional`, naming
//! the key.

use queries::escalation::{escalation, EscalationReport, Options, Status};
use queries::simulate::AccountSimulator;
use serde_json::{json, Value};

const ACCT: &str = "111122223333";
const OTHER: &str = "444455556666";

fn arn(kind: &str, name: &str) -> String {
    format!("arn:aws:iam::{ACCT}:{kind}/{name}")
}

fn doc(statements: Vec<Value>) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// The attacker may pass role `svc` to Lambda, create and invoke functions; `svc` (an
/// administrator) trusts `lambda.amazonaws.com` under `condition`.
fn run(condition: Value) -> (EscalationReport, String, String) {
    run_in(condition, None)
}

/// [`run`], with the account in organization `org` (its id) when given.
fn run_in(condition: Value, org: Option<&str>) -> (EscalationReport, String, String) {
    let attacker = arn("user", "attacker");
    let svc = arn("role", "svc");
    let users = vec![json!({
        "UserName": "attacker", "UserId": "AIDAATTACKER", "Arn": attacker, "Path": "/",
        "GroupList": [], "AttachedManagedPolicies": [],
        "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": doc(vec![
            json!({"Effect": "Allow", "Action": "iam:PassRole", "Resource": svc}),
            json!({"Effect": "Allow", "Action": ["lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"}),
        ])}]
    })];
    let roles = vec![json!({
        "RoleName": "svc", "RoleId": "AROASVC", "Arn": svc, "Path": "/",
        "AssumeRolePolicyDocument": doc(vec![json!({"Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole",
            "Condition": condition})]),
        "RolePolicyList": [{"PolicyName": "admin", "PolicyDocument": doc(vec![
            json!({"Effect": "Allow", "Action": "*", "Resource": "*"})])}],
        "AttachedManagedPolicies": []
    })];
    let gaad = json!({"UserDetailList": users, "GroupDetailList": [],
        "RoleDetailList": roles, "Policies": []});
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("gaad.json"), gaad.to_string()).expect("write");
    if let Some(id) = org {
        let o = json!({"organizationId": id, "managementAccountId": OTHER, "rootId": "r-ab12",
            "organizationalUnits": [{"id": "ou-ab12-workload", "name": "W", "parentId": "r-ab12"}],
            "accounts": [{"id": OTHER, "name": "management", "parentId": "r-ab12"},
                {"id": ACCT, "name": "work", "parentId": "ou-ab12-workload"}]});
        std::fs::write(dir.path().join("organization.json"), o.to_string()).expect("write");
    }
    let sim = AccountSimulator::load(&[dir.path().to_path_buf()]).expect("load");
    let opts = Options {
        from: vec![attacker.clone()],
        ..Options::default()
    };
    let r = escalation(&sim, &opts, &mut |_| {}).expect("escalation");
    (r, attacker, svc)
}

/// The attacker's path to the administrator role, if any, and its techniques.
fn reached(r: &EscalationReport, attacker: &str, svc: &str) -> Option<(Status, Vec<String>)> {
    let e = r.escalations.iter().find(|e| e.principal == attacker)?;
    let steps: Vec<String> = e.path.steps.iter().map(|s| s.technique.clone()).collect();
    let via = e.path.steps.iter().any(|s| s.to == svc);
    via.then_some((e.status, steps))
}

#[test]
fn a_lambda_role_trusting_only_its_own_source_account_is_reached() {
    let (r, attacker, svc) = run(json!({"StringEquals": {"aws:SourceAccount": ACCT}}));
    assert!(r.administrators.contains(&svc), "{:?}", r.administrators);
    let (status, steps) = reached(&r, &attacker, &svc).expect("the attacker reaches the role");
    assert_eq!(status, Status::Allowed, "{steps:?}");
}

#[test]
fn a_lambda_role_trusting_only_another_source_account_is_not_reached() {
    let (r, attacker, svc) = run(json!({"StringEquals": {"aws:SourceAccount": OTHER}}));
    assert!(
        reached(&r, &attacker, &svc).is_none(),
        "{:?}",
        r.escalations
    );
}

#[test]
fn a_lambda_role_trusting_a_source_arn_pattern_of_its_account_is_reached() {
    let pattern = format!("arn:aws:lambda:*:{ACCT}:function:build-*");
    let (r, attacker, svc) = run(json!({"ArnLike": {"aws:SourceArn": pattern}}));
    let (status, _) = reached(&r, &attacker, &svc).expect("the attacker names its function");
    assert_eq!(status, Status::Allowed);
}

#[test]
fn a_lambda_role_trusting_a_source_arn_of_another_account_is_not_reached() {
    let pattern = format!("arn:aws:lambda:*:{OTHER}:function:build-*");
    let (r, attacker, svc) = run(json!({"ArnLike": {"aws:SourceArn": pattern}}));
    assert!(
        reached(&r, &attacker, &svc).is_none(),
        "{:?}",
        r.escalations
    );
}

#[test]
fn a_lambda_role_trusting_its_own_source_organization_is_reached_another_is_not() {
    let own = json!({"StringEquals": {"aws:SourceOrgID": "o-abcd1234"}});
    let (r, attacker, svc) = run_in(own.clone(), Some("o-abcd1234"));
    let (status, _) = reached(&r, &attacker, &svc).expect("the function is in the organization");
    assert_eq!(status, Status::Allowed);
    let path = json!({"ForAnyValue:StringLike": {"aws:SourceOrgPaths": "o-abcd1234/r-ab12/ou-ab12-workload/*"}});
    let (r, attacker, svc) = run_in(path, Some("o-abcd1234"));
    assert!(
        reached(&r, &attacker, &svc).is_some(),
        "{:?}",
        r.escalations
    );
    let (r, attacker, svc) = run_in(own, Some("o-other0000"));
    assert!(
        reached(&r, &attacker, &svc).is_none(),
        "{:?}",
        r.escalations
    );
}

/// The attacker's path to the role is `conditional`, and the step passing the role names
/// `key` in its condition.
fn conditional_naming(r: &EscalationReport, attacker: &str, svc: &str, key: &str) {
    let (status, steps) = reached(r, attacker, svc).expect("the attacker reaches the role");
    assert_eq!(status, Status::Conditional, "{steps:?}");
    let e = r.escalations.iter().find(|e| e.principal == attacker);
    let step = e
        .and_then(|e| e.path.steps.iter().find(|s| s.to == svc))
        .expect("a step to the role");
    assert!(step.technique.starts_with("lambda-"), "{step:?}");
    assert_eq!(step.status, Status::Conditional, "{step:?}");
    let c = step.condition.as_deref().unwrap_or_default();
    assert!(c.contains(key), "{c}");
}

#[test]
fn a_lambda_role_trusting_a_source_ip_range_is_reached_conditionally() {
    let (r, attacker, svc) = run(json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}));
    conditional_naming(&r, &attacker, &svc, "aws:SourceIp");
}

#[test]
fn a_lambda_role_trusting_a_service_specific_key_is_reached_conditionally() {
    let (r, attacker, svc) = run(json!({
        "StringEquals": {"aws:SourceAccount": ACCT, "lambda:EventSourceToken": "tok-1"}
    }));
    conditional_naming(&r, &attacker, &svc, "lambda:EventSourceToken");
}

#[test]
fn a_lambda_role_trusting_present_source_arns_not_like_a_name_is_reached_conditionally() {
    let pattern = format!(
        "arn:aws:lambda:*:{ACCT}:function:{}",
        "iamlogic-escalation*"
    );
    // The service must name a source (`Null` false) that is not the attacker's chosen name.
    let (r, attacker, svc) = run(json!({
        "ArnNotLike": {"aws:SourceArn": pattern.clone()},
        "Null": {"aws:SourceArn": "false"}
    }));
    conditional_naming(&r, &attacker, &svc, "aws:SourceArn");
    // Without `Null`: a request without aws:SourceArn meets the negated operator (the
    // engine's rule for an absent key), so the edge is allowed, as before.
    let (r, attacker, svc) = run(json!({"ArnNotLike": {"aws:SourceArn": pattern}}));
    let (status, _) = reached(&r, &attacker, &svc).expect("reached");
    assert_eq!(status, Status::Allowed);
}

/// Operators whose witness is not the policy's own value: a strict date bound (written as
/// an ISO 8601 date, filled as epoch seconds one second before it), a non-integer numeric
/// bound, and a base64 value ("Condition operators": date, numeric, binary).
#[test]
fn a_lambda_role_trusting_strict_dates_numbers_and_binary_values_is_reached_conditionally() {
    for (condition, key) in [
        (
            json!({"DateLessThan": {"lambda:DeployedBefore": "2030-01-01T00:00:00Z"}}),
            "lambda:DeployedBefore",
        ),
        (
            json!({"DateGreaterThan": {"lambda:DeployedAfter": "2020-01-01"}}),
            "lambda:DeployedAfter",
        ),
        (
            json!({"NumericLessThan": {"lambda:Weight": "2.5"}}),
            "lambda:Weight",
        ),
        (
            json!({"BinaryEquals": {"lambda:Token": "aWFtbG9naWM="}}),
            "lambda:Token",
        ),
    ] {
        let (r, attacker, svc) = run(condition);
        conditional_naming(&r, &attacker, &svc, key);
    }
}

#[test]
fn a_condition_the_service_cannot_meet_is_still_denied() {
    // Another account's source and an IP range: the witness keeps aws:SourceAccount.
    let (r, attacker, svc) = run(json!({
        "StringEquals": {"aws:SourceAccount": OTHER},
        "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}
    }));
    assert!(
        reached(&r, &attacker, &svc).is_none(),
        "{:?}",
        r.escalations
    );
}
