//! One account's collection: its regions, then its steps (IAM, S3, each regional service
//! in each region) run concurrently, each writing its file(s) whole; with `--resume`, a step
//! whose files all exist is skipped.

use std::path::PathBuf;
use std::sync::Arc;

use aws_config::SdkConfig;
use aws_sdk_account::types::RegionOptStatus;
use serde_json::Value;
use tokio::task::JoinSet;

use crate::calls::{required, CallFailure, Recorder};
use crate::client::{self, HOME_REGION};
use crate::layout::{write_bytes, write_json, Layout};
use crate::regional::Service;
use crate::summary::{AccountSummary, FailureKind};
use crate::{gaad, iam_settings, s3, Progress};

/// One step of an account's collection; each writes its own files.
#[derive(Debug, Clone)]
enum Step {
    Gaad,
    CredentialReport,
    PasswordPolicy,
    AccountSummary,
    Buckets,
    AccountBlock,
    Regional(Service, String),
}

impl Step {
    fn name(&self) -> String {
        match self {
            Step::Gaad => "iam".to_string(),
            Step::CredentialReport => "credential report".to_string(),
            Step::PasswordPolicy => "password policy".to_string(),
            Step::AccountSummary => "account summary".to_string(),
            Step::Buckets => "s3 buckets".to_string(),
            Step::AccountBlock => "s3 account block".to_string(),
            Step::Regional(s, r) => format!("{} {r}", s.name()),
        }
    }

    fn files(&self, layout: &Layout, account: &str) -> Vec<PathBuf> {
        match self {
            Step::Gaad => vec![layout.gaad(account)],
            Step::CredentialReport => vec![layout.credential_report(account)],
            Step::PasswordPolicy => vec![layout.password_policy(account)],
            Step::AccountSummary => vec![layout.account_summary(account)],
            Step::Buckets => vec![layout.s3_list_buckets(account), layout.s3_buckets(account)],
            Step::AccountBlock => vec![layout.s3_account_public_access_block(account)],
            Step::Regional(s, r) => vec![layout.regional(account, s.name(), r)],
        }
    }
}

/// What a finished step wrote and counted.
#[derive(Debug, Default)]
struct Done {
    written: usize,
    counts: Vec<(&'static str, usize)>,
}

/// The regions to collect in: those given, else the account's enabled regions
/// (account:ListRegions), else (when that fails, recorded) the configuration's region.
async fn regions(conf: &SdkConfig, given: &[String], rec: &Recorder) -> Vec<String> {
    if !given.is_empty() {
        return given.to_vec();
    }
    let c = aws_sdk_account::Client::new(&client::in_region(conf, HOME_REGION));
    let mut found = Vec::new();
    let mut pages = c
        .list_regions()
        .region_opt_status_contains(RegionOptStatus::Enabled)
        .region_opt_status_contains(RegionOptStatus::EnabledByDefault)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        match required(page) {
            Ok(p) => found.extend(
                p.regions()
                    .iter()
                    .filter_map(|r| r.region_name().map(str::to_string)),
            ),
            Err(f) => {
                rec.fail(None, "enabled regions", "account:ListRegions", f);
                let fallback = conf.region().map(|r| r.to_string());
                return vec![fallback.unwrap_or_else(|| HOME_REGION.to_string())];
            }
        }
    }
    found.sort();
    found
}

/// Collect one account with `conf` (its own credentials) into `layout`.
pub(crate) async fn collect(
    conf: SdkConfig,
    given_regions: Vec<String>,
    layout: Arc<Layout>,
    resume: bool,
    progress: Arc<dyn Progress>,
    rec: Recorder,
) -> AccountSummary {
    let account = rec.account().to_string();
    let regions = regions(&conf, &given_regions, &rec).await;
    let mut steps = vec![
        Step::Gaad,
        Step::CredentialReport,
        Step::PasswordPolicy,
        Step::AccountSummary,
        Step::Buckets,
        Step::AccountBlock,
    ];
    for r in &regions {
        steps.extend(Service::ALL.iter().map(|s| Step::Regional(*s, r.clone())));
    }
    progress.account_started(&account, steps.len() as u64);
    let mut summary = AccountSummary {
        account: account.clone(),
        regions: regions.clone(),
        ..AccountSummary::default()
    };
    let mut set = JoinSet::new();
    for step in steps {
        let files = step.files(&layout, &account);
        if resume && files.iter().all(|f| f.is_file()) {
            summary.skipped += files.len();
            progress.step_finished(&account, &step.name());
            continue;
        }
        let (conf, layout, rec) = (conf.clone(), layout.clone(), rec.clone());
        set.spawn(async move {
            let done = run(&step, &conf, &layout, &rec).await;
            (step.name(), done)
        });
    }
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok((name, done)) => {
                summary.written += done.written;
                for (k, n) in done.counts {
                    *summary.counts.entry(k).or_default() += n;
                }
                progress.step_finished(&account, &name);
            }
            Err(e) => rec.fail(
                None,
                "collector task",
                "internal",
                CallFailure {
                    kind: FailureKind::Other,
                    message: e.to_string(),
                },
            ),
        }
    }
    summary
}

/// Record a failed write of `file`.
fn write_failed(rec: &Recorder, file: &std::path::Path, e: crate::CollectError) {
    rec.fail(
        None,
        &file.display().to_string(),
        "write file",
        CallFailure {
            kind: FailureKind::Other,
            message: e.to_string(),
        },
    );
}

fn write(rec: &Recorder, file: PathBuf, value: &Value, done: &mut Done) {
    match write_json(&file, value) {
        Ok(()) => done.written += 1,
        Err(e) => write_failed(rec, &file, e),
    }
}

async fn run(step: &Step, conf: &SdkConfig, layout: &Layout, rec: &Recorder) -> Done {
    let account = rec.account();
    let mut done = Done::default();
    let iam = || aws_sdk_iam::Client::new(&client::in_region(conf, HOME_REGION));
    match step {
        Step::Gaad => match gaad::gaad(&iam()).await {
            Ok((doc, [u, g, r, p])) => {
                write(rec, layout.gaad(account), &doc, &mut done);
                done.counts = vec![
                    ("users", u),
                    ("groups", g),
                    ("roles", r),
                    ("managed policies", p),
                ];
            }
            Err(f) => rec.fail(
                None,
                "authorization details",
                "iam:GetAccountAuthorizationDetails",
                f,
            ),
        },
        Step::CredentialReport => match gaad::credential_report(&iam()).await {
            Ok(csv) => {
                let file = layout.credential_report(account);
                match write_bytes(&file, &csv) {
                    Ok(()) => done.written += 1,
                    Err(e) => write_failed(rec, &file, e),
                }
            }
            Err(f) => rec.fail(None, "credential report", "iam:GetCredentialReport", f),
        },
        Step::PasswordPolicy => match iam_settings::password_policy(&iam()).await {
            Ok(v) => write(rec, layout.password_policy(account), &v, &mut done),
            Err(f) => rec.fail(None, "password policy", "iam:GetAccountPasswordPolicy", f),
        },
        Step::AccountSummary => match iam_settings::account_summary(&iam()).await {
            Ok(v) => write(rec, layout.account_summary(account), &v, &mut done),
            Err(f) => rec.fail(None, "account summary", "iam:GetAccountSummary", f),
        },
        Step::Buckets => match s3::buckets(conf, rec).await {
            Ok((listing, entries)) => {
                let n = entries.as_array().map_or(0, Vec::len);
                write(rec, layout.s3_list_buckets(account), &listing, &mut done);
                write(rec, layout.s3_buckets(account), &entries, &mut done);
                done.counts = vec![("s3 buckets", n)];
            }
            Err(f) => rec.fail(None, "buckets", "s3:ListAllMyBuckets", f),
        },
        Step::AccountBlock => match s3::account_block(conf, account).await {
            Ok(v) => write(
                rec,
                layout.s3_account_public_access_block(account),
                &v,
                &mut done,
            ),
            Err(f) => rec.fail(None, account, "s3:GetAccountPublicAccessBlock", f),
        },
        Step::Regional(service, region) => match service.collect(conf, region, rec).await {
            Ok(entries) => {
                let n = entries.len();
                let file = layout.regional(account, service.name(), region);
                write(rec, file, &Value::Array(entries), &mut done);
                done.counts = vec![(service.noun(), n)];
            }
            Err(f) => rec.fail(Some(region), service.noun(), service.list_operation(), f),
        },
    }
    done
}
