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

/// The value type of a context key, from `KEY:TYPE=VALUE` or the action catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ValueType {
    String,
    Numeric,
    Date,
    Bool,
    Ip,
    Arn,
    Binary,
}

/// The type names accepted in `KEY:TYPE=VALUE` (AWS's simulator context key types), with
/// whether the key is multivalued.
fn named_type(name: &str) -> Option<(ValueType, bool)> {
    let lower = name.to_ascii_lowercase();
    let (base, list) = match lower.strip_suffix("list") {
        Some(b) => (b.to_string(), true),
        None => (lower, false),
    };
    let t = match base.as_str() {
        "string" => ValueType::String,
        "number" | "numeric" => ValueType::Numeric,
        "date" => ValueType::Date,
        "bool" | "boolean" => ValueType::Bool,
        "ip" | "ipaddress" => ValueType::Ip,
        "arn" => ValueType::Arn,
        "binary" => ValueType::Binary,
        _ => return None,
    };
    Some((t, list))
}

/// The type the action catalogue documents for `key`, if it knows the key.
fn catalogue_type(key: &str) -> Option<(ValueType, bool)> {
    use facts::catalogue::{Catalogue, KeyType, ScalarType};
    let scalar = |s: ScalarType| match s {
        ScalarType::String => ValueType::String,
        ScalarType::Arn => ValueType::Arn,
        ScalarType::Bool => ValueType::Bool,
        ScalarType::Numeric => ValueType::Numeric,
        ScalarType::Date => ValueType::Date,
        ScalarType::IpAddress => ValueType::Ip,
    };
    let ty = Catalogue::get().condition_key(key)?.key_type();
    Some(match ty {
        KeyType::String => (ValueType::String, false),
        KeyType::Arn => (ValueType::Arn, false),
        KeyType::Bool => (ValueType::Bool, false),
        KeyType::Numeric => (ValueType::Numeric, false),
        KeyType::Date => (ValueType::Date, false),
        KeyType::IpAddress => (ValueType::Ip, false),
        KeyType::Binary => (ValueType::Binary, false),
        KeyType::ArrayOf(s) => (scalar(s), true),
    })
}

/// Whether `value` is a well-formed value of type `t` (the checks catch typos such as
/// `aws:MultiFactorAuthPresent=yes`; the condition operators do the real comparison).
fn well_typed(t: ValueType, value: &str) -> bool {
    match t {
        ValueType::String | ValueType::Binary => true,
        ValueType::Numeric => value.parse::<f64>().is_ok(),
        ValueType::Date => {
            value.parse::<i64>().is_ok()
                || (value.len() >= 10 && value.as_bytes().get(4) == Some(&b'-'))
        }
        ValueType::Bool => {
            value.eq_ignore_ascii_case("true") || value.eq_ignore_ascii_case("false")
        }
        ValueType::Ip => value
            .split('/')
            .next()
            .is_some_and(|a| a.parse::<std::net::IpAddr>().is_ok()),
        ValueType::Arn => value.starts_with("arn:") || value == "*",
    }
}

/// Parse the `--context` flags into a context: a key given several times, or typed as a
/// `...List` (explicitly or by the catalogue), is multivalued.
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
        let (key, explicit) = match key.rsplit_once(':') {
            Some((k, ty)) if named_type(ty).is_some() => (k, named_type(ty)),
            _ => (key, None),
        };
        if key.is_empty() {
            return Err(format!("--context `{item}`: empty key"));
        }
        let typed = explicit.or_else(|| catalogue_type(key));
        let list = typed.is_some_and(|(_, l)| l);
        if let Some((t, _)) = typed {
            if !well_typed(t, value) {
                return Err(format!(
                    "--context `{item}`: `{value}` is not a valid {t:?} value for `{key}`"
                ));
            }
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
            if let Some(a) = &args.resource_account {
                if a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(format!(
                        "--resource-account `{a}`: expected a 12-digit account id"
                    )
                    .into());
                }
            }
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
        if ui.warnings() {
            for w in sim.warnings() {
                eprintln!("{}: {w}", crate::progress::warning_label(w));
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
        // Typed per the catalogue: aws:MultiFactorAuthPresent is a Bool, aws:TagKeys is
        // multivalued (ArrayOfString) even with one value.
        assert!(parse_context(&["aws:MultiFactorAuthPresent=yes".to_string()]).is_err());
        assert!(parse_context(&["aws:SourceIp=10.0.0.300".to_string()]).is_err());
        let one = parse_context(&["aws:TagKeys=env".to_string()]).unwrap();
        assert_eq!(
            one.get("aws:TagKeys"),
            Some(&ContextValue::Multi(vec!["env".into()]))
        );
    }
}
