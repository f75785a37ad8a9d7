//! End-to-end decisions on the bundled example organization (`examples/`): management
//! account 111111111111, prod 222222222222 (OU Workloads/Prod), dev 333333333333 (OU
//! Workloads/Dev), with groups, a boundary, SCPs and RCPs, a bucket policy, two KMS keys, a
//! queue policy and cross-account roles. One test per rule of docs/evaluation-logic.md.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// `aws:RequestedRegion` is given everywhere so the example's region SCP does not interfere,
/// and `aws:SecureTransport` so the bucket's TLS-only statement does not.
const LIVE: [&str; 2] = [
    "aws:RequestedRegion=eu-west-1",
    "aws:SecureTransport:boolean=true",
];

fn simulate(principal: &str, action: &str, resource: &str, context: &[&str]) -> (String, Value) {
    let mut args: Vec<String> = vec![
        "simulate".into(),
        "-i".into(),
        examples().to_string_lossy().into_owned(),
        "--principal".into(),
        principal.into(),
        "--action".into(),
        action.into(),
        "--resource".into(),
        resource.into(),
        "--format".into(),
        "json".into(),
    ];
    for c in context {
        args.push("--context".into());
        args.push((*c).into());
    }
    let o: Output = Command::new(env!("CARGO_BIN_EXE_iamlogic"))
        .args(&args)
        .output()
        .expect("run iamlogic");
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let v: Value = serde_json::from_str(out.trim())
        .unwrap_or_else(|e| panic!("{e}: {out}\n{}", String::from_utf8_lossy(&o.stderr)));
    let decision = v["decision"].as_str().unwrap_or_default().to_string();
    let want = if decision == "allowed" { 0 } else { 1 };
    assert_eq!(o.status.code(), Some(want), "{o:?}");
    (decision, v)
}

fn decide(principal: &str, action: &str, resource: &str) -> String {
    simulate(principal, action, resource, &LIVE).0
}

const ALICE: &str = "arn:aws:iam::222222222222:user/alice";
const BOB: &str = "arn:aws:iam::222222222222:user/contractors/bob";
const CAROL: &str = "arn:aws:iam::222222222222:user/carol";
const DAVE: &str = "arn:aws:iam::333333333333:user/dave";
const OPS: &str = "arn:aws:iam::111111111111:user/ops";
const CI: &str = "arn:aws:iam::333333333333:role/CiRunner";
const DATA: &str = "arn:aws:s3:::example-prod-data";
const KEY1: &str = "arn:aws:kms:eu-west-1:222222222222:key/1111aaaa-1111-4aaa-8aaa-111111111111";
const KEY2: &str = "arn:aws:kms:eu-west-1:222222222222:key/2222bbbb-2222-4bbb-8bbb-222222222222";
const ORDERS: &str = "arn:aws:sqs:eu-west-1:222222222222:orders";

#[test]
fn identity_policies_through_groups() {
    // DENYALLOW: identity-based policies include those of the user's groups.
    assert_eq!(decide(CAROL, "iam:ListUsers", "*"), "allowed"); // Admins group
    assert_eq!(decide(ALICE, "sqs:SendMessage", ORDERS), "allowed"); // Developers inline
    assert_eq!(decide(ALICE, "iam:ListUsers", "*"), "implicitDeny");
}

#[test]
fn explicit_deny_in_a_root_scp_wins_over_admin() {
    // SCP at the root: NoAccountLeaves; DENYALLOW: an explicit deny overrides allows.
    let (d, v) = simulate(CAROL, "organizations:LeaveOrganization", "*", &LIVE);
    assert_eq!(d, "explicitDeny");
    assert_eq!(v["matched"][0]["layer"], "scp");
    assert_eq!(v["matched"][0]["sid"], "NoAccountLeaves");
}

#[test]
fn management_account_is_exempt_from_scps() {
    // SCP: "SCPs don't affect users or roles in the management account".
    assert_eq!(
        decide(OPS, "organizations:LeaveOrganization", "*"),
        "allowed"
    );
}

#[test]
fn scp_attached_to_one_account_denies_there_only() {
    // SCP NoDynamoDBInDev is attached to the dev account only.
    let table = "arn:aws:dynamodb:eu-west-1:333333333333:table/builds";
    assert_eq!(decide(CI, "dynamodb:PutItem", table), "explicitDeny");
    let session = "arn:aws:sts::333333333333:assumed-role/CiRunner/build-7";
    assert_eq!(decide(session, "dynamodb:PutItem", table), "explicitDeny");
}

#[test]
fn scp_region_guardrail_and_service_linked_role_exemption() {
    // SCP TwoRegionsOnly denies other regions; SCP docs: service-linked roles are exempt.
    let ctx = ["aws:RequestedRegion=ap-south-1"];
    assert_eq!(
        simulate(CAROL, "ec2:DescribeInstances", "*", &ctx).0,
        "explicitDeny"
    );
    let slr = "arn:aws:iam::222222222222:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling";
    assert_eq!(
        simulate(slr, "ec2:DescribeInstances", "*", &ctx).0,
        "allowed"
    );
}

#[test]
fn root_user_has_full_access_but_scps_apply() {
    let root = "arn:aws:iam::222222222222:root";
    assert_eq!(decide(root, "iam:ListUsers", "*"), "allowed");
    assert_eq!(
        decide(root, "organizations:LeaveOrganization", "*"),
        "explicitDeny"
    );
}

#[test]
fn boundary_limits_identity_policies() {
    // BOUNDARY: bob's DynamoDB full access is cut to what DevBoundary allows.
    let table = "arn:aws:dynamodb:eu-west-1:222222222222:table/orders";
    assert_eq!(decide(BOB, "dynamodb:GetItem", table), "allowed");
    let (d, v) = simulate(BOB, "dynamodb:DeleteTable", table, &LIVE);
    assert_eq!(d, "implicitDeny");
    assert_eq!(v["missing"], serde_json::json!(["boundary"]));
}

#[test]
fn bucket_policy_grant_to_user_arn_is_not_limited_by_boundary() {
    // DENYALLOW: same account, a resource-based policy naming the IAM user ARN is not
    // limited by an implicit deny in the boundary (DevBoundary lacks s3:PutObjectTagging).
    assert_eq!(
        decide(BOB, "s3:PutObjectTagging", &format!("{DATA}/reports/a.csv")),
        "allowed"
    );
}

#[test]
fn same_account_identity_policy_alone_allows() {
    // SINGLE: the identity policy suffices within the account (no bucket statement names
    // alice for the shared prefix).
    assert_eq!(
        decide(ALICE, "s3:PutObject", &format!("{DATA}/shared/x.csv")),
        "allowed"
    );
}

#[test]
fn cross_account_needs_bucket_policy_and_identity_policy() {
    // CROSS: dave (dev) is allowed by his identity policy, but the bucket names only the
    // CiRunner role of his account.
    let (d, v) = simulate(DAVE, "s3:GetObject", &format!("{DATA}/a.csv"), &LIVE);
    assert_eq!(d, "implicitDeny");
    assert_eq!(v["missing"], serde_json::json!(["resource"]));
    assert_eq!(
        decide(CI, "s3:GetObject", &format!("{DATA}/a.csv")),
        "allowed"
    );
    let session = "arn:aws:sts::333333333333:assumed-role/CiRunner/build-7";
    assert_eq!(
        decide(session, "s3:GetObject", &format!("{DATA}/a.csv")),
        "allowed"
    );
}

#[test]
fn kms_key_policy_must_trust_the_account_or_name_the_caller() {
    // KMS: key 1 has the default key policy (trusts the account): identity policies count.
    assert_eq!(decide(ALICE, "kms:Decrypt", KEY1), "allowed");
    assert_eq!(decide(BOB, "kms:Decrypt", KEY1), "implicitDeny");
    // Key 2's policy names only AppRole and carol: alice's identity allow is not enough.
    let (d, v) = simulate(ALICE, "kms:Decrypt", KEY2, &LIVE);
    assert_eq!(d, "implicitDeny");
    assert_eq!(v["missing"], serde_json::json!(["resource"]));
    let app = "arn:aws:sts::222222222222:assumed-role/AppRole/i-0abc";
    assert_eq!(decide(app, "kms:Decrypt", KEY2), "allowed");
    assert_eq!(decide(CAROL, "kms:DescribeKey", KEY2), "allowed");
}

#[test]
fn trust_policies_decide_assume_role() {
    // TRUST: the trust policy names alice; CROSS: CiRunner (dev) needs its identity allow
    // too, which HopIntoProdAudit gives; dave is not trusted.
    let deploy = "arn:aws:iam::222222222222:role/DeployRole";
    let audit = "arn:aws:iam::222222222222:role/AuditReader";
    assert_eq!(decide(ALICE, "sts:AssumeRole", deploy), "allowed");
    assert_eq!(decide(BOB, "sts:AssumeRole", deploy), "implicitDeny");
    assert_eq!(decide(CI, "sts:AssumeRole", audit), "allowed");
    assert_eq!(decide(DAVE, "sts:AssumeRole", audit), "implicitDeny");
    assert_eq!(
        decide(
            "arn:aws:iam::111111111111:role/OrgAdmin",
            "sts:AssumeRole",
            "arn:aws:iam::222222222222:role/OrgAdmin"
        ),
        "allowed"
    );
}

#[test]
fn anonymous_reads_public_site_but_rcp_guards_prod_bucket() {
    // PRINCIPAL: only "Principal": "*" reaches an anonymous caller. RCP at the root denies
    // S3 to callers outside the organization in member accounts; the management account's
    // resources are exempt from RCPs.
    assert_eq!(
        decide(
            "*",
            "s3:GetObject",
            "arn:aws:s3:::example-public-site/index.html"
        ),
        "allowed"
    );
    let (d, v) = simulate("*", "s3:GetObject", &format!("{DATA}/public/a.txt"), &LIVE);
    assert_eq!(d, "explicitDeny");
    assert_eq!(v["matched"][0]["layer"], "rcp");
    assert_eq!(
        decide("*", "s3:GetObject", &format!("{DATA}/a.txt")),
        "explicitDeny"
    );
    assert_eq!(
        decide(
            "*",
            "s3:PutObject",
            "arn:aws:s3:::example-public-site/index.html"
        ),
        "implicitDeny"
    );
}

#[test]
fn block_public_access_makes_the_legacy_site_private_again() {
    // Amazon S3 User Guide, "Blocking public access to your Amazon S3 storage":
    // RestrictPublicBuckets limits a public bucket policy to AWS service principals and
    // principals of the bucket owner's account (here the management account).
    let site = "arn:aws:s3:::example-legacy-site/index.html";
    let (d, v) = simulate("*", "s3:GetObject", site, &[]);
    assert_eq!(d, "implicitDeny");
    assert_eq!(v["restricted"][0]["sid"], "PublicRead", "{v}");
    // carol's AdministratorAccess allows, but the bucket policy no longer grants across
    // accounts; the same policy without the setting (example-public-site) still does.
    assert_eq!(decide(CAROL, "s3:GetObject", site), "implicitDeny");
    assert_eq!(
        decide(
            CAROL,
            "s3:GetObject",
            "arn:aws:s3:::example-public-site/index.html"
        ),
        "allowed"
    );
    assert_eq!(decide(OPS, "s3:GetObject", site), "allowed");
}

#[test]
fn service_principal_through_queue_policy() {
    // PRINCIPAL: the queue policy names sns.amazonaws.com with an aws:SourceArn condition.
    let mut ctx = LIVE.to_vec();
    ctx.push("aws:SourceArn=arn:aws:sns:eu-west-1:222222222222:order-events");
    assert_eq!(
        simulate("sns.amazonaws.com", "sqs:SendMessage", ORDERS, &ctx).0,
        "allowed"
    );
    assert_eq!(
        decide("sns.amazonaws.com", "sqs:SendMessage", ORDERS),
        "implicitDeny"
    );
}

#[test]
fn not_principal_deny_spares_only_the_break_glass_principals() {
    // NotPrincipal: the Deny applies to everyone the element does not name. The break-glass
    // session is named with its role and account, so it is spared.
    let glass = "arn:aws:sts::222222222222:assumed-role/OrgAdmin/break-glass";
    assert_eq!(decide(glass, "s3:PutBucketPolicy", DATA), "allowed");
    // NotPrincipal page: AWS checks the account, then the user (or role, then session), so
    // listing the account root ARN does not spare the account's other users: carol, an
    // admin of the account, and bob are denied.
    assert_eq!(decide(CAROL, "s3:PutBucketPolicy", DATA), "explicitDeny");
    assert_eq!(decide(BOB, "s3:PutBucketPolicy", DATA), "explicitDeny");
}

#[test]
fn requests_file_gives_one_line_per_request_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let reqs = dir.path().join("requests.jsonl");
    let ctx = r#""context": {"aws:RequestedRegion": "eu-west-1"}"#;
    std::fs::write(
        &reqs,
        format!(
            "{{\"principal\": \"{CAROL}\", \"action\": \"iam:ListUsers\", {ctx}}}\n\
             {{\"principal\": \"{ALICE}\", \"action\": \"iam:ListUsers\", {ctx}}}\n\
             {{\"principal\": \"{ALICE}\", \"action\": \"kms:Decrypt\", \"resource\": \"{KEY1}\", {ctx}}}\n"
        ),
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_iamlogic"))
        .args(["simulate", "-i"])
        .arg(examples())
        .arg("--requests")
        .arg(&reqs)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let got: Vec<String> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["decision"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(got, ["allowed", "implicitDeny", "allowed"]);
}

#[test]
fn facts_command_writes_tables_and_schema() {
    let dir = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_iamlogic"))
        .args(["facts", "-i"])
        .arg(examples())
        .arg("--out")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let members = std::fs::read_to_string(dir.path().join("member_of.facts")).unwrap();
    assert!(members.lines().any(
        |l| l == "arn:aws:iam::222222222222:user/carol\tarn:aws:iam::222222222222:group/Admins"
    ));
    // Issue 4: each .facts file names its columns in a header line, which Soufflé's file
    // reader skips with `headers=true`.
    assert_eq!(members.lines().next(), Some("user\tgroup"));
    let schema = std::fs::read_to_string(dir.path().join("schema.dl")).unwrap();
    assert!(schema.contains(".decl member_of(user: symbol, group: symbol)"));
    assert!(schema.contains("// member_of(user, group)"));
    assert!(
        schema.contains(".input member_of(IO=file, filename=\"member_of.facts\", headers=true)")
    );
    // Statement principals and conditions have tables too.
    let principals = std::fs::read_to_string(dir.path().join("statement_principal.facts")).unwrap();
    assert_eq!(
        principals.lines().next(),
        Some("statement\ttype\tvalue\tnegated")
    );
    assert!(
        principals.lines().any(|l| l.ends_with("\t1")),
        "NotPrincipal rows: {principals}"
    );
    let conditions = std::fs::read_to_string(dir.path().join("statement_condition.facts")).unwrap();
    assert!(
        conditions
            .lines()
            .any(|l| l.contains("\taws:RequestedRegion\t")),
        "{conditions}"
    );
    let levels = std::fs::read_to_string(dir.path().join("scp_level.facts")).unwrap();
    // Prod's path: root, Workloads, Prod, the account itself.
    let prod: Vec<&str> = levels
        .lines()
        .filter(|l| l.starts_with("account:222222222222\t"))
        .collect();
    assert_eq!(prod.len(), 4, "{levels}");
}

#[test]
fn role_chains_close_assume_role_decisions_transitively() {
    // "Methods to assume a role", role chaining: a role session can assume another role.
    let sim = queries::simulate::AccountSimulator::load(&[examples()]).unwrap();
    let mut ctx = facts::request::Context::new();
    ctx.insert(
        "aws:RequestedRegion",
        facts::request::ContextValue::Single("eu-west-1".into()),
    );
    let chains = sim.role_chains(&ctx).unwrap();
    let has = |a: &str, b: &str| chains.iter().any(|(x, y)| x == a && y == b);
    let org_admin = |acct: &str| format!("arn:aws:iam::{acct}:role/OrgAdmin");
    assert!(has(ALICE, "arn:aws:iam::222222222222:role/DeployRole"));
    assert!(has(CI, "arn:aws:iam::222222222222:role/AuditReader"));
    assert!(has(OPS, &org_admin("111111111111")));
    // ops → OrgAdmin (management) → OrgAdmin (prod, dev): only through the chain.
    assert!(has(OPS, &org_admin("222222222222")));
    assert!(has(OPS, &org_admin("333333333333")));
    assert!(!has(BOB, "arn:aws:iam::222222222222:role/DeployRole"));
    assert!(!has(DAVE, "arn:aws:iam::222222222222:role/AuditReader"));
}

#[test]
fn bad_requests_exit_2_naming_where() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_iamlogic"))
            .args(["simulate", "-i"])
            .arg(examples())
            .args(args)
            .output()
            .unwrap()
    };
    let o = run(&["--principal", "not-a-principal", "--action", "s3:GetObject"]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("`not-a-principal` is not a principal"));
    let o = run(&[
        "--principal",
        ALICE,
        "--action",
        "s3:GetObject",
        "--context",
        "aws:MultiFactorAuthPresent=yes",
    ]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let dir = tempfile::tempdir().unwrap();
    let reqs = dir.path().join("r.jsonl");
    std::fs::write(
        &reqs,
        format!("{{\"principal\": \"{ALICE}\", \"action\": \"s3:GetObject\"}}\n{{\"principal\": \"{ALICE}\", \"acton\": \"x\"}}\n"),
    )
    .unwrap();
    let o = run(&["--requests", reqs.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("r.jsonl") && err.contains("line 2") && err.contains("acton"),
        "{err}"
    );
}

#[test]
fn request_inputs_are_validated_alike_in_every_mode() {
    // The same checks for flags, `--requests` lines and scenarios: a context value of the
    // wrong type for its catalogue type (aws:SourceIp is an IpAddress key in the Service
    // Authorization Reference), a resource that is not an ARN, an action without a service
    // prefix, an account id that is not 12 digits, an IAM ARN whose account is not 12 digits.
    let iam = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_iamlogic"))
            .args(args)
            .output()
            .unwrap()
    };
    let ex = examples();
    let ex = ex.to_str().unwrap();
    let flags = |extra: &[&str]| {
        let mut a = vec!["simulate", "-i", ex, "--principal", ALICE];
        if !extra.contains(&"--action") {
            a.extend_from_slice(&["--action", "s3:GetObject"]);
        }
        a.extend_from_slice(extra);
        iam(&a)
    };
    for (extra, needle) in [
        (&["--resource", "notarn"][..], "--resource: `notarn`"),
        (&["--action", "nocolon"][..], "--action: `nocolon`"),
        (
            &["--resource-account", "12ab"][..],
            "--resource-account: `12ab`",
        ),
        (&["--context", "aws:SourceIp=notanip"][..], "`notanip`"),
        (
            &["--context", "aws:RequestedRegion:frob=x"][..],
            "unknown type `frob`",
        ),
    ] {
        let o = flags(extra);
        assert_eq!(o.status.code(), Some(2), "{extra:?} {o:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(needle), "{extra:?}: {err}");
    }

    let dir = tempfile::tempdir().unwrap();
    let reqs = dir.path().join("r.jsonl");
    let line_ok = format!("{{\"principal\": \"{ALICE}\", \"action\": \"s3:GetObject\"}}");
    for (bad, needle) in [
        (
            format!("{{\"principal\": \"{ALICE}\", \"action\": \"s3:GetObject\", \"context\": {{\"aws:SourceIp\": \"notanip\"}}}}"),
            "line 2.context.aws:sourceip",
        ),
        (
            format!("{{\"principal\": \"{ALICE}\", \"action\": \"s3:GetObject\", \"resource\": \"arn:aws\"}}"),
            "line 2.resource",
        ),
        (
            "{\"principal\": \"arn:aws:iam::1:user/x\", \"action\": \"s3:GetObject\"}".to_string(),
            "line 2.principal",
        ),
        (
            format!("{{\"principal\": \"{ALICE}\", \"action\": \"s3:GetObject\", \"resourceAccount\": \"12\"}}"),
            "line 2.resourceAccount",
        ),
    ] {
        std::fs::write(&reqs, format!("{line_ok}\n{bad}\n")).unwrap();
        let o = iam(&["simulate", "-i", ex, "--requests", reqs.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{bad} {o:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("r.jsonl") && err.contains(needle), "{bad}: {err}");

        // The same request as a scenario is rejected the same way.
        let sc = dir.path().join("s.jsonl");
        std::fs::write(&sc, format!("{line_ok}\n{bad}\n")).unwrap();
        let o = iam(&["simulate", "--scenario", sc.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{bad} {o:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("s.jsonl") && err.contains(needle), "{bad}: {err}");
    }
}

#[test]
fn facts_with_a_tab_in_a_value_fail_before_writing_anything() {
    // Soufflé's .facts rows are tab-separated with no escapes: a tag value holding a tab
    // cannot be written, and the command stops before any file is written.
    let dir = tempfile::tempdir().unwrap();
    let gaad = dir.path().join("gaad.json");
    std::fs::write(
        &gaad,
        r#"{"UserDetailList": [{"UserName": "x", "UserId": "AIDAEXAMPLEEXAMPLE01", "Path": "/",
            "Arn": "arn:aws:iam::111111111111:user/x", "Tags": [{"Key": "k", "Value": "a\tb"}]}],
            "GroupDetailList": [], "RoleDetailList": [], "Policies": []}"#,
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_iamlogic"))
        .args(["facts", "-q", "-i"])
        .arg(&gaad)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("table `tag`") && err.contains("tab"), "{err}");
    assert!(!out.exists(), "partial output left in {}", out.display());
}

#[test]
fn unknown_principal_of_a_loaded_account_is_warned_about() {
    // A caller the data does not describe gets no identity-based policies: say so on
    // stderr instead of silently deciding it without any. Sessions of known roles and
    // principals of accounts the data does not hold are not warned about.
    let run = |principal: &str| {
        let o = Command::new(env!("CARGO_BIN_EXE_iamlogic"))
            .args(["simulate", "-i"])
            .arg(examples())
            .args(["--principal", principal, "--action", "iam:ListUsers"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    let nobody = "arn:aws:iam::222222222222:user/nobody";
    let err = run(nobody);
    assert!(
        err.contains(&format!("principal `{nobody}` is not in the loaded data")),
        "{err}"
    );
    let ghost = "arn:aws:sts::222222222222:assumed-role/NoSuchRole/s";
    assert!(run(ghost).contains("session of a role that is not in the loaded data"));
    for quiet in [
        "arn:aws:sts::333333333333:assumed-role/CiRunner/build-7",
        "arn:aws:iam::999999999999:user/outsider",
        ALICE,
    ] {
        let err = run(quiet);
        assert!(!err.contains("principal `"), "{quiet}: {err}");
    }
}
