//! One account's `aws iam get-account-authorization-details` output: users, groups, roles
//! (with trust chains within and across accounts), customer-managed policies (boundary,
//! data access with policy variables and conditions) and the AWS-managed policies attached
//! in the account, with their documents as GAAD lists them.

use serde_json::{json, Value};

use crate::layout::{Account, Layout, RoleKind, RoleName, PARTNER_ACCOUNT, REGION, TEAMS};
use crate::rng::Rng;

fn doc(statements: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// AWS-managed policies the generated accounts attach, with their default version as AWS
/// publishes it.
const AWS_MANAGED: [(&str, &str, &str, &str); 2] = [
    (
        "AdministratorAccess",
        "ANPAIWMBCKSKIEE64ZLYK",
        "v1",
        r#"[{"Effect":"Allow","Action":"*","Resource":"*"}]"#,
    ),
    (
        "AmazonS3ReadOnlyAccess",
        "ANPAIZTJ4DXE7G6AGAE6M",
        "v3",
        r#"[{"Effect":"Allow","Action":["s3:Get*","s3:List*","s3:Describe*","s3-object-lambda:Get*","s3-object-lambda:List*"],"Resource":"*"}]"#,
    ),
];

fn aws_arn(name: &str) -> String {
    format!("arn:aws:iam::aws:policy/{name}")
}

fn managed_entry(arn: &str, name: &str, id: &str, version: &str, document: Value) -> Value {
    json!({
        "PolicyName": name,
        "PolicyId": id,
        "Arn": arn,
        "Path": "/",
        "DefaultVersionId": version,
        "AttachmentCount": 1,
        "PermissionsBoundaryUsageCount": 0,
        "IsAttachable": true,
        "CreateDate": "2025-01-01T00:00:00Z",
        "UpdateDate": "2025-01-01T00:00:00Z",
        "PolicyVersionList": [{"Document": document, "VersionId": version,
            "IsDefaultVersion": true, "CreateDate": "2025-01-01T00:00:00Z"}],
    })
}

fn attached(arn: &str) -> Value {
    let name = arn.rsplit('/').next().unwrap_or(arn);
    json!({"PolicyName": name, "PolicyArn": arn})
}

fn tags(pairs: &[(&str, &str)]) -> Value {
    Value::Array(
        pairs
            .iter()
            .map(|(k, v)| json!({"Key": k, "Value": v}))
            .collect(),
    )
}

/// An IAM-style unique id (`AIDA...`, `AROA...`) for entity `n` of account `a`.
fn unique_id(prefix: &str, a: &Account, n: usize) -> String {
    format!("{prefix}{:08}{:09}", a.index, n)
}

/// The customer-managed policies of account `a`: `(name, document)`.
fn customer_policies(a: &Account) -> Vec<(&'static str, Value)> {
    let id = &a.id;
    let own_buckets = format!("arn:aws:s3:::synth-{id}-*");
    vec![
        (
            "DeveloperBoundary",
            doc(json!([
                {"Sid": "DataAndCompute", "Effect": "Allow",
                 "Action": ["s3:*", "sqs:*", "dynamodb:*", "logs:*", "lambda:*", "ec2:*",
                    "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "sts:AssumeRole",
                    "cloudwatch:*", "iam:Get*", "iam:List*"],
                 "Resource": "*"},
                {"Sid": "NoBoundaryEscape", "Effect": "Deny",
                 "Action": ["iam:DeleteUserPermissionsBoundary",
                    "iam:DeleteRolePermissionsBoundary", "iam:CreatePolicyVersion"],
                 "Resource": "*"}])),
        ),
        (
            "ReadOnlyData",
            doc(json!([
                {"Sid": "ReadBuckets", "Effect": "Allow",
                 "Action": ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"],
                 "Resource": [own_buckets, format!("{own_buckets}/*")]},
                {"Sid": "ReadQueues", "Effect": "Allow",
                 "Action": ["sqs:ReceiveMessage", "sqs:GetQueueAttributes"],
                 "Resource": format!("arn:aws:sqs:{REGION}:{id}:*")},
                {"Sid": "DecryptViaS3", "Effect": "Allow", "Action": "kms:Decrypt",
                 "Resource": format!("arn:aws:kms:{REGION}:{id}:key/*"),
                 "Condition": {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}}}])),
        ),
        (
            "DataWriter",
            doc(json!([
                {"Sid": "WriteOwnTeamPrefix", "Effect": "Allow",
                 "Action": ["s3:PutObject", "s3:DeleteObject", "s3:GetObject"],
                 "Resource": format!("arn:aws:s3:::synth-{id}-*/${{aws:PrincipalTag/team}}/*")},
                {"Sid": "SendToTeamQueues", "Effect": "Allow",
                 "Action": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"],
                 "Resource": format!("arn:aws:sqs:{REGION}:{id}:synth-${{aws:PrincipalTag/team}}-*")},
                {"Sid": "UseKeys", "Effect": "Allow",
                 "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"],
                 "Resource": format!("arn:aws:kms:{REGION}:{id}:key/*"),
                 "Condition": {"StringEquals": {"aws:RequestedRegion": REGION}}}])),
        ),
        (
            "OpsAdmin",
            doc(json!([
                {"Sid": "Operate", "Effect": "Allow",
                 "Action": ["ec2:*", "cloudwatch:*", "logs:*", "dynamodb:*"], "Resource": "*"},
                {"Sid": "TerminateOnlyWithMfa", "Effect": "Deny",
                 "Action": ["ec2:TerminateInstances", "dynamodb:DeleteTable"],
                 "Resource": "*",
                 "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}])),
        ),
        (
            "AssumeDeployRoles",
            doc(json!([
                {"Sid": "DeployAnywhereInTheOrg", "Effect": "Allow", "Action": "sts:AssumeRole",
                 "Resource": "arn:aws:iam::*:role/deploy-*"}])),
        ),
    ]
}

fn customer_arn(a: &Account, name: &str) -> String {
    format!("arn:aws:iam::{}:policy/{name}", a.id)
}

fn group(a: &Account, k: usize, name: &str) -> Value {
    let (managed, inline): (Vec<String>, Vec<Value>) = match name {
        "Admins" => (
            vec![aws_arn("AdministratorAccess")],
            vec![
                json!({"PolicyName": "NoOrganizationChanges", "PolicyDocument": doc(json!([
                {"Effect": "Deny", "Action": "organizations:*", "Resource": "*"}]))}),
            ],
        ),
        "Developers" => (
            vec![customer_arn(a, "DataWriter")],
            vec![
                json!({"PolicyName": "DeveloperTools", "PolicyDocument": doc(json!([
                {"Sid": "Logs", "Effect": "Allow", "Action": ["logs:*", "lambda:Get*",
                    "lambda:List*", "lambda:InvokeFunction"], "Resource": "*",
                 "Condition": {"StringEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"]}}}]))}),
            ],
        ),
        "ReadOnly" => (
            vec![
                customer_arn(a, "ReadOnlyData"),
                aws_arn("AmazonS3ReadOnlyAccess"),
            ],
            vec![],
        ),
        "Ops" => (vec![customer_arn(a, "OpsAdmin")], vec![]),
        _ => (
            vec![],
            vec![
                json!({"PolicyName": "TeamLogs", "PolicyDocument": doc(json!([
                {"Effect": "Allow", "Action": "logs:*",
                 "Resource": format!("arn:aws:logs:{REGION}:{}:log-group:/{name}/*", a.id)}]))}),
            ],
        ),
    };
    json!({
        "Path": "/",
        "GroupName": name,
        "GroupId": unique_id("AGPA", a, k),
        "Arn": format!("arn:aws:iam::{}:group/{name}", a.id),
        "CreateDate": "2025-01-01T00:00:00Z",
        "GroupPolicyList": inline,
        "AttachedManagedPolicies": managed.iter().map(|m| attached(m)).collect::<Vec<_>>(),
    })
}

fn user(a: &Account, k: usize, rng: &mut Rng) -> Value {
    let u = &a.users[k];
    let team = TEAMS[u.team];
    let mut groups: Vec<&str> = Vec::new();
    let has = |g: &str| a.groups.iter().any(|x| x == g);
    if u.contractor {
        if has("ReadOnly") {
            groups.push("ReadOnly");
        }
    } else if has("Developers") {
        groups.push("Developers");
    }
    if k.is_multiple_of(10) && has("Admins") {
        groups.push("Admins");
    }
    if k % 7 == 3 && has("Ops") {
        groups.push("Ops");
    }
    if a.groups.len() > 4 {
        groups.push(&a.groups[4 + k % (a.groups.len() - 4)]);
    }
    let mut inline = Vec::new();
    if k.is_multiple_of(3) {
        inline.push(
            json!({"PolicyName": "SelfService", "PolicyDocument": doc(json!([
            {"Sid": "AssumeReadOnly", "Effect": "Allow", "Action": "sts:AssumeRole",
             "Resource": format!("arn:aws:iam::{}:role/readonly-*", a.id)},
            {"Sid": "OwnCredentials", "Effect": "Allow",
             "Action": ["iam:ChangePassword", "iam:GetUser", "iam:CreateAccessKey"],
             "Resource": "arn:aws:iam::*:user/${aws:username}"},
            {"Sid": "NoDeletesWithoutMfa", "Effect": "Deny", "Action": "s3:DeleteObject",
             "Resource": "*",
             "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]))}),
        );
    }
    let mut tag_pairs = vec![("team", team)];
    if k.is_multiple_of(10) && rng.chance(50) {
        tag_pairs.push(("break-glass", "true"));
    }
    let mut v = json!({
        "Path": u.path,
        "UserName": u.name,
        "UserId": unique_id("AIDA", a, k),
        "Arn": a.user_arn(u),
        "CreateDate": "2025-01-01T00:00:00Z",
        "GroupList": groups,
        "AttachedManagedPolicies": [],
        "UserPolicyList": inline,
        "Tags": tags(&tag_pairs),
    });
    if u.contractor {
        v["PermissionsBoundary"] = json!({"PermissionsBoundaryType": "Policy",
            "PermissionsBoundaryArn": customer_arn(a, "DeveloperBoundary")});
    }
    v
}

fn role(l: &Layout, a: &Account, k: usize, rng: &mut Rng) -> Value {
    let r: &RoleName = &a.roles[k];
    let id = &a.id;
    let mgmt = &l.management().id;
    let service = |s: &str| {
        doc(json!([{"Effect": "Allow", "Principal": {"Service": s},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": id}}}]))
    };
    let mut path = "/";
    let mut boundary = None;
    let mut tag_pairs: Vec<(&str, String)> = Vec::new();
    let (trust, managed, inline): (Value, Vec<String>, Vec<Value>) = match r.kind {
        RoleKind::OrgAdmin => {
            let from = if a.index == 0 {
                json!({"AWS": format!("arn:aws:iam::{mgmt}:root")})
            } else {
                json!({"AWS": format!("arn:aws:iam::{mgmt}:role/OrgAdmin")})
            };
            (
                doc(
                    json!([{"Effect": "Allow", "Principal": from, "Action": "sts:AssumeRole",
                    "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]),
                ),
                vec![aws_arn("AdministratorAccess")],
                vec![],
            )
        }
        RoleKind::ServiceLinked => {
            path = "/aws-service-role/support.amazonaws.com/";
            (
                doc(json!([{"Effect": "Allow",
                    "Principal": {"Service": "support.amazonaws.com"},
                    "Action": "sts:AssumeRole"}])),
                vec![aws_arn("aws-service-role/AWSSupportServiceRolePolicy")],
                vec![],
            )
        }
        RoleKind::CiRunner => (
            service("codebuild.amazonaws.com"),
            vec![customer_arn(a, "AssumeDeployRoles")],
            vec![
                json!({"PolicyName": "BuildArtifacts", "PolicyDocument": doc(json!([
                {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
                 "Resource": format!("arn:aws:s3:::synth-{id}-platform-*/*")},
                {"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]))}),
            ],
        ),
        RoleKind::App(team) => {
            boundary = Some(customer_arn(a, "DeveloperBoundary"));
            tag_pairs.push(("team", TEAMS[team].to_string()));
            let fn_service = if rng.chance(50) {
                "lambda.amazonaws.com"
            } else {
                "ec2.amazonaws.com"
            };
            (
                service(fn_service),
                vec![],
                vec![
                    json!({"PolicyName": "AppData", "PolicyDocument": doc(json!([
                    {"Sid": "TeamBuckets", "Effect": "Allow",
                     "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
                     "Resource": [format!("arn:aws:s3:::synth-{id}-{}-*", TEAMS[team]),
                        format!("arn:aws:s3:::synth-{id}-{}-*/*", TEAMS[team])]},
                    {"Sid": "TeamQueues", "Effect": "Allow",
                     "Action": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"],
                     "Resource": format!("arn:aws:sqs:{REGION}:{id}:synth-{}-*", TEAMS[team])},
                    {"Sid": "KeysThroughS3", "Effect": "Allow",
                     "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*",
                     "Condition": {"StringEquals": {"kms:ViaService": format!("s3.{REGION}.amazonaws.com")}}},
                    {"Sid": "NoIam", "Effect": "Deny", "Action": "iam:*", "Resource": "*"}]))}),
                ],
            )
        }
        RoleKind::Deploy => (
            doc(json!([{"Effect": "Allow",
                "Principal": {"AWS": format!("arn:aws:iam::{}:role/ci-runner", l.tooling().id)},
                "Action": "sts:AssumeRole"},
                {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{id}:root")},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:PrincipalTag/team": "platform"}}}])),
            vec![customer_arn(a, "DataWriter"), customer_arn(a, "OpsAdmin")],
            vec![],
        ),
        RoleKind::ReadOnly => (
            doc(
                json!([{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{id}:root")},
                "Action": "sts:AssumeRole",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]),
            ),
            vec![
                customer_arn(a, "ReadOnlyData"),
                aws_arn("AmazonS3ReadOnlyAccess"),
            ],
            vec![],
        ),
        RoleKind::Partner => (
            doc(json!([{"Effect": "Allow",
                "Principal": {"AWS": format!("arn:aws:iam::{PARTNER_ACCOUNT}:root")},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": format!("ext-{id}-{k}")}}}])),
            vec![],
            vec![
                json!({"PolicyName": "PartnerExport", "PolicyDocument": doc(json!([
                {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
                 "Resource": [format!("arn:aws:s3:::synth-{id}-data-*"),
                    format!("arn:aws:s3:::synth-{id}-data-*/export/*")]}]))}),
            ],
        ),
    };
    let tag_refs: Vec<(&str, &str)> = tag_pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut v = json!({
        "Path": path,
        "RoleName": r.name,
        "RoleId": unique_id("AROA", a, k),
        "Arn": a.role_arn(r),
        "CreateDate": "2025-01-01T00:00:00Z",
        "AssumeRolePolicyDocument": trust,
        "InstanceProfileList": [],
        "RolePolicyList": inline,
        "AttachedManagedPolicies": managed.iter().map(|m| attached(m)).collect::<Vec<_>>(),
        "Tags": tags(&tag_refs),
    });
    if let Some(b) = boundary {
        v["PermissionsBoundary"] =
            json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": b});
    }
    v
}

/// The GAAD document of account `a`.
pub fn gaad(l: &Layout, a: &Account, rng: &mut Rng) -> Value {
    let mut policies: Vec<Value> = customer_policies(a)
        .into_iter()
        .enumerate()
        .map(|(k, (name, document))| {
            managed_entry(
                &customer_arn(a, name),
                name,
                &unique_id("ANPA", a, k),
                "v1",
                document,
            )
        })
        .collect();
    for (name, id, version, statements) in AWS_MANAGED {
        let statements: Value = serde_json::from_str(statements).unwrap_or(Value::Null);
        policies.push(managed_entry(
            &aws_arn(name),
            name,
            id,
            version,
            doc(statements),
        ));
    }
    let groups: Vec<Value> = a
        .groups
        .iter()
        .enumerate()
        .map(|(k, g)| group(a, k, g))
        .collect();
    let users: Vec<Value> = (0..a.users.len()).map(|k| user(a, k, rng)).collect();
    let roles: Vec<Value> = (0..a.roles.len()).map(|k| role(l, a, k, rng)).collect();
    json!({
        "UserDetailList": users,
        "GroupDetailList": groups,
        "RoleDetailList": roles,
        "Policies": policies,
        "IsTruncated": false,
    })
}
