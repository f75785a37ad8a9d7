//! End-to-end tests of `simulate --aws-input` and `--format aws`: input documents shaped
//! exactly like `aws iam simulate-custom-policy --generate-cli-skeleton` and
//! `aws iam simulate-principal-policy --generate-cli-skeleton` (IAM API Reference,
//! "SimulateCustomPolicy", "SimulatePrincipalPolicy"), output in the shape of AWS's
//! response (IAM API Reference, "EvaluationResult", "Statement").

mod support;

use serde_json::{json, Value};
use support::{examples, iamlogic, write, Run, TestCommand};

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

/// Run `simulate --aws-input` on `doc` with extra arguments; AWS's response and the run.
fn aws(doc: &Value, extra: &[&str]) -> (Value, Run) {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "input.json",
        &serde_json::to_string_pretty(doc).unwrap(),
    );
    let o = TestCommand::new()
        .args([
            "simulate",
            "--aws-input",
            f.to_str().unwrap(),
            "--format",
            "aws",
        ])
        .args(extra)
        .run();
    (o.json(), o)
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
    o.assert_code(1);
    assert_eq!(v["IsTruncated"], false);
    // EvaluationResult: "a single EvaluationResult per action, regardless of how many
    // resource ARNs are provided"; each resource in ResourceSpecificResults.
    let r = results(&v);
    assert_eq!(r.len(), 2, "{v}");
    /// An action's decision with each resource's.
    type PerAction<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>);
    let got: Vec<PerAction<'_>> = r
        .iter()
        .map(|e| {
            (
                e["EvalActionName"].as_str().unwrap(),
                e["EvalDecision"].as_str().unwrap(),
                e["ResourceSpecificResults"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| {
                        (
                            x["EvalResourceName"].as_str().unwrap(),
                            x["EvalResourceDecision"].as_str().unwrap(),
                        )
                    })
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "s3:GetObject",
                // "the most restrictive decision across all resources".
                "implicitDeny",
                vec![
                    ("arn:aws:s3:::reports/q1.csv", "allowed"),
                    ("arn:aws:s3:::other/x", "implicitDeny"),
                ]
            ),
            (
                "s3:DeleteObject",
                "explicitDeny",
                vec![
                    ("arn:aws:s3:::reports/q1.csv", "explicitDeny"),
                    ("arn:aws:s3:::other/x", "explicitDeny"),
                ]
            ),
        ]
    );
    // Several resources: the aggregate names none (each is in ResourceSpecificResults).
    assert!(r[0].get("EvalResourceName").is_none(), "{v}");
    // Statement: StartPosition and EndPosition are "the row and column of the beginning
    // (end) of the Statement" in the policy's text; AWS's Statement has no other member.
    let read = &r[0]["ResourceSpecificResults"][0];
    assert_eq!(
        read["MatchedStatements"],
        json!([{"SourcePolicyId": "PolicyInputList.1", "SourcePolicyType": "none",
            "StartPosition": {"Line": 3, "Column": 3}, "EndPosition": {"Line": 6, "Column": 3}}])
    );
    let deny = &r[1]["MatchedStatements"][0];
    assert!(deny.get("StatementIndex").is_none(), "{deny}");
    assert_eq!(deny["StartPosition"], json!({"Line": 7, "Column": 3}));
    assert_eq!(deny["EndPosition"], json!({"Line": 7, "Column": 85}));
    assert_eq!(r[1]["MatchedStatements"].as_array().unwrap().len(), 1);
    assert_eq!(read["MissingContextValues"], json!([]));
    // Same account with a resource ARN: EvalDecisionDetails "present but the response is
    // empty".
    assert_eq!(read["EvalDecisionDetails"], json!({}));
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
    o.assert_code(0);
    let r = &results(&v)[0];
    assert_eq!(r["EvalDecision"], "allowed");
    // One resource: it is named, and its result is also in ResourceSpecificResults.
    assert_eq!(
        r["EvalResourceName"],
        "arn:aws:s3:::partner-bucket/data.csv"
    );
    assert_eq!(r["ResourceSpecificResults"].as_array().unwrap().len(), 1);
    // Cross-account: EvalDecisionDetails, "how each policy type contributes".
    assert_eq!(
        r["EvalDecisionDetails"],
        json!({"IAM Policy": "allowed", "Resource Policy": "allowed"})
    );
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
    let (_, o) = aws(&custom_skeleton(with_policy.clone()), &[]);
    o.assert_code(2);
    let err = o.stderr();
    assert!(
        err.contains("input.json: $.CallerArn: required with a ResourcePolicy"),
        "{err}"
    );
    // CallerArn: "You can specify only the ARN of an IAM user": a role is refused.
    with_policy["CallerArn"] = json!("arn:aws:iam::111122223333:role/Reader");
    let (_, o) = aws(&custom_skeleton(with_policy), &[]);
    o.assert_code(2);
    assert!(
        o.stderr()
            .contains("input.json: $.CallerArn: `arn:aws:iam::111122223333:role/Reader` is not an IAM user ARN"),
        "{o:?}"
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
            "$.ContextEntries[0].ContextKeyValues: `not-an-ip` is not a valid",
        ),
        (
            custom_skeleton(json!({"PolicyInputList": [text(identity.clone())],
                "ActionNames": ["s3:GetObject"],
                "ContextEntries": [{"ContextKeyName": "aws:username",
                    "ContextKeyValues": ["a", "b"], "ContextKeyType": "string"}]})),
            "$.ContextEntries[0].ContextKeyValues: 2 values for a single-valued key",
        ),
        (
            custom_skeleton(json!({"PolicyInputList": [text(identity.clone())],
                "ActionNames": ["s3:GetObject"],
                "ContextEntries": [{"ContextKeyName": "aws:username",
                    "ContextKeyValues": ["a"], "ContextKeyType": "text"}]})),
            "$.ContextEntries[0].ContextKeyType: unknown type `text`",
        ),
        (
            custom_skeleton(json!({"PolicyInputList": [text(identity.clone())],
                "ActionNames": ["s3:GetObject"], "PolicySourceARN": "x"})),
            "$.PolicySourceARN: unknown field `PolicySourceARN`",
        ),
    ] {
        let f = write(dir.path(), "bad.json", &doc.to_string());
        let o = iamlogic(&["simulate", "--aws-input", f.to_str().unwrap()]);
        o.assert_code(2);
        let err = o.stderr();
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
    let f = f.to_str().unwrap();
    let o = iamlogic(&["simulate", "--scenario", f, "--format", "json"]);
    let v = o.json();
    assert_eq!(v["decision"], "allowed", "{o:?}");
    // --format aws works on scenarios too.
    let o = iamlogic(&["simulate", "--scenario", f, "--format", "aws"]);
    let v = o.json();
    assert_eq!(v["EvaluationResults"][0]["EvalDecision"], "allowed");
}

#[test]
fn skeleton_fields_iamlogic_does_not_apply_are_warned_about_not_dropped() {
    let doc = custom_skeleton(json!({
        "PolicyInputList": [text(json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*"}]}))],
        "ActionNames": ["ec2:RunInstances"],
        "MaxItems": 10,
        "Marker": "page-2"
    }));
    let (v, o) = aws(&doc, &[]);
    assert_eq!(results(&v)[0]["EvalDecision"], "allowed");
    let err = o.stderr();
    assert!(err.contains("MaxItems: not applied"), "{err}");
    assert!(err.contains("Marker: not applied"), "{err}");
}

#[test]
fn resource_handling_option_requires_its_scenarios_resources_iam_api_simulatecustompolicy() {
    // SimulateCustomPolicy, ResourceHandlingOption: "enable the policy simulator to enforce
    // the presence of the required resources"; EC2-VPC-InstanceStore: instance, image,
    // security group, network interface.
    let ec2 = |r: &str| format!("arn:aws:ec2:eu-west-1:123456789012:{r}");
    let policy = text(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*"}]}));
    let mut resources = vec![
        ec2("instance/*"),
        ec2("image/ami-1"),
        ec2("security-group/sg-1"),
    ];
    let doc = |resources: &[String], option: &str| {
        custom_skeleton(json!({
            "PolicyInputList": [policy.clone()],
            "ActionNames": ["ec2:RunInstances"],
            "ResourceArns": resources,
            "ResourceHandlingOption": option
        }))
    };
    let (_, o) = aws(&doc(&resources, "EC2-VPC-InstanceStore"), &[]);
    o.assert_code(2);
    assert!(
        o.stderr().contains("input.json: $.ResourceArns: ResourceHandlingOption `EC2-VPC-InstanceStore` requires a `network-interface` resource"),
        "{o:?}"
    );
    resources.push(ec2("network-interface/eni-1"));
    let (v, o) = aws(&doc(&resources, "EC2-VPC-InstanceStore"), &[]);
    o.assert_code(0);
    let r = &results(&v)[0];
    assert_eq!(r["EvalDecision"], "allowed");
    assert_eq!(r["ResourceSpecificResults"].as_array().unwrap().len(), 4);
    let (_, o) = aws(&doc(&resources, "EC2-Mainframe"), &[]);
    o.assert_code(2);
    assert!(
        o.stderr()
            .contains("input.json: $.ResourceHandlingOption: unknown scenario `EC2-Mainframe`"),
        "{o:?}"
    );
}

// ------------------------------------------------------------ simulate-principal-policy

fn ex() -> String {
    examples().to_string_lossy().into_owned()
}

/// The `--generate-cli-skeleton` document of `simulate-principal-policy`, every field
/// present with its placeholder, then `fill` applied.
fn principal_skeleton(fill: Value) -> Value {
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
}

/// The request context the example organization's SCPs expect (an allowed region).
fn region() -> Value {
    json!([{"ContextKeyName": "aws:RequestedRegion", "ContextKeyValues": ["eu-west-1"],
        "ContextKeyType": "string"}])
}

/// `(SourcePolicyId, SourcePolicyType)` of each matched statement of `r`.
fn sources(r: &Value) -> Vec<(String, String)> {
    r["MatchedStatements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["SourcePolicyId"].as_str().unwrap().to_string(),
                m["SourcePolicyType"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn simulate_principal_policy_input_against_account_data_iam_api_simulateprincipalpolicy() {
    // SimulatePrincipalPolicy: the policies of PolicySourceArn, plus PolicyInputList
    // ("an optional list of additional policy documents to include in the simulation").
    // carol (prod account) has AdministratorAccess through the Admins group.
    let skeleton = principal_skeleton;
    let base = json!({
        "PolicySourceArn": "arn:aws:iam::222222222222:user/carol",
        "ActionNames": ["ec2:DescribeInstances", "iam:PutRolePolicy"],
        "ResourceArns": ["*"],
        "ContextEntries": [{"ContextKeyName": "aws:RequestedRegion",
            "ContextKeyValues": ["eu-west-1"], "ContextKeyType": "string"}]
    });
    let ex = ex();
    let (v, o) = aws(&skeleton(base.clone()), &["-i", &ex]);
    o.assert_code(0);
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
    o.assert_code(1);
    let r = &results(&v)[0];
    assert_eq!(r["EvalDecision"], "explicitDeny");
    assert_eq!(
        r["MatchedStatements"][0]["SourcePolicyId"],
        "PolicyInputList.1"
    );
    // Without -i, the input cannot be decided.
    let (_, o) = aws(&skeleton(base), &[]);
    o.assert_code(2);
    assert!(o.stderr().contains("needs the account data"));
}

#[test]
fn policy_source_user_includes_its_groups_and_a_role_its_own_iam_api_simulateprincipalpolicy() {
    // SimulatePrincipalPolicy, PolicySourceArn: "If you specify a user, the simulation also
    // includes all policies that are attached to any groups the user belongs to."
    // alice: only her inline policy and her group Developers' AmazonSQSReadOnlyAccess.
    let ex = ex();
    let doc = principal_skeleton(json!({
        "PolicySourceArn": "arn:aws:iam::222222222222:user/alice",
        "ActionNames": ["sqs:ListQueues", "iam:CreateUser"],
        "ContextEntries": region()
    }));
    let (v, o) = aws(&doc, &["-i", &ex]);
    o.assert_code(1);
    let r = results(&v);
    assert_eq!(r[0]["EvalDecision"], "allowed", "{v}");
    assert!(
        sources(&r[0]).contains(&("AmazonSQSReadOnlyAccess".into(), "aws-managed".into())),
        "{v}"
    );
    assert_eq!(r[1]["EvalDecision"], "implicitDeny");
    // The example organization's SCPs apply: "how Organizations and its service control
    // policies affect the results".
    assert_eq!(
        r[0]["OrganizationsDecisionDetail"]["AllowedByOrganizations"],
        true
    );
    // `*`: "If the simulation ... specifies all resources (*), then the parameter is not
    // returned", nor ResourceSpecificResults.
    assert!(r[0].get("EvalDecisionDetails").is_none(), "{v}");
    assert!(r[0].get("ResourceSpecificResults").is_none(), "{v}");
    assert_eq!(r[0]["EvalResourceName"], "*");

    // "The entity can be an IAM user, group, or role": a role's own inline policy.
    let doc = principal_skeleton(json!({
        "PolicySourceArn": "arn:aws:iam::222222222222:role/app/AppRole",
        "ActionNames": ["s3:GetObject"],
        "ResourceArns": ["arn:aws:s3:::example-prod-data/app/config.json",
            "arn:aws:s3:::example-prod-data/finance/q1.csv"],
        "ContextEntries": region()
    }));
    let (v, o) = aws(&doc, &["-i", &ex]);
    o.assert_code(1);
    let r = &results(&v)[0];
    let per = r["ResourceSpecificResults"].as_array().unwrap();
    assert_eq!(per[0]["EvalResourceDecision"], "allowed", "{v}");
    assert_eq!(
        sources(&per[0]),
        vec![
            ("AppReadsData".to_string(), "role".to_string()),
            (
                "FullAWSAccess (p-FullAWSAccess)".to_string(),
                "none".to_string()
            ),
            (
                "RCPFullAWSAccess (p-RCPFullAWSAccess)".to_string(),
                "none".to_string()
            )
        ]
    );
    assert_eq!(per[1]["EvalResourceDecision"], "implicitDeny");
    assert_eq!(r["EvalDecision"], "implicitDeny");
}

#[test]
fn policy_source_group_simulates_a_member_of_the_group_iam_api_simulateprincipalpolicy() {
    // SimulatePrincipalPolicy: "The entity can be an IAM user, group, or role."
    let ex = ex();
    let group = |g: &str| {
        principal_skeleton(json!({
            "PolicySourceArn": format!("arn:aws:iam::222222222222:group/{g}"),
            "ActionNames": ["ec2:DescribeInstances", "sqs:ListQueues"],
            "ContextEntries": region()
        }))
    };
    let (v, o) = aws(&group("Admins"), &["-i", &ex]);
    o.assert_code(0);
    let r = results(&v);
    assert_eq!(r[0]["EvalDecision"], "allowed");
    assert!(
        sources(&r[0]).contains(&("AdministratorAccess".into(), "aws-managed".into())),
        "{v}"
    );
    // No warning about the simulated member: it stands for the group.
    assert!(!o.stderr().contains("iamlogic-simulated"), "{o:?}");
    let (v, o) = aws(&group("Developers"), &["-i", &ex]);
    o.assert_code(1);
    let r = results(&v);
    assert_eq!(r[0]["EvalDecision"], "implicitDeny", "{v}");
    assert_eq!(r[1]["EvalDecision"], "allowed");
    // A group with a ResourcePolicy needs a CallerArn: "CallerArn is required if you
    // include a ResourcePolicy and the PolicySourceArn is not the ARN for an IAM user".
    let mut doc = group("Admins");
    doc["ResourcePolicy"] = text(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]}));
    let (_, o) = aws(&doc, &["-i", &ex]);
    o.assert_code(2);
    assert!(
        o.stderr().contains(
            "input.json: $.CallerArn: required with a ResourcePolicy when PolicySourceArn is a group"
        ),
        "{o:?}"
    );
    // A PolicySourceArn that is not in the data: AWS answers NoSuchEntity.
    let (_, o) = aws(
        &principal_skeleton(json!({
            "PolicySourceArn": "arn:aws:iam::222222222222:group/Nobody",
            "ActionNames": ["s3:ListAllMyBuckets"]
        })),
        &["-i", &ex],
    );
    o.assert_code(2);
    assert!(o.stderr().contains("$.PolicySourceArn: `arn:aws:iam::222222222222:group/Nobody` is not a user, group or role of the loaded data"), "{o:?}");
    // A user the data lacks, too.
    let (_, o) = aws(
        &principal_skeleton(json!({
            "PolicySourceArn": "arn:aws:iam::222222222222:user/nobody",
            "ActionNames": ["s3:ListAllMyBuckets"]
        })),
        &["-i", &ex],
    );
    o.assert_code(2);
    assert!(o.stderr().contains("(AWS: NoSuchEntity)"), "{o:?}");
}

#[test]
fn caller_arn_calls_with_the_policy_sources_policies_iam_api_simulateprincipalpolicy() {
    // SimulatePrincipalPolicy, CallerArn: "If you include both a PolicySourceArn (for
    // example, David) and a CallerArn (for example, Bob), the result is that you simulate
    // calling the API operations as Bob, as if Bob had David's policies."
    let ex = ex();
    let bucket = text(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:user/alice"},
         "Action": "s3:GetObject", "Resource": "arn:aws:s3:::partner-share/*"}]}));
    let doc = |caller: &str| {
        principal_skeleton(json!({
            "PolicySourceArn": "arn:aws:iam::222222222222:user/carol",
            "CallerArn": caller,
            "ActionNames": ["ec2:DescribeInstances", "s3:GetObject"],
            "ResourceArns": ["arn:aws:s3:::partner-share/a.csv"],
            "ResourcePolicy": bucket.clone(),
            "ResourceOwner": "444455556666",
            "ContextEntries": region()
        }))
    };
    // alice with carol's AdministratorAccess: the identity side allows what alice alone
    // cannot, and the partner bucket's policy names alice (the caller): allowed across
    // accounts.
    let (v, o) = aws(&doc("arn:aws:iam::222222222222:user/alice"), &["-i", &ex]);
    let r = results(&v);
    assert_eq!(r[1]["EvalDecision"], "allowed", "{o:?}");
    assert!(sources(&r[1]).contains(&("AdministratorAccess".into(), "aws-managed".into())));
    assert!(sources(&r[1]).contains(&("ResourcePolicy".into(), "resource".into())));
    assert_eq!(
        r[1]["EvalDecisionDetails"],
        json!({"IAM Policy": "allowed", "Resource Policy": "allowed",
            "Service Control Policy": "allowed"})
    );
    // mallory with the same policies: the bucket policy does not name her.
    let (v, _) = aws(&doc("arn:aws:iam::222222222222:user/mallory"), &["-i", &ex]);
    let r = &results(&v)[1];
    assert_eq!(r["EvalDecision"], "implicitDeny", "{v}");
    assert_eq!(r["EvalDecisionDetails"]["Resource Policy"], "implicitDeny");
    assert_eq!(r["EvalDecisionDetails"]["IAM Policy"], "allowed");
    // "You can specify only the ARN of an IAM user": a role is refused.
    let (_, o) = aws(
        &doc("arn:aws:iam::222222222222:role/BuildAdmin"),
        &["-i", &ex],
    );
    o.assert_code(2);
    assert!(
        o.stderr().contains(
            "$.CallerArn: `arn:aws:iam::222222222222:role/BuildAdmin` is not an IAM user ARN"
        ),
        "{o:?}"
    );
}

#[test]
fn permissions_boundary_input_replaces_the_entitys_boundary_iam_api_simulateprincipalpolicy() {
    // SimulatePrincipalPolicy, PermissionsBoundaryPolicyInputList: "if a permissions
    // boundary is attached to an entity and you pass in a different permissions boundary
    // policy using this parameter, then the new permissions boundary policy is used".
    let ex = ex();
    let only_describe = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"ec2:Describe*\", \"Resource\": \"*\"}]}";
    let doc = principal_skeleton(json!({
        "PolicySourceArn": "arn:aws:iam::222222222222:user/carol",
        "PermissionsBoundaryPolicyInputList": [only_describe],
        "ActionNames": ["ec2:DescribeInstances", "iam:CreateUser"],
        "ContextEntries": region()
    }));
    let (v, o) = aws(&doc, &["-i", &ex]);
    o.assert_code(1);
    let r = results(&v);
    assert_eq!(r[0]["EvalDecision"], "allowed", "{v}");
    assert_eq!(
        r[0]["PermissionsBoundaryDecisionDetail"],
        json!({"AllowedByPermissionsBoundary": true})
    );
    let boundary = r[0]["MatchedStatements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["SourcePolicyId"] == "PermissionsBoundaryPolicyInputList.1")
        .cloned()
        .expect("the boundary's statement");
    assert_eq!(boundary["StartPosition"], json!({"Line": 1, "Column": 41}));
    // carol's AdministratorAccess allows iam:CreateUser; the boundary given does not.
    assert_eq!(r[1]["EvalDecision"], "implicitDeny");
    assert_eq!(
        r[1]["PermissionsBoundaryDecisionDetail"],
        json!({"AllowedByPermissionsBoundary": false})
    );
    // bob's own boundary (DevBoundary) is replaced, not added to: with a boundary that
    // allows everything, what DevBoundary refused is allowed by his identity policies.
    let all = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}]}";
    let bob = |boundary: Value| {
        principal_skeleton(json!({
            "PolicySourceArn": "arn:aws:iam::222222222222:user/contractors/bob",
            "PermissionsBoundaryPolicyInputList": boundary,
            "ActionNames": ["dynamodb:DeleteTable"],
            "ResourceArns": ["arn:aws:dynamodb:eu-west-1:222222222222:table/orders"],
            "ContextEntries": region()
        }))
    };
    let (own, _) = aws(&bob(json!([""])), &["-i", &ex]);
    let (replaced, _) = aws(&bob(json!([all])), &["-i", &ex]);
    assert_eq!(
        results(&replaced)[0]["EvalDecision"],
        "allowed",
        "{replaced}"
    );
    assert_ne!(results(&own)[0]["EvalDecision"], "allowed", "{own}");
    assert_eq!(
        results(&own)[0]["PermissionsBoundaryDecisionDetail"]["AllowedByPermissionsBoundary"],
        false
    );
}

#[test]
fn an_scp_deny_ends_the_simulation_iam_api_evaluationresult() {
    // EvaluationResult, EvalDecisionDetails: "If an AWS Organizations SCP included in the
    // evaluation denies access, the simulation ends ... this parameter is not returned";
    // OrganizationsDecisionDetail: "how Organizations and its service control policies
    // affect the results". The dev account's SCP NoDynamoDBInDev denies DynamoDB.
    let doc = principal_skeleton(json!({
        "PolicySourceArn": "arn:aws:iam::333333333333:role/OrgAdmin",
        "ActionNames": ["dynamodb:PutItem"],
        "ResourceArns": ["arn:aws:dynamodb:eu-west-1:333333333333:table/builds"],
        "ContextEntries": region()
    }));
    let (v, o) = aws(&doc, &["-i", &ex()]);
    o.assert_code(1);
    let r = &results(&v)[0];
    assert_eq!(r["EvalDecision"], "explicitDeny", "{v}");
    assert_eq!(
        r["OrganizationsDecisionDetail"],
        json!({"AllowedByOrganizations": false})
    );
    assert!(r.get("EvalDecisionDetails").is_none(), "{v}");
    assert!(
        r["ResourceSpecificResults"][0]
            .get("EvalDecisionDetails")
            .is_none(),
        "{v}"
    );
    assert_eq!(
        sources(r),
        vec![(
            "NoDynamoDBInDev (p-nodynamo1)".to_string(),
            "none".to_string()
        )]
    );
}
