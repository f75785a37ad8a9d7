//! [`SimulateError`]: why a simulation could not run. Every variant names the file and
//! where in it (request line or index and JSON path).

use std::path::PathBuf;

use facts::account::IngestError;
use facts::PolicyErrors;

/// A fatal problem with simulation input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SimulateError {
    /// The file could not be read (reading a user's file gives an [`IngestError`], worded
    /// like every other command's; this is for other failures).
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
    /// An element is missing or has the wrong type or value. A flag's error is worded like
    /// every command's flag errors: `--action: ...` (its `file` is `<command line>`).
    #[error("{}{path}: {reason}", file_prefix(file))]
    Invalid {
        /// The file (`<command line>` for flags), or `FILE:LINE` for one line of a JSON
        /// Lines file.
        file: PathBuf,
        /// Where: a JSON path (`$.identityPolicies[0]`), or a flag (`--principal`).
        path: String,
        /// What was expected.
        reason: String,
    },
    /// A policy document inside the input does not parse: one line per error, each with
    /// its full path (`FILE: $.resourcePolicy.Statement[0].Effect: ...`).
    #[error("{}", policy_errors_text(file, path, errors))]
    Policy {
        /// The file, or `FILE:LINE` for one line of a JSON Lines file.
        file: PathBuf,
        /// Where the document sits (`$.resourcePolicy`).
        path: String,
        /// The parser's errors, relative to the document.
        errors: PolicyErrors,
    },
    /// The account data could not be loaded.
    #[error(transparent)]
    Ingest(#[from] IngestError),
}

/// Each error of a policy document that sits at `path` in `file`, with its full path.
fn policy_errors_text(file: &std::path::Path, path: &str, errors: &PolicyErrors) -> String {
    errors
        .0
        .iter()
        .map(|e| {
            let inner = e.path.to_string();
            format!(
                "{}: {path}{}: {}",
                file.display(),
                inner.trim_start_matches('$'),
                e.kind
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `FILE: ` before a path, nothing before a flag (`file` is `<command line>`).
fn file_prefix(file: &std::path::Path) -> String {
    if file == std::path::Path::new("<command line>") {
        String::new()
    } else {
        format!("{}: ", file.display())
    }
}
