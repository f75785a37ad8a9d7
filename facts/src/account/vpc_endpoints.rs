//! VPC endpoints and their endpoint policies: `resources.json` entries of type
//! `ec2:vpc-endpoint`, and `aws ec2 describe-vpc-endpoints` output.
//!
//! ```json
//! [{"type": "ec2:vpc-endpoint", "id": "vpce-0a1b2c3d4e5f67890", "vpcId": "vpc-0123abcd",
//!   "account": "222222222222", "policy": {"Version": "2012-10-17", "Statement": [...]}}]
//! ```
//!
//! ```json
//! {"VpcEndpoints": [{"VpcEndpointId": "vpce-0a1b2c3d4e5f67890", "VpcId": "vpc-0123abcd",
//!                    "OwnerId": "222222222222", "ServiceName": "com.amazonaws.eu-west-1.s3",
//!                    "PolicyDocument": "{\"Version\":\"2012-10-17\",\"Statement\":[...]}"}]}
//! ```
//!
//! Amazon VPC (PrivateLink) "Control access to VPC endpoints using endpoint policies": an
//! endpoint without a policy document is one whose service does not support endpoint
//! policies, and AWS allows full access through it; an endpoint created without a policy
//! gets the default full-access policy, which `describe-vpc-endpoints` shows.

use serde_json::Value;

use super::builder::Builder;
use super::error::IngestError;
use super::model::{AccountId, InlinePolicy, Resource, ResourceType, VpcEndpoint};
use super::read::{FileCtx, Object};
use crate::error::JsonPath;

/// The member that marks `describe-vpc-endpoints` output.
pub(crate) const MARKER: &str = "VpcEndpoints";

/// The resource type of an endpoint in `resources.json`.
const TYPE: &str = "ec2:vpc-endpoint";

/// The members of a `resources.json` endpoint entry.
const ENTRY_KEYS: [&str; 7] = ["arn", "type", "id", "vpcId", "account", "tags", "policy"];

/// The members of one `VpcEndpoint` of `describe-vpc-endpoints` (EC2 API Reference,
/// `VpcEndpoint`). Only `VpcEndpointId`, `VpcId`, `OwnerId`, `PolicyDocument`, `Tags` and the
/// region (`ServiceRegion`, else from `ServiceName`) are used; the others describe the
/// network side (subnets, DNS, route tables...), which takes no part in authorization.
const DESCRIBED_KEYS: [&str; 25] = [
    "VpcEndpointId",
    "VpcEndpointType",
    "VpcId",
    "ServiceName",
    "ServiceRegion",
    "State",
    "PolicyDocument",
    "RouteTableIds",
    "SubnetIds",
    "Groups",
    "IpAddressType",
    "DnsOptions",
    "PrivateDnsEnabled",
    "RequesterManaged",
    "NetworkInterfaceIds",
    "DnsEntries",
    "CreationTimestamp",
    "Tags",
    "OwnerId",
    "LastError",
    "FailureReason",
    "Ipv4Prefixes",
    "Ipv6Prefixes",
    "ServiceNetworkArn",
    "ResourceConfigurationArn",
];

/// Whether the `resources.json` entry `o` describes a VPC endpoint: its `type` is
/// `ec2:vpc-endpoint`, or it has no `type` and its ARN is `arn:...:ec2:...:vpc-endpoint/...`.
pub(crate) fn is_entry(o: &Object) -> bool {
    match o.get("type") {
        Some(Value::String(t)) => t == TYPE,
        _ => o
            .get("arn")
            .and_then(Value::as_str)
            .and_then(crate::arn::Arn::parse)
            .is_some_and(|a| a.service == "ec2" && a.resource.starts_with("vpc-endpoint/")),
    }
}

/// A `resources.json` entry of type `ec2:vpc-endpoint`: the endpoint id is `id`, or the last
/// part of its ARN `arn:aws:ec2:<region>:<account>:vpc-endpoint/<id>`.
pub(crate) fn ingest_entry(
    ctx: &FileCtx,
    o: &Object,
    path: &JsonPath,
    b: &mut Builder,
) -> Result<(), IngestError> {
    ctx.check_keys(o, path, &ENTRY_KEYS, &mut b.model.warnings);
    let arn = ctx.opt_str(o, "arn", path)?;
    let parsed = match arn {
        Some(a) => Some(ctx.arn(a, &path.key("arn"))?),
        None => None,
    };
    let from_arn = parsed
        .as_ref()
        .and_then(|a| a.resource.strip_prefix("vpc-endpoint/"))
        .map(str::to_string);
    let id = match (ctx.opt_str(o, "id", path)?, from_arn) {
        (Some(id), Some(a)) if id != a => {
            return Err(ctx.invalid(
                &path.key("id"),
                format!("`{id}` is not the endpoint of the entry's ARN (`{a}`)"),
            ))
        }
        (Some(id), _) => id.to_string(),
        (None, Some(a)) => a,
        (None, None) => {
            return Err(ctx.invalid(
                path,
                "a VPC endpoint needs `id` (`vpce-...`) or an ARN `arn:aws:ec2:<region>:<account>:vpc-endpoint/<id>`",
            ))
        }
    };
    check_id(ctx, &id, &path.key("id"))?;
    let account = match ctx.opt_str(o, "account", path)? {
        Some(a) => Some(ctx.account_id(a, &path.key("account"))?),
        None => parsed.as_ref().and_then(|a| AccountId::parse(&a.account)),
    };
    let policy = match o.get("policy") {
        None | Some(Value::Null) => None,
        Some(doc) => Some(policy(ctx, doc, &path.key("policy"), b)?),
    };
    let tags = ctx.tags(o, "tags", path)?;
    if let Some(arn) = arn {
        add_resource(b, arn, account.clone(), tags, ctx, path);
    } else if !tags.is_empty() {
        return Err(ctx.invalid(
            &path.key("tags"),
            "tags of an endpoint need its `arn` (they are its `aws:ResourceTag/*`)",
        ));
    }
    b.add_vpc_endpoint(VpcEndpoint {
        id,
        vpc_id: ctx.opt_str(o, "vpcId", path)?.map(str::to_string),
        account,
        policy,
        source: ctx.source(path),
    });
    Ok(())
}

/// `aws ec2 describe-vpc-endpoints` output: `{"VpcEndpoints": [...], "NextToken"?}`.
pub(crate) fn ingest_described(
    ctx: &FileCtx,
    o: &Object,
    b: &mut Builder,
) -> Result<(), IngestError> {
    let top = JsonPath::default();
    ctx.check_keys(
        o,
        &top,
        &["VpcEndpoints", "NextToken"],
        &mut b.model.warnings,
    );
    for (i, v) in ctx.opt_array(o, "VpcEndpoints", &top)?.iter().enumerate() {
        let p = top.key("VpcEndpoints").index(i);
        let e = ctx.object(v, &p)?;
        ctx.check_keys(e, &p, &DESCRIBED_KEYS, &mut b.model.warnings);
        let id = ctx.req_str(e, "VpcEndpointId", &p)?.to_string();
        check_id(ctx, &id, &p.key("VpcEndpointId"))?;
        let account = match ctx.opt_str(e, "OwnerId", &p)? {
            Some(a) => Some(ctx.account_id(a, &p.key("OwnerId"))?),
            None => None,
        };
        let policy = match e.get("PolicyDocument") {
            None | Some(Value::Null) => None,
            Some(doc) => Some(policy(ctx, doc, &p.key("PolicyDocument"), b)?),
        };
        let tags = ctx.tags(e, "Tags", &p)?;
        let region = ctx.opt_str(e, "ServiceRegion", &p)?.map(str::to_string).or(
            // `com.amazonaws.<region>.<service>` for AWS services.
            ctx.opt_str(e, "ServiceName", &p)?
                .and_then(|n| n.strip_prefix("com.amazonaws."))
                .and_then(|rest| rest.split('.').next())
                .map(str::to_string),
        );
        if let (Some(region), Some(acct)) = (&region, &account) {
            let arn = format!("arn:aws:ec2:{region}:{acct}:vpc-endpoint/{id}");
            add_resource(b, &arn, account.clone(), tags, ctx, &p);
        }
        b.add_vpc_endpoint(VpcEndpoint {
            id,
            vpc_id: ctx.opt_str(e, "VpcId", &p)?.map(str::to_string),
            account,
            policy,
            source: ctx.source(&p),
        });
    }
    Ok(())
}

/// An endpoint id is `vpce-` followed by its hexadecimal id.
fn check_id(ctx: &FileCtx, id: &str, path: &JsonPath) -> Result<(), IngestError> {
    let ok = id
        .strip_prefix("vpce-")
        .is_some_and(|h| !h.is_empty() && h.bytes().all(|c| c.is_ascii_alphanumeric()));
    if ok {
        Ok(())
    } else {
        Err(ctx.invalid(
            path,
            format!("a VPC endpoint id is `vpce-` and its id, found `{id}`"),
        ))
    }
}

/// An endpoint policy: a resource-based policy that "must contain a Principal element"
/// ("Control access to VPC endpoints using endpoint policies"), read as
/// [`FileCtx::resource_policy`] reads one (a statement without `Principal` warns and matches
/// no one).
fn policy(
    ctx: &FileCtx,
    doc: &Value,
    path: &JsonPath,
    b: &mut Builder,
) -> Result<InlinePolicy, IngestError> {
    Ok(InlinePolicy {
        name: "policy".to_string(),
        document: ctx.resource_policy(doc, path, &mut b.model.warnings)?,
        source: ctx.source(path),
    })
}

/// The endpoint as a resource of its own (for requests on it, with its tags); its endpoint
/// policy is not a resource-based policy of it, so none is attached here.
fn add_resource(
    b: &mut Builder,
    arn: &str,
    account: Option<AccountId>,
    tags: super::model::Tags,
    ctx: &FileCtx,
    path: &JsonPath,
) {
    b.add_resource(Resource {
        arn: arn.to_string(),
        account,
        resource_type: ResourceType::Other {
            service: "ec2".to_string(),
            kind: "vpc-endpoint".to_string(),
        },
        tags,
        policy: None,
        source: ctx.source(path),
    });
}
