//! Resources that AWS owns, and the actions by which a customer's principal would change
//! them. AWS refuses these requests whatever the caller's policies allow (the IAM API answers
//! `UnmodifiableEntity`), so iamlogic decides them `implicitDeny`.
//!
//! Each kind is recognised from the resource ARN alone, so the rule holds in every mode:
//!
//! | kind | ARN | actions | source |
//! |---|---|---|---|
//! | AWS-managed policy | `arn:<p>:iam::aws:policy/...` | [`MANAGED_POLICY_ACTIONS`] | IAM User Guide, "Edit IAM policies": "AWS managed policies cannot be edited" |
//! | service-linked role | `arn:<p>:iam::<acct>:role/aws-service-role/...` | [`SERVICE_LINKED_ROLE_ACTIONS`] | IAM User Guide, "Update a role trust policy" ("You cannot modify the trust policy for a service-linked role"), "Update a service-linked role"; IAM API Reference, `UnmodifiableEntity` |
//! | IAM Identity Center role | `arn:<p>:iam::<acct>:role/aws-reserved/sso.amazonaws.com/...` | [`IDENTITY_CENTER_ROLE_ACTIONS`] | AWS Managed Policy Reference, `AWSSSOServiceRolePolicy` (the service manages these roles) |
//! | AWS-managed KMS alias | `arn:<p>:kms:<region>:<acct>:alias/aws/...` | [`KMS_ALIAS_ACTIONS`] | AWS KMS Developer Guide, "Create aliases": "The `alias/aws/` prefix is reserved for AWS managed keys" |
//!
//! Reading these resources (`iam:GetPolicy`, `iam:GetRole`, ...), attaching an AWS-managed
//! policy to one's own role (the resource is the role), editing a service-linked role's
//! description (`iam:UpdateRole`, `iam:UpdateRoleDescription`: "You can edit the description
//! of any role") and requesting its deletion with `iam:DeleteServiceLinkedRole` stay governed
//! by policies.

use crate::arn::split_arn;

/// A kind of AWS-owned resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum AwsOwned {
    /// An AWS-managed policy (`arn:aws:iam::aws:policy/...`).
    AwsManagedPolicy,
    /// A service-linked role (path `/aws-service-role/`).
    ServiceLinkedRole,
    /// A role IAM Identity Center provisions for a permission set (path
    /// `/aws-reserved/sso.amazonaws.com/`).
    IdentityCenterRole,
    /// An alias reserved for AWS-managed KMS keys (`alias/aws/...`).
    AwsManagedKmsAlias,
}

/// Actions that change a managed policy (its versions, default version, tags, existence).
pub const MANAGED_POLICY_ACTIONS: [&str; 6] = [
    "iam:CreatePolicyVersion",
    "iam:DeletePolicy",
    "iam:DeletePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:TagPolicy",
    "iam:UntagPolicy",
];

/// Actions that change a service-linked role's trust policy, permission policies,
/// boundary, tags, or delete it other than through `iam:DeleteServiceLinkedRole`.
pub const SERVICE_LINKED_ROLE_ACTIONS: [&str; 10] = [
    "iam:UpdateAssumeRolePolicy",
    "iam:PutRolePolicy",
    "iam:DeleteRolePolicy",
    "iam:AttachRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:DeleteRole",
];

/// Actions that change an IAM Identity Center role: every write action that the service's
/// own `AWSSSOServiceRolePolicy` holds on `role/aws-reserved/sso.amazonaws.com/*`.
pub const IDENTITY_CENTER_ROLE_ACTIONS: [&str; 10] = [
    "iam:AttachRolePolicy",
    "iam:PutRolePolicy",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
    "iam:UpdateAssumeRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteRole",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
];

/// Actions that create, repoint or delete an alias.
pub const KMS_ALIAS_ACTIONS: [&str; 3] = ["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"];

impl AwsOwned {
    /// A stable code for output.
    pub fn code(self) -> &'static str {
        match self {
            AwsOwned::AwsManagedPolicy => "aws-managed-policy",
            AwsOwned::ServiceLinkedRole => "service-linked-role",
            AwsOwned::IdentityCenterRole => "identity-center-role",
            AwsOwned::AwsManagedKmsAlias => "aws-managed-kms-alias",
        }
    }

    /// What AWS does, for people.
    pub fn reason(self) -> &'static str {
        match self {
            AwsOwned::AwsManagedPolicy => {
                "AWS-managed policies are owned by AWS: no customer principal can change or delete them"
            }
            AwsOwned::ServiceLinkedRole => {
                "service-linked roles are managed by their service: no customer principal can change their trust policy, permission policies, boundary or tags, or delete them except with iam:DeleteServiceLinkedRole"
            }
            AwsOwned::IdentityCenterRole => {
                "roles under /aws-reserved/sso.amazonaws.com/ are managed by IAM Identity Center: no customer principal can change or delete them"
            }
            AwsOwned::AwsManagedKmsAlias => {
                "aliases beginning with alias/aws/ are reserved for AWS managed keys: no customer principal can create, update or delete them"
            }
        }
    }

    /// The AWS documentation page the rule comes from.
    pub fn source(self) -> &'static str {
        match self {
            AwsOwned::AwsManagedPolicy => "IAM User Guide, Edit IAM policies",
            AwsOwned::ServiceLinkedRole => {
                "IAM User Guide, Update a role trust policy; Update a service-linked role"
            }
            AwsOwned::IdentityCenterRole => "AWS Managed Policy Reference, AWSSSOServiceRolePolicy",
            AwsOwned::AwsManagedKmsAlias => "AWS KMS Developer Guide, Create aliases",
        }
    }

    /// The actions by which a customer's principal would change a resource of this kind.
    pub fn actions(self) -> &'static [&'static str] {
        match self {
            AwsOwned::AwsManagedPolicy => &MANAGED_POLICY_ACTIONS,
            AwsOwned::ServiceLinkedRole => &SERVICE_LINKED_ROLE_ACTIONS,
            AwsOwned::IdentityCenterRole => &IDENTITY_CENTER_ROLE_ACTIONS,
            AwsOwned::AwsManagedKmsAlias => &KMS_ALIAS_ACTIONS,
        }
    }
}

/// The kind of AWS-owned resource `resource` (an ARN) is, whatever the action.
pub fn owned_kind(resource: &str) -> Option<AwsOwned> {
    let [_, _partition, service, _region, account, rest] = split_arn(resource)?;
    match service {
        "iam" if account == "aws" && rest.starts_with("policy/") => {
            Some(AwsOwned::AwsManagedPolicy)
        }
        "iam" if rest.starts_with("role/aws-service-role/") => Some(AwsOwned::ServiceLinkedRole),
        "iam" if rest.starts_with("role/aws-reserved/sso.amazonaws.com/") => {
            Some(AwsOwned::IdentityCenterRole)
        }
        "kms" if rest.starts_with("alias/aws/") => Some(AwsOwned::AwsManagedKmsAlias),
        _ => None,
    }
}

/// Whether `action` on `resource` would change a resource AWS owns; the kind if so.
/// Actions compare case-insensitively; ARNs (and their paths) case-sensitively.
pub fn aws_owned(action: &str, resource: &str) -> Option<AwsOwned> {
    // Every action that changes a resource AWS owns is an IAM or a KMS action (test
    // `every_listed_action_is_an_iam_or_kms_action`): another action's resource is not
    // read (most requests' actions; splitting the ARN cost more than this).
    let service = action.get(..4)?;
    if !service.eq_ignore_ascii_case("iam:") && !service.eq_ignore_ascii_case("kms:") {
        return None;
    }
    let kind = owned_kind(resource)?;
    kind.actions()
        .iter()
        .any(|a| a.eq_ignore_ascii_case(action))
        .then_some(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What lets [`aws_owned`] skip the resource of an action of another service.
    #[test]
    fn every_listed_action_is_an_iam_or_kms_action() {
        let kinds = [
            AwsOwned::AwsManagedPolicy,
            AwsOwned::ServiceLinkedRole,
            AwsOwned::IdentityCenterRole,
            AwsOwned::AwsManagedKmsAlias,
        ];
        for kind in kinds {
            for a in kind.actions() {
                assert!(a.starts_with("iam:") || a.starts_with("kms:"), "{a}");
                // Named in any case, the action is still found.
                let upper = a.to_ascii_uppercase();
                let resource = match kind {
                    AwsOwned::AwsManagedPolicy => "arn:aws:iam::aws:policy/ReadOnlyAccess",
                    AwsOwned::ServiceLinkedRole => SLR,
                    AwsOwned::IdentityCenterRole => SSO,
                    AwsOwned::AwsManagedKmsAlias => {
                        "arn:aws:kms:us-east-1:111122223333:alias/aws/s3"
                    }
                };
                assert_eq!(aws_owned(&upper, resource), Some(kind), "{upper}");
            }
        }
        assert_eq!(aws_owned("s3:PutObject", SLR), None);
        assert_eq!(aws_owned("ia", SLR), None);
        assert_eq!(aws_owned("", SLR), None);
    }

    const SLR: &str =
        "arn:aws:iam::111122223333:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport";
    const SSO: &str = "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123456789abcdef";

    #[test]
    fn aws_managed_policies_cannot_be_edited_iam_user_guide_edit_iam_policies() {
        let p = "arn:aws:iam::aws:policy/AdministratorAccess";
        for a in MANAGED_POLICY_ACTIONS {
            assert_eq!(aws_owned(a, p), Some(AwsOwned::AwsManagedPolicy), "{a}");
        }
        assert_eq!(
            aws_owned(
                "IAM:createpolicyversion",
                "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
            ),
            Some(AwsOwned::AwsManagedPolicy)
        );
        assert_eq!(aws_owned("iam:GetPolicyVersion", p), None);
        // A customer-managed policy is the customer's.
        assert_eq!(
            aws_owned(
                "iam:CreatePolicyVersion",
                "arn:aws:iam::111122223333:policy/Mine"
            ),
            None
        );
    }

    #[test]
    fn service_linked_roles_are_managed_by_their_service_update_a_role_trust_policy() {
        for a in SERVICE_LINKED_ROLE_ACTIONS {
            assert_eq!(aws_owned(a, SLR), Some(AwsOwned::ServiceLinkedRole), "{a}");
        }
        // "You can edit the description of any role"; deletion is requested with
        // iam:DeleteServiceLinkedRole.
        assert_eq!(aws_owned("iam:UpdateRoleDescription", SLR), None);
        assert_eq!(aws_owned("iam:DeleteServiceLinkedRole", SLR), None);
        assert_eq!(aws_owned("iam:GetRole", SLR), None);
        let own = "arn:aws:iam::111122223333:role/aws-service-roleX/Mine";
        assert_eq!(aws_owned("iam:PutRolePolicy", own), None);
    }

    #[test]
    fn identity_center_roles_are_managed_by_the_service_awsssoservicerolepolicy() {
        for a in IDENTITY_CENTER_ROLE_ACTIONS {
            assert_eq!(aws_owned(a, SSO), Some(AwsOwned::IdentityCenterRole), "{a}");
        }
        assert_eq!(aws_owned("iam:GetRole", SSO), None);
        // The path, not the name, marks the role.
        let lookalike = "arn:aws:iam::111122223333:role/AWSReservedSSO_Admin_0123456789abcdef";
        assert_eq!(aws_owned("iam:PutRolePolicy", lookalike), None);
    }

    #[test]
    fn alias_aws_prefix_is_reserved_kms_create_aliases() {
        let alias = "arn:aws:kms:eu-west-1:111122223333:alias/aws/s3";
        for a in KMS_ALIAS_ACTIONS {
            assert_eq!(
                aws_owned(a, alias),
                Some(AwsOwned::AwsManagedKmsAlias),
                "{a}"
            );
        }
        assert_eq!(
            aws_owned(
                "kms:DeleteAlias",
                "arn:aws:kms:eu-west-1:111122223333:alias/awsome"
            ),
            None
        );
        assert_eq!(aws_owned("kms:DeleteAlias", "*"), None);
    }
}
