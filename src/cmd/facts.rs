//! `iamlogic facts -i PATH... --out DIR`: compile loaded accounts into fact tables and write
//! them for Soufflé.
//!
//! Soufflé's `.facts` files are bare tab-separated rows with no comment syntax, so the
//! column names go into `DIR/schema.dl`: one commented `.decl` and `.input` per table,
//! ready to `#include` from a user's own Datalog program. Values are Soufflé symbols.

use std::fmt::Write as _;
use std::path::PathBuf;

use facts::tables::FactTables;

use crate::exit::{CmdResult, Exit};
use crate::progress::Ui;

/// Arguments of `iamlogic facts`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Account data: GAAD files, resources, organization (files or directories).
    #[arg(short = 'i', long = "input", value_name = "PATH", required = true)]
    inputs: Vec<PathBuf>,
    /// The directory to write `<table>.facts` and `schema.dl` into (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

/// Run `iamlogic facts`.
pub fn run(args: Args, ui: &Ui) -> CmdResult {
    let spinner = ui.spinner("loading accounts");
    let model = facts::account::load(&args.inputs)?;
    spinner.finish_and_clear();
    for w in &model.warnings {
        if ui.warnings() {
            eprintln!("{}: {w}", crate::progress::warning_label(w));
        }
    }
    let tables = FactTables::from_model(&model);
    write_tables(&tables, &args.out)?;
    if ui.chatty() {
        eprintln!("wrote fact tables to {}", args.out.display());
    }
    Ok(Exit::Ok)
}

/// Write every table and the schema into `dir`.
fn write_tables(tables: &FactTables, dir: &std::path::Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
    let mut schema = String::from(
        "// iamlogic fact tables: one `.facts` file per relation (tab-separated, no header).\n\
         // #include this file from a Soufflé program and run it with `-F <this directory>`.\n\n",
    );
    for t in tables.export() {
        let mut body = String::new();
        for row in &t.rows {
            for (i, v) in row.iter().enumerate() {
                if v.contains(['\t', '\n', '\r']) {
                    return Err(format!(
                        "table `{}`: value `{}` contains a tab or line break, which Soufflé's .facts format cannot hold",
                        t.name,
                        v.escape_debug()
                    ));
                }
                if i > 0 {
                    body.push('\t');
                }
                body.push_str(v);
            }
            body.push('\n');
        }
        let path = dir.join(format!("{}.facts", t.name));
        std::fs::write(&path, body)
            .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
        let cols: Vec<String> = t.columns.iter().map(|c| format!("{c}: symbol")).collect();
        let _ = writeln!(schema, "// {}({})", t.name, t.columns.join(", "));
        let _ = writeln!(schema, ".decl {}({})", t.name, cols.join(", "));
        let _ = writeln!(schema, ".input {}\n", t.name);
    }
    let path = dir.join("schema.dl");
    std::fs::write(&path, schema).map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
    Ok(())
}
