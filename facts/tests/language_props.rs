//! Property tests of the policy language, run by `cargo test` on the stable toolchain (the
//! `cargo fuzz` targets in `fuzz/` need `RUSTC_BOOTSTRAP=1`):
//! - the parser never panics on JSON built from policy-shaped pieces, and its error list is
//!   never empty;
//! - the glob matcher agrees with a simple recursive model on random patterns biased to
//!   match;
//! - `Allow`/`NotAction` duality: for any action, exactly one of `Action: P` and
//!   `NotAction: P` applies.

use facts::eval::action_matches;
use facts::parse::{parse_policy, parse_policy_value};
use facts::policy::{ActionClause, ActionPattern};
use facts::wildcard::glob_match;
use proptest::prelude::*;
use serde_json::{Map, Value};

const NAMES: &[&str] = &[
    "Version",
    "Id",
    "Statement",
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Principal",
    "NotPrincipal",
    "Condition",
    "AWS",
    "Service",
    "Federated",
    "CanonicalUser",
    "StringEquals",
    "ForAllValues:StringLike",
    "NumericLessThanIfExists",
    "Null",
    "aws:SourceIp",
    "Bogus",
];

const STRINGS: &[&str] = &[
    "2012-10-17",
    "2008-10-17",
    "Allow",
    "Deny",
    "*",
    "s3:Get*",
    "arn:aws:s3:::b/*",
    "arn:aws:waf:*",
    "111122223333",
    "${aws:username}",
    "10.0.0.0/8",
    "true",
    "",
    "x",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| Value::Number(n.into())),
        prop::sample::select(STRINGS).prop_map(|s| Value::String(s.to_string())),
        "\\PC{0,12}".prop_map(Value::String),
    ]
}

fn json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        prop::sample::select(NAMES).prop_map(str::to_string),
                        "\\PC{0,8}"
                    ],
                    inner
                ),
                0..5
            )
            .prop_map(|kvs| Value::Object(kvs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Reference model of `*`/`?` globs.
fn model(p: &[char], t: &[char]) -> bool {
    match p.split_first() {
        None => t.is_empty(),
        Some(('*', rest)) => (0..=t.len()).any(|i| model(rest, &t[i..])),
        Some(('?', rest)) => !t.is_empty() && model(rest, &t[1..]),
        Some((c, rest)) => t.first() == Some(c) && model(rest, &t[1..]),
    }
}

/// A valid document covering every element; the mutation test replaces one part of it.
const TEMPLATE: &str = r#"{"Version":"2012-10-17","Id":"i","Statement":[{"Sid":"s","Effect":"Allow",
  "Principal":{"AWS":["111122223333"],"Service":"s.amazonaws.com"},"Action":["s3:Get*"],
  "Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:username":["a"]},
  "ForAnyValue:StringLike":{"aws:TagKeys":"x*"}}}]}"#;

const POINTERS: &[&str] = &[
    "",
    "/Version",
    "/Id",
    "/Statement",
    "/Statement/0",
    "/Statement/0/Sid",
    "/Statement/0/Effect",
    "/Statement/0/Principal",
    "/Statement/0/Principal/AWS",
    "/Statement/0/Principal/AWS/0",
    "/Statement/0/Action",
    "/Statement/0/Action/0",
    "/Statement/0/Resource",
    "/Statement/0/Condition",
    "/Statement/0/Condition/StringEquals",
    "/Statement/0/Condition/StringEquals/aws:username",
    "/Statement/0/Condition/StringEquals/aws:username/0",
    "/Statement/0/Condition/ForAnyValue:StringLike/aws:TagKeys",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parser_never_panics_and_reports_errors(doc in json()) {
        let text = doc.to_string();
        let from_text = parse_policy(&text);
        let from_value = parse_policy_value(&doc);
        prop_assert_eq!(from_text.is_ok(), from_value.is_ok());
        if let Err(e) = from_value {
            prop_assert!(!e.0.is_empty());
        }
    }

    #[test]
    fn parser_handles_any_replacement_of_any_element(at in prop::sample::select(POINTERS), with in json()) {
        let mut doc: Value = serde_json::from_str(TEMPLATE).map_err(|e| TestCaseError::fail(e.to_string()))?;
        if let Some(slot) = doc.pointer_mut(at) {
            *slot = with;
        }
        let r = parse_policy_value(&doc);
        if let Err(e) = r {
            prop_assert!(!e.0.is_empty());
            for err in &e.0 {
                // Every error points into the document (its path is printable and non-empty
                // below the root, unless the root itself is wrong).
                prop_assert!(!err.to_string().is_empty());
            }
        }
    }

    #[test]
    fn parser_never_panics_on_truncated_documents(doc in json(), cut in 0usize..200) {
        let text = doc.to_string();
        let end = text.char_indices().nth(cut).map_or(text.len(), |(i, _)| i);
        let _ = parse_policy(&text[..end]);
    }

    #[test]
    fn glob_agrees_with_model(p in "[ab*?:/]{0,8}", t in "[ab:/]{0,8}") {
        let pc: Vec<char> = p.chars().collect();
        let tc: Vec<char> = t.chars().collect();
        prop_assert_eq!(glob_match(&p, &t, false), model(&pc, &tc));
    }

    #[test]
    fn action_and_not_action_are_complements(p in "[a-c*?]{1,4}:[A-Ca-c*?]{0,4}", a in "[a-c]{1,3}:[A-Ca-c]{1,4}") {
        let pats = vec![ActionPattern(p)];
        let yes = action_matches(&ActionClause::Action(pats.clone()), &a);
        let no = action_matches(&ActionClause::NotAction(pats), &a);
        prop_assert!(yes != no);
    }
}
