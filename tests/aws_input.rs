//! End-to-end tests of `simulate --aws-input` and `--format aws`: input documents shaped
//! exactly like `aws iam simulate-custom-policy --generate-cli-skeleton` and
//! `aws iam simulate-principal-policy --generate-cli-skeleton` (IAM API Reference,
//! "SimulateCustomPolicy", "SimulatePrincipalPolicy"), output in the shape of AWS's
//! response (IAM API Reference, "EvaluationResult", "Statement").

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{json, Value};

fn iamlogic(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iamlogic"))
        .args(args)
        .output()
        .expect("run iamlogic")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write fixture");
    p
}

/// The `--generate-cli-skeleton` document of `simulate-custom-policy`, every field present
/// with its placeholder, then `fill` applied.
fn custom_skeleton(fill: Value) -> Value {
    let mut s = json!({
        "PolicyInputList": [""],
        "PermissionsBoundaryPolicyInputList": [""],
        "ActionNames": [""],
        "ResourceArns": [""],
        "ResourcePolicy": "",
        "ResourceOwner": "",
        "CallerArn": "",
        "ContextEntries": [
            {"ContextKeyName": "", "ContextKeyValues": [""], "ContextKeyType": "string"}
        ],
        "ResourceHandlingOption": "",
        "MaxItems": 0,
        "Marker": ""
    });
    for (k, v) in fill.as_object().unwrap() {
        s[k] = v.clone();
    }
    s
}

/// Run `simulate --aws-input` on `doc` with extra arguments; AWS's response and the output.
fn aws(doc: &Value, extra: &[&str]) -> (Value, Output) {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "input.json",
        &serde_json::to_string_pretty(doc).unwrap(),
    );
    let mut args = vec![
        "simulate",
        "--aws-input",
        f.to_str().unwrap(),
        "--format",
        "aws",
    ];
    args.extend_from_slice(extra);
    let o = iamlogic(&args);
    let v = serde_json::from_slice(&o.stdout).unwrap_or(Value::Null);
    (v, o)
}

fn results(v: &Value) -> &Vec<Value> {
    v["EvaluationResults"]
        .as_array()
        .expect("EvaluationResults")
}

/// Policies as AWS takes them: JSON text in a string.
fn text(v: Value) -> Value {
    Value::String(v.to_string())
}

const ALICE: &str = "arn:aws:iam::111122223333:user/alice";

#[test]
fn simulate_custom_policy_input_each_action_on_each_resource_iam_api_simulatecustompolicy() {
    // SimulateCustomPolicy: "Each operation is evaluated against each resource";
    // PolicyInputList holds policy documents as strings.
    // As text, the way AWS takes it; statement 0 spans lines 3-6, statement 1 is line 7.
    let identity = "{\"Version\": \"2012-10-17\",\n \"Statement\": [\n  {\"Sid\": \"Read\", \"Effect\": \"Allow\",\n   \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::reports/*\",\n   \"Condition\": {\"Bool\": {\"aws:SecureTransport\": \"true\"}}\n  },\n  {\"Sid\": \"NoDelete\", \"Effect\": \"Deny\", \"Action\": \"s3:DeleteObject\", \"Resource\": \"*\"}]}";
    let doc = custom_skeleton(json!({
        "PolicyInputList": [identity],
        "ActionNames": ["s3:GetObject", "s3:DeleteObject"],
        "ResourceArns": ["arn:aws:s3:::reports/q1.csv", "arn:aws:s3:::other/x"],
        "CallerArn": ALICE,
        "ContextEntries": [{"ContextKeyName": "aws:SecureTransport",
            "ContextKeyValues": ["true"], "ContextKeyType": "boolean"}]
    }));
    let (v, o) = aws(&doc, &[]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert_eq!(v["IsTruncated"], false);
    let r = results(&v);
    let got: Vec<(&str, &str, &str)> = r
        .iter()
        .map(|e| {
            (
                e["EvalActionName"].as_str().unwrap(),
                e["EvalResourceName"].as_str().unwrap(),
                e["EvalDecision"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("s3:GetObject", "arn:aws:s3:::reports/q1.csv", "allowed"),
            ("s3:GetObject", "arn:aws:s3:::other/x", "implicitDeny"),
            (
                "s3:DeleteObject",
                "arn:aws:s3:::reports/q1.csv",
                "explicitDeny"
            ),
            ("s3:DeleteObject", "arn:aws:s3:::other/x", "explicitDeny"),
        ]
    );
    // Statement: StartPosition and EndPosition are "the row and column of the beginning
    // (end) of the Statement" in the policy's text.
    assert_eq!(
        r[0]["MatchedStatements"],
        json!([{"SourcePolicyId": "PolicyInputList.1", "SourcePolicyType": "none",
            "StartPosition": {"Line": 3, "Column": 3}, "EndPosition": {"Line": 6, "Column": 3},
            "StatementIndex": 0}])
    );
    assert_eq!(r[2]["MatchedStatements"][0]["StatementIndex"], 1);
    assert_eq!(
        r[2]["MatchedStatements"][0]["StartPosition"],
        json!({"Line": 7, "Column": 3})
    );
    assert_eq!(
        r[2]["MatchedStatements"][0]["EndPosition"],
        json!({"Line": 7, "Column": 85})
    );
    assert_eq!(r[0]["MissingContextValues"], json!([]));
}

#[test]
fn missing_context_values_name_the_keys_the_policies_read_iam_api_evaluationresult() {
    // EvaluationResult.MissingContextValues: "context keys that are required by the
    // included input policies but that were not provided by one of the input parameters".
    let identity = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
         "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"},
                       "Bool": {"aws:MultiFactorAuthPresent": "true"}}},
        {"Effect": "Allow", "Action": "ec2:*", "Resource": "*",
         "Condition": {"StringEquals": {"ec2:InstanceType": "t3.micro"}}}]});
    let doc = custom_skeleton(json!({
        "PolicyInputList": [text(identity)],
        "ActionNames": ["s3:GetObject"],
        "CallerArn": ALICE,
        "ContextEntries": [{"ContextKeyName": "aws:SourceIp",
            "ContextKeyValues": ["203.0.113.7"], "ContextKeyType": "ip"}]
    }));
    let (v, _) = aws(&doc, &[]);
    let r = &results(&v)[0];
    assert_eq!(r["EvalResourceName"], "*");
    assert_eq!(r["EvalDecision"], "implicitDeny");
    // aws:SourceIp was given; ec2:InstanceType belongs to a statement of another action.
    assert_eq!(
        r["MissingContextValues"],
        json!(["aws:MultiFactorAuthPresent"])
    );
}

#[test]
fn resource_policy_and_resource_owner_cross_account_iam_api_simulatecustompolicy() {
    // SimulateCustomPolicy: ResourceOwner is "the owner of any simulated resource that does
    // not identify its owner in the resource ARN", and CallerArn "is required if you
    // include a ResourcePolicy".
    let identity = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]});
    let bucket = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
         "Action": "s3:GetObject", "Resource": "arn:aws:s3:::partner-bucket/*"}]});
    let base = json!({
        "PolicyInputList": [text(identity)],
        "ActionNames": ["s3:GetObject"],
        "ResourceArns": ["arn:aws:s3:::partner-bucket/data.csv"],
        "CallerArn": ALICE,
        "ResourceOwner": "arn:aws:iam::444455556666:root"
    });
    // Another account owns the bucket: the identity policy alone is not enough (CROSS).
    let (v, _) = aws(&custom_skeleton(base.clone()), &[]);
    assert_eq!(results(&v)[0]["EvalDecision"], "implicitDeny");
    let mut with_policy = base.clone();
    with_policy["ResourcePolicy"] = text(bucket);
    let (v, o) = aws(&custom_skeleton(with_policy.clone()), &[]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let r = &results(&v)[0];
    assert_eq!(r["EvalDecision"], "allowed");
    let ids: Vec<(&str, &str)> = r["MatchedStatements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["SourcePolicyId"].as_str().unwrap(),
                m["SourcePolicyType"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        ids,
        vec![
            ("PolicyInputList.1", "none"),
            ("ResourcePolicy", "resource")
        ]
    );
    // Without CallerArn, AWS refuses a ResourcePolicy: so does iamlogic (exit 2).
    with_policy["CallerArn"] = json!("");
    let (_, o) = aws(&custom_skeleton(with_policy), &[]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("input.json: CallerArn: required with a ResourcePolicy"),
        "{err}"
    );
}

#[test]
fn context_entries_types_and_lists_iam_api_contextentry() {
    // ContextEntry: ContextKeyType `...List` types carry several values.
    let identity = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*",
         "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]}}}]});
    let entries = |values: Value, ty: &str| {
        custom_skeleton(json!({
            "PolicyInputList": [text(identity.clone())],
            "ActionNames": ["ec2:RunInstances"],
            "CallerArn": ALICE,
            "ContextEntries": [{"ContextKeyName": "aws:TagKeys",
                "ContextKeyValues": values, "ContextKeyType": ty}]
        }))
    };
    let (v, _) = aws(&entries(json!(["team", "env"]), "stringList"), &[]);
    assert_eq!(results(&v)[0]["EvalDecision"], "allowed");
    let (v, _) = aws(&entries(json!(["team", "owner"]), "stringList"), &[]);
    assert_eq!(results(&v)[0]["EvalDecision"], "implicitDeny");
    // Wrong values for a type, several values under a scalar type, an unknown type: errors
    // naming the field.
    let dir = tempfile::tempdir().unwrap();
    for (doc, want) in [
        (
            custom_skeleton(json!({"PolicyInputList": [text(identity.clone())],
                "ActionNames": ["s3:GetObject"],
                "ContextEntries": [{"ContextKeyName": "aws:SourceIp",
                    "ContextKeyValues": ["not-an-ip"], "ContextKeyType": "ip"}]})),
            "ContextEntries[0].ContextKeyValues: `not-an-ip` is not a valid",
        ),
        (
            custom_skeleton(json!({"PolicyInputList": [text(identity.clone())],
                "ActionNames": ["s3:GetObject"],
                "ContextEntries": [{"ContextKeyName": "aws:username",
                    "ContextKeyValues": ["a", "b"], "ContextKeyType": "string"}]})),
            "ContextEntries[0].ContextKeyValues: 2 values for a single-valued key",
        ),
        (
            custom_skeleton(json!({"PolicyInputList": [text(identity.clone())],
                "ActionNames": ["s3:GetObject"],
                "ContextEntries": [{"ContextKeyName": "aws:username",
                    "ContextKeyValues": ["a"], "ContextKeyType": "text"}]})),
            "ContextEntries[0].ContextKeyType: unknown type `text`",
        ),
        (
            custom_skeleton(json!({"PolicyInputList": [text(identity.clone())],
                "ActionNames": ["s3:GetObject"], "PolicySourceARN": "x"})),
            "PolicySourceARN: unknown field `PolicySourceARN`",
        ),
    ] {
        let f = write(dir.path(), "bad.json", &doc.to_string());
        let o = iamlogic(&["simulate", "--aws-input", f.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{o:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(&format!("bad.json: {want}")), "{err}");
    }
}

#[test]
fn scenario_context_may_be_a_context_entries_list_iam_api_contextentry() {
    let dir = tempfile::tempdir().unwrap();
    let s = json!({"principal": ALICE, "action": "s3:GetObject",
        "resource": "arn:aws:s3:::reports/q1.csv",
        "identityPolicies": [{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
             "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}],
        "context": [{"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["10.1.2.3"],
            "ContextKeyType": "ip"}]});
    let f = write(dir.path(), "s.json", &s.to_string());
    let o = iamlogic(&[
        "simulate",
        "--scenario",
        f.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["decision"], "allowed", "{o:?}");
    // --format aws works on scenarios too.
    let o = iamlogic(&[
        "simulate",
        "--scenario",
        f.to_str().unwrap(),
        "--format",
        "aws",
    ]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["EvaluationResults"][0]["EvalDecision"], "allowed");
}

#[test]
fn skeleton_fields_iamlogic_does_not_apply_are_warned_about_not_dropped() {
    let doc = custom_skeleton(json!({
        "PolicyInputList": [text(json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*"}]}))],
        "ActionNames": ["ec2:RunInstances"],
        "ResourceHandlingOption": "EC2-VPC-InstanceStore",
        "MaxItems": 10
    }));
    let (v, o) = aws(&doc, &[]);
    assert_eq!(results(&v)[0]["EvalDecision"], "allowed");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("ResourceHandlingOption: `EC2-VPC-InstanceStore` is not applied"),
        "{err}"
    );
    assert!(err.contains("MaxItems: not applied"), "{err}");
}

// ------------------------------------------------------------ simulate-principal-policy

fn examples() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .to_string_lossy()
        .into_owned()
}

#[test]
fn simulate_principal_policy_input_against_account_data_iam_api_simulateprincipalpolicy() {
    // SimulatePrincipalPolicy: the policies of PolicySourceArn, plus PolicyInputList
    // ("an optional list of additional policy documents to include in the simulation").
    // carol (prod account) has AdministratorAccess through the Admins group.
    let skeleton = |fill: Value| {
        let mut s = json!({
            "PolicySourceArn": "",
            "PolicyInputList": [""],
            "PermissionsBoundaryPolicyInputList": [""],
            "ActionNames": [""],
            "ResourceArns": [""],
            "ResourcePolicy": "",
            "ResourceOwner": "",
            "CallerArn": "",
            "ContextEntries": [{"ContextKeyName": "", "ContextKeyValues": [""], "ContextKeyType": "string"}],
            "ResourceHandlingOption": "",
            "MaxItems": 0,
            "Marker": ""
        });
        for (k, v) in fill.as_object().unwrap() {
            s[k] = v.clone();
        }
        s
    };
    let base = json!({
        "PolicySourceArn": "arn:aws:iam::222222222222:user/carol",
        "ActionNames": ["ec2:DescribeInstances", "iam:PutRolePolicy"],
        "ResourceArns": ["*"],
        "ContextEntries": [{"ContextKeyName": "aws:RequestedRegion",
            "ContextKeyValues": ["eu-west-1"], "ContextKeyType": "string"}]
    });
    let ex = examples();
    let (v, o) = aws(&skeleton(base.clone()), &["-i", &ex]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let r = results(&v);
    assert_eq!(r[0]["EvalDecision"], "allowed");
    assert!(
        r[0]["MatchedStatements"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["SourcePolicyId"] == "AdministratorAccess"
                && m["SourcePolicyType"] == "aws-managed"),
        "{v}"
    );
    // An added policy counts like the entity's own.
    let mut denied = base.clone();
    denied["PolicyInputList"] = json!([text(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "ec2:Describe*", "Resource": "*"}]}))]);
    let (v, o) = aws(&skeleton(denied), &["-i", &ex]);
    assert_eq!(o.status.code(), Some(1));
    let r = &results(&v)[0];
    assert_eq!(r["EvalDecision"], "explicitDeny");
    assert_eq!(
        r["MatchedStatements"][0]["SourcePolicyId"],
        "PolicyInputList.1"
    );
    // Without -i, the input cannot be decided.
    let (_, o) = aws(&skeleton(base), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("needs the account data"));
}
