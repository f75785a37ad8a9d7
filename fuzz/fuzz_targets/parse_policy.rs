//! Fuzz target (property): the policy parser never panics on any text, through any entry
//! point; parsing text and parsing its decoded JSON value agree; an error list is never empty.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let strict = facts::parse::parse_policy(text);
    let _ = facts::parse::parse_policy_lenient(text);
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(body) {
        let from_value = facts::parse::parse_policy_value(&value);
        assert_eq!(strict.is_ok(), from_value.is_ok());
    }
    if let Err(errors) = strict {
        assert!(!errors.0.is_empty());
    }
});
