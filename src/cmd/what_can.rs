//! `iamlogic what-can`: a principal's effective permissions (logic in `queries::what_can`).
//!
//! Exit code: 0 on an answer, 2 on an error.

use std::path::PathBuf;

use queries::simulate::parse_context_flags;
use queries::what_can::{self, WhatCanResult};
use queries::who_can::{Access, Analyzer, Prepared};

use super::who_can::{load, write_out, Format};
use crate::exit::{CmdResult, Exit};
use crate::progress::Ui;
use crate::render::graph::{to_dot, to_mermaid};

/// Arguments of `iamlogic what-can`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Account data: GAAD files, resources, organization (files or directories).
    #[arg(short = 'i', long = "input", value_name = "PATH", required = true)]
    inputs: Vec<PathBuf>,
    /// The principal: a user, role or account root ARN of the data.
    #[arg(long, value_name = "ARN")]
    principal: String,
    /// Only actions of this service (`s3`).
    #[arg(long, value_name = "PREFIX")]
    service: Option<String>,
    /// Only this resource (every action that applies to it).
    #[arg(long, value_name = "ARN")]
    resource: Option<String>,
    /// Also what it reaches through the roles it can assume.
    #[arg(long)]
    include_chains: bool,
    /// How many roles a chain may assume with --include-chains.
    #[arg(long, value_name = "N", default_value_t = 3)]
    max_depth: usize,
    /// Fix a request key: `KEY=VALUE` or `KEY:TYPE=VALUE`.
    #[arg(long = "context", value_name = "KEY=VALUE")]
    context: Vec<String>,
    /// Treat keys that only a live request carries as absent.
    #[arg(long)]
    strict: bool,
    /// `text`, `json` (one object per action and resource, per line), `dot`, `mermaid`.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// Run `iamlogic what-can`.
pub fn run(args: Args, ui: &Ui) -> CmdResult {
    let context = parse_context_flags(&args.context)?;
    let sim = load(&args.inputs, ui)?;
    let prepared = Prepared::new(&sim);
    let analyzer = Analyzer::new(&prepared, &sim);
    let spinner = ui.spinner("deciding");
    let r = what_can::what_can(
        &analyzer,
        &what_can::Query {
            principal: args.principal.clone(),
            service: args.service.clone(),
            resource: args.resource.clone(),
            context,
            strict: args.strict,
            chain_depth: if args.include_chains {
                args.max_depth
            } else {
                0
            },
        },
    )?;
    spinner.finish_and_clear();
    let out = match args.format {
        Format::Json => r
            .actions
            .iter()
            .map(|a| serde_json::to_string(a).map(|s| s + "\n"))
            .collect::<Result<String, _>>()?,
        Format::Text => text(&r),
        Format::Dot => to_dot(&graph(&r)),
        Format::Mermaid => to_mermaid(&graph(&r)),
    };
    write_out(&out)?;
    Ok(Exit::Ok)
}

fn graph(r: &WhatCanResult) -> queries::graph::Graph {
    use queries::graph::{short_label, EdgeKind, Graph, NodeKind};
    let mut g = Graph::new();
    g.node(
        &r.principal,
        NodeKind::Principal,
        &short_label(&r.principal),
    );
    for a in &r.actions {
        for h in &a.via {
            if h.action == queries::who_can::chains::ASSUME_ROLE {
                g.node(&h.to, NodeKind::Role, &short_label(&h.to));
                g.edge(
                    &h.from,
                    &h.to,
                    EdgeKind::Assumes,
                    "",
                    h.decision == Access::Conditional,
                );
            } else {
                g.node(&h.to, NodeKind::Resource, &short_label(&h.to));
                g.edge(&h.from, &h.to, EdgeKind::CanAccess, "", false);
            }
        }
    }
    g
}

/// Grouped by service, then access level: one line per action with its resources.
fn text(r: &WhatCanResult) -> String {
    let mut out = format!(
        "what {} can do: {} action-resource pairs\n",
        r.principal,
        r.actions.len()
    );
    let mut service = String::new();
    let mut level = String::new();
    for a in &r.actions {
        let svc = a.action.split(':').next().unwrap_or("").to_string();
        if svc != service {
            out.push_str(&format!("{svc}\n"));
            service = svc;
            level.clear();
        }
        if a.access_level != level {
            out.push_str(&format!("  {}\n", a.access_level));
            level = a.access_level.clone();
        }
        let mut line = format!("    {} on {}", a.action, a.resource);
        if a.decision == Access::Conditional {
            let c = a.conditions.as_ref().map(|c| c.text.as_str()).unwrap_or("");
            line.push_str(&format!(" [conditional: {c}]"));
        }
        let roles: Vec<String> = a
            .via
            .iter()
            .filter(|h| h.action == queries::who_can::chains::ASSUME_ROLE)
            .map(|h| queries::graph::short_label(&h.to))
            .collect();
        if !roles.is_empty() {
            line.push_str(&format!(" via {}", roles.join(" → ")));
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}
