//! Role-chain hops decided as AWS decides them, end to end through `who-can`, `paths` and
//! `what-can --include-chains`: session tags need `sts:TagSession` (IAM User Guide, "Pass
//! session tags in AWS STS", "Permissions required to add session tags"), a source identity
//! needs `sts:SetSourceIdentity` (IAM User Guide, "Monitor and control actions taken with
//! assumed roles"), and the tags a hop passes are the next session's `aws:PrincipalTag/*`,
//! carried on as transitive tags ("Chaining roles with session tags").

mod support;

use serde_json::{json, Value};
use support::who_can::{action_answer, assumed_roles, hop_targets};
use support::TestCommand;

const ACCT: &str = "111111111111";
const BUCKET: &str = "arn:aws:s3:::chain-bucket";
const OBJECTS: &str = "arn:aws:s3:::chain-bucket/*";

fn arn(kind: &str, name: &str) -> String {
    format!("arn:aws:iam::{ACCT}:{kind}/{name}")
}

fn doc(stmts: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": stmts})
}

fn user(name: &str, actions: &[&str]) -> Value {
    json!({
        "UserName": name, "UserId": format!("AIDA{}", name.to_uppercase()), "Arn": arn("user", name),
        "Path": "/", "GroupList": [], "AttachedManagedPolicies": [],
        "UserPolicyList": [{"PolicyName": "assume", "PolicyDocument": doc(json!([
            {"Effect": "Allow", "Action": actions, "Resource": "*"}]))}]
    })
}

fn role(name: &str, trust: Value, actions: &[&str]) -> Value {
    json!({
        "RoleName": name, "RoleId": format!("AROA{}", name.to_uppercase()), "Arn": arn("role", name),
        "Path": "/", "AssumeRolePolicyDocument": doc(trust), "AttachedManagedPolicies": [],
        "InstanceProfileList": [],
        "RolePolicyList": [{"PolicyName": "work", "PolicyDocument": doc(json!([
            {"Effect": "Allow", "Action": actions, "Resource": "*"}]))}]
    })
}

/// A role allowed `action` only under `condition` (on its own policy).
fn tag_role(name: &str, trust: Value, action: &str, condition: Value) -> Value {
    json!({
        "RoleName": name, "RoleId": format!("AROA{}", name.to_uppercase()), "Arn": arn("role", name),
        "Path": "/", "AssumeRolePolicyDocument": doc(trust), "AttachedManagedPolicies": [],
        "InstanceProfileList": [],
        "RolePolicyList": [{"PolicyName": "work", "PolicyDocument": doc(json!([
            {"Effect": "Allow", "Action": action, "Resource": "*", "Condition": condition}]))}]
    })
}

/// Trust of the account's principals for `actions`, under `condition`.
fn trust_account(actions: &[&str], condition: Value) -> Value {
    json!([{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCT}:root")},
        "Action": actions, "Condition": condition}])
}

/// One account:
/// - `Tagged` may be assumed only with the session tag `project=alpha` (trust allows
///   `sts:AssumeRole` and `sts:TagSession` under `aws:RequestTag/project`); `alice` is
///   allowed `sts:TagSession`, `bob` is not.
/// - `Audited` may be assumed only with the source identity `carol`; `carol` is allowed
///   `sts:SetSourceIdentity`, `dave` is not.
/// - `First` (tag `project=alpha` required, as `Tagged`) → `Second` (trusts `First` when the
///   caller's `aws:PrincipalTag/project` is `alpha`, which `First` lacks as an IAM tag) →
///   `Third` (the same condition): `erin` reaches `Third` only with the tag carried.
/// - `Tagged`, `Audited` and `Third` read the bucket; nobody else does. Only `Third` writes
///   it.
/// - `TagWriter` (trusted as `Tagged`: the tag `project=alpha` required) may delete objects
///   only when its `aws:PrincipalTag/project` is `alpha`, which it lacks as an IAM tag;
///   `Fourth` (trusts `Second` as `Third` does) may delete object tags only under the same
///   condition. Only a session tag carried from the chain's first hop gives either access.
fn account() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let tag_alpha = json!({"StringEquals": {"aws:RequestTag/project": "alpha"}});
    let principal_alpha = json!({"StringEquals": {"aws:PrincipalTag/project": "alpha"}});
    let read = [
        "s3:GetObject",
        "s3:PutObject",
        "sts:AssumeRole",
        "sts:TagSession",
    ];
    let gaad = json!({
        "UserDetailList": [
            user("alice", &["sts:AssumeRole", "sts:TagSession"]),
            user("bob", &["sts:AssumeRole"]),
            user("carol", &["sts:AssumeRole", "sts:SetSourceIdentity"]),
            user("dave", &["sts:AssumeRole"]),
            user("erin", &["sts:AssumeRole", "sts:TagSession"]),
        ],
        "GroupDetailList": [],
        "RoleDetailList": [
            role("Tagged", trust_account(&["sts:AssumeRole", "sts:TagSession"], tag_alpha.clone()), &["s3:GetObject"]),
            role("Audited", trust_account(&["sts:AssumeRole", "sts:SetSourceIdentity"],
                json!({"StringEquals": {"sts:SourceIdentity": "carol"}})), &["s3:GetObject"]),
            role("First", trust_account(&["sts:AssumeRole", "sts:TagSession"], tag_alpha.clone()), &["sts:AssumeRole"]),
            role("Second", json!([{"Effect": "Allow", "Principal": {"AWS": arn("role", "First")},
                "Action": "sts:AssumeRole", "Condition": principal_alpha.clone()}]), &["sts:AssumeRole"]),
            role("Third", json!([{"Effect": "Allow", "Principal": {"AWS": arn("role", "Second")},
                "Action": "sts:AssumeRole", "Condition": principal_alpha.clone()}]), &read),
            tag_role("TagWriter", trust_account(&["sts:AssumeRole", "sts:TagSession"], tag_alpha.clone()),
                "s3:DeleteObject", principal_alpha.clone()),
            tag_role("Fourth", json!([{"Effect": "Allow", "Principal": {"AWS": arn("role", "Second")},
                "Action": "sts:AssumeRole", "Condition": principal_alpha.clone()}]),
                "s3:DeleteObjectTagging", principal_alpha),
        ],
        "Policies": []
    });
    std::fs::write(dir.path().join("gaad.json"), gaad.to_string()).expect("write");
    let res = json!([{"arn": BUCKET, "account": ACCT, "type": "s3:bucket"}]);
    std::fs::write(dir.path().join("resources.json"), res.to_string()).expect("write");
    dir
}

fn json_lines(args: &[&str], code: i32) -> Vec<Value> {
    TestCommand::new().args(args).expect_code(code).json_lines()
}

fn who_can(dir: &str) -> Vec<Value> {
    who_can_action(dir, "s3:GetObject")
}

fn who_can_action(dir: &str, action: &str) -> Vec<Value> {
    json_lines(
        &[
            "who-can",
            "-q",
            "-i",
            dir,
            "--resource",
            BUCKET,
            "--action",
            action,
            "--format",
            "json",
        ],
        0,
    )
}

/// The answer of `principal` for s3:GetObject on the bucket's objects.
fn object_read<'a>(r: &'a [Value], principal: &str) -> Option<&'a Value> {
    action_answer(r, principal, "s3:GetObject", OBJECTS)
}

fn paths(dir: &str, from: &str, to: &str) -> (i32, Vec<Value>) {
    let run = TestCommand::new()
        .args([
            "paths",
            "-q",
            "-i",
            dir,
            "--from",
            from,
            "--to",
            to,
            "--all",
            "--max-depth",
            "4",
            "--format",
            "json",
        ])
        .run();
    (run.code().unwrap_or(-1), run.json_lines())
}

// IAM User Guide, "Pass session tags in AWS STS" ("Permissions required to add session
// tags"): the trust policy requires a session tag, so the caller must be allowed
// sts:TagSession too; alice is, bob is not.
#[test]
fn trust_requiring_session_tags_needs_tag_session_pass_session_tags_in_aws_sts() {
    let dir = account();
    let d = dir.path().to_str().unwrap();
    let r = who_can(d);
    let alice = object_read(&r, &arn("user", "alice")).expect("alice reaches it through Tagged");
    assert_eq!(assumed_roles(alice), vec![arn("role", "Tagged")]);
    assert_eq!(alice["decision"], "conditional");
    let text = alice["conditions"]["text"].as_str().unwrap();
    assert!(text.contains("aws:RequestTag/project"), "{text}");
    // The hop itself carries the condition (the access by Tagged is unconditional).
    let hop = &alice["via"][0];
    assert_eq!(hop["action"], "sts:AssumeRole");
    assert_eq!(hop["decision"], "conditional");
    assert_eq!(alice["via"][1]["decision"], "allowed");
    assert!(
        object_read(&r, &arn("user", "bob")).is_none(),
        "bob may not tag: {r:?}"
    );
    // The same through paths: for alice, the direct hop first, then (with `--all`) the chain
    // First → Second → Third → Tagged that the tag she passes at the first hop carries
    // through (Third may assume and tag too); none for bob (exit code 1: no path).
    let (code, p) = paths(d, &arn("user", "alice"), &arn("role", "Tagged"));
    assert_eq!((code, p.len()), (0, 2), "{p:#?}");
    assert_eq!(p[0]["decision"], "conditional");
    assert_eq!(p[0]["hops"].as_array().unwrap().len(), 1);
    let long = hop_targets(&p[1]);
    assert_eq!(
        long,
        ["First", "Second", "Third", "Tagged"].map(|r| arn("role", r)),
        "{p:#?}"
    );
    let (code, p) = paths(d, &arn("user", "bob"), &arn("role", "Tagged"));
    assert_eq!((code, p.len()), (1, 0));
}

// IAM User Guide, "Monitor and control actions taken with assumed roles" ("Permissions
// required to set source identity"): the trust policy requires a source identity, so the
// caller must be allowed sts:SetSourceIdentity; carol is, dave is not.
#[test]
fn trust_requiring_source_identity_needs_set_source_identity_monitor_and_control_actions() {
    let dir = account();
    let d = dir.path().to_str().unwrap();
    let r = who_can(d);
    let carol = object_read(&r, &arn("user", "carol")).expect("carol reaches it through Audited");
    assert_eq!(assumed_roles(carol), vec![arn("role", "Audited")]);
    assert_eq!(carol["decision"], "conditional");
    let text = carol["conditions"]["text"].as_str().unwrap();
    assert!(text.contains("sts:SourceIdentity"), "{text}");
    assert!(text.contains("carol"), "{text}");
    assert!(object_read(&r, &arn("user", "dave")).is_none(), "{r:?}");
    let (code, p) = paths(d, &arn("user", "dave"), &arn("role", "Audited"));
    assert_eq!((code, p.len()), (1, 0));
}

// IAM User Guide, "Pass session tags in AWS STS" ("Chaining roles with session tags"): the
// tag erin must pass to assume First is First's session tag, seen by Second's trust policy as
// aws:PrincipalTag/project, and, transitive, by Third's at the next hop.
#[test]
fn session_tag_passed_at_hop_one_is_seen_at_hops_two_and_three_chaining_roles_with_session_tags() {
    let dir = account();
    let d = dir.path().to_str().unwrap();
    let (code, p) = paths(d, &arn("user", "erin"), &arn("role", "Third"));
    assert_eq!(code, 0, "{p:?}");
    assert_eq!(p.len(), 1, "{p:?}");
    let hops = p[0]["hops"].as_array().unwrap();
    let to: Vec<&str> = hops.iter().map(|h| h["to"].as_str().unwrap()).collect();
    assert_eq!(
        to,
        vec![
            arn("role", "First"),
            arn("role", "Second"),
            arn("role", "Third")
        ]
    );
    // The first hop is conditional on the tag; the later ones are allowed with it carried.
    assert_eq!(hops[0]["decision"], "conditional");
    assert_eq!(hops[1]["decision"], "allowed");
    assert_eq!(hops[2]["decision"], "allowed");
    // Without the tag carried, First alone cannot assume Second: its IAM tags lack it.
    let run = TestCommand::new()
        .args([
            "simulate",
            "-q",
            "-i",
            d,
            "--principal",
            &arn("role", "First"),
            "--action",
            "sts:AssumeRole",
            "--resource",
            &arn("role", "Second"),
        ])
        .run();
    assert!(run.stdout().starts_with("implicitDeny"), "{}", run.stdout());
    // what-can --include-chains follows the same carried tag: erin reads through Third.
    let run = TestCommand::new()
        .args([
            "what-can",
            "-q",
            "-i",
            d,
            "--principal",
            &arn("user", "erin"),
            "--service",
            "s3",
            "--include-chains",
            "--format",
            "json",
        ])
        .run();
    run.assert_code(0);
    assert!(
        run.stdout().contains(&arn("role", "Third")),
        "{}",
        run.stdout()
    );
}

// IAM User Guide, "Pass session tags in AWS STS" ("Chaining roles with session tags"):
// who-can walks chains backwards from the role that has the access, so a later hop that only
// the tag carried from an earlier hop allows (Second → Third, First → Second: their trust
// policies read aws:PrincipalTag/project, which the roles' own tags lack) must still be kept
// until the chain's first hop fixes the tag. Only Third writes the bucket: alice and erin
// (allowed sts:TagSession) reach it through First → Second → Third; bob (not allowed
// sts:TagSession) does not, nor does First or Second on its own (no tag to carry).
#[test]
fn who_can_keeps_a_later_hop_only_a_carried_tag_allows_chaining_roles_with_session_tags() {
    let dir = account();
    let d = dir.path().to_str().unwrap();
    let r = who_can_action(d, "s3:PutObject");
    let chain = ["First", "Second", "Third"]
        .map(|n| arn("role", n))
        .to_vec();
    for who in ["alice", "erin"] {
        let a = action_answer(&r, &arn("user", who), "s3:PutObject", OBJECTS)
            .unwrap_or_else(|| panic!("{who} reaches it through the chain: {r:#?}"));
        assert_eq!(assumed_roles(a), chain, "{a:#?}");
        let via = a["via"].as_array().unwrap();
        // Only the first hop is conditional (on the tag passed); with it carried, the later
        // hops and the access are allowed.
        let decisions: Vec<&str> = via
            .iter()
            .map(|h| h["decision"].as_str().unwrap())
            .collect();
        assert_eq!(
            decisions,
            ["conditional", "allowed", "allowed", "allowed"],
            "{a:#?}"
        );
        assert_eq!(a["decision"], "conditional");
        let text = a["conditions"]["text"].as_str().unwrap();
        assert!(text.contains("aws:RequestTag/project"), "{text}");
    }
    let listed: Vec<&str> = r.iter().map(|p| p["principal"].as_str().unwrap()).collect();
    for not in [
        arn("user", "bob"),
        arn("role", "First"),
        arn("role", "Second"),
    ] {
        assert!(!listed.contains(&not.as_str()), "{not} listed: {listed:?}");
    }
    // Third writes on its own.
    let third = action_answer(&r, &arn("role", "Third"), "s3:PutObject", OBJECTS)
        .expect("Third writes directly");
    assert!(assumed_roles(third).is_empty());
}

// IAM User Guide, "Pass session tags in AWS STS" ("Session tags" become the session's
// aws:PrincipalTag/*; "Chaining roles with session tags": transitive tags persist to later
// sessions): an access itself, not only a hop, may be allowed only by a tag the chain
// carries. TagWriter's and Fourth's own policies allow their action only with
// aws:PrincipalTag/project = alpha, which neither role has: they are not listed, but alice and
// erin (allowed sts:TagSession) are, through TagWriter (one hop, the tag passed) and through
// First -> Second -> Fourth (the tag passed at the first hop, carried to the third); bob (not
// allowed sts:TagSession) is not. simulate shows the tag is what decides.
#[test]
fn who_can_finds_an_access_only_a_carried_session_tag_allows_pass_session_tags_in_aws_sts() {
    let dir = account();
    let d = dir.path().to_str().unwrap();
    for (action, chain) in [
        ("s3:DeleteObject", vec![arn("role", "TagWriter")]),
        (
            "s3:DeleteObjectTagging",
            ["First", "Second", "Fourth"]
                .map(|n| arn("role", n))
                .to_vec(),
        ),
    ] {
        let r = who_can_action(d, action);
        for who in ["alice", "erin"] {
            let a = action_answer(&r, &arn("user", who), action, OBJECTS)
                .unwrap_or_else(|| panic!("{who} reaches {action} through {chain:?}: {r:#?}"));
            assert_eq!(assumed_roles(a), chain, "{a:#?}");
            assert_eq!(a["decision"], "conditional", "{a:#?}");
            let text = a["conditions"]["text"].as_str().unwrap();
            assert!(text.contains("aws:RequestTag/project"), "{text}");
            // The access by the last role is allowed with the tag carried.
            let via = a["via"].as_array().unwrap();
            assert_eq!(via.last().unwrap()["decision"], "allowed", "{a:#?}");
            assert_eq!(via.last().unwrap()["action"], action, "{a:#?}");
        }
        let listed: Vec<&str> = r.iter().map(|p| p["principal"].as_str().unwrap()).collect();
        let last = chain.last().unwrap();
        for not in [arn("user", "bob"), last.clone()] {
            assert!(!listed.contains(&not.as_str()), "{not} listed: {listed:?}");
        }
        // simulate: the last role is denied on its own, allowed with the session tag.
        for (tag, expect) in [(None, "implicitDeny"), (Some("alpha"), "allowed")] {
            let mut args = vec![
                "simulate".to_string(),
                "-q".into(),
                "-i".into(),
                d.into(),
                "--principal".into(),
                last.clone(),
                "--action".into(),
                action.into(),
                "--resource".into(),
                format!("{BUCKET}/k"),
            ];
            if let Some(v) = tag {
                args.extend(["--context".into(), format!("aws:PrincipalTag/project={v}")]);
            }
            let run = TestCommand::new().args(&args).run();
            assert!(
                run.stdout().starts_with(expect),
                "{args:?}: {}",
                run.stdout()
            );
        }
    }
}

/// One account where session tags are the caller's choice:
/// - `Open` trusts the account's principals for `sts:AssumeRole` and `sts:TagSession` with
///   no condition: a caller allowed `sts:TagSession` passes any tags it likes. Its own
///   policy allows `s3:DeleteObject` only with `aws:PrincipalTag/team = blue` (it has no
///   tags of its own), and `sts:AssumeRole` into `Next`.
/// - `Next` trusts `Open` (no condition) and allows `s3:DeleteObjectTagging` only with the
///   same tag.
/// - `alice` is allowed `sts:AssumeRole` and `sts:TagSession`; `bob` only `sts:AssumeRole`.
fn free_tag_account() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let blue = json!({"StringEquals": {"aws:PrincipalTag/team": "blue"}});
    let open_policy = doc(json!([
        {"Effect": "Allow", "Action": "s3:DeleteObject", "Resource": "*", "Condition": blue.clone()},
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": arn("role", "Next")}]));
    let gaad = json!({
        "UserDetailList": [
            user("alice", &["sts:AssumeRole", "sts:TagSession"]),
            user("bob", &["sts:AssumeRole"]),
        ],
        "GroupDetailList": [],
        "RoleDetailList": [
            {
                "RoleName": "Open", "RoleId": "AROAOPEN", "Arn": arn("role", "Open"), "Path": "/",
                "AssumeRolePolicyDocument": doc(json!([{"Effect": "Allow",
                    "Principal": {"AWS": format!("arn:aws:iam::{ACCT}:root")},
                    "Action": ["sts:AssumeRole", "sts:TagSession"]}])),
                "AttachedManagedPolicies": [], "InstanceProfileList": [],
                "RolePolicyList": [{"PolicyName": "work", "PolicyDocument": open_policy}]
            },
            tag_role("Next", json!([{"Effect": "Allow", "Principal": {"AWS": arn("role", "Open")},
                "Action": "sts:AssumeRole"}]), "s3:DeleteObjectTagging", blue),
        ],
        "Policies": []
    });
    std::fs::write(dir.path().join("gaad.json"), gaad.to_string()).expect("write");
    let res = json!([{"arn": BUCKET, "account": ACCT, "type": "s3:bucket"}]);
    std::fs::write(dir.path().join("resources.json"), res.to_string()).expect("write");
    dir
}

/// `simulate` of `principal` doing `action` on an object of the bucket, with `context`.
fn simulate_object(dir: &str, principal: &str, action: &str, context: &[String]) -> String {
    let mut args = vec![
        "simulate".to_string(),
        "-q".into(),
        "-i".into(),
        dir.into(),
        "--principal".into(),
        principal.into(),
        "--action".into(),
        action.into(),
        "--resource".into(),
        format!("{BUCKET}/k"),
    ];
    for c in context {
        args.extend(["--context".into(), c.clone()]);
    }
    TestCommand::new().args(&args).run().stdout()
}

// IAM User Guide, "Passing session tags in AWS STS": a caller that the role's trust policy
// and its own identity policy allow sts:TagSession may pass session tags of its choice, and
// they become the session's aws:PrincipalTag/*; passed as transitive tags they persist to
// the later sessions of a role chain ("Chaining roles with session tags"). Open's trust
// policy allows sts:TagSession without fixing any tag, so alice may pass team=blue: she
// deletes objects through Open (one hop) and deletes object tags through Open -> Next (the
// tag passed at the first hop, carried as transitive to the second), both `conditional` on
// the tag she chooses. bob (not allowed sts:TagSession), Open and Next (no tag of their own)
// are not listed. simulate of the last role replays the condition: allowed with the value the
// answer names, denied with another.
#[test]
fn who_can_finds_an_access_a_session_tag_of_the_callers_choice_allows_passing_session_tags_in_aws_sts(
) {
    let dir = free_tag_account();
    let d = dir.path().to_str().unwrap();
    for (action, chain) in [
        ("s3:DeleteObject", vec![arn("role", "Open")]),
        (
            "s3:DeleteObjectTagging",
            vec![arn("role", "Open"), arn("role", "Next")],
        ),
    ] {
        let r = who_can_action(d, action);
        let a = action_answer(&r, &arn("user", "alice"), action, OBJECTS)
            .unwrap_or_else(|| panic!("alice reaches {action} through {chain:?}: {r:#?}"));
        assert_eq!(assumed_roles(a), chain, "{a:#?}");
        assert_eq!(a["decision"], "conditional", "{a:#?}");
        let via = a["via"].as_array().unwrap();
        let last = via.last().unwrap();
        assert_eq!(last["action"], action, "{a:#?}");
        assert_eq!(last["decision"], "conditional", "{a:#?}");
        // The condition names the tag and the value that allows.
        let literal = a["conditions"]["anyOf"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|t| t.as_array().unwrap())
            .find(|l| l["key"] == "aws:PrincipalTag/team" && l["holds"] == true)
            .unwrap_or_else(|| panic!("a condition on the tag: {a:#?}"));
        let value = literal["values"][0].as_str().unwrap();
        let listed: Vec<&str> = r.iter().map(|p| p["principal"].as_str().unwrap()).collect();
        for not in [arn("user", "bob"), arn("role", "Open"), arn("role", "Next")] {
            assert!(!listed.contains(&not.as_str()), "{not} listed: {listed:?}");
        }
        // simulate of the role that acts: allowed with the tag the condition names, denied
        // without it and with another value.
        let actor = chain.last().unwrap();
        let tag = |v: &str| vec![format!("aws:PrincipalTag/team={v}")];
        for (ctx, expect) in [
            (Vec::new(), "implicitDeny"),
            (tag("other"), "implicitDeny"),
            (tag(value), "allowed"),
        ] {
            let out = simulate_object(d, actor, action, &ctx);
            assert!(out.starts_with(expect), "{actor} {action} {ctx:?}: {out}");
        }
    }
}
