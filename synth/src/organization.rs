//! `organization.json`: the OU tree, every account, and SCPs and RCPs with their targets
//! (the shape `docs/inputs.md` documents). AWS attaches `FullAWSAccess` and
//! `RCPFullAWSAccess` to every node by default; the generated organization lists them, plus
//! guardrails: a region restriction on workloads, an allow-list on the sandbox, protections
//! in prod, and RCPs that keep S3, SQS and KMS data inside the organization.

use serde_json::{json, Value};

use crate::layout::{Layout, UNITS};

fn doc(statements: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn policy(id: &str, name: &str, kind: &str, document: Value, targets: Vec<String>) -> Value {
    json!({"id": id, "name": name, "type": kind, "document": document, "targets": targets})
}

const SCP: &str = "SERVICE_CONTROL_POLICY";
const RCP: &str = "RESOURCE_CONTROL_POLICY";

/// The organization document of `layout`.
pub fn organization(l: &Layout) -> Value {
    let units: Vec<Value> = UNITS
        .iter()
        .enumerate()
        .map(|(u, (_, name, parent))| {
            let parent = match parent {
                Some(p) => l.ou_id(*p),
                None => l.root_id.clone(),
            };
            json!({"id": l.ou_id(u), "name": name, "parentId": parent})
        })
        .collect();
    let accounts: Vec<Value> = l
        .accounts
        .iter()
        .map(|a| {
            let parent = a.unit.map(|u| l.ou_id(u)).unwrap_or(l.root_id.clone());
            let name = match a.unit {
                None => "management".to_string(),
                Some(u) => format!("{}-{:04}", UNITS[u].1.to_lowercase(), a.index),
            };
            json!({"id": a.id, "name": name, "parentId": parent})
        })
        .collect();
    // Every node: the root, each OU, each account.
    let sandbox = 6;
    let every: Vec<String> = std::iter::once(l.root_id.clone())
        .chain((0..UNITS.len()).map(|u| l.ou_id(u)))
        .chain(l.accounts.iter().map(|a| a.id.clone()))
        .collect();
    // The sandbox OU replaces FullAWSAccess by an allow-list: its accounts can only use
    // what the list allows.
    let full_scp: Vec<String> = every
        .iter()
        .filter(|t| **t != l.ou_id(sandbox))
        .cloned()
        .collect();
    let policies = vec![
        policy(
            "p-FullAWSAccess",
            "FullAWSAccess",
            SCP,
            doc(json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}])),
            full_scp,
        ),
        policy(
            "p-denyleave0",
            "DenyLeaveOrganization",
            SCP,
            doc(json!([{"Sid": "DenyLeave", "Effect": "Deny",
                "Action": "organizations:LeaveOrganization", "Resource": "*"}])),
            vec![l.root_id.clone()],
        ),
        policy(
            "p-regions00",
            "DenyOutsideApprovedRegions",
            SCP,
            doc(json!([{"Sid": "DenyOtherRegions", "Effect": "Deny",
                "NotAction": ["iam:*", "sts:*", "organizations:*", "support:*", "cloudfront:*"],
                "Resource": "*",
                "Condition": {
                    "StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"]},
                    "ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/OrgAdmin"}}}])),
            vec![l.ou_id(2)],
        ),
        policy(
            "p-protect00",
            "ProtectProdData",
            SCP,
            doc(
                json!([{"Sid": "NoDeletesWithoutBreakGlass", "Effect": "Deny",
                "Action": ["s3:DeleteBucket", "kms:ScheduleKeyDeletion", "sqs:DeleteQueue"],
                "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:PrincipalTag/break-glass": "true"}}},
                {"Sid": "NoIamUsers", "Effect": "Deny",
                "Action": ["iam:CreateUser", "iam:CreateAccessKey"], "Resource": "*"}]),
            ),
            vec![l.ou_id(3)],
        ),
        policy(
            "p-sandbox00",
            "SandboxAllowList",
            SCP,
            doc(json!([{"Sid": "AllowListed", "Effect": "Allow",
                "Action": ["s3:*", "sqs:*", "dynamodb:*", "lambda:*", "logs:*",
                    "cloudwatch:*", "ec2:Describe*", "sts:*", "kms:*", "iam:Get*", "iam:List*"],
                "Resource": "*"}])),
            vec![l.ou_id(sandbox)],
        ),
        policy(
            "p-RCPFullAWSAccess",
            "RCPFullAWSAccess",
            RCP,
            doc(json!([{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}])),
            every.clone(),
        ),
        policy(
            "p-rcporg000",
            "DataStaysInTheOrganization",
            RCP,
            doc(
                json!([{"Sid": "EnforceOrgIdentities", "Effect": "Deny", "Principal": "*",
                "Action": ["s3:*", "sqs:*", "kms:*"], "Resource": "*",
                "Condition": {
                    "StringNotEqualsIfExists": {"aws:PrincipalOrgID": l.org_id},
                    "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}]),
            ),
            vec![l.root_id.clone()],
        ),
        policy(
            "p-rcptls000",
            "EnforceTls",
            RCP,
            doc(
                json!([{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*",
                "Action": ["s3:*", "sqs:*"], "Resource": "*",
                "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}}]),
            ),
            vec![l.ou_id(3)],
        ),
    ];
    json!({
        "organizationId": l.org_id,
        "managementAccountId": l.management().id,
        "rootId": l.root_id,
        "organizationalUnits": units,
        "accounts": accounts,
        "policies": policies,
    })
}
