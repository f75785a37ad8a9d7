//! Everything a user gives is used or refused (issue 12): flags that would be ignored are
//! refused, warnings survive `--quiet`, every JSON reader rejects repeated keys and warns
//! about unknown members with their path, and messages share one form.

mod support;

use std::path::{Path, PathBuf};

use support::{examples, iamlogic, simulate_one, write, Run, TestCommand};

/// A fresh directory under the target directory, for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("used-or-refused-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

const ALICE: &str = "arn:aws:iam::222222222222:user/alice";

/// `iamlogic simulate -i INPUT --requests FILE EXTRA...`.
fn simulate_requests(input: &Path, requests: &Path, extra: &[&str]) -> Run {
    let mut args = vec![
        "simulate",
        "-i",
        input.to_str().unwrap(),
        "--requests",
        requests.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    iamlogic(&args)
}

/// `iamlogic facts -i INPUT --out OUT`.
fn facts_into(input: &Path, out: &Path) -> Run {
    iamlogic(&[
        "facts",
        "-i",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ])
}

// ---------------------------------------------------------------------------------------
// Flags that a request file makes meaningless are refused, never ignored.
// ---------------------------------------------------------------------------------------

#[test]
fn request_flags_with_a_requests_or_scenario_file_are_refused_naming_the_flag() {
    let ex = examples();
    let requests = ex.join("requests.jsonl");
    let dir = scratch("flags");
    let scenario = write(
        &dir,
        "s.json",
        r#"{"action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"}"#,
    );
    let cases: [(&[&str], &str); 5] = [
        (&["--context", "aws:SecureTransport=false"], "--context"),
        (&["--resource", "arn:aws:s3:::other"], "--resource"),
        (
            &["--resource-account", "111111111111"],
            "--resource-account",
        ),
        (&["--context", "aws:SourceIp=10.0.0.1"], "--context"),
        (&["--resource", "*"], "--resource"),
    ];
    for (extra, flag) in cases {
        let o = simulate_requests(&ex, &requests, extra);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", o.stderr());
        assert!(
            o.stderr()
                .contains(&format!("`{flag}` cannot be used with `--requests`")),
            "{}",
            o.stderr()
        );
        assert!(o.stdout().is_empty());

        let mut args = vec!["simulate", "--scenario", scenario.to_str().unwrap()];
        args.extend_from_slice(extra);
        let o = iamlogic(&args);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", o.stderr());
        assert!(
            o.stderr()
                .contains(&format!("`{flag}` cannot be used with `--scenario`")),
            "{}",
            o.stderr()
        );

        let mut args = vec!["simulate", "--aws-input", scenario.to_str().unwrap()];
        args.extend_from_slice(extra);
        let o = iamlogic(&args);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", o.stderr());
        assert!(
            o.stderr()
                .contains(&format!("`{flag}` cannot be used with `--aws-input`")),
            "{}",
            o.stderr()
        );
    }
}

// ---------------------------------------------------------------------------------------
// `--quiet` hides progress and notes, never warnings.
// ---------------------------------------------------------------------------------------

#[test]
fn quiet_keeps_load_warnings_and_hides_notes() {
    let ex = examples();
    for cmd in ["simulate", "facts"] {
        let out = scratch(&format!("quiet-{cmd}"));
        let mut args = vec!["-q", cmd, "-i", ex.to_str().unwrap()];
        if cmd == "simulate" {
            args.extend_from_slice(&[
                "--principal",
                "arn:aws:iam::222222222222:user/nobody-here",
                "--action",
                "s3:GetObject",
            ]);
        } else {
            args.extend_from_slice(&["--out", out.to_str().unwrap()]);
        }
        let o = iamlogic(&args);
        let err = o.stderr();
        // examples/ attaches a customer-managed policy that no file describes.
        assert!(
            err.contains("warning: ") && err.contains("LegacyDeletedPolicy"),
            "{cmd}: {err}"
        );
        assert!(!err.contains("note: "), "{cmd}: {err}");
        if cmd == "simulate" {
            assert!(
                err.contains("nobody-here` is not in the loaded data"),
                "{err}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Repeated JSON keys: every reader refuses them, naming the file and the path.
// ---------------------------------------------------------------------------------------

/// A bucket policy whose only statement says `Deny` then `Allow` for `Effect`: read last-wins
/// it would grant anonymous access.
const DENY_THEN_ALLOW: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::dup-bucket/*"}]}"#;

fn anonymous_get(dir: &Path) -> Run {
    simulate_one(
        &dir,
        "*",
        "s3:GetObject",
        &["--resource", "arn:aws:s3:::dup-bucket/k"],
    )
}

#[test]
fn repeated_key_in_resources_json_is_an_error_not_anonymous_access() {
    let dir = scratch("dup-resources");
    let file = write(
        &dir,
        "resources.json",
        &format!(
            r#"[{{"arn": "arn:aws:s3:::dup-bucket", "account": "111111111111", "policy": {DENY_THEN_ALLOW}}}]"#
        ),
    );
    let o = anonymous_get(&dir);
    assert_eq!(o.status.code(), Some(2), "{}", o.stdout());
    assert_eq!(
        o.stderr().trim(),
        format!(
            "error: {}: $[0].policy.Statement[0].Effect: `Effect` is given more than once",
            file.display()
        )
    );
}

#[test]
fn repeated_key_in_a_policy_given_as_a_json_string_is_an_error() {
    let dir = scratch("dup-string");
    let doc = serde_json::Value::String(DENY_THEN_ALLOW.to_string());
    write(
        &dir,
        "resources.json",
        &format!(
            r#"[{{"arn": "arn:aws:s3:::dup-bucket", "account": "111111111111", "policy": {doc}}}]"#
        ),
    );
    let o = anonymous_get(&dir);
    assert_eq!(o.status.code(), Some(2), "{}", o.stdout());
    assert!(
        o.stderr()
            .contains("$[0].policy.Statement[0].Effect: `Effect` is given more than once"),
        "{}",
        o.stderr()
    );
}

#[test]
fn repeated_key_in_gaad_and_organization_is_an_error() {
    let dir = scratch("dup-gaad");
    write(
        &dir,
        "gaad.json",
        r#"{"UserDetailList": [{"UserName": "a", "Arn": "arn:aws:iam::111111111111:user/a", "Arn": "arn:aws:iam::111111111111:user/b"}]}"#,
    );
    let o = simulate_one(
        &dir,
        "arn:aws:iam::111111111111:user/b",
        "s3:GetObject",
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        o.stderr()
            .contains("gaad.json: $.UserDetailList[0].Arn: `Arn` is given more than once"),
        "{}",
        o.stderr()
    );

    let dir = scratch("dup-org");
    write(
        &dir,
        "organization.json",
        r#"{"organizationId": "o-aaaaaaaaaa", "managementAccountId": "111111111111", "rootId": "r-aaaa", "rootId": "r-bbbb"}"#,
    );
    let o = facts_into(&dir, &dir.join("out"));
    assert_eq!(o.status.code(), Some(2));
    assert!(
        o.stderr()
            .contains("organization.json: $.rootId: `rootId` is given more than once"),
        "{}",
        o.stderr()
    );
}

#[test]
fn repeated_key_in_a_scenario_or_a_request_context_is_an_error() {
    let dir = scratch("dup-scenario");
    let scenario = write(
        &dir,
        "s.json",
        &format!(
            r#"{{"principal": "*", "action": "s3:GetObject", "resource": "arn:aws:s3:::dup-bucket/k", "resourcePolicy": {DENY_THEN_ALLOW}}}"#
        ),
    );
    let o = iamlogic(&["simulate", "--scenario", scenario.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", o.stdout());
    assert!(
        o.stderr().contains(
            "s.json: $.resourcePolicy.Statement[0].Effect: `Effect` is given more than once"
        ),
        "{}",
        o.stderr()
    );
    // The same document as a JSON string inside the scenario.
    let doc = serde_json::Value::String(DENY_THEN_ALLOW.to_string());
    let scenario = write(
        &dir,
        "s2.json",
        &format!(
            r#"{{"principal": "*", "action": "s3:GetObject", "resource": "arn:aws:s3:::dup-bucket/k", "resourcePolicy": {doc}}}"#
        ),
    );
    let o = iamlogic(&["simulate", "--scenario", scenario.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", o.stdout());
    assert!(
        o.stderr()
            .contains("$.resourcePolicy.Statement[0].Effect: `Effect` is given more than once"),
        "{}",
        o.stderr()
    );

    let requests = write(
        &dir,
        "r.jsonl",
        &format!(
            "{{\"principal\": \"{ALICE}\", \"action\": \"s3:GetObject\"}}\n{{\"principal\": \"{ALICE}\", \"action\": \"s3:GetObject\", \"context\": {{\"aws:SourceIp\": \"10.0.0.1\", \"aws:SourceIp\": \"192.0.2.1\"}}}}\n"
        ),
    );
    let o = simulate_requests(&examples(), &requests, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", o.stdout());
    assert!(
        o.stderr().contains(&format!(
            "{}:2: $.context.aws:SourceIp: `aws:SourceIp` is given more than once",
            requests.display()
        )),
        "{}",
        o.stderr()
    );
}

// ---------------------------------------------------------------------------------------
// Unknown members of nested objects are warnings with their path.
// ---------------------------------------------------------------------------------------

#[test]
fn unknown_members_of_nested_gaad_and_resource_objects_are_warned_with_their_path() {
    let dir = scratch("nested-members");
    write(
        &dir,
        "resources.json",
        r#"[{"arn": "arn:aws:s3:::b", "account": "111111111111", "tags": [{"Key": "team", "value": "data"}]}]"#,
    );
    write(
        &dir,
        "gaad.json",
        r#"{
  "UserDetailList": [{"UserName": "u", "Arn": "arn:aws:iam::111111111111:user/u",
    "Tags": [{"Key": "k", "Value": "v", "Extra": 1}],
    "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": {"Statement": []}, "Polcy": 1}],
    "AttachedManagedPolicies": [{"PolicyName": "m", "PolicyArn": "arn:aws:iam::111111111111:policy/m", "Note": 1}],
    "PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": "arn:aws:iam::111111111111:policy/m", "Extra": 1}}],
  "RoleDetailList": [{"RoleName": "r", "Arn": "arn:aws:iam::111111111111:role/r",
    "RoleLastUsed": {"LastUsedDate": "2024-01-01T00:00:00Z", "Region": "eu-west-1", "Extra": 1},
    "InstanceProfileList": [{"InstanceProfileName": "ip", "Arn": "arn:aws:iam::111111111111:instance-profile/ip", "Extra": 1}]}],
  "Policies": [{"PolicyName": "m", "Arn": "arn:aws:iam::111111111111:policy/m", "DefaultVersionId": "v1",
    "PolicyVersionList": [{"Document": {"Statement": []}, "VersionId": "v1", "IsDefaultVersion": true, "Extra": 1},
                          {"Document": {"Statement": []}, "VersionId": "v0", "IsDefaultVersion": false, "Later": 1}]}]
}"#,
    );
    let o = facts_into(&dir, &dir.join("out"));
    assert_eq!(o.status.code(), Some(0), "{}", o.stderr());
    let err = o.stderr();
    for path in [
        "resources.json: $[0].tags[0].value: element `value`",
        "gaad.json: $.UserDetailList[0].Tags[0].Extra:",
        "gaad.json: $.UserDetailList[0].UserPolicyList[0].Polcy:",
        "gaad.json: $.UserDetailList[0].AttachedManagedPolicies[0].Note:",
        "gaad.json: $.UserDetailList[0].PermissionsBoundary.Extra:",
        "gaad.json: $.RoleDetailList[0].RoleLastUsed.Extra:",
        "gaad.json: $.RoleDetailList[0].InstanceProfileList[0].Extra:",
        "gaad.json: $.Policies[0].PolicyVersionList[0].Extra:",
        "gaad.json: $.Policies[0].PolicyVersionList[1].Later:",
    ] {
        assert!(err.contains(path), "missing `{path}` in:\n{err}");
    }
}

// ---------------------------------------------------------------------------------------
// Text that is not UTF-8 is named with its byte offset, in every command.
// ---------------------------------------------------------------------------------------

#[test]
fn invalid_utf8_names_the_byte_offset_in_simulate_and_facts() {
    let dir = scratch("utf8");
    let file = dir.join("resources.json");
    std::fs::write(&file, b"[{\"arn\": \"arn:aws:s3:::b\xff\"}]").unwrap();
    let o = simulate_one(&file, "*", "s3:GetObject", &[]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        o.stderr().trim(),
        format!(
            "error: {}: not UTF-8 text (invalid byte at offset 24)",
            file.display()
        )
    );
    let o = facts_into(&dir, &dir.join("out"));
    assert_eq!(o.status.code(), Some(2));
    assert!(
        o.stderr().contains("invalid byte at offset 24"),
        "{}",
        o.stderr()
    );
}

// ---------------------------------------------------------------------------------------
// One rule for the files of a directory: hidden entries skipped, extensions in any case.
// ---------------------------------------------------------------------------------------

#[test]
fn directories_skip_hidden_entries_and_read_upper_case_extensions_in_validate_and_loads() {
    let dir = scratch("hidden");
    // Broken JSON in hidden places: read, it would fail the run.
    write(&dir, ".hidden.json", "{ not json");
    write(&dir, ".git/config.json", "{ not json");
    // An upper-case extension is read by both.
    write(
        &dir,
        "BUCKET.JSON",
        r#"[{"arn": "arn:aws:s3:::upper", "account": "111111111111", "policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::upper/*"}]}}]"#,
    );
    let o = simulate_one(
        &dir,
        "*",
        "s3:GetObject",
        &["--resource", "arn:aws:s3:::upper/k"],
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", o.stdout(), o.stderr());

    let vdir = scratch("hidden-validate");
    write(&vdir, ".hidden.json", "{ not json");
    write(&vdir, ".git/config.json", "{ not json");
    write(
        &vdir,
        "POLICY.JSON",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}]}"#,
    );
    let o = iamlogic(&["validate", vdir.to_str().unwrap()]);
    let out = o.stdout();
    assert_eq!(o.status.code(), Some(1), "{out}{}", o.stderr());
    assert!(
        out.contains("POLICY.JSON: $.Statement[0].Action: error unknown-action"),
        "{out}"
    );
    assert!(!out.contains(".hidden") && !out.contains(".git"), "{out}");
}

// ---------------------------------------------------------------------------------------
// An action outside the catalogue is warned about, with did-you-mean, in every command.
// ---------------------------------------------------------------------------------------

#[test]
fn unknown_actions_are_warned_with_did_you_mean_in_simulate_and_check() {
    let ex = examples();
    let o = simulate_one(&ex, ALICE, "s3:GetObjekt", &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        o.stderr().contains("warning: --action: `s3:GetObjekt` is not a known action of `s3`; did you mean `s3:GetObject`?"),
        "{}",
        o.stderr()
    );

    let dir = scratch("unknown-action");
    let requests = write(
        &dir,
        "r.jsonl",
        &format!(
            "{{\"principal\": \"{ALICE}\", \"action\": \"s3:GetObject\"}}\n\n{{\"principal\": \"{ALICE}\", \"action\": \"s3:GetObjekt\"}}\n"
        ),
    );
    let o = simulate_requests(&ex, &requests, &[]);
    assert!(
        o.stderr().contains(&format!(
            "warning: {}:3: $.action: `s3:GetObjekt` is not a known action of `s3`; did you mean `s3:GetObject`?",
            requests.display()
        )),
        "{}",
        o.stderr()
    );

    let scenario = write(&dir, "s.json", r#"{"action": "s3:GetObjekt"}"#);
    let o = iamlogic(&["simulate", "--scenario", scenario.to_str().unwrap()]);
    assert!(
        o.stderr().contains("did you mean `s3:GetObject`?"),
        "{}",
        o.stderr()
    );

    // `check`: a wildcard that matches no action is warned about too.
    let policy = write(
        &dir,
        "p.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#,
    );
    let o = iamlogic(&[
        "check",
        "access-not-granted",
        "--action",
        "s3:Frobnicate*",
        policy.to_str().unwrap(),
    ]);
    assert!(
        o.stderr()
            .contains("warning: --action: the pattern `s3:Frobnicate*` matches no known action"),
        "{}",
        o.stderr()
    );
}

#[test]
fn requests_json_output_carries_each_request_line() {
    let dir = scratch("lines");
    let requests = write(
        &dir,
        "r.jsonl",
        &format!(
            "{{\"principal\": \"{ALICE}\", \"action\": \"s3:GetObject\"}}\n\n{{\"principal\": \"{ALICE}\", \"action\": \"s3:PutObject\"}}\n"
        ),
    );
    let o = simulate_requests(&examples(), &requests, &["--format", "json"]);
    let lines: Vec<serde_json::Value> = o
        .stdout()
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["line"], 1);
    assert_eq!(lines[1]["line"], 3);
    assert!(lines[1]["decision"].is_string());
}

// ---------------------------------------------------------------------------------------
// AWS Organizations User Guide, "Quotas and service limits for AWS Organizations": OUs nest
// at most five levels deep under a root. A deeper tree is refused with a clear error.
// ---------------------------------------------------------------------------------------

fn ou_chain(depth: usize) -> String {
    let mut units = Vec::new();
    // AWS requires an SCP that allows at every level: attach FullAWSAccess everywhere.
    let mut targets = vec!["\"r-ex01\"".to_string(), "\"222222222222\"".to_string()];
    let mut parent = "r-ex01".to_string();
    for d in 1..=depth {
        let id = format!("ou-ex01-level{d:04}");
        units.push(format!(
            r#"{{"id": "{id}", "name": "L{d}", "parentId": "{parent}"}}"#
        ));
        targets.push(format!("\"{id}\""));
        parent = id;
    }
    format!(
        r#"{{"organizationId": "o-a1b2c3d4e5", "managementAccountId": "111111111111", "rootId": "r-ex01",
  "organizationalUnits": [{}],
  "accounts": [{{"id": "222222222222", "name": "deep", "parentId": "{parent}"}}],
  "policies": [{{"id": "p-full", "name": "FullAWSAccess", "type": "SERVICE_CONTROL_POLICY",
    "document": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "*", "Resource": "*"}}]}},
    "targets": [{targets}]}},
    {{"id": "p-rcpfull", "name": "RCPFullAWSAccess", "type": "RESOURCE_CONTROL_POLICY",
    "document": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}}]}},
    "targets": [{targets}]}}]}}"#,
        units.join(", "),
        targets = targets.join(", ")
    )
}

#[test]
fn ou_trees_deeper_than_five_levels_are_refused_per_the_organizations_quota() {
    for (depth, ok) in [(5, true), (6, false), (5000, false)] {
        let dir = scratch(&format!("ou-depth-{depth}"));
        let org = write(&dir, "organization.json", &ou_chain(depth));
        let o = simulate_one(&org, "222222222222", "s3:ListAllMyBuckets", &[]);
        if ok {
            assert_eq!(o.status.code(), Some(0), "{depth}: {}", o.stderr());
        } else {
            assert_eq!(o.status.code(), Some(2), "{depth}: {}", o.stdout());
            assert!(
                o.stderr().contains(
                    "organization.json: $.organizationalUnits[5].parentId: OU `ou-ex01-level0006` is nested more than 5 levels under the root"
                ),
                "{depth}: {}",
                o.stderr()
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// docs/evaluation-logic.md, "unknown owner": a resource whose owner is unknown is in the
// caller's account for the identity side and for that account's RCPs, in both modes.
// ---------------------------------------------------------------------------------------

#[test]
fn a_bucket_of_unknown_owner_gets_the_callers_rcps_in_account_mode_as_in_scenario_mode() {
    let allow_all = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#;
    let rcp_full = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}"#;
    let rcp_deny = r#"{"Version": "2012-10-17", "Statement": [{"Sid": "NoGets", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]}"#;
    let dir = scratch("unknown-owner");
    write(
        &dir,
        "organization.json",
        &format!(
            r#"{{"organizationId": "o-a1b2c3d4e5", "managementAccountId": "111111111111", "rootId": "r-ex01",
  "accounts": [{{"id": "222222222222", "name": "member", "parentId": "r-ex01"}}],
  "policies": [
    {{"id": "p-full", "name": "FullAWSAccess", "type": "SERVICE_CONTROL_POLICY", "document": {allow_all}, "targets": ["r-ex01", "222222222222"]}},
    {{"id": "p-rcpfull", "name": "RCPFullAWSAccess", "type": "RESOURCE_CONTROL_POLICY", "document": {rcp_full}, "targets": ["r-ex01", "222222222222"]}},
    {{"id": "p-rcpdeny", "name": "NoGets", "type": "RESOURCE_CONTROL_POLICY", "document": {rcp_deny}, "targets": ["r-ex01"]}}]}}"#
        ),
    );
    write(
        &dir,
        "gaad.json",
        &format!(
            r#"{{"UserDetailList": [{{"UserName": "u", "Arn": "arn:aws:iam::222222222222:user/u",
  "UserPolicyList": [{{"PolicyName": "all", "PolicyDocument": {allow_all}}}]}}]}}"#
        ),
    );
    let account = simulate_one(
        &dir,
        "arn:aws:iam::222222222222:user/u",
        "s3:GetObject",
        &[
            "--resource",
            "arn:aws:s3:::bucket-of-unknown-owner/k",
            "--format",
            "json",
        ],
    );
    let scenario = write(
        &dir,
        "scenario.jsonl",
        &format!(
            r#"{{"principal": "arn:aws:iam::222222222222:user/u", "action": "s3:GetObject", "resource": "arn:aws:s3:::bucket-of-unknown-owner/k", "identityPolicies": [{allow_all}], "scps": [[{allow_all}]], "rcps": [[{rcp_full}, {rcp_deny}]]}}"#
        ),
    );
    let scenario = iamlogic(&[
        "simulate",
        "--scenario",
        scenario.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let decision = |o: &Run| -> (String, Vec<String>) {
        let v: serde_json::Value =
            serde_json::from_str(o.stdout().trim()).expect("one JSON result");
        let layers = v["matched"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["effect"] == "Deny")
            .map(|m| {
                format!(
                    "{} {}",
                    m["layer"].as_str().unwrap(),
                    m["sid"].as_str().unwrap_or("")
                )
            })
            .collect();
        (v["decision"].as_str().unwrap().to_string(), layers)
    };
    let a = decision(&account);
    assert_eq!(
        a,
        ("explicitDeny".to_string(), vec!["rcp NoGets".to_string()]),
        "{}",
        account.stderr()
    );
    assert_eq!(decision(&scenario), a);
}

// ---------------------------------------------------------------------------------------
// Policies are named as the user knows them: an SCP by its name with its id.
// ---------------------------------------------------------------------------------------

#[test]
fn scps_are_named_by_name_and_id() {
    let ex = examples();
    let org: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ex.join("organization.json")).unwrap())
            .unwrap();
    let name = org["policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "p-regions01")
        .and_then(|p| p["name"].as_str())
        .expect("examples/organization.json names p-regions01");
    let o = simulate_one(
        &ex,
        ALICE,
        "s3:GetObject",
        &[
            "--resource",
            "arn:aws:s3:::example-prod-data/shared/report.csv",
            "--context",
            "aws:RequestedRegion=ap-southeast-2",
        ],
    );
    let out = o.stdout();
    assert!(
        out.contains(&format!(
            "Deny by scp policy {name} (p-regions01) Statement[0]"
        )),
        "{out}"
    );
}

// ---------------------------------------------------------------------------------------
// The credential report: columns by name in any order (docs/inputs.md), no column twice.
// ---------------------------------------------------------------------------------------

#[test]
fn credential_report_columns_in_any_order_and_never_twice() {
    let dir = scratch("credential-report");
    let file = write(
        &dir,
        "report.csv",
        "arn,user,mfa_active,password_enabled\narn:aws:iam::111111111111:user/u,u,true,false\n",
    );
    let o = facts_into(&file, &dir.join("out"));
    assert_eq!(o.status.code(), Some(0), "{}", o.stderr());
    let accounts = std::fs::read_to_string(dir.join("out/account.facts")).unwrap();
    assert!(accounts.contains("111111111111"), "{accounts}");

    let file = write(
        &dir,
        "twice.csv",
        "user,arn,mfa_active,password_enabled,mfa_active\nu,arn:aws:iam::111111111111:user/u,true,false,false\n",
    );
    let o = facts_into(&file, &dir.join("out2"));
    assert_eq!(o.status.code(), Some(2));
    assert!(
        o.stderr().contains("twice.csv: line 1: malformed credential report: column `mfa_active` is given more than once"),
        "{}",
        o.stderr()
    );
}

// ---------------------------------------------------------------------------------------
// validate: no false green on an empty directory; a parse error does not hide the findings
// of the statements that parsed.
// ---------------------------------------------------------------------------------------

#[test]
fn validate_refuses_a_directory_without_policy_files() {
    let dir = scratch("validate-empty");
    write(&dir, "notes.md", "not a policy");
    write(&dir, ".hidden.json", "{}");
    let o = iamlogic(&["validate", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", o.stdout());
    assert_eq!(
        o.stderr().trim(),
        format!(
            "error: {}: no policy files (`*.json`, hidden entries skipped) in this directory",
            dir.display()
        )
    );
}

#[test]
fn validate_reports_the_findings_of_statements_that_parse_beside_a_syntax_error() {
    let dir = scratch("validate-partial");
    let f = write(
        &dir,
        "p.json",
        r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Maybe", "Action": "s3:GetObject", "Resource": "*"},
  {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
  {"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}]}"#,
    );
    let o = iamlogic(&["validate", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let out = o.stdout();
    for want in [
        "p.json: $.Statement[0].Effect: error syntax: invalid value `Maybe`",
        "p.json: $.Statement[1].Resource: security-warning pass-role-with-star-resource",
        "p.json: $.Statement[2].Action: error unknown-action: `s3:GetObjekt` is not a known action of `s3`; did you mean `s3:GetObject`?",
    ] {
        assert!(out.contains(want), "missing `{want}` in:\n{out}");
    }
    // The statement that does not parse gets no semantic finding, and nothing is doubled.
    assert_eq!(out.lines().count(), 3, "{out}");
}

#[test]
fn unknown_members_of_raw_policy_outputs_are_warned_and_diff_words_file_errors_alike() {
    let dir = scratch("raw-members");
    write(
        &dir,
        "secret.json",
        r#"{"ARN": "arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-AbCdEf", "Name": "db", "ResourcePolicy": null, "VersionIdsToStages": {}}"#,
    );
    let o = facts_into(&dir, &dir.join("out"));
    assert_eq!(o.status.code(), Some(0), "{}", o.stderr());
    assert!(
        o.stderr().contains(
            "secret.json: $.VersionIdsToStages: element `VersionIdsToStages` is not supported"
        ),
        "{}",
        o.stderr()
    );

    // `diff` and `check` read policy files with the same words as every command.
    let bad = dir.join("latin1.json");
    std::fs::write(&bad, b"{\"Version\": \"caf\xe9\"}").unwrap();
    let o = iamlogic(&["diff", bad.to_str().unwrap(), bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        o.stderr().trim(),
        format!(
            "error: {}: not UTF-8 text (invalid byte at offset 16)",
            bad.display()
        )
    );
    let missing = dir.join("missing.json");
    for args in [
        vec!["diff", missing.to_str().unwrap(), bad.to_str().unwrap()],
        vec!["validate", missing.to_str().unwrap()],
        vec!["simulate", "--scenario", missing.to_str().unwrap()],
        vec![
            "simulate",
            "-i",
            missing.to_str().unwrap(),
            "--principal",
            "*",
            "--action",
            "s3:GetObject",
        ],
    ] {
        let o = iamlogic(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert_eq!(
            o.stderr().trim(),
            format!("error: {}: no such file or directory", missing.display()),
            "{args:?}"
        );
    }
}

#[test]
fn a_bad_flag_is_worded_alike_in_simulate_and_check() {
    let dir = scratch("flag-wording");
    let policy = write(
        &dir,
        "p.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#,
    );
    let sim = simulate_one(&examples(), ALICE, "nocolon", &[]);
    let chk = iamlogic(&[
        "check",
        "access-not-granted",
        "--action",
        "nocolon",
        policy.to_str().unwrap(),
    ]);
    for o in [&sim, &chk] {
        assert_eq!(o.status.code(), Some(2));
        assert!(
            o.stderr().contains(
                "error: --action: `nocolon` is not an action: expected `service:ActionName`"
            ),
            "{}",
            o.stderr()
        );
    }
}

#[test]
fn malformed_json_gives_its_location_once_in_every_reader() {
    let dir = scratch("json-location");
    let lines = write(
        &dir,
        "s.jsonl",
        "{\"action\": \"s3:GetObject\"}\n{\"action\": \"s3:GetObject\",\n",
    );
    let o = iamlogic(&["simulate", "--scenario", lines.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        o.stderr().trim(),
        format!(
            "error: {}: malformed JSON at line 2, column 26: EOF while parsing a value",
            lines.display()
        )
    );
    let data = dir.join("data");
    let file = write(&data, "resources.json", "[{\"arn\": \"arn:aws:s3:::b\",}]");
    let o = simulate_one(&data, "*", "s3:GetObject", &[]);
    assert_eq!(
        o.stderr().trim(),
        format!(
            "error: {}: malformed JSON at line 1, column 27: trailing comma",
            file.display()
        )
    );
    let o = iamlogic(&["diff", file.to_str().unwrap(), file.to_str().unwrap()]);
    assert_eq!(
        o.stderr().trim(),
        format!(
            "error: {}: malformed JSON at line 1, column 27: trailing comma",
            file.display()
        )
    );
}

#[test]
fn simulate_help_names_context_types_as_the_docs_and_errors_do() {
    let o = iamlogic(&["simulate", "--help"]);
    let help = o.stdout();
    assert!(
        help.contains("numeric") && help.contains("boolean"),
        "{help}"
    );
    assert!(help.contains("one block per request"), "{help}");
    // The error for an unknown type lists the same names.
    let o = simulate_one(
        &examples(),
        ALICE,
        "s3:GetObject",
        &["--context", "aws:RequestedRegion:frob=x"],
    );
    assert!(
        o.stderr()
            .contains("expected string, numeric, date, boolean, ip, arn, binary"),
        "{}",
        o.stderr()
    );
}

#[test]
fn invalid_utf8_on_standard_input_names_the_byte_offset() {
    let o = TestCommand::new()
        .args(["simulate", "--scenario", "-"])
        .stdin(&b"{\"action\": \"s3:Get\xff\"}"[..])
        .run();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        o.stderr().trim(),
        "error: <stdin>: not UTF-8 text (invalid byte at offset 18)"
    );
}
