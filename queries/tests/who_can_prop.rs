//! Property test: who-can against simulate over random small accounts.
//!
//! For each random account (users and roles with random identity policies, a bucket with a
//! random policy, conditions on live keys drawn from a pool), who-can's answer for
//! `s3:GetObject` on the bucket's objects must agree with simulate on every sampled context:
//! an `allowed` principal is allowed in every one; a `conditional` one has an allowed and a
//! denied witness that replay as such (and some sampled context may differ); a principal not
//! listed is allowed in none.

use std::path::PathBuf;

use facts::request::{Context, ContextValue};
use proptest::prelude::*;
use queries::simulate::{AccountSimulator, RequestSpec};
use queries::who_can::{self, Access, Analyzer, Prepared, Query};
use serde_json::{json, Value};

const ACCOUNT: &str = "123456789012";
const OTHER: &str = "210987654321";
const BUCKET: &str = "arn:aws:s3:::prop-bucket";

/// Condition blocks on live keys (and none).
fn condition(i: u8) -> Value {
    match i % 7 {
        0 => json!({}),
        1 => json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
        2 => json!({"Bool": {"aws:SecureTransport": "false"}}),
        3 => json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
        4 => {
            json!({"NotIpAddress": {"aws:SourceIp": "10.1.0.0/16"}, "BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}})
        }
        5 => json!({"StringEquals": {"aws:PrincipalTag/team": "data"}}),
        // A principal-specific key: principals alike in every other way are told apart.
        _ => json!({"ArnNotLike": {"aws:PrincipalArn": format!("arn:aws:iam::{ACCOUNT}:user/u1")}}),
    }
}

#[derive(Debug, Clone)]
struct Stmt {
    deny: bool,
    action: u8,
    resource: u8,
    cond: u8,
}

fn stmt_strategy() -> impl Strategy<Value = Stmt> {
    (any::<bool>(), 0u8..3, 0u8..3, 0u8..7).prop_map(|(deny, action, resource, cond)| Stmt {
        deny: deny && cond != 0,
        action,
        resource,
        cond,
    })
}

fn stmt_json(s: &Stmt, principal: Option<Value>) -> Value {
    let action = ["s3:GetObject", "s3:*", "s3:PutObject"][s.action as usize];
    let resource = [
        format!("{BUCKET}/*"),
        "*".to_string(),
        format!("{BUCKET}/private/*"),
    ][s.resource as usize]
        .clone();
    let mut v = json!({
        "Effect": if s.deny { "Deny" } else { "Allow" },
        "Action": action,
        "Resource": resource,
        "Condition": condition(s.cond),
    });
    if let Some(p) = principal {
        v["Principal"] = p;
    }
    v
}

#[derive(Debug, Clone)]
struct Account {
    users: Vec<(Vec<Stmt>, bool)>,
    roles: Vec<Vec<Stmt>>,
    bucket: Vec<(u8, Stmt)>,
}

fn account_strategy() -> impl Strategy<Value = Account> {
    (
        prop::collection::vec(
            (prop::collection::vec(stmt_strategy(), 0..3), any::<bool>()),
            1..3,
        ),
        prop::collection::vec(prop::collection::vec(stmt_strategy(), 0..3), 0..2),
        prop::collection::vec((0u8..4, stmt_strategy()), 0..3),
        any::<bool>(),
    )
        .prop_map(|(mut users, roles, bucket, alike)| {
            // Users with the same policy document (one profile class of who-can) whose tags,
            // ARN or naming by the bucket policy may still set them apart.
            if alike {
                let first = users[0].0.clone();
                users.push((first.clone(), false));
                users.push((first, true));
            }
            Account {
                users,
                roles,
                bucket,
            }
        })
}

fn write(acc: &Account, dir: &std::path::Path) {
    let doc = |stmts: &[Stmt]| json!({"Version": "2012-10-17", "Statement": stmts.iter().map(|s| stmt_json(s, None)).collect::<Vec<_>>()});
    let users: Vec<Value> = acc
        .users
        .iter()
        .enumerate()
        .map(|(i, (stmts, tagged))| {
            json!({
                "Path": "/", "UserName": format!("u{i}"), "UserId": format!("AIDAPROP{i:012}"),
                "Arn": format!("arn:aws:iam::{ACCOUNT}:user/u{i}"), "GroupList": [],
                "AttachedManagedPolicies": [],
                "UserPolicyList": if stmts.is_empty() { json!([]) } else { json!([{"PolicyName": "p", "PolicyDocument": doc(stmts)}]) },
                "Tags": if *tagged { json!([{"Key": "team", "Value": "data"}]) } else { json!([]) },
            })
        })
        .collect();
    let roles: Vec<Value> = acc
        .roles
        .iter()
        .enumerate()
        .map(|(i, stmts)| {
            json!({
                "Path": "/", "RoleName": format!("r{i}"), "RoleId": format!("AROAPROP{i:012}"),
                "Arn": format!("arn:aws:iam::{ACCOUNT}:role/r{i}"),
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
                "InstanceProfileList": [], "AttachedManagedPolicies": [], "Tags": [],
                "RolePolicyList": if stmts.is_empty() { json!([]) } else { json!([{"PolicyName": "p", "PolicyDocument": doc(stmts)}]) },
            })
        })
        .collect();
    let gaad = json!({"UserDetailList": users, "GroupDetailList": [], "RoleDetailList": roles, "Policies": []});
    std::fs::write(dir.join("gaad.json"), gaad.to_string()).unwrap();
    let principals = [
        json!("*"),
        json!({"AWS": ACCOUNT}),
        json!({"AWS": OTHER}),
        json!({"AWS": format!("arn:aws:iam::{ACCOUNT}:user/u0")}),
    ];
    let statements: Vec<Value> = acc
        .bucket
        .iter()
        .map(|(p, s)| stmt_json(s, Some(principals[*p as usize].clone())))
        .collect();
    let mut res = json!([{"arn": BUCKET, "account": ACCOUNT, "type": "s3:bucket"}]);
    if !statements.is_empty() {
        res[0]["policy"] = json!({"Version": "2012-10-17", "Statement": statements});
    }
    std::fs::write(dir.join("resources.json"), res.to_string()).unwrap();
}

/// Every combination of absent / in-range / out-of-range values of the pool's live keys.
fn sampled_contexts() -> Vec<Context> {
    let ip = [
        None,
        Some("10.1.2.3"),
        Some("10.200.0.1"),
        Some("192.168.1.1"),
    ];
    let tls = [None, Some("true"), Some("false")];
    let mfa = [None, Some("true"), Some("false")];
    let mut out = Vec::new();
    for i in ip {
        for t in tls {
            for m in mfa {
                let mut c = Context::new();
                for (k, v) in [
                    ("aws:SourceIp", i),
                    ("aws:SecureTransport", t),
                    ("aws:MultiFactorAuthPresent", m),
                ] {
                    if let Some(v) = v {
                        c.insert(k, ContextValue::Single(v.to_string()));
                    }
                }
                out.push(c);
            }
        }
    }
    out
}

fn decide(sim: &AccountSimulator, principal: &str, resource: &str, ctx: &Context) -> bool {
    let spec = RequestSpec {
        principal: principal.to_string(),
        action: "s3:GetObject".to_string(),
        resource: resource.to_string(),
        resource_account: None,
        context: std::sync::Arc::new(ctx.clone()),
    };
    let r = sim
        .simulate(&[spec], std::path::Path::new("<prop>"))
        .unwrap();
    r[0].decision == rules::Outcome::Allowed
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn who_can_agrees_with_simulate(acc in account_strategy()) {
        let dir = tempfile::tempdir().unwrap();
        write(&acc, dir.path());
        let sim = AccountSimulator::load(&[PathBuf::from(dir.path())]).unwrap();
        let prepared = Prepared::new(&sim);
        let analyzer = Analyzer::new(&prepared, &sim);
        let q = Query {
            resource: Some(BUCKET.to_string()),
            actions: vec!["s3:GetObject".to_string()],
            ..Query::default()
        };
        let r = who_can::who_can(&analyzer, &prepared, &q, &|_, _| {}).unwrap();
        let mut callers: Vec<String> = (0..acc.users.len())
            .map(|i| format!("arn:aws:iam::{ACCOUNT}:user/u{i}"))
            .chain((0..acc.roles.len()).map(|i| format!("arn:aws:iam::{ACCOUNT}:role/r{i}")))
            .collect();
        callers.push(format!("arn:aws:iam::{ACCOUNT}:root"));
        callers.push("*".to_string());
        // An account the data does not hold is a candidate when a policy names it (others
        // are covered by the public answer).
        if acc.bucket.iter().any(|(p, _)| *p == 2) {
            callers.push(format!("arn:aws:iam::{OTHER}:root"));
        }
        let contexts = sampled_contexts();
        for resource in [format!("{BUCKET}/*"), format!("{BUCKET}/private/*")] {
            for c in &callers {
                let mine = r
                    .principals
                    .iter()
                    .position(|p| &p.principal == c)
                    .map(|i| r.principal(i));
                let answer = mine
                    .as_ref()
                    .and_then(|p| p.actions.iter().find(|a| a.resource == resource));
                let outcomes: Vec<bool> = contexts.iter().map(|x| decide(&sim, c, &resource, x)).collect();
                match answer.map(|a| a.decision) {
                    Some(Access::Allowed) => {
                        prop_assert!(outcomes.iter().all(|&o| o), "{c} {resource} allowed but a sample is denied: {r:?}");
                    }
                    Some(Access::Conditional) => {
                        let w = answer.unwrap().witnesses.as_ref().expect("witnesses");
                        for (x, want) in [(&w.allowed, true), (&w.denied, false)] {
                            let mut ctx = Context::new();
                            for (k, v) in &x.context {
                                ctx.insert(k, v.clone());
                            }
                            prop_assert_eq!(decide(&sim, c, &resource, &ctx), want, "{} witness {:?}", c, x);
                        }
                    }
                    None => {
                        // `private/*` is asked only when a policy names it.
                        let named = acc.users.iter().flat_map(|u| &u.0)
                            .chain(acc.roles.iter().flatten())
                            .chain(acc.bucket.iter().map(|b| &b.1))
                            .any(|s| s.resource == 2);
                        if !resource.contains("private") || named {
                            prop_assert!(outcomes.iter().all(|&o| !o), "{c} {resource} not listed but allowed in a sample: {r:?}");
                        }
                    }
                }
            }
        }
    }
}
