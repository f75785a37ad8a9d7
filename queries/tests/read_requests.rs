//! `simulate --requests FILE` reads a large file on every core (`read_numbered_requests`
//! decodes contiguous shares of its lines on as many threads): the requests, their line
//! numbers and the error it reports must be those of reading the lines one after the
//! other, whichever share a line falls in.

use std::path::Path;

use queries::simulate::read_numbered_requests;

/// `n` request lines of a generated organization (large enough to be read on several
/// threads), with a blank line after the first.
fn generated_lines(dir: &Path, n: usize) -> Vec<String> {
    let spec = synth::Spec {
        accounts: 3,
        roles_per_account: 8,
        users_per_account: 4,
        requests: n,
        ..synth::Spec::default()
    };
    synth::generate(&spec, dir, &mut || {}).unwrap();
    let text = std::fs::read_to_string(dir.join("requests.jsonl")).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines.insert(1, String::new());
    lines
}

fn write(path: &Path, lines: &[String]) {
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

#[test]
fn a_large_file_reads_as_its_lines_read_one_by_one() {
    let dir = tempfile::tempdir().unwrap();
    let lines = generated_lines(dir.path(), 6000);
    let whole = dir.path().join("whole.jsonl");
    write(&whole, &lines);
    let read = read_numbered_requests(&whole).unwrap();
    // Each line alone: a one-line file is read on the calling thread.
    let one = dir.path().join("one.jsonl");
    let mut expected = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        std::fs::write(&one, format!("{line}\n")).unwrap();
        let mut alone = read_numbered_requests(&one).unwrap();
        assert_eq!(alone.len(), 1);
        let (_, spec) = alone.remove(0);
        expected.push((i + 1, spec));
    }
    assert_eq!(read.len(), 6000);
    assert_eq!(read, expected);
}

#[test]
fn the_first_error_in_line_order_is_reported_whichever_share_holds_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = generated_lines(dir.path(), 6000);
    let path = dir.path().join("bad.jsonl");
    // An error late in the file only: it is reported.
    lines[5500] = r#"{"principal":"*","action":"s3:GetObject","resource":"*","context":{"aws:SourceIp":"notanip"}}"#.to_string();
    write(&path, &lines);
    let e = read_numbered_requests(&path).unwrap_err().to_string();
    assert!(e.contains("bad.jsonl:5501: $.context.aws:SourceIp"), "{e}");
    // A malformed line earlier, in the first share: it is the one reported.
    lines[40] = "{broken".to_string();
    write(&path, &lines);
    let e = read_numbered_requests(&path).unwrap_err().to_string();
    assert!(e.contains("line 41"), "{e}");
    assert!(!e.contains("5501"), "{e}");
    // Keys given twice under different case name the first spelling.
    lines[40] = r#"{"principal":"*","action":"s3:GetObject","context":{"aws:SourceIp":"10.0.0.1","AWS:SOURCEIP":"10.0.0.2"}}"#.to_string();
    write(&path, &lines);
    let e = read_numbered_requests(&path).unwrap_err().to_string();
    assert!(
        e.contains("bad.jsonl:41: $.context.AWS:SOURCEIP: `AWS:SOURCEIP` is given more than once (as `aws:SourceIp`"),
        "{e}"
    );
}

/// Requests that carry the same context keys share one context (deciding then reads it
/// from memory once for all of them), whichever reader decodes the line and whatever the
/// order or case of the keys; requests whose keys differ do not; and the keys each request
/// reads are its own, also past the number of distinct contexts the reader remembers.
#[test]
fn requests_with_the_same_context_share_one() {
    let dir = tempfile::tempdir().unwrap();
    let caller = "arn:aws:iam::111122223333:user/alice";
    let line = |context: &str| {
        format!(
            r#"{{"principal":"{caller}","action":"s3:GetObject","resource":"arn:aws:s3:::b/k","context":{context}}}"#
        )
    };
    let mut lines = vec![
        line(r#"{"aws:SecureTransport":"true","aws:RequestedRegion":"eu-west-1"}"#),
        // The same keys, in another order and case.
        line(r#"{"aws:requestedregion":"eu-west-1","AWS:SecureTransport":"true"}"#),
        // Read by the strict reader (a JSON `true`, which the fast reader leaves to it):
        // the same keys again.
        line(r#"{"aws:SecureTransport":true,"aws:RequestedRegion":"eu-west-1"}"#),
        // Another value: another context.
        line(r#"{"aws:SecureTransport":"false","aws:RequestedRegion":"eu-west-1"}"#),
    ];
    // More distinct contexts than the reader remembers, each read as given.
    for i in 0..5000 {
        lines.push(line(&format!(
            r#"{{"aws:SourceIp":"10.0.{}.{}"}}"#,
            i / 256,
            i % 256
        )));
    }
    let path = dir.path().join("contexts.jsonl");
    write(&path, &lines);
    let read = read_numbered_requests(&path).unwrap();
    let ctx = |i: usize| &read[i].1.context;
    assert!(std::sync::Arc::ptr_eq(ctx(0), ctx(1)));
    assert!(std::sync::Arc::ptr_eq(ctx(0), ctx(2)));
    assert!(!std::sync::Arc::ptr_eq(ctx(0), ctx(3)));
    assert_eq!(
        ctx(3).get("aws:SecureTransport"),
        Some(&facts::request::ContextValue::Single("false".into()))
    );
    for i in 0..5000 {
        assert_eq!(
            ctx(4 + i).get("aws:sourceip"),
            Some(&facts::request::ContextValue::Single(format!(
                "10.0.{}.{}",
                i / 256,
                i % 256
            ))),
        );
    }
}
