//! The README's and docs' command examples are real output: every `$ iamlogic ...` line of
//! a fenced block in `README.md`, `docs/*.md` and `examples/README.md` is run, and its
//! standard output is compared with the lines the document shows under it.
//!
//! Conventions (README, "Commands"): a command runs in a scratch directory holding a copy of
//! `examples/` and of the files of `docs/examples/<document stem>/` (`readme` for the
//! README), with the repository's `docs/` beside them, with `iamlogic` (and `target/release/iamlogic`) the binary under test; `# ...`
//! comments are the shell's. A command with ` ... ` in it abbreviates and is not run; an
//! output line `...` ends the comparison (the rest is elided). `$ echo $?` shows the exit
//! code of the command before it; `$ cat FILE` shows a file, which the test writes with the
//! text shown so that the examples after it can read it. The test reads whatever examples
//! the documents hold, so new sections are checked as soon as they are written.

use std::path::{Path, PathBuf};
use std::process::Command;

/// One example: the document, the line of its command, the command, the output shown.
struct Example {
    doc: PathBuf,
    line: usize,
    command: String,
    shown: Vec<String>,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The documents whose examples are checked.
fn documents() -> Vec<PathBuf> {
    let mut docs = vec![root().join("README.md"), root().join("examples/README.md")];
    let mut more: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("docs/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    more.sort();
    docs.extend(more);
    docs
}

/// The examples of one document: `$ iamlogic` lines inside fenced blocks, with `\`
/// continuations, each followed by the output it shows (up to the next `$ ` line or the
/// end of the block; trailing blank lines dropped).
fn examples_of(doc: &Path) -> Vec<Example> {
    let text = std::fs::read_to_string(doc).expect("document readable");
    // A block indented under a list item: its lines lose the fence's indentation.
    let mut indent = 0;
    let raw: Vec<&str> = text.lines().collect();
    let mut lines: Vec<&str> = Vec::with_capacity(raw.len());
    let mut open = false;
    for l in &raw {
        let trimmed = l.trim_start();
        if trimmed.starts_with("```") {
            indent = if open { 0 } else { l.len() - trimmed.len() };
            open = !open;
            lines.push(trimmed);
            continue;
        }
        let cut = l.len() - l.trim_start().len();
        lines.push(if open { &l[cut.min(indent)..] } else { l });
    }
    let mut out = Vec::new();
    let mut in_block = false;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            i += 1;
            continue;
        }
        let is_command = |l: &str| l.starts_with("$ ");
        if in_block && is_command(line) {
            let start = i + 1;
            let mut command = line[2..].to_string();
            while command.ends_with('\\') && i + 1 < lines.len() {
                command.pop();
                i += 1;
                command.push(' ');
                command.push_str(lines[i].trim_start());
            }
            i += 1;
            let mut shown = Vec::new();
            while i < lines.len()
                && !is_command(lines[i])
                && !lines[i].trim_start().starts_with("```")
            {
                shown.push(lines[i].to_string());
                i += 1;
            }
            while shown.last().is_some_and(|l| l.trim().is_empty()) {
                shown.pop();
            }
            out.push(Example {
                doc: doc.to_path_buf(),
                line: start,
                command,
                shown,
            });
            continue;
        }
        i += 1;
    }
    out
}

/// Whether the example runs iamlogic and is complete, or shows a file (`$ cat FILE`).
fn runnable(e: &Example) -> bool {
    let c = e.command.trim_start();
    (c.starts_with("iamlogic ")
        || c.starts_with("target/release/iamlogic ")
        || c == "echo $?"
        || shown_file(e).is_some())
        && !c.contains(" ... ")
}

/// For `$ cat FILE` (one relative path): the file, whose content the document shows. The
/// test writes it, so later examples of the document can use it.
fn shown_file(e: &Example) -> Option<&str> {
    let name = e.command.trim().strip_prefix("cat ")?.trim();
    let plain = !name.is_empty()
        && !name.starts_with('/')
        && !name.contains("..")
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/'));
    plain.then_some(name)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create directory");
    for entry in std::fs::read_dir(from).expect("read directory") {
        let entry = entry.expect("directory entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// A scratch directory for one document's examples, and a `bin/` with `iamlogic` in it.
fn workspace_for(doc: &Path) -> (PathBuf, PathBuf) {
    let stem = doc
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("doc")
        .to_ascii_lowercase();
    let parent = doc
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|s| s.to_str())
        .unwrap_or("");
    let name = format!("docs-examples-{parent}-{stem}");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&root().join("examples"), &dir.join("examples"));
    let fixtures = root().join("docs/examples").join(&stem);
    if fixtures.is_dir() && parent != "examples" {
        copy_dir(&fixtures, &dir);
    }
    // Examples may name the repository's own documentation files (`docs/collect-policy.json`).
    if !dir.join("docs").exists() {
        std::os::unix::fs::symlink(root().join("docs"), dir.join("docs")).expect("symlink docs");
    }
    let bin = dir.join(".bin");
    std::fs::create_dir_all(bin.join("target/release")).expect("bin directory");
    let exe = PathBuf::from(env!("CARGO_BIN_EXE_iamlogic"));
    std::os::unix::fs::symlink(&exe, bin.join("iamlogic")).expect("symlink iamlogic");
    std::fs::create_dir_all(dir.join("target/release")).expect("target/release");
    std::os::unix::fs::symlink(&exe, dir.join("target/release/iamlogic"))
        .expect("symlink target/release/iamlogic");
    (dir, bin)
}

#[test]
fn readme_and_docs_examples_print_what_the_documents_show() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for doc in documents() {
        let examples: Vec<Example> = examples_of(&doc).into_iter().filter(runnable).collect();
        if examples.is_empty() {
            continue;
        }
        let (dir, bin) = workspace_for(&doc);
        let path = format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut last_code = 0;
        for e in &examples {
            if let Some(name) = shown_file(e) {
                let file = dir.join(name);
                if let Some(parent) = file.parent() {
                    std::fs::create_dir_all(parent).expect("directory for a shown file");
                }
                let mut text = e.shown.join("\n");
                text.push('\n');
                std::fs::write(&file, text).expect("write a shown file");
                continue;
            }
            let got: Vec<String> = if e.command.trim() == "echo $?" {
                vec![last_code.to_string()]
            } else {
                let o = Command::new("sh")
                    .arg("-c")
                    .arg(&e.command)
                    .current_dir(&dir)
                    .env("PATH", &path)
                    .output()
                    .expect("sh runs");
                last_code = o.status.code().unwrap_or(-1);
                String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .map(str::to_string)
                    .collect()
            };
            checked += 1;
            let elided = e.shown.iter().position(|l| l.trim() == "...");
            let want: &[String] = match elided {
                Some(n) => &e.shown[..n],
                None => &e.shown,
            };
            let mut have: Vec<String> = got.clone();
            while have.last().is_some_and(|l| l.trim().is_empty()) {
                have.pop();
            }
            let same = match elided {
                Some(n) => have.len() >= n && have[..n] == *want,
                None => have == want,
            };
            if !same {
                failures.push(format!(
                    "{}:{}: `{}`\n--- shown\n{}\n--- printed\n{}\n",
                    e.doc.display(),
                    e.line,
                    e.command,
                    want.join("\n"),
                    have.join("\n")
                ));
            }
        }
    }
    assert!(
        checked >= 8,
        "only {checked} examples found: the parser lost some"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_example_parser_reads_continuations_elisions_and_skips_abbreviations() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("docs-examples-parser");
    std::fs::create_dir_all(&dir).unwrap();
    let doc = dir.join("t.md");
    std::fs::write(
        &doc,
        "text\n\n```text\n$ iamlogic simulate -i examples \\\n    --action s3:GetObject\nallowed\n  Allow by x\n\n$ iamlogic simulate -i examples ... --format json\n{}\n```\n\n```sh\naws iam get-account-authorization-details\n```\n\n- item\n\n    ```text\n    $ iamlogic validate p.json\n    p.json: $: x\n    ```\n",
    )
    .unwrap();
    let ex = examples_of(&doc);
    assert_eq!(ex.len(), 3);
    assert_eq!(ex[2].command, "iamlogic validate p.json");
    assert_eq!(ex[2].shown, vec!["p.json: $: x"]);
    let cat = Example {
        doc: doc.clone(),
        line: 1,
        command: "cat custom.json".to_string(),
        shown: vec!["{}".to_string()],
    };
    assert_eq!(shown_file(&cat), Some("custom.json"));
    assert!(runnable(&cat));
    let outside = Example {
        command: "cat ../secret".to_string(),
        ..cat
    };
    assert_eq!(shown_file(&outside), None);
    assert_eq!(
        ex[0].command,
        "iamlogic simulate -i examples  --action s3:GetObject"
    );
    assert_eq!(ex[0].shown, vec!["allowed", "  Allow by x"]);
    assert!(runnable(&ex[0]));
    assert!(!runnable(&ex[1]));
}
