//! Every AWS-managed policy version in the shared corpus parses with no error (issue 3:
//! "Every one of the 6,194 documents under ../shared/corpus/managed-policies/versions/
//! parses with no error"). Skips with a note when the corpus is missing, fails under
//! `IAMLOGIC_REQUIRE_CORPUS=1`.

use std::path::PathBuf;

use facts::corpus::corpus_path;
use facts::parse::parse_policy;

/// Every `versions/<Policy>/<vN>.json` file, sorted.
fn corpus_files() -> Option<Vec<PathBuf>> {
    let dir = corpus_path("managed-policies/versions")?;
    let mut files = Vec::new();
    for policy in std::fs::read_dir(&dir).expect("read versions/") {
        let policy = policy.expect("dir entry").path();
        for version in std::fs::read_dir(&policy).expect("read policy dir") {
            let version = version.expect("dir entry").path();
            if version.extension().is_some_and(|e| e == "json") {
                files.push(version);
            }
        }
    }
    files.sort();
    Some(files)
}

#[test]
fn every_managed_policy_version_parses() {
    let Some(files) = corpus_files() else {
        return;
    };
    assert_eq!(files.len(), 6194, "the corpus should hold 6,194 versions");
    let mut failures = Vec::new();
    let mut statements = 0usize;
    for f in &files {
        let text = std::fs::read_to_string(f).expect("read corpus file");
        match parse_policy(&text) {
            Ok(p) => statements += p.statements.len(),
            Err(e) => failures.push(format!("{}", e.with_file(f))),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} documents failed:\n{}",
        failures.len(),
        files.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(statements >= files.len());
}
