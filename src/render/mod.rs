//! Output formats the command line owns: renderers of the plain result structs of `queries`.

pub mod graph;
pub mod matched;
