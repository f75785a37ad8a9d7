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
