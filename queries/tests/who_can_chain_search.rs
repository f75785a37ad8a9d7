//! The role-chain search's candidate hops ([`queries::trust_index::TrustIndex::roles_for`])
//! and who-can's text table ([`queries::who_can::text::text`]).
//!
//! - A trust policy that names the caller's account, not the caller, leaves the grant to the
//!   caller's identity policies, which must allow `sts:AssumeRole` on that role (IAM User
//!   Guide, "IAM roles"; "Cross-account policy evaluation logic"): a role that no identity
//!   statement of the caller may name is no hop to decide, and the decision agrees that it
//!   is denied. A role whose trust names the caller itself is a candidate whatever its
//!   identity policies say.
//! - The table is laid out once per class of principals; it must print what a layout of
//!   each principal's own answer prints.

use std::path::{Path, PathBuf};

use facts::request::{Context, ContextValue};
use queries::simulate::{AccountSimulator, RequestSpec};
use queries::trust_index::TrustIndex;
use queries::who_can::{self, Access, Analyzer, Prepared, PrincipalAnswer, Query, WhoCanResult};
use serde_json::{json, Value};

const A: &str = "111111111111";

fn doc(statements: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn user(name: &str, inline: Option<Value>) -> Value {
    json!({"UserName": name, "UserId": format!("AIDA{}", name.to_uppercase()), "Path": "/",
        "Arn": format!("arn:aws:iam::{A}:user/{name}"), "GroupList": [],
        "AttachedManagedPolicies": [],
        "UserPolicyList": inline.map(|d| vec![json!({"PolicyName": "Assume", "PolicyDocument": d})])
            .unwrap_or_default()})
}

fn role(name: &str, trust: Value) -> Value {
    json!({"RoleName": name, "RoleId": format!("AROA{}", name.to_uppercase().replace('-', "")),
        "Path": "/", "Arn": format!("arn:aws:iam::{A}:role/{name}"),
        "AssumeRolePolicyDocument": trust, "RolePolicyList": [],
        "AttachedManagedPolicies": [], "InstanceProfileList": [], "Tags": []})
}

/// Account A: roles `deploy-1` and `readonly-1` trusted by the account (root), `named-1`
/// trusted by user `ci` by ARN; users `ci` (may assume `deploy-*` only), `admin` (may
/// assume any role), `self-named` (may assume `${aws:username}-*`: a policy variable) and
/// `idle` (no policy).
fn account() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let root_trust = doc(json!([{"Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{A}:root")}, "Action": "sts:AssumeRole"}]));
    let ci_trust = doc(json!([{"Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{A}:user/ci")}, "Action": "sts:AssumeRole"}]));
    let assume = |resource: &str| {
        Some(doc(
            json!([{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": resource}]),
        ))
    };
    let gaad = json!({
        "UserDetailList": [
            user("ci", assume(&format!("arn:aws:iam::{A}:role/deploy-*"))),
            user("admin", assume("*")),
            user("self-named", assume(&format!("arn:aws:iam::{A}:role/${{aws:username}}-*"))),
            user("idle", None),
        ],
        "GroupDetailList": [],
        "RoleDetailList": [
            role("deploy-1", root_trust.clone()),
            role("readonly-1", root_trust),
            role("named-1", ci_trust),
        ],
        "Policies": []
    });
    let sub = dir.path().join(A);
    std::fs::create_dir_all(&sub).expect("mkdir");
    std::fs::write(sub.join("gaad.json"), gaad.to_string()).expect("write");
    dir
}

fn assume_outcome(sim: &AccountSimulator, caller: &str, role: &str) -> rules::Outcome {
    let spec = RequestSpec {
        principal: format!("arn:aws:iam::{A}:user/{caller}"),
        action: "sts:AssumeRole".to_string(),
        resource: format!("arn:aws:iam::{A}:role/{role}"),
        resource_account: None,
        context: std::sync::Arc::default(),
    };
    sim.simulate(&[spec], Path::new("<chain search>"))
        .unwrap()
        .remove(0)
        .decision
}

// IAM User Guide, "IAM roles" and "Cross-account policy evaluation logic": a trust policy
// naming the account grants a role only to callers whose identity policy allows assuming it.
#[test]
fn roles_trusting_the_account_are_hops_only_where_an_identity_policy_may_name_them() {
    let dir = account();
    let sim = AccountSimulator::load(&[PathBuf::from(dir.path())]).unwrap();
    let prepared = Prepared::new(&sim);
    let t = prepared.tables();
    let index = TrustIndex::new(t);
    let sym = |arn: String| t.principal_by_arn(&arn).expect(&arn).id;
    let names = |caller: &str| -> Vec<String> {
        let mut v: Vec<String> = index
            .roles_for(t, sym(format!("arn:aws:iam::{A}:user/{caller}")))
            .into_iter()
            .map(|r| {
                let arn = t.symbols.name(t.principal(r).unwrap().arn);
                arn.rsplit('/').next().unwrap().to_string()
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(names("ci"), ["deploy-1", "named-1"]);
    assert_eq!(names("admin"), ["deploy-1", "readonly-1"]);
    assert_eq!(names("self-named"), ["deploy-1", "readonly-1"]);
    assert!(names("idle").is_empty());
    // The hops left out are the ones AWS denies; those kept that an identity policy names
    // are allowed.
    assert_ne!(
        assume_outcome(&sim, "ci", "readonly-1"),
        rules::Outcome::Allowed
    );
    assert_eq!(
        assume_outcome(&sim, "ci", "deploy-1"),
        rules::Outcome::Allowed
    );
    assert_eq!(
        assume_outcome(&sim, "ci", "named-1"),
        rules::Outcome::Allowed
    );
    assert_eq!(
        assume_outcome(&sim, "admin", "readonly-1"),
        rules::Outcome::Allowed
    );
    assert_ne!(
        assume_outcome(&sim, "idle", "deploy-1"),
        rules::Outcome::Allowed
    );
}

/// The table as a layout of each principal's own answer prints it (the layout before
/// rows were laid out per class).
fn table_per_principal(r: &WhoCanResult, witnesses: bool) -> String {
    fn actions_text(p: &PrincipalAnswer, resources: &[String]) -> String {
        type Level = (String, Vec<(String, Vec<String>)>);
        let mut levels: Vec<Level> = Vec::new();
        for a in &p.actions {
            if !levels.iter().any(|l| l.0 == a.access_level) {
                levels.push((a.access_level.clone(), Vec::new()));
            }
            let level = levels.iter_mut().find(|l| l.0 == a.access_level).unwrap();
            let part = resources
                .iter()
                .find_map(|r| a.resource.strip_prefix(r.as_str()))
                .and_then(|rest| rest.strip_prefix('/'))
                .map(str::to_string);
            match level.1.iter_mut().find(|x| x.0 == a.action) {
                Some(x) => x.1.extend(part),
                None => level.1.push((a.action.clone(), part.into_iter().collect())),
            }
        }
        levels
            .iter()
            .map(|(l, names)| {
                let names: Vec<String> = names
                    .iter()
                    .map(|(n, parts)| {
                        if parts.is_empty() {
                            n.clone()
                        } else {
                            format!("{n} ({})", parts.join(", "))
                        }
                    })
                    .collect();
                if names.len() > 4 {
                    format!("{l}: {} actions", names.len())
                } else {
                    format!("{l}: {}", names.join(", "))
                }
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
    let mut rows: Vec<([String; 5], Vec<String>)> = vec![(
        [
            "PRINCIPAL".into(),
            "KIND".into(),
            "DECISION".into(),
            "ACTIONS".into(),
            "CONDITION / VIA".into(),
        ],
        Vec::new(),
    )];
    for p in r.principal_answers() {
        let mut groups: Vec<(Access, Option<String>, String, Vec<usize>)> = Vec::new();
        for (i, a) in p.actions.iter().enumerate() {
            let cond = a.conditions.as_ref().map(|c| c.text.clone());
            let chain = who_can::text::chain_text(&p.principal, &a.via);
            match groups
                .iter_mut()
                .find(|g| g.0 == a.decision && g.1 == cond && g.2 == chain)
            {
                Some(g) => g.3.push(i),
                None => groups.push((a.decision, cond, chain, vec![i])),
            }
        }
        for (decision, cond, chain, idx) in groups {
            let sub = PrincipalAnswer {
                actions: idx.iter().map(|&i| p.actions[i].clone()).collect(),
                ..p.clone()
            };
            let how = match (&cond, chain.as_str()) {
                (Some(c), "direct") => c.clone(),
                (Some(c), ch) => format!("{ch}; {c}"),
                (None, ch) => ch.to_string(),
            };
            let lines = if witnesses {
                sub.actions
                    .iter()
                    .filter_map(|a| a.witnesses.as_ref().map(|w| (a, w)))
                    .flat_map(|(a, w)| {
                        [&w.allowed, &w.denied].into_iter().map(move |x| {
                            format!(
                                "  {} {} {}: {}",
                                a.action,
                                x.decision.name(),
                                x.resource,
                                serde_json::to_string(&x.context).unwrap()
                            )
                        })
                    })
                    .collect()
            } else {
                Vec::new()
            };
            rows.push((
                [
                    p.principal.clone(),
                    p.kind.name().to_string(),
                    decision.name().to_string(),
                    actions_text(&sub, &r.resources),
                    how,
                ],
                lines,
            ));
        }
    }
    let mut width = [0usize; 4];
    for (row, _) in &rows {
        for (w, c) in width.iter_mut().zip(row.iter()) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut names: Vec<&str> = r.actions.iter().map(|a| a.0.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let mut out = format!(
        "who can act on {} ({} action{}): {} principal{}\n",
        r.resources.join(", "),
        names.len(),
        if names.len() == 1 { "" } else { "s" },
        r.principals.len(),
        if r.principals.len() == 1 { "" } else { "s" },
    );
    for (row, lines) in &rows {
        let mut line = String::new();
        for (j, c) in row.iter().enumerate() {
            if j < 4 {
                line.push_str(&format!("{c:<w$}  ", w = width[j]));
            } else {
                line.push_str(c);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
        for l in lines {
            out.push_str(l);
            out.push('\n');
        }
    }
    out
}

// The bundled example organization: chains of two and three hops, conditional answers,
// several access levels, object patterns, external accounts, services and the public.
#[test]
fn the_table_laid_out_per_class_is_the_table_of_each_principal() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let sim = AccountSimulator::load(&[examples]).unwrap();
    let prepared = Prepared::new(&sim);
    let analyzer = Analyzer::new(&prepared, &sim);
    let mut secure = Context::new();
    secure.insert("aws:SecureTransport", ContextValue::Single("true".into()));
    let queries = [
        ("arn:aws:s3:::example-prod-data", vec![], Context::new()),
        (
            "arn:aws:s3:::example-audit-logs",
            vec!["s3:GetObject".to_string()],
            Context::new(),
        ),
        (
            "arn:aws:s3:::example-audit-logs",
            vec!["s3:GetObject".to_string()],
            secure,
        ),
        ("arn:aws:s3:::example-public-site", vec![], Context::new()),
        ("arn:aws:s3:::example-legacy-site", vec![], Context::new()),
    ];
    let mut rows = 0;
    let mut chained = false;
    for (resource, actions, context) in queries {
        let q = Query {
            resource: Some(resource.to_string()),
            actions,
            context,
            max_depth: 3,
            ..Query::default()
        };
        let r = who_can::who_can(&analyzer, &prepared, &q, &|_, _| {}).unwrap();
        for witnesses in [false, true] {
            let table = who_can::text::text(&r, witnesses);
            assert_eq!(table, table_per_principal(&r, witnesses), "{resource}");
            rows += table.lines().count();
            chained |= table.contains(" → ");
        }
    }
    assert!(rows > 40, "the queries list principals: {rows} lines");
    assert!(chained, "some principal is listed through a chain");
}
