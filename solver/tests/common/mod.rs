//! Shared helpers: reading the managed-policy version pairs of the shared corpus.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use facts::Policy;

/// One line of `pairs.jsonl`.
pub struct Pair {
    pub name: String,
    pub old: PathBuf,
    pub new: PathBuf,
    pub identical: bool,
    pub canonically_equal: bool,
    pub oracle: Option<Oracle>,
}

/// The catalogue oracle of a `simple_allow_star` pair.
pub struct Oracle {
    pub verdict: String,
    pub added_count: u64,
    pub removed_count: u64,
    pub added_sample: Vec<String>,
    pub removed_sample: Vec<String>,
}

/// Every pair, in file order, or `None` when the corpus is missing (skipped outside CI).
pub fn pairs() -> Option<Vec<Pair>> {
    let dir = facts::corpus::corpus_path("managed-policies")?;
    let text = std::fs::read_to_string(dir.join("pairs.jsonl")).expect("read pairs.jsonl");
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("pairs.jsonl line");
        let s = |k: &str| {
            v.get(k)
                .and_then(|x| x.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let b = |k: &str| v.get(k).and_then(|x| x.as_bool()).unwrap_or(false);
        out.push(Pair {
            name: format!("{} {}->{}", s("policy"), s("old_version"), s("new_version")),
            old: dir.join(s("old_path")),
            new: dir.join(s("new_path")),
            identical: b("identical"),
            canonically_equal: b("canonically_equal"),
            oracle: v.get("catalogue_oracle").map(|o| {
                let list = |k: &str| -> Vec<String> {
                    o.get(k)
                        .and_then(|x| x.as_array())
                        .map(|a| {
                            a.iter()
                                .filter_map(|s| s.as_str().map(String::from))
                                .collect()
                        })
                        .unwrap_or_default()
                };
                let count = |k: &str| o.get(k).and_then(|x| x.as_u64()).unwrap_or(0);
                Oracle {
                    verdict: o
                        .get("verdict")
                        .and_then(|x| x.as_str())
                        .unwrap_or_default()
                        .to_string(),
                    added_count: count("added_count"),
                    removed_count: count("removed_count"),
                    added_sample: list("added_sample"),
                    removed_sample: list("removed_sample"),
                }
            }),
        });
    }
    Some(out)
}

/// Parse a stored policy version (the corpus stores the document, possibly wrapped).
pub fn load(path: &Path) -> Policy {
    let text = std::fs::read_to_string(path).expect("read policy version");
    let v: serde_json::Value = serde_json::from_str(&text).expect("policy JSON");
    let doc = v.get("Document").cloned().unwrap_or(v);
    facts::parse::parse_policy_value(&doc).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
