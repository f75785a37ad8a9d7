//! `iamlogic --version` names the Z3 it runs with, and that Z3 is at least 4.13.3
//! (issue 3: "a test fails if that Z3 is older than 4.13.3"; Debian's 4.8.12 must never link).

use std::process::Command;

/// Parse `iamlogic X.Y.Z (Z3 a.b.c.d)` into the Z3 version numbers.
fn z3_version_of(text: &str) -> Option<Vec<u32>> {
    let start = text.find("(Z3 ")? + 4;
    let rest = text.get(start..)?;
    let end = rest.find(')')?;
    rest.get(..end)?
        .split('.')
        .map(|s| s.parse().ok())
        .collect()
}

#[test]
fn version_names_iamlogic_and_a_recent_z3() {
    let out = Command::new(env!("CARGO_BIN_EXE_iamlogic"))
        .arg("--version")
        .output()
        .expect("run iamlogic --version");
    assert!(out.status.success(), "--version failed: {out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(&format!("iamlogic {} (Z3 ", env!("CARGO_PKG_VERSION"))),
        "unexpected --version output: {text}"
    );
    let v = z3_version_of(&text).expect("a Z3 version in --version");
    assert!(v.len() >= 3, "short Z3 version in {text}");
    assert!(
        (v[0], v[1], v[2]) >= (4, 13, 3),
        "Z3 {v:?} is older than 4.13.3: {text}"
    );
}

#[test]
fn version_parser_rejects_old_z3() {
    // The check above must be able to fail: Debian's Z3 would print 4.8.12.
    let v = z3_version_of("iamlogic 0.1.0 (Z3 4.8.12.0)").unwrap();
    assert!((v[0], v[1], v[2]) < (4, 13, 3));
}
