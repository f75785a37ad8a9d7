//! End-to-end tests of `iamlogic collect` against a local moto server (PyPI `moto[server]`,
//! installed by scripts/setup.sh): each test starts moto on a free port of 127.0.0.1, builds
//! an organization through the AWS API (tests/fixtures/collect/seed.py, boto3), runs
//! `iamlogic collect` against it, and checks decisions on the collected directory with
//! `iamlogic simulate`. Without moto the tests are skipped, except under CI (`CI=true`),
//! where they fail.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

mod support;
use support::{iamlogic, simulate_one, Run, TestCommand};

/// A moto server on 127.0.0.1, stopped when dropped.
struct Moto {
    child: Child,
    url: String,
    /// A temporary directory for the test's output, removed with the server.
    dir: tempfile::TempDir,
}

impl Moto {
    /// Start moto on a free port, or `None` (the test is skipped) when moto is missing.
    fn start() -> Option<Moto> {
        let have = Command::new("python3")
            .args(["-c", "import moto.server, boto3"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !have {
            assert!(
                std::env::var("CI").is_err(),
                "moto[server] is not installed: run scripts/setup.sh"
            );
            eprintln!("skipped: moto[server] is not installed (scripts/setup.sh installs it)");
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free local port");
        let child = Command::new("python3")
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto");
        let moto = Moto {
            child,
            url: format!("http://127.0.0.1:{port}"),
            dir: tempfile::tempdir().unwrap(),
        };
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "moto did not listen on port {port} within 60 s"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        Some(moto)
    }

    /// The environment that points the AWS SDKs at this server, with moto's dummy
    /// credentials and no shared config files (and [`UNSET`]: no profile, no session).
    fn aws_env(&self) -> [(&'static str, &str); 8] {
        [
            ("AWS_ENDPOINT_URL", &self.url),
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_DEFAULT_REGION", "us-east-1"),
            ("AWS_CONFIG_FILE", "/dev/null"),
            ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ]
    }

    /// Another program (`python3`, `script`) in the environment of [`Moto::aws_env`].
    fn command(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.envs(self.aws_env());
        for key in UNSET {
            c.env_remove(key);
        }
        c
    }

    /// `iamlogic` in the environment of [`Moto::aws_env`].
    fn iamlogic(&self) -> TestCommand {
        let mut c = TestCommand::new();
        for (key, value) in self.aws_env() {
            c.env(key, value);
        }
        for key in UNSET {
            c.env_remove(key);
        }
        c
    }

    /// Create the organization of seed.py; its JSON description.
    fn seed(&self) -> Value {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/collect/seed.py");
        let o = self
            .command("python3")
            .arg(script)
            .output()
            .expect("run seed.py");
        assert!(
            o.status.success(),
            "seed.py failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        serde_json::from_slice(&o.stdout).expect("seed.py prints JSON")
    }

    /// Run `iamlogic collect ARGS` against this server.
    fn collect(&self, args: &[&str]) -> Run {
        self.iamlogic().arg("collect").args(args).run()
    }

    /// Run `iamlogic collect --organization --role-name OrganizationAccountAccessRole
    /// --region us-east-1 EXTRA --out OUT` against this server.
    fn collect_organization(&self, out: &Path, extra: &[&str]) -> Run {
        let mut args = vec![
            "--organization",
            "--role-name",
            "OrganizationAccountAccessRole",
            "--region",
            "us-east-1",
        ];
        args.extend(extra);
        args.extend(["--out", out.to_str().unwrap()]);
        self.collect(&args)
    }
}

/// A moto server holding seed.py's organization, seed.py's JSON description of what it
/// created, the management account's id, and `name`, the directory to collect into (inside
/// a temporary directory that lives as long as the server); `None` (the test is skipped)
/// when moto is missing.
fn seeded(name: &str) -> Option<(Moto, Value, String, PathBuf)> {
    let moto = Moto::start()?;
    let seed = moto.seed();
    let management = s(&seed, "management");
    let out = moto.dir.path().join(name);
    Some((moto, seed, management, out))
}

/// Every account seed.py created: the management account, then the member accounts.
fn accounts(seed: &Value) -> Vec<String> {
    let mut all = vec![s(seed, "management")];
    all.extend(
        seed["accounts"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_str().unwrap().to_string()),
    );
    all
}

/// The variables removed from the environment of the programs run against moto.
const UNSET: [&str; 2] = ["AWS_PROFILE", "AWS_SESSION_TOKEN"];

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `iamlogic simulate -i DIR` of one request: its JSON result.
fn simulate(dir: &Path, principal: &str, action: &str, resource: &str) -> Value {
    simulate_with(dir, principal, action, resource, &[])
}

/// `iamlogic simulate -i DIR` of one request with more `--context KEY=VALUE`.
fn simulate_with(
    dir: &Path,
    principal: &str,
    action: &str,
    resource: &str,
    context: &[&str],
) -> Value {
    let mut extra = vec![
        "--resource",
        resource,
        "--context",
        "aws:RequestedRegion=us-east-1",
        "--format",
        "json",
    ];
    for c in context {
        extra.extend(["--context", c]);
    }
    let o = simulate_one(dir, principal, action, &extra);
    serde_json::from_str(o.stdout().trim()).unwrap_or_else(|e| panic!("{e}\n{o:?}"))
}

fn decision(dir: &Path, principal: &str, action: &str, resource: &str) -> String {
    simulate(dir, principal, action, resource)["decision"]
        .as_str()
        .unwrap()
        .to_string()
}

fn read_json(p: &Path) -> Value {
    let t = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&t).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn s(v: &Value, k: &str) -> String {
    v[k].as_str()
        .unwrap_or_else(|| panic!("{k} in {v}"))
        .to_string()
}

/// The operations moto 5.2 does not implement, which the collector must list as failed
/// (and nothing else may fail).
fn only_unimplemented_failures(o: &Run) {
    let out = o.stdout();
    for line in out.lines().filter(|l| l.starts_with("  ")) {
        assert!(
            line.contains("not implemented by the server"),
            "a call failed for another reason than moto lacking it: {line}\n{o:?}"
        );
    }
}

#[test]
fn collect_an_organization_of_five_accounts_through_assume_role_then_simulate() {
    let Some((moto, seed, management, out)) = seeded("estate") else {
        return;
    };
    let o = moto.collect_organization(&out, &[]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{o:?}");
    only_unimplemented_failures(&o);
    // Piped, no progress bar is drawn (the terminal test below has them).
    assert!(o.stderr.is_empty(), "{o:?}");
    let summary = o.stdout();

    let prod = s(&seed["accounts"], "prod");
    let all = accounts(&seed);
    assert_eq!(all.len(), 5);
    assert!(summary.contains("accounts collected"), "{summary}");

    // organization.json: five accounts, the SCP on the Prod OU.
    let org = read_json(&out.join("organization.json"));
    let ids: Vec<&str> = org["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    for a in &all {
        assert!(ids.contains(&a.as_str()), "{a} missing from {ids:?}");
        // One folder per account, each with its GAAD and S3 listing.
        assert!(
            out.join(a).join("gaad.json").is_file(),
            "{a}/gaad.json\n{summary}"
        );
        assert!(
            out.join(a)
                .join(format!("s3-list-buckets.{a}.json"))
                .is_file(),
            "{a}\n{summary}"
        );
        assert!(summary.contains(&format!("account {a} ")), "{summary}");
    }
    // The password policy and account summary of every account, read by the loader: prod's
    // policy as seed.py set it; the others have none (AWS answers NoSuchEntity, which is
    // "no password policy", not a failure: only_unimplemented_failures checked that).
    let model = facts::account::load(std::slice::from_ref(&out)).expect("the estate loads");
    for a in &all {
        let id = facts::account::AccountId::parse(a).unwrap();
        for f in [
            format!("iam-password-policy.{a}.json"),
            format!("iam-account-summary.{a}.json"),
        ] {
            assert!(out.join(a).join(&f).is_file(), "{a}/{f}\n{summary}");
        }
        let policy = &model.password_policies[&id];
        if *a == prod {
            let facts::account::PasswordPolicyState::Set(p) = policy else {
                panic!("prod has a password policy: {policy:?}");
            };
            assert_eq!(p.minimum_password_length, Some(14));
            assert!(p.require_symbols && !p.require_numbers);
            assert_eq!(p.max_password_age, Some(90));
            assert_eq!(p.password_reuse_prevention, Some(5));
        } else {
            assert_eq!(
                *policy,
                facts::account::PasswordPolicyState::NoPolicy,
                "{a}"
            );
        }
        // prod has carol; the summary counts her.
        let users = model.account_summaries[&id].get("Users");
        assert!(users.is_some(), "{a}: {:?}", model.account_summaries[&id]);
        if *a == prod {
            assert!(users >= Some(1), "{a}: {users:?}");
        }
    }
    let deny_scp = s(&seed, "denyScp");
    let scp = org["policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == deny_scp.as_str())
        .expect("the DenyDynamoDB SCP");
    let prod_ou = org["organizationalUnits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == "Prod")
        .unwrap();
    assert_eq!(scp["targets"], serde_json::json!([prod_ou["id"]]));

    // The data gives the decisions AWS would make.
    let data = s(&seed, "dataBucket");
    let public = s(&seed, "publicBucket");
    let reader = s(&seed, "reader");
    let object = format!("arn:aws:s3:::{data}/report.csv");
    // Cross-account: dev's Reader reads prod's bucket (identity policy in dev, bucket
    // policy in prod, both collected).
    assert_eq!(decision(&out, &reader, "s3:GetObject", &object), "allowed");
    // ... through prod's KMS key policy and SQS queue policy too.
    assert_eq!(
        decision(&out, &reader, "kms:Decrypt", &s(&seed, "keyArn")),
        "allowed"
    );
    assert_eq!(
        decision(&out, &reader, "sqs:SendMessage", &s(&seed, "queueArn")),
        "allowed"
    );
    // ... prod's SNS topic policy, secret policy and ECR repository policy.
    for (action, arn) in [
        ("sns:Publish", s(&seed, "topicArn")),
        ("secretsmanager:GetSecretValue", s(&seed, "secretArn")),
        ("ecr:BatchGetImage", s(&seed, "repositoryArn")),
    ] {
        assert_eq!(decision(&out, &reader, action, &arn), "allowed", "{action}");
    }
    // Without the resource policies (the management account's alice), the same requests
    // cross accounts with nothing allowing them.
    let alice = format!("arn:aws:iam::{management}:user/alice");
    assert_eq!(
        decision(&out, &alice, "sns:Publish", &s(&seed, "topicArn")),
        "implicitDeny"
    );
    // The Lambda function with its execution role.
    let lambda = read_json(&out.join(&prod).join("resources.lambda.us-east-1.json"));
    let f = &lambda.as_array().unwrap()[0];
    assert_eq!(f["arn"], seed["functionArn"], "{lambda}");
    assert!(
        f["role"].as_str().unwrap().ends_with(":role/resize-fn"),
        "{f}"
    );
    // The VPC endpoint's policy (only s3:ListBucket) applies to requests through it.
    let carol = format!("arn:aws:iam::{prod}:user/carol");
    let vpce = format!("aws:SourceVpce={}", s(&seed, "vpcEndpoint"));
    assert_eq!(decision(&out, &carol, "s3:GetObject", &object), "allowed");
    let through = simulate_with(&out, &carol, "s3:GetObject", &object, &[&vpce]);
    assert_eq!(through["decision"], "implicitDeny", "{through}");

    // who-can on the collected directory: dev's Reader reaches prod's bucket from the
    // second account; alice (management account) does not.
    let bucket = format!("arn:aws:s3:::{data}");
    let o = iamlogic(&[
        "who-can",
        "-q",
        "-i",
        out.to_str().unwrap(),
        "--resource",
        &bucket,
        "--action",
        "s3:GetObject",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let rows: Vec<Value> = o
        .stdout()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let row = |p: &str| rows.iter().find(|r| r["principal"] == p);
    let reader_row = row(&reader).unwrap_or_else(|| panic!("{reader} missing: {rows:?}"));
    // Allowed, unless the request comes through prod's VPC endpoint, whose collected policy
    // allows only s3:ListBucket.
    let get = reader_row["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["action"] == "s3:GetObject")
        .unwrap_or_else(|| panic!("{reader_row}"));
    assert_eq!(get["decision"], "conditional", "{get}");
    assert_eq!(
        get["conditions"]["text"],
        format!("unless aws:SourceVpce = {}", s(&seed, "vpcEndpoint")),
        "{get}"
    );
    assert_eq!(get["witnesses"]["allowed"]["decision"], "allowed", "{get}");
    assert!(row(&alice).is_none(), "{rows:?}");

    // The SCP on the Prod OU denies carol's DynamoDB write, though her policy allows it.
    let table = format!("arn:aws:dynamodb:us-east-1:{prod}:table/orders");
    let r = simulate(&out, &carol, "dynamodb:PutItem", &table);
    assert_eq!(r["decision"], "explicitDeny", "{r}");
    assert!(
        r["matched"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["layer"] == "scp" && m["policy"].as_str().unwrap().contains(&deny_scp)),
        "{r}"
    );
    // Block Public Access (RestrictPublicBuckets) voids the public bucket policy for
    // callers outside prod.
    let public_object = format!("arn:aws:s3:::{public}/index.html");
    assert_eq!(
        decision(&out, &reader, "s3:GetObject", &public_object),
        "implicitDeny"
    );
    // Management account: a group's managed policy and inline policy.
    // alice's group grants s3:GetObject, but prod's bucket policy names only dev's Reader.
    assert_eq!(
        decision(&out, &alice, "s3:GetObject", &object),
        "implicitDeny"
    );
    assert_eq!(
        decision(
            &out,
            &alice,
            "sqs:SendMessage",
            &format!("arn:aws:sqs:us-east-1:{management}:q")
        ),
        "allowed"
    );

    // --resume: every file is kept, nothing is written again.
    let again = moto.collect_organization(&out, &["--resume"]);
    let again_text = again.stdout();
    for a in &all {
        assert!(
            again_text.contains(&format!("account {a} (1 regions): 0 files written")),
            "{again:?}"
        );
    }
}

#[test]
fn collect_one_account_without_organization() {
    let Some((moto, _, management, out)) = seeded("one") else {
        return;
    };
    let o = moto.collect(&[
        "--region",
        "us-east-1",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{o:?}");
    only_unimplemented_failures(&o);
    // Only the caller's account; no organization.json.
    let entries: Vec<PathBuf> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(entries, vec![out.join(&management)], "{o:?}");
    let gaad = read_json(&out.join(&management).join("gaad.json"));
    let users: Vec<&str> = gaad["UserDetailList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["UserName"].as_str().unwrap())
        .collect();
    assert!(
        users.contains(&"alice") && users.contains(&"bob"),
        "{users:?}"
    );
    // moto 5.2 leaves users' PermissionsBoundary out of GetAccountAuthorizationDetails:
    // collect writes it as AWS returns it (unit test in collect/src/gaad.rs).
    // The credential report is the CSV IAM generates.
    let report =
        std::fs::read_to_string(out.join(&management).join("credential-report.csv")).unwrap();
    assert!(report.starts_with("user,arn,"), "{report}");
    // The boundary limits bob to S3; without an organization no SCP applies.
    let bob_arn = format!("arn:aws:iam::{management}:user/bob");
    assert_eq!(
        decision(&out, &bob_arn, "s3:GetObject", "arn:aws:s3:::b/x"),
        "allowed"
    );
}

/// On a terminal (a pseudo-terminal from util-linux `script`), each account gets a progress
/// bar on stderr; piped (every other test) there is none.
#[test]
fn a_progress_bar_per_account_on_a_terminal() {
    let have_script = Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !have_script {
        assert!(
            std::env::var("CI").is_err(),
            "util-linux `script` is missing"
        );
        eprintln!("skipped: util-linux `script` is missing");
        return;
    }
    let Some((moto, seed, _, out)) = seeded("tty") else {
        return;
    };
    let line = format!(
        "{} collect --organization --role-name OrganizationAccountAccessRole --region us-east-1 --out {}",
        env!("CARGO_BIN_EXE_iamlogic"),
        out.display()
    );
    let o = moto
        .command("script")
        .args(["-q", "-e", "-c", &line, "/dev/null"])
        .output()
        .expect("run script");
    let tty = String::from_utf8_lossy(&o.stdout);
    for a in &accounts(&seed) {
        // The bar: the account, then `[===...]` and its steps done of 13 (6 account-wide
        // steps: GAAD, credential report, password policy, account summary, S3 buckets, S3
        // account block; then 7 regional services in one region).
        let bar = tty
            .split(['\r', '\n'])
            .find(|l| l.contains(&format!("{a} [")))
            .unwrap_or_else(|| panic!("no bar for {a} in the terminal output:\n{tty}"));
        assert!(bar.contains("/13"), "{bar}");
    }
    assert!(tty.contains("accounts collected"), "{tty}");
}

/// An HTTP server on 127.0.0.1 that answers every request with `body` (a recorded AWS
/// answer, JSON), for an operation moto does not implement. Runs until the test ends.
fn recorded_answer(body: &'static str) -> String {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free local port");
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream);
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut request_body = vec![0; length];
            let _ = reader.read_exact(&mut request_body);
            let mut stream = reader.into_inner();
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

/// `aws account list-regions --region-opt-status-contains ENABLED ENABLED_BY_DEFAULT` as AWS
/// answers it (moto 5.2 does not implement account:ListRegions).
const LIST_REGIONS: &str = r#"{"Regions": [{"RegionName": "eu-west-1", "RegionOptStatus": "ENABLED_BY_DEFAULT"}, {"RegionName": "us-east-1", "RegionOptStatus": "ENABLED_BY_DEFAULT"}]}"#;

/// Without --region, the regions are the account's enabled ones (account:ListRegions); when
/// that call fails it is listed and the configured region is collected.
#[test]
fn regions_come_from_list_regions_and_its_failure_is_listed() {
    let Some((moto, _, management, out)) = seeded("fallback") else {
        return;
    };
    // moto lacks ListRegions: the failure is listed with account and operation, and the
    // configured region (us-east-1) is collected.
    let o = moto.collect(&["--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let summary = o.stdout();
    assert!(
        summary.contains(&format!(
            "  {management} global account:ListRegions enabled regions: not implemented by the server"
        )),
        "{o:?}"
    );
    assert!(
        summary.contains(&format!("account {management} (1 regions)")),
        "{summary}"
    );
    assert!(out
        .join(&management)
        .join("resources.kms.us-east-1.json")
        .is_file());

    // With AWS's recorded answer served for the Account API only (AWS_ENDPOINT_URL_ACCOUNT),
    // both enabled regions are collected and no call fails.
    let out = out.with_file_name("regions");
    let o = moto
        .iamlogic()
        .env("AWS_ENDPOINT_URL_ACCOUNT", recorded_answer(LIST_REGIONS))
        .args(["collect", "--out", out.to_str().unwrap()])
        .run();
    only_unimplemented_failures(&o);
    let summary = o.stdout();
    assert!(
        summary.contains(&format!("account {management} (2 regions)")),
        "{o:?}"
    );
    for region in ["eu-west-1", "us-east-1"] {
        for service in [
            "kms",
            "lambda",
            "sqs",
            "sns",
            "secretsmanager",
            "ecr",
            "vpc-endpoints",
        ] {
            let f = out
                .join(&management)
                .join(format!("resources.{service}.{region}.json"));
            assert!(f.is_file(), "{}\n{o:?}", f.display());
        }
    }
}

#[test]
fn another_account_without_role_name_is_an_error() {
    let Some(moto) = Moto::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let o = moto.collect(&[
        "--accounts",
        "111122223333",
        "--region",
        "us-east-1",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(o.stderr().contains("--role-name"), "{o:?}");
}

/// `aws lambda list-functions` and `aws lambda get-policy` as AWS answers them, in one JSON
/// body (each operation's reader skips the other's members), for the function `recorded-fn`
/// of `account`. moto 5.2 stores an `AddPermission` principal as a bare ARN string, which AWS
/// never returns (and the IAM grammar refuses), so the function policy is tested on AWS's
/// recorded shape instead (docs/collect.md, "What moto 5.2.1 lacks").
fn lambda_function_and_policy(account: &str) -> &'static str {
    let arn = format!("arn:aws:lambda:us-east-1:{account}:function:recorded-fn");
    let policy = json!({
        "Version": "2012-10-17",
        "Id": "default",
        "Statement": [{
            "Sid": "CrossAccountInvoke",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": "lambda:InvokeFunction",
            "Resource": arn,
        }],
    });
    let body = json!({
        "Functions": [{
            "FunctionName": "recorded-fn",
            "FunctionArn": arn,
            "Runtime": "python3.12",
            "Role": format!("arn:aws:iam::{account}:role/service-role/recorded-fn-role"),
            "Handler": "index.handler",
            "CodeSize": 299,
            "Description": "",
            "Timeout": 3,
            "MemorySize": 128,
            "LastModified": "2026-11-30T10:00:00.000+0000",
            "CodeSha256": "mV2c3Q0Vx1d1dQv4Cq1y7kq3n3Qn2m9b1gq8n2Q0q1A=",
            "Version": "$LATEST",
            "PackageType": "Zip",
            "Architectures": ["x86_64"],
        }],
        "Policy": policy.to_string(),
        "RevisionId": "4f1b2d9e-6c1a-4f5e-9d2b-1a2b3c4d5e6f",
    });
    Box::leak(body.to_string().into_boxed_str())
}

/// A function's resource policy (lambda:GetPolicy) is collected with the function's execution
/// role, loads, and answers who-can: the account the policy names may invoke the function.
#[test]
fn lambda_function_policy_is_collected_and_answers_who_can() {
    let Some((moto, _, management, out)) = seeded("lambda") else {
        return;
    };
    let o = moto
        .iamlogic()
        .env(
            "AWS_ENDPOINT_URL_LAMBDA",
            recorded_answer(lambda_function_and_policy(&management)),
        )
        .args(["collect", "--region", "us-east-1", "-q", "--out"])
        .arg(&out)
        .run();
    only_unimplemented_failures(&o);
    let lambda = read_json(
        &out.join(&management)
            .join("resources.lambda.us-east-1.json"),
    );
    let function = format!("arn:aws:lambda:us-east-1:{management}:function:recorded-fn");
    let f = lambda
        .as_array()
        .and_then(|a| a.iter().find(|f| f["arn"] == json!(function)))
        .unwrap_or_else(|| panic!("no {function} in {lambda}"));
    assert_eq!(
        f["role"],
        json!(format!(
            "arn:aws:iam::{management}:role/service-role/recorded-fn-role"
        )),
        "{f}"
    );
    assert!(
        f["policy"].to_string().contains("CrossAccountInvoke"),
        "{f}"
    );

    let who = iamlogic(&[
        "who-can",
        "-q",
        "-i",
        out.to_str().unwrap(),
        "--resource",
        &function,
        "--action",
        "lambda:InvokeFunction",
        "--format",
        "json",
    ]);
    assert_eq!(who.status.code(), Some(0), "{who:?}");
    // One JSON object per principal and line (docs/who-can.md).
    let stdout = who.stdout();
    let answers: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("who-can prints a JSON object per line"))
        .collect();
    let external = answers
        .iter()
        .find(|a| a["principal"] == "arn:aws:iam::111122223333:root")
        .unwrap_or_else(|| panic!("account 111122223333 not listed: {stdout}"));
    assert_eq!(external["kind"], "externalAccount", "{external}");
    assert_eq!(external["decision"], "allowed", "{external}");
}
