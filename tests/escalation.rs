//! End-to-end escalation: the IAM Vulnerable lab (every escalation path found from its
//! starting principal with its technique; the `fp*` scenarios never reported), the shared
//! example account, and the bundled example organization.

mod support;

use std::collections::BTreeSet;
use std::path::PathBuf;

use queries::escalation::{escalation, EscalationReport, Options, Status};
use queries::simulate::AccountSimulator;
use support::iamvulnerable::{scenarios_file, write_fixture};

/// The catalogue technique(s) each README path of the lab demonstrates.
fn expected_techniques(path_name: &str) -> &'static [&'static str] {
    match path_name {
        "STS-AssumeRole" => &["sts-001"],
        "CloudFormation-UpdateStack" => &["cloudformation-002"],
        "CodeBuild-CreateProjectPassRole" => &["codebuild-001", "codebuild-004"],
        "EC2InstanceConnect-SendSSHPublicKey" => &["ec2instanceconnect-003"],
        "SageMaker-CreateNotebookPassRole" => &["sagemaker-001"],
        "SageMakerCreatePresignedNotebookURL" => &["sagemaker-004"],
        "SageMaker-CreateProcessingJobPassRole" => &["sagemaker-003"],
        "SageMaker-CreateTrainingJobPassRole" => &["sagemaker-002"],
        "SSM-SendCommand" => &["ssm-002"],
        "SSM-StartSession" => &["ssm-001"],
        "IAM-CreateNewPolicyVersion" => &["iam-001"],
        "IAM-PutUserPolicy" => &["iam-007"],
        "IAM-PutGroupPolicy" => &["iam-011"],
        "IAM-PutRolePolicy" => &["iam-005"],
        "IAM-AddUserToGroup" => &["iam-013"],
        "IAM-UpdatingAssumeRolePolicy" => &["iam-012"],
        "Lambda-PassExistingRoleToNewLambdaThenInvoke" => &["lambda-001"],
        "Lambda-PassRoleToNewLambdaThenTrigger" => &["lambda-002"],
        "Lambda-EditExistingLambdaFunctionWithRole" => &["lambda-003"],
        "Glue-PassExistingRoleToNewGlueDevEndpoint" => &["glue-001"],
        "Glue-UpdateExistingGlueDevEndpoint" => &["glue-002"],
        "IAM-SetExistingDefaultPolicyVersion" => &["x-setdefaultpolicyversion"],
        "CloudFormation-PassExistingRoleToCloudFormation" => &["cloudformation-001"],
        "DataPipeline-PassExistingRoleToNewDataPipeline" => &["datapipeline-001"],
        "EC2-CreateInstanceWithExistingProfile" => &["ec2-001"],
        "IAM-CreateAccessKey" => &["iam-002"],
        "IAM-CreateLoginProfile" => &["iam-004"],
        "IAM-UpdateLoginProfile" => &["iam-006"],
        "IAM-AttachUserPolicy" => &["iam-008"],
        "IAM-AttachGroupPolicy" => &["iam-010"],
        "IAM-AttachRolePolicy" => &["iam-009"],
        _ => &[],
    }
}

struct Lab {
    _dir: tempfile::TempDir,
    scenarios: Vec<support::iamvulnerable::Scenario>,
    sim: AccountSimulator,
    /// Every principal, shortest paths.
    report: EscalationReport,
}

fn lab() -> Option<Lab> {
    let file = scenarios_file()?;
    let dir = tempfile::tempdir().expect("tempdir");
    let scenarios = write_fixture(&file, dir.path());
    let sim = AccountSimulator::load(&[dir.path().to_path_buf()]).expect("load fixture");
    let report = escalation(&sim, &Options::default(), &mut |_| {}).expect("escalation");
    Some(Lab {
        _dir: dir,
        scenarios,
        sim,
        report,
    })
}

/// Every path of at most three steps from `from` (`--all --max-depth 3`).
fn all_paths_from(sim: &AccountSimulator, from: &[String]) -> EscalationReport {
    let opts = Options {
        from: from.to_vec(),
        all: true,
        max_depth: 3,
        ..Options::default()
    };
    escalation(sim, &opts, &mut |_| {}).expect("escalation --all")
}

/// First-step techniques of every path (shortest and `--all`) from `principal`.
fn first_techniques(report: &EscalationReport, principal: &str) -> BTreeSet<String> {
    report
        .escalations
        .iter()
        .filter(|e| e.principal == principal)
        .flat_map(|e| std::iter::once(&e.path).chain(e.all_paths.iter()))
        .filter_map(|p| p.steps.first())
        .map(|s| s.technique.clone())
        .collect()
}

#[test]
fn iamvulnerable_every_path_found_with_its_technique_and_no_false_positive() {
    let Some(lab) = lab() else { return };
    assert_eq!(lab.scenarios.len(), 43, "the lab has 43 scenarios");
    let escalating: BTreeSet<&str> = lab
        .report
        .escalations
        .iter()
        .map(|e| e.principal.as_str())
        .collect();
    let mut checked_paths = 0;
    let mut missing = Vec::new();
    let mut wanted: Vec<(String, Vec<String>, &'static [&'static str])> = Vec::new();
    for s in &lab.scenarios {
        let starting: Vec<String> = if s.name == "privesc-AssumeRole" {
            // The lab starts this path from the starting role (the ending role holds the
            // administrator policy).
            vec![format!(
                "arn:aws:iam::{}:role/privesc-AssumeRole-starting-role",
                support::iamvulnerable::ACCOUNT
            )]
        } else {
            s.starting.clone()
        };
        if s.name.starts_with("fp") {
            assert_eq!(s.expected, "no escalation", "{}", s.name);
            for p in &starting {
                assert!(
                    !escalating.contains(p.as_str()),
                    "{}: false positive {p}: {:#?}",
                    s.name,
                    lab.report.escalations.iter().find(|e| &e.principal == p)
                );
                assert!(
                    !lab.report.administrators.contains(p),
                    "{}: {p} is no administrator",
                    s.name
                );
            }
            continue;
        }
        if s.name.starts_with("fn") {
            assert_eq!(s.expected, "escalation possible", "{}", s.name);
            assert!(
                starting.iter().any(|p| escalating.contains(p.as_str())),
                "{}: an escalation exists (naive tools miss it); none of {starting:?} found",
                s.name
            );
            continue;
        }
        let Some(path) = &s.path_name else { continue };
        let want = expected_techniques(path);
        assert!(
            !want.is_empty(),
            "{}: README path {path} has no expected technique",
            s.name
        );
        wanted.push((format!("{} ({path})", s.name), starting, want));
        checked_paths += 1;
    }
    // The shortest paths first; every path (`--all`) only where they show another technique.
    let shortest_ok = |starting: &[String], want: &[&str]| {
        starting
            .iter()
            .flat_map(|p| first_techniques(&lab.report, p))
            .any(|t| want.contains(&t.as_str()))
    };
    let from: Vec<String> = wanted
        .iter()
        .filter(|(_, s, w)| !shortest_ok(s, w))
        .flat_map(|(_, s, _)| s.clone())
        .collect();
    let all = all_paths_from(&lab.sim, &from);
    for (name, starting, want) in &wanted {
        let found: BTreeSet<String> = starting
            .iter()
            .flat_map(|p| {
                first_techniques(&lab.report, p)
                    .into_iter()
                    .chain(first_techniques(&all, p))
            })
            .collect();
        if !want.iter().any(|w| found.contains(*w)) {
            missing.push(format!("{name}: want {want:?}, found {found:?}"));
        }
    }
    assert!(
        missing.is_empty(),
        "paths not found:\n{}",
        missing.join("\n")
    );
    assert_eq!(checked_paths, 31, "the README lists 31 escalation paths");
}

#[test]
fn iamvulnerable_targets_are_administrators_and_steps_carry_their_evidence() {
    let Some(lab) = lab() else { return };
    let admin = |name: &str| {
        lab.report.administrators.contains(&format!(
            "arn:aws:iam::{}:role/{name}",
            support::iamvulnerable::ACCOUNT
        ))
    };
    assert!(admin("privesc-high-priv-service-role"));
    assert!(admin("privesc-AssumeRole-ending-role"));
    // sre has iam:*, ec2:*, s3:* only: not an administrator, but it escalates by itself.
    assert!(!admin("privesc-sre-role"));
    let sre = lab
        .report
        .escalations
        .iter()
        .find(|e| e.principal.ends_with(":role/privesc-sre-role"))
        .expect("sre escalates");
    assert_eq!(sre.path.steps.len(), 1, "{:#?}", sre.path);
    assert_eq!(sre.status, Status::Allowed);
    // Every allowed step names the statements that allow each of its permissions.
    for e in &lab.report.escalations {
        for s in &e.path.steps {
            assert!(
                !s.permissions.is_empty(),
                "{} step {} has no permission",
                e.principal,
                s.technique
            );
            for p in &s.permissions {
                assert!(
                    !p.allowed_by.is_empty(),
                    "{}: {} on {} has no allowing statement",
                    e.principal,
                    p.action,
                    p.resource
                );
            }
            if s.status == Status::Hypothetical {
                assert!(
                    s.assumption.is_some(),
                    "a hypothetical step says what must exist"
                );
            }
        }
    }
}

#[test]
fn shared_example_account_escalation_runs_end_to_end() {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/gaad/examples/files/example.json");
    if !p.is_file() {
        eprintln!("note: {} missing; skipping", p.display());
        return;
    }
    let sim = AccountSimulator::load(&[p]).expect("load");
    let report = escalation(&sim, &Options::default(), &mut |_| {}).expect("escalation");
    assert!(!report.administrators.is_empty());
    assert!(!report.escalations.is_empty());
    for e in &report.escalations {
        assert_eq!(
            e.path.steps.last().map(|s| s.to.as_str()),
            Some("administrator")
        );
        assert!(!report.administrators.contains(&e.principal));
    }
}

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples")
}

fn cli(args: &[&str]) -> (i32, String, String) {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_iamlogic"))
        .args(args)
        .output()
        .expect("run iamlogic");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn example_organization_two_step_path_and_a_path_an_scp_cuts() {
    let ex = examples();
    let (code, out, err) = cli(&[
        "escalation",
        "-i",
        ex.to_str().unwrap_or_default(),
        "--format",
        "json",
        "-q",
    ]);
    assert_eq!(code, 1, "escalations found exit 1: {err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let esc = v["escalations"].as_array().expect("escalations");
    let alice = esc
        .iter()
        .find(|e| e["principal"] == "arn:aws:iam::222222222222:user/alice")
        .expect("alice escalates");
    let steps = alice["path"]["steps"].as_array().expect("steps");
    let techniques: Vec<&str> = steps
        .iter()
        .filter_map(|s| s["technique"].as_str())
        .collect();
    assert_eq!(techniques, ["sts-001", "codebuild-001", "admin"]);
    assert_eq!(steps[1]["to"], "arn:aws:iam::222222222222:role/BuildAdmin");
    // iam:PassRole decided with iam:PassedToService, and the project named by the caller
    // inside the `project/deploy-*` pattern its policy allows.
    let perms = steps[1]["permissions"].as_array().expect("permissions");
    assert!(perms.iter().any(|p| p["action"] == "iam:PassRole"
        && p["context"][0] == "iam:PassedToService=codebuild.amazonaws.com"));
    assert!(perms
        .iter()
        .any(|p| p["action"] == "codebuild:CreateProject"
            && p["resource"]
                .as_str()
                .unwrap_or_default()
                .contains(":project/deploy-")));
    assert_eq!(alice["status"], "allowed");
    // frank may write her own policies, but the Dev SCP NoIamPolicyWritesInDev denies it.
    assert!(!esc
        .iter()
        .any(|e| e["principal"] == "arn:aws:iam::333333333333:user/frank"));
    let (_, sim, _) = cli(&[
        "simulate",
        "-q",
        "-i",
        ex.to_str().unwrap_or_default(),
        "--principal",
        "arn:aws:iam::333333333333:user/frank",
        "--action",
        "iam:PutUserPolicy",
        "--resource",
        "arn:aws:iam::333333333333:user/frank",
    ]);
    assert!(
        sim.starts_with("explicitDeny") && sim.contains("p-noiamwrite"),
        "{sim}"
    );
    // Without the organization (the dev account alone) nothing cuts it.
    let dev = ex.join("accounts/dev");
    let (code, out, _) = cli(&[
        "escalation",
        "-i",
        dev.to_str().unwrap_or_default(),
        "--format",
        "json",
        "-q",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let frank = v["escalations"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|e| e["principal"] == "arn:aws:iam::333333333333:user/frank")
                .cloned()
        })
        .expect("frank escalates without the SCP");
    assert_eq!(frank["path"]["steps"][0]["technique"], "iam-007");
    // Administrators in member accounts despite the organization's guardrails.
    let admins = v["administrators"].as_array().expect("admins");
    assert!(admins
        .iter()
        .any(|a| a == "arn:aws:iam::333333333333:role/OrgAdmin"));
}

#[test]
fn example_organization_renders_text_dot_and_mermaid_and_filters_from_and_to() {
    let ex = examples();
    let ex = ex.to_str().unwrap_or_default();
    let (_, text, _) = cli(&["escalation", "-i", ex, "-q"]);
    assert!(
        text.contains("arn:aws:iam::222222222222:user/alice (user): allowed, 3 steps"),
        "{text}"
    );
    assert!(text.contains(
        "1. sts-001 (sts:AssumeRole) → arn:aws:iam::222222222222:role/DeployRole [allowed]"
    ));
    let (_, dot, _) = cli(&["escalation", "-i", ex, "-q", "--format", "dot"]);
    // Drawn through the graph model who-can shares (src/render/graph.rs).
    assert!(dot.starts_with("digraph access {"), "{dot}");
    let id = |label: &str| {
        dot.lines()
            .find(|l| l.contains(&format!("[label=\"{label}\"")))
            .and_then(|l| l.split_whitespace().next())
            .map(str::to_string)
            .unwrap_or_default()
    };
    let (alice, deploy) = (
        id("222222222222:user/alice"),
        id("222222222222:role/DeployRole"),
    );
    assert!(
        dot.contains(&format!("{alice} -> {deploy} [label=\"sts-001\"];")),
        "{dot}"
    );
    assert!(
        dot.contains("[label=\"administrator\", shape=tripleoctagon"),
        "{dot}"
    );
    let (_, mer, _) = cli(&["escalation", "-i", ex, "-q", "--format", "mermaid"]);
    assert!(
        mer.starts_with("flowchart LR") && mer.contains("|\"codebuild-001\"|"),
        "{mer}"
    );
    // --from narrows the sources; --to a role reaches that role.
    let (code, only, _) = cli(&[
        "escalation",
        "-i",
        ex,
        "-q",
        "--format",
        "json",
        "--from",
        "arn:aws:iam::222222222222:role/DeployRole",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&only).expect("json");
    assert_eq!(v["escalations"].as_array().map(Vec::len), Some(1));
    let (_, to, _) = cli(&[
        "escalation",
        "-i",
        ex,
        "-q",
        "--format",
        "json",
        "--to",
        "arn:aws:iam::222222222222:role/DeployRole",
    ]);
    let v: serde_json::Value = serde_json::from_str(&to).expect("json");
    let esc = v["escalations"].as_array().expect("escalations");
    let alice = esc
        .iter()
        .find(|e| e["principal"] == "arn:aws:iam::222222222222:user/alice")
        .expect("alice reaches DeployRole");
    assert_eq!(alice["path"]["steps"][0]["technique"], "sts-001");
    assert_eq!(alice["path"]["steps"].as_array().map(Vec::len), Some(1));
    // Administrators reach it too (they may rewrite its trust policy); dave does not.
    assert!(esc
        .iter()
        .any(|e| e["principal"] == "arn:aws:iam::222222222222:user/carol"));
    assert!(!esc
        .iter()
        .any(|e| e["principal"] == "arn:aws:iam::333333333333:user/dave"));
    // An unknown --from is an error naming it.
    let (code, _, err) = cli(&[
        "escalation",
        "-i",
        ex,
        "-q",
        "--from",
        "arn:aws:iam::222222222222:user/nobody",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("user/nobody"), "{err}");
}

/// A small account: `attacker` may update any Lambda function's code and send commands to
/// any instance; roles `fnrole`, `other` (both administrators, trusted by Lambda and EC2),
/// `fnrole` in instance profile `fnprofile`.
fn compute_account(dir: &std::path::Path) {
    let admin = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]});
    let trust = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com", "ec2.amazonaws.com"]}, "Action": "sts:AssumeRole"}]});
    let role = |name: &str, profile: bool| {
        serde_json::json!({
            "RoleName": name, "RoleId": format!("AROA{name}"), "Arn": format!("arn:aws:iam::111122223333:role/{name}"), "Path": "/",
            "AssumeRolePolicyDocument": trust, "RolePolicyList": [{"PolicyName": "admin", "PolicyDocument": admin}],
            "AttachedManagedPolicies": [],
            "InstanceProfileList": if profile { serde_json::json!([{"InstanceProfileName": format!("{name}profile"), "InstanceProfileId": "AIPA1", "Arn": format!("arn:aws:iam::111122223333:instance-profile/{name}profile"), "Path": "/"}]) } else { serde_json::json!([]) }
        })
    };
    let gaad = serde_json::json!({
        "UserDetailList": [{"UserName": "attacker", "UserId": "AIDAATTACKER", "Arn": "arn:aws:iam::111122223333:user/attacker", "Path": "/", "GroupList": [],
            "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["lambda:UpdateFunctionCode", "ssm:SendCommand"], "Resource": "*"}]}}],
            "AttachedManagedPolicies": []}],
        "RoleDetailList": [role("fnrole", true), role("other", true)]
    });
    std::fs::write(dir.join("gaad.json"), gaad.to_string()).expect("write");
    let functions = serde_json::json!({"Functions": [{"FunctionName": "f", "FunctionArn": "arn:aws:lambda:eu-west-1:111122223333:function:f",
        "Runtime": "python3.12", "Role": "arn:aws:iam::111122223333:role/fnrole", "Handler": "x.h"}]});
    std::fs::write(dir.join("functions.json"), functions.to_string()).expect("write");
    let instances = serde_json::json!({"Reservations": [{"OwnerId": "111122223333", "ReservationId": "r-1", "Instances": [
        {"InstanceId": "i-0abc", "Placement": {"AvailabilityZone": "eu-west-1b"},
         "IamInstanceProfile": {"Arn": "arn:aws:iam::111122223333:instance-profile/fnroleprofile", "Id": "AIPA1"}}]}]});
    std::fs::write(dir.join("instances.json"), instances.to_string()).expect("write");
}

#[test]
fn compute_listings_name_exactly_the_resources_techniques_apply_to() {
    let dir = tempfile::tempdir().expect("tempdir");
    compute_account(dir.path());
    let sim = AccountSimulator::load(&[dir.path().to_path_buf()]).expect("load");
    assert_eq!(sim.model().compute.len(), 2);
    let opts = Options {
        from: vec!["arn:aws:iam::111122223333:user/attacker".to_string()],
        all: true,
        max_depth: 2,
        ..Options::default()
    };
    let r = escalation(&sim, &opts, &mut |_| {}).expect("escalation");
    let e = r.escalations.first().expect("attacker escalates");
    let mut firsts: Vec<(String, String, Option<String>, Status)> = e
        .all_paths
        .iter()
        .filter_map(|p| p.steps.first())
        .map(|s| (s.technique.clone(), s.to.clone(), s.via.clone(), s.status))
        .collect();
    firsts.sort_by(|a, b| a.0.cmp(&b.0));
    firsts.dedup();
    // The listed function runs with fnrole; the listed instance's profile holds fnrole.
    // Nothing reaches `other`: the data lists every function and instance of the account.
    assert_eq!(
        firsts,
        vec![
            (
                "lambda-003".to_string(),
                "arn:aws:iam::111122223333:role/fnrole".to_string(),
                Some("arn:aws:lambda:eu-west-1:111122223333:function:f".to_string()),
                Status::Allowed
            ),
            (
                "ssm-002".to_string(),
                "arn:aws:iam::111122223333:role/fnrole".to_string(),
                Some("arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc".to_string()),
                Status::Allowed
            ),
        ]
    );
}

#[test]
fn compute_listing_errors_name_file_and_path_and_unknown_members_warn() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("functions.json");
    std::fs::write(&bad, r#"{"Functions": [{"FunctionName": "f", "FunctionArn": "arn:aws:lambda:eu-west-1:111122223333:function:f"}]}"#).expect("write");
    let e = AccountSimulator::load(std::slice::from_ref(&bad)).expect_err("missing Role");
    let msg = e.to_string();
    assert!(
        msg.contains("functions.json") && msg.contains("Functions[0]") && msg.contains("Role"),
        "{msg}"
    );
    std::fs::write(&bad, r#"{"Functions": [], "Surprise": 1}"#).expect("write");
    let sim = AccountSimulator::load(&[bad]).expect("loads");
    assert!(sim
        .warnings()
        .iter()
        .any(|w| w.to_string().contains("Surprise")));
    // A `role` on a resource that runs no code is an error naming the member.
    let res = dir.path().join("resources.json");
    std::fs::write(
        &res,
        r#"[{"arn": "arn:aws:s3:::b", "role": "arn:aws:iam::111122223333:role/r"}]"#,
    )
    .expect("write");
    let msg = AccountSimulator::load(&[res])
        .expect_err("role on a bucket")
        .to_string();
    assert!(msg.contains("[0].role"), "{msg}");
}
