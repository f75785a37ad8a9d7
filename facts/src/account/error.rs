//! [`IngestError`]: why account data could not be loaded. Every variant names the file and,
//! where it applies, the JSON path (or CSV line) of the offending element.

use std::path::PathBuf;

use crate::error::{JsonPath, PolicyErrors};

/// A fatal problem with an input file. Non-fatal problems are
/// [`super::model::Warning`]s instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IngestError {
    /// The path does not exist.
    #[error("{}: no such file or directory", file.display())]
    NotFound {
        /// The missing path.
        file: PathBuf,
    },
    /// The file or directory could not be read.
    #[error("{}: cannot read: {message}", file.display())]
    Io {
        /// The path.
        file: PathBuf,
        /// The operating system's description.
        message: String,
    },
    /// The file is not UTF-8 text.
    #[error("{}: not UTF-8 text (invalid byte at offset {offset})", file.display())]
    NotUtf8 {
        /// The file.
        file: PathBuf,
        /// The byte offset of the first invalid byte.
        offset: usize,
    },
    /// The file is not JSON.
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
    /// The content matches none of the formats in `docs/inputs.md`.
    #[error("{}: unknown input format: {reason}", file.display())]
    UnknownFormat {
        /// The file.
        file: PathBuf,
        /// What was found instead.
        reason: String,
    },
    /// An element has the wrong JSON type or a required element is missing.
    #[error("{}: {path}: {reason}", file.display())]
    Invalid {
        /// The file.
        file: PathBuf,
        /// Where in the file.
        path: JsonPath,
        /// What was expected.
        reason: String,
    },
    /// An ARN (or account id) that AWS would not accept.
    #[error("{}: {path}: invalid ARN `{value}`: {reason}", file.display())]
    InvalidArn {
        /// The file.
        file: PathBuf,
        /// Where in the file.
        path: JsonPath,
        /// The offending value.
        value: String,
        /// Why it is invalid.
        reason: String,
    },
    /// A policy document inside the file does not parse. The document sits at `path`; each
    /// of `errors` names the file and its full path in the file.
    #[error("{errors}")]
    Policy {
        /// The file.
        file: PathBuf,
        /// Where the document sits in the file.
        path: JsonPath,
        /// The parser's errors, with the file and full paths.
        errors: PolicyErrors,
    },
    /// A resource-policy output whose resource cannot be named: it carries no ARN and the
    /// file name does not follow a documented convention.
    #[error("{}: cannot tell which resource this policy belongs to: {reason}", file.display())]
    UnnamedResource {
        /// The file.
        file: PathBuf,
        /// What is missing.
        reason: String,
    },
    /// A credential report CSV that cannot be read.
    #[error("{}: line {line}: malformed credential report: {message}", file.display())]
    Csv {
        /// The file.
        file: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
}
