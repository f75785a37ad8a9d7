//! `synth`: deterministic synthetic AWS organizations for tests and benchmarks.
//!
//! [`generate`] writes, for a [`Spec`], exactly the input layout that `iamlogic -i DIR`
//! reads (`docs/inputs.md`):
//!
//! ```text
//! DIR/organization.json          OU tree, accounts, SCPs and RCPs with their targets
//! DIR/accounts/<id>/gaad.json    one get-account-authorization-details output per account
//! DIR/resources.json             buckets, KMS keys and queues with their policies
//! DIR/requests.jsonl             requests as `simulate --requests` reads them
//! DIR/README.md                  how the directory was made (the loader skips it)
//! ```
//!
//! The same [`Spec`] always gives byte-identical files: every choice comes from a seeded
//! [`rng::Rng`], every collection is written in a fixed order, and JSON objects keep their
//! insertion order.

#![warn(missing_docs)]

pub mod gaad;
pub mod layout;
pub mod organization;
pub mod requests;
pub mod resources;
pub mod rng;

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    /// Number of accounts, the management account included (at least 1).
    pub accounts: usize,
    /// Roles per account (the first three are `OrgAdmin`, a service-linked role and
    /// `ci-runner`; then app, deploy, read-only and partner roles in turn).
    pub roles_per_account: usize,
    /// IAM users per account (every fifth is a contractor with a permissions boundary).
    pub users_per_account: usize,
    /// IAM groups per account (`Admins`, `Developers`, `ReadOnly`, `Ops`, then team groups).
    pub groups_per_account: usize,
    /// S3 buckets per account (every tenth has a public prefix).
    pub buckets_per_account: usize,
    /// KMS keys per account.
    pub keys_per_account: usize,
    /// SQS queues per account.
    pub queues_per_account: usize,
    /// Requests in `requests.jsonl`.
    pub requests: usize,
    /// The seed of every random choice.
    pub seed: u64,
}

impl Default for Spec {
    fn default() -> Spec {
        Spec {
            accounts: 10,
            roles_per_account: 50,
            users_per_account: 50,
            groups_per_account: 4,
            buckets_per_account: 20,
            keys_per_account: 5,
            queues_per_account: 5,
            requests: 100_000,
            seed: 1,
        }
    }
}

impl Spec {
    /// How many progress steps [`generate`] reports: one per account, one for the
    /// organization and resources, one per thousand requests.
    pub fn steps(&self) -> u64 {
        (self.accounts + 1 + self.requests.div_ceil(REQUESTS_PER_STEP)) as u64
    }
}

const REQUESTS_PER_STEP: usize = 1000;

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum GenError {
    /// The specification cannot describe an organization.
    #[error("{0}")]
    Invalid(String),
    /// The output directory already holds files (they would mix with the generated ones).
    #[error("{}: the output directory is not empty; give a new or empty directory", .0.display())]
    NotEmpty(PathBuf),
    /// A file could not be written.
    #[error("{}: {message}", file.display())]
    Io {
        /// The file or directory.
        file: PathBuf,
        /// The system's message.
        message: String,
    },
}

/// What [`generate`] wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Accounts.
    pub accounts: usize,
    /// IAM users.
    pub users: usize,
    /// IAM groups.
    pub groups: usize,
    /// IAM roles.
    pub roles: usize,
    /// Resources in `resources.json`.
    pub resources: usize,
    /// Requests in `requests.jsonl`.
    pub requests: usize,
    /// Bytes written, every file together.
    pub bytes: u64,
    /// The requests file.
    pub requests_file: PathBuf,
}

fn io_err(file: &Path, e: std::io::Error) -> GenError {
    GenError::Io {
        file: file.to_path_buf(),
        message: e.to_string(),
    }
}

/// Write `value` as pretty JSON (as the AWS CLI prints) to `file`; returns the bytes written.
fn write_json(file: &Path, value: &Value) -> Result<u64, GenError> {
    let mut text = serde_json::to_vec_pretty(value).map_err(|e| GenError::Io {
        file: file.to_path_buf(),
        message: e.to_string(),
    })?;
    text.push(b'\n');
    std::fs::write(file, &text).map_err(|e| io_err(file, e))?;
    Ok(text.len() as u64)
}

/// Write the organization of `spec` under `out` (created when missing; it must be empty).
/// `step` is called once per step of [`Spec::steps`].
pub fn generate(spec: &Spec, out: &Path, step: &mut dyn FnMut()) -> Result<Summary, GenError> {
    if spec.accounts == 0 {
        return Err(GenError::Invalid(
            "an organization needs at least one account (--accounts 1 or more)".into(),
        ));
    }
    if spec.accounts > 899_999 {
        return Err(GenError::Invalid(
            "at most 899,999 accounts fit the generated 12-digit ids".into(),
        ));
    }
    if out.exists() {
        let mut entries = std::fs::read_dir(out).map_err(|e| io_err(out, e))?;
        if entries.next().is_some() {
            return Err(GenError::NotEmpty(out.to_path_buf()));
        }
    }
    std::fs::create_dir_all(out).map_err(|e| io_err(out, e))?;
    let layout = layout::Layout::new(spec);
    let rng = rng::Rng::new(spec.seed);
    let mut summary = Summary {
        accounts: spec.accounts,
        ..Summary::default()
    };
    let mut all_resources = Vec::new();
    for a in &layout.accounts {
        let dir = out.join("accounts").join(&a.id);
        std::fs::create_dir_all(&dir).map_err(|e| io_err(&dir, e))?;
        let mut r = rng.fork(a.index as u64);
        let doc = gaad::gaad(&layout, a, &mut r);
        summary.bytes += write_json(&dir.join("gaad.json"), &doc)?;
        summary.users += a.users.len();
        summary.groups += a.groups.len();
        summary.roles += a.roles.len();
        all_resources.extend(resources::resources(&layout, a));
        step();
    }
    summary.resources = all_resources.len();
    summary.bytes += write_json(&out.join("resources.json"), &Value::Array(all_resources))?;
    summary.bytes += write_json(
        &out.join("organization.json"),
        &organization::organization(&layout),
    )?;
    step();

    let file = out.join("requests.jsonl");
    let f = std::fs::File::create(&file).map_err(|e| io_err(&file, e))?;
    let mut w = std::io::BufWriter::new(f);
    let request_rng = rng.fork(u64::MAX);
    for n in 0..spec.requests {
        let line = requests::request(&layout, &request_rng, n);
        let mut text = serde_json::to_vec(&line).map_err(|e| GenError::Io {
            file: file.clone(),
            message: e.to_string(),
        })?;
        text.push(b'\n');
        w.write_all(&text).map_err(|e| io_err(&file, e))?;
        summary.bytes += text.len() as u64;
        if (n + 1) % REQUESTS_PER_STEP == 0 || n + 1 == spec.requests {
            step();
        }
    }
    w.flush().map_err(|e| io_err(&file, e))?;
    summary.requests = spec.requests;
    summary.requests_file = file;

    let readme = format!(
        "# A synthetic AWS organization\n\nGenerated by `iamlogic gen {}`: {} accounts, {} users, \
         {} groups, {} roles, {} resources, {} requests. The same arguments always give the \
         same files.\n\n```sh\niamlogic simulate -i DIR --requests DIR/requests.jsonl\n```\n",
        args_text(spec),
        summary.accounts,
        summary.users,
        summary.groups,
        summary.roles,
        summary.resources,
        summary.requests
    );
    let readme_file = out.join("README.md");
    std::fs::write(&readme_file, readme.as_bytes()).map_err(|e| io_err(&readme_file, e))?;
    summary.bytes += readme.len() as u64;
    Ok(summary)
}

/// The `iamlogic gen` arguments that reproduce `spec` (without `--out`).
pub fn args_text(s: &Spec) -> String {
    format!(
        "--accounts {} --roles-per-account {} --users-per-account {} --groups-per-account {} \
         --buckets-per-account {} --keys-per-account {} --queues-per-account {} --requests {} \
         --seed {}",
        s.accounts,
        s.roles_per_account,
        s.users_per_account,
        s.groups_per_account,
        s.buckets_per_account,
        s.keys_per_account,
        s.queues_per_account,
        s.requests,
        s.seed
    )
}
