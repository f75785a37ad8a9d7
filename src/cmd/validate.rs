//! `iamlogic validate` (being written).

use crate::exit::{CmdResult, Exit};
use crate::progress::Ui;

/// Arguments of `iamlogic validate`.
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Run `iamlogic validate`.
pub fn run(_args: Args, _ui: &Ui) -> CmdResult {
    Err("`validate` is not implemented yet".into())
}
