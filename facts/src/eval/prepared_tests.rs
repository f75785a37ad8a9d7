//! [`PreparedStatement`] against the general matcher: on generated statements (actions,
//! resources with wildcards and policy variables, principals, conditions of every operator
//! family with qualifiers and `IfExists`, keys in any case, values with variables) and
//! generated requests (keys in any case, multivalued keys, keys in a shared layer), the
//! prepared statement must answer exactly what `statement_applies` answers.

use std::sync::Arc;

use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{json, Value};

use super::*;
use crate::parse::parse_policy;
use crate::request::ContextValue;

const ACTIONS: &[&str] = &[
    "*",
    "s3:GetObject",
    "S3:getobject",
    "s3:Get*",
    "s3:*Object",
    "s3:Get?bject",
    "kms:decrypt",
    "kms:*",
    "KMS:DECRYPT",
    "iam:Pass*",
    "*:List*",
    "s3:*t",
];

const RESOURCES: &[&str] = &[
    "*",
    "arn:aws:s3:::b/*",
    "arn:aws:s3:::b",
    "arn:aws:s3:::B/*",
    "arn:aws:s3:::b-*/k?y",
    "arn:aws:s3:::b*/*/*",
    "arn:aws:s3:::${aws:username}/*",
    "arn:aws:s3:::b/${aws:PrincipalTag/Team}/*",
    "arn:aws:s3:::b/${*}x",
    "arn:aws:s3:::b/${aws:username, 'dflt'}",
    "arn:aws:iam::*:user/${aws:username}",
    "arn:aws:*:*:111122223333:*",
    "arn:aws:s3:::b/$",
];

const PRINCIPALS: &[&str] = &[
    "*",
    "111122223333",
    "arn:aws:iam::111122223333:root",
    "arn:aws:iam::111122223333:role/r",
    "arn:aws:iam::111122223333:user/alice",
];

const OPERATORS: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "ForAnyValue:StringLike",
    "ForAllValues:StringEquals",
    "ForAllValues:StringNotLike",
    "StringEqualsIfExists",
    "StringNotLikeIfExists",
    "NumericLessThan",
    "NumericEquals",
    "DateGreaterThan",
    "DateLessThanEquals",
    "Bool",
    "BoolIfExists",
    "ForAnyValue:Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnLike",
    "ArnNotEquals",
    "ArnEquals",
    "Null",
];

const KEYS: &[&str] = &[
    "aws:username",
    "AWS:UserName",
    "aws:PrincipalTag/Team",
    "aws:principaltag/team",
    "aws:SourceIp",
    "aws:CurrentTime",
    "aws:MultiFactorAuthPresent",
    "s3:prefix",
    "aws:TagKeys",
    "aws:SourceArn",
    "aws:EpochTime",
];

const VALUES: &[&str] = &[
    "alice",
    "ALICE",
    "al*",
    "a?ice",
    "*",
    "${aws:username}",
    "x*${aws:username}",
    "${aws:PrincipalTag/Team, 'red'}",
    "${*}",
    "true",
    "FALSE",
    "10.0.0.0/8",
    "2020-01-01T00:00:00Z",
    "5",
    "1.50",
    "YWJj",
    "arn:aws:s3:::b/*",
    "arn:aws:*:*:*:b/${aws:username}",
    "red",
    "\u{212A}",
];

const REQUEST_ACTIONS: &[&str] = &[
    "s3:GetObject",
    "S3:GETOBJECT",
    "kms:Decrypt",
    "\u{212A}ms:Decrypt",
    "iam:PassRole",
    "s3:ListBucket",
    "s3:Get",
];

const REQUEST_RESOURCES: &[&str] = &[
    "arn:aws:s3:::b/alice/x",
    "arn:aws:s3:::b",
    "arn:aws:s3:::b-1/key",
    "arn:aws:s3:::alice/x",
    "*",
    "arn:aws:iam::111122223333:user/alice",
    "arn:aws:s3:::b/*x",
    "arn:aws:s3:::b/dflt",
    "arn:aws:s3:::b/red/k",
];

const CALLERS: &[&str] = &[
    "arn:aws:iam::111122223333:user/alice",
    "arn:aws:sts::111122223333:assumed-role/r/s",
    "arn:aws:iam::444455556666:user/bob",
];

const REQUEST_VALUES: &[&str] = &[
    "alice",
    "Alice",
    "alx",
    "red",
    "true",
    "True",
    "false",
    "10.1.2.3",
    "192.168.0.1",
    "2021-06-01T00:00:00Z",
    "4",
    "1.5",
    "YWJj",
    "arn:aws:s3:::b/alice",
    "k",
    "*",
];

fn pick(pool: &'static [&'static str]) -> impl Strategy<Value = &'static str> {
    select(pool)
}

fn list(pool: &'static [&'static str], max: usize) -> impl Strategy<Value = Vec<&'static str>> {
    proptest::collection::vec(pick(pool), 1..=max)
}

/// One statement as JSON.
fn statement() -> impl Strategy<Value = Value> {
    let conditions =
        proptest::collection::vec((pick(OPERATORS), pick(KEYS), list(VALUES, 3)), 0..=3);
    (
        any::<bool>(),
        (any::<bool>(), list(ACTIONS, 3)),
        proptest::option::of((any::<bool>(), list(RESOURCES, 3))),
        proptest::option::of((any::<bool>(), list(PRINCIPALS, 2))),
        conditions,
    )
        .prop_map(
            |(deny, (not_action, actions), resource, principal, conds)| {
                let mut s = serde_json::Map::new();
                s.insert("Effect".into(), json!(if deny { "Deny" } else { "Allow" }));
                let key = if not_action { "NotAction" } else { "Action" };
                s.insert(key.into(), json!(actions));
                if let Some((not, rs)) = resource {
                    let key = if not { "NotResource" } else { "Resource" };
                    s.insert(key.into(), json!(rs));
                }
                if let Some((not, ps)) = principal {
                    let key = if not { "NotPrincipal" } else { "Principal" };
                    if ps.first() == Some(&"*") && !not {
                        s.insert(key.into(), json!("*"));
                    } else {
                        s.insert(key.into(), json!({ "AWS": ps }));
                    }
                }
                let mut block = serde_json::Map::new();
                for (op, k, vs) in conds {
                    let entry = block
                        .entry(op.to_string())
                        .or_insert_with(|| json!({}))
                        .as_object_mut()
                        .map(|m| m.insert(k.to_string(), json!(vs)));
                    let _ = entry;
                }
                if !block.is_empty() {
                    s.insert("Condition".into(), Value::Object(block));
                }
                Value::Object(s)
            },
        )
}

/// A request: its context's keys are spread over its own keys and one shared layer.
fn request() -> impl Strategy<Value = Request> {
    let entries = proptest::collection::vec(
        (
            pick(KEYS),
            prop_oneof![
                pick(REQUEST_VALUES).prop_map(|v| ContextValue::Single(v.to_string())),
                proptest::collection::vec(pick(REQUEST_VALUES), 0..3).prop_map(|vs| {
                    ContextValue::Multi(vs.into_iter().map(String::from).collect())
                }),
            ],
            any::<bool>(),
        ),
        0..6,
    );
    (
        pick(CALLERS),
        pick(REQUEST_ACTIONS),
        pick(REQUEST_RESOURCES),
        entries,
    )
        .prop_map(|(caller, action, resource, entries)| {
            let (mut own, mut layer) = (Context::new(), Context::new());
            for (k, v, in_layer) in entries {
                if in_layer {
                    layer.insert_default(k, v);
                } else {
                    own.insert_default(k, v);
                }
            }
            own.add_layer(Arc::new(layer));
            Request {
                principal: RequestPrincipal::Aws {
                    arn: caller.to_string(),
                },
                action: action.to_string(),
                resource: resource.to_string(),
                context: own,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10000))]

    /// Every statement of a generated policy, prepared, answers as `statement_applies` on
    /// every generated request; without its principal, as the action, resource and
    /// condition matchers together.
    #[test]
    fn prepared_statements_answer_as_the_general_matcher(
        versioned in any::<bool>(),
        statements in proptest::collection::vec(statement(), 1..4),
        requests in proptest::collection::vec(request(), 1..6),
    ) {
        let mut doc = json!({ "Statement": statements });
        if versioned {
            doc["Version"] = json!("2012-10-17");
        }
        let parsed = parse_policy(&doc.to_string());
        prop_assume!(parsed.is_ok());
        let policy = parsed.unwrap_or_else(|_| unreachable!());
        let variables = policy.version.supports_variables();
        for stmt in &policy.statements {
            let prepared = PreparedStatement::new(&policy, stmt);
            for req in &requests {
                let general = statement_applies(&policy, stmt, req);
                prop_assert_eq!(prepared.applies(stmt, req), general, "{} on {:?}", doc, req);
                let action = action_matches(&stmt.action, &req.action);
                prop_assert_eq!(prepared.action_matches(stmt, &req.action), action);
                if action {
                    prop_assert_eq!(prepared.applies_given_action(stmt, req), general);
                }
                let without_principal = action_matches(&stmt.action, &req.action)
                    && stmt.resource.as_ref().is_none_or(|r| {
                        resource_clause_matches(r, &req.resource, &req.context, variables)
                    })
                    && stmt
                        .conditions
                        .iter()
                        .all(|c| condition_holds(c, &req.context, variables));
                prop_assert_eq!(prepared.applies_ignoring_principal(stmt, req), without_principal);
            }
        }
    }
}

/// The cases the generator is meant to reach do occur: a policy the parser accepts, whose
/// statements apply to some requests and not to others (so the property above compares
/// both answers, not only `false`).
#[test]
fn the_generated_cases_reach_both_answers() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut parsed, mut yes, mut no) = (0, 0, 0);
    for _ in 0..400 {
        let Ok(stmts) = proptest::collection::vec(statement(), 1..3).new_tree(&mut runner) else {
            continue;
        };
        let Ok(reqs) = proptest::collection::vec(request(), 4).new_tree(&mut runner) else {
            continue;
        };
        let doc = json!({ "Version": "2012-10-17", "Statement": stmts.current() });
        let Ok(policy) = parse_policy(&doc.to_string()) else {
            continue;
        };
        parsed += 1;
        for stmt in &policy.statements {
            let prepared = PreparedStatement::new(&policy, stmt);
            for req in reqs.current() {
                if prepared.applies(stmt, &req) {
                    yes += 1;
                } else {
                    no += 1;
                }
            }
        }
    }
    assert!(parsed > 100, "parsed {parsed}");
    assert!(yes > 50 && no > 50, "applies {yes}, not {no}");
}

/// The `AWS` principal entry rule as written before the caller was split once per statement:
/// both ARNs split by `split_arn` for every entry. The reference the split-once matcher
/// ([`aws_entry_matches`], [`principals_match`]) is compared with.
fn aws_entry_matches_reference(entry: &str, caller_arn: &str) -> bool {
    if entry == caller_arn {
        return true;
    }
    let Some([_, c_part, c_service, _, c_account, c_resource]) = split_arn(caller_arn) else {
        return false;
    };
    if is_account_id(entry) {
        return entry == c_account;
    }
    let Some([_, e_part, e_service, _, e_account, e_resource]) = split_arn(entry) else {
        return false;
    };
    if e_part != c_part || e_account != c_account || e_service != "iam" {
        return false;
    }
    if e_resource == "root" {
        return true;
    }
    if let Some(role_path) = e_resource.strip_prefix("role/") {
        let role_name = role_path.rsplit('/').next().unwrap_or(role_path);
        if c_service == "sts" {
            if let Some(rest) = c_resource.strip_prefix("assumed-role/") {
                return rest
                    .split_once('/')
                    .is_some_and(|(name, _session)| name == role_name);
            }
        }
    }
    false
}

/// Entries close to the callers below: other partitions, services, regions and accounts,
/// accounts that extend the caller's, paths, and text that is not an ARN.
const ENTRIES: &[&str] = &[
    "*",
    "111122223333",
    "11112222333",
    "444455556666",
    "arn:aws:iam::111122223333:root",
    "arn:aws:iam::1111222233334:root",
    "arn:aws:iam::11112222333:root",
    "arn:aws-cn:iam::111122223333:root",
    "arn:aw:iam::111122223333:root",
    "arn:aws:iamx::111122223333:root",
    "arn:aws:sts::111122223333:root",
    "arn:aws:iam:us-east-1:111122223333:root",
    "arn:aws:iam::111122223333:role/r",
    "arn:aws:iam::111122223333:role/path/r",
    "arn:aws:iam::111122223333:role/r/",
    "arn:aws:iam::111122223333:role/rr",
    "arn:aws:iam::444455556666:role/r",
    "arn:aws:iam::111122223333:user/alice",
    "arn:aws:sts::111122223333:assumed-role/r/s",
    "arn:aws:iam::111122223333",
    "arn:aws:iam:",
    "arn:",
    "arn:aws",
    "role/r",
];

/// Callers: users, roles, sessions, roots, of two accounts and two partitions, and text that
/// is not an ARN.
const ENTRY_CALLERS: &[&str] = &[
    "arn:aws:iam::111122223333:user/alice",
    "arn:aws:iam::111122223333:role/r",
    "arn:aws:iam::111122223333:root",
    "arn:aws:sts::111122223333:assumed-role/r/s",
    "arn:aws:sts::111122223333:assumed-role/rr/s",
    "arn:aws:sts::111122223333:assumed-role/r",
    "arn:aws:sts::444455556666:assumed-role/r/s",
    "arn:aws-cn:sts::111122223333:assumed-role/r/s",
    "arn:aws:sts:us-east-1:111122223333:assumed-role/r/s",
    "111122223333",
    "arn:aws:iam::111122223333",
    "not-an-arn",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    /// The caller split once answers every `AWS` entry as the rule splitting both ARNs per
    /// entry does, alone and within a list of entries.
    #[test]
    fn principal_entries_answer_as_splitting_both_arns(
        entries in proptest::collection::vec(pick(ENTRIES), 1..4),
        caller in pick(ENTRY_CALLERS),
    ) {
        for e in &entries {
            prop_assert_eq!(
                aws_entry_matches(e, caller),
                aws_entry_matches_reference(e, caller),
                "{} against {}", e, caller
            );
        }
        let expected = entries
            .iter()
            .any(|e| *e == "*" || aws_entry_matches_reference(e, caller));
        let ps = Principals::Specific(
            entries.iter().map(|e| PrincipalEntry::Aws((*e).to_string())).collect(),
        );
        let caller = RequestPrincipal::Aws { arn: caller.to_string() };
        prop_assert_eq!(principals_match(&ps, &caller), expected, "{:?}", entries);
    }
}
