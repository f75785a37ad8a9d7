//! Conditional escalation steps: a permission allowed only under a condition on a key a live
//! request carries that the attacker may not control (`aws:MultiFactorAuthPresent`,
//! `aws:SourceIp`: "AWS global condition context keys") makes its step `conditional`, with
//! the condition; a condition the attacker satisfies itself (`iam:PassedToService` when it
//! passes the role to the right service, the tags it sends) leaves it `allowed`.

use std::path::Path;

use queries::escalation::{escalation, EscalationReport, Options, Status};
use queries::simulate::AccountSimulator;
use serde_json::{json, Value};

const ACCT: &str = "111122223333";

fn arn(kind: &str, name: &str) -> String {
    format!("arn:aws:iam::{ACCT}:{kind}/{name}")
}

fn doc(statements: Vec<Value>) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// An account: user `attacker` with `stmts`; role `target` (administrator) trusting Lambda
/// and EC2, and the attacker only when `trust_condition` is given (under it).
fn account(dir: &Path, stmts: Vec<Value>, trust_condition: Option<Value>) -> String {
    let attacker = arn("user", "attacker");
    let mut trust = vec![
        json!({"Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com", "ec2.amazonaws.com"]}, "Action": "sts:AssumeRole"}),
    ];
    if let Some(c) = trust_condition {
        trust.push(json!({"Effect": "Allow", "Principal": {"AWS": attacker}, "Action": "sts:AssumeRole", "Condition": c}));
    }
    let trust = doc(trust);
    let gaad = json!({
        "UserDetailList": [{
            "UserName": "attacker", "UserId": "AIDAATTACKER", "Arn": attacker, "Path": "/",
            "GroupList": [], "AttachedManagedPolicies": [],
            "UserPolicyList": [{"PolicyName": "attacker", "PolicyDocument": doc(stmts)}]
        }],
        "GroupDetailList": [],
        "RoleDetailList": [{
            "RoleName": "target", "RoleId": "AROATARGET", "Arn": arn("role", "target"), "Path": "/",
            "AssumeRolePolicyDocument": trust,
            "RolePolicyList": [{"PolicyName": "admin", "PolicyDocument": doc(vec![json!({"Effect": "Allow", "Action": "*", "Resource": "*"})])}],
            "AttachedManagedPolicies": [],
            "InstanceProfileList": [{"InstanceProfileName": "target", "InstanceProfileId": "AIPATARGET",
                "Arn": format!("arn:aws:iam::{ACCT}:instance-profile/target"), "Path": "/"}]
        }],
        "Policies": []
    });
    std::fs::write(dir.join("gaad.json"), gaad.to_string()).expect("write");
    attacker
}

fn run(stmts: Vec<Value>, trust_condition: Option<Value>) -> (EscalationReport, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let attacker = account(dir.path(), stmts, trust_condition);
    let sim = AccountSimulator::load(&[dir.path().to_path_buf()]).expect("load");
    let opts = Options {
        from: vec![attacker.clone()],
        ..Options::default()
    };
    (
        escalation(&sim, &opts, &mut |_| {}).expect("escalation"),
        attacker,
    )
}

fn mfa() -> Value {
    json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}})
}

#[test]
fn put_user_policy_only_with_mfa_is_conditional_with_that_condition() {
    let (r, attacker) = run(
        vec![
            json!({"Effect": "Allow", "Action": "iam:PutUserPolicy", "Resource": arn("user", "attacker"), "Condition": mfa()}),
        ],
        None,
    );
    let e = r
        .escalations
        .iter()
        .find(|e| e.principal == attacker)
        .expect("the attacker escalates under the condition");
    assert_eq!(e.status, Status::Conditional);
    let step = &e.path.steps[0];
    assert_eq!(step.technique, "iam-007");
    assert_eq!(step.status, Status::Conditional);
    let cond = step.condition.as_deref().unwrap_or_default();
    assert!(cond.contains("aws:MultiFactorAuthPresent"), "{cond}");
    let p = &step.permissions[0];
    assert_eq!(p.action, "iam:PutUserPolicy");
    assert!(
        p.condition
            .as_deref()
            .is_some_and(|c| c.contains("aws:MultiFactorAuthPresent")),
        "{p:?}"
    );
    assert!(
        p.allowed_by.iter().any(|m| m.policy.contains("attacker")),
        "{p:?}"
    );
}

#[test]
fn assume_role_only_from_an_office_network_is_conditional_with_that_condition() {
    let (r, attacker) = run(
        vec![
            json!({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": arn("role", "target")}),
        ],
        Some(json!({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})),
    );
    let e = r
        .escalations
        .iter()
        .find(|e| e.principal == attacker)
        .expect("the attacker escalates under the condition");
    let steps: Vec<&str> = e.path.steps.iter().map(|s| s.technique.as_str()).collect();
    assert_eq!(steps, ["sts-001", "admin"]);
    assert_eq!(e.path.steps[0].status, Status::Conditional);
    assert_eq!(e.path.steps[1].status, Status::Allowed);
    assert_eq!(e.path.status, Status::Conditional);
    let cond = e.path.steps[0].condition.as_deref().unwrap_or_default();
    assert!(
        cond.contains("aws:SourceIp") && cond.contains("203.0.113.0/24"),
        "{cond}"
    );
}

#[test]
fn a_condition_the_attacker_satisfies_leaves_the_step_allowed() {
    // iam:PassedToService = lambda.amazonaws.com when passing to Lambda; a tag it sends.
    let (r, attacker) = run(
        vec![
            json!({"Effect": "Allow", "Action": "iam:PassRole", "Resource": arn("role", "target"),
                   "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}}),
            json!({"Effect": "Allow", "Action": "lambda:CreateFunction", "Resource": "*",
                   "Condition": {"StringEquals": {"aws:RequestTag/team": "dev"}}}),
            json!({"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "*"}),
        ],
        None,
    );
    let e = r
        .escalations
        .iter()
        .find(|e| e.principal == attacker)
        .expect("the attacker escalates");
    assert_eq!(e.status, Status::Allowed, "{e:?}");
    let step = &e.path.steps[0];
    assert_eq!(step.technique, "lambda-001");
    assert_eq!(step.status, Status::Allowed);
    assert!(step.condition.is_none());
    let create = step
        .permissions
        .iter()
        .find(|p| p.action == "lambda:CreateFunction")
        .expect("CreateFunction");
    assert!(
        create
            .context
            .iter()
            .any(|c| c.contains("aws:RequestTag/team")),
        "the tag the caller sends is shown: {create:?}"
    );
}

#[test]
fn pass_role_limited_to_another_service_gives_no_step() {
    let (r, attacker) = run(
        vec![
            json!({"Effect": "Allow", "Action": "iam:PassRole", "Resource": arn("role", "target"),
                   "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}}),
            json!({"Effect": "Allow", "Action": ["lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"}),
        ],
        None,
    );
    assert!(
        !r.escalations.iter().any(|e| e.principal == attacker),
        "{:?}",
        r.escalations
    );
}

#[test]
fn conditional_steps_show_their_condition_in_text_json_dot_and_mermaid() {
    let dir = tempfile::tempdir().expect("tempdir");
    account(
        dir.path(),
        vec![
            json!({"Effect": "Allow", "Action": "iam:PutUserPolicy", "Resource": arn("user", "attacker"), "Condition": mfa()}),
        ],
        None,
    );
    let run = |format: &str| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_iamlogic"))
            .args(["escalation", "-q", "-i"])
            .arg(dir.path())
            .args(["--format", format])
            .output()
            .expect("run iamlogic");
        assert_eq!(o.status.code(), Some(1), "escalation found: exit 1");
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let text = run("text");
    assert!(
        text.contains("conditional, 1 step") && text.contains("only if aws:MultiFactorAuthPresent"),
        "{text}"
    );
    let v: Value = serde_json::from_str(&run("json")).expect("json");
    let step = &v["escalations"][0]["path"]["steps"][0];
    assert_eq!(step["status"], "conditional");
    assert!(step["condition"]
        .as_str()
        .is_some_and(|c| c.contains("aws:MultiFactorAuthPresent")));
    let dot = run("dot");
    assert!(
        dot.lines()
            .any(|l| l.contains("iam-007 (if aws:MultiFactorAuthPresent")
                && l.contains("style=dashed")),
        "{dot}"
    );
    let mer = run("mermaid");
    assert!(
        mer.lines()
            .any(|l| l.contains("-.->") && l.contains("iam-007 (if aws:MultiFactorAuthPresent")),
        "{mer}"
    );
}
