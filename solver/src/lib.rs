//! `solver`: the Z3 encoding of policies and the proofs (equivalence, containment,
//! counterexamples).
