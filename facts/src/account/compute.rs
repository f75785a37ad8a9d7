//! Compute that runs with a role, from the raw outputs of the services' listing commands
//! (`aws lambda list-functions`, `aws ec2 describe-instances`, `aws cloudformation
//! describe-stacks`, `aws codebuild batch-get-projects`, `aws ecs describe-task-definition`,
//! `aws glue get-dev-endpoints`, `aws sagemaker describe-notebook-instance`) and from a
//! `role` member on `resources.json` entries. Escalation through existing compute applies
//! to exactly these resources when the data gives them.

use serde_json::Value;

use super::builder::Builder;
use super::error::IngestError;
use super::model::{AccountId, Compute, ComputeRole, ComputeType};
use super::read::{FileCtx, Object};
use crate::error::JsonPath;

/// Which listing command produced an output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RawCompute {
    /// `aws lambda list-functions`: `{"Functions": [...]}`.
    LambdaFunctions,
    /// `aws ec2 describe-instances`: `{"Reservations": [{"Instances": [...]}]}`.
    Ec2Instances,
    /// `aws cloudformation describe-stacks`: `{"Stacks": [...]}`.
    CfnStacks,
    /// `aws codebuild batch-get-projects`: `{"projects": [...]}`.
    CodeBuildProjects,
    /// `aws ecs describe-task-definition`: `{"taskDefinition": {...}}`.
    EcsTaskDefinition,
    /// `aws glue get-dev-endpoints`: `{"DevEndpoints": [...]}`.
    GlueDevEndpoints,
    /// `aws sagemaker describe-notebook-instance`: `{"NotebookInstanceArn": ..., "RoleArn": ...}`.
    SageMakerNotebook,
}

impl RawCompute {
    /// Recognise an output by its top-level members.
    pub fn detect(o: &Object) -> Option<RawCompute> {
        if o.contains_key("Functions") {
            Some(RawCompute::LambdaFunctions)
        } else if o.contains_key("Reservations") {
            Some(RawCompute::Ec2Instances)
        } else if o.contains_key("Stacks") {
            Some(RawCompute::CfnStacks)
        } else if o.contains_key("projects") {
            Some(RawCompute::CodeBuildProjects)
        } else if o.contains_key("taskDefinition") {
            Some(RawCompute::EcsTaskDefinition)
        } else if o.contains_key("DevEndpoints") {
            Some(RawCompute::GlueDevEndpoints)
        } else if o.contains_key("NotebookInstanceArn") {
            Some(RawCompute::SageMakerNotebook)
        } else {
            None
        }
    }

    /// The top-level members the output may have (others warn).
    fn top_keys(self) -> &'static [&'static str] {
        match self {
            RawCompute::LambdaFunctions => &["Functions", "NextMarker"],
            RawCompute::Ec2Instances => &["Reservations", "NextToken"],
            RawCompute::CfnStacks => &["Stacks", "NextToken"],
            RawCompute::CodeBuildProjects => &["projects", "projectsNotFound"],
            RawCompute::EcsTaskDefinition => &["taskDefinition", "tags"],
            RawCompute::GlueDevEndpoints => &["DevEndpoints", "NextToken"],
            // The notebook output is one object: its members are the notebook's.
            RawCompute::SageMakerNotebook => &[],
        }
    }
}

/// The region of an availability zone (`eu-west-1a` → `eu-west-1`).
fn region_of_zone(zone: &str) -> &str {
    zone.trim_end_matches(|c: char| c.is_ascii_alphabetic())
}

/// Read one listing output.
pub(crate) fn ingest(
    ctx: &FileCtx,
    o: &Object,
    kind: RawCompute,
    b: &mut Builder,
) -> Result<(), IngestError> {
    let top = JsonPath::default();
    if kind != RawCompute::SageMakerNotebook {
        ctx.check_keys(o, &top, kind.top_keys(), &mut b.model.warnings);
    }
    match kind {
        RawCompute::LambdaFunctions => {
            for (i, f) in ctx.opt_array(o, "Functions", &top)?.iter().enumerate() {
                let p = top.key("Functions").index(i);
                let f = ctx.object(f, &p)?;
                let arn = ctx.req_str(f, "FunctionArn", &p)?;
                let role = ctx.req_str(f, "Role", &p)?;
                push(
                    ctx,
                    b,
                    arn,
                    ComputeType::LambdaFunction,
                    ComputeRole::Role(role.to_string()),
                    &p,
                )?;
            }
        }
        RawCompute::Ec2Instances => {
            for (i, r) in ctx.opt_array(o, "Reservations", &top)?.iter().enumerate() {
                let rp = top.key("Reservations").index(i);
                let r = ctx.object(r, &rp)?;
                ctx.check_keys(
                    r,
                    &rp,
                    &[
                        "Groups",
                        "Instances",
                        "OwnerId",
                        "RequesterId",
                        "ReservationId",
                    ],
                    &mut b.model.warnings,
                );
                let owner = ctx.req_str(r, "OwnerId", &rp)?;
                let owner = ctx.account_id(owner, &rp.key("OwnerId"))?;
                for (j, inst) in ctx.opt_array(r, "Instances", &rp)?.iter().enumerate() {
                    let p = rp.key("Instances").index(j);
                    let inst = ctx.object(inst, &p)?;
                    let id = ctx.req_str(inst, "InstanceId", &p)?;
                    let zone = match inst.get("Placement") {
                        Some(v) => {
                            let pl = ctx.object(v, &p.key("Placement"))?;
                            ctx.opt_str(pl, "AvailabilityZone", &p.key("Placement"))?
                        }
                        None => None,
                    };
                    let Some(zone) = zone else {
                        return Err(ctx.invalid(
                            &p.key("Placement"),
                            "missing `Placement.AvailabilityZone`: the instance's region is needed for its ARN",
                        ));
                    };
                    let arn = format!("arn:aws:ec2:{}:{owner}:instance/{id}", region_of_zone(zone));
                    let role = match inst.get("IamInstanceProfile") {
                        None | Some(Value::Null) => ComputeRole::None,
                        Some(v) => {
                            let pp = p.key("IamInstanceProfile");
                            let ip = ctx.object(v, &pp)?;
                            ComputeRole::InstanceProfile(ctx.req_str(ip, "Arn", &pp)?.to_string())
                        }
                    };
                    push(ctx, b, &arn, ComputeType::Ec2Instance, role, &p)?;
                }
            }
        }
        RawCompute::CfnStacks => {
            for (i, s) in ctx.opt_array(o, "Stacks", &top)?.iter().enumerate() {
                let p = top.key("Stacks").index(i);
                let s = ctx.object(s, &p)?;
                let arn = ctx.req_str(s, "StackId", &p)?;
                let role = match ctx.opt_str(s, "RoleARN", &p)? {
                    Some(r) => ComputeRole::Role(r.to_string()),
                    None => ComputeRole::None,
                };
                push(ctx, b, arn, ComputeType::CfnStack, role, &p)?;
            }
        }
        RawCompute::CodeBuildProjects => {
            for (i, s) in ctx.opt_array(o, "projects", &top)?.iter().enumerate() {
                let p = top.key("projects").index(i);
                let s = ctx.object(s, &p)?;
                let arn = ctx.req_str(s, "arn", &p)?;
                let role = ctx.req_str(s, "serviceRole", &p)?;
                push(
                    ctx,
                    b,
                    arn,
                    ComputeType::CodeBuildProject,
                    ComputeRole::Role(role.to_string()),
                    &p,
                )?;
            }
        }
        RawCompute::EcsTaskDefinition => {
            let p = top.key("taskDefinition");
            let t = ctx.object(o.get("taskDefinition").unwrap_or(&Value::Null), &p)?;
            let arn = ctx.req_str(t, "taskDefinitionArn", &p)?;
            // The task role is what the containers' code gets; the execution role is used
            // by the ECS agent (Amazon ECS Developer Guide, "Amazon ECS task execution IAM
            // role") and is kept for the record.
            let role = match ctx.opt_str(t, "taskRoleArn", &p)? {
                Some(r) => ComputeRole::Role(r.to_string()),
                None => ComputeRole::None,
            };
            let exec = ctx.opt_str(t, "executionRoleArn", &p)?.map(str::to_string);
            push_full(ctx, b, arn, ComputeType::EcsTaskDefinition, role, exec, &p)?;
        }
        RawCompute::GlueDevEndpoints => {
            for (i, s) in ctx.opt_array(o, "DevEndpoints", &top)?.iter().enumerate() {
                let p = top.key("DevEndpoints").index(i);
                let s = ctx.object(s, &p)?;
                let name = ctx.req_str(s, "EndpointName", &p)?;
                let role = ctx.req_str(s, "RoleArn", &p)?;
                let account = ctx.arn(role, &p.key("RoleArn"))?.account;
                let Some(zone) = ctx.opt_str(s, "AvailabilityZone", &p)? else {
                    return Err(ctx.invalid(
                        &p,
                        "missing `AvailabilityZone`: the endpoint's region is needed for its ARN",
                    ));
                };
                let arn = format!(
                    "arn:aws:glue:{}:{account}:devEndpoint/{name}",
                    region_of_zone(zone)
                );
                push(
                    ctx,
                    b,
                    &arn,
                    ComputeType::GlueDevEndpoint,
                    ComputeRole::Role(role.to_string()),
                    &p,
                )?;
            }
        }
        RawCompute::SageMakerNotebook => {
            let arn = ctx.req_str(o, "NotebookInstanceArn", &top)?;
            let role = ctx.req_str(o, "RoleArn", &top)?;
            push(
                ctx,
                b,
                arn,
                ComputeType::SageMakerNotebook,
                ComputeRole::Role(role.to_string()),
                &top,
            )?;
        }
    }
    Ok(())
}

fn push(
    ctx: &FileCtx,
    b: &mut Builder,
    arn: &str,
    kind: ComputeType,
    role: ComputeRole,
    path: &JsonPath,
) -> Result<(), IngestError> {
    push_full(ctx, b, arn, kind, role, None, path)
}

fn push_full(
    ctx: &FileCtx,
    b: &mut Builder,
    arn: &str,
    kind: ComputeType,
    role: ComputeRole,
    execution_role: Option<String>,
    path: &JsonPath,
) -> Result<(), IngestError> {
    let parsed = ctx.arn(arn, path)?;
    if let ComputeRole::Role(r) | ComputeRole::InstanceProfile(r) = &role {
        ctx.arn(r, path)?;
    }
    b.model.compute.push(Compute {
        arn: arn.to_string(),
        account: AccountId::parse(&parsed.account),
        kind,
        role,
        execution_role,
        source: ctx.source(path),
    });
    Ok(())
}

/// The compute type a `resources.json` entry with a `role` denotes, from its ARN.
pub(crate) fn type_of(service: &str, resource: &str) -> Option<ComputeType> {
    let kind = resource.split(['/', ':']).next().unwrap_or("");
    Some(match (service, kind) {
        ("lambda", "function") => ComputeType::LambdaFunction,
        ("ec2", "instance") => ComputeType::Ec2Instance,
        ("ec2", "launch-template") => ComputeType::LaunchTemplate,
        ("cloudformation", "stack") => ComputeType::CfnStack,
        ("cloudformation", "stackset") => ComputeType::CfnStackSet,
        ("codebuild", "project") => ComputeType::CodeBuildProject,
        ("ecs", "task-definition") => ComputeType::EcsTaskDefinition,
        ("glue", "devEndpoint") => ComputeType::GlueDevEndpoint,
        ("glue", "job") => ComputeType::GlueJob,
        ("sagemaker", "notebook-instance") => ComputeType::SageMakerNotebook,
        ("apprunner", "service") => ComputeType::AppRunnerService,
        ("bedrock-agentcore", "code-interpreter") => ComputeType::CodeInterpreter,
        _ => return None,
    })
}

/// The `role` member of a `resources.json` entry at `path` (its ARN parsed as `arn`).
pub(crate) fn from_resource_entry(
    ctx: &FileCtx,
    b: &mut Builder,
    arn: &str,
    service: &str,
    resource: &str,
    role: &str,
    path: &JsonPath,
) -> Result<(), IngestError> {
    let kind = type_of(service, resource).ok_or_else(|| {
        ctx.invalid(
            &path.key("role"),
            format!("`role` is only read on compute that runs with a role (a Lambda function, EC2 instance or launch template, CloudFormation stack or stack set, CodeBuild project, ECS task definition, Glue dev endpoint or job, SageMaker notebook instance, App Runner service, AgentCore code interpreter); `{arn}` is none"),
        )
    })?;
    let role = if resource.starts_with("instance") && role.contains(":instance-profile/") {
        ComputeRole::InstanceProfile(role.to_string())
    } else {
        ComputeRole::Role(role.to_string())
    };
    push(ctx, b, arn, kind, role, &path.key("role"))
}
