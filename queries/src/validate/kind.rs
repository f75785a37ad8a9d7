//! Policy kinds and AWS's size quotas for each.
//!
//! References:
//! - IAM and AWS STS quotas, <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html>:
//!   managed policy 6,144 characters; inline policies (aggregate per identity) user 2,048,
//!   group 5,120, role 10,240; role trust policy 2,048 (adjustable to 4,096); IAM does not
//!   count white space against these quotas.
//! - AWS Organizations quotas, <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html>:
//!   SCP and RCP 5,120 characters; a policy saved through the API or CLI is counted exactly
//!   as given, white space included.
//! - Amazon S3 bucket policies are limited to 20 KB; other services' resource policies have
//!   their own quotas, so for `resource` the S3 figure is applied as a warning only.

use super::finding::{Code, Finding, Severity};

/// What a policy document is used as; it decides the size quota and the elements allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyKind {
    /// A customer-managed identity policy (the default).
    Managed,
    /// An inline policy of an IAM user.
    InlineUser,
    /// An inline policy of an IAM group.
    InlineGroup,
    /// An inline policy of an IAM role.
    InlineRole,
    /// A role trust policy.
    Trust,
    /// A service control policy.
    Scp,
    /// A resource control policy.
    Rcp,
    /// A resource-based policy (bucket, key, queue, topic...).
    Resource,
}

impl PolicyKind {
    /// Every kind, with the name used on the command line.
    pub const ALL: [(PolicyKind, &'static str); 8] = [
        (PolicyKind::Managed, "managed"),
        (PolicyKind::InlineUser, "inline-user"),
        (PolicyKind::InlineGroup, "inline-group"),
        (PolicyKind::InlineRole, "inline-role"),
        (PolicyKind::Trust, "trust"),
        (PolicyKind::Scp, "scp"),
        (PolicyKind::Rcp, "rcp"),
        (PolicyKind::Resource, "resource"),
    ];

    /// Whether this kind is attached to identities (so has no `Principal`).
    pub fn is_identity(self) -> bool {
        matches!(
            self,
            PolicyKind::Managed
                | PolicyKind::InlineUser
                | PolicyKind::InlineGroup
                | PolicyKind::InlineRole
        )
    }

    /// Whether statements of this kind must name a principal.
    pub fn needs_principal(self) -> bool {
        matches!(
            self,
            PolicyKind::Trust | PolicyKind::Resource | PolicyKind::Rcp
        )
    }

    /// The quota: (limit in characters, whether white space counts, severity, description).
    fn quota(self) -> (usize, bool, Severity, &'static str) {
        use PolicyKind::*;
        match self {
            Managed => (6_144, false, Severity::Error, "managed policies"),
            InlineUser => (2_048, false, Severity::Error, "a user's inline policies"),
            InlineGroup => (5_120, false, Severity::Error, "a group's inline policies"),
            InlineRole => (10_240, false, Severity::Error, "a role's inline policies"),
            Trust => (
                2_048,
                false,
                Severity::Error,
                "role trust policies (default quota)",
            ),
            Scp => (5_120, true, Severity::Error, "service control policies"),
            Rcp => (5_120, true, Severity::Error, "resource control policies"),
            Resource => (20_480, true, Severity::Warning, "S3 bucket policies"),
        }
    }
}

/// The size finding for a document of this kind, if it is over the quota.
pub(crate) fn check_size(text: &str, kind: PolicyKind) -> Option<Finding> {
    let (limit, whitespace_counts, severity, what) = kind.quota();
    let size = if whitespace_counts {
        text.chars().count()
    } else {
        text.chars().filter(|c| !c.is_whitespace()).count()
    };
    if size <= limit {
        return None;
    }
    let counted = if whitespace_counts {
        "characters"
    } else {
        "characters excluding white space"
    };
    Some(Finding::new(
        severity,
        Code::PolicyTooLarge,
        "$".to_string(),
        format!("the document has {size} {counted}; AWS's quota for {what} is {limit}"),
    ))
}
