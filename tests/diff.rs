//! End-to-end tests of `iamlogic diff` and `iamlogic check`: verdicts, counterexamples,
//! JSON shape and exit codes (0 equivalent/pass, 1 differs/fail, 2 error).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write policy");
    p
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iamlogic"))
        .args(args)
        .output()
        .expect("run iamlogic")
}

fn allow(actions: &str, extra: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":{actions},"Resource":"*"{extra}}}]}}"#
    )
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

#[test]
fn identical_policies_are_equivalent_exit_0() {
    let d = tempfile::tempdir().unwrap();
    let a = write(
        d.path(),
        "a.json",
        &allow(r#"["s3:GetObject","s3:List*"]"#, ""),
    );
    let b = write(
        d.path(),
        "b.json",
        &allow(r#"["s3:List*","s3:getobject"]"#, ""),
    );
    let o = run(&["diff", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("verdict: equivalent"));
}

#[test]
fn an_added_action_is_more_permissive_with_a_gained_request() {
    let d = tempfile::tempdir().unwrap();
    let a = write(d.path(), "a.json", &allow(r#""s3:GetObject""#, ""));
    let b = write(
        d.path(),
        "b.json",
        &allow(r#"["s3:GetObject","iam:PassRole"]"#, ""),
    );
    let o = run(&[
        "diff",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 1, "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["verdict"], "more-permissive");
    assert_eq!(v["gained"][0]["action"], "iam:passrole");
    assert_eq!(v["lost"].as_array().map(Vec::len), Some(0));
    assert_eq!(v["gainedActions"], serde_json::json!(["iam:passrole"]));
}

#[test]
fn dropping_a_condition_gains_requests_that_fail_it() {
    // Bool aws:SecureTransport: without the condition, plain-HTTP requests are allowed too.
    let d = tempfile::tempdir().unwrap();
    let cond = r#","Condition":{"Bool":{"aws:SecureTransport":"true"}}"#;
    let a = write(d.path(), "a.json", &allow(r#""s3:GetObject""#, cond));
    let b = write(d.path(), "b.json", &allow(r#""s3:GetObject""#, ""));
    let o = run(&[
        "diff",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 1, "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["verdict"], "more-permissive");
    let ctx = &v["gained"][0]["context"]["entries"];
    let secure = ctx.get("aws:securetransport");
    assert!(
        secure.is_none() || secure == Some(&Value::from("false")),
        "{ctx}"
    );
}

#[test]
fn a_bad_policy_file_is_an_error_naming_it_exit_2() {
    let d = tempfile::tempdir().unwrap();
    let a = write(d.path(), "good.json", &allow(r#""s3:GetObject""#, ""));
    let b = write(d.path(), "broken.json", "{\"Statement\": [");
    let o = run(&["diff", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("broken.json"));
}

#[test]
fn check_no_new_access_passes_and_fails() {
    let d = tempfile::tempdir().unwrap();
    let old = write(d.path(), "old.json", &allow(r#""s3:*""#, ""));
    let narrower = write(d.path(), "n.json", &allow(r#""s3:Get*""#, ""));
    let wider = write(d.path(), "w.json", &allow(r#"["s3:*","ec2:*"]"#, ""));
    let args = |new: &Path| {
        run(&[
            "check",
            "no-new-access",
            "--reference",
            old.to_str().unwrap(),
            new.to_str().unwrap(),
        ])
    };
    assert_eq!(code(&args(&narrower)), 0);
    let o = args(&wider);
    assert_eq!(code(&o), 1);
    assert!(String::from_utf8_lossy(&o.stdout).contains("no-new-access: FAIL"));
}

#[test]
fn check_access_not_granted() {
    let d = tempfile::tempdir().unwrap();
    let iam = write(d.path(), "iam.json", &allow(r#""iam:*""#, ""));
    let s3 = write(d.path(), "s3.json", &allow(r#""s3:*""#, ""));
    let check = |p: &Path| {
        run(&[
            "check",
            "access-not-granted",
            "--action",
            "iam:PassRole",
            "--resource",
            "arn:aws:iam::111122223333:role/admin",
            "--",
            p.to_str().unwrap(),
        ])
    };
    let o = check(&iam);
    assert_eq!(code(&o), 1, "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("iam:passrole"));
    assert_eq!(code(&check(&s3)), 0);
}

#[test]
fn check_no_public_access() {
    // "Principal": "*" is public unless a condition only the account's callers meet holds
    // (aws:PrincipalOrgID is set by AWS from the caller's organization).
    let d = tempfile::tempdir().unwrap();
    let bucket = |cond: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"{cond}}}]}}"#
        )
    };
    let public = write(d.path(), "public.json", &bucket(""));
    let org = write(
        d.path(),
        "org.json",
        &bucket(r#","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}"#),
    );
    let tls = write(
        d.path(),
        "tls.json",
        &bucket(r#","Condition":{"Bool":{"aws:SecureTransport":"true"}}"#),
    );
    let check = |p: &Path| {
        run(&[
            "check",
            "no-public-access",
            "--resource-type",
            "AWS::S3::Bucket",
            p.to_str().unwrap(),
        ])
    };
    let o = check(&public);
    assert_eq!(code(&o), 1, "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(code(&check(&org)), 0);
    // An outsider can use TLS: still public.
    assert_eq!(code(&check(&tls)), 1);
    // Keys AWS sets from the caller's account or network keep outsiders out.
    for (i, cond) in [
        r#"{"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}"#,
        r#"{"StringEquals":{"aws:PrincipalAccount":"111122223333"}}"#,
        r#"{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}"#,
        r#"{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/*"}}"#,
    ]
    .iter()
    .enumerate()
    {
        let p = write(
            d.path(),
            &format!("restricted{i}.json"),
            &bucket(&format!(r#","Condition":{cond}"#)),
        );
        let o = check(&p);
        assert_eq!(
            code(&o),
            0,
            "{cond}: {}",
            String::from_utf8_lossy(&o.stdout)
        );
    }
    // A negated restriction admits outsiders: public.
    let not_org = write(
        d.path(),
        "not_org.json",
        &bucket(r#","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-abc123"}}"#),
    );
    assert_eq!(code(&check(&not_org)), 1);
}
