//! Policy documents named by their text while a GAAD file is decoded (on the loader's
//! reading thread): each distinct document text gets a number, and is decoded (by the one
//! strict JSON reader) and parsed only the first time it is met, on the reading thread.
//! The ingesting thread receives each new number's parsed document once
//! ([`super::documents`]); every other occurrence is a number.
//!
//! The typed GAAD shape ([`super::gaad_page`]) is decoded by serde's derived code, which
//! takes no state; its [`Doc`] fields find the registry of the decoding thread in a
//! thread-local slot that [`DocTexts::decoding`] fills for the duration of one decode.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::Arc;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;
use serde_json::Value;

use crate::hash::FxHasher;
use crate::policy::Policy;

/// A document text met for the first time in a load.
pub(crate) struct NewDoc {
    /// Its number.
    pub number: u32,
    /// The document parsed; or, for a document given as a string or one that does not
    /// parse, its decoded value (the ingesting thread reads it as the general reader does,
    /// with the errors it reports).
    pub parsed: Result<Arc<Policy>, Value>,
}

/// A policy document member of a typed GAAD page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Doc {
    /// The member is `null`.
    Null,
    /// The document with this number (see [`DocTexts`]).
    Id(u32),
}

/// The document texts met so far in a load, by number (kept by the reading thread).
#[derive(Default)]
pub(crate) struct DocTexts {
    ids: HashMap<Box<str>, u32, BuildHasherDefault<FxHasher>>,
    next: u32,
}

/// What one decode adds to [`DocTexts`]: the numbers given to new texts and their values.
#[derive(Default)]
struct Decoding {
    texts: DocTexts,
    /// Texts numbered during this decode (to forget them if the decode fails).
    added: Vec<Box<str>>,
    /// Each text numbered during this decode, parsed.
    new_docs: Vec<NewDoc>,
}

thread_local! {
    /// The registry of the decode running on this thread, if any.
    static DECODING: RefCell<Option<Decoding>> = const { RefCell::new(None) };
}

impl DocTexts {
    /// Run `decode` with this registry available to [`Doc`] fields. On success, returns its
    /// result and the values of the documents it numbered for the first time; on failure,
    /// the texts it numbered are forgotten (the file is then read another way, and a later
    /// file meeting them must send their values again).
    pub fn decoding<T, E>(
        &mut self,
        decode: impl FnOnce() -> Result<T, E>,
    ) -> Option<(T, Vec<NewDoc>)> {
        let texts = std::mem::take(self);
        DECODING.with(|slot| {
            *slot.borrow_mut() = Some(Decoding {
                texts,
                ..Decoding::default()
            })
        });
        let result = decode();
        let Decoding {
            mut texts,
            added,
            new_docs,
        } = DECODING
            .with(|slot| slot.borrow_mut().take())
            .unwrap_or_default();
        match result {
            Ok(value) => {
                *self = texts;
                Some((value, new_docs))
            }
            Err(_) => {
                for t in &added {
                    texts.ids.remove(t);
                }
                *self = texts;
                None
            }
        }
    }
}

impl Decoding {
    /// The number of `text`, decoding and parsing it if it is new; `None` if it does not decode
    /// strictly (a repeated key: the whole file is then read by the general reader, which
    /// reports it with its path).
    fn id(&mut self, text: &str) -> Option<u32> {
        if let Some(id) = self.texts.ids.get(text) {
            return Some(*id);
        }
        let value = crate::parse::json::decode_unique(text).ok()?;
        let id = self.texts.next;
        self.texts.next += 1;
        self.texts.ids.insert(text.into(), id);
        self.added.push(text.into());
        let parsed = match value {
            // Parsed from the decoded value itself (its strings move into the policy); a
            // document that does not parse, which is rare, is decoded again for the
            // ingesting thread to read and report as the general reader does.
            Value::Object(_) => match crate::parse::parse_owned(value) {
                Ok(policy) => Ok(Arc::new(policy)),
                Err(_) => Err(crate::parse::json::decode_unique(text).ok()?),
            },
            other => Err(other),
        };
        self.new_docs.push(NewDoc { number: id, parsed });
        Some(id)
    }
}

impl<'de> Deserialize<'de> for Doc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Doc, D::Error> {
        let raw = <&RawValue>::deserialize(d)?;
        let text = raw.get();
        if text == "null" {
            return Ok(Doc::Null);
        }
        DECODING
            .with(|slot| slot.borrow_mut().as_mut().and_then(|st| st.id(text)))
            .map(Doc::Id)
            .ok_or_else(|| D::Error::custom("document not decoded strictly"))
    }
}

/// A member holding a document: present (even as `null`) gives `Some`.
pub(crate) fn some_doc<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Doc>, D::Error> {
    Doc::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Two {
        a: Doc,
        b: Doc,
    }

    #[test]
    fn the_same_text_gets_one_number_and_is_decoded_once() {
        let mut texts = DocTexts::default();
        let (two, new) = texts
            .decoding(|| serde_json::from_str::<Two>(r#"{"a": {"x": [1]}, "b": {"x": [1]}}"#))
            .expect("decodes");
        assert_eq!(two.a, two.b);
        assert_eq!(new.len(), 1);
        let (again, new) = texts
            .decoding(|| serde_json::from_str::<Two>(r#"{"a": {"x": [1]}, "b": null}"#))
            .expect("decodes");
        assert_eq!(again.a, two.a);
        assert_eq!(again.b, Doc::Null);
        assert!(new.is_empty(), "a text met before is not decoded again");
    }

    #[test]
    fn a_failed_decode_forgets_the_texts_it_numbered() {
        let mut texts = DocTexts::default();
        // `b` repeats a key: the decode fails, and `a`'s text must be sent again later.
        let failed = texts
            .decoding(|| serde_json::from_str::<Two>(r#"{"a": {"x": 1}, "b": {"y": 1, "y": 2}}"#));
        assert!(failed.is_none());
        let (_, new) = texts
            .decoding(|| serde_json::from_str::<Two>(r#"{"a": {"x": 1}, "b": null}"#))
            .expect("decodes");
        assert_eq!(new.len(), 1);
    }
}
