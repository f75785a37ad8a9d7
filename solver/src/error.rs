//! The solver's error type.

use thiserror::Error;

/// What can go wrong while proving: never an `unknown` in disguise.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SolverError {
    /// A counterexample found by Z3 was replayed through `facts::eval` and the concrete
    /// evaluator disagreed: a bug in the encoding or in the evaluator, never hidden.
    #[error(
        "encoding bug: the concrete evaluator disagrees with Z3 on request {request}: {detail}"
    )]
    ReplayMismatch {
        /// The request, as JSON.
        request: String,
        /// What was expected and what the evaluator said.
        detail: String,
    },
    /// A bad argument (the message says which and why).
    #[error("{0}")]
    Usage(String),
}
