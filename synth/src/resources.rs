//! The `resources.json` entries of one account: S3 buckets (TLS required, team apps,
//! organization-wide reads, some public prefixes), KMS keys (the default key policy plus
//! use through S3 by callers of the account) and SQS queues (SNS delivery and
//! organization senders), each with tags and a resource-based policy.

use serde_json::{json, Value};

use crate::layout::{Account, Layout, REGION, TEAMS};

fn doc(statements: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn bucket(l: &Layout, a: &Account, name: &str, team: usize, public: bool) -> Value {
    let arn = format!("arn:aws:s3:::{name}");
    let objects = format!("{arn}/*");
    let app = a
        .app_role(team)
        .map(|r| a.role_arn(r))
        .unwrap_or_else(|| format!("arn:aws:iam::{}:root", a.id));
    let mut statements = vec![
        json!({"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*",
            "Action": "s3:*", "Resource": [arn, objects],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}),
        json!({"Sid": "TeamApp", "Effect": "Allow", "Principal": {"AWS": app},
            "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
            "Resource": [arn, objects]}),
        json!({"Sid": "OrganizationReads", "Effect": "Allow", "Principal": {"AWS": "*"},
            "Action": "s3:GetObject", "Resource": format!("{arn}/shared/*"),
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": l.org_id}}}),
        json!({"Sid": "ProtectPolicy", "Effect": "Deny",
            "NotPrincipal": {"AWS": [format!("arn:aws:iam::{}:root", a.id),
                format!("arn:aws:iam::{}:role/OrgAdmin", a.id)]},
            "Action": ["s3:PutBucketPolicy", "s3:DeleteBucketPolicy"], "Resource": arn}),
    ];
    if public {
        statements.push(
            json!({"Sid": "PublicRead", "Effect": "Allow", "Principal": "*",
            "Action": "s3:GetObject", "Resource": format!("{arn}/public/*")}),
        );
    }
    json!({
        "arn": arn,
        "account": a.id,
        "type": "s3:bucket",
        "tags": {"team": TEAMS[team], "classification": if public { "public" } else { "internal" }},
        "policy": doc(Value::Array(statements)),
    })
}

fn key(a: &Account, key: &str) -> Value {
    let id = &a.id;
    json!({
        "arn": a.key_arn(key),
        "type": "kms:key",
        "tags": {"purpose": "data"},
        "policy": doc(json!([
            {"Sid": "EnableIAMUserPermissions", "Effect": "Allow",
             "Principal": {"AWS": format!("arn:aws:iam::{id}:root")},
             "Action": "kms:*", "Resource": "*"},
            {"Sid": "KeyAdministrators", "Effect": "Allow",
             "Principal": {"AWS": format!("arn:aws:iam::{id}:role/OrgAdmin")},
             "Action": ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*",
                "kms:Put*", "kms:Update*", "kms:Revoke*", "kms:Disable*", "kms:Get*",
                "kms:Delete*", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"],
             "Resource": "*"},
            {"Sid": "UseThroughS3", "Effect": "Allow", "Principal": {"AWS": "*"},
             "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*",
                "kms:GenerateDataKey*", "kms:DescribeKey"],
             "Resource": "*",
             "Condition": {"StringEquals": {"kms:CallerAccount": id,
                "kms:ViaService": format!("s3.{REGION}.amazonaws.com")}}}])),
    })
}

fn queue(l: &Layout, a: &Account, name: &str, team: usize) -> Value {
    let arn = a.queue_arn(name);
    json!({
        "arn": arn,
        "type": "sqs:queue",
        "tags": {"team": TEAMS[team]},
        "policy": doc(json!([
            {"Sid": "SnsDelivery", "Effect": "Allow",
             "Principal": {"Service": "sns.amazonaws.com"},
             "Action": "sqs:SendMessage", "Resource": arn,
             "Condition": {"ArnLike": {"aws:SourceArn": format!("arn:aws:sns:{REGION}:{}:*", a.id)}}},
            {"Sid": "OrganizationSenders", "Effect": "Allow", "Principal": {"AWS": "*"},
             "Action": "sqs:SendMessage", "Resource": arn,
             "Condition": {"StringEquals": {"aws:PrincipalOrgID": l.org_id}}}])),
    })
}

/// Every resource of account `a`, buckets first.
pub fn resources(l: &Layout, a: &Account) -> Vec<Value> {
    let mut out = Vec::new();
    for (name, team, public) in &a.buckets {
        out.push(bucket(l, a, name, *team, *public));
    }
    for k in &a.keys {
        out.push(key(a, k));
    }
    for (name, team) in &a.queues {
        out.push(queue(l, a, name, *team));
    }
    out
}
