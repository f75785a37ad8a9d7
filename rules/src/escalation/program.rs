//! The escalation program: one Datalog rule per technique over permissions the decision
//! program has already decided for concrete targets.
//!
//! Nodes are `u32` ids the caller assigns (principals, policies, groups, compute resources);
//! [`ADMIN`] is "administrator", [`NEW`] a resource the caller creates and names itself (or
//! `*`), [`NONE`] an absent `via`/`through`. A `Can` fact exists only for an `allowed`
//! decision (or one allowed under a condition the caller does not control: `cond`).

use crepe::crepe;

use super::action::{Action as A, ComputeKind, Service as S};
use super::technique::Technique as T;

/// The "administrator" node.
pub const ADMIN: u32 = u32::MAX;
/// A resource the caller creates and names itself, or `*`.
pub const NEW: u32 = u32::MAX - 1;
/// No node.
pub const NONE: u32 = u32::MAX - 2;

/// What a data set says of a yes/no property, when it says anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Known {
    /// The data says yes.
    Yes,
    /// The data says no.
    No,
    /// The data does not say.
    Unknown,
}

crepe! {
    @input
    /// `p` is allowed `action` on target `t` (`cond`: only under a condition it does not control).
    pub struct Can(pub u32, pub A, pub u32, pub bool);
    @input
    /// The [`Can`] facts of the actions a rule reads after its first clause ([`also`]): a
    /// relation of its own, so that the index crepe keeps for such a clause holds these
    /// facts only, not every permission of every principal.
    pub struct CanAlso(pub u32, pub A, pub u32, pub bool);
    @input
    /// `p` is allowed `iam:PassRole` of role `q` to service `s` (the [`Can`] facts of
    /// `Action::PassRole(s)`, keyed by service).
    pub struct CanPass(pub u32, pub S, pub u32, pub bool);
    @input
    /// Principal `p` is an IAM user.
    pub struct IsUser(pub u32);
    @input
    /// Principal `p` is an IAM role.
    pub struct IsRole(pub u32);
    @input
    /// User `u` is a member of group `g`.
    pub struct MemberOf(pub u32, pub u32);
    @input
    /// Customer-managed policy `pol` is attached to holder `h` (user, group or role).
    pub struct PolicyHolder(pub u32, pub u32);
    @input
    /// `p` already has administrator access (`cond` as for [`Can`]).
    pub struct Admin(pub u32, pub bool);
    @input
    /// `x` would have administrator access with a policy allowing `*` on `*` added (its
    /// boundary, SCPs and denies still apply); `cond` as for [`Can`].
    pub struct AdminIfGranted(pub u32, pub bool);
    @input
    /// `x` would have administrator access without its permissions boundary (`cond` as for
    /// [`Can`]).
    pub struct AdminIfUnbounded(pub u32, pub bool);
    @input
    /// User `u` would have administrator access as a member of group `g` too (`cond` as
    /// for [`Can`]).
    pub struct AdminIfJoined(pub u32, pub u32, pub bool);
    @input
    /// `p` could assume role `q` if `q`'s trust policy named `p` (decided with that trust;
    /// `cond` as for [`Can`]).
    pub struct AssumeAfterTrustRewrite(pub u32, pub u32, pub bool);
    @input
    /// The principal of service `s` may assume role `q` (its trust policy allows it);
    /// `cond`: only under a condition on a key the service fills that the attacker does not
    /// control (as for [`Can`]).
    pub struct ServiceAssumes(pub S, pub u32, pub bool);
    @input
    /// Role `q` is in an instance profile (EC2 can run with it).
    pub struct InInstanceProfile(pub u32);
    @input
    /// Compute resource `c` of kind `k` runs with role `q`; `hypo`: the data does not show
    /// the resource ("if such a resource exists").
    pub struct Runs(pub u32, pub u32, pub ComputeKind, pub bool);
    @input
    /// Compute resource `c` of kind `k` exists (`hypo` as for [`Runs`]).
    pub struct Exists(pub u32, pub ComputeKind, pub bool);
    @input
    /// User `u`: whether it has a console password, and whether it has an MFA device.
    pub struct Console(pub u32, pub Known, pub Known);
    @input
    /// User `u`: whether it already has two access keys (the most IAM allows).
    pub struct KeysFull(pub u32, pub Known);

    @output
    /// A step: `from` can act as `to` (a principal, or [`ADMIN`]) by `technique`, using
    /// resource `via` and acting through principal `through`; `cond`: only under a condition
    /// it does not control; `hypo`: only if a resource the data does not show exists.
    pub struct Edge(pub u32, pub u32, pub T, pub u32, pub u32, pub bool, pub bool);
    @output
    /// `from` can give principal `x` any permissions (by `technique`, changing `via`); it
    /// becomes an administrator when it can also act as `x`.
    pub struct Grant(pub u32, pub u32, pub T, pub u32, pub bool, pub bool);
    @output
    /// `from` can get credentials of user `u` that work in one service only, with `u`'s
    /// permissions there (by `technique`; `cond`, `hypo` as for [`Edge`]).
    pub struct ServiceAccess(pub u32, pub u32, pub T, pub bool, pub bool);

    // The principals a policy holder gives its policies to: itself (user or role), or the
    // members of a group ("IAM user groups": a group's policies apply to its members).
    struct HolderOf(u32, u32);
    HolderOf(x, x) <- IsUser(x);
    HolderOf(x, x) <- IsRole(x);
    HolderOf(g, u) <- MemberOf(u, g);

    // Administrator access already held.
    Edge(p, ADMIN, T::Administrator, NONE, NONE, c, false) <- Admin(p, c);

    // ------------------------------------------------------------ rewriting permissions
    // iam-001: a new default version of a customer-managed policy is in effect for every
    // principal it is attached to ("Versioning IAM policies"). AWS-managed policies are
    // never targets: customers cannot change them.
    Grant(p, x, T::Iam001, pol, c, false) <- Can(p, A::CreatePolicyVersion, pol, c),
        PolicyHolder(pol, h), HolderOf(h, x);
    // x-setdefaultpolicyversion: any stored version can be made the default; GAAD shows only
    // the default version here, so a more permissive stored version is "if it exists".
    Grant(p, x, T::SetDefaultPolicyVersion, pol, c, true) <-
        Can(p, A::SetDefaultPolicyVersion, pol, c), PolicyHolder(pol, h), HolderOf(h, x);
    // iam-005: PutRolePolicy adds an inline policy to the role (IAM API Reference).
    Grant(p, r, T::Iam005, r, c, false) <- Can(p, A::PutRolePolicy, r, c), IsRole(r);
    // iam-007: PutUserPolicy.
    Grant(p, u, T::Iam007, u, c, false) <- Can(p, A::PutUserPolicy, u, c), IsUser(u);
    // iam-008: AttachUserPolicy of AdministratorAccess (decided with iam:PolicyARN).
    Grant(p, u, T::Iam008, u, c, false) <- Can(p, A::AttachUserPolicy, u, c), IsUser(u);
    // iam-009: AttachRolePolicy.
    Grant(p, r, T::Iam009, r, c, false) <- Can(p, A::AttachRolePolicy, r, c), IsRole(r);
    // iam-010: AttachGroupPolicy: every member gets the policy.
    Grant(p, u, T::Iam010, g, c, false) <- Can(p, A::AttachGroupPolicy, g, c), MemberOf(u, g);
    // iam-011: PutGroupPolicy.
    Grant(p, u, T::Iam011, g, c, false) <- Can(p, A::PutGroupPolicy, g, c), MemberOf(u, g);

    // A grant to oneself is administrator access, unless the boundary or an SCP limits it.
    Edge(p, ADMIN, t, via, NONE, c || a, h) <- Grant(p, x, t, via, c, h), (p == x),
        AdminIfGranted(p, a);

    // iam-013: AddUserToGroup of oneself into a group whose policies make one administrator.
    Edge(p, ADMIN, T::Iam013, g, NONE, c || a, false) <- Can(p, A::AddUserToGroup, g, c),
        IsUser(p), AdminIfJoined(p, g, a);

    // Boundaries ("Permissions boundaries for IAM entities"): removing one's own boundary,
    // or replacing it with AdministratorAccess, leaves the identity policies alone.
    Edge(p, ADMIN, T::DeleteRoleBoundary, p, NONE, c || a, false) <-
        Can(p, A::DeleteRolePermissionsBoundary, x, c), (p == x), AdminIfUnbounded(p, a);
    Edge(p, ADMIN, T::DeleteUserBoundary, p, NONE, c || a, false) <-
        Can(p, A::DeleteUserPermissionsBoundary, x, c), (p == x), AdminIfUnbounded(p, a);
    Edge(p, ADMIN, T::PutRoleBoundary, p, NONE, c || a, false) <-
        Can(p, A::PutRolePermissionsBoundary, x, c), (p == x), AdminIfUnbounded(p, a);
    Edge(p, ADMIN, T::PutUserBoundary, p, NONE, c || a, false) <-
        Can(p, A::PutUserPermissionsBoundary, x, c), (p == x), AdminIfUnbounded(p, a);

    // ------------------------------------------------------------ other principals' credentials
    // iam-002: CreateAccessKey for a user with a free key slot (at most two keys per user,
    // "Manage access keys for IAM users").
    Edge(p, u, T::Iam002, NONE, NONE, c, k == Known::Unknown) <- Can(p, A::CreateAccessKey, u, c),
        IsUser(u), KeysFull(u, k), (k != Known::Yes);
    // iam-003: with DeleteAccessKey too, a full user's key can be replaced.
    Edge(p, u, T::Iam003, NONE, NONE, c1 || c2, false) <- Can(p, A::CreateAccessKey, u, c1),
        CanAlso(p, A::DeleteAccessKey, u, c2), IsUser(u), KeysFull(u, k), (k != Known::No);
    // iam-004: CreateLoginProfile for a user without a console password; a user with an MFA
    // device needs it at sign-in ("Manage passwords for IAM users").
    Edge(p, u, T::Iam004, NONE, NONE, c, pw == Known::Unknown || mfa == Known::Unknown) <-
        Can(p, A::CreateLoginProfile, u, c), IsUser(u), Console(u, pw, mfa), (pw != Known::Yes),
        (mfa != Known::Yes);
    // iam-006: UpdateLoginProfile of a user that has a console password.
    Edge(p, u, T::Iam006, NONE, NONE, c, pw == Known::Unknown || mfa == Known::Unknown) <-
        Can(p, A::UpdateLoginProfile, u, c), IsUser(u), Console(u, pw, mfa), (pw != Known::No),
        (mfa != Known::Yes);
    // iam-012: UpdateAssumeRolePolicy, then AssumeRole under the new trust policy (decided).
    Edge(p, q, T::Iam012, NONE, NONE, c || a, false) <- Can(p, A::UpdateAssumeRolePolicy, q, c),
        AssumeAfterTrustRewrite(p, q, a);
    // sts-001: AssumeRole ("Methods to assume a role"; chains compose: "Role chaining").
    Edge(p, q, T::Sts001, NONE, NONE, c, false) <- Can(p, A::AssumeRole, q, c), IsRole(q);

    // Service-specific credentials of another user (IAM API Reference,
    // CreateServiceSpecificCredential: "the same permissions as the associated user except
    // that they can be used only to access the specified service" — Amazon Bedrock,
    // CodeCommit, Amazon Keyspaces). Not a step to the user: nothing else can be done with
    // them. Creating one needs a free slot (two per service and user; three services, and
    // no input lists them); resetting one needs an existing one, which no input shows.
    ServiceAccess(p, u, T::CreateServiceCredential, c, false) <-
        Can(p, A::CreateServiceSpecificCredential, u, c), IsUser(u), (p != u);
    ServiceAccess(p, u, T::ResetServiceCredential, c, true) <-
        Can(p, A::ResetServiceSpecificCredential, u, c), IsUser(u), (p != u);

    // ------------------------------------------------------------ change, then act as
    // iam-014: AttachRolePolicy on a role, then assume it.
    Edge(p, ADMIN, T::Iam014, q, q, c1 || c2 || a, false) <- Can(p, A::AttachRolePolicy, q, c1),
        CanAlso(p, A::AssumeRole, q, c2), AdminIfGranted(q, a);
    // iam-015: AttachUserPolicy on a user, then create its access key.
    Edge(p, ADMIN, T::Iam015, u, u, c1 || c2 || a, k == Known::Unknown) <-
        Can(p, A::AttachUserPolicy, u, c1), CanAlso(p, A::CreateAccessKey, u, c2), IsUser(u),
        KeysFull(u, k), (k != Known::Yes), AdminIfGranted(u, a);
    // iam-016: CreatePolicyVersion of a policy of a role, then assume it.
    Edge(p, ADMIN, T::Iam016, pol, q, c1 || c2 || a, false) <- Can(p, A::CreatePolicyVersion, pol, c1),
        PolicyHolder(pol, q), IsRole(q), CanAlso(p, A::AssumeRole, q, c2), AdminIfGranted(q, a);
    // iam-017: PutRolePolicy on a role, then assume it.
    Edge(p, ADMIN, T::Iam017, q, q, c1 || c2 || a, false) <- Can(p, A::PutRolePolicy, q, c1),
        CanAlso(p, A::AssumeRole, q, c2), AdminIfGranted(q, a);
    // iam-018: PutUserPolicy on a user, then create its access key.
    Edge(p, ADMIN, T::Iam018, u, u, c1 || c2 || a, k == Known::Unknown) <-
        Can(p, A::PutUserPolicy, u, c1), CanAlso(p, A::CreateAccessKey, u, c2), IsUser(u),
        KeysFull(u, k), (k != Known::Yes), AdminIfGranted(u, a);
    // iam-019: AttachRolePolicy and UpdateAssumeRolePolicy on a role.
    Edge(p, ADMIN, T::Iam019, q, q, c1 || c2 || r || a, false) <- Can(p, A::AttachRolePolicy, q, c1),
        CanAlso(p, A::UpdateAssumeRolePolicy, q, c2), AssumeAfterTrustRewrite(p, q, r),
        AdminIfGranted(q, a);
    // iam-020: CreatePolicyVersion of a role's policy and UpdateAssumeRolePolicy.
    Edge(p, ADMIN, T::Iam020, pol, q, c1 || c2 || r || a, false) <- Can(p, A::CreatePolicyVersion, pol, c1),
        PolicyHolder(pol, q), IsRole(q), CanAlso(p, A::UpdateAssumeRolePolicy, q, c2),
        AssumeAfterTrustRewrite(p, q, r), AdminIfGranted(q, a);
    // iam-021: PutRolePolicy and UpdateAssumeRolePolicy.
    Edge(p, ADMIN, T::Iam021, q, q, c1 || c2 || r || a, false) <- Can(p, A::PutRolePolicy, q, c1),
        CanAlso(p, A::UpdateAssumeRolePolicy, q, c2), AssumeAfterTrustRewrite(p, q, r),
        AdminIfGranted(q, a);

    // ------------------------------------------------------------ pass a role to new compute
    // A role can be passed to service `s` when `iam:PassRole` is allowed with
    // iam:PassedToService = s and the role trusts s ("Grant a user permissions to pass a role
    // to an AWS service").
    struct PassTo(u32, S, u32, bool);
    PassTo(p, s, q, c || a) <- CanPass(p, s, q, c), ServiceAssumes(s, q, a);

    // apprunner-001.
    Edge(p, q, T::AppRunner001, NEW, NONE, c0 || c1, false) <- PassTo(p, S::AppRunner, q, c0),
        CanAlso(p, A::AppRunnerCreateService, NEW, c1);
    // bedrock-001.
    Edge(p, q, T::Bedrock001, NEW, NONE, c0 || c1 || c2 || c3, false) <-
        PassTo(p, S::BedrockAgentCore, q, c0), CanAlso(p, A::AgentCoreCreateCodeInterpreter, NEW, c1),
        CanAlso(p, A::AgentCoreStartSessionNew, NEW, c2), CanAlso(p, A::AgentCoreInvokeNew, NEW, c3);
    // cloudformation-001: the stack's resources are created with the service role.
    Edge(p, q, T::CloudFormation001, NEW, NONE, c0 || c1, false) <-
        PassTo(p, S::CloudFormation, q, c0), CanAlso(p, A::CfnCreateStack, NEW, c1);
    // cloudformation-003.
    Edge(p, q, T::CloudFormation003, NEW, NONE, c0 || c1 || c2, false) <-
        PassTo(p, S::CloudFormation, q, c0), CanAlso(p, A::CfnCreateStackSet, NEW, c1),
        CanAlso(p, A::CfnCreateStackInstances, NEW, c2);
    // cloudformation-004: an existing stack set updated to run with the passed role.
    Edge(p, q, T::CloudFormation004, x, NONE, c0 || c1, h) <- PassTo(p, S::CloudFormation, q, c0),
        Exists(x, ComputeKind::CfnStackSet, h), CanAlso(p, A::CfnUpdateStackSet, x, c1);
    // codebuild-001.
    Edge(p, q, T::CodeBuild001, NEW, NONE, c0 || c1 || c2, false) <- PassTo(p, S::CodeBuild, q, c0),
        CanAlso(p, A::CodeBuildCreateProject, NEW, c1), CanAlso(p, A::CodeBuildStartBuildNew, NEW, c2);
    // codebuild-004.
    Edge(p, q, T::CodeBuild004, NEW, NONE, c0 || c1 || c2, false) <- PassTo(p, S::CodeBuild, q, c0),
        CanAlso(p, A::CodeBuildCreateProject, NEW, c1), CanAlso(p, A::CodeBuildStartBuildBatchNew, NEW, c2);
    // datapipeline-001.
    Edge(p, q, T::DataPipeline001, NEW, NONE, c0 || c1 || c2 || c3, false) <-
        PassTo(p, S::DataPipeline, q, c0), CanAlso(p, A::DataPipelineCreatePipeline, NEW, c1),
        CanAlso(p, A::DataPipelinePutPipelineDefinition, NEW, c2),
        CanAlso(p, A::DataPipelineActivatePipeline, NEW, c3);
    // ec2-001: an instance launched with an instance profile of the role.
    Edge(p, q, T::Ec2001, NEW, NONE, c0 || c1, false) <- PassTo(p, S::Ec2, q, c0),
        InInstanceProfile(q), CanAlso(p, A::Ec2RunInstances, NEW, c1);
    // ec2-003: a Spot request with an instance profile.
    Edge(p, q, T::Ec2003, NEW, NONE, c0 || c1, false) <- PassTo(p, S::Ec2, q, c0),
        InInstanceProfile(q), CanAlso(p, A::Ec2RequestSpotInstances, NEW, c1);
    // x-ec2-associateiaminstanceprofile: an existing instance given the role's profile.
    Edge(p, q, T::Ec2AssociateProfile, x, NONE, c0 || c1, h) <- PassTo(p, S::Ec2, q, c0),
        InInstanceProfile(q), Exists(x, ComputeKind::Ec2Instance, h),
        CanAlso(p, A::Ec2AssociateIamInstanceProfile, x, c1);
    // ecs-001 .. ecs-005: a task definition with the task role, run as a service or task.
    Edge(p, q, T::Ecs001, NEW, NONE, c0 || c1 || c2 || c3, false) <- PassTo(p, S::EcsTasks, q, c0),
        CanAlso(p, A::EcsCreateCluster, NEW, c1), CanAlso(p, A::EcsRegisterTaskDefinition, NEW, c2),
        CanAlso(p, A::EcsCreateService, NEW, c3);
    Edge(p, q, T::Ecs002, NEW, NONE, c0 || c1 || c2 || c3, false) <- PassTo(p, S::EcsTasks, q, c0),
        CanAlso(p, A::EcsCreateCluster, NEW, c1), CanAlso(p, A::EcsRegisterTaskDefinition, NEW, c2),
        CanAlso(p, A::EcsRunTask, NEW, c3);
    Edge(p, q, T::Ecs003, NEW, NONE, c0 || c1 || c2, false) <- PassTo(p, S::EcsTasks, q, c0),
        CanAlso(p, A::EcsRegisterTaskDefinition, NEW, c1), CanAlso(p, A::EcsCreateService, NEW, c2);
    Edge(p, q, T::Ecs004, NEW, NONE, c0 || c1 || c2, false) <- PassTo(p, S::EcsTasks, q, c0),
        CanAlso(p, A::EcsRegisterTaskDefinition, NEW, c1), CanAlso(p, A::EcsRunTask, NEW, c2);
    Edge(p, q, T::Ecs005, NEW, NONE, c0 || c1 || c2, false) <- PassTo(p, S::EcsTasks, q, c0),
        CanAlso(p, A::EcsRegisterTaskDefinition, NEW, c1), CanAlso(p, A::EcsStartTask, NEW, c2);
    // glue-001: a development endpoint with the role.
    Edge(p, q, T::Glue001, NEW, NONE, c0 || c1, false) <- PassTo(p, S::Glue, q, c0),
        CanAlso(p, A::GlueCreateDevEndpoint, NEW, c1);
    // glue-003, glue-004: a job with the role, started or triggered.
    Edge(p, q, T::Glue003, NEW, NONE, c0 || c1 || c2, false) <- PassTo(p, S::Glue, q, c0),
        CanAlso(p, A::GlueCreateJob, NEW, c1), CanAlso(p, A::GlueStartJobRunNew, NEW, c2);
    Edge(p, q, T::Glue004, NEW, NONE, c0 || c1 || c2, false) <- PassTo(p, S::Glue, q, c0),
        CanAlso(p, A::GlueCreateJob, NEW, c1), CanAlso(p, A::GlueCreateTrigger, NEW, c2);
    // glue-005, glue-006: an existing job updated to run with the role.
    Edge(p, q, T::Glue005, x, NONE, c0 || c1 || c2, h) <- PassTo(p, S::Glue, q, c0),
        Exists(x, ComputeKind::GlueJob, h), CanAlso(p, A::GlueUpdateJob, x, c1),
        CanAlso(p, A::GlueStartJobRunExisting, x, c2);
    Edge(p, q, T::Glue006, x, NONE, c0 || c1 || c2, h) <- PassTo(p, S::Glue, q, c0),
        Exists(x, ComputeKind::GlueJob, h), CanAlso(p, A::GlueUpdateJob, x, c1),
        CanAlso(p, A::GlueCreateTrigger, NEW, c2);
    // lambda-001, lambda-002, lambda-006: a function with the execution role, invoked,
    // triggered by an event source, or made invocable.
    Edge(p, q, T::Lambda001, NEW, NONE, c0 || c1 || c2, false) <- PassTo(p, S::Lambda, q, c0),
        CanAlso(p, A::LambdaCreateFunction, NEW, c1), CanAlso(p, A::LambdaInvokeNew, NEW, c2);
    Edge(p, q, T::Lambda002, NEW, NONE, c0 || c1 || c2, false) <- PassTo(p, S::Lambda, q, c0),
        CanAlso(p, A::LambdaCreateFunction, NEW, c1), CanAlso(p, A::LambdaCreateEventSourceMapping, NEW, c2);
    Edge(p, q, T::Lambda006, NEW, NONE, c0 || c1 || c2, false) <- PassTo(p, S::Lambda, q, c0),
        CanAlso(p, A::LambdaCreateFunction, NEW, c1), CanAlso(p, A::LambdaAddPermissionNew, NEW, c2);
    // sagemaker-001 .. 003.
    Edge(p, q, T::SageMaker001, NEW, NONE, c0 || c1, false) <- PassTo(p, S::SageMaker, q, c0),
        CanAlso(p, A::SageMakerCreateNotebookInstance, NEW, c1);
    Edge(p, q, T::SageMaker002, NEW, NONE, c0 || c1, false) <- PassTo(p, S::SageMaker, q, c0),
        CanAlso(p, A::SageMakerCreateTrainingJob, NEW, c1);
    Edge(p, q, T::SageMaker003, NEW, NONE, c0 || c1, false) <- PassTo(p, S::SageMaker, q, c0),
        CanAlso(p, A::SageMakerCreateProcessingJob, NEW, c1);

    // ------------------------------------------------------------ code into running compute
    // apprunner-002.
    Edge(p, q, T::AppRunner002, x, NONE, c, h) <- Runs(x, q, ComputeKind::AppRunnerService, h),
        CanAlso(p, A::AppRunnerUpdateService, x, c);
    // bedrock-002.
    Edge(p, q, T::Bedrock002, x, NONE, c1 || c2, h) <- Runs(x, q, ComputeKind::CodeInterpreter, h),
        CanAlso(p, A::AgentCoreStartSessionExisting, x, c1), CanAlso(p, A::AgentCoreInvokeExisting, x, c2);
    // cloudformation-002: UpdateStack of a stack with a service role.
    Edge(p, q, T::CloudFormation002, x, NONE, c, h) <- Runs(x, q, ComputeKind::CfnStack, h),
        CanAlso(p, A::CfnUpdateStack, x, c);
    // cloudformation-005.
    Edge(p, q, T::CloudFormation005, x, NONE, c1 || c2, h) <- Runs(x, q, ComputeKind::CfnStack, h),
        CanAlso(p, A::CfnCreateChangeSet, x, c1), CanAlso(p, A::CfnExecuteChangeSet, x, c2);
    // codebuild-002, codebuild-003: a build of an existing project with a buildspec override.
    Edge(p, q, T::CodeBuild002, x, NONE, c, h) <- Runs(x, q, ComputeKind::CodeBuildProject, h),
        CanAlso(p, A::CodeBuildStartBuildExisting, x, c);
    Edge(p, q, T::CodeBuild003, x, NONE, c, h) <- Runs(x, q, ComputeKind::CodeBuildProject, h),
        CanAlso(p, A::CodeBuildStartBuildBatchExisting, x, c);
    // x-codebuild-updateproject.
    Edge(p, q, T::CodeBuildUpdateProject, x, NONE, c1 || c2, h) <-
        Runs(x, q, ComputeKind::CodeBuildProject, h), CanAlso(p, A::CodeBuildUpdateProject, x, c1),
        CanAlso(p, A::CodeBuildStartBuildExisting, x, c2);
    // ec2-002: new user data on a stopped instance runs at the next start.
    Edge(p, q, T::Ec2002, x, NONE, c1 || c2 || c3, h) <- Runs(x, q, ComputeKind::Ec2Instance, h),
        CanAlso(p, A::Ec2ModifyInstanceAttribute, x, c1), CanAlso(p, A::Ec2StopInstances, x, c2),
        CanAlso(p, A::Ec2StartInstances, x, c3);
    // ec2-004: a new default launch template version with user data.
    Edge(p, q, T::Ec2004, x, NONE, c1 || c2, h) <- Runs(x, q, ComputeKind::LaunchTemplate, h),
        CanAlso(p, A::Ec2CreateLaunchTemplateVersion, x, c1), CanAlso(p, A::Ec2ModifyLaunchTemplate, x, c2);
    // ec2instanceconnect-003.
    Edge(p, q, T::Ec2InstanceConnect003, x, NONE, c1 || c2, h) <-
        Runs(x, q, ComputeKind::Ec2Instance, h),
        CanAlso(p, A::Ec2InstanceConnectSendSshPublicKey, x, c1),
        CanAlso(p, A::Ec2DescribeInstances, NEW, c2);
    // glue-002: an SSH key on a development endpoint.
    Edge(p, q, T::Glue002, x, NONE, c, h) <- Runs(x, q, ComputeKind::GlueDevEndpoint, h),
        CanAlso(p, A::GlueUpdateDevEndpoint, x, c);
    // lambda-003 .. 005: new code in a function that runs with its execution role.
    Edge(p, q, T::Lambda003, x, NONE, c, h) <- Runs(x, q, ComputeKind::LambdaFunction, h),
        CanAlso(p, A::LambdaUpdateFunctionCode, x, c);
    Edge(p, q, T::Lambda004, x, NONE, c1 || c2, h) <- Runs(x, q, ComputeKind::LambdaFunction, h),
        CanAlso(p, A::LambdaUpdateFunctionCode, x, c1), CanAlso(p, A::LambdaInvokeExisting, x, c2);
    Edge(p, q, T::Lambda005, x, NONE, c1 || c2, h) <- Runs(x, q, ComputeKind::LambdaFunction, h),
        CanAlso(p, A::LambdaUpdateFunctionCode, x, c1), CanAlso(p, A::LambdaAddPermissionExisting, x, c2);
    // sagemaker-004: a presigned URL to a notebook that runs with its role.
    Edge(p, q, T::SageMaker004, x, NONE, c, h) <- Runs(x, q, ComputeKind::SageMakerNotebook, h),
        CanAlso(p, A::SageMakerCreatePresignedNotebookInstanceUrl, x, c);
    // sagemaker-005: a lifecycle configuration run at the notebook's next start.
    Edge(p, q, T::SageMaker005, x, NONE, c0 || c1 || c2 || c3, h) <-
        Runs(x, q, ComputeKind::SageMakerNotebook, h),
        CanAlso(p, A::SageMakerCreateNotebookInstanceLifecycleConfig, NEW, c0),
        CanAlso(p, A::SageMakerStopNotebookInstance, x, c1),
        CanAlso(p, A::SageMakerUpdateNotebookInstance, x, c2),
        CanAlso(p, A::SageMakerStartNotebookInstance, x, c3);
    // ssm-001, ssm-002: a shell or a command on an instance with a profile.
    Edge(p, q, T::Ssm001, x, NONE, c, h) <- Runs(x, q, ComputeKind::Ec2Instance, h),
        CanAlso(p, A::SsmStartSession, x, c);
    Edge(p, q, T::Ssm002, x, NONE, c, h) <- Runs(x, q, ComputeKind::Ec2Instance, h),
        CanAlso(p, A::SsmSendCommand, x, c);
}

/// The facts of one run.
#[derive(Debug, Default, Clone)]
pub struct Facts {
    /// `Can(p, action, target, cond)`.
    pub can: Vec<(u32, A, u32, bool)>,
    /// IAM users.
    pub users: Vec<u32>,
    /// IAM roles.
    pub roles: Vec<u32>,
    /// `(user, group)`.
    pub member_of: Vec<(u32, u32)>,
    /// `(customer-managed policy, holder)`.
    pub policy_holders: Vec<(u32, u32)>,
    /// `(principal, cond)` already administrators.
    pub admins: Vec<(u32, bool)>,
    /// `(principal, cond)`: administrators with `*` on `*` added (`cond`: only under a
    /// condition on keys a live request carries).
    pub admin_if_granted: Vec<(u32, bool)>,
    /// `(principal, cond)`: administrators without their boundary.
    pub admin_if_unbounded: Vec<(u32, bool)>,
    /// `(user, group, cond)`: administrator as a member of the group too.
    pub admin_if_joined: Vec<(u32, u32, bool)>,
    /// `(p, q, cond)`: `p` could assume `q` under a trust policy naming it.
    pub assume_after_trust_rewrite: Vec<(u32, u32, bool)>,
    /// `(service, role, cond)`: the service may assume the role (`cond`: only under a
    /// condition).
    pub service_assumes: Vec<(S, u32, bool)>,
    /// Roles in an instance profile.
    pub in_instance_profile: Vec<u32>,
    /// `(compute, role, kind, hypothetical)`.
    pub runs: Vec<(u32, u32, ComputeKind, bool)>,
    /// `(compute, kind, hypothetical)`.
    pub exists: Vec<(u32, ComputeKind, bool)>,
    /// `(user, has password, has MFA)`.
    pub console: Vec<(u32, Known, Known)>,
    /// `(user, has two keys)`.
    pub keys_full: Vec<(u32, Known)>,
}

/// A derived step (the [`Edge`] relation as a plain row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EdgeRow {
    /// The caller.
    pub from: u32,
    /// The principal reached, or [`ADMIN`].
    pub to: u32,
    /// The technique.
    pub technique: T,
    /// The resource changed or used ([`NEW`], [`NONE`] or a node).
    pub via: u32,
    /// The principal acted through in a combined technique, or [`NONE`].
    pub through: u32,
    /// Holds only under a condition the caller does not control.
    pub conditional: bool,
    /// Holds only if a resource the data does not show exists.
    pub hypothetical: bool,
}

/// A derived grant (the [`Grant`] relation as a plain row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GrantRow {
    /// The caller.
    pub from: u32,
    /// The principal whose permissions it can set.
    pub to: u32,
    /// The technique.
    pub technique: T,
    /// The policy, group or principal changed.
    pub via: u32,
    /// Conditional, as for [`EdgeRow`].
    pub conditional: bool,
    /// Hypothetical, as for [`EdgeRow`].
    pub hypothetical: bool,
}

/// A derived service-specific credential of another user (the [`ServiceAccess`] relation
/// as a plain row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceAccessRow {
    /// The caller.
    pub from: u32,
    /// The user whose credential it gets.
    pub user: u32,
    /// The technique.
    pub technique: T,
    /// Conditional, as for [`EdgeRow`].
    pub conditional: bool,
    /// Hypothetical, as for [`EdgeRow`].
    pub hypothetical: bool,
}

/// The outputs of one run, sorted.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Derived {
    /// Every step.
    pub edges: Vec<EdgeRow>,
    /// Every grant (including grants to oneself).
    pub grants: Vec<GrantRow>,
    /// Every service-specific credential of another user.
    pub service_access: Vec<ServiceAccessRow>,
}

/// Whether a rule reads action `a` after its first clause (as [`CanAlso`]).
fn also(a: A) -> bool {
    matches!(
        a,
        A::AgentCoreCreateCodeInterpreter
            | A::AgentCoreInvokeExisting
            | A::AgentCoreInvokeNew
            | A::AgentCoreStartSessionExisting
            | A::AgentCoreStartSessionNew
            | A::AppRunnerCreateService
            | A::AppRunnerUpdateService
            | A::AssumeRole
            | A::CfnCreateChangeSet
            | A::CfnCreateStack
            | A::CfnCreateStackInstances
            | A::CfnCreateStackSet
            | A::CfnExecuteChangeSet
            | A::CfnUpdateStack
            | A::CfnUpdateStackSet
            | A::CodeBuildCreateProject
            | A::CodeBuildStartBuildBatchExisting
            | A::CodeBuildStartBuildBatchNew
            | A::CodeBuildStartBuildExisting
            | A::CodeBuildStartBuildNew
            | A::CodeBuildUpdateProject
            | A::CreateAccessKey
            | A::DataPipelineActivatePipeline
            | A::DataPipelineCreatePipeline
            | A::DataPipelinePutPipelineDefinition
            | A::DeleteAccessKey
            | A::Ec2AssociateIamInstanceProfile
            | A::Ec2CreateLaunchTemplateVersion
            | A::Ec2DescribeInstances
            | A::Ec2InstanceConnectSendSshPublicKey
            | A::Ec2ModifyInstanceAttribute
            | A::Ec2ModifyLaunchTemplate
            | A::Ec2RequestSpotInstances
            | A::Ec2RunInstances
            | A::Ec2StartInstances
            | A::Ec2StopInstances
            | A::EcsCreateCluster
            | A::EcsCreateService
            | A::EcsRegisterTaskDefinition
            | A::EcsRunTask
            | A::EcsStartTask
            | A::GlueCreateDevEndpoint
            | A::GlueCreateJob
            | A::GlueCreateTrigger
            | A::GlueStartJobRunExisting
            | A::GlueStartJobRunNew
            | A::GlueUpdateDevEndpoint
            | A::GlueUpdateJob
            | A::LambdaAddPermissionExisting
            | A::LambdaAddPermissionNew
            | A::LambdaCreateEventSourceMapping
            | A::LambdaCreateFunction
            | A::LambdaInvokeExisting
            | A::LambdaInvokeNew
            | A::LambdaUpdateFunctionCode
            | A::SageMakerCreateNotebookInstance
            | A::SageMakerCreateNotebookInstanceLifecycleConfig
            | A::SageMakerCreatePresignedNotebookInstanceUrl
            | A::SageMakerCreateProcessingJob
            | A::SageMakerCreateTrainingJob
            | A::SageMakerStartNotebookInstance
            | A::SageMakerStopNotebookInstance
            | A::SageMakerUpdateNotebookInstance
            | A::SsmSendCommand
            | A::SsmStartSession
            | A::UpdateAssumeRolePolicy
    )
}

/// Run the escalation program.
pub fn run(f: &Facts) -> Derived {
    let mut rt = Crepe::new();
    rt.extend(f.can.iter().map(|&(p, a, t, c)| Can(p, a, t, c)));
    rt.extend(
        f.can
            .iter()
            .filter(|&&(_, a, _, _)| also(a))
            .map(|&(p, a, t, c)| CanAlso(p, a, t, c)),
    );
    rt.extend(f.can.iter().filter_map(|&(p, a, t, c)| match a {
        A::PassRole(s) => Some(CanPass(p, s, t, c)),
        _ => None,
    }));
    rt.extend(f.users.iter().map(|&u| IsUser(u)));
    rt.extend(f.roles.iter().map(|&r| IsRole(r)));
    rt.extend(f.member_of.iter().map(|&(u, g)| MemberOf(u, g)));
    rt.extend(f.policy_holders.iter().map(|&(p, h)| PolicyHolder(p, h)));
    rt.extend(f.admins.iter().map(|&(p, c)| Admin(p, c)));
    rt.extend(
        f.admin_if_granted
            .iter()
            .map(|&(p, c)| AdminIfGranted(p, c)),
    );
    rt.extend(
        f.admin_if_unbounded
            .iter()
            .map(|&(p, c)| AdminIfUnbounded(p, c)),
    );
    rt.extend(
        f.admin_if_joined
            .iter()
            .map(|&(u, g, c)| AdminIfJoined(u, g, c)),
    );
    rt.extend(
        f.assume_after_trust_rewrite
            .iter()
            .map(|&(p, q, c)| AssumeAfterTrustRewrite(p, q, c)),
    );
    rt.extend(
        f.service_assumes
            .iter()
            .map(|&(s, q, c)| ServiceAssumes(s, q, c)),
    );
    rt.extend(f.in_instance_profile.iter().map(|&q| InInstanceProfile(q)));
    rt.extend(f.runs.iter().map(|&(c, q, k, h)| Runs(c, q, k, h)));
    rt.extend(f.exists.iter().map(|&(c, k, h)| Exists(c, k, h)));
    rt.extend(f.console.iter().map(|&(u, a, b)| Console(u, a, b)));
    rt.extend(f.keys_full.iter().map(|&(u, k)| KeysFull(u, k)));
    // The facts are small integer ids: the multiply-rotate hasher, not SipHash.
    let (edges, grants, service) = rt.run_with_hasher::<crate::hash::FxBuildHasher>();
    let mut edges: Vec<EdgeRow> = edges
        .into_iter()
        .map(
            |Edge(from, to, technique, via, through, conditional, hypothetical)| EdgeRow {
                from,
                to,
                technique,
                via,
                through,
                conditional,
                hypothetical,
            },
        )
        .collect();
    let mut grants: Vec<GrantRow> = grants
        .into_iter()
        .map(
            |Grant(from, to, technique, via, conditional, hypothetical)| GrantRow {
                from,
                to,
                technique,
                via,
                conditional,
                hypothetical,
            },
        )
        .collect();
    let mut service_access: Vec<ServiceAccessRow> = service
        .into_iter()
        .map(
            |ServiceAccess(from, user, technique, conditional, hypothetical)| ServiceAccessRow {
                from,
                user,
                technique,
                conditional,
                hypothetical,
            },
        )
        .collect();
    edges.sort();
    grants.sort();
    service_access.sort();
    Derived {
        edges,
        grants,
        service_access,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every action a rule reads as [`CanAlso`] is one [`run`] feeds to it ([`also`]):
    /// a missing one would drop every step of its technique.
    #[test]
    fn every_action_read_after_a_first_clause_is_fed_to_can_also() {
        let text = include_str!("program.rs");
        let needle = ["CanAlso", "(p, A::"].concat();
        let mut seen = 0;
        for (i, _) in text.match_indices(&needle) {
            let name: String = text[i + needle.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            let a = A::all()
                .into_iter()
                .find(|a| format!("{a:?}") == name)
                .unwrap_or_else(|| panic!("`{name}` is an action"));
            assert!(also(a), "`{name}` is read as CanAlso but not fed to it");
            seen += 1;
        }
        assert!(seen > 60, "the rules read {seen} CanAlso clauses");
    }
}
