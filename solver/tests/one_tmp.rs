mod common;
use solver::{compare, Catalogue, Options, Stack};
#[test]
fn one() {
    let want = std::env::var("PAIR").unwrap();
    for p in common::pairs().unwrap() {
        if p.name != want {
            continue;
        }
        let old = Stack::single(common::load(&p.old));
        let new = Stack::single(common::load(&p.new));
        let t = std::time::Instant::now();
        let c = compare(&old, &new, Catalogue::aws(), &Options::default()).unwrap();
        eprintln!(
            "{:?} in {:?} classes {}",
            c.verdict,
            t.elapsed(),
            c.action_classes
        );
        eprintln!(
            "gained {:?} {:?} {:?} {}",
            c.gained.actions.len(),
            c.gained.unknown_actions,
            c.gained.unknown,
            c.gained.complete
        );
        eprintln!(
            "lost {:?} {:?} {:?} {}",
            c.lost.actions.len(),
            c.lost.unknown_actions,
            c.lost.unknown,
            c.lost.complete
        );
        for e in c.gained.examples.iter().chain(&c.lost.examples) {
            eprintln!("  {}", serde_json::to_string(&e.request).unwrap());
        }
        eprintln!("{:?}", c.approximations);
    }
}
