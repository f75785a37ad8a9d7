//! Organization scale, measured through the functions `iamlogic simulate -i DIR --requests
//! FILE` calls: [`AccountSimulator::load`] (read every file, build the model, compile the
//! fact tables, index them) and [`AccountSimulator::simulate`] on 100,000 requests.
//!
//! The organization is `iamlogic gen --accounts 100 --roles-per-account 500` (the `synth`
//! crate's defaults otherwise: 50 users, 4 groups, 20 buckets, 5 keys and 5 queues per
//! account; 100,000 requests; seed 1), generated into a temporary directory first.
//!
//! Targets (issue 8): load + facts < 1 s; at least 300,000 decisions/s for 100,000
//! requests after load. Run with `cargo bench -p iamlogic-queries --bench scale`
//! (`SCALE_ACCOUNTS` / `SCALE_ROLES` change the organization's size; `SCALE_DIR=DIR` loads
//! an organization already generated in `DIR` instead, e.g. by `iamlogic gen`).
//!
//! The headline load figure is the first load of a fresh process, as a user's command
//! pays it: the benchmark runs itself again as a child process (`SCALE_FRESH_LOAD=DIR`)
//! that only loads `DIR` and reports its wall time, CPU time, the calling thread's CPU time,
//! its page faults and its peak memory. A load later in the same process reuses memory the
//! allocator already has from the kernel, so criterion's median of repeated loads is lower.

use std::path::{Path, PathBuf};
use std::time::Instant;

use criterion::{criterion_group, Criterion, Throughput};
use queries::simulate::{read_requests, AccountSimulator, Outcome};

/// The allocator the `iamlogic` binary uses, so the figures match the command line.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "support/proc_stats.rs"]
mod proc_stats;
use proc_stats::{peak_mib, process_cpu as cpu, thread_cpu};

/// `wall (CPU cpu)` for a measurement that started at `t` and CPU time `c`.
fn took(t: Instant, c: Option<f64>) -> String {
    match (c, cpu()) {
        (Some(a), Some(b)) => format!("{:?} wall, {:.3} s CPU", t.elapsed(), b - a),
        _ => format!("{:?} wall", t.elapsed()),
    }
}

/// Minor and major page faults of this process so far (Linux `/proc/self/stat`, fields 10
/// and 12): a fresh process faults in every page the allocator hands out the first time.
fn faults() -> Option<(u64, u64)> {
    let text = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = text.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // minflt and majflt are fields 10 and 12 of the line, 8 and 10 after the name.
    Some((fields.get(7)?.parse().ok()?, fields.get(9)?.parse().ok()?))
}

/// The child process: load `dir` once, as `iamlogic simulate -i DIR` does, print one line of
/// figures on stdout and exit.
fn fresh_load(dir: &str) {
    let (t, c0, tc0) = (Instant::now(), cpu(), thread_cpu());
    let sim = AccountSimulator::load(&[PathBuf::from(dir)]).expect("the organization loads");
    let wall = t.elapsed().as_secs_f64();
    let cpu_s = match (c0, cpu()) {
        (Some(a), Some(b)) => b - a,
        _ => f64::NAN,
    };
    let thread_s = match (tc0, thread_cpu()) {
        (Some(a), Some(b)) => b - a,
        _ => f64::NAN,
    };
    let (minor, major) = faults().unwrap_or_default();
    let peak = peak_mib().unwrap_or(f64::NAN);
    println!(
        "{wall:.3} {cpu_s:.3} {thread_s:.3} {minor} {major} {peak:.0} {}",
        sim.tables().principals.len()
    );
}

/// Run [`fresh_load`] in `runs` child processes, one after the other, and print each run's
/// figures and their median: the headline figure of issue 8's load target.
fn fresh_loads(dir: &Path, runs: usize) {
    let exe = std::env::current_exe().expect("the benchmark's own path");
    let mut walls = Vec::new();
    for run in 1..=runs {
        let out = std::process::Command::new(&exe)
            .env("SCALE_FRESH_LOAD", dir)
            .stderr(std::process::Stdio::inherit())
            .output()
            .expect("the child process runs");
        let line = String::from_utf8_lossy(&out.stdout);
        let f: Vec<&str> = line.split_whitespace().collect();
        let [wall, cpu_s, thread_s, minor, major, peak, principals] = f.as_slice() else {
            panic!("the child process failed ({}): {line}", out.status);
        };
        eprintln!(
            "first load in a fresh process, run {run}: {wall} s wall, {cpu_s} s CPU ({thread_s} s on the calling thread), {minor} minor / {major} major page faults, peak {peak} MiB, {principals} principals"
        );
        walls.push(wall.parse::<f64>().unwrap_or(f64::NAN));
    }
    walls.sort_by(f64::total_cmp);
    if let Some(m) = walls.get(walls.len() / 2) {
        eprintln!(
            "load + facts, first load in a fresh process: median {m:.3} s wall of {runs} runs (target < 1 s)"
        );
    }
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn generate(dir: &Path) -> synth::Spec {
    let spec = synth::Spec {
        accounts: env("SCALE_ACCOUNTS", 100),
        roles_per_account: env("SCALE_ROLES", 500),
        ..synth::Spec::default()
    };
    let t = Instant::now();
    let summary = synth::generate(&spec, dir, &mut || {}).expect("the organization is written");
    eprintln!(
        "generated {} accounts, {} users, {} roles, {} resources, {} requests ({:.1} MB) in {:?}",
        summary.accounts,
        summary.users,
        summary.roles,
        summary.resources,
        summary.requests,
        summary.bytes as f64 / 1e6,
        t.elapsed()
    );
    spec
}

fn bench(c: &mut Criterion) {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let (dir, name) = match std::env::var_os("SCALE_DIR") {
        Some(d) => {
            let d = PathBuf::from(d);
            let name = format!("{}", d.display());
            (d, name)
        }
        None => {
            let dir = tmp.path().join("org");
            let spec = generate(&dir);
            (
                dir,
                format!("{}x{} org", spec.accounts, spec.roles_per_account),
            )
        }
    };
    fresh_loads(&dir, env("SCALE_FRESH_RUNS", 5));
    let inputs: Vec<PathBuf> = vec![dir.clone()];
    let requests_file = dir.join("requests.jsonl");

    let (t, c0) = (Instant::now(), cpu());
    let specs = read_requests(&requests_file).expect("requests parse");
    eprintln!("read {} requests: {}", specs.len(), took(t, c0));
    let (t, c0, tc0) = (Instant::now(), cpu(), thread_cpu());
    let sim = AccountSimulator::load(&inputs).expect("the organization loads");
    let on_thread = match (tc0, thread_cpu()) {
        (Some(a), Some(b)) => format!(", {:.3} s CPU on the calling thread", b - a),
        _ => String::new(),
    };
    let peak = peak_mib().map_or(String::new(), |m| {
        format!("; process peak so far (generation, requests, load) {m:.0} MiB")
    });
    eprintln!(
        "load + facts, first load after generating and reading the requests in this process: {}{on_thread}{peak} (target < 1 GiB)",
        took(t, c0)
    );
    let (t, c0) = (Instant::now(), cpu());
    let results = sim
        .simulate(&specs, &requests_file)
        .expect("requests decide");
    let el = t.elapsed();
    let per_cpu = match (c0, cpu()) {
        (Some(a), Some(b)) => format!(", {:.0}/s of CPU", results.len() as f64 / (b - a)),
        _ => String::new(),
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let count = |o: Outcome| results.iter().filter(|r| r.decision == o).count();
    eprintln!(
        "simulate {} requests on {threads} threads: {} = {:.0} decisions/s{per_cpu} (target >= 300,000): {} allowed, {} explicitDeny, {} implicitDeny",
        results.len(),
        took(t, c0),
        results.len() as f64 / el.as_secs_f64(),
        count(Outcome::Allowed),
        count(Outcome::ExplicitDeny),
        count(Outcome::ImplicitDeny),
    );

    let mut g = c.benchmark_group("scale");
    g.sample_size(10);
    g.bench_function(format!("{name}: load + facts"), |b| {
        b.iter(|| AccountSimulator::load(&inputs).expect("loads"))
    });
    g.throughput(Throughput::Elements(specs.len() as u64));
    g.bench_function(format!("{name}: simulate 100k requests"), |b| {
        b.iter(|| sim.simulate(&specs, &requests_file).expect("decides"))
    });
    g.finish();
}

criterion_group!(benches, bench);

/// Criterion's main, unless this process is the child that measures one fresh load.
fn main() {
    if let Some(dir) = std::env::var_os("SCALE_FRESH_LOAD") {
        fresh_load(&dir.to_string_lossy());
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
