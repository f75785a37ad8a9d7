//! `iamlogic --version`: iamlogic's version and the Z3 version it runs with.

use std::sync::OnceLock;

/// `iamlogic 0.1.0 (Z3 5.4.0.0)` without the program name: clap prefixes it. The Z3 part
/// is asked of the linked library at run time, so it is the Z3 actually in use.
pub fn long_version() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        format!(
            "{} (Z3 {})",
            env!("CARGO_PKG_VERSION"),
            queries::z3_version()
        )
    })
}
