//! Role chains: `CanAssume(from, to)` closed transitively.
//!
//! The direct edges are decisions of the decision program for `sts:AssumeRole` (the trust
//! policy is the role's resource policy; across accounts the caller's identity side must
//! allow too — IAM User Guide, "Cross-account policy evaluation logic"). A role that can
//! assume another acts through a session of the first, so chains compose ("Role chaining"
//! in "Methods to assume a role").

use crepe::crepe;
use facts::tables::Sym;

crepe! {
    @input
    /// `from` may assume role `to` directly (an allowed `sts:AssumeRole` decision).
    struct AssumeEdge(Sym, Sym);

    @output
    /// `from` may reach role `to` through a chain of assumptions.
    struct CanAssume(Sym, Sym);

    // Role chaining: if A can assume B and B can assume C, A can reach C.
    CanAssume(a, b) <- AssumeEdge(a, b);
    CanAssume(a, c) <- CanAssume(a, b), AssumeEdge(b, c);
}

/// The transitive closure of direct `sts:AssumeRole` edges `(from, to)`, sorted.
pub fn can_assume(edges: &[(Sym, Sym)]) -> Vec<(Sym, Sym)> {
    let mut rt = Crepe::new();
    rt.extend(edges.iter().map(|&(a, b)| AssumeEdge(a, b)));
    let (reach,) = rt.run();
    let mut out: Vec<(Sym, Sym)> = reach.into_iter().map(|CanAssume(a, b)| (a, b)).collect();
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::can_assume;

    #[test]
    fn chains_compose_and_cycles_terminate() {
        let got = can_assume(&[(1, 2), (2, 3), (3, 2)]);
        assert_eq!(got, vec![(1, 2), (1, 3), (2, 2), (2, 3), (3, 2), (3, 3)]);
    }
}
