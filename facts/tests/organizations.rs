//! Organization inputs (issue 8, points 4 and 7) and VPC endpoints (point 6) as the loader
//! reads them: `enabledPolicyTypes`, `aws organizations list-roots` output, several
//! organizations in one run, `ec2:vpc-endpoint` entries and `aws ec2 describe-vpc-endpoints`
//! output. Each test cites the AWS documentation page of the rule it checks; the decisions
//! these inputs lead to are tested end to end in `tests/organizations.rs`.

use std::path::{Path, PathBuf};

use facts::account::{
    self, context, AccountId, IngestError, Model, OrgNode, OrgPolicyKind, PolicyTypesOrigin,
    WarningKind,
};
use facts::request::{Context, ContextValue, Request, RequestPrincipal};
use facts::tables::FactTables;
use serde_json::{json, Value};
use tempfile::TempDir;

fn write(dir: &Path, name: &str, v: &Value) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_string_pretty(v).unwrap()).unwrap();
    p
}

/// A fresh directory holding `files` (name, JSON document).
fn dir_with(files: &[(&str, &Value)]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, v) in files {
        write(dir.path(), name, v);
    }
    dir
}

/// The model of a fresh directory holding `files`, which must load.
fn loaded_files(files: &[(&str, &Value)]) -> Model {
    loaded(dir_with(files).path())
}

/// The error loading a fresh directory holding `files` fails with, as printed.
fn load_files_error(files: &[(&str, &Value)]) -> String {
    load_error(dir_with(files).path())
}

fn load(dir: &Path) -> Result<Model, IngestError> {
    account::load(&[dir.to_path_buf()])
}

/// The model of `dir`, which must load.
fn loaded(dir: &Path) -> Model {
    load(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
}

/// The error loading `dir` fails with, as printed.
fn load_error(dir: &Path) -> String {
    match load(dir) {
        Ok(_) => panic!("{}: loaded without the expected error", dir.display()),
        Err(e) => e.to_string(),
    }
}

/// The warnings of `m` whose kind `keep` selects, as printed.
fn warnings_where(m: &Model, keep: impl Fn(&WarningKind) -> bool) -> Vec<String> {
    m.warnings
        .iter()
        .filter(|w| keep(&w.kind))
        .map(|w| w.to_string())
        .collect()
}

fn allow_all() -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
}

fn deny_s3() -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]})
}

/// An organization `o-<tag>...` with root `r-<tag>`, one OU and the given member accounts
/// under it; `policies` as organization.json lists them.
fn org_doc(tag: &str, management: &str, members: &[&str], policies: Value) -> Value {
    let ou = format!("ou-{tag}-11111111");
    let accounts: Vec<Value> = members
        .iter()
        .map(|a| json!({"id": a, "name": a, "parentId": ou}))
        .collect();
    json!({
        "organizationId": format!("o-{tag}00000000"),
        "managementAccountId": management,
        "rootId": format!("r-{tag}"),
        "organizationalUnits": [{"id": ou, "name": "Workloads", "parentId": format!("r-{tag}")}],
        "accounts": accounts,
        "policies": policies
    })
}

fn scp(id: &str, doc: Value, targets: &[&str]) -> Value {
    json!({"id": id, "name": id, "type": "SERVICE_CONTROL_POLICY", "document": doc, "targets": targets})
}

fn rcp(id: &str, doc: Value, targets: &[&str]) -> Value {
    json!({"id": id, "name": id, "type": "RESOURCE_CONTROL_POLICY", "document": doc, "targets": targets})
}

fn list_roots(root: &str, types: Value) -> Value {
    json!({"Roots": [{
        "Id": root,
        "Arn": format!("arn:aws:organizations::111111111111:root/o-aa00000000/{root}"),
        "Name": "Root",
        "PolicyTypes": types
    }]})
}

// ---- point 4: policy types an organization has not enabled are not evaluated ----

#[test]
fn enabling_a_policy_type_defaults_to_the_types_the_file_lists() {
    // AWS Organizations User Guide, "Enabling a policy type": a policy can be attached only
    // once its type is enabled on the root, so a file that lists SCPs but no RCP has SCPs
    // enabled and RCPs not.
    let members = ["222222222222"];
    let pols = json!([scp(
        "p-FullAWSAccess",
        allow_all(),
        &["r-aa", "ou-aa-11111111", "222222222222"]
    )]);
    let m = loaded_files(&[(
        "organization.json",
        &org_doc("aa", "111111111111", &members, pols),
    )]);
    let o = &m.organizations[0];
    assert!(o.enabled.scp && !o.enabled.rcp);
    assert_eq!(o.enabled.origin, PolicyTypesOrigin::Listed);
    let t = FactTables::from_model(&m);
    assert_eq!(
        t.scp_levels.len(),
        3 + 2,
        "root, OU, account for the member; root, account for the management account"
    );
    assert!(t.rcp_levels.is_empty() && t.rcp_attachments.is_empty());
}

#[test]
fn disabling_a_policy_type_leaves_its_listed_policies_unevaluated_with_a_warning() {
    // AWS Organizations User Guide, "Disabling a policy type": "When you disable a policy
    // type, all policies of the specified type are automatically detached from all entities".
    let mut o = org_doc(
        "aa",
        "111111111111",
        &["222222222222"],
        json!([
            scp("p-denys3", deny_s3(), &["r-aa"]),
            rcp("p-rdenys3", deny_s3(), &["r-aa"])
        ]),
    );
    o["enabledPolicyTypes"] = json!(["TAG_POLICY", "RESOURCE_CONTROL_POLICY"]);
    let m = loaded_files(&[("organization.json", &o)]);
    let org = &m.organizations[0];
    assert!(!org.enabled.scp && org.enabled.rcp);
    assert!(matches!(org.enabled.origin, PolicyTypesOrigin::Given(_)));
    let w: Vec<String> = warnings_where(&m, |k| {
        matches!(k, WarningKind::PolicyTypeNotEnabled { .. })
    });
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("p-denys3") && w[0].contains("policies[0]"),
        "{}",
        w[0]
    );
    let t = FactTables::from_model(&m);
    assert!(t.scp_levels.is_empty() && t.scp_attachments.is_empty());
    assert!(!t.rcp_levels.is_empty());
}

#[test]
fn rcp_full_aws_access_is_attached_everywhere_once_rcps_are_enabled() {
    // AWS Organizations User Guide, "RCP evaluation": RCPFullAWSAccess "is automatically
    // attached to the organization root, every OU, and every account in your organization,
    // when you enable resource control policies (RCPs). You cannot detach this policy."
    let o = org_doc(
        "aa",
        "111111111111",
        &["222222222222"],
        json!([rcp("p-rdenys3", deny_s3(), &["ou-aa-11111111"])]),
    );
    let m = loaded_files(&[("organization.json", &o)]);
    let org = &m.organizations[0];
    let full = &org.policies["p-RCPFullAWSAccess"];
    assert_eq!(full.kind, OrgPolicyKind::Rcp);
    for node in [
        OrgNode::Root("r-aa".into()),
        OrgNode::Unit("ou-aa-11111111".into()),
        OrgNode::Account(AccountId("222222222222".into())),
        OrgNode::Account(AccountId("111111111111".into())),
    ] {
        assert!(full.targets.contains(&node), "{node:?}");
    }
    // A listed RCPFullAWSAccess attached to the root only is extended to every node.
    let listed = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]});
    let o = org_doc(
        "aa",
        "111111111111",
        &["222222222222"],
        json!([{"id": "p-RCPFullAWSAccess", "name": "RCPFullAWSAccess", "type": "RESOURCE_CONTROL_POLICY",
                "document": listed, "targets": ["r-aa"]}]),
    );
    let m = loaded_files(&[("organization.json", &o)]);
    let org = &m.organizations[0];
    assert_eq!(org.policies.len(), 1);
    assert_eq!(org.policies["p-RCPFullAWSAccess"].targets.len(), 4);
}

#[test]
fn list_roots_output_says_which_policy_types_are_enabled_in_any_file_order() {
    // AWS Organizations API Reference, "PolicyTypeSummary" (Status ENABLED | PENDING_ENABLE |
    // PENDING_DISABLE) and User Guide "Enabling a policy type": `aws organizations
    // list-roots` shows each root's PolicyTypes. The output may come before organization.json.
    let o = org_doc(
        "aa",
        "111111111111",
        &["222222222222"],
        json!([scp("p-denys3", deny_s3(), &["r-aa"])]),
    );
    let roots = list_roots(
        "r-aa",
        json!([{"Type": "RESOURCE_CONTROL_POLICY", "Status": "ENABLED"},
               {"Type": "TAG_POLICY", "Status": "ENABLED"}]),
    );
    let m = loaded_files(&[("b-organization.json", &o), ("a-roots.json", &roots)]);
    let org = &m.organizations[0];
    assert!(!org.enabled.scp && org.enabled.rcp, "{:?}", org.enabled);
    let src = match &org.enabled.origin {
        PolicyTypesOrigin::Given(s) => s.to_string(),
        other => panic!("{other:?}"),
    };
    assert!(
        src.contains("a-roots.json") && src.contains("Roots[0].PolicyTypes"),
        "{src}"
    );
    assert!(org.policies.contains_key("p-RCPFullAWSAccess"));
}

#[test]
fn pending_policy_types_read_as_their_attachments_stand_with_a_warning() {
    // "Enabling a policy type" / "Disabling a policy type" are asynchronous: while
    // PENDING_ENABLE nothing of the type can be attached yet (not enabled); while
    // PENDING_DISABLE its policies are still attached (enabled) until the detachment is done.
    let o = org_doc("aa", "111111111111", &["222222222222"], json!([]));
    let roots = list_roots(
        "r-aa",
        json!([{"Type": "SERVICE_CONTROL_POLICY", "Status": "PENDING_DISABLE"},
               {"Type": "RESOURCE_CONTROL_POLICY", "Status": "PENDING_ENABLE"}]),
    );
    let m = loaded_files(&[("organization.json", &o), ("roots.json", &roots)]);
    let org = &m.organizations[0];
    assert!(org.enabled.scp && !org.enabled.rcp);
    let pending: Vec<String> =
        warnings_where(&m, |k| matches!(k, WarningKind::PendingPolicyType { .. }));
    assert_eq!(pending.len(), 2, "{pending:?}");
    assert!(pending[0].contains("PENDING_DISABLE") && pending[0].contains("read as enabled"));
    assert!(pending[1].contains("PENDING_ENABLE") && pending[1].contains("read as not enabled"));
}

#[test]
fn list_roots_errors_and_unmatched_roots_name_the_file_and_path() {
    let mut o = org_doc("aa", "111111111111", &["222222222222"], json!([]));
    o["enabledPolicyTypes"] = json!([{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]);
    let e = load_files_error(&[
        ("organization.json", &o),
        ("roots.json", &list_roots("r-aa", json!([]))),
    ]);
    assert!(
        e.contains("roots.json") && e.contains("Roots[0].PolicyTypes"),
        "{e}"
    );
    assert!(
        e.contains("organization.json") && e.contains("enabledPolicyTypes"),
        "{e}"
    );

    let e = load_files_error(&[(
        "roots.json",
        &list_roots(
            "r-aa",
            json!([{"Type": "SERVICE_CONTROL_POLICIES", "Status": "ENABLED"}]),
        ),
    )]);
    assert!(
        e.contains("roots.json: $.Roots[0].PolicyTypes[0].Type"),
        "{e}"
    );
    let e = load_files_error(&[(
        "roots.json",
        &list_roots(
            "r-aa",
            json!([{"Type": "SERVICE_CONTROL_POLICY", "Status": "ON"}]),
        ),
    )]);
    assert!(e.contains("Roots[0].PolicyTypes[0].Status"), "{e}");

    let m = loaded_files(&[(
        "roots.json",
        &list_roots(
            "r-zz",
            json!([{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED", "Extra": 1}]),
        ),
    )]);
    let kinds: Vec<&WarningKind> = m.warnings.iter().map(|w| &w.kind).collect();
    assert!(
        kinds.contains(&&WarningKind::UnmatchedRoot {
            root: "r-zz".into()
        }),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&&WarningKind::UnsupportedElement {
            name: "Extra".into()
        }),
        "{kinds:?}"
    );
}

#[test]
fn nodes_without_an_scp_while_scps_are_enabled_are_a_warning() {
    // Organizations API Reference, "DetachPolicy": "Every root, OU, and account must have at
    // least one SCP attached." Data where SCPs are enabled and a node has none is incomplete
    // (such a level allows nothing), so the loader says so, once per organization.
    let mut o = org_doc(
        "aa",
        "111111111111",
        &["222222222222", "333333333333"],
        json!([scp(
            "p-FullAWSAccess",
            allow_all(),
            &["r-aa", "222222222222"]
        )]),
    );
    let m = loaded_files(&[("organization.json", &o)]);
    let w: Vec<&WarningKind> = m
        .warnings
        .iter()
        .map(|w| &w.kind)
        .filter(|k| matches!(k, WarningKind::NodesWithoutScp { .. }))
        .collect();
    assert_eq!(
        w,
        [&WarningKind::NodesWithoutScp {
            count: 2,
            examples: vec!["ou-aa-11111111".into(), "333333333333".into()]
        }]
    );
    // SCPs not enabled: no SCP is required anywhere.
    o["enabledPolicyTypes"] = json!([]);
    let m = loaded_files(&[("organization.json", &o)]);
    assert!(!m
        .warnings
        .iter()
        .any(|w| matches!(w.kind, WarningKind::NodesWithoutScp { .. })));
}

// ---- point 7: several organizations in one run ----

#[test]
fn each_account_belongs_to_the_organization_that_lists_it() {
    // "AWS global condition context keys", aws:PrincipalOrgID / aws:ResourceOrgID: the id of
    // the organization the principal's (resource's) account belongs to.
    let m = loaded_files(&[
        (
            "org-a.json",
            &org_doc("aa", "111111111111", &["222222222222"], json!([])),
        ),
        (
            "org-b.json",
            &org_doc("bb", "444444444444", &["555555555555"], json!([])),
        ),
    ]);
    assert_eq!(m.organizations.len(), 2);
    let of = |a: &str| {
        m.organization_of(&AccountId(a.into()))
            .map(|o| o.id.as_str())
    };
    assert_eq!(of("222222222222"), Some("o-aa00000000"));
    assert_eq!(of("444444444444"), Some("o-bb00000000"));
    assert_eq!(of("999999999999"), None);
    let mut req = Request {
        principal: RequestPrincipal::Aws {
            arn: "arn:aws:iam::555555555555:user/u".into(),
        },
        action: "s3:GetObject".into(),
        resource: "arn:aws:sqs:eu-west-1:222222222222:q".into(),
        context: Context::new(),
    };
    context::fill(&m, &mut req);
    let get = |k: &str| req.context.get(k).cloned();
    assert_eq!(
        get("aws:PrincipalOrgID"),
        Some(ContextValue::Single("o-bb00000000".into()))
    );
    assert_eq!(
        get("aws:ResourceOrgID"),
        Some(ContextValue::Single("o-aa00000000".into()))
    );
    // Each organization's management account is exempt in its own organization.
    let t = FactTables::from_model(&m);
    assert_eq!(t.management_accounts.len(), 2);
}

#[test]
fn an_account_listed_by_two_organizations_is_an_error_naming_both_files() {
    let e = load_files_error(&[
        (
            "org-a.json",
            &org_doc("aa", "111111111111", &["222222222222"], json!([])),
        ),
        (
            "org-b.json",
            &org_doc("bb", "444444444444", &["222222222222"], json!([])),
        ),
    ]);
    assert!(e.contains("org-b.json: $.accounts[0].id"), "{e}");
    assert!(
        e.contains("org-a.json") && e.contains("o-aa00000000") && e.contains("222222222222"),
        "{e}"
    );

    // The management account of one organization listed as a member of another.
    let e = load_files_error(&[
        (
            "org-a.json",
            &org_doc("aa", "111111111111", &["222222222222"], json!([])),
        ),
        (
            "org-b.json",
            &org_doc("bb", "111111111111", &["555555555555"], json!([])),
        ),
    ]);
    assert!(
        e.contains("org-b.json: $.managementAccountId") && e.contains("org-a.json"),
        "{e}"
    );

    // The same organization twice, and a root id reused.
    let e = load_files_error(&[
        (
            "org-a.json",
            &org_doc("aa", "111111111111", &["222222222222"], json!([])),
        ),
        (
            "org-b.json",
            &org_doc("aa", "444444444444", &["555555555555"], json!([])),
        ),
    ]);
    assert!(
        e.contains("org-b.json: $.organizationId") && e.contains("org-a.json"),
        "{e}"
    );
}

// ---- point 6: VPC endpoints as account data ----

fn endpoint_policy() -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
           "Action": "s3:GetObject", "Resource": "*"}]})
}

#[test]
fn vpc_endpoints_load_from_resources_json_and_describe_vpc_endpoints() {
    // Amazon VPC, "Control access to VPC endpoints using endpoint policies": an endpoint
    // policy is a resource-based policy attached to the endpoint.
    let resources = json!([
        {"type": "ec2:vpc-endpoint", "id": "vpce-0aaa1111", "vpcId": "vpc-0a", "account": "222222222222",
         "policy": endpoint_policy()},
        {"arn": "arn:aws:ec2:eu-west-1:222222222222:vpc-endpoint/vpce-0bbb2222",
         "tags": {"team": "net"}, "policy": serde_json::to_string(&endpoint_policy()).unwrap()}
    ]);
    let endpoints = json!({"VpcEndpoints": [
        {"VpcEndpointId": "vpce-0ccc3333", "VpcEndpointType": "Gateway", "VpcId": "vpc-0c",
         "ServiceName": "com.amazonaws.eu-west-1.s3", "State": "available",
         "PolicyDocument": serde_json::to_string(&endpoint_policy()).unwrap(),
         "RouteTableIds": ["rtb-1"], "OwnerId": "333333333333", "Tags": [{"Key": "env", "Value": "prod"}],
         "NewField": true},
        {"VpcEndpointId": "vpce-0ddd4444", "VpcEndpointType": "GatewayLoadBalancer", "VpcId": "vpc-0d",
         "OwnerId": "333333333333"}
    ]});
    let m = loaded_files(&[
        ("resources.json", &resources),
        ("endpoints.json", &endpoints),
    ]);
    let ids: Vec<&str> = m.vpc_endpoints.keys().map(String::as_str).collect();
    assert_eq!(
        ids,
        [
            "vpce-0ccc3333",
            "vpce-0ddd4444",
            "vpce-0aaa1111",
            "vpce-0bbb2222"
        ]
    );
    let a = &m.vpc_endpoints["vpce-0aaa1111"];
    assert_eq!(a.vpc_id.as_deref(), Some("vpc-0a"));
    assert_eq!(
        a.account.as_ref().map(AccountId::as_str),
        Some("222222222222")
    );
    assert!(a.policy.is_some());
    let b = &m.vpc_endpoints["vpce-0bbb2222"];
    assert_eq!(
        b.account.as_ref().map(AccountId::as_str),
        Some("222222222222")
    );
    let c = &m.vpc_endpoints["vpce-0ccc3333"];
    assert!(c.policy.is_some() && c.vpc_id.as_deref() == Some("vpc-0c"));
    // An endpoint without a PolicyDocument has no endpoint policy (full access).
    assert!(m.vpc_endpoints["vpce-0ddd4444"].policy.is_none());
    // The endpoints are resources of their own (tags), without a resource policy.
    let r = &m.resources["arn:aws:ec2:eu-west-1:333333333333:vpc-endpoint/vpce-0ccc3333"];
    assert_eq!(r.tags.get("env").map(String::as_str), Some("prod"));
    assert!(r.policy.is_none());
    let r = &m.resources["arn:aws:ec2:eu-west-1:222222222222:vpc-endpoint/vpce-0bbb2222"];
    assert_eq!(r.tags.get("team").map(String::as_str), Some("net"));
    // An unknown member is a warning naming it, not silently dropped.
    assert!(m.warnings.iter().any(|w| w.kind
        == WarningKind::UnsupportedElement {
            name: "NewField".into()
        }
        && w.to_string().contains("$.VpcEndpoints[0].NewField")));
    let t = FactTables::from_model(&m);
    assert!(t.vpc_endpoint_policy("vpce-0aaa1111").is_some());
    assert!(t.vpc_endpoint_policy("vpce-0ddd4444").is_none());
    assert!(t.vpc_endpoint_policy("vpce-0eee5555").is_none());
}

#[test]
fn bad_vpc_endpoint_entries_are_errors_naming_the_file_and_path() {
    let cases = [
        (
            json!([{"type": "ec2:vpc-endpoint", "policy": endpoint_policy()}]),
            "$[0]: a VPC endpoint needs `id`",
        ),
        (
            json!([{"type": "ec2:vpc-endpoint", "id": "vpc-123"}]),
            "$[0].id: a VPC endpoint id",
        ),
        (
            json!([{"arn": "arn:aws:ec2:eu-west-1:222222222222:vpc-endpoint/vpce-0a", "id": "vpce-0b"}]),
            "$[0].id:",
        ),
        (
            json!([{"type": "ec2:vpc-endpoint", "id": "vpce-0a", "policy": "nope"}]),
            "$[0].policy",
        ),
    ];
    for (doc, want) in cases {
        let e = load_files_error(&[("resources.json", &doc)]);
        assert!(
            e.contains("resources.json") && e.contains(want),
            "{e} (wanted {want})"
        );
    }
    let e = load_files_error(&[(
        "endpoints.json",
        &json!({"VpcEndpoints": [{"VpcId": "vpc-1"}]}),
    )]);
    assert!(
        e.contains("endpoints.json: $.VpcEndpoints[0]") && e.contains("VpcEndpointId"),
        "{e}"
    );
}

#[test]
fn an_endpoint_policy_statement_without_principal_warns_and_matches_no_one() {
    // "Control access to VPC endpoints using endpoint policies": an endpoint policy "must
    // contain a Principal element"; read like any resource-based policy AWS would refuse.
    let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]});
    let m = loaded_files(&[(
        "resources.json",
        &json!([{"type": "ec2:vpc-endpoint", "id": "vpce-0a", "policy": doc}]),
    )]);
    let w: Vec<String> = warnings_where(&m, |k| *k == WarningKind::StatementWithoutPrincipal);
    assert_eq!(w.len(), 1, "{:?}", m.warnings);
    assert!(
        w[0].contains("resources.json: $[0].policy.Statement[0]"),
        "{}",
        w[0]
    );
}

#[test]
fn an_endpoint_described_twice_with_different_policies_keeps_the_first_with_a_warning() {
    let other = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]});
    let m = loaded_files(&[(
        "resources.json",
        &json!([{"type": "ec2:vpc-endpoint", "id": "vpce-0a", "policy": endpoint_policy()},
                {"type": "ec2:vpc-endpoint", "id": "vpce-0a", "policy": other}]),
    )]);
    assert_eq!(m.vpc_endpoints.len(), 1);
    let kept = m.vpc_endpoints["vpce-0a"].policy.as_ref().unwrap();
    assert_eq!(kept.source.path.to_string(), "$[0].policy");
    assert!(m.warnings.iter().any(|w| w.kind
        == WarningKind::Duplicate {
            id: "vpce-0a".into()
        }));
}
