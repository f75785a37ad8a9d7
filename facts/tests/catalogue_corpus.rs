//! The embedded catalogue against its source: every line of
//! `../shared/corpus/action-catalogue/actions.jsonl` (a flattening of the same package data,
//! made independently of `scripts/gen_catalogue.py`) must be in the catalogue with the same
//! access level, resource types, ARN formats, required flags and condition keys.

use std::collections::BTreeSet;

use facts::catalogue::{AccessLevel, Catalogue};
use facts::corpus::corpus_path;
use serde_json::Value;

fn level(text: &str) -> Option<AccessLevel> {
    // The data writes e.g. "Tagging, Write"; the first class names the action's level.
    Some(match text.split(',').next()?.trim() {
        "List" => AccessLevel::List,
        "Read" => AccessLevel::Read,
        "Write" => AccessLevel::Write,
        "Permissions management" => AccessLevel::PermissionsManagement,
        "Tagging" => AccessLevel::Tagging,
        _ => return None,
    })
}

fn strs(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_ascii_lowercase))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn every_source_action_is_in_the_catalogue_with_the_same_data() {
    let Some(path) = corpus_path("action-catalogue/actions.jsonl") else {
        return;
    };
    let text = std::fs::read_to_string(&path).expect("read actions.jsonl");
    let catalogue = Catalogue::get();
    let mut lines = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        lines += 1;
        let v: Value = serde_json::from_str(line).expect("JSON line");
        let name = v["iam_action"].as_str().expect("iam_action");
        let a = catalogue
            .action(name)
            .unwrap_or_else(|| panic!("{name} missing from the catalogue"));
        assert_eq!(a.full_name(), name);
        assert_eq!(
            Some(a.access_level()),
            level(v["accessLevel"].as_str().unwrap_or_default()),
            "{name}"
        );
        let want: BTreeSet<(String, String, bool)> = v["resourceTypes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                (
                    r["name"].as_str().unwrap_or_default().to_ascii_lowercase(),
                    r["arn"].as_str().unwrap_or_default().to_string(),
                    r["required"].as_bool().unwrap_or(false),
                )
            })
            .collect();
        let got: BTreeSet<(String, String, bool)> = a
            .resource_types()
            .map(|r| {
                (
                    r.resource_type.name().to_ascii_lowercase(),
                    r.resource_type.arn_format().to_string(),
                    r.required,
                )
            })
            .collect();
        assert_eq!(got, want, "{name}: resource types");
        let keys: BTreeSet<String> = a
            .condition_keys()
            .map(|k| k.name().to_ascii_lowercase())
            .collect();
        for k in strs(&v["conditionKeys"]) {
            assert!(keys.contains(&k), "{name}: condition key {k} missing");
        }
    }
    assert_eq!(
        lines,
        catalogue.actions().count(),
        "one catalogue action per line"
    );
}
