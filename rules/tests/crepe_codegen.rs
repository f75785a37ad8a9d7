//! The code the vendored crepe generates (`vendor/crepe/CHANGES-iamlogic.md`): lookups that
//! bind every field answered by the relation's set, delta indices built only when a rule
//! reads them, non-recursive strata taking their tuples without hashing them again, and
//! the chained indices of non-recursive strata (one store per index, no vector per key). Each
//! program here derives what a plain Rust computation of the same definition gives, on a
//! graph with cycles, for every shape of clause those changes touch.

use std::collections::{BTreeSet, HashSet};

use crepe::crepe;

crepe! {
    @input
    struct Edge(u32, u32);
    @input
    struct Blocked(u32);
    @input
    struct Marked(u32, u32);

    // Recursive on the left: the delta of `Left` is read without an index.
    @output
    struct Left(u32, u32);
    Left(a, b) <- Edge(a, b);
    Left(a, c) <- Left(a, b), Edge(b, c);

    // Recursive on the right: the delta of `Right` is read through an index on its first
    // field (the index of the latest tuples).
    @output
    struct Right(u32, u32);
    Right(a, b) <- Edge(a, b);
    Right(a, c) <- Edge(a, b), Right(b, c);

    // A negation that binds every field, and one that binds one of two.
    @output
    struct Open(u32, u32);
    Open(a, b) <- Left(a, b), !Blocked(b), !Marked(a, b);
    @output
    struct Unmarked(u32);
    Unmarked(a) <- Edge(a, _), !Marked(a, _);

    // A positive lookup that binds every field (in a non-recursive stratum), and one in a
    // recursive stratum whose latest tuples it reads.
    @output
    struct Both(u32, u32);
    Both(a, b) <- Left(a, b), Right(a, b), Marked(a, b);
    @output
    struct Back(u32, u32);
    Back(a, b) <- Edge(a, b), Edge(b, a);
    Back(a, c) <- Back(a, b), Back(b, c), Edge(a, c);

    // A lookup binding one of two fields of a derived relation of a non-recursive stratum
    // (a chained index, several tuples per key).
    @output
    struct Via(u32, u32, u32);
    Via(a, b, c) <- Open(a, b), Open(b, c);
}

/// A deterministic graph of `n` nodes with cycles (a linear congruential sequence).
fn graph(n: u32, edges: usize) -> Vec<(u32, u32)> {
    let mut x: u64 = 12345;
    let mut next = || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((x >> 33) % u64::from(n)) as u32
    };
    (0..edges).map(|_| (next(), next())).collect()
}

/// The transitive closure of `edges`, by search from every node.
fn closure(edges: &[(u32, u32)]) -> BTreeSet<(u32, u32)> {
    let nodes: BTreeSet<u32> = edges.iter().flat_map(|&(a, b)| [a, b]).collect();
    let mut out = BTreeSet::new();
    for &start in &nodes {
        let mut seen = HashSet::new();
        let mut stack = vec![start];
        while let Some(x) = stack.pop() {
            for &(a, b) in edges {
                if a == x && seen.insert(b) {
                    out.insert((start, b));
                    stack.push(b);
                }
            }
        }
    }
    out
}

/// The least set of pairs with every symmetric edge, closed under `Back(a,b), Back(b,c),
/// Edge(a,c)`, by iterating to a fixpoint.
fn back(edges: &[(u32, u32)]) -> BTreeSet<(u32, u32)> {
    let e: HashSet<(u32, u32)> = edges.iter().copied().collect();
    let mut out: BTreeSet<(u32, u32)> = e
        .iter()
        .copied()
        .filter(|&(a, b)| e.contains(&(b, a)))
        .collect();
    loop {
        let add: Vec<(u32, u32)> = out
            .iter()
            .flat_map(|&(a, b)| {
                out.iter()
                    .filter(move |&&(b2, _)| b2 == b)
                    .map(move |&(_, c)| (a, c))
            })
            .filter(|p| e.contains(p) && !out.contains(p))
            .collect();
        if add.is_empty() {
            return out;
        }
        out.extend(add);
    }
}

#[test]
fn generated_code_derives_what_the_definitions_say() {
    for (n, m) in [(6, 9), (30, 45), (60, 150)] {
        let edges = graph(n, m);
        let blocked: Vec<u32> = (0..n).filter(|x| x % 5 == 0).collect();
        let marked: Vec<(u32, u32)> = edges
            .iter()
            .copied()
            .filter(|&(a, b)| (a + b) % 3 == 0)
            .collect();
        let mut rt = Crepe::new();
        rt.extend(edges.iter().map(|&(a, b)| Edge(a, b)));
        rt.extend(blocked.iter().map(|&x| Blocked(x)));
        rt.extend(marked.iter().map(|&(a, b)| Marked(a, b)));
        let (left, right, open, unmarked, both, back_got, via) = rt.run();
        let pairs = |s: HashSet<(u32, u32)>| s.into_iter().collect::<BTreeSet<_>>();

        let reach = closure(&edges);
        assert!(!reach.is_empty());
        assert_eq!(
            pairs(left.into_iter().map(|Left(a, b)| (a, b)).collect()),
            reach
        );
        assert_eq!(
            pairs(right.into_iter().map(|Right(a, b)| (a, b)).collect()),
            reach
        );

        let marked_set: HashSet<(u32, u32)> = marked.iter().copied().collect();
        let want_open: BTreeSet<(u32, u32)> = reach
            .iter()
            .copied()
            .filter(|&(a, b)| !blocked.contains(&b) && !marked_set.contains(&(a, b)))
            .collect();
        let got_open = pairs(open.into_iter().map(|Open(a, b)| (a, b)).collect());
        assert_eq!(got_open, want_open);
        let want_via: BTreeSet<(u32, u32, u32)> = want_open
            .iter()
            .flat_map(|&(a, b)| {
                want_open
                    .iter()
                    .filter(move |&&(x, _)| x == b)
                    .map(move |&(_, c)| (a, b, c))
            })
            .collect();
        assert!(n < 30 || want_via.len() > want_open.len());
        let got_via: BTreeSet<(u32, u32, u32)> =
            via.into_iter().map(|Via(a, b, c)| (a, b, c)).collect();
        assert_eq!(got_via, want_via);

        let want_unmarked: BTreeSet<u32> = edges
            .iter()
            .map(|&(a, _)| a)
            .filter(|a| !marked.iter().any(|&(m, _)| m == *a))
            .collect();
        let got_unmarked: BTreeSet<u32> = unmarked.into_iter().map(|Unmarked(a)| a).collect();
        assert_eq!(got_unmarked, want_unmarked);

        let want_both: BTreeSet<(u32, u32)> = reach
            .iter()
            .copied()
            .filter(|p| marked_set.contains(p))
            .collect();
        assert_eq!(
            pairs(both.into_iter().map(|Both(a, b)| (a, b)).collect()),
            want_both
        );

        assert_eq!(
            pairs(back_got.into_iter().map(|Back(a, b)| (a, b)).collect()),
            back(&edges)
        );
    }
}
