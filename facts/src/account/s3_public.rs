//! S3 access settings beyond the bucket policy: Block Public Access (account and bucket
//! level), bucket ACLs and Object Ownership, as the loader reads them
//! (`aws s3control get-public-access-block`, `aws s3api get-public-access-block`,
//! `get-bucket-acl`, `get-bucket-ownership-controls`; see `docs/inputs.md`).
//!
//! References (Amazon S3 User Guide): "Blocking public access to your Amazon S3 storage"
//! (the four settings; "Amazon S3 applies the most restrictive combination of the access
//! point, bucket, and account settings"), "Access control list (ACL) overview" (grantees and
//! permissions) and "Controlling ownership of objects and disabling ACLs for your bucket"
//! (with `BucketOwnerEnforced`, "ACLs no longer affect permissions").

use super::model::{AccountId, Source};

/// The four S3 Block Public Access settings, at account or bucket level. A setting the
/// output does not give is `false`, as S3 treats it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicAccessBlock {
    /// `BlockPublicAcls`: rejects new public ACLs (changes no access to existing data).
    pub block_public_acls: bool,
    /// `IgnorePublicAcls`: grants to `AllUsers` and `AuthenticatedUsers` have no effect.
    pub ignore_public_acls: bool,
    /// `BlockPublicPolicy`: rejects new public bucket policies (changes no existing access).
    pub block_public_policy: bool,
    /// `RestrictPublicBuckets`: a public bucket policy grants only to AWS service principals
    /// and principals of the bucket owner's account.
    pub restrict_public_buckets: bool,
    /// Where the settings are written.
    pub source: Source,
}

/// The S3 Object Ownership setting of a bucket (`get-bucket-ownership-controls`). A bucket
/// without ownership controls behaves as [`ObjectOwnership::ObjectWriter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectOwnership {
    /// `BucketOwnerEnforced`: ACLs are disabled and grant nothing.
    BucketOwnerEnforced,
    /// `BucketOwnerPreferred`: ACLs are in effect.
    BucketOwnerPreferred,
    /// `ObjectWriter`: ACLs are in effect.
    ObjectWriter,
}

impl ObjectOwnership {
    /// The setting named as AWS names it.
    pub fn parse(text: &str) -> Option<ObjectOwnership> {
        Some(match text {
            "BucketOwnerEnforced" => ObjectOwnership::BucketOwnerEnforced,
            "BucketOwnerPreferred" => ObjectOwnership::BucketOwnerPreferred,
            "ObjectWriter" => ObjectOwnership::ObjectWriter,
            _ => return None,
        })
    }
}

/// An ACL permission ("Access control list (ACL) overview", "What permissions can I grant?").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AclPermission {
    /// `READ`: list the bucket.
    Read,
    /// `WRITE`: create objects in the bucket.
    Write,
    /// `READ_ACP`: read the bucket ACL.
    ReadAcp,
    /// `WRITE_ACP`: write the bucket ACL.
    WriteAcp,
    /// `FULL_CONTROL`: all four.
    FullControl,
}

impl AclPermission {
    /// Parse AWS's name (`READ`, `WRITE`, `READ_ACP`, `WRITE_ACP`, `FULL_CONTROL`).
    pub fn parse(text: &str) -> Option<AclPermission> {
        Some(match text {
            "READ" => AclPermission::Read,
            "WRITE" => AclPermission::Write,
            "READ_ACP" => AclPermission::ReadAcp,
            "WRITE_ACP" => AclPermission::WriteAcp,
            "FULL_CONTROL" => AclPermission::FullControl,
            _ => return None,
        })
    }

    /// AWS's name of the permission.
    pub fn name(self) -> &'static str {
        match self {
            AclPermission::Read => "READ",
            AclPermission::Write => "WRITE",
            AclPermission::ReadAcp => "READ_ACP",
            AclPermission::WriteAcp => "WRITE_ACP",
            AclPermission::FullControl => "FULL_CONTROL",
        }
    }

    /// The S3 actions this permission allows when granted on a bucket, with whether they
    /// act on the bucket (`false`: on its objects). "Access control list (ACL) overview",
    /// "Mapping of ACL permissions and access policy permissions": READ → `s3:ListBucket`,
    /// `s3:ListBucketVersions`, `s3:ListBucketMultipartUploads`; WRITE → `s3:PutObject`
    /// (deleting or overwriting existing objects needs their ownership, which bucket data does
    /// not describe); READ_ACP → `s3:GetBucketAcl`; WRITE_ACP → `s3:PutBucketAcl`;
    /// FULL_CONTROL → all of them.
    pub fn bucket_actions(self) -> Vec<(&'static str, bool)> {
        let read = [
            ("s3:ListBucket", true),
            ("s3:ListBucketVersions", true),
            ("s3:ListBucketMultipartUploads", true),
        ];
        let write = [("s3:PutObject", false)];
        let read_acp = [("s3:GetBucketAcl", true)];
        let write_acp = [("s3:PutBucketAcl", true)];
        match self {
            AclPermission::Read => read.to_vec(),
            AclPermission::Write => write.to_vec(),
            AclPermission::ReadAcp => read_acp.to_vec(),
            AclPermission::WriteAcp => write_acp.to_vec(),
            AclPermission::FullControl => read
                .iter()
                .chain(&write)
                .chain(&read_acp)
                .chain(&write_acp)
                .copied()
                .collect(),
        }
    }
}

/// Who an ACL grant is to ("Access control list (ACL) overview", "Who is a grantee?").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AclGrantee {
    /// The `AllUsers` group (`http://acs.amazonaws.com/groups/global/AllUsers`): anyone,
    /// signed or anonymous. Public.
    AllUsers,
    /// The `AuthenticatedUsers` group: any signed request of any AWS account. Public.
    AuthenticatedUsers,
    /// The `LogDelivery` group: S3 server access logging (the service principal
    /// `logging.s3.amazonaws.com`).
    LogDelivery,
    /// An AWS account by canonical user id; `account` is the account the loaded data maps
    /// the id to (the owner of a bucket ACL with that owner id), when any.
    Account {
        /// The canonical user id.
        canonical_id: String,
        /// The 12-digit account, resolved when the model is finished.
        account: Option<AccountId>,
    },
    /// An account by e-mail address (`AmazonCustomerByEmail`): the data cannot tell which
    /// account; it grants nothing here (a warning says so).
    Email {
        /// The address.
        address: String,
    },
}

impl AclGrantee {
    /// Whether the grant is public ("The meaning of public", ACLs: "if it grants any
    /// permissions to members of the predefined AllUsers or AuthenticatedUsers groups").
    pub fn is_public(&self) -> bool {
        matches!(self, AclGrantee::AllUsers | AclGrantee::AuthenticatedUsers)
    }
}

/// One grant of an ACL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AclGrant {
    /// The grantee.
    pub grantee: AclGrantee,
    /// The permission.
    pub permission: AclPermission,
    /// Where the grant is written.
    pub source: Source,
}

/// A bucket ACL (`aws s3api get-bucket-acl`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketAcl {
    /// `Owner.ID`: the canonical user id of the bucket owner's account.
    pub owner: Option<String>,
    /// `Grants`, in order.
    pub grants: Vec<AclGrant>,
    /// Where the ACL is written.
    pub source: Source,
}

/// The S3 settings of one bucket beyond its policy.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BucketAccess {
    /// The bucket's own Block Public Access settings.
    pub public_access_block: Option<PublicAccessBlock>,
    /// The bucket ACL.
    pub acl: Option<BucketAcl>,
    /// The Object Ownership setting, when the input gives it.
    pub ownership: Option<ObjectOwnership>,
}

/// The Block Public Access settings in force for a bucket: "the most restrictive combination"
/// of the account's and the bucket's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EffectiveBlock {
    /// `IgnorePublicAcls` at account or bucket level.
    pub ignore_public_acls: bool,
    /// `RestrictPublicBuckets` at account or bucket level.
    pub restrict_public_buckets: bool,
}

impl EffectiveBlock {
    /// Combine the account-level and bucket-level settings (either may be absent).
    pub fn combine(
        account: Option<&PublicAccessBlock>,
        bucket: Option<&PublicAccessBlock>,
    ) -> EffectiveBlock {
        let any =
            |f: fn(&PublicAccessBlock) -> bool| account.is_some_and(f) || bucket.is_some_and(f);
        EffectiveBlock {
            ignore_public_acls: any(|b| b.ignore_public_acls),
            restrict_public_buckets: any(|b| b.restrict_public_buckets),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use std::sync::Arc;

    fn block(ignore: bool, restrict: bool) -> PublicAccessBlock {
        PublicAccessBlock {
            block_public_acls: false,
            ignore_public_acls: ignore,
            block_public_policy: false,
            restrict_public_buckets: restrict,
            source: Source {
                file: Arc::new(PathBuf::from("x.json")),
                path: Default::default(),
            },
        }
    }

    #[test]
    fn the_most_restrictive_combination_applies() {
        // "Blocking public access to your Amazon S3 storage": "If the block public access
        // settings for the access point, bucket, or account differ, then Amazon S3 applies
        // the most restrictive combination".
        let e = EffectiveBlock::combine(Some(&block(true, false)), Some(&block(false, true)));
        assert!(e.ignore_public_acls && e.restrict_public_buckets);
        assert_eq!(
            EffectiveBlock::combine(None, None),
            EffectiveBlock::default()
        );
        let e = EffectiveBlock::combine(None, Some(&block(false, true)));
        assert!(!e.ignore_public_acls && e.restrict_public_buckets);
    }

    #[test]
    fn full_control_is_the_four_permissions() {
        // "Access control list (ACL) overview": FULL_CONTROL "is equivalent to granting
        // READ, WRITE, READ_ACP, and WRITE_ACP".
        let all: Vec<_> = [
            AclPermission::Read,
            AclPermission::Write,
            AclPermission::ReadAcp,
            AclPermission::WriteAcp,
        ]
        .iter()
        .flat_map(|p| p.bucket_actions())
        .collect();
        assert_eq!(AclPermission::FullControl.bucket_actions(), all);
        assert_eq!(
            AclPermission::Read.bucket_actions(),
            [
                ("s3:ListBucket", true),
                ("s3:ListBucketVersions", true),
                ("s3:ListBucketMultipartUploads", true)
            ]
        );
    }
}
