//! One module per subcommand: each holds its clap `Args` and a `run` function.

pub mod check;
pub mod collect;
pub mod diff;
pub mod escalation;
pub mod facts;
pub mod gen;
pub mod paths;
pub mod simulate;
pub mod validate;
pub mod version;
pub mod what_can;
pub mod who_can;
