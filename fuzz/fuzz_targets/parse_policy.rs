//! Fuzz target (property): the policy parser never panics on any text, through any entry
//! point; parsing text and parsing its decoded JSON value agree (except that only text can
//! show a repeated key); an error list is never empty.
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
        // Text parsing also rejects repeated keys, which a decoded value can no longer show.
        let duplicate = |e: &facts::PolicyErrors| {
            e.0.iter()
                .any(|e| matches!(e.kind, facts::error::PolicyErrorKind::DuplicateKey(_)))
        };
        match (&strict, &from_value) {
            (Ok(a), Ok(b)) => assert_eq!(a, b),
            (Err(e), Ok(_)) => assert!(duplicate(e)),
            (Ok(_), Err(_)) => panic!("text parses but its value does not"),
            (Err(_), Err(_)) => {}
        }
    }
    if let Err(errors) = strict {
        assert!(!errors.0.is_empty());
    }
});
