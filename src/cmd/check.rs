//! `iamlogic check` (being written).

use crate::exit::{CmdResult, Exit};
use crate::progress::Ui;

/// Arguments of `iamlogic check`.
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Run `iamlogic check`.
pub fn run(_args: Args, _ui: &Ui) -> CmdResult {
    Err("`check` is not implemented yet".into())
}
