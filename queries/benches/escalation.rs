//! Whole-organization privilege escalation, measured through the functions `iamlogic
//! escalation -i DIR` calls: [`AccountSimulator::load`] (read, model, facts, index) and
//! [`queries::escalation::escalation`] with the command's defaults (every user and role to
//! administrator, shortest paths).
//!
//! The organization is `iamlogic gen --accounts 100 --roles-per-account 500` (the `synth`
//! crate's other defaults, seed 1), generated into a temporary directory first. Target
//! (issue 11): the whole run < 10 s, peak memory < 2 GiB.
//!
//! Run with `cargo bench -p iamlogic-queries --bench escalation` (`SCALE_ACCOUNTS` /
//! `SCALE_ROLES` change the organization's size, `ESCALATION_RUNS` the number of runs;
//! `ESCALATION_DIR=DIR` measures the organization in `DIR`, generating it there first when
//! `DIR` does not exist; `ESCALATION_JSON=FILE` writes the last run's report to `FILE` as
//! `iamlogic escalation --format json` prints it). It prints wall and CPU time of each
//! phase and the measuring process's peak resident memory. The measuring process runs with
//! `MIMALLOC_PURGE_DELAY=-1`, as the command runs itself (src/cmd/escalation.rs).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use queries::escalation::{escalation, Options, PHASES};
use queries::simulate::AccountSimulator;

/// mimalloc's option for how long freed memory stays committed (`-1`: until the process
/// ends), set by `iamlogic escalation` for itself.
const PURGE_DELAY: &str = "MIMALLOC_PURGE_DELAY";

/// The allocator the `iamlogic` binary uses, so the figures match the command line.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "support/proc_stats.rs"]
mod proc_stats;
use proc_stats::{peak_mib as peak_rss_mib, process_cpu as cpu};

/// `wall, CPU` of a measurement that started at `t` with CPU time `c`.
fn took(t: Instant, c: Option<f64>) -> (Duration, Option<f64>) {
    (t.elapsed(), c.zip(cpu()).map(|(a, b)| b - a))
}

fn show((wall, cpu): (Duration, Option<f64>)) -> String {
    match cpu {
        Some(c) => format!("{:.2} s wall, {c:.2} s CPU", wall.as_secs_f64()),
        None => format!("{:.2} s wall", wall.as_secs_f64()),
    }
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn generate(dir: &Path) {
    let spec = synth::Spec {
        accounts: env("SCALE_ACCOUNTS", 100),
        roles_per_account: env("SCALE_ROLES", 500),
        ..synth::Spec::default()
    };
    let t = Instant::now();
    let s = synth::generate(&spec, dir, &mut || {}).expect("the organization is written");
    eprintln!(
        "generated {} accounts, {} users, {} roles, {} resources in {:?}",
        s.accounts,
        s.users,
        s.roles,
        s.resources,
        t.elapsed()
    );
}

fn main() {
    // `cargo bench` passes `--bench`; a filter that names another benchmark skips this one.
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args
        .iter()
        .any(|a| !a.starts_with('-') && !"escalation".contains(a.as_str()))
    {
        return;
    }
    // Measured in a child process of its own, so the peak memory is the escalation's, not
    // the generator's.
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let dir = match std::env::var("ESCALATION_DIR") {
        // As `iamlogic escalation` runs (src/cmd/escalation.rs): with an allocator that keeps
        // the memory it freed until the process ends (`MIMALLOC_PURGE_DELAY=-1`); the
        // measuring process is started with it below.
        Ok(dir) if Path::new(&dir).exists() && std::env::var_os(PURGE_DELAY).is_some() => {
            measure(vec![PathBuf::from(dir)]);
            return;
        }
        Ok(dir) => PathBuf::from(dir),
        Err(_) => tmp.path().join("org"),
    };
    if !dir.exists() {
        generate(&dir);
    }
    let status = std::process::Command::new(std::env::current_exe().expect("this benchmark"))
        .env("ESCALATION_DIR", &dir)
        .env(PURGE_DELAY, "-1")
        .status()
        .expect("the measuring process runs");
    assert!(status.success(), "the measuring process failed: {status}");
}

/// Load `inputs` and run the escalation, `ESCALATION_RUNS` times, printing the figures.
fn measure(inputs: Vec<PathBuf>) {
    for run in 1..=env("ESCALATION_RUNS", 1) {
        let (t0, c0) = (Instant::now(), cpu());
        let sim = AccountSimulator::load(&inputs).expect("the organization loads");
        let load = took(t0, c0);
        let (t, c) = (Instant::now(), cpu());
        let mut marks: Vec<(usize, Instant, Option<f64>)> = Vec::new();
        let report = escalation(&sim, &Options::default(), &mut |i| {
            marks.push((i, Instant::now(), cpu()))
        })
        .expect("escalation runs");
        let esc = took(t, c);
        let total = took(t0, c0);
        eprintln!("run {run}:");
        eprintln!("  load + facts + index: {}", show(load));
        marks.push((PHASES.len(), Instant::now(), cpu()));
        for w in marks.windows(2) {
            let (i, t, c) = w[0];
            let (_, t2, c2) = w[1];
            let cpu = c.zip(c2).map(|(a, b)| b - a);
            eprintln!(
                "    {}: {}",
                PHASES.get(i).copied().unwrap_or("?"),
                show((t2 - t, cpu))
            );
        }
        eprintln!(
            "  escalation: {} ({} decisions, {} administrators, {} conditional, {} principals escalate)",
            show(esc),
            report.decisions,
            report.administrators.len(),
            report.conditional_administrators.len(),
            report.escalations.len()
        );
        eprintln!("  total: {} (target < 10 s)", show(total));
        if let Ok(file) = std::env::var("ESCALATION_JSON") {
            let text = serde_json::to_string_pretty(&report).expect("the report serializes");
            std::fs::write(&file, text).expect("the report is written");
        }
    }
    match peak_rss_mib() {
        Some(p) => eprintln!("peak resident memory: {p:.0} MiB (target < 2048 MiB)"),
        None => eprintln!("peak resident memory: unknown (no /proc/self/status)"),
    }
}
