//! `iamlogic --version`: iamlogic's version and the Z3 version it runs with.

/// The long version string (filled in once `solver` links Z3).
pub const LONG_VERSION: &str = env!("CARGO_PKG_VERSION");
