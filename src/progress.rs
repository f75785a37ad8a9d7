//! Progress bars on a terminal (indicatif), silent when piped or with `--quiet`.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// The user-interface settings every command receives.
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    show: bool,
    quiet: bool,
}

impl Ui {
    /// Progress is shown only on a terminal and without `--quiet`.
    pub fn new(quiet: bool) -> Ui {
        Ui {
            show: !quiet && std::io::stderr().is_terminal(),
            quiet,
        }
    }

    /// A bar of `len` steps labelled `msg` (hidden when progress is off).
    pub fn bar(&self, len: u64, msg: &str) -> ProgressBar {
        if !self.show {
            return ProgressBar::hidden();
        }
        let pb = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
        if let Ok(style) =
            ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({elapsed}, eta {eta})")
        {
            pb.set_style(style.progress_chars("=> "));
        }
        pb.set_message(msg.to_string());
        pb
    }

    /// A spinner for work of unknown length.
    pub fn spinner(&self, msg: &str) -> ProgressBar {
        if !self.show {
            return ProgressBar::hidden();
        }
        let pb = ProgressBar::new_spinner();
        pb.set_message(msg.to_string());
        pb.enable_steady_tick(std::time::Duration::from_millis(120));
        pb
    }

    /// Whether warnings about the input are printed to stderr: always, piped or not, with
    /// `--quiet` too (`--quiet` silences progress, notes and information only; nothing a user
    /// gave may be dropped without a word). Kept for the commands that ask; loader warnings
    /// go through [`print_load_warnings`], which also hides notes under `--quiet`.
    pub fn warnings(&self) -> bool {
        true
    }

    /// Whether progress bars are drawn (on a terminal, without `--quiet`), for commands that
    /// draw their own (`collect`'s bar per account).
    pub fn shows_progress(&self) -> bool {
        self.show
    }

    /// Whether `--quiet` was given.
    pub fn quiet(&self) -> bool {
        self.quiet
    }

    /// Whether informational messages may be printed to stderr (on a terminal, without
    /// `--quiet`).
    pub fn chatty(&self) -> bool {
        self.show && !self.quiet
    }
}

/// Print the loader's warnings on stderr: every warning always (`--quiet` included), notes
/// (input completed as documented) only when informational messages are on (not `--quiet`).
pub fn print_load_warnings(ui: &Ui, warnings: &[facts::account::Warning]) {
    for w in warnings {
        if w.kind.severity() == facts::account::Severity::Warning || !ui.quiet {
            eprintln!("{}: {w}", warning_label(w));
        }
    }
}

/// The label a loader warning is printed with: `note` for input completed as documented
/// (an AWS-managed policy from the bundled snapshot), `warning` for input that could not be used.
pub fn warning_label(w: &facts::account::Warning) -> &'static str {
    match w.kind.severity() {
        facts::account::Severity::Note => "note",
        facts::account::Severity::Warning => "warning",
    }
}
