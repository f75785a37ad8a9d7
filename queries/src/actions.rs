//! Actions a user names that the action catalogue does not know: every command warns about
//! them in the catalogue's words, with a did-you-mean (`s3:GetObjekt` → `s3:GetObject`), and
//! still decides them as written (the catalogue may lag behind AWS).

/// One warning per distinct action (case-insensitive) that names no catalogue action, in
/// input order. Each item is `(where, action)`; `where` names the flag or file place the
/// action came from (`--action`, `requests.jsonl:3: $.action`) and starts the warning; it
/// is written only for the actions warned about, so a lazy `Display` costs nothing for the
/// rest (a requests file of 100,000 lines).
pub fn unknown_action_warnings<'a, P: std::fmt::Display>(
    items: impl IntoIterator<Item = (P, &'a str)>,
) -> Vec<String> {
    let catalogue = facts::catalogue::Catalogue::get();
    // Spellings already seen as written (borrowed: most requests repeat an action), then
    // lowercased: a warning names each action once, whatever its case.
    let mut spelled: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (at, action) in items {
        if !spelled.insert(action) || !seen.insert(action.to_ascii_lowercase()) {
            continue;
        }
        if let Some(why) = catalogue.unknown_action(action) {
            out.push(format!(
                "{at}: {why} (decided as written; the catalogue may lag behind AWS)"
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_is_warned_once_with_did_you_mean_and_known_actions_are_not() {
        let w = unknown_action_warnings([
            ("--action".to_string(), "s3:GetObjekt"),
            ("r.jsonl:2: $.action".to_string(), "S3:getobjekt"),
            ("r.jsonl:3: $.action".to_string(), "s3:GetObject"),
            ("r.jsonl:4: $.action".to_string(), "s4:GetObject"),
        ]);
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[0].starts_with("--action: `s3:GetObjekt` is not a known action of `s3`; did you mean `s3:GetObject`?"), "{w:?}");
        assert!(w[1].starts_with("r.jsonl:4: $.action: `s4` in `s4:GetObject` is not a known service prefix; did you mean `s3`?"), "{w:?}");
    }
}
