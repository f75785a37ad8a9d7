//! `iamlogic who-can`: every principal that can perform actions on a resource, exact under
//! conditions, with the role chains that reach it (logic in `queries::who_can`).
//!
//! Exit code: 0 on an answer (even an empty one), 2 on an error.

use std::io::Write;
use std::path::PathBuf;

use queries::simulate::{parse_context_flags, AccountSimulator};
use queries::who_can::{self, Analyzer, Prepared, WhoCanResult};

use crate::exit::{CmdResult, Exit};
use crate::progress::Ui;
use crate::render::graph::{to_dot, to_mermaid};

/// Arguments of `iamlogic who-can`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Account data: GAAD files, resources, organization (files or directories).
    #[arg(short = 'i', long = "input", value_name = "PATH", required = true)]
    inputs: Vec<PathBuf>,
    /// The resource ARN (a bucket covers its objects).
    #[arg(
        long,
        value_name = "ARN",
        required_unless_present = "resource_account",
        conflicts_with = "resource_account"
    )]
    resource: Option<String>,
    /// Every resource of this account the data knows (and `*`).
    #[arg(long, value_name = "ID")]
    resource_account: Option<String>,
    /// An action or pattern (`s3:GetObject`, `s3:Get*`); repeatable. Without it: every
    /// action that applies to the resource, by access level.
    #[arg(long = "action", value_name = "ACTION")]
    actions: Vec<String>,
    /// Fix a request key: `KEY=VALUE` or `KEY:TYPE=VALUE` (as simulate takes it).
    #[arg(long = "context", value_name = "KEY=VALUE")]
    context: Vec<String>,
    /// Treat keys that only a live request carries as absent (as simulate does), instead of
    /// answering for every value of them.
    #[arg(long)]
    strict: bool,
    /// How many roles a chain may assume (0: direct access only).
    #[arg(long, value_name = "N", default_value_t = 3)]
    max_depth: usize,
    /// Print, for each conditional answer, a request allowed and one denied.
    #[arg(long)]
    witnesses: bool,
    /// `text` (a table), `json` (one object per principal and line), `dot`, `mermaid`.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// Output formats of who-can, what-can and paths.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A table for people.
    Text,
    /// One JSON object per line.
    Json,
    /// Graphviz DOT.
    Dot,
    /// A Mermaid flowchart.
    Mermaid,
}

/// Load accounts with a spinner and print the loader's warnings.
pub fn load(inputs: &[PathBuf], ui: &Ui) -> Result<AccountSimulator, Box<dyn std::error::Error>> {
    let spinner = ui.spinner("loading accounts");
    let sim = AccountSimulator::load(inputs)?;
    spinner.finish_and_clear();
    if ui.warnings() {
        for w in sim.warnings() {
            eprintln!("{}: {w}", crate::progress::warning_label(w));
        }
    }
    Ok(sim)
}

/// Run `iamlogic who-can`.
pub fn run(args: Args, ui: &Ui) -> CmdResult {
    let context = parse_context_flags(&args.context)?;
    for a in &args.actions {
        if a != "*" && !a.contains(':') {
            return Err(
                format!("--action `{a}`: expected service:Name (wildcards allowed)").into(),
            );
        }
    }
    let sim = load(&args.inputs, ui)?;
    let prepared = Prepared::new(&sim);
    let analyzer = Analyzer::new(&prepared, &sim);
    let q = who_can::Query {
        resource: args.resource.clone(),
        resource_account: args.resource_account.clone(),
        actions: args.actions.clone(),
        context,
        strict: args.strict,
        max_depth: args.max_depth,
    };
    let bar = ui.bar(0, "deciding");
    let result = who_can::who_can(&analyzer, &prepared, &q, &|done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })?;
    bar.finish_and_clear();
    let text = render(&result, args.format, args.witnesses)?;
    write_out(&text)?;
    if ui.warnings() {
        for p in &result.principals {
            for &k in &result.classes[p.class] {
                let a = &result.answers[k as usize].answer;
                for n in &a.notes {
                    eprintln!("warning: {} {}: {n}", p.principal, a.action);
                }
            }
        }
    }
    // The loaded accounts, the analyzer and the answer are freed with the process.
    crate::exit::release_at_exit(analyzer);
    crate::exit::release_at_exit((prepared, sim, result, text));
    Ok(Exit::Ok)
}

/// `r` as the command prints it in `format` (text: [`who_can::text::text`]; JSON: one
/// object per principal and line).
pub fn render(
    r: &WhoCanResult,
    format: Format,
    witnesses: bool,
) -> Result<String, Box<dyn std::error::Error>> {
    Ok(match format {
        Format::Json => {
            let mut out = Vec::new();
            for p in r.principal_answers() {
                serde_json::to_writer(&mut out, &p)?;
                out.push(b'\n');
            }
            String::from_utf8(out)?
        }
        Format::Dot => to_dot(&who_can::to_graph(r)),
        Format::Mermaid => to_mermaid(&who_can::to_graph(r)),
        Format::Text => who_can::text::text(r, witnesses),
    })
}

/// Write to stdout; a closed pipe ends quietly.
pub fn write_out(text: &str) -> Result<(), Box<dyn std::error::Error>> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}
