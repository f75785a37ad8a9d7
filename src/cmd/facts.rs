//! `iamlogic facts` (being written).

use crate::exit::{CmdResult, Exit};
use crate::progress::Ui;

/// Arguments of `iamlogic facts`.
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Run `iamlogic facts`.
pub fn run(_args: Args, _ui: &Ui) -> CmdResult {
    Err("`facts` is not implemented yet".into())
}
