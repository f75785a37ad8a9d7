//! Validation of request inputs, the same in every mode (`--principal`/`--action`/...
//! flags, `--requests` lines, scenario objects): the principal, action, resource and
//! resource account of a request, and context values typed like AWS's simulator types them
//! (`KEY:TYPE=VALUE`, or the type the action catalogue documents for the key).

use std::path::Path;

use facts::request::{Context, ContextValue};

use super::principal::is_principal;
use super::SimulateError;

/// The value type of a context key, from `KEY:TYPE=VALUE` or the action catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValueType {
    String,
    Numeric,
    Date,
    Bool,
    Ip,
    Arn,
    Binary,
}

/// The type names accepted in `KEY:TYPE=VALUE` (AWS's simulator context key types, plus
/// short forms), with whether the key is multivalued.
fn named_type(name: &str) -> Option<(ValueType, bool)> {
    let lower = name.to_ascii_lowercase();
    let (base, list) = match lower.strip_suffix("list") {
        Some(b) => (b.to_string(), true),
        None => (lower, false),
    };
    let t = match base.as_str() {
        "string" => ValueType::String,
        "number" | "numeric" => ValueType::Numeric,
        "date" => ValueType::Date,
        "bool" | "boolean" => ValueType::Bool,
        "ip" | "ipaddress" => ValueType::Ip,
        "arn" => ValueType::Arn,
        "binary" => ValueType::Binary,
        _ => return None,
    };
    Some((t, list))
}

/// The type the action catalogue documents for `key`, if it knows the key. Remembered per
/// thread by the key's spelling: finding a key in the catalogue tries each global key's
/// pattern in turn (about 1,800 instructions), and a requests file repeats the same few keys
/// on every line. The memory is bounded (emptied past [`TYPES_REMEMBERED`] spellings: tag
/// keys vary).
fn catalogue_type(key: &str) -> Option<(ValueType, bool)> {
    type Seen =
        std::collections::HashMap<Box<str>, Option<(ValueType, bool)>, facts::hash::FxBuild>;
    thread_local! {
        static SEEN: std::cell::RefCell<Seen> = std::cell::RefCell::new(Seen::default());
    }
    SEEN.with(|seen| {
        if let Some(&t) = seen.borrow().get(key) {
            return t;
        }
        let t = catalogue_type_uncached(key);
        let mut seen = seen.borrow_mut();
        if seen.len() >= TYPES_REMEMBERED {
            seen.clear();
        }
        seen.insert(key.into(), t);
        t
    })
}

/// How many key spellings [`catalogue_type`] remembers per thread.
const TYPES_REMEMBERED: usize = 4_096;

/// [`catalogue_type`], looked up in the catalogue.
fn catalogue_type_uncached(key: &str) -> Option<(ValueType, bool)> {
    use facts::catalogue::{Catalogue, KeyType, ScalarType};
    let scalar = |s: ScalarType| match s {
        ScalarType::String => ValueType::String,
        ScalarType::Arn => ValueType::Arn,
        ScalarType::Bool => ValueType::Bool,
        ScalarType::Numeric => ValueType::Numeric,
        ScalarType::Date => ValueType::Date,
        ScalarType::IpAddress => ValueType::Ip,
    };
    let ty = Catalogue::get().condition_key(key)?.key_type();
    Some(match ty {
        KeyType::String => (ValueType::String, false),
        KeyType::Arn => (ValueType::Arn, false),
        KeyType::Bool => (ValueType::Bool, false),
        KeyType::Numeric => (ValueType::Numeric, false),
        KeyType::Date => (ValueType::Date, false),
        KeyType::IpAddress => (ValueType::Ip, false),
        KeyType::Binary => (ValueType::Binary, false),
        KeyType::ArrayOf(s) => (scalar(s), true),
    })
}

/// Whether `value` is a well-formed value of type `t` (the checks catch typos such as
/// `aws:MultiFactorAuthPresent=yes` or `aws:SourceIp=notanip`; the condition operators do
/// the real comparison).
fn well_typed(t: ValueType, value: &str) -> bool {
    match t {
        ValueType::String | ValueType::Binary => true,
        ValueType::Numeric => value.parse::<f64>().is_ok(),
        ValueType::Date => {
            value.parse::<i64>().is_ok()
                || (value.len() >= 10
                    && value.as_bytes().get(4) == Some(&b'-')
                    && value.as_bytes().iter().take(4).all(u8::is_ascii_digit))
        }
        ValueType::Bool => {
            value.eq_ignore_ascii_case("true") || value.eq_ignore_ascii_case("false")
        }
        ValueType::Ip => {
            let (addr, prefix) = match value.split_once('/') {
                Some((a, p)) => (a, Some(p)),
                None => (value, None),
            };
            match addr.parse::<std::net::IpAddr>() {
                Ok(ip) => prefix.is_none_or(|p| {
                    let max = if ip.is_ipv4() { 32 } else { 128 };
                    p.parse::<u8>().is_ok_and(|n| n <= max)
                }),
                Err(_) => false,
            }
        }
        ValueType::Arn => value == "*" || valid_arn(value),
    }
}

fn type_name(t: ValueType) -> &'static str {
    match t {
        ValueType::String => "string",
        ValueType::Numeric => "numeric",
        ValueType::Date => "date",
        ValueType::Bool => "boolean",
        ValueType::Ip => "ip",
        ValueType::Arn => "arn",
        ValueType::Binary => "binary",
    }
}

/// Check every value of `value` against type `t`; the error names the key and value.
fn check_values(key: &str, t: ValueType, value: &ContextValue) -> Result<(), String> {
    let values: &[String] = match value {
        ContextValue::Single(v) => std::slice::from_ref(v),
        ContextValue::Multi(vs) => vs,
    };
    match values.iter().find(|v| !well_typed(t, v)) {
        Some(bad) => Err(format!(
            "`{bad}` is not a valid {} value for `{key}`",
            type_name(t)
        )),
        None => Ok(()),
    }
}

/// Type-check the value of one context key read from a file (scenario or `--requests`
/// line): a key the action catalogue knows must hold values of its documented type, and a
/// multivalued key given a single value becomes a one-element set (as with `--context`).
/// `path` gives where the key sits, as the user spelled it (`$.context.aws:SourceIp`); it
/// is called only for an error (a requests file has hundreds of thousands of keys and,
/// most often, no error).
pub(crate) fn typed_value(
    key: &str,
    mut value: ContextValue,
    file: &Path,
    path: impl FnOnce() -> String,
) -> Result<ContextValue, SimulateError> {
    if let Some((t, list)) = catalogue_type(key) {
        check_values(key, t, &value).map_err(|reason| SimulateError::Invalid {
            file: file.to_path_buf(),
            path: path(),
            reason,
        })?;
        if let (true, ContextValue::Single(v)) = (list, &value) {
            value = ContextValue::Multi(vec![v.clone()]);
        }
    }
    Ok(value)
}

/// Parse `--context` flags into a context: `KEY=VALUE` or `KEY:TYPE=VALUE`. A key given
/// several times, or typed as a `...List` (explicitly or by the catalogue), is multivalued.
/// A value of the wrong type for its key, or an unknown TYPE, is an error.
pub fn parse_context_flags(items: &[String]) -> Result<Context, SimulateError> {
    let err = |reason: String| SimulateError::Invalid {
        file: "<command line>".into(),
        path: "--context".to_string(),
        reason,
    };
    let mut values: Vec<(String, bool, Vec<String>)> = Vec::new();
    for item in items {
        let Some((key, value)) = item.split_once('=') else {
            return Err(err(format!(
                "`{item}`: expected KEY=VALUE or KEY:TYPE=VALUE"
            )));
        };
        // Condition keys contain `:` themselves (`aws:SourceIp`), and tag keys in them may
        // too (`aws:ResourceTag/aws:cloudformation:stack-name`). The part after the last `:`
        // is a type when it names one; when it does not, and what precedes it is already a
        // whole `service:name` key (no tag key with colons), it is an unknown type.
        let (key, explicit) = match key.rsplit_once(':') {
            Some((k, ty)) => match named_type(ty) {
                Some(t) => (k, Some(t)),
                None if k
                    .split_once(':')
                    .is_some_and(|(_, name)| !name.contains('/')) =>
                {
                    return Err(err(format!(
                        "`{item}`: unknown type `{ty}` (expected string, numeric, date, boolean, ip, arn, binary, or one of them with `List`)"
                    )));
                }
                None => (key, None),
            },
            None => (key, None),
        };
        if key.is_empty() {
            return Err(err(format!("`{item}`: empty key")));
        }
        let typed = explicit.or_else(|| catalogue_type(key));
        let list = typed.is_some_and(|(_, l)| l);
        if let Some((t, _)) = typed {
            check_values(key, t, &ContextValue::Single(value.to_string()))
                .map_err(|r| err(format!("`{item}`: {r}")))?;
        }
        match values
            .iter_mut()
            .find(|(k, _, _)| k.eq_ignore_ascii_case(key))
        {
            Some(entry) => {
                entry.1 |= list;
                entry.2.push(value.to_string());
            }
            None => values.push((key.to_string(), list, vec![value.to_string()])),
        }
    }
    let mut ctx = Context::new();
    for (k, list, vs) in values {
        let v = match (list || vs.len() > 1, vs.first()) {
            (false, Some(one)) => ContextValue::Single(one.clone()),
            _ => ContextValue::Multi(vs),
        };
        ctx.insert(&k, v);
    }
    Ok(ctx)
}

/// Whether `text` is an ARN with a partition, a service and a resource part.
fn valid_arn(text: &str) -> bool {
    // What `facts::arn::split_arn` checks, and the non-empty partition, service and
    // resource, in one pass that stops at the colon before the resource (the resource, the
    // longest part, is not scanned).
    let Some(rest) = text.strip_prefix("arn:") else {
        return false;
    };
    let mut colons = 0;
    let mut start = 0;
    for (i, &b) in rest.as_bytes().iter().enumerate() {
        if b != b':' {
            continue;
        }
        // The partition (before the first colon) and the service (before the second)
        // must not be empty; region and account may be.
        if colons < 2 && i == start {
            return false;
        }
        colons += 1;
        start = i + 1;
        if colons == 4 {
            return start < rest.len();
        }
    }
    false
}

/// Why `principal` is not a caller.
fn principal_error(principal: &str) -> String {
    format!(
        "`{principal}` is not a principal: expected `*`, a 12-digit account id, an IAM/STS ARN with a 12-digit account (user, role, assumed-role session, root, federated user, SAML/OIDC provider) or a service principal"
    )
}

/// Why `action` is not one request action (`service:Name`, no wildcards), if it is not.
pub(crate) fn check_action(action: &str) -> Result<(), String> {
    if action_ok(action.as_bytes()) {
        Ok(())
    } else {
        Err(format!(
            "`{action}` is not an action: expected `service:ActionName` such as `s3:GetObject` (no wildcards)"
        ))
    }
}

/// Whether `action` is `service:Name`: a service of ASCII letters, digits and `-`, a
/// colon, a name of ASCII letters, digits, `-` and `_`, both not empty. One pass over the
/// bytes (called for every request).
fn action_ok(action: &[u8]) -> bool {
    // Per byte: bit 0, allowed in the service; bit 1, allowed in the name.
    const ALLOWED: [u8; 256] = {
        let mut t = [0u8; 256];
        let mut b = 0;
        while b < 256 {
            let c = b as u8;
            if c.is_ascii_alphanumeric() || c == b'-' {
                t[b] = 0b11;
            } else if c == b'_' {
                t[b] = 0b10;
            }
            b += 1;
        }
        t
    };
    let mut in_name = false;
    let mut start = 0;
    for (i, &b) in action.iter().enumerate() {
        let want = if in_name { 0b10 } else { 0b01 };
        if ALLOWED[usize::from(b)] & want != 0 {
            continue;
        }
        if b == b':' && !in_name && i > 0 {
            in_name = true;
            start = i + 1;
            continue;
        }
        return false;
    }
    in_name && start < action.len()
}

/// Why `resource` is not a request resource (`*` or an ARN), if it is not.
pub(crate) fn check_resource(resource: &str) -> Result<(), String> {
    if resource == "*" || valid_arn(resource) {
        Ok(())
    } else {
        Err(format!(
            "`{resource}` is not a resource: expected `*` or an ARN `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`"
        ))
    }
}

/// Why `account` is not a 12-digit account id, if it is not.
pub(crate) fn check_account(account: &str) -> Result<(), String> {
    if facts::arn::is_account_id(account) {
        Ok(())
    } else {
        Err(format!("`{account}` is not a 12-digit account id"))
    }
}

/// Check the fields of one request; the error carries the field's name as the request
/// file spells it (`principal`, `action`, `resource`, `resourceAccount`).
pub(crate) fn check_request(
    principal: &str,
    action: &str,
    resource: &str,
    resource_account: Option<&str>,
) -> Result<(), (&'static str, String)> {
    check_request_of(
        principal,
        is_principal(principal),
        action,
        resource,
        resource_account,
    )
}

/// [`check_request`] for a caller already split ([`super::principal::parts`]):
/// `principal_ok` says whether it is a principal.
pub(crate) fn check_request_of(
    principal: &str,
    principal_ok: bool,
    action: &str,
    resource: &str,
    resource_account: Option<&str>,
) -> Result<(), (&'static str, String)> {
    if !principal_ok {
        return Err(("principal", principal_error(principal)));
    }
    check_action(action).map_err(|e| ("action", e))?;
    check_resource(resource).map_err(|e| ("resource", e))?;
    if let Some(a) = resource_account {
        check_account(a).map_err(|e| ("resourceAccount", e))?;
    }
    Ok(())
}

/// Check the request flags of account mode (`--principal`, `--action`, `--resource`,
/// `--resource-account`); the error names the flag and the value.
pub fn check_request_flags(
    principal: &str,
    action: &str,
    resource: &str,
    resource_account: Option<&str>,
) -> Result<(), SimulateError> {
    check_request(principal, action, resource, resource_account).map_err(|(field, reason)| {
        let flag = match field {
            "principal" => "--principal",
            "action" => "--action",
            "resource" => "--resource",
            _ => "--resource-account",
        };
        SimulateError::Invalid {
            file: "<command line>".into(),
            path: flag.to_string(),
            reason,
        }
    })
}

/// AWS's `ContextEntries` list (the simulator's `--cli-input-json` shape, also accepted as a
/// scenario's `context`): `[{"ContextKeyName", "ContextKeyValues": [...], "ContextKeyType"}]`.
/// `ContextKeyType` is one of AWS's types (`string`, `stringList`, `numeric`, `numericList`,
/// `boolean`, `booleanList`, `ip`, `ipList`, `binary`, `binaryList`, `date`, `dateList`);
/// without it, the catalogue's type of the key applies. A `...List` type makes the key
/// multivalued; several values under a scalar type are an error, as is a value of the wrong
/// type or an unknown field. Errors name `path[i].Field`.
pub(crate) fn context_entries(
    items: &[serde_json::Value],
    file: &Path,
    path: &str,
) -> Result<Context, SimulateError> {
    use serde_json::Value;
    let invalid = |at: String, reason: String| SimulateError::Invalid {
        file: file.to_path_buf(),
        path: at,
        reason,
    };
    const FIELDS: [&str; 3] = ["ContextKeyName", "ContextKeyValues", "ContextKeyType"];
    let mut ctx = Context::new();
    for (i, item) in items.iter().enumerate() {
        let at = format!("{path}[{i}]");
        let Value::Object(o) = item else {
            return Err(invalid(
                at,
                "expected {\"ContextKeyName\", \"ContextKeyValues\", \"ContextKeyType\"}".into(),
            ));
        };
        if let Some(k) = o.keys().find(|k| !FIELDS.contains(&k.as_str())) {
            return Err(invalid(
                format!("{at}.{k}"),
                format!(
                    "unknown field `{k}` (expected one of {})",
                    FIELDS.join(", ")
                ),
            ));
        }
        let key = match o.get("ContextKeyName") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            _ => {
                return Err(invalid(
                    format!("{at}.ContextKeyName"),
                    "missing or empty: the condition key name".into(),
                ))
            }
        };
        let values: Vec<String> = match o.get("ContextKeyValues") {
            Some(Value::Array(vs)) => vs
                .iter()
                .enumerate()
                .map(|(j, v)| match v {
                    Value::String(s) => Ok(s.clone()),
                    _ => Err(invalid(
                        format!("{at}.ContextKeyValues[{j}]"),
                        "expected a string".into(),
                    )),
                })
                .collect::<Result<_, _>>()?,
            _ => {
                return Err(invalid(
                    format!("{at}.ContextKeyValues"),
                    "missing: an array of strings".into(),
                ))
            }
        };
        let typed = match o.get("ContextKeyType") {
            None | Some(Value::Null) => catalogue_type(&key),
            Some(Value::String(t)) => Some(named_type(t).ok_or_else(|| {
                invalid(
                    format!("{at}.ContextKeyType"),
                    format!("unknown type `{t}` (expected string, stringList, numeric, numericList, boolean, booleanList, ip, ipList, binary, binaryList, date or dateList)"),
                )
            })?),
            Some(_) => {
                return Err(invalid(
                    format!("{at}.ContextKeyType"),
                    "expected a string".into(),
                ))
            }
        };
        let list = typed.is_some_and(|(_, l)| l);
        let value = match (list, values.as_slice()) {
            (false, [one]) => ContextValue::Single(one.clone()),
            (false, _) => {
                return Err(invalid(
                    format!("{at}.ContextKeyValues"),
                    format!(
                        "{} values for a single-valued key: give exactly one, or a `...List` ContextKeyType",
                        values.len()
                    ),
                ))
            }
            (true, _) => ContextValue::Multi(values),
        };
        if let Some((t, _)) = typed {
            check_values(&key, t, &value)
                .map_err(|r| invalid(format!("{at}.ContextKeyValues"), r))?;
        }
        ctx.insert(&key, value);
    }
    Ok(ctx)
}

#[cfg(test)]
mod tests {

    /// The remembered type of a key is the catalogue's, asked first, again, in another case
    /// and after the memory was emptied (more spellings than it keeps).
    #[test]
    fn remembered_key_types_are_the_catalogues() {
        use super::{catalogue_type, catalogue_type_uncached, TYPES_REMEMBERED};
        let keys = [
            "aws:SourceIp",
            "AWS:sourceip",
            "aws:TagKeys",
            "aws:MultiFactorAuthAge",
            "aws:SecureTransport",
            "aws:PrincipalTag/team",
            "s3:x-amz-acl",
            "kms:CallerAccount",
            "no:such-key",
        ];
        assert!(catalogue_type_uncached("aws:SourceIp").is_some());
        assert!(catalogue_type_uncached("no:such-key").is_none());
        for round in 0..3 {
            for k in keys {
                assert_eq!(catalogue_type(k), catalogue_type_uncached(k), "{k} {round}");
            }
            for i in 0..TYPES_REMEMBERED {
                catalogue_type(&format!("aws:PrincipalTag/t{round}-{i}"));
            }
        }
    }

    /// The checks as they were written before the one-pass versions.
    fn action_reference(action: &str) -> bool {
        action.split_once(':').is_some_and(|(svc, name)| {
            !svc.is_empty()
                && !name.is_empty()
                && svc.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
    }

    fn arn_reference(text: &str) -> bool {
        facts::arn::split_arn(text).is_some_and(|[_, partition, service, _, _, resource]| {
            !partition.is_empty() && !service.is_empty() && !resource.is_empty()
        })
    }

    /// Every string of up to five pieces drawn from the separators and characters that
    /// decide (`:`, `-`, `_`, `/`, `*`, letters, digits, a space, non-ASCII), with and
    /// without an `arn:` head, gets the reference's answer from `action_ok` and
    /// `valid_arn`; both answers are reached.
    #[test]
    fn one_pass_checks_answer_as_the_reference() {
        let pieces = [
            "", ":", "::", "-", "_", "/", "*", "s3", "Get", "9", " ", "é", "aws",
        ];
        let mut texts = vec![String::new()];
        for _ in 0..5 {
            let mut next = Vec::new();
            for t in &texts {
                for p in pieces {
                    next.push(format!("{t}{p}"));
                }
            }
            texts = next;
        }
        let (mut actions, mut arns) = (0, 0);
        for t in &texts {
            assert_eq!(action_ok(t.as_bytes()), action_reference(t), "{t:?}");
            actions += usize::from(action_reference(t));
            for text in [t.clone(), format!("arn:{t}"), format!("arn:aws:s3:::{t}")] {
                assert_eq!(valid_arn(&text), arn_reference(&text), "{text:?}");
                arns += usize::from(arn_reference(&text));
            }
        }
        assert!(actions > 100 && actions < texts.len(), "{actions}");
        assert!(arns > 100 && arns < 3 * texts.len(), "{arns}");
    }
    use super::*;

    #[test]
    fn context_flags_single_multi_and_typed() {
        let ctx = parse_context_flags(&[
            "aws:SourceIp=10.0.0.1".to_string(),
            "aws:TagKeys=a".to_string(),
            "aws:TagKeys=b".to_string(),
            "ec2:InstanceType:stringList=t2.micro".to_string(),
            "aws:MultiFactorAuthPresent:bool=true".to_string(),
            "aws:ResourceTag/aws:cloudformation:stack-name=web".to_string(),
        ])
        .unwrap();
        assert_eq!(
            ctx.get("aws:sourceip"),
            Some(&ContextValue::Single("10.0.0.1".into()))
        );
        assert_eq!(
            ctx.get("aws:TagKeys"),
            Some(&ContextValue::Multi(vec!["a".into(), "b".into()]))
        );
        assert_eq!(
            ctx.get("ec2:InstanceType"),
            Some(&ContextValue::Multi(vec!["t2.micro".into()]))
        );
        assert_eq!(
            ctx.get("aws:ResourceTag/aws:cloudformation:stack-name"),
            Some(&ContextValue::Single("web".into()))
        );
        assert!(parse_context_flags(&["novalue".to_string()]).is_err());
        // Typed per the catalogue: aws:MultiFactorAuthPresent is a Bool, aws:TagKeys is
        // multivalued (ArrayOfString) even with one value.
        assert!(parse_context_flags(&["aws:MultiFactorAuthPresent=yes".to_string()]).is_err());
        assert!(parse_context_flags(&["aws:SourceIp=10.0.0.300".to_string()]).is_err());
        assert!(parse_context_flags(&["aws:SourceIp=10.0.0.0/33".to_string()]).is_err());
        let one = parse_context_flags(&["aws:TagKeys=env".to_string()]).unwrap();
        assert_eq!(
            one.get("aws:TagKeys"),
            Some(&ContextValue::Multi(vec!["env".into()]))
        );
    }

    #[test]
    fn unknown_context_type_is_an_error_not_part_of_the_key() {
        let e = parse_context_flags(&["aws:RequestedRegion:frob=x".to_string()])
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown type `frob`"), "{e}");
    }

    #[test]
    fn file_contexts_are_typed_by_the_catalogue() {
        let e = typed_value(
            "aws:SourceIp",
            ContextValue::Single("notanip".into()),
            Path::new("r.jsonl:2"),
            || "$.context.aws:SourceIp".to_string(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("r.jsonl:2: $.context.aws:SourceIp"), "{e}");
        assert!(e.contains("notanip"), "{e}");
        let ok = typed_value(
            "aws:TagKeys",
            ContextValue::Single("env".into()),
            Path::new("r.jsonl:1"),
            || "$.context.aws:TagKeys".to_string(),
        )
        .unwrap();
        assert_eq!(ok, ContextValue::Multi(vec!["env".into()]));
    }

    #[test]
    fn request_fields_are_checked() {
        let alice = "arn:aws:iam::111111111111:user/alice";
        assert!(check_request(alice, "s3:GetObject", "*", None).is_ok());
        assert!(check_request(
            alice,
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            Some("111111111111")
        )
        .is_ok());
        assert_eq!(
            check_request("arn:aws:iam::1:user/x", "s3:GetObject", "*", None).map_err(|e| e.0),
            Err("principal")
        );
        assert_eq!(
            check_request(alice, "nocolon", "*", None).map_err(|e| e.0),
            Err("action")
        );
        assert_eq!(
            check_request(alice, "s3:Get*", "*", None).map_err(|e| e.0),
            Err("action")
        );
        for bad in ["notarn", "arn:aws", "arn:aws:s3:::"] {
            assert_eq!(
                check_request(alice, "s3:GetObject", bad, None).map_err(|e| e.0),
                Err("resource"),
                "{bad}"
            );
        }
        assert_eq!(
            check_request(alice, "s3:GetObject", "*", Some("12ab")).map_err(|e| e.0),
            Err("resourceAccount")
        );
    }
}
