//! `validate` over every AWS-managed policy version in the shared corpus
//! (`../shared/corpus/managed-policies/versions/`, 6,194 documents): no panic, and no
//! `syntax` finding (nor `invalid-action`, the parser's action rule), since AWS accepted
//! every one of them; and none of the value checks (condition values, policy variables,
//! condition keys repeated with another case) fires on these well-kept documents.

use std::collections::BTreeMap;
use std::path::PathBuf;

use facts::corpus::corpus_path;
use queries::validate::{validate_policy, Code, PolicyKind};

fn documents() -> Option<Vec<PathBuf>> {
    let root = corpus_path("managed-policies/versions")?;
    let mut out = Vec::new();
    for dir in std::fs::read_dir(&root).ok()? {
        let dir = dir.ok()?.path();
        for f in std::fs::read_dir(&dir).ok()? {
            let f = f.ok()?.path();
            if f.extension().is_some_and(|e| e == "json") {
                out.push(f);
            }
        }
    }
    out.sort();
    Some(out)
}

#[test]
fn every_managed_policy_version_validates_without_syntax_findings() {
    let Some(files) = documents() else { return };
    assert_eq!(files.len(), 6_194, "corpus size changed");
    let mut syntax = Vec::new();
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    let start = std::time::Instant::now();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("read corpus file");
        // AWS-managed policies are managed policies; the kind only affects the size quota.
        for finding in validate_policy(&text, PolicyKind::Managed) {
            *counts.entry(finding.code.name()).or_default() += 1;
            if matches!(
                finding.code,
                Code::Syntax
                    | Code::InvalidAction
                    | Code::ConditionValueInvalid
                    | Code::MalformedVariable
                    | Code::DuplicateConditionKey
                    | Code::EmptyElement
            ) {
                syntax.push(format!(
                    "{}: {}: {} {}",
                    f.display(),
                    finding.code,
                    finding.path,
                    finding.message
                ));
            }
        }
    }
    eprintln!(
        "validated {} documents in {:?}; findings by code: {counts:?}",
        files.len(),
        start.elapsed()
    );
    assert!(syntax.is_empty(), "syntax findings:\n{}", syntax.join("\n"));
}

#[test]
fn truncated_and_odd_documents_never_panic() {
    // Every prefix cut of a few real documents is either a policy or syntax findings.
    let Some(files) = documents() else { return };
    for f in files.iter().step_by(500) {
        let text = std::fs::read_to_string(f).expect("read corpus file");
        let mut cut = 0;
        while cut < text.len() {
            // A cut that keeps the whole document (only trailing white space lost) parses.
            let whole = text
                .get(..cut)
                .is_some_and(|p| p.trim_end() == text.trim_end());
            if let Some(prefix) = text.get(..cut).filter(|_| !whole) {
                let findings = validate_policy(prefix, PolicyKind::Managed);
                assert!(
                    findings.iter().any(|x| x.code == Code::Syntax),
                    "a cut document must not parse: {}",
                    f.display()
                );
            }
            cut += 97;
        }
    }
    // Odd but well-formed inputs: non-ASCII names, stray wildcards, empty lists.
    for doc in [
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GétObject","Resource":"arn:aws:s3:::bücket/${aws:username}/*"}}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["*:*","?3:*","s3:*?*"],"Resource":["arn:*","arn:aws:s3:::*<x>"]}]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":"iam:*","NotResource":"arn:aws:iam::*:role/${x","Condition":{"ForAllValues:StringLike":{"ü:ä":"*"}}}]}"#,
        r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username}"}]}"#,
    ] {
        let _ = validate_policy(doc, PolicyKind::Managed);
        let _ = validate_policy(doc, PolicyKind::Resource);
    }
}
