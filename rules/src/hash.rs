//! The fast non-cryptographic hasher of the Datalog indexes and of the maps of ids built on
//! them (relations hold small integer ids, so SipHash's DoS resistance buys nothing here).
//! It is `facts`' multiply-rotate hasher, re-exported under the name this crate's callers use,
//! so that one implementation serves the load, the rules and the queries.

pub use facts::hash::FxHasher;

/// Builds [`FxHasher`]s (`HashMap<K, V, FxBuildHasher>`, also for maps of ids outside this
/// crate).
pub type FxBuildHasher = facts::hash::FxBuild;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn different_ids_hash_differently() {
        let b = FxBuildHasher::default();
        let h = |v: (u32, u32)| b.hash_one(v);
        assert_ne!(h((1, 2)), h((2, 1)));
        assert_eq!(h((7, 9)), h((7, 9)));
    }
}
