//! Parser tests: the grammar of "IAM JSON policy element reference" / "Grammar of the IAM
//! JSON policy language", and every error kind asserted with its JSON path.

use super::*;
use crate::condition::{BaseOperator, SetQualifier};
use crate::policy::{
    ActionClause, ActionPattern, Effect, PolicyVersion, PrincipalClause, PrincipalEntry,
    Principals, ResourceClause, ResourcePattern,
};

/// The errors of `json` as `path: message` lines.
fn errors(json: &str) -> Vec<String> {
    match parse_policy(json) {
        Ok(p) => panic!("expected errors, parsed {p:?}"),
        Err(e) => e.0.iter().map(|e| e.to_string()).collect(),
    }
}

fn ok(json: &str) -> Policy {
    parse_policy(json).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn full_statement_round_trip() {
    let p = ok(r#"{
      "Version": "2012-10-17",
      "Id": "doc-1",
      "Statement": [{
        "Sid": "One",
        "Effect": "Allow",
        "Principal": {"AWS": ["111122223333", "arn:aws:iam::111122223333:root"],
                      "Service": "lambda.amazonaws.com",
                      "Federated": "cognito-identity.amazonaws.com",
                      "CanonicalUser": "abc"},
        "Action": ["s3:GetObject", "s3:List*"],
        "Resource": "arn:aws:s3:::b/*",
        "Condition": {
          "ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["a*", "b"]},
          "NumericLessThan": {"s3:max-keys": 10},
          "Bool": {"aws:SecureTransport": true}
        }
      }]
    }"#);
    assert_eq!(p.version, PolicyVersion::V2012_10_17);
    assert!(p.version_given);
    assert_eq!(p.id.as_deref(), Some("doc-1"));
    let s = &p.statements[0];
    assert_eq!(s.sid.as_deref(), Some("One"));
    assert_eq!(s.effect, Effect::Allow);
    assert_eq!(
        s.action,
        ActionClause::Action(vec![
            ActionPattern("s3:GetObject".into()),
            ActionPattern("s3:List*".into())
        ])
    );
    assert_eq!(
        s.resource,
        Some(ResourceClause::Resource(vec![ResourcePattern(
            "arn:aws:s3:::b/*".into()
        )]))
    );
    let Some(PrincipalClause::Principal(Principals::Specific(entries))) = &s.principal else {
        panic!("principal {:?}", s.principal);
    };
    assert_eq!(entries.len(), 5);
    assert!(entries.contains(&PrincipalEntry::Service("lambda.amazonaws.com".into())));
    assert!(entries.contains(&PrincipalEntry::CanonicalUser("abc".into())));
    assert_eq!(s.conditions.len(), 3);
    let c = &s.conditions[0];
    assert_eq!(c.operator.qualifier, Some(SetQualifier::ForAnyValue));
    assert_eq!(c.operator.base, BaseOperator::StringLike);
    assert!(c.operator.if_exists);
    assert_eq!(c.values, vec!["a*", "b"]);
    // JSON numbers and booleans become their text.
    assert_eq!(s.conditions[1].values, vec!["10"]);
    assert_eq!(s.conditions[2].values, vec!["true"]);
}

#[test]
fn version_absent_defaults_to_2008_and_lone_statement_object() {
    // Version element: "If you do not include a Version element, the value defaults to
    // 2008-10-17".
    let p = ok(r#"{"Statement":{"Effect":"Deny","NotAction":"iam:*","NotResource":"*"}}"#);
    assert_eq!(p.version, PolicyVersion::V2008_10_17);
    assert!(!p.version_given);
    assert_eq!(p.statements.len(), 1);
    assert_eq!(p.statements[0].index, 0);
    assert!(matches!(p.statements[0].action, ActionClause::NotAction(_)));
    assert!(matches!(
        p.statements[0].resource,
        Some(ResourceClause::NotResource(_))
    ));
    let old = ok(r#"{"Version":"2008-10-17","Statement":[]}"#);
    assert_eq!(old.version, PolicyVersion::V2008_10_17);
    assert!(old.version_given);
}

#[test]
fn principal_star_and_not_principal() {
    let p = ok(r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"},
        {"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::1:user/a"},"Action":"*","Resource":"*"}]}"#);
    assert_eq!(
        p.statements[0].principal,
        Some(PrincipalClause::Principal(Principals::Any))
    );
    assert!(matches!(
        p.statements[1].principal,
        Some(PrincipalClause::NotPrincipal(Principals::Specific(_)))
    ));
    assert_eq!(p.statements[1].index, 1);
}

#[test]
fn bom_is_stripped_and_lenient_forms_decode() {
    let doc =
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#;
    assert!(parse_policy(&format!("\u{feff}{doc}")).is_ok());
    // A JSON string holding the document (GAAD, CLIs).
    let as_string = serde_json::to_string(doc).unwrap();
    assert_eq!(parse_policy_lenient(&as_string).unwrap(), ok(doc));
    // URL-encoded JSON (IAM API).
    let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22*%22%2C%22Resource%22%3A%22*%22%7D%7D";
    assert_eq!(parse_policy_lenient(encoded).unwrap(), ok(doc));
    // A JSON string holding URL-encoded JSON.
    let both = serde_json::to_string(encoded).unwrap();
    assert_eq!(parse_policy_lenient(&both).unwrap(), ok(doc));
    // And a plain object.
    assert_eq!(parse_policy_lenient(doc).unwrap(), ok(doc));
    let bad = parse_policy_lenient("%7B%ZZ").unwrap_err();
    assert!(matches!(
        bad.0[0].kind,
        PolicyErrorKind::InvalidValue { .. }
    ));
}

#[test]
fn error_malformed_json_has_line_and_column() {
    let e = parse_policy("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n}").unwrap_err();
    match &e.0[0].kind {
        PolicyErrorKind::Json { line, column, .. } => {
            assert_eq!(*line, 4);
            assert_eq!(*column, 1);
        }
        other => panic!("{other:?}"),
    }
    assert!(e
        .to_string()
        .starts_with("malformed JSON at line 4, column 1"));
}

#[test]
fn error_unknown_elements_at_each_level() {
    assert_eq!(
        errors(r#"{"Version":"2012-10-17","Statment":[]}"#),
        vec![
            "$.Statment: unknown element `Statment`",
            "$: missing required element `Statement`"
        ]
    );
    assert_eq!(
        errors(r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","effect":"Deny"}]}"#),
        vec!["$.Statement[0].effect: unknown element `effect`"]
    );
    assert_eq!(
        errors(r#"{"Statement":{"Effect":"Allow","Action":"*","Principal":{"Aws":"*"}}}"#),
        vec!["$.Statement.Principal.Aws: unknown element `Aws`"]
    );
}

#[test]
fn error_missing_effect_and_action() {
    assert_eq!(
        errors(
            r#"{"Statement":[{"Action":"*","Resource":"*"},{"Effect":"Allow","Resource":"*"}]}"#
        ),
        vec![
            "$.Statement[0]: missing required element `Effect`",
            "$.Statement[1]: missing required element `Action`"
        ]
    );
}

#[test]
fn error_conflicting_pairs() {
    assert_eq!(
        errors(
            r#"{"Statement":{"Effect":"Allow","Action":"*","NotAction":"s3:*","Resource":"*","NotResource":"*","Principal":"*","NotPrincipal":"*"}}"#
        ),
        vec![
            "$.Statement: `Action` and `NotAction` cannot both appear in one statement",
            "$.Statement: `Resource` and `NotResource` cannot both appear in one statement",
            "$.Statement: `Principal` and `NotPrincipal` cannot both appear in one statement"
        ]
    );
}

#[test]
fn error_invalid_values_version_effect_action_principal() {
    assert_eq!(
        errors(r#"{"Version":"2012-10-18","Statement":[]}"#),
        vec!["$.Version: invalid value `2012-10-18`: the policy version must be `2012-10-17` or `2008-10-17`"]
    );
    assert_eq!(
        errors(r#"{"Statement":[{"Effect":"allow","Action":"*"}]}"#),
        vec!["$.Statement[0].Effect: invalid value `allow`: the effect must be `Allow` or `Deny`"]
    );
    let e = errors(r#"{"Statement":[{"Effect":"Allow","Action":["s3:Get*","GetObject","s3:"]}]}"#);
    assert_eq!(e.len(), 2);
    assert!(
        e[0].starts_with("$.Statement[0].Action[1]: invalid value `GetObject`"),
        "{e:?}"
    );
    assert!(
        e[1].starts_with("$.Statement[0].Action[2]: invalid value `s3:`"),
        "{e:?}"
    );
    let e = errors(
        r#"{"Statement":[{"Effect":"Allow","Action":"*","Principal":"arn:aws:iam::1:root"}]}"#,
    );
    assert!(
        e[0].starts_with("$.Statement[0].Principal: invalid value"),
        "{e:?}"
    );
}

#[test]
fn error_invalid_arn_with_its_path() {
    let e = errors(
        r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":["*","arn:aws:s3:::ok","bucket-name","arn:aws:s3"]}]}"#,
    );
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(
        e[0].starts_with("$.Statement[0].Resource[2]: invalid ARN `bucket-name`"),
        "{e:?}"
    );
    assert!(
        e[1].starts_with("$.Statement[0].Resource[3]: invalid ARN `arn:aws:s3`"),
        "{e:?}"
    );
    // Accepted: a short ARN ending in `*` (as AWS-managed policies use), variables.
    ok(
        r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":["arn:aws:waf:*","arn:aws:s3:::b/${aws:username}"]}}"#,
    );
}

#[test]
fn error_unknown_operator() {
    assert_eq!(
        errors(
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqualz":{"a:b":"c"},"NullIfExists":{"a:b":"true"}}}]}"#
        ),
        vec![
            "$.Statement[0].Condition.StringEqualz: unknown condition operator `StringEqualz`",
            "$.Statement[0].Condition.NullIfExists: unknown condition operator `NullIfExists`"
        ]
    );
}

#[test]
fn error_wrong_types_with_expected_and_found() {
    assert_eq!(
        errors("[]"),
        vec!["$: expected a policy document (an object), found an array"]
    );
    assert_eq!(
        errors(r#"{"Version":2012,"Id":1,"Statement":"x"}"#),
        vec![
            "$.Version: expected a string, found a number",
            "$.Id: expected a string, found a number",
            "$.Statement: expected a statement object or an array of them, found a string"
        ]
    );
    assert_eq!(
        errors(
            r#"{"Statement":[1,{"Sid":5,"Effect":true,"Action":["s3:Get*",null],"Resource":{}}]}"#
        ),
        vec![
            "$.Statement[0]: expected a statement (an object), found a number",
            "$.Statement[1].Sid: expected a string, found a number",
            "$.Statement[1].Effect: expected a string, found a boolean",
            "$.Statement[1].Action[1]: expected a string, found null",
            "$.Statement[1].Resource: expected a string or an array of strings, found an object"
        ]
    );
    assert_eq!(
        errors(r#"{"Statement":{"Effect":"Allow","Action":"*","Condition":{"StringEquals":{"a:b":{"c":1}},"Bool":["x"],"StringLike":{"k:k":["a",[]]}}}}"#),
        vec![
            "$.Statement.Condition.StringEquals.a:b: expected a string, number or boolean, or an array of them, found an object",
            "$.Statement.Condition.Bool: expected an object of condition keys, found an array",
            "$.Statement.Condition.StringLike.k:k[1]: expected a string, number or boolean, found an array"
        ]
    );
    assert_eq!(
        errors(r#"{"Statement":{"Effect":"Allow","Action":"*","Condition":"x"}}"#),
        vec!["$.Statement.Condition: expected an object of condition operators, found a string"]
    );
    assert_eq!(
        errors(r#"{"Statement":{"Effect":"Allow","Action":"*","Principal":{"AWS":7}}}"#),
        vec!["$.Statement.Principal.AWS: expected a string or an array of strings, found a number"]
    );
}

#[test]
fn errors_are_all_collected_and_carry_the_file() {
    let e = parse_policy(
        r#"{"Statement":[{"Effect":"Maybe","Action":"*"},{"Effect":"Allow"},{"Effect":"Allow","Action":"x"}]}"#,
    )
    .unwrap_err()
    .with_file("p.json");
    assert_eq!(e.0.len(), 3);
    assert!(e
        .to_string()
        .starts_with("p.json: $.Statement[0].Effect: invalid value `Maybe`"));
}

#[test]
fn never_panics_on_odd_input() {
    for text in [
        "",
        " ",
        "null",
        "\"\"",
        "\"%\"",
        "0",
        "{",
        "}",
        "{\"Statement\":",
        "\u{feff}",
        "{\"Statement\":[[]]}",
        "{\"Statement\":{\"Condition\":{\"\":{\"\":[]}}}}",
        "%7B",
        "\"\\\"\\\"\"",
        "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"é:é\"}}",
    ] {
        let _ = parse_policy(text);
        let _ = parse_policy_lenient(text);
    }
}

#[test]
fn error_duplicate_keys_are_reported_not_dropped() {
    assert_eq!(
        errors(
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Action":"iam:*","Resource":"*"}],"Version":"2012-10-17","Version":"2012-10-17"}"#
        ),
        vec![
            "$.Statement[0].Action: `Action` is given more than once",
            "$.Version: `Version` is given more than once"
        ]
    );
    // Alongside the document's other errors.
    let e = errors(
        r#"{"Statement":{"Effect":"Maybe","Action":"*","Condition":{"StringEquals":{"k:k":"a","k:k":"b"}}}}"#,
    );
    assert_eq!(
        e,
        vec![
            "$.Statement.Condition.StringEquals.k:k: `k:k` is given more than once",
            "$.Statement.Effect: invalid value `Maybe`: the effect must be `Allow` or `Deny`"
        ]
    );
}
