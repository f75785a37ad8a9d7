//! Resource policies: the documented `resources.json` array, and the raw outputs of the
//! services' policy commands, with the resource named by the output itself, by a wrapper
//! `{"resourceArn": ..., "output": {...}}`, or by the file-name convention of
//! `docs/inputs.md`.

use serde_json::Value;

use super::builder::Builder;
use super::error::IngestError;
use super::model::{AccountId, InlinePolicy, Resource, ResourceType, Tags};
use super::read::{FileCtx, Object};
use crate::error::JsonPath;

/// Which command produced a raw policy output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RawOutput {
    /// `aws s3api get-bucket-policy` or `aws kms get-key-policy`: `{"Policy": "..."}`
    /// (KMS may add `PolicyName`).
    BucketOrKeyPolicy,
    /// `aws lambda get-policy`: `{"Policy": "...", "RevisionId": "..."}`.
    LambdaPolicy,
    /// `aws sqs get-queue-attributes` / `aws sns get-topic-attributes`: `{"Attributes": {...}}`.
    Attributes,
    /// `aws secretsmanager get-resource-policy`: `{"ARN", "Name", "ResourcePolicy"}`.
    SecretPolicy,
    /// `aws ecr get-repository-policy`: `{"registryId", "repositoryName", "policyText"}`.
    EcrPolicy,
}

impl RawOutput {
    /// The members the command prints (what is not read is still known, so not warned).
    fn members(self) -> &'static [&'static str] {
        match self {
            RawOutput::BucketOrKeyPolicy => &["Policy", "PolicyName"],
            RawOutput::LambdaPolicy => &["Policy", "RevisionId"],
            RawOutput::Attributes => &["Attributes"],
            RawOutput::SecretPolicy => &["ARN", "Name", "ResourcePolicy"],
            RawOutput::EcrPolicy => &["registryId", "repositoryName", "policyText"],
        }
    }

    /// Recognise a raw output by its members.
    pub fn detect(o: &Object) -> Option<RawOutput> {
        let only = |allowed: &[&str]| o.keys().all(|k| allowed.contains(&k.as_str()));
        if o.contains_key("Policy") && o.contains_key("RevisionId") {
            Some(RawOutput::LambdaPolicy)
        } else if o.contains_key("Policy") && only(&["Policy", "PolicyName"]) {
            Some(RawOutput::BucketOrKeyPolicy)
        } else if o.contains_key("Attributes") && only(&["Attributes"]) {
            Some(RawOutput::Attributes)
        } else if o.contains_key("ARN") && o.contains_key("Name") {
            Some(RawOutput::SecretPolicy)
        } else if o.contains_key("repositoryName") && o.contains_key("registryId") {
            Some(RawOutput::EcrPolicy)
        } else {
            None
        }
    }
}

/// The attributes `aws sqs get-queue-attributes` and `aws sns get-topic-attributes` return
/// (SQS API Reference, `GetQueueAttributes`; SNS API Reference, `GetTopicAttributes`): only
/// `Policy`, `QueueArn` and `TopicArn` are read; any other member is warned about.
const QUEUE_AND_TOPIC_ATTRIBUTES: [&str; 38] = [
    "Policy",
    "QueueArn",
    "TopicArn",
    "VisibilityTimeout",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
    "DelaySeconds",
    "ReceiveMessageWaitTimeSeconds",
    "RedrivePolicy",
    "RedriveAllowPolicy",
    "FifoQueue",
    "ContentBasedDeduplication",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "DeduplicationScope",
    "FifoThroughputLimit",
    "SqsManagedSseEnabled",
    "Owner",
    "SubscriptionsPending",
    "SubscriptionsConfirmed",
    "SubscriptionsDeleted",
    "EffectiveDeliveryPolicy",
    "DeliveryPolicy",
    "DisplayName",
    "FifoTopic",
    "SignatureVersion",
    "TracingConfig",
    "ArchivePolicy",
    "BeginningArchiveTime",
    "DataProtectionPolicy",
    "FifoThroughputScope",
    "HTTPSuccessFeedbackRoleArn",
    "HTTPFailureFeedbackRoleArn",
];

const RESOURCE_KEYS: [&str; 9] = [
    "arn",
    "account",
    "type",
    "tags",
    "policy",
    "role",
    super::s3_read::ENTRY_KEYS[0],
    super::s3_read::ENTRY_KEYS[1],
    super::s3_read::ENTRY_KEYS[2],
];

/// `resources.json`: an array of `{arn, account?, type?, tags?, policy?, role?}` (`role`:
/// the role a compute resource runs with).
pub(crate) fn ingest_list(
    ctx: &FileCtx,
    items: &[Value],
    b: &mut Builder,
) -> Result<(), IngestError> {
    for (i, v) in items.iter().enumerate() {
        let path = JsonPath::default().index(i);
        let o = ctx.object(v, &path)?;
        if super::vpc_endpoints::is_entry(o) {
            super::vpc_endpoints::ingest_entry(ctx, o, &path, b)?;
            continue;
        }
        ctx.check_keys(o, &path, &RESOURCE_KEYS, &mut b.model.warnings);
        let arn = ctx.req_str(o, "arn", &path)?;
        let parsed = ctx.arn(arn, &path.key("arn"))?;
        let account = match ctx.opt_str(o, "account", &path)? {
            Some(a) => Some(ctx.account_id(a, &path.key("account"))?),
            None => AccountId::parse(&parsed.account),
        };
        let resource_type = match ctx.opt_str(o, "type", &path)? {
            Some(t) => parse_type(t).ok_or_else(|| {
                ctx.invalid(
                    &path.key("type"),
                    format!(
                        "expected a resource type `service:type` (e.g. `s3:bucket`), found `{t}`"
                    ),
                )
            })?,
            None => type_of_arn(&parsed.service, &parsed.resource),
        };
        let policy = match o.get("policy") {
            None | Some(Value::Null) => None,
            Some(doc) => {
                let p = path.key("policy");
                Some(InlinePolicy {
                    name: "policy".to_string(),
                    document: ctx.resource_policy(doc, &p, &mut b.model.warnings)?,
                    source: ctx.source(&p),
                })
            }
        };
        if let Some(role) = ctx.opt_str(o, "role", &path)? {
            ctx.arn(role, &path.key("role"))?;
            super::compute::from_resource_entry(
                ctx,
                b,
                arn,
                &parsed.service,
                &parsed.resource,
                role,
                &path,
            )?;
        }
        let is_bucket = resource_type == ResourceType::S3Bucket;
        b.add_resource(Resource {
            arn: arn.to_string(),
            account,
            resource_type,
            tags: ctx.tags(o, "tags", &path)?,
            policy,
            source: ctx.source(&path),
        });
        super::s3_read::ingest_entry(ctx, o, &path, arn, is_bucket, b)?;
    }
    Ok(())
}

/// A wrapper `{"resourceArn": ARN, "account"?: ID, "tags"?: ..., "output": RAW}`.
pub(crate) fn ingest_wrapper(
    ctx: &FileCtx,
    o: &Object,
    b: &mut Builder,
) -> Result<(), IngestError> {
    let top = JsonPath::default();
    ctx.check_keys(
        o,
        &top,
        &["resourceArn", "account", "tags", "output"],
        &mut b.model.warnings,
    );
    let arn = ctx.req_str(o, "resourceArn", &top)?;
    let account = match ctx.opt_str(o, "account", &top)? {
        Some(a) => Some(ctx.account_id(a, &top.key("account"))?),
        None => None,
    };
    let tags = ctx.tags(o, "tags", &top)?;
    let out_path = top.key("output");
    let output = o
        .get("output")
        .ok_or_else(|| ctx.invalid(&top, "missing required element `output`"))?;
    let out = ctx.object(output, &out_path)?;
    let kind = RawOutput::detect(out).ok_or_else(|| IngestError::UnknownFormat {
        file: ctx.file.as_ref().clone(),
        reason: "`output` is not the output of a supported get-*-policy command".to_string(),
    })?;
    ingest_raw(ctx, out, &out_path, kind, Some((arn, account, tags)), b)
}

/// A raw command output; the resource is named by `given` (a wrapper), the output itself,
/// or the file name, in that order.
pub(crate) fn ingest_raw(
    ctx: &FileCtx,
    o: &Object,
    path: &JsonPath,
    kind: RawOutput,
    given: Option<(&str, Option<AccountId>, Tags)>,
    b: &mut Builder,
) -> Result<(), IngestError> {
    ctx.warn_unknown(o, path, kind.members());
    let (doc, doc_key, own_arn): (Option<&Value>, JsonPath, Option<String>) = match kind {
        RawOutput::BucketOrKeyPolicy | RawOutput::LambdaPolicy => {
            (o.get("Policy"), path.key("Policy"), None)
        }
        RawOutput::Attributes => {
            let ap = path.key("Attributes");
            let attrs = ctx.members(
                o.get("Attributes").unwrap_or(&Value::Null),
                &ap,
                &QUEUE_AND_TOPIC_ATTRIBUTES,
            )?;
            let own = ctx
                .opt_str(attrs, "QueueArn", &ap)?
                .or(ctx.opt_str(attrs, "TopicArn", &ap)?)
                .map(str::to_string);
            (attrs.get("Policy"), ap.key("Policy"), own)
        }
        RawOutput::SecretPolicy => (
            o.get("ResourcePolicy"),
            path.key("ResourcePolicy"),
            ctx.opt_str(o, "ARN", path)?.map(str::to_string),
        ),
        RawOutput::EcrPolicy => (o.get("policyText"), path.key("policyText"), None),
    };
    let (arn, account, tags) = match given {
        Some((arn, account, tags)) => (arn.to_string(), account, tags),
        None => {
            let arn = match own_arn {
                Some(a) => a,
                None => arn_from_file_name(ctx, kind)?,
            };
            (arn, None, Tags::new())
        }
    };
    let parsed = ctx.arn(&arn, path)?;
    let account = account.or_else(|| AccountId::parse(&parsed.account));
    let policy = match doc {
        None | Some(Value::Null) => None,
        Some(d) => Some(InlinePolicy {
            name: "policy".to_string(),
            document: ctx.resource_policy(d, &doc_key, &mut b.model.warnings)?,
            source: ctx.source(&doc_key),
        }),
    };
    b.add_resource(Resource {
        resource_type: type_of_arn(&parsed.service, &parsed.resource),
        arn,
        account,
        tags,
        policy,
        source: ctx.source(path),
    });
    Ok(())
}

/// The file-name convention of `docs/inputs.md`:
///
/// | file name | resource ARN |
/// |---|---|
/// | `s3-bucket-policy.<bucket>.json` | `arn:aws:s3:::<bucket>` |
/// | `kms-key-policy.<region>.<account>.<key-id>.json` | `arn:aws:kms:<region>:<account>:key/<key-id>` |
/// | `lambda-policy.<region>.<account>.<function>.json` | `arn:aws:lambda:<region>:<account>:function:<function>` |
/// | `sqs-queue-policy.<region>.<account>.<queue>.json` | `arn:aws:sqs:<region>:<account>:<queue>` |
/// | `sns-topic-policy.<region>.<account>.<topic>.json` | `arn:aws:sns:<region>:<account>:<topic>` |
/// | `ecr-repository-policy.<region>.<account>.<repository>.json` | `arn:aws:ecr:<region>:<account>:repository/<repository>` |
///
/// The last part may itself contain dots (bucket names, `.fifo` queues). The partition is
/// `aws`; use a wrapper for other partitions.
fn arn_from_file_name(ctx: &FileCtx, kind: RawOutput) -> Result<String, IngestError> {
    let unnamed = |reason: String| IngestError::UnnamedResource {
        file: ctx.file.as_ref().clone(),
        reason,
    };
    let name = ctx
        .file
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| unnamed("the file name is not UTF-8".to_string()))?;
    let stem = name.strip_suffix(".json").unwrap_or(name);
    let Some((prefix, rest)) = stem.split_once('.') else {
        return Err(unnamed(format!(
            "the output carries no ARN and the file name `{name}` follows no convention of docs/inputs.md (e.g. `s3-bucket-policy.<bucket>.json`), nor is it wrapped in {{\"resourceArn\", \"output\"}}"
        )));
    };
    let regional = |what: &str| -> Result<(String, String, String), IngestError> {
        let mut parts = rest.splitn(3, '.');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(r), Some(a), Some(n))
                if !r.is_empty() && AccountId::parse(a).is_some() && !n.is_empty() =>
            {
                Ok((r.to_string(), a.to_string(), n.to_string()))
            }
            _ => Err(unnamed(format!(
                "expected `{prefix}.<region>.<account>.<{what}>.json`, found `{name}`"
            ))),
        }
    };
    let arn = match (prefix, kind) {
        ("s3-bucket-policy", RawOutput::BucketOrKeyPolicy) if !rest.is_empty() => {
            format!("arn:aws:s3:::{rest}")
        }
        ("kms-key-policy", RawOutput::BucketOrKeyPolicy) => {
            let (r, a, k) = regional("key-id")?;
            format!("arn:aws:kms:{r}:{a}:key/{k}")
        }
        ("lambda-policy", RawOutput::LambdaPolicy) => {
            let (r, a, f) = regional("function")?;
            format!("arn:aws:lambda:{r}:{a}:function:{f}")
        }
        ("sqs-queue-policy", RawOutput::Attributes) => {
            let (r, a, q) = regional("queue")?;
            format!("arn:aws:sqs:{r}:{a}:{q}")
        }
        ("sns-topic-policy", RawOutput::Attributes) => {
            let (r, a, t) = regional("topic")?;
            format!("arn:aws:sns:{r}:{a}:{t}")
        }
        ("ecr-repository-policy", RawOutput::EcrPolicy) => {
            let (r, a, n) = regional("repository")?;
            format!("arn:aws:ecr:{r}:{a}:repository/{n}")
        }
        _ => {
            return Err(unnamed(format!(
                "the file name `{name}` does not follow the convention for this output ({}) in docs/inputs.md",
                expected_prefix(kind)
            )))
        }
    };
    Ok(arn)
}

fn expected_prefix(kind: RawOutput) -> &'static str {
    match kind {
        RawOutput::BucketOrKeyPolicy => "`s3-bucket-policy.` or `kms-key-policy.`",
        RawOutput::LambdaPolicy => "`lambda-policy.`",
        RawOutput::Attributes => "`sqs-queue-policy.` or `sns-topic-policy.`",
        RawOutput::SecretPolicy => "the output's own `ARN`",
        RawOutput::EcrPolicy => "`ecr-repository-policy.`",
    }
}

/// A resource type written `service:type`.
fn parse_type(text: &str) -> Option<ResourceType> {
    let (service, kind) = text.split_once(':')?;
    if service.is_empty() || kind.is_empty() {
        return None;
    }
    Some(match (service, kind) {
        ("s3", "bucket") => ResourceType::S3Bucket,
        ("kms", "key") => ResourceType::KmsKey,
        ("lambda", "function") => ResourceType::LambdaFunction,
        ("sqs", "queue") => ResourceType::SqsQueue,
        ("sns", "topic") => ResourceType::SnsTopic,
        ("secretsmanager", "secret") => ResourceType::SecretsManagerSecret,
        ("ecr", "repository") => ResourceType::EcrRepository,
        ("iam", "role") => ResourceType::IamRole,
        (s, k) => ResourceType::Other {
            service: s.to_string(),
            kind: k.to_string(),
        },
    })
}

/// The resource type an ARN denotes: the service, and the resource part up to its first
/// `/` or `:` (S3: a bucket when the resource has no `/`, an object otherwise; SQS and SNS
/// resources are bare names).
pub(crate) fn type_of_arn(service: &str, resource: &str) -> ResourceType {
    let head = resource.split(['/', ':']).next().unwrap_or_default();
    match service {
        "s3" if !resource.contains('/') => ResourceType::S3Bucket,
        "s3" => ResourceType::Other {
            service: "s3".to_string(),
            kind: "object".to_string(),
        },
        "sqs" => ResourceType::SqsQueue,
        "sns" => ResourceType::SnsTopic,
        _ => parse_type(&format!("{service}:{head}")).unwrap_or(ResourceType::Other {
            service: service.to_string(),
            kind: head.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_types_follow_the_arn_formats() {
        assert_eq!(type_of_arn("s3", "my.bucket"), ResourceType::S3Bucket);
        assert_eq!(type_of_arn("kms", "key/1234"), ResourceType::KmsKey);
        assert_eq!(
            type_of_arn("lambda", "function:f"),
            ResourceType::LambdaFunction
        );
        assert_eq!(type_of_arn("sqs", "q.fifo"), ResourceType::SqsQueue);
        assert_eq!(
            type_of_arn("secretsmanager", "secret:db-AbCdEf"),
            ResourceType::SecretsManagerSecret
        );
        assert_eq!(
            type_of_arn("dynamodb", "table/t"),
            ResourceType::Other {
                service: "dynamodb".into(),
                kind: "table".into()
            }
        );
    }

    #[test]
    fn raw_outputs_are_told_apart_by_their_members() {
        let obj = |v: serde_json::Value| v.as_object().cloned().unwrap();
        assert_eq!(
            RawOutput::detect(&obj(serde_json::json!({"Policy": "{}"}))),
            Some(RawOutput::BucketOrKeyPolicy)
        );
        assert_eq!(
            RawOutput::detect(&obj(serde_json::json!({"Policy": "{}", "RevisionId": "r"}))),
            Some(RawOutput::LambdaPolicy)
        );
        assert_eq!(
            RawOutput::detect(&obj(serde_json::json!({"Attributes": {}}))),
            Some(RawOutput::Attributes)
        );
        assert_eq!(
            RawOutput::detect(&obj(serde_json::json!({"Policy": "{}", "Other": 1}))),
            None
        );
    }
}
