//! A concrete request: who asks, for which action on which resource, with which context.
//!
//! This is the input of the concrete evaluator ([`crate::eval`]) and the shape a Z3
//! counterexample is decoded into, so that every counterexample can be replayed.

use std::borrow::Cow;
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

/// A context key as stored: lowercased; the fixed names of the keys AWS fills are
/// borrowed, not copied ([`Context::insert_default_static`]).
pub type ContextKey = Cow<'static, str>;

/// Request context: condition keys to values. Key names are case-insensitive (AWS), so
/// they are stored lowercased; tag keys keep their case after the `/`, since AWS matches
/// tag keys case-insensitively only for some services (iamlogic lowercases the whole key,
/// and documents it).
///
/// The own keys are one array sorted by key (a request has a handful: looked up by a
/// short scan, built without a node per key, copied as one block); fixed key names
/// are `&'static str`, not copies.
///
/// A context may have *layers* below its own keys ([`Context::add_layer`]): contexts shared
/// by many requests (the keys AWS fills for one caller, or for one resource), looked up
/// when the context's own keys lack a key, first layer first. Every reading method sees
/// the merged keys (own keys first), so a request filled through shared layers reads
/// exactly as one whose keys were copied in, for the cost of a pointer per layer.
#[derive(Clone, Default)]
pub struct Context {
    /// Own keys, sorted by key, each once.
    entries: Vec<(ContextKey, ContextValue)>,
    /// Shared contexts below `entries`, in lookup order.
    layers: Vec<Arc<Context>>,
}

/// The global keys requests carry themselves (IAM User Guide, "AWS global condition context
/// keys"), lowercased: a request's key of one of these names is stored as the fixed name,
/// not a copy, so that copying a request's context copies no key name. (Storage only: a
/// key of another name is kept as a lowercased copy, and reads the same.)
const GIVEN_KEYS: [&str; 26] = [
    "aws:calledvia",
    "aws:calledviafirst",
    "aws:calledvialast",
    "aws:currenttime",
    "aws:epochtime",
    "aws:federatedprovider",
    "aws:multifactorauthage",
    "aws:multifactorauthpresent",
    "aws:principalisawsservice",
    "aws:principalservicename",
    "aws:referer",
    "aws:requestedregion",
    "aws:securetransport",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceip",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:tagkeys",
    "aws:tokenissuetime",
    "aws:useragent",
    "aws:viaawsservice",
    "aws:vpcsourceip",
    "kms:viaservice",
];

/// `key` lowercased: one of [`GIVEN_KEYS`] borrowed, any other copied.
fn lowercased(key: &str) -> ContextKey {
    match GIVEN_KEYS
        .iter()
        .find(|k| k.len() == key.len() && k.eq_ignore_ascii_case(key))
    {
        Some(k) => Cow::Borrowed(k),
        None => Cow::Owned(key.to_ascii_lowercase()),
    }
}

/// Up to this many own keys, a key is looked up by scanning them (lengths first), beyond
/// by binary search.
const SCAN_UP_TO: usize = 8;

/// Sorted `(key, value)` pairs serialized as a JSON object (as a `BTreeMap` is).
struct SortedMap<'a>(&'a [(&'a str, &'a ContextValue)]);

impl serde::Serialize for SortedMap<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

impl std::fmt::Debug for SortedMap<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(k, v)| (k, v)))
            .finish()
    }
}

/// The serialized form of a [`Context`]: its merged keys.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename = "Context")]
struct ContextForm<E> {
    entries: E,
}

impl serde::Serialize for Context {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ContextForm {
            entries: SortedMap(&self.merged()),
        }
        .serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for Context {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Context, D::Error> {
        let form = ContextForm::<BTreeMap<String, ContextValue>>::deserialize(d)?;
        // A map's keys come sorted and once each.
        Ok(Context {
            entries: form
                .entries
                .into_iter()
                .map(|(k, v)| (Cow::Owned(k), v))
                .collect(),
            layers: Vec::new(),
        })
    }
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("entries", &SortedMap(&self.merged()))
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

/// Hashes the merged keys in key order, as [`PartialEq`] compares them: equal contexts hash
/// alike however their keys are layered (requests that carry the same keys can then share
/// one context).
impl std::hash::Hash for Context {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for (k, v) in self.iter() {
            k.hash(state);
            v.hash(state);
        }
    }
}

impl Context {
    /// An empty context.
    pub fn new() -> Context {
        Context::default()
    }

    /// A context of `entries` (keys lowercased), the first of equal keys winning (as when
    /// they are inserted one by one with [`Context::insert_default`]): one sort instead of
    /// an insertion per key, what building a shared layer of many keys does.
    pub fn from_first_lowercase(mut entries: Vec<(ContextKey, ContextValue)>) -> Context {
        debug_assert!(entries
            .iter()
            .all(|(k, _)| !k.bytes().any(|b| b.is_ascii_uppercase())));
        // A stable sort keeps equal keys in insertion order: the first is kept.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        entries.dedup_by(|later, first| later.0 == first.0);
        Context {
            entries,
            layers: Vec::new(),
        }
    }

    /// Where own key `key` (lowercased) is, or where it would go.
    fn position(&self, key: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| k.as_ref().cmp(key))
    }

    /// The own value of lowercased `key`.
    fn own(&self, key: &str) -> Option<&ContextValue> {
        if self.entries.len() <= SCAN_UP_TO {
            self.entries
                .iter()
                .find(|(k, _)| k.len() == key.len() && k.as_ref() == key)
                .map(|(_, v)| v)
        } else {
            self.position(key).ok().map(|i| &self.entries[i].1)
        }
    }

    /// Set own lowercased `key` to `value`, replacing an own value.
    fn put(&mut self, key: ContextKey, value: ContextValue) {
        match self.position(&key) {
            Ok(i) => self.entries[i].1 = value,
            Err(i) => self.entries.insert(i, (key, value)),
        }
    }

    /// Set own lowercased `key` to `value` unless it has an own value (layers not looked at).
    fn put_first(&mut self, key: ContextKey, value: ContextValue) {
        if let Err(i) = self.position(&key) {
            self.entries.insert(i, (key, value));
        }
    }

    /// Set `key` to `value`, replacing any earlier value (a layer's value of `key` is
    /// hidden, not changed).
    pub fn insert(&mut self, key: &str, value: ContextValue) {
        self.put(lowercased(key), value);
    }

    /// Set `key` unless the context (its own keys or a layer) already has it (used to fill
    /// keys AWS fills itself without overriding what the user gave).
    pub fn insert_default(&mut self, key: &str, value: ContextValue) {
        let key = lowercased(key);
        if self.get_lowercase(&key).is_none() {
            self.put(key, value);
        }
    }

    /// A context that reads `given` (shared, not copied) below its own keys, with room for
    /// `room` own keys: a request's context over the keys the request gives, into which the
    /// keys AWS fills are added as defaults (the given keys winning, since a default is only
    /// set when no layer has the key). Reads as a copy of `given` would, for the cost of a
    /// pointer instead of a copy of every given key and value.
    pub fn over(given: Arc<Context>, room: usize) -> Context {
        let mut c = Context {
            entries: Vec::with_capacity(room),
            layers: Vec::with_capacity(4),
        };
        c.add_layer(given);
        c
    }

    /// Make this context [`Context::over`] `given` again, keeping the room its lists have
    /// (a batch that builds one request after another in the same place allocates nothing
    /// for the context of each).
    pub fn reset_over(&mut self, given: Arc<Context>) {
        self.entries.clear();
        self.layers.clear();
        self.add_layer(given);
    }

    /// [`Context::insert_default`] of a fixed key name already lowercased (the keys AWS
    /// fills): the name is borrowed, not copied.
    pub fn insert_default_static(&mut self, key: &'static str, value: ContextValue) {
        debug_assert!(!key.bytes().any(|b| b.is_ascii_uppercase()));
        if self.get_lowercase(key).is_none() {
            self.put(Cow::Borrowed(key), value);
        }
    }

    /// [`Context::insert_default`] taking the key by value: it is lowercased in place, and a
    /// context without layers is looked up once (what building a shared layer of many keys
    /// does for every new caller and resource).
    pub fn insert_default_owned(&mut self, mut key: String, value: ContextValue) {
        key.make_ascii_lowercase();
        if self.layers.is_empty() {
            self.put_first(Cow::Owned(key), value);
        } else if self.get_lowercase(&key).is_none() {
            self.put(Cow::Owned(key), value);
        }
    }

    /// [`Context::insert_default`] for a key already lowercased (as [`Context::iter`]
    /// gives them), cloning `value` only when the key is new.
    pub fn insert_default_lowercase(&mut self, key: &str, value: &ContextValue) {
        debug_assert!(!key.bytes().any(|b| b.is_ascii_uppercase()));
        if self.get_lowercase(key).is_none() {
            self.put(Cow::Owned(key.to_string()), value.clone());
        }
    }

    /// Add every key of `other` that this context lacks (as [`Context::insert_default`]
    /// does one key at a time), moving its values; `other`'s layers go below this
    /// context's, shared rather than copied.
    pub fn merge_defaults(&mut self, other: Context) {
        for (k, v) in other.entries {
            if self.get_lowercase(&k).is_none() {
                self.put(k, v);
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
        if !key.bytes().any(|b| b.is_ascii_uppercase()) {
            return self.get_lowercase(key);
        }
        // A key as a policy spells it (`aws:SourceIp`): lowercased on the stack when short.
        let mut buf = [0u8; 96];
        if let Some(lower) = buf.get_mut(..key.len()) {
            lower.copy_from_slice(key.as_bytes());
            lower.make_ascii_lowercase();
            // ASCII case folding keeps the text UTF-8.
            if let Ok(lower) = std::str::from_utf8(lower) {
                return self.get_lowercase(lower);
            }
        }
        self.get_lowercase(&key.to_ascii_lowercase())
    }

    /// [`Context::get`] of a lowercased key.
    fn get_lowercase(&self, key: &str) -> Option<&ContextValue> {
        self.own(key)
            .or_else(|| self.layers.iter().find_map(|l| l.get_lowercase(key)))
    }

    /// Push every key of this context and its layers, own keys first, then each layer's
    /// (so the first of a key is the one that counts).
    fn collect_into<'a>(&'a self, out: &mut Vec<(&'a str, &'a ContextValue)>) {
        out.extend(self.entries.iter().map(|(k, v)| (k.as_ref(), v)));
        for l in &self.layers {
            l.collect_into(out);
        }
    }

    /// The merged keys, sorted: own keys first, then each layer's keys not seen before.
    fn merged(&self) -> Vec<(&str, &ContextValue)> {
        let mut out = Vec::with_capacity(self.entries.len());
        self.collect_into(&mut out);
        if !self.layers.is_empty() {
            // Stable: of equal keys, the one that counts stays first.
            out.sort_by(|a, b| a.0.cmp(b.0));
            out.dedup_by(|later, first| later.0 == first.0);
        }
        out
    }

    /// Iterate over `(lowercased key, value)` in key order, layers merged in.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        let (own, merged) = if self.layers.is_empty() {
            (
                Some(self.entries.iter().map(|(k, v)| (k.as_ref(), v))),
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

    /// The sorted array reads as a map of its keys: inserting keys in any order (more than
    /// are scanned, so that binary search is used too), replacing, defaults and
    /// `from_first_lowercase` give what a `BTreeMap` given the same operations gives.
    #[test]
    fn sorted_entries_read_as_a_map() {
        let keys: Vec<String> = (0..20)
            .map(|i| format!("aws:Key{}", (i * 7) % 20))
            .collect();
        for n in [3, SCAN_UP_TO, SCAN_UP_TO + 1, 20] {
            let mut c = Context::new();
            let mut model: BTreeMap<String, ContextValue> = BTreeMap::new();
            for (i, k) in keys.iter().take(n).enumerate() {
                c.insert(k, single(&i.to_string()));
                model.insert(k.to_ascii_lowercase(), single(&i.to_string()));
                // A default of a key present changes nothing; a replacement replaces.
                c.insert_default(k, single("late"));
                c.insert_default_static("aws:fixed", single("first"));
                c.insert_default_static("aws:fixed", single("second"));
            }
            model.insert("aws:fixed".to_string(), single("first"));
            c.insert(&keys[0], single("replaced"));
            model.insert(keys[0].to_ascii_lowercase(), single("replaced"));
            let got: Vec<(&str, &ContextValue)> = c.iter().collect();
            let want: Vec<(&str, &ContextValue)> =
                model.iter().map(|(k, v)| (k.as_str(), v)).collect();
            assert_eq!(got, want, "{n} keys");
            for (k, v) in &model {
                assert_eq!(c.get(k), Some(v));
                assert_eq!(c.get(&k.to_ascii_uppercase()), Some(v));
            }
            assert_eq!(c.get("aws:key99"), None);
            assert_eq!(c.get("AWS:KEY99"), None);
            let long = format!("aws:{}", "X".repeat(200));
            assert_eq!(c.get(&long), None);
            assert_eq!(c.len(), model.len());
            assert_eq!(
                serde_json::to_string(&c).unwrap(),
                serde_json::to_string(&ContextForm { entries: &model }).unwrap()
            );
            let back: Context = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
            assert_eq!(back, c);
            assert_eq!(
                format!("{c:?}"),
                format!("Context {{ entries: {model:?} }}")
            );
        }
        // Built at once, the first of equal keys wins, as one insertion at a time does.
        let built = Context::from_first_lowercase(vec![
            (Cow::Borrowed("aws:b"), single("1")),
            (Cow::Owned("aws:a".to_string()), single("2")),
            (Cow::Borrowed("aws:b"), single("3")),
        ]);
        assert_eq!(
            built,
            flat(&[("aws:b", "1"), ("aws:a", "2"), ("aws:b", "3")])
        );
        assert_eq!(built.get("aws:b"), Some(&single("1")));
        // The fixed names of given keys are stored as such, and read as any other key.
        let mut given = Context::new();
        given.insert("AWS:SourceIp", single("10.0.0.1"));
        given.insert("aws:Custom", single("x"));
        assert!(matches!(given.entries[0].0, Cow::Owned(_)));
        assert!(matches!(given.entries[1].0, Cow::Borrowed("aws:sourceip")));
        assert_eq!(given.get("aws:sourceIP"), Some(&single("10.0.0.1")));
        let given = Arc::new(given);
        let mut over = Context::over(Arc::clone(&given), 3);
        assert_eq!(over, *given);
        assert_eq!(over.get("AWS:SOURCEIP"), Some(&single("10.0.0.1")));
        // A default never overrides a given key; a new key is the context's own.
        over.insert_default_static("aws:sourceip", single("10.9.9.9"));
        over.insert_default_static("aws:sourcevpc", single("vpc-1"));
        assert_eq!(over.get("aws:SourceIp"), Some(&single("10.0.0.1")));
        assert_eq!(over.get("aws:SourceVpc"), Some(&single("vpc-1")));
        assert_eq!(over.entries.len(), 1);
        assert_eq!(given.len(), 2);
        assert_eq!(over.len(), 3);
        for k in GIVEN_KEYS {
            assert_eq!(k, k.to_ascii_lowercase());
        }
    }

    /// Equal contexts hash alike, however their keys are layered or spelled; a different
    /// value hashes otherwise (with this hasher, for these keys).
    #[test]
    fn equal_contexts_hash_alike() {
        use std::hash::BuildHasher;
        let hasher = std::collections::hash_map::RandomState::new();
        let hash = |c: &Context| hasher.hash_one(c);
        let flat_ctx = flat(&[
            ("aws:SourceIp", "10.0.0.1"),
            ("aws:SecureTransport", "true"),
        ]);
        let mut layered = Context::new();
        layered.insert("AWS:SECURETRANSPORT", single("true"));
        layered.add_layer(Arc::new(flat(&[("aws:sourceip", "10.0.0.1")])));
        assert_eq!(flat_ctx, layered);
        assert_eq!(hash(&flat_ctx), hash(&layered));
        let other = flat(&[
            ("aws:SourceIp", "10.0.0.2"),
            ("aws:SecureTransport", "true"),
        ]);
        assert_ne!(hash(&flat_ctx), hash(&other));
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
