//! Reading S3 access settings: the raw outputs of `aws s3control get-public-access-block`
//! (account level), `aws s3api get-public-access-block`, `get-bucket-acl` and
//! `get-bucket-ownership-controls` (bucket level), named by the file-name conventions of
//! `docs/inputs.md`, and the same outputs as members of a `resources.json` bucket entry.

use serde_json::Value;

use super::builder::Builder;
use super::error::IngestError;
use super::model::{AccountId, Model, Resource, ResourceType, Source, Tags, Warning, WarningKind};
use super::read::{type_name, FileCtx, Object};
use super::s3_public::{
    AclGrant, AclGrantee, AclPermission, BucketAcl, ObjectOwnership, PublicAccessBlock,
};
use crate::error::JsonPath;

/// Which S3 command produced an output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum S3Output {
    /// `{"PublicAccessBlockConfiguration": {...}}` (account or bucket level).
    PublicAccessBlock,
    /// `{"Owner": {...}, "Grants": [...]}` (`get-bucket-acl`).
    BucketAcl,
    /// `{"OwnershipControls": {"Rules": [...]}}`.
    OwnershipControls,
    /// `{"Buckets": [{"Name", ...}], "Owner": {"ID", ...}}` (`aws s3api list-buckets`).
    ListBuckets,
}

impl S3Output {
    /// Recognise an output by its members.
    pub fn detect(o: &Object) -> Option<S3Output> {
        if o.contains_key("PublicAccessBlockConfiguration") && o.len() == 1 {
            Some(S3Output::PublicAccessBlock)
        } else if o.contains_key("Grants") && o.keys().all(|k| k == "Grants" || k == "Owner") {
            Some(S3Output::BucketAcl)
        } else if o.contains_key("OwnershipControls") && o.len() == 1 {
            Some(S3Output::OwnershipControls)
        } else if o.contains_key("Buckets") && o.contains_key("Owner") {
            Some(S3Output::ListBuckets)
        } else {
            None
        }
    }
}

/// The group URIs of "Access control list (ACL) overview", "Amazon S3 predefined groups".
const ALL_USERS: &str = "http://acs.amazonaws.com/groups/global/AllUsers";
const AUTHENTICATED_USERS: &str = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
const LOG_DELIVERY: &str = "http://acs.amazonaws.com/groups/s3/LogDelivery";

/// A raw output file: the account or bucket comes from the file name
/// (`s3-account-public-access-block.<account>.json`,
/// `s3-bucket-public-access-block.<bucket>.json`, `s3-bucket-acl.<bucket>.json`,
/// `s3-bucket-ownership-controls.<bucket>.json`).
pub(crate) fn ingest_file(
    ctx: &FileCtx,
    o: &Object,
    kind: S3Output,
    b: &mut Builder,
) -> Result<(), IngestError> {
    let top = JsonPath::default();
    let name = ctx
        .file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let stem = name.strip_suffix(".json").unwrap_or(name);
    let (prefix, rest) = stem.split_once('.').unwrap_or((stem, ""));
    let unnamed = |expected: &str| {
        IngestError::UnnamedResource {
        file: ctx.file.as_ref().clone(),
        reason: format!(
            "the file name `{name}` does not name the {expected} (see docs/inputs.md, \"S3 Block Public Access, ACLs and Object Ownership\")"
        ),
    }
    };
    match (kind, prefix) {
        (S3Output::ListBuckets, "s3-list-buckets") => {
            let account = AccountId::parse(rest)
                .ok_or_else(|| unnamed("account: `s3-list-buckets.<account>.json`"))?;
            list_buckets(ctx, o, account, b)
        }
        (S3Output::ListBuckets, _) => Err(unnamed("account: `s3-list-buckets.<account>.json`")),
        (S3Output::PublicAccessBlock, "s3-account-public-access-block") => {
            let account = AccountId::parse(rest)
                .ok_or_else(|| unnamed("account: `s3-account-public-access-block.<account>.json`"))?;
            let block = public_access_block(ctx, o, &top)?;
            add_account_block(b, account, block);
            Ok(())
        }
        (S3Output::PublicAccessBlock, "s3-bucket-public-access-block")
        | (S3Output::BucketAcl, "s3-bucket-acl")
        | (S3Output::OwnershipControls, "s3-bucket-ownership-controls")
            if !rest.is_empty() =>
        {
            let arn = format!("arn:aws:s3:::{rest}");
            ensure_bucket(ctx, &arn, b);
            ingest_output(ctx, o, &top, kind, &arn, b)
        }
        (S3Output::PublicAccessBlock, _) => Err(unnamed(
            "account or bucket: `s3-account-public-access-block.<account>.json` or `s3-bucket-public-access-block.<bucket>.json`",
        )),
        (S3Output::BucketAcl, _) => Err(unnamed("bucket: `s3-bucket-acl.<bucket>.json`")),
        (S3Output::OwnershipControls, _) => Err(unnamed(
            "bucket: `s3-bucket-ownership-controls.<bucket>.json`",
        )),
    }
}

/// The members of a `resources.json` entry that hold S3 settings.
pub(crate) const ENTRY_KEYS: [&str; 3] = ["publicAccessBlock", "acl", "ownershipControls"];

/// The S3 members of a `resources.json` entry for bucket `arn` (each the command's output,
/// or the object inside it).
pub(crate) fn ingest_entry(
    ctx: &FileCtx,
    o: &Object,
    path: &JsonPath,
    arn: &str,
    is_bucket: bool,
    b: &mut Builder,
) -> Result<(), IngestError> {
    for (key, kind) in [
        ("publicAccessBlock", S3Output::PublicAccessBlock),
        ("acl", S3Output::BucketAcl),
        ("ownershipControls", S3Output::OwnershipControls),
    ] {
        let Some(v) = o.get(key).filter(|v| !v.is_null()) else {
            continue;
        };
        let p = path.key(key);
        if !is_bucket {
            return Err(ctx.invalid(&p, format!("`{key}` applies to S3 buckets only")));
        }
        let obj = ctx.object(v, &p)?;
        let wrapper = match kind {
            S3Output::PublicAccessBlock => "PublicAccessBlockConfiguration",
            S3Output::OwnershipControls => "OwnershipControls",
            S3Output::BucketAcl | S3Output::ListBuckets => "",
        };
        let output;
        let out = if wrapper.is_empty() || obj.contains_key(wrapper) {
            obj
        } else {
            let mut m = Object::new();
            m.insert(wrapper.to_string(), v.clone());
            output = m;
            &output
        };
        ingest_output(ctx, out, &p, kind, arn, b)?;
    }
    Ok(())
}

/// One bucket-level output for bucket `arn`.
fn ingest_output(
    ctx: &FileCtx,
    o: &Object,
    path: &JsonPath,
    kind: S3Output,
    arn: &str,
    b: &mut Builder,
) -> Result<(), IngestError> {
    let src = ctx.source(path);
    match kind {
        S3Output::PublicAccessBlock => {
            let block = public_access_block(ctx, o, path)?;
            let m = &mut b.model;
            let slot = &mut m
                .s3_buckets
                .entry(arn.to_string())
                .or_default()
                .public_access_block;
            set_once(slot, block, &mut m.warnings, arn, &src);
        }
        S3Output::BucketAcl => {
            let acl = bucket_acl(ctx, o, path, &mut b.model.warnings)?;
            let m = &mut b.model;
            let slot = &mut m.s3_buckets.entry(arn.to_string()).or_default().acl;
            set_once(slot, acl, &mut m.warnings, arn, &src);
        }
        S3Output::OwnershipControls => {
            let own = ownership(ctx, o, path, &mut b.model.warnings)?;
            let m = &mut b.model;
            let slot = &mut m.s3_buckets.entry(arn.to_string()).or_default().ownership;
            set_once(slot, own, &mut m.warnings, arn, &src);
        }
        S3Output::ListBuckets => {
            return Err(ctx.invalid(path, "a list-buckets output is not a bucket setting"))
        }
    }
    Ok(())
}

/// `aws s3api list-buckets` run in `account`: every bucket it lists is owned by the account,
/// and `Owner.ID` is the account's canonical user id.
fn list_buckets(
    ctx: &FileCtx,
    o: &Object,
    account: AccountId,
    b: &mut Builder,
) -> Result<(), IngestError> {
    let top = JsonPath::default();
    ctx.check_keys(
        o,
        &top,
        &["Buckets", "Owner", "ContinuationToken", "Prefix"],
        &mut b.model.warnings,
    );
    let op = top.key("Owner");
    let owner = ctx.object(o.get("Owner").unwrap_or(&Value::Null), &op)?;
    ctx.check_keys(owner, &op, &["ID", "DisplayName"], &mut b.model.warnings);
    if let Some(id) = ctx.opt_str(owner, "ID", &op)? {
        b.model
            .s3_canonical_ids
            .entry(id.to_string())
            .or_insert_with(|| account.clone());
    }
    b.model.accounts.insert(account.clone());
    for (i, item) in ctx.opt_array(o, "Buckets", &top)?.iter().enumerate() {
        let p = top.key("Buckets").index(i);
        let bo = ctx.object(item, &p)?;
        ctx.check_keys(
            bo,
            &p,
            &["Name", "CreationDate", "BucketRegion", "BucketArn"],
            &mut b.model.warnings,
        );
        let name = ctx.req_str(bo, "Name", &p)?;
        b.add_resource(Resource {
            arn: format!("arn:aws:s3:::{name}"),
            account: Some(account.clone()),
            resource_type: ResourceType::S3Bucket,
            tags: Tags::new(),
            policy: None,
            source: ctx.source(&p),
        });
    }
    Ok(())
}

/// Keep the first value; a different second one is a `duplicate` warning.
fn set_once<T: PartialEq + Settings>(
    slot: &mut Option<T>,
    value: T,
    warnings: &mut Vec<Warning>,
    id: &str,
    source: &Source,
) {
    match slot {
        None => *slot = Some(value),
        Some(old) if old.same(&value) => {}
        Some(_) => warnings.push(Warning {
            source: source.clone(),
            kind: WarningKind::Duplicate { id: id.to_string() },
        }),
    }
}

/// Equality of settings regardless of where they are written.
trait Settings {
    fn same(&self, other: &Self) -> bool;
}

impl Settings for PublicAccessBlock {
    fn same(&self, o: &Self) -> bool {
        (
            self.block_public_acls,
            self.ignore_public_acls,
            self.block_public_policy,
            self.restrict_public_buckets,
        ) == (
            o.block_public_acls,
            o.ignore_public_acls,
            o.block_public_policy,
            o.restrict_public_buckets,
        )
    }
}

impl Settings for BucketAcl {
    fn same(&self, o: &Self) -> bool {
        let key = |a: &BucketAcl| {
            a.grants
                .iter()
                .map(|g| (g.grantee.clone(), g.permission))
                .collect::<Vec<_>>()
        };
        self.owner == o.owner && key(self) == key(o)
    }
}

impl Settings for ObjectOwnership {
    fn same(&self, o: &Self) -> bool {
        self == o
    }
}

fn add_account_block(b: &mut Builder, account: AccountId, block: PublicAccessBlock) {
    b.model.accounts.insert(account.clone());
    let src = block.source.clone();
    let id = format!("S3 Block Public Access of account {account}");
    let mut slot = b.model.s3_account_blocks.shift_remove(&account);
    set_once(&mut slot, block, &mut b.model.warnings, &id, &src);
    if let Some(v) = slot {
        b.model.s3_account_blocks.insert(account, v);
    }
}

/// Make sure the bucket is a resource of the model (its account may come from elsewhere).
fn ensure_bucket(ctx: &FileCtx, arn: &str, b: &mut Builder) {
    if !b.model.resources.contains_key(arn) {
        b.add_resource(Resource {
            arn: arn.to_string(),
            account: None,
            resource_type: ResourceType::S3Bucket,
            tags: Tags::new(),
            policy: None,
            source: ctx.source(&JsonPath::default()),
        });
    }
}

fn opt_bool(ctx: &FileCtx, o: &Object, key: &str, path: &JsonPath) -> Result<bool, IngestError> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(v)) => Ok(*v),
        Some(other) => Err(ctx.invalid(
            &path.key(key),
            format!("expected true or false, found {}", type_name(other)),
        )),
    }
}

/// `{"PublicAccessBlockConfiguration": {BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy,
/// RestrictPublicBuckets}}`; an absent setting is `false`.
fn public_access_block(
    ctx: &FileCtx,
    o: &Object,
    path: &JsonPath,
) -> Result<PublicAccessBlock, IngestError> {
    let p = path.key("PublicAccessBlockConfiguration");
    let c = ctx.object(
        o.get("PublicAccessBlockConfiguration")
            .unwrap_or(&Value::Null),
        &p,
    )?;
    const KEYS: [&str; 4] = [
        "BlockPublicAcls",
        "IgnorePublicAcls",
        "BlockPublicPolicy",
        "RestrictPublicBuckets",
    ];
    if let Some(k) = c.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(ctx.invalid(
            &p.key(k),
            format!("unknown Block Public Access setting `{k}` (expected one of {KEYS:?})"),
        ));
    }
    Ok(PublicAccessBlock {
        block_public_acls: opt_bool(ctx, c, "BlockPublicAcls", &p)?,
        ignore_public_acls: opt_bool(ctx, c, "IgnorePublicAcls", &p)?,
        block_public_policy: opt_bool(ctx, c, "BlockPublicPolicy", &p)?,
        restrict_public_buckets: opt_bool(ctx, c, "RestrictPublicBuckets", &p)?,
        source: ctx.source(path),
    })
}

/// `{"Owner": {"DisplayName"?, "ID"}, "Grants": [{"Grantee": {...}, "Permission": ...}]}`.
fn bucket_acl(
    ctx: &FileCtx,
    o: &Object,
    path: &JsonPath,
    warnings: &mut Vec<Warning>,
) -> Result<BucketAcl, IngestError> {
    ctx.check_keys(o, path, &["Owner", "Grants"], warnings);
    let owner = match o.get("Owner") {
        None | Some(Value::Null) => None,
        Some(v) => {
            let op = path.key("Owner");
            let obj = ctx.object(v, &op)?;
            ctx.check_keys(obj, &op, &["ID", "DisplayName"], warnings);
            ctx.opt_str(obj, "ID", &op)?.map(str::to_string)
        }
    };
    let mut grants = Vec::new();
    for (i, g) in ctx.opt_array(o, "Grants", path)?.iter().enumerate() {
        let gp = path.key("Grants").index(i);
        let go = ctx.object(g, &gp)?;
        ctx.check_keys(go, &gp, &["Grantee", "Permission"], warnings);
        let perm_text = ctx.req_str(go, "Permission", &gp)?;
        let permission = AclPermission::parse(perm_text).ok_or_else(|| {
            ctx.invalid(
                &gp.key("Permission"),
                format!("unknown ACL permission `{perm_text}` (expected READ, WRITE, READ_ACP, WRITE_ACP or FULL_CONTROL)"),
            )
        })?;
        let ep = gp.key("Grantee");
        let e = ctx.object(go.get("Grantee").unwrap_or(&Value::Null), &ep)?;
        ctx.check_keys(
            e,
            &ep,
            &["Type", "ID", "URI", "DisplayName", "EmailAddress"],
            warnings,
        );
        let grantee = match ctx.req_str(e, "Type", &ep)? {
            "CanonicalUser" => AclGrantee::Account {
                canonical_id: ctx.req_str(e, "ID", &ep)?.to_string(),
                account: None,
            },
            "Group" => match ctx.req_str(e, "URI", &ep)? {
                ALL_USERS => AclGrantee::AllUsers,
                AUTHENTICATED_USERS => AclGrantee::AuthenticatedUsers,
                LOG_DELIVERY => AclGrantee::LogDelivery,
                other => {
                    return Err(ctx.invalid(
                        &ep.key("URI"),
                        format!("unknown S3 predefined group `{other}`"),
                    ))
                }
            },
            "AmazonCustomerByEmail" => {
                let address = ctx.req_str(e, "EmailAddress", &ep)?.to_string();
                warnings.push(ctx.warning(
                    &ep,
                    WarningKind::AclEmailGrantee {
                        address: address.clone(),
                    },
                ));
                AclGrantee::Email { address }
            }
            other => {
                return Err(ctx.invalid(
                    &ep.key("Type"),
                    format!("unknown grantee type `{other}` (expected CanonicalUser, Group or AmazonCustomerByEmail)"),
                ))
            }
        };
        grants.push(AclGrant {
            grantee,
            permission,
            source: ctx.source(&gp),
        });
    }
    Ok(BucketAcl {
        owner,
        grants,
        source: ctx.source(path),
    })
}

/// `{"OwnershipControls": {"Rules": [{"ObjectOwnership": ...}]}}`.
fn ownership(
    ctx: &FileCtx,
    o: &Object,
    path: &JsonPath,
    warnings: &mut Vec<Warning>,
) -> Result<ObjectOwnership, IngestError> {
    let p = path.key("OwnershipControls");
    let c = ctx.object(o.get("OwnershipControls").unwrap_or(&Value::Null), &p)?;
    ctx.check_keys(c, &p, &["Rules"], warnings);
    let rules = ctx.opt_array(c, "Rules", &p)?;
    let mut found = None;
    for (i, r) in rules.iter().enumerate() {
        let rp = p.key("Rules").index(i);
        let ro = ctx.object(r, &rp)?;
        ctx.check_keys(ro, &rp, &["ObjectOwnership"], warnings);
        let text = ctx.req_str(ro, "ObjectOwnership", &rp)?;
        let own = ObjectOwnership::parse(text).ok_or_else(|| {
            ctx.invalid(
                &rp.key("ObjectOwnership"),
                format!("unknown Object Ownership `{text}` (expected BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter)"),
            )
        })?;
        if found.is_some_and(|f| f != own) {
            return Err(ctx.invalid(&rp, "a second, different Object Ownership rule"));
        }
        found = Some(own);
    }
    found.ok_or_else(|| ctx.invalid(&p.key("Rules"), "no Object Ownership rule"))
}

/// Once every file is read: map each canonical user id to its account — from
/// `aws s3api list-buckets` outputs, or as the `Owner.ID` of a bucket ACL of a bucket whose
/// account is known; a grant to an id that maps to no
/// account is an `unmapped canonical user` warning.
pub(crate) fn resolve_canonical_ids(model: &mut Model) {
    let mut owners: std::collections::HashMap<String, AccountId> = model
        .s3_canonical_ids
        .iter()
        .map(|(id, a)| (id.clone(), a.clone()))
        .collect();
    for (arn, access) in &model.s3_buckets {
        let owner = access.acl.as_ref().and_then(|a| a.owner.clone());
        let account = model.resources.get(arn).and_then(|r| r.account.clone());
        if let (Some(id), Some(acct)) = (owner, account) {
            owners.entry(id).or_insert(acct);
        }
    }
    let mut warnings = Vec::new();
    for access in model.s3_buckets.values_mut() {
        for g in access.acl.iter_mut().flat_map(|a| a.grants.iter_mut()) {
            if let AclGrantee::Account {
                canonical_id,
                account,
            } = &mut g.grantee
            {
                *account = owners.get(canonical_id.as_str()).cloned();
                if account.is_none() {
                    warnings.push(Warning {
                        source: g.source.clone(),
                        kind: WarningKind::UnmappedCanonicalUser {
                            id: canonical_id.clone(),
                        },
                    });
                }
            }
        }
    }
    model.warnings.extend(warnings);
}
