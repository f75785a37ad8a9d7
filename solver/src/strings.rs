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
use facts::policy::Condition;
use facts::request::{Context, ContextValue};
use z3::ast::{Bool, Regexp, String as ZString};
use z3::{Params, SatResult, Solver};

/// What the model says of a single-valued key's value, for the impossibility check: the
/// value matches `glob` (a pattern of the key's conditions that its value is said to match,
/// each of that pattern's own variables a `*`); `exact` when the glob is a literal, so the
/// value is exactly it.
#[derive(Debug, Clone)]
pub(crate) struct Pin {
    /// The key (lowercased).
    pub(crate) key: String,
    /// A glob every value the model allows matches.
    pub(crate) glob: Vec<facts::wildcard::GlobToken>,
    /// Whether `glob` is one string.
    pub(crate) exact: bool,
    /// The patterns without variables of the key's conditions, with whether the model says
    /// its value matches each.
    pub(crate) facts: Vec<(StrPred, bool)>,
}

/// Atoms (index, value) that cannot hold together.
type Core = Vec<(usize, bool)>;

/// Automaton tokens with the membership wanted.
type Wanted = (Vec<Tok>, bool);

/// The language of a pattern for the automata search.
enum Lang {
    /// Automaton tokens.
    Tokens(Vec<Tok>),
    /// A pattern whose variable has no value: it matches nothing.
    Empty,
}

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

    /// Whether the pattern has a live policy variable (version 2012-10-17): its language
    /// depends on the values of other keys, which the concretisation substitutes
    /// (IAM User Guide, "IAM policy elements: Variables and tags").
    pub(crate) fn opaque(&self) -> bool {
        let vars = match self {
            StrPred::Resource { variables, .. } | StrPred::Cond { variables, .. } => *variables,
        };
        vars && facts::variables::has_variables(self.text())
    }

    /// The keys (lowercased) of the live variables of the pattern, with whether each has a
    /// default value.
    pub(crate) fn variable_keys(&self) -> Vec<(String, bool)> {
        if !self.opaque() {
            return Vec::new();
        }
        facts::variables::variables(self.text())
            .into_iter()
            .map(|(k, d)| (k.to_ascii_lowercase(), d.is_some()))
            .collect()
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

    /// The pattern's automaton tokens under the variable values of `ctx`, when its language
    /// is one the automata cover and not empty (see [`StrPred::lang`]).
    pub(crate) fn tokens(&self, ctx: &Context) -> Option<Vec<Tok>> {
        match self.lang(ctx)? {
            Lang::Tokens(t) => Some(t),
            Lang::Empty => None,
        }
    }

    /// The pattern as automaton tokens under the variable values of `ctx`, for the
    /// patterns whose language is a plain glob (resources, `StringLike`), one exact string
    /// (`StringEquals`, `BinaryEquals`) or an ARN pattern matched segment-wise (`ArnLike`,
    /// `ArnEquals`). `Some(Lang::Empty)` when a variable has no value and no default (the
    /// pattern matches nothing); `None` for the operators the automata do not cover.
    fn lang(&self, ctx: &Context) -> Option<Lang> {
        use facts::variables::{substitute, substitute_pattern};
        let live = self.opaque();
        let glob = |text: &str| -> Option<Vec<facts::wildcard::GlobToken>> {
            if live {
                substitute_pattern(text, ctx)
            } else {
                let mut out = Vec::new();
                facts::wildcard::tokenize(text, &mut out);
                Some(out)
            }
        };
        let lang = |t: Option<Vec<Tok>>| Some(t.map_or(Lang::Empty, Lang::Tokens));
        match self {
            StrPred::Resource { pattern, .. } => {
                lang(glob(pattern).map(|g| automata::from_glob(&g)))
            }
            StrPred::Cond { op, value, .. } => match op {
                BaseOperator::StringLike => lang(glob(value).map(|g| automata::from_glob(&g))),
                BaseOperator::StringEquals | BaseOperator::BinaryEquals => {
                    let text = if live {
                        substitute(value, ctx)
                    } else {
                        Some(value.clone())
                    };
                    lang(text.map(|t| automata::tokens(&t, true)))
                }
                BaseOperator::ArnLike | BaseOperator::ArnEquals => match glob(value) {
                    None => Some(Lang::Empty),
                    Some(g) => automata::arn_from_glob(&g).map(Lang::Tokens),
                },
                _ => None,
            },
        }
    }

    /// Tokens of a language that contains every string the pattern matches whatever the
    /// values of the keys single-valued in `ctx` (their variables `*`), the other keys
    /// staying as in `ctx` (absent or sets: the default, or no string at all, `Lang::Empty`).
    /// For resources, `StringLike` and `StringEquals`; `None` otherwise.
    /// `over` gives, for a key whose variables are read over a language rather than its
    /// value, that language as a glob (`*`, or what a [`Pin`] says).
    fn lang_over_singles(
        &self,
        ctx: &Context,
        over: &dyn Fn(&str) -> Option<Vec<facts::wildcard::GlobToken>>,
    ) -> Option<Lang> {
        use facts::variables::split_at_variables;
        use facts::wildcard::GlobToken;
        let (text, wildcards) = match self {
            StrPred::Resource { pattern, .. } => (pattern, true),
            StrPred::Cond { op, value, .. } => match op {
                BaseOperator::StringLike => (value, true),
                BaseOperator::StringEquals => (value, false),
                _ => return None,
            },
        };
        if !self.opaque() {
            return self.lang(ctx);
        }
        let (pieces, vars) = split_at_variables(text, wildcards);
        let mut glob: Vec<GlobToken> = Vec::new();
        for (n, piece) in pieces.into_iter().enumerate() {
            if n > 0 {
                let (key, default) = vars.get(n - 1)?;
                if let Some(g) = over(&key.to_ascii_lowercase()) {
                    glob.extend(g);
                } else if let Some(ContextValue::Single(v)) = ctx.get(key) {
                    glob.extend(v.chars().map(GlobToken::Char));
                } else {
                    match default {
                        Some(d) => glob.extend(d.chars().map(GlobToken::Char)),
                        None => return Some(Lang::Empty),
                    }
                }
            }
            glob.extend(piece);
        }
        Some(Lang::Tokens(automata::from_glob(&glob)))
    }

    /// For a key's condition pattern (`StringEquals`, `StringLike`): a glob every value it
    /// matches matches, whatever its variables (each a `*`).
    pub(crate) fn relaxed_glob(&self) -> Option<Vec<facts::wildcard::GlobToken>> {
        use facts::variables::relaxed_pattern;
        match self {
            StrPred::Cond { op, value, .. } => match op {
                BaseOperator::StringLike => Some(relaxed_pattern(value, true)),
                BaseOperator::StringEquals => Some(relaxed_pattern(value, false)),
                _ => None,
            },
            StrPred::Resource { .. } => None,
        }
    }

    /// Tokens of a language that contains every string the pattern matches under any values
    /// of its variables (each variable a `*`), for the patterns whose variables cannot
    /// shift anything else (resources, `StringLike`, `StringEquals`); `None` otherwise.
    pub(crate) fn relaxed(&self) -> Option<Vec<Tok>> {
        use facts::variables::relaxed_pattern;
        match self {
            StrPred::Resource { pattern, .. } => {
                Some(automata::from_glob(&relaxed_pattern(pattern, true)))
            }
            StrPred::Cond { op, value, .. } => match op {
                BaseOperator::StringLike => {
                    Some(automata::from_glob(&relaxed_pattern(value, true)))
                }
                BaseOperator::StringEquals => {
                    Some(automata::from_glob(&relaxed_pattern(value, false)))
                }
                _ => None,
            },
        }
    }

    /// Whether `w` matches, decided by `facts`, with the variable values of `ctx`.
    pub(crate) fn holds(&self, w: &str, ctx: &Context) -> bool {
        match self {
            StrPred::Resource { pattern, variables } => {
                facts::eval::resource_pattern_matches(pattern, w, ctx, *variables)
            }
            // Without a live variable, the condition with `w` as the key's one value is the
            // positive operator on the two texts (`condition_holds` reduces to `compare`).
            StrPred::Cond { op, value, .. } if !self.opaque() => {
                facts::condition::eval::compare(*op, value, w)
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
                let mut ctx = ctx.clone();
                ctx.insert(key, ContextValue::Single(w.to_string()));
                facts::condition::eval::condition_holds(&cond, &ctx, *variables)
            }
        }
    }

    /// The language of the pattern under the variable values of `ctx` as a Z3 regular
    /// expression (`None`: a variable has no value, or an ARN pattern with variables).
    fn regex_in(&self, ctx: &Context) -> Option<Regexp> {
        use facts::variables::{substitute, substitute_pattern};
        if !self.opaque() {
            return Some(self.regex());
        }
        match self {
            StrPred::Resource { pattern, .. } => {
                Some(glob_tokens_regex(&substitute_pattern(pattern, ctx)?))
            }
            StrPred::Cond { op, value, .. } => match op {
                BaseOperator::StringLike => {
                    Some(glob_tokens_regex(&substitute_pattern(value, ctx)?))
                }
                BaseOperator::StringEqualsIgnoreCase => {
                    Some(literal_regex(&substitute(value, ctx)?, true))
                }
                BaseOperator::ArnLike | BaseOperator::ArnEquals => None,
                _ => Some(literal_regex(&substitute(value, ctx)?, false)),
            },
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

    /// The pattern cut at its variables, as automaton tokens: the pieces between the
    /// variables and the variables' keys (lowercased), when the language under any values
    /// is `piece0 v1 piece1 ... vn piecen` and no variable has a default. For `ArnLike` the
    /// variables must lie after the fifth colon (in the resource part, a plain glob).
    pub(crate) fn split(&self) -> Option<(Vec<Vec<Tok>>, Vec<String>)> {
        self.split_with(false)
    }

    /// [`StrPred::split`], also for variables with a default when `defaults` (the language
    /// under a value of the key is the same; only the absent key differs): for proposing
    /// values, never for comparing two patterns.
    pub(crate) fn split_with(&self, defaults: bool) -> Option<(Vec<Vec<Tok>>, Vec<String>)> {
        use facts::variables::split_at_variables;
        use facts::wildcard::GlobToken;
        if !self.opaque() {
            return None;
        }
        let (op, text) = match self {
            StrPred::Resource { pattern, .. } => (BaseOperator::StringLike, pattern),
            StrPred::Cond { op, value, .. } => (*op, value),
        };
        let wildcards = match op {
            BaseOperator::StringLike | BaseOperator::ArnLike | BaseOperator::ArnEquals => true,
            BaseOperator::StringEquals => false,
            _ => return None,
        };
        let (pieces, vars) = split_at_variables(text, wildcards);
        if !defaults && vars.iter().any(|(_, d)| d.is_some()) {
            return None;
        }
        let keys = vars.iter().map(|(k, _)| k.to_ascii_lowercase()).collect();
        let mut out = Vec::new();
        for (n, p) in pieces.iter().enumerate() {
            if n == 0 && matches!(op, BaseOperator::ArnLike | BaseOperator::ArnEquals) {
                let colons = p.iter().filter(|t| **t == GlobToken::Char(':')).count();
                if colons < 5 {
                    return None;
                }
                out.push(automata::arn_from_glob(p)?);
            } else {
                out.push(automata::from_glob(p));
            }
        }
        Some((out, keys))
    }

    /// Strings likely to match this pattern and few others, under the variable values of
    /// `ctx`.
    pub(crate) fn candidates(&self, ctx: &Context) -> Vec<String> {
        let substituted = if self.opaque() {
            facts::variables::substitute(self.text(), ctx)
        } else {
            None
        };
        let t = substituted.as_deref().unwrap_or(self.text());
        let mut out = Vec::new();
        // An ARN pattern: a region and an account where it leaves them open, `example`
        // for the other wildcards (a resource a real request could name).
        let fields: Vec<&str> = t.splitn(6, ':').collect();
        if fields.len() == 6 && fields.first() == Some(&"arn") {
            let filled: Vec<String> = fields
                .iter()
                .enumerate()
                .map(|(i, f)| match (i, *f) {
                    (1, "*") => "aws".to_string(),
                    (3, "*") => "us-east-1".to_string(),
                    (4, "*") => "111122223333".to_string(),
                    (_, f) => f.replace('*', "example").replace('?', "x"),
                })
                .collect();
            out.push(filled.join(":"));
        }
        out.extend(
            [
                t.replace('*', "").replace('?', "a"),
                t.replace(['*', '?'], "x"),
                t.replace('*', "iamlogic").replace('?', "q"),
                t.replace('*', "x/y").replace('?', "0"),
            ]
            .map(String::from),
        );
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
    /// No string has them, whatever the values of policy variables: these atoms (index,
    /// value) cannot hold together (a valid lemma).
    Impossible(Vec<(usize, bool)>),
    /// No string has them while these keys (named by variables) have no single value (they
    /// are absent or sets, so their variables take their defaults or match nothing).
    /// The third list names the keys whose single value in the context was read exactly
    /// (pinned by a literal the request's model says it equals): the lemma holds while they
    /// keep that value.
    ImpossibleUnlessSingle(Vec<(usize, bool)>, Vec<String>, Vec<String>),
    /// No string has them with the variable values of this context, but other values may
    /// give one: a string of the relaxed languages (each variable `*`), if one was found,
    /// hints at them.
    OtherValues(Option<String>),
    /// Neither could be shown in time.
    GaveUp(String),
}

/// The outcome of the automata search over some patterns.
enum Automata {
    Found(String),
    /// Impossible: these entries of the list searched.
    Impossible(Vec<usize>),
    /// Not covered, or over budget.
    NotCovered,
}

/// Search a string with the memberships `want` (languages given), lazily: first with the
/// patterns wanted true, then adding each pattern the witness gets wrong (as `ok_at` says,
/// which asks facts).
fn automata_search(
    langs: &[(Vec<Tok>, bool)],
    ok_at: &dyn Fn(usize, &str) -> bool,
    deadline: std::time::Instant,
) -> Automata {
    let mut active: Vec<usize> = (0..langs.len())
        .filter(|&n| langs.get(n).is_some_and(|w| w.1))
        .collect();
    loop {
        let trial: Vec<(Vec<Tok>, bool)> = active
            .iter()
            .filter_map(|&n| langs.get(n).cloned())
            .collect();
        match automata::search(&trial, 20_000, deadline) {
            automata::Search::Found(w) => {
                let wrong: Vec<usize> = (0..langs.len())
                    .filter(|&n| !ok_at(n, &w))
                    .filter(|n| !active.contains(n))
                    .collect();
                if (0..langs.len()).all(|n| ok_at(n, &w)) {
                    return Automata::Found(w);
                }
                if wrong.is_empty() {
                    return Automata::NotCovered;
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
                        .filter_map(|(_, &w)| langs.get(w).cloned())
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
                return Automata::Impossible(core);
            }
            automata::Search::TooBig => return Automata::NotCovered,
        }
    }
}

/// A candidate string with the memberships `want` (see [`realize`]), when one of the cheap
/// candidates has them: `first`, then the candidates of the patterns wanted true (checked
/// with `facts`).
pub(crate) fn candidate_witness(
    preds: &[StrPred],
    want: &[(usize, bool)],
    ctx: &Context,
    first: &[String],
) -> Option<String> {
    let holds_as_wanted =
        |&(i, v): &(usize, bool), w: &str| preds.get(i).is_some_and(|p| p.holds(w, ctx) == v);
    let ok = |w: &str| want.iter().all(|x| holds_as_wanted(x, w));
    if let Some(w) = first.iter().find(|w| ok(w)) {
        return Some(polish(w.clone(), first, &ok));
    }
    // The policies' own candidates are kept whole (up to 64), however many examples come
    // first: the examples only add to them.
    let mut own: Vec<String> = Vec::new();
    for &(i, v) in want {
        if v {
            if let Some(p) = preds.get(i) {
                own.extend(p.candidates(ctx));
            }
        }
    }
    own.truncate(64);
    own.into_iter()
        .find(|w| ok(w))
        .map(|w| polish(w, first, &ok))
}

/// The shortest witness leaves an ARN's region and account empty where a wildcard allows
/// any: fill them from the first example, when every membership stays as wanted (`ok`).
fn polish(w: String, first: &[String], ok: &dyn Fn(&str) -> bool) -> String {
    let Some(example) = first.first() else {
        return w;
    };
    let (mut ws, es): (Vec<&str>, Vec<&str>) =
        (w.splitn(6, ':').collect(), example.splitn(6, ':').collect());
    if ws.len() < 6 || es.len() < 6 || ws.first() != Some(&"arn") {
        return w;
    }
    for f in [3, 4] {
        if let (Some(slot), Some(e)) = (ws.get_mut(f), es.get(f)) {
            if slot.is_empty() {
                *slot = e;
            }
        }
    }
    let filled = ws.join(":");
    if ok(&filled) {
        filled
    } else {
        w
    }
}

/// Find a string `w` with `preds[i].holds(w, ctx) == v` for every `(i, v)` in `want`, where
/// `ctx` gives the values of the policy variables; `first` are candidates tried before any
/// other (strings of the shape a real request has, such as the ARN format of the action's
/// resource type).
pub(crate) fn realize(
    preds: &[StrPred],
    want: &[(usize, bool)],
    ctx: &Context,
    pinned: &[Pin],
    first: &[String],
    deadline: std::time::Instant,
) -> Realized {
    let holds_as_wanted =
        |&(i, v): &(usize, bool), w: &str| preds.get(i).is_some_and(|p| p.holds(w, ctx) == v);
    let ok = |w: &str| want.iter().all(|x| holds_as_wanted(x, w));
    if let Some(w) = candidate_witness(preds, want, ctx, first) {
        return Realized::Witness(w);
    }
    let polish = |w: String| polish(w, first, &ok);
    let live = |&(i, _): &(usize, bool)| preds.get(i).is_some_and(StrPred::opaque);
    // Patterns without variables: relations decided by facts' glob functions.
    let fixed: Vec<(usize, bool)> = want.iter().copied().filter(|x| !live(x)).collect();
    if let Some(core) = quick_core(preds, &fixed) {
        return Realized::Impossible(core);
    }
    // The automata search with the variables' values substituted.
    // Patterns of operators the automata do not cover (`StringEqualsIgnoreCase`, ...) are
    // left out of it: a core of the others is still impossible, and a string it finds is
    // checked against every pattern (with facts) before it is a witness.
    let langs: Vec<Option<Wanted>> = want
        .iter()
        .map(|&(i, v)| match preds.get(i).and_then(|p| p.lang(ctx)) {
            Some(Lang::Tokens(t)) => Some((t, v)),
            // A pattern that matches nothing is false, whatever the string (wanted true:
            // see `empty_wanted`).
            Some(Lang::Empty) | None => None,
        })
        .collect();
    // A pattern wanted true that matches nothing with these values: other values may do.
    let empty_wanted = want
        .iter()
        .any(|&(i, v)| v && matches!(preds.get(i).and_then(|p| p.lang(ctx)), Some(Lang::Empty)));
    if empty_wanted {
        if let Some(r) = impossible_unless_single(preds, want, ctx, pinned, deadline) {
            return r;
        }
        return impossible_for_all_values(preds, want, pinned, deadline);
    }
    {
        let kept: Vec<usize> = (0..want.len())
            .filter(|&n| langs.get(n).is_some_and(Option::is_some))
            .collect();
        let list: Vec<(Vec<Tok>, bool)> = kept
            .iter()
            .filter_map(|&n| langs.get(n).cloned().flatten())
            .collect();
        let ok_at = |m: usize, w: &str| {
            kept.get(m)
                .and_then(|&n| want.get(n))
                .is_some_and(|x| holds_as_wanted(x, w))
        };
        match automata_search(&list, &ok_at, deadline) {
            Automata::Found(w) if ok(&w) => return Realized::Witness(polish(w)),
            Automata::Found(_) | Automata::NotCovered => {}
            Automata::Impossible(core) => {
                let core: Vec<(usize, bool)> = core
                    .iter()
                    .filter_map(|&m| kept.get(m).and_then(|&n| want.get(n)).copied())
                    .collect();
                if core.iter().any(live) {
                    if let Some(r) = impossible_unless_single(preds, want, ctx, pinned, deadline) {
                        return r;
                    }
                    return impossible_for_all_values(preds, want, pinned, deadline);
                }
                return Realized::Impossible(core);
            }
        }
    }
    if want.iter().any(live) {
        // The patterns without variables the automata do not cover
        // (`StringEqualsIgnoreCase`) may contradict each other alone: Z3's string theory
        // over them gives a valid lemma.
        let uncovered = fixed
            .iter()
            .any(|&(i, _)| preds.get(i).is_some_and(|p| p.lang(ctx).is_none()));
        if uncovered {
            if let Realized::Impossible(core) =
                string_solver(preds, &fixed, &|_: &str| false, deadline)
            {
                return Realized::Impossible(core);
            }
        }
        if let Some(r) = impossible_unless_single(preds, want, ctx, pinned, deadline) {
            return r;
        }
        return impossible_for_all_values(preds, want, pinned, deadline);
    }
    string_solver(preds, want, &ok, deadline)
}

/// Whether no string has the memberships `want` while the keys of the variables that have
/// no single value in `ctx` stay so (they are absent or sets: their variables take their
/// defaults or match nothing), whatever the values of the single-valued ones: patterns wanted
/// true are read with each single-valued key's variable a `*`; patterns wanted false with
/// such a variable are dropped. The core found is a valid lemma under that proviso
/// (`ImpossibleUnlessSingle`, or `Impossible` when no such key takes part). The keys of
/// `pinned` keep their value exactly (the lemma then names it).
fn impossible_unless_single(
    preds: &[StrPred],
    want: &[(usize, bool)],
    ctx: &Context,
    pinned: &[Pin],
    deadline: std::time::Instant,
) -> Option<Realized> {
    use facts::wildcard::GlobToken;
    let is_single = |k: &str| matches!(ctx.get(k), Some(ContextValue::Single(_)));
    let pin = |k: &str| pinned.iter().find(|p| p.key.eq_ignore_ascii_case(k));
    // Keys read exactly: absent or sets (defaults), or pinned to one literal.
    let exact = |k: &str| !is_single(k) || pin(k).is_some_and(|p| p.exact);
    let over = |k: &str| -> Option<Vec<GlobToken>> {
        if !is_single(k) {
            return None;
        }
        match pin(k) {
            Some(p) if p.exact => None,
            Some(p) => Some(p.glob.clone()),
            None => Some(vec![GlobToken::AnyRun]),
        }
    };
    let mut kept = Vec::new();
    let mut list = Vec::new();
    for &(i, v) in want {
        let Some(p) = preds.get(i) else { continue };
        let keys = p.variable_keys();
        let lang = if keys.iter().any(|(k, _)| !exact(k)) {
            if !v {
                continue;
            }
            p.lang_over_singles(ctx, &over)
        } else {
            p.lang(ctx)
        };
        match lang {
            Some(Lang::Tokens(t)) => {
                kept.push((i, v));
                list.push((t, v));
            }
            // Matches nothing while the keys stay so: impossible wanted true.
            Some(Lang::Empty) if v => {
                kept.clear();
                list.clear();
                kept.push((i, v));
                break;
            }
            Some(Lang::Empty) | None => {}
        }
    }
    let core: Vec<(usize, bool)> = if list.is_empty() && kept.len() == 1 {
        kept
    } else {
        let ok_at = |m: usize, w: &str| {
            list.get(m)
                .is_some_and(|(t, v)| automata::accepts(t, w) == *v)
        };
        match automata_search(&list, &ok_at, deadline) {
            Automata::Impossible(c) => c.iter().filter_map(|&n| kept.get(n).copied()).collect(),
            _ => {
                // Patterns the automata do not cover (`StringEqualsIgnoreCase`), read
                // exactly with the values of `ctx`: Z3's string theory over them and the
                // others read exactly.
                let uncovered = want.iter().any(|&(i, _)| {
                    preds.get(i).is_some_and(|p| {
                        p.variable_keys().iter().all(|(k, _)| exact(k)) && p.lang(ctx).is_none()
                    })
                });
                if !uncovered {
                    return None;
                }
                let exact_list: Vec<(Regexp, (usize, bool))> = want
                    .iter()
                    .filter_map(|&(i, v)| {
                        let p = preds.get(i)?;
                        if !p.variable_keys().iter().all(|(k, _)| exact(k)) {
                            return None;
                        }
                        Some((p.regex_in(ctx)?, (i, v)))
                    })
                    .collect();
                z3_impossible(&exact_list, deadline)?
            }
        }
    };
    let mut keys: Vec<String> = Vec::new();
    let mut pins: Vec<String> = Vec::new();
    for &(i, _) in &core {
        for (k, _) in preds.get(i).map(StrPred::variable_keys).unwrap_or_default() {
            if !is_single(&k) && !keys.contains(&k) {
                keys.push(k);
            } else if is_single(&k) && pin(&k).is_some() && !pins.contains(&k) {
                pins.push(k);
            }
        }
    }
    Some(if keys.is_empty() && pins.is_empty() {
        Realized::Impossible(core)
    } else {
        Realized::ImpossibleUnlessSingle(core, keys, pins)
    })
}

/// Whether no string has the memberships `want` whatever the values of the variables:
/// patterns with variables wanted true are relaxed (each variable a `*`), those wanted
/// false are dropped, and the automata search proves the relaxation impossible (then so is
/// the original, a valid lemma) or not (`OtherValues`).
fn impossible_for_all_values(
    preds: &[StrPred],
    want: &[(usize, bool)],
    pinned: &[Pin],
    deadline: std::time::Instant,
) -> Realized {
    let empty = Context::new();
    let mut kept = Vec::new();
    let mut list = Vec::new();
    for &(i, v) in want {
        let Some(p) = preds.get(i) else { continue };
        let toks = if p.opaque() {
            if !v {
                continue;
            }
            p.relaxed()
        } else {
            match p.lang(&empty) {
                Some(Lang::Tokens(t)) => Some(t),
                _ => None,
            }
        };
        if let Some(t) = toks {
            kept.push((i, v));
            list.push((t, v));
        }
    }
    // The relaxed memberships are decided by the relaxed languages themselves.
    let ok_at = |m: usize, w: &str| {
        list.get(m)
            .is_some_and(|(t, v)| automata::accepts(t, w) == *v)
    };
    let hint = match automata_search(&list, &ok_at, deadline) {
        Automata::Impossible(core) => {
            return Realized::Impossible(
                core.iter().filter_map(|&n| kept.get(n).copied()).collect(),
            )
        }
        Automata::Found(w) => Some(w),
        Automata::NotCovered => None,
    };
    // Patterns with the same variables in the same order: if each piece of one lies inside
    // the matching piece of the other, so does the whole pattern, for every value of the
    // variables (concatenation is monotone).
    for &(i, vi) in want {
        for &(j, vj) in want {
            if !vi || vj {
                continue;
            }
            let (Some(p), Some(q)) = (preds.get(i), preds.get(j)) else {
                continue;
            };
            if pieces_inside(p, q, deadline) {
                return Realized::Impossible(vec![(i, true), (j, false)]);
            }
        }
    }
    if let Some((core, pins)) = impossible_with_tied_variables(preds, want, pinned, deadline) {
        if pins.is_empty() {
            return Realized::Impossible(core);
        }
        return Realized::ImpossibleUnlessSingle(core, Vec::new(), pins);
    }
    Realized::OtherValues(hint)
}

/// Whether no string has the memberships `want` for any values of the variables, each key's
/// variables standing for one string wherever they occur (`b/${aws:username}` and
/// `b/${aws:username}/*` never match the same string), proved by Z3's string theory: the
/// string is `piece0 v1 piece1 ... vn piecen` for each pattern with variables wanted true
/// (pieces in their glob languages), and in or out of the language of each pattern without
/// variables. Patterns with variables wanted false, or with a default (an absent key gives
/// each occurrence its own default), are left out: the core found is then a valid lemma.
///
/// A pinned key's variable is moreover in the languages of the patterns without variables
/// that the model says its value matches or not (`StringEqualsIgnoreCase ALICE`), and may
/// have a default (the pin says the key has one value); the pins the proof uses are returned
/// beside the core.
fn impossible_with_tied_variables(
    preds: &[StrPred],
    want: &[(usize, bool)],
    pinned: &[Pin],
    deadline: std::time::Instant,
) -> Option<(Core, Vec<String>)> {
    use facts::variables::split_at_variables;
    use std::collections::BTreeMap;
    let pin = |k: &str| pinned.iter().find(|p| p.key.eq_ignore_ascii_case(k));
    let usable = |p: &StrPred| {
        p.opaque()
            && (p.split().is_some()
                || p.split_with(true).is_some_and(|(_, keys)| {
                    p.variable_keys()
                        .iter()
                        .all(|(k, d)| !d || pin(k).is_some())
                        && !keys.is_empty()
                }))
    };
    let tied: Vec<&StrPred> = want
        .iter()
        .filter(|&&(_, v)| v)
        .filter_map(|&(i, _)| preds.get(i))
        .filter(|p| usable(p))
        .collect();
    let pinned_vars = tied
        .iter()
        .any(|p| p.variable_keys().iter().any(|(k, _)| pin(k).is_some()));
    if tied.len() < 2 && !pinned_vars {
        return None;
    }
    let query = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for &(i, v) in want {
            (preds.get(i), v).hash(&mut h);
        }
        for p in pinned {
            (&p.key, &p.facts).hash(&mut h);
        }
        h.finish()
    };
    if UNDECIDED.with(|u| u.borrow().contains(&query)) {
        return None;
    }
    let solver = string_query(deadline, QUERY_RLIMIT)?;
    let x = ZString::new_const("w");
    let mut vars: BTreeMap<String, ZString> = BTreeMap::new();
    let mut tracks = Vec::new();
    for (n, &(i, v)) in want.iter().enumerate() {
        let Some(p) = preds.get(i) else { continue };
        let fact = if p.opaque() {
            let (text, wildcards) = match p {
                StrPred::Resource { pattern, .. } => (pattern, true),
                StrPred::Cond { op, value, .. } => match op {
                    BaseOperator::StringLike => (value, true),
                    BaseOperator::StringEquals => (value, false),
                    _ => continue,
                },
            };
            if !v || !usable(p) {
                continue;
            }
            let (pieces, keys) = split_at_variables(text, wildcards);
            let mut parts: Vec<ZString> = Vec::new();
            let mut memberships: Vec<Bool> = Vec::new();
            for (m, piece) in pieces.iter().enumerate() {
                if m > 0 {
                    let (k, _) = keys.get(m - 1)?;
                    let k = k.to_ascii_lowercase();
                    let var = vars
                        .entry(k.clone())
                        .or_insert_with(|| ZString::new_const(format!("v_{k}")))
                        .clone();
                    parts.push(var);
                }
                let part = ZString::fresh_const("piece");
                memberships.push(part.regex_matches(&glob_tokens_regex(piece)));
                parts.push(part);
            }
            memberships.push(x.eq(ZString::concat(&parts)));
            Bool::and(&memberships)
        } else {
            let m = x.regex_matches(&p.regex());
            if v {
                m
            } else {
                m.not()
            }
        };
        let lit = Bool::new_const(format!("t{n}"));
        solver.assert(lit.implies(fact));
        tracks.push((lit, (i, v)));
    }
    // What the model says of the pinned keys' values.
    let mut pin_tracks = Vec::new();
    for (k, var) in &vars {
        let Some(p) = pin(k) else { continue };
        let facts: Vec<Bool> = p
            .facts
            .iter()
            .map(|(q, v)| {
                let m = var.regex_matches(&q.regex());
                if *v {
                    m
                } else {
                    m.not()
                }
            })
            .collect();
        if facts.is_empty() {
            continue;
        }
        let lit = Bool::new_const(format!("pin_{k}"));
        solver.assert(lit.implies(Bool::and(&facts)));
        pin_tracks.push((lit, k.clone()));
    }
    let lits: Vec<Bool> = tracks
        .iter()
        .map(|(l, _)| l.clone())
        .chain(pin_tracks.iter().map(|(l, _)| l.clone()))
        .collect();
    match solver.check_assumptions(&lits) {
        SatResult::Unsat => {
            let core = solver.get_unsat_core();
            let used = |l: &Bool| core.iter().any(|c| c == l);
            let atoms = tracks
                .iter()
                .filter(|(l, _)| used(l))
                .map(|(_, a)| *a)
                .collect();
            // A variable with a default is read as the key's value only while the key is
            // pinned (single): such keys are named whether or not their facts were used.
            let mut pins: Vec<String> = pin_tracks
                .iter()
                .filter(|(l, _)| used(l))
                .map(|(_, k)| k.clone())
                .collect();
            for p in &tied {
                for (k, d) in p.variable_keys() {
                    if d && !pins.contains(&k) {
                        pins.push(k);
                    }
                }
            }
            Some((atoms, pins))
        }
        SatResult::Sat | SatResult::Unknown => {
            UNDECIDED.with(|u| u.borrow_mut().insert(query));
            None
        }
    }
}

thread_local! {
    /// Queries of [`impossible_with_tied_variables`] that found no proof (sat, or Z3 gave
    /// up in its time): the decoder asks the same one for each value it tries, and the
    /// answer does not depend on the values.
    static UNDECIDED: std::cell::RefCell<std::collections::HashSet<u64>> =
        std::cell::RefCell::new(std::collections::HashSet::new());
}

/// The work one string-theory query may do before it gives up (Z3's `rlimit`, a count of
/// its internal steps): a bound that does not depend on the machine's load, unlike a
/// timeout, so the decoder's path (and the verdict's evidence) is the same on a loaded
/// machine as on a quiet one. Z3's steps do not take a fixed time: a query over about 30
/// regular expressions (`SageMakerStudioProjectUserRolePermissionsBoundary` v2->v3) ran
/// 1.8 million steps in 2.4 s, so this limit stops such a query after about 0.3 s.
const QUERY_RLIMIT: u32 = 300_000;
/// The same for the last resort, [`string_solver`], which answers the queries it gets in
/// far fewer seconds per step (20.9 million steps in about 1 s, measured on the corpus).
const LAST_RESORT_RLIMIT: u32 = 50_000_000;

/// A Z3 solver for one string-theory query, bounded by `rlimit` and by the proof's
/// deadline (the `--timeout` the user gave); `None` past the deadline.
fn string_query(deadline: std::time::Instant, rlimit: u32) -> Option<Solver> {
    let left = deadline.saturating_duration_since(std::time::Instant::now());
    let timeout_ms = u32::try_from(left.as_millis()).unwrap_or(u32::MAX);
    if timeout_ms == 0 {
        return None;
    }
    let solver = Solver::new();
    let mut params = Params::new();
    params.set_u32("timeout", timeout_ms);
    params.set_u32("rlimit", rlimit);
    solver.set_params(&params);
    Some(solver)
}

/// Whether no string is in or out of each regular expression as listed, by Z3's string
/// theory in a short time: the entries of an unsat core.
fn z3_impossible(
    list: &[(Regexp, (usize, bool))],
    deadline: std::time::Instant,
) -> Option<Vec<(usize, bool)>> {
    if list.is_empty() {
        return None;
    }
    let solver = string_query(deadline, QUERY_RLIMIT)?;
    let x = ZString::new_const("w");
    let mut lits = Vec::new();
    for (n, (r, (_, v))) in list.iter().enumerate() {
        let m = x.regex_matches(r);
        let lit = Bool::new_const(format!("t{n}"));
        solver.assert(lit.implies(if *v { m } else { m.not() }));
        lits.push(lit);
    }
    match solver.check_assumptions(&lits) {
        SatResult::Unsat => {
            let core = solver.get_unsat_core();
            Some(
                lits.iter()
                    .zip(list)
                    .filter(|(l, _)| core.iter().any(|c| c == *l))
                    .map(|(_, (_, a))| *a)
                    .collect(),
            )
        }
        SatResult::Sat | SatResult::Unknown => None,
    }
}

/// A glob (as tokens) as a Z3 regular expression.
fn glob_tokens_regex(glob: &[facts::wildcard::GlobToken]) -> Regexp {
    use facts::wildcard::GlobToken;
    let parts: Vec<Regexp> = glob
        .iter()
        .map(|t| match t {
            GlobToken::AnyRun => Regexp::allchar().star(),
            GlobToken::AnyChar => Regexp::allchar(),
            GlobToken::Char(c) => Regexp::literal(&c.to_string()),
        })
        .collect();
    concat_all(parts)
}

/// Whether `p`'s language lies inside `q`'s for every value of their variables (a
/// sufficient check: same variables in the same order, each piece inside its counterpart).
fn pieces_inside(p: &StrPred, q: &StrPred, deadline: std::time::Instant) -> bool {
    let (Some((pp, pk)), Some((qp, qk))) = (p.split(), q.split()) else {
        return false;
    };
    pk == qk
        && pp.len() == qp.len()
        && pp.iter().zip(&qp).all(|(a, b)| {
            matches!(
                automata::search(&[(a.clone(), true), (b.clone(), false)], 5_000, deadline),
                automata::Search::Impossible
            )
        })
}

/// The last resort, for operators the automata do not cover: Z3's string theory, with the
/// patterns as regular expressions and the atoms as tracked assumptions.
fn string_solver(
    preds: &[StrPred],
    want: &[(usize, bool)],
    ok: &dyn Fn(&str) -> bool,
    deadline: std::time::Instant,
) -> Realized {
    // Regular expressions: membership of one string in each language, tracked per atom.
    let Some(solver) = string_query(deadline, LAST_RESORT_RLIMIT) else {
        return Realized::GaveUp("timeout".to_string());
    };
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
