//! Relations between two glob patterns (`*` any run, `?` one character), as opposed to
//! matching one pattern against a text ([`crate::wildcard::glob_match`]): whether two
//! patterns can match a common text, and whether one pattern's texts are all matched by
//! another. The catalogue uses them to tell which resource types a resource pattern can name.

/// Replace every `${...}` (policy variable or ARN-format placeholder) and `<...>`
/// (placeholder in some condition key names) with `*`, giving a glob over the texts the
/// placeholder can stand for.
pub fn placeholders_to_glob(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let next = [
            rest.find("${").map(|i| (i, '}')),
            rest.find('<').map(|i| (i, '>')),
        ]
        .into_iter()
        .flatten()
        .min_by_key(|(i, _)| *i);
        let Some((start, close)) = next else { break };
        let Some(len) = rest.get(start..).and_then(|r| r.find(close)) else {
            break;
        };
        out.push_str(rest.get(..start).unwrap_or_default());
        out.push('*');
        rest = rest.get(start + len + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// Whether some text matches both globs `a` and `b` (exact: a search over the product of
/// the two patterns' positions).
pub fn globs_intersect(a: &str, b: &str, ignore_case: bool) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut seen = vec![false; (a.len() + 1) * w];
    let mut stack = vec![(0usize, 0usize)];
    let eq = |x: char, y: char| {
        if ignore_case {
            x.to_lowercase().eq(y.to_lowercase())
        } else {
            x == y
        }
    };
    while let Some((i, j)) = stack.pop() {
        let Some(slot) = seen.get_mut(i * w + j) else {
            continue;
        };
        if *slot {
            continue;
        }
        *slot = true;
        let (pa, pb) = (a.get(i).copied(), b.get(j).copied());
        if pa.is_none() && pb.is_none() {
            return true;
        }
        // A `*` may match nothing.
        if pa == Some('*') {
            stack.push((i + 1, j));
        }
        if pb == Some('*') {
            stack.push((i, j + 1));
        }
        // Both consume one common character.
        if let (Some(x), Some(y)) = (pa, pb) {
            let compatible = matches!(x, '*' | '?') || matches!(y, '*' | '?') || eq(x, y);
            if compatible {
                let ni = if x == '*' { i } else { i + 1 };
                let nj = if y == '*' { j } else { j + 1 };
                // Two stars consuming together is covered by the single-star moves.
                if !(x == '*' && y == '*') {
                    stack.push((ni, nj));
                }
            }
        }
    }
    false
}

/// Whether every text matching `small` also matches `big`. Sound but not complete: `true`
/// is always right; `false` may be returned for some exotic containments (it treats each
/// `*`/`?` of `small` as a symbol that only a `*`, or for `?` a `?`, of `big` can absorb),
/// which is what redundancy checks need, as they must never claim a false containment.
pub fn glob_covers(big: &str, small: &str, ignore_case: bool) -> bool {
    let ascii = big.is_ascii() && small.is_ascii();
    let same = |a: &str, b: &str| {
        if !ignore_case {
            a == b
        } else if ascii {
            a.eq_ignore_ascii_case(b)
        } else {
            a.to_lowercase() == b.to_lowercase()
        }
    };
    // Fast paths: `*` covers everything; a literal covers only itself; the literal prefix
    // of `big` must begin `small`.
    if big == "*" {
        return true;
    }
    let big_literal_end = big.find(['*', '?']).unwrap_or(big.len());
    if big_literal_end == big.len() {
        return !small.contains(['*', '?']) && same(big, small);
    }
    match (big.get(..big_literal_end), small.get(..big_literal_end)) {
        (Some(bp), Some(sp)) if same(bp, sp) => {}
        _ if !ascii => {}
        _ => return false,
    }
    if ascii {
        let eq = |x: u8, y: u8| {
            if ignore_case {
                x.eq_ignore_ascii_case(&y)
            } else {
                x == y
            }
        };
        covers_dp(big.as_bytes(), small.as_bytes(), b'*', b'?', eq)
    } else {
        let p: Vec<char> = big.chars().collect();
        let t: Vec<char> = small.chars().collect();
        let eq = |x: char, y: char| {
            if ignore_case {
                x.to_lowercase().eq(y.to_lowercase())
            } else {
                x == y
            }
        };
        covers_dp(&p, &t, '*', '?', eq)
    }
}

/// The containment search of [`glob_covers`] over symbols (bytes or chars).
fn covers_dp<T: Copy + PartialEq>(
    p: &[T],
    t: &[T],
    star: T,
    question: T,
    eq: impl Fn(T, T) -> bool,
) -> bool {
    // dp[j]: the part of `big` read so far covers small[..j].
    let mut dp = vec![false; t.len() + 1];
    let mut next = vec![false; t.len() + 1];
    if let Some(first) = dp.first_mut() {
        *first = true;
    }
    for &pc in p {
        next.iter_mut().for_each(|x| *x = false);
        if pc == star {
            // A star of `big` absorbs any run of `small`'s symbols.
            let mut reach = false;
            for (n, &d) in next.iter_mut().zip(&dp) {
                reach |= d;
                *n = reach;
            }
        } else {
            for (j, &tc) in t.iter().enumerate() {
                if !dp.get(j).copied().unwrap_or(false) {
                    continue;
                }
                let ok = if tc == star {
                    false
                } else if pc == question {
                    true
                } else if tc == question {
                    false
                } else {
                    eq(pc, tc)
                };
                if ok {
                    if let Some(n) = next.get_mut(j + 1) {
                        *n = true;
                    }
                }
            }
        }
        std::mem::swap(&mut dp, &mut next);
    }
    dp.last().copied().unwrap_or(false)
}
