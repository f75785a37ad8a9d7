//! Walking the `-i PATH` inputs and dispatching each file to its reader by content.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::builder::Builder;
use super::doc_texts::{DocTexts, NewDoc};
use super::error::IngestError;
use super::iam_account::IamAccountOutput;
use super::model::{Model, WarningKind};
use super::read::{Ahead, FileCtx};
use super::resources::RawOutput;
use super::s3_read::S3Output;
use super::{
    compute, credential_report, gaad, gaad_page, iam_account, organization, resources, roots,
    s3_read, vpc_endpoints,
};
use crate::error::JsonPath;
use crate::parse::json::JsonTextError;

/// How deep a directory tree is walked (a guard against symlink loops).
const MAX_DEPTH: usize = 32;

/// Load every input into one model. Each path is a file, or a directory read recursively
/// (its `.json` and `.csv` files, in name order, extensions in any case; hidden entries
/// (files and directories whose name starts with `.`) and `.md`, `.txt`, `.jsonl` files are
/// skipped, any other file, and any entry that is not a regular file such as a FIFO, is
/// skipped with a warning). A path given explicitly is always read. The same rule picks the
/// files of a directory given to `validate`: [`is_hidden`], [`has_extension`].
/// A file's format is detected from its content, as `docs/inputs.md` describes.
///
/// The files are read and decoded as JSON on a second thread, a few files ahead of the one
/// being ingested (ingest itself, which merges into one model, stays on the calling thread
/// and in file order), so on a machine with two cores decoding and ingest overlap; the
/// decoded documents are dropped on that thread too. Errors and warnings are the ones, in
/// the order, that reading the files one after the other gives.
pub fn load(paths: &[PathBuf]) -> Result<Model, IngestError> {
    let mut plan = Vec::new();
    for p in paths {
        if let Err(e) = plan_path(p, &mut plan, 0, true) {
            plan.push(Step::Fail(e));
            break;
        }
    }
    let files: Vec<PathBuf> = plan
        .iter()
        .filter_map(|s| match s {
            Step::Read(p) => Some(p.clone()),
            _ => None,
        })
        .collect();
    std::thread::scope(|scope| {
        let (ready, decoded) = std::sync::mpsc::sync_channel(READ_AHEAD);
        let (done, to_drop) = std::sync::mpsc::channel::<Prepared>();
        scope.spawn(move || {
            let mut texts = DocTexts::default();
            // One buffer for every file's bytes: a fresh one per file would be fresh pages
            // from the kernel each time (the files of an organization are about 1 MB each).
            let mut buf = Vec::new();
            for f in &files {
                // Drop what the ingest thread has finished with before decoding more.
                to_drop.try_iter().for_each(drop);
                if ready.send(prepare(f, &mut texts, &mut buf)).is_err() {
                    return;
                }
            }
            to_drop.iter().for_each(drop);
        });
        let mut b = Builder::default();
        for step in plan {
            match step {
                Step::Warn(path, kind) => {
                    let ctx = FileCtx::new(path);
                    b.model
                        .warnings
                        .push(ctx.warning(&JsonPath::default(), kind));
                }
                Step::Fail(e) => return Err(e),
                Step::Read(path) => {
                    let mut prepared = decoded.recv().map_err(|_| IngestError::Io {
                        file: path.clone(),
                        message: "the reading thread stopped".to_string(),
                    })??;
                    let ctx = FileCtx::sharing(path, std::rc::Rc::clone(&b.documents));
                    match &mut prepared {
                        Prepared::Gaad { new_docs, .. } => {
                            ctx.add_numbered(std::mem::take(new_docs))
                        }
                        Prepared::Json(value, parsed) => {
                            for (doc, ahead) in resource_policies(value).zip(parsed.drain(..)) {
                                ctx.add_parsed(doc, ahead);
                            }
                        }
                        Prepared::Report(_) => {}
                    }
                    let pending = ctx.pending_warnings();
                    let loaded = ingest(&ctx, &prepared, &mut b);
                    b.model.warnings.extend(pending.take());
                    loaded?;
                    // A failed send means the reading thread is gone: drop it here.
                    let _ = done.send(prepared);
                }
            }
        }
        drop(done);
        b.finish()
    })
}

/// How many decoded files may wait for ingest (bounds the memory held by decoded JSON).
const READ_AHEAD: usize = 2;

/// What loading does, in order, once the inputs are walked.
enum Step {
    /// Read this file.
    Read(PathBuf),
    /// Warn about this entry (skipped file, not a regular file).
    Warn(PathBuf, WarningKind),
    /// Stop with this error (walking the inputs failed here).
    Fail(IngestError),
}

/// Walk `path` (a file, or a directory read recursively) into `plan`.
fn plan_path(
    path: &Path,
    plan: &mut Vec<Step>,
    depth: usize,
    explicit: bool,
) -> Result<(), IngestError> {
    let meta = std::fs::metadata(path).map_err(|e| io_error(path, &e))?;
    if meta.is_dir() {
        if depth >= MAX_DEPTH {
            return Err(IngestError::Io {
                file: path.to_path_buf(),
                message: format!("directory nesting deeper than {MAX_DEPTH} levels"),
            });
        }
        let mut entries = Vec::new();
        for entry in std::fs::read_dir(path).map_err(|e| io_error(path, &e))? {
            entries.push(entry.map_err(|e| io_error(path, &e))?.path());
        }
        entries.sort();
        for e in entries.iter().filter(|e| !is_hidden(e)) {
            plan_path(e, plan, depth + 1, false)?;
        }
        return Ok(());
    }
    // Inside a directory only regular files are read: a FIFO (or socket, device) would
    // block the read forever. A path given explicitly is read as given (`-i <(cmd)`).
    if !explicit && !meta.is_file() {
        plan.push(Step::Warn(path.to_path_buf(), WarningKind::NotRegularFile));
        return Ok(());
    }
    let wanted = has_extension(path, &["json", "csv"]);
    if !explicit && !wanted {
        if !is_documentation(path) {
            plan.push(Step::Warn(path.to_path_buf(), WarningKind::SkippedFile));
        }
        return Ok(());
    }
    plan.push(Step::Read(path.to_path_buf()));
    Ok(())
}

/// A file read and decoded, ready for its reader.
enum Prepared {
    /// A credential report: its text (without a byte-order mark).
    Report(String),
    /// A GAAD page in exactly the shape [`gaad_page::Page`] reads, with the document texts
    /// met for the first time in this load, parsed.
    Gaad {
        page: Box<gaad_page::Page>,
        new_docs: Vec<NewDoc>,
    },
    /// Any other input: its JSON value, with the policy documents of a `resources.json`
    /// list parsed ahead (see [`resource_policies`]), each with its text.
    Json(Value, Vec<Ahead>),
}

/// The `policy` member of each entry of a `resources.json` list (an array of objects; VPC
/// endpoint entries are read by their own reader), in order; nothing for any other value.
/// The reading thread parses them ahead ([`FileCtx::parse_ahead`]); the ingesting thread
/// finds them parsed ([`FileCtx::add_parsed`]).
fn resource_policies(value: &Value) -> impl Iterator<Item = &Value> {
    let items = match value {
        Value::Array(items) => items.as_slice(),
        _ => &[],
    };
    items.iter().filter_map(|v| {
        let o = v.as_object()?;
        if vpc_endpoints::is_entry(o) {
            return None;
        }
        o.get("policy").filter(|p| !p.is_null())
    })
}

/// Read `path` (into `buf`, whose bytes are replaced) and decode it: a credential report
/// stays text, a GAAD page in the shape [`gaad_page`] reads is decoded into it (its
/// documents numbered in `texts`), anything else is decoded by the one strict JSON reader
/// (a key given twice anywhere is an error, never last-wins).
fn prepare(path: &Path, texts: &mut DocTexts, buf: &mut Vec<u8>) -> Result<Prepared, IngestError> {
    buf.clear();
    std::fs::File::open(path)
        .and_then(|mut f| f.read_to_end(buf))
        .map_err(|e| io_error(path, &e))?;
    let text = std::str::from_utf8(buf).map_err(|e| IngestError::NotUtf8 {
        file: path.to_path_buf(),
        offset: e.valid_up_to(),
    })?;
    let body = text.trim_start_matches('\u{feff}');
    if credential_report::looks_like_report(body) {
        return Ok(Prepared::Report(body.to_string()));
    }
    if let Some((page, new_docs)) = gaad_page::decode(body, texts) {
        return Ok(Prepared::Gaad {
            page: Box::new(page),
            new_docs,
        });
    }
    crate::parse::json::decode_unique(body)
        .map(|value| {
            let ctx = FileCtx::new(path.to_path_buf());
            let parsed = resource_policies(&value)
                .map(|doc| ctx.parse_ahead(doc))
                .collect();
            Prepared::Json(value, parsed)
        })
        .map_err(|e| match e {
            JsonTextError::Syntax {
                line,
                column,
                message,
            } => IngestError::Json {
                file: path.to_path_buf(),
                line,
                column,
                message,
            },
            JsonTextError::DuplicateKey { path: at, key } => IngestError::Invalid {
                file: path.to_path_buf(),
                path: at,
                reason: format!("`{key}` is given more than once"),
            },
        })
}

/// A file's bytes as text; text that is not UTF-8 is an error naming the byte offset.
fn utf8_text(path: &Path, bytes: Vec<u8>) -> Result<String, IngestError> {
    String::from_utf8(bytes).map_err(|e| IngestError::NotUtf8 {
        file: path.to_path_buf(),
        offset: e.utf8_error().valid_up_to(),
    })
}

/// Whether a directory entry is hidden (its name starts with `.`): skipped in directory
/// walks, by the loader and by `validate`, with everything under it.
pub fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.'))
}

/// Whether `path`'s extension is one of `exts` (lower case), in any case (`.JSON`).
pub fn has_extension(path: &Path, exts: &[&str]) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| exts.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// Notes beside the data (`README.md`, `SOURCE.txt`, `.gitignore`) and JSON Lines request
/// or scenario files of `simulate`: not account data, so skipping them drops nothing the
/// user gave as data.
fn is_documentation(path: &Path) -> bool {
    has_extension(path, &["md", "txt", "jsonl"])
}

/// Read a file given by the user as UTF-8 text, with the errors every command words the
/// same way: `FILE: no such file or directory`, `FILE: cannot read: ...`,
/// `FILE: not UTF-8 text (invalid byte at offset N)`.
pub fn read_text(path: &Path) -> Result<String, IngestError> {
    let bytes = std::fs::read(path).map_err(|e| io_error(path, &e))?;
    utf8_text(path, bytes)
}

/// The error for an I/O failure on `path`, worded as everywhere else: a missing file is
/// `FILE: no such file or directory`, any other failure `FILE: cannot read: REASON`.
pub fn io_error(path: &Path, e: &std::io::Error) -> IngestError {
    if e.kind() == std::io::ErrorKind::NotFound {
        IngestError::NotFound {
            file: path.to_path_buf(),
        }
    } else {
        IngestError::Io {
            file: path.to_path_buf(),
            message: e.to_string(),
        }
    }
}

/// Hand one decoded file to the reader of its format.
fn ingest(ctx: &FileCtx, prepared: &Prepared, b: &mut Builder) -> Result<(), IngestError> {
    let value = match prepared {
        Prepared::Report(text) => return credential_report::ingest(ctx, text, b),
        Prepared::Gaad { page, .. } => return gaad_page::ingest(ctx, page, b),
        Prepared::Json(value, _) => value,
    };
    match value {
        Value::Array(items) => resources::ingest_list(ctx, items, b),
        Value::Object(o) => {
            if gaad::GAAD_KEYS.iter().any(|k| o.contains_key(*k)) {
                gaad::ingest(ctx, o, b)
            } else if o.contains_key(organization::MARKER) {
                organization::ingest(ctx, o, b)
            } else if o.contains_key(roots::MARKER) {
                roots::ingest(ctx, o, b)
            } else if o.contains_key(vpc_endpoints::MARKER) {
                vpc_endpoints::ingest_described(ctx, o, b)
            } else if o.contains_key("resourceArn") && o.contains_key("output") {
                resources::ingest_wrapper(ctx, o, b)
            } else if let Some(kind) = compute::RawCompute::detect(o) {
                compute::ingest(ctx, o, kind, b)
            } else if let Some(kind) = IamAccountOutput::detect(o) {
                iam_account::ingest_file(ctx, o, kind, b)
            } else if let Some(kind) = S3Output::detect(o) {
                s3_read::ingest_file(ctx, o, kind, b)
            } else if let Some(kind) = RawOutput::detect(o) {
                resources::ingest_raw(ctx, o, &JsonPath::default(), kind, None, b)
            } else if o.contains_key("Statement") {
                Err(IngestError::UnknownFormat {
                    file: ctx.file.as_ref().clone(),
                    reason: "a bare policy document does not say whose policy it is: give it in resources.json, wrap it as {\"resourceArn\", \"output\": {\"Policy\": ...}}, or pass it to a command that takes policy files".to_string(),
                })
            } else {
                let keys: Vec<&str> = o.keys().map(String::as_str).take(6).collect();
                Err(IngestError::UnknownFormat {
                    file: ctx.file.as_ref().clone(),
                    reason: format!(
                        "an object with members [{}] is none of GAAD, organization.json, list-roots, describe-vpc-endpoints, get-account-password-policy or get-account-summary output, or a resource-policy output (see docs/inputs.md)",
                        keys.join(", ")
                    ),
                })
            }
        }
        other => Err(IngestError::UnknownFormat {
            file: ctx.file.as_ref().clone(),
            reason: format!(
                "expected a JSON object or array, found {}",
                super::read::type_name(other)
            ),
        }),
    }
}
