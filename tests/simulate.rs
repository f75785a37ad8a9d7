//! End-to-end tests of `iamlogic simulate --scenario`: one test per evaluation rule of
//! docs/evaluation-logic.md, each citing the AWS documentation it checks, plus output
//! formats and exit codes.

mod support;

use serde_json::{json, Value};
use support::{iamlogic, write, Run, TestCommand};

/// Run scenarios (one per element) and return the JSON result lines.
fn run(scenarios: &[Value]) -> (Vec<Value>, Run) {
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<String> = scenarios.iter().map(|s| s.to_string()).collect();
    let f = write(dir.path(), "scenario.jsonl", &lines.join("\n"));
    let o = iamlogic(&[
        "simulate",
        "--scenario",
        f.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let out = o.stdout();
    let results = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}\n{o:?}")))
        .collect();
    (results, o)
}

/// The decisions of `scenarios`, in order.
fn decisions(scenarios: &[Value]) -> Vec<String> {
    let (results, o) = run(scenarios);
    assert_eq!(results.len(), scenarios.len(), "{o:?}");
    results
        .iter()
        .map(|r| r["decision"].as_str().unwrap().to_string())
        .collect()
}

fn missing(scenario: Value) -> Vec<String> {
    let (results, o) = run(&[scenario]);
    assert_eq!(results.len(), 1, "{o:?}");
    results[0]["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

fn allow(action: &str, resource: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": action, "Resource": resource}]})
}

fn deny(action: &str, resource: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": action, "Resource": resource}]})
}

fn grant(principal: Value, action: &str, resource: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "Grant", "Effect": "Allow", "Principal": principal, "Action": action,
         "Resource": resource}]})
}

const ALICE: &str = "arn:aws:iam::111111111111:user/alice";
const SESSION: &str = "arn:aws:sts::111111111111:assumed-role/Builder/build-42";
const ROLE: &str = "arn:aws:iam::111111111111:role/Builder";
const BUCKET_OBJ: &str = "arn:aws:s3:::reports/q1.csv";

fn base(principal: &str) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert("principal".into(), json!(principal));
    m.insert("action".into(), json!("s3:GetObject"));
    m.insert("resource".into(), json!(BUCKET_OBJ));
    m.insert("resourceAccount".into(), json!("111111111111"));
    m
}

fn with(
    mut m: serde_json::Map<String, Value>,
    k: &str,
    v: Value,
) -> serde_json::Map<String, Value> {
    m.insert(k.into(), v);
    m
}

fn v(m: serde_json::Map<String, Value>) -> Value {
    Value::Object(m)
}

#[test]
fn explicit_deny_in_any_layer_wins() {
    // DENYALLOW: "An explicit deny in any of these policies overrides the allow."
    let ok = with(base(ALICE), "identityPolicies", json!([allow("s3:*", "*")]));
    let got = decisions(&[
        v(ok.clone()),
        v(with(
            ok.clone(),
            "identityPolicies",
            json!([allow("s3:*", "*"), deny("s3:GetObject", "*")]),
        )),
        v(with(
            ok.clone(),
            "permissionBoundary",
            json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}]}),
        )),
        v(with(
            ok.clone(),
            "scps",
            json!([[{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}]]),
        )),
        v(with(
            ok.clone(),
            "resourcePolicy",
            json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]}),
        )),
    ]);
    assert_eq!(
        got,
        [
            "allowed",
            "explicitDeny",
            "explicitDeny",
            "explicitDeny",
            "explicitDeny"
        ]
    );
}

#[test]
fn scp_every_level_must_allow() {
    // SCP evaluation: an explicit Allow is needed at every level from the root to the account.
    let full = allow("*", "*");
    let s = with(base(ALICE), "identityPolicies", json!([allow("s3:*", "*")]));
    let got = decisions(&[
        v(with(s.clone(), "scps", json!([[full], [full], [full]]))),
        v(with(
            s.clone(),
            "scps",
            json!([[full], [allow("ec2:*", "*")], [full]]),
        )),
    ]);
    assert_eq!(got, ["allowed", "implicitDeny"]);
    assert_eq!(
        missing(v(with(s, "scps", json!([[full], [], [full]])))),
        ["scp"]
    );
}

#[test]
fn scp_policies_of_one_level_are_unioned() {
    // SCP evaluation: the policies attached at one level together need one Allow.
    let s = with(base(ALICE), "identityPolicies", json!([allow("s3:*", "*")]));
    let got = decisions(&[v(with(
        s,
        "scps",
        json!([[allow("ec2:*", "*"), allow("s3:GetObject", "*")]]),
    ))]);
    assert_eq!(got, ["allowed"]);
}

#[test]
fn rcp_every_level_must_allow_for_supported_services() {
    // RCPs: apply per level, only for services that support RCPs (S3 does, EC2 does not).
    let s = with(base(ALICE), "identityPolicies", json!([allow("*", "*")]));
    let ec2 = with(
        with(s.clone(), "action", json!("ec2:DescribeInstances")),
        "resource",
        json!("*"),
    );
    let got = decisions(&[
        v(with(
            s.clone(),
            "rcps",
            json!([[allow("*", "*")], [allow("*", "*")]]),
        )),
        v(with(
            s.clone(),
            "rcps",
            json!([[allow("*", "*")], [allow("sqs:*", "*")]]),
        )),
        v(with(ec2, "rcps", json!([[allow("sqs:*", "*")]]))),
    ]);
    assert_eq!(got, ["allowed", "implicitDeny", "allowed"]);
}

#[test]
fn boundary_intersects_identity() {
    // BOUNDARY: only actions allowed by both the identity policies and the boundary.
    let s = with(base(ALICE), "identityPolicies", json!([allow("s3:*", "*")]));
    let got = decisions(&[
        v(with(s.clone(), "permissionBoundary", allow("s3:Get*", "*"))),
        v(with(s.clone(), "permissionBoundary", allow("ec2:*", "*"))),
        v(with(
            with(
                base(ALICE),
                "identityPolicies",
                json!([allow("ec2:*", "*")]),
            ),
            "permissionBoundary",
            allow("s3:*", "*"),
        )),
    ]);
    assert_eq!(got, ["allowed", "implicitDeny", "implicitDeny"]);
    assert_eq!(
        missing(v(with(s, "permissionBoundary", allow("ec2:*", "*")))),
        ["boundary"]
    );
}

#[test]
fn session_policy_intersects_identity() {
    // SESSION: a session's permissions are the intersection of the role's identity-based
    // policies and the session policy.
    let s = with(
        base(SESSION),
        "identityPolicies",
        json!([allow("s3:*", "*")]),
    );
    let got = decisions(&[
        v(with(s.clone(), "sessionPolicy", allow("s3:GetObject", "*"))),
        v(with(s.clone(), "sessionPolicy", allow("s3:PutObject", "*"))),
    ]);
    assert_eq!(got, ["allowed", "implicitDeny"]);
}

#[test]
fn root_user_needs_no_identity_policy() {
    // DENYALLOW: every request is implicitly denied "with the exception of the AWS account
    // root user, which has full access" — SCPs still apply to it in a member account.
    let root = "arn:aws:iam::111111111111:root";
    let got = decisions(&[
        v(base(root)),
        v(with(base(root), "scps", json!([[allow("ec2:*", "*")]]))),
        v(base("111111111111")),
    ]);
    assert_eq!(got, ["allowed", "implicitDeny", "allowed"]);
}

#[test]
fn same_account_resource_policy_alone_allows_user() {
    // SINGLE: within one account, the identity-based or the resource-based policy suffices.
    let got = decisions(&[
        v(with(
            base(ALICE),
            "resourcePolicy",
            grant(json!({"AWS": ALICE}), "s3:GetObject", "*"),
        )),
        v(base(ALICE)),
    ]);
    assert_eq!(got, ["allowed", "implicitDeny"]);
}

#[test]
fn resource_grant_to_user_arn_is_not_limited_by_boundary() {
    // DENYALLOW: a resource-based policy granting to the IAM user ARN is not limited by an
    // implicit deny in the user's boundary.
    let s = with(
        with(
            base(ALICE),
            "resourcePolicy",
            grant(json!({"AWS": ALICE}), "s3:GetObject", "*"),
        ),
        "permissionBoundary",
        allow("ec2:*", "*"),
    );
    assert_eq!(decisions(&[v(s)]), ["allowed"]);
}

#[test]
fn resource_grant_to_role_arn_is_limited_by_boundary() {
    // DENYALLOW: a grant to the role ARN is limited by an implicit deny in the boundary or
    // session policy of the session; a grant to the session ARN is not.
    let to_role = with(
        base(SESSION),
        "resourcePolicy",
        grant(json!({"AWS": ROLE}), "s3:GetObject", "*"),
    );
    let got = decisions(&[
        v(to_role.clone()),
        v(with(
            to_role.clone(),
            "permissionBoundary",
            allow("ec2:*", "*"),
        )),
        v(with(to_role, "permissionBoundary", allow("s3:*", "*"))),
    ]);
    assert_eq!(got, ["allowed", "implicitDeny", "allowed"]);
}

#[test]
fn resource_grant_to_session_arn_is_not_limited_by_session_policy() {
    let s = with(
        with(
            base(SESSION),
            "resourcePolicy",
            grant(json!({"AWS": SESSION}), "s3:GetObject", "*"),
        ),
        "sessionPolicy",
        allow("ec2:*", "*"),
    );
    let via_role = with(
        with(
            base(SESSION),
            "resourcePolicy",
            grant(json!({"AWS": ROLE}), "s3:GetObject", "*"),
        ),
        "sessionPolicy",
        allow("ec2:*", "*"),
    );
    assert_eq!(decisions(&[v(s), v(via_role)]), ["allowed", "implicitDeny"]);
}

#[test]
fn resource_grant_to_account_needs_identity_allow() {
    // PRINCIPAL: naming the account delegates to it; its identity policies must allow.
    let s = with(
        base(ALICE),
        "resourcePolicy",
        grant(
            json!({"AWS": "arn:aws:iam::111111111111:root"}),
            "s3:GetObject",
            "*",
        ),
    );
    let got = decisions(&[
        v(s.clone()),
        v(with(
            s,
            "identityPolicies",
            json!([allow("s3:GetObject", "*")]),
        )),
    ]);
    assert_eq!(got, ["implicitDeny", "allowed"]);
}

#[test]
fn cross_account_needs_both_sides() {
    // CROSS: the resource policy must name the caller (or its account) and the caller's
    // identity-based policy must allow.
    let s = with(base(ALICE), "resourceAccount", json!("222222222222"));
    let rp = grant(json!({"AWS": ALICE}), "s3:GetObject", "*");
    let acct = grant(json!({"AWS": "111111111111"}), "s3:GetObject", "*");
    let idp = json!([allow("s3:*", "*")]);
    let got = decisions(&[
        v(with(
            with(s.clone(), "resourcePolicy", rp.clone()),
            "identityPolicies",
            idp.clone(),
        )),
        v(with(s.clone(), "resourcePolicy", rp)),
        v(with(s.clone(), "identityPolicies", idp.clone())),
        v(with(
            with(s.clone(), "resourcePolicy", acct),
            "identityPolicies",
            idp.clone(),
        )),
    ]);
    assert_eq!(got, ["allowed", "implicitDeny", "implicitDeny", "allowed"]);
    assert_eq!(missing(v(with(s, "identityPolicies", idp))), ["resource"]);
}

#[test]
fn kms_key_policy_must_allow_or_trust_account() {
    // KMS: "Unless the key policy explicitly allows it, you cannot use IAM policies to allow
    // access to a KMS key"; the default key policy trusts the account root.
    let key = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let s = with(
        with(base(ALICE), "action", json!("kms:Decrypt")),
        "resource",
        json!(key),
    );
    let idp = json!([allow("kms:*", "*")]);
    let trust_account = grant(
        json!({"AWS": "arn:aws:iam::111111111111:root"}),
        "kms:*",
        "*",
    );
    let to_alice = grant(json!({"AWS": ALICE}), "kms:Decrypt", "*");
    let got = decisions(&[
        v(with(s.clone(), "identityPolicies", idp.clone())),
        v(with(
            with(s.clone(), "identityPolicies", idp),
            "resourcePolicy",
            trust_account.clone(),
        )),
        v(with(s.clone(), "resourcePolicy", trust_account)),
        v(with(s, "resourcePolicy", to_alice)),
    ]);
    assert_eq!(got, ["implicitDeny", "allowed", "implicitDeny", "allowed"]);
}

#[test]
fn trust_policy_decides_assume_role() {
    // TRUST: the trust policy is the role's resource-based policy for sts:AssumeRole;
    // CROSS: another account's caller also needs an identity-based allow.
    let target = "arn:aws:iam::222222222222:role/Deploy";
    let mut s = base(ALICE);
    s.insert("action".into(), json!("sts:AssumeRole"));
    s.insert("resource".into(), json!(target));
    s.remove("resourceAccount");
    let trust = grant(
        json!({"AWS": "arn:aws:iam::111111111111:root"}),
        "sts:AssumeRole",
        "*",
    );
    let idp = json!([allow("sts:AssumeRole", target)]);
    let same = {
        let mut m = s.clone();
        m.insert(
            "resource".into(),
            json!("arn:aws:iam::111111111111:role/Local"),
        );
        m
    };
    let got = decisions(&[
        v(with(
            with(s.clone(), "resourcePolicy", trust.clone()),
            "identityPolicies",
            idp.clone(),
        )),
        v(with(s.clone(), "resourcePolicy", trust)),
        v(with(s, "identityPolicies", idp)),
        v(with(
            same.clone(),
            "resourcePolicy",
            grant(json!({"AWS": ALICE}), "sts:AssumeRole", "*"),
        )),
        v(with(
            same,
            "identityPolicies",
            json!([allow("sts:AssumeRole", "*")]),
        )),
    ]);
    assert_eq!(
        got,
        [
            "allowed",
            "implicitDeny",
            "implicitDeny",
            "allowed",
            "implicitDeny"
        ]
    );
}

#[test]
fn anonymous_only_through_principal_star() {
    // PRINCIPAL: an anonymous request is allowed only by a resource policy with "*".
    let s = base("*");
    let got = decisions(&[
        v(with(
            s.clone(),
            "resourcePolicy",
            grant(json!("*"), "s3:GetObject", "*"),
        )),
        v(with(
            s.clone(),
            "resourcePolicy",
            grant(json!({"AWS": "*"}), "s3:GetObject", "*"),
        )),
        v(with(
            s.clone(),
            "resourcePolicy",
            grant(json!({"AWS": "111111111111"}), "s3:GetObject", "*"),
        )),
        v(with(s, "identityPolicies", json!([allow("*", "*")]))),
    ]);
    assert_eq!(got, ["allowed", "allowed", "implicitDeny", "implicitDeny"]);
}

#[test]
fn service_principal_through_resource_policy() {
    // PRINCIPAL: a service principal is named under "Service"; SCPs do not apply to it.
    let mut s = base("lambda.amazonaws.com");
    s.insert("action".into(), json!("sqs:SendMessage"));
    s.insert(
        "resource".into(),
        json!("arn:aws:sqs:eu-west-1:111111111111:orders"),
    );
    let got = decisions(&[
        v(with(
            s.clone(),
            "resourcePolicy",
            grant(
                json!({"Service": "lambda.amazonaws.com"}),
                "sqs:SendMessage",
                "*",
            ),
        )),
        v(with(
            s,
            "resourcePolicy",
            grant(
                json!({"Service": "sns.amazonaws.com"}),
                "sqs:SendMessage",
                "*",
            ),
        )),
    ]);
    assert_eq!(got, ["allowed", "implicitDeny"]);
}

#[test]
fn not_principal_deny_spares_named_caller() {
    // NotPrincipal: the statement applies to everyone except the principals it names; AWS
    // checks the account, then the user, so the account ARN must be listed too — "otherwise,
    // the policy might deny access to the entire account containing the principal".
    let bob = "arn:aws:iam::111111111111:user/bob";
    let deny_all_but = |names: Value| {
        json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "NotPrincipal": {"AWS": names}, "Action": "s3:*", "Resource": "*"}]})
    };
    let with_account = deny_all_but(json!([ALICE, "arn:aws:iam::111111111111:root"]));
    let alice_only = deny_all_but(json!(ALICE));
    let idp = json!([allow("s3:*", "*")]);
    let got = decisions(&[
        v(with(
            with(base(ALICE), "resourcePolicy", with_account.clone()),
            "identityPolicies",
            idp.clone(),
        )),
        v(with(
            with(base(bob), "resourcePolicy", with_account),
            "identityPolicies",
            idp.clone(),
        )),
        v(with(
            with(base(ALICE), "resourcePolicy", alice_only),
            "identityPolicies",
            idp,
        )),
    ]);
    assert_eq!(got, ["allowed", "explicitDeny", "explicitDeny"]);
}

#[test]
fn not_principal_deny_always_denies_a_principal_with_a_boundary() {
    // IAM User Guide, "AWS JSON policy elements: NotPrincipal", key points (and "Permissions
    // boundaries", Important): a Deny with NotPrincipal "will always deny any IAM principal
    // that has a permissions boundary policy attached, regardless of the values specified in
    // the NotPrincipal element". Action, resource and conditions still decide.
    let spare = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "NotPrincipal": {"AWS": [ALICE, ROLE, SESSION,
            "arn:aws:iam::111111111111:root"]}, "Action": "s3:GetObject", "Resource": "*"}]});
    let idp = json!([allow("s3:*", "*")]);
    let user = with(
        with(base(ALICE), "resourcePolicy", spare.clone()),
        "identityPolicies",
        idp.clone(),
    );
    let session = with(
        with(base(SESSION), "resourcePolicy", spare),
        "identityPolicies",
        idp,
    );
    let put = with(
        with(user.clone(), "action", json!("s3:PutObject")),
        "permissionBoundary",
        allow("s3:*", "*"),
    );
    let got = decisions(&[
        v(user.clone()),
        v(with(user, "permissionBoundary", allow("s3:*", "*"))),
        v(session.clone()),
        v(with(session, "permissionBoundary", allow("s3:*", "*"))),
        v(put),
    ]);
    assert_eq!(
        got,
        [
            "allowed",
            "explicitDeny",
            "allowed",
            "explicitDeny",
            "allowed"
        ]
    );
}

#[test]
fn rcps_do_not_restrict_kms_retire_grant() {
    // KMS Developer Guide, "Resource control policies in AWS KMS": the kms:RetireGrant
    // permission is not effective in an RCP, even when Action is a wildcard. Other KMS
    // actions stay restricted.
    let key = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let key_policy = grant(json!({"AWS": ALICE}), "kms:*", "*");
    let s = with(
        with(
            with(
                with(base(ALICE), "resource", json!(key)),
                "resourcePolicy",
                key_policy,
            ),
            "identityPolicies",
            json!([allow("kms:*", "*")]),
        ),
        "rcps",
        json!([[allow("*", "*"), deny("*", "*")]]),
    );
    let got = decisions(&[
        v(with(s.clone(), "action", json!("kms:RetireGrant"))),
        v(with(s, "action", json!("kms:Decrypt"))),
    ]);
    assert_eq!(got, ["allowed", "explicitDeny"]);
}

#[test]
fn vpc_endpoint_policy_must_allow() {
    // VPCE: an endpoint policy controls access through the endpoint; it does not grant.
    let s = with(base(ALICE), "identityPolicies", json!([allow("s3:*", "*")]));
    let got = decisions(&[
        v(with(
            s.clone(),
            "vpcEndpointPolicy",
            grant(json!("*"), "s3:GetObject", "*"),
        )),
        v(with(
            s.clone(),
            "vpcEndpointPolicy",
            grant(json!("*"), "s3:PutObject", "*"),
        )),
        v(with(
            base(ALICE),
            "vpcEndpointPolicy",
            grant(json!("*"), "s3:*", "*"),
        )),
    ]);
    assert_eq!(got, ["allowed", "implicitDeny", "implicitDeny"]);
}

#[test]
fn text_output_and_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let allowed = v(with(
        base(ALICE),
        "identityPolicies",
        json!([{"Version": "2012-10-17", "Statement": [
            {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}]),
    ));
    let f = write(dir.path(), "one.json", &allowed.to_string());
    let o = iamlogic(&["simulate", "--scenario", f.to_str().unwrap()]);
    o.assert_code(0);
    assert_eq!(
        o.stdout(),
        "allowed\n  Allow by identity policy identityPolicies[0] Statement[0] (Read)\n"
    );
    let denied = v(base(ALICE));
    let f = write(dir.path(), "two.jsonl", &format!("{allowed}\n{denied}\n"));
    let o = iamlogic(&[
        "simulate",
        "--scenario",
        f.to_str().unwrap(),
        "--format",
        "json",
    ]);
    o.assert_code(1);
    let lines: Vec<Value> = o
        .stdout()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["decision"], "allowed");
    assert_eq!(lines[0]["matched"][0]["sid"], "Read");
    assert_eq!(lines[0]["matched"][0]["layer"], "identity");
    assert_eq!(
        lines[1],
        json!({"decision": "implicitDeny", "matched": [], "missing": ["identity"]})
    );
}

#[test]
fn bad_scenarios_exit_2_naming_file_and_path() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "bad.json",
        r#"{"action": "s3:GetObject", "identityPolicies": [{"Version": "2012-10-17", "Statement": {"Effect": "Maybe", "Action": "*", "Resource": "*"}}]}"#,
    );
    let o = iamlogic(&["simulate", "--scenario", f.to_str().unwrap()]);
    o.assert_code(2);
    let err = o.stderr();
    assert!(
        err.contains("bad.json") && err.contains("identityPolicies[0]"),
        "{err}"
    );

    let f = write(
        dir.path(),
        "unknown.json",
        r#"{"action": "s3:GetObject", "polcy": {}}"#,
    );
    let o = iamlogic(&["simulate", "--scenario", f.to_str().unwrap()]);
    o.assert_code(2);
    assert!(o.stderr().contains("unknown field `polcy`"));

    let o = iamlogic(&["simulate", "--scenario", "/nonexistent/scenario.json"]);
    o.assert_code(2);
}

#[test]
fn scenario_file_may_be_an_array_and_results_keep_its_order() {
    let dir = tempfile::tempdir().unwrap();
    let allowed = v(with(
        base(ALICE),
        "identityPolicies",
        json!([allow("s3:*", "*")]),
    ));
    let denied = v(base(ALICE));
    let f = write(
        dir.path(),
        "array.json",
        &json!([denied, allowed, denied]).to_string(),
    );
    let o = iamlogic(&[
        "simulate",
        "--scenario",
        f.to_str().unwrap(),
        "--format",
        "json",
    ]);
    o.assert_code(1);
    let got: Vec<String> = o
        .stdout()
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["decision"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(got, ["implicitDeny", "allowed", "implicitDeny"]);
}

#[test]
fn scenario_from_stdin_text_labels_and_the_scp_level_that_lacked_an_allow() {
    // `--scenario -` reads stdin; with several requests each text block is labelled (the
    // scenario's `name`, else principal, action and resource); an SCP implicit deny names
    // the level without an Allow (SCP evaluation: every level on the path must allow).
    let named = v(with(
        with(
            with(base(ALICE), "name", json!("alice-reads")),
            "identityPolicies",
            json!([allow("s3:*", "*")]),
        ),
        "scps",
        json!([[allow("*", "*")], [allow("ec2:*", "*")]]),
    ));
    let unnamed = v(with(
        base(ALICE),
        "identityPolicies",
        json!([allow("s3:*", "*")]),
    ));
    let o = TestCommand::new()
        .args(["simulate", "--scenario", "-"])
        .stdin(format!("{named}\n{unnamed}\n"))
        .run();
    o.assert_code(1);
    assert_eq!(
        o.stdout(),
        format!(
            "[1] alice-reads\nimplicitDeny\n  Allow by identity policy identityPolicies[0] Statement[0]\n  Allow by scp policy scps[0][0] Statement[0]\n  no Allow in: scp (at scps[1])\n\
             [2] {ALICE} s3:GetObject {BUCKET_OBJ}\nallowed\n  Allow by identity policy identityPolicies[0] Statement[0]\n"
        )
    );
    // JSON names the level too.
    let (results, _) = run(&[named]);
    assert_eq!(
        results[0]["missingLevels"],
        json!([{"layer": "scp", "level": "scps[1]"}])
    );
}
