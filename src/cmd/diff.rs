//! `iamlogic diff OLD NEW`: prove two policies equivalent, or print requests one allows and
//! the other does not (logic in `queries::diff`, proofs in `solver`).

use std::path::PathBuf;
use std::time::Duration;

use queries::diff::{diff_files, Comparison, Counterexample, Direction, Options, Verdict};

use crate::exit::{CmdResult, Exit};
use crate::progress::Ui;

/// Arguments of `iamlogic diff`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The policy before the change (JSON).
    #[arg(value_name = "OLD.json")]
    old: PathBuf,
    /// The policy after the change (JSON).
    #[arg(value_name = "NEW.json")]
    new: PathBuf,
    /// Give up after this many seconds (verdict `unknown`, exit code 3).
    #[arg(long, default_value_t = 10.0, value_name = "SECONDS")]
    timeout: f64,
    /// Counterexample requests to print per direction.
    #[arg(long, default_value_t = 3, value_name = "N")]
    max_examples: usize,
    /// `text` for people, `json` for tools: `{"verdict", "gained", "lost", ...}`.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// Output formats.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum Format {
    /// Readable text.
    Text,
    /// One JSON object.
    Json,
}

/// The options shared by `diff` and `check`.
pub fn options(timeout: f64, max_examples: usize) -> Result<Options, String> {
    // A week is far beyond any useful proof; larger values would overflow Z3's millisecond
    // timeout parameter.
    const MAX_TIMEOUT: f64 = 7.0 * 24.0 * 3600.0;
    if !(timeout.is_finite() && timeout > 0.0 && timeout <= MAX_TIMEOUT) {
        return Err(format!(
            "--timeout {timeout}: expected a positive number of seconds, at most {MAX_TIMEOUT}"
        ));
    }
    // The verdict is decided by finding a counterexample, so at least one is searched for.
    if max_examples == 0 {
        return Err("--max-examples 0: expected at least 1".to_string());
    }
    Ok(Options {
        timeout: Duration::from_secs_f64(timeout),
        max_examples,
        ..Options::default()
    })
}

/// Run `iamlogic diff`.
pub fn run(args: Args, ui: &Ui) -> CmdResult {
    let opts = options(args.timeout, args.max_examples)?;
    let spinner = ui.spinner("proving");
    let c = diff_files(&args.old, &args.new, &opts)?;
    spinner.finish_and_clear();
    match args.format {
        Format::Json => println!("{}", json(&c)?),
        Format::Text => print!("{}", text(&c)),
    }
    Ok(match c.verdict {
        Verdict::Equivalent => Exit::Ok,
        Verdict::Unknown => Exit::Unknown,
        _ => Exit::Negative,
    })
}

fn json(c: &Comparison) -> Result<String, serde_json::Error> {
    let v = serde_json::json!({
        "verdict": c.verdict,
        "gained": requests(&c.gained, true),
        "lost": requests(&c.lost, true),
        "gainedUnconfirmed": requests(&c.gained, false),
        "lostUnconfirmed": requests(&c.lost, false),
        "gainedActions": c.gained.actions.iter().map(|a| canonical_action(a)).collect::<Vec<_>>(),
        "lostActions": c.lost.actions.iter().map(|a| canonical_action(a)).collect::<Vec<_>>(),
        "gainedUnknownActions": c.gained.unknown_actions,
        "lostUnknownActions": c.lost.unknown_actions,
        "complete": c.gained.complete && c.lost.complete,
        "unconfirmed": c.gained.examples.iter().chain(&c.lost.examples).filter(|e| !e.confirmed).count(),
        "approximations": c.approximations,
        "reason": c.gained.unknown.as_ref().or(c.lost.unknown.as_ref()),
    });
    serde_json::to_string_pretty(&v)
}

/// The catalogue's spelling of an action (`s3:getobject` → `s3:GetObject`); a name outside
/// the catalogue as it is.
pub fn canonical_action(action: &str) -> String {
    let Some((prefix, name)) = action.split_once(':') else {
        return action.to_string();
    };
    facts::catalogue::Catalogue::get()
        .service(&prefix.to_ascii_lowercase())
        .and_then(|s| s.action(name))
        .map_or_else(|| action.to_string(), |a| a.full_name())
}

/// A counterexample in the request format of `simulate --scenario`/`--requests`
/// (docs/simulate.md): `principal` a string (an ARN, `*` for anonymous, a service name),
/// `action` in the catalogue's case, `resource`, `context` as key → string or array.
pub fn request_json(e: &Counterexample) -> serde_json::Value {
    use facts::request::ContextValue;
    use queries::diff::RequestPrincipal as P;
    let r = &e.request;
    let principal = match &r.principal {
        P::Anonymous => "*".to_string(),
        P::Aws { arn } => arn.clone(),
        P::Service { name } => name.clone(),
        P::Federated { provider } => provider.clone(),
        P::CanonicalUser { id } => id.clone(),
    };
    let context: serde_json::Map<String, serde_json::Value> = r
        .context
        .iter()
        .map(|(k, v)| {
            let v = match v {
                ContextValue::Single(s) => serde_json::Value::from(s.clone()),
                ContextValue::Multi(vs) => serde_json::Value::from(vs.clone()),
            };
            (k.to_string(), v)
        })
        .collect();
    serde_json::json!({
        "principal": principal,
        "action": canonical_action(&r.action),
        "resource": r.resource,
        "context": context,
    })
}

/// The examples of a direction the evaluator confirmed (or did not), as requests.
pub fn requests(d: &Direction, confirmed: bool) -> Vec<serde_json::Value> {
    d.examples
        .iter()
        .filter(|e| e.confirmed == confirmed)
        .map(request_json)
        .collect()
}

/// One request in text form.
pub fn request_text(e: &Counterexample) -> String {
    let r = &e.request;
    use queries::diff::RequestPrincipal as P;
    let who = match &r.principal {
        P::Anonymous => "an anonymous caller".to_string(),
        P::Aws { arn } => arn.clone(),
        P::Service { name } => format!("service {name}"),
        P::Federated { provider } => format!("federated {provider}"),
        P::CanonicalUser { id } => format!("canonical user {id}"),
    };
    let mut s = format!(
        "    {} on {} by {who}",
        canonical_action(&r.action),
        r.resource
    );
    for (k, v) in r.context.iter() {
        s.push_str(&format!(
            "\n      {k} = {}",
            serde_json::to_string(v).unwrap_or_default()
        ));
    }
    if !e.confirmed {
        s.push_str("\n      (not confirmed by the evaluator: the encoding approximates here)");
    }
    s.push('\n');
    s
}

fn direction_text(title: &str, d: &Direction) -> String {
    let mut s = String::new();
    if !d.differs() {
        return s;
    }
    s.push_str(&format!("{title}:\n"));
    for e in &d.examples {
        s.push_str(&request_text(e));
    }
    if !d.actions.is_empty() {
        let more = if d.complete { "" } else { " (incomplete)" };
        s.push_str(&format!("  actions ({}){more}: ", d.actions.len()));
        let shown: Vec<String> = d
            .actions
            .iter()
            .take(20)
            .map(|a| canonical_action(a))
            .collect();
        s.push_str(&shown.join(", "));
        if d.actions.len() > 20 {
            s.push_str(&format!(", ... ({} more)", d.actions.len() - 20));
        }
        s.push('\n');
    }
    if !d.unknown_actions.is_empty() {
        s.push_str(&format!(
            "  names outside the catalogue: {}\n",
            d.unknown_actions.join(", ")
        ));
    }
    s
}

fn text(c: &Comparison) -> String {
    let verdict = serde_json::to_value(&c.verdict)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default();
    let mut s = format!("verdict: {verdict}\n");
    if let Some(r) = c.gained.unknown.as_ref().or(c.lost.unknown.as_ref()) {
        if c.verdict == Verdict::Unknown {
            s.push_str(&format!("reason: {r}\n"));
        }
    }
    s.push_str(&direction_text(
        "gained (NEW allows, OLD does not)",
        &c.gained,
    ));
    s.push_str(&direction_text("lost (OLD allows, NEW does not)", &c.lost));
    for a in &c.approximations {
        s.push_str(&format!("approximation: {a}\n"));
    }
    s
}
