//! A key the catalogue documents as single-valued is never a set in a counterexample, whatever
//! set qualifiers the policies put on it. IAM User Guide, "Single-valued vs. multivalued
//! context keys": single-valued keys "have at most one value in the request context", and
//! the Service Authorization Reference marks multivalued keys with the `ArrayOf` prefix.
//!
//! The case is `AWSIoTDeviceTesterForFreeRTOSFullAccess` v6 → v7 of the managed-policy
//! corpus (docs/solver.md, "Verdicts that changed in the previous session"): v6 reads the
//! `String` key `ec2:CreateAction` with `ForAnyValue:StringEquals`, v7 with `StringEquals`.
//! With one value (or none) both conditions hold for the same requests; only a request that
//! carried `ec2:CreateAction` as a set, which AWS never sends, told them apart.

use facts::parse::parse_policy;
use facts::request::ContextValue;
use solver::{compare, Catalogue, Options, Stack, Verdict};

/// A stack of one policy: `ec2:CreateTags` on instances, under `condition` (JSON).
fn create_tags(condition: &str) -> Stack {
    let text = format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "ec2:CreateTags",
            "Resource": "arn:aws:ec2:*:*:instance/*", "Condition": {condition}}}]}}"#
    );
    Stack::single(parse_policy(&text).expect("a valid policy"))
}

fn opts() -> Options {
    Options {
        max_examples: 5,
        ..Options::default()
    }
}

#[test]
fn for_any_value_on_a_single_valued_catalogue_key_is_equivalent_to_the_plain_operator() {
    let key = "ec2:CreateAction";
    assert!(
        !facts::catalogue::Catalogue::get()
            .condition_key(key)
            .expect("in the catalogue")
            .key_type()
            .is_multivalued(),
        "{key} is documented as single-valued"
    );
    let any = create_tags(
        r#"{"ForAnyValue:StringEquals": {"ec2:CreateAction": ["RunInstances", "CreateSecurityGroup"]}}"#,
    );
    let plain = create_tags(
        r#"{"StringEquals": {"ec2:CreateAction": ["RunInstances", "CreateSecurityGroup"]}}"#,
    );
    let c = compare(&any, &plain, Catalogue::aws(), &opts()).expect("compared");
    assert_eq!(
        c.verdict,
        Verdict::Equivalent,
        "gained {:?}\nlost {:?}",
        c.gained.examples,
        c.lost.examples
    );
}

#[test]
fn a_multivalued_catalogue_key_still_takes_a_set_under_a_qualifier() {
    // Not vacuous: the same pair of operators on `aws:TagKeys` (`ArrayOfString`) differs,
    // and the request that shows it carries the key as a set, confirmed by the evaluator.
    let any = create_tags(r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": ["Owner"]}}"#);
    let plain = create_tags(r#"{"StringEquals": {"aws:TagKeys": ["Owner"]}}"#);
    let c = compare(&any, &plain, Catalogue::aws(), &opts()).expect("compared");
    assert_eq!(
        c.verdict,
        Verdict::LessPermissive,
        "{:?}",
        c.gained.examples
    );
    let lost = &c.lost.examples;
    assert!(!lost.is_empty());
    for e in lost {
        assert!(e.confirmed, "{e:?}");
        assert!(any.allows(&e.request) && !plain.allows(&e.request), "{e:?}");
        assert!(
            matches!(
                e.request.context.get("aws:TagKeys"),
                Some(ContextValue::Multi(_))
            ),
            "{e:?}"
        );
    }
}
