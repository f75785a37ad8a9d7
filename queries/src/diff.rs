//! `diff`: prove two policies equivalent, or show requests one allows and the other does not.

use std::path::{Path, PathBuf};

use facts::Policy;
use solver::{Catalogue, Stack};

pub use facts::request::RequestPrincipal;
pub use solver::{Comparison, Counterexample, Direction, Options, Verdict};
use thiserror::Error;

/// Why a proof could not run.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ProofError {
    /// A policy file could not be read.
    #[error("{}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The IO error.
        source: std::io::Error,
    },
    /// A policy file is not a valid policy (every error names the file and JSON path).
    #[error("{0}")]
    Parse(facts::PolicyErrors),
    /// The solver found a bug in itself or in the evaluator (a counterexample the concrete
    /// evaluator rejects), or another solver failure.
    #[error(transparent)]
    Solver(#[from] solver::SolverError),
    /// A bad argument.
    #[error("{0}")]
    Usage(String),
}

/// Read and parse one policy file.
pub fn load_policy(path: &Path) -> Result<Policy, ProofError> {
    let text = std::fs::read_to_string(path).map_err(|source| ProofError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    facts::parse::parse_policy(&text).map_err(|e| ProofError::Parse(e.with_file(path)))
}

/// Compare two policy files (each a stack of one policy) over the embedded catalogue.
pub fn diff_files(old: &Path, new: &Path, opts: &Options) -> Result<Comparison, ProofError> {
    let old = load_policy(old)?;
    let new = load_policy(new)?;
    diff_policies(old, new, opts)
}

/// Compare two parsed policies over the embedded catalogue.
pub fn diff_policies(old: Policy, new: Policy, opts: &Options) -> Result<Comparison, ProofError> {
    Ok(solver::compare(
        &Stack::single(old),
        &Stack::single(new),
        Catalogue::aws(),
        opts,
    )?)
}
