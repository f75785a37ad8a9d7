//! `iamlogic simulate`: decide requests as AWS would (logic in `queries::simulate` and
//! `queries::scenario`; this module parses flags and prints).
//!
//! Exit code: 0 when every request is allowed, 1 when one is denied, 2 on an error.

use std::io::Write;
use std::path::{Path, PathBuf};

use queries::scenario::{parse_scenarios, read_scenarios, run_scenarios};
use queries::simulate::Outcome;
use queries::simulate::{
    check_request_flags, parse_context_flags, read_numbered_requests, AccountSimulator,
    ExtraPolicies, RequestSpec, SimulationResult,
};

use crate::exit::{CmdResult, Exit};
use crate::progress::Ui;
use crate::render::matched::MatchedText;

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
    /// loaded accounts; one result per request, in input order (a text block, or a JSON
    /// line carrying the request's `line`).
    #[arg(long, value_name = "FILE", conflicts_with = "principal")]
    requests: Option<PathBuf>,
    /// The caller: a user, role, assumed-role session or account ARN, an account id, `*`
    /// (anonymous) or a service principal such as `lambda.amazonaws.com`.
    #[arg(long, value_name = "ARN")]
    principal: Option<String>,
    /// The action, e.g. `s3:GetObject`.
    #[arg(long, value_name = "ACTION", requires = "principal")]
    action: Option<String>,
    /// The resource ARN (default `*`, for an action that takes none).
    #[arg(long, value_name = "ARN")]
    resource: Option<String>,
    /// The account owning the resource, when the data does not say (S3 buckets).
    #[arg(long, value_name = "ID")]
    resource_account: Option<String>,
    /// A context key: `KEY=VALUE` or `KEY:TYPE=VALUE` (TYPE: string, numeric, date,
    /// boolean, ip, arn, binary, or one of them with `List` for a multivalued key). A key
    /// given several times is multivalued.
    #[arg(long = "context", value_name = "KEY=VALUE")]
    context: Vec<String>,
    /// `text` for people (one block per request), `json` for one JSON object per request
    /// and line, `aws` for AWS's simulator response (`{"EvaluationResults": [...]}`).
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
    /// Scenarios; `named`: a text block is labelled with the scenario's `name` when it has
    /// one (`--scenario`), else with its principal, action and resource (`--aws-input`).
    Scenarios {
        scenarios: Vec<queries::scenario::Scenario>,
        named: bool,
    },
    Account {
        sim: Box<AccountSimulator>,
        specs: Vec<RequestSpec>,
        extra: ExtraPolicies,
    },
}

/// What `--format aws` needs of one request beside its result.
struct AwsRowData {
    action: String,
    resource: String,
    missing_context_values: Vec<String>,
    cross_account: bool,
}

/// Whether `caller` and a resource owned by `owner` are in different accounts (an unknown
/// owner is the caller's account, docs/evaluation-logic.md "unknown owner").
fn cross_account(caller: &str, owner: Option<String>) -> bool {
    let caller = queries::simulate::caller_account(caller);
    matches!((caller, owner), (Some(c), Some(o)) if c != o)
}

impl Ran {
    /// Per request: what `--format aws` prints beside the decision.
    fn aws_rows(&self) -> Vec<AwsRowData> {
        match self {
            Ran::Scenarios { scenarios: sc, .. } => sc
                .iter()
                .map(|s| AwsRowData {
                    action: s.action.clone(),
                    resource: s.resource.clone(),
                    missing_context_values: queries::scenario::missing_context_values(s),
                    cross_account: cross_account(
                        &s.principal,
                        s.resource_account.clone().or_else(|| {
                            facts::arn::Arn::parse(&s.resource)
                                .map(|a| a.account)
                                .filter(|a| facts::arn::is_account_id(a))
                        }),
                    ),
                })
                .collect(),
            Ran::Account { sim, specs, extra } => specs
                .iter()
                .map(|s| AwsRowData {
                    action: s.action.clone(),
                    resource: s.resource.clone(),
                    missing_context_values: sim.missing_context_values(s, extra),
                    cross_account: cross_account(&s.principal, sim.resource_account(s)),
                })
                .collect(),
        }
    }
}

/// Run `iamlogic simulate`.
pub fn run(args: Args, ui: &Ui) -> CmdResult {
    refuse_request_flags_with_files(&args)?;
    // The line of each request of `--requests FILE`, carried by its JSON result.
    let mut lines: Vec<usize> = Vec::new();
    let mut positions = queries::simulate::positions::StatementPositions::new();
    // Requests of one `EvaluationResult` (`--aws-input`: one per action).
    let mut groups: Option<Vec<usize>> = None;
    let (results, ran) = if let Some(file) = &args.aws_input {
        let parsed = queries::aws_input::read_aws_input(file)?;
        positions = parsed.positions;
        groups = Some(parsed.action_of);
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
                let at = file.display().to_string();
                for w in queries::actions::unknown_action_warnings(
                    scenarios
                        .iter()
                        .map(|s| (format!("{at}: $.ActionNames"), s.action.as_str())),
                ) {
                    eprintln!("warning: {w}");
                }
                (
                    r,
                    Ran::Scenarios {
                        scenarios,
                        named: false,
                    },
                )
            }
            queries::aws_input::AwsInput::Principal {
                specs,
                extra,
                source,
            } => {
                if args.inputs.is_empty() {
                    return Err("a `simulate-principal-policy` input (with `PolicySourceArn`) needs the account data: `-i PATH`".into());
                }
                let spinner = ui.spinner("loading accounts");
                let sim = AccountSimulator::load(&args.inputs)?;
                spinner.finish_and_clear();
                // Warnings always reach stderr; `--quiet` hides progress and notes only.
                crate::progress::print_load_warnings(ui, sim.warnings());
                // AWS answers NoSuchEntity for a PolicySourceArn it does not have.
                if !sim.has_entity(&source) {
                    return Err(format!(
                        "{}: $.PolicySourceArn: `{source}` is not a user, group or role of the loaded data (AWS: NoSuchEntity)",
                        file.display()
                    )
                    .into());
                }
                let known: Vec<RequestSpec> = specs
                    .iter()
                    .filter(|s| {
                        !s.principal
                            .ends_with(&format!(":user/{}", queries::aws_input::GROUP_MEMBER_NAME))
                    })
                    .cloned()
                    .collect();
                for w in sim.unknown_principals(&known) {
                    eprintln!("warning: {w}");
                }
                let at = file.display().to_string();
                for w in queries::actions::unknown_action_warnings(
                    specs
                        .iter()
                        .map(|s| (format!("{at}: $.ActionNames"), s.action.as_str())),
                ) {
                    eprintln!("warning: {w}");
                }
                let origin = file.clone();
                let r = sim.simulate_with(&specs, &origin, &extra)?;
                (
                    r,
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
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
                .map_err(|e| format!("<stdin>: cannot read: {e}"))?;
            let text = String::from_utf8(bytes).map_err(|e| {
                format!(
                    "<stdin>: not UTF-8 text (invalid byte at offset {})",
                    e.utf8_error().valid_up_to()
                )
            })?;
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
        let origin = file.display().to_string();
        for w in
            queries::actions::unknown_action_warnings(scenarios.iter().enumerate().map(|(i, s)| {
                let origin = &origin;
                let at = std::fmt::from_fn(move |f| write!(f, "{origin}: request {}", i + 1));
                (at, s.action.as_str())
            }))
        {
            eprintln!("warning: {w}");
        }
        (
            r,
            Ran::Scenarios {
                scenarios,
                named: true,
            },
        )
    } else {
        if args.inputs.is_empty() {
            return Err(
                "give account data with `-i PATH`, a `--scenario FILE` or an `--aws-input FILE`"
                    .into(),
            );
        }
        let (specs, origin) = if let Some(file) = &args.requests {
            let numbered = read_numbered_requests(file)?;
            lines = numbered.iter().map(|(n, _)| *n).collect();
            (numbered.into_iter().map(|(_, s)| s).collect(), file.clone())
        } else {
            let (Some(principal), Some(action)) = (&args.principal, &args.action) else {
                return Err(
                    "give `--principal ARN --action ACTION`, `--requests FILE` or `--scenario FILE`"
                        .into(),
                );
            };
            let resource = args.resource.clone().unwrap_or_else(|| "*".to_string());
            check_request_flags(
                principal,
                action,
                &resource,
                args.resource_account.as_deref(),
            )?;
            let spec = RequestSpec {
                principal: principal.clone(),
                action: action.clone(),
                resource,
                resource_account: args.resource_account.clone(),
                context: std::sync::Arc::new(parse_context_flags(&args.context)?),
            };
            (vec![spec], PathBuf::from("<command line>"))
        };
        let spinner = ui.spinner("loading accounts");
        let sim = AccountSimulator::load(&args.inputs)?;
        spinner.finish_and_clear();
        // Warnings always reach stderr; `--quiet` hides progress and notes only.
        crate::progress::print_load_warnings(ui, sim.warnings());
        for w in sim.unknown_principals(&specs) {
            eprintln!("warning: {w}");
        }
        for w in sim.unknown_endpoints(&specs) {
            eprintln!("warning: {w}");
        }
        let places = specs.iter().enumerate().map(|(i, s)| {
            // Written only for the actions warned about.
            let (origin, line) = (&origin, lines.get(i));
            let at = std::fmt::from_fn(move |f| match line {
                Some(n) => write!(f, "{}:{n}: $.action", origin.display()),
                None => f.write_str("--action"),
            });
            (at, s.action.as_str())
        });
        for w in queries::actions::unknown_action_warnings(places) {
            eprintln!("warning: {w}");
        }
        let r = sim.simulate(&specs, Path::new(&origin))?;
        (
            r,
            Ran::Account {
                sim: Box::new(sim),
                specs,
                extra: ExtraPolicies::default(),
            },
        )
    };
    if args.format == Format::Aws {
        print_aws(&results, &ran.aws_rows(), groups.as_deref(), &positions)?;
    } else {
        print_results(&results, &ran, &lines, args.format)?;
    }
    let code = if results.iter().all(|r| r.decision == Outcome::Allowed) {
        Exit::Ok
    } else {
        Exit::Negative
    };
    // The command ends here: the loaded accounts and the results go with the process.
    crate::exit::release_at_exit((ran, results));
    Ok(code)
}

/// `--requests FILE`, `--scenario FILE` and `--aws-input FILE` carry every request's fields
/// themselves: a request
/// flag given with them would apply to nothing, so it is refused (exit 2) rather than
/// silently ignored.
fn refuse_request_flags_with_files(args: &Args) -> Result<(), String> {
    let file = match (&args.requests, &args.scenario, &args.aws_input) {
        (Some(_), _, _) => "--requests",
        (None, Some(_), _) => "--scenario",
        (None, None, Some(_)) => "--aws-input",
        (None, None, None) => return Ok(()),
    };
    let given = [
        ("--principal", args.principal.is_some()),
        ("--action", args.action.is_some()),
        ("--resource", args.resource.is_some()),
        ("--resource-account", args.resource_account.is_some()),
        ("--context", !args.context.is_empty()),
    ];
    match given.iter().find(|(_, on)| *on) {
        Some((flag, _)) => Err(format!(
            "`{flag}` cannot be used with `{file}`: each request in the file gives its own \
             principal, action, resource, resource account and context"
        )),
        None => Ok(()),
    }
}

impl Ran {
    /// The label of request `i`'s text block: the scenario's `name` (`--scenario`), else
    /// `principal action resource`. Written straight into the output, never kept.
    fn write_label(&self, i: usize, out: &mut impl Write) -> std::io::Result<()> {
        let (principal, action, resource) = match self {
            Ran::Scenarios { scenarios, named } => match scenarios.get(i) {
                Some(s) => match (&s.name, named) {
                    (Some(n), true) => return out.write_all(n.as_bytes()),
                    _ => (&s.principal, &s.action, &s.resource),
                },
                None => return Ok(()),
            },
            Ran::Account { specs, .. } => match specs.get(i) {
                Some(s) => (&s.principal, &s.action, &s.resource),
                None => return Ok(()),
            },
        };
        write!(out, "{principal} {action} {resource}")
    }
}

/// How many results one thread renders at a time (see [`print_results`]).
const RENDER_CHUNK: usize = 2_048;

/// Print every result: one JSON object per line, or text blocks. With several requests,
/// each text block starts with its label (the scenario's `name`, else principal, action
/// and resource) so the blocks can be told apart. Results are rendered into memory in
/// chunks on every core, then written in order: for 100,000 requests the rendering took as
/// long as deciding them.
fn print_results(
    results: &[SimulationResult],
    ran: &Ran,
    lines: &[usize],
    format: Format,
) -> Result<(), Box<dyn std::error::Error>> {
    let several = results.len() > 1;
    let render = |first: usize, part: &[SimulationResult]| -> std::io::Result<Vec<u8>> {
        let mut buf = Vec::with_capacity(part.len() * 256);
        for (k, r) in part.iter().enumerate() {
            let i = first + k;
            match format {
                Format::Json => {
                    json_line(&mut buf, r, lines.get(i).copied()).map_err(std::io::Error::other)?
                }
                Format::Text if several => {
                    write!(buf, "[{}] ", i + 1)?;
                    ran.write_label(i, &mut buf)?;
                    buf.push(b'\n');
                    write_text(&mut buf, r)?;
                }
                Format::Text | Format::Aws => write_text(&mut buf, r)?,
            }
        }
        Ok(buf)
    };
    let chunks: Vec<(usize, &[SimulationResult])> = results
        .chunks(RENDER_CHUNK)
        .enumerate()
        .map(|(c, part)| (c * RENDER_CHUNK, part))
        .collect();
    let rendered = crate::parallel::map_in_order(&chunks, |&(first, part)| render(first, part));
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for buf in rendered {
        if let Err(e) = buf.and_then(|b| out.write_all(&b)) {
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

/// One result as a JSON line; a request of `--requests FILE` carries its line number first
/// (`{"line": 3, "decision": ...}`), so output joins back to its input. Serialized
/// straight into `out` (no intermediate `serde_json::Value`).
fn json_line(
    out: &mut Vec<u8>,
    r: &SimulationResult,
    line: Option<usize>,
) -> serde_json::Result<()> {
    /// `{"line": N, ...the result's fields}`.
    #[derive(serde::Serialize)]
    struct Numbered<'a> {
        line: usize,
        #[serde(flatten)]
        result: &'a SimulationResult,
    }
    match line {
        Some(line) => serde_json::to_writer(&mut *out, &Numbered { line, result: r })?,
        None => serde_json::to_writer(&mut *out, r)?,
    }
    out.push(b'\n');
    Ok(())
}

/// Print AWS's simulator response: `{"EvaluationResults": [...], "IsTruncated": false}`,
/// one `EvaluationResult` per group of requests (`groups[i]`, else each request its own).
fn print_aws(
    results: &[SimulationResult],
    rows: &[AwsRowData],
    groups: Option<&[usize]>,
    positions: &queries::simulate::positions::StatementPositions,
) -> Result<(), Box<dyn std::error::Error>> {
    use queries::simulate::aws_format::{evaluation_results, AwsRow};
    let rows: Vec<AwsRow<'_>> = results
        .iter()
        .zip(rows)
        .enumerate()
        .map(|(i, (r, d))| AwsRow {
            group: groups.and_then(|g| g.get(i).copied()).unwrap_or(i),
            action: &d.action,
            resource: &d.resource,
            result: r,
            missing_context_values: d.missing_context_values.clone(),
            cross_account: d.cross_account,
        })
        .collect();
    let doc = evaluation_results(&rows, positions);
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
        writeln!(out, "  {}", MatchedText(m))?;
    }
    for m in &r.restricted {
        writeln!(
            out,
            "  {} restricted: S3 Block Public Access RestrictPublicBuckets limits this public bucket policy to AWS service principals and the bucket owner's account",
            MatchedText(m)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The rendering `json_line` replaced: the result as a `serde_json::Value`, with `line`
    /// inserted first into a fresh map.
    fn json_line_via_value(r: &SimulationResult, line: Option<usize>) -> String {
        let v = serde_json::to_value(r).unwrap();
        match (line, v) {
            (Some(n), serde_json::Value::Object(fields)) => {
                let mut with_line = serde_json::Map::new();
                with_line.insert("line".to_string(), n.into());
                with_line.extend(fields);
                serde_json::to_string(&with_line).unwrap()
            }
            (_, v) => serde_json::to_string(&v).unwrap(),
        }
    }

    #[test]
    fn json_lines_are_byte_for_byte_the_value_rendering() {
        let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
        let sim = AccountSimulator::load(std::slice::from_ref(&examples)).unwrap();
        let specs = queries::simulate::read_requests(&examples.join("requests.jsonl")).unwrap();
        let results = sim
            .simulate(&specs, &examples.join("requests.jsonl"))
            .unwrap();
        assert!(
            results.len() >= 5,
            "the bundled requests: {}",
            results.len()
        );
        let outcomes: std::collections::HashSet<_> = results
            .iter()
            .map(|r| format!("{:?}", r.decision))
            .collect();
        assert!(
            outcomes.len() >= 2,
            "allowed and denied results: {outcomes:?}"
        );
        for (i, r) in results.iter().enumerate() {
            for line in [Some(i + 1), None] {
                let mut got = Vec::new();
                json_line(&mut got, r, line).unwrap();
                let want = json_line_via_value(r, line) + "\n";
                assert_eq!(String::from_utf8(got).unwrap(), want, "request {}", i + 1);
            }
        }
    }
}
