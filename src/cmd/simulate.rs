//! `iamlogic simulate`: decide requests as AWS would (logic in `queries::simulate` and
//! `queries::scenario`; this module parses flags and prints).
//!
//! Exit code: 0 when every request is allowed, 1 when one is denied, 2 on an error.

use std::io::Write;
use std::path::{Path, PathBuf};

use facts::request::{Context, ContextValue};
use queries::scenario::simulate_file;
use queries::simulate::Outcome;
use queries::simulate::{read_requests, AccountSimulator, RequestSpec, SimulationResult};

use crate::exit::{CmdResult, Exit};
use crate::progress::Ui;

/// Arguments of `iamlogic simulate`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Account data: GAAD files, resources, organization (files or directories).
    #[arg(short = 'i', long = "input", value_name = "PATH")]
    inputs: Vec<PathBuf>,
    /// A scenario file (JSON object, array or JSON Lines) carrying every policy with each
    /// request, like AWS's SimulateCustomPolicy; no `-i` needed. See docs/simulate.md.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["inputs", "principal", "requests"])]
    scenario: Option<PathBuf>,
    /// JSON Lines of `{principal, action, resource, resourceAccount, context}` against the
    /// loaded accounts; one output line per request, in input order.
    #[arg(long, value_name = "FILE", conflicts_with = "principal")]
    requests: Option<PathBuf>,
    /// The caller: a user, role, assumed-role session or account ARN, an account id, `*`
    /// (anonymous) or a service principal such as `lambda.amazonaws.com`.
    #[arg(long, value_name = "ARN")]
    principal: Option<String>,
    /// The action, e.g. `s3:GetObject`.
    #[arg(long, value_name = "ACTION", requires = "principal")]
    action: Option<String>,
    /// The resource ARN (`*` when the action takes none).
    #[arg(long, value_name = "ARN", default_value = "*")]
    resource: String,
    /// The account owning the resource, when the data does not say (S3 buckets).
    #[arg(long, value_name = "ID")]
    resource_account: Option<String>,
    /// A context key: `KEY=VALUE` or `KEY:TYPE=VALUE` (TYPE: string, number, date, bool,
    /// ip, arn, binary, or a `...List` type for a multivalued key). A key given several
    /// times is multivalued.
    #[arg(long = "context", value_name = "KEY=VALUE")]
    context: Vec<String>,
    /// `text` for people, `json` for one JSON object per request and line.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Text,
    Json,
}

/// The type names accepted in `KEY:TYPE=VALUE` (AWS's simulator context key types).
const TYPES: [&str; 14] = [
    "string",
    "stringList",
    "number",
    "numeric",
    "numericList",
    "date",
    "dateList",
    "bool",
    "boolean",
    "booleanList",
    "ip",
    "ipList",
    "arn",
    "binary",
];

/// Parse the `--context` flags into a context.
fn parse_context(items: &[String]) -> Result<Context, String> {
    let mut values: Vec<(String, bool, Vec<String>)> = Vec::new();
    for item in items {
        let Some((key, value)) = item.split_once('=') else {
            return Err(format!(
                "--context `{item}`: expected KEY=VALUE or KEY:TYPE=VALUE"
            ));
        };
        // Condition keys themselves contain `:` (`aws:SourceIp`); a type is the part after
        // the last `:` only when it names a known type.
        let (key, list) = match key.rsplit_once(':') {
            Some((k, ty)) if TYPES.iter().any(|t| t.eq_ignore_ascii_case(ty)) => {
                (k, ty.to_ascii_lowercase().ends_with("list"))
            }
            _ => (key, false),
        };
        if key.is_empty() {
            return Err(format!("--context `{item}`: empty key"));
        }
        match values
            .iter_mut()
            .find(|(k, _, _)| k.eq_ignore_ascii_case(key))
        {
            Some(entry) => {
                entry.1 |= list;
                entry.2.push(value.to_string());
            }
            None => values.push((key.to_string(), list, vec![value.to_string()])),
        }
    }
    let mut ctx = Context::new();
    for (k, list, vs) in values {
        let v = if list || vs.len() > 1 {
            ContextValue::Multi(vs)
        } else {
            ContextValue::Single(vs.into_iter().next().unwrap_or_default())
        };
        ctx.insert(&k, v);
    }
    Ok(ctx)
}

/// Run `iamlogic simulate`.
pub fn run(args: Args, ui: &Ui) -> CmdResult {
    let results = if let Some(file) = &args.scenario {
        let spinner = ui.spinner("simulating scenarios");
        let r = simulate_file(file)?;
        spinner.finish_and_clear();
        r
    } else {
        if args.inputs.is_empty() {
            return Err("give account data with `-i PATH`, or a `--scenario FILE`".into());
        }
        let (specs, origin) = if let Some(file) = &args.requests {
            (read_requests(file)?, file.clone())
        } else {
            let (Some(principal), Some(action)) = (&args.principal, &args.action) else {
                return Err(
                    "give `--principal ARN --action ACTION`, `--requests FILE` or `--scenario FILE`"
                        .into(),
                );
            };
            let spec = RequestSpec {
                principal: principal.clone(),
                action: action.clone(),
                resource: args.resource.clone(),
                resource_account: args.resource_account.clone(),
                context: parse_context(&args.context)?,
            };
            (vec![spec], PathBuf::from("<command line>"))
        };
        let spinner = ui.spinner("loading accounts");
        let sim = AccountSimulator::load(&args.inputs)?;
        spinner.finish_and_clear();
        if ui.chatty() {
            for w in sim.warnings() {
                eprintln!("warning: {w}");
            }
        }
        sim.simulate(&specs, Path::new(&origin))?
    };
    print_results(&results, args.format)?;
    if results.iter().all(|r| r.decision == Outcome::Allowed) {
        Ok(Exit::Ok)
    } else {
        Ok(Exit::Negative)
    }
}

/// Print every result: one JSON object per line, or text blocks.
fn print_results(
    results: &[SimulationResult],
    format: Format,
) -> Result<(), Box<dyn std::error::Error>> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for r in results {
        let written = match format {
            Format::Json => serde_json::to_writer(&mut out, r)
                .map_err(std::io::Error::other)
                .and_then(|_| writeln!(out)),
            Format::Text => write_text(&mut out, r),
        };
        if let Err(e) = written {
            // A closed pipe (`| head`) ends the output quietly.
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                return Ok(());
            }
            return Err(e.into());
        }
    }
    match out.flush() {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// The text rendering of one result.
fn write_text(out: &mut impl Write, r: &SimulationResult) -> std::io::Result<()> {
    writeln!(out, "{}", r.decision.name())?;
    for m in &r.matched {
        let sid = m
            .sid
            .as_deref()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        writeln!(
            out,
            "  {:?} by {} policy {} Statement[{}]{sid}",
            m.effect, m.layer, m.policy, m.statement
        )?;
    }
    if !r.missing.is_empty() {
        let names: Vec<&str> = r.missing.iter().map(|l| l.name()).collect();
        writeln!(out, "  no Allow in: {}", names.join(", "))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_context;
    use facts::request::ContextValue;

    #[test]
    fn context_flags_single_multi_and_typed() {
        let ctx = parse_context(&[
            "aws:SourceIp=10.0.0.1".to_string(),
            "aws:TagKeys=a".to_string(),
            "aws:TagKeys=b".to_string(),
            "ec2:InstanceType:stringList=t2.micro".to_string(),
            "aws:MultiFactorAuthPresent:bool=true".to_string(),
        ])
        .unwrap();
        assert_eq!(
            ctx.get("aws:sourceip"),
            Some(&ContextValue::Single("10.0.0.1".into()))
        );
        assert_eq!(
            ctx.get("aws:TagKeys"),
            Some(&ContextValue::Multi(vec!["a".into(), "b".into()]))
        );
        assert_eq!(
            ctx.get("ec2:InstanceType"),
            Some(&ContextValue::Multi(vec!["t2.micro".into()]))
        );
        assert_eq!(
            ctx.get("aws:MultiFactorAuthPresent"),
            Some(&ContextValue::Single("true".into()))
        );
        assert!(parse_context(&["novalue".to_string()]).is_err());
    }
}
