//! What a collection did: files written per account, and every call that failed.

use std::collections::BTreeMap;

/// Why a call failed, as far as AWS's error code tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FailureKind {
    /// AccessDenied and its service variants: the collector's role lacks a permission.
    AccessDenied,
    /// A region not enabled for the account (opt-in region): AWS rejects the credentials.
    OptInRegion,
    /// Still throttled after the SDK's retries with backoff.
    Throttled,
    /// The server does not implement the operation (an emulator such as moto).
    NotImplemented,
    /// The role could not be assumed in a member account.
    AssumeRole,
    /// No answer: connection, DNS or timeout.
    Network,
    /// Any other error code.
    Other,
}

impl FailureKind {
    /// A short name for the summary.
    pub fn name(self) -> &'static str {
        match self {
            FailureKind::AccessDenied => "access denied",
            FailureKind::OptInRegion => "region not enabled",
            FailureKind::Throttled => "throttled past retries",
            FailureKind::NotImplemented => "not implemented by the server",
            FailureKind::AssumeRole => "cannot assume role",
            FailureKind::Network => "no answer",
            FailureKind::Other => "error",
        }
    }
}

/// One failed call: what is missing from the output.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Failure {
    /// The account it was for.
    pub account: String,
    /// The region, for regional calls.
    pub region: Option<String>,
    /// The resource (an ARN or name), or the listing, that is missing.
    pub resource: String,
    /// The API call, as `service:Operation`.
    pub operation: String,
    /// Why.
    pub kind: FailureKind,
    /// AWS's error code and message.
    pub message: String,
}

/// What was collected for one account.
#[derive(Debug, Clone, Default)]
pub struct AccountSummary {
    /// The 12-digit account id.
    pub account: String,
    /// The regions collected.
    pub regions: Vec<String>,
    /// Files written.
    pub written: usize,
    /// Files left as they were (`--resume`).
    pub skipped: usize,
    /// Items collected, by kind (`users`, `roles`, `buckets`, `kms keys`, ...).
    pub counts: BTreeMap<&'static str, usize>,
}

/// The result of [`crate::collect`].
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// The organization's id, when `--organization` was given.
    pub organization: Option<String>,
    /// Notes about the organization (policy types not enabled, suspended accounts).
    pub notes: Vec<String>,
    /// One entry per account, by account id.
    pub accounts: Vec<AccountSummary>,
    /// Every call that failed, sorted by account, region and resource.
    pub failures: Vec<Failure>,
}
