//! Helpers shared by the tests that read account files (`iam_account.rs`, `s3_settings.rs`).

use std::path::{Path, PathBuf};

/// Write `text` to `dir/name` and return its path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// For each `(file name, text, JSON path)`: loading that one file, written in `dir`, fails
/// with an error that names the file and the JSON path (the file is removed afterwards).
#[track_caller]
pub fn assert_each_load_fails_naming_file_and_path(dir: &Path, cases: &[(&str, &str, &str)]) {
    for (name, text, needle) in cases {
        let p = write(dir, name, text);
        let e = facts::account::load(std::slice::from_ref(&p))
            .unwrap_err()
            .to_string();
        assert!(e.contains(name) && e.contains(needle), "{name}: {e}");
        std::fs::remove_file(p).unwrap();
    }
}
