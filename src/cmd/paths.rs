//! `iamlogic paths`: assume-role chains between two principals (logic in `queries::paths`).
//!
//! Exit code: 0 when a path exists, 1 when none does, 2 on an error.

use std::path::PathBuf;

use queries::paths::{self, PathsResult};
use queries::simulate::parse_context_flags;
use queries::who_can::{Access, Analyzer, Prepared};

use super::who_can::{load, write_out, Format};
use crate::exit::{CmdResult, Exit};
use crate::progress::Ui;
use crate::render::graph::{to_dot, to_mermaid};

/// Arguments of `iamlogic paths`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Account data: GAAD files, resources, organization (files or directories).
    #[arg(short = 'i', long = "input", value_name = "PATH", required = true)]
    inputs: Vec<PathBuf>,
    /// The starting principal (a user or role ARN of the data).
    #[arg(long, value_name = "ARN")]
    from: String,
    /// The role to reach.
    #[arg(long, value_name = "ARN")]
    to: String,
    /// Every simple path up to --max-depth hops, not only the shortest.
    #[arg(long)]
    all: bool,
    /// The most hops a path may have.
    #[arg(long, value_name = "N", default_value_t = 6)]
    max_depth: usize,
    /// Fix a request key: `KEY=VALUE` or `KEY:TYPE=VALUE`.
    #[arg(long = "context", value_name = "KEY=VALUE")]
    context: Vec<String>,
    /// Treat keys that only a live request carries as absent.
    #[arg(long)]
    strict: bool,
    /// `text`, `json` (one object per path and line), `dot`, `mermaid`.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// Run `iamlogic paths`.
pub fn run(args: Args, ui: &Ui) -> CmdResult {
    let context = parse_context_flags(&args.context)?;
    let sim = load(&args.inputs, ui)?;
    let prepared = Prepared::new(&sim);
    let analyzer = Analyzer::new(&prepared, &sim);
    let spinner = ui.spinner("deciding");
    let r = paths::paths(
        &analyzer,
        &paths::Query {
            from: args.from.clone(),
            to: args.to.clone(),
            all: args.all,
            max_depth: args.max_depth,
            context,
            strict: args.strict,
        },
    )?;
    spinner.finish_and_clear();
    let out = match args.format {
        Format::Json => r
            .paths
            .iter()
            .map(|p| serde_json::to_string(p).map(|s| s + "\n"))
            .collect::<Result<String, _>>()?,
        Format::Text => text(&r),
        Format::Dot => to_dot(&paths::to_graph(&r)),
        Format::Mermaid => to_mermaid(&paths::to_graph(&r)),
    };
    write_out(&out)?;
    Ok(if r.paths.is_empty() {
        Exit::Negative
    } else {
        Exit::Ok
    })
}

fn text(r: &PathsResult) -> String {
    use queries::graph::short_label;
    if r.paths.is_empty() {
        return format!("no path from {} to {}\n", r.from, r.to);
    }
    let mut out = String::new();
    for p in &r.paths {
        let mut chain = vec![short_label(&r.from)];
        chain.extend(p.hops.iter().map(|h| short_label(&h.to)));
        out.push_str(&format!("{} ({})\n", chain.join(" → "), p.decision.name()));
        for h in &p.hops {
            let by: Vec<String> = h
                .reason
                .allowed_by
                .iter()
                .map(|s| match &s.sid {
                    Some(sid) => format!("{} ({sid})", s.policy),
                    None => format!("{} Statement[{}]", s.policy, s.statement),
                })
                .collect();
            out.push_str(&format!(
                "  {} → {}: {}",
                short_label(&h.from),
                short_label(&h.to),
                by.join(", ")
            ));
            if h.decision == Access::Conditional {
                if let Some(c) = &h.conditions {
                    out.push_str(&format!(" [conditional: {}]", c.text));
                }
            }
            out.push('\n');
        }
    }
    out
}
