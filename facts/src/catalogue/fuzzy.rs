//! "Did you mean": the closest known name by edit distance.

/// Levenshtein distance between two strings, comparing ASCII letters case-insensitively.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let mut rows = (Vec::new(), Vec::new());
    if a.is_ascii() && b.is_ascii() {
        let lower = |s: &str| {
            s.bytes()
                .map(|c| c.to_ascii_lowercase())
                .collect::<Vec<u8>>()
        };
        distance(&lower(a), &lower(b), &mut rows)
    } else {
        let lower = |s: &str| {
            s.chars()
                .map(|c| c.to_ascii_lowercase())
                .collect::<Vec<char>>()
        };
        distance(&lower(a), &lower(b), &mut rows)
    }
}

/// Levenshtein distance with two reusable rows.
fn distance<T: PartialEq>(a: &[T], b: &[T], rows: &mut (Vec<usize>, Vec<usize>)) -> usize {
    let (prev, cur) = rows;
    prev.clear();
    prev.extend(0..=b.len());
    cur.clear();
    cur.resize(b.len() + 1, 0);
    for (i, ca) in a.iter().enumerate() {
        if let Some(c0) = cur.first_mut() {
            *c0 = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let diag = prev.get(j).copied().unwrap_or(usize::MAX - 1);
            let up = prev.get(j + 1).copied().unwrap_or(usize::MAX - 1);
            let left = cur.get(j).copied().unwrap_or(usize::MAX - 1);
            let v = (diag + usize::from(ca != cb)).min(up + 1).min(left + 1);
            if let Some(c) = cur.get_mut(j + 1) {
                *c = v;
            }
        }
        std::mem::swap(prev, cur);
    }
    prev.get(b.len()).copied().unwrap_or(usize::MAX)
}

/// The candidate closest to `name`, if it is within a third of the name's length (at least
/// 1, at most 4 edits) and strictly different from `name`.
pub(super) fn closest<'a>(
    name: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).clamp(1, 4);
    let lowered: Vec<u8> = name.bytes().map(|c| c.to_ascii_lowercase()).collect();
    let mut buf: Vec<u8> = Vec::new();
    let mut rows = (Vec::new(), Vec::new());
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        // Cheap bound: lengths alone already differ by more than the limit.
        if c.len().abs_diff(name.len()) > limit {
            continue;
        }
        let d = if name.is_ascii() && c.is_ascii() {
            buf.clear();
            buf.extend(c.bytes().map(|b| b.to_ascii_lowercase()));
            distance(&lowered, &buf, &mut rows)
        } else {
            edit_distance(name, c)
        };
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}
