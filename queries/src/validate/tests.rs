//! Unit tests of the checks on hand-built policies (the parser is exercised by the
//! end-to-end and corpus tests).

use super::*;
use facts::condition::ConditionOperator;
use facts::policy::{
    ActionClause, ActionPattern, Condition, Effect, PolicyVersion, PrincipalClause, Principals,
    ResourceClause, ResourcePattern, Statement,
};
use serde_json::json;

fn stmt(index: usize, effect: Effect, actions: &[&str], resources: &[&str]) -> Statement {
    Statement {
        index,
        sid: None,
        effect,
        action: ActionClause::Action(
            actions
                .iter()
                .map(|a| ActionPattern(a.to_string()))
                .collect(),
        ),
        resource: Some(ResourceClause::Resource(
            resources
                .iter()
                .map(|r| ResourcePattern(r.to_string()))
                .collect(),
        )),
        principal: None,
        conditions: Vec::new(),
    }
}

fn policy(statements: Vec<Statement>) -> Policy {
    Policy {
        version: PolicyVersion::V2012_10_17,
        version_given: true,
        id: None,
        statements,
    }
}

/// Run the checks with the document shape every statement array has: `Statement` is an
/// array and `Action`/`Resource` are arrays in the given order.
fn run(p: &Policy, kind: PolicyKind) -> Vec<Finding> {
    let statements: Vec<serde_json::Value> = p
        .statements
        .iter()
        .map(|s| {
            let (ae, acts) = match &s.action {
                ActionClause::Action(a) => ("Action", a),
                ActionClause::NotAction(a) => ("NotAction", a),
            };
            let mut v = json!({ ae: acts.iter().map(|a| a.0.clone()).collect::<Vec<_>>() });
            if let Some(ResourceClause::Resource(r)) | Some(ResourceClause::NotResource(r)) =
                &s.resource
            {
                let re = if matches!(s.resource, Some(ResourceClause::Resource(_))) {
                    "Resource"
                } else {
                    "NotResource"
                };
                v[re] = json!(r.iter().map(|x| x.0.clone()).collect::<Vec<_>>());
            }
            v
        })
        .collect();
    let doc = json!({ "Statement": statements });
    let mut out = Vec::new();
    check_policy(p, &Shape::new(&doc), kind, &mut out);
    out
}

fn codes(findings: &[Finding]) -> Vec<(Code, &str)> {
    findings.iter().map(|f| (f.code, f.path.as_str())).collect()
}

#[test]
fn clean_least_privilege_policy_has_no_findings() {
    let p = policy(vec![stmt(
        0,
        Effect::Allow,
        &["s3:ListAllMyBuckets"],
        &["*"],
    )]);
    assert_eq!(run(&p, PolicyKind::Managed), vec![]);
}

#[test]
fn unknown_service_and_action_with_did_you_mean() {
    let p = policy(vec![stmt(
        0,
        Effect::Allow,
        &[
            "s3:ListAllMyBuckets",
            "s3:ListAllMyBucketz",
            "lamda:InvokeFunction",
            "s3",
        ],
        &["*"],
    )]);
    let f = run(&p, PolicyKind::Managed);
    assert_eq!(
        codes(&f),
        vec![
            (Code::UnknownAction, "$.Statement[0].Action[1]"),
            (Code::UnknownService, "$.Statement[0].Action[2]"),
            (Code::InvalidAction, "$.Statement[0].Action[3]"),
        ]
    );
    assert!(
        f[0].message.contains("did you mean `s3:ListAllMyBuckets`"),
        "{}",
        f[0].message
    );
    assert!(
        f[1].message.contains("did you mean `lambda`"),
        "{}",
        f[1].message
    );
    assert!(f.iter().all(|x| x.severity == Severity::Error));
}

#[test]
fn wildcard_matching_nothing_is_a_warning() {
    let p = policy(vec![stmt(0, Effect::Allow, &["s3:Frobnicate*"], &["*"])]);
    let f = run(&p, PolicyKind::Managed);
    assert_eq!(
        codes(&f),
        vec![(Code::ActionMatchesNothing, "$.Statement[0].Action[0]")]
    );
    assert_eq!(f[0].severity, Severity::Warning);
}

#[test]
fn condition_keys_unknown_and_not_applicable() {
    let mut s = stmt(0, Effect::Allow, &["s3:GetObject"], &["*"]);
    let op = ConditionOperator::parse("StringEquals").unwrap();
    for key in [
        "aws:SourceIpp",
        "s3:prefix",
        "aws:PrincipalTag/team",
        "s3:ExistingObjectTag/env",
    ] {
        s.conditions.push(Condition {
            operator: op,
            key: key.to_string(),
            values: vec!["x".to_string()],
        });
    }
    let f = run(&policy(vec![s]), PolicyKind::Managed);
    assert_eq!(
        codes(&f),
        vec![
            (
                Code::UnknownConditionKey,
                "$.Statement[0].Condition.StringEquals.aws:SourceIpp"
            ),
            // Service Authorization Reference: s3:prefix is a key of ListBucket, not GetObject.
            (
                Code::ConditionKeyNotApplicable,
                "$.Statement[0].Condition.StringEquals.s3:prefix"
            ),
        ]
    );
    assert!(f[0].message.contains("did you mean `aws:SourceIp`"));
}

#[test]
fn allow_not_action_not_resource_and_star_on_star_are_security_warnings() {
    let mut s0 = stmt(0, Effect::Allow, &["iam:*"], &["*"]);
    s0.action = ActionClause::NotAction(vec![ActionPattern("iam:*".into())]);
    let mut s1 = stmt(1, Effect::Allow, &["s3:GetObject"], &["*"]);
    s1.resource = Some(ResourceClause::NotResource(vec![ResourcePattern(
        "*".into(),
    )]));
    let s2 = stmt(2, Effect::Allow, &["*"], &["*"]);
    let f = run(&policy(vec![s0, s1, s2]), PolicyKind::Managed);
    let sec: Vec<_> = f
        .iter()
        .filter(|x| x.severity == Severity::SecurityWarning)
        .map(|x| (x.code, x.path.as_str()))
        .collect();
    assert_eq!(
        sec,
        vec![
            (Code::AllowWithNotAction, "$.Statement[0].NotAction"),
            (Code::AllowWithNotResource, "$.Statement[1].NotResource"),
            (Code::AllowAllActionsAllResources, "$.Statement[2]"),
        ]
    );
}

#[test]
fn pass_role_on_star_is_a_security_warning_also_through_wildcards() {
    for action in ["iam:PassRole", "iam:Pass*", "IAM:*"] {
        let p = policy(vec![stmt(0, Effect::Allow, &[action], &["*"])]);
        let f = run(&p, PolicyKind::Managed);
        assert_eq!(
            codes(&f),
            vec![(Code::PassRoleWithStarResource, "$.Statement[0].Resource[0]")],
            "{action}"
        );
    }
    // A Deny of PassRole on * is not a grant.
    let p = policy(vec![stmt(0, Effect::Deny, &["iam:PassRole"], &["*"])]);
    assert_eq!(run(&p, PolicyKind::Managed), vec![]);
}

#[test]
fn duplicate_redundant_and_shadowed_statements() {
    let a = stmt(0, Effect::Allow, &["s3:GetObject"], &["*"]);
    let dup = stmt(1, Effect::Allow, &["s3:GetObject"], &["*"]);
    let f = run(&policy(vec![a.clone(), dup]), PolicyKind::Managed);
    assert_eq!(
        codes(&f),
        vec![(Code::DuplicateStatement, "$.Statement[1]")]
    );

    // s3:* on * covers s3:Get* on *: the narrower one is redundant.
    let narrow = stmt(0, Effect::Allow, &["s3:Get*"], &["*"]);
    let wide = stmt(1, Effect::Allow, &["s3:*"], &["*"]);
    let f = run(
        &policy(vec![narrow.clone(), wide.clone()]),
        PolicyKind::Managed,
    );
    assert_eq!(
        codes(&f),
        vec![(Code::RedundantStatement, "$.Statement[0]")]
    );
    assert_eq!(f[0].severity, Severity::Suggestion);

    // A conditional wide Allow does not make the narrow one redundant.
    let mut cond_wide = wide.clone();
    cond_wide.conditions.push(Condition {
        operator: ConditionOperator::parse("Bool").unwrap(),
        key: "aws:SecureTransport".into(),
        values: vec!["true".into()],
    });
    let f = run(
        &policy(vec![narrow.clone(), cond_wide]),
        PolicyKind::Managed,
    );
    assert_eq!(codes(&f), vec![]);

    // An unconditional Deny of s3:* shadows the Allow.
    let deny = stmt(1, Effect::Deny, &["s3:*"], &["*"]);
    let f = run(&policy(vec![narrow, deny]), PolicyKind::Managed);
    assert_eq!(codes(&f), vec![(Code::ShadowedByDeny, "$.Statement[0]")]);

    // Two lists naming the same actions cover each other: only the later is reported.
    let x = stmt(0, Effect::Allow, &["s3:GetObject", "s3:PutObject"], &["*"]);
    let y = stmt(1, Effect::Allow, &["s3:PutObject", "s3:GetObject"], &["*"]);
    let f = run(&policy(vec![x, y]), PolicyKind::Managed);
    assert_eq!(
        codes(&f),
        vec![(Code::RedundantStatement, "$.Statement[1]")]
    );

    // `s3:GetObjec?` (only s3:GetObject) is covered by `s3:GetObject*`, through the
    // catalogue's concrete actions; the converse does not hold (GetObjectAcl...).
    let q = stmt(0, Effect::Allow, &["s3:GetObject*"], &["*"]);
    let r = stmt(1, Effect::Allow, &["s3:GetObjec?"], &["*"]);
    let f = run(&policy(vec![q, r]), PolicyKind::Managed);
    assert_eq!(
        codes(&f),
        vec![(Code::RedundantStatement, "$.Statement[1]")]
    );
}

#[test]
fn duplicate_sid_is_an_error() {
    let mut a = stmt(0, Effect::Allow, &["s3:GetObject"], &["*"]);
    a.sid = Some("Read".into());
    let mut b = stmt(1, Effect::Allow, &["s3:PutObject"], &["*"]);
    b.sid = Some("Read".into());
    let f = run(&policy(vec![a, b]), PolicyKind::Managed);
    assert_eq!(codes(&f), vec![(Code::DuplicateSid, "$.Statement[1].Sid")]);
}

#[test]
fn principal_rules_depend_on_the_kind() {
    let mut s = stmt(0, Effect::Allow, &["s3:GetObject"], &["*"]);
    s.principal = Some(PrincipalClause::Principal(Principals::Any));
    let p = policy(vec![s.clone()]);
    assert_eq!(
        codes(&run(&p, PolicyKind::InlineRole)),
        vec![(Code::PrincipalNotAllowed, "$.Statement[0].Principal")]
    );
    assert_eq!(codes(&run(&p, PolicyKind::Resource)), vec![]);
    s.principal = None;
    let mut no_resource = s.clone();
    no_resource.resource = None;
    assert_eq!(
        codes(&run(
            &policy(vec![no_resource.clone()]),
            PolicyKind::Managed
        )),
        vec![(Code::MissingResource, "$.Statement[0]")]
    );
    no_resource.principal = Some(PrincipalClause::Principal(Principals::Any));
    assert_eq!(
        codes(&run(&policy(vec![no_resource]), PolicyKind::Trust)),
        vec![]
    );
    assert_eq!(
        codes(&run(&policy(vec![s]), PolicyKind::Resource)),
        vec![(Code::MissingPrincipal, "$.Statement[0]")]
    );
}

#[test]
fn missing_version_is_reported() {
    let mut p = policy(vec![stmt(
        0,
        Effect::Allow,
        &["s3:ListAllMyBuckets"],
        &["*"],
    )]);
    p.version_given = false;
    p.version = PolicyVersion::V2008_10_17;
    let f = run(&p, PolicyKind::Managed);
    assert_eq!(codes(&f), vec![(Code::MissingVersion, "$")]);
    assert_eq!(f[0].severity, Severity::Suggestion);
}

#[test]
fn size_quotas_per_kind() {
    // IAM quotas: managed 6,144 characters not counting white space; SCPs (Organizations
    // quotas) 5,120 characters as given.
    let body = "x".repeat(6_144);
    assert_eq!(kind::check_size(&body, PolicyKind::Managed), None);
    let spaced = format!("{body}   \n  ");
    assert_eq!(kind::check_size(&spaced, PolicyKind::Managed), None);
    let over = kind::check_size(&format!("{body}y"), PolicyKind::Managed).unwrap();
    assert_eq!(
        (over.code, over.severity),
        (Code::PolicyTooLarge, Severity::Error)
    );
    assert!(over.message.contains("6145") && over.message.contains("6144"));
    let scp = format!("{}{}", "x".repeat(5_000), " ".repeat(200));
    assert!(kind::check_size(&scp, PolicyKind::Scp).is_some());
    assert!(kind::check_size(&"x".repeat(2_049), PolicyKind::InlineUser).is_some());
    assert!(kind::check_size(&"x".repeat(2_049), PolicyKind::InlineGroup).is_none());
    assert!(kind::check_size(&"x".repeat(10_241), PolicyKind::InlineRole).is_some());
    let res = kind::check_size(&"x".repeat(20_481), PolicyKind::Resource).unwrap();
    assert_eq!(res.severity, Severity::Warning);
}

#[test]
fn paths_follow_the_written_shape() {
    // A lone statement object and lone strings have no index in the path.
    let doc = json!({"Statement": {"Action": "s3:GetObjekt", "Resource": "*"}});
    let shape = Shape::new(&doc);
    assert_eq!(shape.statement(0), "$.Statement");
    assert_eq!(
        shape.item(0, "Action", "s3:GetObjekt"),
        "$.Statement.Action"
    );
    let doc = json!({"Statement": [{}, {"Action": ["a:B", "c:D"], "Resource": ["*"]}]});
    let shape = Shape::new(&doc);
    assert_eq!(shape.item(1, "Action", "c:D"), "$.Statement[1].Action[1]");
    assert_eq!(shape.item(1, "Resource", "*"), "$.Statement[1].Resource[0]");
    assert_eq!(
        shape.condition(1, "StringEquals", "aws:SourceVpc"),
        "$.Statement[1].Condition.StringEquals.aws:SourceVpc"
    );
}

fn with_condition(op: &str, key: &str, value: &str) -> Policy {
    let mut s = stmt(0, Effect::Allow, &["ec2:RunInstances"], &["*"]);
    s.conditions.push(Condition {
        operator: ConditionOperator::parse(op).unwrap(),
        key: key.to_string(),
        values: vec![value.to_string()],
    });
    policy(vec![s])
}

#[test]
fn set_operators_follow_the_key_cardinality() {
    // IAM User Guide, "Multivalued context keys": aws:TagKeys is multivalued,
    // aws:RequestTag/${TagKey} single-valued.
    let f = run(
        &with_condition("ForAllValues:StringEquals", "aws:RequestTag/team", "a"),
        PolicyKind::Managed,
    );
    assert_eq!(
        codes(&f),
        vec![(
            Code::SetOperatorOnSingleValuedKey,
            "$.Statement[0].Condition.ForAllValues:StringEquals.aws:RequestTag/team"
        )]
    );
    assert!(f[0].message.contains("also true when the key is missing"));
    let f = run(
        &with_condition("StringEquals", "aws:TagKeys", "team"),
        PolicyKind::Managed,
    );
    assert_eq!(
        codes(&f),
        vec![(
            Code::MultivaluedKeyWithoutSetOperator,
            "$.Statement[0].Condition.StringEquals.aws:TagKeys"
        )]
    );
    let ok = with_condition("ForAllValues:StringEquals", "aws:TagKeys", "team");
    assert_eq!(run(&ok, PolicyKind::Managed), vec![]);
    // Null only asks whether the key is present: no cardinality rule.
    let null = with_condition("Null", "aws:TagKeys", "true");
    assert_eq!(run(&null, PolicyKind::Managed), vec![]);
}

#[test]
fn typed_operators_must_fit_the_key_type() {
    // aws:SourceIp is an IP address, aws:MultiFactorAuthPresent a boolean,
    // aws:MultiFactorAuthAge a number, aws:CurrentTime a date.
    let cases = [
        ("StringLike", "aws:SourceIp", "10.*", true),
        ("IpAddress", "aws:SourceIp", "10.0.0.0/8", false),
        ("IpAddress", "aws:PrincipalAccount", "10.0.0.0/8", true),
        ("Bool", "aws:PrincipalAccount", "true", true),
        ("Bool", "aws:MultiFactorAuthPresent", "true", false),
        ("NumericLessThan", "aws:MultiFactorAuthAge", "3600", false),
        ("NumericLessThan", "aws:CurrentTime", "3600", true),
        (
            "DateLessThan",
            "aws:CurrentTime",
            "2030-01-01T00:00:00Z",
            false,
        ),
        ("StringEquals", "aws:MultiFactorAuthPresent", "true", false),
    ];
    for (op, key, value, mismatch) in cases {
        let f = run(&with_condition(op, key, value), PolicyKind::Managed);
        let got = f.iter().any(|x| x.code == Code::ConditionTypeMismatch);
        assert_eq!(got, mismatch, "{op} {key}: {f:?}");
    }
}

#[test]
fn resource_control_policies_deny_with_principal_star() {
    // AWS Organizations, "RCP syntax": Principal must be "*"; Allow only as in
    // RCPFullAWSAccess.
    let mut deny = stmt(0, Effect::Deny, &["s3:*"], &["*"]);
    deny.principal = Some(PrincipalClause::Principal(Principals::Any));
    assert_eq!(run(&policy(vec![deny.clone()]), PolicyKind::Rcp), vec![]);
    let mut named = deny.clone();
    named.principal = Some(PrincipalClause::Principal(Principals::Specific(vec![
        facts::policy::PrincipalEntry::Aws("111122223333".into()),
    ])));
    assert_eq!(
        codes(&run(&policy(vec![named]), PolicyKind::Rcp)),
        vec![(Code::UnsupportedForKind, "$.Statement[0].Principal")]
    );
    let mut allow = deny.clone();
    allow.effect = Effect::Allow;
    assert_eq!(
        codes(&run(&policy(vec![allow]), PolicyKind::Rcp)),
        vec![(Code::UnsupportedForKind, "$.Statement[0].Effect")]
    );
    let mut full = stmt(0, Effect::Allow, &["*"], &["*"]);
    full.principal = Some(PrincipalClause::Principal(Principals::Any));
    let f = run(&policy(vec![full]), PolicyKind::Rcp);
    assert!(
        f.iter().all(|x| x.code != Code::UnsupportedForKind),
        "{f:?}"
    );
    let mut no_principal = deny;
    no_principal.principal = None;
    assert_eq!(
        codes(&run(&policy(vec![no_principal]), PolicyKind::Rcp)),
        vec![(Code::MissingPrincipal, "$.Statement[0]")]
    );
}

/// Codes and paths of the findings for a document given as JSON text.
fn text_codes(text: &str, kind: PolicyKind) -> Vec<(Code, String)> {
    validate_policy(text, kind)
        .into_iter()
        .map(|f| (f.code, f.path))
        .collect()
}

/// A one-statement document around `extra` statement members.
fn doc(extra: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"s3:GetObject",{extra}}}]}}"#
    )
}

#[test]
fn condition_values_the_operator_cannot_read_are_errors_at_the_value() {
    // IAM User Guide, "Condition operators": each typed family reads one kind of value
    // (dates, numbers, IP addresses/CIDR, true/false, base64, ARNs).
    let text = doc(r#""Resource":"arn:aws:s3:::b/*","Condition":{
        "DateLessThan":{"aws:CurrentTime":"garbage"},
        "DateGreaterThan":{"aws:EpochTime":["2020-01-01T00:00:00Z","1700000000"]},
        "IpAddress":{"aws:SourceIp":["10.0.0.0/8","300.1.1.1/8","10.0.0.0/33"]},
        "NumericLessThan":{"aws:MultiFactorAuthAge":"x"},
        "Bool":{"aws:SecureTransport":"maybe"},
        "Null":{"aws:TokenIssueTime":"perhaps"},
        "ArnLike":{"aws:SourceArn":["notarn","arn:aws:sns:*:*:t","arn:aws:s3"]},
        "StringEquals":{"aws:PrincipalAccount":"${aws:username}"}}"#);
    let got: Vec<(Code, String)> = text_codes(&text, PolicyKind::Managed)
        .into_iter()
        .filter(|(c, _)| *c == Code::ConditionValueInvalid)
        .collect();
    let want = [
        "$.Statement[0].Condition.DateLessThan.aws:CurrentTime",
        "$.Statement[0].Condition.IpAddress.aws:SourceIp[1]",
        "$.Statement[0].Condition.IpAddress.aws:SourceIp[2]",
        "$.Statement[0].Condition.NumericLessThan.aws:MultiFactorAuthAge",
        "$.Statement[0].Condition.Bool.aws:SecureTransport",
        "$.Statement[0].Condition.Null.aws:TokenIssueTime",
        "$.Statement[0].Condition.ArnLike.aws:SourceArn[0]",
        "$.Statement[0].Condition.ArnLike.aws:SourceArn[2]",
    ];
    let want: Vec<(Code, String)> = want
        .iter()
        .map(|p| (Code::ConditionValueInvalid, p.to_string()))
        .collect();
    assert_eq!(got, want);
    let f = validate_policy(&text, PolicyKind::Managed);
    assert!(f
        .iter()
        .filter(|x| x.code == Code::ConditionValueInvalid)
        .all(|x| x.severity == Severity::Error));
}

#[test]
fn arn_parts_partition_service_region_account_and_resource_are_checked() {
    // IAM User Guide, "IAM identifiers": arn:partition:service:region:account-id:resource,
    // account ids are 12 digits (S3 ARNs leave region and account empty).
    let text = doc(
        r#""Resource":["arn::s3:::b","arn:aws:s3:::","arn:aws:s3:nowhere-1::b/*",
        "arn:aws:ec2:us-east-1:12:instance/*","arn:aws:ec2:us-east-1:abc:instance/*",
        "arn:foo:s3:::b","arn:aws::us-east-1:111122223333:x",
        "arn:aws:s3:::b/*","arn:aws:ec2:us-gov-west-1:111122223333:instance/*",
        "arn:aws:ec2:*:*:instance/*","arn:aws:iam::aws:policy/x","arn:aws:ec2:${aws:RequestedRegion}:111122223333:instance/*"]"#,
    );
    let got: Vec<String> = text_codes(&text, PolicyKind::Managed)
        .into_iter()
        .filter(|(c, _)| *c == Code::InvalidArn)
        .map(|(_, p)| p)
        .collect();
    let want: Vec<String> = (0..7)
        .map(|i| format!("$.Statement[0].Resource[{i}]"))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn principal_values_must_be_in_aws_forms_without_partial_wildcards() {
    // IAM User Guide, "Principal": account ids, IAM/STS ARNs, service names; "you cannot
    // use a wildcard to match part of a principal name or ARN".
    let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",
        "Resource":"arn:aws:s3:::b/*","Principal":{
        "AWS":["12345","notarn","arn:aws:iam::111111111111:user/*","arn:aws:iam::11111111111*:root",
               "111111111111","arn:aws:iam::111111111111:root","arn:aws:sts::111111111111:assumed-role/r/s",
               "AROAEXAMPLEEXAMPLE123","*","arn:aws:s3:::b"],
        "Service":["notaservice","ec2.amazonaws.com","*"],
        "Federated":["cognito-identity.amazonaws.com","arn:aws:iam::111111111111:saml-provider/p"],
        "CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}}]}"#;
    let f = validate_policy(text, PolicyKind::Resource);
    let got: Vec<(&str, Severity)> = f
        .iter()
        .filter(|x| x.code == Code::InvalidPrincipal)
        .map(|x| (x.path.as_str(), x.severity))
        .collect();
    assert_eq!(
        got,
        vec![
            ("$.Statement[0].Principal.AWS[0]", Severity::Error),
            ("$.Statement[0].Principal.AWS[1]", Severity::Error),
            ("$.Statement[0].Principal.AWS[2]", Severity::Error),
            ("$.Statement[0].Principal.AWS[3]", Severity::Error),
            ("$.Statement[0].Principal.AWS[9]", Severity::Error),
            ("$.Statement[0].Principal.Service[0]", Severity::Warning),
            ("$.Statement[0].Principal.Service[2]", Severity::Warning),
        ]
    );
    // A whole `*` is not a partial wildcard: the message is about the service-name form.
    assert!(f
        .iter()
        .any(|x| x.path == "$.Statement[0].Principal.Service[2]"
            && x.message.contains("service name")
            && !x.message.contains("wildcard")));
    assert!(f
        .iter()
        .any(|x| x.path == "$.Statement[0].Principal.AWS[2]" && x.message.contains("wildcard")));
}

#[test]
fn condition_keys_differing_only_in_case_are_duplicates() {
    // IAM User Guide, "Condition": condition key names are not case sensitive.
    let text = doc(
        r#""Resource":"*","Condition":{"StringEquals":{"aws:username":"a","aws:UserName":"b"},
        "StringLike":{"aws:userid":"x"}}"#,
    );
    let got: Vec<(Code, String)> = text_codes(&text, PolicyKind::Managed)
        .into_iter()
        .filter(|(c, _)| *c == Code::DuplicateConditionKey)
        .collect();
    assert_eq!(
        got,
        vec![(
            Code::DuplicateConditionKey,
            "$.Statement[0].Condition.StringEquals.aws:UserName".to_string()
        )]
    );
}

#[test]
fn empty_statement_action_resource_and_value_lists_are_warnings() {
    let empty_statements = r#"{"Version":"2012-10-17","Statement":[]}"#;
    assert_eq!(
        text_codes(empty_statements, PolicyKind::Managed),
        vec![(Code::EmptyElement, "$.Statement".to_string())]
    );
    let text = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":[],"Resource":"arn:aws:s3:::b/*"},
        {"Effect":"Allow","Action":"s3:GetObject","Resource":[]},
        {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*",
         "Condition":{"StringEquals":{"aws:username":[]}}}]}"#;
    let got: Vec<(Code, String)> = text_codes(text, PolicyKind::Managed)
        .into_iter()
        .filter(|(c, _)| *c == Code::EmptyElement)
        .collect();
    let want = [
        "$.Statement[0].Action",
        "$.Statement[1].Resource",
        "$.Statement[2].Condition.StringEquals.aws:username",
    ];
    assert_eq!(
        got,
        want.iter()
            .map(|p| (Code::EmptyElement, p.to_string()))
            .collect::<Vec<_>>()
    );
}

#[test]
fn malformed_policy_variables_are_warnings() {
    // IAM User Guide, "Variables and tags": `${key}`, default in single quotes.
    let text = doc(
        r#""Resource":["arn:aws:s3:::b/${aws:username","arn:aws:s3:::b/${}",
        "arn:aws:s3:::b/${aws:username, \"x\"}","arn:aws:s3:::b/${aws:username, 'x'}/*",
        "arn:aws:s3:::b/${*}"],
        "Condition":{"StringLike":{"s3:prefix":["${aws:username","home/${aws:username}/*"]}}"#,
    );
    let got: Vec<String> = text_codes(&text, PolicyKind::Managed)
        .into_iter()
        .filter(|(c, _)| *c == Code::MalformedVariable)
        .map(|(_, p)| p)
        .collect();
    assert_eq!(
        got,
        vec![
            "$.Statement[0].Resource[0]",
            "$.Statement[0].Resource[1]",
            "$.Statement[0].Resource[2]",
            "$.Statement[0].Condition.StringLike.s3:prefix[0]",
        ]
    );
}

#[test]
fn parser_shape_errors_on_actions_and_resources_have_their_own_codes() {
    let text = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow",
        "Action":["s3:GetObject","s3"],"Resource":"bucket","Sid":5}}"#;
    assert_eq!(
        text_codes(text, PolicyKind::Managed),
        vec![
            (Code::Syntax, "$.Statement.Sid".to_string()),
            (Code::InvalidAction, "$.Statement.Action[1]".to_string()),
            (Code::InvalidArn, "$.Statement.Resource".to_string()),
        ]
    );
}

#[test]
fn shadowed_by_deny_is_reported_even_when_also_redundant() {
    // "Policy evaluation logic": an explicit deny overrides any allow, so the statement
    // never grants anything; that matters more than its redundancy.
    let all = stmt(0, Effect::Allow, &["*"], &["*"]);
    let deny = stmt(1, Effect::Deny, &["s3:*"], &["*"]);
    let put = stmt(2, Effect::Allow, &["s3:PutObject"], &["arn:aws:s3:::b/*"]);
    let f = run(&policy(vec![all, deny, put]), PolicyKind::Managed);
    assert_eq!(
        codes(&f),
        vec![
            (Code::AllowAllActionsAllResources, "$.Statement[0]"),
            (Code::ShadowedByDeny, "$.Statement[2]"),
        ]
    );
}
