//! Benchmark: `compare` over all 4,600 managed-policy version pairs of the shared corpus.
//! Prints the median, 99th percentile and maximum time per pair, the total wall time and
//! the verdict counts. Run with `cargo bench -p iamlogic-solver --bench pairs`.
//! `PAIRS_FILTER=name,name` keeps the pairs whose name (`Policy v1->v2`) contains one of
//! the names, `PAIRS_STRIDE=n` keeps every n-th pair (both together: either),
//! `PAIRS_TIMEOUT=s` sets the timeout in seconds.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use solver::{compare, Catalogue, Options, Stack, Verdict};

fn main() {
    let Some(pairs) = common::pairs() else {
        eprintln!("shared corpus missing: nothing to measure");
        return;
    };
    let cat = Catalogue::aws();
    let mut opts = Options::default();
    if let Some(t) = std::env::var("PAIRS_TIMEOUT")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        opts.timeout = std::time::Duration::from_secs(t);
    }
    let start = Instant::now();
    let mut times = Vec::with_capacity(pairs.len());
    let mut counts = std::collections::BTreeMap::new();
    let mut errors = 0;
    let mut slow: Vec<(f64, String, String)> = Vec::new();
    let filter = std::env::var("PAIRS_FILTER").ok();
    let stride: usize = std::env::var("PAIRS_STRIDE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    for (i, p) in pairs.iter().enumerate() {
        let named = filter
            .as_deref()
            .is_some_and(|f| f.split(',').any(|n| p.name.contains(n)));
        if (filter.is_some() || stride > 1) && !(named || (stride > 1 && i % stride == 0)) {
            continue;
        }
        if i % 500 == 0 {
            eprintln!(
                "{i}/{} pairs, {:.1} s",
                pairs.len(),
                start.elapsed().as_secs_f64()
            );
        }
        let old = Stack::single(common::load(&p.old));
        let new = Stack::single(common::load(&p.new));
        let t = Instant::now();
        let r = compare(&old, &new, cat, &opts);
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        times.push(ms);
        if ms > 1000.0 {
            eprintln!("slow: {ms:.0} ms {}", p.name);
        }
        match r {
            Ok(c) => {
                *counts.entry(format!("{:?}", c.verdict)).or_insert(0) += 1;
                slow.push((ms, p.name.clone(), format!("{:?}", c.verdict)));
            }
            Err(e) => {
                errors += 1;
                eprintln!("{}: {e}", p.name);
            }
        }
    }
    let total = start.elapsed();
    times.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    println!("pairs: {}", times.len());
    println!("median: {:.1} ms", at(0.5));
    println!("p99: {:.1} ms", at(0.99));
    println!("max: {:.1} ms", at(1.0));
    println!(
        "total wall time (incl. parsing): {:.1} s",
        total.as_secs_f64()
    );
    println!("verdicts: {counts:?}, errors: {errors}");
    let unknown = counts
        .get(&format!("{:?}", Verdict::Unknown))
        .copied()
        .unwrap_or(0);
    println!("unknown: {unknown}");
    slow.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (ms, name, verdict) in slow.iter().take(10) {
        println!("slowest: {ms:.0} ms {name} ({verdict})");
    }
}
