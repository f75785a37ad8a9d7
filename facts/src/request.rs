//! A concrete request: who asks, for which action on which resource, with which context.
//!
//! This is the input of the concrete evaluator ([`crate::eval`]) and the shape a Z3
//! counterexample is decoded into, so that every counterexample can be replayed.

use std::collections::BTreeMap;

/// Who makes the request, as the `Principal` element and the `aws:Principal*` keys see it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum RequestPrincipal {
    /// An unauthenticated caller: matched only by `"Principal": "*"` (or `{"AWS": "*"}`).
    Anonymous,
    /// An IAM identity: account root, user, role, assumed-role session or federated user.
    Aws {
        /// The caller's ARN, e.g. `arn:aws:iam::111122223333:user/alice` or
        /// `arn:aws:sts::111122223333:assumed-role/Admin/session`.
        arn: String,
    },
    /// An AWS service principal such as `lambda.amazonaws.com`.
    Service {
        /// The service principal name.
        name: String,
    },
    /// A web-identity or SAML federated caller, named by its provider.
    Federated {
        /// The provider, e.g. `cognito-identity.amazonaws.com` or a SAML provider ARN.
        provider: String,
    },
    /// An S3 canonical user.
    CanonicalUser {
        /// The canonical user id.
        id: String,
    },
}

/// The values of one context key: AWS distinguishes single-valued from multivalued keys.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum ContextValue {
    /// A single value, e.g. `aws:SourceIp = 10.0.0.1`.
    Single(String),
    /// A set of values, e.g. `aws:TagKeys = [a, b]` (may be empty).
    Multi(Vec<String>),
}

impl ContextValue {
    /// All values as a slice-like list (a single value is a one-element list).
    pub fn values(&self) -> Vec<&str> {
        match self {
            ContextValue::Single(v) => vec![v.as_str()],
            ContextValue::Multi(vs) => vs.iter().map(String::as_str).collect(),
        }
    }
}

/// Request context: condition keys to values. Key names are case-insensitive (AWS), so
/// they are stored lowercased; tag keys keep their case after the `/`, since AWS matches
/// tag keys case-insensitively only for some services (iamlogic lowercases the whole key,
/// and documents it).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Context {
    entries: BTreeMap<String, ContextValue>,
}

impl Context {
    /// An empty context.
    pub fn new() -> Context {
        Context::default()
    }

    /// Set `key` to `value`, replacing any earlier value.
    pub fn insert(&mut self, key: &str, value: ContextValue) {
        self.entries.insert(key.to_ascii_lowercase(), value);
    }

    /// Set `key` unless the context already has it (used to fill keys AWS fills itself
    /// without overriding what the user gave).
    pub fn insert_default(&mut self, key: &str, value: ContextValue) {
        self.entries
            .entry(key.to_ascii_lowercase())
            .or_insert(value);
    }

    /// [`Context::insert_default`] for a key already lowercased (as [`Context::iter`]
    /// gives them), cloning `value` only when the key is new.
    pub fn insert_default_lowercase(&mut self, key: &str, value: &ContextValue) {
        debug_assert!(!key.bytes().any(|b| b.is_ascii_uppercase()));
        if !self.entries.contains_key(key) {
            self.entries.insert(key.to_string(), value.clone());
        }
    }

    /// Add every key of `other` that this context lacks (as [`Context::insert_default`]
    /// does one key at a time), moving its values.
    pub fn merge_defaults(&mut self, other: Context) {
        for (k, v) in other.entries {
            self.entries.entry(k).or_insert(v);
        }
    }

    /// The value of `key`, looked up case-insensitively.
    pub fn get(&self, key: &str) -> Option<&ContextValue> {
        if key.bytes().any(|b| b.is_ascii_uppercase()) {
            self.entries.get(&key.to_ascii_lowercase())
        } else {
            self.entries.get(key)
        }
    }

    /// Iterate over `(lowercased key, value)`.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no key is set.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// One concrete request.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Request {
    /// The caller.
    pub principal: RequestPrincipal,
    /// The action, `service:Name` (compared case-insensitively).
    pub action: String,
    /// The resource ARN (or `*` for actions that take no resource).
    pub resource: String,
    /// The request context.
    #[serde(default)]
    pub context: Context,
}
