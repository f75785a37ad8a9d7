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

/// The resources an action on `resource` is decided on: the resource itself when the
/// action's resource types accept it, its objects for an S3 object action on a bucket,
/// `*` for an action that takes no resource. `None` when the action does not apply.
fn resource_for(action: &facts::catalogue::Action<'_>, resource: &str) -> Option<String> {
    if resource == "*" {
        return Some("*".to_string());
    }
    if action.accepts_resource(resource) {
        return Some(resource.to_string());
    }
    if let Some(objects) = s3_objects(resource) {
        if action.accepts_resource(&objects) {
            return Some(objects);
        }
    }
    None
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
/// variables), sorted: `arn:aws:s3:::b/public/*`, `arn:aws:s3:::b/shared/*`...
pub fn object_patterns(t: &facts::tables::FactTables, bucket: &str) -> Vec<String> {
    let Some(objects) = s3_objects(bucket) else {
        return Vec::new();
    };
    let prefix = &objects[..objects.len() - 1];
    let mut out: Vec<String> = Vec::new();
    for p in &t.policies {
        for st in &p.document.statements {
            let pats = match &st.resource {
                Some(facts::policy::ResourceClause::Resource(ps))
                | Some(facts::policy::ResourceClause::NotResource(ps)) => ps,
                None => continue,
            };
            for rp in pats {
                let text = &rp.0;
                if text.starts_with(prefix) && *text != objects && !text.contains("${") {
                    out.push(text.clone());
                }
            }
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
    fn patterns_expand_through_the_catalogue() {
        let got = asked(&["s3:GetObject*".to_string()], "arn:aws:s3:::b", &[]);
        assert!(got.iter().any(|a| a.action == "s3:GetObjectAcl"));
        assert!(got.iter().all(|a| a.action.starts_with("s3:GetObject")));
    }
}
