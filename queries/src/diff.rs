//! `diff`: prove two policies equivalent, or show requests one allows and the other does not.

use std::path::{Path, PathBuf};

use facts::Policy;
use solver::{Catalogue, Stack};

pub use facts::request::RequestPrincipal;
pub use solver::{resource_checks, Comparison, Counterexample, Direction, Options, Verdict};
use thiserror::Error;

/// Why a proof could not run.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ProofError {
    /// A policy file could not be read (worded like every command's file errors:
    /// `FILE: no such file or directory`).
    #[error("{}", facts::account::io_error(path, source))]
    Read {
        /// The file.
        path: PathBuf,
        /// The IO error.
        source: std::io::Error,
    },
    /// A policy file could not be read as text: missing, unreadable, or not UTF-8 (worded
    /// like every command's file errors).
    #[error(transparent)]
    Input(#[from] facts::account::IngestError),
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
    let text = facts::account::read_text(path)?;
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
    let old = Stack::single(old);
    let new = Stack::single(new);
    let mut c = solver::compare(&old, &new, Catalogue::aws(), opts)?;
    star_resource(&mut c.gained, &|r| new.allows(r) && !old.allows(r));
    star_resource(&mut c.lost, &|r| old.allows(r) && !new.allows(r));
    c.verdict = confirmed_verdict(&mut c);
    Ok(c)
}

const UNCONFIRMED: &str = "the only requests found were not confirmed by the evaluator (the \
                           encoding approximates here): no verdict rests on them";

/// What a direction shows for sure: `Some(true)` a confirmed request, `Some(false)` none at
/// all after a complete search, `None` nothing certain (the search gave up, or found only
/// requests the evaluator did not confirm; the reason is then recorded).
pub(crate) fn evidence(d: &mut Direction) -> Option<bool> {
    if d.examples.iter().any(|e| e.confirmed) {
        return Some(true);
    }
    if d.examples.is_empty() {
        return d.complete.then_some(false);
    }
    if d.unknown.is_none() {
        d.unknown = Some(UNCONFIRMED.to_string());
    }
    None
}

/// The verdict the confirmed evidence supports: never one resting on an unconfirmed request.
fn confirmed_verdict(c: &mut Comparison) -> Verdict {
    if c.verdict == Verdict::Unknown {
        return Verdict::Unknown;
    }
    match (evidence(&mut c.gained), evidence(&mut c.lost)) {
        (Some(false), Some(false)) => Verdict::Equivalent,
        (Some(true), Some(false)) => Verdict::MorePermissive,
        (Some(false), Some(true)) => Verdict::LessPermissive,
        (Some(true), Some(true)) => Verdict::Incomparable,
        _ => Verdict::Unknown,
    }
}

/// The search picks the shortest resource a pattern matches, `""` for `*`: show `*`
/// instead, a resource a user can give to `simulate`, when the replay agrees.
pub(crate) fn star_resource(d: &mut Direction, holds: &dyn Fn(&facts::Request) -> bool) {
    for e in &mut d.examples {
        if e.request.resource.is_empty() {
            let mut r = e.request.clone();
            r.resource = "*".to_string();
            if holds(&r) {
                e.request = r;
            }
        }
    }
}
