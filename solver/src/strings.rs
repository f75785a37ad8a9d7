//! String-valued parts of a request (the resource, string/ARN/binary condition values) as
//! Boolean atoms, one per pattern, with a concretisation step that turns an assignment of the
//! atoms into a real string.
//!
//! The truth of each atom on a concrete string is always decided by `facts` (the statement
//! matcher for resources, `condition_holds` for condition values): the solver never decides
//! by itself whether a string matches a pattern. Z3's regular expressions are used only to
//! find a string for an assignment the simple witnesses miss, or to prove that no string has
//! it (the unsat core then becomes a clause the main solver learns: Zelkova's refinement).

use crate::automata::{self, Tok};
use facts::catalogue::{glob_covers, globs_intersect};
use facts::condition::{BaseOperator, ConditionOperator};
use facts::policy::{
    ActionClause, ActionPattern, Condition, Effect, Policy, PolicyVersion, ResourceClause,
    ResourcePattern, Statement,
};
use facts::request::{Context, ContextValue, Request, RequestPrincipal};
use z3::ast::{Bool, Regexp, String as ZString};
use z3::{Params, SatResult, Solver};

/// One pattern a string can match.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum StrPred {
    /// A `Resource`/`NotResource` entry, as written.
    Resource {
        /// The pattern.
        pattern: String,
        /// Whether policy variables are live (version 2012-10-17).
        variables: bool,
    },
    /// A value under a positive string-like operator for a context key.
    Cond {
        /// `StringEquals`, `StringLike`, `StringEqualsIgnoreCase`, `ArnLike`, `ArnEquals`,
        /// `BinaryEquals`.
        op: BaseOperator,
        /// The key (lowercased).
        key: String,
        /// The value, as written.
        value: String,
        /// Whether policy variables are live.
        variables: bool,
    },
}

impl StrPred {
    fn text(&self) -> &str {
        match self {
            StrPred::Resource { pattern, .. } => pattern,
            StrPred::Cond { value, .. } => value,
        }
    }

    /// A pattern with a live policy variable depends on other keys: the encoding treats it as
    /// an independent atom (an over-approximation stated in every result that uses it).
    pub(crate) fn opaque(&self) -> bool {
        let vars = match self {
            StrPred::Resource { variables, .. } | StrPred::Cond { variables, .. } => *variables,
        };
        vars && self.text().contains("${")
    }

    /// The one string this pattern matches, when it has no wildcard: equal literals are the
    /// same atom, and distinct ones exclude each other (a cheap, exact pre-constraint that
    /// spares the refinement loop most of its work).
    pub(crate) fn literal(&self) -> Option<&str> {
        if self.opaque() {
            return None;
        }
        let t = self.text();
        let exact = match self {
            StrPred::Resource { .. } => !t.contains(['*', '?']),
            StrPred::Cond { op, .. } => match op {
                BaseOperator::StringEquals | BaseOperator::BinaryEquals => true,
                BaseOperator::StringLike | BaseOperator::ArnLike | BaseOperator::ArnEquals => {
                    !t.contains(['*', '?'])
                }
                _ => false,
            },
        };
        exact.then_some(t)
    }

    /// The pattern as glob tokens, for the patterns whose language is a plain glob
    /// (resources, `StringLike`), one exact string (`StringEquals`, `BinaryEquals`) or an
    /// ARN pattern matched segment-wise (`ArnLike`, `ArnEquals`).
    fn tokens(&self) -> Option<Vec<Tok>> {
        if self.opaque() {
            return None;
        }
        match self {
            StrPred::Resource { pattern, .. } => Some(automata::tokens(pattern, false)),
            StrPred::Cond { op, value, .. } => match op {
                BaseOperator::StringLike => Some(automata::tokens(value, false)),
                BaseOperator::StringEquals | BaseOperator::BinaryEquals => {
                    Some(automata::tokens(value, true))
                }
                BaseOperator::ArnLike | BaseOperator::ArnEquals => automata::arn_tokens(value),
                _ => None,
            },
        }
    }

    /// Whether `w` matches, decided by `facts`.
    pub(crate) fn holds(&self, w: &str) -> bool {
        match self {
            StrPred::Resource { pattern, variables } => {
                let stmt = Statement {
                    index: 0,
                    sid: None,
                    effect: Effect::Allow,
                    action: ActionClause::Action(vec![ActionPattern("*".to_string())]),
                    resource: Some(ResourceClause::Resource(vec![ResourcePattern(
                        pattern.clone(),
                    )])),
                    principal: None,
                    conditions: Vec::new(),
                };
                let policy = Policy {
                    version: if *variables {
                        PolicyVersion::V2012_10_17
                    } else {
                        PolicyVersion::V2008_10_17
                    },
                    version_given: true,
                    id: None,
                    statements: vec![stmt],
                };
                let req = Request {
                    principal: RequestPrincipal::Anonymous,
                    action: "iamlogic:probe".to_string(),
                    resource: w.to_string(),
                    context: Context::new(),
                };
                policy
                    .statements
                    .first()
                    .is_some_and(|s| facts::eval::statement_applies(&policy, s, &req))
            }
            StrPred::Cond {
                op,
                key,
                value,
                variables,
            } => {
                let cond = Condition {
                    operator: ConditionOperator {
                        qualifier: None,
                        base: *op,
                        if_exists: false,
                    },
                    key: key.clone(),
                    values: vec![value.clone()],
                };
                let mut ctx = Context::new();
                ctx.insert(key, ContextValue::Single(w.to_string()));
                facts::condition::eval::condition_holds(&cond, &ctx, *variables)
            }
        }
    }

    /// The language of the pattern as a Z3 regular expression.
    fn regex(&self) -> Regexp {
        match self {
            StrPred::Resource { pattern, .. } => glob_regex(pattern, false),
            StrPred::Cond { op, value, .. } => match op {
                BaseOperator::StringLike => glob_regex(value, false),
                BaseOperator::StringEqualsIgnoreCase => literal_regex(value, true),
                BaseOperator::ArnLike | BaseOperator::ArnEquals => arn_regex(value),
                _ => literal_regex(value, false),
            },
        }
    }

    /// Strings likely to match this pattern and few others.
    fn candidates(&self) -> Vec<String> {
        let t = self.text();
        let mut out = vec![
            t.replace('*', "").replace('?', "a"),
            t.replace(['*', '?'], "x"),
            t.replace('*', "iamlogic").replace('?', "q"),
            t.replace('*', "x/y").replace('?', "0"),
        ];
        if let StrPred::Cond {
            op: BaseOperator::StringEqualsIgnoreCase,
            ..
        } = self
        {
            out.push(t.to_ascii_uppercase());
            out.push(t.to_ascii_lowercase());
        }
        out
    }
}

fn chars_regex(s: &str, ignore_case: bool) -> Regexp {
    if !ignore_case {
        return Regexp::literal(s);
    }
    let parts: Vec<Regexp> = s
        .chars()
        .map(|c| {
            let (l, u) = (c.to_ascii_lowercase(), c.to_ascii_uppercase());
            if l == u {
                Regexp::literal(&c.to_string())
            } else {
                Regexp::union(&[
                    Regexp::literal(&l.to_string()),
                    Regexp::literal(&u.to_string()),
                ])
            }
        })
        .collect();
    concat_all(parts)
}

fn concat_all(parts: Vec<Regexp>) -> Regexp {
    match parts.len() {
        0 => Regexp::literal(""),
        1 => parts
            .into_iter()
            .next()
            .unwrap_or_else(|| Regexp::literal("")),
        _ => Regexp::concat(&parts),
    }
}

fn literal_regex(s: &str, ignore_case: bool) -> Regexp {
    chars_regex(s, ignore_case)
}

/// `*` any run, `?` one character, anything else literal; `any` is what a wildcard may span.
fn glob_with(pattern: &str, any: &Regexp) -> Regexp {
    let mut parts = Vec::new();
    let mut lit = String::new();
    for c in pattern.chars() {
        if c == '*' || c == '?' {
            if !lit.is_empty() {
                parts.push(Regexp::literal(&lit));
                lit.clear();
            }
            parts.push(if c == '*' { any.star() } else { any.clone() });
        } else {
            lit.push(c);
        }
    }
    if !lit.is_empty() {
        parts.push(Regexp::literal(&lit));
    }
    concat_all(parts)
}

fn glob_regex(pattern: &str, ignore_case: bool) -> Regexp {
    if ignore_case {
        return chars_regex(pattern, true);
    }
    glob_with(pattern, &Regexp::allchar())
}

/// ARN patterns: wildcards stay within one of the first five `:`-separated segments.
fn arn_regex(pattern: &str) -> Regexp {
    let segs: Vec<&str> = pattern.splitn(6, ':').collect();
    if segs.len() < 6 {
        return glob_regex(pattern, false);
    }
    let not_colon = Regexp::allchar().diff(Regexp::literal(":"));
    let mut parts = Vec::new();
    for (i, s) in segs.iter().enumerate() {
        if i > 0 {
            parts.push(Regexp::literal(":"));
        }
        if i < 5 {
            parts.push(glob_with(s, &not_colon));
        } else {
            parts.push(glob_with(s, &Regexp::allchar()));
        }
    }
    concat_all(parts)
}

/// What every string a pattern matches starts and ends with, when that is known from the
/// pattern's text alone: (prefix, suffix, wildcards live). `None` for case-insensitive
/// operators and opaque patterns.
fn affixes(p: &StrPred) -> Option<(&str, &str, bool)> {
    if p.opaque() {
        return None;
    }
    let t = p.text();
    let glob = match p {
        StrPred::Resource { .. } => true,
        StrPred::Cond { op, .. } => match op {
            BaseOperator::StringLike | BaseOperator::ArnLike | BaseOperator::ArnEquals => true,
            BaseOperator::StringEquals | BaseOperator::BinaryEquals => false,
            _ => return None,
        },
    };
    if !glob {
        return Some((t, t, false));
    }
    let first = t.find(['*', '?']).unwrap_or(t.len());
    let last = t.rfind(['*', '?']).map_or(0, |i| i + 1);
    Some((t.get(..first)?, t.get(last..)?, true))
}

/// A small set of atom values that no string can have, found from the patterns' texts
/// alone (Zelkova's concrete relations between patterns, decided by facts' glob functions): a
/// pattern of only `*` wanted false; two patterns wanted true whose languages are disjoint; a
/// pattern wanted true inside one wanted false.
fn quick_core(preds: &[StrPred], want: &[(usize, bool)]) -> Option<Vec<(usize, bool)>> {
    let everything = |p: &StrPred| {
        matches!(
            p,
            StrPred::Resource { .. }
                | StrPred::Cond {
                    op: BaseOperator::StringLike,
                    ..
                }
        ) && !p.opaque()
            && !p.text().is_empty()
            && p.text().chars().all(|c| c == '*')
    };
    for &(i, v) in want {
        if !v && preds.get(i).is_some_and(everything) {
            return Some(vec![(i, false)]);
        }
    }
    // Plain globs (resources, `StringLike`) and exact strings, whose languages facts'
    // `globs_intersect` / `glob_covers` decide.
    let glob_text = |p: &StrPred| -> Option<String> {
        if p.opaque() {
            return None;
        }
        match p {
            StrPred::Resource { pattern, .. } => Some(pattern.clone()),
            StrPred::Cond { op, value, .. } => match op {
                BaseOperator::StringLike => Some(value.clone()),
                BaseOperator::StringEquals | BaseOperator::BinaryEquals
                    if !value.contains(['*', '?']) =>
                {
                    Some(value.clone())
                }
                _ => None,
            },
        }
    };
    let trues: Vec<(usize, String)> = want
        .iter()
        .filter(|(_, v)| *v)
        .filter_map(|&(i, _)| preds.get(i).and_then(glob_text).map(|t| (i, t)))
        .collect();
    for (n, (i, a)) in trues.iter().enumerate() {
        for (j, b) in trues.iter().skip(n + 1) {
            if !globs_intersect(a, b, false) {
                return Some(vec![(*i, true), (*j, true)]);
            }
        }
    }
    for &(j, v) in want {
        if v {
            continue;
        }
        let Some(big) = preds.get(j).and_then(glob_text) else {
            continue;
        };
        if let Some((i, _)) = trues
            .iter()
            .find(|(_, small)| glob_covers(&big, small, false))
        {
            return Some(vec![(*i, true), (j, false)]);
        }
    }
    // Segment-wise ARN patterns: contradicting fixed prefixes or suffixes.
    let affixed: Vec<(usize, (&str, &str, bool))> = want
        .iter()
        .filter(|(_, v)| *v)
        .filter_map(|&(i, _)| preds.get(i).and_then(affixes).map(|a| (i, a)))
        .collect();
    for (n, &(i, (pi, si, _))) in affixed.iter().enumerate() {
        for &(j, (pj, sj, _)) in affixed.iter().skip(n + 1) {
            let prefixes_clash = !(pi.starts_with(pj) || pj.starts_with(pi));
            let suffixes_clash = !(si.ends_with(sj) || sj.ends_with(si));
            if prefixes_clash || suffixes_clash {
                return Some(vec![(i, true), (j, true)]);
            }
        }
    }
    None
}

/// The outcome of concretising one assignment.
pub(crate) enum Realized {
    /// A string with exactly the assigned truth values (checked with `facts`).
    Witness(String),
    /// No string has them: these atoms (index, value) cannot hold together.
    Impossible(Vec<(usize, bool)>),
    /// Neither could be shown in time.
    GaveUp(String),
}

/// Find a string `w` with `preds[i].holds(w) == v` for every `(i, v)` in `want` (opaque
/// predicates are skipped by the caller).
pub(crate) fn realize(
    preds: &[StrPred],
    want: &[(usize, bool)],
    deadline: std::time::Instant,
) -> Realized {
    let ok = |w: &str| {
        want.iter()
            .all(|&(i, v)| preds.get(i).is_some_and(|p| p.holds(w) == v))
    };
    let mut cands: Vec<String> = Vec::new();
    for &(i, v) in want {
        if v {
            if let Some(p) = preds.get(i) {
                cands.extend(p.candidates());
            }
        }
    }
    cands.extend(
        [
            "iamlogic-none",
            "arn:aws:iamlogic:us-east-1:000000000000:none",
            "",
        ]
        .map(String::from),
    );
    cands.truncate(64);
    if let Some(w) = cands.into_iter().find(|w| ok(w)) {
        return Realized::Witness(w);
    }
    if let Some(core) = quick_core(preds, want) {
        return Realized::Impossible(core);
    }
    // Plain globs: an exact search over the product of the patterns' automata.
    let globs: Option<Vec<(Vec<Tok>, bool)>> = want
        .iter()
        .map(|&(i, v)| preds.get(i).and_then(StrPred::tokens).map(|t| (t, v)))
        .collect();
    if let Some(globs) = globs {
        let mut active: Vec<usize> = (0..want.len())
            .filter(|&n| want.get(n).is_some_and(|w| w.1))
            .collect();
        // Lazily: search with the patterns wanted true, then add each pattern the witness
        // gets wrong (as facts decides) and search again. Patterns wanted false that no
        // shortest witness touches never enter the product, which keeps it small.
        loop {
            let trial: Vec<(Vec<Tok>, bool)> = active
                .iter()
                .filter_map(|&n| globs.get(n).cloned())
                .collect();
            match automata::search(&trial, 20_000, deadline) {
                automata::Search::Found(w) => {
                    if ok(&w) {
                        return Realized::Witness(w);
                    }
                    let wrong: Vec<usize> = (0..want.len())
                        .filter(|n| !active.contains(n))
                        .filter(|&n| {
                            want.get(n).is_some_and(|&(i, v)| {
                                preds.get(i).is_some_and(|p| p.holds(&w) != v)
                            })
                        })
                        .collect();
                    if wrong.is_empty() {
                        break;
                    }
                    active.extend(wrong);
                }
                automata::Search::Impossible => {
                    // Shrink the core: drop each atom whose absence keeps it impossible.
                    let mut core = active;
                    let mut k = 0;
                    while k < core.len()
                        && core.len() > 1
                        && core.len() <= 64
                        && std::time::Instant::now() < deadline
                    {
                        let trial: Vec<(Vec<Tok>, bool)> = core
                            .iter()
                            .enumerate()
                            .filter(|(n, _)| *n != k)
                            .filter_map(|(_, &w)| globs.get(w).cloned())
                            .collect();
                        if matches!(
                            automata::search(&trial, 2_000, deadline),
                            automata::Search::Impossible
                        ) {
                            core.remove(k);
                        } else {
                            k += 1;
                        }
                    }
                    return Realized::Impossible(
                        core.iter().filter_map(|&n| want.get(n).copied()).collect(),
                    );
                }
                automata::Search::TooBig => break,
            }
        }
    }
    let left = deadline.saturating_duration_since(std::time::Instant::now());
    let timeout_ms = u32::try_from(left.as_millis())
        .unwrap_or(u32::MAX)
        .min(5_000);
    // Regular expressions: membership of one string in each language, tracked per atom.
    let solver = Solver::new();
    let mut params = Params::new();
    params.set_u32("timeout", timeout_ms.max(1));
    solver.set_params(&params);
    let x = ZString::new_const("w");
    let mut tracks = Vec::new();
    for (n, &(i, v)) in want.iter().enumerate() {
        let Some(p) = preds.get(i) else { continue };
        let m = x.regex_matches(&p.regex());
        let lit = Bool::new_const(format!("t{n}"));
        solver.assert(lit.implies(if v { m } else { m.not() }));
        tracks.push((lit, (i, v)));
    }
    let lits: Vec<Bool> = tracks.iter().map(|(l, _)| l.clone()).collect();
    match solver.check_assumptions(&lits) {
        SatResult::Sat => {
            let w = solver
                .get_model()
                .and_then(|m| m.eval(&x, true))
                .and_then(|s| s.as_string());
            match w {
                Some(w) if ok(&w) => Realized::Witness(w),
                Some(w) => Realized::GaveUp(format!(
                    "the regular-expression witness `{w}` does not match as facts' matcher says"
                )),
                None => Realized::GaveUp("no string in the regular-expression model".into()),
            }
        }
        SatResult::Unsat => {
            let core = solver.get_unsat_core();
            let atoms = tracks
                .iter()
                .filter(|(l, _)| core.iter().any(|c| c == l))
                .map(|(_, a)| *a)
                .collect();
            Realized::Impossible(atoms)
        }
        SatResult::Unknown => Realized::GaveUp(format!(
            "string solver: {}",
            solver.get_reason_unknown().unwrap_or_default()
        )),
    }
}
