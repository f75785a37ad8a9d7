//! The figures of issue 9 (who-can, what-can, paths), printed by
//! `cargo bench -p iamlogic-queries --bench who_can`.
//!
//! The organization's synthetic generator (`iamlogic gen`) had not landed when this was
//! written, so this benchmark writes its own deterministic organization in a temporary
//! directory: `WHO_CAN_ACCOUNTS` accounts (default 100) × `WHO_CAN_ROLES` roles (default
//! 500, so 50,000 roles), 50 users and 20 buckets per account, an OU tree with SCPs. Roles
//! chain within and across accounts; some policies carry conditions on live keys. Every
//! figure is measured through the functions the command line calls (`AccountSimulator::load`,
//! `Prepared::new`, `Analyzer::new`, `who_can`, `what_can`, `paths`), after load.

use std::path::Path;
use std::time::Instant;

use queries::simulate::AccountSimulator;
use queries::who_can::{self, Analyzer, Prepared};
use serde_json::{json, Value};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn acct(i: usize) -> String {
    format!("{:012}", 100_000_000_000u64 + i as u64)
}

fn doc(statements: Vec<Value>) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// One role of account `a`: trusted by the previous role (chains; role 0 by the account),
/// every 50th also by a role of the next account; a policy template by `r % 10`.
fn role(a: usize, r: usize, accounts: usize) -> Value {
    let id = acct(a);
    let mut trusted = vec![if r == 0 {
        format!("arn:aws:iam::{id}:root")
    } else {
        format!("arn:aws:iam::{id}:role/r{}", r - 1)
    }];
    if r.is_multiple_of(50) {
        trusted.push(format!(
            "arn:aws:iam::{}:role/r{}",
            acct((a + 1) % accounts),
            r + 1
        ));
    }
    let mut stmts = vec![json!({"Effect": "Allow", "Action": "sts:AssumeRole",
        "Resource": format!("arn:aws:iam::{id}:role/r{}", r + 1)})];
    let bucket = format!("arn:aws:s3:::b-{id}-{}", r % 20);
    stmts.push(match r % 10 {
        0 => json!({"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": [bucket.clone(), format!("{bucket}/*")]}),
        1 => json!({"Effect": "Allow", "Action": "s3:*", "Resource": "*",
            "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}),
        2 => json!({"Effect": "Allow", "Action": ["ec2:Describe*", "logs:*"], "Resource": "*"}),
        3 => json!({"Effect": "Allow", "Action": "dynamodb:*",
            "Resource": format!("arn:aws:dynamodb:eu-west-1:{id}:table/t{r}")}),
        _ => json!({"Effect": "Allow", "Action": ["sqs:SendMessage", "kms:Decrypt"], "Resource": "*"}),
    });
    json!({
        "Path": "/", "RoleName": format!("r{r}"), "RoleId": format!("AROA{a:06}{r:010}"),
        "Arn": format!("arn:aws:iam::{id}:role/r{r}"),
        "AssumeRolePolicyDocument": doc(vec![json!({"Effect": "Allow",
            "Principal": {"AWS": trusted}, "Action": "sts:AssumeRole"})]),
        "InstanceProfileList": [], "AttachedManagedPolicies": [],
        "Tags": [{"Key": "team", "Value": format!("t{}", r % 7)}],
        "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": doc(stmts)}],
    })
}

/// Write the organization under `dir`.
fn generate(dir: &Path, accounts: usize, roles: usize) {
    let mut resources = Vec::new();
    for a in 0..accounts {
        let id = acct(a);
        let role_list: Vec<Value> = (0..roles).map(|r| role(a, r, accounts)).collect();
        let users: Vec<Value> = (0..50)
            .map(|u| {
                json!({
                    "Path": "/", "UserName": format!("u{u}"), "UserId": format!("AIDA{a:06}{u:010}"),
                    "Arn": format!("arn:aws:iam::{id}:user/u{u}"), "GroupList": ["devs"],
                    "AttachedManagedPolicies": [], "Tags": [], "UserPolicyList": [],
                })
            })
            .collect();
        let group = json!({"Path": "/", "GroupName": "devs", "GroupId": format!("AGPA{a:016}"),
        "Arn": format!("arn:aws:iam::{id}:group/devs"), "AttachedManagedPolicies": [],
        "GroupPolicyList": [{"PolicyName": "dev", "PolicyDocument": doc(vec![
            json!({"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}),
            json!({"Effect": "Allow", "Action": "sts:AssumeRole",
                "Resource": format!("arn:aws:iam::{id}:role/r0")}),
        ])}]});
        let gaad = json!({"UserDetailList": users, "GroupDetailList": [group],
            "RoleDetailList": role_list, "Policies": []});
        std::fs::write(dir.join(format!("gaad-{id}.json")), gaad.to_string()).unwrap();
        for b in 0..20 {
            let arn = format!("arn:aws:s3:::b-{id}-{b}");
            resources.push(
                json!({"arn": arn, "account": id, "type": "s3:bucket", "policy": doc(vec![
                    json!({"Effect": "Allow", "Principal": {"AWS": acct((a + 1) % accounts)},
                        "Action": "s3:GetObject", "Resource": format!("{arn}/shared/*")}),
                    json!({"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                        "Resource": [arn.clone(), format!("{arn}/*")],
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}),
                ])}),
            );
        }
    }
    std::fs::write(
        dir.join("resources.json"),
        Value::Array(resources).to_string(),
    )
    .unwrap();
    let ous: Vec<Value> = (0..10)
        .map(|o| json!({"id": format!("ou-bench-{o:08}"), "name": format!("OU{o}"), "parentId": "r-bench"}))
        .collect();
    let accts: Vec<Value> = (0..accounts)
        .map(|a| json!({"id": acct(a), "name": format!("a{a}"), "parentId": format!("ou-bench-{:08}", a % 10)}))
        .collect();
    let mut targets: Vec<String> = vec!["r-bench".into()];
    targets.extend((0..10).map(|o| format!("ou-bench-{o:08}")));
    targets.extend((0..accounts).map(acct));
    let org = json!({"organizationId": "o-bench00001", "managementAccountId": acct(0),
    "rootId": "r-bench", "organizationalUnits": ous, "accounts": accts, "policies": [
        {"id": "p-FullAWSAccess", "name": "FullAWSAccess", "type": "SERVICE_CONTROL_POLICY",
         "document": doc(vec![json!({"Effect": "Allow", "Action": "*", "Resource": "*"})]),
         "targets": targets.clone()},
        // Until organization.json says which policy types are enabled (issue 8), an
        // organization without RCPs denies every request to a service that supports them.
        {"id": "p-RCPFullAWSAccess", "name": "RCPFullAWSAccess", "type": "RESOURCE_CONTROL_POLICY",
         "document": doc(vec![json!({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"})]),
         "targets": targets},
        {"id": "p-noleave0001", "name": "NoLeave", "type": "SERVICE_CONTROL_POLICY",
         "document": doc(vec![json!({"Effect": "Deny",
            "Action": "organizations:LeaveOrganization", "Resource": "*"})]),
         "targets": ["r-bench"]},
    ]});
    std::fs::write(dir.join("organization.json"), org.to_string()).unwrap();
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|v| v.parse::<f64>().ok())
            })
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn time<T>(label: &str, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let v = f();
    println!("{label:<58} {:>9.3} s", t.elapsed().as_secs_f64());
    v
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let accounts = env("WHO_CAN_ACCOUNTS", 100);
    let roles = env("WHO_CAN_ROLES", 500);
    let tmp = tempfile::tempdir().unwrap();
    // WHO_CAN_DIR keeps the organization for the command line.
    let dir = std::env::var_os("WHO_CAN_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&dir).unwrap();
    time("generate the organization", || {
        generate(&dir, accounts, roles)
    });
    println!(
        "organization: {accounts} accounts × {roles} roles = {} roles, {} users, {} buckets",
        accounts * roles,
        accounts * 50,
        accounts * 20
    );
    let sim = time("load (AccountSimulator::load)", || {
        AccountSimulator::load(std::slice::from_ref(&dir)).unwrap()
    });
    let prepared = time("prepare (Prepared::new)", || Prepared::new(&sim));
    let analyzer = time("index (Analyzer::new)", || {
        Analyzer::new(&prepared, sim.model())
    });
    let bucket = format!("arn:aws:s3:::b-{}-0", acct(1));
    // The engine's cost of one run, whatever its size: every query makes one run per
    // depth of chains or paths.
    let someone = prepared
        .tables()
        .principal_by_arn(&format!("arn:aws:iam::{}:role/r0", acct(1)))
        .map(|p| p.id)
        .unwrap();
    let cell = who_can::Cell {
        principal: someone,
        action: "s3:GetObject".into(),
        resource: format!("{bucket}/x"),
    };
    time("one engine run of one request (Analyzer::decide)", || {
        let mut stats = Default::default();
        analyzer.decide(&[cell], &Default::default(), false, &mut stats, &|_| {})
    });
    let one = who_can::Query {
        resource: Some(bucket.clone()),
        actions: vec!["s3:GetObject".into()],
        max_depth: 0,
        ..Default::default()
    };
    let r = time("who-can, one action on a bucket (direct)", || {
        who_can::who_can(&analyzer, &prepared, &one, &|_, _| {}).unwrap()
    });
    println!("  {} principals listed; {:?}", r.principals.len(), r.stats);
    let r = time("who-can, one action on a bucket (again)", || {
        who_can::who_can(&analyzer, &prepared, &one, &|_, _| {}).unwrap()
    });
    println!("  {} principals listed", r.principals.len());
    let chained = who_can::Query {
        max_depth: 3,
        ..one.clone()
    };
    let r = time(
        "who-can, one action on a bucket, chains up to 3 hops",
        || who_can::who_can(&analyzer, &prepared, &chained, &|_, _| {}).unwrap(),
    );
    println!("  {} principals listed; {:?}", r.principals.len(), r.stats);
    let every = who_can::Query {
        actions: Vec::new(),
        ..one.clone()
    };
    let r = time("who-can, every action on a bucket by access level", || {
        who_can::who_can(&analyzer, &prepared, &every, &|_, _| {}).unwrap()
    });
    println!(
        "  {} actions, {} principals listed; {:?}",
        r.actions.len(),
        r.principals.len(),
        r.stats
    );
    let role = format!("arn:aws:iam::{}:role/r11", acct(1));
    let r = time("what-can of one role", || {
        queries::what_can::what_can(
            &analyzer,
            &queries::what_can::Query {
                principal: role.clone(),
                ..Default::default()
            },
        )
        .unwrap()
    });
    println!("  {} action-resource pairs", r.actions.len());
    let from = format!("arn:aws:iam::{}:role/r1", acct(1));
    let to = format!("arn:aws:iam::{}:role/r4", acct(1));
    let r = time("paths --all --max-depth 4 between two roles", || {
        queries::paths::paths(
            &analyzer,
            &queries::paths::Query {
                from,
                to,
                all: true,
                max_depth: 4,
                ..Default::default()
            },
        )
        .unwrap()
    });
    println!("  {} paths; {:?}", r.paths.len(), r.stats);
    println!("peak memory (VmHWM): {:.0} MiB", peak_rss_mib());
}
