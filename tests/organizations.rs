//! End-to-end decisions for organization inputs and VPC endpoints (issue 8, points 4, 6, 7):
//! policy types an organization has not enabled, RCPFullAWSAccess, the management account,
//! several organizations in one run, and VPC endpoint policies from account data. Each test
//! names the AWS documentation page of the rule it checks (docs/evaluation-logic.md lists
//! them with these tests).

mod support;

use std::path::Path;

use serde_json::{json, Value};
use support::{simulate_one, Run, TestCommand};
use tempfile::TempDir;

const ALICE: &str = "arn:aws:iam::222222222222:user/alice";
const OPS: &str = "arn:aws:iam::111111111111:user/ops";
const BOB: &str = "arn:aws:iam::555555555555:user/bob";
const EVE: &str = "arn:aws:iam::777777777777:user/eve";
const DATA_A: &str = "arn:aws:s3:::data-a";
const MGMT_BUCKET: &str = "arn:aws:s3:::mgmt-logs";
const DATA_B: &str = "arn:aws:s3:::data-b";

fn write(dir: &Path, name: &str, v: &Value) {
    std::fs::write(dir.join(name), serde_json::to_string_pretty(v).unwrap()).unwrap();
}

fn admin() -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
}

fn deny(action: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Sid": "Deny", "Effect": "Deny", "Action": action, "Resource": "*"}]})
}

fn allow_all_rcp() -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]})
}

fn rcp_deny(action: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Sid": "RcpDeny", "Effect": "Deny", "Principal": "*", "Action": action, "Resource": "*"}]})
}

/// A GAAD with one administrator user per (account, name).
fn gaad(users: &[(&str, &str)]) -> Value {
    let list: Vec<Value> = users
        .iter()
        .map(|(acct, name)| {
            json!({"UserName": name, "UserId": format!("AIDA{}", name.to_uppercase()), "Path": "/",
                   "Arn": format!("arn:aws:iam::{acct}:user/{name}"),
                   "UserPolicyList": [{"PolicyName": "admin", "PolicyDocument": admin()}]})
        })
        .collect();
    json!({"UserDetailList": list})
}

/// An organization `o-<tag>00000000`, root `r-<tag>`, one OU with the member accounts.
fn org(tag: &str, management: &str, members: &[&str], policies: Value) -> Value {
    let ou = format!("ou-{tag}-11111111");
    let root = format!("r-{tag}");
    let accounts: Vec<Value> = members
        .iter()
        .map(|a| json!({"id": a, "parentId": ou}))
        .collect();
    json!({
        "organizationId": format!("o-{tag}00000000"), "managementAccountId": management, "rootId": root,
        "organizationalUnits": [{"id": ou, "name": "Workloads", "parentId": root}],
        "accounts": accounts, "policies": policies
    })
}

/// Every node of `org`: root, OU, management account, members.
fn everywhere(tag: &str, management: &str, members: &[&str]) -> Vec<String> {
    let mut v = vec![
        format!("r-{tag}"),
        format!("ou-{tag}-11111111"),
        management.to_string(),
    ];
    v.extend(members.iter().map(|m| m.to_string()));
    v
}

fn policy(id: &str, kind: &str, doc: Value, targets: &[String]) -> Value {
    json!({"id": id, "name": id, "type": kind, "document": doc, "targets": targets})
}

fn full_access(tag: &str, management: &str, members: &[&str]) -> Value {
    policy(
        "p-FullAWSAccess",
        "SERVICE_CONTROL_POLICY",
        admin(),
        &everywhere(tag, management, members),
    )
}

/// `simulate -i dir --requests` over `requests`; the JSON result of each, in order.
fn simulate(dir: &Path, requests: &[Value]) -> Vec<Value> {
    let lines: Vec<String> = requests.iter().map(Value::to_string).collect();
    let req = dir.join("requests.jsonl");
    std::fs::write(&req, lines.join("\n")).unwrap();
    let o = TestCommand::new()
        .args(["simulate", "-q", "-i"])
        .arg(dir)
        .arg("--requests")
        .arg(&req)
        .args(["--format", "json"])
        .run();
    let results: Vec<Value> = o
        .stdout()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(results.len(), requests.len(), "{o:?}");
    let all_allowed = results.iter().all(|r| r["decision"] == "allowed");
    assert_eq!(
        o.status.code(),
        Some(if all_allowed { 0 } else { 1 }),
        "{o:?}"
    );
    results
}

fn req(principal: &str, action: &str, resource: &str) -> Value {
    json!({"principal": principal, "action": action, "resource": resource})
}

fn decisions(results: &[Value]) -> Vec<&str> {
    results
        .iter()
        .map(|r| r["decision"].as_str().unwrap())
        .collect()
}

/// `simulate -i dir --principal alice --action s3:GetObject --resource data-a EXTRA...`.
fn simulate_alice_get(dir: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["--resource", DATA_A];
    args.extend_from_slice(extra);
    simulate_one(dir, ALICE, "s3:GetObject", &args)
}

/// A fresh directory with the GAAD of `alice` (222222222222) only.
fn alice_dir() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "gaad.json", &gaad(&[("222222222222", "alice")]));
    dir
}

/// A fresh directory with organization A (management 111111111111, member 222222222222)
/// under `policies` (and `enabledPolicyTypes` when given), admin users `ops` and `alice`,
/// buckets `data-a` (member) and `mgmt-logs` (management).
fn org_a_dir(policies: Value, enabled: Option<Value>) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut o = org("aa", "111111111111", &["222222222222"], policies);
    if let Some(e) = enabled {
        o["enabledPolicyTypes"] = e;
    }
    write(dir.path(), "organization.json", &o);
    write(
        dir.path(),
        "gaad.json",
        &gaad(&[("111111111111", "ops"), ("222222222222", "alice")]),
    );
    write(
        dir.path(),
        "resources.json",
        &json!([{"arn": DATA_A, "account": "222222222222"}, {"arn": MGMT_BUCKET, "account": "111111111111"}]),
    );
    dir
}

// ---- point 4 ----

#[test]
fn an_organization_without_rcps_enabled_does_not_deny_rcp_services() {
    // AWS Organizations User Guide, "Enabling a policy type" / "Resource control policies
    // (RCPs)": RCPs are evaluated only once enabled on the root. An organization.json that
    // lists SCPs but no RCP has RCPs not enabled: S3, KMS, SQS... are not denied for lack of
    // an RCP (before: implicitDeny, missing rcp).
    let members = ["222222222222"];
    let dir = org_a_dir(json!([full_access("aa", "111111111111", &members)]), None);
    let r = simulate(
        dir.path(),
        &[
            req(ALICE, "s3:GetObject", &format!("{DATA_A}/x")),
            req(
                ALICE,
                "sqs:SendMessage",
                "arn:aws:sqs:eu-west-1:222222222222:q",
            ),
        ],
    );
    assert_eq!(decisions(&r), ["allowed", "allowed"], "{r:?}");
    assert!(r[0]["matched"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["layer"] != "rcp"));
}

#[test]
fn scps_of_a_type_not_enabled_on_the_root_are_not_evaluated() {
    // AWS Organizations User Guide, "Disabling a policy type": disabling detaches every
    // policy of the type, so a listed SCP of an organization whose enabledPolicyTypes lacks
    // SERVICE_CONTROL_POLICY denies nothing; enabled, the same SCP denies.
    let members = ["222222222222"];
    let pols = json!([
        full_access("aa", "111111111111", &members),
        policy(
            "p-nos3",
            "SERVICE_CONTROL_POLICY",
            deny("s3:*"),
            &["r-aa".to_string()]
        )
    ]);
    let dir = org_a_dir(pols.clone(), Some(json!([])));
    let r = simulate(
        dir.path(),
        &[req(ALICE, "s3:GetObject", &format!("{DATA_A}/x"))],
    );
    assert_eq!(decisions(&r), ["allowed"]);
    let dir = org_a_dir(pols, Some(json!(["SERVICE_CONTROL_POLICY"])));
    let r = simulate(
        dir.path(),
        &[req(ALICE, "s3:GetObject", &format!("{DATA_A}/x"))],
    );
    assert_eq!(decisions(&r), ["explicitDeny"]);
    assert_eq!(r[0]["matched"][0]["policy"], "p-nos3");
}

#[test]
fn rcps_enabled_by_list_roots_get_rcp_full_aws_access_everywhere() {
    // AWS Organizations User Guide, "RCP evaluation": RCPFullAWSAccess is attached to the
    // root, every OU and every account when RCPs are enabled and cannot be detached; an RCP
    // Deny attached to one OU still denies there. `aws organizations list-roots` says RCPs
    // are enabled although the file lists only the Deny.
    let members = ["222222222222"];
    let dir = org_a_dir(
        json!([
            full_access("aa", "111111111111", &members),
            policy(
                "p-noput",
                "RESOURCE_CONTROL_POLICY",
                rcp_deny("s3:PutObject"),
                &["ou-aa-11111111".to_string()]
            )
        ]),
        None,
    );
    write(
        dir.path(),
        "list-roots.json",
        &json!({"Roots": [{"Id": "r-aa", "Arn": "arn:aws:organizations::111111111111:root/o-aa00000000/r-aa",
                 "Name": "Root", "PolicyTypes": [
                    {"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"},
                    {"Type": "RESOURCE_CONTROL_POLICY", "Status": "ENABLED"}]}]}),
    );
    let r = simulate(
        dir.path(),
        &[
            req(ALICE, "s3:GetObject", &format!("{DATA_A}/x")),
            req(ALICE, "s3:PutObject", &format!("{DATA_A}/x")),
        ],
    );
    assert_eq!(decisions(&r), ["allowed", "explicitDeny"], "{r:?}");
    let rcp_allows: Vec<&Value> = r[0]["matched"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["layer"] == "rcp")
        .collect();
    assert!(!rcp_allows.is_empty(), "{r:?}");
    assert!(rcp_allows
        .iter()
        .all(|m| m["policy"] == "RCPFullAWSAccess (p-RCPFullAWSAccess)"));
    assert_eq!(r[1]["matched"][0]["sid"], "RcpDeny");
}

#[test]
fn the_management_account_is_not_affected_by_scps_or_rcps() {
    // AWS Organizations User Guide, "Service control policies (SCPs)": "SCPs don't affect
    // users or roles in the management account"; "Resource control policies (RCPs)": "RCPs
    // don't affect resources in the management account".
    let members = ["222222222222"];
    let all = everywhere("aa", "111111111111", &members);
    let dir = org_a_dir(
        json!([
            full_access("aa", "111111111111", &members),
            policy(
                "p-nos3",
                "SERVICE_CONTROL_POLICY",
                deny("s3:GetObject"),
                &["r-aa".to_string()]
            ),
            policy(
                "p-RCPFullAWSAccess",
                "RESOURCE_CONTROL_POLICY",
                allow_all_rcp(),
                &all
            ),
            policy(
                "p-noput",
                "RESOURCE_CONTROL_POLICY",
                rcp_deny("s3:PutObject"),
                &["r-aa".to_string()]
            )
        ]),
        None,
    );
    let r = simulate(
        dir.path(),
        &[
            req(OPS, "s3:GetObject", &format!("{MGMT_BUCKET}/x")),
            req(OPS, "s3:PutObject", &format!("{MGMT_BUCKET}/x")),
            req(ALICE, "s3:GetObject", &format!("{DATA_A}/x")),
            req(ALICE, "s3:PutObject", &format!("{DATA_A}/x")),
        ],
    );
    assert_eq!(
        decisions(&r),
        ["allowed", "allowed", "explicitDeny", "explicitDeny"],
        "{r:?}"
    );
}

// ---- point 7 ----

#[test]
fn several_organizations_each_govern_the_accounts_they_list() {
    // AWS Organizations User Guide, "SCP evaluation": the SCPs on the path root → OUs →
    // account of the principal's own organization apply; "AWS global condition context
    // keys", aws:PrincipalOrgID: the identifier of the organization the principal's account
    // belongs to. Organization B's SCP denies DynamoDB to B's accounts only, and A's bucket
    // policy grants B's organization by aws:PrincipalOrgID.
    let dir = tempfile::tempdir().unwrap();
    let (a_members, b_members) = (["222222222222"], ["555555555555"]);
    write(
        dir.path(),
        "org-a.json",
        &org(
            "aa",
            "111111111111",
            &a_members,
            json!([full_access("aa", "111111111111", &a_members)]),
        ),
    );
    write(
        dir.path(),
        "org-b.json",
        &org(
            "bb",
            "444444444444",
            &b_members,
            json!([
                full_access("bb", "444444444444", &b_members),
                policy(
                    "p-nodynamo",
                    "SERVICE_CONTROL_POLICY",
                    deny("dynamodb:*"),
                    &["r-bb".to_string()]
                )
            ]),
        ),
    );
    write(
        dir.path(),
        "gaad.json",
        &gaad(&[
            ("222222222222", "alice"),
            ("555555555555", "bob"),
            ("777777777777", "eve"),
        ]),
    );
    let bucket_policy = json!({"Version": "2012-10-17", "Statement": [{
        "Sid": "OrgB", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": format!("{DATA_A}/*"),
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-bb00000000"}}}]});
    write(
        dir.path(),
        "resources.json",
        &json!([{"arn": DATA_A, "account": "222222222222", "policy": bucket_policy},
                {"arn": DATA_B, "account": "555555555555"}]),
    );
    let table_a = "arn:aws:dynamodb:eu-west-1:222222222222:table/t";
    let table_b = "arn:aws:dynamodb:eu-west-1:555555555555:table/t";
    let r = simulate(
        dir.path(),
        &[
            req(ALICE, "dynamodb:PutItem", table_a),
            req(BOB, "dynamodb:PutItem", table_b),
            req(BOB, "s3:GetObject", &format!("{DATA_A}/x")),
            req(EVE, "s3:GetObject", &format!("{DATA_A}/x")),
            req(BOB, "s3:GetObject", &format!("{DATA_B}/x")),
        ],
    );
    assert_eq!(
        decisions(&r),
        [
            "allowed",
            "explicitDeny",
            "allowed",
            "implicitDeny",
            "allowed"
        ],
        "{r:?}"
    );
    assert_eq!(r[1]["matched"][0]["policy"], "p-nodynamo");
    assert!(r[2]["matched"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["sid"] == "OrgB"));
    // Neither organization lists RCPs: none applies to either (point 4).
    assert!(r
        .iter()
        .all(|x| !x["missing"].as_array().unwrap().contains(&json!("rcp"))));
}

#[test]
fn an_account_in_two_organizations_is_a_load_error_naming_both_files() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "org-a.json",
        &org("aa", "111111111111", &["222222222222"], json!([])),
    );
    write(
        dir.path(),
        "org-b.json",
        &org("bb", "444444444444", &["222222222222"], json!([])),
    );
    let o = simulate_alice_get(dir.path(), &["-q"]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let err = o.stderr();
    assert!(
        err.contains("org-a.json") && err.contains("org-b.json") && err.contains("222222222222"),
        "{err}"
    );
}

// ---- point 6 ----

#[test]
fn a_request_through_a_vpc_endpoint_of_the_data_is_evaluated_against_its_policy() {
    // Amazon VPC, "Control access to VPC endpoints using endpoint policies": an endpoint
    // policy controls which principals can use the endpoint to access a service; it does
    // not grant (identity and resource policies still must allow). A request whose
    // aws:SourceVpce names the endpoint goes through it.
    let dir = alice_dir();
    let get_only = json!({"Version": "2012-10-17", "Statement": [{"Sid": "ReadOnly", "Effect": "Allow",
        "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]});
    let no_delete = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
        {"Sid": "NoDelete", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": "*"}]});
    // The bucket denies requests from outside vpc-0a: AWS fills aws:SourceVpc from the endpoint.
    let bucket_policy = json!({"Version": "2012-10-17", "Statement": [{"Sid": "OnlyVpc0a", "Effect": "Deny",
        "Principal": "*", "Action": "s3:ListBucket", "Resource": DATA_A,
        "Condition": {"StringNotEqualsIfExists": {"aws:SourceVpc": "vpc-0a"}}}]});
    write(
        dir.path(),
        "resources.json",
        &json!([
            {"arn": DATA_A, "account": "222222222222", "policy": bucket_policy},
            {"type": "ec2:vpc-endpoint", "id": "vpce-0aaa1111", "vpcId": "vpc-0a", "account": "222222222222",
             "policy": get_only}
        ]),
    );
    write(
        dir.path(),
        "describe-vpc-endpoints.json",
        &json!({"VpcEndpoints": [
            {"VpcEndpointId": "vpce-0ccc3333", "VpcEndpointType": "Interface", "VpcId": "vpc-0c",
             "ServiceName": "com.amazonaws.eu-west-1.s3", "OwnerId": "222222222222",
             "PolicyDocument": no_delete.to_string()},
            {"VpcEndpointId": "vpce-0ddd4444", "VpcEndpointType": "GatewayLoadBalancer", "VpcId": "vpc-0a",
             "OwnerId": "222222222222"}]}),
    );
    let obj = format!("{DATA_A}/x");
    let via = |action: &str, resource: &str, vpce: &str| {
        json!({"principal": ALICE, "action": action, "resource": resource,
               "context": {"aws:SourceVpce": vpce}})
    };
    let r = simulate(
        dir.path(),
        &[
            via("s3:GetObject", &obj, "vpce-0aaa1111"),
            via("s3:PutObject", &obj, "vpce-0aaa1111"),
            req(ALICE, "s3:PutObject", &obj),
            via("s3:PutObject", &obj, "vpce-0fff9999"),
            via("s3:DeleteObject", &obj, "vpce-0ccc3333"),
            via("s3:PutObject", &obj, "vpce-0ccc3333"),
            via("s3:PutObject", &obj, "vpce-0ddd4444"),
            via("s3:ListBucket", DATA_A, "vpce-0ddd4444"),
            via("s3:ListBucket", DATA_A, "vpce-0ccc3333"),
        ],
    );
    assert_eq!(
        decisions(&r),
        [
            "allowed",      // the endpoint policy allows GetObject
            "implicitDeny", // ... but not PutObject
            "allowed",      // not through an endpoint
            "allowed",      // an endpoint the data does not describe: no endpoint policy
            "explicitDeny", // describe-vpc-endpoints: its Deny counts
            "allowed",
            "allowed",      // an endpoint without a policy: full access
            "allowed",      // aws:SourceVpc = vpc-0a, filled from the endpoint
            "explicitDeny", // aws:SourceVpc = vpc-0c
        ],
        "{r:?}"
    );
    assert!(r[0]["matched"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["layer"] == "vpcEndpoint"
            && m["policy"] == "vpce-0aaa1111#policy"
            && m["sid"] == "ReadOnly"));
    assert_eq!(r[1]["missing"], json!(["vpcEndpoint"]));
    assert_eq!(r[4]["matched"][0]["sid"], "NoDelete");
    assert_eq!(r[8]["matched"][0]["sid"], "OnlyVpc0a");
}

#[test]
fn a_source_vpce_naming_no_loaded_endpoint_is_a_warning_when_the_data_has_endpoints() {
    // The request is decided without an endpoint policy (nothing in the data says what the
    // endpoint allows); the user is told rather than left to assume it was evaluated.
    let dir = alice_dir();
    write(
        dir.path(),
        "resources.json",
        &json!([{"type": "ec2:vpc-endpoint", "id": "vpce-0aaa1111", "policy": allow_all_rcp()}]),
    );
    let run = |vpce: &str| {
        simulate_alice_get(
            dir.path(),
            &["--context", &format!("aws:SourceVpce={vpce}")],
        )
    };
    let o = run("vpce-0fff9999");
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let err = o.stderr();
    assert!(
        err.contains("warning: aws:SourceVpce `vpce-0fff9999` names no loaded VPC endpoint"),
        "{err}"
    );
    let o = run("vpce-0aaa1111");
    assert!(!o.stderr().contains("names no loaded VPC endpoint"));
}

#[test]
fn a_policy_attached_at_every_level_allows_at_each_and_levels_are_asked_apart_otherwise() {
    // AWS Organizations User Guide, "SCP evaluation" and "RCP evaluation": every level of
    // the path (root, OU, account) must allow, the policies of one level unioned. A policy
    // attached at every level allows at each of them when it applies (the decision program
    // then asks no level apart); policies attached at some levels only are asked level by
    // level, and the level none of them allows is named.
    let upper = ["r-aa".to_string(), "ou-aa-11111111".to_string()];
    let account = ["222222222222".to_string()];
    let all = [
        "r-aa".to_string(),
        "ou-aa-11111111".to_string(),
        "222222222222".to_string(),
    ];
    let allow = |action: &str| json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]});
    let rcp_allow = |action: &str| json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": action, "Resource": "*"}]});
    let pols = json!([
        policy("p-s3-all", "SERVICE_CONTROL_POLICY", allow("s3:*"), &all),
        policy("p-sqs-all", "SERVICE_CONTROL_POLICY", allow("sqs:*"), &all),
        policy(
            "p-ec2-upper",
            "SERVICE_CONTROL_POLICY",
            allow("ec2:*"),
            &upper
        ),
        policy(
            "p-ec2-describe",
            "SERVICE_CONTROL_POLICY",
            allow("ec2:Describe*"),
            &account
        ),
        policy(
            "r-s3-all",
            "RESOURCE_CONTROL_POLICY",
            rcp_allow("s3:*"),
            &all
        ),
        policy(
            "r-sqs-upper",
            "RESOURCE_CONTROL_POLICY",
            rcp_allow("sqs:*"),
            &upper
        ),
        policy(
            "r-sqs-send",
            "RESOURCE_CONTROL_POLICY",
            rcp_allow("sqs:SendMessage"),
            &account
        ),
    ]);
    let dir = org_a_dir(pols, None);
    let queue = "arn:aws:sqs:eu-west-1:222222222222:q";
    let r = simulate(
        dir.path(),
        &[
            // Every SCP and RCP level by the policies attached everywhere.
            req(ALICE, "s3:GetObject", &format!("{DATA_A}/x")),
            // SCPs: root and OU by p-ec2-upper, the account by p-ec2-describe.
            req(ALICE, "ec2:DescribeInstances", "*"),
            // SCPs: the account has no Allow for RunInstances.
            req(ALICE, "ec2:RunInstances", "*"),
            // RCPs: root and OU by r-sqs-upper, the account by r-sqs-send.
            req(ALICE, "sqs:SendMessage", queue),
            // RCPs: only RCPFullAWSAccess allows DeleteQueue at the account, as everywhere.
            req(ALICE, "sqs:DeleteQueue", queue),
            // No SCP allows IAM anywhere: every level is named.
            req(ALICE, "iam:ListUsers", "*"),
        ],
    );
    assert_eq!(
        decisions(&r),
        [
            "allowed",
            "allowed",
            "implicitDeny",
            "allowed",
            "allowed",
            "implicitDeny"
        ],
        "{r:?}"
    );
    let levels = |i: usize| r[i]["missingLevels"].clone();
    assert_eq!(
        levels(2),
        json!([{"layer": "scp", "level": "org:222222222222"}])
    );
    assert_eq!(
        levels(5),
        json!([
            {"layer": "scp", "level": "org:r-aa"},
            {"layer": "scp", "level": "org:ou-aa-11111111"},
            {"layer": "scp", "level": "org:222222222222"}
        ])
    );
    for i in [0, 1, 3, 4] {
        assert_eq!(r[i].get("missingLevels"), None, "{}", r[i]);
    }
    // The policy attached everywhere is named once among the statements that allowed.
    let named = |i: usize, layer: &str| -> Vec<String> {
        r[i]["matched"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["layer"] == layer)
            .map(|m| m["policy"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(named(0, "scp"), ["p-s3-all"]);
    assert_eq!(
        named(0, "rcp"),
        ["r-s3-all", "RCPFullAWSAccess (p-RCPFullAWSAccess)"]
    );
    assert_eq!(
        named(3, "rcp"),
        [
            "r-sqs-upper",
            "r-sqs-send",
            "RCPFullAWSAccess (p-RCPFullAWSAccess)"
        ]
    );
    assert_eq!(named(1, "scp"), ["p-ec2-upper", "p-ec2-describe"]);
}
