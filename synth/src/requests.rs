//! Requests against a generated organization, as JSON Lines that `simulate --requests`
//! reads (`{"principal", "action", "resource", "context"}`): a mix of same-account and
//! cross-account data access, role assumption along the trust chains (CI into deploy
//! roles, users into read-only roles with and without MFA, a partner with right and wrong
//! external ids), KMS use through S3, SQS deliveries from SNS, IAM changes, guarded
//! actions, and anonymous reads, with region and TLS context that SCPs, RCPs and
//! bucket policies test. Many are allowed and many denied, for every reason.

use serde_json::{json, Map, Value};

use crate::layout::{Account, Layout, RoleKind, PARTNER_ACCOUNT, REGION, TEAMS};
use crate::rng::Rng;

/// A caller: its principal text and its team (users and app roles have one).
struct Caller {
    arn: String,
    team: usize,
}

fn session(a: &Account, name: &str, rng: &mut Rng) -> String {
    format!(
        "arn:aws:sts::{}:assumed-role/{name}/session-{}",
        a.id,
        rng.below(1000)
    )
}

/// A user of `a` or a session of one of its roles (the root when it has neither).
fn caller(a: &Account, rng: &mut Rng) -> Caller {
    let use_user = !a.users.is_empty() && (a.roles.is_empty() || rng.chance(45));
    if use_user {
        let u = rng.pick(&a.users);
        return Caller {
            arn: a.user_arn(u),
            team: u.team,
        };
    }
    if a.roles.is_empty() {
        return Caller {
            arn: format!("arn:aws:iam::{}:root", a.id),
            team: 0,
        };
    }
    let r = rng.pick(&a.roles);
    let team = match r.kind {
        RoleKind::App(t) => t,
        _ => rng.below(TEAMS.len()),
    };
    Caller {
        arn: session(a, &r.name, rng),
        team,
    }
}

/// A session of the first role of `a` of `kind`, if there is one.
fn role_session(a: &Account, kind: fn(RoleKind) -> bool, rng: &mut Rng) -> Option<String> {
    let roles: Vec<_> = a.roles.iter().filter(|r| kind(r.kind)).collect();
    if roles.is_empty() {
        return None;
    }
    let r = roles[rng.below(roles.len())];
    Some(session(a, &r.name, rng))
}

/// The context most requests carry: region (mostly the home region) and TLS.
fn base_context(rng: &mut Rng) -> Map<String, Value> {
    let mut c = Map::new();
    let region = if rng.chance(90) {
        REGION
    } else {
        *rng.pick(&["us-east-1", "ap-southeast-2", "sa-east-1"])
    };
    c.insert("aws:RequestedRegion".into(), json!(region));
    c.insert(
        "aws:SecureTransport".into(),
        json!(if rng.chance(92) { "true" } else { "false" }),
    );
    c
}

fn line(principal: &str, action: &str, resource: &str, context: Map<String, Value>) -> Value {
    json!({"principal": principal, "action": action, "resource": resource, "context": context})
}

fn object_key(team: &str, rng: &mut Rng) -> String {
    let prefix = match rng.below(10) {
        0..=5 => team.to_string(),
        6 | 7 => "shared".to_string(),
        8 => "public".to_string(),
        _ => "export".to_string(),
    };
    format!("{prefix}/file-{:05}.csv", rng.below(100_000))
}

fn s3_same_account(a: &Account, rng: &mut Rng) -> Option<Value> {
    let c = caller(a, rng);
    let (bucket, _, _) = a.buckets.get(rng.below(a.buckets.len()))?;
    let team = if rng.chance(70) {
        TEAMS[c.team]
    } else {
        *rng.pick(&TEAMS)
    };
    let action = *rng.pick(&[
        "s3:GetObject",
        "s3:GetObject",
        "s3:PutObject",
        "s3:DeleteObject",
        "s3:ListBucket",
        "s3:PutBucketPolicy",
        "s3:DeleteBucket",
    ]);
    let resource = match action {
        "s3:ListBucket" | "s3:PutBucketPolicy" | "s3:DeleteBucket" => {
            format!("arn:aws:s3:::{bucket}")
        }
        _ => format!("arn:aws:s3:::{bucket}/{}", object_key(team, rng)),
    };
    let mut ctx = base_context(rng);
    if rng.chance(30) {
        ctx.insert(
            "aws:MultiFactorAuthPresent".into(),
            json!(if rng.chance(50) { "true" } else { "false" }),
        );
    }
    Some(line(&c.arn, action, &resource, ctx))
}

fn s3_cross_account(a: &Account, b: &Account, rng: &mut Rng) -> Option<Value> {
    let c = caller(a, rng);
    let (bucket, team, _) = b.buckets.get(rng.below(b.buckets.len()))?;
    let key = object_key(TEAMS[*team], rng);
    Some(line(
        &c.arn,
        "s3:GetObject",
        &format!("arn:aws:s3:::{bucket}/{key}"),
        base_context(rng),
    ))
}

fn s3_anonymous(a: &Account, rng: &mut Rng) -> Option<Value> {
    let (bucket, _, _) = a.buckets.get(rng.below(a.buckets.len()))?;
    let prefix = if rng.chance(70) { "public" } else { "shared" };
    let mut ctx = Map::new();
    ctx.insert("aws:SecureTransport".into(), json!("true"));
    Some(line(
        "*",
        "s3:GetObject",
        &format!(
            "arn:aws:s3:::{bucket}/{prefix}/page-{}.html",
            rng.below(1000)
        ),
        ctx,
    ))
}

fn assume_role(l: &Layout, a: &Account, rng: &mut Rng) -> Option<Value> {
    let mut ctx = base_context(rng);
    match rng.below(4) {
        // CI in the tooling account deploys into any account (a cross-account chain).
        0 => {
            let tooling = l.tooling();
            let from = role_session(tooling, |k| k == RoleKind::CiRunner, rng)
                .or_else(|| role_session(tooling, |_| true, rng))?;
            let to = a.roles.iter().find(|r| r.kind == RoleKind::Deploy)?;
            Some(line(&from, "sts:AssumeRole", &a.role_arn(to), ctx))
        }
        // Users into their account's read-only roles, with or without MFA.
        1 => {
            let u = a.users.get(rng.below(a.users.len()))?;
            let ro: Vec<_> = a
                .roles
                .iter()
                .filter(|r| r.kind == RoleKind::ReadOnly)
                .collect();
            let to = ro.get(rng.below(ro.len()))?;
            ctx.insert(
                "aws:MultiFactorAuthPresent".into(),
                json!(if rng.chance(60) { "true" } else { "false" }),
            );
            Some(line(&a.user_arn(u), "sts:AssumeRole", &a.role_arn(to), ctx))
        }
        // The partner, with the right or a wrong external id.
        2 => {
            let (k, to) = a
                .roles
                .iter()
                .enumerate()
                .filter(|(_, r)| r.kind == RoleKind::Partner)
                .nth(rng.below(4))?;
            let ext = if rng.chance(70) {
                format!("ext-{}-{k}", a.id)
            } else {
                format!("ext-{}-{}", a.id, k + 1)
            };
            ctx.insert("sts:ExternalId".into(), json!(ext));
            Some(line(
                &format!("arn:aws:sts::{PARTNER_ACCOUNT}:assumed-role/exporter/nightly"),
                "sts:AssumeRole",
                &a.role_arn(to),
                ctx,
            ))
        }
        // Any caller into any role of another account (mostly denied by trust policies).
        _ => {
            let b = rng.pick(&l.accounts);
            let c = caller(b, rng);
            let to = a.roles.get(rng.below(a.roles.len()))?;
            Some(line(&c.arn, "sts:AssumeRole", &a.role_arn(to), ctx))
        }
    }
}

fn kms(a: &Account, rng: &mut Rng) -> Option<Value> {
    let key = a.keys.get(rng.below(a.keys.len()))?;
    let c = if rng.chance(60) {
        role_session(a, |k| matches!(k, RoleKind::App(_)), rng).unwrap_or(caller(a, rng).arn)
    } else {
        caller(a, rng).arn
    };
    let action = *rng.pick(&[
        "kms:Decrypt",
        "kms:GenerateDataKey",
        "kms:Encrypt",
        "kms:ScheduleKeyDeletion",
    ]);
    let mut ctx = base_context(rng);
    if rng.chance(70) {
        ctx.insert(
            "kms:ViaService".into(),
            json!(format!("s3.{REGION}.amazonaws.com")),
        );
    }
    Some(line(&c, action, &a.key_arn(key), ctx))
}

fn sqs(l: &Layout, a: &Account, rng: &mut Rng) -> Option<Value> {
    let (q, _) = a.queues.get(rng.below(a.queues.len()))?;
    let arn = a.queue_arn(q);
    let mut ctx = base_context(rng);
    match rng.below(3) {
        0 => {
            let owner = if rng.chance(70) {
                a.id.clone()
            } else {
                PARTNER_ACCOUNT.to_string()
            };
            ctx.insert(
                "aws:SourceArn".into(),
                json!(format!("arn:aws:sns:{REGION}:{owner}:events")),
            );
            Some(line("sns.amazonaws.com", "sqs:SendMessage", &arn, ctx))
        }
        1 => {
            let c = caller(a, rng);
            let action = *rng.pick(&["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteQueue"]);
            Some(line(&c.arn, action, &arn, ctx))
        }
        _ => {
            let b = rng.pick(&l.accounts);
            let c = caller(b, rng);
            Some(line(&c.arn, "sqs:SendMessage", &arn, ctx))
        }
    }
}

fn ec2(a: &Account, rng: &mut Rng) -> Value {
    let c = caller(a, rng);
    let action = *rng.pick(&[
        "ec2:TerminateInstances",
        "ec2:RunInstances",
        "ec2:DescribeInstances",
        "ec2:StopInstances",
    ]);
    let resource = if action == "ec2:DescribeInstances" {
        "*".to_string()
    } else {
        format!(
            "arn:aws:ec2:{REGION}:{}:instance/i-{:017x}",
            a.id,
            rng.next_u64() & 0xf_ffff_ffff_ffff
        )
    };
    let mut ctx = base_context(rng);
    if rng.chance(60) {
        ctx.insert(
            "aws:MultiFactorAuthPresent".into(),
            json!(if rng.chance(50) { "true" } else { "false" }),
        );
    }
    line(&c.arn, action, &resource, ctx)
}

fn iam(a: &Account, rng: &mut Rng) -> Value {
    let c = caller(a, rng);
    let action = *rng.pick(&[
        "iam:CreateUser",
        "iam:CreateAccessKey",
        "iam:GetUser",
        "iam:PutRolePolicy",
        "iam:DeleteRolePermissionsBoundary",
        "iam:ChangePassword",
    ]);
    let resource = match action {
        "iam:PutRolePolicy" | "iam:DeleteRolePermissionsBoundary" => {
            if a.roles.is_empty() {
                format!("arn:aws:iam::{}:role/none", a.id)
            } else {
                a.role_arn(rng.pick(&a.roles))
            }
        }
        _ if rng.chance(50) && c.arn.contains(":user/") => c.arn.clone(),
        _ => match a.users.first() {
            Some(_) => a.user_arn(rng.pick(&a.users)),
            None => format!("arn:aws:iam::{}:user/none", a.id),
        },
    };
    line(&c.arn, action, &resource, base_context(rng))
}

fn other(a: &Account, rng: &mut Rng) -> Value {
    let c = caller(a, rng);
    let (action, resource) = match rng.below(7) {
        0 => (
            "dynamodb:PutItem",
            format!("arn:aws:dynamodb:{REGION}:{}:table/orders", a.id),
        ),
        1 => (
            "dynamodb:DeleteTable",
            format!("arn:aws:dynamodb:{REGION}:{}:table/orders", a.id),
        ),
        2 => ("organizations:LeaveOrganization", "*".to_string()),
        3 => (
            "logs:CreateLogGroup",
            format!(
                "arn:aws:logs:{REGION}:{}:log-group:/app/{}",
                a.id,
                rng.below(50)
            ),
        ),
        4 => ("cloudwatch:PutMetricData", "*".to_string()),
        5 => ("s3:ListAllMyBuckets", "*".to_string()),
        _ => (
            "lambda:InvokeFunction",
            format!(
                "arn:aws:lambda:{REGION}:{}:function:fn-{}",
                a.id,
                rng.below(20)
            ),
        ),
    };
    line(&c.arn, action, &resource, base_context(rng))
}

/// Request number `n` of the file (its own random stream, so files of different lengths
/// share their first lines).
pub fn request(l: &Layout, rng: &Rng, n: usize) -> Value {
    let mut rng = rng.fork(n as u64);
    let a = rng.pick(&l.accounts);
    loop {
        let made = match rng.below(100) {
            0..=21 => s3_same_account(a, &mut rng),
            22..=31 => s3_cross_account(a, rng.pick(&l.accounts), &mut rng),
            32..=34 => s3_anonymous(a, &mut rng),
            35..=46 => assume_role(l, a, &mut rng),
            47..=56 => kms(a, &mut rng),
            57..=66 => sqs(l, a, &mut rng),
            67..=76 => Some(ec2(a, &mut rng)),
            77..=84 => Some(iam(a, &mut rng)),
            _ => Some(other(a, &mut rng)),
        };
        // A kind the account has nothing for (no buckets, no partner roles...): draw again.
        if let Some(v) = made {
            return v;
        }
    }
}
