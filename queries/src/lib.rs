//! `queries`: what users ask of iamlogic (validate, simulate, who-can, diff, audit).

pub use solver::z3_version;
