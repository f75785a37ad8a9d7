//! End-to-end tests of `iamlogic who-can` on the bundled example organization (`examples/`)
//! and on the shared GAAD corpus. Every kind of answer: internal, external account, service,
//! public, conditional with and without `--context`, chains of one to three hops, chains cut
//! by an SCP and by a boundary at their second hop; witnesses replayed through `simulate`.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

mod support;

use support::who_can::{
    action_answer as action, assumed_roles, hop_targets, principal_answer as find,
};

fn examples() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .to_string_lossy()
        .into_owned()
}

fn iamlogic(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_iamlogic"))
        .args(args)
        .output()
        .expect("run iamlogic");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// `who-can --format json` on the examples: one object per principal.
fn who_can(resource: &str, extra: &[&str]) -> Vec<Value> {
    let ex = examples();
    let mut args = vec![
        "who-can",
        "-q",
        "-i",
        &ex,
        "--resource",
        resource,
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let (code, out, err) = iamlogic(&args);
    assert_eq!(code, 0, "{err}");
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// `simulate` one request with a context object; the decision.
fn simulate(principal: &str, action: &str, resource: &str, context: &Value) -> String {
    let ex = examples();
    let mut args: Vec<String> = [
        "simulate",
        "-q",
        "-i",
        &ex,
        "--principal",
        principal,
        "--action",
        action,
        "--resource",
        resource,
        "--format",
        "json",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for (k, v) in context.as_object().into_iter().flatten() {
        let values: Vec<String> = match v {
            Value::Array(vs) => vs
                .iter()
                .map(|x| x.as_str().unwrap_or("").to_string())
                .collect(),
            other => vec![other.as_str().unwrap_or("").to_string()],
        };
        for x in values {
            args.push("--context".into());
            args.push(format!("{k}={x}"));
        }
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (_, out, err) = iamlogic(&refs);
    let v: Value = serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
    v["decision"].as_str().unwrap_or_default().to_string()
}

const LOGS: &str = "arn:aws:s3:::example-audit-logs";
const LOGS_ALL: &str = "arn:aws:s3:::example-audit-logs/*";
const REPORTS: &str = "arn:aws:s3:::example-audit-logs/reports/*";
const OPS: &str = "arn:aws:iam::111111111111:user/ops";
const PARTNER: &str = "arn:aws:iam::999988887777:root";
const ERIN: &str = "arn:aws:iam::333333333333:user/erin";

/// Every conditional answer's two witnesses replay through simulate as allowed / denied.
fn assert_witnesses_replay(r: &[Value]) -> usize {
    let mut n = 0;
    for p in r {
        for a in p["actions"].as_array().into_iter().flatten() {
            let Some(w) = a.get("witnesses") else {
                continue;
            };
            for (which, want_allowed) in [("allowed", true), ("denied", false)] {
                let x = &w[which];
                let got = simulate(
                    x["principal"].as_str().unwrap(),
                    x["action"].as_str().unwrap(),
                    x["resource"].as_str().unwrap(),
                    &x["context"],
                );
                assert_eq!(got == "allowed", want_allowed, "{which} witness {x}: {got}");
                assert_eq!(got, x["decision"].as_str().unwrap(), "{x}");
                n += 1;
            }
        }
    }
    n
}

// IAM User Guide, "Policy evaluation for requests within a single account": ops's
// AdministratorAccess allows; the bucket's TLS-only Deny makes it conditional.
#[test]
fn internal_user_is_conditional_on_tls_and_allowed_with_context() {
    let r = who_can(LOGS, &["--action", "s3:GetObject"]);
    let a = action(&r, OPS, "s3:GetObject", LOGS_ALL).expect("ops listed");
    assert_eq!(a["decision"], "conditional");
    assert_eq!(
        a["conditions"]["text"],
        "unless aws:SecureTransport = false"
    );
    assert_eq!(find(&r, OPS).unwrap()["kind"], "user");
    assert!(assert_witnesses_replay(&r) >= 2);
    // Fixing the key with --context gives a plain answer.
    let r = who_can(
        LOGS,
        &[
            "--action",
            "s3:GetObject",
            "--context",
            "aws:SecureTransport=true",
        ],
    );
    let a = action(&r, OPS, "s3:GetObject", LOGS_ALL).expect("ops listed");
    assert_eq!(a["decision"], "allowed");
    assert!(a.get("witnesses").is_none());
    let r = who_can(
        LOGS,
        &[
            "--action",
            "s3:GetObject",
            "--context",
            "aws:SecureTransport=false",
        ],
    );
    assert!(
        find(&r, OPS).is_none(),
        "denied for every request over plain HTTP"
    );
}

// "Cross-account policy evaluation logic": an account a bucket policy names stands for
// anyone in it that its own policies allow; the grant's conditions decide.
#[test]
fn external_account_is_conditional_on_source_ip_and_mfa() {
    let r = who_can(LOGS, &["--action", "s3:GetObject"]);
    let p = find(&r, PARTNER).expect("partner listed");
    assert_eq!(p["kind"], "externalAccount");
    let a = action(&r, PARTNER, "s3:GetObject", REPORTS).expect("reports/*");
    assert_eq!(
        a["conditions"]["text"],
        "aws:SourceIp in 203.0.113.0/24 and aws:MultiFactorAuthPresent = true, unless aws:SecureTransport = false"
    );
    assert_eq!(a["conditions"]["anyOf"].as_array().unwrap().len(), 1);
    assert!(
        action(&r, PARTNER, "s3:GetObject", LOGS_ALL).is_none(),
        "only reports/*"
    );
    assert_witnesses_replay(&r);
    let inside = [
        "--action",
        "s3:GetObject",
        "--context",
        "aws:SourceIp=203.0.113.9",
        "--context",
        "aws:MultiFactorAuthPresent=true",
        "--context",
        "aws:SecureTransport=true",
    ];
    let r = who_can(LOGS, &inside);
    assert_eq!(
        action(&r, PARTNER, "s3:GetObject", REPORTS).unwrap()["decision"],
        "allowed"
    );
    let outside = [
        "--action",
        "s3:GetObject",
        "--context",
        "aws:SourceIp=198.51.100.1",
    ];
    let r = who_can(LOGS, &outside);
    assert!(find(&r, PARTNER).is_none());
}

// "AWS JSON policy elements: Principal" (service principals) and
// "aws:SourceAccount" (AWS global condition context keys): a live key.
#[test]
fn service_principal_is_conditional_on_source_account() {
    let r = who_can(LOGS, &["--action", "s3:PutObject"]);
    let svc = "cloudtrail.amazonaws.com";
    assert_eq!(find(&r, svc).expect("cloudtrail listed")["kind"], "service");
    let a = action(
        &r,
        svc,
        "s3:PutObject",
        "arn:aws:s3:::example-audit-logs/AWSLogs/*",
    )
    .unwrap();
    assert_eq!(
        a["conditions"]["text"],
        "aws:SourceAccount = 111111111111, unless aws:SecureTransport = false"
    );
    assert!(action(&r, svc, "s3:PutObject", REPORTS).is_none());
    assert_witnesses_replay(&r);
}

// Amazon S3 User Guide, "The meaning of public": `"Principal": "*"` grants anonymous callers.
#[test]
fn public_bucket_lists_anonymous_access() {
    let site = "arn:aws:s3:::example-public-site";
    let r = who_can(site, &["--action", "s3:GetObject"]);
    let p = find(&r, "*").expect("public listed");
    assert_eq!(p["kind"], "public");
    assert_eq!(p["decision"], "allowed");
    // Nobody outside the management account may write to it.
    let r = who_can(site, &["--action", "s3:PutObject"]);
    assert!(find(&r, "*").is_none());
    assert!(
        r.iter()
            .all(|p| p["principal"].as_str().unwrap().contains("111111111111")),
        "{r:?}"
    );
}

/// The role names along a principal's chain for an action on a resource.
fn chain(r: &[Value], principal: &str, resource: &str) -> Option<Vec<String>> {
    action(r, principal, "s3:GetObject", resource).map(assumed_roles)
}

// IAM User Guide, "Methods to assume a role" (role chaining): each hop is an AssumeRole
// decided with the trust policy and the caller's own policies.
#[test]
fn chains_of_one_two_and_three_hops() {
    let r = who_can(LOGS, &["--action", "s3:GetObject"]);
    let reader = "arn:aws:iam::111111111111:role/LogReader";
    let shipper = "arn:aws:iam::222222222222:role/LogShipper";
    let bastion = "arn:aws:iam::333333333333:role/DevBastion";
    assert_eq!(chain(&r, reader, LOGS_ALL).unwrap(), Vec::<String>::new());
    assert_eq!(chain(&r, shipper, LOGS_ALL).unwrap(), vec![reader]);
    assert_eq!(chain(&r, bastion, LOGS_ALL).unwrap(), vec![shipper, reader]);
    assert_eq!(
        chain(&r, ERIN, LOGS_ALL).unwrap(),
        vec![bastion, shipper, reader]
    );
    // Each hop carries its reason: the trust policy and the caller's identity policy.
    let a = action(&r, ERIN, "s3:GetObject", LOGS_ALL).unwrap();
    let hop = &a["via"][1];
    assert_eq!(hop["from"], bastion);
    let by: Vec<&str> = hop["reason"]["allowedBy"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["policy"].as_str().unwrap())
        .collect();
    assert!(
        by.contains(&"arn:aws:iam::222222222222:role/LogShipper#trust"),
        "{by:?}"
    );
    assert!(by.iter().any(|p| p.contains("DevBastion#inline")), "{by:?}");
    // A two-hop chain through the OrgAdmin roles on the prod bucket.
    let prod = who_can(
        "arn:aws:s3:::example-prod-data",
        &["--action", "s3:GetObject"],
    );
    assert_eq!(
        chain(&prod, OPS, "arn:aws:s3:::example-prod-data/*").unwrap(),
        vec![
            "arn:aws:iam::111111111111:role/OrgAdmin",
            "arn:aws:iam::222222222222:role/OrgAdmin"
        ]
    );
    // --max-depth bounds the chains.
    let r = who_can(LOGS, &["--action", "s3:GetObject", "--max-depth", "2"]);
    assert!(find(&r, ERIN).is_none());
    assert!(find(&r, bastion).is_some());
}

// AWS Organizations User Guide, "SCP evaluation": DevDirect (in Dev) is trusted by
// LogReader, but the Dev SCP denies its AssumeRole into the management account; erin reaches
// the logs only through the three-hop chain.
#[test]
fn chain_cut_by_an_scp_at_its_second_hop() {
    let r = who_can(LOGS, &["--action", "s3:GetObject"]);
    let direct = "arn:aws:iam::333333333333:role/DevDirect";
    assert!(find(&r, direct).is_none());
    assert_eq!(
        chain(&r, ERIN, LOGS_ALL).unwrap().len(),
        3,
        "not the 2-hop chain"
    );
    assert_eq!(
        simulate(
            direct,
            "sts:AssumeRole",
            "arn:aws:iam::111111111111:role/LogReader",
            &Value::Null
        ),
        "explicitDeny"
    );
    assert_eq!(
        simulate(ERIN, "sts:AssumeRole", direct, &Value::Null),
        "allowed",
        "the first hop stands"
    );
}

// IAM User Guide, "Permissions boundaries for IAM entities": BoundedShipper's boundary
// lacks sts:AssumeRole, so carol → BoundedShipper → LogReader stops at the second hop.
#[test]
fn chain_cut_by_a_boundary_at_its_second_hop() {
    let r = who_can(LOGS, &["--action", "s3:GetObject"]);
    let bounded = "arn:aws:iam::222222222222:role/BoundedShipper";
    let carol = "arn:aws:iam::222222222222:user/carol";
    assert!(find(&r, bounded).is_none());
    assert!(find(&r, carol).is_none());
    assert_eq!(
        simulate(carol, "sts:AssumeRole", bounded, &Value::Null),
        "allowed"
    );
    assert_eq!(
        simulate(
            bounded,
            "sts:AssumeRole",
            "arn:aws:iam::111111111111:role/LogReader",
            &Value::Null
        ),
        "implicitDeny"
    );
}

// --strict decides as simulate does: keys nobody gives are absent.
#[test]
fn strict_treats_live_keys_as_absent() {
    let r = who_can(LOGS, &["--action", "s3:GetObject", "--strict"]);
    assert_eq!(
        action(&r, OPS, "s3:GetObject", LOGS_ALL).unwrap()["decision"],
        "allowed"
    );
    assert!(
        find(&r, PARTNER).is_none(),
        "no SourceIp: the partner grant does not apply"
    );
    for p in &r {
        for a in p["actions"].as_array().unwrap() {
            assert_eq!(a["decision"], "allowed", "{a}");
        }
    }
}

#[test]
fn every_action_of_a_bucket_by_access_level_and_graph_formats() {
    let ex = examples();
    let (code, out, err) = iamlogic(&["who-can", "-q", "-i", &ex, "--resource", LOGS]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("who can act on arn:aws:s3:::example-audit-logs ("),
        "{out}"
    );
    assert!(out.contains("PRINCIPAL"), "{out}");
    assert!(out.contains("Permissions management:"), "{out}");
    assert!(
        out.contains("333333333333:user/erin → 333333333333:role/DevBastion"),
        "{out}"
    );
    let args = [
        "who-can",
        "-q",
        "-i",
        &ex,
        "--resource",
        LOGS,
        "--action",
        "s3:GetObject",
    ];
    let (_, dot, _) = iamlogic(&[&args[..], &["--format", "dot"]].concat());
    assert!(dot.starts_with("digraph access {"), "{dot}");
    assert!(dot.contains("label=\"333333333333:user/erin\""), "{dot}");
    assert!(dot.contains("[label=\"assumes\"]"), "{dot}");
    assert!(dot.contains("style=dashed"), "{dot}");
    let (_, mermaid, _) = iamlogic(&[&args[..], &["--format", "mermaid"]].concat());
    assert!(mermaid.starts_with("flowchart LR"), "{mermaid}");
    assert!(mermaid.contains("-.->|\"s3:GetObject\"|"), "{mermaid}");
}

#[test]
fn bad_arguments_are_errors() {
    let ex = examples();
    let (code, _, err) = iamlogic(&[
        "who-can",
        "-i",
        &ex,
        "--resource",
        LOGS,
        "--action",
        "GetObject",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--action `GetObject`"), "{err}");
    let (code, _, _) = iamlogic(&["who-can", "-i", &ex]);
    assert_eq!(code, 2);
}

// The 44-user GAAD example of the shared corpus: every principal who-can lists as allowed is
// allowed by simulate with no context, and every user it omits is denied.
#[test]
fn gaad_corpus_answers_agree_with_simulate() {
    let Some(gaad) = facts::corpus::corpus_path("gaad/examples/files/example.json") else {
        return;
    };
    let g = gaad.to_string_lossy().into_owned();
    let resource = "arn:aws:s3:::some-bucket";
    let (code, out, err) = iamlogic(&[
        "who-can",
        "-q",
        "-i",
        &g,
        "--resource",
        resource,
        "--action",
        "s3:PutBucketPolicy",
        "--format",
        "json",
        "--max-depth",
        "0",
    ]);
    assert_eq!(code, 0, "{err}");
    let r: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(r.len() > 3, "{out}");
    let listed: Vec<&str> = r.iter().map(|p| p["principal"].as_str().unwrap()).collect();
    let model: Value = serde_json::from_str(&std::fs::read_to_string(&gaad).unwrap()).unwrap();
    let users: Vec<&str> = model["UserDetailList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["Arn"].as_str().unwrap())
        .collect();
    for u in users {
        let args = [
            "simulate",
            "-q",
            "-i",
            &g,
            "--principal",
            u,
            "--action",
            "s3:PutBucketPolicy",
            "--resource",
            resource,
            "--format",
            "json",
        ];
        let (_, out, _) = iamlogic(&args);
        let d: Value = serde_json::from_str(out.trim()).unwrap();
        let allowed = d["decision"] == "allowed";
        let answer = r.iter().find(|p| p["principal"] == u);
        match answer {
            Some(a) if a["decision"] == "allowed" => assert!(allowed, "{u}"),
            Some(_) => {}
            None => assert!(!allowed, "{u} allowed by simulate but not listed"),
        }
    }
    assert!(listed.iter().any(|p| p.contains(":user/")));
}

// what-can: alice's effective permissions after the region SCP and the bucket's TLS Deny;
// through DeployRole (its trust policy names alice) with --include-chains.
#[test]
fn what_can_lists_effective_permissions_and_chains() {
    let ex = examples();
    let alice = "arn:aws:iam::222222222222:user/alice";
    let args = [
        "what-can",
        "-q",
        "-i",
        &ex,
        "--principal",
        alice,
        "--format",
        "json",
    ];
    let (code, out, err) = iamlogic(&args);
    assert_eq!(code, 0, "{err}");
    let rows: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let get = |a: &str, r: &str| rows.iter().find(|x| x["action"] == a && x["resource"] == r);
    let shared = get("s3:GetObject", "arn:aws:s3:::example-prod-data/shared/*").expect("shared/*");
    assert_eq!(shared["decision"], "conditional");
    let text = shared["conditions"]["text"].as_str().unwrap();
    assert!(
        text.contains("aws:SecureTransport = false") && text.contains("aws:RequestedRegion"),
        "{text}"
    );
    // A boundary-free user without lambda permissions of its own.
    assert!(rows
        .iter()
        .all(|x| !x["action"].as_str().unwrap().starts_with("lambda:")));
    // Key B does not trust the account: kms:Decrypt there is not effective.
    assert!(get(
        "kms:Decrypt",
        "arn:aws:kms:eu-west-1:222222222222:key/2222bbbb-2222-4bbb-8bbb-222222222222"
    )
    .is_none());
    let (code, out, _) =
        iamlogic(&[&args[..], &["--include-chains", "--service", "lambda"]].concat());
    assert_eq!(code, 0);
    let rows: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!rows.is_empty(), "DeployRole manages Lambda functions");
    for r in &rows {
        assert_eq!(
            r["via"][0]["to"], "arn:aws:iam::222222222222:role/DeployRole",
            "{r}"
        );
        assert_eq!(r["via"][0]["action"], "sts:AssumeRole");
    }
}

// paths: the shortest chain, every simple path, and no path where an SCP cuts it.
#[test]
fn paths_shortest_all_and_none() {
    let ex = examples();
    let reader = "arn:aws:iam::111111111111:role/LogReader";
    let base = [
        "paths", "-q", "-i", &ex, "--from", ERIN, "--to", reader, "--format", "json",
    ];
    let (code, out, err) = iamlogic(&base);
    assert_eq!(code, 0, "{err}");
    let paths: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(paths.len(), 1);
    let hops = hop_targets(&paths[0]);
    assert_eq!(
        hops,
        vec![
            "arn:aws:iam::333333333333:role/DevBastion",
            "arn:aws:iam::222222222222:role/LogShipper",
            reader
        ]
    );
    // --all within 2 hops: none (the 2-hop path through DevDirect is cut by the Dev SCP).
    let (code, out, _) = iamlogic(&[&base[..], &["--all", "--max-depth", "2"]].concat());
    assert_eq!(code, 1, "{out}");
    assert!(out.is_empty());
    // ops → OrgAdmin (management) → OrgAdmin (prod): every simple path within 4 hops.
    let prod_admin = "arn:aws:iam::222222222222:role/OrgAdmin";
    let (code, out, _) = iamlogic(&[
        "paths",
        "-q",
        "-i",
        &ex,
        "--from",
        OPS,
        "--to",
        prod_admin,
        "--all",
        "--max-depth",
        "4",
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("111111111111:user/ops → 111111111111:role/OrgAdmin → 222222222222:role/OrgAdmin (allowed)"), "{out}");
}

// --resource-account: every resource of the management account the data knows.
#[test]
fn resource_account_covers_every_resource_of_the_account() {
    let ex = examples();
    let args = [
        "who-can",
        "-q",
        "-i",
        &ex,
        "--resource-account",
        "111111111111",
        "--action",
        "s3:GetObject",
        "--format",
        "json",
        "--max-depth",
        "0",
    ];
    let (code, out, err) = iamlogic(&args);
    assert_eq!(code, 0, "{err}");
    let r: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let public = find(&r, "*").expect("the public site");
    assert!(public["actions"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["resource"]
            .as_str()
            .unwrap()
            .starts_with("arn:aws:s3:::example-public-site/")));
    assert!(
        action(&r, PARTNER, "s3:GetObject", REPORTS).is_some(),
        "the audit logs too"
    );
}

// Amazon S3 User Guide, "Blocking public access to your Amazon S3 storage":
// RestrictPublicBuckets limits the public bucket policy of example-legacy-site to AWS service
// principals and principals of the owner's account: no public access, no other account.
#[test]
fn bucket_made_private_again_by_block_public_access() {
    let legacy = "arn:aws:s3:::example-legacy-site";
    let r = who_can(legacy, &["--action", "s3:GetObject"]);
    assert!(find(&r, "*").is_none(), "public access is blocked");
    assert!(find(&r, PARTNER).is_none(), "another account is blocked");
    assert_eq!(
        find(&r, "cloudtrail.amazonaws.com").unwrap()["decision"],
        "allowed"
    );
    assert_eq!(find(&r, OPS).unwrap()["decision"], "allowed");
    // The same policy without Block Public Access is public.
    let r = who_can(
        "arn:aws:s3:::example-public-site",
        &["--action", "s3:GetObject"],
    );
    assert!(find(&r, "*").is_some());
}

// An account the data does not hold stands for anyone in it: a grant that names one of its
// roles by aws:PrincipalArn is conditional on that key (not "never", as the account root's
// own ARN would make it), and the witness replays through simulate.
#[test]
fn external_account_identity_keys_are_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let gaad =
        r#"{"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}"#;
    std::fs::write(dir.path().join("gaad.json"), gaad).unwrap();
    let res = r#"[{"arn": "arn:aws:s3:::ext-bucket", "account": "123456789012", "type": "s3:bucket",
      "policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": "777777777777"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::ext-bucket/*",
        "Condition": {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::777777777777:role/Deployer"}}}]}}]"#;
    std::fs::write(dir.path().join("resources.json"), res).unwrap();
    let d = dir.path().to_string_lossy().into_owned();
    let (code, out, err) = iamlogic(&[
        "who-can",
        "-q",
        "-i",
        &d,
        "--resource",
        "arn:aws:s3:::ext-bucket",
        "--action",
        "s3:GetObject",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let r: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let root = "arn:aws:iam::777777777777:root";
    let a = action(&r, root, "s3:GetObject", "arn:aws:s3:::ext-bucket/*").expect("listed");
    assert_eq!(a["decision"], "conditional");
    assert_eq!(
        a["conditions"]["text"],
        "aws:PrincipalArn = arn:aws:iam::777777777777:role/Deployer"
    );
    let w = &a["witnesses"]["allowed"];
    let mut args = vec![
        "simulate".to_string(),
        "-q".into(),
        "-i".into(),
        d.clone(),
        "--principal".into(),
        root.into(),
        "--action".into(),
        "s3:GetObject".into(),
        "--resource".into(),
        "arn:aws:s3:::ext-bucket/*".into(),
    ];
    for (k, v) in w["context"].as_object().unwrap() {
        args.push("--context".into());
        args.push(format!("{k}={}", v.as_str().unwrap()));
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out, _) = iamlogic(&refs);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("allowed"), "{out}");
}

// Rules AWS applies beyond the policies (merged from the decisions work): nobody may change a
// service-linked role ("Using service-linked roles"), and sts:GetCallerIdentity needs no
// permission (AWS STS API Reference, "GetCallerIdentity").
#[test]
fn aws_rules_beyond_the_policies() {
    let slr = "arn:aws:iam::222222222222:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling";
    let r = who_can(
        slr,
        &[
            "--action",
            "iam:PutRolePolicy",
            "--action",
            "iam:GetRole",
            "--max-depth",
            "0",
        ],
    );
    let carol = "arn:aws:iam::222222222222:user/carol";
    assert!(action(&r, carol, "iam:GetRole", slr).is_some());
    assert!(
        r.iter().all(|p| p["actions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["action"] != "iam:PutRolePolicy")),
        "{r:?}"
    );
    let r = who_can(
        "*",
        &["--action", "sts:GetCallerIdentity", "--max-depth", "0"],
    );
    let dave = "arn:aws:iam::333333333333:user/dave";
    assert_eq!(
        action(&r, dave, "sts:GetCallerIdentity", "*").unwrap()["decision"],
        "allowed"
    );
}

// Amazon VPC, "Control access to VPC endpoints using endpoint policies": a request through a
// loaded endpoint is also decided by its policy, so whether the request goes through it is
// part of the answer; the denied witness goes through it and replays through simulate.
#[test]
fn vpc_endpoint_policies_make_access_conditional() {
    let dir = tempfile::tempdir().unwrap();
    let gaad = r#"{"UserDetailList": [{"Path": "/", "UserName": "u", "UserId": "AIDAEXAMPLEUSER00001",
      "Arn": "arn:aws:iam::123456789012:user/u", "GroupList": [], "AttachedManagedPolicies": [], "Tags": [],
      "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}}]}],
      "GroupDetailList": [], "RoleDetailList": [], "Policies": []}"#;
    std::fs::write(dir.path().join("gaad.json"), gaad).unwrap();
    let res = r#"[{"arn": "arn:aws:s3:::vpce-bucket", "account": "123456789012", "type": "s3:bucket"},
      {"type": "ec2:vpc-endpoint", "id": "vpce-0a1b2c3d4e5f67890", "vpcId": "vpc-0123abcd", "account": "123456789012",
       "policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
         "Action": "s3:ListBucket", "Resource": "*"}]}}]"#;
    std::fs::write(dir.path().join("resources.json"), res).unwrap();
    let d = dir.path().to_string_lossy().into_owned();
    let (code, out, err) = iamlogic(&[
        "who-can",
        "-q",
        "-i",
        &d,
        "--resource",
        "arn:aws:s3:::vpce-bucket",
        "--action",
        "s3:GetObject",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let r: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let u = "arn:aws:iam::123456789012:user/u";
    let a = action(&r, u, "s3:GetObject", "arn:aws:s3:::vpce-bucket/*").expect("listed");
    assert_eq!(a["decision"], "conditional");
    assert_eq!(
        a["conditions"]["text"],
        "unless aws:SourceVpce = vpce-0a1b2c3d4e5f67890"
    );
    let w = &a["witnesses"]["denied"];
    assert_eq!(w["context"]["aws:sourcevpce"], "vpce-0a1b2c3d4e5f67890");
    let (code, out, _) = iamlogic(&[
        "simulate",
        "-q",
        "-i",
        &d,
        "--principal",
        u,
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::vpce-bucket/*",
        "--context",
        "aws:SourceVpce=vpce-0a1b2c3d4e5f67890",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("implicitDeny"), "{out}");
    // Fixed to go through the endpoint: ListBucket stays allowed, GetObject is gone.
    let (_, out, _) = iamlogic(&[
        "who-can",
        "-q",
        "-i",
        &d,
        "--resource",
        "arn:aws:s3:::vpce-bucket",
        "--action",
        "s3:GetObject",
        "--action",
        "s3:ListBucket",
        "--format",
        "json",
        "--context",
        "aws:SourceVpce=vpce-0a1b2c3d4e5f67890",
    ]);
    let r: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(action(&r, u, "s3:GetObject", "arn:aws:s3:::vpce-bucket/*").is_none());
    assert_eq!(
        action(&r, u, "s3:ListBucket", "arn:aws:s3:::vpce-bucket").unwrap()["decision"],
        "allowed"
    );
}

// IAM User Guide, "IAM policy elements: Variables and tags": a variable in a Resource element
// is replaced by the request's value (`${aws:username}` by the caller's user name); a
// principal without that key (a role) matches nothing there.
#[test]
fn policy_variable_object_patterns_are_enumerated_per_principal_iam_policy_variables() {
    let r = who_can(
        "arn:aws:s3:::example-prod-data",
        &["--action", "s3:DeleteObject", "--max-depth", "0"],
    );
    let alice = "arn:aws:iam::222222222222:user/alice";
    let home = "arn:aws:s3:::example-prod-data/home/alice/*";
    let a = action(&r, alice, "s3:DeleteObject", home)
        .unwrap_or_else(|| panic!("alice's own prefix is listed: {r:?}"));
    let sids: Vec<&str> = a["via"][0]["reason"]["allowedBy"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["sid"].as_str())
        .collect();
    assert!(sids.contains(&"OwnHomePrefix"), "{a}");
    // Nobody else is given alice's prefix, and the variable pattern itself is never a
    // resource of the answer.
    for p in &r {
        for x in p["actions"].as_array().unwrap() {
            let res = x["resource"].as_str().unwrap();
            assert!(!res.contains("${"), "{res}");
            if res == home {
                assert_eq!(p["principal"], alice);
            }
        }
    }
    // The answer replays: alice may delete an object under her prefix, and not under
    // another user's.
    let ctx =
        serde_json::json!({"aws:SecureTransport": "true", "aws:RequestedRegion": "eu-west-1"});
    let decision = |res: &str| simulate(alice, "s3:DeleteObject", res, &ctx);
    assert_eq!(
        decision("arn:aws:s3:::example-prod-data/home/alice/notes.txt"),
        "allowed"
    );
    assert_ne!(
        decision("arn:aws:s3:::example-prod-data/home/bob/notes.txt"),
        "allowed"
    );
    assert_witnesses_replay(&r);
}

// Service Authorization Reference, "Actions, resources, and condition keys for Amazon S3":
// each action acts on its resource types only — ListBucket on `bucket`, GetObject and
// PutObject on `object`.
#[test]
fn what_can_lists_actions_on_their_resource_types_only_service_authorization_reference() {
    let ex = examples();
    for principal in [
        "arn:aws:iam::222222222222:user/alice",
        "arn:aws:iam::333333333333:user/erin",
    ] {
        let (code, out, err) = iamlogic(&[
            "what-can",
            "-q",
            "-i",
            &ex,
            "--principal",
            principal,
            "--service",
            "s3",
            "--include-chains",
            "--format",
            "json",
        ]);
        assert_eq!(code, 0, "{err}");
        let rows: Vec<Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let on = |a: &str| {
            rows.iter()
                .filter(|x| x["action"] == a)
                .map(|x| x["resource"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        };
        let (list, get) = (on("s3:ListBucket"), on("s3:GetObject"));
        assert!(!list.is_empty() && !get.is_empty(), "{principal}: {rows:?}");
        for r in &list {
            let name = r.strip_prefix("arn:aws:s3:::").unwrap();
            assert!(!name.contains('/'), "{principal}: s3:ListBucket on {r}");
        }
        for r in get.iter().chain(&on("s3:PutObject")) {
            let name = r.strip_prefix("arn:aws:s3:::").unwrap();
            assert!(name.contains('/'), "{principal}: object action on {r}");
        }
    }
}
