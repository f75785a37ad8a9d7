//! Collects IAM and resource-policy data from live AWS accounts into the files iamlogic
//! reads (`docs/inputs.md`), with the AWS SDK for Rust and read-only calls only.
//!
//! [`collect`] loads credentials with `aws-config`'s standard chain (environment, profiles,
//! SSO, instance roles; `AWS_ENDPOINT_URL` honoured), optionally walks an AWS Organization
//! and assumes a role in each member account, and writes one folder per account under the
//! output directory ([`layout`]). Accounts, regions and resources are collected
//! concurrently; the SDK's standard retry (with backoff) absorbs throttling. Every call that
//! failed is a [`Failure`] in the returned [`Summary`]: nothing missing goes unreported.
//! `docs/collect.md` documents the command, the files and the IAM policy it needs.

mod account;
mod calls;
mod client;
mod error;
mod gaad;
mod iam_settings;
pub mod layout;
mod organization;
mod regional;
mod run;
mod s3;
mod summary;

pub use error::CollectError;
pub use run::collect;
pub use summary::{AccountSummary, Failure, FailureKind, Summary};

/// What to collect and where to write it.
#[derive(Debug, Clone)]
pub struct Options {
    /// The named profile of the shared AWS config files (`--profile`); else the default chain.
    pub profile: Option<String>,
    /// The regions to collect regional resources in; empty means every region enabled in
    /// each account (account:ListRegions).
    pub regions: Vec<String>,
    /// Collect the AWS Organization (from the management or a delegated administrator
    /// account), then every member account.
    pub organization: bool,
    /// The role assumed in each account other than the caller's own (`--role-name`).
    pub role_name: Option<String>,
    /// Only these accounts (12-digit ids); `None` means all.
    pub accounts: Option<Vec<String>>,
    /// The output directory.
    pub out: std::path::PathBuf,
    /// Skip every file that already exists in `out`.
    pub resume: bool,
    /// How many accounts are collected at once.
    pub account_concurrency: usize,
}

/// Progress events, for the command line's bars. Called from worker threads.
pub trait Progress: Send + Sync {
    /// An account's collection starts with `steps` steps.
    fn account_started(&self, account: &str, steps: u64);
    /// One step of an account finished (`step` names it).
    fn step_finished(&self, account: &str, step: &str);
    /// An account's collection ended; `failures` calls failed.
    fn account_finished(&self, account: &str, failures: usize);
}

/// A [`Progress`] that shows nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn account_started(&self, _: &str, _: u64) {}
    fn step_finished(&self, _: &str, _: &str) {}
    fn account_finished(&self, _: &str, _: usize) {}
}
