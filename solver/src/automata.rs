//! Finding a string with a given set of glob memberships by breadth-first search over the
//! product of the patterns' automata: each pattern is a small NFA (a position in the
//! pattern), a state of the search is one set of positions per pattern, and the alphabet is
//! the characters the patterns name plus one fresh character standing for all others (which
//! all behave alike). Within its state budget the search is exact: it returns the shortest
//! string with exactly the wanted memberships, or proves that there is none.

use std::collections::{HashSet, VecDeque};

use facts::wildcard::GlobToken;

/// One glob token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Tok {
    /// A literal character.
    Lit(char),
    /// `?`: exactly one character.
    One,
    /// `*`: any run of characters.
    Star,
    /// `?` within one of an ARN pattern's first five segments: one character but `:`.
    SegOne,
    /// `*` within one of an ARN pattern's first five segments: any run without `:`.
    SegStar,
}

/// Tokens of a glob (`literal`: `*` and `?` are plain characters).
pub(crate) fn tokens(text: &str, literal: bool) -> Vec<Tok> {
    text.chars()
        .map(|c| match c {
            '*' if !literal => Tok::Star,
            '?' if !literal => Tok::One,
            c => Tok::Lit(c),
        })
        .collect()
}

/// Tokens of a glob tokenized by `facts` (variables substituted, escapes literal).
pub(crate) fn from_glob(glob: &[GlobToken]) -> Vec<Tok> {
    glob.iter()
        .map(|t| match t {
            GlobToken::AnyRun => Tok::Star,
            GlobToken::AnyChar => Tok::One,
            GlobToken::Char(c) => Tok::Lit(*c),
        })
        .collect()
}

/// Tokens of an `ArnLike`/`ArnEquals` pattern, following `facts::arn::arn_like`: a pattern
/// without `:` is a plain glob; otherwise its first five `:`-separated segments are globs
/// whose wildcards do not span `:`, joined by literal colons, and the rest is a plain glob.
/// A value matches the sequence exactly when its first five colons align with the
/// pattern's, which is the segment-wise rule. `None` for a pattern with colons but fewer
/// than six segments (it matches nothing; the caller falls back to the string solver).
#[cfg(test)]
pub(crate) fn arn_tokens(text: &str) -> Option<Vec<Tok>> {
    let mut glob = Vec::new();
    facts::wildcard::tokenize(text, &mut glob);
    arn_from_glob(&glob)
}

/// [`arn_tokens`] for a pattern tokenized by `facts` (`facts::arn::arn_like_tokens`).
pub(crate) fn arn_from_glob(glob: &[GlobToken]) -> Option<Vec<Tok>> {
    let colon = |t: &GlobToken| *t == GlobToken::Char(':');
    if !glob.iter().any(colon) {
        return Some(from_glob(glob));
    }
    let mut out = Vec::new();
    let mut rest = glob;
    for _ in 0..5 {
        let i = rest.iter().position(colon)?;
        out.extend(rest.get(..i).unwrap_or(&[]).iter().map(|t| match t {
            GlobToken::AnyRun => Tok::SegStar,
            GlobToken::AnyChar => Tok::SegOne,
            GlobToken::Char(c) => Tok::Lit(*c),
        }));
        out.push(Tok::Lit(':'));
        rest = rest.get(i + 1..).unwrap_or(&[]);
    }
    out.extend(from_glob(rest));
    Some(out)
}

/// The outcome of a search.
pub(crate) enum Search {
    /// A string with exactly the wanted memberships.
    Found(String),
    /// No string has them.
    Impossible,
    /// The state budget ran out.
    TooBig,
}

/// Add to `set` (positions, any order) every position reachable through `*` tokens, and
/// sort it. Closure only moves forward, so one pass over the sorted set suffices: linear in
/// the set's size plus a sort, for patterns of thousands of stars as for short ones.
fn close(t: &[Tok], set: &mut Vec<u16>) {
    if t.len() > 128 {
        return close_long(t, set);
    }
    set.sort_unstable();
    set.dedup();
    let mut i = 0;
    while let Some(&p) = set.get(i) {
        if let Some(Tok::Star | Tok::SegStar) = t.get(usize::from(p)) {
            let next = p + 1;
            // `set` is sorted up to `i`; positions are added in increasing order.
            match set.get(i + 1) {
                Some(&q) if q == next => {}
                _ => {
                    let at = set.partition_point(|&x| x < next);
                    if set.get(at) != Some(&next) {
                        set.insert(at, next);
                    }
                }
            }
        }
        i += 1;
    }
}

/// [`close`] for long patterns: a mark per position, linear in the pattern's length.
fn close_long(t: &[Tok], set: &mut Vec<u16>) {
    let mut mark = vec![false; t.len() + 1];
    for &p in set.iter() {
        if let Some(m) = mark.get_mut(usize::from(p)) {
            *m = true;
        }
    }
    for p in 0..t.len() {
        if mark.get(p).copied().unwrap_or(false)
            && matches!(t.get(p), Some(Tok::Star | Tok::SegStar))
        {
            if let Some(m) = mark.get_mut(p + 1) {
                *m = true;
            }
        }
    }
    set.clear();
    set.extend(
        mark.iter()
            .enumerate()
            .filter(|(_, m)| **m)
            .filter_map(|(p, _)| u16::try_from(p).ok()),
    );
}

/// The positions of `t`'s automaton before any character.
pub(crate) fn start(t: &[Tok]) -> Vec<u16> {
    let mut s = vec![0u16];
    close(t, &mut s);
    s
}

/// The positions of `t`'s automaton after reading `c` from the positions `set`.
pub(crate) fn step(t: &[Tok], set: &[u16], c: char) -> Vec<u16> {
    let mut out = Vec::with_capacity(set.len());
    for &p in set {
        match t.get(usize::from(p)) {
            Some(Tok::Lit(d)) if *d == c => out.push(p + 1),
            Some(Tok::One) => out.push(p + 1),
            Some(Tok::Star) => out.push(p),
            Some(Tok::SegOne) if c != ':' => out.push(p + 1),
            Some(Tok::SegStar) if c != ':' => out.push(p),
            _ => {}
        }
    }
    close(t, &mut out);
    out
}

/// Whether the automaton of `t` accepts `w`.
pub(crate) fn accepts(t: &[Tok], w: &str) -> bool {
    let mut set = vec![0u16];
    close(t, &mut set);
    for c in w.chars() {
        set = step(t, &set, c);
        if set.is_empty() {
            return false;
        }
    }
    set.contains(&(t.len() as u16))
}

/// A shortest string that each pattern of `want` matches exactly when its flag says so.
pub(crate) fn search(
    want: &[(Vec<Tok>, bool)],
    budget: usize,
    deadline: std::time::Instant,
) -> Search {
    let mut alphabet: Vec<char> = want
        .iter()
        .flat_map(|(t, _)| t.iter())
        .filter_map(|t| match t {
            Tok::Lit(c) => Some(*c),
            _ => None,
        })
        .collect();
    alphabet.sort_unstable();
    alphabet.dedup();
    if let Some(fresh) = ['x', 'q', 'z', '0', '~', '#']
        .into_iter()
        .chain('a'..='z')
        .find(|c| !alphabet.contains(c))
    {
        alphabet.push(fresh);
    }
    let accepts = |state: &[Vec<u16>]| {
        want.iter()
            .zip(state)
            .all(|((t, v), s)| s.contains(&(t.len() as u16)) == *v)
    };
    let start: Vec<Vec<u16>> = want
        .iter()
        .map(|(t, _)| {
            let mut s = vec![0u16];
            close(t, &mut s);
            s
        })
        .collect();
    if want.iter().any(|(t, _)| t.len() >= usize::from(u16::MAX)) {
        return Search::TooBig;
    }
    let mut seen: HashSet<Vec<Vec<u16>>> = HashSet::new();
    let mut queue: VecDeque<(Vec<Vec<u16>>, String)> = VecDeque::new();
    seen.insert(start.clone());
    queue.push_back((start, String::new()));
    while let Some((state, text)) = queue.pop_front() {
        if accepts(&state) {
            return Search::Found(text);
        }
        for &c in &alphabet {
            let next: Vec<Vec<u16>> = want
                .iter()
                .zip(&state)
                .map(|((t, _), s)| step(t, s, c))
                .collect();
            // A pattern wanted true whose automaton died can never match again.
            if want.iter().zip(&next).any(|((_, v), s)| *v && s.is_empty()) {
                continue;
            }
            if seen.insert(next.clone()) {
                if seen.len() > budget
                    || (seen.len().is_multiple_of(256) && std::time::Instant::now() >= deadline)
                {
                    return Search::TooBig;
                }
                let mut t = text.clone();
                t.push(c);
                queue.push_back((next, t));
            }
        }
    }
    Search::Impossible
}

#[cfg(test)]
mod tests {
    use super::*;

    fn far() -> std::time::Instant {
        std::time::Instant::now() + std::time::Duration::from_secs(60)
    }

    fn w(p: &[(&str, bool)]) -> Vec<(Vec<Tok>, bool)> {
        p.iter().map(|(t, v)| (tokens(t, false), *v)).collect()
    }

    #[test]
    fn finds_a_string_in_two_overlapping_arn_globs() {
        let want = w(&[
            ("arn:aws:ssm:*:*:document/AWS-*UnmanagedEC2*", true),
            ("arn:aws:ssm:*:*:automation-execution/*", true),
            ("*", true),
        ]);
        match search(&want, 100_000, far()) {
            Search::Found(s) => {
                assert!(facts::wildcard::glob_match(
                    "arn:aws:ssm:*:*:document/AWS-*UnmanagedEC2*",
                    &s,
                    false
                ));
                assert!(facts::wildcard::glob_match(
                    "arn:aws:ssm:*:*:automation-execution/*",
                    &s,
                    false
                ));
            }
            _ => panic!("expected a witness"),
        }
    }

    fn arn(p: &[(&str, bool)]) -> Vec<(Vec<Tok>, bool)> {
        p.iter()
            .filter_map(|(t, v)| arn_tokens(t).map(|k| (k, *v)))
            .collect()
    }

    #[test]
    fn arn_like_wildcards_stay_within_their_segment() {
        // IAM User Guide, ARN condition operators: ArnLike compares each of the six
        // colon-delimited parts separately. `arn:*:x` has a `*` in the partition segment,
        // which cannot span the service `s3`; the search must agree with facts' matcher.
        let want = arn(&[("arn:aws:*:::b", true), ("arn:aws:s3:::*", false)]);
        match search(&want, 100_000, far()) {
            Search::Found(s) => {
                assert!(facts::arn::arn_like("arn:aws:*:::b", &s));
                assert!(!facts::arn::arn_like("arn:aws:s3:::*", &s));
            }
            _ => panic!("expected a witness"),
        }
        // Segment by segment, `arn:aws:s3:*:1:r` lies inside `arn:aws:s3:*:*:*`.
        let want = arn(&[("arn:aws:s3:*:1:r", true), ("arn:aws:s3:*:*:*", false)]);
        assert!(matches!(search(&want, 100_000, far()), Search::Impossible));
        // Same patterns under ArnLike and StringLike when the wildcard is in the resource
        // part: matching one and not the other is impossible (the ArnLike pattern's `*`
        // spans `:` there).
        let mut want = arn(&[("arn:aws:iam::aws:policy/AWSElastic*", true)]);
        want.push((tokens("arn:aws:iam::aws:policy/AWSElastic*", false), false));
        assert!(matches!(search(&want, 100_000, far()), Search::Impossible));
        assert!(arn_tokens("arn:aws:s3").is_none());
    }

    #[test]
    fn proves_containment_and_disjointness() {
        // `bucket/?` inside `bucket/*`: matching the first and not the second is impossible.
        let want = w(&[
            ("arn:aws:s3:::bucket/?", true),
            ("arn:aws:s3:::bucket/*", false),
        ]);
        assert!(matches!(search(&want, 100_000, far()), Search::Impossible));
        let want = w(&[("a*", true), ("b*", true)]);
        assert!(matches!(search(&want, 100_000, far()), Search::Impossible));
        // `arn:aws:s3:::*` but not `bucket/*`: the shortest witness is the bare prefix.
        let want = w(&[("arn:aws:s3:::*", true), ("arn:aws:s3:::bucket/*", false)]);
        assert!(matches!(search(&want, 100_000, far()), Search::Found(s) if s == "arn:aws:s3:::"));
    }
}
