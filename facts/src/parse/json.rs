//! JSON text → `serde_json::Value`, keeping what `Value` would silently drop: an object key
//! given twice (JSON gives a repeated key no meaning; `Value` keeps only the last one). The
//! parser turns each repeated key into an error, so nothing a user wrote is lost unseen.
//!
//! This is the one JSON reader of every input iamlogic takes (policies, GAAD,
//! `resources.json`, `organization.json`, policies given as JSON strings, scenarios,
//! `--requests` lines): [`decode_unique`] rejects a repeated key with its path, and
//! [`syntax_message`] words serde_json's errors without repeating their location.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::error::{JsonPath, PathSegment};

/// A decoded document and the paths of the keys it repeats.
pub struct Decoded {
    /// The value, as `serde_json::from_str::<Value>` would give it (last key wins).
    pub value: Value,
    /// Each repeated key, by its path.
    pub duplicates: Vec<JsonPath>,
}

/// Decode `text` as one JSON value (serde_json's grammar, recursion limit and errors).
pub fn decode(text: &str) -> Result<Decoded, serde_json::Error> {
    let mut st = State {
        path: Vec::new(),
        duplicates: Vec::new(),
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Seed { st: &mut st }.deserialize(&mut de)?;
    de.end()?;
    Ok(Decoded {
        value,
        duplicates: st.duplicates,
    })
}

/// Why JSON text could not be read as one value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JsonTextError {
    /// The text is not JSON.
    #[error("malformed JSON at line {line}, column {column}: {message}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// serde_json's description, without its location.
        message: String,
    },
    /// An object key given twice (the first repeated key of the text).
    #[error("{path}: `{key}` is given more than once")]
    DuplicateKey {
        /// Where the repeated key sits.
        path: JsonPath,
        /// The key.
        key: String,
    },
}

impl JsonTextError {
    /// A syntax error from serde_json's error.
    pub fn syntax(e: &serde_json::Error) -> JsonTextError {
        JsonTextError::Syntax {
            line: e.line(),
            column: e.column(),
            message: syntax_message(e),
        }
    }
}

/// Decode `text` as one JSON value whose objects repeat no key.
pub fn decode_unique(text: &str) -> Result<Value, JsonTextError> {
    let decoded = decode(text).map_err(|e| JsonTextError::syntax(&e))?;
    match decoded.duplicates.into_iter().next() {
        None => Ok(decoded.value),
        Some(path) => {
            let key = match path.0.last() {
                Some(PathSegment::Key(k)) => k.clone(),
                _ => String::new(),
            };
            Err(JsonTextError::DuplicateKey { path, key })
        }
    }
}

/// serde_json's description of `e` without the ` at line L column C` it appends, so that
/// a message gives the location once, in iamlogic's own words.
pub fn syntax_message(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    match full.strip_suffix(&suffix) {
        Some(m) => m.to_string(),
        None => full,
    }
}

struct State {
    path: Vec<PathSegment>,
    duplicates: Vec<JsonPath>,
}

struct Seed<'s> {
    st: &'s mut State,
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        loop {
            self.st.path.push(PathSegment::Index(out.len()));
            let next = seq.next_element_seed(Seed { st: &mut *self.st });
            self.st.path.pop();
            match next? {
                Some(v) => out.push(v),
                None => return Ok(Value::Array(out)),
            }
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            self.st.path.push(PathSegment::Key(key));
            let v = map.next_value_seed(Seed { st: &mut *self.st });
            let Some(PathSegment::Key(key)) = self.st.path.pop() else {
                // INVARIANT: the segment pushed above is popped here.
                continue;
            };
            let v = v?;
            match out.entry(key) {
                serde_json::map::Entry::Vacant(e) => {
                    e.insert(v);
                }
                serde_json::map::Entry::Occupied(mut e) => {
                    let mut p = self.st.path.clone();
                    p.push(PathSegment::Key(e.key().clone()));
                    self.st.duplicates.push(JsonPath(p));
                    e.insert(v);
                }
            }
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_value_as_serde_json_and_repeated_keys_reported() {
        let text =
            r#"{"a":[1,-2,3.5,true,null,"s",{"b":1,"b":2}],"a":{},"c":{"d":[{"e":0,"e":1}]}}"#;
        let d = decode(text).unwrap();
        let plain: Value = serde_json::from_str(text).unwrap();
        assert_eq!(d.value, plain);
        let dups: Vec<String> = d.duplicates.iter().map(|p| p.to_string()).collect();
        assert_eq!(dups, vec!["$.a[6].b", "$.a", "$.c.d[0].e"]);
    }

    #[test]
    fn decode_unique_names_the_first_repeated_key_and_messages_give_the_location_once() {
        let e = decode_unique(r#"{"Statement":[{"Effect":"Deny","Effect":"Allow"}]}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "$.Statement[0].Effect: `Effect` is given more than once"
        );
        let e = decode_unique("{\"a\": 1,}").unwrap_err();
        assert_eq!(
            e.to_string(),
            "malformed JSON at line 1, column 9: trailing comma"
        );
    }

    #[test]
    fn errors_match_serde_json() {
        for bad in ["", "{", "[1,]", "{} x", "\"\\u\""] {
            let ours = decode(bad).err().map(|e| (e.line(), e.column()));
            let theirs = serde_json::from_str::<Value>(bad)
                .err()
                .map(|e| (e.line(), e.column()));
            assert_eq!(ours, theirs, "{bad}");
        }
    }
}
