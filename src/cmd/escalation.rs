//! `iamlogic escalation`: every principal that can become an administrator (or reach a
//! target principal), with the shortest path and each step's technique, permissions and
//! allowing statements (logic in `queries::escalation`; this module parses flags and
//! renders text, JSON, DOT and Mermaid).
//!
//! Exit code: 0 when no principal can escalate, 1 when some can, 2 on an error.

use std::io::Write;
use std::path::PathBuf;

use queries::escalation::{escalation, Escalation, EscalationReport, Options, Status, Step};
use queries::simulate::AccountSimulator;

use crate::exit::{CmdResult, Exit};
use crate::progress::Ui;

/// Arguments of `iamlogic escalation`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Account data: GAAD files, resources, organization, compute listings (files or
    /// directories; see docs/inputs.md).
    #[arg(short = 'i', long = "input", value_name = "PATH", required = true)]
    inputs: Vec<PathBuf>,
    /// Only paths starting at this user or role (repeatable).
    #[arg(long, value_name = "ARN")]
    from: Vec<String>,
    /// `admin` (default) or the ARN of a user or role to reach.
    #[arg(long, value_name = "ARN|admin", default_value = "admin")]
    to: String,
    /// Every simple path up to `--max-depth` steps, not only the shortest (at most 1,000
    /// per principal).
    #[arg(long)]
    all: bool,
    /// The most steps a path of `--all` may have.
    #[arg(long, value_name = "N", default_value_t = 4, requires = "all")]
    max_depth: usize,
    /// `text`, `json`, `dot` (Graphviz) or `mermaid`.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Text,
    Json,
    Dot,
    Mermaid,
}

/// The mimalloc option that says how long freed memory stays committed before it is
/// returned to the operating system (milliseconds; `-1`: never, while the process runs).
const PURGE_DELAY: &str = "MIMALLOC_PURGE_DELAY";

/// Run the command again in a child process whose allocator keeps freed memory until the
/// process ends, and give back its exit code; `None` when the variable is already set (this
/// is the child, or the user chose a value) or the child cannot be started (the command then
/// runs in this process, as before).
///
/// Why: escalation frees large structures between its phases (the phase-1 plan, the
/// copies of the model) and allocates as much again in the next phase; mimalloc returns
/// memory left free for a second to the kernel (`MADV_DONTNEED`), so the next phase takes
/// a fresh, zeroed page per 4 KiB again. On the 100 x 500 organization that was about half
/// the page faults (523,000-653,000 against 270,000-281,000) and, in two alternated pairs of
/// runs of one binary at load 7, 1.1-1.4 s of its 12.9 s of CPU (docs/escalation.md,
/// "Performance"); the peak grows by about 100 MiB (1.0 to 1.1 GiB).
/// mimalloc reads its options from the environment when the process starts, and setting
/// them from Rust needs `unsafe` code, which the workspace forbids: hence the child process.
fn in_child_keeping_memory() -> Option<Exit> {
    if std::env::var_os(PURGE_DELAY).is_some() {
        return None;
    }
    let exe = std::env::current_exe().ok()?;
    let status = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env(PURGE_DELAY, "-1")
        .status()
        .ok()?;
    Some(match status.code() {
        Some(0) => Exit::Ok,
        Some(1) => Exit::Negative,
        Some(3) => Exit::Unknown,
        // 2, or killed by a signal: the child printed its error, if any.
        _ => Exit::Error,
    })
}

/// Run `iamlogic escalation`.
pub fn run(args: Args, ui: &Ui) -> CmdResult {
    if let Some(code) = in_child_keeping_memory() {
        return Ok(code);
    }
    let spinner = ui.spinner("loading accounts");
    let sim = AccountSimulator::load(&args.inputs)?;
    spinner.finish_and_clear();
    if ui.warnings() {
        for w in sim.warnings() {
            eprintln!("{}: {w}", crate::progress::warning_label(w));
        }
    }
    let opts = Options {
        from: args.from.clone(),
        to: (args.to != "admin").then(|| args.to.clone()),
        all: args.all,
        max_depth: args.max_depth,
        ..Options::default()
    };
    let phases = queries::escalation::PHASES;
    let bar = ui.bar(phases.len() as u64, "escalation");
    let report = escalation(&sim, &opts, &mut |i| {
        bar.set_position(i as u64);
        bar.set_message(phases.get(i).copied().unwrap_or("").to_string());
    })?;
    bar.finish_and_clear();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = match args.format {
        Format::Json => serde_json::to_writer_pretty(&mut out, &report)
            .map_err(std::io::Error::other)
            .and_then(|_| writeln!(out)),
        Format::Text => write_text(&mut out, &report),
        Format::Dot => out.write_all(
            crate::render::graph::to_dot(&queries::escalation::to_graph(&report)).as_bytes(),
        ),
        Format::Mermaid => out.write_all(
            crate::render::graph::to_mermaid(&queries::escalation::to_graph(&report)).as_bytes(),
        ),
    };
    match written.and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => return Err(e.into()),
        _ => {}
    }
    Ok(if report.escalations.is_empty() {
        Exit::Ok
    } else {
        Exit::Negative
    })
}

fn status_name(s: Status) -> &'static str {
    match s {
        Status::Allowed => "allowed",
        Status::Conditional => "conditional",
        Status::Hypothetical => "hypothetical",
    }
}

fn write_text(out: &mut impl Write, r: &EscalationReport) -> std::io::Result<()> {
    if r.target == "administrator" {
        writeln!(out, "administrators ({}):", r.administrators.len())?;
        for a in &r.administrators {
            writeln!(out, "  {a}")?;
        }
        if !r.conditional_administrators.is_empty() {
            writeln!(
                out,
                "conditional administrators ({}; every probed action only under a condition a live request must meet):",
                r.conditional_administrators.len()
            )?;
            for a in &r.conditional_administrators {
                writeln!(out, "  {}", a.principal)?;
                writeln!(out, "     condition: {}", a.condition)?;
            }
        }
    }
    writeln!(
        out,
        "principals that can reach {} ({}):",
        r.target,
        r.escalations.len()
    )?;
    for e in &r.escalations {
        write_escalation(out, e)?;
    }
    if !r.service_credentials.is_empty() {
        writeln!(
            out,
            "\nservice-specific credentials of other users ({}; the user's permissions in Amazon Bedrock, CodeCommit or Amazon Keyspaces only):",
            r.service_credentials.len()
        )?;
        for s in &r.service_credentials {
            writeln!(out, "\n{}:", s.from)?;
            write_steps(out, std::slice::from_ref(s), "  ")?;
        }
    }
    Ok(())
}

fn write_escalation(out: &mut impl Write, e: &Escalation) -> std::io::Result<()> {
    let kind = serde_json::to_value(e.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    writeln!(
        out,
        "\n{} ({kind}): {}, {} step{}",
        e.principal,
        status_name(e.status),
        e.path.steps.len(),
        if e.path.steps.len() == 1 { "" } else { "s" }
    )?;
    write_steps(out, &e.path.steps, "  ")?;
    for (i, p) in e.all_paths.iter().enumerate() {
        writeln!(out, "  path {} ({}):", i + 1, status_name(p.status))?;
        let names: Vec<String> = p
            .steps
            .iter()
            .map(|s| format!("{} → {}", s.technique, s.to))
            .collect();
        writeln!(out, "    {}", names.join(" ⇒ "))?;
    }
    Ok(())
}

fn write_steps(out: &mut impl Write, steps: &[Step], indent: &str) -> std::io::Result<()> {
    for (i, s) in steps.iter().enumerate() {
        let mut extra = String::new();
        if let Some(v) = &s.via {
            extra.push_str(&format!(" via {v}"));
        }
        if let Some(t) = &s.through {
            extra.push_str(&format!(" through {t}"));
        }
        writeln!(
            out,
            "{indent}{}. {} ({}) → {}{extra} [{}]",
            i + 1,
            s.technique,
            s.name,
            s.to,
            status_name(s.status)
        )?;
        if let Some(a) = &s.assumption {
            writeln!(out, "{indent}     {a}")?;
        }
        if let Some(c) = &s.condition {
            writeln!(out, "{indent}     only if {c}")?;
        }
        for p in &s.permissions {
            let ctx = if p.context.is_empty() {
                String::new()
            } else {
                format!(" ({})", p.context.join(", "))
            };
            let cond = p
                .condition
                .as_deref()
                .map(|c| format!(" [conditional: {c}]"))
                .unwrap_or_default();
            writeln!(
                out,
                "{indent}     {} on {}{ctx}{cond}",
                p.action, p.resource
            )?;
            for m in &p.allowed_by {
                writeln!(
                    out,
                    "{indent}       {}",
                    crate::render::matched::MatchedText(m)
                )?;
            }
        }
        if !s.then.is_empty() {
            writeln!(
                out,
                "{indent}     then, to act as {}:",
                s.through.as_deref().unwrap_or("")
            )?;
            write_steps(out, &s.then, &format!("{indent}       "))?;
        }
    }
    Ok(())
}
