//! One case per technique of the pathfinding.cloud catalogue (65) and per technique iamlogic
//! adds (`x-...`): a small account where the attacker holds exactly the technique's
//! permissions finds a path whose first step is the technique; the same account with an
//! explicit `Deny`, a permissions boundary or an SCP that removes one of those permissions
//! (in turn) does not. Each case asserts a decided outcome of `queries::escalation`.

use std::path::Path;

use queries::escalation::{escalation, Options};
use queries::simulate::AccountSimulator;
use rules::escalation::{Action, Category, Slot, Target, Technique};
use serde_json::{json, Value};

const ACCT: &str = "111122223333";

fn arn(kind: &str, name: &str) -> String {
    format!("arn:aws:iam::{ACCT}:{kind}/{name}")
}

fn doc(statements: Vec<Value>) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn allow_all() -> Value {
    doc(vec![
        json!({"Effect": "Allow", "Action": "*", "Resource": "*"}),
    ])
}

/// Whether the technique's caller must be a user (it changes or joins as a user).
fn user_caller(t: Technique) -> bool {
    matches!(
        t,
        Technique::Iam007
            | Technique::Iam008
            | Technique::Iam010
            | Technique::Iam011
            | Technique::Iam013
            | Technique::DeleteUserBoundary
            | Technique::PutUserBoundary
    )
}

/// How the negative case stops the technique.
#[derive(Debug, Clone, Copy)]
enum Stop {
    Deny,
    Boundary,
    Scp,
}

/// The account of technique `t`, with `stop` removing `stopped` from the attacker.
fn account(dir: &Path, t: Technique, stop: Option<(Stop, &str)>) -> String {
    let actions: Vec<&str> = t.required().iter().map(|(a, _)| a.name()).collect();
    // Each permission on its target only (so that a combined technique is not also a
    // self-escalation on `*`): the target role or user, the target's policy, else `*`.
    let mut attacker_stmts = Vec::new();
    for (a, slot) in t.required() {
        let resource = match (slot, a.target()) {
            (Slot::To | Slot::Through, Target::Role) => arn("role", "target"),
            (Slot::To | Slot::Through, Target::User) => arn("user", "victim"),
            (Slot::Via, Target::Policy) if matches!(t, Technique::Iam016 | Technique::Iam020) => {
                arn("policy", "target")
            }
            _ => "*".to_string(),
        };
        attacker_stmts.push(json!({"Effect": "Allow", "Action": a.name(), "Resource": resource}));
    }
    let services: Vec<&str> = rules::escalation::Service::ALL
        .iter()
        .map(|s| s.principal())
        .collect();
    let is_user = user_caller(t);
    let attacker = if is_user {
        arn("user", "attacker")
    } else {
        arn("role", "attacker")
    };
    let mut boundary = None;
    if let Some((s, a)) = stop {
        match s {
            Stop::Deny => {
                attacker_stmts.push(json!({"Effect": "Deny", "Action": a, "Resource": "*"}))
            }
            Stop::Boundary => {
                boundary =
                    Some(json!({"PolicyName": "boundary", "PolicyArn": arn("policy", "boundary")}))
            }
            Stop::Scp => {}
        }
    }
    // Boundary techniques need a boundary to remove: one allowing the technique's actions.
    let own_boundary = matches!(
        t,
        Technique::DeleteRoleBoundary
            | Technique::DeleteUserBoundary
            | Technique::PutRoleBoundary
            | Technique::PutUserBoundary
    );
    if own_boundary {
        // What the boundary holds back: everything.
        attacker_stmts.push(json!({"Effect": "Allow", "Action": "*", "Resource": "*"}));
        if boundary.is_none() {
            boundary =
                Some(json!({"PolicyName": "boundary", "PolicyArn": arn("policy", "boundary")}));
        }
    }
    let mut policies = vec![
        json!({"PolicyName": "attacker", "Arn": arn("policy", "attacker"), "Path": "/",
               "DefaultVersionId": "v1", "PolicyVersionList": [{"Document": doc(attacker_stmts.clone()), "VersionId": "v1", "IsDefaultVersion": true}]}),
        json!({"PolicyName": "target", "Arn": arn("policy", "target"), "Path": "/",
               "DefaultVersionId": "v1", "PolicyVersionList": [{"Document": doc(vec![json!({"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"})]), "VersionId": "v1", "IsDefaultVersion": true}]}),
    ];
    let boundary_doc = match stop {
        Some((Stop::Boundary, a)) => doc(vec![
            json!({"Effect": "Allow", "NotAction": a, "Resource": "*"}),
        ]),
        // A boundary that allows only the technique's own permissions (so the caller is no
        // administrator until it is removed).
        _ => doc(vec![
            json!({"Effect": "Allow", "Action": actions, "Resource": "*"}),
        ]),
    };
    policies.push(json!({"PolicyName": "boundary", "Arn": arn("policy", "boundary"), "Path": "/",
        "DefaultVersionId": "v1", "PolicyVersionList": [{"Document": boundary_doc, "VersionId": "v1", "IsDefaultVersion": true}]}));
    // iam-001/x-setdefault: the attacker's own policy is the one it rewrites.
    let mut attacker_entry = json!({
        "Path": "/", "Arn": attacker, "AttachedManagedPolicies": [{"PolicyName": "attacker", "PolicyArn": arn("policy", "attacker")}],
    });
    if let Some(b) = &boundary {
        attacker_entry["PermissionsBoundary"] =
            json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": b["PolicyArn"]});
    }
    // The target: a role that trusts every service (and, for sts-001 and the change-then-
    // assume techniques, the attacker), in an instance profile, with administrator access
    // unless the technique gives it (then only the `target` policy).
    let gives = matches!(t.category(), Category::PrincipalAccess)
        && matches!(
            t,
            Technique::Iam014
                | Technique::Iam016
                | Technique::Iam017
                | Technique::Iam019
                | Technique::Iam020
                | Technique::Iam021
        );
    let trusts_attacker = matches!(
        t,
        Technique::Sts001 | Technique::Iam014 | Technique::Iam016 | Technique::Iam017
    );
    let mut trust = vec![
        json!({"Effect": "Allow", "Principal": {"Service": services}, "Action": "sts:AssumeRole"}),
    ];
    if trusts_attacker {
        trust.push(
            json!({"Effect": "Allow", "Principal": {"AWS": attacker}, "Action": "sts:AssumeRole"}),
        );
    }
    let target_role = json!({
        "RoleName": "target", "RoleId": "AROATARGET", "Arn": arn("role", "target"), "Path": "/",
        "AssumeRolePolicyDocument": doc(trust),
        "RolePolicyList": if gives { json!([]) } else { json!([{"PolicyName": "admin", "PolicyDocument": allow_all()}]) },
        "AttachedManagedPolicies": [{"PolicyName": "target", "PolicyArn": arn("policy", "target")}],
        "InstanceProfileList": [{"InstanceProfileName": "target", "InstanceProfileId": "AIPATARGET",
            "Arn": format!("arn:aws:iam::{ACCT}:instance-profile/target"), "Path": "/"}]
    });
    // A user to take over: an administrator (credentials techniques) or, for iam-015/018,
    // one without permissions.
    let victim_admin = !matches!(t, Technique::Iam015 | Technique::Iam018);
    let victim = json!({
        "UserName": "victim", "UserId": "AIDAVICTIM", "Arn": arn("user", "victim"), "Path": "/",
        "GroupList": [],
        "UserPolicyList": if victim_admin { json!([{"PolicyName": "admin", "PolicyDocument": allow_all()}]) } else { json!([]) },
        "AttachedManagedPolicies": []
    });
    let mut users = vec![victim];
    let mut roles = vec![target_role];
    // Groups: `members` (the attacker user is in it) and `admins` (administrator access).
    let groups = vec![
        json!({"GroupName": "members", "GroupId": "AGPAMEMBERS", "Arn": arn("group", "members"), "Path": "/",
               "GroupPolicyList": [], "AttachedManagedPolicies": []}),
        json!({"GroupName": "admins", "GroupId": "AGPAADMINS", "Arn": arn("group", "admins"), "Path": "/",
               "GroupPolicyList": [{"PolicyName": "admin", "PolicyDocument": allow_all()}], "AttachedManagedPolicies": []}),
    ];
    if is_user {
        attacker_entry["UserName"] = json!("attacker");
        attacker_entry["UserId"] = json!("AIDAATTACKER");
        attacker_entry["GroupList"] = json!(["members"]);
        attacker_entry["UserPolicyList"] = json!([]);
        users.push(attacker_entry);
    } else {
        attacker_entry["RoleName"] = json!("attacker");
        attacker_entry["RoleId"] = json!("AROAATTACKER");
        attacker_entry["AssumeRolePolicyDocument"] = doc(vec![
            json!({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999999999999:root"}, "Action": "sts:AssumeRole"}),
        ]);
        attacker_entry["RolePolicyList"] = json!([]);
        attacker_entry["InstanceProfileList"] = json!([]);
        roles.push(attacker_entry);
    }
    let gaad = json!({"UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": roles, "Policies": policies});
    std::fs::write(dir.join("gaad.json"), gaad.to_string()).expect("write");
    if let Some((Stop::Scp, a)) = stop {
        let org = json!({
            "organizationId": "o-test000001", "managementAccountId": "999988887777", "rootId": "r-test",
            "organizationalUnits": [],
            "accounts": [{"id": "999988887777", "parentId": "r-test"}, {"id": ACCT, "parentId": "r-test"}],
            "policies": [
                {"id": "p-FullAWSAccess", "name": "FullAWSAccess", "type": "SERVICE_CONTROL_POLICY",
                 "document": allow_all(), "targets": ["r-test", ACCT]},
                {"id": "p-stop", "name": "Stop", "type": "SERVICE_CONTROL_POLICY",
                 "document": doc(vec![json!({"Effect": "Deny", "Action": a, "Resource": "*"})]), "targets": ["r-test"]},
                {"id": "p-RCPFullAWSAccess", "name": "RCPFullAWSAccess", "type": "RESOURCE_CONTROL_POLICY",
                 "document": doc(vec![json!({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"})]), "targets": ["r-test", ACCT]}
            ]
        });
        std::fs::write(dir.join("organization.json"), org.to_string()).expect("write");
    }
    attacker
}

/// The first-step techniques of every path (up to two steps) from the attacker.
fn first_steps(t: Technique, stop: Option<(Stop, &str)>) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let attacker = account(dir.path(), t, stop);
    let sim = AccountSimulator::load(&[dir.path().to_path_buf()]).expect("load");
    let opts = Options {
        from: vec![attacker],
        all: true,
        max_depth: 2,
        ..Options::default()
    };
    let r = escalation(&sim, &opts, &mut |_| {}).expect("escalation");
    r.escalations
        .iter()
        .flat_map(|e| std::iter::once(&e.path).chain(&e.all_paths))
        .filter_map(|p| p.steps.first().map(|s| s.technique.clone()))
        .collect()
}

#[test]
fn every_technique_escalates_and_is_stopped_by_a_deny_a_boundary_or_an_scp() {
    let mut failures = Vec::new();
    let mut cases = 0;
    for (i, &t) in Technique::ALL.iter().enumerate() {
        // Service-specific credentials are no step of a path (their own test below).
        if t == Technique::Administrator || t.category() == Category::ServiceAccess {
            continue;
        }
        cases += 1;
        let found = first_steps(t, None);
        if !found.iter().any(|x| x == t.id()) {
            failures.push(format!("{}: not found (first steps {found:?})", t.id()));
            continue;
        }
        // Stop the technique's first permission that is not iam:PassRole in turn by a deny,
        // a boundary and an SCP (PassRole is stopped as well; any required one suffices).
        let stop = [Stop::Deny, Stop::Boundary, Stop::Scp][i % 3];
        let action = t
            .required()
            .iter()
            .map(|(a, _)| *a)
            .find(|a| !matches!(a, Action::PassRole(_)))
            .unwrap_or(t.required()[0].0);
        let found = first_steps(t, Some((stop, action.name())));
        if found.iter().any(|x| x == t.id()) {
            failures.push(format!(
                "{}: still found with {stop:?} of {}",
                t.id(),
                action.name()
            ));
        }
    }
    assert_eq!(cases, 72, "65 catalogue techniques and 7 of iamlogic's");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The service-specific credentials the attacker of technique `t`'s account (with `stop`)
/// can get, as `(technique, user, status)`.
fn service_credentials(
    t: Technique,
    stop: Option<(Stop, &str)>,
) -> Vec<(String, String, queries::escalation::Status)> {
    let dir = tempfile::tempdir().expect("tempdir");
    let attacker = account(dir.path(), t, stop);
    let sim = AccountSimulator::load(&[dir.path().to_path_buf()]).expect("load");
    let opts = Options {
        from: vec![attacker.clone()],
        ..Options::default()
    };
    let r = escalation(&sim, &opts, &mut |_| {}).expect("escalation");
    assert!(
        r.escalations.is_empty(),
        "service-specific credentials are no path: {:?}",
        r.escalations
    );
    r.service_credentials
        .iter()
        .inspect(|s| assert_eq!(s.from, attacker))
        .map(|s| (s.technique.clone(), s.to.clone(), s.status))
        .collect()
}

/// IAM API Reference, CreateServiceSpecificCredential / ResetServiceSpecificCredential:
/// credentials of another user that work in one service only.
#[test]
fn service_specific_credentials_of_another_user_are_reported_and_stopped() {
    use queries::escalation::Status;
    for t in [
        Technique::CreateServiceCredential,
        Technique::ResetServiceCredential,
    ] {
        let found = service_credentials(t, None);
        let want = if t == Technique::ResetServiceCredential {
            Status::Hypothetical
        } else {
            Status::Allowed
        };
        assert_eq!(
            found,
            vec![(t.id().to_string(), arn("user", "victim"), want)],
            "{}",
            t.id()
        );
        let action = t.required()[0].0.name();
        for stop in [Stop::Deny, Stop::Boundary, Stop::Scp] {
            let found = service_credentials(t, Some((stop, action)));
            assert!(found.is_empty(), "{} with {stop:?}: {found:?}", t.id());
        }
    }
}

#[test]
fn the_catalogue_ids_are_those_of_the_shared_catalogue() {
    let p = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/privesc-paths/summary.json");
    let Ok(text) = std::fs::read_to_string(&p) else {
        eprintln!("note: {} missing; skipping", p.display());
        return;
    };
    let v: Value = serde_json::from_str(&text).expect("json");
    let mut want: Vec<String> = v
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|x| x["id"].as_str().map(str::to_string))
        .collect();
    want.sort();
    let mut have: Vec<String> = Technique::ALL
        .iter()
        .map(|t| t.id().to_string())
        .filter(|id| id != "admin" && !id.starts_with("x-"))
        .collect();
    have.sort();
    assert_eq!(have, want);
    // Each technique needs exactly the catalogue's required permissions.
    for x in v.as_array().expect("array") {
        let t = Technique::by_id(x["id"].as_str().unwrap_or_default()).expect("known");
        let mut req: Vec<String> = x["required"]
            .as_array()
            .expect("required")
            .iter()
            .filter_map(|a| a.as_str().map(str::to_ascii_lowercase))
            .collect();
        req.sort();
        req.dedup();
        let mut ours: Vec<String> = t
            .required()
            .iter()
            .map(|(a, _)| a.name().to_ascii_lowercase())
            .collect();
        ours.sort();
        ours.dedup();
        assert_eq!(ours, req, "{}", t.id());
    }
}
