//! The program's exit codes, one documented table.

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: allowed, equivalent, check passed, no errors found.
    Ok,
    /// 1: a negative answer: denied, differs, check failed, validation errors found.
    Negative,
    /// 2: the program could not run (bad input, missing file, internal error).
    Error,
    /// 3: the solver gave up (unknown or timeout).
    Unknown,
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(match e {
            Exit::Ok => 0,
            Exit::Negative => 1,
            Exit::Error => 2,
            Exit::Unknown => 3,
        })
    }
}

/// A command's error shown to the user: already formatted with file and location.
pub type CmdResult = Result<Exit, Box<dyn std::error::Error>>;

/// Hand back `value` to the operating system with the process instead of freeing it: a
/// command's loaded accounts (model, fact tables, index) are millions of allocations, and
/// freeing them one by one just before the process exits is work nobody waits for.
/// Measured on the 100 x 500 organization of docs/performance.md: dropping the simulator
/// at the end of `simulate` took about 0.08 s of CPU, and the allocator returning the freed
/// pages at exit about 0.03 s more. The memory is released when the process ends, as it
/// would be a moment later anyway; only call this with what the command keeps to its end.
pub fn release_at_exit<T>(value: T) {
    std::mem::forget(value);
}
