//! Administrator access and hypothetical changes decided over the keys only a live request
//! carries (issue 11: "an edge that holds only under a condition the attacker may not
//! control is `conditional`, with the condition"). An administrator whose `*` on `*` needs
//! MFA is a conditional administrator, and a path ending at it is conditional; a boundary
//! removed, a group joined or a policy granted whose gained access needs `aws:SourceIp` or
//! MFA gives a conditional step naming the key; the same with the condition on a key the
//! caller sets itself in its request (`aws:RequestTag/*`) stays allowed.

use std::path::Path;

use queries::escalation::{escalation, to_graph, EscalationReport, Options, Status};
use queries::simulate::AccountSimulator;
use serde_json::{json, Value};

const ACCT: &str = "111122223333";

fn arn(kind: &str, name: &str) -> String {
    format!("arn:aws:iam::{ACCT}:{kind}/{name}")
}

fn doc(statements: Vec<Value>) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn mfa() -> Value {
    json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}})
}

fn office() -> Value {
    json!({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})
}

/// A condition on a key the caller sets itself: the tags it sends.
fn tag() -> Value {
    json!({"StringEquals": {"aws:RequestTag/team": "dev"}})
}

fn user(name: &str, stmts: Vec<Value>, groups: &[&str], boundary: Option<&str>) -> Value {
    let mut u = json!({
        "UserName": name, "UserId": format!("AIDA{}", name.to_uppercase()), "Arn": arn("user", name),
        "Path": "/", "GroupList": groups, "AttachedManagedPolicies": [],
        "UserPolicyList": [{"PolicyName": name, "PolicyDocument": doc(stmts)}]
    });
    if let Some(b) = boundary {
        u["PermissionsBoundary"] =
            json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": b});
    }
    u
}

fn role(name: &str, stmts: Vec<Value>, trusted: &[String], boundary: Option<&str>) -> Value {
    let mut r = json!({
        "RoleName": name, "RoleId": format!("AROA{}", name.to_uppercase()), "Arn": arn("role", name),
        "Path": "/",
        "AssumeRolePolicyDocument": doc(vec![json!({"Effect": "Allow", "Principal": {"AWS": trusted}, "Action": "sts:AssumeRole"})]),
        "RolePolicyList": [{"PolicyName": name, "PolicyDocument": doc(stmts)}],
        "AttachedManagedPolicies": []
    });
    if let Some(b) = boundary {
        r["PermissionsBoundary"] =
            json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": b});
    }
    r
}

/// A customer-managed policy of the account (a boundary).
fn managed(name: &str, stmts: Vec<Value>) -> Value {
    json!({"PolicyName": name, "PolicyId": format!("ANPA{}", name.to_uppercase()),
        "Arn": arn("policy", name), "Path": "/", "DefaultVersionId": "v1",
        "AttachmentCount": 1, "IsAttachable": true,
        "PolicyVersionList": [{"Document": doc(stmts), "VersionId": "v1", "IsDefaultVersion": true}]})
}

fn run(
    users: Vec<Value>,
    groups: Vec<Value>,
    roles: Vec<Value>,
    policies: Vec<Value>,
    from: &str,
) -> EscalationReport {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), users, groups, roles, policies);
    let sim = AccountSimulator::load(&[dir.path().to_path_buf()]).expect("load");
    let opts = Options {
        from: if from.is_empty() {
            Vec::new()
        } else {
            vec![from.to_string()]
        },
        ..Options::default()
    };
    escalation(&sim, &opts, &mut |_| {}).expect("escalation")
}

fn write(
    dir: &Path,
    users: Vec<Value>,
    groups: Vec<Value>,
    roles: Vec<Value>,
    policies: Vec<Value>,
) {
    let gaad = json!({"UserDetailList": users, "GroupDetailList": groups,
        "RoleDetailList": roles, "Policies": policies});
    std::fs::write(dir.join("gaad.json"), gaad.to_string()).expect("write");
}

/// Attacker `attacker` may assume role `admin`, whose `*` on `*` holds under `condition`.
fn assume_admin(condition: Value) -> (EscalationReport, String, String) {
    let attacker = arn("user", "attacker");
    let admin = arn("role", "admin");
    let r = run(
        vec![user(
            "attacker",
            vec![json!({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": admin})],
            &[],
            None,
        )],
        vec![],
        vec![role(
            "admin",
            vec![
                json!({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": condition}),
            ],
            std::slice::from_ref(&attacker),
            None,
        )],
        vec![],
        "",
    );
    (r, attacker, admin)
}

#[test]
fn an_administrator_whose_access_needs_mfa_is_a_conditional_administrator_and_paths_to_it_are_conditional(
) {
    let (r, attacker, admin) = assume_admin(mfa());
    assert!(!r.administrators.contains(&admin), "{:?}", r.administrators);
    let c = r
        .conditional_administrators
        .iter()
        .find(|c| c.principal == admin)
        .expect("the role is a conditional administrator");
    assert!(
        c.condition.contains("aws:MultiFactorAuthPresent") && c.condition.contains("true"),
        "{}",
        c.condition
    );
    let e = r
        .escalations
        .iter()
        .find(|e| e.principal == attacker)
        .expect("the attacker reaches the conditional administrator");
    let steps: Vec<&str> = e.path.steps.iter().map(|s| s.technique.as_str()).collect();
    assert_eq!(steps, ["sts-001", "admin"]);
    assert_eq!(e.path.steps[0].status, Status::Allowed);
    assert_eq!(e.path.steps[1].status, Status::Conditional);
    assert_eq!(e.path.status, Status::Conditional);
    assert_eq!(e.status, Status::Conditional);
    let end = &e.path.steps[1];
    assert!(
        end.condition
            .as_deref()
            .is_some_and(|c| c.contains("aws:MultiFactorAuthPresent")),
        "{end:?}"
    );
    assert!(
        end.permissions
            .iter()
            .any(|p| p.condition.is_some()
                && p.allowed_by.iter().any(|m| m.policy.contains("admin"))),
        "{end:?}"
    );
    // The conditional administrator itself is listed with its own (conditional) access.
    let own = r
        .escalations
        .iter()
        .find(|e| e.principal == admin)
        .expect("the conditional administrator is listed");
    assert_eq!(own.status, Status::Conditional);
    // The picture draws the administrator step dashed, with the condition.
    let g = to_graph(&r);
    let edge = g
        .edges
        .iter()
        .find(|x| x.from == admin && x.to == "administrator")
        .expect("an edge to administrator");
    assert!(edge.conditional, "{edge:?}");
    assert!(
        edge.label.contains("aws:MultiFactorAuthPresent"),
        "{edge:?}"
    );
    // The JSON carries it.
    let v = serde_json::to_value(&r).expect("json");
    assert_eq!(v["conditionalAdministrators"][0]["principal"], json!(admin));
}

#[test]
fn an_administrator_whose_access_needs_a_key_the_caller_sets_is_an_administrator() {
    let (r, attacker, admin) = assume_admin(tag());
    assert!(r.administrators.contains(&admin), "{r:?}");
    assert!(r.conditional_administrators.is_empty(), "{r:?}");
    let e = r
        .escalations
        .iter()
        .find(|e| e.principal == attacker)
        .expect("the attacker escalates");
    assert_eq!(e.status, Status::Allowed);
    assert!(e.path.steps.iter().all(|s| s.condition.is_none()), "{e:?}");
    let v = serde_json::to_value(&r).expect("json");
    assert!(v.get("conditionalAdministrators").is_none());
}

/// A principal limited by boundary `Boundary` (which allows only `permission` on itself)
/// whose identity policy allows that and `*` on `*` under `condition`.
fn boundary_removal(kind: &str, permission: &str, condition: Value) -> (EscalationReport, String) {
    let me = arn(kind, "attacker");
    let boundary = arn("policy", "Boundary");
    let stmts = vec![
        json!({"Effect": "Allow", "Action": permission, "Resource": me}),
        json!({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": condition}),
    ];
    let policies = vec![managed(
        "Boundary",
        vec![json!({"Effect": "Allow", "Action": permission, "Resource": me})],
    )];
    let r = if kind == "user" {
        run(
            vec![user("attacker", stmts, &[], Some(&boundary))],
            vec![],
            vec![],
            policies,
            &me,
        )
    } else {
        run(
            vec![],
            vec![],
            vec![role(
                "attacker",
                stmts,
                &[format!("arn:aws:iam::{ACCT}:root")],
                Some(&boundary),
            )],
            policies,
            &me,
        )
    };
    (r, me)
}

fn only_step(r: &EscalationReport, who: &str) -> queries::escalation::Step {
    let e = r
        .escalations
        .iter()
        .find(|e| e.principal == who)
        .unwrap_or_else(|| panic!("{who} escalates: {r:?}"));
    assert_eq!(e.path.steps.len(), 1, "{e:?}");
    e.path.steps[0].clone()
}

#[test]
fn removing_a_boundary_whose_gained_access_needs_a_source_ip_is_conditional_naming_it() {
    for (kind, permission, technique) in [
        (
            "role",
            "iam:DeleteRolePermissionsBoundary",
            "x-deleterolepermissionsboundary",
        ),
        (
            "user",
            "iam:PutUserPermissionsBoundary",
            "x-putuserpermissionsboundary",
        ),
    ] {
        let (r, me) = boundary_removal(kind, permission, office());
        let s = only_step(&r, &me);
        assert_eq!(s.technique, technique);
        assert_eq!(s.status, Status::Conditional, "{s:?}");
        let c = s.condition.as_deref().unwrap_or_default();
        assert!(
            c.contains("aws:SourceIp") && c.contains("203.0.113.0/24"),
            "{c}"
        );
        // The permission itself is allowed whatever the keys; the gained access is not.
        let p = s
            .permissions
            .iter()
            .find(|p| p.action == permission)
            .expect("the permission");
        assert!(p.condition.is_none(), "{p:?}");
        assert!(
            s.permissions
                .iter()
                .any(|p| p.action.contains("without the permissions boundary")
                    && p.condition
                        .as_deref()
                        .is_some_and(|c| c.contains("aws:SourceIp"))),
            "{s:?}"
        );
    }
}

#[test]
fn removing_a_boundary_whose_gained_access_needs_a_key_the_caller_sets_is_allowed() {
    let (r, me) = boundary_removal("role", "iam:DeleteRolePermissionsBoundary", tag());
    let s = only_step(&r, &me);
    assert_eq!(s.technique, "x-deleterolepermissionsboundary");
    assert_eq!(s.status, Status::Allowed, "{s:?}");
    assert!(s.condition.is_none(), "{s:?}");
}

/// User `attacker` may add itself to group `admins`, whose `*` on `*` holds under
/// `condition`.
fn join(condition: Value) -> (EscalationReport, String) {
    let me = arn("user", "attacker");
    let group = arn("group", "admins");
    let r = run(
        vec![user(
            "attacker",
            vec![json!({"Effect": "Allow", "Action": "iam:AddUserToGroup", "Resource": group})],
            &[],
            None,
        )],
        vec![
            json!({"GroupName": "admins", "GroupId": "AGPAADMINS", "Arn": group, "Path": "/",
            "AttachedManagedPolicies": [],
            "GroupPolicyList": [{"PolicyName": "all", "PolicyDocument": doc(vec![
                json!({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": condition})])}]}),
        ],
        vec![],
        vec![],
        &me,
    );
    (r, me)
}

#[test]
fn joining_a_group_whose_access_needs_mfa_is_conditional_naming_it() {
    let (r, me) = join(mfa());
    let s = only_step(&r, &me);
    assert_eq!(s.technique, "iam-013");
    assert_eq!(s.status, Status::Conditional, "{s:?}");
    let c = s.condition.as_deref().unwrap_or_default();
    assert!(c.contains("aws:MultiFactorAuthPresent"), "{c}");
    let p = s
        .permissions
        .iter()
        .find(|p| p.action == "iam:AddUserToGroup")
        .expect("the permission");
    assert!(p.condition.is_none(), "{p:?}");
}

#[test]
fn joining_a_group_whose_access_needs_a_key_the_caller_sets_is_allowed() {
    let (r, me) = join(tag());
    let s = only_step(&r, &me);
    assert_eq!(s.technique, "iam-013");
    assert_eq!(s.status, Status::Allowed, "{s:?}");
    assert!(s.condition.is_none(), "{s:?}");
}

/// User `attacker` may put a policy on itself; everything else is denied unless
/// `allowed_if` holds (a `Deny` of every other action when it does not).
fn grant(deny_unless: Value) -> (EscalationReport, String) {
    let me = arn("user", "attacker");
    let r = run(
        vec![user(
            "attacker",
            vec![
                json!({"Effect": "Allow", "Action": "iam:PutUserPolicy", "Resource": me}),
                json!({"Effect": "Deny", "NotAction": "iam:PutUserPolicy", "Resource": "*", "Condition": deny_unless}),
            ],
            &[],
            None,
        )],
        vec![],
        vec![],
        vec![],
        &me,
    );
    (r, me)
}

#[test]
fn granting_oneself_a_policy_whose_access_needs_mfa_is_conditional_naming_it() {
    let (r, me) = grant(json!({"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}));
    let s = only_step(&r, &me);
    assert_eq!(s.technique, "iam-007");
    assert_eq!(s.status, Status::Conditional, "{s:?}");
    let c = s.condition.as_deref().unwrap_or_default();
    assert!(c.contains("aws:MultiFactorAuthPresent"), "{c}");
    assert!(
        s.permissions
            .iter()
            .any(|p| p.action.contains("with a policy allowing * on * added")
                && p.condition.is_some()),
        "{s:?}"
    );
}

#[test]
fn granting_oneself_a_policy_whose_access_needs_a_key_the_caller_sets_is_allowed() {
    let (r, me) = grant(json!({"StringNotEquals": {"aws:RequestTag/team": "dev"}}));
    let s = only_step(&r, &me);
    assert_eq!(s.technique, "iam-007");
    assert_eq!(s.status, Status::Allowed, "{s:?}");
    assert!(s.condition.is_none(), "{s:?}");
}

/// User `attacker` may rewrite the trust policy of role `admin` (`*` on `*`, trusting
/// nobody); its `sts:AssumeRole` is denied when `deny_unless` holds. (An `Allow` with a
/// condition would not do: a same-account trust policy naming the caller allows without
/// any identity policy, "Cross account resource access in IAM" / "IAM roles".)
fn rewrite_trust(deny_unless: Value) -> (EscalationReport, String) {
    let me = arn("user", "attacker");
    let admin = arn("role", "admin");
    let r = run(
        vec![user(
            "attacker",
            vec![
                json!({"Effect": "Allow", "Action": "iam:UpdateAssumeRolePolicy", "Resource": admin}),
                json!({"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": admin, "Condition": deny_unless}),
            ],
            &[],
            None,
        )],
        vec![],
        vec![role(
            "admin",
            vec![json!({"Effect": "Allow", "Action": "*", "Resource": "*"})],
            &[],
            None,
        )],
        vec![],
        &me,
    );
    (r, me)
}

#[test]
fn assuming_a_role_under_a_rewritten_trust_policy_only_from_an_office_network_is_conditional() {
    let (r, me) = rewrite_trust(json!({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}));
    let e = r
        .escalations
        .iter()
        .find(|e| e.principal == me)
        .expect("the attacker escalates under the condition");
    let steps: Vec<&str> = e.path.steps.iter().map(|s| s.technique.as_str()).collect();
    assert_eq!(steps, ["iam-012", "admin"]);
    let s = &e.path.steps[0];
    assert_eq!(s.status, Status::Conditional, "{s:?}");
    assert!(
        s.condition
            .as_deref()
            .is_some_and(|c| c.contains("aws:SourceIp")),
        "{s:?}"
    );
    assert!(
        s.permissions.iter().any(|p| p
            .action
            .starts_with("sts:AssumeRole, with a trust policy naming")
            && p.condition
                .as_deref()
                .is_some_and(|c| c.contains("203.0.113.0/24"))),
        "{s:?}"
    );
    assert_eq!(e.path.status, Status::Conditional);
}

#[test]
fn assuming_a_role_under_a_rewritten_trust_policy_with_a_tag_the_caller_sends_is_allowed() {
    let (r, me) = rewrite_trust(json!({"StringNotEquals": {"aws:RequestTag/team": "dev"}}));
    let e = r
        .escalations
        .iter()
        .find(|e| e.principal == me)
        .expect("the attacker escalates");
    let steps: Vec<&str> = e.path.steps.iter().map(|s| s.technique.as_str()).collect();
    assert_eq!(steps, ["iam-012", "admin"]);
    assert_eq!(e.path.status, Status::Allowed, "{e:?}");
}
