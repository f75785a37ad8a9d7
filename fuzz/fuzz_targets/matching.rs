//! Fuzz target (differential + property): the byte-level glob matcher agrees with the
//! token matcher on the same pattern, in both case modes; ARN matching, variable
//! substitution and every condition operator never panic on arbitrary text.
#![no_main]

use facts::condition::ALL_BASE_OPERATORS;
use facts::request::{Context, ContextValue};
use facts::wildcard::{glob_match, glob_match_tokens, tokenize};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Split the input into a pattern and a subject at the first NUL (or the middle).
    let (pattern, subject) = match text.split_once('\0') {
        Some(pair) => pair,
        None => text.split_at(
            text.char_indices()
                .nth(text.chars().count() / 2)
                .map_or(0, |(i, _)| i),
        ),
    };
    let mut toks = Vec::new();
    tokenize(pattern, &mut toks);
    for ignore_case in [false, true] {
        assert_eq!(
            glob_match(pattern, subject, ignore_case),
            glob_match_tokens(&toks, subject, ignore_case),
            "{pattern:?} vs {subject:?} (ignore_case {ignore_case})"
        );
    }
    let _ = facts::arn::arn_like(pattern, subject);
    let _ = facts::arn::Arn::parse(subject);
    let mut ctx = Context::new();
    ctx.insert("aws:username", ContextValue::Single(subject.to_string()));
    let _ = facts::variables::substitute(pattern, &ctx);
    let _ = facts::variables::substitute_pattern(pattern, &ctx);
    for op in ALL_BASE_OPERATORS {
        let _ = facts::condition::eval::compare(op, pattern, subject);
    }
});
