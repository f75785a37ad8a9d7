//! Errors that stop a collection (anything narrower is a [`crate::Failure`] in the summary).

use std::path::PathBuf;

/// A reason the collection could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    /// No usable credentials, or `sts:GetCallerIdentity` failed.
    #[error("cannot identify the caller (sts:GetCallerIdentity): {0}")]
    Identity(String),
    /// The organization could not be described.
    #[error("cannot read the organization ({operation}): {message}")]
    Organization {
        /// The API call that failed.
        operation: &'static str,
        /// AWS's error code and message.
        message: String,
    },
    /// An argument combination that cannot work.
    #[error("{0}")]
    Usage(String),
    /// A file could not be written or read back.
    #[error("{}: {message}", file.display())]
    Io {
        /// The file.
        file: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The async runtime could not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(String),
}
