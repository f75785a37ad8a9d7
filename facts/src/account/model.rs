//! The resolved account model: what the loader ([`super::load`]) builds from GAAD files,
//! resource policies, an organization and a credential report.
//!
//! Everything is keyed by ARN (or by id for organization nodes) in insertion order, so that
//! the fact tables compiled from a model are deterministic. Every policy document keeps its
//! [`Source`] (file and JSON path) for error messages and explanations. Input that the model
//! cannot use is never dropped silently: it becomes a [`Warning`] in [`Model::warnings`].

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use indexmap::IndexMap;

use crate::error::JsonPath;
use crate::policy::Policy;

/// Tags of a principal or resource: key → value, in input order. AWS tag keys are unique
/// per entity; the keys keep the case they were given in.
pub type Tags = IndexMap<String, String>;

/// The model's entities by ARN (or id): looked up many times per request when requests are
/// filled and resolved, with keys from the user's own data, so hashed with the fast
/// [`crate::hash::FxHasher`] rather than SipHash (the keys are not an adversary's).
pub type ByArn<T> = IndexMap<String, T, crate::hash::FxBuild>;

/// A 12-digit AWS account id, taken from ARNs (`arn:aws:iam::111122223333:user/x`) or
/// from the organization.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(pub String);

impl AccountId {
    /// `Some` when `text` is exactly twelve ASCII digits, as AWS account ids are.
    pub fn parse(text: &str) -> Option<AccountId> {
        if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
            Some(AccountId(text.to_string()))
        } else {
            None
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a piece of the model came from: the input file and the JSON path inside it
/// (for a CSV credential report, the path is `row[N]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The input file (shared between every item read from it). For policies taken from the
    /// bundled AWS-managed snapshot this is `<bundled AWS-managed policy snapshot>`.
    pub file: Arc<PathBuf>,
    /// The JSON path of the item inside the file, e.g. `UserDetailList[3].UserPolicyList[0]`.
    pub path: JsonPath,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.0.is_empty() {
            write!(f, "{}", self.file.display())
        } else {
            write!(f, "{}: {}", self.file.display(), self.path)
        }
    }
}

/// The whole loaded model. Build it with [`super::load`].
#[derive(Debug, Clone, Default)]
pub struct Model {
    /// Every account seen: from principal/policy/resource ARNs and from the organization.
    pub accounts: std::collections::BTreeSet<AccountId>,
    /// IAM users by ARN.
    pub users: ByArn<User>,
    /// IAM groups by ARN.
    pub groups: ByArn<Group>,
    /// IAM roles by ARN.
    pub roles: ByArn<Role>,
    /// Managed policies (customer-managed and AWS-managed) by ARN, each with its default
    /// version's document. AWS-managed policies that the input attached but did not contain
    /// are added from the bundled snapshot ([`ManagedPolicy::from_snapshot`]).
    pub policies: ByArn<ManagedPolicy>,
    /// Resources (with their resource-based policy, when known) by ARN.
    pub resources: ByArn<Resource>,
    /// The AWS Organizations loaded (one per `organization.json`); an account belongs to the
    /// one that lists it ([`Model::organization_of`]). A data set may span organizations.
    pub organizations: Vec<Organization>,
    /// VPC endpoints by id (`vpce-...`), from `resources.json` entries of type
    /// `ec2:vpc-endpoint` and `aws ec2 describe-vpc-endpoints` output. A request whose
    /// `aws:SourceVpce` names one is also evaluated against its endpoint policy.
    pub vpc_endpoints: ByArn<VpcEndpoint>,
    /// Rows of IAM credential reports, in input order.
    pub credential_report: Vec<CredentialReportRow>,
    /// Compute that runs with a role (Lambda functions, EC2 instances, stacks, projects...),
    /// from the services' listing outputs and `role` members of `resources.json`.
    pub compute: Vec<Compute>,
    /// Non-fatal problems: unresolved attachments, duplicates, unsupported elements...
    pub warnings: Vec<Warning>,
    /// S3 Block Public Access settings of accounts (`aws s3control get-public-access-block`).
    pub s3_account_blocks: IndexMap<AccountId, super::s3_public::PublicAccessBlock>,
    /// S3 settings of buckets beyond their policy (Block Public Access, ACL, Object
    /// Ownership), by bucket ARN; every bucket here is also in [`Model::resources`].
    pub s3_buckets: ByArn<super::s3_public::BucketAccess>,
    /// S3 canonical user ids by the `aws s3api list-buckets` outputs that name them: id →
    /// account.
    pub s3_canonical_ids: IndexMap<String, AccountId>,
    /// IAM password policies of accounts (`aws iam get-account-password-policy`), for audits;
    /// no decision depends on them. An account absent here was not collected.
    pub password_policies: IndexMap<AccountId, PasswordPolicyState>,
    /// IAM account summaries (`aws iam get-account-summary`), for audits; no decision
    /// depends on them.
    pub account_summaries: IndexMap<AccountId, AccountSummary>,
}

/// What an account's password policy input says (IAM API Reference,
/// "GetAccountPasswordPolicy": an account without a custom policy answers `NoSuchEntity`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordPolicyState {
    /// The account has no password policy: IAM's defaults apply.
    NoPolicy,
    /// The account's password policy.
    Set(PasswordPolicy),
}

/// An IAM account password policy (IAM API Reference, "PasswordPolicy"). A flag absent
/// from the output is `false`; a number absent is `None` (not set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// `MinimumPasswordLength`.
    pub minimum_password_length: Option<u32>,
    /// `RequireSymbols`.
    pub require_symbols: bool,
    /// `RequireNumbers`.
    pub require_numbers: bool,
    /// `RequireUppercaseCharacters`.
    pub require_uppercase_characters: bool,
    /// `RequireLowercaseCharacters`.
    pub require_lowercase_characters: bool,
    /// `AllowUsersToChangePassword`.
    pub allow_users_to_change_password: bool,
    /// `ExpirePasswords`.
    pub expire_passwords: bool,
    /// `MaxPasswordAge`, in days.
    pub max_password_age: Option<u32>,
    /// `PasswordReusePrevention`: how many previous passwords cannot be reused.
    pub password_reuse_prevention: Option<u32>,
    /// `HardExpiry`: users cannot set a new password once theirs has expired.
    pub hard_expiry: bool,
}

/// An IAM account summary (IAM API Reference, "GetAccountSummary"): every `SummaryMap`
/// entry (entity counts and quotas, `AccountMFAEnabled`, `AccountAccessKeysPresent`...).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccountSummary {
    /// Entry name → value.
    pub entries: std::collections::BTreeMap<String, u32>,
}

impl AccountSummary {
    /// The value of entry `name`, if the summary has it.
    pub fn get(&self, name: &str) -> Option<u32> {
        self.entries.get(name).copied()
    }
}

impl Model {
    /// The organization that lists `account` (its management account included), if any.
    /// The loader rejects an account listed by two organizations, so there is at most one.
    pub fn organization_of(&self, account: &AccountId) -> Option<&Organization> {
        self.organizations
            .iter()
            .find(|o| o.accounts.contains_key(account))
    }
}

/// A VPC endpoint and its endpoint policy (Amazon VPC, "Control access to VPC endpoints
/// using endpoint policies").
#[derive(Debug, Clone, PartialEq)]
pub struct VpcEndpoint {
    /// `VpcEndpointId`, `vpce-...` (the value of `aws:SourceVpce` for requests through it).
    pub id: String,
    /// `VpcId`, the VPC the endpoint is in (`aws:SourceVpc`), when given.
    pub vpc_id: Option<String>,
    /// `OwnerId`, the account that owns the endpoint, when given.
    pub account: Option<AccountId>,
    /// The endpoint policy (`PolicyDocument`). `None` when the endpoint has none (a service
    /// that does not support endpoint policies): AWS then allows full access through it.
    pub policy: Option<InlinePolicy>,
    /// Where the endpoint is described.
    pub source: Source,
}

/// A reference from a principal to a managed policy (attached policy or boundary).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyAttachment {
    /// The policy ARN as the input gives it; look it up in [`Model::policies`]. When it is
    /// absent there, a [`WarningKind::UnresolvedPolicy`] names it.
    pub arn: String,
    /// The policy name, when the input gives it.
    pub name: Option<String>,
    /// Where the attachment is written.
    pub source: Source,
}

/// An inline policy embedded in a user, group or role.
#[derive(Debug, Clone, PartialEq)]
pub struct InlinePolicy {
    /// The `PolicyName`.
    pub name: String,
    /// The parsed document (shared with the fact tables compiled from the model).
    pub document: Arc<Policy>,
    /// Where the document is written.
    pub source: Source,
}

/// An IAM user.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    /// `arn:aws:iam::<account>:user<path><name>`.
    pub arn: String,
    /// `UserName`.
    pub name: String,
    /// `UserId` (the unique `AIDA...` id that `aws:userid` holds).
    pub id: String,
    /// `Path`, `/` by default.
    pub path: String,
    /// The owning account, from the ARN.
    pub account: AccountId,
    /// `Tags` (the values of `aws:PrincipalTag/*`).
    pub tags: Tags,
    /// ARNs of the groups the user is a member of (resolved from `GroupList` names within the
    /// same account; an unknown group name is kept as `arn:...:group/<name>` with a warning).
    pub groups: Vec<String>,
    /// `UserPolicyList`.
    pub inline_policies: Vec<InlinePolicy>,
    /// `AttachedManagedPolicies`.
    pub attached_policies: Vec<PolicyAttachment>,
    /// `PermissionsBoundary`.
    pub permissions_boundary: Option<PolicyAttachment>,
    /// Where the user is described.
    pub source: Source,
}

/// An IAM group.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// `arn:aws:iam::<account>:group<path><name>`.
    pub arn: String,
    /// `GroupName`.
    pub name: String,
    /// `GroupId`.
    pub id: String,
    /// `Path`.
    pub path: String,
    /// The owning account.
    pub account: AccountId,
    /// `GroupPolicyList`.
    pub inline_policies: Vec<InlinePolicy>,
    /// `AttachedManagedPolicies`.
    pub attached_policies: Vec<PolicyAttachment>,
    /// Where the group is described.
    pub source: Source,
}

/// An IAM role.
#[derive(Debug, Clone, PartialEq)]
pub struct Role {
    /// `arn:aws:iam::<account>:role<path><name>`.
    pub arn: String,
    /// `RoleName`.
    pub name: String,
    /// `RoleId` (the `AROA...` id; `aws:userid` of a session is `<RoleId>:<session name>`).
    pub id: String,
    /// `Path`; `/aws-service-role/...` marks a service-linked role.
    pub path: String,
    /// The owning account.
    pub account: AccountId,
    /// `Tags`.
    pub tags: Tags,
    /// `AssumeRolePolicyDocument`: who may assume the role.
    pub trust_policy: Option<InlinePolicy>,
    /// `RolePolicyList`.
    pub inline_policies: Vec<InlinePolicy>,
    /// `AttachedManagedPolicies`.
    pub attached_policies: Vec<PolicyAttachment>,
    /// `PermissionsBoundary`.
    pub permissions_boundary: Option<PolicyAttachment>,
    /// `InstanceProfileList`: instance profiles that carry the role.
    pub instance_profiles: Vec<InstanceProfile>,
    /// `RoleLastUsed`, when the input has it.
    pub last_used: Option<RoleLastUsed>,
    /// Whether the role is service-linked (its path starts with `/aws-service-role/`). AWS
    /// exempts service-linked roles from SCPs.
    pub service_linked: bool,
    /// Where the role is described.
    pub source: Source,
}

/// An instance profile holding a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceProfile {
    /// `Arn`.
    pub arn: String,
    /// `InstanceProfileName`.
    pub name: String,
}

/// `RoleLastUsed`: when and where the role was last used (both absent if never used).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RoleLastUsed {
    /// `LastUsedDate` as written (ISO 8601).
    pub date: Option<String>,
    /// `Region`.
    pub region: Option<String>,
}

/// Whether a managed policy is AWS-managed (`arn:aws:iam::aws:policy/...`) or customer-managed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyOwner {
    /// Maintained by AWS; the account part of its ARN is `aws`.
    AwsManaged,
    /// Created in a customer account.
    Customer,
}

/// A managed policy with its default version.
#[derive(Debug, Clone, PartialEq)]
pub struct ManagedPolicy {
    /// `Arn`.
    pub arn: String,
    /// `PolicyName`.
    pub name: String,
    /// `PolicyId`, when known.
    pub id: Option<String>,
    /// `Path`.
    pub path: String,
    /// AWS-managed or customer-managed.
    pub owner: PolicyOwner,
    /// The owning account for a customer-managed policy; `None` for AWS-managed ones.
    pub account: Option<AccountId>,
    /// `DefaultVersionId`, e.g. `v3`.
    pub default_version: Option<String>,
    /// The default version's document (shared with the fact tables).
    pub document: Arc<Policy>,
    /// Whether the policy came from the bundled AWS-managed snapshot rather than the input.
    pub from_snapshot: bool,
    /// Where the default version's document is written.
    pub source: Source,
}

/// The kind of a resource, which decides service-specific rules (for example a KMS key
/// policy must trust the account before identity policies count).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ResourceType {
    /// An S3 bucket (`s3:bucket`).
    S3Bucket,
    /// A KMS key (`kms:key`).
    KmsKey,
    /// A Lambda function (`lambda:function`).
    LambdaFunction,
    /// An SQS queue (`sqs:queue`).
    SqsQueue,
    /// An SNS topic (`sns:topic`).
    SnsTopic,
    /// A Secrets Manager secret (`secretsmanager:secret`).
    SecretsManagerSecret,
    /// An ECR repository (`ecr:repository`).
    EcrRepository,
    /// An IAM role as a resource (`iam:role`); its resource policy is the trust policy.
    IamRole,
    /// Any other `service:type`.
    Other {
        /// The service prefix, e.g. `dynamodb`.
        service: String,
        /// The resource type within the service, e.g. `table`.
        kind: String,
    },
}

/// A resource, possibly with a resource-based policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// The resource ARN.
    pub arn: String,
    /// The owning account (`aws:ResourceAccount`): given, or from the ARN when it has one.
    /// `None` for an S3 bucket whose owner the input does not state.
    pub account: Option<AccountId>,
    /// The resource type.
    pub resource_type: ResourceType,
    /// Tags (`aws:ResourceTag/*`).
    pub tags: Tags,
    /// The resource-based policy (bucket policy, key policy, ...), when any.
    pub policy: Option<InlinePolicy>,
    /// Where the resource is described.
    pub source: Source,
}

/// What kind of compute runs with a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ComputeType {
    /// A Lambda function (`Role`).
    LambdaFunction,
    /// An EC2 instance (`IamInstanceProfile`).
    Ec2Instance,
    /// An EC2 launch template.
    LaunchTemplate,
    /// A CloudFormation stack (`RoleARN`).
    CfnStack,
    /// A CloudFormation stack set.
    CfnStackSet,
    /// A CodeBuild project (`serviceRole`).
    CodeBuildProject,
    /// An ECS task definition (`taskRoleArn`).
    EcsTaskDefinition,
    /// A Glue development endpoint (`RoleArn`).
    GlueDevEndpoint,
    /// A Glue job.
    GlueJob,
    /// A SageMaker notebook instance (`RoleArn`).
    SageMakerNotebook,
    /// An App Runner service.
    AppRunnerService,
    /// A Bedrock AgentCore code interpreter.
    CodeInterpreter,
}

/// The role a compute resource runs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComputeRole {
    /// A role ARN.
    Role(String),
    /// An instance profile ARN (resolved through the GAAD's `InstanceProfileList`).
    InstanceProfile(String),
    /// None (a stack without a service role, an instance without a profile).
    None,
}

/// A compute resource that runs with a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compute {
    /// Its ARN.
    pub arn: String,
    /// The owning account, from the ARN.
    pub account: Option<AccountId>,
    /// Its kind.
    pub kind: ComputeType,
    /// The role its code runs with.
    pub role: ComputeRole,
    /// An ECS task definition's execution role (used by the ECS agent, not the code).
    pub execution_role: Option<String>,
    /// Where it is described.
    pub source: Source,
}

/// The AWS Organization the accounts belong to.
#[derive(Debug, Clone, PartialEq)]
pub struct Organization {
    /// The organization id, `o-...` (`aws:PrincipalOrgID`, `aws:ResourceOrgID`).
    pub id: String,
    /// The management account: exempt from SCPs and RCPs.
    pub management_account: AccountId,
    /// The root id, `r-...`.
    pub root: String,
    /// Organizational units by id (`ou-...`).
    pub units: IndexMap<String, OrganizationalUnit>,
    /// Member accounts (the management account included) by id.
    pub accounts: IndexMap<AccountId, OrgAccount>,
    /// SCPs and RCPs by policy id (`p-...`).
    pub policies: IndexMap<String, OrgPolicy>,
    /// Which of SCPs and RCPs are enabled on the root: only those are evaluated.
    pub enabled: EnabledPolicyTypes,
    /// Where the organization is described.
    pub source: Source,
}

/// The authorization policy types enabled on an organization's root. AWS Organizations User
/// Guide, "Enabling a policy type" / "Disabling a policy type": policies of a type can be
/// attached only while the type is enabled, and disabling it detaches them all, so a type
/// that is not enabled restricts nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnabledPolicyTypes {
    /// `SERVICE_CONTROL_POLICY` is enabled.
    pub scp: bool,
    /// `RESOURCE_CONTROL_POLICY` is enabled (then `RCPFullAWSAccess` is attached to the root,
    /// every OU and every account, and cannot be detached).
    pub rcp: bool,
    /// Where the answer comes from.
    pub origin: PolicyTypesOrigin,
}

impl EnabledPolicyTypes {
    /// Whether policies of `kind` are evaluated.
    pub fn contains(&self, kind: OrgPolicyKind) -> bool {
        match kind {
            OrgPolicyKind::Scp => self.scp,
            OrgPolicyKind::Rcp => self.rcp,
        }
    }
}

/// Where [`EnabledPolicyTypes`] was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyTypesOrigin {
    /// Not stated: a type is enabled when the organization document lists a policy of it.
    Listed,
    /// `enabledPolicyTypes` of the organization document, or the `PolicyTypes` of its root
    /// in `aws organizations list-roots` output, at this source.
    Given(Source),
}

/// An organizational unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationalUnit {
    /// `ou-...`.
    pub id: String,
    /// The display name.
    pub name: String,
    /// The parent: the root or another OU.
    pub parent: OrgNode,
}

/// A member account of the organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgAccount {
    /// The account id.
    pub id: AccountId,
    /// The display name, when given.
    pub name: Option<String>,
    /// The parent: the root or an OU.
    pub parent: OrgNode,
}

/// A node of the organization tree that a policy can be attached to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OrgNode {
    /// The root, `r-...`.
    Root(String),
    /// An organizational unit, `ou-...`.
    Unit(String),
    /// A member account.
    Account(AccountId),
}

/// Whether an organization policy is a service control policy or a resource control policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OrgPolicyKind {
    /// A service control policy: limits what principals of member accounts can do.
    Scp,
    /// A resource control policy: limits what can be done to resources of member accounts.
    Rcp,
}

/// An SCP or RCP with its attachment points.
#[derive(Debug, Clone, PartialEq)]
pub struct OrgPolicy {
    /// The policy id, `p-...` (or a name such as `FullAWSAccess` when the input uses one).
    pub id: String,
    /// The display name.
    pub name: String,
    /// SCP or RCP.
    pub kind: OrgPolicyKind,
    /// The document (shared with the fact tables).
    pub document: Arc<Policy>,
    /// Where it is attached: root, OUs, accounts.
    pub targets: Vec<OrgNode>,
    /// Where the document is written.
    pub source: Source,
}

impl Organization {
    /// The chain of nodes from the root down to `account` (root, OUs..., the account),
    /// or `None` when the account is not a member. SCPs and RCPs are evaluated per level.
    pub fn path_to(&self, account: &AccountId) -> Option<Vec<OrgNode>> {
        let acct = self.accounts.get(account)?;
        let mut chain = vec![OrgNode::Account(account.clone())];
        let mut node = acct.parent.clone();
        // INVARIANT: the loader rejects OU cycles, but bound the walk anyway.
        for _ in 0..=self.units.len() {
            match node {
                OrgNode::Root(r) => {
                    chain.push(OrgNode::Root(r));
                    chain.reverse();
                    return Some(chain);
                }
                OrgNode::Unit(u) => {
                    let unit = self.units.get(&u)?;
                    chain.push(OrgNode::Unit(u));
                    node = unit.parent.clone();
                }
                OrgNode::Account(_) => return None,
            }
        }
        None
    }

    /// The value of `aws:PrincipalOrgPaths` / `aws:ResourceOrgPaths` for `account`:
    /// `o-id/r-id/ou-1/ou-2/` (the OU path, ending with `/`, without the account).
    pub fn org_path(&self, account: &AccountId) -> Option<String> {
        let chain = self.path_to(account)?;
        let mut out = format!("{}/", self.id);
        for node in chain {
            match node {
                OrgNode::Root(r) => out.push_str(&format!("{r}/")),
                OrgNode::Unit(u) => out.push_str(&format!("{u}/")),
                OrgNode::Account(_) => {}
            }
        }
        Some(out)
    }

    /// The policies of `kind` attached directly at `node`.
    pub fn policies_at<'a>(
        &'a self,
        node: &'a OrgNode,
        kind: OrgPolicyKind,
    ) -> impl Iterator<Item = &'a OrgPolicy> + 'a {
        self.policies
            .values()
            .filter(move |p| p.kind == kind && p.targets.contains(node))
    }
}

/// One row of the IAM credential report (`aws iam get-credential-report`, decoded CSV).
/// Dates are kept as written; `N/A`, `no_information` and `not_supported` become `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialReportRow {
    /// `user` (`<root_account>` for the root user).
    pub user: String,
    /// `arn`.
    pub arn: String,
    /// The account, from the ARN.
    pub account: AccountId,
    /// `user_creation_time`.
    pub user_creation_time: Option<String>,
    /// `password_enabled` (`None` when `not_supported`, as for the root user).
    pub password_enabled: Option<bool>,
    /// `password_last_used`.
    pub password_last_used: Option<String>,
    /// `password_last_changed`.
    pub password_last_changed: Option<String>,
    /// `mfa_active`.
    pub mfa_active: bool,
    /// `access_key_1_active`, `access_key_2_active`, with last-used data.
    pub access_keys: [AccessKeyStatus; 2],
    /// `cert_1_active` or `cert_2_active`.
    pub signing_cert_active: bool,
}

/// The status of one access key of a credential report row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccessKeyStatus {
    /// `access_key_N_active`.
    pub active: bool,
    /// `access_key_N_last_rotated`.
    pub last_rotated: Option<String>,
    /// `access_key_N_last_used_date`.
    pub last_used_date: Option<String>,
    /// `access_key_N_last_used_service`.
    pub last_used_service: Option<String>,
}

/// A non-fatal problem found while loading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Where the problem is.
    pub source: Source,
    /// What it is.
    pub kind: WarningKind,
}

/// What a [`Warning`] is about.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WarningKind {
    /// An attached policy or boundary is neither in the input nor in the AWS-managed
    /// snapshot; it contributes no statements.
    UnresolvedPolicy {
        /// The policy ARN.
        arn: String,
    },
    /// A `GroupList` entry names a group the input does not describe.
    UnresolvedGroup {
        /// The group name.
        name: String,
    },
    /// The same entity (by ARN) appears twice; the first description is kept.
    Duplicate {
        /// The ARN or id.
        id: String,
    },
    /// An element the loader does not use (unknown key in a known format).
    UnsupportedElement {
        /// The element name.
        name: String,
    },
    /// A managed policy without a default version document.
    NoDefaultVersion {
        /// The policy ARN.
        arn: String,
    },
    /// A resource whose owning account neither the input nor its ARN states (an S3 bucket
    /// without `account`): `aws:ResourceAccount` stays absent for it.
    UnknownResourceAccount {
        /// The resource ARN.
        arn: String,
    },
    /// A file inside an input directory that is neither `.json` nor `.csv` (nor
    /// documentation: `.md`, `.txt`, or a hidden file, which are skipped without a warning).
    SkippedFile,
    /// An entry inside an input directory that is not a regular file (a FIFO, socket or
    /// device): reading it could block forever, so it is skipped.
    NotRegularFile,
    /// An attached AWS-managed policy missing from the input was taken from the bundled
    /// snapshot, which may differ from the account's current version.
    FromSnapshot {
        /// The policy ARN.
        arn: String,
    },
    /// An SCP or RCP of a type the organization has not enabled on its root: AWS does not
    /// evaluate it (disabling a type detaches its policies).
    PolicyTypeNotEnabled {
        /// The policy id.
        policy: String,
        /// `SERVICE_CONTROL_POLICY` or `RESOURCE_CONTROL_POLICY`.
        policy_type: &'static str,
    },
    /// A policy type in a transitional state (`PENDING_ENABLE`, `PENDING_DISABLE`) in
    /// `list-roots` output, and how iamlogic reads it.
    PendingPolicyType {
        /// The policy type.
        policy_type: String,
        /// The status.
        status: String,
        /// Whether it is read as enabled.
        enabled: bool,
    },
    /// SCPs are enabled but some nodes (root, OUs, member accounts) have no SCP attached,
    /// which AWS does not allow ("Every root, OU, and account must have at least one SCP
    /// attached", Organizations API Reference, `DetachPolicy`): the data is incomplete, and
    /// such a level allows nothing.
    NodesWithoutScp {
        /// How many nodes lack an SCP.
        count: usize,
        /// The first few of them.
        examples: Vec<String>,
    },
    /// A root of `list-roots` output that no loaded organization has; its policy types are
    /// not used.
    UnmatchedRoot {
        /// The root id.
        root: String,
    },
    /// A statement of a resource-based or trust policy without `Principal`: AWS refuses
    /// such a policy, so the statement matches no one (`crate::aws_rules::refused`).
    StatementWithoutPrincipal,
    /// An S3 ACL grant to a canonical user id that no loaded bucket ACL names as its owner:
    /// its account is unknown, so the grant reaches only a caller given as that canonical
    /// user.
    UnmappedCanonicalUser {
        /// The canonical user id.
        id: String,
    },
    /// An S3 ACL grant to an e-mail address (`AmazonCustomerByEmail`): the data does not say
    /// which account it is, so it grants nothing.
    AclEmailGrantee {
        /// The address.
        address: String,
    },
}

/// How much a [`Warning`] matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Informational: the input was completed as documented (an AWS-managed policy taken
    /// from the bundled snapshot).
    Note,
    /// Part of the input could not be used, so answers may miss access it grants.
    Warning,
}

impl WarningKind {
    /// How much this matters; a command may show notes only when asked to.
    pub fn severity(&self) -> Severity {
        match self {
            WarningKind::FromSnapshot { .. } => Severity::Note,
            _ => Severity::Warning,
        }
    }
}

impl fmt::Display for WarningKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WarningKind::UnresolvedPolicy { arn } => write!(
                f,
                "attached policy `{arn}` is not in the input nor in the AWS-managed snapshot; it grants nothing"
            ),
            WarningKind::UnresolvedGroup { name } => {
                write!(f, "group `{name}` is not described in the input; it grants nothing")
            }
            WarningKind::Duplicate { id } => {
                write!(f, "`{id}` is described more than once; the first description is kept")
            }
            WarningKind::UnsupportedElement { name } => {
                write!(f, "element `{name}` is not supported and was not used")
            }
            WarningKind::NoDefaultVersion { arn } => {
                write!(f, "managed policy `{arn}` has no default version document")
            }
            WarningKind::UnknownResourceAccount { arn } => write!(
                f,
                "the owning account of `{arn}` is unknown; give it in resources.json to fill aws:ResourceAccount"
            ),
            WarningKind::SkippedFile => {
                write!(f, "not a .json or .csv file; skipped")
            }
            WarningKind::NotRegularFile => {
                write!(f, "not a regular file (a FIFO, socket or device); skipped")
            }
            WarningKind::StatementWithoutPrincipal => write!(
                f,
                "this resource-policy statement has no `Principal`; AWS refuses such a policy (IAM User Guide, \"AWS JSON policy elements: Principal\"), so it grants nothing and matches no one"
            ),
            WarningKind::FromSnapshot { arn } => write!(
                f,
                "AWS-managed policy `{arn}` is not in the input; using the bundled snapshot's version"
            ),
            WarningKind::PolicyTypeNotEnabled { policy, policy_type } => write!(
                f,
                "policy `{policy}` is a {policy_type}, a type the organization has not enabled on its root: it is not evaluated"
            ),
            WarningKind::PendingPolicyType {
                policy_type,
                status,
                enabled,
            } => write!(
                f,
                "policy type {policy_type} is {status}: read as {} (its policies {})",
                if *enabled { "enabled" } else { "not enabled" },
                if *enabled {
                    "stay attached until disabling completes"
                } else {
                    "cannot be attached until enabling completes"
                }
            ),
            WarningKind::NodesWithoutScp { count, examples } => write!(
                f,
                "SCPs are enabled but {count} node(s) have no SCP attached ({}{}); AWS requires at least one on every root, OU and account, so the data looks incomplete: such a level allows nothing",
                examples.join(", "),
                if *count > examples.len() { ", ..." } else { "" }
            ),
            WarningKind::UnmatchedRoot { root } => write!(
                f,
                "root `{root}` belongs to no loaded organization (organization.json); its policy types are not used"
            ),
            WarningKind::UnmappedCanonicalUser { id } => write!(
                f,
                "ACL grant to canonical user `{id}`: no loaded bucket ACL has this owner id, so its account is unknown; the grant reaches only a caller given as that canonical user"
            ),
            WarningKind::AclEmailGrantee { address } => write!(
                f,
                "ACL grant to e-mail address `{address}`: the data does not say which account it is; it grants nothing"
            ),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.source, self.kind)
    }
}
