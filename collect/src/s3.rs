//! S3: the account's buckets (ListBuckets, which also gives the account's canonical user id)
//! and, per bucket in its own region, the policy, Block Public Access, ACL, Object Ownership
//! and tags, as `resources.json` entries; the account-level Block Public Access (S3 Control).
//! A setting that is not configured (`NoSuchBucketPolicy`, ...) is left out, which the
//! loader reads as "nothing configured", as S3 applies it.

use std::sync::Arc;

use aws_config::SdkConfig;
use aws_sdk_s3::types::Grant;
use serde_json::{json, Map, Value};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::calls::{outcome, required, CallFailure, Recorder};
use crate::client;

/// How many buckets are read at once in one account.
const BUCKETS_AT_ONCE: usize = 8;

/// The account's buckets: the ListBuckets output (as the CLI prints it) and one
/// `resources.json` entry per bucket. A bucket whose settings could not all be read is
/// still listed, with what could be read; each failed call is recorded.
pub(crate) async fn buckets(
    conf: &SdkConfig,
    rec: &Recorder,
) -> Result<(Value, Value), CallFailure> {
    let home = conf
        .region()
        .map(|r| r.to_string())
        .unwrap_or_else(|| client::HOME_REGION.to_string());
    let s3 = client::s3(conf, &home);
    let mut listed = Vec::new();
    let mut owner = None;
    let mut pages = s3.list_buckets().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = required(page)?;
        if owner.is_none() {
            owner = page
                .owner()
                .map(|o| json!({"DisplayName": o.display_name(), "ID": o.id()}));
        }
        for b in page.buckets() {
            if let Some(name) = b.name() {
                listed.push((name.to_string(), b.bucket_region().map(str::to_string)));
            }
        }
    }
    let list_output = {
        let mut m = Map::new();
        let names: Vec<Value> = listed.iter().map(|(n, _)| json!({"Name": n})).collect();
        m.insert("Buckets".into(), Value::Array(names));
        if let Some(o) = owner {
            m.insert("Owner".into(), o);
        }
        Value::Object(m)
    };

    let limit = Arc::new(Semaphore::new(BUCKETS_AT_ONCE));
    let mut set = JoinSet::new();
    for (i, (name, region)) in listed.into_iter().enumerate() {
        let (conf, rec, limit, s3) = (conf.clone(), rec.clone(), limit.clone(), s3.clone());
        set.spawn(async move {
            let _permit = limit.acquire_owned().await.ok();
            (i, bucket(&conf, &s3, &rec, &name, region).await)
        });
    }
    let mut entries = Vec::new();
    while let Some(joined) = set.join_next().await {
        if let Ok(e) = joined {
            entries.push(e);
        }
    }
    entries.sort_by_key(|(i, _)| *i);
    let entries: Vec<Value> = entries.into_iter().map(|(_, v)| v).collect();
    Ok((list_output, Value::Array(entries)))
}

/// The region of a bucket from its GetBucketLocation constraint (none is us-east-1; `EU`
/// is the old name of eu-west-1).
fn region_of(constraint: Option<&str>) -> String {
    match constraint {
        None | Some("") => "us-east-1".to_string(),
        Some("EU") => "eu-west-1".to_string(),
        Some(r) => r.to_string(),
    }
}

async fn bucket(
    conf: &SdkConfig,
    home: &aws_sdk_s3::Client,
    rec: &Recorder,
    name: &str,
    listed_region: Option<String>,
) -> Value {
    let account = rec.account().to_string();
    let arn = format!("arn:aws:s3:::{name}");
    let mut m = Map::new();
    m.insert("arn".into(), json!(arn));
    m.insert("account".into(), json!(account));
    m.insert("type".into(), json!("s3:bucket"));
    let region = match listed_region {
        Some(r) => r,
        None => match required(home.get_bucket_location().bucket(name).send().await) {
            Ok(out) => region_of(out.location_constraint().map(|c| c.as_str())),
            Err(f) => {
                rec.fail(None, &arn, "s3:GetBucketLocation", f);
                return Value::Object(m);
            }
        },
    };
    let s3 = client::s3(conf, &region);
    let r = Some(region.as_str());

    match outcome(
        s3.get_bucket_policy().bucket(name).send().await,
        &["NoSuchBucketPolicy"],
    ) {
        Ok(Some(out)) => {
            if let Some(p) = out.policy() {
                m.insert("policy".into(), json!(p));
            }
        }
        Ok(None) => {}
        Err(f) => rec.fail(r, &arn, "s3:GetBucketPolicy", f),
    }
    match outcome(
        s3.get_public_access_block().bucket(name).send().await,
        &["NoSuchPublicAccessBlockConfiguration"],
    ) {
        Ok(Some(out)) => {
            if let Some(c) = out.public_access_block_configuration() {
                m.insert(
                    "publicAccessBlock".into(),
                    block(
                        c.block_public_acls(),
                        c.ignore_public_acls(),
                        c.block_public_policy(),
                        c.restrict_public_buckets(),
                    ),
                );
            }
        }
        Ok(None) => {}
        Err(f) => rec.fail(r, &arn, "s3:GetBucketPublicAccessBlock", f),
    }
    match required(s3.get_bucket_acl().bucket(name).send().await) {
        Ok(out) => {
            let mut acl = Map::new();
            if let Some(o) = out.owner() {
                let mut om = Map::new();
                if let Some(d) = o.display_name() {
                    om.insert("DisplayName".into(), json!(d));
                }
                if let Some(id) = o.id() {
                    om.insert("ID".into(), json!(id));
                }
                acl.insert("Owner".into(), Value::Object(om));
            }
            let grants: Vec<Value> = out.grants().iter().filter_map(grant).collect();
            acl.insert("Grants".into(), Value::Array(grants));
            m.insert("acl".into(), Value::Object(acl));
        }
        Err(f) => rec.fail(r, &arn, "s3:GetBucketAcl", f),
    }
    match outcome(
        s3.get_bucket_ownership_controls().bucket(name).send().await,
        &["OwnershipControlsNotFoundError"],
    ) {
        Ok(Some(out)) => {
            if let Some(c) = out.ownership_controls() {
                let rules: Vec<Value> = c
                    .rules()
                    .iter()
                    .map(|r| json!({"ObjectOwnership": r.object_ownership().as_str()}))
                    .collect();
                m.insert("ownershipControls".into(), json!({ "Rules": rules }));
            }
        }
        Ok(None) => {}
        Err(f) => rec.fail(r, &arn, "s3:GetBucketOwnershipControls", f),
    }
    match outcome(
        s3.get_bucket_tagging().bucket(name).send().await,
        &["NoSuchTagSet"],
    ) {
        Ok(Some(out)) => {
            let tags: Map<String, Value> = out
                .tag_set()
                .iter()
                .map(|t| (t.key().to_string(), json!(t.value())))
                .collect();
            if !tags.is_empty() {
                m.insert("tags".into(), Value::Object(tags));
            }
        }
        Ok(None) => {}
        Err(f) => rec.fail(r, &arn, "s3:GetBucketTagging", f),
    }
    Value::Object(m)
}

/// One ACL grant as the CLI prints it (`Grantee` members by grantee type).
fn grant(g: &Grant) -> Option<Value> {
    let grantee = g.grantee()?;
    let mut gm = Map::new();
    gm.insert("Type".into(), json!(grantee.r#type().as_str()));
    for (k, v) in [
        ("ID", grantee.id()),
        ("URI", grantee.uri()),
        ("DisplayName", grantee.display_name()),
        ("EmailAddress", grantee.email_address()),
    ] {
        if let Some(v) = v {
            gm.insert(k.into(), json!(v));
        }
    }
    Some(json!({
        "Grantee": gm,
        "Permission": g.permission().map(|p| p.as_str()),
    }))
}

/// A `PublicAccessBlockConfiguration` object; an unset setting is `false`, as S3 reads it.
fn block(
    acls: Option<bool>,
    ignore: Option<bool>,
    policy: Option<bool>,
    restrict: Option<bool>,
) -> Value {
    json!({
        "BlockPublicAcls": acls.unwrap_or(false),
        "IgnorePublicAcls": ignore.unwrap_or(false),
        "BlockPublicPolicy": policy.unwrap_or(false),
        "RestrictPublicBuckets": restrict.unwrap_or(false),
    })
}

/// The account-level Block Public Access (S3 Control GetPublicAccessBlock), as
/// `s3control get-public-access-block` prints it; all `false` when none is configured.
pub(crate) async fn account_block(conf: &SdkConfig, account: &str) -> Result<Value, CallFailure> {
    let c = client::s3control(conf);
    let out = outcome(
        c.get_public_access_block().account_id(account).send().await,
        &["NoSuchPublicAccessBlockConfiguration"],
    )?;
    let config = out
        .as_ref()
        .and_then(|o| o.public_access_block_configuration())
        .map(|c| {
            block(
                c.block_public_acls(),
                c.ignore_public_acls(),
                c.block_public_policy(),
                c.restrict_public_buckets(),
            )
        })
        .unwrap_or_else(|| block(None, None, None, None));
    Ok(json!({ "PublicAccessBlockConfiguration": config }))
}
