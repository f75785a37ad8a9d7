//! GAAD decoded straight from the file's text into its typed shape (on the loader's reading
//! thread), and ingested from that shape: the fast path of [`super::gaad`].
//!
//! The typed shape accepts exactly the members [`super::gaad`] knows, with the types it
//! reads; a file with anything else (an unknown member, which is a warning; a member of
//! another type, or a key given twice, which are errors; tags given as a map) does not
//! decode here and is read by the general reader instead, which reports it as before. So
//! a file this path reads gives the model, errors and warnings the general reader gives:
//! [`ingest`] mirrors [`super::gaad::ingest`] step by step, with the same JSON paths.
//! Policy documents are numbered by their text ([`super::doc_texts`]): each distinct one is
//! decoded and parsed once.

use std::fmt;

use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::builder::Builder;
use super::doc_texts::{some_doc, Doc, DocTexts, NewDoc};
use super::error::IngestError;
use super::gaad::{
    add_group, add_role, add_user, attachment, each_item, is_default_id, is_service_linked,
    no_default_version, policy_owner,
};
use super::model::{
    Group, InlinePolicy, InstanceProfile, ManagedPolicy, PolicyAttachment, Role, RoleLastUsed,
    Tags, User,
};
use super::read::FileCtx;
use crate::error::JsonPath;

/// One GAAD page (`GetAccountAuthorizationDetails` output), typed.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Page {
    #[serde(rename = "UserDetailList", default, deserialize_with = "present")]
    users: Option<Option<Vec<UserDetail>>>,
    #[serde(rename = "GroupDetailList", default, deserialize_with = "present")]
    groups: Option<Option<Vec<GroupDetail>>>,
    #[serde(rename = "RoleDetailList", default, deserialize_with = "present")]
    roles: Option<Option<Vec<RoleDetail>>>,
    #[serde(rename = "Policies", default, deserialize_with = "present")]
    policies: Option<Option<Vec<PolicyDetail>>>,
    #[serde(rename = "IsTruncated", default)]
    _is_truncated: Strict,
    #[serde(rename = "Marker", default)]
    _marker: Strict,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserDetail {
    #[serde(rename = "Path")]
    path: Option<String>,
    #[serde(rename = "UserName")]
    name: Option<String>,
    #[serde(rename = "UserId")]
    id: Option<String>,
    #[serde(rename = "Arn")]
    arn: Option<String>,
    #[serde(rename = "CreateDate", default)]
    _created: Strict,
    #[serde(rename = "GroupList")]
    groups: Option<Vec<String>>,
    #[serde(rename = "AttachedManagedPolicies")]
    attached: Option<Vec<Attached>>,
    #[serde(rename = "UserPolicyList")]
    inline: Option<Vec<Inline>>,
    #[serde(rename = "PermissionsBoundary")]
    boundary: Option<Boundary>,
    #[serde(rename = "Tags")]
    tags: Option<Vec<Tag>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupDetail {
    #[serde(rename = "Path")]
    path: Option<String>,
    #[serde(rename = "GroupName")]
    name: Option<String>,
    #[serde(rename = "GroupId")]
    id: Option<String>,
    #[serde(rename = "Arn")]
    arn: Option<String>,
    #[serde(rename = "CreateDate", default)]
    _created: Strict,
    #[serde(rename = "GroupPolicyList")]
    inline: Option<Vec<Inline>>,
    #[serde(rename = "AttachedManagedPolicies")]
    attached: Option<Vec<Attached>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleDetail {
    #[serde(rename = "Path")]
    path: Option<String>,
    #[serde(rename = "RoleName")]
    name: Option<String>,
    #[serde(rename = "RoleId")]
    id: Option<String>,
    #[serde(rename = "Arn")]
    arn: Option<String>,
    #[serde(rename = "CreateDate", default)]
    _created: Strict,
    #[serde(
        rename = "AssumeRolePolicyDocument",
        default,
        deserialize_with = "some_doc"
    )]
    trust: Option<Doc>,
    #[serde(rename = "InstanceProfileList")]
    instance_profiles: Option<Vec<InstanceProfileDetail>>,
    #[serde(rename = "RolePolicyList")]
    inline: Option<Vec<Inline>>,
    #[serde(rename = "AttachedManagedPolicies")]
    attached: Option<Vec<Attached>>,
    #[serde(rename = "PermissionsBoundary")]
    boundary: Option<Boundary>,
    #[serde(rename = "Tags")]
    tags: Option<Vec<Tag>>,
    #[serde(rename = "RoleLastUsed")]
    last_used: Option<LastUsed>,
    #[serde(rename = "Description", default)]
    _description: Strict,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyDetail {
    #[serde(rename = "PolicyName")]
    name: Option<String>,
    #[serde(rename = "PolicyId")]
    id: Option<String>,
    #[serde(rename = "Arn")]
    arn: Option<String>,
    #[serde(rename = "Path")]
    path: Option<String>,
    #[serde(rename = "DefaultVersionId")]
    default_version: Option<String>,
    #[serde(rename = "AttachmentCount", default)]
    _attachments: Strict,
    #[serde(rename = "PermissionsBoundaryUsageCount", default)]
    _boundary_uses: Strict,
    #[serde(rename = "IsAttachable", default)]
    _attachable: Strict,
    #[serde(rename = "Description", default)]
    _description: Strict,
    #[serde(rename = "CreateDate", default)]
    _created: Strict,
    #[serde(rename = "UpdateDate", default)]
    _updated: Strict,
    #[serde(rename = "PolicyVersionList")]
    versions: Option<Vec<Version>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Version {
    #[serde(rename = "Document", default, deserialize_with = "some_doc")]
    document: Option<Doc>,
    #[serde(rename = "VersionId")]
    id: Option<String>,
    #[serde(rename = "IsDefaultVersion")]
    is_default: Option<bool>,
    #[serde(rename = "CreateDate", default)]
    _created: Strict,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InstanceProfileDetail {
    #[serde(rename = "Path", default)]
    _path: Strict,
    #[serde(rename = "InstanceProfileName")]
    name: Option<String>,
    #[serde(rename = "InstanceProfileId", default)]
    _id: Strict,
    #[serde(rename = "Arn")]
    arn: Option<String>,
    #[serde(rename = "CreateDate", default)]
    _created: Strict,
    #[serde(rename = "Roles", default)]
    _roles: Strict,
    #[serde(rename = "Tags", default)]
    _tags: Strict,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LastUsed {
    #[serde(rename = "LastUsedDate")]
    date: Option<String>,
    #[serde(rename = "Region")]
    region: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Inline {
    #[serde(rename = "PolicyName")]
    name: Option<String>,
    #[serde(rename = "PolicyDocument", default, deserialize_with = "some_doc")]
    document: Option<Doc>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Attached {
    #[serde(rename = "PolicyName")]
    name: Option<String>,
    #[serde(rename = "PolicyArn")]
    arn: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Boundary {
    #[serde(rename = "PermissionsBoundaryType", default)]
    _kind: Strict,
    #[serde(rename = "PermissionsBoundaryArn")]
    arn: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Tag {
    #[serde(rename = "Key")]
    key: Option<String>,
    #[serde(rename = "Value")]
    value: Option<String>,
}

/// A member whose value is not read: any JSON, checked only for keys given twice (as the
/// strict reader checks the whole file).
#[derive(Default)]
struct Strict;

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Strict, D::Error> {
        d.deserialize_any(StrictVisitor)
    }
}

struct StrictVisitor;

impl<'de> DeserializeSeed<'de> for StrictVisitor {
    type Value = Strict;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Strict, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Strict;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Strict, E> {
        Ok(Strict)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Strict, E> {
        Ok(Strict)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Strict, E> {
        Ok(Strict)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Strict, E> {
        Ok(Strict)
    }
    fn visit_str<E>(self, _: &str) -> Result<Strict, E> {
        Ok(Strict)
    }
    fn visit_unit<E>(self) -> Result<Strict, E> {
        Ok(Strict)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Strict, A::Error> {
        while seq.next_element_seed(StrictVisitor)?.is_some() {}
        Ok(Strict)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Strict, A::Error> {
        let mut keys: Vec<String> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if keys.contains(&key) {
                return Err(serde::de::Error::custom("a key is given twice"));
            }
            keys.push(key);
            map.next_value_seed(StrictVisitor)?;
        }
        Ok(Strict)
    }
}

/// A member that may be `null`: absent gives `None`, `null` gives `Some(None)`.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// Decode `text` as a typed GAAD page, numbering its documents in `texts`; `None` when it
/// is not exactly the shape [`Page`] accepts (then the general reader reads it). Also
/// returns each document text met for the first time, parsed.
pub(crate) fn decode(text: &str, texts: &mut DocTexts) -> Option<(Page, Vec<NewDoc>)> {
    if !text.trim_start().starts_with('{') {
        return None;
    }
    let (page, new_docs) = texts.decoding(|| serde_json::from_str::<Page>(text))?;
    // An object with none of GAAD's lists is not GAAD (the general reader says what it is).
    let gaad = page.users.is_some()
        || page.groups.is_some()
        || page.roles.is_some()
        || page.policies.is_some();
    gaad.then_some((page, new_docs))
}

/// Read one typed GAAD page into `b`, as [`super::gaad::ingest`] reads its JSON.
pub(crate) fn ingest(ctx: &FileCtx, page: &Page, b: &mut Builder) -> Result<(), IngestError> {
    b.model.policies.reserve(list(&page.policies).len());
    b.model.groups.reserve(list(&page.groups).len());
    b.model.users.reserve(list(&page.users).len());
    b.model.roles.reserve(list(&page.roles).len());
    each_item(list(&page.policies), "Policies", |v, p| {
        managed_policy(ctx, v, p, b)
    })?;
    each_item(list(&page.groups), "GroupDetailList", |v, p| {
        group(ctx, v, p, b)
    })?;
    each_item(list(&page.users), "UserDetailList", |v, p| {
        user(ctx, v, p, b)
    })?;
    each_item(list(&page.roles), "RoleDetailList", |v, p| {
        role(ctx, v, p, b)
    })
}

/// The items of a list member (absent or `null`: none).
fn list<T>(l: &Option<Option<Vec<T>>>) -> &[T] {
    l.as_ref().and_then(Option::as_deref).unwrap_or_default()
}

/// The required member `key` (as [`FileCtx::req_str`] words its absence).
fn req<'v>(
    ctx: &FileCtx,
    v: &'v Option<String>,
    key: &str,
    path: &JsonPath,
) -> Result<&'v str, IngestError> {
    v.as_deref()
        .ok_or_else(|| ctx.invalid(path, format!("missing required element `{key}`")))
}

fn user(
    ctx: &FileCtx,
    u: &UserDetail,
    path: &JsonPath,
    b: &mut Builder,
) -> Result<(), IngestError> {
    let arn = req(ctx, &u.arn, "Arn", path)?;
    let account = ctx.account_of_member(arn, path, "Arn")?;
    let mut group_names = Vec::new();
    for (i, name) in u.groups.iter().flatten().enumerate() {
        let p = path.key("GroupList").index(i);
        group_names.push((name.clone(), ctx.source(&p)));
    }
    let user = User {
        arn: arn.to_string(),
        name: req(ctx, &u.name, "UserName", path)?.to_string(),
        id: u.id.clone().unwrap_or_default(),
        path: u.path.as_deref().unwrap_or("/").to_string(),
        account,
        tags: tags(ctx, &u.tags, path)?,
        groups: Vec::new(),
        inline_policies: inline_policies(ctx, &u.inline, "UserPolicyList", path)?,
        attached_policies: attachments(ctx, &u.attached, path)?,
        permissions_boundary: boundary(ctx, &u.boundary, path)?,
        source: ctx.source(path),
    };
    add_user(b, user, group_names);
    Ok(())
}

fn group(
    ctx: &FileCtx,
    g: &GroupDetail,
    path: &JsonPath,
    b: &mut Builder,
) -> Result<(), IngestError> {
    let arn = req(ctx, &g.arn, "Arn", path)?;
    let account = ctx.account_of_member(arn, path, "Arn")?;
    let group = Group {
        arn: arn.to_string(),
        name: req(ctx, &g.name, "GroupName", path)?.to_string(),
        id: g.id.clone().unwrap_or_default(),
        path: g.path.as_deref().unwrap_or("/").to_string(),
        account,
        inline_policies: inline_policies(ctx, &g.inline, "GroupPolicyList", path)?,
        attached_policies: attachments(ctx, &g.attached, path)?,
        source: ctx.source(path),
    };
    add_group(b, group);
    Ok(())
}

fn role(
    ctx: &FileCtx,
    r: &RoleDetail,
    path: &JsonPath,
    b: &mut Builder,
) -> Result<(), IngestError> {
    let arn = req(ctx, &r.arn, "Arn", path)?;
    let account = ctx.account_of_member(arn, path, "Arn")?;
    let name = req(ctx, &r.name, "RoleName", path)?.to_string();
    let role_path = r.path.as_deref().unwrap_or("/").to_string();
    let trust_policy = match r.trust {
        None | Some(Doc::Null) => None,
        Some(doc) => {
            let p = path.key("AssumeRolePolicyDocument");
            Some(InlinePolicy {
                name: "AssumeRolePolicyDocument".to_string(),
                document: ctx.resource_policy_doc(doc, &p, &mut b.model.warnings)?,
                source: ctx.source(&p),
            })
        }
    };
    let mut instance_profiles = Vec::new();
    for (i, ip) in r.instance_profiles.iter().flatten().enumerate() {
        let p = path.key("InstanceProfileList").index(i);
        instance_profiles.push(InstanceProfile {
            arn: req(ctx, &ip.arn, "Arn", &p)?.to_string(),
            name: ip.name.clone().unwrap_or_default(),
        });
    }
    let last_used = r.last_used.as_ref().map(|lu| RoleLastUsed {
        date: lu.date.clone(),
        region: lu.region.clone(),
    });
    let role = Role {
        arn: arn.to_string(),
        name,
        id: r.id.clone().unwrap_or_default(),
        service_linked: is_service_linked(&role_path),
        path: role_path,
        account,
        tags: tags(ctx, &r.tags, path)?,
        trust_policy,
        inline_policies: inline_policies(ctx, &r.inline, "RolePolicyList", path)?,
        attached_policies: attachments(ctx, &r.attached, path)?,
        permissions_boundary: boundary(ctx, &r.boundary, path)?,
        instance_profiles,
        last_used,
        source: ctx.source(path),
    };
    add_role(b, role);
    Ok(())
}

fn managed_policy(
    ctx: &FileCtx,
    m: &PolicyDetail,
    path: &JsonPath,
    b: &mut Builder,
) -> Result<(), IngestError> {
    let arn = req(ctx, &m.arn, "Arn", path)?;
    let (owner, account) = policy_owner(ctx, arn, path, b)?;
    let default_version = m.default_version.clone();
    // The effective document is the default version; the others are history and grant nothing.
    let mut chosen = None;
    for (i, ver) in m.versions.iter().flatten().enumerate() {
        let is_default = match ver.is_default {
            Some(d) => d,
            None => is_default_id(ver.id.as_deref(), default_version.as_deref()),
        };
        if is_default {
            let p = path.key("PolicyVersionList").index(i);
            let doc = ver
                .document
                .ok_or_else(|| ctx.invalid(&p, "missing required element `Document`"))?;
            chosen = Some((doc, p.key("Document")));
            break;
        }
    }
    let Some((doc, doc_path)) = chosen else {
        no_default_version(ctx, path, arn, b);
        return Ok(());
    };
    let policy = ManagedPolicy {
        arn: arn.to_string(),
        name: req(ctx, &m.name, "PolicyName", path)?.to_string(),
        id: m.id.clone(),
        path: m.path.as_deref().unwrap_or("/").to_string(),
        owner,
        account,
        default_version,
        document: ctx.policy_doc(doc, &doc_path)?,
        from_snapshot: false,
        source: ctx.source(&doc_path),
    };
    b.add_policy(policy);
    Ok(())
}

/// `UserPolicyList` / `GroupPolicyList` / `RolePolicyList`: `[{PolicyName, PolicyDocument}]`.
fn inline_policies(
    ctx: &FileCtx,
    list: &Option<Vec<Inline>>,
    key: &str,
    path: &JsonPath,
) -> Result<Vec<InlinePolicy>, IngestError> {
    let mut out = Vec::new();
    for (i, v) in list.iter().flatten().enumerate() {
        let p = path.key(key).index(i);
        let name = req(ctx, &v.name, "PolicyName", &p)?.to_string();
        let doc_path = p.key("PolicyDocument");
        let doc = v
            .document
            .ok_or_else(|| ctx.invalid(&p, "missing required element `PolicyDocument`"))?;
        out.push(InlinePolicy {
            name,
            document: ctx.policy_doc(doc, &doc_path)?,
            source: ctx.source(&doc_path),
        });
    }
    Ok(out)
}

/// `AttachedManagedPolicies`: `[{PolicyName, PolicyArn}]`.
fn attachments(
    ctx: &FileCtx,
    list: &Option<Vec<Attached>>,
    path: &JsonPath,
) -> Result<Vec<PolicyAttachment>, IngestError> {
    let mut out = Vec::new();
    for (i, v) in list.iter().flatten().enumerate() {
        let p = path.key("AttachedManagedPolicies").index(i);
        let mut attachment = attachment(ctx, req(ctx, &v.arn, "PolicyArn", &p)?, &p, "PolicyArn")?;
        attachment.name = v.name.clone();
        out.push(attachment);
    }
    Ok(out)
}

/// `PermissionsBoundary`: `{PermissionsBoundaryType: "Policy", PermissionsBoundaryArn}`.
fn boundary(
    ctx: &FileCtx,
    v: &Option<Boundary>,
    path: &JsonPath,
) -> Result<Option<PolicyAttachment>, IngestError> {
    let Some(bo) = v else {
        return Ok(None);
    };
    let p = path.key("PermissionsBoundary");
    let arn = req(ctx, &bo.arn, "PermissionsBoundaryArn", &p)?;
    attachment(ctx, arn, &p, "PermissionsBoundaryArn").map(Some)
}

/// Tags in AWS's `[{"Key": k, "Value": v}]` form (the map form is read by the general
/// reader).
fn tags(ctx: &FileCtx, list: &Option<Vec<Tag>>, path: &JsonPath) -> Result<Tags, IngestError> {
    let mut tags = Tags::new();
    for (i, t) in list.iter().flatten().enumerate() {
        let k = req(ctx, &t.key, "Key", &path.key("Tags").index(i))?;
        tags.insert(k.to_string(), t.value.clone().unwrap_or_default());
    }
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use super::*;

    /// A page using every member the typed shape reads, and documents repeated across
    /// holders (IAM API Reference, `GetAccountAuthorizationDetails`).
    const PAGE: &str = r#"{
      "UserDetailList": [{
        "Path": "/", "UserName": "alice", "UserId": "AIDA1", "CreateDate": "2024-01-01T00:00:00Z",
        "Arn": "arn:aws:iam::111122223333:user/alice", "GroupList": ["devs"],
        "AttachedManagedPolicies": [{"PolicyName": "P", "PolicyArn": "arn:aws:iam::111122223333:policy/P"}],
        "UserPolicyList": [{"PolicyName": "u", "PolicyDocument": {"Version": "2012-10-17",
          "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}],
        "PermissionsBoundary": {"PermissionsBoundaryType": "Policy",
          "PermissionsBoundaryArn": "arn:aws:iam::111122223333:policy/P"},
        "Tags": [{"Key": "team", "Value": "a"}, {"Key": "empty"}]
      }, {"UserName": "bob", "Arn": "arn:aws:iam::111122223333:user/bob", "Tags": null}],
      "GroupDetailList": [{
        "Path": "/", "GroupName": "devs", "GroupId": "AGPA1", "Arn": "arn:aws:iam::111122223333:group/devs",
        "GroupPolicyList": [{"PolicyName": "g", "PolicyDocument": {"Version": "2012-10-17",
          "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}],
        "AttachedManagedPolicies": []
      }],
      "RoleDetailList": [{
        "Path": "/aws-service-role/x/", "RoleName": "r1", "RoleId": "AROA1", "Description": "d",
        "Arn": "arn:aws:iam::111122223333:role/aws-service-role/x/r1",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
          {"Effect": "Allow", "Principal": {"Service": "x.amazonaws.com"}, "Action": "sts:AssumeRole"},
          {"Effect": "Allow", "Action": "sts:AssumeRole"}]},
        "InstanceProfileList": [{"Path": "/", "InstanceProfileName": "ip", "InstanceProfileId": "AIPA1",
          "Arn": "arn:aws:iam::111122223333:instance-profile/ip", "CreateDate": "x",
          "Roles": [{"RoleName": "r1", "Tags": [{"Key": "k", "Value": "v"}]}]}],
        "RolePolicyList": [{"PolicyName": "i", "PolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D"}],
        "AttachedManagedPolicies": [], "Tags": [],
        "RoleLastUsed": {"LastUsedDate": "2024-02-02T00:00:00Z", "Region": "us-east-1"}
      }, {
        "RoleName": "r2", "Arn": "arn:aws:iam::111122223333:role/r2", "AssumeRolePolicyDocument": null,
        "RoleLastUsed": null, "PermissionsBoundary": null
      }, {
        "RoleName": "r3", "Arn": "arn:aws:iam::444455556666:role/r3",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
          {"Effect": "Allow", "Principal": {"Service": "x.amazonaws.com"}, "Action": "sts:AssumeRole"},
          {"Effect": "Allow", "Action": "sts:AssumeRole"}]}
      }],
      "Policies": [{
        "PolicyName": "P", "PolicyId": "ANPA1", "Arn": "arn:aws:iam::111122223333:policy/P", "Path": "/",
        "DefaultVersionId": "v2", "AttachmentCount": 1, "PermissionsBoundaryUsageCount": 1,
        "IsAttachable": true, "CreateDate": "x", "UpdateDate": "y",
        "PolicyVersionList": [
          {"Document": {"Statement": []}, "VersionId": "v1", "IsDefaultVersion": false, "CreateDate": "x"},
          {"Document": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]},
           "VersionId": "v2"}]
      }, {
        "PolicyName": "Q", "Arn": "arn:aws:iam::aws:policy/Q", "DefaultVersionId": "v9",
        "PolicyVersionList": [{"Document": {"Statement": []}, "VersionId": "v1", "IsDefaultVersion": false}]
      }],
      "IsTruncated": false
    }"#;

    /// The model (or error) the typed path gives for `text`, and the one the general
    /// reader gives, both printed.
    fn both_ways(text: &str) -> (String, String) {
        let typed = {
            let mut texts = DocTexts::default();
            let (page, new_docs) = decode(text, &mut texts).expect("the typed shape reads it");
            let mut b = Builder::default();
            let ctx = FileCtx::sharing("gaad.json".into(), Rc::clone(&b.documents));
            ctx.add_numbered(new_docs);
            let r = ingest(&ctx, &page, &mut b);
            b.model.warnings.extend(ctx.pending_warnings().take());
            r.and_then(|()| b.finish())
        };
        let general = {
            let value = crate::parse::json::decode_unique(text).expect("JSON");
            let mut b = Builder::default();
            let ctx = FileCtx::sharing("gaad.json".into(), Rc::clone(&b.documents));
            let r = super::super::gaad::ingest(&ctx, value.as_object().expect("object"), &mut b);
            b.model.warnings.extend(ctx.pending_warnings().take());
            r.and_then(|()| b.finish())
        };
        (format!("{typed:?}"), format!("{general:?}"))
    }

    #[test]
    fn the_typed_path_builds_the_model_the_general_reader_builds() {
        let (typed, general) = both_ways(PAGE);
        assert!(typed.contains("alice") && typed.contains("StatementWithoutPrincipal"));
        assert!(typed.contains("NoDefaultVersion"));
        assert_eq!(typed, general);
    }

    #[test]
    fn the_typed_path_reports_the_general_readers_errors() {
        let bad_arn = PAGE.replace(
            "arn:aws:iam::444455556666:role/r3",
            "arn:aws:iam::4444:role/r3",
        );
        let (typed, general) = both_ways(&bad_arn);
        assert!(typed.starts_with("Err(InvalidArn"), "{typed}");
        assert_eq!(typed, general);
        let bad_doc = PAGE.replace(r#""Effect": "Deny""#, r#""Effect": "Maybe""#);
        let (typed, general) = both_ways(&bad_doc);
        assert!(typed.starts_with("Err(Policy"), "{typed}");
        assert_eq!(typed, general);
        let no_name = PAGE.replace(r#""RoleName": "r2", "#, "");
        let (typed, general) = both_ways(&no_name);
        assert!(
            typed.contains("missing required element `RoleName`"),
            "{typed}"
        );
        assert_eq!(typed, general);
    }

    #[test]
    fn anything_else_is_left_to_the_general_reader() {
        let texts = &mut DocTexts::default();
        let unknown = PAGE.replace(
            r#""Description": "d","#,
            r#""Description": "d", "MaxSessionDuration": 3600,"#,
        );
        assert!(
            decode(&unknown, texts).is_none(),
            "an unknown member is a warning"
        );
        let twice = PAGE.replace(
            r#""RoleId": "AROA1","#,
            r#""RoleId": "AROA1", "RoleId": "AROA2","#,
        );
        assert!(
            decode(&twice, texts).is_none(),
            "a repeated member is an error"
        );
        let nested = PAGE.replace(
            r#""Roles": [{"RoleName": "r1","#,
            r#""Roles": [{"RoleName": "r1", "RoleName": "r1","#,
        );
        assert!(
            decode(&nested, texts).is_none(),
            "a repeated key in a member not read"
        );
        let in_doc = PAGE.replace(r#"{"Statement": []}, "VersionId": "v1", "IsDefaultVersion": false, "CreateDate""#, r#"{"Statement": [], "Statement": []}, "VersionId": "v1", "IsDefaultVersion": false, "CreateDate""#);
        assert_ne!(in_doc, PAGE);
        assert!(
            decode(&in_doc, texts).is_none(),
            "a repeated key in a document"
        );
        let map_tags = PAGE.replace(r#""Tags": null"#, r#""Tags": {"team": "b"}"#);
        assert!(decode(&map_tags, texts).is_none(), "tags as a map");
        assert!(
            decode(r#"{"IsTruncated": false}"#, texts).is_none(),
            "no GAAD list"
        );
        assert!(decode(r#"{"RoleDetailList": null}"#, texts).is_some());
    }
}
