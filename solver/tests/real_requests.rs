//! Counterexamples name a resource of a type their action acts on (issue 10, "Counterexamples
//! that look like real requests"): Service Authorization Reference, "Actions, resources, and
//! condition keys for AWS services", the resource types column of each action; an action
//! without a resource type takes `*`. The check is `facts`' `Action::acts_on`.
//!
//! The case is the one the managed-policy corpus showed most often: a policy that allows
//! `kms:Decrypt` on `*` beside another service's action on one named resource. Before the
//! decoder tried the action's own resources, the model could put the resource inside the
//! named pattern and the request read `kms:Decrypt` on a Firehose delivery stream.

use facts::parse::parse_policy;
use solver::{compare, Catalogue, Options, Stack};

fn stack(statements: &str) -> Stack {
    let text = format!(r#"{{"Version": "2012-10-17", "Statement": [{statements}]}}"#);
    Stack::single(parse_policy(&text).expect("a valid policy"))
}

const STREAM: &str = r#"{"Effect": "Allow", "Action": ["firehose:PutRecord", "firehose:PutRecordBatch"],
    "Resource": "arn:aws:firehose:*:*:deliverystream/logs-*"}"#;

/// Every request of both directions is confirmed, replays with its direction, and names a
/// resource its action acts on.
fn assert_real(old: &Stack, new: &Stack) -> usize {
    let opts = Options {
        max_examples: 8,
        ..Options::default()
    };
    let c = compare(old, new, Catalogue::aws(), &opts).expect("compared");
    let mut n = 0;
    for (more, less, d) in [(new, old, &c.gained), (old, new, &c.lost)] {
        for e in &d.examples {
            n += 1;
            let r = &e.request;
            assert!(e.confirmed && more.allows(r) && !less.allows(r), "{r:?}");
            let action = facts::catalogue::Catalogue::get()
                .action(&r.action)
                .expect("a catalogue action");
            assert!(
                action.acts_on(&r.resource),
                "{} does not act on {}",
                r.action,
                r.resource
            );
        }
    }
    n
}

#[test]
fn kms_decrypt_beside_a_firehose_stream_is_shown_on_a_key() {
    let old = stack(STREAM);
    let new = stack(&format!(
        r#"{STREAM}, {{"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*"}}"#
    ));
    assert!(assert_real(&old, &new) >= 1);
}

#[test]
fn a_denied_stream_and_an_action_without_resource_types_are_shown_real() {
    // `kms:ListKeys` has no resource type: its request names `*`. The deny on the stream
    // pattern puts the firehose actions' requests on other streams.
    let old = stack(&format!(
        r#"{STREAM}, {{"Effect": "Allow", "Action": ["kms:Decrypt", "kms:ListKeys"], "Resource": "*"}}"#
    ));
    let new = stack(
        r#"{"Effect": "Allow", "Action": "*", "Resource": "*"},
           {"Effect": "Deny", "Action": "firehose:*", "Resource": "arn:aws:firehose:*:*:deliverystream/logs-*"}"#,
    );
    assert!(assert_real(&old, &new) >= 2);
}

#[test]
fn a_stack_name_prefix_gives_a_stack_arn_with_its_id_service_authorization_reference() {
    // Service Authorization Reference, AWS CloudFormation: `CreateStack` acts on `stack`,
    // `arn:${Partition}:cloudformation:${Region}:${Account}:stack/${StackName}/${Id}`. The
    // pattern names a prefix of the stack name and no id: the resource shown is built inside
    // it with the format's fields (the name as the pattern spells it, an id, a region and an
    // account), not the pattern's shortest string `...:stack/AWSAppMesh-GettingStarted`.
    let old = stack(STREAM);
    let new = stack(&format!(
        r#"{STREAM}, {{"Effect": "Allow", "Action": "cloudformation:CreateStack",
            "Resource": "arn:aws:cloudformation:*:*:stack/AWSAppMesh-GettingStarted*"}}"#
    ));
    assert!(assert_real(&old, &new) >= 1);
    let c = compare(&old, &new, Catalogue::aws(), &Options::default()).expect("compared");
    let r = &c.gained.examples.first().expect("a gained request").request;
    assert!(r.action.eq_ignore_ascii_case("cloudformation:CreateStack"));
    assert!(
        facts::wildcard::glob_match(
            "arn:aws:cloudformation:?*:????????????:stack/AWSAppMesh-GettingStarted*/?*",
            &r.resource,
            false
        ),
        "{}",
        r.resource
    );
}
