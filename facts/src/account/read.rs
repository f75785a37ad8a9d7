//! Typed access to the JSON of one input file: every accessor names the file and JSON path
//! in its error, so the format readers ([`super::gaad`], [`super::resources`],
//! [`super::organization`]) stay short and never index blindly.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::doc_texts::{Doc, NewDoc};
use super::documents::{text_of, Documents, Key};
use super::error::IngestError;
use super::model::{AccountId, Source, Tags, Warning, WarningKind};
use crate::arn::Arn;
use crate::error::JsonPath;
use crate::hash::FxBuild;
use crate::policy::Policy;

/// A JSON object.
pub(crate) type Object = Map<String, Value>;

/// The file being read, for sources, errors and the warnings of nested readers.
pub(crate) struct FileCtx {
    /// The file, shared by every [`Source`] read from it.
    pub file: Arc<PathBuf>,
    /// Warnings raised by accessors that have no model at hand ([`FileCtx::members`],
    /// [`FileCtx::tags`]); the loader moves them into the model once the file is read.
    pending: Rc<RefCell<Vec<Warning>>>,
    /// The documents parsed so far (shared by every file of a load), so that a document
    /// repeated in the data is parsed once.
    documents: Rc<RefCell<Documents>>,
    /// The documents of this file parsed ahead ([`FileCtx::add_parsed`]), by the address of
    /// their JSON value in the file's decoded tree: a reader meeting one of them finds its
    /// key without serializing it again. The tree outlives this context and is not changed
    /// while it is read, so an address names one value for the context's whole life.
    ahead: RefCell<HashMap<usize, Key, FxBuild>>,
}

/// What the loader's reading thread made of one policy document of a file ahead of the
/// reader that meets it ([`FileCtx::parse_ahead`]).
pub(crate) struct Ahead {
    /// The document's text ([`text_of`]).
    text: String,
    /// The document parsed; `None` when it does not parse (the reader that meets it parses
    /// it again and reports the error at its path).
    policy: Option<Arc<Policy>>,
}

pub(crate) use crate::parse::type_name;

impl FileCtx {
    /// A context for `file`.
    pub fn new(file: PathBuf) -> FileCtx {
        FileCtx::sharing(file, Rc::default())
    }

    /// A context for `file` that finds and keeps parsed documents in `documents`.
    pub fn sharing(file: PathBuf, documents: Rc<RefCell<Documents>>) -> FileCtx {
        FileCtx {
            file: Arc::new(file),
            pending: Rc::new(RefCell::new(Vec::new())),
            documents,
            ahead: RefCell::default(),
        }
    }

    /// The warnings raised while reading this file, in reading order (a handle that
    /// outlives the context, for the loader to move them into the model).
    pub fn pending_warnings(&self) -> Rc<RefCell<Vec<Warning>>> {
        Rc::clone(&self.pending)
    }

    /// `v` as an object whose members are all in `known`: each other member is an
    /// `unsupported element` warning naming its path (nothing is dropped silently).
    pub fn members<'v>(
        &self,
        v: &'v Value,
        path: &JsonPath,
        known: &[&str],
    ) -> Result<&'v Object, IngestError> {
        let o = self.object(v, path)?;
        let mut pending = self.pending.borrow_mut();
        self.check_keys(o, path, known, &mut pending);
        Ok(o)
    }

    /// The source of the element at `path`.
    pub fn source(&self, path: &JsonPath) -> Source {
        Source {
            file: Arc::clone(&self.file),
            path: path.clone(),
        }
    }

    /// An [`IngestError::Invalid`] at `path`.
    pub fn invalid(&self, path: &JsonPath, reason: impl Into<String>) -> IngestError {
        IngestError::Invalid {
            file: self.file.as_ref().clone(),
            path: path.clone(),
            reason: reason.into(),
        }
    }

    /// A warning at `path`.
    pub fn warning(&self, path: &JsonPath, kind: WarningKind) -> Warning {
        Warning {
            source: self.source(path),
            kind,
        }
    }

    /// `v` as an object.
    pub fn object<'v>(&self, v: &'v Value, path: &JsonPath) -> Result<&'v Object, IngestError> {
        v.as_object().ok_or_else(|| {
            self.invalid(path, format!("expected an object, found {}", type_name(v)))
        })
    }

    /// The required string member `key` of `obj` (which sits at `path`).
    pub fn req_str<'v>(
        &self,
        obj: &'v Object,
        key: &str,
        path: &JsonPath,
    ) -> Result<&'v str, IngestError> {
        self.opt_str(obj, key, path)?
            .ok_or_else(|| self.invalid(path, format!("missing required element `{key}`")))
    }

    /// The optional string member `key` (absent or `null` → `None`).
    pub fn opt_str<'v>(
        &self,
        obj: &'v Object,
        key: &str,
        path: &JsonPath,
    ) -> Result<Option<&'v str>, IngestError> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.invalid(
                &path.key(key),
                format!("expected a string, found {}", type_name(other)),
            )),
        }
    }

    /// The optional array member `key` (absent or `null` → empty).
    pub fn opt_array<'v>(
        &self,
        obj: &'v Object,
        key: &str,
        path: &JsonPath,
    ) -> Result<&'v [Value], IngestError> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(&[]),
            Some(Value::Array(a)) => Ok(a),
            Some(other) => Err(self.invalid(
                &path.key(key),
                format!("expected an array, found {}", type_name(other)),
            )),
        }
    }

    /// Tags at member `key`: AWS's `[{"Key": k, "Value": v}]` form, or a plain `{k: v}` map.
    pub fn tags(&self, obj: &Object, key: &str, path: &JsonPath) -> Result<Tags, IngestError> {
        let mut tags = Tags::new();
        let at = || path.key(key);
        match obj.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                let at = at();
                for (i, item) in items.iter().enumerate() {
                    let p = at.index(i);
                    let o = self.members(item, &p, &["Key", "Value"])?;
                    let k = self.req_str(o, "Key", &p)?;
                    let v = self.opt_str(o, "Value", &p)?.unwrap_or("");
                    tags.insert(k.to_string(), v.to_string());
                }
            }
            Some(Value::Object(map)) => {
                let at = at();
                for (k, v) in map {
                    match v {
                        Value::String(s) => {
                            tags.insert(k.clone(), s.clone());
                        }
                        other => {
                            return Err(self.invalid(
                                &at.key(k),
                                format!("expected a string tag value, found {}", type_name(other)),
                            ))
                        }
                    }
                }
            }
            Some(other) => {
                return Err(self.invalid(
                    &at(),
                    format!(
                        "expected tags as an array of {{Key, Value}} or an object, found {}",
                        type_name(other)
                    ),
                ))
            }
        }
        Ok(tags)
    }

    /// Warn about members of `obj` that are not in `known`, among this file's warnings
    /// (see [`FileCtx::members`], for an object already in hand).
    pub fn warn_unknown(&self, obj: &Object, path: &JsonPath, known: &[&str]) {
        let mut pending = self.pending.borrow_mut();
        self.check_keys(obj, path, known, &mut pending);
    }

    /// Warn about members of `obj` that are not in `known` (nothing is dropped silently).
    pub fn check_keys(
        &self,
        obj: &Object,
        path: &JsonPath,
        known: &[&str],
        warnings: &mut Vec<Warning>,
    ) {
        for k in obj.keys() {
            if !known.contains(&k.as_str()) {
                warnings.push(self.warning(
                    &path.key(k),
                    WarningKind::UnsupportedElement { name: k.clone() },
                ));
            }
        }
    }

    /// Parse `arn` (at `path`) and require an AWS account id in it.
    pub fn account_of(&self, arn: &str, path: &JsonPath) -> Result<AccountId, IngestError> {
        let parsed = self.arn(arn, path)?;
        AccountId::parse(&parsed.account).ok_or_else(|| IngestError::InvalidArn {
            file: self.file.as_ref().clone(),
            path: path.clone(),
            value: arn.to_string(),
            reason: "the account part is not a 12-digit account id".to_string(),
        })
    }

    /// [`Self::account_of`] for member `key` of the object at `path` (the path is built only
    /// for an error).
    pub fn account_of_member(
        &self,
        arn: &str,
        path: &JsonPath,
        key: &str,
    ) -> Result<AccountId, IngestError> {
        match Arn::parse(arn).and_then(|a| AccountId::parse(&a.account)) {
            Some(account) => Ok(account),
            None => self.account_of(arn, &path.key(key)),
        }
    }

    /// [`Self::arn`] for member `key` of the object at `path` (the path is built only for
    /// an error).
    pub fn arn_member(&self, arn: &str, path: &JsonPath, key: &str) -> Result<Arn, IngestError> {
        match Arn::parse(arn) {
            Some(a) => Ok(a),
            None => self.arn(arn, &path.key(key)),
        }
    }

    /// Parse `arn` (at `path`) with the one ARN parser of `facts`.
    pub fn arn(&self, arn: &str, path: &JsonPath) -> Result<Arn, IngestError> {
        Arn::parse(arn).ok_or_else(|| IngestError::InvalidArn {
            file: self.file.as_ref().clone(),
            path: path.clone(),
            value: arn.to_string(),
            reason: "expected `arn:partition:service:region:account:resource`".to_string(),
        })
    }

    /// A 12-digit account id given as text at `path`.
    pub fn account_id(&self, text: &str, path: &JsonPath) -> Result<AccountId, IngestError> {
        AccountId::parse(text)
            .ok_or_else(|| self.invalid(path, format!("`{text}` is not a 12-digit account id")))
    }

    /// A resource-based policy (or trust policy) at `path`, as [`Self::policy`] reads it,
    /// with each statement that lacks `Principal` reported in `warnings` and made to match
    /// no one (`crate::aws_rules::refused`): AWS would have refused it.
    pub fn resource_policy(
        &self,
        v: &Value,
        path: &JsonPath,
        warnings: &mut Vec<Warning>,
    ) -> Result<Arc<Policy>, IngestError> {
        let (p, key) = self.parsed(v, path)?;
        Ok(self.as_resource_policy(p, key, path, warnings))
    }

    /// [`Self::resource_policy`] for a document of a typed GAAD page.
    pub fn resource_policy_doc(
        &self,
        doc: Doc,
        path: &JsonPath,
        warnings: &mut Vec<Warning>,
    ) -> Result<Arc<Policy>, IngestError> {
        let n = match doc {
            Doc::Null => return self.resource_policy(&Value::Null, path, warnings),
            Doc::Id(n) => n,
        };
        let p = self.numbered(n, path)?;
        for i in crate::aws_rules::refused::statements_without_principal(&p) {
            warnings.push(self.warning(
                &path.key("Statement").index(i),
                WarningKind::StatementWithoutPrincipal,
            ));
        }
        let mut documents = self.documents.borrow_mut();
        let numbered = documents
            .numbered(n)
            .ok_or_else(|| self.invalid(path, "the document was not kept"))?;
        let shared = numbered.as_resource.get_or_insert_with(|| {
            Arc::new(crate::aws_rules::refused::as_resource_policy(
                numbered.policy.as_ref().clone(),
            ))
        });
        Ok(Arc::clone(shared))
    }

    /// [`Self::policy`] for a document of a typed GAAD page: parsed (on the reading
    /// thread) the first time its text is met, shared after.
    pub fn policy_doc(&self, doc: Doc, path: &JsonPath) -> Result<Arc<Policy>, IngestError> {
        match doc {
            Doc::Null => self.policy(&Value::Null, path),
            Doc::Id(n) => self.numbered(n, path),
        }
    }

    /// Keep the documents a typed GAAD page numbered first.
    pub fn add_numbered(&self, new_docs: Vec<NewDoc>) {
        self.documents.borrow_mut().add_numbered(new_docs);
    }

    /// The document numbered `n` (met at `path`).
    fn numbered(&self, n: u32, path: &JsonPath) -> Result<Arc<Policy>, IngestError> {
        if let Some(found) = self.documents.borrow_mut().numbered(n) {
            return Ok(Arc::clone(&found.policy));
        }
        let unmet = self.documents.borrow_mut().take_unmet(n);
        let policy = match unmet {
            Some(Ok(p)) => p,
            // A string, or a document that does not parse: read as any other document
            // (the error names this occurrence's path).
            Some(Err(value)) => self.policy(&value, path)?,
            None => return Err(self.invalid(path, "the document's text was not decoded")),
        };
        self.documents
            .borrow_mut()
            .set_numbered(n, Arc::clone(&policy));
        Ok(policy)
    }

    /// The resource-policy form of `p` (at `key` among the documents), with each statement
    /// that lacks `Principal` reported in `warnings`.
    fn as_resource_policy(
        &self,
        p: Arc<Policy>,
        key: Key,
        path: &JsonPath,
        warnings: &mut Vec<Warning>,
    ) -> Arc<Policy> {
        for i in crate::aws_rules::refused::statements_without_principal(&p) {
            warnings.push(self.warning(
                &path.key("Statement").index(i),
                WarningKind::StatementWithoutPrincipal,
            ));
        }
        let shared = self.documents.borrow_mut().as_resource(key, |p| {
            crate::aws_rules::refused::as_resource_policy(p.clone())
        });
        shared.unwrap_or_else(|| {
            Arc::new(crate::aws_rules::refused::as_resource_policy(
                Arc::unwrap_or_clone(p),
            ))
        })
    }

    /// Keep `policy`, parsed from `v` ahead of time (on the loader's reading thread), for
    /// the reader that meets `v` to find instead of parsing it; a document already kept
    /// stays as it is.
    pub fn add_parsed(&self, v: &Value, ahead: Ahead) {
        let mut documents = self.documents.borrow_mut();
        let mut key = documents.key_of_text(&ahead.text);
        if !key.found() {
            let Some(policy) = ahead.policy else {
                return;
            };
            key = documents.insert(ahead.text.into_boxed_str(), policy);
        }
        self.ahead.borrow_mut().insert(address(v), key);
    }

    /// `v`'s text, and `v` parsed as a policy document (once per distinct document of this
    /// context; `None` if it does not parse, and the reader that meets it reports the
    /// error, at its path).
    pub fn parse_ahead(&self, v: &Value) -> Ahead {
        let text = text_of(v);
        let key = self.documents.borrow().key_of_text(&text);
        if let Some(policy) = self.documents.borrow().policy(key) {
            return Ahead {
                text,
                policy: Some(policy),
            };
        }
        let policy = self.parse_document(v, &JsonPath::default()).ok();
        if let Some(p) = &policy {
            self.documents
                .borrow_mut()
                .insert(text.as_str().into(), Arc::clone(p));
        }
        Ahead { text, policy }
    }

    /// A policy document at `path`, as [`Self::parse_document`] reads it; a document met
    /// before in this load is not parsed again, its parsed form is shared.
    pub fn policy(&self, v: &Value, path: &JsonPath) -> Result<Arc<Policy>, IngestError> {
        self.parsed(v, path).map(|(p, _)| p)
    }

    /// The parsed document `v` and its key among the documents of this load.
    fn parsed(&self, v: &Value, path: &JsonPath) -> Result<(Arc<Policy>, Key), IngestError> {
        let ahead = self.ahead.borrow().get(&address(v)).copied();
        if let Some(key) = ahead {
            if let Some(p) = self.documents.borrow().policy(key) {
                return Ok((p, key));
            }
        }
        let text = text_of(v);
        let key = self.documents.borrow().key_of_text(&text);
        if let Some(p) = self.documents.borrow().policy(key) {
            return Ok((p, key));
        }
        let p = self.parse_document(v, path)?;
        let key = self
            .documents
            .borrow_mut()
            .insert(text.into_boxed_str(), Arc::clone(&p));
        Ok((p, key))
    }

    /// A policy document at `path`: a JSON object, a JSON string holding the document, or a
    /// URL-encoded JSON string (as the IAM API returns documents).
    fn parse_document(&self, v: &Value, path: &JsonPath) -> Result<Arc<Policy>, IngestError> {
        let decoded;
        let value = match v {
            Value::String(s) => {
                decoded = decode_document_string(s).map_err(|e| match e {
                    // A key repeated inside the string: named by its full path.
                    DocumentStringError::DuplicateKey { path: inner, key } => {
                        let mut full = path.0.clone();
                        full.extend(inner.0);
                        self.invalid(&JsonPath(full), format!("`{key}` is given more than once"))
                    }
                    DocumentStringError::Other(reason) => self.invalid(path, reason),
                })?;
                &decoded
            }
            other => other,
        };
        crate::parse::parse_policy_value(value)
            .map(Arc::new)
            .map_err(|errors| {
                // Make each error's path absolute within the file, so that it prints as
                // `file: $.RoleDetailList[0].AssumeRolePolicyDocument.Statement[0].Effect: ...`.
                let mut errors = errors.with_file(self.file.as_ref().clone());
                for e in &mut errors.0 {
                    let mut full = path.0.clone();
                    full.append(&mut e.path.0);
                    e.path = JsonPath(full);
                }
                IngestError::Policy {
                    file: self.file.as_ref().clone(),
                    path: path.clone(),
                    errors,
                }
            })
    }
}

/// Why a policy document given as a string could not be decoded.
#[derive(Debug)]
pub(crate) enum DocumentStringError {
    /// A key repeated in the document, at `path` within it.
    DuplicateKey { path: JsonPath, key: String },
    /// Anything else, worded for the user.
    Other(String),
}

impl From<String> for DocumentStringError {
    fn from(s: String) -> Self {
        DocumentStringError::Other(s)
    }
}

/// Decode a policy document given as a string: JSON text, or URL-encoded JSON text. A key
/// given twice in it is an error, as in every JSON iamlogic reads.
pub(crate) fn decode_document_string(s: &str) -> Result<Value, DocumentStringError> {
    let trimmed = s.trim_start();
    let text = if trimmed.starts_with('{') {
        std::borrow::Cow::Borrowed(s)
    } else if trimmed.starts_with('%') {
        std::borrow::Cow::Owned(percent_decode(s)?)
    } else {
        return Err(DocumentStringError::Other(
            "expected a policy document (an object, a JSON string or a URL-encoded JSON string)"
                .to_string(),
        ));
    };
    use crate::parse::json::{decode_unique, JsonTextError};
    decode_unique(&text).map_err(|e| match e {
        JsonTextError::DuplicateKey { path, key } => {
            DocumentStringError::DuplicateKey { path, key }
        }
        other => DocumentStringError::Other(format!("the policy document string is {other}")),
    })
}

/// RFC 3986 percent-decoding (`%7B` → `{`); `+` is kept, as IAM encodes spaces as `%20`.
fn percent_decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes.get(i) {
            Some(b'%') => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| format!("invalid URL escape at byte {i}"))?;
                out.push(hex);
                i += 3;
            }
            Some(&b) => {
                out.push(b);
                i += 1;
            }
            None => break,
        }
    }
    String::from_utf8(out).map_err(|_| "URL-decoded document is not UTF-8".to_string())
}

/// The address of `v`, which names it among the values of one decoded tree while the tree
/// lives ([`FileCtx::add_parsed`]).
fn address(v: &Value) -> usize {
    std::ptr::from_ref(v) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_encoded_documents_decode_like_the_iam_api_returns_them() {
        let v = decode_document_string("%7B%22Version%22%3A%222012-10-17%22%7D").unwrap();
        assert_eq!(v["Version"], "2012-10-17");
    }

    #[test]
    fn json_string_documents_decode() {
        let v = decode_document_string(r#"{"Statement": []}"#).unwrap();
        assert!(v["Statement"].is_array());
    }

    #[test]
    fn bad_escapes_and_non_documents_are_errors() {
        assert!(decode_document_string("%7").is_err());
        assert!(matches!(
            decode_document_string(r#"{"Statement": [], "Statement": {}}"#),
            Err(DocumentStringError::DuplicateKey { .. })
        ));
        assert!(decode_document_string("%ZZ").is_err());
        assert!(decode_document_string("hello").is_err());
    }
}
