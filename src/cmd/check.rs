//! `iamlogic check`: policy checks for CI gates; exit 0 pass, 1 fail, 2 error, 3 unknown.

use std::path::PathBuf;

use queries::check::{
    access_not_granted, no_new_access, no_public_access, CheckResult, CheckStatus,
};

use crate::cmd::diff::{canonical_action, options, request_text, requests, Format};
use crate::exit::{CmdResult, Exit};
use crate::progress::Ui;

/// Arguments of `iamlogic check`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    check: Check,
    /// Give up after this many seconds (exit code 3).
    #[arg(long, default_value_t = 10.0, value_name = "SECONDS", global = true)]
    timeout: f64,
    /// Counterexample requests to print.
    #[arg(long, default_value_t = 3, value_name = "N", global = true)]
    max_examples: usize,
    /// `text` for people, `json` for tools.
    #[arg(long, value_enum, default_value = "text", global = true)]
    format: Format,
}

#[derive(clap::Subcommand, Debug)]
enum Check {
    /// NEW grants no request that the reference policy does not.
    NoNewAccess {
        /// The reference policy (JSON).
        #[arg(long, value_name = "OLD.json")]
        reference: PathBuf,
        /// The policy to check (JSON).
        #[arg(value_name = "NEW.json")]
        policy: PathBuf,
    },
    /// The policy allows none of the actions (on the resources, when given).
    AccessNotGranted {
        /// An action (wildcards allowed), e.g. `iam:PassRole`; repeat the flag or separate
        /// actions with commas for several.
        #[arg(long = "action", required = true, value_delimiter = ',')]
        actions: Vec<String>,
        /// A resource ARN (wildcards allowed); repeatable; any resource when omitted.
        #[arg(long = "resource", value_delimiter = ',')]
        resources: Vec<String>,
        /// The policy to check (JSON).
        #[arg(value_name = "POLICY.json")]
        policy: PathBuf,
    },
    /// No anonymous or outside caller can reach the resource.
    NoPublicAccess {
        /// The resource type, e.g. `AWS::S3::Bucket` (or its service prefix, `s3`).
        #[arg(long)]
        resource_type: String,
        /// The resource policy to check (JSON).
        #[arg(value_name = "POLICY.json")]
        policy: PathBuf,
    },
}

/// Run `iamlogic check`.
pub fn run(args: Args, ui: &Ui) -> CmdResult {
    let opts = options(args.timeout, args.max_examples)?;
    let spinner = ui.spinner("checking");
    let r = match &args.check {
        Check::NoNewAccess { reference, policy } => no_new_access(reference, policy, &opts)?,
        Check::AccessNotGranted {
            actions,
            resources,
            policy,
        } => access_not_granted(policy, actions, resources, &opts)?,
        Check::NoPublicAccess {
            resource_type,
            policy,
        } => no_public_access(policy, resource_type, &opts)?,
    };
    spinner.finish_and_clear();
    if ui.warnings() {
        for w in &r.warnings {
            eprintln!("warning: {w}");
        }
    }
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&json(&r))?),
        Format::Text => print!("{}", text(&r)),
    }
    Ok(match r.result {
        CheckStatus::Pass => Exit::Ok,
        CheckStatus::Fail => Exit::Negative,
        CheckStatus::Unknown => Exit::Unknown,
    })
}

/// The JSON form: camelCase keys like `diff`'s; `findings` are requests in the format of
/// `simulate --scenario`.
fn json(r: &CheckResult) -> serde_json::Value {
    let f = &r.findings;
    serde_json::json!({
        "check": r.check,
        "result": r.result,
        "findings": requests(f, true),
        "unconfirmedFindings": requests(f, false),
        "actions": f.actions.iter().map(|a| canonical_action(a)).collect::<Vec<_>>(),
        "unknownActions": f.unknown_actions,
        "complete": f.complete,
        "unconfirmed": f.examples.iter().filter(|e| !e.confirmed).count(),
        "reason": f.unknown,
        "approximations": r.approximations,
        "warnings": r.warnings,
    })
}

fn text(r: &CheckResult) -> String {
    let status = match r.result {
        CheckStatus::Pass => "PASS",
        CheckStatus::Fail => "FAIL",
        CheckStatus::Unknown => "UNKNOWN",
    };
    let mut s = format!("{}: {status}\n", r.check);
    if let Some(reason) = &r.findings.unknown {
        if r.result == CheckStatus::Unknown {
            s.push_str(&format!("reason: {reason}\n"));
        }
    }
    for e in &r.findings.examples {
        s.push_str(&request_text(e));
    }
    if !r.findings.actions.is_empty() {
        s.push_str(&format!("  actions ({}): ", r.findings.actions.len()));
        let shown: Vec<String> = r
            .findings
            .actions
            .iter()
            .take(20)
            .map(|a| canonical_action(a))
            .collect();
        s.push_str(&shown.join(", "));
        s.push('\n');
    }
    for a in &r.approximations {
        s.push_str(&format!("approximation: {a}\n"));
    }
    s
}
