//! Errors for policy documents: each names the file (when known), the JSON path of the
//! offending element (e.g. `$.Statement[2].Condition.StringEquals`) and what was expected.

use std::fmt;
use std::path::PathBuf;

/// A path into a JSON document, printed in the one notation of every message:
/// `$.Statement[2].Condition.StringEquals` (`$` alone for the whole document; a key that
/// holds `.`, brackets, quotes or blanks is written `["a key"]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JsonPath(pub Vec<PathSegment>);

/// One step of a [`JsonPath`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSegment {
    /// An object member.
    Key(String),
    /// An array index.
    Index(usize),
}

impl JsonPath {
    /// A path extended by one object member.
    pub fn key(&self, k: &str) -> JsonPath {
        let mut v = self.0.clone();
        v.push(PathSegment::Key(k.to_string()));
        JsonPath(v)
    }
    /// A path extended by one array index.
    pub fn index(&self, i: usize) -> JsonPath {
        let mut v = self.0.clone();
        v.push(PathSegment::Index(i));
        JsonPath(v)
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("$")?;
        for seg in &self.0 {
            match seg {
                PathSegment::Key(k) => f.write_str(&key_segment(k))?,
                PathSegment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// One key of a [`JsonPath`] as printed: `.key`, or `["key"]` when the key holds a
/// character that would make `.key` ambiguous (`.`, brackets, quotes, blanks) or is empty.
pub fn key_segment(key: &str) -> String {
    let plain = !key.is_empty()
        && !key
            .chars()
            .any(|c| matches!(c, '.' | '[' | ']' | '"' | '\\') || c.is_whitespace());
    if plain {
        format!(".{key}")
    } else {
        format!("[{}]", serde_json::Value::String(key.to_string()))
    }
}

/// What is wrong with a policy element.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyErrorKind {
    /// The text is not JSON.
    #[error("malformed JSON at line {line}, column {column}: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// serde_json's description.
        message: String,
    },
    /// An element AWS does not define at this place.
    #[error("unknown element `{0}`")]
    UnknownElement(String),
    /// A required element is missing.
    #[error("missing required element `{0}`")]
    MissingElement(String),
    /// Two mutually exclusive elements (`Action` and `NotAction`, ...).
    #[error("`{0}` and `{1}` cannot both appear in one statement")]
    Conflicting(String, String),
    /// A value of the wrong JSON type.
    #[error("expected {expected}, found {found}")]
    WrongType {
        /// What the grammar expects here.
        expected: String,
        /// What the document holds.
        found: String,
    },
    /// An unknown condition operator.
    #[error("unknown condition operator `{0}`")]
    UnknownOperator(String),
    /// A value that does not fit the element (bad Effect, bad Version, bad action name...).
    #[error("invalid value `{value}`: {reason}")]
    InvalidValue {
        /// The offending value.
        value: String,
        /// Why it is invalid.
        reason: String,
    },
    /// An object key given twice (JSON gives a repeated key no meaning; keeping only one
    /// would silently drop what the user wrote).
    #[error("`{0}` is given more than once")]
    DuplicateKey(String),
    /// An ARN that does not have AWS's six colon-separated parts.
    #[error("invalid ARN `{value}`: {reason}")]
    InvalidArn {
        /// The offending ARN.
        value: String,
        /// Why it is invalid.
        reason: String,
    },
}

/// One error in a policy document, with its location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    /// The file the document came from, when known.
    pub file: Option<PathBuf>,
    /// Where in the document.
    pub path: JsonPath,
    /// What is wrong.
    pub kind: PolicyErrorKind,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{}: ", file.display())?;
        }
        // Malformed JSON has a line and column, not a path: the location is given once.
        if matches!(self.kind, PolicyErrorKind::Json { .. }) {
            return write!(f, "{}", self.kind);
        }
        write!(f, "{}: {}", self.path, self.kind)
    }
}

impl std::error::Error for PolicyError {}

/// Every error found in one document (never empty): the parser collects them all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyErrors(pub Vec<PolicyError>);

impl PolicyErrors {
    /// Attach the file name to every error.
    pub fn with_file(mut self, file: impl Into<PathBuf>) -> PolicyErrors {
        let file = file.into();
        for e in &mut self.0 {
            e.file = Some(file.clone());
        }
        self
    }
}

impl fmt::Display for PolicyErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PolicyErrors {}
