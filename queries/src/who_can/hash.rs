//! Maps and sets keyed by entity symbols or indices, hashed with `facts`' multiply-rotate
//! hasher ([`facts::hash::FxHasher`]) instead of SipHash: who-can's per-principal maps are
//! looked up hundreds of thousands of times per query, with keys the tables themselves
//! make. No answer depends on the order of a map (the standard hasher's order is random
//! already).

use std::collections::{HashMap, HashSet};

/// A map keyed by symbols or indices.
pub type SymMap<K, V> = HashMap<K, V, facts::hash::FxBuild>;

/// A set of symbols or indices.
pub type SymSet<K> = HashSet<K, facts::hash::FxBuild>;
