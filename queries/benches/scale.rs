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
//! (`SCALE_ACCOUNTS` / `SCALE_ROLES` change the organization's size).

use std::path::{Path, PathBuf};
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use queries::simulate::{read_requests, AccountSimulator, Outcome};

/// The allocator the `iamlogic` binary uses, so the figures match the command line.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// CPU time of this process so far (user + system, every thread, including the loader's
/// reading thread), in seconds, from Linux `/proc/self/stat` (in clock ticks of 1/100 s),
/// if the system says: the machine may be shared, and then wall time overstates the work.
fn cpu() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = text.rsplit_once(')')?.1;
    let mut fields = rest.split_whitespace();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let utime: f64 = fields.nth(11)?.parse().ok()?;
    let stime: f64 = fields.next()?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// CPU time of the calling thread so far, in seconds (Linux `schedstat`): what load spends
/// on the thread that ingests, the part a second core cannot take over.
fn thread_cpu() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = text.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

/// The peak resident memory of this process so far (`VmHWM`), in MiB.
fn peak_mib() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = text.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// `wall (CPU cpu)` for a measurement that started at `t` and CPU time `c`.
fn took(t: Instant, c: Option<f64>) -> String {
    match (c, cpu()) {
        (Some(a), Some(b)) => format!("{:?} wall, {:.3} s CPU", t.elapsed(), b - a),
        _ => format!("{:?} wall", t.elapsed()),
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
    let dir = tmp.path().join("org");
    let spec = generate(&dir);
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
        "load + facts: {}{on_thread} (target < 1 s){peak} (target < 1 GiB)",
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

    let name = format!("{}x{} org", spec.accounts, spec.roles_per_account);
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
criterion_main!(benches);
