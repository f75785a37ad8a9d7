//! Test helpers shared by the end-to-end tests (`mod support;` in a test file).
//!
//! [`TestCommand`] runs the `iamlogic` binary the way the tests all need it (arguments,
//! standard input, environment, the exit code expected) and [`Run`] gives its output as
//! text or JSON; [`write`] puts a fixture file in a scratch directory.

// Each test crate uses part of these helpers.
#![allow(dead_code)]

pub mod iamvulnerable;
pub mod who_can;

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A command line of the `iamlogic` binary, built up then run.
#[derive(Debug)]
pub struct TestCommand {
    cmd: Command,
    stdin: Option<Vec<u8>>,
}

impl Default for TestCommand {
    fn default() -> TestCommand {
        TestCommand::new()
    }
}

impl TestCommand {
    /// `iamlogic` with no arguments yet.
    pub fn new() -> TestCommand {
        TestCommand {
            cmd: Command::new(env!("CARGO_BIN_EXE_iamlogic")),
            stdin: None,
        }
    }

    /// Add one argument.
    pub fn arg(&mut self, arg: impl AsRef<OsStr>) -> &mut TestCommand {
        self.cmd.arg(arg);
        self
    }

    /// Add arguments.
    pub fn args<I, S>(&mut self, args: I) -> &mut TestCommand
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.cmd.args(args);
        self
    }

    /// Give `bytes` on standard input (otherwise it is empty).
    pub fn stdin(&mut self, bytes: impl Into<Vec<u8>>) -> &mut TestCommand {
        self.stdin = Some(bytes.into());
        self
    }

    /// Set an environment variable.
    pub fn env(&mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> &mut TestCommand {
        self.cmd.env(key, value);
        self
    }

    /// Remove a variable from the environment it inherits.
    pub fn env_remove(&mut self, key: impl AsRef<OsStr>) -> &mut TestCommand {
        self.cmd.env_remove(key);
        self
    }

    /// Run in `dir`.
    pub fn current_dir(&mut self, dir: impl AsRef<Path>) -> &mut TestCommand {
        self.cmd.current_dir(dir);
        self
    }

    /// Run it to the end, whatever its exit code.
    pub fn run(&mut self) -> Run {
        self.cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self.cmd.spawn().expect("start iamlogic");
        let input = self.stdin.clone().unwrap_or_default();
        let mut pipe = child.stdin.take().expect("stdin pipe");
        // A program that stops reading early closes the pipe: not a test failure.
        let writer = std::thread::spawn(move || {
            let _ = pipe.write_all(&input);
        });
        let output = child.wait_with_output().expect("iamlogic ends");
        writer.join().expect("stdin writer");
        Run { output }
    }

    /// Run it with its standard output closed at once, as a reader that stops early
    /// (`iamlogic ... | head`) leaves it; standard output is then empty.
    pub fn run_closing_stdout(&mut self) -> Run {
        self.cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self.cmd.spawn().expect("start iamlogic");
        drop(child.stdout.take());
        let output = child.wait_with_output().expect("iamlogic ends");
        Run { output }
    }

    /// Run it and check that it exits with `code`; the message shows both streams.
    pub fn expect_code(&mut self, code: i32) -> Run {
        let run = self.run();
        run.assert_code(code);
        run
    }
}

/// Run `iamlogic ARGS` to the end, whatever its exit code.
pub fn iamlogic<S: AsRef<OsStr>>(args: &[S]) -> Run {
    TestCommand::new().args(args).run()
}

/// Run `iamlogic simulate -i INPUT --principal P --action A EXTRA...` to the end.
pub fn simulate_one(input: &Path, principal: &str, action: &str, extra: &[&str]) -> Run {
    TestCommand::new()
        .args(["simulate", "-i"])
        .arg(input)
        .args(["--principal", principal, "--action", action])
        .args(extra)
        .run()
}

/// A finished run of `iamlogic`: its exit code and output.
pub struct Run {
    /// The process output (also reached through `Deref`: `run.status`, `run.stdout`).
    pub output: Output,
}

impl std::ops::Deref for Run {
    type Target = Output;
    fn deref(&self) -> &Output {
        &self.output
    }
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {:?}\n--- stdout\n{}--- stderr\n{}",
            self.code(),
            self.stdout(),
            self.stderr()
        )
    }
}

impl Run {
    /// The exit code (`None` when killed by a signal).
    pub fn code(&self) -> Option<i32> {
        self.output.status.code()
    }

    /// Standard output as text.
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    /// Standard error as text.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// Standard output as one JSON document (`Null` when it is not one).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.output.stdout).unwrap_or(serde_json::Value::Null)
    }

    /// Standard output as JSON Lines, one value per non-empty line.
    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.stdout()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect()
    }

    /// Check the exit code; the message shows both streams.
    pub fn assert_code(&self, code: i32) -> &Run {
        assert_eq!(self.code(), Some(code), "{self:?}");
        self
    }
}

/// Write `text` to `dir/name`; its path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).expect("create fixture directory");
    }
    std::fs::write(&p, text).expect("write fixture");
    p
}

/// The bundled example organization (`examples/`).
pub fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples")
}
