//! The managed-policy version pairs of the shared corpus (issue 5, "Done when"):
//! identical and canonically equal pairs are `equivalent`; pairs marked `simple_allow_star`
//! agree with the catalogue oracle; none is `unknown` at the default 10 s timeout.
//!
//! `cargo test` runs a deterministic subset (every pair with an oracle or an equality flag
//! among every 8th line, plus all oracle pairs); `IAMLOGIC_ALL_PAIRS=1` runs all 4,600 (the
//! benchmark `cargo bench -p iamlogic-solver --bench pairs` always does).

mod common;

use solver::{compare, Catalogue, Comparison, Options, Stack, Verdict};

fn verdict_of(gained: bool, lost: bool) -> &'static str {
    match (gained, lost) {
        (false, false) => "equivalent",
        (true, false) => "new_grants_superset",
        (false, true) => "new_grants_subset",
        (true, true) => "incomparable",
    }
}

/// Our verdict in the oracle's terms: over the catalogue plus the literal names outside it.
fn full_view(c: &Comparison) -> &'static str {
    verdict_of(
        !c.gained.actions.is_empty() || !c.gained.unknown_actions.is_empty(),
        !c.lost.actions.is_empty() || !c.lost.unknown_actions.is_empty(),
    )
}

/// Both verdicts over catalogue actions only. The oracle's counts include literal names
/// outside the catalogue; when its sample is complete they are subtracted.
fn catalogue_views(
    c: &Comparison,
    o: &common::Oracle,
    cat: &Catalogue,
) -> (&'static str, &'static str) {
    let in_cat = |n: &String| cat.names().binary_search(n).is_ok();
    let cat_count = |count: u64, sample: &[String]| {
        if count as usize <= sample.len() {
            sample.iter().filter(|n| in_cat(n)).count() > 0
        } else {
            true
        }
    };
    (
        verdict_of(!c.gained.actions.is_empty(), !c.lost.actions.is_empty()),
        verdict_of(
            cat_count(o.added_count, &o.added_sample),
            cat_count(o.removed_count, &o.removed_sample),
        ),
    )
}

#[test]
fn corpus_pairs_are_decided_and_agree_with_the_oracle() {
    let Some(pairs) = common::pairs() else { return };
    let all = std::env::var("IAMLOGIC_ALL_PAIRS").as_deref() == Ok("1");
    let opts = Options::default();
    let cat = Catalogue::aws();
    let mut failures = Vec::new();
    let mut oracle_checked = 0;
    let mut explained = Vec::new();
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
            let got = full_view(&c);
            if got != o.verdict {
                // The oracle expands wildcards over the catalogue only, so a name outside it
                // is matched only by the same literal name; iamlogic applies every pattern
                // to it (`sso:Describe*` covers a removed `sso:DescribePermissionsPolicies`).
                // Such a difference is explained when the catalogue-only verdicts agree.
                let (ours, theirs) = catalogue_views(&c, o, cat);
                if ours == theirs {
                    explained.push(format!(
                        "{}: oracle {}, iamlogic {got}; names outside the catalogue: gained {:?} lost {:?}",
                        p.name, o.verdict, c.gained.unknown_actions, c.lost.unknown_actions
                    ));
                } else {
                    failures.push(format!(
                        "{}: oracle says {} ({theirs} over the catalogue), iamlogic {got} ({ours}) (gained {:?} lost {:?})",
                        p.name,
                        o.verdict,
                        c.gained.actions.iter().take(5).collect::<Vec<_>>(),
                        c.lost.actions.iter().take(5).collect::<Vec<_>>()
                    ));
                }
            }
        }
    }
    eprintln!("checked {equal_checked} equal pairs and {oracle_checked} oracle pairs");
    eprintln!(
        "{} oracle differences explained by names outside the catalogue:\n{}",
        explained.len(),
        explained.join("\n")
    );
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
