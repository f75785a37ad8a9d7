//! `iamlogic collect --out DIR`: collect live AWS accounts into the files `-i DIR` reads.
//! This module only parses arguments, draws a progress bar per account and prints the
//! summary; the collection itself is the `collect` crate.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::exit::{CmdResult, Exit};
use crate::progress::Ui;

/// Arguments of `iamlogic collect`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The named profile of the shared AWS config and credentials files.
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
    /// A region to collect regional resources in (repeatable, or comma-separated); default:
    /// every region enabled in each account.
    #[arg(long = "region", value_name = "REGION", value_delimiter = ',')]
    regions: Vec<String>,
    /// Collect the AWS Organization (from its management or a delegated administrator
    /// account), then each member account through --role-name.
    #[arg(long)]
    organization: bool,
    /// The IAM role to assume in each account other than the caller's own.
    #[arg(long, value_name = "NAME")]
    role_name: Option<String>,
    /// Only these accounts (12-digit ids, comma-separated).
    #[arg(long, value_name = "ID,...", value_delimiter = ',')]
    accounts: Option<Vec<String>>,
    /// The directory to write into, one folder per account (created if missing).
    #[arg(long, short = 'o', value_name = "DIR")]
    out: PathBuf,
    /// Skip every file already in DIR (a collection that was interrupted or had failures).
    #[arg(long)]
    resume: bool,
    /// How many accounts are collected at once.
    #[arg(long, value_name = "N", default_value_t = 4)]
    concurrency: usize,
}

/// Run `iamlogic collect`. Exit code 0 when every call succeeded, 1 when some failed (the
/// summary lists them), 2 when nothing could be collected.
pub fn run(args: Args, ui: &Ui) -> CmdResult {
    if let Some(ids) = &args.accounts {
        if let Some(bad) = ids
            .iter()
            .find(|id| id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(format!("--accounts: `{bad}` is not a 12-digit account id").into());
        }
    }
    let opts = collect::Options {
        profile: args.profile,
        regions: args.regions,
        organization: args.organization,
        role_name: args.role_name,
        accounts: args.accounts,
        out: args.out.clone(),
        resume: args.resume,
        account_concurrency: args.concurrency,
    };
    let bars = Arc::new(Bars::new(ui));
    let summary = collect::collect(&opts, bars.clone())?;
    bars.clear();
    print!("{}", render(&summary, &args.out));
    Ok(if summary.failures.is_empty() {
        Exit::Ok
    } else {
        Exit::Negative
    })
}

/// The summary as text: per account what was collected, then every failed call.
fn render(s: &collect::Summary, out: &std::path::Path) -> String {
    let mut text = String::new();
    if let Some(org) = &s.organization {
        text.push_str(&format!(
            "organization {org}: {} accounts collected\n",
            s.accounts.len()
        ));
    }
    for n in &s.notes {
        text.push_str(&format!("note: {n}\n"));
    }
    for a in &s.accounts {
        let counts: Vec<String> = a.counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
        text.push_str(&format!(
            "account {} ({} regions): {} files written, {} kept (--resume){}{}\n",
            a.account,
            a.regions.len(),
            a.written,
            a.skipped,
            if counts.is_empty() { "" } else { "; " },
            counts.join(", ")
        ));
    }
    if s.failures.is_empty() {
        text.push_str("no call failed\n");
    } else {
        text.push_str(&format!(
            "{} calls failed (their data is missing from {}):\n",
            s.failures.len(),
            out.display()
        ));
        for f in &s.failures {
            text.push_str(&format!(
                "  {} {} {} {}: {}: {}\n",
                f.account,
                f.region.as_deref().unwrap_or("global"),
                f.operation,
                f.resource,
                f.kind.name(),
                f.message
            ));
        }
    }
    text
}

/// A progress bar per account, on a terminal only.
struct Bars {
    multi: Option<MultiProgress>,
    bars: Mutex<HashMap<String, ProgressBar>>,
}

impl Bars {
    fn new(ui: &Ui) -> Bars {
        Bars {
            multi: ui
                .shows_progress()
                .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr())),
            bars: Mutex::default(),
        }
    }

    fn clear(&self) {
        if let Some(m) = &self.multi {
            let _ = m.clear();
        }
    }

    fn with(&self, account: &str, f: impl FnOnce(&ProgressBar)) {
        if let Ok(bars) = self.bars.lock() {
            if let Some(pb) = bars.get(account) {
                f(pb);
            }
        }
    }
}

impl collect::Progress for Bars {
    fn account_started(&self, account: &str, steps: u64) {
        let Some(multi) = &self.multi else { return };
        let pb = multi.add(ProgressBar::new(steps));
        if let Ok(style) =
            ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg} ({elapsed})")
        {
            pb.set_style(style.progress_chars("=> "));
        }
        pb.set_prefix(account.to_string());
        if let Ok(mut bars) = self.bars.lock() {
            bars.insert(account.to_string(), pb);
        }
    }

    fn step_finished(&self, account: &str, step: &str) {
        self.with(account, |pb| {
            pb.inc(1);
            pb.set_message(step.to_string());
        });
    }

    fn account_finished(&self, account: &str, failures: usize) {
        self.with(account, |pb| {
            pb.finish_with_message(format!("done, {failures} calls failed"));
        });
    }
}
