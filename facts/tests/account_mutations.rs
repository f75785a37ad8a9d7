//! Mutation fuzz of the account readers over copies of `examples/` (issue 12): every file of
//! the bundled example, mutated, must load or be refused with an error naming the file;
//! nothing panics; a key repeated in any object is an error naming its path; a member
//! added to any object the readers take (not a map) is an error or a warning naming its
//! path.
//!
//! The runs are seeded and reproducible. `IAMLOGIC_MUTATION_RUNS` sets how many run per
//! mutation kind (default 150 here, for the test suite); `IAMLOGIC_MUTATION_SEED` the seed.
//! A failure prints the seed, the file and the mutated text.

use std::path::{Path, PathBuf};

use facts::account::{self, Model};
use serde_json::Value;

fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

/// Every input file of `examples/` (its `.json` and `.csv` files), with its text.
fn example_files() -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("examples/ readable")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if account::has_extension(&p, &["json", "csv"]) {
                let text = std::fs::read_to_string(&p).expect("example readable");
                out.push((p, text));
            }
        }
    }
    let mut out = Vec::new();
    walk(&examples_dir(), &mut out);
    assert!(out.len() >= 8, "examples/ holds the bundled inputs");
    out
}

fn runs() -> usize {
    std::env::var("IAMLOGIC_MUTATION_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(150)
}

fn seed() -> u64 {
    std::env::var("IAMLOGIC_MUTATION_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x1a2b_3c4d_5e6f_7081)
}

/// xorshift64*: a small reproducible generator (no test-only crate needed).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Load one mutated file, kept under its own name (raw outputs are named by their file).
fn load_mutated(dir: &Path, original: &Path, text: &[u8]) -> Result<Model, account::IngestError> {
    let file = dir.join(original.file_name().expect("a file name"));
    std::fs::write(&file, text).expect("write mutated file");
    account::load(&[file])
}

/// Byte-level mutations: never a panic; an error names the file.
#[test]
fn byte_mutations_of_every_example_file_load_or_fail_naming_the_file() {
    let files = example_files();
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(seed());
    const TOKENS: &[&str] = &[
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "\"",
        "\\",
        "null",
        "0",
        "-1",
        "1e999",
        "true",
        "\"\"",
        "\u{fffd}",
        "\u{feff}",
        "\"Statement\"",
        "\"Arn\"",
        "\"*\"",
        "arn:aws:iam::1:",
    ];
    let mut count = 0;
    for _ in 0..runs() {
        for (path, text) in &files {
            let mut bytes = text.as_bytes().to_vec();
            for _ in 0..1 + rng.below(3) {
                let len = bytes.len().max(1);
                let at = rng.below(len);
                match rng.below(5) {
                    0 => {
                        let end = (at + 1 + rng.below(16)).min(bytes.len());
                        bytes.drain(at.min(end)..end);
                    }
                    1 => {
                        let end = (at + 1 + rng.below(32)).min(bytes.len());
                        let span: Vec<u8> = bytes[at.min(end)..end].to_vec();
                        let to = rng.below(bytes.len().max(1));
                        bytes.splice(to..to, span);
                    }
                    2 => {
                        let t = TOKENS[rng.below(TOKENS.len())].as_bytes();
                        let at = at.min(bytes.len());
                        bytes.splice(at..at, t.iter().copied());
                    }
                    3 => {
                        if let Some(b) = bytes.get_mut(at) {
                            *b = (rng.next() & 0xff) as u8;
                        }
                    }
                    _ => {
                        let at = at.min(bytes.len());
                        bytes.truncate(at);
                    }
                }
            }
            count += 1;
            if let Err(e) = load_mutated(dir.path(), path, &bytes) {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                assert!(
                    e.to_string().contains(&name),
                    "seed {}: {}: error without the file name: {e}\n{}",
                    seed(),
                    path.display(),
                    String::from_utf8_lossy(&bytes)
                );
            }
        }
    }
    eprintln!("byte mutations: {count} loads");
}

/// A JSON writer that can repeat the first member of the object at one path.
fn write_json(v: &Value, here: &mut Vec<String>, target: &[String], out: &mut String) {
    match v {
        Value::Object(map) => {
            out.push('{');
            let mut first = true;
            let repeat = here.as_slice() == target;
            for (i, (k, val)) in map.iter().enumerate() {
                let times = if repeat && i == 0 { 2 } else { 1 };
                for _ in 0..times {
                    if !first {
                        out.push(',');
                    }
                    first = false;
                    out.push_str(&Value::String(k.clone()).to_string());
                    out.push(':');
                    here.push(format!(".{k}"));
                    write_json(val, here, target, out);
                    here.pop();
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                here.push(format!("[{i}]"));
                write_json(item, here, target, out);
                here.pop();
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// Every object of `v` with its path segments (`.key`, `[i]`).
fn objects(v: &Value, here: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        Value::Object(map) => {
            out.push(here.clone());
            for (k, val) in map {
                here.push(format!(".{k}"));
                objects(val, here, out);
                here.pop();
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                here.push(format!("[{i}]"));
                objects(item, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

fn json_examples() -> Vec<(PathBuf, Value)> {
    example_files()
        .into_iter()
        .filter(|(p, _)| account::has_extension(p, &["json"]))
        .map(|(p, t)| {
            let v = serde_json::from_str(&t).expect("examples are JSON");
            (p, v)
        })
        .collect()
}

/// A key repeated in any object of any example file is an error naming its path.
#[test]
fn a_key_repeated_in_any_object_of_the_examples_is_an_error_naming_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(seed() ^ 0x5555);
    let mut count = 0;
    for (path, value) in json_examples() {
        let mut all = Vec::new();
        objects(&value, &mut Vec::new(), &mut all);
        all.retain(|p| {
            let mut probe = &value;
            for seg in p {
                probe = match seg.strip_prefix('.') {
                    Some(k) => &probe[k],
                    None => &probe[seg.trim_matches(['[', ']']).parse::<usize>().unwrap_or(0)],
                };
            }
            probe.as_object().is_some_and(|o| !o.is_empty())
        });
        for _ in 0..runs().min(all.len()).max(1) {
            let Some(target) = all.get(rng.below(all.len())) else {
                continue;
            };
            let mut text = String::new();
            write_json(&value, &mut Vec::new(), target, &mut text);
            count += 1;
            let first_key = {
                let mut probe = &value;
                for seg in target {
                    probe = match seg.strip_prefix('.') {
                        Some(k) => &probe[k],
                        None => &probe[seg.trim_matches(['[', ']']).parse::<usize>().unwrap_or(0)],
                    };
                }
                probe
                    .as_object()
                    .and_then(|o| o.keys().next().cloned())
                    .unwrap_or_default()
            };
            let want = format!("${}", target.concat());
            match load_mutated(dir.path(), &path, text.as_bytes()) {
                Ok(_) => panic!(
                    "{}: `{first_key}` repeated at {want} was accepted",
                    path.display()
                ),
                Err(e) => {
                    let msg = e.to_string();
                    assert!(
                        msg.contains("is given more than once") && msg.contains(&want),
                        "{}: `{first_key}` repeated at {want}: {msg}",
                        path.display()
                    );
                }
            }
        }
    }
    eprintln!("repeated keys: {count} loads");
}

/// Whether an object at `path` is a map whose members are data rather than fields: tags in
/// map form, condition blocks (operator → key → values), request context maps; or sits in
/// a member the readers document as known and unused (`InstanceProfileList[i].Roles`, which
/// repeats `RoleDetailList`, and `InstanceProfileList[i].Tags`).
fn is_map_or_unused(path: &[String]) -> bool {
    let keys: Vec<&str> = path.iter().filter_map(|s| s.strip_prefix('.')).collect();
    keys.last() == Some(&"tags")
        || keys.contains(&"Condition")
        || keys
            .windows(2)
            .any(|w| w[0] == "InstanceProfileList" || w[1] == "InstanceProfileList")
            && (keys.contains(&"Roles") || keys.contains(&"Tags"))
}

/// Whether `path` is inside the document of a managed policy version that is not the
/// default: history, which grants nothing and is not read (docs/inputs.md, GAAD).
fn in_history_version(root: &Value, path: &[String]) -> bool {
    let Some(at) = path.iter().position(|s| s == ".PolicyVersionList") else {
        return false;
    };
    if path.get(at + 2).map(String::as_str) != Some(".Document") {
        return false;
    }
    let mut probe = root;
    for seg in &path[..at + 2] {
        probe = match seg.strip_prefix('.') {
            Some(k) => &probe[k],
            None => &probe[seg.trim_matches(['[', ']']).parse::<usize>().unwrap_or(0)],
        };
    }
    probe["IsDefaultVersion"] == Value::Bool(false)
}

/// A member added to any object the readers take is an error (policy documents refuse
/// unknown elements) or a warning naming its path: nothing is dropped silently.
#[test]
fn a_member_added_to_any_object_of_the_examples_is_refused_or_warned_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let mut count = 0;
    for (path, value) in json_examples() {
        let mut all = Vec::new();
        objects(&value, &mut Vec::new(), &mut all);
        for target in all
            .iter()
            .filter(|p| !is_map_or_unused(p) && !in_history_version(&value, p))
        {
            let mut v = value.clone();
            let mut probe = &mut v;
            for seg in target {
                probe = match seg.strip_prefix('.') {
                    Some(k) => &mut probe[k],
                    None => &mut probe[seg.trim_matches(['[', ']']).parse::<usize>().unwrap_or(0)],
                };
            }
            let Some(obj) = probe.as_object_mut() else {
                continue;
            };
            obj.insert("IamlogicAddedMember".to_string(), Value::from(1));
            let text = serde_json::to_string(&v).unwrap();
            count += 1;
            let want = format!("${}.IamlogicAddedMember", target.concat());
            match load_mutated(dir.path(), &path, text.as_bytes()) {
                Err(_) => {}
                Ok(model) => {
                    let warned = model
                        .warnings
                        .iter()
                        .any(|w| w.source.path.to_string() == want);
                    assert!(
                        warned,
                        "{}: the member added at {want} was dropped without a word; warnings: {:?}",
                        path.display(),
                        model
                            .warnings
                            .iter()
                            .map(|w| w.to_string())
                            .collect::<Vec<_>>()
                    );
                }
            }
        }
    }
    eprintln!("added members: {count} loads");
}
