//! IAM wildcard matching: `*` matches any run of characters (including none and `/`),
//! `?` matches exactly one character. This is the one implementation of glob matching in
//! iamlogic: actions, resources, `StringLike` and `ArnLike` all come here.
//!
//! Reference: IAM User Guide, "IAM JSON policy elements: Resource" ("You can use wildcard
//! characters (* and ?) within any ARN segment") and "Action" (action names are
//! case-insensitive).

/// Whether `text` matches the glob `pattern`. With `ignore_case`, ASCII letters compare
/// case-insensitively (action names); otherwise byte-exact (ARNs, `StringLike`).
///
/// Runs in O(len(pattern) * len(text)) worst case, with the classic single-backtrack
/// algorithm (one saved `*` position), which is exact for `*`/`?` globs.
pub fn glob_match(pattern: &str, text: &str, ignore_case: bool) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let eq = |a: char, b: char| {
        if ignore_case {
            a.eq_ignore_ascii_case(&b) || a.to_lowercase().eq(b.to_lowercase())
        } else {
            a == b
        }
    };
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || eq(c, t[ti]) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Whether `pattern` contains a wildcard character (`*` or `?`).
pub fn has_wildcard(pattern: &str) -> bool {
    pattern.contains(['*', '?'])
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn star_matches_any_run_including_slashes() {
        // IAM User Guide, Resource element: `*` may span `/` in an ARN.
        assert!(glob_match("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b/c", false));
        assert!(glob_match("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/", false));
        assert!(!glob_match("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", false));
    }

    #[test]
    fn question_mark_matches_exactly_one_character() {
        assert!(glob_match("arn:aws:s3:::bucket/?", "arn:aws:s3:::bucket/x", false));
        assert!(!glob_match("arn:aws:s3:::bucket/?", "arn:aws:s3:::bucket/", false));
        assert!(!glob_match("arn:aws:s3:::bucket/?", "arn:aws:s3:::bucket/xy", false));
    }

    #[test]
    fn actions_are_case_insensitive_resources_are_not() {
        assert!(glob_match("s3:get*", "S3:GetObject", true));
        assert!(!glob_match("arn:aws:s3:::Bucket", "arn:aws:s3:::bucket", false));
    }

    #[test]
    fn multiple_stars_backtrack_correctly() {
        assert!(glob_match("*a*b*c", "xxaxxbxxbxc", false));
        assert!(!glob_match("*a*b*c", "xxaxxcxxb", false));
        assert!(glob_match("**", "", false));
        assert!(glob_match("", "", false));
        assert!(!glob_match("", "a", false));
    }
}
