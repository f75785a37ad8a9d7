//! [`SimulateError`]: why a simulation could not run. Every variant names the file and
//! where in it (request line or index and JSON path).

use std::path::PathBuf;

use facts::account::IngestError;
use facts::PolicyErrors;

/// A fatal problem with simulation input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SimulateError {
    /// The file could not be read.
    #[error("{}: cannot read: {message}", file.display())]
    Io {
        /// The file.
        file: PathBuf,
        /// The operating system's description.
        message: String,
    },
    /// The text is not JSON (or a line of a JSON Lines file is not).
    #[error("{}: malformed JSON at line {line}, column {column}: {message}", file.display())]
    Json {
        /// The file.
        file: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The JSON reader's description.
        message: String,
    },
    /// An element is missing or has the wrong type or value.
    #[error("{}: {path}: {reason}", file.display())]
    Invalid {
        /// The file (`<command line>` for flags).
        file: PathBuf,
        /// Where: `line 3: identityPolicies[0]`, `--principal`...
        path: String,
        /// What was expected.
        reason: String,
    },
    /// A policy document inside the input does not parse.
    #[error("{}: {path}: invalid policy document: {errors}", file.display())]
    Policy {
        /// The file.
        file: PathBuf,
        /// Where the document sits (`line 2: resourcePolicy`).
        path: String,
        /// The parser's errors, relative to the document.
        errors: PolicyErrors,
    },
    /// The account data could not be loaded.
    #[error(transparent)]
    Ingest(#[from] IngestError),
}
