//! One line of a requests file read straight from its text, for the shape nearly every line
//! has: `principal`, `action`, `resource`, `resourceAccount` as strings and a `context` object
//! of string or string-list values.
//!
//! The strict reader ([`crate::scenario::strict_json`] then `request_of`) builds a JSON tree,
//! records every key's path to find repeated ones and copies each string out of the tree:
//! on 100,000 requests that cost about as much as deciding them. This reader borrows the
//! strings from the line and builds the [`RequestSpec`] directly. It accepts a line only when
//! the strict reader would accept it and build the same request; anything else (a repeated
//! key, an unknown field, a number or `true` as a context value, AWS's `ContextEntries`
//! list, a value the catalogue's type refuses, a bad ARN...) makes it give up, and the
//! strict reader decides the line and names what is wrong. A unit test holds the two equal
//! on the bundled and synthetic requests and on lines built to differ.

use std::borrow::Cow;
use std::fmt;
use std::path::Path;

use facts::request::{Context, ContextValue};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::account::RequestSpec;
use super::input::{check_request, typed_value};

/// The request of `line` when it has the common shape and the strict reader would accept
/// it; `None` otherwise (then the strict reader must read the line).
pub(super) fn fast_request(line: &str) -> Option<RequestSpec> {
    let mut de = serde_json::Deserializer::from_str(line);
    let raw = Line::deserialize(&mut de).ok()?;
    de.end().ok()?;
    let spec = RequestSpec {
        principal: raw.principal?.into_owned(),
        action: raw.action?.into_owned(),
        resource: raw
            .resource
            .map_or_else(|| "*".to_string(), Cow::into_owned),
        resource_account: raw.resource_account.map(Cow::into_owned),
        context: std::sync::Arc::new(raw.context.map(|c| c.0).unwrap_or_default()),
    };
    check_request(
        &spec.principal,
        &spec.action,
        &spec.resource,
        spec.resource_account.as_deref(),
    )
    .ok()?;
    Some(spec)
}

/// A request line's fields, borrowed from the text where it has no escapes. A field given
/// twice, or one not named here, fails (serde's derive), and so does a `null` principal or
/// action (then `None`: the strict reader says it is missing).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line<'a> {
    #[serde(borrow)]
    principal: Option<Cow<'a, str>>,
    #[serde(borrow)]
    action: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    resource: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "resourceAccount")]
    resource_account: Option<Cow<'a, str>>,
    #[serde(default)]
    context: Option<LineContext>,
}

/// A `context` object whose values are strings or lists of strings, each key once in any
/// case and each value of the type the catalogue gives its key (`typed_value`, as the strict
/// reader checks it).
struct LineContext(Context);

impl<'de> Deserialize<'de> for LineContext {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<LineContext, D::Error> {
        d.deserialize_map(ContextVisitor)
    }
}

struct ContextVisitor;

impl<'de> Visitor<'de> for ContextVisitor {
    type Value = LineContext;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of context keys")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<LineContext, A::Error> {
        let mut ctx = Context::new();
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if ctx.get(&key).is_some() {
                return Err(de::Error::custom("a key given twice"));
            }
            let value = map.next_value::<LineValue>()?.0;
            let value = typed_value(&key, value, Path::new(""), String::new)
                .map_err(|_| de::Error::custom("a value of the wrong type"))?;
            ctx.insert(&key, value);
        }
        Ok(LineContext(ctx))
    }
}

/// A context value: a string, or a list of strings.
struct LineValue(ContextValue);

impl<'de> Deserialize<'de> for LineValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<LineValue, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = LineValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or a list of strings")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<LineValue, E> {
        Ok(LineValue(ContextValue::Single(v.to_string())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<LineValue, E> {
        Ok(LineValue(ContextValue::Single(v)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<LineValue, A::Error> {
        let mut vs = Vec::with_capacity(seq.size_hint().unwrap_or(2));
        while let Some(s) = seq.next_element::<Cow<'de, str>>()? {
            vs.push(s.into_owned());
        }
        Ok(LineValue(ContextValue::Multi(vs)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// The strict reader's answer for one line: the request, or `None` for an error.
    fn strict(line: &str) -> Option<RequestSpec> {
        let file = PathBuf::from("requests.jsonl");
        let v = crate::scenario::strict_json(line, &file, 0).ok()?;
        super::super::account::request_of(&v, &file).ok()
    }

    /// Each line the fast reader accepts reads as the strict reader reads it (every field and
    /// every context key with its value), and each line the strict reader refuses the fast
    /// one refuses too. Returns how many lines the fast reader took.
    fn agree(lines: &[String]) -> usize {
        let mut fast = 0;
        for line in lines {
            let f = fast_request(line);
            let s = strict(line);
            if let Some(f) = &f {
                fast += 1;
                let s = s
                    .as_ref()
                    .unwrap_or_else(|| panic!("fast reader accepted a bad line: {line}"));
                assert_eq!(f, s, "{line}");
                assert_eq!(
                    f.context.iter().collect::<Vec<_>>(),
                    s.context.iter().collect::<Vec<_>>(),
                    "{line}"
                );
            }
        }
        fast
    }

    #[test]
    fn the_bundled_and_synthetic_requests_read_as_the_strict_reader_reads_them() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let bundled = std::fs::read_to_string(root.join("examples/requests.jsonl")).unwrap();
        let lines: Vec<String> = bundled
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect();
        let took = agree(&lines);
        assert!(took * 10 >= lines.len() * 9, "{took} of {}", lines.len());

        let dir = tempfile::tempdir().unwrap();
        let spec = synth::Spec {
            accounts: 3,
            roles_per_account: 6,
            users_per_account: 3,
            requests: 2_000,
            ..synth::Spec::default()
        };
        synth::generate(&spec, dir.path(), &mut || {}).unwrap();
        let text = std::fs::read_to_string(dir.path().join("requests.jsonl")).unwrap();
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        assert_eq!(agree(&lines), lines.len());
    }

    #[test]
    fn unusual_lines_are_left_to_the_strict_reader_or_read_alike() {
        let base = r#""principal":"arn:aws:iam::111111111111:user/a","action":"s3:GetObject""#;
        let variants = [
            format!("{{{base}}}"),
            format!("{{{base},\"resource\":\"arn:aws:s3:::b/k\",\"resourceAccount\":\"222222222222\"}}"),
            format!("{{{base},\"resource\":null,\"resourceAccount\":null,\"context\":null}}"),
            // Escapes in strings and keys.
            format!("{{{base},\"resource\":\"arn:aws:s3:::b/\\u00e9\\\"x\",\"context\":{{\"aws:Principal\\u0054ag/t\":\"v\\n\"}}}}"),
            // A repeated field, a repeated key, a key repeated in another case.
            format!("{{{base},\"action\":\"s3:PutObject\"}}"),
            format!("{{{base},\"context\":{{\"aws:SourceIp\":\"10.0.0.1\",\"aws:SourceIp\":\"10.0.0.2\"}}}}"),
            format!("{{{base},\"context\":{{\"aws:SourceIp\":\"10.0.0.1\",\"AWS:sourceip\":\"10.0.0.2\"}}}}"),
            // Values of other JSON types, and the catalogue's types.
            format!("{{{base},\"context\":{{\"aws:MultiFactorAuthPresent\":true}}}}"),
            format!("{{{base},\"context\":{{\"aws:MultiFactorAuthAge\":30}}}}"),
            format!("{{{base},\"context\":{{\"aws:MultiFactorAuthAge\":\"thirty\"}}}}"),
            format!("{{{base},\"context\":{{\"aws:SourceIp\":\"not-an-ip\"}}}}"),
            format!("{{{base},\"context\":{{\"aws:TagKeys\":\"team\"}}}}"),
            format!("{{{base},\"context\":{{\"aws:TagKeys\":[\"team\",\"env\"]}}}}"),
            format!("{{{base},\"context\":{{\"aws:TagKeys\":[\"team\",1]}}}}"),
            format!("{{{base},\"context\":{{\"aws:SourceIp\":[]}}}}"),
            format!("{{{base},\"context\":{{\"x\":{{}}}}}}"),
            format!("{{{base},\"context\":[{{\"ContextKeyName\":\"aws:SourceIp\",\"ContextKeyValues\":[\"10.0.0.1\"],\"ContextKeyType\":\"ip\"}}]}}"),
            // Missing, null, mistyped and unknown fields; not an object; trailing text.
            r#"{"action":"s3:GetObject"}"#.to_string(),
            r#"{"principal":null,"action":"s3:GetObject"}"#.to_string(),
            r#"{"principal":1,"action":"s3:GetObject"}"#.to_string(),
            format!("{{{base},\"extra\":1}}"),
            format!("{{{base}}} x"),
            format!("[{{{base}}}]"),
            format!("{{{base},"),
            // What `check_request` refuses.
            r#"{"principal":"arn:aws:iam::111111111111:user/a","action":"GetObject"}"#.to_string(),
            format!("{{{base},\"resourceAccount\":\"12\"}}"),
            format!("{{{base},\"resource\":\"\"}}"),
        ];
        let took = agree(&variants);
        // The plain shapes are read by the fast reader (so the test checks it, not only
        // the fallback): the first four lines and the two `aws:TagKeys` lines at least.
        assert!(took >= 6, "{took}");
        for i in [0, 1, 2, 3] {
            assert!(fast_request(&variants[i]).is_some(), "{}", variants[i]);
        }
        for i in [4, 5, 6, 7, 8, 16, 17, 18, 20, 21, 22, 23] {
            assert!(fast_request(&variants[i]).is_none(), "{}", variants[i]);
        }
    }
}
