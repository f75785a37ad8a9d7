// Shared by the build scripts of every package whose binaries link Z3 (the `iamlogic` CLI,
// `solver` and `queries`): `include!`d, so the folder is found in exactly one way.
//
// Recipe: ../shared/notes/z3.md. DIR is `Z3_LIBRARY_PATH_OVERRIDE` when set, else the lib
// folder of the PyPI `z3-solver` wheel, found with python3. `rustc-link-search` reaches every
// dependent; `rustc-link-arg` (the rpath, so binaries run without LD_LIBRARY_PATH) only reaches
// the binaries, tests, benches and examples of the package whose build script emits it.

/// The folder holding `libz3.so`, or a message naming the set-up script.
fn z3_lib_dir() -> Result<std::path::PathBuf, String> {
    println!("cargo:rerun-if-env-changed=Z3_LIBRARY_PATH_OVERRIDE");
    if let Some(dir) = std::env::var_os("Z3_LIBRARY_PATH_OVERRIDE") {
        let dir = std::path::PathBuf::from(dir);
        if dir.is_dir() {
            return Ok(dir);
        }
        return Err(format!(
            "Z3_LIBRARY_PATH_OVERRIDE={} is not a folder; unset it or run scripts/setup.sh",
            dir.display()
        ));
    }
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import z3,os;print(os.path.join(os.path.dirname(z3.__file__),'lib'))",
        ])
        .output();
    match out {
        Ok(o) if o.status.success() => {
            let text = String::from_utf8_lossy(&o.stdout).trim().to_string();
            let dir = std::path::PathBuf::from(text);
            if dir.join("libz3.so").exists() {
                Ok(dir)
            } else {
                Err(format!(
                    "the z3-solver wheel has no libz3.so in {}; run scripts/setup.sh",
                    dir.display()
                ))
            }
        }
        _ => Err(
            "Z3 5.4 not found: neither Z3_LIBRARY_PATH_OVERRIDE is set nor can python3 import \
             the z3-solver wheel; run scripts/setup.sh (as root) to install it"
                .to_string(),
        ),
    }
}

/// Emit the link search path and the rpath for this package's executables.
fn link_z3() {
    match z3_lib_dir() {
        Ok(dir) => {
            println!("cargo:rustc-link-search=native={}", dir.display());
            println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir.display());
        }
        Err(msg) => {
            println!("cargo:warning={msg}");
            std::process::exit(1);
        }
    }
}
