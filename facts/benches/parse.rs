//! Parse every AWS-managed policy version of the shared corpus (6,194 documents, about
//! 55 MB) — issue 3's target is under one second on one core in release — and measure the
//! hot path of the Datalog rules, `statement_applies`.
//!
//! Run: `cargo bench -p iamlogic-facts --bench parse`. Skips when the corpus is missing.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use facts::corpus::corpus_path;
use facts::eval::statement_applies;
use facts::parse::parse_policy;
use facts::request::{Context, ContextValue, Request, RequestPrincipal};

/// The text of every corpus document.
fn corpus_texts() -> Vec<String> {
    let Some(dir) = corpus_path("managed-policies/versions") else {
        return Vec::new();
    };
    let mut texts = Vec::new();
    let Ok(policies) = std::fs::read_dir(dir) else {
        return texts;
    };
    for policy in policies.flatten() {
        let Ok(versions) = std::fs::read_dir(policy.path()) else {
            continue;
        };
        for v in versions.flatten() {
            if let Ok(t) = std::fs::read_to_string(v.path()) {
                texts.push(t);
            }
        }
    }
    texts
}

fn parse_corpus(c: &mut Criterion) {
    let texts = corpus_texts();
    if texts.is_empty() {
        eprintln!("note: corpus missing; parse benchmark skipped");
        return;
    }
    let bytes: usize = texts.iter().map(String::len).sum();
    eprintln!("corpus: {} documents, {} bytes", texts.len(), bytes);
    let mut g = c.benchmark_group("parse");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("all_managed_policy_versions", |b| {
        b.iter(|| {
            let mut ok = 0usize;
            for t in &texts {
                ok += usize::from(parse_policy(black_box(t)).is_ok());
            }
            assert_eq!(ok, texts.len());
        })
    });
    // Baseline: decoding the JSON alone, to show what the grammar walk adds.
    g.bench_function("serde_json_value_only", |b| {
        b.iter(|| {
            for t in &texts {
                let v: Result<serde_json::Value, _> = serde_json::from_str(black_box(t));
                black_box(v.is_ok());
            }
        })
    });
    g.finish();
}

fn statement_matching(c: &mut Criterion) {
    let policy = parse_policy(
        r#"{"Version":"2012-10-17","Statement":[
          {"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":["arn:aws:s3:::data-*","arn:aws:s3:::data-*/*"],
           "Condition":{"StringEquals":{"aws:PrincipalTag/team":"red"},"Bool":{"aws:SecureTransport":"true"},
                        "IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.0.2.0/24"]}}},
          {"Effect":"Deny","NotAction":"iam:*","NotResource":"arn:aws:iam::*:role/Admin*"}]}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut context = Context::new();
    context.insert("aws:PrincipalTag/team", ContextValue::Single("red".into()));
    context.insert("aws:SecureTransport", ContextValue::Single("true".into()));
    context.insert("aws:SourceIp", ContextValue::Single("192.0.2.7".into()));
    let req = Request {
        principal: RequestPrincipal::Aws {
            arn: "arn:aws:iam::111122223333:user/alice".into(),
        },
        action: "s3:GetObject".into(),
        resource: "arn:aws:s3:::data-lake/raw/2024/01/file.parquet".into(),
        context,
    };
    let mut g = c.benchmark_group("eval");
    g.throughput(Throughput::Elements(policy.statements.len() as u64));
    g.bench_function("statement_applies", |b| {
        b.iter(|| {
            policy
                .statements
                .iter()
                .filter(|s| statement_applies(&policy, s, black_box(&req)))
                .count()
        })
    });
    g.finish();
}

criterion_group!(benches, parse_corpus, statement_matching);
criterion_main!(benches);
