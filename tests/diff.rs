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
    assert_eq!(v["gained"][0]["action"], "iam:PassRole");
    assert_eq!(v["lost"].as_array().map(Vec::len), Some(0));
    assert_eq!(v["gainedActions"], serde_json::json!(["iam:PassRole"]));
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
    let ctx = &v["gained"][0]["context"];
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
    assert!(String::from_utf8_lossy(&o.stdout).contains("iam:PassRole"));
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

fn public_bucket(cond: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"{cond}}}]}}"#
    )
}

fn check_public(p: &Path) -> Output {
    run(&[
        "check",
        "no-public-access",
        "--resource-type",
        "s3",
        "--format",
        "json",
        p.to_str().unwrap(),
    ])
}

#[test]
fn wildcard_principal_values_and_principal_tags_do_not_keep_outsiders_out() {
    // Amazon S3 User Guide, "The meaning of public": only FIXED values of the principal,
    // account or source keys make a policy non-public; a wildcard account or ARN does not,
    // and aws:PrincipalTag is set by the caller itself.
    let d = tempfile::tempdir().unwrap();
    for (i, cond) in [
        r#"{"StringLike":{"aws:PrincipalAccount":"1*"}}"#,
        r#"{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/x"}}"#,
        r#"{"StringEquals":{"aws:PrincipalTag/team":"x"}}"#,
        r#"{"StringEquals":{"aws:username":"alice"}}"#,
    ]
    .iter()
    .enumerate()
    {
        let p = write(
            d.path(),
            &format!("p{i}.json"),
            &public_bucket(&format!(r#","Condition":{cond}"#)),
        );
        let o = check_public(&p);
        assert_eq!(
            code(&o),
            1,
            "{cond}: {}",
            String::from_utf8_lossy(&o.stdout)
        );
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        let f = &v["findings"][0];
        // A possible request: an anonymous caller carries no identity keys, and an
        // authenticated one whose aws:PrincipalArn was chosen is that principal.
        let ctx = f["context"].as_object().unwrap();
        if f["principal"] == "*" {
            assert!(
                ctx.keys().all(|k| !k.starts_with("aws:principal")),
                "{cond}: {f}"
            );
        }
        if let Some(arn) = ctx.get("aws:principalarn") {
            assert_eq!(arn, &f["principal"], "{cond}: {f}");
        }
        if let Some(account) = ctx.get("aws:principalaccount").and_then(Value::as_str) {
            assert_eq!(account.len(), 12, "{cond}: {f}");
            let principal = f["principal"].as_str().unwrap_or_default();
            assert_eq!(principal.split(':').nth(4), Some(account), "{cond}: {f}");
        }
    }
}

#[test]
fn an_anonymous_counterexample_carries_no_principal_keys() {
    // StringNotEqualsIfExists aws:PrincipalOrgID: an anonymous caller has no organization
    // (the key is absent, IAM User Guide "AWS global condition context keys"), so it passes.
    let d = tempfile::tempdir().unwrap();
    let p = write(
        d.path(),
        "p.json",
        &public_bucket(
            r#","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-abc123"}}"#,
        ),
    );
    let o = check_public(&p);
    assert_eq!(code(&o), 1, "{}", String::from_utf8_lossy(&o.stdout));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    for f in v["findings"].as_array().unwrap() {
        let org = f["context"].get("aws:principalorgid");
        if f["principal"] == "*" {
            assert!(org.is_none(), "{f}");
        } else if let Some(org) = org {
            assert_ne!(org, "o-abc123", "{f}");
        }
    }
}

#[test]
fn bad_check_arguments_are_errors_naming_the_argument_exit_2() {
    let d = tempfile::tempdir().unwrap();
    let p = write(d.path(), "p.json", &allow(r#""s3:*""#, ""));
    let pb = write(d.path(), "pb.json", &public_bucket(""));
    let cases: [(&[&str], &str); 4] = [
        (
            &["no-public-access", "--resource-type", "frob"],
            "--resource-type `frob`",
        ),
        (
            &["access-not-granted", "--action", "frob"],
            "--action `frob`",
        ),
        (
            &["access-not-granted", "--action", "s3:Get Object"],
            "--action `s3:Get Object`",
        ),
        (
            &[
                "access-not-granted",
                "--action",
                "s3:PutObject",
                "--resource",
                "notarn",
            ],
            "--resource `notarn`",
        ),
    ];
    for (args, named) in cases {
        let file = if args[0] == "no-public-access" {
            &pb
        } else {
            &p
        };
        let mut all = vec!["check"];
        all.extend_from_slice(args);
        all.push(file.to_str().unwrap());
        let o = run(&all);
        assert_eq!(
            code(&o),
            2,
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stdout)
        );
        assert!(
            String::from_utf8_lossy(&o.stderr).contains(named),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

#[test]
fn an_action_outside_the_catalogue_is_checked_with_a_warning() {
    let d = tempfile::tempdir().unwrap();
    let p = write(d.path(), "p.json", &allow(r#""s3:GetObject""#, ""));
    let o = run(&[
        "check",
        "access-not-granted",
        "--action",
        "s3:GetObjekt",
        p.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("warning: --action `s3:GetObjekt`"), "{err}");
    assert!(err.contains("did you mean `s3:GetObject`"), "{err}");
}

#[test]
fn access_not_granted_takes_the_action_before_the_policy() {
    // The documented syntax: check access-not-granted --action s3:PutObject POLICY.json
    let d = tempfile::tempdir().unwrap();
    let p = write(
        d.path(),
        "p.json",
        &allow(r#"["s3:GetObject","s3:PutObject"]"#, ""),
    );
    let o = run(&[
        "check",
        "access-not-granted",
        "--action",
        "s3:PutObject",
        p.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 1, "{}", String::from_utf8_lossy(&o.stderr));
    // The resource is of the action's resource type (the catalogue's ARN format for S3
    // objects, `arn:${Partition}:s3:::${BucketName}/${ObjectName}`), not a bare `*`.
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("s3:PutObject on arn:aws:s3:::example/example by"),
        "{out}"
    );
    // `*` alone is an action pattern too (every action).
    let o = run(&[
        "check",
        "access-not-granted",
        "--action",
        "*",
        p.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 1, "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn a_diff_counterexample_replays_in_simulate_scenario() {
    let d = tempfile::tempdir().unwrap();
    let old_text = allow(r#""s3:GetObject""#, "");
    let new_text = allow(r#"["s3:GetObject","s3:GetAccelerateConfiguration"]"#, "");
    let old = write(d.path(), "old.json", &old_text);
    let new = write(d.path(), "new.json", &new_text);
    let o = run(&[
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 1, "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let gained = v["gained"][0].clone();
    assert_eq!(gained["action"], "s3:GetAccelerateConfiguration");
    // A bucket ARN, the resource type of the action in the catalogue.
    assert_eq!(gained["resource"], "arn:aws:s3:::example");
    // The request as printed, with each policy as the caller's identity policy: NEW allows
    // it, OLD does not — what the diff claims.
    for (policy, decision) in [(&new_text, "allowed"), (&old_text, "implicitDeny")] {
        let mut scenario = gained.clone();
        scenario["identityPolicies"] = Value::Array(vec![serde_json::from_str(policy).unwrap()]);
        let f = write(d.path(), "scenario.json", &scenario.to_string());
        let o = run(&[
            "simulate",
            "--scenario",
            f.to_str().unwrap(),
            "--format",
            "json",
        ]);
        let out: Value = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&o.stderr)));
        assert_eq!(out["decision"], decision, "{scenario}");
    }
}

#[test]
fn no_verdict_rests_on_an_unconfirmed_request() {
    // OLD's resource arn:aws:s3:::b/${aws:username}/* is inside NEW's arn:aws:s3:::b/*
    // whatever the user name (IAM User Guide, "IAM policy elements: Variables and tags"), so
    // NEW loses nothing. The encoding treats the variable as an independent atom; any request
    // it finds the other way must not be claimed unless the evaluator confirms it.
    let d = tempfile::tempdir().unwrap();
    let old = write(
        d.path(),
        "old.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username}/*"}]}"#,
    );
    let new = write(
        d.path(),
        "new.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#,
    );
    let o = run(&[
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    match v["verdict"].as_str() {
        Some("more-permissive") => assert_eq!(code(&o), 1),
        Some("unknown") => {
            assert_eq!(code(&o), 3);
            assert!(v["reason"].is_string(), "{v}");
        }
        other => panic!("verdict {other:?}: {v}"),
    }
    assert_eq!(v["lost"], serde_json::json!([]), "{v}");
    // The same question as a check: NEW as the reference, OLD grants nothing new.
    let o = run(&[
        "check",
        "no-new-access",
        "--reference",
        new.to_str().unwrap(),
        old.to_str().unwrap(),
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    match code(&o) {
        0 => assert!(out.starts_with("no-new-access: PASS"), "{out}"),
        3 => assert!(out.contains("reason: "), "{out}"),
        c => panic!("exit {c}: {out}"),
    }
}

#[test]
fn a_public_access_finding_replays_in_simulate_scenario() {
    // The finding, with the checked policy as the resource policy, is a request simulate
    // allows: an outsider that tagged itself team=x (it controls its own principal tags).
    let d = tempfile::tempdir().unwrap();
    let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"x"}}}]}"#;
    let p = write(d.path(), "p.json", text);
    let o = check_public(&p);
    assert_eq!(code(&o), 1, "{}", String::from_utf8_lossy(&o.stdout));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut scenario = v["findings"][0].clone();
    scenario["resourcePolicy"] = serde_json::from_str(text).unwrap();
    let f = write(d.path(), "scenario.json", &scenario.to_string());
    let o = run(&[
        "simulate",
        "--scenario",
        f.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let out: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&o.stderr)));
    assert_eq!(out["decision"], "allowed", "{scenario}");
}

#[test]
fn fixed_source_and_role_id_values_keep_outsiders_out_wildcards_do_not() {
    // Amazon S3 "The meaning of public": a fixed aws:SourceAccount, aws:SourceArn or
    // aws:userid of the pattern AROLEID:* makes a policy non-public; a wildcard does not.
    let d = tempfile::tempdir().unwrap();
    for (i, (cond, expected)) in [
        (
            r#"{"StringEquals":{"aws:SourceAccount":"111122223333"}}"#,
            0,
        ),
        (
            r#"{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:111122223333:t"}}"#,
            0,
        ),
        (r#"{"StringLike":{"aws:userid":"AROAEXAMPLEID:*"}}"#, 0),
        // Only AWS services carry a service name; an outsider has none.
        (
            r#"{"StringEquals":{"aws:PrincipalServiceName":"cloudtrail.amazonaws.com"}}"#,
            0,
        ),
        (r#"{"StringLike":{"aws:userid":"AROA*:*"}}"#, 1),
        (r#"{"StringLike":{"aws:PrincipalOrgID":"o-*"}}"#, 1),
        (r#"{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:*:t"}}"#, 1),
    ]
    .iter()
    .enumerate()
    {
        let p = write(
            d.path(),
            &format!("p{i}.json"),
            &public_bucket(&format!(r#","Condition":{cond}"#)),
        );
        let o = check_public(&p);
        assert_eq!(
            code(&o),
            *expected,
            "{cond}: {}",
            String::from_utf8_lossy(&o.stdout)
        );
    }
}

#[test]
fn diff_honours_the_timeout_on_large_policies() {
    // 5,000 statements against 3,001: far more than a second of work. `--timeout 1` must
    // give an answer (usually `unknown`, exit 3) well before the unbounded proof would end
    // (over 10 s before the deadline reached every phase).
    let d = tempfile::tempdir().unwrap();
    let st = |i: usize| {
        format!(
            r#"{{"Effect":"Allow","Action":["s3:GetObject","s3:Put*","ec2:Describe*"],"Resource":"arn:aws:s3:::b{i}/*"}}"#
        )
    };
    let many: Vec<String> = (0..5000).map(st).collect();
    let mut other: Vec<String> = (0..3000)
        .map(|i| {
            format!(
                r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/{i}/*"}}"#
            )
        })
        .collect();
    other.push(r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}"#.to_string());
    let doc = |sts: &[String]| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
            sts.join(",")
        )
    };
    let a = write(d.path(), "a.json", &doc(&many));
    let b = write(d.path(), "b.json", &doc(&other));
    let start = std::time::Instant::now();
    let o = run(&[
        "diff",
        "--timeout",
        "1",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
    ]);
    let took = start.elapsed();
    assert!(
        matches!(code(&o), 1 | 3),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(took.as_secs_f64() < 8.0, "took {took:?}");
}

/// `iamlogic diff OLD NEW --format json`, parsed, with the exit code.
fn diff_json(d: &Path, old: &str, new: &str, extra: &[&str]) -> (i32, Value) {
    let a = write(d, "old.json", old);
    let b = write(d, "new.json", new);
    let mut args = vec![
        "diff",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let o = run(&args);
    let v: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&o.stderr)));
    (code(&o), v)
}

/// Replay a printed request in `simulate --scenario` with `policy` as the identity policy.
fn replay(d: &Path, request: &Value, policy: &str) -> String {
    let mut scenario = request.clone();
    scenario["identityPolicies"] = Value::Array(vec![serde_json::from_str(policy).unwrap()]);
    let f = write(d, "scenario.json", &scenario.to_string());
    let o = run(&[
        "simulate",
        "--scenario",
        f.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let out: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&o.stderr)));
    out["decision"].as_str().unwrap_or_default().to_string()
}

/// Every printed request of both directions replays as the diff claims, and none carries a
/// placeholder or an empty resource (README: requests can be replayed as is).
fn assert_replays(d: &Path, v: &Value, old: &str, new: &str) {
    assert_eq!(v["gainedUnconfirmed"], serde_json::json!([]), "{v}");
    assert_eq!(v["lostUnconfirmed"], serde_json::json!([]), "{v}");
    for (dir, more, less) in [("gained", new, old), ("lost", old, new)] {
        for r in v[dir].as_array().unwrap() {
            let text = r.to_string();
            assert!(!text.contains("iamlogic-none"), "{text}");
            assert!(!text.contains("iamlogic-unknown"), "{text}");
            assert_ne!(r["resource"], "", "{text}");
            assert_eq!(replay(d, r, more), "allowed", "{dir} {text}");
            assert_ne!(replay(d, r, less), "allowed", "{dir} {text}");
        }
    }
}

fn one_statement(version: &str, action: &str, resource: &str, condition: &str) -> String {
    format!(
        r#"{{"Version":"{version}","Statement":[{{"Effect":"Allow","Action":"{action}","Resource":"{resource}"{condition}}}]}}"#
    )
}

#[test]
fn policy_variables_are_the_values_of_their_keys() {
    // IAMUserChangePassword v1 -> v2 (issue 10): `user/${aws:userid}` becomes
    // `user/${aws:username}`. IAM User Guide, "IAM policy elements: Variables and tags": the
    // variable is replaced by the value of the key in the request. A user whose name is not
    // its id is allowed by one version only, in each direction: incomparable, with requests
    // the evaluator confirms.
    let d = tempfile::tempdir().unwrap();
    let old = one_statement(
        "2012-10-17",
        "iam:ChangePassword",
        "arn:aws:iam::*:user/${aws:userid}",
        "",
    );
    let new = one_statement(
        "2012-10-17",
        "iam:ChangePassword",
        "arn:aws:iam::*:user/${aws:username}",
        "",
    );
    let (c, v) = diff_json(d.path(), &old, &new, &[]);
    assert_eq!(c, 1, "{v}");
    assert_eq!(v["verdict"], "incomparable", "{v}");
    assert_replays(d.path(), &v, &old, &new);
    // The gained request names the user by its name, in the principal too.
    let g = &v["gained"][0];
    let name = g["context"]["aws:username"].as_str().unwrap();
    assert!(
        g["resource"]
            .as_str()
            .unwrap()
            .ends_with(&format!("user/{name}")),
        "{g}"
    );
    assert!(
        g["principal"]
            .as_str()
            .unwrap()
            .ends_with(&format!(":user/{name}")),
        "{g}"
    );
    // A pattern inside another for every value of the variable: nothing lost, exactly.
    let wide = one_statement("2012-10-17", "s3:GetObject", "arn:aws:s3:::b/*", "");
    let home = one_statement(
        "2012-10-17",
        "s3:GetObject",
        "arn:aws:s3:::b/${aws:username}/*",
        "",
    );
    let (c, v) = diff_json(d.path(), &home, &wide, &[]);
    assert_eq!(
        (c, v["verdict"].as_str()),
        (1, Some("more-permissive")),
        "{v}"
    );
    assert_replays(d.path(), &v, &home, &wide);
    // A condition tying two keys: `s3:prefix` must be the user's home.
    let tied = one_statement(
        "2012-10-17",
        "s3:ListBucket",
        "*",
        r#","Condition":{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}"#,
    );
    let any = one_statement(
        "2012-10-17",
        "s3:ListBucket",
        "*",
        r#","Condition":{"StringLike":{"s3:prefix":"home/*"}}"#,
    );
    let (c, v) = diff_json(d.path(), &tied, &any, &[]);
    assert_eq!(
        (c, v["verdict"].as_str()),
        (1, Some("more-permissive")),
        "{v}"
    );
    assert_replays(d.path(), &v, &tied, &any);
}

#[test]
fn variables_are_literal_text_under_version_2008_10_17() {
    // IAM User Guide, "IAM JSON policy elements: Version": policy variables are not
    // recognised in version 2008-10-17; `${aws:username}` is literal text there. A default
    // `${key, 'default'}` applies when the key is absent ("Variables and tags").
    let d = tempfile::tempdir().unwrap();
    let r = "arn:aws:s3:::b/${aws:username}";
    let old = one_statement("2008-10-17", "s3:GetObject", r, "");
    let new = one_statement("2012-10-17", "s3:GetObject", r, "");
    let (c, v) = diff_json(d.path(), &old, &new, &[]);
    assert_eq!((c, v["verdict"].as_str()), (1, Some("incomparable")), "{v}");
    assert_replays(d.path(), &v, &old, &new);
    assert!(
        v["lost"]
            .as_array()
            .unwrap()
            .iter()
            .any(|q| q["resource"] == r),
        "{v}"
    );
    let with_default = one_statement(
        "2012-10-17",
        "s3:GetObject",
        "arn:aws:s3:::b/${aws:username, 'shared'}",
        "",
    );
    let shared = one_statement("2012-10-17", "s3:GetObject", "arn:aws:s3:::b/shared", "");
    // b/shared by a user named otherwise: only the fixed pattern; b/alice by alice: only the
    // variable.
    let (c, v) = diff_json(d.path(), &with_default, &shared, &[]);
    assert_eq!((c, v["verdict"].as_str()), (1, Some("incomparable")), "{v}");
    assert_replays(d.path(), &v, &with_default, &shared);
}

#[test]
fn multivalued_keys_get_as_many_values_as_a_request_needs() {
    // IAM User Guide, "Set operators for multivalued context keys": ForAnyValue holds when
    // some request value matches. OLD needs three tag keys at once; NEW allows nothing with
    // `x` among them. The request OLD allows and NEW does not carries four values.
    let d = tempfile::tempdir().unwrap();
    let old = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:CreateTags","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":"a"},"ForAnyValue:StringLike":{"aws:TagKeys":"b*"}}},{"Effect":"Deny","Action":"ec2:CreateTags","Resource":"*","Condition":{"ForAllValues:StringNotEquals":{"aws:TagKeys":"c"}}},{"Effect":"Deny","Action":"ec2:CreateTags","Resource":"*","Condition":{"ForAllValues:StringNotEquals":{"aws:TagKeys":"d"}}}]}"#;
    let new = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:CreateTags","Resource":"*"},{"Effect":"Deny","Action":"ec2:CreateTags","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":["a","c"]}}}]}"#;
    let (c, v) = diff_json(d.path(), old, new, &[]);
    assert_eq!(c, 1, "{v}");
    assert_replays(d.path(), &v, old, new);
    let lost = v["lost"].as_array().unwrap();
    assert!(!lost.is_empty(), "{v}");
    let tags = lost[0]["context"]["aws:tagkeys"].as_array().unwrap();
    assert!(tags.len() >= 4, "{v}");
    // An unqualified operator on a set matches no positive operator (docs/policy-language.md):
    // `StringEquals aws:TagKeys a` allows no request whose tag keys are a set.
    let unqualified = one_statement(
        "2012-10-17",
        "ec2:CreateTags",
        "*",
        r#","Condition":{"StringEquals":{"aws:TagKeys":"a"}}"#,
    );
    let any_a = one_statement(
        "2012-10-17",
        "ec2:CreateTags",
        "*",
        r#","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":"a"}}"#,
    );
    let (c, v) = diff_json(d.path(), &unqualified, &any_a, &[]);
    assert_eq!(c, 1, "{v}");
    assert_replays(d.path(), &v, &unqualified, &any_a);
}

#[test]
fn numbers_beyond_64_bits_are_compared_exactly() {
    // Issue 12: NumericGreaterThan 9223372036854775807 against NumericEquals
    // 9223372036854775808 (2^63) and a decimal of 23 digits; simulate compares them exactly,
    // so does diff.
    let d = tempfile::tempdir().unwrap();
    let cond = |op: &str, v: &str| {
        one_statement(
            "2012-10-17",
            "s3:ListBucket",
            "*",
            &format!(r#","Condition":{{"{op}":{{"s3:max-keys":"{v}"}}}}"#),
        )
    };
    let gt = cond("NumericGreaterThan", "9223372036854775807");
    let eq = cond("NumericEquals", "9223372036854775808");
    let (c, v) = diff_json(d.path(), &gt, &eq, &[]);
    assert_eq!(
        (c, v["verdict"].as_str()),
        (1, Some("less-permissive")),
        "{v}"
    );
    assert_replays(d.path(), &v, &gt, &eq);
    let (c, v) = diff_json(d.path(), &eq, &eq, &[]);
    assert_eq!((c, v["verdict"].as_str()), (0, Some("equivalent")), "{v}");
    let big = cond("NumericLessThan", "10000000000000000000000.0");
    let (c, v) = diff_json(d.path(), &big, &gt, &[]);
    assert_eq!((c, v["verdict"].as_str()), (1, Some("incomparable")), "{v}");
    assert_replays(d.path(), &v, &big, &gt);
}

#[test]
fn diff_respects_the_timeout_in_the_automata_search() {
    // Issue 12: OLD allows s3:ListBucket on arn:aws:s3:::*p*, NEW iam:PassRole on
    // arn:aws:s3::: followed by `*a` 3,000 times and `b` (ran past 40 s with --timeout 5).
    let d = tempfile::tempdir().unwrap();
    let old = one_statement("2012-10-17", "s3:ListBucket", "arn:aws:s3:::*p*", "");
    let long = format!("arn:aws:s3:::{}b", "*a".repeat(3000));
    let new = one_statement("2012-10-17", "iam:PassRole", &long, "");
    let start = std::time::Instant::now();
    let (c, v) = diff_json(d.path(), &old, &new, &["--timeout", "5"]);
    let took = start.elapsed();
    assert!(took.as_secs_f64() < 9.0, "took {took:?}");
    match c {
        1 => assert_eq!(v["verdict"], "incomparable", "{v}"),
        3 => assert!(v["reason"].is_string(), "{v}"),
        _ => panic!("exit {c}: {v}"),
    }
}
