//! JSON → [`Policy`]: strict parsing of the IAM policy grammar, collecting every error.

use crate::error::PolicyErrors;
use crate::policy::Policy;

/// Parse a policy document from JSON text.
pub fn parse_policy(text: &str) -> Result<Policy, PolicyErrors> {
    let _ = text;
    todo!("parse_policy: being written")
}

/// Parse a policy document from an already-decoded JSON value (GAAD embeds documents as
/// objects, or as URL-encoded/JSON strings that the caller decodes first).
pub fn parse_policy_value(value: &serde_json::Value) -> Result<Policy, PolicyErrors> {
    let _ = value;
    todo!("parse_policy_value: being written")
}
