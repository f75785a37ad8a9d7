//! S3 access beyond the bucket policy, compiled into the fact tables: bucket ACLs become a
//! second resource-based policy of the bucket (`<bucket ARN>#acl`), and a public bucket
//! policy under S3 Block Public Access `RestrictPublicBuckets` is listed in
//! [`FactTables::s3_restricted_policies`] for the decision rules.
//!
//! References (Amazon S3 User Guide):
//! - "Access control list (ACL) overview": a bucket ACL grants each grantee the access policy
//!   permissions its permission maps to ("Mapping of ACL permissions and access policy
//!   permissions"); the `AllUsers` group is anyone, signed or not; `AuthenticatedUsers` is
//!   any AWS account ("all requests must be signed"); a canonical user id is an AWS account.
//!   ACLs are resource-based grants, evaluated with the bucket policy ("How Amazon S3
//!   authorizes a request").
//! - "Controlling ownership of objects and disabling ACLs for your bucket": with
//!   `BucketOwnerEnforced`, "ACLs no longer affect permissions".
//! - "Blocking public access to your Amazon S3 storage": `IgnorePublicAcls` "causes Amazon S3
//!   to ignore all public ACLs on a bucket"; `RestrictPublicBuckets` "restricts access to an
//!   access point or bucket with a public policy to only AWS service principals and
//!   authorized users within the bucket owner's account"; public as "The meaning of public"
//!   defines it ([`crate::public::policy_is_public`]).

use std::sync::Arc;

use super::{FactTables, PolicyId, Sym, TablesBuilder};
use crate::account::{AclGrantee, BucketAcl, EffectiveBlock, Model};
use crate::condition::{BaseOperator, ConditionOperator};
use crate::policy::{
    ActionClause, ActionPattern, Condition, Effect, Policy, PolicyVersion, PrincipalClause,
    PrincipalEntry, Principals, ResourceClause, ResourcePattern, Statement,
};

/// The service principal of S3 server access logging, which the `LogDelivery` group stands
/// for (Amazon S3 User Guide, "Enabling Amazon S3 server access logging": grant
/// `logging.s3.amazonaws.com` instead of the ACL group).
const LOG_DELIVERY_SERVICE: &str = "logging.s3.amazonaws.com";

/// Add the ACL policies and the restricted public policies of every bucket of `model`.
/// Call after the buckets' own resource policies are attached.
pub(super) fn add(b: &mut TablesBuilder, model: &Model) {
    for (arn, access) in &model.s3_buckets {
        let Some(res) = model.resources.get(arn) else {
            continue;
        };
        let owner = res.account.as_ref();
        let account_block = owner.and_then(|a| model.s3_account_blocks.get(a));
        let block = EffectiveBlock::combine(account_block, access.public_access_block.as_ref());
        let x = b.sym(arn);
        if block.restrict_public_buckets {
            restrict_public_policies(b, x);
        }
        let enforced =
            access.ownership == Some(crate::account::ObjectOwnership::BucketOwnerEnforced);
        if let (Some(acl), false) = (&access.acl, enforced) {
            let owner_id = owner.map(|a| a.as_str());
            if let Some(doc) = acl_policy(arn, acl, owner_id, block.ignore_public_acls) {
                let id = b.policy(&format!("{arn}#acl"), Arc::new(doc));
                b.attach_resource_policy(x, id);
            }
        }
    }
    // Buckets without settings of their own still fall under their account's settings.
    for res in model.resources.values() {
        if model.s3_buckets.contains_key(&res.arn)
            || res.resource_type != crate::account::ResourceType::S3Bucket
        {
            continue;
        }
        let block = EffectiveBlock::combine(
            res.account
                .as_ref()
                .and_then(|a| model.s3_account_blocks.get(a)),
            None,
        );
        if block.restrict_public_buckets {
            let x = b.sym(&res.arn);
            restrict_public_policies(b, x);
        }
    }
}

/// List every public policy already attached to bucket `x` as restricted.
fn restrict_public_policies(b: &mut TablesBuilder, x: Sym) {
    let t: &FactTables = b.tables();
    let public: Vec<PolicyId> = t
        .resource_policies
        .iter()
        .filter(|&&(r, p)| {
            r == x
                && t.policies
                    .get(p as usize)
                    .is_some_and(|row| crate::public::policy_is_public(&row.document))
        })
        .map(|&(_, p)| p)
        .collect();
    for p in public {
        b.restrict_public_policy(x, p);
    }
}

/// The bucket ACL as a resource-based policy: one `Allow` statement per grant and kind of
/// resource (the bucket, or its objects for `WRITE`), with the grant named in its `Sid`
/// (`Grants[1] AllUsers READ`). Grants to the owner's own account add nothing (the owner's
/// IAM identities still need identity-based permission, and the account has full control
/// anyway) and are left out; public grants are left out under `IgnorePublicAcls`, grants to
/// e-mail addresses always (a warning named them when loading). `None` when nothing is left.
fn acl_policy(
    bucket: &str,
    acl: &BucketAcl,
    owner: Option<&str>,
    ignore_public: bool,
) -> Option<Policy> {
    let mut statements = Vec::new();
    for (i, g) in acl.grants.iter().enumerate() {
        if ignore_public && g.grantee.is_public() {
            continue;
        }
        let (label, principal, conditions) = match &g.grantee {
            AclGrantee::AllUsers => ("AllUsers".to_string(), Principals::Any, vec![]),
            AclGrantee::AuthenticatedUsers => (
                "AuthenticatedUsers".to_string(),
                Principals::Specific(vec![PrincipalEntry::Aws("*".to_string())]),
                // Signed requests only: AWS fills aws:PrincipalAccount for every
                // authenticated AWS principal and never for an anonymous one.
                vec![Condition {
                    operator: ConditionOperator {
                        qualifier: None,
                        base: BaseOperator::Null,
                        if_exists: false,
                    },
                    key: "aws:PrincipalAccount".to_string(),
                    values: vec!["false".to_string()],
                }],
            ),
            AclGrantee::LogDelivery => (
                "LogDelivery".to_string(),
                Principals::Specific(vec![PrincipalEntry::Service(
                    LOG_DELIVERY_SERVICE.to_string(),
                )]),
                vec![],
            ),
            AclGrantee::Account {
                canonical_id,
                account,
            } => {
                if account.is_some() && account.as_ref().map(|a| a.as_str()) == owner {
                    continue;
                }
                let mut entries = vec![PrincipalEntry::CanonicalUser(canonical_id.clone())];
                if let Some(a) = account {
                    entries.insert(0, PrincipalEntry::Aws(a.as_str().to_string()));
                }
                let label = match account {
                    Some(a) => format!("account {a}"),
                    None => format!("canonical user {canonical_id}"),
                };
                (label, Principals::Specific(entries), vec![])
            }
            AclGrantee::Email { .. } => continue,
        };
        let actions = g.permission.bucket_actions();
        for on_bucket in [true, false] {
            let names: Vec<ActionPattern> = actions
                .iter()
                .filter(|(_, b)| *b == on_bucket)
                .map(|(a, _)| ActionPattern((*a).to_string()))
                .collect();
            if names.is_empty() {
                continue;
            }
            let resource = if on_bucket {
                bucket.to_string()
            } else {
                format!("{bucket}/*")
            };
            statements.push(Statement {
                index: statements.len(),
                sid: Some(format!("Grants[{i}] {label} {}", g.permission.name())),
                effect: Effect::Allow,
                action: ActionClause::Action(names),
                resource: Some(ResourceClause::Resource(vec![ResourcePattern(resource)])),
                principal: Some(PrincipalClause::Principal(principal.clone())),
                conditions: conditions.clone(),
            });
        }
    }
    (!statements.is_empty()).then_some(Policy {
        version: PolicyVersion::V2012_10_17,
        version_given: true,
        id: None,
        statements,
    })
}
