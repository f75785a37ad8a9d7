//! Locating the shared test corpora (`../shared` beside the project root) for tests and
//! benchmarks. They are referenced by path and never copied into the project.

use std::path::PathBuf;

/// The `shared/` folder: `$IAMLOGIC_SHARED` if set, else `shared/` next to the workspace
/// root. Returns `None` when it is missing; under `IAMLOGIC_REQUIRE_CORPUS=1` (as in CI) a
/// missing corpus is a hard failure instead, so that CI can never pass by skipping.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("IAMLOGIC_SHARED") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"),
    };
    if dir.join("corpus").is_dir() {
        return Some(dir);
    }
    if std::env::var("IAMLOGIC_REQUIRE_CORPUS").as_deref() == Ok("1") {
        // INVARIANT: CI sets IAMLOGIC_REQUIRE_CORPUS=1, so corpus tests never silently skip.
        #[allow(clippy::panic)]
        {
            panic!(
                "IAMLOGIC_REQUIRE_CORPUS=1 but the shared corpus is not at {}",
                dir.display()
            );
        }
    }
    eprintln!(
        "note: shared corpus not found at {}; skipping corpus test",
        dir.display()
    );
    None
}

/// A path inside `shared/corpus/`, or `None` when the corpus is missing (see [`shared_dir`]).
pub fn corpus_path(rel: &str) -> Option<PathBuf> {
    shared_dir().map(|d| d.join("corpus").join(rel))
}
