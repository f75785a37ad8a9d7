//! The whole collection: the caller's identity, the organization (optional), then every
//! account, a few at once, each with its own credentials (the caller's, or the role assumed
//! in it).

use std::sync::Arc;

use aws_config::SdkConfig;
use aws_credential_types::provider::SharedCredentialsProvider;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::calls::{classify, Recorder};
use crate::client::{self, HOME_REGION};
use crate::error::CollectError;
use crate::layout::{write_json, Layout};
use crate::organization::{self, Member};
use crate::summary::{AccountSummary, Failure, FailureKind, Summary};
use crate::{account, Options, Progress};

/// Collect what `opts` asks for, reporting progress to `progress`. Returns the summary of
/// what was written and of every call that failed; an error only when nothing could be
/// collected (no credentials, the organization unreadable, a bad argument).
pub fn collect(opts: &Options, progress: Arc<dyn Progress>) -> Result<Summary, CollectError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CollectError::Runtime(e.to_string()))?;
    rt.block_on(run(opts.clone(), progress))
}

async fn run(opts: Options, progress: Arc<dyn Progress>) -> Result<Summary, CollectError> {
    let base = client::load(opts.profile.as_deref()).await;
    let sts = aws_sdk_sts::Client::new(&client::in_region(&base, home(&base)));
    let me = sts
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| CollectError::Identity(classify(&e).message))?;
    let caller = me.account().unwrap_or_default().to_string();
    let partition = me
        .arn()
        .and_then(|a| a.split(':').nth(1))
        .unwrap_or("aws")
        .to_string();
    let layout = Arc::new(Layout::new(&opts.out));
    let org_rec = Recorder::new(&caller);
    let mut summary = Summary::default();

    let mut members = if opts.organization {
        let file = layout.organization();
        if opts.resume && file.is_file() {
            let text = std::fs::read_to_string(&file).map_err(|e| CollectError::Io {
                file: file.clone(),
                message: e.to_string(),
            })?;
            let doc: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| CollectError::Io {
                    file: file.clone(),
                    message: e.to_string(),
                })?;
            summary.organization = doc
                .get("organizationId")
                .and_then(|v| v.as_str())
                .map(str::to_string);
            organization::members_of(&doc)
        } else {
            let orgs = aws_sdk_organizations::Client::new(&client::in_region(&base, HOME_REGION));
            let org = organization::read(&orgs, &org_rec).await?;
            write_json(&file, &org.document)?;
            summary.organization = Some(org.id);
            summary.notes = org.notes;
            org.members
        }
    } else {
        let listed = opts
            .accounts
            .clone()
            .unwrap_or_else(|| vec![caller.clone()]);
        listed
            .into_iter()
            .map(|id| Member { id, active: true })
            .collect()
    };
    if let Some(wanted) = &opts.accounts {
        members.retain(|m| wanted.contains(&m.id));
        for w in wanted {
            if !members.iter().any(|m| &m.id == w) {
                summary.notes.push(format!(
                    "account {w} (--accounts) is not in the organization"
                ));
            }
        }
    }
    members.retain(|m| m.active);
    if opts.role_name.is_none() {
        if let Some(m) = members.iter().find(|m| m.id != caller) {
            return Err(CollectError::Usage(format!(
                "account {} is not the caller's ({caller}): give --role-name, the role to assume in it",
                m.id
            )));
        }
    }

    let limit = Arc::new(Semaphore::new(opts.account_concurrency.max(1)));
    let mut set = JoinSet::new();
    for m in members {
        let (base, layout, progress, limit) = (
            base.clone(),
            layout.clone(),
            progress.clone(),
            limit.clone(),
        );
        let (caller, partition, opts) = (caller.clone(), partition.clone(), opts.clone());
        set.spawn(async move {
            let _permit = limit.acquire_owned().await.ok();
            let rec = Recorder::new(&m.id);
            let conf = if m.id == caller {
                Some(base)
            } else {
                let role = opts.role_name.as_deref().unwrap_or_default();
                assume(&base, &partition, &m.id, role, &rec).await
            };
            let acct = match conf {
                Some(conf) => {
                    account::collect(
                        conf,
                        opts.regions.clone(),
                        layout,
                        opts.resume,
                        progress.clone(),
                        rec.clone(),
                    )
                    .await
                }
                None => {
                    progress.account_started(&m.id, 0);
                    AccountSummary {
                        account: m.id.clone(),
                        ..AccountSummary::default()
                    }
                }
            };
            progress.account_finished(&m.id, rec.count());
            (acct, rec.take())
        });
    }
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok((acct, failures)) => {
                summary.accounts.push(acct);
                summary.failures.extend(failures);
            }
            Err(e) => summary.failures.push(Failure {
                account: String::new(),
                region: None,
                resource: "collector task".to_string(),
                operation: "internal".to_string(),
                kind: FailureKind::Other,
                message: e.to_string(),
            }),
        }
    }
    summary.failures.extend(org_rec.take());
    summary.accounts.sort_by(|a, b| a.account.cmp(&b.account));
    summary.failures.sort();
    Ok(summary)
}

fn home(conf: &SdkConfig) -> &str {
    conf.region().map(|r| r.as_ref()).unwrap_or(HOME_REGION)
}

/// The configuration for a member account: the role `role` assumed in it (credentials
/// refreshed by aws-config's AssumeRoleProvider), checked with sts:GetCallerIdentity. `None`,
/// with the failure recorded, when the role cannot be assumed.
async fn assume(
    base: &SdkConfig,
    partition: &str,
    account: &str,
    role: &str,
    rec: &Recorder,
) -> Option<SdkConfig> {
    let arn = format!("arn:{partition}:iam::{account}:role/{role}");
    let provider = aws_config::sts::AssumeRoleProvider::builder(&arn)
        .session_name("iamlogic-collect")
        .configure(base)
        .build()
        .await;
    let conf = base
        .clone()
        .into_builder()
        .credentials_provider(SharedCredentialsProvider::new(provider))
        .build();
    let sts = aws_sdk_sts::Client::new(&conf);
    match sts.get_caller_identity().send().await {
        Ok(_) => Some(conf),
        Err(e) => {
            let mut f = classify(&e);
            f.kind = FailureKind::AssumeRole;
            rec.fail(None, &arn, "sts:AssumeRole", f);
            None
        }
    }
}
