//! The figures of issue 9 (who-can, what-can, paths), printed by
//! `cargo bench -p iamlogic-queries --bench who_can`.
//!
//! The organization is `iamlogic gen --accounts 100 --roles-per-account 500` (the `synth`
//! crate, seed 1, its defaults otherwise: 50 users, 20 buckets per account...), generated into
//! a temporary directory first (`WHO_CAN_ACCOUNTS` / `WHO_CAN_ROLES` change its size,
//! `WHO_CAN_DIR=DIR` keeps it for the command line). Every figure is measured through the
//! functions the command line calls (`AccountSimulator::load`, `Prepared::new`,
//! `Analyzer::new`, `who_can`, `what_can`, `paths`), after load, with wall and CPU time (the
//! machine may be shared), and the targets of the issue are printed beside them.
//! `WHO_CAN_STEPS=one,what,every,paths,chains` chooses the measures (default: all but
//! `chains`, who-can through role chains of up to 3 hops).

use std::time::Instant;

use queries::simulate::AccountSimulator;
use queries::who_can::{self, Analyzer, Prepared};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "support/proc_stats.rs"]
mod proc_stats;
use proc_stats::{process_cpu, thread_cpu as cpu};

/// The peak resident memory of this process so far, in MiB (`NaN` when the system does not say).
fn peak_rss_mib() -> f64 {
    proc_stats::peak_mib().unwrap_or(f64::NAN)
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Run `f`, print its wall time, its CPU time on this thread and in the whole process (and
/// the target, if any); returns its value and its wall and CPU time of this thread (CPU
/// `NaN` when the system does not say).
fn time<T>(label: &str, target: Option<f64>, f: impl FnOnce() -> T) -> (T, (f64, f64)) {
    let c = cpu();
    let pc = process_cpu();
    let t = Instant::now();
    let v = f();
    let wall = t.elapsed().as_secs_f64();
    let cpu_used = match (c, cpu()) {
        (Some(a), Some(b)) => b - a,
        _ => f64::NAN,
    };
    let process_used = pc.zip(process_cpu()).map(|(a, b)| b - a);
    let cpu_text = match (cpu_used.is_nan(), process_used) {
        (true, _) => String::new(),
        (false, Some(p)) => format!("{cpu_used:>7.3} s CPU ({p:.2} s all threads)"),
        (false, None) => format!("{cpu_used:>7.3} s CPU"),
    };
    let target_text = match target {
        Some(limit) if wall < limit => format!("  target < {limit} s: met"),
        Some(limit) => format!("  target < {limit} s: NOT met"),
        None => String::new(),
    };
    println!("{label:<58} {wall:>8.3} s wall {cpu_text}{target_text}");
    (v, (wall, cpu_used))
}

/// Whether step `name` runs: every step but `chains`, unless `WHO_CAN_STEPS` lists the
/// ones to run (`one,what,every,paths,chains`).
fn step(name: &str) -> bool {
    match std::env::var("WHO_CAN_STEPS") {
        Ok(v) => v.split(',').any(|x| x.trim() == name),
        Err(_) => name != "chains",
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let spec = synth::Spec {
        accounts: env("WHO_CAN_ACCOUNTS", 100),
        roles_per_account: env("WHO_CAN_ROLES", 500),
        ..synth::Spec::default()
    };
    let tmp = tempfile::tempdir().unwrap();
    // WHO_CAN_DIR keeps the organization for the command line.
    let dir = std::env::var_os("WHO_CAN_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| tmp.path().join("org"));
    let summary = if dir.join("organization.json").exists() {
        println!("organization: reusing {}", dir.display());
        None
    } else {
        let (s, _) = time("generate the organization (synth)", None, || {
            synth::generate(&spec, &dir, &mut || {}).expect("the organization is written")
        });
        Some(s)
    };
    if let Some(s) = summary {
        println!(
            "organization: iamlogic gen {}: {} accounts, {} users, {} roles, {} resources",
            synth::args_text(&spec),
            s.accounts,
            s.users,
            s.roles,
            s.resources
        );
    }
    let layout = synth::layout::Layout::new(&spec);
    let (sim, _) = time("load (AccountSimulator::load)", None, || {
        AccountSimulator::load(std::slice::from_ref(&dir)).unwrap()
    });
    let (prepared, prep_t) = time("prepare (Prepared::new)", None, || Prepared::new(&sim));
    println!(
        "  the load's decision index serves the prepared tables: {}",
        sim.index().fits(prepared.tables())
    );
    let (analyzer, an_t) = time("analyzer (Analyzer::new)", None, || {
        Analyzer::new(&prepared, &sim)
    });
    let member = &layout.accounts[1.min(layout.accounts.len() - 1)];
    let bucket = format!("arn:aws:s3:::{}", member.buckets[0].0);
    println!("bucket: {bucket}");
    let one = who_can::Query {
        resource: Some(bucket.clone()),
        actions: vec!["s3:GetObject".into()],
        max_depth: 0,
        ..Default::default()
    };
    if step("one") {
        // What one `iamlogic who-can -i DIR --resource BUCKET --action s3:GetObject` run does
        // after the load (src/cmd/who_can.rs): prepare, analyzer, the query with the
        // command's default `--max-depth 3` (role chains), and the text table it prints.
        let cli = who_can::Query {
            max_depth: 3,
            ..one.clone()
        };
        let pc = process_cpu();
        let (r, first_t) = time(
            "who-can, one action on a bucket, chains up to 3 hops (first query)",
            None,
            || who_can::who_can(&analyzer, &prepared, &cli, &|_, _| {}).unwrap(),
        );
        println!("  {} principals listed; {:?}", r.principals.len(), r.stats);
        let (table, print_t) = time("  + its text table (who_can::text::text)", None, || {
            who_can::text::text(&r, false)
        });
        let query_all = pc.zip(process_cpu()).map(|(a, b)| b - a);
        println!("  {} lines of text", table.lines().count());
        let wall = prep_t.0 + an_t.0 + first_t.0 + print_t.0;
        let cpu = prep_t.1 + an_t.1 + first_t.1 + print_t.1;
        // The query spreads its work over the cores: this thread's CPU is not all of it.
        let all = query_all
            .map(|q| format!(" ({:.2} s all threads)", prep_t.1 + an_t.1 + q))
            .unwrap_or_default();
        println!(
            "{:<58} {wall:>8.3} s wall {cpu:>7.3} s CPU{all}  target < 0.5 s: {}",
            "= one CLI who-can after load (prepare+analyzer+query+text)",
            if wall < 0.5 { "met" } else { "NOT met" }
        );
        let (r, _) = time(
            "who-can, one action on a bucket, direct access only",
            None,
            || who_can::who_can(&analyzer, &prepared, &one, &|_, _| {}).unwrap(),
        );
        println!(
            "  {} principals listed ({} classes, {} distinct action answers); {:?}",
            r.principals.len(),
            r.classes.len(),
            r.answers.len(),
            r.stats
        );
        // What `who-can --format json` then does to print it (src/cmd/who_can.rs): each
        // principal's answer expanded from its class and serialised on its own line.
        let (text, _) = time("  + printing it as --format json", None, || {
            let mut out = Vec::new();
            for p in r.principal_answers() {
                serde_json::to_writer(&mut out, &p).unwrap();
                out.push(b'\n');
            }
            out
        });
        println!("  {} bytes of JSON", text.len());
    }
    if step("what") {
        let app = member
            .roles
            .iter()
            .find(|r| matches!(r.kind, synth::layout::RoleKind::App(_)))
            .unwrap_or(&member.roles[0]);
        let role = member.role_arn(app);
        let (r, _) = time(
            &format!("what-can of one role ({})", app.name),
            Some(1.0),
            || {
                queries::what_can::what_can(
                    &analyzer,
                    &queries::what_can::Query {
                        principal: role.clone(),
                        ..Default::default()
                    },
                )
                .unwrap()
            },
        );
        println!("  {} action-resource pairs", r.actions.len());
    }
    if step("every") {
        let every = who_can::Query {
            actions: Vec::new(),
            ..one.clone()
        };
        let (r, _) = time(
            "who-can, every action on a bucket by access level",
            Some(3.0),
            || who_can::who_can(&analyzer, &prepared, &every, &|_, _| {}).unwrap(),
        );
        println!(
            "  {} actions, {} principals listed; {:?}",
            r.actions.len(),
            r.principals.len(),
            r.stats
        );
    }
    println!("peak memory so far (VmHWM): {:.0} MiB", peak_rss_mib());
    // Chains are opt-in: on this organization every principal may assume the read-only
    // roles of its account, so a search of up to 3 hops decides millions of hops.
    if step("chains") {
        let chained = who_can::Query {
            max_depth: 3,
            ..one.clone()
        };
        let (r, _) = time(
            "who-can, one action on a bucket, chains up to 3 hops",
            None,
            || who_can::who_can(&analyzer, &prepared, &chained, &|_, _| {}).unwrap(),
        );
        println!("  {} principals listed; {:?}", r.principals.len(), r.stats);
    }
    if step("paths") {
        let tooling = layout.tooling();
        let ci = tooling
            .roles
            .iter()
            .find(|r| r.kind == synth::layout::RoleKind::CiRunner)
            .expect("the tooling account has ci-runner");
        let deploy = member
            .roles
            .iter()
            .rfind(|r| r.kind == synth::layout::RoleKind::Deploy)
            .expect("a deploy role");
        let from = tooling.role_arn(ci);
        let to = member.role_arn(deploy);
        let (r, _) = time(
            "paths --all --max-depth 4 between two roles",
            Some(1.0),
            || {
                queries::paths::paths(
                    &analyzer,
                    &queries::paths::Query {
                        from: from.clone(),
                        to: to.clone(),
                        all: true,
                        max_depth: 4,
                        ..Default::default()
                    },
                )
                .unwrap()
            },
        );
        println!("  {from} → {to}: {} paths; {:?}", r.paths.len(), r.stats);
    }
    let peak = peak_rss_mib();
    let verdict = if peak < 2048.0 { "met" } else { "NOT met" };
    println!("peak memory (VmHWM): {peak:.0} MiB  target < 2048 MiB: {verdict}");
}
