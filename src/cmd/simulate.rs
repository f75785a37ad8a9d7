//! `iamlogic simulate`: decide requests as AWS would (logic in `queries::simulate` and
//! `queries::scenario`; this module parses flags and prints).
//!
//! Exit code: 0 when every request is allowed, 1 when one is denied, 2 on an error.

use std::io::Write;
use std::path::{Path, PathBuf};

use queries::scenario::{parse_scenarios, read_scenarios, run_scenarios};
use queries::simulate::Outcome;
use queries::simulate::{
    check_request_flags, parse_context_flags, read_requests, AccountSimulator, ExtraPolicies,
    RequestSpec, SimulationResult,
};

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
    /// The `--cli-input-json` document of `aws iam simulate-custom-policy` (or, with
    /// `PolicySourceArn` and `-i`, of `simulate-principal-policy`); `-` for stdin.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["scenario", "principal", "requests"])]
    aws_input: Option<PathBuf>,
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
    /// `text` for people, `json` for one JSON object per request and line, `aws` for AWS's
    /// simulator response (`{"EvaluationResults": [...]}`).
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Text,
    Json,
    Aws,
}

/// What was decided, kept to compute AWS's `MissingContextValues` for `--format aws`.
enum Ran {
    Scenarios(Vec<queries::scenario::Scenario>),
    Account {
        sim: Box<AccountSimulator>,
        specs: Vec<RequestSpec>,
        extra: ExtraPolicies,
    },
}

impl Ran {
    /// `(action, resource, MissingContextValues)` per request.
    fn aws_rows(&self) -> Vec<(String, String, Vec<String>)> {
        match self {
            Ran::Scenarios(sc) => sc
                .iter()
                .map(|s| {
                    (
                        s.action.clone(),
                        s.resource.clone(),
                        queries::scenario::missing_context_values(s),
                    )
                })
                .collect(),
            Ran::Account { sim, specs, extra } => specs
                .iter()
                .map(|s| {
                    (
                        s.action.clone(),
                        s.resource.clone(),
                        sim.missing_context_values(s, extra),
                    )
                })
                .collect(),
        }
    }
}

/// Run `iamlogic simulate`.
pub fn run(args: Args, ui: &Ui) -> CmdResult {
    let mut positions = queries::simulate::positions::StatementPositions::new();
    let (results, labels, ran) = if let Some(file) = &args.aws_input {
        let parsed = queries::aws_input::read_aws_input(file)?;
        positions = parsed.positions;
        if ui.warnings() {
            for w in &parsed.warnings {
                eprintln!("warning: {w}");
            }
        }
        match parsed.input {
            queries::aws_input::AwsInput::Custom { scenarios } => {
                if !args.inputs.is_empty() {
                    return Err("`-i` is for a `simulate-principal-policy` input (with `PolicySourceArn`); this input has none".into());
                }
                let spinner = ui.spinner("simulating");
                let r = run_scenarios(&scenarios);
                spinner.finish_and_clear();
                let labels = scenarios
                    .iter()
                    .map(|s| label(&s.principal, &s.action, &s.resource))
                    .collect::<Vec<_>>();
                (r, labels, Ran::Scenarios(scenarios))
            }
            queries::aws_input::AwsInput::Principal { specs, extra } => {
                if args.inputs.is_empty() {
                    return Err("a `simulate-principal-policy` input (with `PolicySourceArn`) needs the account data: `-i PATH`".into());
                }
                let spinner = ui.spinner("loading accounts");
                let sim = AccountSimulator::load(&args.inputs)?;
                spinner.finish_and_clear();
                if ui.warnings() {
                    for w in sim.warnings() {
                        eprintln!("{}: {w}", crate::progress::warning_label(w));
                    }
                    for w in sim.unknown_principals(&specs) {
                        eprintln!("warning: {w}");
                    }
                }
                let origin = file.clone();
                let r = sim.simulate_with(&specs, &origin, &extra)?;
                let labels = specs
                    .iter()
                    .map(|s| label(&s.principal, &s.action, &s.resource))
                    .collect::<Vec<_>>();
                (
                    r,
                    labels,
                    Ran::Account {
                        sim: Box::new(sim),
                        specs,
                        extra,
                    },
                )
            }
        }
    } else if let Some(file) = &args.scenario {
        let spinner = ui.spinner("simulating scenarios");
        let scenarios = if file.as_os_str() == "-" {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                .map_err(|e| format!("<stdin>: cannot read: {e}"))?;
            parse_scenarios(&text, Path::new("<stdin>"))?
        } else {
            read_scenarios(file)?
        };
        let r = run_scenarios(&scenarios);
        spinner.finish_and_clear();
        if ui.warnings() {
            for w in scenarios.iter().flat_map(|s| &s.warnings) {
                eprintln!("warning: {w}");
            }
        }
        let labels = scenarios
            .iter()
            .map(|s| match &s.name {
                Some(n) => n.clone(),
                None => label(&s.principal, &s.action, &s.resource),
            })
            .collect::<Vec<_>>();
        (r, labels, Ran::Scenarios(scenarios))
    } else {
        if args.inputs.is_empty() {
            return Err(
                "give account data with `-i PATH`, a `--scenario FILE` or an `--aws-input FILE`"
                    .into(),
            );
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
            check_request_flags(
                principal,
                action,
                &args.resource,
                args.resource_account.as_deref(),
            )?;
            let spec = RequestSpec {
                principal: principal.clone(),
                action: action.clone(),
                resource: args.resource.clone(),
                resource_account: args.resource_account.clone(),
                context: parse_context_flags(&args.context)?,
            };
            (vec![spec], PathBuf::from("<command line>"))
        };
        let spinner = ui.spinner("loading accounts");
        let sim = AccountSimulator::load(&args.inputs)?;
        spinner.finish_and_clear();
        if ui.warnings() {
            for w in sim.warnings() {
                eprintln!("{}: {w}", crate::progress::warning_label(w));
            }
            for w in sim.unknown_principals(&specs) {
                eprintln!("warning: {w}");
            }
            for w in sim.unknown_endpoints(&specs) {
                eprintln!("warning: {w}");
            }
        }
        let labels = specs
            .iter()
            .map(|s| label(&s.principal, &s.action, &s.resource))
            .collect::<Vec<_>>();
        let r = sim.simulate(&specs, Path::new(&origin))?;
        (
            r,
            labels,
            Ran::Account {
                sim: Box::new(sim),
                specs,
                extra: ExtraPolicies::default(),
            },
        )
    };
    if args.format == Format::Aws {
        print_aws(&results, &ran.aws_rows(), &positions)?;
    } else {
        print_results(&results, &labels, args.format)?;
    }
    if results.iter().all(|r| r.decision == Outcome::Allowed) {
        Ok(Exit::Ok)
    } else {
        Ok(Exit::Negative)
    }
}

/// Print every result: one JSON object per line, or text blocks.
/// The label of a request without a name: `principal action resource`.
fn label(principal: &str, action: &str, resource: &str) -> String {
    format!("{principal} {action} {resource}")
}

/// Print every result: one JSON object per line, or text blocks. With several requests,
/// each text block starts with its label (the scenario's `name`, else principal, action
/// and resource) so the blocks can be told apart.
fn print_results(
    results: &[SimulationResult],
    labels: &[String],
    format: Format,
) -> Result<(), Box<dyn std::error::Error>> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let several = results.len() > 1;
    for (i, r) in results.iter().enumerate() {
        let written = match format {
            Format::Json => serde_json::to_writer(&mut out, r)
                .map_err(std::io::Error::other)
                .and_then(|_| writeln!(out)),
            Format::Text if several => {
                let l = labels.get(i).map(String::as_str).unwrap_or_default();
                writeln!(out, "[{}] {l}", i + 1).and_then(|_| write_text(&mut out, r))
            }
            Format::Text | Format::Aws => write_text(&mut out, r),
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

/// Print AWS's simulator response: `{"EvaluationResults": [...], "IsTruncated": false}`.
fn print_aws(
    results: &[SimulationResult],
    rows: &[(String, String, Vec<String>)],
    positions: &queries::simulate::positions::StatementPositions,
) -> Result<(), Box<dyn std::error::Error>> {
    use queries::simulate::aws_format::{evaluation_result, EvaluationResults};
    let doc = EvaluationResults {
        evaluation_results: results
            .iter()
            .zip(rows)
            .map(|(r, (action, resource, missing))| {
                evaluation_result(action, resource, r, missing.clone(), positions)
            })
            .collect(),
        is_truncated: false,
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let written = serde_json::to_writer_pretty(&mut out, &doc)
        .map_err(std::io::Error::other)
        .and_then(|_| writeln!(out));
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// The text rendering of one result.
fn write_text(out: &mut impl Write, r: &SimulationResult) -> std::io::Result<()> {
    writeln!(out, "{}", r.decision.name())?;
    if let Some(rule) = &r.rule {
        writeln!(
            out,
            "  AWS rule {}: {} ({})",
            rule.code, rule.reason, rule.source
        )?;
    }
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
    for m in &r.restricted {
        let sid = m
            .sid
            .as_deref()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        writeln!(
            out,
            "  {:?} by {} policy {} Statement[{}]{sid} restricted: S3 Block Public Access RestrictPublicBuckets limits this public bucket policy to AWS service principals and the bucket owner's account",
            m.effect, m.layer, m.policy, m.statement
        )?;
    }
    if !r.missing.is_empty() {
        // SCP and RCP layers name the levels (root, OU, account) that lacked an Allow.
        let names: Vec<String> = r
            .missing
            .iter()
            .map(|&l| {
                let levels: Vec<&str> = r
                    .missing_levels
                    .iter()
                    .filter(|m| m.layer == l)
                    .map(|m| m.level.as_str())
                    .collect();
                if levels.is_empty() {
                    l.name().to_string()
                } else {
                    format!("{} (at {})", l.name(), levels.join(", "))
                }
            })
            .collect();
        writeln!(out, "  no Allow in: {}", names.join(", "))?;
    }
    Ok(())
}
