//! Identical policy documents parsed once per load. An organization repeats its documents:
//! every role of a kind has the same trust policy and inline policies (the synthetic
//! 100-account organization of `docs/performance.md` holds 77,600 documents, 13,809 of them
//! different), so the loader parses each distinct document once and shares the parsed
//! [`Policy`] between every holder.
//!
//! Two documents are the same when their compact JSON texts ([`text_of`]) are equal: same
//! members in the same order, same array items, same scalars. The parser builds principals
//! and conditions in document order, so a document written in another order is parsed on
//! its own. A document is kept by its text (one string, not a copy of its JSON tree), so
//! keeping and finding it costs one serialization and one hash lookup. Only documents
//! that parse are kept; an invalid one is parsed (and reported, with its own path) at every
//! occurrence.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use super::doc_texts::NewDoc;
use crate::hash::FxBuild;
use crate::policy::Policy;

/// The parsed documents seen so far, by their text.
#[derive(Default)]
pub(crate) struct Documents {
    /// Each distinct document's text ([`text_of`]), with its place in `slots`.
    ids: HashMap<Box<str>, usize, FxBuild>,
    slots: Vec<Slot>,
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
    /// The document parsed.
    policy: Arc<Policy>,
    /// The document as a resource-based policy is evaluated
    /// ([`crate::aws_rules::refused::as_resource_policy`]), once asked for.
    as_resource: Option<Arc<Policy>>,
}

/// A document's place in [`Documents`]: its slot when it was seen before.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Key {
    slot: Option<usize>,
}

impl Key {
    /// Whether the document was seen (and parsed) before.
    pub fn found(&self) -> bool {
        self.slot.is_some()
    }
}

/// The text a document is known by: its compact JSON, members in document order (the
/// crate's `serde_json` keeps object members in order). Equal texts are equal JSON values;
/// equal values have equal texts (but for `-0.0` and `0.0`, which are then only parsed
/// twice).
pub(crate) fn text_of(v: &Value) -> String {
    v.to_string()
}

impl Documents {
    /// Where `v` sits (or would sit).
    #[cfg(test)]
    pub fn key(&self, v: &Value) -> Key {
        self.key_of_text(&text_of(v))
    }

    /// Where the document of text `text` ([`text_of`]) sits (or would sit).
    pub fn key_of_text(&self, text: &str) -> Key {
        Key {
            slot: self.ids.get(text).copied(),
        }
    }

    /// The parsed document at `key` (found by [`Documents::key`]).
    pub fn policy(&self, key: Key) -> Option<Arc<Policy>> {
        self.slots.get(key.slot?).map(|s| Arc::clone(&s.policy))
    }

    /// The resource-policy form of the document at `key`, made with `make` the first time.
    pub fn as_resource(
        &mut self,
        key: Key,
        make: impl FnOnce(&Policy) -> Policy,
    ) -> Option<Arc<Policy>> {
        let s = self.slots.get_mut(key.slot?)?;
        let p = s
            .as_resource
            .get_or_insert_with(|| Arc::new(make(&s.policy)));
        Some(Arc::clone(p))
    }

    /// Keep `policy`, parsed from the document of text `text` ([`text_of`]), which is not
    /// kept yet; returns its key.
    pub fn insert(&mut self, text: Box<str>, policy: Arc<Policy>) -> Key {
        let slot = self.slots.len();
        self.slots.push(Slot {
            policy,
            as_resource: None,
        });
        self.ids.insert(text, slot);
        Key { slot: Some(slot) }
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parsed(v: &Value) -> Arc<Policy> {
        Arc::new(crate::parse::parse_policy_value(v).unwrap())
    }

    fn insert(docs: &mut Documents, v: &Value) -> Key {
        docs.insert(text_of(v).into(), parsed(v))
    }

    #[test]
    fn the_same_document_is_found_and_shared() {
        let mut docs = Documents::default();
        let a = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]});
        assert!(!docs.key(&a).found());
        let p = parsed(&a);
        docs.insert(text_of(&a).into(), Arc::clone(&p));
        let again = docs.key(&a.clone());
        assert!(again.found());
        assert!(Arc::ptr_eq(&docs.policy(again).unwrap(), &p));
        assert_eq!(docs.key_of_text(&text_of(&a)), again);
    }

    #[test]
    fn documents_differing_in_a_value_or_in_member_order_are_different() {
        let mut docs = Documents::default();
        let a =
            json!({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]});
        insert(&mut docs, &a);
        let other_value =
            json!({"Statement": [{"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}]});
        assert!(!docs.key(&other_value).found());
        let other_order =
            json!({"Statement": [{"Action": "s3:GetObject", "Effect": "Allow", "Resource": "*"}]});
        assert!(!docs.key(&other_order).found());
        assert!(!docs.key(&json!(1)).found());
        assert_ne!(text_of(&json!(1)), text_of(&json!(1.0)));
        assert_ne!(text_of(&json!(["ab", "c"])), text_of(&json!(["a", "bc"])));
        // A string holding the separators of the text is escaped in it.
        assert_ne!(
            text_of(&json!({"a": "b\",\"c"})),
            text_of(&json!({"a": "b", "c": ""}))
        );
    }

    #[test]
    fn the_resource_form_is_made_once() {
        let mut docs = Documents::default();
        let a =
            json!({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]});
        let k = insert(&mut docs, &a);
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
