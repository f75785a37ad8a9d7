//! Filling the request context with the global condition keys that AWS itself adds, from
//! the loaded model. A key the request already has is never overridden; keys only the live
//! request can carry (`aws:SourceIp`, `aws:MultiFactorAuthPresent`, `aws:SecureTransport`,
//! `aws:CurrentTime`, `aws:SourceVpce`, ...) are never invented and stay absent unless given.
//! `docs/context-keys.md` lists every key and where its value comes from.
//!
//! References (IAM User Guide): "AWS global condition context keys" (the availability of
//! each principal and resource key) and "IAM policy elements: Variables and tags", table
//! "Principal key values" (the values of `aws:username`, `aws:userid` and
//! `aws:PrincipalType` per kind of principal).

use super::model::{AccountId, Model, Tags};
use crate::arn::Arn;
use crate::request::{ContextValue, Request, RequestPrincipal};

/// The value AWS gives `aws:PrincipalType` (the "Principal key values" table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalType {
    /// The account root user (`arn:aws:iam::<account>:root`).
    Account,
    /// An IAM user.
    User,
    /// An STS federated user (`arn:aws:sts::<account>:federated-user/<name>`).
    FederatedUser,
    /// A role session (`arn:aws:sts::<account>:assumed-role/<role>/<session>`); iamlogic
    /// also uses it for a bare role ARN given as the caller.
    AssumedRole,
    /// An unauthenticated caller.
    Anonymous,
}

impl PrincipalType {
    /// The text AWS puts in the request context.
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalType::Account => "Account",
            PrincipalType::User => "User",
            PrincipalType::FederatedUser => "FederatedUser",
            PrincipalType::AssumedRole => "AssumedRole",
            PrincipalType::Anonymous => "Anonymous",
        }
    }
}

/// What the caller's ARN denotes, resolved against the model.
struct Caller<'m> {
    kind: PrincipalType,
    /// `aws:PrincipalArn`: for a role session, the role's ARN (with its path when the model
    /// knows the role), not the session ARN.
    principal_arn: String,
    account: AccountId,
    username: Option<String>,
    userid: Option<String>,
    tags: Option<&'m Tags>,
}

/// Classify an IAM/STS caller ARN and look it up in the model.
fn caller<'m>(model: &'m Model, arn_text: &str) -> Option<Caller<'m>> {
    let arn = Arn::parse(arn_text)?;
    let account = AccountId::parse(&arn.account)?;
    let (kind_part, rest) = arn
        .resource
        .split_once('/')
        .unwrap_or((arn.resource.as_str(), ""));
    match (arn.service.as_str(), kind_part) {
        ("iam", "root") => Some(Caller {
            kind: PrincipalType::Account,
            principal_arn: arn_text.to_string(),
            userid: Some(account.0.clone()),
            account,
            username: None,
            tags: None,
        }),
        ("iam", "user") => {
            let user = model.users.get(arn_text);
            let name = rest.rsplit('/').next().unwrap_or(rest).to_string();
            Some(Caller {
                kind: PrincipalType::User,
                principal_arn: arn_text.to_string(),
                account,
                username: Some(user.map_or(name, |u| u.name.clone())),
                userid: user.map(|u| u.id.clone()).filter(|id| !id.is_empty()),
                tags: user.map(|u| &u.tags),
            })
        }
        ("iam", "role") => {
            let role = model.roles.get(arn_text);
            Some(Caller {
                kind: PrincipalType::AssumedRole,
                principal_arn: arn_text.to_string(),
                account,
                username: None,
                userid: None,
                tags: role.map(|r| &r.tags),
            })
        }
        ("sts", "assumed-role") => {
            let (role_name, session) = rest.split_once('/')?;
            let role = model
                .roles
                .values()
                .find(|r| r.account == account && r.name == role_name);
            let principal_arn = role.map_or_else(
                || format!("arn:{}:iam::{}:role/{role_name}", arn.partition, account),
                |r| r.arn.clone(),
            );
            Some(Caller {
                kind: PrincipalType::AssumedRole,
                principal_arn,
                userid: role
                    .filter(|r| !r.id.is_empty())
                    .map(|r| format!("{}:{session}", r.id)),
                account,
                username: None,
                tags: role.map(|r| &r.tags),
            })
        }
        ("sts", "federated-user") => Some(Caller {
            kind: PrincipalType::FederatedUser,
            principal_arn: arn_text.to_string(),
            userid: Some(format!("{account}:{rest}")),
            account,
            username: None,
            tags: None,
        }),
        _ => None,
    }
}

/// Add to `req.context` every global key AWS would fill for this caller and resource, from
/// `model`, unless the request already gives it (see the module documentation).
pub fn fill(model: &Model, req: &mut Request) {
    let ctx = &mut req.context;
    let single = |v: &str| ContextValue::Single(v.to_string());
    let org = model.organization.as_ref();
    match &req.principal {
        RequestPrincipal::Anonymous => {
            ctx.insert_default(
                "aws:PrincipalType",
                single(PrincipalType::Anonymous.as_str()),
            );
            ctx.insert_default("aws:userid", single("anonymous"));
        }
        RequestPrincipal::Service { name } => {
            ctx.insert_default("aws:PrincipalIsAWSService", single("true"));
            ctx.insert_default("aws:PrincipalServiceName", single(name));
        }
        RequestPrincipal::Aws { arn } => {
            if let Some(c) = caller(model, arn) {
                ctx.insert_default("aws:PrincipalArn", single(&c.principal_arn));
                ctx.insert_default("aws:PrincipalAccount", single(c.account.as_str()));
                ctx.insert_default("aws:PrincipalType", single(c.kind.as_str()));
                ctx.insert_default("aws:PrincipalIsAWSService", single("false"));
                if let Some(u) = &c.username {
                    ctx.insert_default("aws:username", single(u));
                }
                if let Some(id) = &c.userid {
                    ctx.insert_default("aws:userid", single(id));
                }
                if let Some(tags) = c.tags {
                    for (k, v) in tags {
                        ctx.insert_default(&format!("aws:PrincipalTag/{k}"), single(v));
                    }
                }
                if let Some(o) = org.filter(|o| o.accounts.contains_key(&c.account)) {
                    ctx.insert_default("aws:PrincipalOrgID", single(&o.id));
                    if let Some(p) = o.org_path(&c.account) {
                        ctx.insert_default("aws:PrincipalOrgPaths", ContextValue::Multi(vec![p]));
                    }
                }
            }
        }
        RequestPrincipal::Federated { .. } | RequestPrincipal::CanonicalUser { .. } => {}
    }

    let resource = model.resources.get(&req.resource);
    let resource_account = resource
        .and_then(|r| r.account.clone())
        .or_else(|| s3_bucket_account(model, &req.resource))
        .or_else(|| Arn::parse(&req.resource).and_then(|a| AccountId::parse(&a.account)));
    if let Some(acct) = &resource_account {
        ctx.insert_default("aws:ResourceAccount", single(acct.as_str()));
        if let Some(o) = org.filter(|o| o.accounts.contains_key(acct)) {
            ctx.insert_default("aws:ResourceOrgID", single(&o.id));
            if let Some(p) = o.org_path(acct) {
                ctx.insert_default("aws:ResourceOrgPaths", ContextValue::Multi(vec![p]));
            }
        }
    }
    if let Some(r) = resource {
        for (k, v) in &r.tags {
            ctx.insert_default(&format!("aws:ResourceTag/{k}"), single(v));
        }
    }
    // A role is also a resource (of sts:AssumeRole*, iam:*): its tags are its resource tags.
    if let Some(role) = model.roles.get(&req.resource) {
        for (k, v) in &role.tags {
            ctx.insert_default(&format!("aws:ResourceTag/{k}"), single(v));
        }
    }
    if let Some(user) = model.users.get(&req.resource) {
        for (k, v) in &user.tags {
            ctx.insert_default(&format!("aws:ResourceTag/{k}"), single(v));
        }
    }
}

/// An S3 object ARN (`arn:aws:s3:::bucket/key`) has no account part: its owner is the
/// bucket's account, when the model knows the bucket.
fn s3_bucket_account(model: &Model, resource: &str) -> Option<AccountId> {
    let rest = resource.strip_prefix("arn:")?;
    let (partition, rest) = rest.split_once(':')?;
    let object = rest.strip_prefix("s3:::")?;
    let (bucket, _key) = object.split_once('/')?;
    model
        .resources
        .get(&format!("arn:{partition}:s3:::{bucket}"))
        .and_then(|r| r.account.clone())
}
