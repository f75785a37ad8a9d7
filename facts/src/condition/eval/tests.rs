//! Condition evaluation, operator by operator, with cases from the AWS IAM User Guide pages
//! "Condition operators" (CO), "Conditions with multiple context keys or values" (MV),
//! "Set operators for multivalued context keys" (SET) and "Variables and tags" (VAR).

use super::condition_holds;
use crate::condition::ConditionOperator;
use crate::policy::Condition;
use crate::request::{Context, ContextValue};

/// A request value in tests: single or multi.
enum V<'a> {
    S(&'a str),
    M(&'a [&'a str]),
}

fn ctx(pairs: &[(&str, V)]) -> Context {
    let mut c = Context::new();
    for (k, v) in pairs {
        let value = match v {
            V::S(s) => ContextValue::Single(s.to_string()),
            V::M(vs) => ContextValue::Multi(vs.iter().map(|s| s.to_string()).collect()),
        };
        c.insert(k, value);
    }
    c
}

fn cond(op: &str, key: &str, values: &[&str]) -> Condition {
    Condition {
        operator: ConditionOperator::parse(op).unwrap_or_else(|| panic!("operator {op}")),
        key: key.to_string(),
        values: values.iter().map(|s| s.to_string()).collect(),
    }
}

/// Whether `op: {key: values}` holds with the single request value `request` for `key`
/// (`None`: key absent).
fn check(op: &str, values: &[&str], request: Option<&str>) -> bool {
    let c = match request {
        Some(r) => ctx(&[("k:key", V::S(r))]),
        None => Context::new(),
    };
    condition_holds(&cond(op, "k:key", values), &c, true)
}

/// Same with a multivalued request value (`None`: key absent).
fn check_multi(op: &str, values: &[&str], request: Option<&[&str]>) -> bool {
    let c = match request {
        Some(r) => ctx(&[("k:key", V::M(r))]),
        None => Context::new(),
    };
    condition_holds(&cond(op, "k:key", values), &c, true)
}

// ---- String operators (CO, "String condition operators") ----

#[test]
fn co_string_equals_doc_example_principal_tag_job_category() {
    let c = cond(
        "StringEquals",
        "aws:PrincipalTag/job-category",
        &["iamuser-admin"],
    );
    let tagged = ctx(&[("aws:PrincipalTag/job-category", V::S("iamuser-admin"))]);
    assert!(condition_holds(&c, &tagged, true));
    let other = ctx(&[("aws:PrincipalTag/job-category", V::S("dev"))]);
    assert!(!condition_holds(&c, &other, true));
    // CO: "If the key ... is not present in the request context, the values do not match".
    assert!(!condition_holds(&c, &Context::new(), true));
}

#[test]
fn co_string_equals_is_case_sensitive_ignore_case_is_not() {
    assert!(check("StringEquals", &["Admin"], Some("Admin")));
    assert!(!check("StringEquals", &["Admin"], Some("admin")));
    assert!(check("StringEqualsIgnoreCase", &["Admin"], Some("aDMIN")));
    assert!(!check("StringEqualsIgnoreCase", &["Admin"], Some("Admins")));
    assert!(check("StringNotEquals", &["Admin"], Some("admin")));
    assert!(!check("StringNotEquals", &["Admin"], Some("Admin")));
    assert!(!check(
        "StringNotEqualsIgnoreCase",
        &["Admin"],
        Some("ADMIN")
    ));
    assert!(check(
        "StringNotEqualsIgnoreCase",
        &["Admin"],
        Some("Other")
    ));
}

#[test]
fn co_string_like_wildcards_are_case_sensitive() {
    // CO: StringLike "can include multi-character match wildcards (*) and single-character
    // match wildcards (?) anywhere in the string".
    assert!(check("StringLike", &["home/*"], Some("home/alice/x")));
    assert!(check("StringLike", &["h?me/*"], Some("home/")));
    assert!(!check("StringLike", &["home/*"], Some("Home/alice")));
    assert!(!check("StringLike", &["home/?"], Some("home/ab")));
    // StringEquals does not expand wildcards.
    assert!(!check("StringEquals", &["home/*"], Some("home/alice")));
    assert!(check("StringEquals", &["home/*"], Some("home/*")));
    assert!(check("StringNotLike", &["home/*"], Some("work/x")));
    assert!(!check("StringNotLike", &["home/*"], Some("home/x")));
}

// ---- Absent keys (CO, "Important" note) ----

#[test]
fn co_absent_key_positive_false_negated_true() {
    for op in [
        "StringEquals",
        "StringLike",
        "NumericEquals",
        "DateEquals",
        "Bool",
        "BinaryEquals",
        "IpAddress",
        "ArnLike",
        "ArnEquals",
        "StringEqualsIgnoreCase",
    ] {
        assert!(!check(op, &["x"], None), "{op}");
    }
    // "If the policy condition requires that the key is not matched, such as StringNotLike
    // or ArnNotLike, and the right key is not present, the condition is true."
    for op in [
        "StringNotEquals",
        "StringNotLike",
        "StringNotEqualsIgnoreCase",
        "NumericNotEquals",
        "DateNotEquals",
        "NotIpAddress",
        "ArnNotEquals",
        "ArnNotLike",
    ] {
        assert!(check(op, &["x"], None), "{op}");
    }
}

#[test]
fn co_if_exists_absent_key_is_true_present_key_is_checked() {
    // CO, "...IfExists condition operators": if the key is not present, the condition is
    // true; if present, evaluated as written.
    assert!(check("StringEqualsIfExists", &["t2.micro"], None));
    assert!(check(
        "StringEqualsIfExists",
        &["t2.micro"],
        Some("t2.micro")
    ));
    assert!(!check(
        "StringEqualsIfExists",
        &["t2.micro"],
        Some("m5.large")
    ));
    assert!(check("NumericLessThanIfExists", &["5"], None));
    assert!(check("StringNotLikeIfExists", &["a*"], None));
    assert!(!check("StringNotLikeIfExists", &["a*"], Some("ab")));
    assert!(check("ForAnyValue:StringEqualsIfExists", &["a"], None));
    assert!(check("ForAllValues:StringEqualsIfExists", &["a"], None));
}

// ---- Several values (MV) ----

#[test]
fn mv_several_values_or_negated_nor() {
    // MV: several values for one key are ORed; for a negated operator, NORed.
    assert!(check("StringEquals", &["a", "b"], Some("b")));
    assert!(!check("StringEquals", &["a", "b"], Some("c")));
    assert!(check("StringNotEquals", &["a", "b"], Some("c")));
    assert!(!check("StringNotEquals", &["a", "b"], Some("b")));
    assert!(!check("StringNotLike", &["a*", "b*"], Some("bx")));
}

#[test]
fn mv_several_keys_are_anded_by_the_statement() {
    // MV: several keys under one operator are ANDed — each is one Condition entry here, and
    // eval::statement_applies requires all (tested there); each entry alone:
    let c = ctx(&[("aws:username", V::S("bob")), ("aws:userid", V::S("AIDA1"))]);
    assert!(condition_holds(
        &cond("StringEquals", "aws:username", &["bob"]),
        &c,
        true
    ));
    assert!(!condition_holds(
        &cond("StringEquals", "aws:userid", &["AIDA2"]),
        &c,
        true
    ));
}

#[test]
fn condition_key_names_are_case_insensitive() {
    // Condition element: "Condition key names are not case-sensitive".
    let c = ctx(&[("aws:SourceIp", V::S("10.0.0.1"))]);
    assert!(condition_holds(
        &cond("IpAddress", "AWS:SOURCEIP", &["10.0.0.0/8"]),
        &c,
        true
    ));
    assert!(condition_holds(
        &cond("IpAddress", "aws:sourceip", &["10.0.0.0/8"]),
        &c,
        true
    ));
}

// ---- Numeric (CO, "Numeric condition operators") ----

#[test]
fn co_numeric_doc_example_max_keys() {
    // CO example: "NumericLessThanEquals": {"s3:max-keys": "10"}.
    let c = cond("NumericLessThanEquals", "s3:max-keys", &["10"]);
    assert!(condition_holds(
        &c,
        &ctx(&[("s3:max-keys", V::S("10"))]),
        true
    ));
    assert!(condition_holds(
        &c,
        &ctx(&[("s3:max-keys", V::S("9"))]),
        true
    ));
    assert!(!condition_holds(
        &c,
        &ctx(&[("s3:max-keys", V::S("11"))]),
        true
    ));
}

#[test]
fn co_numeric_every_operator_integers_and_decimals() {
    assert!(check("NumericEquals", &["1.50"], Some("1.5")));
    assert!(!check("NumericEquals", &["1"], Some("2")));
    assert!(check("NumericNotEquals", &["1"], Some("2")));
    assert!(!check("NumericNotEquals", &["1.0"], Some("1")));
    assert!(check("NumericLessThan", &["10"], Some("9.99")));
    assert!(!check("NumericLessThan", &["10"], Some("10")));
    assert!(check("NumericLessThanEquals", &["10"], Some("10")));
    assert!(check("NumericGreaterThan", &["-1"], Some("0")));
    assert!(!check("NumericGreaterThan", &["0"], Some("0")));
    assert!(check("NumericGreaterThanEquals", &["0"], Some("0")));
    assert!(!check("NumericGreaterThanEquals", &["0.5"], Some("0.25")));
    // Not a number: no match (and the negated operator counts it as matching none).
    assert!(!check("NumericEquals", &["1"], Some("one")));
    assert!(!check("NumericEquals", &["one"], Some("1")));
    assert!(check("NumericNotEquals", &["1"], Some("one")));
}

// ---- Date (CO, "Date condition operators") ----

#[test]
fn co_date_doc_example_current_time() {
    // CO example: "DateGreaterThan": {"aws:CurrentTime": "2020-04-01T00:00:01Z"}, and
    // "DateLessThan": {"aws:TokenIssueTime": ...}.
    let c = cond(
        "DateGreaterThan",
        "aws:CurrentTime",
        &["2020-04-01T00:00:01Z"],
    );
    assert!(condition_holds(
        &c,
        &ctx(&[("aws:CurrentTime", V::S("2020-06-30T12:00:00Z"))]),
        true
    ));
    assert!(!condition_holds(
        &c,
        &ctx(&[("aws:CurrentTime", V::S("2020-04-01T00:00:01Z"))]),
        true
    ));
}

#[test]
fn co_date_every_operator_iso_and_epoch() {
    // 2020-01-01T00:00:00Z = epoch 1577836800.
    assert!(check(
        "DateEquals",
        &["2020-01-01T00:00:00Z"],
        Some("1577836800")
    ));
    assert!(check(
        "DateEquals",
        &["2020-01-01"],
        Some("2020-01-01T00:00:00Z")
    ));
    assert!(check("DateNotEquals", &["2020-01-01"], Some("2020-01-02")));
    assert!(check(
        "DateLessThan",
        &["2020-01-02"],
        Some("2020-01-01T23:59:59Z")
    ));
    assert!(!check("DateLessThan", &["2020-01-02"], Some("2020-01-02")));
    assert!(check(
        "DateLessThanEquals",
        &["2020-01-02"],
        Some("2020-01-02")
    ));
    assert!(check(
        "DateGreaterThan",
        &["1577836800"],
        Some("2020-01-01T00:00:01Z")
    ));
    assert!(check(
        "DateGreaterThanEquals",
        &["2020-01-01T01:00:00+01:00"],
        Some("2020-01-01T00:00:00Z")
    ));
    assert!(!check("DateEquals", &["2020-01-01"], Some("not a date")));
}

// ---- Bool (CO, "Boolean condition operators") ----

#[test]
fn co_bool_doc_example_secure_transport() {
    // CO example: "Bool": {"aws:SecureTransport": "true"}.
    let c = cond("Bool", "aws:SecureTransport", &["true"]);
    assert!(condition_holds(
        &c,
        &ctx(&[("aws:SecureTransport", V::S("true"))]),
        true
    ));
    assert!(!condition_holds(
        &c,
        &ctx(&[("aws:SecureTransport", V::S("false"))]),
        true
    ));
    assert!(!condition_holds(&c, &Context::new(), true));
    // Case-insensitive values; a non-boolean matches nothing.
    assert!(check("Bool", &["TRUE"], Some("true")));
    assert!(check("Bool", &["false"], Some("False")));
    assert!(!check("Bool", &["true"], Some("yes")));
    assert!(check("BoolIfExists", &["false"], None));
}

// ---- Binary (CO, "Binary condition operators") ----

#[test]
fn co_binary_equals_doc_example_base64() {
    // CO example: "BinaryEquals": {"key": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="}.
    assert!(check(
        "BinaryEquals",
        &["QmluYXJ5VmFsdWVJbkJhc2U2NA=="],
        Some("QmluYXJ5VmFsdWVJbkJhc2U2NA==")
    ));
    // Same bytes without padding.
    assert!(check(
        "BinaryEquals",
        &["QmluYXJ5VmFsdWVJbkJhc2U2NA=="],
        Some("QmluYXJ5VmFsdWVJbkJhc2U2NA")
    ));
    assert!(!check("BinaryEquals", &["Zm9v"], Some("YmFy")));
    assert!(!check("BinaryEquals", &["Zm9v"], Some("not base64!")));
}

// ---- IP (CO, "IP address condition operators") ----

#[test]
fn co_ip_address_doc_example_cidr_v4_v6() {
    // CO example: "IpAddress": {"aws:SourceIp": "203.0.113.0/24"} and the IPv6 form
    // "2001:DB8:1234:5678::/64".
    let c = cond(
        "IpAddress",
        "aws:SourceIp",
        &["203.0.113.0/24", "2001:DB8:1234:5678::/64"],
    );
    for (ip, want) in [
        ("203.0.113.5", true),
        ("203.0.112.5", false),
        ("2001:db8:1234:5678::99", true),
        ("2001:db8:1234:5679::99", false),
        ("not-an-ip", false),
    ] {
        let r = ctx(&[("aws:SourceIp", V::S(ip))]);
        assert_eq!(condition_holds(&c, &r, true), want, "{ip}");
    }
    assert!(check("NotIpAddress", &["10.0.0.0/8"], Some("192.0.2.1")));
    assert!(!check("NotIpAddress", &["10.0.0.0/8"], Some("10.1.2.3")));
    assert!(check("IpAddress", &["192.0.2.1"], Some("192.0.2.1")));
}

// ---- ARN (CO, "Amazon Resource Name (ARN) condition operators") ----

#[test]
fn co_arn_doc_example_source_arn() {
    // CO example: "ArnEquals": {"aws:SourceArn": "arn:aws:sns:REGION:123456789012:TOPIC-ID"}.
    let arn = "arn:aws:sns:us-east-1:123456789012:my-topic";
    assert!(check("ArnEquals", &[arn], Some(arn)));
    assert!(check(
        "ArnLike",
        &["arn:aws:sns:*:123456789012:*"],
        Some(arn)
    ));
    assert!(!check(
        "ArnLike",
        &["arn:aws:sns:*:111122223333:*"],
        Some(arn)
    ));
    assert!(check(
        "ArnNotLike",
        &["arn:aws:sns:*:111122223333:*"],
        Some(arn)
    ));
    assert!(!check("ArnNotEquals", &[arn], Some(arn)));
    // Segment-wise: the account wildcard does not reach into the resource part.
    assert!(!check("ArnLike", &["arn:aws:sns:us-east-1:*"], Some(arn)));
    // Not an ARN: no match.
    assert!(!check("ArnLike", &["arn:aws:sns:*:*:*"], Some("my-topic")));
}

// ---- Null (CO, "Condition operator to check existence of condition keys") ----

#[test]
fn co_null_doc_example_token_issue_time() {
    // CO example: "Null": {"aws:TokenIssueTime": "true"} — true when the key is absent
    // (the caller used long-term credentials).
    let absent = cond("Null", "aws:TokenIssueTime", &["true"]);
    let present = cond("Null", "aws:TokenIssueTime", &["false"]);
    let temp = ctx(&[("aws:TokenIssueTime", V::S("2020-01-01T00:00:00Z"))]);
    assert!(condition_holds(&absent, &Context::new(), true));
    assert!(!condition_holds(&absent, &temp, true));
    assert!(condition_holds(&present, &temp, true));
    assert!(!condition_holds(&present, &Context::new(), true));
    // An empty set counts as absent; a non-boolean value matches nothing.
    assert!(check_multi("Null", &["true"], Some(&[])));
    assert!(!check("Null", &["maybe"], None));
}

// ---- Set operators (SET) ----

#[test]
fn set_for_all_values_doc_example_tag_keys() {
    // SET example: "ForAllValues:StringEquals": {"aws:TagKeys": ["environment",
    // "cost-center"]} — every requested tag key must be in the list.
    let op = "ForAllValues:StringEquals";
    let allowed = ["environment", "cost-center"];
    assert!(check_multi(op, &allowed, Some(&["environment"])));
    assert!(check_multi(
        op,
        &allowed,
        Some(&["environment", "cost-center"])
    ));
    assert!(!check_multi(op, &allowed, Some(&["environment", "owner"])));
    // SET: ForAllValues returns true when the key is absent or the set is empty.
    assert!(check_multi(op, &allowed, Some(&[])));
    assert!(check_multi(op, &allowed, None));
}

#[test]
fn set_for_any_value_doc_example() {
    // SET: ForAnyValue holds when at least one request value matches; false when absent.
    let op = "ForAnyValue:StringEquals";
    let wanted = ["environment", "cost-center"];
    assert!(check_multi(op, &wanted, Some(&["owner", "environment"])));
    assert!(!check_multi(op, &wanted, Some(&["owner"])));
    assert!(!check_multi(op, &wanted, Some(&[])));
    assert!(!check_multi(op, &wanted, None));
    assert!(check_multi(
        "ForAnyValue:StringLike",
        &["env*"],
        Some(&["x", "envy"])
    ));
}

#[test]
fn set_qualifiers_with_negated_operators() {
    // ForAllValues:StringNotLike: no request value may match any pattern.
    let op = "ForAllValues:StringNotLike";
    assert!(check_multi(op, &["secret*"], Some(&["a", "b"])));
    assert!(!check_multi(op, &["secret*"], Some(&["a", "secret-x"])));
    assert!(check_multi(op, &["secret*"], Some(&[])));
    assert!(check_multi(op, &["secret*"], None));
    // ForAnyValue:StringNotEquals: some request value is outside the list.
    let op = "ForAnyValue:StringNotEquals";
    assert!(check_multi(op, &["a", "b"], Some(&["a", "c"])));
    assert!(!check_multi(op, &["a", "b"], Some(&["a", "b"])));
    assert!(!check_multi(op, &["a"], Some(&[])));
    assert!(!check_multi(op, &["a"], None));
}

#[test]
fn unqualified_operator_over_a_multivalued_request_value() {
    // IAM User Guide, "Single-valued vs. multivalued context keys": multivalued keys require
    // a set operator. AWS's simulator answers an unqualified positive operator over a list
    // with no match, even for a one-element list (politest 11-context-stringlist#0).
    assert!(!check_multi("StringEquals", &["a"], Some(&["b", "a"])));
    assert!(!check_multi("StringLike", &["t2.*"], Some(&["t2.micro"])));
    assert!(!check_multi("StringEquals", &["a"], Some(&[])));
    // Negated operators follow the absent-key rule: the values do not match, so they hold.
    assert!(check_multi("StringNotEquals", &["a"], Some(&["b", "a"])));
    assert!(check_multi("StringNotEquals", &["a"], Some(&[])));
    // With a set operator the same values are compared one by one.
    assert!(check_multi(
        "ForAnyValue:StringEquals",
        &["a"],
        Some(&["b", "a"])
    ));
}

#[test]
fn set_qualifiers_over_every_family() {
    assert!(check_multi(
        "ForAllValues:NumericLessThan",
        &["10"],
        Some(&["1", "9"])
    ));
    assert!(!check_multi(
        "ForAllValues:NumericLessThan",
        &["10"],
        Some(&["1", "19"])
    ));
    assert!(check_multi(
        "ForAnyValue:IpAddress",
        &["10.0.0.0/8"],
        Some(&["1.1.1.1", "10.9.9.9"])
    ));
    assert!(check_multi(
        "ForAnyValue:ArnLike",
        &["arn:aws:iam::*:role/A*"],
        Some(&["arn:aws:iam::1:role/Admin"])
    ));
    assert!(check_multi(
        "ForAllValues:Bool",
        &["true"],
        Some(&["true", "TRUE"])
    ));
    assert!(check_multi(
        "ForAnyValue:DateLessThan",
        &["2020-01-01"],
        Some(&["2019-12-31"])
    ));
    assert!(check_multi(
        "ForAllValues:BinaryEquals",
        &["Zm9v"],
        Some(&["Zm9v"])
    ));
}

// ---- Variables in condition values (VAR) ----

#[test]
fn var_in_condition_value_doc_example_s3_prefix() {
    // VAR example: "StringLike": {"s3:prefix": ["${aws:username}/*"]}.
    let c = cond("StringLike", "s3:prefix", &["home/${aws:username}/*"]);
    let r = ctx(&[
        ("aws:username", V::S("alice")),
        ("s3:prefix", V::S("home/alice/docs")),
    ]);
    assert!(condition_holds(&c, &r, true));
    let other = ctx(&[
        ("aws:username", V::S("bob")),
        ("s3:prefix", V::S("home/alice/docs")),
    ]);
    assert!(!condition_holds(&c, &other, true));
    // Under 2008-10-17 the variable is literal text.
    assert!(!condition_holds(&c, &r, false));
    let literal = ctx(&[("s3:prefix", V::S("home/${aws:username}/x"))]);
    assert!(condition_holds(&c, &literal, false));
}

#[test]
fn var_unresolvable_value_matches_nothing_and_defaults_apply() {
    let r = ctx(&[("aws:ResourceTag/team", V::S("red"))]);
    let c = cond(
        "StringEquals",
        "aws:ResourceTag/team",
        &["${aws:PrincipalTag/team}"],
    );
    assert!(!condition_holds(&c, &r, true));
    let negated = cond(
        "StringNotEquals",
        "aws:ResourceTag/team",
        &["${aws:PrincipalTag/team}"],
    );
    assert!(condition_holds(&negated, &r, true));
    // VAR, "Specifying default values".
    let with_default = cond(
        "StringEquals",
        "aws:ResourceTag/team",
        &["${aws:PrincipalTag/team, 'red'}"],
    );
    assert!(condition_holds(&with_default, &r, true));
}

#[test]
fn var_in_numeric_date_and_arn_values() {
    let r = ctx(&[
        ("k:limit", V::S("5")),
        ("k:n", V::S("4")),
        ("aws:PrincipalAccount", V::S("111122223333")),
        (
            "aws:SourceArn",
            V::S("arn:aws:sns:us-east-1:111122223333:t"),
        ),
    ]);
    assert!(condition_holds(
        &cond("NumericLessThan", "k:n", &["${k:limit}"]),
        &r,
        true
    ));
    assert!(condition_holds(
        &cond(
            "ArnLike",
            "aws:SourceArn",
            &["arn:aws:sns:*:${aws:PrincipalAccount}:*"]
        ),
        &r,
        true
    ));
    assert!(condition_holds(
        &cond(
            "ArnEquals",
            "aws:SourceArn",
            &["arn:aws:sns:us-east-1:${aws:PrincipalAccount}:t"]
        ),
        &r,
        true
    ));
}

#[test]
fn var_escapes_in_string_like_are_literal() {
    // VAR, special characters: ${*} is a literal asterisk.
    let c = cond("StringLike", "k:key", &["a${*}"]);
    assert!(condition_holds(&c, &ctx(&[("k:key", V::S("a*"))]), true));
    assert!(!condition_holds(&c, &ctx(&[("k:key", V::S("ab"))]), true));
    let q = cond("StringEquals", "k:key", &["${$}{x}${?}"]);
    assert!(condition_holds(&q, &ctx(&[("k:key", V::S("${x}?"))]), true));
}
