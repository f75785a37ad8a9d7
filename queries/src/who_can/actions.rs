//! Which actions a who-can asks about: patterns expanded through the action catalogue, or
//! every action of the resource's type; and the resource each is decided on (for a bucket,
//! object actions are decided on `bucket/*`).

use facts::catalogue::{AccessLevel, Catalogue};

/// One action to decide, with the resource it is decided on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asked {
    /// The action, catalogue spelling (`s3:GetObject`).
    pub action: String,
    /// Its access level.
    pub level: AccessLevel,
    /// The resource ARN it is decided on.
    pub resource: String,
}

/// Sort key of an access level: List, Read, Write, Permissions management, Tagging.
pub fn level_rank(l: AccessLevel) -> u8 {
    match l {
        AccessLevel::List => 0,
        AccessLevel::Read => 1,
        AccessLevel::Write => 2,
        AccessLevel::PermissionsManagement => 3,
        AccessLevel::Tagging => 4,
    }
}

/// The object ARN pattern of an S3 bucket ARN (`arn:aws:s3:::b` → `arn:aws:s3:::b/*`).
pub fn s3_objects(resource: &str) -> Option<String> {
    let rest = resource.strip_prefix("arn:")?;
    let (_, rest) = rest.split_once(':')?;
    let bucket = rest.strip_prefix("s3:::")?;
    (!bucket.is_empty() && !bucket.contains('/')).then(|| format!("{resource}/*"))
}

/// The resources an action on `resource` is decided on: the resource itself when it is of
/// one of the action's resource types ([`facts::catalogue::Action::acts_on`]), its objects
/// for an S3 object action on a bucket, `*` for an action that takes no resource. `None`
/// when the action does not apply.
pub fn resource_for(action: &facts::catalogue::Action<'_>, resource: &str) -> Option<String> {
    if resource == "*" {
        return Some("*".to_string());
    }
    if action.acts_on(resource) {
        return Some(resource.to_string());
    }
    if let Some(objects) = s3_objects(resource) {
        if action.acts_on(&objects) {
            return Some(objects);
        }
    }
    None
}

/// The object pattern of bucket ARN `bucket` that a policy's resource pattern `pattern`
/// names: `pattern` split at its first `/` into a bucket part and a key part; when the
/// bucket part (a glob) matches the bucket and the key part is not `*` alone, the pattern
/// `bucket/<key part>` (`arn:aws:s3:::synth-*/export/*` on bucket `synth-a` gives
/// `arn:aws:s3:::synth-a/export/*`). `None` otherwise, and for a pattern that still holds a
/// policy variable (substitute it first).
pub fn object_pattern_under(bucket: &str, pattern: &str) -> Option<String> {
    Under::new(bucket)?.pattern(pattern)
}

/// A bucket ARN split once for [`object_pattern_under`] of many patterns.
struct Under<'b> {
    /// `arn:aws:s3:::b/`.
    prefix: String,
    /// The bucket's name.
    name: &'b str,
    /// The bucket ARN's partition.
    partition: &'b str,
}

impl<'b> Under<'b> {
    fn new(bucket: &'b str) -> Option<Under<'b>> {
        s3_objects(bucket)?;
        Some(Under {
            prefix: format!("{bucket}/"),
            name: bucket.strip_prefix("arn:")?.split_once(":s3:::")?.1,
            partition: bucket.split(':').nth(1)?,
        })
    }

    /// [`object_pattern_under`] of this bucket.
    fn pattern(&self, pattern: &str) -> Option<String> {
        let rest = pattern.strip_prefix("arn:")?;
        let (partition, rest) = rest.split_once(":s3:::")?;
        let (bucket_part, key) = rest.split_once('/')?;
        if key == "*" || key.is_empty() {
            return None;
        }
        if !facts::wildcard::glob_match(partition, self.partition, false) {
            return None;
        }
        if facts::variables::has_variables(pattern) {
            return None;
        }
        if !facts::wildcard::glob_match(bucket_part, self.name, false) {
            return None;
        }
        Some(format!("{}{key}", self.prefix))
    }
}

/// The actions to decide on `resource`. With `patterns`, every catalogue action they match
/// (an unknown literal action is kept, decided on the resource as given) that applies to
/// the resource; without, every action of the resource's service that applies to it.
/// Sorted by access level, then name.
///
/// An S3 object action on a bucket is decided on `bucket/*` and on each object pattern in
/// `object_patterns` (the patterns policies name under the bucket, e.g. `bucket/public/*`,
/// decided as an object of that literal name): "some object of the bucket" is then
/// answered for every prefix a policy distinguishes.
pub fn asked(patterns: &[String], resource: &str, object_patterns: &[String]) -> Vec<Asked> {
    let cat = Catalogue::get();
    let mut out: Vec<Asked> = Vec::new();
    let mut push = |a: facts::catalogue::Action<'_>, explicit: bool| {
        let r = match resource_for(&a, resource) {
            Some(r) => r,
            None if explicit => resource.to_string(),
            None => return,
        };
        let name = a.full_name();
        let mut rs = vec![r.clone()];
        if s3_objects(resource).as_deref() == Some(r.as_str()) {
            rs.extend(object_patterns.iter().cloned());
        }
        for r in rs {
            if !out.iter().any(|x| x.action == name && x.resource == r) {
                out.push(Asked {
                    action: name.clone(),
                    level: a.access_level(),
                    resource: r,
                });
            }
        }
    };
    if patterns.is_empty() {
        let service = facts::arn::Arn::parse(resource).map(|a| a.service);
        if let Some(s) = service.and_then(|s| cat.service(&s)) {
            for a in s.actions() {
                push(a, false);
            }
        }
    } else {
        for p in patterns {
            let literal = !p.contains('*') && !p.contains('?');
            for a in cat.expand(p) {
                push(a, literal);
            }
        }
    }
    out.sort_by(|a, b| {
        (level_rank(a.level), &a.action, &a.resource).cmp(&(
            level_rank(b.level),
            &b.action,
            &b.resource,
        ))
    });
    out
}

/// The object patterns policies in `t` name under bucket ARN `bucket` (without policy
/// variables: see [`object_pattern_under`]), sorted: `arn:aws:s3:::b/public/*`,
/// `arn:aws:s3:::b/shared/*`... Patterns with a policy variable are enumerated per
/// principal by who-can (`Analyzer::object_patterns_for`).
pub fn object_patterns(t: &facts::tables::FactTables, bucket: &str) -> Vec<String> {
    let Some(under) = Under::new(bucket) else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    for p in &t.policies {
        for st in &p.document.statements {
            let pats = match &st.resource {
                Some(facts::policy::ResourceClause::Resource(ps))
                | Some(facts::policy::ResourceClause::NotResource(ps)) => ps,
                None => continue,
            };
            out.extend(pats.iter().filter_map(|rp| under.pattern(&rp.0)));
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_covers_bucket_and_object_actions() {
        let got = asked(&[], "arn:aws:s3:::b", &["arn:aws:s3:::b/p/*".to_string()]);
        let get = got.iter().find(|a| a.action == "s3:GetObject").unwrap();
        assert_eq!(get.resource, "arn:aws:s3:::b/*");
        assert!(got
            .iter()
            .any(|a| a.action == "s3:GetObject" && a.resource == "arn:aws:s3:::b/p/*"));
        let list = got.iter().find(|a| a.action == "s3:ListBucket").unwrap();
        assert_eq!(list.resource, "arn:aws:s3:::b");
        assert_eq!(list.level, AccessLevel::List);
        assert!(!got.iter().any(|a| !a.action.starts_with("s3:")));
        let ranks: Vec<u8> = got.iter().map(|a| level_rank(a.level)).collect();
        assert!(ranks.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn object_patterns_under_a_bucket() {
        let b = "arn:aws:s3:::synth-a-data-000";
        assert_eq!(
            object_pattern_under(b, "arn:aws:s3:::synth-a-*/export/*").as_deref(),
            Some("arn:aws:s3:::synth-a-data-000/export/*")
        );
        assert_eq!(
            object_pattern_under(b, "arn:aws:s3:::synth-a-data-000/public/*").as_deref(),
            Some("arn:aws:s3:::synth-a-data-000/public/*")
        );
        assert_eq!(
            object_pattern_under(b, "arn:aws:s3:::synth-a-data-000/*"),
            None
        );
        assert_eq!(object_pattern_under(b, "arn:aws:s3:::other/x/*"), None);
        assert_eq!(
            object_pattern_under(b, "arn:aws:s3:::synth-a-*/${aws:username}/*"),
            None
        );
        assert_eq!(object_pattern_under(b, "arn:aws:sqs:eu-west-1:1:q"), None);
    }

    #[test]
    fn patterns_expand_through_the_catalogue() {
        let got = asked(&["s3:GetObject*".to_string()], "arn:aws:s3:::b", &[]);
        assert!(got.iter().any(|a| a.action == "s3:GetObjectAcl"));
        assert!(got.iter().all(|a| a.action.starts_with("s3:GetObject")));
    }
}
