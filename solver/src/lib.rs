//! `solver`: the Z3 encoding of policies and the proofs (equivalence, containment,
//! counterexamples).
//!
//! **Invariant:** this is the only crate that links Z3. It never re-implements AWS matching
//! semantics: relations between patterns are computed with `facts`' matchers, and every
//! model is decoded into a `facts::Request` that callers replay through `facts::eval`.

#![warn(missing_docs)]

mod actions;
mod automata;
mod encode;
mod error;
mod prove;
mod public;
mod real_resource;
mod search;
mod stack;
mod strings;
mod values;
mod vocab;
mod within_format;

pub use actions::Catalogue;
pub use error::SolverError;
pub use prove::{
    compare, find_allowed, AllowedRequests, Comparison, Counterexample, Direction, Options, Verdict,
};
pub use public::find_public;
pub use search::{resource_checks, ResourceChecks};
pub use stack::{Layer, Stack};

/// The version of the Z3 library this program runs with, e.g. `5.4.0.0`.
pub fn z3_version() -> String {
    z3::full_version().to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn links_z3_at_least_4_13_3() {
        let v = super::z3_version();
        let nums: Vec<u32> = v
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty())
            .take(3)
            .filter_map(|s| s.parse().ok())
            .collect();
        assert!(nums.len() == 3, "unparsable Z3 version {v}");
        assert!(
            (nums[0], nums[1], nums[2]) >= (4, 13, 3),
            "Z3 {v} is older than 4.13.3"
        );
    }
}
