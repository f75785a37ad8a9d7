//! The escalation techniques: the 65 paths of the pathfinding.cloud catalogue
//! (`../shared/corpus/privesc-paths/`, ids such as `iam-001`) and a few the issue names that
//! the catalogue lacks (`x-...`), each with the permissions it needs and the AWS
//! documentation of the action semantics it relies on.

use super::action::{Action, Service};

/// Which target a required permission is decided on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Slot {
    /// The principal the step reaches (the role passed or assumed, the user whose
    /// credentials are created).
    To,
    /// The resource the step changes or uses (the policy, group, compute resource).
    Via,
    /// The principal acted through in a combined technique (the role assumed after
    /// changing its policy).
    Through,
    /// A resource the caller creates and names itself (or `*`).
    New,
    /// The caller itself (its own policies or boundary).
    Caller,
}

/// The pathfinding.cloud category of a technique.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// The caller rewrites its own permissions.
    SelfEscalation,
    /// The caller gains access to another principal.
    PrincipalAccess,
    /// The caller passes a role to a new resource of a service that runs code with it.
    NewPassrole,
    /// The caller changes existing compute that runs with a role.
    ExistingPassrole,
    /// Not an escalation step: the principal already has administrator access.
    Administrator,
    /// Not a step to another principal: the caller gets credentials of another user that
    /// work in one service only (service-specific credentials), with that user's
    /// permissions there.
    ServiceAccess,
}

macro_rules! techniques {
    ($($v:ident = $id:literal, $name:literal, $cat:ident, [$($act:expr => $slot:ident),*], $cite:literal;)*) => {
        /// An escalation technique (one Datalog rule each in the escalation program).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        pub enum Technique {
            $(#[doc = $name] $v,)*
        }

        impl Technique {
            /// Every technique, in catalogue order.
            pub const ALL: &'static [Technique] = &[$(Technique::$v,)*];

            /// The catalogue id (`iam-001`), or `x-...` for techniques outside it.
            pub fn id(self) -> &'static str {
                match self { $(Technique::$v => $id,)* }
            }

            /// The catalogue's name: the permissions it needs (`iam:PassRole + ec2:RunInstances`).
            pub fn name(self) -> &'static str {
                match self { $(Technique::$v => $name,)* }
            }

            /// The catalogue category.
            pub fn category(self) -> Category {
                match self { $(Technique::$v => Category::$cat,)* }
            }

            /// The permissions the technique needs, each with the target it is decided on.
            pub fn required(self) -> &'static [(Action, Slot)] {
                match self { $(Technique::$v => &[$(($act, Slot::$slot)),*],)* }
            }

            /// The AWS documentation of the action semantics the technique relies on.
            pub fn citation(self) -> &'static str {
                match self { $(Technique::$v => $cite,)* }
            }
        }
    };
}

use Action as A;
use Service as S;

techniques! {
    Administrator = "admin", "administrator access", Administrator, [],
        "IAM User Guide, \"Policy evaluation logic\": the principal is already allowed every probed action on *";
    AppRunner001 = "apprunner-001", "iam:PassRole + apprunner:CreateService", NewPassrole,
        [A::PassRole(S::AppRunner) => To, A::AppRunnerCreateService => New],
        "App Runner Developer Guide, \"Instance role\"; Service Authorization Reference, AWS App Runner";
    AppRunner002 = "apprunner-002", "apprunner:UpdateService", ExistingPassrole,
        [A::AppRunnerUpdateService => Via],
        "App Runner Developer Guide, \"Instance role\": the service's code runs with the instance role";
    Bedrock001 = "bedrock-001", "iam:PassRole + bedrock-agentcore:CreateCodeInterpreter + bedrock-agentcore:StartCodeInterpreterSession + bedrock-agentcore:InvokeCodeInterpreter", NewPassrole,
        [A::PassRole(S::BedrockAgentCore) => To, A::AgentCoreCreateCodeInterpreter => New, A::AgentCoreStartSessionNew => New, A::AgentCoreInvokeNew => New],
        "Amazon Bedrock AgentCore Developer Guide, \"Code Interpreter\" execution role";
    Bedrock002 = "bedrock-002", "bedrock-agentcore:StartCodeInterpreterSession + bedrock-agentcore:InvokeCodeInterpreter", ExistingPassrole,
        [A::AgentCoreStartSessionExisting => Via, A::AgentCoreInvokeExisting => Via],
        "Amazon Bedrock AgentCore Developer Guide, \"Code Interpreter\" execution role";
    CloudFormation001 = "cloudformation-001", "iam:PassRole + cloudformation:CreateStack", NewPassrole,
        [A::PassRole(S::CloudFormation) => To, A::CfnCreateStack => New],
        "CloudFormation User Guide, \"AWS CloudFormation service role\": stack operations use the role's credentials";
    CloudFormation002 = "cloudformation-002", "cloudformation:UpdateStack", ExistingPassrole,
        [A::CfnUpdateStack => Via],
        "CloudFormation User Guide, \"AWS CloudFormation service role\": later updates of the stack use its role";
    CloudFormation003 = "cloudformation-003", "iam:PassRole + cloudformation:CreateStackSet + cloudformation:CreateStackInstances", NewPassrole,
        [A::PassRole(S::CloudFormation) => To, A::CfnCreateStackSet => New, A::CfnCreateStackInstances => New],
        "CloudFormation User Guide, \"Grant self-managed permissions\" (stack set administration and execution roles)";
    CloudFormation004 = "cloudformation-004", "iam:PassRole + cloudformation:UpdateStackSet", NewPassrole,
        [A::PassRole(S::CloudFormation) => To, A::CfnUpdateStackSet => Via],
        "CloudFormation User Guide, \"Grant self-managed permissions\"";
    CloudFormation005 = "cloudformation-005", "cloudformation:CreateChangeSet + cloudformation:ExecuteChangeSet", ExistingPassrole,
        [A::CfnCreateChangeSet => Via, A::CfnExecuteChangeSet => Via],
        "CloudFormation User Guide, \"Update CloudFormation stacks using change sets\" with the stack's service role";
    CodeBuild001 = "codebuild-001", "iam:PassRole + codebuild:CreateProject + codebuild:StartBuild", NewPassrole,
        [A::PassRole(S::CodeBuild) => To, A::CodeBuildCreateProject => New, A::CodeBuildStartBuildNew => New],
        "CodeBuild User Guide, \"Allow CodeBuild to interact with other AWS services\" (service role)";
    CodeBuild002 = "codebuild-002", "codebuild:StartBuild", ExistingPassrole,
        [A::CodeBuildStartBuildExisting => Via],
        "CodeBuild API Reference, StartBuild: buildspecOverride runs new commands with the project's service role";
    CodeBuild003 = "codebuild-003", "codebuild:StartBuildBatch", ExistingPassrole,
        [A::CodeBuildStartBuildBatchExisting => Via],
        "CodeBuild API Reference, StartBuildBatch: buildspecOverride";
    CodeBuild004 = "codebuild-004", "iam:PassRole + codebuild:CreateProject + codebuild:StartBuildBatch", NewPassrole,
        [A::PassRole(S::CodeBuild) => To, A::CodeBuildCreateProject => New, A::CodeBuildStartBuildBatchNew => New],
        "CodeBuild User Guide, service role";
    DataPipeline001 = "datapipeline-001", "iam:PassRole + datapipeline:CreatePipeline + datapipeline:PutPipelineDefinition + datapipeline:ActivatePipeline", NewPassrole,
        [A::PassRole(S::DataPipeline) => To, A::DataPipelineCreatePipeline => New, A::DataPipelinePutPipelineDefinition => New, A::DataPipelineActivatePipeline => New],
        "AWS Data Pipeline Developer Guide, \"IAM roles for AWS Data Pipeline\"";
    Ec2001 = "ec2-001", "iam:PassRole + ec2:RunInstances", NewPassrole,
        [A::PassRole(S::Ec2) => To, A::Ec2RunInstances => New],
        "IAM User Guide, \"Use an IAM role to grant permissions to applications running on Amazon EC2 instances\" (instance profiles)";
    Ec2002 = "ec2-002", "ec2:ModifyInstanceAttribute + ec2:StopInstances + ec2:StartInstances", ExistingPassrole,
        [A::Ec2ModifyInstanceAttribute => Via, A::Ec2StopInstances => Via, A::Ec2StartInstances => Via],
        "EC2 User Guide, \"Run commands when you launch an EC2 instance with user data input\" (user data of a stopped instance)";
    Ec2003 = "ec2-003", "iam:PassRole + ec2:RequestSpotInstances", NewPassrole,
        [A::PassRole(S::Ec2) => To, A::Ec2RequestSpotInstances => New],
        "EC2 API Reference, RequestSpotInstances (IamInstanceProfile of the launch specification)";
    Ec2004 = "ec2-004", "ec2:CreateLaunchTemplateVersion + ec2:ModifyLaunchTemplate", ExistingPassrole,
        [A::Ec2CreateLaunchTemplateVersion => Via, A::Ec2ModifyLaunchTemplate => Via],
        "EC2 User Guide, \"Modify a launch template (manage launch template versions)\"";
    Ec2InstanceConnect003 = "ec2instanceconnect-003", "ec2-instance-connect:SendSSHPublicKey", ExistingPassrole,
        [A::Ec2InstanceConnectSendSshPublicKey => Via, A::Ec2DescribeInstances => New],
        "EC2 User Guide, \"Connect using EC2 Instance Connect\"";
    Ecs001 = "ecs-001", "iam:PassRole + ecs:CreateCluster + ecs:RegisterTaskDefinition + ecs:CreateService", NewPassrole,
        [A::PassRole(S::EcsTasks) => To, A::EcsCreateCluster => New, A::EcsRegisterTaskDefinition => New, A::EcsCreateService => New],
        "Amazon ECS Developer Guide, \"Amazon ECS task IAM role\"";
    Ecs002 = "ecs-002", "iam:PassRole + ecs:CreateCluster + ecs:RegisterTaskDefinition + ecs:RunTask", NewPassrole,
        [A::PassRole(S::EcsTasks) => To, A::EcsCreateCluster => New, A::EcsRegisterTaskDefinition => New, A::EcsRunTask => New],
        "Amazon ECS Developer Guide, \"Amazon ECS task IAM role\"";
    Ecs003 = "ecs-003", "iam:PassRole + ecs:RegisterTaskDefinition + ecs:CreateService", NewPassrole,
        [A::PassRole(S::EcsTasks) => To, A::EcsRegisterTaskDefinition => New, A::EcsCreateService => New],
        "Amazon ECS Developer Guide, \"Amazon ECS task IAM role\"";
    Ecs004 = "ecs-004", "iam:PassRole + ecs:RegisterTaskDefinition + ecs:RunTask", NewPassrole,
        [A::PassRole(S::EcsTasks) => To, A::EcsRegisterTaskDefinition => New, A::EcsRunTask => New],
        "Amazon ECS Developer Guide, \"Amazon ECS task IAM role\"";
    Ecs005 = "ecs-005", "iam:PassRole + ecs:RegisterTaskDefinition + ecs:StartTask", NewPassrole,
        [A::PassRole(S::EcsTasks) => To, A::EcsRegisterTaskDefinition => New, A::EcsStartTask => New],
        "Amazon ECS Developer Guide, \"Amazon ECS task IAM role\"";
    Glue001 = "glue-001", "iam:PassRole + glue:CreateDevEndpoint", NewPassrole,
        [A::PassRole(S::Glue) => To, A::GlueCreateDevEndpoint => New],
        "AWS Glue Developer Guide, \"Setting up IAM permissions for AWS Glue\" (development endpoint role)";
    Glue002 = "glue-002", "glue:UpdateDevEndpoint", ExistingPassrole,
        [A::GlueUpdateDevEndpoint => Via],
        "AWS Glue API, UpdateDevEndpoint (PublicKeys: SSH access to the endpoint that runs with its role)";
    Glue003 = "glue-003", "iam:PassRole + glue:CreateJob + glue:StartJobRun", NewPassrole,
        [A::PassRole(S::Glue) => To, A::GlueCreateJob => New, A::GlueStartJobRunNew => New],
        "AWS Glue Developer Guide, job IAM role";
    Glue004 = "glue-004", "iam:PassRole + glue:CreateJob + glue:CreateTrigger", NewPassrole,
        [A::PassRole(S::Glue) => To, A::GlueCreateJob => New, A::GlueCreateTrigger => New],
        "AWS Glue Developer Guide, job IAM role and triggers";
    Glue005 = "glue-005", "iam:PassRole + glue:UpdateJob + glue:StartJobRun", NewPassrole,
        [A::PassRole(S::Glue) => To, A::GlueUpdateJob => Via, A::GlueStartJobRunExisting => Via],
        "AWS Glue API, UpdateJob (Role)";
    Glue006 = "glue-006", "iam:PassRole + glue:UpdateJob + glue:CreateTrigger", NewPassrole,
        [A::PassRole(S::Glue) => To, A::GlueUpdateJob => Via, A::GlueCreateTrigger => New],
        "AWS Glue API, UpdateJob (Role) and CreateTrigger";
    Iam001 = "iam-001", "iam:CreatePolicyVersion", SelfEscalation,
        [A::CreatePolicyVersion => Via],
        "IAM User Guide, \"Versioning IAM policies\": a new version set as default is in effect for every user, group and role the policy is attached to";
    Iam002 = "iam-002", "iam:CreateAccessKey", PrincipalAccess,
        [A::CreateAccessKey => To],
        "IAM User Guide, \"Manage access keys for IAM users\": a user can have at most two access keys";
    Iam003 = "iam-003", "iam:CreateAccessKey + iam:DeleteAccessKey", PrincipalAccess,
        [A::CreateAccessKey => To, A::DeleteAccessKey => To],
        "IAM User Guide, \"Manage access keys for IAM users\" (delete one of two keys first)";
    Iam004 = "iam-004", "iam:CreateLoginProfile", PrincipalAccess,
        [A::CreateLoginProfile => To],
        "IAM User Guide, \"Manage passwords for IAM users\" (a user without a console password; MFA, when assigned, is required at sign-in)";
    Iam005 = "iam-005", "iam:PutRolePolicy", SelfEscalation,
        [A::PutRolePolicy => Via],
        "IAM API Reference, PutRolePolicy: adds or updates an inline policy of the role";
    Iam006 = "iam-006", "iam:UpdateLoginProfile", PrincipalAccess,
        [A::UpdateLoginProfile => To],
        "IAM User Guide, \"Manage passwords for IAM users\" (changing another user's password)";
    Iam007 = "iam-007", "iam:PutUserPolicy", SelfEscalation,
        [A::PutUserPolicy => Via],
        "IAM API Reference, PutUserPolicy";
    Iam008 = "iam-008", "iam:AttachUserPolicy", SelfEscalation,
        [A::AttachUserPolicy => Via],
        "IAM API Reference, AttachUserPolicy (iam:PolicyARN names the policy attached: AdministratorAccess)";
    Iam009 = "iam-009", "iam:AttachRolePolicy", SelfEscalation,
        [A::AttachRolePolicy => Via],
        "IAM API Reference, AttachRolePolicy";
    Iam010 = "iam-010", "iam:AttachGroupPolicy", SelfEscalation,
        [A::AttachGroupPolicy => Via],
        "IAM API Reference, AttachGroupPolicy; IAM User Guide, \"IAM user groups\" (members get the group's policies)";
    Iam011 = "iam-011", "iam:PutGroupPolicy", SelfEscalation,
        [A::PutGroupPolicy => Via],
        "IAM API Reference, PutGroupPolicy";
    Iam012 = "iam-012", "iam:UpdateAssumeRolePolicy", PrincipalAccess,
        [A::UpdateAssumeRolePolicy => To],
        "IAM API Reference, UpdateAssumeRolePolicy: replaces the role's trust policy";
    Iam013 = "iam-013", "iam:AddUserToGroup", SelfEscalation,
        [A::AddUserToGroup => Via],
        "IAM API Reference, AddUserToGroup; IAM User Guide, \"IAM user groups\"";
    Iam014 = "iam-014", "iam:AttachRolePolicy + sts:AssumeRole", PrincipalAccess,
        [A::AttachRolePolicy => Through, A::AssumeRole => Through],
        "IAM API Reference, AttachRolePolicy; STS AssumeRole";
    Iam015 = "iam-015", "iam:AttachUserPolicy + iam:CreateAccessKey", PrincipalAccess,
        [A::AttachUserPolicy => Through, A::CreateAccessKey => Through],
        "IAM API Reference, AttachUserPolicy and CreateAccessKey";
    Iam016 = "iam-016", "iam:CreatePolicyVersion + sts:AssumeRole", PrincipalAccess,
        [A::CreatePolicyVersion => Via, A::AssumeRole => Through],
        "IAM User Guide, \"Versioning IAM policies\"; STS AssumeRole";
    Iam017 = "iam-017", "iam:PutRolePolicy + sts:AssumeRole", PrincipalAccess,
        [A::PutRolePolicy => Through, A::AssumeRole => Through],
        "IAM API Reference, PutRolePolicy; STS AssumeRole";
    Iam018 = "iam-018", "iam:PutUserPolicy + iam:CreateAccessKey", PrincipalAccess,
        [A::PutUserPolicy => Through, A::CreateAccessKey => Through],
        "IAM API Reference, PutUserPolicy and CreateAccessKey";
    Iam019 = "iam-019", "iam:AttachRolePolicy + iam:UpdateAssumeRolePolicy", PrincipalAccess,
        [A::AttachRolePolicy => Through, A::UpdateAssumeRolePolicy => Through],
        "IAM API Reference, AttachRolePolicy and UpdateAssumeRolePolicy";
    Iam020 = "iam-020", "iam:CreatePolicyVersion + iam:UpdateAssumeRolePolicy", PrincipalAccess,
        [A::CreatePolicyVersion => Via, A::UpdateAssumeRolePolicy => Through],
        "IAM User Guide, \"Versioning IAM policies\"; IAM API Reference, UpdateAssumeRolePolicy";
    Iam021 = "iam-021", "iam:PutRolePolicy + iam:UpdateAssumeRolePolicy", PrincipalAccess,
        [A::PutRolePolicy => Through, A::UpdateAssumeRolePolicy => Through],
        "IAM API Reference, PutRolePolicy and UpdateAssumeRolePolicy";
    Lambda001 = "lambda-001", "iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction", NewPassrole,
        [A::PassRole(S::Lambda) => To, A::LambdaCreateFunction => New, A::LambdaInvokeNew => New],
        "Lambda Developer Guide, \"Defining Lambda function permissions with an execution role\"";
    Lambda002 = "lambda-002", "iam:PassRole + lambda:CreateFunction + lambda:CreateEventSourceMapping", NewPassrole,
        [A::PassRole(S::Lambda) => To, A::LambdaCreateFunction => New, A::LambdaCreateEventSourceMapping => New],
        "Lambda Developer Guide, execution role and \"Lambda event source mappings\"";
    Lambda003 = "lambda-003", "lambda:UpdateFunctionCode", ExistingPassrole,
        [A::LambdaUpdateFunctionCode => Via],
        "Lambda API Reference, UpdateFunctionCode: the new code runs with the function's execution role";
    Lambda004 = "lambda-004", "lambda:UpdateFunctionCode + lambda:InvokeFunction", ExistingPassrole,
        [A::LambdaUpdateFunctionCode => Via, A::LambdaInvokeExisting => Via],
        "Lambda API Reference, UpdateFunctionCode and Invoke";
    Lambda005 = "lambda-005", "lambda:UpdateFunctionCode + lambda:AddPermission", ExistingPassrole,
        [A::LambdaUpdateFunctionCode => Via, A::LambdaAddPermissionExisting => Via],
        "Lambda API Reference, UpdateFunctionCode and AddPermission";
    Lambda006 = "lambda-006", "iam:PassRole + lambda:CreateFunction + lambda:AddPermission", NewPassrole,
        [A::PassRole(S::Lambda) => To, A::LambdaCreateFunction => New, A::LambdaAddPermissionNew => New],
        "Lambda Developer Guide, execution role; Lambda API Reference, AddPermission";
    SageMaker001 = "sagemaker-001", "iam:PassRole + sagemaker:CreateNotebookInstance", NewPassrole,
        [A::PassRole(S::SageMaker) => To, A::SageMakerCreateNotebookInstance => New],
        "SageMaker AI Developer Guide, \"How to use SageMaker AI execution roles\"";
    SageMaker002 = "sagemaker-002", "iam:PassRole + sagemaker:CreateTrainingJob", NewPassrole,
        [A::PassRole(S::SageMaker) => To, A::SageMakerCreateTrainingJob => New],
        "SageMaker AI Developer Guide, execution roles";
    SageMaker003 = "sagemaker-003", "iam:PassRole + sagemaker:CreateProcessingJob", NewPassrole,
        [A::PassRole(S::SageMaker) => To, A::SageMakerCreateProcessingJob => New],
        "SageMaker AI Developer Guide, execution roles";
    SageMaker004 = "sagemaker-004", "sagemaker:CreatePresignedNotebookInstanceUrl", ExistingPassrole,
        [A::SageMakerCreatePresignedNotebookInstanceUrl => Via],
        "SageMaker AI API, CreatePresignedNotebookInstanceUrl (Jupyter access on the notebook that runs with its role)";
    SageMaker005 = "sagemaker-005", "sagemaker:CreateNotebookInstanceLifecycleConfig + sagemaker:StopNotebookInstance + sagemaker:UpdateNotebookInstance + sagemaker:StartNotebookInstance", ExistingPassrole,
        [A::SageMakerCreateNotebookInstanceLifecycleConfig => New, A::SageMakerStopNotebookInstance => Via, A::SageMakerUpdateNotebookInstance => Via, A::SageMakerStartNotebookInstance => Via],
        "SageMaker AI Developer Guide, \"Customization of a SageMaker notebook instance using an LCC script\"";
    Ssm001 = "ssm-001", "ssm:StartSession", ExistingPassrole,
        [A::SsmStartSession => Via],
        "AWS Systems Manager User Guide, \"Start a session\" (a shell on the instance, whose credentials are its profile role's)";
    Ssm002 = "ssm-002", "ssm:SendCommand", ExistingPassrole,
        [A::SsmSendCommand => Via],
        "AWS Systems Manager User Guide, \"Run Command\"";
    Sts001 = "sts-001", "sts:AssumeRole", PrincipalAccess,
        [A::AssumeRole => To],
        "IAM User Guide, \"Methods to assume a role\" and \"Role chaining\"";
    SetDefaultPolicyVersion = "x-setdefaultpolicyversion", "iam:SetDefaultPolicyVersion", SelfEscalation,
        [A::SetDefaultPolicyVersion => Via],
        "IAM User Guide, \"Versioning IAM policies\" (roll back to any stored version)";
    DeleteRoleBoundary = "x-deleterolepermissionsboundary", "iam:DeleteRolePermissionsBoundary", SelfEscalation,
        [A::DeleteRolePermissionsBoundary => Caller],
        "IAM User Guide, \"Permissions boundaries for IAM entities\" (without a boundary, identity policies alone decide)";
    DeleteUserBoundary = "x-deleteuserpermissionsboundary", "iam:DeleteUserPermissionsBoundary", SelfEscalation,
        [A::DeleteUserPermissionsBoundary => Caller],
        "IAM User Guide, \"Permissions boundaries for IAM entities\"";
    PutRoleBoundary = "x-putrolepermissionsboundary", "iam:PutRolePermissionsBoundary", SelfEscalation,
        [A::PutRolePermissionsBoundary => Caller],
        "IAM User Guide, \"Permissions boundaries for IAM entities\" (a boundary of AdministratorAccess limits nothing)";
    PutUserBoundary = "x-putuserpermissionsboundary", "iam:PutUserPermissionsBoundary", SelfEscalation,
        [A::PutUserPermissionsBoundary => Caller],
        "IAM User Guide, \"Permissions boundaries for IAM entities\"";
    Ec2AssociateProfile = "x-ec2-associateiaminstanceprofile", "iam:PassRole + ec2:AssociateIamInstanceProfile", NewPassrole,
        [A::PassRole(S::Ec2) => To, A::Ec2AssociateIamInstanceProfile => Via],
        "EC2 API Reference, AssociateIamInstanceProfile (replacing the role of a running instance)";
    CodeBuildUpdateProject = "x-codebuild-updateproject", "codebuild:UpdateProject + codebuild:StartBuild", ExistingPassrole,
        [A::CodeBuildUpdateProject => Via, A::CodeBuildStartBuildExisting => Via],
        "CodeBuild API Reference, UpdateProject (buildspec) and StartBuild";
    CreateServiceCredential = "x-iam-createservicespecificcredential", "iam:CreateServiceSpecificCredential", ServiceAccess,
        [A::CreateServiceSpecificCredential => To],
        "IAM API Reference, CreateServiceSpecificCredential: credentials of the user with \"the same permissions as the associated user\", usable only for the service named (Amazon Bedrock, CodeCommit, Amazon Keyspaces); at most two per service and user";
    ResetServiceCredential = "x-iam-resetservicespecificcredential", "iam:ResetServiceSpecificCredential", ServiceAccess,
        [A::ResetServiceSpecificCredential => To],
        "IAM API Reference, ResetServiceSpecificCredential: resets the password of the user's existing service-specific credential to a new value, returned to the caller";
}

impl Technique {
    /// The technique with catalogue id `id`.
    pub fn by_id(id: &str) -> Option<Technique> {
        Technique::ALL.iter().copied().find(|t| t.id() == id)
    }
}
