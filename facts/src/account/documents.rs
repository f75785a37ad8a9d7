//! Identical policy documents parsed once per load. An organization repeats its documents:
//! every role of a kind has the same trust policy and inline policies (the synthetic
//! 100-account organization of `docs/performance.md` holds 77,600 documents, 13,809 of them
//! different), so the loader parses each distinct document once and shares the parsed
//! [`Policy`] between every holder.
//!
//! Two documents are the same when their JSON values are equal *in order* (same members in
//! the same order, same array items, same scalars): the parser builds principals and
//! conditions in document order, so a document written in another order is parsed on its
//! own. Only documents that parse are kept; an invalid one is parsed (and reported, with
//! its own path) at every occurrence.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use serde_json::Value;

use super::doc_texts::NewDoc;
use crate::hash::FxHasher;
use crate::policy::Policy;

/// The parsed documents seen so far, by the hash of their JSON value.
#[derive(Default)]
pub(crate) struct Documents {
    slots: HashMap<u64, Vec<Slot>, BuildHasherDefault<IdentityHasher>>,
    /// The documents numbered by their text ([`super::doc_texts`]), by number, once met.
    by_number: Vec<Option<Numbered>>,
    /// The numbered documents not met yet, as the reading thread sent them.
    unmet: HashMap<u32, Result<Arc<Policy>, Value>>,
}

/// A document numbered by its text.
#[derive(Clone)]
pub(crate) struct Numbered {
    /// The document parsed.
    pub policy: Arc<Policy>,
    /// Its resource-policy form, once asked for.
    pub as_resource: Option<Arc<Policy>>,
}

/// One distinct document.
struct Slot {
    /// The document as written (an object, or a string holding it).
    value: Value,
    /// The document parsed.
    policy: Arc<Policy>,
    /// The document as a resource-based policy is evaluated
    /// ([`crate::aws_rules::refused::as_resource_policy`]), once asked for.
    as_resource: Option<Arc<Policy>>,
}

/// A document's place in [`Documents`]: its hash, and its slot when it was seen before.
#[derive(Clone, Copy)]
pub(crate) struct Key {
    hash: u64,
    slot: Option<usize>,
}

impl Key {
    /// Whether the document was seen (and parsed) before.
    #[cfg(test)]
    pub fn found(&self) -> bool {
        self.slot.is_some()
    }
}

impl Documents {
    /// Where `v` sits (or would sit).
    pub fn key(&self, v: &Value) -> Key {
        let hash = hash_value(v);
        let slot = self
            .slots
            .get(&hash)
            .and_then(|slots| slots.iter().position(|s| same(&s.value, v)));
        Key { hash, slot }
    }

    /// The parsed document at `key` (found by [`Documents::key`]).
    pub fn policy(&self, key: Key) -> Option<Arc<Policy>> {
        self.slot(key).map(|s| Arc::clone(&s.policy))
    }

    /// The resource-policy form of the document at `key`, made with `make` the first time.
    pub fn as_resource(
        &mut self,
        key: Key,
        make: impl FnOnce(&Policy) -> Policy,
    ) -> Option<Arc<Policy>> {
        let s = self.slot_mut(key)?;
        let p = s
            .as_resource
            .get_or_insert_with(|| Arc::new(make(&s.policy)));
        Some(Arc::clone(p))
    }

    /// Keep `policy`, parsed from `value` (at `key`, not found before); returns the key of
    /// its slot.
    pub fn insert(&mut self, key: Key, value: &Value, policy: Arc<Policy>) -> Key {
        let slots = self.slots.entry(key.hash).or_default();
        slots.push(Slot {
            value: value.clone(),
            policy,
            as_resource: None,
        });
        Key {
            hash: key.hash,
            slot: Some(slots.len() - 1),
        }
    }

    /// Keep the documents a typed GAAD page numbered for the first time, until met.
    pub fn add_numbered(&mut self, new_docs: Vec<NewDoc>) {
        self.unmet
            .extend(new_docs.into_iter().map(|d| (d.number, d.parsed)));
    }

    /// The document numbered `n`, if it was met before.
    pub fn numbered(&mut self, n: u32) -> Option<&mut Numbered> {
        self.by_number.get_mut(n as usize)?.as_mut()
    }

    /// The document numbered `n` as the reading thread sent it, when met the first time.
    pub fn take_unmet(&mut self, n: u32) -> Option<Result<Arc<Policy>, Value>> {
        self.unmet.remove(&n)
    }

    /// Keep the document numbered `n`, met for the first time.
    pub fn set_numbered(&mut self, n: u32, policy: Arc<Policy>) {
        let i = n as usize;
        if self.by_number.len() <= i {
            self.by_number.resize(i + 1, None);
        }
        self.by_number[i] = Some(Numbered {
            policy,
            as_resource: None,
        });
    }

    fn slot(&self, key: Key) -> Option<&Slot> {
        self.slots.get(&key.hash)?.get(key.slot?)
    }

    fn slot_mut(&mut self, key: Key) -> Option<&mut Slot> {
        self.slots.get_mut(&key.hash)?.get_mut(key.slot?)
    }
}

/// Whether `a` and `b` are the same JSON, members in the same order.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((ka, va), (kb, vb))| ka == kb && same(va, vb))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(va, vb)| same(va, vb))
        }
        _ => a == b,
    }
}

/// A hash of `v` that agrees with [`same`] (members hashed in order).
fn hash_value(v: &Value) -> u64 {
    let mut h = FxHasher::default();
    walk(v, &mut h);
    h.finish()
}

fn walk(v: &Value, h: &mut FxHasher) {
    match v {
        Value::Null => h.write_u8(0),
        Value::Bool(b) => h.write_u8(1 + u8::from(*b)),
        Value::Number(n) => {
            h.write_u8(3);
            h.write(n.to_string().as_bytes());
        }
        Value::String(s) => {
            h.write_u8(4);
            h.write_str_bytes(s);
        }
        Value::Array(items) => {
            h.write_u8(5);
            h.write_usize(items.len());
            for i in items {
                walk(i, h);
            }
        }
        Value::Object(members) => {
            h.write_u8(6);
            h.write_usize(members.len());
            for (k, v) in members {
                h.write_str_bytes(k);
                walk(v, h);
            }
        }
    }
}

/// The map's own hasher: its keys are already hashes.
#[derive(Default)]
struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = i;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parsed(v: &Value) -> Arc<Policy> {
        Arc::new(crate::parse::parse_policy_value(v).unwrap())
    }

    #[test]
    fn the_same_document_is_found_and_shared() {
        let mut docs = Documents::default();
        let a = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]});
        let k = docs.key(&a);
        assert!(!k.found());
        let p = parsed(&a);
        docs.insert(k, &a, Arc::clone(&p));
        let again = docs.key(&a.clone());
        assert!(again.found());
        assert!(Arc::ptr_eq(&docs.policy(again).unwrap(), &p));
    }

    #[test]
    fn documents_differing_in_a_value_or_in_member_order_are_different() {
        let mut docs = Documents::default();
        let a =
            json!({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]});
        let k = docs.key(&a);
        docs.insert(k, &a, parsed(&a));
        let other_value =
            json!({"Statement": [{"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}]});
        assert!(!docs.key(&other_value).found());
        let other_order =
            json!({"Statement": [{"Action": "s3:GetObject", "Effect": "Allow", "Resource": "*"}]});
        assert!(!docs.key(&other_order).found());
        assert!(!docs.key(&json!(1)).found());
        assert!(!docs.key(&json!(1.0)).found());
        assert!(!same(&json!(["ab", "c"]), &json!(["a", "bc"])));
    }

    #[test]
    fn the_resource_form_is_made_once() {
        let mut docs = Documents::default();
        let a =
            json!({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]});
        let k = docs.insert(docs.key(&a), &a, parsed(&a));
        let mut made = 0;
        let first = docs.as_resource(k, |p| {
            made += 1;
            crate::aws_rules::refused::as_resource_policy(p.clone())
        });
        let second = docs.as_resource(k, |p| {
            made += 1;
            p.clone()
        });
        assert_eq!(made, 1);
        assert!(Arc::ptr_eq(&first.unwrap(), &second.unwrap()));
    }
}
