//! The permissions escalation techniques need: each an IAM action on a kind of target.
//!
//! Every permission is decided by the decision program ([`crate::Engine`]) for a concrete
//! target before an escalation rule may use it; this module only names them and says which
//! resource ARN a request for them carries.

/// An AWS service that runs code with a role passed to it (`iam:PassRole`). "Grant a user
/// permissions to pass a role to an AWS service" (IAM User Guide): the role is passed to a
/// service of the same account, which later assumes it; `iam:PassedToService` names the
/// service principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Service {
    /// Amazon EC2 (instance profiles).
    Ec2,
    /// AWS Lambda (execution role).
    Lambda,
    /// AWS CloudFormation (stack service role).
    CloudFormation,
    /// AWS CodeBuild (project service role).
    CodeBuild,
    /// AWS Data Pipeline (pipeline and resource roles).
    DataPipeline,
    /// Amazon ECS tasks (task role).
    EcsTasks,
    /// AWS Glue (dev endpoints and jobs).
    Glue,
    /// Amazon SageMaker AI (notebooks, training and processing jobs).
    SageMaker,
    /// AWS App Runner (instance role).
    AppRunner,
    /// Amazon Bedrock AgentCore (code interpreter execution role).
    BedrockAgentCore,
}

impl Service {
    /// Every service, in a fixed order.
    pub const ALL: [Service; 10] = [
        Service::Ec2,
        Service::Lambda,
        Service::CloudFormation,
        Service::CodeBuild,
        Service::DataPipeline,
        Service::EcsTasks,
        Service::Glue,
        Service::SageMaker,
        Service::AppRunner,
        Service::BedrockAgentCore,
    ];

    /// The service principal that assumes the role (the role's trust policy must allow it),
    /// and the value of `iam:PassedToService` when the role is passed to it.
    pub fn principal(self) -> &'static str {
        match self {
            Service::Ec2 => "ec2.amazonaws.com",
            Service::Lambda => "lambda.amazonaws.com",
            Service::CloudFormation => "cloudformation.amazonaws.com",
            Service::CodeBuild => "codebuild.amazonaws.com",
            Service::DataPipeline => "datapipeline.amazonaws.com",
            Service::EcsTasks => "ecs-tasks.amazonaws.com",
            Service::Glue => "glue.amazonaws.com",
            Service::SageMaker => "sagemaker.amazonaws.com",
            Service::AppRunner => "tasks.apprunner.amazonaws.com",
            Service::BedrockAgentCore => "bedrock-agentcore.amazonaws.com",
        }
    }
}

/// Compute that runs with a role: what an existing-resource technique changes, or what a
/// pass-role technique creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum ComputeKind {
    /// A Lambda function (`aws lambda list-functions`: `Role`).
    LambdaFunction,
    /// An EC2 instance with an instance profile (`aws ec2 describe-instances`).
    Ec2Instance,
    /// An EC2 launch template whose instances get an instance profile.
    LaunchTemplate,
    /// A CloudFormation stack with a service role (`describe-stacks`: `RoleARN`).
    CfnStack,
    /// A CloudFormation stack set with an execution role.
    CfnStackSet,
    /// A CodeBuild project (`batch-get-projects`: `serviceRole`).
    CodeBuildProject,
    /// A Glue development endpoint (`get-dev-endpoints`: `RoleArn`).
    GlueDevEndpoint,
    /// A Glue job.
    GlueJob,
    /// A SageMaker notebook instance (`describe-notebook-instance`: `RoleArn`).
    SageMakerNotebook,
    /// An ECS task definition (`describe-task-definition`: `taskRoleArn`).
    EcsTaskDefinition,
    /// An App Runner service (instance role).
    AppRunnerService,
    /// A Bedrock AgentCore code interpreter (execution role).
    CodeInterpreter,
}

impl ComputeKind {
    /// The service whose principal the compute's role must trust.
    pub fn service(self) -> Service {
        match self {
            ComputeKind::LambdaFunction => Service::Lambda,
            ComputeKind::Ec2Instance | ComputeKind::LaunchTemplate => Service::Ec2,
            ComputeKind::CfnStack | ComputeKind::CfnStackSet => Service::CloudFormation,
            ComputeKind::CodeBuildProject => Service::CodeBuild,
            ComputeKind::GlueDevEndpoint | ComputeKind::GlueJob => Service::Glue,
            ComputeKind::SageMakerNotebook => Service::SageMaker,
            ComputeKind::EcsTaskDefinition => Service::EcsTasks,
            ComputeKind::AppRunnerService => Service::AppRunner,
            ComputeKind::CodeInterpreter => Service::BedrockAgentCore,
        }
    }

    /// A readable name with its article (`a Lambda function`).
    pub fn label(self) -> &'static str {
        match self {
            ComputeKind::LambdaFunction => "a Lambda function",
            ComputeKind::Ec2Instance => "an EC2 instance",
            ComputeKind::LaunchTemplate => "an EC2 launch template",
            ComputeKind::CfnStack => "a CloudFormation stack",
            ComputeKind::CfnStackSet => "a CloudFormation stack set",
            ComputeKind::CodeBuildProject => "a CodeBuild project",
            ComputeKind::GlueDevEndpoint => "a Glue dev endpoint",
            ComputeKind::GlueJob => "a Glue job",
            ComputeKind::SageMakerNotebook => "a SageMaker notebook instance",
            ComputeKind::EcsTaskDefinition => "an ECS task definition",
            ComputeKind::AppRunnerService => "an App Runner service",
            ComputeKind::CodeInterpreter => "an AgentCore code interpreter",
        }
    }
}

/// What a permission's request is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Target {
    /// An IAM role of the data (its ARN is the resource).
    Role,
    /// An IAM user of the data.
    User,
    /// An IAM group of the data.
    Group,
    /// A customer-managed policy of the data.
    Policy,
    /// A resource the caller creates and names itself, of this ARN template.
    New(&'static str),
    /// An existing compute resource (from the data, or "if such a resource exists"),
    /// of this ARN template.
    Existing(ComputeKind, &'static str),
    /// The action takes no resource (`*`).
    Star,
}

macro_rules! actions {
    ($($(#[$doc:meta])* $v:ident = $name:literal => $target:expr;)*) => {
        /// An action a technique needs, with the kind of target it is decided on.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        pub enum Action {
            $($(#[$doc])* $v,)*
            /// `iam:PassRole` of a role to a service (`iam:PassedToService`).
            PassRole(Service),
        }

        impl Action {
            /// Every action except [`Action::PassRole`].
            pub const PLAIN: &'static [Action] = &[$(Action::$v,)*];

            /// The IAM action name (`iam:CreatePolicyVersion`).
            pub fn name(self) -> &'static str {
                match self {
                    $(Action::$v => $name,)*
                    Action::PassRole(_) => "iam:PassRole",
                }
            }

            /// The target the action is decided on.
            pub fn target(self) -> Target {
                match self {
                    $(Action::$v => $target,)*
                    Action::PassRole(_) => Target::Role,
                }
            }
        }
    };
}

use ComputeKind as K;

const LAMBDA_FN: &str = "arn:aws:lambda:{region}:{account}:function:{name}";
const EC2_INSTANCE: &str = "arn:aws:ec2:{region}:{account}:instance/i-{name}";
const LAUNCH_TEMPLATE: &str = "arn:aws:ec2:{region}:{account}:launch-template/lt-{name}";
const CFN_STACK: &str =
    "arn:aws:cloudformation:{region}:{account}:stack/{name}/00000000-0000-0000-0000-000000000000";
const CFN_STACKSET: &str =
    "arn:aws:cloudformation:{region}:{account}:stackset/{name}:00000000-0000-0000-0000-000000000000";
const CODEBUILD: &str = "arn:aws:codebuild:{region}:{account}:project/{name}";
const GLUE_DEV: &str = "arn:aws:glue:{region}:{account}:devEndpoint/{name}";
const GLUE_JOB: &str = "arn:aws:glue:{region}:{account}:job/{name}";
const SM_NOTEBOOK: &str = "arn:aws:sagemaker:{region}:{account}:notebook-instance/{name}";
const ECS_TASKDEF: &str = "arn:aws:ecs:{region}:{account}:task-definition/{name}:1";
const APPRUNNER: &str =
    "arn:aws:apprunner:{region}:{account}:service/{name}/00000000000000000000000000000000";
const INTERPRETER: &str = "arn:aws:bedrock-agentcore:{region}:{account}:code-interpreter/{name}";

actions! {
    // IAM: permissions of principals and policies ("Actions, resources, and condition keys
    // for AWS Identity and Access Management").
    /// `iam:CreatePolicyVersion` (with `--set-as-default`).
    CreatePolicyVersion = "iam:CreatePolicyVersion" => Target::Policy;
    /// `iam:SetDefaultPolicyVersion`.
    SetDefaultPolicyVersion = "iam:SetDefaultPolicyVersion" => Target::Policy;
    /// `iam:PutUserPolicy`.
    PutUserPolicy = "iam:PutUserPolicy" => Target::User;
    /// `iam:PutGroupPolicy`.
    PutGroupPolicy = "iam:PutGroupPolicy" => Target::Group;
    /// `iam:PutRolePolicy`.
    PutRolePolicy = "iam:PutRolePolicy" => Target::Role;
    /// `iam:AttachUserPolicy` (of `AdministratorAccess`: `iam:PolicyARN`).
    AttachUserPolicy = "iam:AttachUserPolicy" => Target::User;
    /// `iam:AttachGroupPolicy`.
    AttachGroupPolicy = "iam:AttachGroupPolicy" => Target::Group;
    /// `iam:AttachRolePolicy`.
    AttachRolePolicy = "iam:AttachRolePolicy" => Target::Role;
    /// `iam:AddUserToGroup` (the group is the resource).
    AddUserToGroup = "iam:AddUserToGroup" => Target::Group;
    /// `iam:UpdateAssumeRolePolicy`.
    UpdateAssumeRolePolicy = "iam:UpdateAssumeRolePolicy" => Target::Role;
    /// `iam:DeleteRolePermissionsBoundary`.
    DeleteRolePermissionsBoundary = "iam:DeleteRolePermissionsBoundary" => Target::Role;
    /// `iam:DeleteUserPermissionsBoundary`.
    DeleteUserPermissionsBoundary = "iam:DeleteUserPermissionsBoundary" => Target::User;
    /// `iam:PutRolePermissionsBoundary` (`iam:PermissionsBoundary` = `AdministratorAccess`).
    PutRolePermissionsBoundary = "iam:PutRolePermissionsBoundary" => Target::Role;
    /// `iam:PutUserPermissionsBoundary`.
    PutUserPermissionsBoundary = "iam:PutUserPermissionsBoundary" => Target::User;
    /// `iam:CreateAccessKey`.
    CreateAccessKey = "iam:CreateAccessKey" => Target::User;
    /// `iam:DeleteAccessKey`.
    DeleteAccessKey = "iam:DeleteAccessKey" => Target::User;
    /// `iam:CreateLoginProfile`.
    CreateLoginProfile = "iam:CreateLoginProfile" => Target::User;
    /// `iam:UpdateLoginProfile`.
    UpdateLoginProfile = "iam:UpdateLoginProfile" => Target::User;
    /// `iam:CreateServiceSpecificCredential` (the user is the resource).
    CreateServiceSpecificCredential = "iam:CreateServiceSpecificCredential" => Target::User;
    /// `iam:ResetServiceSpecificCredential`.
    ResetServiceSpecificCredential = "iam:ResetServiceSpecificCredential" => Target::User;
    /// `sts:AssumeRole` (the role's trust policy is its resource policy).
    AssumeRole = "sts:AssumeRole" => Target::Role;
    // Lambda ("Actions, resources, and condition keys for AWS Lambda").
    /// `lambda:CreateFunction`.
    LambdaCreateFunction = "lambda:CreateFunction" => Target::New(LAMBDA_FN);
    /// `lambda:InvokeFunction` on the new function.
    LambdaInvokeNew = "lambda:InvokeFunction" => Target::New(LAMBDA_FN);
    /// `lambda:AddPermission` on the new function.
    LambdaAddPermissionNew = "lambda:AddPermission" => Target::New(LAMBDA_FN);
    /// `lambda:CreateEventSourceMapping` (no resource-level permission).
    LambdaCreateEventSourceMapping = "lambda:CreateEventSourceMapping" => Target::Star;
    /// `lambda:UpdateFunctionCode` on an existing function.
    LambdaUpdateFunctionCode = "lambda:UpdateFunctionCode" => Target::Existing(K::LambdaFunction, LAMBDA_FN);
    /// `lambda:InvokeFunction` on an existing function.
    LambdaInvokeExisting = "lambda:InvokeFunction" => Target::Existing(K::LambdaFunction, LAMBDA_FN);
    /// `lambda:AddPermission` on an existing function.
    LambdaAddPermissionExisting = "lambda:AddPermission" => Target::Existing(K::LambdaFunction, LAMBDA_FN);
    // EC2 ("Actions, resources, and condition keys for Amazon EC2").
    /// `ec2:RunInstances`.
    Ec2RunInstances = "ec2:RunInstances" => Target::New(EC2_INSTANCE);
    /// `ec2:RequestSpotInstances`.
    Ec2RequestSpotInstances = "ec2:RequestSpotInstances" => Target::New("arn:aws:ec2:{region}:{account}:spot-instances-request/sir-{name}");
    /// `ec2:ModifyInstanceAttribute` (user data) on an existing instance.
    Ec2ModifyInstanceAttribute = "ec2:ModifyInstanceAttribute" => Target::Existing(K::Ec2Instance, EC2_INSTANCE);
    /// `ec2:StopInstances`.
    Ec2StopInstances = "ec2:StopInstances" => Target::Existing(K::Ec2Instance, EC2_INSTANCE);
    /// `ec2:StartInstances`.
    Ec2StartInstances = "ec2:StartInstances" => Target::Existing(K::Ec2Instance, EC2_INSTANCE);
    /// `ec2:AssociateIamInstanceProfile` on an existing instance.
    Ec2AssociateIamInstanceProfile = "ec2:AssociateIamInstanceProfile" => Target::Existing(K::Ec2Instance, EC2_INSTANCE);
    /// `ec2:CreateLaunchTemplateVersion` on an existing launch template.
    Ec2CreateLaunchTemplateVersion = "ec2:CreateLaunchTemplateVersion" => Target::Existing(K::LaunchTemplate, LAUNCH_TEMPLATE);
    /// `ec2:ModifyLaunchTemplate`.
    Ec2ModifyLaunchTemplate = "ec2:ModifyLaunchTemplate" => Target::Existing(K::LaunchTemplate, LAUNCH_TEMPLATE);
    /// `ec2:DescribeInstances` (no resource-level permission).
    Ec2DescribeInstances = "ec2:DescribeInstances" => Target::Star;
    /// `ec2-instance-connect:SendSSHPublicKey` on an existing instance.
    Ec2InstanceConnectSendSshPublicKey = "ec2-instance-connect:SendSSHPublicKey" => Target::Existing(K::Ec2Instance, EC2_INSTANCE);
    /// `ssm:StartSession` on an existing instance.
    SsmStartSession = "ssm:StartSession" => Target::Existing(K::Ec2Instance, EC2_INSTANCE);
    /// `ssm:SendCommand` on an existing instance.
    SsmSendCommand = "ssm:SendCommand" => Target::Existing(K::Ec2Instance, EC2_INSTANCE);
    // CloudFormation.
    /// `cloudformation:CreateStack`.
    CfnCreateStack = "cloudformation:CreateStack" => Target::New(CFN_STACK);
    /// `cloudformation:UpdateStack` on an existing stack.
    CfnUpdateStack = "cloudformation:UpdateStack" => Target::Existing(K::CfnStack, CFN_STACK);
    /// `cloudformation:CreateChangeSet` on an existing stack.
    CfnCreateChangeSet = "cloudformation:CreateChangeSet" => Target::Existing(K::CfnStack, CFN_STACK);
    /// `cloudformation:ExecuteChangeSet` on an existing stack.
    CfnExecuteChangeSet = "cloudformation:ExecuteChangeSet" => Target::Existing(K::CfnStack, CFN_STACK);
    /// `cloudformation:CreateStackSet`.
    CfnCreateStackSet = "cloudformation:CreateStackSet" => Target::New(CFN_STACKSET);
    /// `cloudformation:CreateStackInstances`.
    CfnCreateStackInstances = "cloudformation:CreateStackInstances" => Target::New(CFN_STACKSET);
    /// `cloudformation:UpdateStackSet` on an existing stack set.
    CfnUpdateStackSet = "cloudformation:UpdateStackSet" => Target::Existing(K::CfnStackSet, CFN_STACKSET);
    // CodeBuild.
    /// `codebuild:CreateProject`.
    CodeBuildCreateProject = "codebuild:CreateProject" => Target::New(CODEBUILD);
    /// `codebuild:StartBuild` on the new project.
    CodeBuildStartBuildNew = "codebuild:StartBuild" => Target::New(CODEBUILD);
    /// `codebuild:StartBuildBatch` on the new project.
    CodeBuildStartBuildBatchNew = "codebuild:StartBuildBatch" => Target::New(CODEBUILD);
    /// `codebuild:StartBuild` on an existing project (buildspec override).
    CodeBuildStartBuildExisting = "codebuild:StartBuild" => Target::Existing(K::CodeBuildProject, CODEBUILD);
    /// `codebuild:StartBuildBatch` on an existing project.
    CodeBuildStartBuildBatchExisting = "codebuild:StartBuildBatch" => Target::Existing(K::CodeBuildProject, CODEBUILD);
    /// `codebuild:UpdateProject` on an existing project.
    CodeBuildUpdateProject = "codebuild:UpdateProject" => Target::Existing(K::CodeBuildProject, CODEBUILD);
    // Data Pipeline.
    /// `datapipeline:CreatePipeline` (no resource-level permission).
    DataPipelineCreatePipeline = "datapipeline:CreatePipeline" => Target::Star;
    /// `datapipeline:PutPipelineDefinition`.
    DataPipelinePutPipelineDefinition = "datapipeline:PutPipelineDefinition" => Target::New("arn:aws:datapipeline:{region}:{account}:pipeline/df-{name}");
    /// `datapipeline:ActivatePipeline`.
    DataPipelineActivatePipeline = "datapipeline:ActivatePipeline" => Target::New("arn:aws:datapipeline:{region}:{account}:pipeline/df-{name}");
    // ECS.
    /// `ecs:CreateCluster`.
    EcsCreateCluster = "ecs:CreateCluster" => Target::New("arn:aws:ecs:{region}:{account}:cluster/{name}");
    /// `ecs:RegisterTaskDefinition` (no resource-level permission).
    EcsRegisterTaskDefinition = "ecs:RegisterTaskDefinition" => Target::Star;
    /// `ecs:CreateService`.
    EcsCreateService = "ecs:CreateService" => Target::New("arn:aws:ecs:{region}:{account}:service/{name}/{name}");
    /// `ecs:RunTask` of the new task definition.
    EcsRunTask = "ecs:RunTask" => Target::New(ECS_TASKDEF);
    /// `ecs:StartTask` of the new task definition.
    EcsStartTask = "ecs:StartTask" => Target::New(ECS_TASKDEF);
    // Glue.
    /// `glue:CreateDevEndpoint`.
    GlueCreateDevEndpoint = "glue:CreateDevEndpoint" => Target::New(GLUE_DEV);
    /// `glue:UpdateDevEndpoint` (SSH key) on an existing endpoint.
    GlueUpdateDevEndpoint = "glue:UpdateDevEndpoint" => Target::Existing(K::GlueDevEndpoint, GLUE_DEV);
    /// `glue:CreateJob`.
    GlueCreateJob = "glue:CreateJob" => Target::New(GLUE_JOB);
    /// `glue:StartJobRun` of the new job.
    GlueStartJobRunNew = "glue:StartJobRun" => Target::New(GLUE_JOB);
    /// `glue:CreateTrigger`.
    GlueCreateTrigger = "glue:CreateTrigger" => Target::New("arn:aws:glue:{region}:{account}:trigger/{name}");
    /// `glue:UpdateJob` on an existing job.
    GlueUpdateJob = "glue:UpdateJob" => Target::Existing(K::GlueJob, GLUE_JOB);
    /// `glue:StartJobRun` of an existing job.
    GlueStartJobRunExisting = "glue:StartJobRun" => Target::Existing(K::GlueJob, GLUE_JOB);
    // SageMaker.
    /// `sagemaker:CreateNotebookInstance`.
    SageMakerCreateNotebookInstance = "sagemaker:CreateNotebookInstance" => Target::New(SM_NOTEBOOK);
    /// `sagemaker:CreateTrainingJob`.
    SageMakerCreateTrainingJob = "sagemaker:CreateTrainingJob" => Target::New("arn:aws:sagemaker:{region}:{account}:training-job/{name}");
    /// `sagemaker:CreateProcessingJob`.
    SageMakerCreateProcessingJob = "sagemaker:CreateProcessingJob" => Target::New("arn:aws:sagemaker:{region}:{account}:processing-job/{name}");
    /// `sagemaker:CreatePresignedNotebookInstanceUrl` on an existing notebook.
    SageMakerCreatePresignedNotebookInstanceUrl = "sagemaker:CreatePresignedNotebookInstanceUrl" => Target::Existing(K::SageMakerNotebook, SM_NOTEBOOK);
    /// `sagemaker:CreateNotebookInstanceLifecycleConfig`.
    SageMakerCreateNotebookInstanceLifecycleConfig = "sagemaker:CreateNotebookInstanceLifecycleConfig" => Target::New("arn:aws:sagemaker:{region}:{account}:notebook-instance-lifecycle-config/{name}");
    /// `sagemaker:StopNotebookInstance` on an existing notebook.
    SageMakerStopNotebookInstance = "sagemaker:StopNotebookInstance" => Target::Existing(K::SageMakerNotebook, SM_NOTEBOOK);
    /// `sagemaker:UpdateNotebookInstance`.
    SageMakerUpdateNotebookInstance = "sagemaker:UpdateNotebookInstance" => Target::Existing(K::SageMakerNotebook, SM_NOTEBOOK);
    /// `sagemaker:StartNotebookInstance`.
    SageMakerStartNotebookInstance = "sagemaker:StartNotebookInstance" => Target::Existing(K::SageMakerNotebook, SM_NOTEBOOK);
    // App Runner.
    /// `apprunner:CreateService`.
    AppRunnerCreateService = "apprunner:CreateService" => Target::New(APPRUNNER);
    /// `apprunner:UpdateService` on an existing service.
    AppRunnerUpdateService = "apprunner:UpdateService" => Target::Existing(K::AppRunnerService, APPRUNNER);
    // Bedrock AgentCore.
    /// `bedrock-agentcore:CreateCodeInterpreter`.
    AgentCoreCreateCodeInterpreter = "bedrock-agentcore:CreateCodeInterpreter" => Target::New(INTERPRETER);
    /// `bedrock-agentcore:StartCodeInterpreterSession` on the new interpreter.
    AgentCoreStartSessionNew = "bedrock-agentcore:StartCodeInterpreterSession" => Target::New(INTERPRETER);
    /// `bedrock-agentcore:InvokeCodeInterpreter` on the new interpreter.
    AgentCoreInvokeNew = "bedrock-agentcore:InvokeCodeInterpreter" => Target::New(INTERPRETER);
    /// `bedrock-agentcore:StartCodeInterpreterSession` on an existing interpreter.
    AgentCoreStartSessionExisting = "bedrock-agentcore:StartCodeInterpreterSession" => Target::Existing(K::CodeInterpreter, INTERPRETER);
    /// `bedrock-agentcore:InvokeCodeInterpreter` on an existing interpreter.
    AgentCoreInvokeExisting = "bedrock-agentcore:InvokeCodeInterpreter" => Target::Existing(K::CodeInterpreter, INTERPRETER);
}

impl Action {
    /// Every action, the pass-role variants included.
    pub fn all() -> Vec<Action> {
        let mut v = Action::PLAIN.to_vec();
        v.extend(Service::ALL.iter().map(|&s| Action::PassRole(s)));
        v
    }
}
