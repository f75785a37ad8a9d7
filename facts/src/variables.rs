//! Policy variables: `${aws:username}`, `${aws:PrincipalTag/key}`, any request key such as
//! `${s3:prefix}`, the escapes `${*}`, `${?}`, `${$}`, and defaults `${aws:key, 'default'}`.
//!
//! References (AWS IAM User Guide, "IAM policy elements: Variables and tags", and "Single-
//! valued vs. multivalued context keys"):
//! - A variable is `$` followed by a key name in braces; it is replaced by the value of that
//!   key in the request context. Variables are used only under `Version` `2012-10-17`, only in
//!   the `Resource` element and in condition **values** (callers decide where).
//! - The special characters `${*}`, `${?}` and `${$}` stand for a literal `*`, `?` and `$`:
//!   they exist so that a policy can name those characters where they would otherwise be
//!   wildcards or start a variable. iamlogic therefore treats the character they produce as
//!   **literal** in a glob ([`GlobToken::Char`]), never as a wildcard.
//! - A default value is written after the key, separated by a comma and a space, in single
//!   quotes: `${aws:PrincipalTag/team, 'company-wide'}`. It is used when the key is absent.
//!   iamlogic accepts any whitespace around the comma and the key.
//! - A key with no value and no default makes the variable unresolvable: the element that
//!   holds it matches nothing ([`substitute`] returns `None`).
//! - Only single-valued keys can be variables; a multivalued key is treated like an absent one
//!   (its default if any, else unresolvable).
//!
//! Values substituted from the request are literal text: a `*` inside a request value is not
//! a wildcard. Text that merely looks like a variable but is not closed (`${aws:username`)
//! stays literal.

use crate::request::{Context, ContextValue};
use crate::wildcard::GlobToken;

/// One piece of a text that may hold variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece<'a> {
    /// Text as written (its `*`/`?` are wildcards in a glob context).
    Raw(&'a str),
    /// A literal character from an escape `${*}`, `${?}` or `${$}`.
    Escaped(char),
    /// A variable with an optional default.
    Var {
        key: &'a str,
        default: Option<&'a str>,
    },
}

/// Whether `text` contains anything that looks like a policy variable (`${`).
pub fn has_variables(text: &str) -> bool {
    // `contains(char)` is a fast byte search; most texts have no `$` at all.
    text.contains('$') && text.contains("${")
}

/// Split `text` into raw text, escapes and variables, calling `f` on each piece in order.
fn pieces<'a>(text: &'a str, mut f: impl FnMut(Piece<'a>) -> Option<()>) -> Option<()> {
    let mut rest = text;
    while let Some(start) = find_open(rest) {
        let after = rest.get(start + 2..).unwrap_or("");
        let Some(end) = after.find('}') else {
            break;
        };
        if start > 0 {
            f(Piece::Raw(rest.get(..start).unwrap_or("")))?;
        }
        let inner = after.get(..end).unwrap_or("");
        f(parse_inner(inner))?;
        rest = after.get(end + 1..).unwrap_or("");
    }
    if !rest.is_empty() {
        f(Piece::Raw(rest))?;
    }
    Some(())
}

/// The byte position of the first `${` in `text` (what `text.find("${")` gives, by a byte
/// loop: cheaper than a substring search's set-up on the short texts of policies).
fn find_open(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    let mut from = 0;
    while let Some(i) = b.get(from..)?.iter().position(|&c| c == b'$') {
        let at = from + i;
        if b.get(at + 1) == Some(&b'{') {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Parse what is between `${` and `}`.
fn parse_inner(inner: &str) -> Piece<'_> {
    match inner.trim() {
        "*" => return Piece::Escaped('*'),
        "?" => return Piece::Escaped('?'),
        "$" => return Piece::Escaped('$'),
        _ => {}
    }
    if let Some((key, default)) = inner.split_once(',') {
        let d = default.trim();
        let quoted = d.len() >= 2 && d.starts_with('\'') && d.ends_with('\'');
        let default = if quoted {
            d.get(1..d.len() - 1)
        } else {
            Some(d)
        };
        return Piece::Var {
            key: key.trim(),
            default,
        };
    }
    Piece::Var {
        key: inner.trim(),
        default: None,
    }
}

/// The value a variable takes: the single value of `key`, else its default.
fn resolve<'a>(key: &str, default: Option<&'a str>, ctx: &'a Context) -> Option<&'a str> {
    match ctx.get(key) {
        Some(ContextValue::Single(v)) => Some(v.as_str()),
        // Multivalued keys cannot be policy variables: treated as absent.
        Some(ContextValue::Multi(_)) | None => default,
    }
}

/// Substitute policy variables in `text` from `ctx`. Returns `None` when a variable has no
/// value and no default (AWS: the statement then does not match). Escapes produce their
/// character. Use [`substitute_pattern`] where the result is a glob, so that escaped and
/// substituted characters stay literal.
pub fn substitute(text: &str, ctx: &Context) -> Option<String> {
    if !has_variables(text) {
        return Some(text.to_string());
    }
    let mut out = String::with_capacity(text.len());
    pieces(text, |p| {
        match p {
            Piece::Raw(s) => out.push_str(s),
            Piece::Escaped(c) => out.push(c),
            Piece::Var { key, default } => out.push_str(resolve(key, default, ctx)?),
        }
        Some(())
    })?;
    Some(out)
}

/// Substitute policy variables in a glob pattern: `*` and `?` written in the text are
/// wildcards; characters from escapes and from substituted values are literal.
pub fn substitute_pattern(text: &str, ctx: &Context) -> Option<Vec<GlobToken>> {
    let mut out = Vec::with_capacity(text.len());
    pieces(text, |p| {
        match p {
            Piece::Raw(s) => crate::wildcard::tokenize(s, &mut out),
            Piece::Escaped(c) => out.push(GlobToken::Char(c)),
            Piece::Var { key, default } => {
                out.extend(resolve(key, default, ctx)?.chars().map(GlobToken::Char))
            }
        }
        Some(())
    })?;
    Some(out)
}

/// A glob pattern after substituting its policy variables ([`substitute_glob`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubstitutedGlob {
    /// A variable has no value and no default: the pattern matches nothing.
    Unresolved,
    /// The substituted text, a glob as written: no escape and no substituted value brought
    /// a `*` or `?`, so its `*`/`?` are exactly the wildcards written in the pattern.
    Plain(String),
    /// The substituted pattern as tokens, since some `*` or `?` in it is literal.
    Tokens(Vec<GlobToken>),
}

/// [`substitute_pattern`] as text when it can be: [`SubstitutedGlob::Plain`] when no literal
/// character of the result is `*` or `?` (then [`crate::wildcard::glob_match`] over the text
/// matches exactly what [`crate::wildcard::glob_match_tokens`] over the tokens would),
/// else the tokens.
pub fn substitute_glob(text: &str, ctx: &Context) -> SubstitutedGlob {
    let mut out = String::with_capacity(text.len() + 16);
    let mut literal_wildcard = false;
    let resolved = pieces(text, |p| {
        match p {
            Piece::Raw(s) => out.push_str(s),
            Piece::Escaped(c) => {
                literal_wildcard |= c == '*' || c == '?';
                out.push(c);
            }
            Piece::Var { key, default } => {
                let v = resolve(key, default, ctx)?;
                literal_wildcard |= v.bytes().any(|b| b == b'*' || b == b'?');
                out.push_str(v);
            }
        }
        Some(())
    });
    match resolved {
        None => SubstitutedGlob::Unresolved,
        Some(()) if !literal_wildcard => SubstitutedGlob::Plain(out),
        Some(()) => match substitute_pattern(text, ctx) {
            Some(toks) => SubstitutedGlob::Tokens(toks),
            None => SubstitutedGlob::Unresolved,
        },
    }
}

/// `text` as a glob in which every variable, whatever its value or default, is a `*`
/// (escapes stay literal; raw `*`/`?` are wildcards when `wildcards`, as in `StringLike` and
/// `Resource`, and literal otherwise, as in `StringEquals`): the language of this glob
/// contains every string the text can match under any request context. The solver uses it
/// to prove that no value of a variable lets a string match.
pub fn relaxed_pattern(text: &str, wildcards: bool) -> Vec<GlobToken> {
    let mut out = Vec::with_capacity(text.len());
    let _ = pieces(text, |p| {
        match p {
            Piece::Raw(s) if wildcards => crate::wildcard::tokenize(s, &mut out),
            Piece::Raw(s) => out.extend(s.chars().map(GlobToken::Char)),
            Piece::Escaped(c) => out.push(GlobToken::Char(c)),
            Piece::Var { .. } => out.push(GlobToken::AnyRun),
        }
        Some(())
    });
    out
}

/// A variable's key and its default (`None`: no default), as written.
pub type Variable<'a> = (&'a str, Option<&'a str>);

/// `text` cut at its variables: the glob pieces between them (escapes literal; raw `*`/`?`
/// wildcards when `wildcards`), one more than the variables, and the variables' keys with
/// their defaults, in order. The language of `text` under values `v1..vn` is
/// `piece0 v1 piece1 ... vn piecen`, which lets the solver compare two patterns for every
/// value of their variables.
pub fn split_at_variables(text: &str, wildcards: bool) -> (Vec<Vec<GlobToken>>, Vec<Variable<'_>>) {
    let mut pieces_out: Vec<Vec<GlobToken>> = vec![Vec::new()];
    let mut vars = Vec::new();
    let _ = pieces(text, |p| {
        let last = pieces_out.len() - 1;
        match p {
            Piece::Raw(s) if wildcards => {
                if let Some(cur) = pieces_out.get_mut(last) {
                    crate::wildcard::tokenize(s, cur);
                }
            }
            Piece::Raw(s) => {
                if let Some(cur) = pieces_out.get_mut(last) {
                    cur.extend(s.chars().map(GlobToken::Char));
                }
            }
            Piece::Escaped(c) => {
                if let Some(cur) = pieces_out.get_mut(last) {
                    cur.push(GlobToken::Char(c));
                }
            }
            Piece::Var { key, default } => {
                vars.push((key, default));
                pieces_out.push(Vec::new());
            }
        }
        Some(())
    });
    (pieces_out, vars)
}

/// The keys of every variable in `text` with their defaults (`None`: no default), as
/// written.
pub fn variables(text: &str) -> Vec<(&str, Option<&str>)> {
    let mut keys = Vec::new();
    let _ = pieces(text, |p| {
        if let Piece::Var { key, default } = p {
            keys.push((key, default));
        }
        Some(())
    });
    keys
}

/// The keys of every variable in `text` (not the escapes), as written.
pub fn variable_keys(text: &str) -> Vec<&str> {
    let mut keys = Vec::new();
    let _ = pieces(text, |p| {
        if let Piece::Var { key, .. } = p {
            keys.push(key);
        }
        Some(())
    });
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wildcard::glob_match_tokens;

    fn ctx(pairs: &[(&str, &str)]) -> Context {
        let mut c = Context::new();
        for (k, v) in pairs {
            c.insert(k, ContextValue::Single(v.to_string()));
        }
        c
    }

    #[test]
    fn aws_username_in_a_resource_doc_example() {
        // Variables and tags: "arn:aws:s3:::amzn-s3-demo-bucket/home/${aws:username}/*".
        let c = ctx(&[("aws:username", "marymajor")]);
        assert_eq!(
            substitute("arn:aws:s3:::bucket/home/${aws:username}/*", &c).as_deref(),
            Some("arn:aws:s3:::bucket/home/marymajor/*")
        );
    }

    #[test]
    fn key_names_are_case_insensitive() {
        let c = ctx(&[("aws:username", "bob")]);
        assert_eq!(substitute("${AWS:UserName}", &c).as_deref(), Some("bob"));
    }

    #[test]
    fn principal_tag_and_service_keys_are_variables() {
        let c = ctx(&[("aws:PrincipalTag/team", "red"), ("s3:prefix", "home/")]);
        assert_eq!(
            substitute("${aws:PrincipalTag/team}-${s3:prefix}", &c).as_deref(),
            Some("red-home/")
        );
    }

    #[test]
    fn missing_key_without_default_is_unresolvable() {
        // Variables and tags, "Policy variables with no value".
        assert_eq!(substitute("x/${aws:username}", &Context::new()), None);
        assert_eq!(
            substitute_pattern("x/${aws:username}", &Context::new()),
            None
        );
    }

    #[test]
    fn default_value_after_comma_in_single_quotes() {
        // Variables and tags, "Specifying default values":
        // ${aws:PrincipalTag/team, 'company-wide'}.
        let empty = Context::new();
        assert_eq!(
            substitute("${aws:PrincipalTag/team, 'company-wide'}", &empty).as_deref(),
            Some("company-wide")
        );
        let c = ctx(&[("aws:PrincipalTag/team", "red")]);
        assert_eq!(
            substitute("${aws:PrincipalTag/team, 'company-wide'}", &c).as_deref(),
            Some("red")
        );
        // Whitespace around the comma is tolerated.
        assert_eq!(
            substitute("${ aws:username ,'anon' }", &empty).as_deref(),
            Some("anon")
        );
    }

    #[test]
    fn multivalued_keys_are_not_variables() {
        // Single-valued vs multivalued context keys: a multivalued key can't be a variable.
        let mut c = Context::new();
        c.insert("aws:TagKeys", ContextValue::Multi(vec!["a".to_string()]));
        assert_eq!(substitute("${aws:TagKeys}", &c), None);
        assert_eq!(substitute("${aws:TagKeys, 'd'}", &c).as_deref(), Some("d"));
    }

    #[test]
    fn escapes_produce_literal_characters() {
        // Variables and tags, special characters ${*}, ${?}, ${$}.
        let empty = Context::new();
        assert_eq!(
            substitute("a${*}b${?}c${$}d", &empty).as_deref(),
            Some("a*b?c$d")
        );
        let toks = substitute_pattern("key${*}", &empty).unwrap();
        assert!(glob_match_tokens(&toks, "key*", false));
        assert!(!glob_match_tokens(&toks, "keyX", false));
        let toks = substitute_pattern("key*", &empty).unwrap();
        assert!(glob_match_tokens(&toks, "keyX", false));
    }

    #[test]
    fn substituted_values_are_literal_in_globs() {
        let c = ctx(&[("s3:prefix", "a*")]);
        let toks = substitute_pattern("${s3:prefix}/*", &c).unwrap();
        assert!(glob_match_tokens(&toks, "a*/x", false));
        assert!(!glob_match_tokens(&toks, "abc/x", false));
    }

    #[test]
    fn find_open_is_find_of_the_opening() {
        for t in [
            "",
            "$",
            "${",
            "a$b${c}",
            "$$${x}",
            "x$}{${",
            "é${a}",
            "no dollar",
        ] {
            assert_eq!(find_open(t), t.find("${"), "{t}");
        }
    }

    #[test]
    fn unclosed_variables_stay_literal() {
        let c = ctx(&[("aws:username", "bob")]);
        assert_eq!(
            substitute("x${aws:username", &c).as_deref(),
            Some("x${aws:username")
        );
        assert_eq!(
            substitute("${aws:username}${", &c).as_deref(),
            Some("bob${")
        );
    }

    #[test]
    fn relaxed_patterns_cover_every_value() {
        let toks = relaxed_pattern("a/${aws:username}/${*}${k, 'd'}", true);
        assert!(glob_match_tokens(&toks, "a/bob/*x", false));
        assert!(glob_match_tokens(&toks, "a//*", false));
        assert!(!glob_match_tokens(&toks, "a/bob/x", false));
        let toks = relaxed_pattern("a*${k}", false);
        assert!(glob_match_tokens(&toks, "a*bob", false));
        assert!(!glob_match_tokens(&toks, "abob", false));
        let (pieces, vars) = split_at_variables("a*/${aws:username}/${*}", true);
        assert_eq!(pieces.len(), 2);
        assert_eq!(vars, vec![("aws:username", None)]);
        assert_eq!(pieces[1], vec![GlobToken::Char('/'), GlobToken::Char('*')]);
        assert_eq!(
            variables("${aws:username}/${k, 'd'}"),
            vec![("aws:username", None), ("k", Some("d"))]
        );
    }

    #[test]
    fn lists_variable_keys() {
        assert_eq!(
            variable_keys("${aws:username}/${*}/${aws:PrincipalTag/t, 'x'}"),
            vec!["aws:username", "aws:PrincipalTag/t"]
        );
    }
}
