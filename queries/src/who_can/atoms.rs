//! Condition atoms: the condition entries (`operator: {key: values}`) of applicable
//! statements whose value only a live request gives.
//!
//! A key is *known* when the loaded data fixes it for a principal and resource (the keys
//! `facts::account::context` fills: `aws:PrincipalArn`, `aws:PrincipalTag/*`,
//! `aws:ResourceTag/*`, ...; docs/context-keys.md, "Filled from the model") or when the user
//! fixes it with `--context`. Every other key (`aws:SourceIp`, `aws:SecureTransport`,
//! `aws:RequestTag/*`, `s3:prefix`, ...) is *unknown*: who-can answers for every value of it.
//! A condition entry on an unknown key, or whose values name an unknown key as a policy
//! variable, is an atom; the decision depends on the request only through the atoms of the
//! statements that could apply.

use std::collections::HashMap;

use facts::condition::{BaseOperator, SetQualifier};
use facts::policy::Condition;
use facts::request::Context;

/// Key families the loaded data fixes (lowercase; a trailing `/` is a tag-key prefix).
const KNOWN_FAMILIES: &[&str] = &[
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principaltype",
    "aws:principalisawsservice",
    "aws:principalservicename",
    "aws:principalservicenameslist",
    "aws:principaltag/",
    "aws:username",
    "aws:resourceaccount",
    "aws:resourceorgid",
    "aws:resourceorgpaths",
    "aws:resourcetag/",
    "iam:resourcetag/",
];

/// A key set in the filled context of a principal of an account the data does not hold
/// (never a real key: the `iamlogic:` prefix is no service's).
pub const EXTERNAL_MARK: &str = "iamlogic:externalprincipal";

/// A key set in the context of a request made in a session whose tags the caller chose
/// (`crate::assume_hop::Carry::free_tags`): its `aws:PrincipalTag/*` keys are unknown.
pub const FREE_TAGS_MARK: &str = "iamlogic:freesessiontags";

/// Identity keys the data cannot know for a principal of an account it does not hold:
/// "anyone in account X" may be any of its users or roles, with any tags and session.
/// `aws:PrincipalAccount` stays known, and so do `aws:PrincipalOrgID`/`OrgPaths`: an account
/// the loaded organization does not list is not in it (taken as absent, as simulate does).
pub fn external_free(key_lower: &str) -> bool {
    key_lower == "aws:principalarn"
        || key_lower.starts_with("aws:principaltag/")
        || key_lower == "aws:principaltype"
        || key_lower == "aws:username"
        || key_lower == "aws:userid"
}

/// Whether `key` (any case) is fixed by the data or by the user. For a principal of an
/// account the data does not hold (`filled` carries [`EXTERNAL_MARK`]), its identity keys
/// ([`external_free`]) are unknown; in a session whose tags the caller chose (`user`
/// carries [`FREE_TAGS_MARK`]), so are `aws:PrincipalTag/*` keys the user does not fix.
/// `user` is the `--context`
/// of the query; `filled` the keys AWS fills for this principal and resource.
/// `aws:userid` is known only when the data filled it (a role's sessions carry their own
/// session name in it, so for a role it is unknown).
pub fn is_known(key: &str, user: &Context, filled: &Context) -> bool {
    let k = key.to_ascii_lowercase();
    if user.get(&k).is_some() {
        return true;
    }
    // Session tags of the caller's choice override the data's tags of the same key.
    if user.get(FREE_TAGS_MARK).is_some() && k.starts_with("aws:principaltag/") {
        return false;
    }
    if filled.get(&k).is_some() {
        return true;
    }
    if filled.get(EXTERNAL_MARK).is_some() && external_free(&k) {
        return false;
    }
    KNOWN_FAMILIES.iter().any(|f| {
        if let Some(prefix) = f.strip_suffix('/') {
            k.strip_prefix(prefix).is_some_and(|r| r.starts_with('/'))
        } else {
            k == *f
        }
    })
}

/// Whether a condition entry reads an unknown key (its own key, or a policy variable in its
/// values when the policy supports variables).
pub fn is_atom(c: &Condition, variables: bool, user: &Context, filled: &Context) -> bool {
    if !is_known(&c.key, user, filled) {
        return true;
    }
    variables
        && c.values.iter().any(|v| {
            facts::variables::variable_keys(v)
                .iter()
                .any(|k| !is_known(k, user, filled))
        })
}

/// An interned atom: the condition entry and whether its policy substitutes variables.
#[derive(Debug, Clone, PartialEq)]
pub struct Atom {
    /// The condition entry.
    pub condition: Condition,
    /// Whether policy variables in its values are substituted (version 2012-10-17).
    pub variables: bool,
}

impl Atom {
    /// Whether the atom holds in `ctx` (the one condition matcher of `facts`).
    pub fn holds(&self, ctx: &Context) -> bool {
        facts::condition::eval::condition_holds(&self.condition, ctx, self.variables)
    }

    /// Whether its values hold policy variables (its truth then depends on the principal).
    pub fn has_variables(&self) -> bool {
        self.variables
            && self
                .condition
                .values
                .iter()
                .any(|v| facts::variables::has_variables(v))
    }

    /// The atom as a person reads it: `aws:SourceIp in 10.0.0.0/8`,
    /// `aws:MultiFactorAuthPresent = true`, `s3:prefix like home/*`.
    pub fn sentence(&self) -> String {
        sentence(&self.condition)
    }
}

/// Atoms by identity, so that atom sets can be compared and cached.
#[derive(Debug, Default)]
pub struct Atoms {
    list: Vec<Atom>,
    index: HashMap<String, usize>,
}

impl Atoms {
    /// The id of `atom`, interning it.
    pub fn intern(&mut self, condition: &Condition, variables: bool) -> usize {
        let key = format!(
            "{}\u{1}{}\u{1}{}\u{1}{}",
            condition.operator,
            condition.key.to_ascii_lowercase(),
            condition.values.join("\u{2}"),
            variables
        );
        if let Some(&i) = self.index.get(&key) {
            return i;
        }
        self.list.push(Atom {
            condition: condition.clone(),
            variables,
        });
        self.index.insert(key, self.list.len() - 1);
        self.list.len() - 1
    }

    /// The atom with id `i`.
    pub fn get(&self, i: usize) -> &Atom {
        &self.list[i]
    }
}

/// A condition entry in words.
pub fn sentence(c: &Condition) -> String {
    use BaseOperator::*;
    let op = c.operator;
    let values = |sep: &str| {
        if c.values.len() == 1 {
            c.values[0].clone()
        } else {
            format!("[{}]", c.values.join(sep))
        }
    };
    let verb = match op.base {
        Null => {
            let absent = c.values.iter().all(|v| v.eq_ignore_ascii_case("true"));
            return format!("{} is {}", c.key, if absent { "absent" } else { "present" });
        }
        StringEquals | NumericEquals | DateEquals | Bool | BinaryEquals | ArnEquals => {
            if c.values.len() == 1 {
                "="
            } else {
                "in"
            }
        }
        StringEqualsIgnoreCase => "= (any case)",
        StringNotEquals | NumericNotEquals | DateNotEquals | ArnNotEquals => {
            if c.values.len() == 1 {
                "!="
            } else {
                "not in"
            }
        }
        StringNotEqualsIgnoreCase => "!= (any case)",
        StringLike | ArnLike => "like",
        StringNotLike | ArnNotLike => "not like",
        NumericLessThan | DateLessThan => "<",
        NumericLessThanEquals | DateLessThanEquals => "<=",
        NumericGreaterThan | DateGreaterThan => ">",
        NumericGreaterThanEquals | DateGreaterThanEquals => ">=",
        IpAddress => "in",
        NotIpAddress => "not in",
    };
    let subject = match op.qualifier {
        Some(SetQualifier::ForAnyValue) => format!("any of {}", c.key),
        Some(SetQualifier::ForAllValues) => format!("every one of {}", c.key),
        None => c.key.clone(),
    };
    let text = format!("{subject} {verb} {}", values(", "));
    if op.if_exists {
        format!("{text} (or {} absent)", c.key)
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use facts::condition::ConditionOperator;

    fn cond(op: &str, key: &str, values: &[&str]) -> Condition {
        Condition {
            operator: ConditionOperator::parse(op).unwrap(),
            key: key.to_string(),
            values: values.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn sentences_read_like_the_issue() {
        assert_eq!(
            sentence(&cond("IpAddress", "aws:SourceIp", &["10.0.0.0/8"])),
            "aws:SourceIp in 10.0.0.0/8"
        );
        assert_eq!(
            sentence(&cond("Bool", "aws:MultiFactorAuthPresent", &["true"])),
            "aws:MultiFactorAuthPresent = true"
        );
        assert_eq!(
            sentence(&cond("Null", "aws:SourceVpce", &["true"])),
            "aws:SourceVpce is absent"
        );
        assert_eq!(
            sentence(&cond("StringEqualsIfExists", "s3:x", &["a", "b"])),
            "s3:x in [a, b] (or s3:x absent)"
        );
    }

    #[test]
    fn data_keys_are_known_live_keys_are_not() {
        let none = Context::new();
        assert!(is_known("aws:PrincipalTag/team", &none, &none));
        assert!(is_known("aws:ResourceAccount", &none, &none));
        assert!(!is_known("aws:SourceIp", &none, &none));
        assert!(!is_known("aws:PrincipalTagX", &none, &none));
        let mut user = Context::new();
        user.insert(
            "aws:SourceIp",
            facts::request::ContextValue::Single("1.2.3.4".into()),
        );
        assert!(is_known("aws:sourceip", &user, &none));
        let mut external = Context::new();
        external.insert(
            EXTERNAL_MARK,
            facts::request::ContextValue::Single("1".into()),
        );
        assert!(!is_known("aws:PrincipalArn", &none, &external));
        assert!(!is_known("aws:PrincipalTag/team", &none, &external));
        assert!(is_known("aws:PrincipalAccount", &none, &external));
    }
}
