//! Differential property tests: the Z3 encoding against the concrete evaluator
//! (`facts::eval`) on random small policies over a tiny universe of actions, resources and
//! condition keys, with a condition of every operator family (IAM User Guide, "Condition
//! operators": String, Numeric, Date, Bool, Binary, IP address, ARN, Null; "...IfExists";
//! "Multivalued context keys": ForAllValues / ForAnyValue, and a multivalued key under an
//! unqualified operator and `Null`), policy variables in resources and condition values
//! ("IAM policy elements: Variables and tags": `${aws:username}`, a default
//! `${key, 'default'}`, and version 2008-10-17, where they are literal text), and a key used
//! with two operator families.
//!
//! Properties: a policy is equivalent to itself; whenever brute-force enumeration of a
//! finite set of requests finds one that two policies decide differently, the solver reports
//! the difference in that direction; every counterexample the solver reports is replayed
//! through the evaluator (`compare` errors on a disagreement), so no error may occur.
//! `PROPTEST_CASES` raises the number of cases.

use facts::condition::ConditionOperator;
use facts::policy::{
    ActionClause, ActionPattern, Condition, Effect, Policy, PolicyVersion, PrincipalClause,
    PrincipalEntry, Principals, ResourceClause, ResourcePattern, Statement,
};
use facts::request::{Context, ContextValue, Request, RequestPrincipal};
use proptest::prelude::*;
use solver::{compare, Catalogue, Layer, Options, Stack, Verdict};

const ACTIONS: [&str; 4] = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "ec2:RunInstances",
];
const ACTION_PATTERNS: [&str; 6] = [
    "*",
    "s3:*",
    "s3:Get*",
    "s3:PutObject",
    "ec2:RunInstances",
    "s3:?etObject",
];
const RESOURCES: [&str; 7] = [
    "arn:aws:s3:::b/a",
    "arn:aws:s3:::b/xy",
    "arn:aws:s3:::c1",
    "arn:aws:ec2:us-east-1:111122223333:instance/i-1",
    "arn:aws:s3:::b/alice",
    "arn:aws:s3:::b/bob/x",
    "arn:aws:s3:::b/${aws:username}",
];
const RESOURCE_PATTERNS: [&str; 10] = [
    "*",
    "arn:aws:s3:::b/*",
    "arn:aws:s3:::b/a",
    "arn:aws:s3:::c?",
    "arn:aws:s3:::*",
    "arn:aws:ec2:*:*:instance/*",
    "arn:aws:s3:::b/${aws:username}",
    "arn:aws:s3:::b/${aws:username}/*",
    "arn:aws:s3:::${s3:prefix, 'c1'}",
    "arn:aws:s3:::b/${aws:userid}",
];

/// (operator, key, values): at least one of every family, plus qualifiers and IfExists.
const CONDITIONS: [(&str, &str, &[&str]); 25] = [
    ("StringEquals", "aws:username", &["alice"]),
    ("StringNotEquals", "aws:username", &["alice", "bob"]),
    ("StringLike", "s3:prefix", &["home/*"]),
    ("StringEqualsIgnoreCase", "aws:username", &["ALICE"]),
    ("NumericLessThan", "s3:max-keys", &["10"]),
    ("NumericGreaterThanEquals", "s3:max-keys", &["5"]),
    (
        "DateGreaterThan",
        "aws:CurrentTime",
        &["2020-01-01T00:00:00Z"],
    ),
    ("Bool", "aws:SecureTransport", &["true"]),
    ("BoolIfExists", "aws:MultiFactorAuthPresent", &["true"]),
    ("BinaryEquals", "aws:binkey", &["QmluYXJ5"]),
    (
        "IpAddress",
        "aws:SourceIp",
        &["10.0.0.0/8", "2001:db8::/32"],
    ),
    ("NotIpAddress", "aws:SourceIp", &["10.1.0.0/16"]),
    (
        "ArnLike",
        "aws:SourceArn",
        &["arn:aws:sns:*:111122223333:*"],
    ),
    ("Null", "aws:username", &["true"]),
    ("ForAnyValue:StringEquals", "aws:TagKeys", &["a", "b"]),
    ("ForAllValues:StringLike", "aws:TagKeys", &["a*"]),
    ("ForAnyValue:StringNotLike", "aws:TagKeys", &["a*"]),
    ("ForAllValues:StringEquals", "aws:TagKeys", &["c"]),
    ("StringEquals", "aws:TagKeys", &["a"]),
    ("Null", "aws:TagKeys", &["false"]),
    ("StringEquals", "s3:prefix", &["home/${aws:username}"]),
    ("StringLike", "s3:prefix", &["${aws:username}*"]),
    (
        "StringNotEquals",
        "aws:username",
        &["${aws:userid, 'alice'}"],
    ),
    ("StringEquals", "s3:max-keys", &["10"]),
    ("StringEqualsIfExists", "aws:TagKeys", &["c"]),
];

/// Contexts for brute force: each key absent, or a value that does or does not match.
fn contexts() -> Vec<Context> {
    let single = |pairs: &[(&str, &str)]| {
        let mut c = Context::new();
        for (k, v) in pairs {
            c.insert(k, ContextValue::Single(v.to_string()));
        }
        c
    };
    let mut out = vec![
        Context::new(),
        single(&[("aws:username", "alice")]),
        single(&[("aws:username", "bob"), ("s3:prefix", "home/x")]),
        single(&[("aws:username", "Alice"), ("s3:max-keys", "7")]),
        single(&[("s3:max-keys", "12"), ("aws:SecureTransport", "true")]),
        single(&[
            ("aws:CurrentTime", "2021-06-01T00:00:00Z"),
            ("aws:SourceIp", "10.2.3.4"),
        ]),
        single(&[
            ("aws:SourceIp", "10.1.3.4"),
            ("aws:MultiFactorAuthPresent", "false"),
        ]),
        single(&[("aws:SourceIp", "2001:db8::1"), ("aws:binkey", "QmluYXJ5")]),
        single(&[("aws:username", "alice"), ("s3:prefix", "home/alice")]),
        single(&[("aws:username", "bob"), ("s3:prefix", "bob/x")]),
        single(&[("aws:username", "alice"), ("aws:userid", "alice")]),
        single(&[("aws:userid", "xy"), ("s3:max-keys", "10")]),
        single(&[("s3:prefix", "c1"), ("s3:max-keys", "10.0")]),
        single(&[("aws:TagKeys", "a")]),
        single(&[("aws:SourceArn", "arn:aws:sns:us-east-1:111122223333:t")]),
        single(&[
            ("aws:SecureTransport", "false"),
            ("aws:CurrentTime", "2019-01-01T00:00:00Z"),
        ]),
    ];
    for tags in [
        vec![],
        vec!["a"],
        vec!["a", "c"],
        vec!["ab"],
        vec!["c"],
        vec!["b", "c", "d"],
        vec!["ab", "a"],
    ] {
        let mut c = Context::new();
        c.insert(
            "aws:TagKeys",
            ContextValue::Multi(tags.into_iter().map(String::from).collect()),
        );
        out.push(c);
    }
    out
}

fn requests() -> Vec<Request> {
    let mut out = Vec::new();
    for a in ACTIONS {
        for r in RESOURCES {
            for c in contexts() {
                out.push(Request {
                    principal: RequestPrincipal::Aws {
                        arn: "arn:aws:iam::111122223333:user/alice".to_string(),
                    },
                    action: a.to_string(),
                    resource: r.to_string(),
                    context: c,
                });
            }
        }
    }
    out
}

fn statement() -> impl Strategy<Value = Statement> {
    (
        any::<bool>(),
        any::<bool>(),
        proptest::sample::subsequence(ACTION_PATTERNS.to_vec(), 1..=2),
        any::<bool>(),
        proptest::sample::subsequence(RESOURCE_PATTERNS.to_vec(), 1..=2),
        proptest::sample::subsequence((0..CONDITIONS.len()).collect::<Vec<_>>(), 0..=2),
    )
        .prop_map(|(deny, not_action, acts, not_res, res, conds)| {
            let acts = acts
                .into_iter()
                .map(|a| ActionPattern(a.to_string()))
                .collect();
            let res = res
                .into_iter()
                .map(|r| ResourcePattern(r.to_string()))
                .collect();
            Statement {
                index: 0,
                sid: None,
                effect: if deny { Effect::Deny } else { Effect::Allow },
                action: if not_action {
                    ActionClause::NotAction(acts)
                } else {
                    ActionClause::Action(acts)
                },
                resource: Some(if not_res {
                    ResourceClause::NotResource(res)
                } else {
                    ResourceClause::Resource(res)
                }),
                principal: None,
                conditions: conds
                    .into_iter()
                    .filter_map(|i| CONDITIONS.get(i))
                    .map(|(op, key, values)| Condition {
                        operator: ConditionOperator::parse(op).expect("documented operator"),
                        key: key.to_string(),
                        values: values.iter().map(|v| v.to_string()).collect(),
                    })
                    .collect(),
            }
        })
}

/// Principal elements of resource policies ("AWS JSON policy elements: Principal" and
/// "NotPrincipal"): everyone, an account, a user, a service, and a NotPrincipal account.
fn principal_clause(i: usize) -> Option<PrincipalClause> {
    let aws = |s: &str| Principals::Specific(vec![PrincipalEntry::Aws(s.to_string())]);
    Some(match i {
        0 => PrincipalClause::Principal(Principals::Any),
        1 => PrincipalClause::Principal(aws("111122223333")),
        2 => PrincipalClause::Principal(aws("arn:aws:iam::111122223333:user/alice")),
        3 => PrincipalClause::Principal(Principals::Specific(vec![PrincipalEntry::Service(
            "lambda.amazonaws.com".to_string(),
        )])),
        4 => PrincipalClause::NotPrincipal(aws("111122223333")),
        5 => PrincipalClause::Principal(aws("*")),
        _ => return None,
    })
}

fn callers() -> Vec<RequestPrincipal> {
    let aws = |arn: &str| RequestPrincipal::Aws {
        arn: arn.to_string(),
    };
    vec![
        RequestPrincipal::Anonymous,
        aws("arn:aws:iam::111122223333:root"),
        aws("arn:aws:iam::111122223333:user/iamlogic"),
        aws("arn:aws:iam::111122223333:user/alice"),
        aws("arn:aws:iam::999999999999:user/iamlogic-outsider"),
        RequestPrincipal::Service {
            name: "lambda.amazonaws.com".to_string(),
        },
    ]
}

fn resource_policy() -> impl Strategy<Value = Policy> {
    (policy(), proptest::collection::vec(0usize..6, 3)).prop_map(|(mut p, picks)| {
        for (s, i) in p.statements.iter_mut().zip(picks) {
            s.principal = principal_clause(i);
        }
        p
    })
}

fn policy() -> impl Strategy<Value = Policy> {
    (proptest::collection::vec(statement(), 1..=3), 0..4u8).prop_map(|(mut stmts, v)| {
        for (i, s) in stmts.iter_mut().enumerate() {
            s.index = i;
        }
        Policy {
            // Mostly 2012-10-17; sometimes 2008-10-17, where `${...}` is literal text.
            version: if v == 0 {
                PolicyVersion::V2008_10_17
            } else {
                PolicyVersion::V2012_10_17
            },
            version_given: true,
            id: None,
            statements: stmts,
        }
    })
}

/// `PROPTEST_CASES` overrides the default number of cases.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn catalogue() -> Catalogue {
    Catalogue::new(ACTIONS)
}

fn opts() -> Options {
    Options {
        unknown_actions: false,
        ..Options::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(64)))]

    #[test]
    fn a_policy_is_equivalent_to_itself(p in policy()) {
        let s = Stack::single(p);
        let c = compare(&s, &s, &catalogue(), &opts()).expect("no replay mismatch");
        prop_assert_eq!(c.verdict, Verdict::Equivalent);
    }

    #[test]
    fn solver_finds_every_difference_brute_force_finds(a in policy(), b in policy()) {
        let (sa, sb) = (Stack::single(a), Stack::single(b));
        let c = compare(&sa, &sb, &catalogue(), &opts()).expect("no replay mismatch");
        prop_assert!(
            c.verdict != Verdict::Unknown,
            "unknown: {:?} / {:?}",
            c.gained.unknown,
            c.lost.unknown
        );
        let mut gained = false;
        let mut lost = false;
        for r in requests() {
            let (x, y) = (sa.allows(&r), sb.allows(&r));
            gained |= y && !x;
            lost |= x && !y;
        }
        if gained {
            prop_assert!(c.gained.differs(), "brute force found a gained request; solver did not");
        }
        if lost {
            prop_assert!(c.lost.differs(), "brute force found a lost request; solver did not");
        }
        for e in c.gained.examples.iter().chain(&c.lost.examples) {
            prop_assert!(e.confirmed);
        }
    }

    #[test]
    fn allowing_nothing_loses_exactly_what_the_policy_allows(a in policy()) {
        let sa = Stack::single(a);
        let none = Stack::single(Policy {
            version: PolicyVersion::V2012_10_17,
            version_given: true,
            id: None,
            statements: Vec::new(),
        });
        let c = compare(&sa, &none, &catalogue(), &opts()).expect("no replay mismatch");
        prop_assert!(!c.gained.differs());
        let any_allowed = requests().iter().any(|r| sa.allows(r));
        if any_allowed {
            prop_assert!(c.lost.differs());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(32)))]

    /// "Permissions boundaries": the effective permissions are the intersection of the
    /// identity policy and the boundary, so adding a boundary layer never grants more.
    #[test]
    fn a_boundary_layer_never_gains_and_loses_what_brute_force_loses(a in policy(), b in policy()) {
        let alone = Stack::single(a.clone());
        let bounded = Stack {
            layers: vec![
                Layer { name: "identity".into(), policies: vec![a] },
                Layer { name: "boundary".into(), policies: vec![b] },
            ],
        };
        let c = compare(&alone, &bounded, &catalogue(), &opts()).expect("no replay mismatch");
        prop_assert!(!c.gained.differs());
        prop_assert!(c.gained.complete);
        let lost = requests().iter().any(|r| alone.allows(r) && !bounded.allows(r));
        if lost {
            prop_assert!(c.lost.differs());
        }
    }

    /// Principal / NotPrincipal of resource policies against the evaluator, over callers
    /// built from the entries the policies name.
    #[test]
    fn principals_agree_with_the_evaluator(a in resource_policy(), b in resource_policy()) {
        let (sa, sb) = (Stack::single(a), Stack::single(b));
        let c = compare(&sa, &sb, &catalogue(), &opts()).expect("no replay mismatch");
        prop_assert!(
            c.verdict != Verdict::Unknown,
            "unknown: {:?} / {:?}",
            c.gained.unknown,
            c.lost.unknown
        );
        let mut gained = false;
        let mut lost = false;
        for mut r in requests().into_iter().step_by(7) {
            for who in callers() {
                r.principal = who;
                let (x, y) = (sa.allows(&r), sb.allows(&r));
                gained |= y && !x;
                lost |= x && !y;
            }
        }
        if gained {
            prop_assert!(c.gained.differs(), "brute force found a gained request; solver did not");
        }
        if lost {
            prop_assert!(c.lost.differs(), "brute force found a lost request; solver did not");
        }
    }
}

#[test]
fn a_wildcard_rewrite_is_proved_equivalent_over_the_catalogue() {
    // "s3:*" and the list of every s3 action of the (tiny) catalogue grant the same.
    let mk = |acts: &[&str]| {
        Stack::single(Policy {
            version: PolicyVersion::V2012_10_17,
            version_given: true,
            id: None,
            statements: vec![Statement {
                index: 0,
                sid: None,
                effect: Effect::Allow,
                action: ActionClause::Action(
                    acts.iter().map(|a| ActionPattern(a.to_string())).collect(),
                ),
                resource: Some(ResourceClause::Resource(vec![ResourcePattern("*".into())])),
                principal: None,
                conditions: Vec::new(),
            }],
        })
    };
    let star = mk(&["s3:*"]);
    let list = mk(&["s3:GetObject", "s3:PutObject", "s3:ListBucket"]);
    let c = compare(&star, &list, &catalogue(), &opts()).unwrap();
    assert_eq!(c.verdict, Verdict::Equivalent);
    let narrower = mk(&["s3:GetObject"]);
    let c = compare(&star, &narrower, &catalogue(), &opts()).unwrap();
    assert_eq!(c.verdict, Verdict::LessPermissive);
    assert_eq!(c.lost.actions, vec!["s3:listbucket", "s3:putobject"]);
    assert!(c.lost.complete);
}
