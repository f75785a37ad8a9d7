//! `aws iam get-account-authorization-details` (GAAD) output → users, groups, roles and
//! managed policies. A file may hold one page of a paginated listing; pages and accounts are
//! merged by ARN in [`super::builder::Builder`]. Group memberships (`GroupList` names) are
//! resolved once every file is read.
//!
//! Reference: IAM API Reference, `GetAccountAuthorizationDetails` (`UserDetail`,
//! `GroupDetail`, `RoleDetail`, `ManagedPolicyDetail`, `PolicyVersion`, `AttachedPolicy`,
//! `AttachedPermissionsBoundary`).

use serde_json::Value;

use super::builder::Builder;
use super::error::IngestError;
use super::model::{
    AccountId, Group, InlinePolicy, InstanceProfile, ManagedPolicy, PolicyAttachment, PolicyOwner,
    Role, RoleLastUsed, Source, User, WarningKind,
};
use super::read::{FileCtx, Object};
use crate::error::JsonPath;

/// The top-level members that mark a GAAD document.
pub(crate) const GAAD_KEYS: [&str; 4] = [
    "UserDetailList",
    "GroupDetailList",
    "RoleDetailList",
    "Policies",
];

const TOP_KEYS: [&str; 6] = [
    "UserDetailList",
    "GroupDetailList",
    "RoleDetailList",
    "Policies",
    "IsTruncated",
    "Marker",
];

const USER_KEYS: [&str; 10] = [
    "Path",
    "UserName",
    "UserId",
    "Arn",
    "CreateDate",
    "GroupList",
    "AttachedManagedPolicies",
    "UserPolicyList",
    "PermissionsBoundary",
    "Tags",
];

const GROUP_KEYS: [&str; 7] = [
    "Path",
    "GroupName",
    "GroupId",
    "Arn",
    "CreateDate",
    "GroupPolicyList",
    "AttachedManagedPolicies",
];

const ROLE_KEYS: [&str; 13] = [
    "Path",
    "RoleName",
    "RoleId",
    "Arn",
    "CreateDate",
    "AssumeRolePolicyDocument",
    "InstanceProfileList",
    "RolePolicyList",
    "AttachedManagedPolicies",
    "PermissionsBoundary",
    "Tags",
    "RoleLastUsed",
    "Description",
];

const POLICY_KEYS: [&str; 12] = [
    "PolicyName",
    "PolicyId",
    "Arn",
    "Path",
    "DefaultVersionId",
    "AttachmentCount",
    "PermissionsBoundaryUsageCount",
    "IsAttachable",
    "Description",
    "CreateDate",
    "UpdateDate",
    "PolicyVersionList",
];

/// `InstanceProfileList[i]` (`InstanceProfile`; its `Roles` repeat `RoleDetailList`).
const INSTANCE_PROFILE_KEYS: [&str; 7] = [
    "Path",
    "InstanceProfileName",
    "InstanceProfileId",
    "Arn",
    "CreateDate",
    "Roles",
    "Tags",
];

/// `PolicyVersionList[i]` (`PolicyVersion`).
const VERSION_KEYS: [&str; 4] = ["Document", "VersionId", "IsDefaultVersion", "CreateDate"];

/// Read one GAAD document (the whole file's object) into `b`.
pub(crate) fn ingest(ctx: &FileCtx, root: &Object, b: &mut Builder) -> Result<(), IngestError> {
    let top = JsonPath::default();
    ctx.check_keys(root, &top, &TOP_KEYS, &mut b.model.warnings);
    let list = |key| ctx.opt_array(root, key, &top);
    each_item(list("Policies")?, "Policies", |v, p| {
        managed_policy(ctx, v, p, b)
    })?;
    each_item(list("GroupDetailList")?, "GroupDetailList", |v, p| {
        group(ctx, v, p, b)
    })?;
    each_item(list("UserDetailList")?, "UserDetailList", |v, p| {
        user(ctx, v, p, b)
    })?;
    each_item(list("RoleDetailList")?, "RoleDetailList", |v, p| {
        role(ctx, v, p, b)
    })
}

fn user(ctx: &FileCtx, v: &Value, path: &JsonPath, b: &mut Builder) -> Result<(), IngestError> {
    let o = ctx.object(v, path)?;
    ctx.check_keys(o, path, &USER_KEYS, &mut b.model.warnings);
    let arn = ctx.req_str(o, "Arn", path)?;
    let account = ctx.account_of_member(arn, path, "Arn")?;
    let mut group_names = Vec::new();
    for (i, g) in ctx.opt_array(o, "GroupList", path)?.iter().enumerate() {
        let p = path.key("GroupList").index(i);
        match g {
            Value::String(name) => group_names.push((name.clone(), ctx.source(&p))),
            _ => return Err(ctx.invalid(&p, "expected a group name string")),
        }
    }
    let user = User {
        arn: arn.to_string(),
        name: ctx.req_str(o, "UserName", path)?.to_string(),
        id: ctx
            .opt_str(o, "UserId", path)?
            .unwrap_or_default()
            .to_string(),
        path: ctx.opt_str(o, "Path", path)?.unwrap_or("/").to_string(),
        account,
        tags: ctx.tags(o, "Tags", path)?,
        groups: Vec::new(),
        inline_policies: inline_policies(ctx, o, "UserPolicyList", path)?,
        attached_policies: attachments(ctx, o, path)?,
        permissions_boundary: boundary(ctx, o, path)?,
        source: ctx.source(path),
    };
    add_user(b, user, group_names);
    Ok(())
}

fn group(ctx: &FileCtx, v: &Value, path: &JsonPath, b: &mut Builder) -> Result<(), IngestError> {
    let o = ctx.object(v, path)?;
    ctx.check_keys(o, path, &GROUP_KEYS, &mut b.model.warnings);
    let arn = ctx.req_str(o, "Arn", path)?;
    let account = ctx.account_of_member(arn, path, "Arn")?;
    let group = Group {
        arn: arn.to_string(),
        name: ctx.req_str(o, "GroupName", path)?.to_string(),
        id: ctx
            .opt_str(o, "GroupId", path)?
            .unwrap_or_default()
            .to_string(),
        path: ctx.opt_str(o, "Path", path)?.unwrap_or("/").to_string(),
        account,
        inline_policies: inline_policies(ctx, o, "GroupPolicyList", path)?,
        attached_policies: attachments(ctx, o, path)?,
        source: ctx.source(path),
    };
    add_group(b, group);
    Ok(())
}

fn role(ctx: &FileCtx, v: &Value, path: &JsonPath, b: &mut Builder) -> Result<(), IngestError> {
    let o = ctx.object(v, path)?;
    ctx.check_keys(o, path, &ROLE_KEYS, &mut b.model.warnings);
    let arn = ctx.req_str(o, "Arn", path)?;
    let account = ctx.account_of_member(arn, path, "Arn")?;
    let name = ctx.req_str(o, "RoleName", path)?.to_string();
    let role_path = ctx.opt_str(o, "Path", path)?.unwrap_or("/").to_string();
    let trust_policy = match o.get("AssumeRolePolicyDocument") {
        None | Some(Value::Null) => None,
        Some(doc) => {
            let p = path.key("AssumeRolePolicyDocument");
            Some(InlinePolicy {
                name: "AssumeRolePolicyDocument".to_string(),
                document: ctx.resource_policy(doc, &p, &mut b.model.warnings)?,
                source: ctx.source(&p),
            })
        }
    };
    let mut instance_profiles = Vec::new();
    for (i, ip) in ctx
        .opt_array(o, "InstanceProfileList", path)?
        .iter()
        .enumerate()
    {
        let p = path.key("InstanceProfileList").index(i);
        let ipo = ctx.members(ip, &p, &INSTANCE_PROFILE_KEYS)?;
        instance_profiles.push(InstanceProfile {
            arn: ctx.req_str(ipo, "Arn", &p)?.to_string(),
            name: ctx
                .opt_str(ipo, "InstanceProfileName", &p)?
                .unwrap_or_default()
                .to_string(),
        });
    }
    let last_used = match o.get("RoleLastUsed") {
        None | Some(Value::Null) => None,
        Some(lu) => {
            let p = path.key("RoleLastUsed");
            let luo = ctx.members(lu, &p, &["LastUsedDate", "Region"])?;
            Some(RoleLastUsed {
                date: ctx.opt_str(luo, "LastUsedDate", &p)?.map(str::to_string),
                region: ctx.opt_str(luo, "Region", &p)?.map(str::to_string),
            })
        }
    };
    let role = Role {
        arn: arn.to_string(),
        name,
        id: ctx
            .opt_str(o, "RoleId", path)?
            .unwrap_or_default()
            .to_string(),
        service_linked: is_service_linked(&role_path),
        path: role_path,
        account,
        tags: ctx.tags(o, "Tags", path)?,
        trust_policy,
        inline_policies: inline_policies(ctx, o, "RolePolicyList", path)?,
        attached_policies: attachments(ctx, o, path)?,
        permissions_boundary: boundary(ctx, o, path)?,
        instance_profiles,
        last_used,
        source: ctx.source(path),
    };
    add_role(b, role);
    Ok(())
}

fn managed_policy(
    ctx: &FileCtx,
    v: &Value,
    path: &JsonPath,
    b: &mut Builder,
) -> Result<(), IngestError> {
    let o = ctx.object(v, path)?;
    ctx.check_keys(o, path, &POLICY_KEYS, &mut b.model.warnings);
    let arn = ctx.req_str(o, "Arn", path)?;
    let (owner, account) = policy_owner(ctx, arn, path, b)?;
    let default_version = ctx
        .opt_str(o, "DefaultVersionId", path)?
        .map(str::to_string);
    let versions = ctx.opt_array(o, "PolicyVersionList", path)?;
    // The effective document is the default version; the others are history and grant nothing.
    let mut chosen = None;
    for (i, ver) in versions.iter().enumerate() {
        let p = path.key("PolicyVersionList").index(i);
        let vo = ctx.members(ver, &p, &VERSION_KEYS)?;
        if chosen.is_some() {
            continue;
        }
        let is_default = match vo.get("IsDefaultVersion") {
            Some(Value::Bool(d)) => *d,
            None | Some(Value::Null) => is_default_id(
                ctx.opt_str(vo, "VersionId", &p)?,
                default_version.as_deref(),
            ),
            Some(_) => return Err(ctx.invalid(&p.key("IsDefaultVersion"), "expected a boolean")),
        };
        if is_default {
            let doc = vo
                .get("Document")
                .ok_or_else(|| ctx.invalid(&p, "missing required element `Document`"))?;
            chosen = Some((doc, p.key("Document")));
        }
    }
    let Some((doc, doc_path)) = chosen else {
        no_default_version(ctx, path, arn, b);
        return Ok(());
    };
    let policy = ManagedPolicy {
        arn: arn.to_string(),
        name: ctx.req_str(o, "PolicyName", path)?.to_string(),
        id: ctx.opt_str(o, "PolicyId", path)?.map(str::to_string),
        path: ctx.opt_str(o, "Path", path)?.unwrap_or("/").to_string(),
        owner,
        account,
        default_version,
        document: ctx.policy(doc, &doc_path)?,
        from_snapshot: false,
        source: ctx.source(&doc_path),
    };
    b.add_policy(policy);
    Ok(())
}

/// `UserPolicyList` / `GroupPolicyList` / `RolePolicyList`: `[{PolicyName, PolicyDocument}]`.
fn inline_policies(
    ctx: &FileCtx,
    o: &Object,
    key: &str,
    path: &JsonPath,
) -> Result<Vec<InlinePolicy>, IngestError> {
    let mut out = Vec::new();
    for (i, v) in ctx.opt_array(o, key, path)?.iter().enumerate() {
        let p = path.key(key).index(i);
        let po = ctx.members(v, &p, &["PolicyName", "PolicyDocument"])?;
        let name = ctx.req_str(po, "PolicyName", &p)?.to_string();
        let doc_path = p.key("PolicyDocument");
        let doc = po
            .get("PolicyDocument")
            .ok_or_else(|| ctx.invalid(&p, "missing required element `PolicyDocument`"))?;
        out.push(InlinePolicy {
            name,
            document: ctx.policy(doc, &doc_path)?,
            source: ctx.source(&doc_path),
        });
    }
    Ok(out)
}

/// `AttachedManagedPolicies`: `[{PolicyName, PolicyArn}]`.
fn attachments(
    ctx: &FileCtx,
    o: &Object,
    path: &JsonPath,
) -> Result<Vec<PolicyAttachment>, IngestError> {
    let mut out = Vec::new();
    for (i, v) in ctx
        .opt_array(o, "AttachedManagedPolicies", path)?
        .iter()
        .enumerate()
    {
        let p = path.key("AttachedManagedPolicies").index(i);
        let ao = ctx.members(v, &p, &["PolicyName", "PolicyArn"])?;
        let mut attachment = attachment(ctx, ctx.req_str(ao, "PolicyArn", &p)?, &p, "PolicyArn")?;
        attachment.name = ctx.opt_str(ao, "PolicyName", &p)?.map(str::to_string);
        out.push(attachment);
    }
    Ok(out)
}

/// `PermissionsBoundary`: `{PermissionsBoundaryType: "Policy", PermissionsBoundaryArn}`.
fn boundary(
    ctx: &FileCtx,
    o: &Object,
    path: &JsonPath,
) -> Result<Option<PolicyAttachment>, IngestError> {
    match o.get("PermissionsBoundary") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => {
            let p = path.key("PermissionsBoundary");
            let bo = ctx.members(
                v,
                &p,
                &["PermissionsBoundaryType", "PermissionsBoundaryArn"],
            )?;
            let arn = ctx.req_str(bo, "PermissionsBoundaryArn", &p)?;
            attachment(ctx, arn, &p, "PermissionsBoundaryArn").map(Some)
        }
    }
}

// What both readers share: the typed reader ([`super::gaad_page`]) reads the same members
// from its typed page and hands them to the same functions, so the model, errors and
// warnings of the two readers agree.

/// Read each item of the list member `key` (its items `items`), with its path, in order.
pub(super) fn each_item<T>(
    items: &[T],
    key: &str,
    mut read: impl FnMut(&T, &JsonPath) -> Result<(), IngestError>,
) -> Result<(), IngestError> {
    let at = JsonPath::default().key(key);
    for (i, v) in items.iter().enumerate() {
        read(v, &at.index(i))?;
    }
    Ok(())
}

/// Add a user read from GAAD, with its account and the `GroupList` names to resolve once
/// every file is read (none when the user was already described: a duplicate warning).
pub(super) fn add_user(b: &mut Builder, user: User, group_names: Vec<(String, Source)>) {
    let (arn, account) = (user.arn.clone(), user.account.clone());
    if b.add_user(user) {
        b.pending_groups.push((arn, group_names));
    }
    b.model.accounts.insert(account);
}

/// Add a group read from GAAD, with its account.
pub(super) fn add_group(b: &mut Builder, group: Group) {
    let account = group.account.clone();
    b.add_group(group);
    b.model.accounts.insert(account);
}

/// Add a role read from GAAD, with its account.
pub(super) fn add_role(b: &mut Builder, role: Role) {
    let account = role.account.clone();
    b.add_role(role);
    b.model.accounts.insert(account);
}

/// AWS: service-linked roles live under the path `/aws-service-role/` (IAM User Guide,
/// "Using service-linked roles").
pub(super) fn is_service_linked(role_path: &str) -> bool {
    role_path.starts_with("/aws-service-role/")
}

/// Who owns the managed policy `arn` (member `Arn` at `path`): AWS for
/// `arn:aws:iam::aws:policy/...`, else the customer account of the ARN (added to the model).
pub(super) fn policy_owner(
    ctx: &FileCtx,
    arn: &str,
    path: &JsonPath,
    b: &mut Builder,
) -> Result<(PolicyOwner, Option<AccountId>), IngestError> {
    let parsed = ctx.arn_member(arn, path, "Arn")?;
    if parsed.account == "aws" {
        return Ok((PolicyOwner::AwsManaged, None));
    }
    let a = ctx.account_of_member(arn, path, "Arn")?;
    b.model.accounts.insert(a.clone());
    Ok((PolicyOwner::Customer, Some(a)))
}

/// Without `IsDefaultVersion`, a version is the default when its `VersionId` is the
/// policy's `DefaultVersionId`.
pub(super) fn is_default_id(version_id: Option<&str>, default_version: Option<&str>) -> bool {
    version_id.is_some() && version_id == default_version
}

/// A managed policy none of whose versions is the default grants nothing: a warning.
pub(super) fn no_default_version(ctx: &FileCtx, path: &JsonPath, arn: &str, b: &mut Builder) {
    b.model.warnings.push(ctx.warning(
        path,
        WarningKind::NoDefaultVersion {
            arn: arn.to_string(),
        },
    ));
}

/// An attachment (or boundary) of policy `arn`, member `key` of the object at `p`, its ARN
/// checked; named by the caller when the data names it.
pub(super) fn attachment(
    ctx: &FileCtx,
    arn: &str,
    p: &JsonPath,
    key: &str,
) -> Result<PolicyAttachment, IngestError> {
    ctx.arn_member(arn, p, key)?;
    Ok(PolicyAttachment {
        arn: arn.to_string(),
        name: None,
        source: ctx.source(p),
    })
}
