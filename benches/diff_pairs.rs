//! Benchmark of `iamlogic diff` over the 4,600 managed-policy version pairs of the shared
//! corpus, measured where the user sees it:
//!
//! - **in process**: `queries::diff::diff_files`, the function the command calls (parsing,
//!   the proof, the replay of every request through the evaluator, the confirmed verdict);
//! - **whole process**: the release `iamlogic diff OLD NEW` binary, one process per pair
//!   (start-up, catalogue, output), exit codes counted.
//!
//! Both print the median, 99th percentile and maximum per pair, in wall time and in CPU time
//! (on a shared machine the wall time includes waiting for a core; the CPU time is read from
//! Linux's `/proc`: `schedstat` of the thread in process, `cutime`+`cstime` of the reaped
//! children, in 10 ms ticks, for the process), the verdict counts and every pair answered
//! `unknown` with its reason, the requests shown and the resources of the types their actions
//! act on that the decoder tried (issue 10, "Counterexamples that look like real
//! requests"; `tests/diff_pairs.rs` checks every request). Run with
//! `cargo bench --bench diff_pairs`; `DIFF_FILTER=name,name` keeps the pairs whose name
//! (`Policy v1->v2`) contains one of the names, `DIFF_STRIDE=n` every n-th pair,
//! `DIFF_PROCESS=0` skips the whole-process run, `DIFF_TIMEOUT=s` sets `--timeout`,
//! `DIFF_VERDICTS=FILE` writes each pair's verdict to FILE, `DIFF_TIMES=FILE` each pair's
//! in-process wall and CPU time (ms, tab-separated) to FILE.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use queries::diff::{diff_files, resource_checks, Options, Verdict};

struct Pair {
    name: String,
    old: PathBuf,
    new: PathBuf,
}

fn pairs() -> Option<Vec<Pair>> {
    let dir = facts::corpus::corpus_path("managed-policies")?;
    let text = std::fs::read_to_string(dir.join("pairs.jsonl")).ok()?;
    let filter = std::env::var("DIFF_FILTER").ok();
    let stride: usize = std::env::var("DIFF_STRIDE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let mut out = Vec::new();
    for (i, line) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        let v: serde_json::Value = serde_json::from_str(line).ok()?;
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or_default();
        let name = format!("{} {}->{}", s("policy"), s("old_version"), s("new_version"));
        let named = filter
            .as_deref()
            .is_some_and(|f| f.split(',').any(|n| name.contains(n)));
        if (filter.is_some() || stride > 1) && !(named || (stride > 1 && i % stride == 0)) {
            continue;
        }
        out.push(Pair {
            name,
            old: dir.join(s("old_path")),
            new: dir.join(s("new_path")),
        });
    }
    Some(out)
}

/// CPU time of this thread so far, in ms (Linux `/proc/thread-self/schedstat`).
fn thread_cpu_ms() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e6)
}

/// CPU time of the reaped children so far, in ms (Linux `/proc/self/stat`, `cutime` and
/// `cstime`, in ticks of 10 ms).
fn children_cpu_ms() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = s.get(s.rfind(')')? + 2..)?;
    let f: Vec<&str> = after.split_whitespace().collect();
    // Fields 16 and 17 of stat(5), counted from `state` (field 3) here.
    let cu: f64 = f.get(13)?.parse().ok()?;
    let cs: f64 = f.get(14)?.parse().ok()?;
    Some((cu + cs) * 10.0)
}

fn report(what: &str, times: &mut [f64], total: Duration) {
    times.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| {
        times
            .get(((times.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    println!(
        "{what}: {} pairs, median {:.1} ms, p99 {:.1} ms, max {:.1} ms, total {:.1} s",
        times.len(),
        at(0.5),
        at(0.99),
        at(1.0),
        total.as_secs_f64()
    );
}

fn main() {
    let Some(pairs) = pairs() else {
        eprintln!("shared corpus missing: nothing to measure");
        return;
    };
    let timeout: f64 = std::env::var("DIFF_TIMEOUT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10.0);
    let opts = Options {
        timeout: Duration::from_secs_f64(timeout),
        ..Options::default()
    };
    // In process: the function `iamlogic diff` calls.
    let start = Instant::now();
    let mut times = Vec::with_capacity(pairs.len());
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut unknown = Vec::new();
    let mut unconfirmed = 0usize;
    let mut requests = 0usize;
    let mut slow: Vec<(f64, &str)> = Vec::new();
    let mut verdicts = String::new();
    let mut cpu = Vec::with_capacity(pairs.len());
    let mut per_pair = String::new();
    for (i, p) in pairs.iter().enumerate() {
        if i % 500 == 0 {
            eprintln!(
                "in process: {i}/{}, {:.1} s",
                pairs.len(),
                start.elapsed().as_secs_f64()
            );
        }
        let t = Instant::now();
        let c0 = thread_cpu_ms();
        let r = diff_files(&p.old, &p.new, &opts);
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        let pair_cpu = match (c0, thread_cpu_ms()) {
            (Some(a), Some(b)) => b - a,
            _ => f64::NAN,
        };
        if !pair_cpu.is_nan() {
            cpu.push(pair_cpu);
        }
        per_pair.push_str(&format!("{}\t{ms:.2}\t{pair_cpu:.2}\n", p.name));
        times.push(ms);
        slow.push((ms, &p.name));
        match r {
            Ok(c) => {
                verdicts.push_str(&format!("{}\t{:?}\n", p.name, c.verdict));
                *counts.entry(format!("{:?}", c.verdict)).or_default() += 1;
                unconfirmed += c
                    .gained
                    .examples
                    .iter()
                    .chain(&c.lost.examples)
                    .filter(|e| !e.confirmed)
                    .count();
                requests += c.gained.examples.len() + c.lost.examples.len();
                if c.verdict == Verdict::Unknown {
                    let why = c.gained.unknown.or(c.lost.unknown).unwrap_or_default();
                    unknown.push(format!("{}: {why}", p.name));
                }
            }
            Err(e) => {
                *counts.entry("error".to_string()).or_default() += 1;
                unknown.push(format!("{}: error {e}", p.name));
            }
        }
    }
    report(
        "in process (queries::diff::diff_files)",
        &mut times,
        start.elapsed(),
    );
    report("in process, CPU time", &mut cpu, start.elapsed());
    if let Ok(path) = std::env::var("DIFF_VERDICTS") {
        if let Err(e) = std::fs::write(&path, &verdicts) {
            eprintln!("{path}: {e}");
        }
    }
    if let Ok(path) = std::env::var("DIFF_TIMES") {
        if let Err(e) = std::fs::write(&path, &per_pair) {
            eprintln!("{path}: {e}");
        }
    }
    println!("verdicts: {counts:?}; unconfirmed requests: {unconfirmed}");
    let checks = resource_checks();
    println!(
        "requests: {requests}; resources of the action's types the decoder tried against the \
         goal: {} ({} taken)",
        checks.made, checks.taken
    );
    println!("unknown or error: {}", unknown.len());
    for u in &unknown {
        println!("  {u}");
    }
    slow.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (ms, name) in slow.iter().take(5) {
        println!("  slowest: {ms:.0} ms {name}");
    }
    if std::env::var("DIFF_PROCESS").as_deref() == Ok("0") {
        return;
    }
    // Whole process: the release binary, as a user runs it.
    let bin = env!("CARGO_BIN_EXE_iamlogic");
    let start = Instant::now();
    let mut times = Vec::with_capacity(pairs.len());
    let mut codes: BTreeMap<i32, usize> = BTreeMap::new();
    let mut cpu = Vec::with_capacity(pairs.len());
    for (i, p) in pairs.iter().enumerate() {
        if i % 500 == 0 {
            eprintln!(
                "whole process: {i}/{}, {:.1} s",
                pairs.len(),
                start.elapsed().as_secs_f64()
            );
        }
        let t = Instant::now();
        let c0 = children_cpu_ms();
        let o = Command::new(bin)
            .arg("diff")
            .arg("--timeout")
            .arg(timeout.to_string())
            .arg(&p.old)
            .arg(&p.new)
            .output();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        if let (Some(a), Some(b)) = (c0, children_cpu_ms()) {
            cpu.push(b - a);
        }
        let code = o.map(|o| o.status.code().unwrap_or(-1)).unwrap_or(-1);
        *codes.entry(code).or_default() += 1;
        if code == 3 || code == 2 {
            println!("  exit {code}: {}", p.name);
        }
    }
    report("whole process (iamlogic diff)", &mut times, start.elapsed());
    report(
        "whole process, CPU time (10 ms ticks)",
        &mut cpu,
        start.elapsed(),
    );
    println!("exit codes: {codes:?}");
}
