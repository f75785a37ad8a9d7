//! End-to-end tests of `iamlogic gen`: the same arguments give byte-identical files, the
//! files are the input layout `simulate -i` reads, and the requests decide to a mix of
//! outcomes, including role chains across accounts that the generated trust policies allow.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn iamlogic(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iamlogic"))
        .args(args)
        .output()
        .expect("run iamlogic")
}

/// Every file under `dir` (relative path → bytes).
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn gen(out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "gen",
        "--accounts",
        "4",
        "--roles-per-account",
        "12",
        "--users-per-account",
        "10",
        "--requests",
        "2000",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    iamlogic(&args)
}

#[test]
fn same_arguments_give_byte_identical_files() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("c"),
    );
    for (dir, extra) in [(&a, &[][..]), (&b, &[][..]), (&c, &["--seed", "2"][..])] {
        let o = gen(dir, extra);
        assert!(o.status.success(), "{o:?}");
    }
    let (fa, fb, fc) = (files(&a), files(&b), files(&c));
    let names: Vec<&String> = fa.keys().collect();
    assert!(
        names.contains(&&"organization.json".to_string()),
        "{names:?}"
    );
    assert!(names.contains(&&"resources.json".to_string()));
    assert!(names.contains(&&"requests.jsonl".to_string()));
    assert_eq!(
        names
            .iter()
            .filter(|n| n.starts_with("accounts/") && n.ends_with("/gaad.json"))
            .count(),
        4
    );
    assert_eq!(fa, fb, "the same arguments must give the same bytes");
    assert_ne!(
        fa.get("requests.jsonl"),
        fc.get("requests.jsonl"),
        "another seed gives other requests"
    );
    // A directory that already holds files is refused (they would mix with the new ones).
    let o = gen(&a, &[]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("not empty"));
}

#[test]
fn generated_requests_decide_to_a_mix_and_role_chains_cross_accounts() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("org");
    assert!(gen(&dir, &[]).status.success());
    let requests = dir.join("requests.jsonl");
    let o = iamlogic(&[
        "simulate",
        "-i",
        dir.to_str().unwrap(),
        "--requests",
        requests.to_str().unwrap(),
        "--format",
        "json",
    ]);
    // Some requests are denied: exit 1, and nothing the loader could not use.
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!stderr.contains("warning:"), "{stderr}");
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let out = String::from_utf8_lossy(&o.stdout);
    for l in out.lines() {
        let v: Value = serde_json::from_str(l).unwrap();
        *counts
            .entry(v["decision"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    assert_eq!(counts.values().sum::<usize>(), 2000);
    for d in ["allowed", "explicitDeny", "implicitDeny"] {
        assert!(
            counts.get(d).copied().unwrap_or(0) >= 100,
            "{d}: {counts:?}"
        );
    }

    // The tooling account's CI role deploys into another account: its identity policy
    // allows `deploy-*` anywhere and the target's trust policy names it (IAM User Guide,
    // "Cross-account policy evaluation logic": both sides allow).
    let tooling = synth::layout::account_id(1);
    let target = synth::layout::account_id(3);
    let decide = |principal: &str, resource: &str, context: &[&str]| {
        let mut args = vec![
            "simulate",
            "-q",
            "-i",
            dir.to_str().unwrap(),
            "--principal",
            principal,
            "--action",
            "sts:AssumeRole",
            "--resource",
            resource,
            "--format",
            "json",
        ];
        for c in context {
            args.extend(["--context", c]);
        }
        let o = iamlogic(&args);
        let v: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {o:?}"));
        v
    };
    let ci = format!("arn:aws:sts::{tooling}:assumed-role/ci-runner/build-1");
    let deploy = format!("arn:aws:iam::{target}:role/deploy-0004");
    let v = decide(&ci, &deploy, &["aws:RequestedRegion=eu-west-1"]);
    assert_eq!(v["decision"], "allowed", "{v}");
    // The read-only role trusts its own account only with MFA: without it, the trust
    // policy does not allow (the resource side is missing).
    let user = format!("arn:aws:iam::{target}:user/user-0003");
    let ro = format!("arn:aws:iam::{target}:role/readonly-0005");
    let v = decide(&user, &ro, &["aws:MultiFactorAuthPresent=false"]);
    assert_eq!(v["decision"], "implicitDeny", "{v}");
    assert_eq!(v["missing"], serde_json::json!(["resource"]), "{v}");
    let v = decide(&user, &ro, &["aws:MultiFactorAuthPresent=true"]);
    assert_eq!(v["decision"], "allowed", "{v}");
}
