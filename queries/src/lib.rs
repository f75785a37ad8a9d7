//! `queries`: what users ask of iamlogic (validate, simulate, who-can, diff, audit).

pub use solver::z3_version;

pub mod actions;
pub mod assume_hop;
pub mod aws_input;
pub mod check;
pub mod diff;
pub mod escalation;
pub mod graph;
pub mod paths;
pub mod scenario;
pub mod simulate;
pub mod trust_index;
pub mod validate;
pub mod what_can;
pub mod who_can;
