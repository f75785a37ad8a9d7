//! Principals of different accounts decided in one class (`engine::Analyzer::question_key`):
//! what applies to the question is compared by content, and each member reads the answer
//! with its own name, its own account's policies and group, and its own witnesses; a
//! condition that reads the caller's account tells the accounts apart.
//!
//! IAM User Guide, "Policy evaluation logic" (the decision reads the statements that apply
//! and their layers), "Cross-account policy evaluation logic" (both the identity side and
//! the bucket policy must allow), "AWS global condition context keys"
//! (`aws:PrincipalAccount`).

use std::path::PathBuf;

use facts::request::Context;
use queries::simulate::{AccountSimulator, RequestSpec};
use queries::who_can::{self, Access, Analyzer, Prepared, Query};
use serde_json::{json, Value};

const A: &str = "111111111111";
const B: &str = "222222222222";
const OWNER: &str = "333333333333";
const BUCKET: &str = "arn:aws:s3:::shared-data";
const OBJECTS: &str = "arn:aws:s3:::shared-data/*";

/// Account `id`: user `reader` in group `Readers`, which holds the account's own
/// customer managed policy `Reader` (the shared bucket's objects, and the account's own
/// `team-<id>-*` buckets, a statement that does not apply to the shared bucket); user
/// `idle` with no policy.
fn account(id: &str, reader: &str) -> Value {
    let reader_doc = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "Shared", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": OBJECTS},
        {"Sid": "Own", "Effect": "Allow", "Action": "s3:*", "Resource": format!("arn:aws:s3:::team-{id}-*/*")}]});
    json!({
        "UserDetailList": [
            {"UserName": reader, "UserId": format!("AIDA{}", reader.to_uppercase()), "Path": "/",
             "Arn": format!("arn:aws:iam::{id}:user/{reader}"), "GroupList": ["Readers"],
             "AttachedManagedPolicies": [], "UserPolicyList": []},
            {"UserName": "idle", "UserId": format!("AIDAIDLE{id}"), "Path": "/",
             "Arn": format!("arn:aws:iam::{id}:user/idle"), "GroupList": [],
             "AttachedManagedPolicies": [], "UserPolicyList": []}
        ],
        "GroupDetailList": [
            {"GroupName": "Readers", "GroupId": format!("AGPA{id}"), "Path": "/",
             "Arn": format!("arn:aws:iam::{id}:group/Readers"), "GroupPolicyList": [],
             "AttachedManagedPolicies": [{"PolicyName": "Reader",
                 "PolicyArn": format!("arn:aws:iam::{id}:policy/Reader")}]}
        ],
        "RoleDetailList": [],
        "Policies": [
            {"PolicyName": "Reader", "PolicyId": format!("ANPA{id}"), "Path": "/",
             "Arn": format!("arn:aws:iam::{id}:policy/Reader"), "DefaultVersionId": "v1",
             "AttachmentCount": 1, "IsAttachable": true,
             "PolicyVersionList": [{"Document": reader_doc, "VersionId": "v1", "IsDefaultVersion": true}]}
        ]
    })
}

/// Accounts A (`alice`) and B (`bob`), and the bucket of a third account: it lets both
/// accounts read over TLS only, and only account A write (`aws:PrincipalAccount`).
fn organization() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (id, reader) in [(A, "alice"), (B, "bob")] {
        let sub = dir.path().join(id);
        std::fs::create_dir_all(&sub).expect("mkdir");
        std::fs::write(sub.join("gaad.json"), account(id, reader).to_string()).expect("write");
    }
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "BothRead", "Effect": "Allow",
         "Principal": {"AWS": [format!("arn:aws:iam::{A}:root"), format!("arn:aws:iam::{B}:root")]},
         "Action": "s3:GetObject", "Resource": OBJECTS,
         "Condition": {"Bool": {"aws:SecureTransport": "true"}}},
        {"Sid": "OnlyAWrites", "Effect": "Allow", "Principal": "*", "Action": "s3:PutObject",
         "Resource": OBJECTS, "Condition": {"StringEquals": {"aws:PrincipalAccount": A}}}]});
    let res = json!([{"arn": BUCKET, "account": OWNER, "type": "s3:bucket", "policy": policy}]);
    std::fs::write(dir.path().join("resources.json"), res.to_string()).expect("write");
    dir
}

fn simulate(sim: &AccountSimulator, w: &who_can::Witness) -> rules::Outcome {
    let mut context = Context::new();
    for (k, v) in &w.context {
        context.insert(k, v.clone());
    }
    let spec = RequestSpec {
        principal: w.principal.clone(),
        action: w.action.clone(),
        resource: w.resource.clone(),
        resource_account: None,
        context: std::sync::Arc::new(context),
    };
    sim.simulate(&[spec], std::path::Path::new("<classes>"))
        .unwrap()
        .remove(0)
        .decision
}

#[test]
fn principals_of_two_accounts_share_a_class_and_each_reads_its_own_reason() {
    let dir = organization();
    let sim = AccountSimulator::load(&[PathBuf::from(dir.path())]).unwrap();
    let prepared = Prepared::new(&sim);
    let analyzer = Analyzer::new(&prepared, &sim);
    let q = Query {
        resource: Some(BUCKET.to_string()),
        actions: vec!["s3:GetObject".into(), "s3:PutObject".into()],
        ..Query::default()
    };
    let r = who_can::who_can(&analyzer, &prepared, &q, &|_, _| {}).unwrap();
    let user = |id: &str, name: &str| format!("arn:aws:iam::{id}:user/{name}");
    let answer = |who: &str, action: &str| {
        let i = r.principals.iter().position(|p| p.principal == who)?;
        r.principal(i)
            .actions
            .into_iter()
            .find(|a| a.action == action && a.resource == OBJECTS)
    };
    let (alice, bob) = (user(A, "alice"), user(B, "bob"));
    // One decision serves both readers: the answer bob reads was decided for alice, or
    // the other way round.
    let shared = |who: &str, other: &str| {
        let i = r
            .principals
            .iter()
            .position(|p| p.principal == who)
            .unwrap();
        r.classes[r.principals[i].class]
            .iter()
            .any(|&k| r.answers[k as usize].decided_for == other)
    };
    assert!(
        shared(&bob, &alice) || shared(&alice, &bob),
        "one class across accounts: {:#?}",
        r.answers
    );
    for (id, who) in [(A, &alice), (B, &bob)] {
        let a = answer(who, "s3:GetObject").unwrap_or_else(|| panic!("{who} reads: {r:#?}"));
        assert_eq!(a.decision, Access::Conditional, "{a:#?}");
        let reason = &a.via[0].reason;
        assert_eq!(a.via[0].from, *who);
        let own = format!("arn:aws:iam::{id}:policy/Reader");
        assert!(
            reason.allowed_by.iter().any(|s| s.policy == own),
            "{who}'s own policy: {reason:#?}"
        );
        assert!(
            reason
                .allowed_by
                .iter()
                .chain(&reason.guardrails)
                .all(|s| !s.policy.contains(if id == A { B } else { A })),
            "nothing of the other account: {reason:#?}"
        );
        assert_eq!(
            reason.group.as_deref(),
            Some(format!("arn:aws:iam::{id}:group/Readers").as_str())
        );
        // Its own witnesses, replayed.
        let w = a.witnesses.as_ref().expect("witnesses");
        assert_eq!(w.allowed.principal, *who);
        assert_eq!(w.denied.principal, *who);
        assert_eq!(
            simulate(&sim, &w.allowed),
            rules::Outcome::Allowed,
            "{w:#?}"
        );
        assert_ne!(simulate(&sim, &w.denied), rules::Outcome::Allowed, "{w:#?}");
    }
    // The condition on aws:PrincipalAccount tells the accounts apart: alice writes, bob
    // does not.
    let put = answer(&alice, "s3:PutObject").expect("alice writes");
    assert_eq!(put.decision, Access::Allowed, "{put:#?}");
    assert!(answer(&bob, "s3:PutObject").is_none(), "{r:#?}");
    let spec = |who: &str| RequestSpec {
        principal: who.to_string(),
        action: "s3:PutObject".into(),
        resource: format!("{BUCKET}/k"),
        resource_account: None,
        context: std::sync::Arc::default(),
    };
    let d = sim
        .simulate(
            &[spec(&alice), spec(&bob)],
            std::path::Path::new("<classes>"),
        )
        .unwrap();
    assert_eq!(d[0].decision, rules::Outcome::Allowed);
    assert_ne!(d[1].decision, rules::Outcome::Allowed);
    // Users without a policy are not listed.
    for idle in [user(A, "idle"), user(B, "idle")] {
        assert!(r.principals.iter().all(|p| p.principal != idle));
    }
}
