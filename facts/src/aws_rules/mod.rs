//! Decisions AWS makes that no policy document says: rules of the services themselves,
//! applied on top of the policy evaluation logic.
//!
//! - [`aws_owned`]: resources that AWS owns (AWS-managed policies, service-linked roles, IAM
//!   Identity Center's reserved roles, AWS-managed KMS aliases) cannot be changed by a
//!   customer's principal, whatever its policies allow: the request is `implicitDeny`.
//! - [`no_permission`]: actions that need no permission (`sts:GetCallerIdentity`) are
//!   allowed even when a policy denies them.
//! - [`refused`]: statements AWS would refuse (a resource-policy statement without
//!   `Principal`) match no one.
//!
//! [`rule_for`] is the one entry point the decision rules (`rules/src/decide.rs`) call; the
//! knowledge of which action on which resource each rule covers lives here, in `facts`,
//! like every other piece of AWS semantics.

pub mod aws_owned;
pub mod no_permission;
pub mod refused;

pub use aws_owned::AwsOwned;

/// A rule of AWS, outside every policy, that decides a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum AwsRule {
    /// The resource is owned by AWS and the action would change it: `implicitDeny` for a
    /// customer's principal.
    AwsOwned(AwsOwned),
    /// The action needs no permission: `allowed` for any authenticated caller, even when a
    /// policy denies it.
    NoPermissionRequired,
}

impl AwsRule {
    /// A stable code for output: `aws-managed-policy`, `service-linked-role`,
    /// `identity-center-role`, `aws-managed-kms-alias` or `no-permission-required`.
    pub fn code(self) -> &'static str {
        match self {
            AwsRule::AwsOwned(o) => o.code(),
            AwsRule::NoPermissionRequired => "no-permission-required",
        }
    }

    /// One sentence saying what AWS does, for people.
    pub fn reason(self) -> &'static str {
        match self {
            AwsRule::AwsOwned(o) => o.reason(),
            AwsRule::NoPermissionRequired => no_permission::REASON,
        }
    }

    /// The AWS documentation page the rule comes from.
    pub fn source(self) -> &'static str {
        match self {
            AwsRule::AwsOwned(o) => o.source(),
            AwsRule::NoPermissionRequired => no_permission::SOURCE,
        }
    }
}

/// The AWS rule that decides `action` on `resource` (an ARN, or `*`), if any. The action
/// is compared case-insensitively, as AWS compares action names.
pub fn rule_for(action: &str, resource: &str) -> Option<AwsRule> {
    if no_permission::needs_no_permission(action) {
        return Some(AwsRule::NoPermissionRequired);
    }
    aws_owned::aws_owned(action, resource).map(AwsRule::AwsOwned)
}
