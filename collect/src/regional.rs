//! Regional services with resource policies: KMS keys and SQS queues (Lambda, SNS, Secrets
//! Manager and ECR are not collected yet: docs/collect.md). Each is listed in one region and
//! each resource's policy read (concurrently, a few at a time) into a `resources.json`
//! entry `{"arn", "type", "policy"}`; a resource whose policy could not be read is still
//! listed, without a policy, and the failure recorded.

use std::future::Future;
use std::sync::Arc;

use aws_config::SdkConfig;
use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::{json, Map, Value};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::calls::{outcome, required, CallFailure, Recorder};
use crate::client::in_region;

/// How many resources of one service and region are read at once.
const RESOURCES_AT_ONCE: usize = 4;

/// A regional service whose resources carry policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Service {
    Kms,
    Sqs,
}

impl Service {
    /// Every service, in the order they are collected.
    pub(crate) const ALL: [Service; 2] = [Service::Kms, Service::Sqs];

    /// The service's name in file names and the summary.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Service::Kms => "kms",
            Service::Sqs => "sqs",
        }
    }

    /// What the summary counts.
    pub(crate) fn noun(self) -> &'static str {
        match self {
            Service::Kms => "kms keys",
            Service::Sqs => "sqs queues",
        }
    }

    /// The service's resources in `region` as `resources.json` entries.
    pub(crate) async fn collect(
        self,
        conf: &SdkConfig,
        region: &str,
        rec: &Recorder,
    ) -> Result<Vec<Value>, CallFailure> {
        let conf = in_region(conf, region);
        match self {
            Service::Kms => kms(&conf, region, rec).await,
            Service::Sqs => sqs(&conf, region, rec).await,
        }
    }
}

/// A `resources.json` entry.
fn entry(arn: &str, kind: &str, policy: Option<&str>) -> Value {
    let mut m = Map::new();
    m.insert("arn".into(), json!(arn));
    m.insert("type".into(), json!(kind));
    if let Some(p) = policy {
        m.insert("policy".into(), json!(p));
    }
    Value::Object(m)
}

/// Run `f` on every item, a few at a time, and keep the results in the items' order.
async fn each<T, F, Fut>(items: Vec<T>, f: F) -> Vec<Value>
where
    T: Send + 'static,
    F: Fn(T) -> Fut,
    Fut: Future<Output = Value> + Send + 'static,
{
    let limit = Arc::new(Semaphore::new(RESOURCES_AT_ONCE));
    let mut set = JoinSet::new();
    for (i, item) in items.into_iter().enumerate() {
        let fut = f(item);
        let limit = limit.clone();
        set.spawn(async move {
            let _permit = limit.acquire_owned().await.ok();
            (i, fut.await)
        });
    }
    let mut out = Vec::new();
    while let Some(joined) = set.join_next().await {
        if let Ok(v) = joined {
            out.push(v);
        }
    }
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, v)| v).collect()
}

async fn kms(conf: &SdkConfig, region: &str, rec: &Recorder) -> Result<Vec<Value>, CallFailure> {
    let c = aws_sdk_kms::Client::new(conf);
    let mut keys = Vec::new();
    let mut pages = c.list_keys().into_paginator().send();
    while let Some(page) = pages.next().await {
        for k in required(page)?.keys() {
            if let (Some(id), Some(arn)) = (k.key_id(), k.key_arn()) {
                keys.push((id.to_string(), arn.to_string()));
            }
        }
    }
    Ok(each(keys, |(id, arn)| {
        let (c, rec, region) = (c.clone(), rec.clone(), region.to_string());
        async move {
            let r = c
                .get_key_policy()
                .key_id(&id)
                .policy_name("default")
                .send()
                .await;
            match required(r) {
                Ok(out) => entry(&arn, "kms:key", out.policy()),
                Err(f) => {
                    rec.fail(Some(&region), &arn, "kms:GetKeyPolicy", f);
                    entry(&arn, "kms:key", None)
                }
            }
        }
    })
    .await)
}

async fn sqs(conf: &SdkConfig, region: &str, rec: &Recorder) -> Result<Vec<Value>, CallFailure> {
    let c = aws_sdk_sqs::Client::new(conf);
    let mut urls = Vec::new();
    let mut pages = c.list_queues().into_paginator().send();
    while let Some(page) = pages.next().await {
        urls.extend(required(page)?.queue_urls().iter().cloned());
    }
    let account = rec.account().to_string();
    Ok(each(urls, |url| {
        let (c, rec, region, account) =
            (c.clone(), rec.clone(), region.to_string(), account.clone());
        async move {
            let name = url.rsplit('/').next().unwrap_or_default().to_string();
            let fallback = format!("arn:aws:sqs:{region}:{account}:{name}");
            let r = c
                .get_queue_attributes()
                .queue_url(&url)
                .attribute_names(QueueAttributeName::Policy)
                .attribute_names(QueueAttributeName::QueueArn)
                .send()
                .await;
            match required(r) {
                Ok(out) => {
                    let attrs = out.attributes();
                    let arn = attrs
                        .and_then(|a| a.get(&QueueAttributeName::QueueArn))
                        .cloned()
                        .unwrap_or(fallback);
                    let policy = attrs.and_then(|a| a.get(&QueueAttributeName::Policy));
                    entry(&arn, "sqs:queue", policy.map(String::as_str))
                }
                Err(f) => {
                    rec.fail(Some(&region), &fallback, "sqs:GetQueueAttributes", f);
                    entry(&fallback, "sqs:queue", None)
                }
            }
        }
    })
    .await)
}
