//! `iamlogic validate POLICY.json...`: findings about policy documents (logic in
//! `queries::validate`; this module reads the files and prints).

use std::io::Write;
use std::path::{Path, PathBuf};

use queries::validate::{validate_bytes, Finding, PolicyKind, Severity};

use crate::exit::{CmdResult, Exit};
use crate::progress::Ui;

/// From this many files on, a progress bar is shown (on a terminal, without `--quiet`).
const PROGRESS_MIN_FILES: usize = 20;

/// Arguments of `iamlogic validate`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Policy documents (JSON) to check; a directory stands for every `*.json` file under
    /// it, recursively, in name order.
    #[arg(required = true, value_name = "POLICY.json")]
    files: Vec<PathBuf>,
    /// What the documents are used as: decides the size quota and whether `Principal` is
    /// required or forbidden.
    #[arg(long, default_value = "managed", value_parser = kind_parser())]
    kind: PolicyKind,
    /// `text` for people (`file:path: severity code: message`), `json` for tools (an array
    /// of findings, each with its file).
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// `--kind` takes the names `queries` gives its policy kinds, so the two lists cannot drift.
fn kind_parser() -> impl clap::builder::TypedValueParser<Value = PolicyKind> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(PolicyKind::ALL.map(|(_, name)| name)).map(|name| {
        PolicyKind::ALL
            .iter()
            .find(|(_, n)| *n == name)
            .map_or(PolicyKind::Managed, |(kind, _)| *kind)
    })
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum Format {
    Text,
    Json,
}

/// A finding with the file it is about, as printed in JSON.
#[derive(serde::Serialize)]
struct FileFinding<'a> {
    file: String,
    #[serde(flatten)]
    finding: &'a Finding,
}

/// Run `iamlogic validate`.
pub fn run(args: Args, ui: &Ui) -> CmdResult {
    // Read everything first: a missing file stops the run before any output (exit 2).
    let mut files = Vec::with_capacity(args.files.len());
    for path in &args.files {
        let before = files.len();
        collect(path, &mut files)?;
        // A directory without a policy file would pass a CI gate having checked nothing.
        if files.len() == before {
            return Err(format!(
                "{}: no policy files (`*.json`, hidden entries skipped) in this directory",
                path.display()
            )
            .into());
        }
    }
    let mut docs = Vec::with_capacity(files.len());
    for path in &files {
        let text = std::fs::read(path).map_err(|e| facts::account::io_error(path, &e))?;
        docs.push((path, text));
    }
    let kind = args.kind;
    // A bar only when there are enough files for it to be worth seeing.
    let bar = if docs.len() >= PROGRESS_MIN_FILES {
        ui.bar(docs.len() as u64, "validating")
    } else {
        indicatif::ProgressBar::hidden()
    };
    let mut results = Vec::with_capacity(docs.len());
    for (path, text) in &docs {
        results.push((path.display().to_string(), validate_bytes(text, kind)));
        bar.inc(1);
    }
    bar.finish_and_clear();

    // A reader that stops early (`validate ... | head`) is not an error: stop writing and
    // finish quietly with the same exit code.
    match print(&results, args.format) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => return Err(e.into()),
        _ => {}
    }

    let count = |s: Severity| {
        results
            .iter()
            .flat_map(|(_, f)| f.iter())
            .filter(|f| f.severity == s)
            .count()
    };
    let errors = count(Severity::Error);
    if ui.chatty() {
        eprintln!(
            "{} file(s): {errors} error(s), {} security warning(s), {} warning(s), {} suggestion(s)",
            results.len(),
            count(Severity::SecurityWarning),
            count(Severity::Warning),
            count(Severity::Suggestion)
        );
    }
    Ok(if errors > 0 { Exit::Negative } else { Exit::Ok })
}

/// Print the findings on stdout in the chosen format.
fn print(results: &[(String, Vec<Finding>)], format: Format) -> std::io::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match format {
        Format::Text => {
            for (file, findings) in results {
                for f in findings {
                    writeln!(
                        out,
                        "{file}: {}: {} {}: {}",
                        f.path, f.severity, f.code, f.message
                    )?;
                }
            }
        }
        Format::Json => {
            let all: Vec<FileFinding<'_>> = results
                .iter()
                .flat_map(|(file, findings)| {
                    findings.iter().map(move |finding| FileFinding {
                        file: file.clone(),
                        finding,
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &all)?;
            writeln!(out)?;
        }
    }
    out.flush()
}

/// `path` itself, or for a directory every `*.json` file under it (sorted, recursive;
/// hidden entries skipped, `.JSON` read).
fn collect(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    if !path.is_dir() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let io = |e: std::io::Error| facts::account::io_error(path, &e).to_string();
    let entries = std::fs::read_dir(path).map_err(io)?;
    let mut children = Vec::new();
    for entry in entries {
        let entry = entry.map_err(io)?;
        children.push(entry.path());
    }
    children.sort();
    // The rule of `-i` directories (docs/inputs.md): hidden entries are skipped, with
    // everything under them; extensions match in any case.
    for child in children.iter().filter(|c| !facts::account::is_hidden(c)) {
        if child.is_dir() {
            collect(child, out)?;
        } else if facts::account::has_extension(child, &["json"]) {
            out.push(child.clone());
        }
    }
    Ok(())
}
