//! `queries`: what users ask of iamlogic (validate, simulate, who-can, diff, audit).

pub use solver::z3_version;

pub mod aws_input;
pub mod check;
pub mod diff;
pub mod escalation;
pub mod scenario;
pub mod simulate;
pub mod validate;
