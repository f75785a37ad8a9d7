//! Decide a requests file against an account-data directory through
//! [`AccountSimulator::simulate`] (what `iamlogic simulate -i DIR --requests FILE` calls) and
//! write one JSON result per line, to compare decisions before and after a change with `cmp`
//! without building the command line in release:
//!
//! ```text
//! cargo run --release -p iamlogic-queries --example simulate_org -- DIR REQUESTS OUT [REPEAT]
//! ```
//!
//! It prints the load and decision times (wall and CPU) on stderr; `REPEAT` decides the
//! requests that many times (for profiling), writing the results of the first.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use queries::simulate::{read_requests, AccountSimulator};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// User + system CPU time of this process so far, in seconds (Linux `/proc/self/stat`).
fn cpu() -> f64 {
    let text = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = text.rsplit_once(')').map_or("", |r| r.1);
    let mut f = rest.split_whitespace();
    let u: f64 = f.nth(11).and_then(|v| v.parse().ok()).unwrap_or(0.0);
    let s: f64 = f.next().and_then(|v| v.parse().ok()).unwrap_or(0.0);
    (u + s) / 100.0
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, requests, out, rest @ ..] = args.as_slice() else {
        eprintln!("usage: simulate_org DIR REQUESTS OUT [REPEAT]");
        std::process::exit(2);
    };
    let repeat: usize = rest.first().and_then(|r| r.parse().ok()).unwrap_or(1);
    let requests = PathBuf::from(requests);
    let specs = read_requests(&requests).expect("requests parse");
    let (t, c) = (Instant::now(), cpu());
    let sim = AccountSimulator::load(&[PathBuf::from(dir)]).expect("data loads");
    eprintln!("load: {:?} wall, {:.2} s CPU", t.elapsed(), cpu() - c);
    let mut first = None;
    for _ in 0..repeat {
        let (t, c) = (Instant::now(), cpu());
        let results = sim.simulate(&specs, &requests).expect("requests decide");
        let (wall, cpu_s) = (t.elapsed(), cpu() - c);
        eprintln!(
            "simulate {}: {wall:?} wall ({:.0}/s), {cpu_s:.2} s CPU ({:.0}/CPU-s)",
            results.len(),
            results.len() as f64 / wall.as_secs_f64(),
            results.len() as f64 / cpu_s.max(0.01)
        );
        first.get_or_insert(results);
    }
    let mut w = std::io::BufWriter::new(std::fs::File::create(out).expect("output file"));
    for r in first.unwrap_or_default() {
        serde_json::to_writer(&mut w, &r).expect("writes");
        writeln!(w).expect("writes");
    }
}
