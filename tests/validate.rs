//! End-to-end tests of `iamlogic validate`: output formats and exit codes (0 no error
//! finding, 1 an error finding, 2 the program could not run).

mod support;

use serde_json::Value;
use support::{write, Run, TestCommand};

/// Run `iamlogic validate ARGS` to the end.
fn validate(args: &[&str]) -> Run {
    TestCommand::new().arg("validate").args(args).run()
}

const CLEAN: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "List", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::reports"},
    {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::reports/*"}
  ]
}"#;

#[test]
fn clean_policy_exits_zero_with_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "clean.json", CLEAN);
    let o = validate(&[f.to_str().unwrap()]);
    o.assert_code(0);
    assert_eq!(o.stdout(), "");
}

#[test]
fn unknown_action_is_an_error_with_file_path_and_did_you_mean() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "typo.json",
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
            "Action": "s3:GetObjekt", "Resource": "arn:aws:s3:::reports/*"}}"#,
    );
    let o = validate(&[f.to_str().unwrap()]);
    o.assert_code(1);
    let text = o.stdout();
    let expected = format!(
        "{}: $.Statement.Action: error unknown-action: `s3:GetObjekt` is not a known action of `s3`; did you mean `s3:GetObject`?\n",
        f.display()
    );
    assert_eq!(text, expected);
}

#[test]
fn json_format_lists_findings_with_file_severity_code_and_path() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "clean.json", CLEAN);
    // Security warnings only: exit 0. The bucket ARN is no object: a warning.
    let b = write(
        dir.path(),
        "wide.json",
        r#"{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports"}]}"#,
    );
    let o = validate(&["--format", "json", a.to_str().unwrap(), b.to_str().unwrap()]);
    o.assert_code(0);
    let v: Value = serde_json::from_str(&o.stdout()).expect("JSON output");
    let got: Vec<(String, String, String, String)> = v
        .as_array()
        .expect("an array")
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (s("file"), s("severity"), s("code"), s("path"))
        })
        .collect();
    let file = b.display().to_string();
    assert_eq!(
        got,
        vec![
            (
                file.clone(),
                "security-warning".into(),
                "pass-role-with-star-resource".into(),
                "$.Statement[0].Resource".into()
            ),
            (
                file,
                "warning".into(),
                "resource-not-applicable".into(),
                "$.Statement[1].Resource".into()
            ),
        ]
    );
}

#[test]
fn grammar_errors_are_syntax_findings() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "bad.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Action": "s3:*", "Resource": "*"}]}"#,
    );
    let o = validate(&["--format", "json", f.to_str().unwrap()]);
    o.assert_code(1);
    let v: Value = serde_json::from_str(&o.stdout()).unwrap();
    let first = &v[0];
    assert_eq!(first["code"], "syntax");
    assert_eq!(first["severity"], "error");
    assert_eq!(first["path"], "$.Statement[0].Effect");
}

#[test]
fn size_quota_depends_on_kind() {
    // IAM quotas: a user's inline policies 2,048 characters, a role's 10,240 (white space
    // not counted).
    let dir = tempfile::tempdir().unwrap();
    let resources: Vec<String> = (0..80)
        .map(|i| format!("\"arn:aws:s3:::bucket-number-{i}/*\""))
        .collect();
    let text = format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "s3:GetObject", "Resource": [{}]}}]}}"#,
        resources.join(",")
    );
    let f = write(dir.path(), "big.json", &text);
    let user = validate(&["--kind", "inline-user", f.to_str().unwrap()]);
    user.assert_code(1);
    assert!(
        user.stdout().contains(": $: error policy-too-large:"),
        "{}",
        user.stdout()
    );
    let role = validate(&["--kind", "inline-role", f.to_str().unwrap()]);
    role.assert_code(0);
}

#[test]
fn missing_file_exits_two_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "clean.json", CLEAN);
    let missing = dir.path().join("nope.json");
    let o = validate(&[good.to_str().unwrap(), missing.to_str().unwrap()]);
    o.assert_code(2);
    assert_eq!(
        o.stdout(),
        "",
        "nothing printed when the run cannot complete"
    );
    let err = o.stderr();
    assert!(err.contains("nope.json"), "{err}");
}

#[test]
fn a_directory_stands_for_its_json_files() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.json", CLEAN);
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    write(
        &dir.path().join("sub"),
        "b.json",
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}}"#,
    );
    write(dir.path(), "notes.txt", "not a policy");
    let o = validate(&[dir.path().to_str().unwrap()]);
    o.assert_code(1);
    let text = o.stdout();
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.contains("b.json: $.Statement.Action: error unknown-action"),
        "{text}"
    );
}

#[test]
fn text_that_is_not_utf8_is_a_syntax_finding() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("latin1.json");
    std::fs::write(&f, b"{\"Version\": \"2012-10-17\", \"Id\": \"caf\xe9\"}").unwrap();
    let o = validate(&[f.to_str().unwrap()]);
    o.assert_code(1);
    assert!(
        o.stdout()
            .contains(": $: error syntax: the document is not UTF-8 text"),
        "{}",
        o.stdout()
    );
}

#[test]
fn a_reader_that_stops_early_ends_the_run_quietly() {
    // `iamlogic validate ... | head`: once the reader is gone, writing fails with EPIPE;
    // the run stops writing without an error message and keeps its exit code.
    let dir = tempfile::tempdir().unwrap();
    let actions: Vec<String> = (0..3000)
        .map(|i| format!("\"s3:NoSuchAction{i}\""))
        .collect();
    let text = format!(
        r#"{{"Version": "2012-10-17", "Statement": {{"Effect": "Allow", "Action": [{}], "Resource": "*"}}}}"#,
        actions.join(",")
    );
    let f = write(dir.path(), "many.json", &text);
    // Close the read end at once: the output (over 300 KB) cannot fit in the pipe buffer,
    // so some write meets a closed pipe.
    let o = TestCommand::new()
        .args(["validate", "--quiet", f.to_str().unwrap()])
        .run_closing_stdout();
    let err = o.stderr();
    assert_eq!(err, "", "no message on a closed stdout");
    o.assert_code(1);
}

#[test]
fn new_finding_codes_reach_the_json_output() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "values.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
            "Resource": ["arn:aws:s3:::b/*", "arn:aws:ec2:us-east-1:12:instance/*"],
            "Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "10.0.0.0/33"]}}}]}"#,
    );
    let o = validate(&["--format", "json", f.to_str().unwrap()]);
    o.assert_code(1);
    let v: Value = serde_json::from_str(&o.stdout()).unwrap();
    let got: Vec<(String, String)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["code"].as_str().unwrap().to_string(),
                x["path"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        got.contains(&("invalid-arn".into(), "$.Statement[0].Resource[1]".into())),
        "{got:?}"
    );
    assert!(
        got.contains(&(
            "condition-value-invalid".into(),
            "$.Statement[0].Condition.IpAddress.aws:SourceIp[1]".into()
        )),
        "{got:?}"
    );
}
