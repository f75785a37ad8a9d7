//! `iamlogic who-can`: every principal that can perform actions on a resource, exact under
//! conditions, with the role chains that reach it (logic in `queries::who_can`).
//!
//! Exit code: 0 on an answer (even an empty one), 2 on an error.

use std::io::Write;
use std::path::PathBuf;

use queries::simulate::{parse_context_flags, AccountSimulator};
use queries::who_can::{self, Access, Analyzer, Prepared, PrincipalAnswer, WhoCanResult};

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
    let text = match args.format {
        Format::Json => result
            .principal_answers()
            .map(|p| serde_json::to_string(&p).map(|s| s + "\n"))
            .collect::<Result<String, _>>()?,
        Format::Dot => to_dot(&who_can::to_graph(&result)),
        Format::Mermaid => to_mermaid(&who_can::to_graph(&result)),
        Format::Text => text(&result, args.witnesses),
    };
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
    Ok(Exit::Ok)
}

/// Write to stdout; a closed pipe ends quietly.
pub fn write_out(text: &str) -> Result<(), Box<dyn std::error::Error>> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// A chain as `alice → role/Deploy → role/Prod-Admin`.
pub fn chain_text(p: &PrincipalAnswer, via: &[who_can::Hop]) -> String {
    let mut parts = vec![queries::graph::short_label(&p.principal)];
    for h in via
        .iter()
        .filter(|h| h.action == who_can::chains::ASSUME_ROLE)
    {
        parts.push(queries::graph::short_label(&h.to));
    }
    if parts.len() == 1 {
        "direct".to_string()
    } else {
        parts.join(" → ")
    }
}

/// Per action: the object patterns (after the resource) it was decided on.
type ActionParts = Vec<(String, Vec<String>)>;

/// Actions grouped by access level: `Read: s3:GetObject, s3:GetObjectAcl; List: ...`.
fn actions_text(p: &PrincipalAnswer, resources: &[String]) -> String {
    // Per level, per action: the object patterns it was decided on, when not the resource.
    let mut levels: Vec<(String, ActionParts)> = Vec::new();
    for a in &p.actions {
        let level = match levels.iter_mut().find(|l| l.0 == a.access_level) {
            Some(l) => l,
            None => {
                levels.push((a.access_level.clone(), Vec::new()));
                levels.last_mut().expect("just pushed")
            }
        };
        let part = resources
            .iter()
            .find_map(|r| a.resource.strip_prefix(r.as_str()))
            .and_then(|rest| rest.strip_prefix('/'))
            .map(str::to_string);
        match level.1.iter_mut().find(|x| x.0 == a.action) {
            Some(x) => x.1.extend(part),
            None => level.1.push((a.action.clone(), part.into_iter().collect())),
        }
    }
    levels
        .iter()
        .map(|(l, names)| {
            let names: Vec<String> = names
                .iter()
                .map(|(n, parts)| {
                    if parts.is_empty() {
                        n.clone()
                    } else {
                        format!("{n} ({})", parts.join(", "))
                    }
                })
                .collect();
            if names.len() > 4 {
                format!("{l}: {} actions", names.len())
            } else {
                format!("{l}: {}", names.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The table: one row per principal and distinct (decision, condition, chain), aligned.
pub fn text(r: &WhoCanResult, witnesses: bool) -> String {
    let mut rows: Vec<[String; 5]> = vec![[
        "PRINCIPAL".into(),
        "KIND".into(),
        "DECISION".into(),
        "ACTIONS".into(),
        "CONDITION / VIA".into(),
    ]];
    let mut extra: Vec<(usize, Vec<String>)> = Vec::new();
    for p in r.principal_answers() {
        // Rows per distinct (decision, conditions, chain) of its actions.
        let mut groups: Vec<(Access, Option<String>, String, Vec<usize>)> = Vec::new();
        for (i, a) in p.actions.iter().enumerate() {
            let cond = a.conditions.as_ref().map(|c| c.text.clone());
            let chain = chain_text(&p, &a.via);
            match groups
                .iter_mut()
                .find(|g| g.0 == a.decision && g.1 == cond && g.2 == chain)
            {
                Some(g) => g.3.push(i),
                None => groups.push((a.decision, cond, chain, vec![i])),
            }
        }
        for (decision, cond, chain, idx) in groups {
            let sub = PrincipalAnswer {
                actions: idx.iter().map(|&i| p.actions[i].clone()).collect(),
                ..p.clone()
            };
            let how = match (&cond, chain.as_str()) {
                (Some(c), "direct") => c.clone(),
                (Some(c), ch) => format!("{ch}; {c}"),
                (None, ch) => ch.to_string(),
            };
            rows.push([
                p.principal.clone(),
                p.kind.name().to_string(),
                decision.name().to_string(),
                actions_text(&sub, &r.resources),
                how,
            ]);
            if witnesses {
                let lines: Vec<String> = sub
                    .actions
                    .iter()
                    .filter_map(|a| a.witnesses.as_ref().map(|w| (a, w)))
                    .flat_map(|(a, w)| {
                        [&w.allowed, &w.denied].into_iter().map(move |x| {
                            format!(
                                "  {} {} {}: {}",
                                a.action,
                                x.decision.name(),
                                x.resource,
                                serde_json::to_string(&x.context).unwrap_or_default()
                            )
                        })
                    })
                    .collect();
                if !lines.is_empty() {
                    extra.push((rows.len() - 1, lines));
                }
            }
        }
    }
    let mut width = [0usize; 4];
    for row in &rows {
        for (w, c) in width.iter_mut().zip(row.iter()) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut names: Vec<&str> = r.actions.iter().map(|a| a.0.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let mut out = format!(
        "who can act on {} ({} action{}): {} principal{}\n",
        r.resources.join(", "),
        names.len(),
        if names.len() == 1 { "" } else { "s" },
        r.principals.len(),
        if r.principals.len() == 1 { "" } else { "s" },
    );
    for (i, row) in rows.iter().enumerate() {
        let mut line = String::new();
        for (j, c) in row.iter().enumerate() {
            if j < 4 {
                line.push_str(&format!("{c:<w$}  ", w = width[j]));
            } else {
                line.push_str(c);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
        for (_, lines) in extra.iter().filter(|e| e.0 == i) {
            for l in lines {
                out.push_str(l);
                out.push('\n');
            }
        }
    }
    out
}
