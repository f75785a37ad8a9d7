//! A concrete request: who asks, for which action on which resource, with which context.
//!
//! This is the input of the concrete evaluator ([`crate::eval`]) and the shape a Z3
//! counterexample is decoded into, so that every counterexample can be replayed.

use std::collections::BTreeMap;
use std::sync::Arc;

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
///
/// A context may have *layers* below its own keys ([`Context::add_layer`]): contexts shared
/// by many requests (the keys AWS fills for one caller, or for one resource), looked up
/// when the context's own keys lack a key, first layer first. Every reading method sees
/// the merged keys (own keys first), so a request filled through shared layers reads
/// exactly as one whose keys were copied in, for the cost of a pointer per layer.
#[derive(Clone, Default)]
pub struct Context {
    entries: BTreeMap<String, ContextValue>,
    /// Shared contexts below `entries`, in lookup order.
    layers: Vec<Arc<Context>>,
}

/// The serialized form of a [`Context`]: its merged keys.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename = "Context")]
struct ContextForm<E> {
    entries: E,
}

impl serde::Serialize for Context {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.layers.is_empty() {
            ContextForm {
                entries: &self.entries,
            }
            .serialize(s)
        } else {
            ContextForm {
                entries: self.merged(),
            }
            .serialize(s)
        }
    }
}

impl<'de> serde::Deserialize<'de> for Context {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Context, D::Error> {
        let form = ContextForm::<BTreeMap<String, ContextValue>>::deserialize(d)?;
        Ok(Context {
            entries: form.entries,
            layers: Vec::new(),
        })
    }
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("entries", &self.merged())
            .finish()
    }
}

impl PartialEq for Context {
    fn eq(&self, other: &Context) -> bool {
        if self.layers.is_empty() && other.layers.is_empty() {
            return self.entries == other.entries;
        }
        self.merged() == other.merged()
    }
}

impl Eq for Context {}

impl Context {
    /// An empty context.
    pub fn new() -> Context {
        Context::default()
    }

    /// Set `key` to `value`, replacing any earlier value (a layer's value of `key` is
    /// hidden, not changed).
    pub fn insert(&mut self, key: &str, value: ContextValue) {
        self.entries.insert(key.to_ascii_lowercase(), value);
    }

    /// Set `key` unless the context (its own keys or a layer) already has it (used to fill
    /// keys AWS fills itself without overriding what the user gave).
    pub fn insert_default(&mut self, key: &str, value: ContextValue) {
        let key = key.to_ascii_lowercase();
        if self.get(&key).is_none() {
            self.entries.insert(key, value);
        }
    }

    /// [`Context::insert_default`] taking the key by value: it is lowercased in place, and a
    /// context without layers is looked up once (what building a shared layer of many keys
    /// does for every new caller and resource).
    pub fn insert_default_owned(&mut self, mut key: String, value: ContextValue) {
        key.make_ascii_lowercase();
        if self.layers.is_empty() {
            self.entries.entry(key).or_insert(value);
        } else if self.get_lowercase(&key).is_none() {
            self.entries.insert(key, value);
        }
    }

    /// [`Context::insert_default_owned`] for a key already lowercased, in a context without
    /// layers: the first value of a key wins. What building a shared layer of keys whose
    /// names are known lowercase does (no case folding, one lookup).
    pub(crate) fn insert_first_lowercase(&mut self, key: String, value: ContextValue) {
        debug_assert!(self.layers.is_empty());
        debug_assert!(!key.bytes().any(|b| b.is_ascii_uppercase()));
        self.entries.entry(key).or_insert(value);
    }

    /// [`Context::insert_default`] for a key already lowercased (as [`Context::iter`]
    /// gives them), cloning `value` only when the key is new.
    pub fn insert_default_lowercase(&mut self, key: &str, value: &ContextValue) {
        debug_assert!(!key.bytes().any(|b| b.is_ascii_uppercase()));
        if self.get(key).is_none() {
            self.entries.insert(key.to_string(), value.clone());
        }
    }

    /// Add every key of `other` that this context lacks (as [`Context::insert_default`]
    /// does one key at a time), moving its values; `other`'s layers go below this
    /// context's, shared rather than copied.
    pub fn merge_defaults(&mut self, other: Context) {
        for (k, v) in other.entries {
            if self.get(&k).is_none() {
                self.entries.insert(k, v);
            }
        }
        for l in other.layers {
            self.add_layer(l);
        }
    }

    /// Put `layer` below the keys this context has and the layers added before: its keys
    /// count where those lack them, without being copied.
    pub fn add_layer(&mut self, layer: Arc<Context>) {
        if !layer.is_empty() {
            self.layers.push(layer);
        }
    }

    /// The value of `key`, looked up case-insensitively: the context's own keys, then its
    /// layers in order.
    pub fn get(&self, key: &str) -> Option<&ContextValue> {
        if key.bytes().any(|b| b.is_ascii_uppercase()) {
            self.get_lowercase(&key.to_ascii_lowercase())
        } else {
            self.get_lowercase(key)
        }
    }

    /// [`Context::get`] of a lowercased key.
    fn get_lowercase(&self, key: &str) -> Option<&ContextValue> {
        self.entries
            .get(key)
            .or_else(|| self.layers.iter().find_map(|l| l.get_lowercase(key)))
    }

    /// The merged keys: own keys first, then each layer's keys not seen before.
    fn merged(&self) -> BTreeMap<&str, &ContextValue> {
        let mut out: BTreeMap<&str, &ContextValue> =
            self.entries.iter().map(|(k, v)| (k.as_str(), v)).collect();
        for l in &self.layers {
            for (k, v) in l.iter() {
                out.entry(k).or_insert(v);
            }
        }
        out
    }

    /// Iterate over `(lowercased key, value)` in key order, layers merged in.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        let (own, merged) = if self.layers.is_empty() {
            (
                Some(self.entries.iter().map(|(k, v)| (k.as_str(), v))),
                None,
            )
        } else {
            (None, Some(self.merged().into_iter()))
        };
        own.into_iter()
            .flatten()
            .chain(merged.into_iter().flatten())
    }

    /// Number of keys (layers merged in).
    pub fn len(&self) -> usize {
        if self.layers.is_empty() {
            self.entries.len()
        } else {
            self.merged().len()
        }
    }

    /// Whether no key is set (in the context or its layers).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.layers.iter().all(|l| l.is_empty())
    }

    /// [`Context::get`] of a key that has no ASCII uppercase letter (a condition key or a
    /// variable's key lowercased once by the matcher): no case check, no copy.
    pub fn get_lowercase_key(&self, key: &str) -> Option<&ContextValue> {
        debug_assert!(!key.bytes().any(|b| b.is_ascii_uppercase()));
        self.get_lowercase(key)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn single(v: &str) -> ContextValue {
        ContextValue::Single(v.to_string())
    }

    fn flat(pairs: &[(&str, &str)]) -> Context {
        let mut c = Context::new();
        for (k, v) in pairs {
            c.insert_default(k, single(v));
        }
        c
    }

    /// `insert_default_owned` fills exactly what `insert_default` fills: the first of keys
    /// equal but for case wins, and a layer's key is not overridden.
    #[test]
    fn owned_defaults_fill_as_borrowed_defaults() {
        let pairs = [
            ("aws:PrincipalTag/Team", "a"),
            ("aws:principaltag/team", "b"),
            ("AWS:PrincipalArn", "c"),
            ("aws:userid", "d"),
        ];
        let below = Arc::new(flat(&[("aws:UserId", "layer")]));
        for layered in [false, true] {
            let (mut borrowed, mut owned) = (Context::new(), Context::new());
            if layered {
                borrowed.add_layer(Arc::clone(&below));
                owned.add_layer(Arc::clone(&below));
            }
            for (k, v) in pairs {
                borrowed.insert_default(k, single(v));
                owned.insert_default_owned(k.to_string(), single(v));
            }
            assert_eq!(owned, borrowed);
            assert_eq!(
                owned.iter().collect::<Vec<_>>(),
                borrowed.iter().collect::<Vec<_>>()
            );
            assert_eq!(owned.get("aws:principaltag/team"), Some(&single("a")));
            let userid = if layered { "layer" } else { "d" };
            assert_eq!(owned.get("aws:userid"), Some(&single(userid)));
        }
    }

    /// A context over layers reads as the context with the layers' keys copied in under
    /// its own, first layer first (what the request gives wins over what AWS fills).
    #[test]
    fn layers_read_as_copied_keys_own_keys_and_earlier_layers_first() {
        let caller = Arc::new(flat(&[
            ("aws:PrincipalArn", "role"),
            ("aws:userid", "caller"),
        ]));
        let resource = Arc::new(flat(&[
            ("aws:ResourceAccount", "222233334444"),
            ("aws:userid", "resource"),
        ]));
        let mut layered = flat(&[("aws:SourceIp", "10.0.0.1"), ("aws:PrincipalArn", "given")]);
        layered.add_layer(Arc::clone(&caller));
        layered.add_layer(Arc::clone(&resource));
        layered.add_layer(Arc::new(Context::new()));
        let copied = flat(&[
            ("aws:SourceIp", "10.0.0.1"),
            ("aws:PrincipalArn", "given"),
            ("aws:userid", "caller"),
            ("aws:ResourceAccount", "222233334444"),
        ]);
        assert_eq!(layered.get("AWS:PrincipalArn"), Some(&single("given")));
        assert_eq!(layered.get("aws:userid"), Some(&single("caller")));
        assert_eq!(
            layered.get("aws:resourceaccount"),
            Some(&single("222233334444"))
        );
        assert_eq!(layered.get("aws:username"), None);
        assert_eq!(layered, copied);
        assert_eq!(layered.len(), 4);
        assert!(!layered.is_empty());
        assert_eq!(
            layered.iter().collect::<Vec<_>>(),
            copied.iter().collect::<Vec<_>>()
        );
        assert_eq!(
            serde_json::to_string(&layered).unwrap(),
            serde_json::to_string(&copied).unwrap()
        );
        assert_eq!(format!("{layered:?}"), format!("{copied:?}"));
        // Defaults do not override a layer's key; `insert` hides it without changing it.
        layered.insert_default("aws:userid", single("late"));
        assert_eq!(layered.get("aws:userid"), Some(&single("caller")));
        layered.insert("aws:userid", single("given"));
        assert_eq!(layered.get("aws:userid"), Some(&single("given")));
        assert_eq!(caller.get("aws:userid"), Some(&single("caller")));
        // Merging a layered context keeps its own keys over its layers, under ours.
        let mut under = flat(&[("aws:ResourceAccount", "111122223333")]);
        under.add_layer(Arc::clone(&caller));
        let mut request = flat(&[("aws:SourceIp", "10.0.0.1")]);
        request.merge_defaults(under);
        assert_eq!(
            request,
            flat(&[
                ("aws:SourceIp", "10.0.0.1"),
                ("aws:ResourceAccount", "111122223333"),
                ("aws:PrincipalArn", "role"),
                ("aws:userid", "caller"),
            ])
        );
        // A deserialized context has no layers.
        let back: Context =
            serde_json::from_str(&serde_json::to_string(&request).unwrap()).unwrap();
        assert_eq!(back, request);
    }
}
