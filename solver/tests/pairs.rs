//! The managed-policy version pairs of the shared corpus (issue 5, "Done when"):
//! identical and canonically equal pairs are `equivalent`; pairs marked `simple_allow_star`
//! agree with the catalogue oracle; none is `unknown` at the default 10 s timeout.
//!
//! `cargo test` runs a deterministic subset (every pair with an oracle or an equality flag
//! among every 8th line, plus all oracle pairs); `IAMLOGIC_ALL_PAIRS=1` runs all 4,600 (the
//! benchmark `cargo bench -p iamlogic-solver --bench pairs` always does).

mod common;

use solver::{compare, Catalogue, Comparison, Options, Stack, Verdict};

/// The verdict over the catalogue's actions and the literal names the policies spell out,
/// which is what the oracle expands (witness names built from wildcards are left out).
fn oracle_view(c: &Comparison) -> &'static str {
    let literal = |n: &String| !n.contains(['*', '?']) && !n.starts_with("iamlogic-unknown:");
    let gained = !c.gained.actions.is_empty() || c.gained.unknown_actions.iter().any(literal);
    let lost = !c.lost.actions.is_empty() || c.lost.unknown_actions.iter().any(literal);
    match (gained, lost) {
        (false, false) => "equivalent",
        (true, false) => "new_grants_superset",
        (false, true) => "new_grants_subset",
        (true, true) => "incomparable",
    }
}

#[test]
fn corpus_pairs_are_decided_and_agree_with_the_oracle() {
    let Some(pairs) = common::pairs() else { return };
    let all = std::env::var("IAMLOGIC_ALL_PAIRS").as_deref() == Ok("1");
    let opts = Options::default();
    let cat = Catalogue::aws();
    let mut failures = Vec::new();
    let mut oracle_checked = 0;
    let mut equal_checked = 0;
    for (i, p) in pairs.iter().enumerate() {
        if !all && i % 8 != 0 && p.oracle.is_none() {
            continue;
        }
        let old = Stack::single(common::load(&p.old));
        let new = Stack::single(common::load(&p.new));
        let c = match compare(&old, &new, cat, &opts) {
            Ok(c) => c,
            Err(e) => {
                failures.push(format!("{}: error {e}", p.name));
                continue;
            }
        };
        if c.verdict == Verdict::Unknown {
            failures.push(format!(
                "{}: unknown ({:?} / {:?})",
                p.name, c.gained.unknown, c.lost.unknown
            ));
            continue;
        }
        if p.identical || p.canonically_equal {
            equal_checked += 1;
            if c.verdict != Verdict::Equivalent {
                failures.push(format!("{}: equal documents but {:?}", p.name, c.verdict));
            }
        }
        if let Some(o) = &p.oracle {
            oracle_checked += 1;
            let got = oracle_view(&c);
            if got != o {
                failures.push(format!(
                    "{}: oracle says {o}, iamlogic {got} (gained {:?} lost {:?})",
                    p.name,
                    c.gained.actions.iter().take(5).collect::<Vec<_>>(),
                    c.lost.actions.iter().take(5).collect::<Vec<_>>()
                ));
            }
        }
    }
    eprintln!("checked {equal_checked} equal pairs and {oracle_checked} oracle pairs");
    assert!(
        oracle_checked >= 1_000,
        "too few oracle pairs: {oracle_checked}"
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
