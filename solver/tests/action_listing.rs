//! The listing of actions gained and lost is every differing action class and nothing else,
//! also when the search finds classes by trying a request already found with other classes'
//! actions (`share_request` in `solver/src/prove.rs`, after 8 classes): each class so found
//! is one for which the request, decided by `facts`, separates the policies (issue 10,
//! "listing what changed", as Access Analyzer's no-new-access check lists them).

use facts::parse::parse_policy;
use solver::{compare, Catalogue, Options, Stack, Verdict};

fn stack(statements: &[String]) -> Stack {
    let text = format!(
        r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
        statements.join(", ")
    );
    Stack::single(parse_policy(&text).expect("a valid policy"))
}

fn allow(action: &str, resource: &str) -> String {
    format!(r#"{{"Effect": "Allow", "Action": "{action}", "Resource": "{resource}"}}"#)
}

#[test]
fn every_gained_class_is_listed_and_no_other() {
    // Twelve actions NEW adds, each in a statement of its own (so each its own class), on
    // `*` or on a resource of its own; one action both allow alike; one NEW allows on more
    // resources only.
    let gained = [
        ("sqs:SendMessage", "*"),
        ("sqs:ReceiveMessage", "*"),
        ("sns:Publish", "*"),
        ("sns:Subscribe", "*"),
        ("dynamodb:GetItem", "arn:aws:dynamodb:*:*:table/orders"),
        ("dynamodb:PutItem", "*"),
        ("lambda:InvokeFunction", "*"),
        ("kms:Decrypt", "*"),
        ("kms:Encrypt", "arn:aws:kms:*:*:key/*"),
        ("logs:PutLogEvents", "*"),
        ("ec2:DescribeInstances", "*"),
        ("s3:PutObject", "arn:aws:s3:::reports/*"),
    ];
    let both = [
        allow("sts:GetCallerIdentity", "*"),
        allow("s3:GetObject", "arn:aws:s3:::reports/*"),
    ];
    let old = stack(&both);
    let mut new_statements: Vec<String> = both.to_vec();
    new_statements.extend(gained.iter().map(|(a, r)| allow(a, r)));
    new_statements.push(allow("s3:GetObject", "arn:aws:s3:::archive/*"));
    let new = stack(&new_statements);
    let c = compare(&old, &new, Catalogue::aws(), &Options::default()).expect("compared");
    assert_eq!(c.verdict, Verdict::MorePermissive);
    assert!(c.gained.complete && c.lost.complete);
    let mut want: Vec<String> = gained.iter().map(|(a, _)| a.to_ascii_lowercase()).collect();
    want.push("s3:getobject".to_string());
    want.sort();
    assert_eq!(c.gained.actions, want);
    assert!(c.lost.actions.is_empty());
    for e in &c.gained.examples {
        assert!(e.confirmed && new.allows(&e.request) && !old.allows(&e.request));
    }
}
