//! Walking the `-i PATH` inputs and dispatching each file to its reader by content.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::builder::Builder;
use super::error::IngestError;
use super::model::{Model, WarningKind};
use super::read::FileCtx;
use super::resources::RawOutput;
use super::s3_read::S3Output;
use super::{
    compute, credential_report, gaad, organization, resources, roots, s3_read, vpc_endpoints,
};
use crate::error::JsonPath;

/// How deep a directory tree is walked (a guard against symlink loops).
const MAX_DEPTH: usize = 32;

/// Load every input into one model. Each path is a file, or a directory read recursively
/// (its `.json` and `.csv` files, in name order; `.md`, `.txt`, `.jsonl` and hidden files are
/// skipped, any other file, and any entry that is not a regular file such as a FIFO, is
/// skipped with a warning).
/// A file's format is detected from its content, as `docs/inputs.md` describes.
pub fn load(paths: &[PathBuf]) -> Result<Model, IngestError> {
    let mut b = Builder::default();
    for p in paths {
        load_path(p, &mut b, 0, true)?;
    }
    b.finish()
}

fn load_path(
    path: &Path,
    b: &mut Builder,
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
        for e in entries {
            load_path(&e, b, depth + 1, false)?;
        }
        return Ok(());
    }
    // Inside a directory only regular files are read: a FIFO (or socket, device) would
    // block the read forever. A path given explicitly is read as given (`-i <(cmd)`).
    if !explicit && !meta.is_file() {
        let ctx = FileCtx::new(path.to_path_buf());
        b.model
            .warnings
            .push(ctx.warning(&JsonPath::default(), WarningKind::NotRegularFile));
        return Ok(());
    }
    let wanted = matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("json") | Some("csv") | Some("JSON") | Some("CSV")
    );
    if !explicit && !wanted {
        if is_documentation(path) {
            return Ok(());
        }
        let ctx = FileCtx::new(path.to_path_buf());
        b.model
            .warnings
            .push(ctx.warning(&JsonPath::default(), WarningKind::SkippedFile));
        return Ok(());
    }
    let text = std::fs::read_to_string(path).map_err(|e| io_error(path, &e))?;
    load_text(FileCtx::new(path.to_path_buf()), &text, b)
}

/// Notes beside the data (`README.md`, `SOURCE.txt`, `.gitignore`) and JSON Lines request
/// or scenario files of `simulate`: not account data, so skipping them drops nothing the
/// user gave as data.
fn is_documentation(path: &Path) -> bool {
    let hidden = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.'));
    let doc_ext = matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("md") | Some("txt") | Some("jsonl")
    );
    hidden || doc_ext
}

fn io_error(path: &Path, e: &std::io::Error) -> IngestError {
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

/// Detect the format of one file's text and read it.
fn load_text(ctx: FileCtx, text: &str, b: &mut Builder) -> Result<(), IngestError> {
    let body = text.trim_start_matches('\u{feff}');
    if credential_report::looks_like_report(body) {
        return credential_report::ingest(&ctx, body, b);
    }
    let value: Value = serde_json::from_str(body).map_err(|e| IngestError::Json {
        file: ctx.file.as_ref().clone(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    match &value {
        Value::Array(items) => resources::ingest_list(&ctx, items, b),
        Value::Object(o) => {
            if gaad::GAAD_KEYS.iter().any(|k| o.contains_key(*k)) {
                gaad::ingest(&ctx, o, b)
            } else if o.contains_key(organization::MARKER) {
                organization::ingest(&ctx, o, b)
            } else if o.contains_key(roots::MARKER) {
                roots::ingest(&ctx, o, b)
            } else if o.contains_key(vpc_endpoints::MARKER) {
                vpc_endpoints::ingest_described(&ctx, o, b)
            } else if o.contains_key("resourceArn") && o.contains_key("output") {
                resources::ingest_wrapper(&ctx, o, b)
            } else if let Some(kind) = compute::RawCompute::detect(o) {
                compute::ingest(&ctx, o, kind, b)
            } else if let Some(kind) = S3Output::detect(o) {
                s3_read::ingest_file(&ctx, o, kind, b)
            } else if let Some(kind) = RawOutput::detect(o) {
                resources::ingest_raw(&ctx, o, &JsonPath::default(), kind, None, b)
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
                        "an object with members [{}] is none of GAAD, organization.json, list-roots or describe-vpc-endpoints output, or a resource-policy output (see docs/inputs.md)",
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
