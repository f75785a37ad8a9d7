//! ARNs: parsing into partition, service, region, account and resource, `ArnLike` /
//! `ArnEquals`, and matching of the `Resource` element.
//!
//! References (AWS IAM User Guide):
//! - "IAM identifiers" / "Amazon Resource Names": `arn:partition:service:region:account-id:`
//!   followed by the resource, which may itself contain `:` and `/`.
//! - "Condition operators", ARN condition operators: `ArnEquals` and `ArnLike` are
//!   case-sensitive; "each of the six colon-delimited components of the ARN is checked
//!   separately and each can include multi-character match wildcards (*) or single-character
//!   match wildcards (?)". `ArnNotEquals`/`ArnNotLike` are their negations.
//! - "IAM JSON policy elements: Resource": wildcards may be used within any ARN segment, and a
//!   `*` that is the last character of a segment can expand beyond the colon boundaries.
//!
//! **Choice for the `Resource` element** ([`resource_matches`]): the pattern is a glob over
//! the whole ARN string, case-sensitive, so `*` may span `:` (what AWS documents for a `*`
//! that ends a segment). A `*` in the middle of a segment (`us-*-1`) may also span colons
//! here, which is a slight over-approximation of the documented rule; AWS recommends keeping
//! wildcards inside segments, and every policy in the managed corpus does.

use crate::wildcard::{glob_match, glob_match_tokens, GlobToken};

/// A parsed ARN `arn:partition:service:region:account:resource`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Arn {
    /// `aws`, `aws-cn`, `aws-us-gov`...
    pub partition: String,
    /// Service namespace, e.g. `s3`.
    pub service: String,
    /// Region, possibly empty.
    pub region: String,
    /// Account id, possibly empty (S3 buckets).
    pub account: String,
    /// The resource part (may itself contain `:` and `/`).
    pub resource: String,
}

impl Arn {
    /// Parse an ARN; `None` unless it has the `arn:` prefix and six parts. The text is split
    /// at its first five colons: the resource keeps any later colons.
    pub fn parse(text: &str) -> Option<Arn> {
        let [_, partition, service, region, account, resource] = split_arn(text)?;
        Some(Arn {
            partition: partition.to_string(),
            service: service.to_string(),
            region: region.to_string(),
            account: account.to_string(),
            resource: resource.to_string(),
        })
    }
}

impl std::fmt::Display for Arn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "arn:{}:{}:{}:{}:{}",
            self.partition, self.service, self.region, self.account, self.resource
        )
    }
}

/// Split `text` into its six ARN parts without allocating: `["arn", partition, service,
/// region, account, resource]`. `None` unless the first part is `arn` and there are at least
/// five colons.
pub fn split_arn(text: &str) -> Option<[&str; 6]> {
    // The same parts as `text.splitn(6, ':')`, found by scanning bytes: `:` is ASCII, so
    // each cut is a char boundary. (Called several times per request; the iterator of
    // `splitn` cost about four times as much.)
    let rest = text.strip_prefix("arn:")?;
    let (partition, rest) = rest.split_at(rest.bytes().position(|b| b == b':')?);
    let rest = rest.get(1..)?;
    let (service, rest) = rest.split_at(rest.bytes().position(|b| b == b':')?);
    let rest = rest.get(1..)?;
    let (region, rest) = rest.split_at(rest.bytes().position(|b| b == b':')?);
    let rest = rest.get(1..)?;
    let (account, rest) = rest.split_at(rest.bytes().position(|b| b == b':')?);
    let resource = rest.get(1..)?;
    Some(["arn", partition, service, region, account, resource])
}

/// The ARN of the bucket of an S3 object's ARN (`arn:<partition>:s3:::<bucket>/<key>` →
/// `arn:<partition>:s3:::<bucket>`, borrowed from `arn`); `None` for any other text (a
/// bucket's own ARN included).
pub fn s3_object_bucket(arn: &str) -> Option<&str> {
    // By bytes (`:` and `/` are ASCII, so each cut is a char boundary): asked of every
    // request's resource, most of which are not S3 objects.
    let b = arn.as_bytes();
    // After the partition's `:` (`aws`, the common partition, without a search).
    let service = if b.starts_with(b"arn:aws:") {
        8
    } else {
        let rest = b.strip_prefix(b"arn:")?;
        4 + rest.iter().position(|&c| c == b':')? + 1
    };
    let bucket = service + b.get(service..)?.strip_prefix(b"s3:::").map(|_| 5)?;
    // The object's ARN up to the `/` before its key.
    let slash = bucket + b.get(bucket..)?.iter().position(|&c| c == b'/')?;
    arn.get(..slash)
}

/// Like [`split_arn`] but the first part may be a wildcard pattern (`*` or `arn`-glob), for
/// condition patterns such as `*:*:s3:::bucket`.
fn split_six(text: &str) -> Option<[&str; 6]> {
    let mut it = text.splitn(6, ':');
    Some([
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
    ])
}

/// `ArnLike`: segment-wise glob matching of an ARN value against an ARN pattern.
///
/// Each of the first five colon-delimited segments is matched separately (a `*` there does
/// not span `:`); the pattern's resource part is matched as a glob against the value's
/// resource part (everything after the fifth colon). Case-sensitive. A value that is not an
/// ARN (fewer than six parts) matches nothing. A pattern without any colon (such as `*`) is
/// a glob over the whole value; a pattern with colons but fewer than six parts is not an
/// ARN pattern and matches nothing.
pub fn arn_like(pattern: &str, value: &str) -> bool {
    if !pattern.contains(':') {
        return glob_match(pattern, value, false);
    }
    let Some(p) = split_six(pattern) else {
        return false;
    };
    let Some(v) = split_six(value) else {
        return false;
    };
    p.iter()
        .zip(v.iter())
        .all(|(ps, vs)| glob_match(ps, vs, false))
}

/// `ArnEquals`: AWS documents the same segment-wise comparison, wildcards included, as for
/// `ArnLike` (see the module documentation), so this is [`arn_like`].
pub fn arn_equals(pattern: &str, value: &str) -> bool {
    arn_like(pattern, value)
}

/// [`arn_like`] for a tokenized pattern (one with policy-variable escapes or substituted
/// values, whose `*`/`?` may be literal).
pub fn arn_like_tokens(pattern: &[GlobToken], value: &str) -> bool {
    let colon = |t: &GlobToken| *t == GlobToken::Char(':');
    if !pattern.iter().any(colon) {
        return glob_match_tokens(pattern, value, false);
    }
    let mut p_parts: [&[GlobToken]; 6] = [&[]; 6];
    let mut rest = pattern;
    for slot in p_parts.iter_mut().take(5) {
        match rest.iter().position(colon) {
            Some(i) => {
                *slot = rest.get(..i).unwrap_or(&[]);
                rest = rest.get(i + 1..).unwrap_or(&[]);
            }
            None => return false,
        }
    }
    p_parts[5] = rest;
    let Some(v) = split_six(value) else {
        return false;
    };
    p_parts
        .iter()
        .zip(v.iter())
        .all(|(ps, vs)| glob_match_tokens(ps, vs, false))
}

/// Whether a `Resource`/`NotResource` pattern (after policy-variable substitution) matches a
/// resource: `*` alone matches everything (also resources that are not ARNs, for actions
/// that take `*`); otherwise a case-sensitive glob over the whole ARN (see the module
/// documentation for why `*` may span colons).
pub fn resource_matches(pattern: &str, resource: &str) -> bool {
    pattern == "*" || glob_match(pattern, resource, false)
}

/// Whether `text` looks like a 12-digit AWS account id.
pub fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// The account part of an account root's ARN in the `aws` partition
/// (`arn:aws:iam::<account>:root` → `<account>`, as written); `None` for any other text.
pub fn root_account(arn: &str) -> Option<&str> {
    arn.strip_prefix("arn:aws:iam::")
        .and_then(|r| r.strip_suffix(":root"))
}

#[cfg(test)]
mod s3_object_tests {
    use super::s3_object_bucket;

    /// The bucket of an object's ARN, in any partition, with `/` and `:` in the key; no
    /// bucket for a bucket's own ARN or any other ARN or text.
    #[test]
    fn the_bucket_of_an_object_arn_and_of_nothing_else() {
        let cases = [
            ("arn:aws:s3:::b/k", Some("arn:aws:s3:::b")),
            (
                "arn:aws:s3:::my-bucket/a/b:c.txt",
                Some("arn:aws:s3:::my-bucket"),
            ),
            ("arn:aws-cn:s3:::b/", Some("arn:aws-cn:s3:::b")),
            ("arn:aws:s3:::/k", Some("arn:aws:s3:::")),
            ("arn:aws:s3:::b", None),
            ("arn:aws:s3:us-east-1::b/k", None),
            ("arn:aws:s3express:::b/k", None),
            ("arn:aws:iam::111122223333:role/a/b", None),
            ("arn:aws", None),
            ("arn:", None),
            ("*", None),
            ("s3:::b/k", None),
        ];
        for (arn, bucket) in cases {
            assert_eq!(s3_object_bucket(arn), bucket, "{arn}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_splits_at_the_first_five_colons() {
        // IAM identifiers: the resource part may contain colons.
        let a = Arn::parse("arn:aws:logs:us-east-1:111122223333:log-group:my:group").unwrap();
        assert_eq!(a.partition, "aws");
        assert_eq!(a.service, "logs");
        assert_eq!(a.region, "us-east-1");
        assert_eq!(a.account, "111122223333");
        assert_eq!(a.resource, "log-group:my:group");
        assert_eq!(
            a.to_string(),
            "arn:aws:logs:us-east-1:111122223333:log-group:my:group"
        );
        let s3 = Arn::parse("arn:aws:s3:::bucket/key").unwrap();
        assert_eq!(s3.account, "");
        assert_eq!(s3.resource, "bucket/key");
    }

    #[test]
    fn split_arn_gives_the_parts_of_splitn() {
        // The byte scan must give exactly what `splitn(6, ':')` gives, and `None` where the
        // first part is not `arn` or a colon is missing.
        fn reference(t: &str) -> Option<[&str; 6]> {
            let v: Vec<&str> = t.splitn(6, ':').collect();
            (v.len() == 6 && v[0] == "arn").then(|| [v[0], v[1], v[2], v[3], v[4], v[5]])
        }
        for t in [
            "arn:aws:logs:us-east-1:111122223333:log-group:my:group",
            "arn:aws:s3:::bucket/key",
            "arn:aws:iam::111122223333:role/a/b",
            "arn:::::",
            "arn:aws:s3:::",
            "arn:aws:s3::bucket",
            "arn:aws:s3",
            "arn",
            "arn:",
            "arnx:aws:s3:::b",
            "urn:aws:s3:::b",
            "ARN:aws:s3:::b",
            "",
            "*",
            ":::::",
            "arn:aws:s3:::b\u{e9}t\u{e9}:k\u{2603}",
            "arn:\u{e9}:s3:\u{e9}:\u{e9}:\u{e9}",
        ] {
            assert_eq!(split_arn(t), reference(t), "{t}");
        }
    }

    #[test]
    fn parse_rejects_non_arns() {
        assert!(Arn::parse("arn:aws:s3::bucket").is_none());
        assert!(Arn::parse("*").is_none());
        assert!(Arn::parse("urn:aws:s3:::b").is_none());
        assert!(Arn::parse("").is_none());
    }

    #[test]
    fn arn_like_compares_segments_separately() {
        // Condition operators, ARN: each of the six components is checked separately.
        assert!(arn_like(
            "arn:aws:iam::*:role/Admin",
            "arn:aws:iam::111122223333:role/Admin"
        ));
        // A `*` in the account segment does not span into the resource.
        assert!(!arn_like(
            "arn:aws:iam::*",
            "arn:aws:iam::111122223333:role/Admin"
        ));
        // Within the resource part a `*` spans `/` and `:`.
        assert!(arn_like(
            "arn:aws:logs:*:*:log-group:*",
            "arn:aws:logs:us-east-1:111122223333:log-group:a:b"
        ));
        assert!(arn_like(
            "arn:aws:sns:us-?ast-1:*:topic",
            "arn:aws:sns:us-east-1:111122223333:topic"
        ));
        // Case-sensitive.
        assert!(!arn_like(
            "arn:aws:iam::*:role/admin",
            "arn:aws:iam::111122223333:role/Admin"
        ));
        // Values that are not ARNs match nothing; a bare `*` pattern matches anything.
        assert!(!arn_like("arn:aws:iam::*:role/*", "not-an-arn"));
        assert!(arn_like("*", "arn:aws:iam::111122223333:role/Admin"));
        assert!(arn_equals("arn:aws:s3:::bucket", "arn:aws:s3:::bucket"));
        assert!(!arn_equals("arn:aws:s3:::bucket", "arn:aws:s3:::bucket2"));
    }

    #[test]
    fn arn_like_tokens_agrees_with_arn_like() {
        let cases = [
            (
                "arn:aws:iam::*:role/A*",
                "arn:aws:iam::111122223333:role/Ab",
            ),
            ("arn:aws:iam::*", "arn:aws:iam::111122223333:role/Admin"),
            ("*", "arn:aws:iam::1:role/x"),
            ("arn:aws:s3:::b/*", "arn:aws:s3:::b/k:1"),
            ("arn:aws:s3:::b/*", "arn:aws:s3:::c/k"),
        ];
        for (p, v) in cases {
            let mut toks = Vec::new();
            crate::wildcard::tokenize(p, &mut toks);
            assert_eq!(arn_like_tokens(&toks, v), arn_like(p, v), "{p} {v}");
        }
    }

    #[test]
    fn resource_star_matches_everything_and_globs_span_the_whole_arn() {
        // Resource element: "*" alone matches all resources; a trailing `*` in a segment may
        // expand beyond the colon boundary.
        assert!(resource_matches("*", "arn:aws:s3:::b"));
        assert!(resource_matches("*", "*"));
        assert!(resource_matches(
            "arn:aws:iam::111122223333:user/accounting/*",
            "arn:aws:iam::111122223333:user/accounting/bob"
        ));
        assert!(resource_matches(
            "arn:aws:ec2:*",
            "arn:aws:ec2:us-east-1:111122223333:instance/i-1"
        ));
        // Case-sensitive (Resource element: the IAM user name is case sensitive).
        assert!(!resource_matches(
            "arn:aws:iam::111122223333:user/Bob",
            "arn:aws:iam::111122223333:user/bob"
        ));
    }

    #[test]
    fn account_ids_are_twelve_digits() {
        assert!(is_account_id("111122223333"));
        assert!(!is_account_id("11112222333"));
        assert!(!is_account_id("11112222333a"));
    }
}
