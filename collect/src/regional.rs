//! Regional services with resource policies: KMS keys, Lambda functions, SQS queues, SNS
//! topics, Secrets Manager secrets and ECR repositories; and VPC endpoints with their endpoint
//! policies (`ec2:vpc-endpoint` entries, docs/inputs.md). Each is listed in one region and
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
    Lambda,
    Sqs,
    Sns,
    SecretsManager,
    Ecr,
    VpcEndpoints,
}

impl Service {
    /// Every service, in the order they are collected.
    pub(crate) const ALL: [Service; 7] = [
        Service::Kms,
        Service::Lambda,
        Service::Sqs,
        Service::Sns,
        Service::SecretsManager,
        Service::Ecr,
        Service::VpcEndpoints,
    ];

    /// The service's name in file names and the summary.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Service::Kms => "kms",
            Service::Lambda => "lambda",
            Service::Sqs => "sqs",
            Service::Sns => "sns",
            Service::SecretsManager => "secretsmanager",
            Service::Ecr => "ecr",
            Service::VpcEndpoints => "vpc-endpoints",
        }
    }

    /// What the summary counts.
    pub(crate) fn noun(self) -> &'static str {
        match self {
            Service::Kms => "kms keys",
            Service::Lambda => "lambda functions",
            Service::Sqs => "sqs queues",
            Service::Sns => "sns topics",
            Service::SecretsManager => "secrets",
            Service::Ecr => "ecr repositories",
            Service::VpcEndpoints => "vpc endpoints",
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
            Service::Lambda => lambda(&conf, region, rec).await,
            Service::Sqs => sqs(&conf, region, rec).await,
            Service::Sns => sns(&conf, region, rec).await,
            Service::SecretsManager => secrets(&conf, region, rec).await,
            Service::Ecr => ecr(&conf, region, rec).await,
            Service::VpcEndpoints => vpc_endpoints(&conf, region, rec).await,
        }
    }

    /// The listing call (the IAM action it needs), named in a failure.
    pub(crate) fn list_operation(self) -> &'static str {
        match self {
            Service::Kms => "kms:ListKeys",
            Service::Lambda => "lambda:ListFunctions",
            Service::Sqs => "sqs:ListQueues",
            Service::Sns => "sns:ListTopics",
            Service::SecretsManager => "secretsmanager:ListSecrets",
            Service::Ecr => "ecr:DescribeRepositories",
            Service::VpcEndpoints => "ec2:DescribeVpcEndpoints",
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

/// Lambda functions: the function policy (GetPolicy; none configured is
/// `ResourceNotFoundException`) and the execution role (`role`, which `escalation` reads).
async fn lambda(conf: &SdkConfig, region: &str, rec: &Recorder) -> Result<Vec<Value>, CallFailure> {
    let c = aws_sdk_lambda::Client::new(conf);
    let mut functions = Vec::new();
    let mut pages = c.list_functions().into_paginator().send();
    while let Some(page) = pages.next().await {
        for f in required(page)?.functions() {
            if let (Some(name), Some(arn)) = (f.function_name(), f.function_arn()) {
                let role = f.role().map(str::to_string);
                functions.push((name.to_string(), arn.to_string(), role));
            }
        }
    }
    Ok(each(functions, |(name, arn, role)| {
        let (c, rec, region) = (c.clone(), rec.clone(), region.to_string());
        async move {
            let r = c.get_policy().function_name(&name).send().await;
            let mut e = match outcome(r, &["ResourceNotFoundException"]) {
                Ok(out) => entry(
                    &arn,
                    "lambda:function",
                    out.as_ref().and_then(|o| o.policy()),
                ),
                Err(f) => {
                    rec.fail(Some(&region), &arn, "lambda:GetPolicy", f);
                    entry(&arn, "lambda:function", None)
                }
            };
            if let (Some(role), Value::Object(m)) = (role, &mut e) {
                m.insert("role".into(), json!(role));
            }
            e
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

async fn sns(conf: &SdkConfig, region: &str, rec: &Recorder) -> Result<Vec<Value>, CallFailure> {
    let c = aws_sdk_sns::Client::new(conf);
    let mut topics = Vec::new();
    let mut pages = c.list_topics().into_paginator().send();
    while let Some(page) = pages.next().await {
        for t in required(page)?.topics() {
            if let Some(arn) = t.topic_arn() {
                topics.push(arn.to_string());
            }
        }
    }
    Ok(each(topics, |arn| {
        let (c, rec, region) = (c.clone(), rec.clone(), region.to_string());
        async move {
            match required(c.get_topic_attributes().topic_arn(&arn).send().await) {
                Ok(out) => {
                    let policy = out.attributes().and_then(|a| a.get("Policy"));
                    entry(&arn, "sns:topic", policy.map(String::as_str))
                }
                Err(f) => {
                    rec.fail(Some(&region), &arn, "sns:GetTopicAttributes", f);
                    entry(&arn, "sns:topic", None)
                }
            }
        }
    })
    .await)
}

async fn secrets(
    conf: &SdkConfig,
    region: &str,
    rec: &Recorder,
) -> Result<Vec<Value>, CallFailure> {
    let c = aws_sdk_secretsmanager::Client::new(conf);
    let mut arns = Vec::new();
    let mut pages = c.list_secrets().into_paginator().send();
    while let Some(page) = pages.next().await {
        for s in required(page)?.secret_list() {
            if let Some(arn) = s.arn() {
                arns.push(arn.to_string());
            }
        }
    }
    Ok(each(arns, |arn| {
        let (c, rec, region) = (c.clone(), rec.clone(), region.to_string());
        async move {
            match required(c.get_resource_policy().secret_id(&arn).send().await) {
                Ok(out) => entry(&arn, "secretsmanager:secret", out.resource_policy()),
                Err(f) => {
                    rec.fail(Some(&region), &arn, "secretsmanager:GetResourcePolicy", f);
                    entry(&arn, "secretsmanager:secret", None)
                }
            }
        }
    })
    .await)
}

async fn ecr(conf: &SdkConfig, region: &str, rec: &Recorder) -> Result<Vec<Value>, CallFailure> {
    let c = aws_sdk_ecr::Client::new(conf);
    let mut repos = Vec::new();
    let mut pages = c.describe_repositories().into_paginator().send();
    while let Some(page) = pages.next().await {
        for r in required(page)?.repositories() {
            if let (Some(name), Some(arn)) = (r.repository_name(), r.repository_arn()) {
                repos.push((name.to_string(), arn.to_string()));
            }
        }
    }
    Ok(each(repos, |(name, arn)| {
        let (c, rec, region) = (c.clone(), rec.clone(), region.to_string());
        async move {
            let r = c
                .get_repository_policy()
                .repository_name(&name)
                .send()
                .await;
            match outcome(r, &["RepositoryPolicyNotFoundException"]) {
                Ok(out) => entry(
                    &arn,
                    "ecr:repository",
                    out.as_ref().and_then(|o| o.policy_text()),
                ),
                Err(f) => {
                    rec.fail(Some(&region), &arn, "ecr:GetRepositoryPolicy", f);
                    entry(&arn, "ecr:repository", None)
                }
            }
        }
    })
    .await)
}

/// VPC endpoints (DescribeVpcEndpoints, every page) as `ec2:vpc-endpoint` entries: the
/// endpoint policy (none when the service supports no endpoint policy: everything is allowed
/// through it), the VPC (`aws:SourceVpc`), the owner and the tags.
async fn vpc_endpoints(
    conf: &SdkConfig,
    region: &str,
    rec: &Recorder,
) -> Result<Vec<Value>, CallFailure> {
    let c = aws_sdk_ec2::Client::new(conf);
    let mut out = Vec::new();
    let mut pages = c.describe_vpc_endpoints().into_paginator().send();
    while let Some(page) = pages.next().await {
        for e in required(page)?.vpc_endpoints() {
            let Some(id) = e.vpc_endpoint_id() else {
                continue;
            };
            let owner = e.owner_id().unwrap_or(rec.account());
            let mut m = Map::new();
            m.insert(
                "arn".into(),
                json!(format!("arn:aws:ec2:{region}:{owner}:vpc-endpoint/{id}")),
            );
            m.insert("type".into(), json!("ec2:vpc-endpoint"));
            m.insert("id".into(), json!(id));
            m.insert("account".into(), json!(owner));
            if let Some(v) = e.vpc_id() {
                m.insert("vpcId".into(), json!(v));
            }
            if let Some(p) = e.policy_document() {
                m.insert("policy".into(), json!(p));
            }
            let tags: Map<String, Value> = e
                .tags()
                .iter()
                .filter_map(|t| Some((t.key()?.to_string(), json!(t.value().unwrap_or_default()))))
                .collect();
            if !tags.is_empty() {
                m.insert("tags".into(), Value::Object(tags));
            }
            out.push(Value::Object(m));
        }
    }
    Ok(out)
}
