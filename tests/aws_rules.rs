//! End-to-end tests of the decisions AWS makes that no policy says (`facts::aws_rules`), in
//! scenario mode and in account mode, and of the statements AWS would refuse. Each test
//! names the AWS documentation page it checks.

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

/// Run one scenario; the JSON result and the process output.
fn scenario(s: Value) -> (Value, Output) {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "scenario.json", &s.to_string());
    let o = iamlogic(&[
        "simulate",
        "--scenario",
        f.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let v: Value = serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {o:?}"));
    (v, o)
}

fn admin() -> Value {
    json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]})
}

const ADMIN_USER: &str = "arn:aws:iam::111122223333:user/admin";

/// A customer's administrator tries `action` on `resource` with `Allow *`.
fn as_admin(action: &str, resource: &str) -> (Value, Output) {
    scenario(
        json!({"principal": ADMIN_USER, "action": action, "resource": resource,
        "identityPolicies": [admin()]}),
    )
}

fn assert_owned(action: &str, resource: &str, code: &str) {
    let (v, o) = as_admin(action, resource);
    assert_eq!(v["decision"], "implicitDeny", "{action} {resource}: {v}");
    assert_eq!(v["rule"]["code"], code, "{v}");
    // The reason is the rule, not a layer that lacked an Allow.
    assert_eq!(v["missing"], json!([]), "{v}");
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn aws_managed_policies_cannot_be_changed_iam_user_guide_edit_iam_policies() {
    // IAM User Guide, "Edit IAM policies": "AWS managed policies cannot be edited."
    let p = "arn:aws:iam::aws:policy/AdministratorAccess";
    for a in [
        "iam:CreatePolicyVersion",
        "iam:DeletePolicy",
        "iam:DeletePolicyVersion",
        "iam:SetDefaultPolicyVersion",
        "iam:TagPolicy",
        "iam:UntagPolicy",
    ] {
        assert_owned(a, p, "aws-managed-policy");
    }
    // Reading it, and the same change to a customer-managed policy, stay with the policies.
    assert_eq!(as_admin("iam:GetPolicyVersion", p).0["decision"], "allowed");
    let (v, _) = as_admin(
        "iam:CreatePolicyVersion",
        "arn:aws:iam::111122223333:policy/Mine",
    );
    assert_eq!(v["decision"], "allowed");
    assert!(v.get("rule").is_none(), "{v}");
}

#[test]
fn service_linked_roles_are_managed_by_the_service_update_a_role_trust_policy() {
    // IAM User Guide, "Update a role trust policy": "You cannot modify the trust policy for
    // a service-linked role"; "Update a service-linked role": only the description.
    let slr = "arn:aws:iam::111122223333:role/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk";
    for a in [
        "iam:UpdateAssumeRolePolicy",
        "iam:PutRolePolicy",
        "iam:AttachRolePolicy",
        "iam:DetachRolePolicy",
        "iam:DeleteRolePolicy",
        "iam:PutRolePermissionsBoundary",
        "iam:DeleteRolePermissionsBoundary",
        "iam:TagRole",
        "iam:UntagRole",
        "iam:DeleteRole",
    ] {
        assert_owned(a, slr, "service-linked-role");
    }
    assert_eq!(
        as_admin("iam:UpdateRoleDescription", slr).0["decision"],
        "allowed"
    );
    assert_eq!(
        as_admin("iam:DeleteServiceLinkedRole", slr).0["decision"],
        "allowed"
    );
}

#[test]
fn identity_center_roles_are_managed_by_identity_center_awsssoservicerolepolicy() {
    // AWS Managed Policy Reference, AWSSSOServiceRolePolicy: the service manages the roles
    // under /aws-reserved/sso.amazonaws.com/.
    let role = "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_AdministratorAccess_0123456789abcdef";
    for a in [
        "iam:PutRolePolicy",
        "iam:UpdateAssumeRolePolicy",
        "iam:DeleteRole",
    ] {
        assert_owned(a, role, "identity-center-role");
    }
    assert_eq!(as_admin("iam:GetRole", role).0["decision"], "allowed");
}

#[test]
fn aws_managed_kms_aliases_are_reserved_kms_create_aliases() {
    // AWS KMS Developer Guide, "Create aliases": "The alias/aws/ prefix is reserved for AWS
    // managed keys."
    let alias = "arn:aws:kms:eu-west-1:111122223333:alias/aws/ebs";
    for a in ["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"] {
        assert_owned(a, alias, "aws-managed-kms-alias");
    }
    let mine = "arn:aws:kms:eu-west-1:111122223333:alias/my-key";
    assert_eq!(as_admin("kms:DeleteAlias", mine).0["decision"], "allowed");
}

#[test]
fn aws_owned_explicit_deny_still_decides_and_text_names_the_rule() {
    // DENYALLOW: an explicit deny is reported as such, before any other reason.
    let p = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    let (v, _) = scenario(
        json!({"principal": ADMIN_USER, "action": "iam:DeletePolicy",
        "resource": p, "identityPolicies": [admin(), {"Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Action": "iam:DeletePolicy", "Resource": "*"}]}]}),
    );
    assert_eq!(v["decision"], "explicitDeny");
    assert!(v.get("rule").is_none(), "{v}");
    // The text output names the rule and its source.
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "s.json",
        &json!({"principal": ADMIN_USER, "action": "iam:DeletePolicy", "resource": p,
            "identityPolicies": [admin()]})
        .to_string(),
    );
    let o = iamlogic(&["simulate", "--scenario", f.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.starts_with(
            "implicitDeny\n  AWS rule aws-managed-policy: AWS-managed policies are owned by AWS"
        ),
        "{text}"
    );
    assert!(
        text.contains("(IAM User Guide, Edit IAM policies)"),
        "{text}"
    );
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn get_caller_identity_needs_no_permission_sts_api_reference_getcalleridentity() {
    // AWS STS API Reference, "GetCallerIdentity": "No permissions are required ... If an
    // administrator attaches a policy to your identity that explicitly denies access to the
    // sts:GetCallerIdentity action, you can still perform this operation."
    let deny = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "sts:GetCallerIdentity", "Resource": "*"}]});
    for s in [
        // No policy at all.
        json!({"principal": ADMIN_USER, "action": "sts:GetCallerIdentity"}),
        // An explicit deny in the identity policies and in an SCP.
        json!({"principal": ADMIN_USER, "action": "sts:GetCallerIdentity",
            "identityPolicies": [deny.clone()], "scps": [[deny.clone()]]}),
        // A role session with a session policy that allows nothing.
        json!({"principal": "arn:aws:sts::111122223333:assumed-role/Ci/run-1",
            "action": "sts:getcalleridentity", "sessionPolicy": deny.clone()}),
    ] {
        let (v, o) = scenario(s);
        assert_eq!(v["decision"], "allowed", "{v}");
        assert_eq!(v["rule"]["code"], "no-permission-required", "{v}");
        assert_eq!(o.status.code(), Some(0));
    }
    // Another STS action is still decided by the policies.
    let (v, _) = scenario(
        json!({"principal": ADMIN_USER, "action": "sts:GetSessionToken",
        "identityPolicies": [deny]}),
    );
    assert_eq!(v["decision"], "implicitDeny");
}

// ---------------------------------------------------------------- account mode (examples/)

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples")
}

fn account(principal: &str, action: &str, resource: &str) -> Value {
    let ex = examples();
    let o = iamlogic(&[
        "simulate",
        "-i",
        ex.to_str().unwrap(),
        "--principal",
        principal,
        "--action",
        action,
        "--resource",
        resource,
        "--context",
        "aws:RequestedRegion=eu-west-1",
        "--format",
        "json",
    ]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {o:?}"))
}

/// carol is in the prod account's Admins group (AdministratorAccess).
const CAROL: &str = "arn:aws:iam::222222222222:user/carol";
const PROD_SLR: &str = "arn:aws:iam::222222222222:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling";

#[test]
fn account_mode_administrator_cannot_change_what_aws_owns_update_a_role_trust_policy() {
    // The same rules from loaded account data: carol's AdministratorAccess allows the
    // change on a role of her own, not on the account's service-linked role.
    let own = account(
        CAROL,
        "iam:PutRolePolicy",
        "arn:aws:iam::222222222222:role/OrgAdmin",
    );
    assert_eq!(own["decision"], "allowed", "{own}");
    let v = account(CAROL, "iam:PutRolePolicy", PROD_SLR);
    assert_eq!(v["decision"], "implicitDeny", "{v}");
    assert_eq!(v["rule"]["code"], "service-linked-role");
    assert_eq!(v["missing"], json!([]));
    let v = account(
        CAROL,
        "iam:CreatePolicyVersion",
        "arn:aws:iam::aws:policy/AdministratorAccess",
    );
    assert_eq!(v["decision"], "implicitDeny", "{v}");
    assert_eq!(v["rule"]["code"], "aws-managed-policy");
    let v = account(CAROL, "sts:GetCallerIdentity", "*");
    assert_eq!(v["decision"], "allowed", "{v}");
    assert_eq!(v["rule"]["code"], "no-permission-required");
}

// ------------------------------------------------------------- keys a service fills itself

#[test]
fn kms_caller_account_is_filled_on_every_kms_request_kms_condition_keys() {
    // AWS KMS Developer Guide, "AWS KMS condition keys", kms:CallerAccount: the AWS account
    // of the caller. AWS-managed key policies grant "AWS": "*" under this condition (with
    // kms:ViaService, which only a request through the service carries).
    let key = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let key_policy = json!({"Version": "2012-10-17", "Statement": [{
        "Sid": "Allow access through S3 for all principals in the account",
        "Effect": "Allow", "Principal": {"AWS": "*"},
        "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*",
        "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333",
            "kms:ViaService": "s3.eu-west-1.amazonaws.com"}}}]});
    let req = |principal: &str, via: Option<&str>| {
        let mut s = json!({"principal": principal, "action": "kms:Decrypt", "resource": key,
            "identityPolicies": [admin()], "resourcePolicy": key_policy.clone()});
        if let Some(v) = via {
            s["context"] = json!({"kms:ViaService": v});
        }
        scenario(s).0
    };
    let v = req(ADMIN_USER, Some("s3.eu-west-1.amazonaws.com"));
    assert_eq!(v["decision"], "allowed", "{v}");
    assert_eq!(v["matched"][1]["layer"], "resource", "{v}");
    // kms:ViaService is not filled: without it the grant does not apply.
    assert_eq!(req(ADMIN_USER, None)["decision"], "implicitDeny");
    // Another account's caller does not match kms:CallerAccount.
    let other = req(
        "arn:aws:iam::999988887777:user/eve",
        Some("s3.eu-west-1.amazonaws.com"),
    );
    assert_eq!(other["decision"], "implicitDeny", "{other}");
}

#[test]
fn s3_resource_account_is_the_bucket_owner_service_authorization_reference_s3() {
    // Service Authorization Reference, "Actions, resources, and condition keys for Amazon
    // S3": s3:ResourceAccount "filters access by the resource owner AWS account ID".
    let only_own = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": "s3:*", "Resource": "*",
        "Condition": {"StringEquals": {"s3:ResourceAccount": "111122223333"}}}]});
    let req = |owner: &str| {
        scenario(json!({"principal": ADMIN_USER, "action": "s3:GetObject",
            "resource": "arn:aws:s3:::reports/q1.csv", "resourceAccount": owner,
            "identityPolicies": [only_own.clone()]}))
        .0
    };
    assert_eq!(req("111122223333")["decision"], "allowed");
    assert_eq!(req("444455556666")["decision"], "implicitDeny");
}

// ------------------------------------------------------------- statements AWS would refuse

const NO_PRINCIPAL_BUCKET_POLICY: &str = r#"{"Version": "2012-10-17", "Statement": [
  {"Sid": "Everyone?", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}]}"#;

#[test]
fn resource_statement_without_principal_grants_no_one_in_a_scenario_principal_element() {
    // IAM User Guide, "AWS JSON policy elements: Principal": resource-based policies must
    // name a principal; AWS refuses the policy otherwise, so it never grants to everyone.
    let dir = tempfile::tempdir().unwrap();
    let s = json!({"principal": "*", "action": "s3:GetObject",
        "resource": "arn:aws:s3:::reports/q1.csv", "resourceAccount": "111122223333",
        "resourcePolicy": serde_json::from_str::<Value>(NO_PRINCIPAL_BUCKET_POLICY).unwrap()});
    let f = write(dir.path(), "anon.json", &s.to_string());
    let o = iamlogic(&[
        "simulate",
        "--scenario",
        f.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["decision"], "implicitDeny", "{v}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("anon.json: $.resourcePolicy.Statement[0]: this resource-policy statement has no `Principal`"),
        "{err}"
    );
    // --quiet silences the warning, not the decision.
    let o = iamlogic(&["-q", "simulate", "--scenario", f.to_str().unwrap()]);
    assert_eq!(String::from_utf8_lossy(&o.stderr), "");
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn resource_statement_without_principal_warns_when_loading_account_data_principal_element() {
    // The same in account mode: the loader names the file and JSON path and the statement
    // grants nothing, neither to an anonymous caller nor to a user of another account.
    let dir = tempfile::tempdir().unwrap();
    let resources = json!([{"arn": "arn:aws:s3:::reports", "account": "111122223333",
        "policy": serde_json::from_str::<Value>(NO_PRINCIPAL_BUCKET_POLICY).unwrap()}]);
    write(dir.path(), "resources.json", &resources.to_string());
    for principal in ["*", "arn:aws:iam::999988887777:root"] {
        let o = iamlogic(&[
            "simulate",
            "-i",
            dir.path().to_str().unwrap(),
            "--principal",
            principal,
            "--action",
            "s3:GetObject",
            "--resource",
            "arn:aws:s3:::reports/q1.csv",
            "--format",
            "json",
        ]);
        let v: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {o:?}"));
        assert_eq!(v["decision"], "implicitDeny", "{principal}: {v}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("resources.json: [0].policy.Statement[0]: this resource-policy statement has no `Principal`"),
            "{err}"
        );
    }
}

#[test]
fn not_principal_in_a_trust_policy_is_an_error_iam_notprincipal_element() {
    // IAM User Guide, "AWS JSON policy elements: NotPrincipal": "Using it with
    // \"Effect\":\"Allow\" is not supported"; "You cannot use the NotPrincipal element ... in
    // an IAM role trust policy."
    let dir = tempfile::tempdir().unwrap();
    let trust = write(
        dir.path(),
        "trust.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:user/mallory"},
            "Action": "sts:AssumeRole"}]}"#,
    );
    let o = iamlogic(&["validate", "--kind", "trust", trust.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("trust.json:Statement[0].NotPrincipal: error unsupported-for-kind: `Allow` with `NotPrincipal` is not supported"),
        "{out}"
    );
    assert_eq!(o.status.code(), Some(1));
    // In a resource-based policy it stays a security warning (AWS accepts it there).
    let o = iamlogic(&["validate", "--kind", "resource", trust.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(!out.contains("unsupported-for-kind"), "{out}");
    assert!(
        out.contains("security-warning allow-with-not-principal"),
        "{out}"
    );
}
