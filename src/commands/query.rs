//! `jforensics query`: SQL over the tables, from the library, a file or `--sql`.

use super::Exit;
use std::fs::File;
use std::io::{self, BufWriter, IsTerminal};
use std::path::Path;

use jforensics::tables::output::{self, Format, TableStyle};
use jforensics::tables::{Inputs, Table, Tables, dataset, queries, sql};
use polars::prelude::DataFrame;

use super::{Context, Hosts, Result};
use crate::cli::{self, QueryArgs, QueryFormat};

pub fn run(ctx: &Context, args: &QueryArgs) -> Result<Exit> {
    if args.list {
        print!("{}", list());
        return Ok(Exit::Success);
    }
    if args.tables {
        print!("{}", table_docs());
        return Ok(Exit::Success);
    }
    let (text, origin) = resolve(args)?;
    let format = match args.result_format {
        Some(f) => format(f),
        None => args
            .out
            .as_deref()
            .and_then(Format::from_extension)
            .unwrap_or(match ctx.output.format {
                cli::Format::Json => Format::Ndjson,
                cli::Format::Short => Format::Table,
            }),
    };
    // A bad query is reported before the journal is read.
    quietly(|| sql::check(&text, &origin))?;
    let tables = tables(ctx, args.boot.spec())?;
    let mut result = quietly(|| sql::run(&tables, &text, &origin))?;
    write_result(&mut result, format, args.out.as_deref(), ctx)
}

/// Runs polars with the panic hook silenced: `sql::check` and `sql::run`
/// turn a polars panic into an error that quotes it, which the default hook
/// would print a second time, with a backtrace.
fn quietly<T>(f: impl FnOnce() -> T) -> T {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let out = f();
    std::panic::set_hook(hook);
    out
}

fn format(f: QueryFormat) -> Format {
    match f {
        QueryFormat::Table => Format::Table,
        QueryFormat::Csv => Format::Csv,
        QueryFormat::Ndjson => Format::Ndjson,
        QueryFormat::Parquet => Format::Parquet,
    }
}

/// The SQL text and where it came from: `--sql`, a library name, or a file.
fn resolve(args: &QueryArgs) -> Result<(String, String)> {
    if let Some(text) = &args.sql {
        return Ok((text.clone(), "--sql".to_string()));
    }
    let Some(name) = &args.query else {
        return Err("say which query: a NAME from `jforensics query --list`, a FILE.sql, or --sql \"SELECT …\"".into());
    };
    let looks_like_file = name.ends_with(".sql") || name.contains('/');
    if !looks_like_file && let Some(q) = queries::find(name) {
        return Ok((q.sql.to_string(), format!("query '{}'", q.name)));
    }
    if looks_like_file || Path::new(name).is_file() {
        let text = std::fs::read_to_string(name)
            .map_err(|e| format!("cannot read the query file {name}: {e}"))?;
        return Ok((text, name.clone()));
    }
    Err(format!(
        "there is no built-in query '{name}' and no file of that name; `jforensics query --list` shows the built-in queries"
    )
    .into())
}

/// Every table, built from the selected journal: one pass for the boots,
/// then one pass per boot for its lifecycles, starts and findings (the
/// detectors read services' own output too, so every entry of the boot).
/// With `-b` only that boot and the one before it (which "lost at reboot"
/// compares it with) are read, and every table keeps only that boot's rows.
/// A journal of several machines gives each host's rows, under its
/// `machine_id` and `hostname`.
pub(super) fn tables(ctx: &Context, boot: Option<&str>) -> Result<Tables> {
    let views = match ctx.hosts()? {
        Hosts::One => return analysed(ctx, boot)?.tables(),
        Hosts::Many(views) => views,
    };
    let mut parts = Vec::new();
    // Each view is dropped once read, and its reader processes with it.
    for view in views {
        let host = dataset_host(&view);
        parts.push(analysed(&view, boot)?.tables()?.with_host(&host)?);
    }
    Ok(Tables::concat(parts)?)
}

/// The machine of a view, as the dataset names it.
pub(super) fn dataset_host(view: &Context) -> dataset::Host {
    let m = view.machine();
    dataset::Host {
        machine_id: m.and_then(|m| m.id).map(|i| i.to_string()),
        hostname: m.and_then(|m| m.hostname.clone()),
    }
}

/// What the tables are made of, for one machine.
pub(super) struct Analysed(pub jforensics::session::Analysed);

impl Analysed {
    pub fn inputs(&self) -> Inputs<'_> {
        Inputs {
            boots: &self.0.boots,
            analyses: &self.0.analyses,
            findings: &self.0.findings,
        }
    }

    pub fn tables(&self) -> Result<Tables> {
        let tables = Tables::build(&self.inputs())?;
        Ok(match &self.0.selected {
            Some(id) => tables.restrict_to_boot(&id.to_string())?,
            None => tables,
        })
    }
}

pub(super) fn analysed(ctx: &Context, boot: Option<&str>) -> Result<Analysed> {
    Ok(Analysed(ctx.analyse(boot)?))
}

/// Writes to `out` (a file, or standard output for none or `-`).
pub(super) fn write_result(
    df: &mut DataFrame,
    format: Format,
    out: Option<&Path>,
    ctx: &Context,
) -> Result<Exit> {
    let style = TableStyle {
        full: ctx.output.full,
    };
    match out.filter(|p| *p != Path::new("-")) {
        Some(path) => {
            let file =
                File::create(path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            let mut writer = BufWriter::new(file);
            output::write(df, format, style, &mut writer)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        None => {
            let stdout = io::stdout();
            if format.is_binary() && stdout.is_terminal() {
                return Err(
                    "Parquet is binary and standard output is a terminal: give --out FILE.parquet"
                        .into(),
                );
            }
            output::write(df, format, style, &mut stdout.lock())?;
        }
    }
    Ok(Exit::Success)
}

/// `--list`: name and first comment line of each built-in query.
fn list() -> String {
    let width = queries::LIBRARY
        .iter()
        .map(|q| q.name.len())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for q in queries::LIBRARY {
        out.push_str(&format!("{:width$}  {}\n", q.name, q.summary()));
    }
    out.push_str(
        "\nRun one with `jforensics query NAME`; the SQL is in queries/NAME.sql of the source.\n",
    );
    out
}

/// `--tables`: every table with its documented columns.
fn table_docs() -> String {
    let mut out = String::new();
    for table in Table::ALL {
        out.push_str(&format!("{} — {}\n", table.name(), table.about()));
        let name_w = table
            .columns()
            .iter()
            .map(|c| c.name.len())
            .max()
            .unwrap_or(0);
        let type_w = table
            .columns()
            .iter()
            .map(|c| c.type_label().chars().count())
            .max()
            .unwrap_or(0);
        for c in table.columns() {
            let label = c.type_label();
            let pad = type_w - label.chars().count();
            out.push_str(&format!(
                "  {:name_w$}  {label}{}  {}\n",
                c.name,
                " ".repeat(pad),
                c.doc
            ));
        }
        out.push('\n');
    }
    out.push_str("`?` marks columns that may be null. Datetimes are UTC with microseconds.\n");
    out
}
