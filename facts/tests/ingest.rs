//! Account ingest: GAAD corpus counts, every resource-policy output format, the example
//! organization, the credential report, context filling, and error cases.

use std::path::{Path, PathBuf};

use facts::account::{
    self, context, AccountId, IngestError, Model, OrgNode, OrgPolicyKind, PolicyOwner,
    ResourceType, WarningKind,
};
use facts::corpus::corpus_path;
use facts::request::{Context, ContextValue, Request, RequestPrincipal};
use serde_json::{json, Value};

fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

fn load_examples() -> Model {
    match account::load(&[examples_dir()]) {
        Ok(m) => m,
        Err(e) => panic!("examples must load: {e}"),
    }
}

fn load_one(path: &Path) -> Result<Model, IngestError> {
    account::load(&[path.to_path_buf()])
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Counts of a GAAD file computed independently of the loader: distinct ARNs per list, and
/// managed policies that have a default version.
fn gaad_counts(v: &Value) -> (usize, usize, usize, usize) {
    let distinct = |key: &str| {
        let mut arns: Vec<&str> = v[key]
            .as_array()
            .map(|a| a.iter().filter_map(|x| x["Arn"].as_str()).collect())
            .unwrap_or_default();
        arns.sort();
        arns.dedup();
        arns.len()
    };
    let mut policies: Vec<&str> = v["Policies"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|p| {
                    p["PolicyVersionList"].as_array().is_some_and(|vs| {
                        vs.iter().any(|ver| ver["IsDefaultVersion"] == json!(true))
                    })
                })
                .filter_map(|p| p["Arn"].as_str())
                .collect()
        })
        .unwrap_or_default();
    policies.sort();
    policies.dedup();
    (
        distinct("UserDetailList"),
        distinct("GroupDetailList"),
        distinct("RoleDetailList"),
        policies.len(),
    )
}

fn model_counts(m: &Model) -> (usize, usize, usize, usize) {
    (
        m.users.len(),
        m.groups.len(),
        m.roles.len(),
        m.policies.values().filter(|p| !p.from_snapshot).count(),
    )
}

const GAAD_FILES: [&str; 6] = [
    "gaad/examples/files/example.json",
    "gaad/test/files/example-authz-details.json",
    "gaad/test/files/example_authz_details_for_overrides.json",
    "gaad/test/files/example_authz_details_for_overrides_complete.json",
    "gaad/test/files/example_authz_v2.json",
    "gaad/test/files/managed_policy_mismatch.json",
];

#[test]
fn the_six_gaad_corpus_files_load_and_their_counts_match_the_files() {
    for rel in GAAD_FILES {
        let Some(path) = corpus_path(rel) else { return };
        let model = load_one(&path).unwrap_or_else(|e| panic!("{rel} must load: {e}"));
        let expected = gaad_counts(&read_json(&path));
        assert_eq!(
            model_counts(&model),
            expected,
            "{rel}: users, groups, roles, policies"
        );
        // Every entity's account comes from its ARN.
        for u in model.users.values() {
            assert!(u.arn.contains(&format!(":{}:", u.account)), "{}", u.arn);
        }
    }
}

#[test]
fn the_big_gaad_example_has_the_counts_its_source_states() {
    // gaad/SOURCE.txt: "examples/files/example.json (44 users, 5 groups, 78 roles, 84 policies)".
    let Some(path) = corpus_path(GAAD_FILES[0]) else {
        return;
    };
    let model = load_one(&path).unwrap();
    assert_eq!(model_counts(&model), (44, 5, 78, 84));
    // The accounts are those named in the entities' ARNs, computed here independently.
    let v = read_json(&path);
    let mut expected: Vec<String> = [
        "UserDetailList",
        "GroupDetailList",
        "RoleDetailList",
        "Policies",
    ]
    .iter()
    .flat_map(|k| v[*k].as_array().cloned().unwrap_or_default())
    .filter_map(|e| {
        e["Arn"]
            .as_str()
            .and_then(|a| a.split(':').nth(4))
            .map(str::to_string)
    })
    .filter(|a| a.len() == 12)
    .collect();
    expected.sort();
    expected.dedup();
    let got: Vec<String> = model.accounts.iter().map(|a| a.0.clone()).collect();
    assert_eq!(got, expected);
    assert!(got.contains(&"200611803367".to_string()));
}

#[test]
fn paginated_gaad_pages_merge_into_the_same_model_as_one_file() {
    let Some(path) = corpus_path(GAAD_FILES[0]) else {
        return;
    };
    let whole = read_json(&path);
    let dir = tempfile::tempdir().unwrap();
    // Page 1 holds the users, page 2 the groups they belong to, roles and policies: group
    // memberships must resolve across pages.
    let page1 =
        json!({"UserDetailList": whole["UserDetailList"], "IsTruncated": true, "Marker": "m"});
    let page2 = json!({
        "GroupDetailList": whole["GroupDetailList"],
        "RoleDetailList": whole["RoleDetailList"],
        "Policies": whole["Policies"],
        "IsTruncated": false
    });
    write(dir.path(), "page1.json", &page1.to_string());
    write(dir.path(), "page2.json", &page2.to_string());
    let paged = load_one(dir.path()).unwrap();
    let single = load_one(&path).unwrap();
    assert_eq!(model_counts(&paged), model_counts(&single));
    for (arn, u) in &single.users {
        assert_eq!(paged.users[arn].groups, u.groups, "{arn}");
    }
    let unresolved = |m: &Model| {
        m.warnings
            .iter()
            .filter(|w| matches!(w.kind, WarningKind::UnresolvedGroup { .. }))
            .count()
    };
    assert_eq!(unresolved(&paged), unresolved(&single));
}

/// RFC 3986 percent-encoding of everything but unreserved characters, as the IAM API
/// returns policy documents.
fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn gaad_documents_given_as_url_encoded_or_json_strings_parse_like_objects() {
    let Some(path) = corpus_path(GAAD_FILES[1]) else {
        return;
    };
    let mut v = read_json(&path);
    for role in v["RoleDetailList"].as_array_mut().unwrap() {
        let doc = role["AssumeRolePolicyDocument"].to_string();
        role["AssumeRolePolicyDocument"] = json!(url_encode(&doc));
        for p in role["RolePolicyList"].as_array_mut().unwrap() {
            let doc = p["PolicyDocument"].to_string();
            p["PolicyDocument"] = json!(doc);
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let encoded = write(dir.path(), "gaad.json", &v.to_string());
    let plain = load_one(&path).unwrap();
    let decoded = load_one(&encoded).unwrap();
    assert!(!plain.roles.is_empty());
    for (arn, r) in &plain.roles {
        let d = &decoded.roles[arn];
        assert_eq!(
            d.trust_policy.as_ref().map(|t| &t.document),
            r.trust_policy.as_ref().map(|t| &t.document)
        );
        let docs = |x: &account::Role| {
            x.inline_policies
                .iter()
                .map(|p| p.document.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(docs(d), docs(r));
    }
}

// ---- the example organization ----

#[test]
fn the_example_organization_loads_with_every_account_principal_and_resource() {
    let m = load_examples();
    let accounts: Vec<&str> = m.accounts.iter().map(AccountId::as_str).collect();
    assert_eq!(accounts, ["111111111111", "222222222222", "333333333333"]);
    // gaad-chains.json (who-can's role chains) adds user erin and five roles;
    // management/resources.json the bucket example-audit-logs; escalation adds user frank
    // and the role BuildAdmin.
    assert_eq!(m.users.len(), 8);
    assert_eq!(m.groups.len(), 3);
    assert_eq!(m.roles.len(), 14);
    assert_eq!(m.resources.len(), 7);
    assert_eq!(m.credential_report.len(), 5);
    // README.md and requests.jsonl are not account data; the only warnings are the documented
    // unresolved policy and the snapshot notes.
    for w in &m.warnings {
        assert!(
            matches!(
                &w.kind,
                WarningKind::FromSnapshot { .. } | WarningKind::UnresolvedPolicy { .. }
            ),
            "{w}"
        );
    }

    // GroupList names resolve across the two pages of the prod GAAD.
    let alice = &m.users["arn:aws:iam::222222222222:user/alice"];
    assert_eq!(alice.groups, ["arn:aws:iam::222222222222:group/Developers"]);
    let carol = &m.users["arn:aws:iam::222222222222:user/carol"];
    assert_eq!(carol.groups, ["arn:aws:iam::222222222222:group/Admins"]);
    assert_eq!(alice.tags.get("team").map(String::as_str), Some("data"));

    let bob = &m.users["arn:aws:iam::222222222222:user/contractors/bob"];
    assert_eq!(
        bob.permissions_boundary.as_ref().map(|b| b.arn.as_str()),
        Some("arn:aws:iam::222222222222:policy/DevBoundary")
    );
    assert_eq!(bob.path, "/contractors/");

    // The service-linked role is recognised by its path.
    let slr: Vec<&str> = m
        .roles
        .values()
        .filter(|r| r.service_linked)
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(slr, ["AWSServiceRoleForAutoScaling"]);
    let app = &m.roles["arn:aws:iam::222222222222:role/app/AppRole"];
    assert_eq!(app.instance_profiles.len(), 1);
    assert_eq!(
        app.last_used.as_ref().and_then(|l| l.region.as_deref()),
        Some("eu-west-1")
    );
    assert!(app.trust_policy.is_some());
}

#[test]
fn the_default_version_of_a_managed_policy_is_the_effective_document() {
    let m = load_examples();
    let p = &m.policies["arn:aws:iam::222222222222:policy/ReadOnlyLogs"];
    assert_eq!(p.default_version.as_deref(), Some("v2"));
    assert_eq!(p.owner, PolicyOwner::Customer);
    // v1 allowed logs:*, v2 (the default) only reads.
    let actions = format!("{:?}", p.document.statements[0].action);
    assert!(actions.contains("logs:Get*") && !actions.contains("\"logs:*\""));
}

#[test]
fn attached_aws_managed_policies_missing_from_the_input_come_from_the_snapshot() {
    let m = load_examples();
    for arn in [
        "arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess",
        "arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess",
        "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
        "arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy",
    ] {
        let p = m
            .policies
            .get(arn)
            .unwrap_or_else(|| panic!("{arn} resolved"));
        assert!(p.from_snapshot, "{arn}");
        assert_eq!(p.owner, PolicyOwner::AwsManaged);
        assert!(!p.document.statements.is_empty());
        let w = m
            .warnings
            .iter()
            .find(|w| w.kind == WarningKind::FromSnapshot { arn: arn.into() })
            .expect("a note says the snapshot was used");
        assert_eq!(w.kind.severity(), account::Severity::Note);
    }
    // AdministratorAccess is in the input (management and prod GAAD): not from the snapshot.
    assert!(!m.policies["arn:aws:iam::aws:policy/AdministratorAccess"].from_snapshot);
}

#[test]
fn an_unresolvable_attachment_is_a_warning_naming_the_policy_and_where_it_is_attached() {
    let m = load_examples();
    let w: Vec<_> = m
        .warnings
        .iter()
        .filter(|w| matches!(w.kind, WarningKind::UnresolvedPolicy { .. }))
        .collect();
    assert_eq!(w.len(), 1, "{w:?}");
    let text = w[0].to_string();
    assert!(
        text.contains("arn:aws:iam::222222222222:policy/LegacyDeletedPolicy"),
        "{text}"
    );
    assert!(text.contains("gaad-page1.json"), "{text}");
    assert!(
        text.contains("$.UserDetailList[3].AttachedManagedPolicies[0]"),
        "{text}"
    );
    // The attachment itself is kept on the user, never dropped.
    let mallory = &m.users["arn:aws:iam::222222222222:user/mallory"];
    assert_eq!(mallory.attached_policies.len(), 1);
}

#[test]
fn the_example_organization_tree_and_policies_are_read() {
    let m = load_examples();
    let org = &m.organizations[0];
    assert_eq!(org.id, "o-a1b2c3d4e5");
    assert_eq!(org.management_account.as_str(), "111111111111");
    let prod = AccountId("222222222222".into());
    assert_eq!(
        org.path_to(&prod).unwrap(),
        vec![
            OrgNode::Root("r-ex01".into()),
            OrgNode::Unit("ou-ex01-workload".into()),
            OrgNode::Unit("ou-ex01-prod0001".into()),
            OrgNode::Account(prod.clone()),
        ]
    );
    assert_eq!(
        org.org_path(&prod).unwrap(),
        "o-a1b2c3d4e5/r-ex01/ou-ex01-workload/ou-ex01-prod0001/"
    );
    let root = OrgNode::Root("r-ex01".into());
    let mut scps: Vec<&str> = org
        .policies_at(&root, OrgPolicyKind::Scp)
        .map(|p| p.name.as_str())
        .collect();
    scps.sort();
    assert_eq!(scps, ["DenyLeavingTheOrganization", "FullAWSAccess"]);
    let rcps: Vec<&str> = org
        .policies_at(&root, OrgPolicyKind::Rcp)
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(
        rcps,
        ["RCPFullAWSAccess", "S3OnlyFromInsideTheOrganization"]
    );
    let dev = OrgNode::Account(AccountId("333333333333".into()));
    let dev_scps: Vec<&str> = org
        .policies_at(&dev, OrgPolicyKind::Scp)
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(dev_scps, ["FullAWSAccess", "NoDynamoDBInDev"]);
    assert!(org.path_to(&AccountId("999988887777".into())).is_none());
}

#[test]
fn the_credential_report_rows_are_typed() {
    let m = load_examples();
    let rows = &m.credential_report;
    let root = &rows[0];
    assert_eq!(root.user, "<root_account>");
    assert_eq!(
        root.password_enabled, None,
        "not_supported for the root user"
    );
    assert!(root.mfa_active);
    let bob = rows.iter().find(|r| r.user == "bob").unwrap();
    assert_eq!(bob.password_enabled, Some(true));
    assert!(!bob.mfa_active);
    assert!(bob.access_keys[0].active && bob.access_keys[1].active);
    assert_eq!(
        bob.access_keys[0].last_used_service.as_deref(),
        Some("dynamodb")
    );
    assert_eq!(bob.access_keys[1].last_used_date, None, "N/A");
    let mallory = rows.iter().find(|r| r.user == "mallory").unwrap();
    assert_eq!(mallory.password_last_used, None, "no_information");
    assert_eq!(mallory.account.as_str(), "222222222222");
}

// ---- resource policies: every output format ----

const DOC: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"S","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"*"}]}"#;

/// Load one file named `name` with content `v` and return the single resource.
fn one_resource(name: &str, v: Value) -> account::Resource {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), name, &v.to_string());
    let m = load_one(&p).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(m.resources.len(), 1, "{name}");
    m.resources.values().next().unwrap().clone()
}

fn assert_policy(r: &account::Resource) {
    let p = r.policy.as_ref().expect("resource has its policy");
    assert_eq!(p.document.statements.len(), 1);
    assert_eq!(p.document.statements[0].sid.as_deref(), Some("S"));
}

#[test]
fn s3_get_bucket_policy_output_is_named_by_the_file_name_convention() {
    let r = one_resource(
        "s3-bucket-policy.my.dotted.bucket.json",
        json!({"Policy": DOC}),
    );
    assert_eq!(r.arn, "arn:aws:s3:::my.dotted.bucket");
    assert_eq!(r.resource_type, ResourceType::S3Bucket);
    assert_eq!(r.account, None);
    assert_policy(&r);
}

#[test]
fn kms_get_key_policy_output_is_named_by_region_account_and_key_id() {
    let r = one_resource(
        "kms-key-policy.eu-west-1.111122223333.0000aaaa-1111-2222-3333-444455556666.json",
        json!({"Policy": DOC, "PolicyName": "default"}),
    );
    assert_eq!(
        r.arn,
        "arn:aws:kms:eu-west-1:111122223333:key/0000aaaa-1111-2222-3333-444455556666"
    );
    assert_eq!(r.resource_type, ResourceType::KmsKey);
    assert_eq!(
        r.account.as_ref().map(AccountId::as_str),
        Some("111122223333")
    );
    assert_policy(&r);
}

#[test]
fn lambda_get_policy_output_is_recognised_by_its_revision_id() {
    let r = one_resource(
        "lambda-policy.us-east-1.111122223333.my-function.json",
        json!({"Policy": DOC, "RevisionId": "4f0c2e0a-1111-2222-3333-444455556666"}),
    );
    assert_eq!(
        r.arn,
        "arn:aws:lambda:us-east-1:111122223333:function:my-function"
    );
    assert_eq!(r.resource_type, ResourceType::LambdaFunction);
    assert_policy(&r);
}

#[test]
fn sqs_get_queue_attributes_output_names_the_queue_itself_or_by_file_name() {
    let r = one_resource(
        "anything.json",
        json!({"Attributes": {"Policy": DOC, "QueueArn": "arn:aws:sqs:us-east-1:111122223333:jobs.fifo"}}),
    );
    assert_eq!(r.arn, "arn:aws:sqs:us-east-1:111122223333:jobs.fifo");
    assert_eq!(r.resource_type, ResourceType::SqsQueue);
    assert_policy(&r);
    let r = one_resource(
        "sqs-queue-policy.us-east-1.111122223333.jobs.fifo.json",
        json!({"Attributes": {"Policy": DOC}}),
    );
    assert_eq!(r.arn, "arn:aws:sqs:us-east-1:111122223333:jobs.fifo");
}

#[test]
fn sns_get_topic_attributes_output_names_the_topic() {
    let r = one_resource(
        "topic.json",
        json!({"Attributes": {"Policy": DOC, "TopicArn": "arn:aws:sns:us-east-1:111122223333:alerts", "Owner": "111122223333"}}),
    );
    assert_eq!(r.arn, "arn:aws:sns:us-east-1:111122223333:alerts");
    assert_eq!(r.resource_type, ResourceType::SnsTopic);
    assert_policy(&r);
}

#[test]
fn secretsmanager_get_resource_policy_output_names_the_secret() {
    let arn = "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-password-AbCdEf";
    let r = one_resource(
        "secret.json",
        json!({"ARN": arn, "Name": "db-password", "ResourcePolicy": DOC}),
    );
    assert_eq!(r.arn, arn);
    assert_eq!(r.resource_type, ResourceType::SecretsManagerSecret);
    assert_policy(&r);
}

#[test]
fn ecr_get_repository_policy_output_is_named_by_the_file_name_convention() {
    let r = one_resource(
        "ecr-repository-policy.us-east-1.111122223333.team.images.json",
        json!({"registryId": "111122223333", "repositoryName": "team.images", "policyText": DOC}),
    );
    assert_eq!(
        r.arn,
        "arn:aws:ecr:us-east-1:111122223333:repository/team.images"
    );
    assert_eq!(r.resource_type, ResourceType::EcrRepository);
    assert_policy(&r);
}

#[test]
fn a_wrapper_names_the_resource_of_any_output_and_adds_account_and_tags() {
    let r = one_resource(
        "wrapped.json",
        json!({
            "resourceArn": "arn:aws:s3:::bucket-with/odd-name",
            "account": "111122223333",
            "tags": {"env": "prod"},
            "output": {"Policy": DOC}
        }),
    );
    assert_eq!(r.arn, "arn:aws:s3:::bucket-with/odd-name");
    assert_eq!(
        r.account.as_ref().map(AccountId::as_str),
        Some("111122223333")
    );
    assert_eq!(r.tags.get("env").map(String::as_str), Some("prod"));
    assert_policy(&r);
}

#[test]
fn resources_json_takes_policies_as_objects_or_strings_and_tags_in_both_forms() {
    let dir = tempfile::tempdir().unwrap();
    let doc: Value = serde_json::from_str(DOC).unwrap();
    let p = write(
        dir.path(),
        "resources.json",
        &json!([
            {"arn": "arn:aws:s3:::a", "account": "111122223333", "type": "s3:bucket",
             "tags": [{"Key": "k", "Value": "v"}], "policy": doc},
            {"arn": "arn:aws:dynamodb:us-east-1:111122223333:table/t", "tags": {"k": "w"}, "policy": DOC},
            {"arn": "arn:aws:s3:::no-owner"}
        ])
        .to_string(),
    );
    let m = load_one(&p).unwrap();
    let a = &m.resources["arn:aws:s3:::a"];
    assert_policy(a);
    assert_eq!(a.tags.get("k").map(String::as_str), Some("v"));
    let t = &m.resources["arn:aws:dynamodb:us-east-1:111122223333:table/t"];
    assert_policy(t);
    assert_eq!(
        t.resource_type,
        ResourceType::Other {
            service: "dynamodb".into(),
            kind: "table".into()
        }
    );
    assert_eq!(
        t.account.as_ref().map(AccountId::as_str),
        Some("111122223333")
    );
    // A bucket without an owner is kept, with a warning that aws:ResourceAccount is unknown.
    assert!(m.resources["arn:aws:s3:::no-owner"].policy.is_none());
    assert!(m.warnings.iter().any(|w| w.kind
        == WarningKind::UnknownResourceAccount {
            arn: "arn:aws:s3:::no-owner".into()
        }));
}

#[test]
fn a_raw_output_and_a_resources_json_entry_for_the_same_arn_merge() {
    let m = load_examples();
    let q = &m.resources["arn:aws:sqs:eu-west-1:222222222222:orders"];
    assert!(
        q.policy.is_some(),
        "policy from orders-queue-attributes.json"
    );
    assert_eq!(q.tags.get("app").map(String::as_str), Some("orders"));
    let key_b =
        &m.resources["arn:aws:kms:eu-west-1:222222222222:key/2222bbbb-2222-4bbb-8bbb-222222222222"];
    assert_eq!(key_b.resource_type, ResourceType::KmsKey);
    assert_eq!(key_b.policy.as_ref().unwrap().document.statements.len(), 2);
}

// ---- errors ----

#[test]
fn a_missing_input_names_the_file() {
    let missing = PathBuf::from("/nonexistent/iamlogic/input.json");
    let err = load_one(&missing).unwrap_err();
    assert_eq!(err, IngestError::NotFound { file: missing });
    assert!(err.to_string().contains("/nonexistent/iamlogic/input.json"));
}

#[test]
fn malformed_json_names_the_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "broken.json",
        "{\n  \"UserDetailList\": [\n    {,}\n  ]\n}\n",
    );
    match load_one(&p).unwrap_err() {
        IngestError::Json {
            file, line, column, ..
        } => {
            assert_eq!(file, p);
            assert_eq!((line, column), (3, 6));
        }
        other => panic!("expected a JSON error, got {other}"),
    }
}

#[test]
fn an_unknown_format_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "what.json", r#"{"Something": 1}"#);
    let err = load_one(&p).unwrap_err();
    assert!(matches!(&err, IngestError::UnknownFormat { file, .. } if *file == p));
    assert!(err.to_string().contains("what.json"));
    let p = write(dir.path(), "bare.json", DOC);
    let err = load_one(&p).unwrap_err();
    assert!(err.to_string().contains("bare policy document"), "{err}");
    let p = write(dir.path(), "scalar.json", "42");
    assert!(matches!(
        load_one(&p),
        Err(IngestError::UnknownFormat { .. })
    ));
}

#[test]
fn an_invalid_arn_names_its_json_path() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "gaad.json",
        &json!({"UserDetailList": [{"UserName": "x", "Arn": "not-an-arn"}]}).to_string(),
    );
    let err = load_one(&p).unwrap_err();
    match &err {
        IngestError::InvalidArn { path, value, .. } => {
            assert_eq!(path.to_string(), "$.UserDetailList[0].Arn");
            assert_eq!(value, "not-an-arn");
        }
        other => panic!("expected an invalid ARN, got {other}"),
    }
}

#[test]
fn a_bad_policy_document_names_where_it_sits_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "gaad.json",
        &json!({"RoleDetailList": [{
            "RoleName": "r", "Arn": "arn:aws:iam::111122223333:role/r",
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Action": "sts:AssumeRole"}]}
        }]})
        .to_string(),
    );
    match load_one(&p).unwrap_err() {
        IngestError::Policy { path, errors, .. } => {
            assert_eq!(
                path.to_string(),
                "$.RoleDetailList[0].AssumeRolePolicyDocument"
            );
            assert!(!errors.0.is_empty());
            let first = &errors.0[0];
            assert_eq!(first.file.as_deref(), Some(p.as_path()));
            assert!(
                first
                    .path
                    .to_string()
                    .starts_with("$.RoleDetailList[0].AssumeRolePolicyDocument.Statement"),
                "{first}"
            );
        }
        other => panic!("expected a policy error, got {other}"),
    }
}

#[test]
fn wrong_types_and_missing_elements_are_typed_errors() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "g.json", r#"{"UserDetailList": {"a": 1}}"#);
    assert!(matches!(
        load_one(&p),
        Err(IngestError::Invalid { ref path, .. }) if path.to_string() == "$.UserDetailList"
    ));
    let p = write(
        dir.path(),
        "g2.json",
        r#"{"GroupDetailList": [{"GroupName": "g"}]}"#,
    );
    let err = load_one(&p).unwrap_err();
    assert!(
        err.to_string().contains("missing required element `Arn`"),
        "{err}"
    );
}

#[test]
fn a_raw_output_with_no_arn_and_an_unconventional_name_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "policy.json",
        &json!({"Policy": DOC}).to_string(),
    );
    assert!(matches!(
        load_one(&p),
        Err(IngestError::UnnamedResource { file, .. }) if file == p
    ));
}

#[test]
fn organization_errors_name_the_offending_element() {
    let dir = tempfile::tempdir().unwrap();
    let base = json!({
        "organizationId": "o-abcdefghij", "managementAccountId": "111111111111", "rootId": "r-ab12",
        "organizationalUnits": [{"id": "ou-1", "name": "A", "parentId": "ou-2"},
                                {"id": "ou-2", "name": "B", "parentId": "ou-1"}],
        "accounts": [], "policies": []
    });
    let p = write(dir.path(), "org.json", &base.to_string());
    let err = load_one(&p).unwrap_err();
    assert!(err.to_string().contains("its own ancestor"), "{err}");

    let bad_target = json!({
        "organizationId": "o-abcdefghij", "managementAccountId": "111111111111", "rootId": "r-ab12",
        "policies": [{"id": "p-1", "type": "SERVICE_CONTROL_POLICY", "targets": ["ou-missing"],
                      "document": {"Version": "2012-10-17", "Statement": []}}]
    });
    let p = write(dir.path(), "org2.json", &bad_target.to_string());
    match load_one(&p).unwrap_err() {
        IngestError::Invalid { path, .. } => {
            assert_eq!(path.to_string(), "$.policies[0].targets[0]")
        }
        other => panic!("{other}"),
    }
}

#[test]
fn credential_report_errors_name_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "report.csv",
        "user,arn,password_enabled,mfa_active\nx,arn:aws:iam::111122223333:user/x,maybe,false\n",
    );
    match load_one(&p).unwrap_err() {
        IngestError::Csv { line, message, .. } => {
            assert_eq!(line, 2);
            assert!(message.contains("password_enabled"), "{message}");
        }
        other => panic!("{other}"),
    }
}

#[test]
fn a_csv_with_only_user_and_arn_columns_is_a_malformed_credential_report() {
    // IAM User Guide, "Getting credential reports": the report's columns start with `user`
    // and `arn`; a header with just those is a report missing its other columns, not JSON.
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "report.csv",
        "user,arn\nx,arn:aws:iam::111122223333:user/x\n",
    );
    let err = load_one(&p).unwrap_err();
    match &err {
        IngestError::Csv { line, message, .. } => {
            assert_eq!(*line, 1);
            assert!(message.contains("password_enabled"), "{message}");
        }
        other => panic!("{other}"),
    }
    let text = err.to_string();
    assert!(text.contains("malformed credential report"), "{text}");
    assert!(!text.contains("JSON"), "{text}");
}

#[cfg(unix)]
#[test]
fn a_fifo_inside_an_input_directory_is_skipped_with_a_warning_not_read() {
    // Reading a FIFO nobody writes to would block forever.
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.json");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("run mkfifo");
    assert!(made.success());
    let (tx, rx) = std::sync::mpsc::channel();
    let path = dir.path().to_path_buf();
    std::thread::spawn(move || {
        let _ = tx.send(load_one(&path).map(|m| m.warnings));
    });
    let warnings = rx
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("loading a directory holding a FIFO must not hang")
        .unwrap();
    assert!(warnings
        .iter()
        .any(|w| w.kind == WarningKind::NotRegularFile && w.source.file.ends_with("pipe.json")));
}

#[test]
fn files_in_a_directory_that_are_not_json_csv_or_notes_are_skipped_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "notes.txt", "hello");
    write(dir.path(), "dump.bin", "\u{0}");
    let m = load_one(dir.path()).unwrap();
    assert!(m
        .warnings
        .iter()
        .any(|w| w.kind == WarningKind::SkippedFile && w.source.file.ends_with("dump.bin")));
    // Notes beside the data are not input: no warning.
    assert!(!m
        .warnings
        .iter()
        .any(|w| w.source.file.ends_with("notes.txt")));
}

#[test]
fn unknown_elements_in_known_formats_are_warnings_not_silently_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "gaad.json",
        &json!({"GroupDetailList": [{"GroupName": "g", "Arn": "arn:aws:iam::111122223333:group/g", "Frobnicate": 1}]})
            .to_string(),
    );
    let m = load_one(&p).unwrap();
    let w = m
        .warnings
        .iter()
        .find(|w| {
            w.kind
                == WarningKind::UnsupportedElement {
                    name: "Frobnicate".into(),
                }
        })
        .expect("a warning");
    assert_eq!(w.source.path.to_string(), "$.GroupDetailList[0].Frobnicate");
}

// ---- context filling ----

fn req(principal: RequestPrincipal, resource: &str) -> Request {
    Request {
        principal,
        action: "s3:GetObject".into(),
        resource: resource.into(),
        context: Context::new(),
    }
}

fn aws(arn: &str) -> RequestPrincipal {
    RequestPrincipal::Aws { arn: arn.into() }
}

fn single(ctx: &Context, key: &str) -> Option<String> {
    match ctx.get(key)? {
        ContextValue::Single(s) => Some(s.clone()),
        ContextValue::Multi(v) => panic!("{key} is multivalued: {v:?}"),
    }
}

/// The context `context::fill` gives a `s3:GetObject` request by `principal` on `resource`.
fn filled(m: &Model, principal: RequestPrincipal, resource: &str) -> Context {
    let mut r = req(principal, resource);
    context::fill(m, &mut r);
    r.context
}

/// Each `(key, value)`: the context holds `key` with that one value.
#[track_caller]
fn assert_singles(c: &Context, expected: &[(&str, &str)]) {
    for (key, value) in expected {
        assert_eq!(single(c, key).as_deref(), Some(*value), "{key}");
    }
}

#[test]
fn an_iam_user_gets_principal_keys_tags_and_organization_keys() {
    let m = load_examples();
    let c = &filled(
        &m,
        aws("arn:aws:iam::222222222222:user/alice"),
        "arn:aws:s3:::example-prod-data/shared/report.csv",
    );
    assert_singles(
        c,
        &[
            ("aws:PrincipalArn", "arn:aws:iam::222222222222:user/alice"),
            ("aws:PrincipalAccount", "222222222222"),
            ("aws:PrincipalType", "User"),
            ("aws:username", "alice"),
            ("aws:userid", "AIDAPRODALICE0000001"),
            ("aws:PrincipalTag/team", "data"),
            ("aws:PrincipalIsAWSService", "false"),
            ("aws:PrincipalOrgID", "o-a1b2c3d4e5"),
        ],
    );
    assert_eq!(
        c.get("aws:PrincipalOrgPaths"),
        Some(&ContextValue::Multi(vec![
            "o-a1b2c3d4e5/r-ex01/ou-ex01-workload/ou-ex01-prod0001/".into()
        ]))
    );
    // The object's owner is the bucket's account; its org is the principal's org.
    assert_singles(
        c,
        &[
            ("aws:ResourceAccount", "222222222222"),
            ("aws:ResourceOrgID", "o-a1b2c3d4e5"),
        ],
    );
}

#[test]
fn a_role_session_has_the_role_arn_as_principal_arn_and_role_id_colon_session_as_userid() {
    let m = load_examples();
    // The session ARN omits the role path (/app/); aws:PrincipalArn is the role's ARN.
    let c = &filled(
        &m,
        aws("arn:aws:sts::222222222222:assumed-role/AppRole/i-0123456789abcdef0"),
        "arn:aws:kms:eu-west-1:222222222222:key/2222bbbb-2222-4bbb-8bbb-222222222222",
    );
    assert_singles(
        c,
        &[
            (
                "aws:PrincipalArn",
                "arn:aws:iam::222222222222:role/app/AppRole",
            ),
            ("aws:PrincipalType", "AssumedRole"),
            ("aws:userid", "AROAPRODAPPROLE00001:i-0123456789abcdef0"),
        ],
    );
    assert_eq!(c.get("aws:username"), None, "roles have no aws:username");
    assert_singles(
        c,
        &[
            ("aws:PrincipalTag/app", "orders"),
            ("aws:ResourceAccount", "222222222222"),
        ],
    );
}

#[test]
fn root_anonymous_service_and_federated_callers_get_their_documented_keys() {
    let m = load_examples();
    let c = &filled(
        &m,
        aws("arn:aws:iam::111111111111:root"),
        "arn:aws:s3:::example-public-site/i.html",
    );
    assert_singles(
        c,
        &[
            ("aws:PrincipalType", "Account"),
            ("aws:userid", "111111111111"),
        ],
    );
    assert_eq!(
        c.get("aws:PrincipalOrgPaths"),
        Some(&ContextValue::Multi(vec!["o-a1b2c3d4e5/r-ex01/".into()]))
    );
    assert_singles(c, &[("aws:ResourceAccount", "111111111111")]);

    let c = &filled(
        &m,
        RequestPrincipal::Anonymous,
        "arn:aws:s3:::example-public-site/i.html",
    );
    assert_singles(c, &[("aws:PrincipalType", "Anonymous")]);
    assert_eq!(c.get("aws:PrincipalAccount"), None);
    assert_eq!(c.get("aws:PrincipalIsAWSService"), None);

    let c = &filled(
        &m,
        RequestPrincipal::Service {
            name: "sns.amazonaws.com".into(),
        },
        "arn:aws:sqs:eu-west-1:222222222222:orders",
    );
    assert_singles(
        c,
        &[
            ("aws:PrincipalIsAWSService", "true"),
            ("aws:PrincipalServiceName", "sns.amazonaws.com"),
        ],
    );
    assert_eq!(c.get("aws:PrincipalOrgID"), None);
    assert_singles(c, &[("aws:ResourceTag/app", "orders")]);

    let c = &filled(
        &m,
        aws("arn:aws:sts::222222222222:federated-user/jane"),
        "arn:aws:s3:::example-prod-data",
    );
    assert_singles(
        c,
        &[
            ("aws:PrincipalType", "FederatedUser"),
            ("aws:userid", "222222222222:jane"),
            ("aws:ResourceTag/classification", "confidential"),
        ],
    );
}

#[test]
fn an_outside_principal_has_no_organization_keys() {
    let m = load_examples();
    let c = &filled(
        &m,
        aws("arn:aws:iam::999988887777:root"),
        "arn:aws:s3:::example-prod-data/shared/x",
    );
    assert_singles(c, &[("aws:PrincipalAccount", "999988887777")]);
    assert_eq!(c.get("aws:PrincipalOrgID"), None);
    assert_eq!(c.get("aws:PrincipalOrgPaths"), None);
    assert_singles(c, &[("aws:ResourceOrgID", "o-a1b2c3d4e5")]);
}

#[test]
fn keys_the_request_gives_are_kept_and_live_only_keys_stay_absent() {
    let m = load_examples();
    let mut r = req(
        aws("arn:aws:iam::222222222222:user/alice"),
        "arn:aws:s3:::example-prod-data",
    );
    r.context.insert(
        "aws:PrincipalTag/team",
        ContextValue::Single("override".into()),
    );
    context::fill(&m, &mut r);
    assert_eq!(
        single(&r.context, "aws:PrincipalTag/team").as_deref(),
        Some("override")
    );
    for live in [
        "aws:SourceIp",
        "aws:MultiFactorAuthPresent",
        "aws:SecureTransport",
        "aws:CurrentTime",
        "aws:SourceVpce",
        "aws:RequestedRegion",
    ] {
        assert_eq!(r.context.get(live), None, "{live} must not be invented");
    }
}

#[test]
fn the_batch_filler_fills_exactly_what_fill_fills() {
    let m = load_examples();
    let filler = context::Filler::new(&m);
    let mut principals: Vec<RequestPrincipal> = vec![
        RequestPrincipal::Anonymous,
        RequestPrincipal::Service {
            name: "sns.amazonaws.com".into(),
        },
        aws("arn:aws:iam::999988887777:root"),
        aws("arn:aws:iam::222222222222:user/not-loaded"),
        aws("arn:aws:sts::222222222222:assumed-role/NotLoaded/s"),
        aws("arn:aws:sts::222222222222:federated-user/jane"),
    ];
    for u in m.users.keys() {
        principals.push(aws(u));
    }
    for r in m.roles.values() {
        principals.push(aws(&r.arn));
        principals.push(aws(&format!(
            "arn:aws:sts::{}:assumed-role/{}/session-1",
            r.account, r.name
        )));
    }
    for a in &m.accounts {
        principals.push(aws(&format!("arn:aws:iam::{a}:root")));
    }
    let mut resources: Vec<String> = m.resources.keys().cloned().collect();
    resources.extend(m.roles.keys().cloned());
    resources.extend(m.users.keys().cloned());
    resources.push("arn:aws:s3:::example-prod-data/shared/x".into());
    resources.push("arn:aws:dynamodb:eu-west-1:333333333333:table/builds".into());
    resources.push("*".into());
    let mut compared = 0;
    for p in &principals {
        for res in &resources {
            let mut slow = req(p.clone(), res);
            slow.context.insert(
                "aws:PrincipalTag/team",
                ContextValue::Single("given".into()),
            );
            let mut fast = slow.clone();
            context::fill(&m, &mut slow);
            filler.fill(&mut fast);
            assert_eq!(fast.context, slow.context, "{p:?} on {res}");
            compared += 1;
        }
    }
    assert!(compared > 500);
}

/// `FillCache` (what `simulate --requests` uses) fills exactly what `fill_with` fills,
/// including a role's sessions sharing the role's keys with their own `aws:userid` ("IAM
/// policy elements: Variables and tags", "Principal key values") and the KMS and S3
/// service keys that copy the caller's and resource's accounts.
#[test]
fn the_stream_cache_fills_exactly_what_fill_with_fills() {
    let m = load_examples();
    let roles = context::RoleNames::new(&m);
    let mut cache = context::FillCache::new(&m, &roles);
    let mut principals: Vec<RequestPrincipal> = vec![
        RequestPrincipal::Anonymous,
        RequestPrincipal::Service {
            name: "sns.amazonaws.com".into(),
        },
        aws("arn:aws:iam::999988887777:root"),
        aws("arn:aws:iam::222222222222:user/not-loaded"),
        aws("arn:aws:sts::222222222222:assumed-role/NotLoaded/s"),
        aws("arn:aws:sts::222222222222:assumed-role/NotLoaded/t"),
        aws("arn:aws:sts::222222222222:federated-user/jane"),
    ];
    principals.extend(m.users.keys().map(|u| aws(u)));
    for r in m.roles.values() {
        principals.push(aws(&r.arn));
        for session in ["session-1", "session-2"] {
            principals.push(aws(&format!(
                "arn:aws:sts::{}:assumed-role/{}/{session}",
                r.account, r.name
            )));
        }
    }
    let mut resources: Vec<String> = m.resources.keys().cloned().collect();
    resources.extend(m.roles.keys().cloned());
    resources.push("arn:aws:s3:::example-prod-data/shared/x".into());
    resources.push("*".into());
    let mut compared = 0;
    for action in ["s3:GetObject", "kms:Decrypt"] {
        for p in &principals {
            for res in &resources {
                let mut slow = req(p.clone(), res);
                slow.action = action.into();
                slow.context.insert(
                    "aws:PrincipalTag/team",
                    ContextValue::Single("given".into()),
                );
                let mut fast = slow.context.clone();
                context::fill_with(&m, Some(&roles), &mut slow);
                cache.fill(&slow.principal, action, res, &mut fast);
                assert_eq!(fast, slow.context, "{action} by {p:?} on {res}");
                compared += 1;
            }
        }
    }
    assert!(compared > 1000);
    assert!(!cache.is_empty());
}

#[test]
fn the_same_entities_loaded_twice_are_kept_once_with_duplicate_warnings() {
    let Some(path) = corpus_path(GAAD_FILES[1]) else {
        return;
    };
    let once = load_one(&path).unwrap();
    let twice = account::load(&[path.clone(), path.clone()]).unwrap();
    assert_eq!(model_counts(&twice), model_counts(&once));
    let dups = twice
        .warnings
        .iter()
        .filter(|w| matches!(w.kind, WarningKind::Duplicate { .. }))
        .count();
    // Every user, group and role is described twice; identical managed policies merge silently.
    assert_eq!(
        dups,
        once.users.len() + once.groups.len() + once.roles.len()
    );
}

/// Every JSON path of `v`, as a list of steps (object key or array index).
fn all_paths(v: &Value, prefix: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    out.push(prefix.clone());
    match v {
        Value::Object(o) => {
            for (k, child) in o {
                prefix.push(json!(k));
                all_paths(child, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                prefix.push(json!(i));
                all_paths(child, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

fn replace_at(v: &mut Value, path: &[Value], with: Value) {
    let mut cur = v;
    for step in path {
        cur = match step {
            Value::String(k) => &mut cur[k.as_str()],
            Value::Number(n) => &mut cur[n.as_u64().unwrap() as usize],
            _ => unreachable!(),
        };
    }
    *cur = with;
}

#[test]
fn replacing_any_element_of_the_examples_with_a_wrong_type_never_panics() {
    // Bad input yields a typed error or a warning, never a panic: try every element of
    // three example files replaced by each JSON type in turn.
    let files = [
        "accounts/prod/gaad-page2.json",
        "organization.json",
        "resources.json",
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut loads = 0;
    for rel in files {
        let original = read_json(&examples_dir().join(rel));
        let mut paths = Vec::new();
        all_paths(&original, &mut Vec::new(), &mut paths);
        let name = Path::new(rel).file_name().unwrap().to_str().unwrap();
        for path in paths.iter().filter(|p| !p.is_empty()) {
            for with in [json!(null), json!(7), json!("x"), json!([]), json!({})] {
                let mut v = original.clone();
                replace_at(&mut v, path, with);
                let p = write(dir.path(), name, &v.to_string());
                let _ = load_one(&p);
                loads += 1;
            }
        }
    }
    assert!(loads > 1000, "{loads}");
}

#[test]
fn a_role_as_the_resource_has_its_tags_as_aws_and_iam_resource_tags() {
    let m = load_examples();
    let mut r = req(
        aws("arn:aws:iam::222222222222:user/alice"),
        "arn:aws:iam::222222222222:role/DeployRole",
    );
    r.action = "sts:AssumeRole".into();
    context::fill(&m, &mut r);
    assert_singles(
        &r.context,
        &[
            ("aws:ResourceTag/purpose", "deploy"),
            ("iam:ResourceTag/purpose", "deploy"),
            ("aws:ResourceAccount", "222222222222"),
        ],
    );
    // A bucket's tags are not IAM resource tags.
    let c = filled(
        &m,
        aws("arn:aws:iam::222222222222:user/alice"),
        "arn:aws:s3:::example-prod-data",
    );
    assert!(c.get("iam:ResourceTag/classification").is_none());
    assert!(c.get("aws:ResourceTag/classification").is_some());
}
