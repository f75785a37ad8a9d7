//! End-to-end tests of S3 Block Public Access, bucket ACLs and Object Ownership through
//! `iamlogic simulate -i tests/fixtures/s3-public` (the fixtures and their story are in
//! `tests/fixtures/s3-public/README.md`). Each test cites the Amazon S3 User Guide page whose
//! rule it checks; docs/evaluation-logic.md lists them.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/s3-public")
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iamlogic"))
        .arg("simulate")
        .arg("-i")
        .arg(fixtures())
        .args(args)
        .output()
        .expect("run iamlogic")
}

/// The JSON result of one request.
fn simulate(principal: &str, action: &str, resource: &str) -> Value {
    let o = run(&[
        "--principal",
        principal,
        "--action",
        action,
        "--resource",
        resource,
        "--format",
        "json",
    ]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let v: Value = serde_json::from_str(out.trim())
        .unwrap_or_else(|e| panic!("{e}: {out}\n{}", String::from_utf8_lossy(&o.stderr)));
    let want = if v["decision"] == "allowed" { 0 } else { 1 };
    assert_eq!(o.status.code(), Some(want), "{o:?}");
    v
}

fn decide(principal: &str, action: &str, resource: &str) -> String {
    simulate(principal, action, resource)["decision"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

const ANONYMOUS: &str = "*";
const PARTNER: &str = "arn:aws:iam::222222222222:user/partner";
const PARTNER_NOBODY: &str = "arn:aws:iam::222222222222:user/nobody";
const VISITOR: &str = "arn:aws:iam::111111111111:user/visitor";
const SITE: &str = "arn:aws:s3:::bpa-restricted-site";

#[test]
fn restrict_public_buckets_keeps_a_public_policy_to_the_owner_account_and_services() {
    // Amazon S3 User Guide, "Blocking public access to your Amazon S3 storage":
    // RestrictPublicBuckets "restricts access to an access point or bucket with a public
    // policy to only AWS service principals and authorized users within the bucket owner's
    // account". The policy is public ("The meaning of public": `"Principal": "*"` without a
    // limiting condition).
    let v = simulate(ANONYMOUS, "s3:GetObject", &format!("{SITE}/index.html"));
    assert_eq!(v["decision"], "implicitDeny", "{v}");
    assert_eq!(v["missing"][0], "resource", "{v}");
    assert_eq!(v["restricted"][0]["sid"], "EveryoneReads", "{v}");
    assert_eq!(v["restricted"][0]["layer"], "resource", "{v}");
    // An outside account, whose own identity policy allows s3:*, is restricted too.
    assert_eq!(
        decide(PARTNER, "s3:GetObject", &format!("{SITE}/index.html")),
        "implicitDeny"
    );
    // The owner's account still gets the public grant: `visitor` has no policy of its own,
    // and a same-account grant to `*` reaches an IAM user ([DENYALLOW]).
    let v = simulate(VISITOR, "s3:GetObject", &format!("{SITE}/index.html"));
    assert_eq!(v["decision"], "allowed", "{v}");
    assert_eq!(v["matched"][0]["sid"], "EveryoneReads", "{v}");
    assert!(v.get("restricted").is_none(), "{v}");
    // AWS service principals keep their grant.
    assert_eq!(
        decide(
            "cloudtrail.amazonaws.com",
            "s3:PutObject",
            &format!("{SITE}/AWSLogs/111111111111/x.json.gz")
        ),
        "allowed"
    );
}

#[test]
fn restrict_public_buckets_also_blocks_non_public_delegation_in_a_public_policy() {
    // "How Amazon S3 evaluates a bucket policy that contains both public and non-public
    // access grants": "Even though statement 2 isn't public, Amazon S3 disables access by
    // Account-2", because the public statement renders the entire policy public.
    let v = simulate(PARTNER, "s3:ListBucket", SITE);
    assert_eq!(v["decision"], "implicitDeny", "{v}");
    assert_eq!(v["restricted"][0]["sid"], "PartnerLists", "{v}");
}

#[test]
fn account_level_block_public_access_applies_to_the_accounts_buckets() {
    // "Blocking public access": "If you apply a setting to an account, it applies to all
    // buckets and access points that are owned by that account" (raw `aws s3control
    // get-public-access-block` output). Here both IgnorePublicAcls (the public-read ACL)
    // and RestrictPublicBuckets (the public policy) are on at account level.
    let v = simulate(ANONYMOUS, "s3:GetObject", "arn:aws:s3:::acct-blocked/x");
    assert_eq!(v["decision"], "implicitDeny", "{v}");
    assert_eq!(v["restricted"][0]["sid"], "EveryoneReads", "{v}");
    assert_eq!(
        decide(ANONYMOUS, "s3:ListBucket", "arn:aws:s3:::acct-blocked"),
        "implicitDeny"
    );
}

#[test]
fn acl_grants_to_all_users_allow_the_mapped_bucket_actions() {
    // "Access control list (ACL) overview": the AllUsers group is anyone, "signed
    // (authenticated) or unsigned (anonymous)"; READ on a bucket maps to s3:ListBucket,
    // s3:ListBucketVersions and s3:ListBucketMultipartUploads, and to nothing else.
    let bucket = "arn:aws:s3:::acl-open";
    for action in [
        "s3:ListBucket",
        "s3:ListBucketVersions",
        "s3:ListBucketMultipartUploads",
    ] {
        let v = simulate(ANONYMOUS, action, bucket);
        assert_eq!(v["decision"], "allowed", "{action}: {v}");
        assert_eq!(v["matched"][0]["policy"], format!("{bucket}#acl"), "{v}");
        assert_eq!(v["matched"][0]["sid"], "Grants[1] AllUsers READ", "{v}");
    }
    assert_eq!(
        decide(ANONYMOUS, "s3:GetObject", &format!("{bucket}/x")),
        "implicitDeny"
    );
    // AuthenticatedUsers: "all requests must be signed": READ_ACP for any AWS account's
    // principal (with its own identity-side allow, across accounts), not for anonymous.
    assert_eq!(decide(ANONYMOUS, "s3:GetBucketAcl", bucket), "implicitDeny");
    assert_eq!(decide(PARTNER, "s3:GetBucketAcl", bucket), "allowed");
}

#[test]
fn acl_grant_to_another_account_is_a_cross_account_resource_grant() {
    // "Access control list (ACL) overview": a canonical user id is an AWS account (here
    // mapped by the owner id of that account's own bucket ACL); WRITE on a bucket maps to
    // s3:PutObject. Across accounts the caller's identity side must allow too
    // ([CROSS] "Cross-account policy evaluation logic").
    let object = "arn:aws:s3:::acl-open/upload.bin";
    let v = simulate(PARTNER, "s3:PutObject", object);
    assert_eq!(v["decision"], "allowed", "{v}");
    assert!(
        v["matched"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["sid"] == "Grants[3] account 222222222222 WRITE"),
        "{v}"
    );
    let v = simulate(PARTNER_NOBODY, "s3:PutObject", object);
    assert_eq!(v["decision"], "implicitDeny", "{v}");
    assert_eq!(v["missing"][0], "identity", "{v}");
    // WRITE does not let a non-owner delete ("WRITE permissions do not allow non-owners to
    // overwrite or delete existing objects").
    assert_eq!(decide(PARTNER, "s3:DeleteObject", object), "implicitDeny");
}

#[test]
fn ignore_public_acls_makes_public_grants_ineffective() {
    // "Blocking public access": IgnorePublicAcls "causes Amazon S3 to ignore all public ACLs
    // on a bucket"; "The meaning of public": an ACL is public when it grants to AllUsers or
    // AuthenticatedUsers. The same grant on `acl-open` allows (test above).
    let v = simulate(ANONYMOUS, "s3:ListBucket", "arn:aws:s3:::acl-ignored");
    assert_eq!(v["decision"], "implicitDeny", "{v}");
    assert_eq!(v["matched"], Value::Array(vec![]), "{v}");
    assert_eq!(v["missing"][0], "resource", "{v}");
}

#[test]
fn bucket_owner_enforced_disables_every_acl() {
    // "Controlling ownership of objects and disabling ACLs for your bucket": with
    // BucketOwnerEnforced "ACLs are disabled ... ACLs no longer affect permissions" — the
    // public grant and the grant to account 222222222222 both count for nothing.
    let bucket = "arn:aws:s3:::acl-enforced";
    assert_eq!(decide(ANONYMOUS, "s3:ListBucket", bucket), "implicitDeny");
    let v = simulate(PARTNER, "s3:ListBucket", bucket);
    assert_eq!(v["decision"], "implicitDeny", "{v}");
    assert_eq!(v["missing"][0], "resource", "{v}");
}

#[test]
fn text_output_names_the_block_public_access_setting() {
    let o = run(&[
        "--principal",
        PARTNER,
        "--action",
        "s3:GetObject",
        "--resource",
        &format!("{SITE}/index.html"),
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("(EveryoneReads) restricted: S3 Block Public Access RestrictPublicBuckets"),
        "{out}"
    );
}

#[test]
fn bad_s3_settings_name_the_file_and_path_and_unmapped_ids_warn() {
    let dir = tempfile::tempdir().unwrap();
    let iam = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_iamlogic"))
            .arg("simulate")
            .args(args)
            .args(["--principal", ANONYMOUS, "--action", "s3:ListBucket"])
            .output()
            .unwrap()
    };
    // A permission AWS does not define.
    let f = dir.path().join("s3-bucket-acl.b1.json");
    std::fs::write(
        &f,
        r#"{"Owner": {"ID": "c1"}, "Grants": [{"Grantee": {"Type": "Group",
            "URI": "http://acs.amazonaws.com/groups/global/AllUsers"}, "Permission": "READ_ALL"}]}"#,
    )
    .unwrap();
    let o = iam(&["-i", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("s3-bucket-acl.b1.json") && err.contains("Grants[0].Permission"),
        "{err}"
    );
    // A Block Public Access output whose file name names neither account nor bucket.
    let f = dir.path().join("bpa.json");
    std::fs::write(
        &f,
        r#"{"PublicAccessBlockConfiguration": {"RestrictPublicBuckets": true}}"#,
    )
    .unwrap();
    let o = iam(&["-i", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("s3-account-public-access-block"));
    // A setting that is not a boolean.
    std::fs::write(
        &f,
        r#"{"PublicAccessBlockConfiguration": {"RestrictPublicBuckets": "yes"}}"#,
    )
    .unwrap();
    let g = dir.path().join("s3-bucket-public-access-block.b2.json");
    std::fs::rename(&f, &g).unwrap();
    let o = iam(&["-i", g.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(String::from_utf8_lossy(&o.stderr)
        .contains("PublicAccessBlockConfiguration.RestrictPublicBuckets"));
    // A grant to a canonical id that no bucket ACL owns: loaded, with a warning.
    let f = dir.path().join("s3-bucket-acl.b3.json");
    std::fs::write(
        &f,
        r#"{"Owner": {"ID": "cowner"}, "Grants": [{"Grantee": {"Type": "CanonicalUser",
            "ID": "cstranger"}, "Permission": "READ"}]}"#,
    )
    .unwrap();
    let o = iam(&["-i", f.to_str().unwrap(), "--resource", "arn:aws:s3:::b3"]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("canonical user `cstranger`"), "{err}");
}
