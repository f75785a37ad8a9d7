//! IAM wildcard matching: `*` matches any run of characters (including none and `/`),
//! `?` matches exactly one character. This is the one implementation of glob matching in
//! iamlogic: actions, resources, `StringLike` and `ArnLike` all come here.
//!
//! Reference: IAM User Guide, "IAM JSON policy elements: Resource" ("You can use wildcard
//! characters (* and ?) within any ARN segment") and "Action" (action names are
//! case-insensitive).
//!
//! The matchers here never allocate: they walk the UTF-8 bytes of pattern and text with the
//! classic single-backtrack algorithm (one saved `*` position), which is exact for `*`/`?`
//! globs. `*` and `?` are ASCII, so they never occur inside a multi-byte character, and `?`
//! and a backtracking `*` always step over whole characters.

/// Whether `text` matches the glob `pattern`. With `ignore_case`, letters compare
/// case-insensitively (action names); otherwise exactly (ARNs, `StringLike`).
///
/// Runs in O(len(pattern) * len(text)) worst case and does not allocate. A pattern whose
/// only wildcard is `*` (what policies almost always hold) is matched by its literal pieces
/// ([`star_glob_match`]); a `?`, or a case-insensitive match over non-ASCII text, takes the
/// character-by-character walk ([`glob_match_general`]). Both give the same answers (unit
/// tests below compare them with a reference model).
pub fn glob_match(pattern: &str, text: &str, ignore_case: bool) -> bool {
    if !ignore_case {
        // ARNs: long literal heads that mostly match; their bytes are compared at once.
        return glob_match_from_wildcard(pattern, text, false);
    }
    // Action names: the pattern's literal head, compared while it lasts (a policy's long
    // lists of wildcard-free actions mostly differ from the request in their first bytes).
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let mut i = 0;
    loop {
        let Some(&a) = p.get(i) else {
            // A literal pattern, matched to its end: the text must end too.
            return i == t.len();
        };
        if a == b'*' || a == b'?' {
            break;
        }
        let Some(&c) = t.get(i) else {
            // The text ended before a literal character of the pattern.
            return false;
        };
        if a == c || (ignore_case && a < 0x80 && c < 0x80 && a.eq_ignore_ascii_case(&c)) {
            i += 1;
            continue;
        }
        if !ignore_case || (a < 0x80 && c < 0x80) {
            // Different characters (equal bytes before `i` were equal characters, ASCII
            // pairs single ones): no match.
            return false;
        }
        // A non-ASCII character folded case-insensitively: the character walk decides.
        return glob_match_general(pattern, text, ignore_case);
    }
    // `pattern[..i]` matched `text[..i]` character for character; `i` is a boundary of both.
    match (pattern.get(i..), text.get(i..)) {
        (Some(rest), Some(text_rest)) => glob_match_from_wildcard(rest, text_rest, ignore_case),
        _ => glob_match_general(pattern, text, ignore_case),
    }
}

/// [`glob_match`] by the pattern's class (any pattern; [`glob_match`] calls it with what
/// follows a case-insensitive pattern's literal head, or with a whole case-sensitive one).
fn glob_match_from_wildcard(pattern: &str, text: &str, ignore_case: bool) -> bool {
    if pattern == "*" {
        return true;
    }
    // Byte loops: patterns are short, and a word-at-a-time search (memchr) costs more to
    // set up than it saves on them.
    let p = pattern.as_bytes();
    let Some(first) = p.iter().position(|&b| b == b'*' || b == b'?') else {
        return if ignore_case {
            eq_ignore_case(pattern, text)
        } else {
            pattern == text
        };
    };
    let (head, wild) = p.split_at(first);
    if wild == b"*" {
        // One trailing `*` (`s3:Get*`, `arn:aws:s3:::bucket/*`): a prefix.
        return prefix_bytes_match(head, text, ignore_case)
            .unwrap_or_else(|| glob_match_general(pattern, text, ignore_case));
    }
    if wild.contains(&b'?') || (ignore_case && !(pattern.is_ascii() && text.is_ascii())) {
        return glob_match_general(pattern, text, ignore_case);
    }
    star_glob_match(p, text.as_bytes(), ignore_case)
}

/// Whether `text` starts with `prefix`, comparing as [`glob_match`] does (`prefix*`), when
/// the bytes tell: `None` when a case-insensitive comparison meets a non-ASCII character
/// on one side only before it is decided (Unicode case folding can pair characters of
/// different lengths, such as the Kelvin sign and `k`). Equal bytes are equal characters;
/// the first pair of different ASCII bytes, or the end of the text, decides (every
/// character before paired with one of the same bytes or an ASCII one).
pub(crate) fn prefix_bytes_match(prefix: &[u8], text: &str, ignore_case: bool) -> Option<bool> {
    let t = text.as_bytes();
    if !ignore_case {
        return Some(t.starts_with(prefix));
    }
    for (i, &p) in prefix.iter().enumerate() {
        let Some(&c) = t.get(i) else {
            return Some(false);
        };
        if p == c {
            continue;
        }
        if p < 0x80 && c < 0x80 {
            if p.eq_ignore_ascii_case(&c) {
                continue;
            }
            return Some(false);
        }
        return None;
    }
    Some(true)
}

/// A glob whose only wildcard is `*`, matched by its literal pieces: the text must start
/// with the piece before the first `*`, end with the piece after the last one (without the
/// two overlapping), and hold the pieces between, in order, in what is left; taking each
/// piece at its leftmost place is optimal. Bytes compare exactly (equal UTF-8 bytes are
/// equal characters, and a piece found in valid UTF-8 starts and ends on character
/// boundaries), or ASCII-case-insensitively with `ignore_case`, which callers use only
/// when pattern and text are ASCII (where AWS's per-character case folding is ASCII's).
pub(crate) fn star_glob_match(pattern: &[u8], text: &[u8], ignore_case: bool) -> bool {
    let mut pieces = pattern.split(|&b| b == b'*');
    let head = pieces.next().unwrap_or(&[]);
    let Some(tail) = pieces.next_back() else {
        // No `*` at all: the whole pattern is literal.
        return bytes_eq(head, text, ignore_case);
    };
    if text.len() < head.len() + tail.len() {
        return false;
    }
    let (start, rest) = text.split_at(head.len());
    let (mut middle, end) = rest.split_at(rest.len() - tail.len());
    if !bytes_eq(head, start, ignore_case) || !bytes_eq(tail, end, ignore_case) {
        return false;
    }
    for piece in pieces.filter(|p| !p.is_empty()) {
        match find_bytes(middle, piece, ignore_case) {
            Some(i) => middle = middle.get(i + piece.len()..).unwrap_or(&[]),
            None => return false,
        }
    }
    true
}

/// Byte equality, ASCII-case-insensitive with `ignore_case`.
fn bytes_eq(a: &[u8], b: &[u8], ignore_case: bool) -> bool {
    a == b || (ignore_case && ascii_eq_ignore_case(a, b))
}

/// `a.eq_ignore_ascii_case(b)` by a plain loop (cheaper on the short texts of policies
/// than the standard library's word-at-a-time version).
fn ascii_eq_ignore_case(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.eq_ignore_ascii_case(y))
}

/// The first position of `needle` (not empty) in `hay`.
fn find_bytes(hay: &[u8], needle: &[u8], ignore_case: bool) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let last_start = hay.len().checked_sub(needle.len())?;
    let candidates = hay.get(..=last_start)?;
    let mut from = 0;
    while let Some(off) = candidates
        .get(from..)?
        .iter()
        .position(|&b| b == first || (ignore_case && b.eq_ignore_ascii_case(&first)))
    {
        let at = from + off;
        let after = hay.get(at + 1..at + needle.len())?;
        if bytes_eq(rest, after, ignore_case) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// [`glob_match`] by the classic single-backtrack walk over characters (one saved `*`
/// position), exact for any `*`/`?` glob and any case folding.
pub fn glob_match_general(pattern: &str, text: &str, ignore_case: bool) -> bool {
    if !has_wildcard(pattern) {
        return if ignore_case {
            eq_ignore_case(pattern, text)
        } else {
            pattern == text
        };
    }
    let p = pattern.as_bytes();
    let t = text.as_bytes();
    let (mut pi, mut ti) = (0usize, 0usize);
    // (pattern index just after the `*`, text index the `*` currently stops at)
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        let step = match p.get(pi) {
            Some(b'*') => {
                if pi + 1 == p.len() {
                    // A trailing `*` matches whatever is left.
                    return true;
                }
                star = Some((pi + 1, ti));
                pi += 1;
                continue;
            }
            Some(b'?') => Some((1, char_len(t, ti))),
            Some(_) => literal_step(p, pi, t, ti, ignore_case),
            None => None,
        };
        match step {
            Some((dp, dt)) => {
                pi += dp;
                ti += dt;
            }
            None => match star {
                Some((sp, st)) => {
                    let next = st + char_len(t, st);
                    pi = sp;
                    ti = next;
                    star = Some((sp, next));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|&c| c == b'*'))
}

/// Whether `pattern` contains a wildcard character (`*` or `?`).
pub fn has_wildcard(pattern: &str) -> bool {
    pattern.bytes().any(|b| b == b'*' || b == b'?')
}

/// Case-insensitive string equality that does not allocate: character by character, ASCII
/// letters fold directly, other characters through their Unicode lowercase forms (the same
/// per-character rule as the glob matchers, so `glob_match(p, t, true)` with a wildcard-free
/// `p` is exactly this). Equal strings are answered by comparing their bytes; others are
/// walked while both sides hold ASCII characters (stopping at the first difference), then
/// compared character by character from the first non-ASCII one.
pub fn eq_ignore_case(a: &str, b: &str) -> bool {
    // Equal bytes (what a policy that writes an action as AWS spells it gives): equal.
    if a == b {
        return true;
    }
    let (x, y) = (a.as_bytes(), b.as_bytes());
    let mut i = 0;
    loop {
        match (x.get(i), y.get(i)) {
            (Some(&c), Some(&d)) if c < 0x80 && d < 0x80 => {
                if !c.eq_ignore_ascii_case(&d) {
                    // Every character before `i` paired with one ASCII character: these two
                    // are compared with each other, and differ.
                    return false;
                }
                i += 1;
            }
            // Every character before `i` was ASCII on both sides: `i` is a boundary of both.
            (Some(_), Some(_)) => {
                return match (a.get(i..), b.get(i..)) {
                    (Some(ra), Some(rb)) => eq_ignore_case_chars(ra, rb),
                    _ => false,
                };
            }
            (None, None) => return true,
            // One side ended, the other still has a character.
            _ => return false,
        }
    }
}

/// [`eq_ignore_case`] character by character.
fn eq_ignore_case_chars(a: &str, b: &str) -> bool {
    let mut x = a.chars();
    let mut y = b.chars();
    loop {
        match (x.next(), y.next()) {
            (None, None) => return true,
            (Some(c), Some(d)) if c == d || c.to_lowercase().eq(d.to_lowercase()) => {}
            _ => return false,
        }
    }
}

/// One element of a glob pattern whose literal characters may include `*` and `?` (from the
/// policy-variable escapes `${*}` and `${?}`, or from substituted values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlobToken {
    /// `*`: any run of characters.
    AnyRun,
    /// `?`: exactly one character.
    AnyChar,
    /// A literal character (never a wildcard, even if it is `*` or `?`).
    Char(char),
}

/// Turn a pattern as written into tokens (`*` and `?` become wildcards).
pub fn tokenize(pattern: &str, out: &mut Vec<GlobToken>) {
    out.extend(pattern.chars().map(|c| match c {
        '*' => GlobToken::AnyRun,
        '?' => GlobToken::AnyChar,
        c => GlobToken::Char(c),
    }));
}

/// [`glob_match`] over a tokenized pattern, where literal `*`/`?` characters are possible.
pub fn glob_match_tokens(pattern: &[GlobToken], text: &str, ignore_case: bool) -> bool {
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    let t = text.as_bytes();
    while ti < t.len() {
        let c = match text.get(ti..).and_then(|s| s.chars().next()) {
            Some(c) => c,
            None => return false,
        };
        let ok = match pattern.get(pi) {
            Some(GlobToken::AnyRun) => {
                star = Some((pi + 1, ti));
                pi += 1;
                continue;
            }
            Some(GlobToken::AnyChar) => true,
            Some(GlobToken::Char(d)) => {
                *d == c || (ignore_case && d.to_lowercase().eq(c.to_lowercase()))
            }
            None => false,
        };
        if ok {
            pi += 1;
            ti += c.len_utf8();
        } else {
            match star {
                Some((sp, st)) => {
                    let next = st + char_len(t, st);
                    pi = sp;
                    ti = next;
                    star = Some((sp, next));
                }
                None => return false,
            }
        }
    }
    pattern
        .get(pi..)
        .is_some_and(|rest| rest.iter().all(|&c| c == GlobToken::AnyRun))
}

/// Length in bytes of the UTF-8 character starting at `i` (1 past the end).
fn char_len(t: &[u8], i: usize) -> usize {
    match t.get(i) {
        Some(&b) if b < 0x80 => 1,
        Some(&b) if b >= 0xF0 => 4,
        Some(&b) if b >= 0xE0 => 3,
        Some(_) => 2,
        None => 1,
    }
}

/// Compare the literal pattern character at `pi` with the text character at `ti`; returns
/// how far each side advances on a match.
fn literal_step(
    p: &[u8],
    pi: usize,
    t: &[u8],
    ti: usize,
    ignore_case: bool,
) -> Option<(usize, usize)> {
    let (&a, &b) = (p.get(pi)?, t.get(ti)?);
    if a < 0x80 && b < 0x80 {
        let same = a == b || (ignore_case && a.eq_ignore_ascii_case(&b));
        return same.then_some((1, 1));
    }
    let (la, lb) = (char_len(p, pi), char_len(t, ti));
    let ca = p.get(pi..pi + la)?;
    let cb = t.get(ti..ti + lb)?;
    if ca == cb {
        return Some((la, lb));
    }
    if !ignore_case {
        return None;
    }
    let ca = std::str::from_utf8(ca).ok()?.chars().next()?;
    let cb = std::str::from_utf8(cb).ok()?.chars().next()?;
    ca.to_lowercase().eq(cb.to_lowercase()).then_some((la, lb))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_matches_any_run_including_slashes() {
        // IAM User Guide, Resource element: `*` may span `/` in an ARN.
        assert!(glob_match(
            "arn:aws:s3:::bucket/*",
            "arn:aws:s3:::bucket/a/b/c",
            false
        ));
        assert!(glob_match(
            "arn:aws:s3:::bucket/*",
            "arn:aws:s3:::bucket/",
            false
        ));
        assert!(!glob_match(
            "arn:aws:s3:::bucket/*",
            "arn:aws:s3:::bucket",
            false
        ));
    }

    #[test]
    fn question_mark_matches_exactly_one_character() {
        assert!(glob_match(
            "arn:aws:s3:::bucket/?",
            "arn:aws:s3:::bucket/x",
            false
        ));
        assert!(!glob_match(
            "arn:aws:s3:::bucket/?",
            "arn:aws:s3:::bucket/",
            false
        ));
        assert!(!glob_match(
            "arn:aws:s3:::bucket/?",
            "arn:aws:s3:::bucket/xy",
            false
        ));
        // One character, not one byte.
        assert!(glob_match("a?c", "aéc", false));
        assert!(glob_match("a?c", "a😀c", false));
        assert!(!glob_match("a??c", "aéc", false));
    }

    #[test]
    fn actions_are_case_insensitive_resources_are_not() {
        // IAM User Guide, Action element: action names are not case-sensitive.
        assert!(glob_match("s3:get*", "S3:GetObject", true));
        assert!(glob_match("S3:GETOBJECT", "s3:getobject", true));
        assert!(!glob_match(
            "arn:aws:s3:::Bucket",
            "arn:aws:s3:::bucket",
            false
        ));
        assert!(glob_match("É*", "éa", true));
        assert!(!glob_match("É*", "éa", false));
    }

    #[test]
    fn case_folding_is_per_character_with_or_without_wildcards() {
        // `İ` lowercases to two characters; comparison is per character everywhere, so
        // the wildcard-free fast path and the glob path agree.
        for (p, t) in [("İ", "i\u{307}"), ("Straße", "STRASSE"), ("ÉCOLE", "école")] {
            let mut toks = Vec::new();
            tokenize(p, &mut toks);
            assert_eq!(
                glob_match(p, t, true),
                glob_match_tokens(&toks, t, true),
                "{p} {t}"
            );
            assert_eq!(glob_match(p, t, true), eq_ignore_case(p, t));
        }
        assert!(eq_ignore_case("ÉCOLE", "école"));
        assert!(!eq_ignore_case("Straße", "STRASSE"));
    }

    #[test]
    fn multiple_stars_backtrack_correctly() {
        assert!(glob_match("*a*b*c", "xxaxxbxxbxc", false));
        assert!(!glob_match("*a*b*c", "xxaxxcxxb", false));
        assert!(glob_match("**", "", false));
        assert!(glob_match("", "", false));
        assert!(!glob_match("", "a", false));
        assert!(glob_match("*é", "aéé", false));
        assert!(glob_match("?*?", "ab", false));
        assert!(!glob_match("?*?", "a", false));
    }

    #[test]
    fn tokens_keep_escaped_wildcards_literal() {
        let toks = [
            GlobToken::Char('a'),
            GlobToken::Char('*'),
            GlobToken::AnyRun,
        ];
        assert!(glob_match_tokens(&toks, "a*xyz", false));
        assert!(!glob_match_tokens(&toks, "abxyz", false));
        let mut t = Vec::new();
        tokenize("s3:Get?bj*", &mut t);
        assert!(glob_match_tokens(&t, "s3:GetObject", false));
        assert!(glob_match_tokens(&t, "S3:GETOBJECT", true));
        assert!(!glob_match_tokens(&t, "S3:GETOBJECT", false));
    }

    /// Reference model: exhaustive recursion, compared with the fast matcher on every
    /// pattern and text over a small alphabet.
    fn model(p: &[char], t: &[char]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some(('*', rest)) => (0..=t.len()).any(|i| model(rest, t.get(i..).unwrap_or(&[]))),
            Some(('?', rest)) => !t.is_empty() && model(rest, &t[1..]),
            Some((c, rest)) => t.first() == Some(c) && model(rest, &t[1..]),
        }
    }

    /// Reference model with AWS's per-character case folding (`c == d` or equal Unicode
    /// lowercase forms), by exhaustive recursion.
    fn model_case(p: &[char], t: &[char], ignore_case: bool) -> bool {
        let same =
            |c: char, d: char| c == d || (ignore_case && c.to_lowercase().eq(d.to_lowercase()));
        match p.split_first() {
            None => t.is_empty(),
            Some(('*', rest)) => {
                (0..=t.len()).any(|i| model_case(rest, t.get(i..).unwrap_or(&[]), ignore_case))
            }
            Some(('?', rest)) => !t.is_empty() && model_case(rest, &t[1..], ignore_case),
            Some((&c, rest)) => {
                t.first().is_some_and(|&d| same(c, d)) && model_case(rest, &t[1..], ignore_case)
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]

        /// The `*`-piece matcher and the character walk agree with the reference model on
        /// patterns and texts over letters of both cases, `:`/`/`, non-ASCII letters (one
        /// of them, the Kelvin sign, folds to ASCII `k`) and the wildcards.
        #[test]
        fn fast_paths_agree_with_the_model(
            p in proptest::collection::vec(proptest::sample::select(
                vec!['a', 'A', 'b', 'k', 'K', '\u{212A}', 'é', 'É', ':', '/', '*', '*', '?']), 0..8),
            t in proptest::collection::vec(proptest::sample::select(
                vec!['a', 'A', 'b', 'k', 'K', '\u{212A}', 'é', 'É', ':', '/']), 0..10),
            ignore_case in proptest::bool::ANY,
        ) {
            let ps: String = p.iter().collect();
            let ts: String = t.iter().collect();
            let want = model_case(&p, &t, ignore_case);
            proptest::prop_assert_eq!(glob_match(&ps, &ts, ignore_case), want, "{} vs {}", ps, ts);
            proptest::prop_assert_eq!(glob_match_general(&ps, &ts, ignore_case), want);
            let mut toks = Vec::new();
            tokenize(&ps, &mut toks);
            proptest::prop_assert_eq!(glob_match_tokens(&toks, &ts, ignore_case), want);
            if !has_wildcard(&ps) {
                proptest::prop_assert_eq!(eq_ignore_case(&ps, &ts), model_case(&p, &t, true));
            }
        }
    }

    #[test]
    fn star_pieces_do_not_overlap_and_find_leftmost() {
        // Head and tail may not share characters; middle pieces are found in order.
        assert!(!glob_match("ab*ba", "aba", false));
        assert!(glob_match("ab*ba", "abba", false));
        assert!(glob_match("a*b*b*a", "abba", false));
        assert!(!glob_match("a*bb*bb*a", "abbba", false));
        assert!(glob_match("a*bb*bb*a", "abbbba", false));
        assert!(glob_match(
            "arn:aws:s3:::synth-1-*/*",
            "arn:aws:s3:::synth-1-web/a/b",
            false
        ));
        assert!(!glob_match(
            "arn:aws:s3:::synth-1-*/*",
            "arn:aws:s3:::synth-1-web",
            false
        ));
        assert!(glob_match("S3:GET*", "s3:getObject", true));
        assert!(glob_match("*:get*", "S3:GetObject", true));
        assert!(!glob_match("*:get*", "S3:GetObject", false));
        // Prefixes: decided at the first different ASCII pair or at the end of the text.
        assert!(!glob_match("s3:GetObjectX*", "s3:getobject", true));
        assert!(!glob_match("s3:Put*", "s3:GetObject", true));
        assert!(glob_match("é3:GET*", "é3:getObject", true));
        assert!(glob_match("É3:GET*", "é3:getObject", true));
        // Kelvin sign folds to `k` per character: the non-ASCII text takes the walk.
        assert!(glob_match("k*", "\u{212A}ms:Decrypt", true));
        assert!(!glob_match("k*", "\u{212A}ms:Decrypt", false));
    }

    #[test]
    fn agrees_with_a_reference_model_on_all_short_inputs() {
        let alphabet = ['a', 'b', '*', '?'];
        let mut patterns = vec![String::new()];
        for _ in 0..4 {
            let next: Vec<String> = patterns
                .iter()
                .flat_map(|p| alphabet.iter().map(move |c| format!("{p}{c}")))
                .collect();
            patterns.extend(next);
        }
        patterns.sort();
        patterns.dedup();
        let texts: Vec<String> = patterns
            .iter()
            .filter(|p| !has_wildcard(p))
            .cloned()
            .collect();
        for p in &patterns {
            let pc: Vec<char> = p.chars().collect();
            let mut toks = Vec::new();
            tokenize(p, &mut toks);
            for t in &texts {
                let tc: Vec<char> = t.chars().collect();
                let want = model(&pc, &tc);
                assert_eq!(glob_match(p, t, false), want, "{p} vs {t}");
                assert_eq!(glob_match_tokens(&toks, t, false), want, "{p} vs {t}");
            }
        }
    }
}
