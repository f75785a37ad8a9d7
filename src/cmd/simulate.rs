//! `iamlogic simulate` (being written).

use crate::exit::{CmdResult, Exit};
use crate::progress::Ui;

/// Arguments of `iamlogic simulate`.
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Run `iamlogic simulate`.
pub fn run(_args: Args, _ui: &Ui) -> CmdResult {
    Err("`simulate` is not implemented yet".into())
}
