//! `iamlogic facts -i PATH... --out DIR`: compile loaded accounts into fact tables and write
//! them for Soufflé.
//!
//! Each `.facts` file starts with a header line naming its columns, and `DIR/schema.dl`
//! declares every table with `.input rel(IO=file, filename="rel.facts", headers=true)`, the
//! option with which Soufflé's file reader skips that first line (Soufflé's `.facts` format
//! has no comment syntax). `schema.dl` is ready to `#include` from a user's own Datalog
//! program. Values are Soufflé symbols.

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
    crate::progress::print_load_warnings(ui, &model.warnings);
    let tables = FactTables::from_model(&model);
    write_tables(&tables, &args.out)?;
    if ui.chatty() {
        eprintln!("wrote fact tables to {}", args.out.display());
    }
    Ok(Exit::Ok)
}

/// Render one table as a `.facts` file: a header line naming the columns (Soufflé skips it
/// with `headers=true`), then one tab-separated row per fact. A value holding a tab or a
/// line break is an error: Soufflé's default `.facts` reader has no escapes for them.
fn render(t: &facts::tables::ExportedTable) -> Result<String, String> {
    let mut body = t.columns.join("\t");
    body.push('\n');
    for row in &t.rows {
        for (i, v) in row.iter().enumerate() {
            if v.contains(['\t', '\n', '\r']) {
                let column = t.columns.get(i).copied().unwrap_or("?");
                return Err(format!(
                    "table `{}`, column `{column}`: value `{}` contains a tab or line break, which Soufflé's .facts format cannot hold; nothing was written",
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
    Ok(body)
}

/// Write every table and the schema into `dir`. Every table is rendered (and checked)
/// before anything is written, so bad data leaves no partial output behind.
fn write_tables(tables: &FactTables, dir: &std::path::Path) -> Result<(), String> {
    let mut schema = String::from(
        "// iamlogic fact tables: one `.facts` file per relation, tab-separated, whose first\n\
         // line names the columns (read with `headers=true`).\n\
         // #include this file from a Soufflé program and run it with `-F <this directory>`.\n\n",
    );
    let mut files = Vec::new();
    for t in tables.export() {
        files.push((format!("{}.facts", t.name), render(&t)?));
        let cols: Vec<String> = t.columns.iter().map(|c| format!("{c}: symbol")).collect();
        let _ = writeln!(schema, "// {}({})", t.name, t.columns.join(", "));
        let _ = writeln!(schema, ".decl {}({})", t.name, cols.join(", "));
        let _ = writeln!(
            schema,
            ".input {}(IO=file, filename=\"{}.facts\", headers=true)\n",
            t.name, t.name
        );
    }
    files.push(("schema.dl".to_string(), schema));
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: cannot create: {e}", dir.display()))?;
    for (name, body) in files {
        let path = dir.join(name);
        std::fs::write(&path, body)
            .map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
    }
    Ok(())
}
