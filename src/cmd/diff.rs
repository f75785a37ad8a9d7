//! `iamlogic diff` (being written).

use crate::exit::{CmdResult, Exit};
use crate::progress::Ui;

/// Arguments of `iamlogic diff`.
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Run `iamlogic diff`.
pub fn run(_args: Args, _ui: &Ui) -> CmdResult {
    Err("`diff` is not implemented yet".into())
}
