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
