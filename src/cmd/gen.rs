//! `iamlogic gen`: write a deterministic synthetic organization (the generator is the
//! `synth` crate; this module parses flags, shows progress and prints a summary).

use std::path::PathBuf;

use crate::exit::{CmdResult, Exit};
use crate::progress::Ui;

/// Arguments of `iamlogic gen`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Accounts, the management account included.
    #[arg(long, value_name = "N", default_value_t = 10)]
    accounts: usize,
    /// IAM roles per account.
    #[arg(long, value_name = "M", default_value_t = 50)]
    roles_per_account: usize,
    /// IAM users per account.
    #[arg(long, value_name = "N", default_value_t = 50)]
    users_per_account: usize,
    /// IAM groups per account.
    #[arg(long, value_name = "N", default_value_t = 4)]
    groups_per_account: usize,
    /// S3 buckets per account.
    #[arg(long, value_name = "N", default_value_t = 20)]
    buckets_per_account: usize,
    /// KMS keys per account.
    #[arg(long, value_name = "N", default_value_t = 5)]
    keys_per_account: usize,
    /// SQS queues per account.
    #[arg(long, value_name = "N", default_value_t = 5)]
    queues_per_account: usize,
    /// Requests written to `DIR/requests.jsonl`.
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    requests: usize,
    /// The seed of every random choice: the same arguments give byte-identical files.
    #[arg(long, value_name = "S", default_value_t = 1)]
    seed: u64,
    /// The directory to write into (created when missing; must be empty).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

/// Run `iamlogic gen`.
pub fn run(args: Args, ui: &Ui) -> CmdResult {
    let spec = synth::Spec {
        accounts: args.accounts,
        roles_per_account: args.roles_per_account,
        users_per_account: args.users_per_account,
        groups_per_account: args.groups_per_account,
        buckets_per_account: args.buckets_per_account,
        keys_per_account: args.keys_per_account,
        queues_per_account: args.queues_per_account,
        requests: args.requests,
        seed: args.seed,
    };
    let bar = ui.bar(spec.steps(), "generating");
    let summary = synth::generate(&spec, &args.out, &mut || bar.inc(1))?;
    bar.finish_and_clear();
    if !ui.quiet() {
        eprintln!(
            "wrote {}: {} accounts, {} users, {} groups, {} roles, {} resources, {} requests ({:.1} MB)",
            args.out.display(),
            summary.accounts,
            summary.users,
            summary.groups,
            summary.roles,
            summary.resources,
            summary.requests,
            summary.bytes as f64 / 1e6
        );
    }
    Ok(Exit::Ok)
}
