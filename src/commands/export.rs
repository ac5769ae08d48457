//! `jforensics export`: one table to Parquet, CSV or JSON lines, for DuckDB,
//! Spark or a notebook.

use super::Exit;

use std::path::Path;

use jforensics::tables::output::Format;
use jforensics::tables::{Table, dataset};

use super::query::{analysed, dataset_host, tables, write_result};
use super::{Context, Error, Hosts, Result};
use crate::cli::{self, ExportArgs, ExportFormat};

pub fn run(ctx: &Context, args: &ExportArgs) -> Result<Exit> {
    if let Some(dir) = &args.dataset {
        return write_dataset(ctx, args, dir);
    }
    let (Some(name), Some(out)) = (&args.table, &args.out) else {
        return Err(Error::Usage(
            "say what to write: --table NAME --out FILE, or --dataset DIR".to_string(),
        ));
    };
    let table = Table::parse(name)?;
    let format = match args.table_format {
        Some(ExportFormat::Parquet) => Format::Parquet,
        Some(ExportFormat::Csv) => Format::Csv,
        Some(ExportFormat::Ndjson) => Format::Ndjson,
        None => Format::from_extension(out)
            .filter(|f| *f != Format::Table)
            .or((ctx.output.format == cli::Format::Json).then_some(Format::Ndjson))
            .ok_or_else(|| {
                Error::Usage(format!(
                    "cannot tell the format from '{}': give --format parquet, csv or ndjson",
                    out.display()
                ))
            })?,
    };
    let tables = tables(ctx, args.boot.spec())?;
    let mut frame = tables.get(table).clone();
    write_result(&mut frame, format, Some(out), ctx)
}

/// `--dataset DIR`: every machine's boots, starts, findings and coverage as
/// partitioned Parquet (`jforensics::tables::dataset`).
fn write_dataset(ctx: &Context, args: &ExportArgs, dir: &Path) -> Result<Exit> {
    let views = match ctx.hosts()? {
        Hosts::One => {
            let only = ctx.machines()?.into_iter().next();
            only.map(|m| vec![ctx.view(&m)]).unwrap_or_default()
        }
        Hosts::Many(views) => views,
    };
    let mut files = 0;
    let hosts = views.len();
    // Each view is dropped once written, and its reader processes with it.
    for view in views {
        let host = dataset_host(&view);
        let data = analysed(&view, args.boot.spec())?;
        let run_id = dataset::run_id(&host, &data.0.boots);
        let frames = dataset::host_frames(&data.inputs(), &data.tables()?, &host, &run_id)?;
        files += dataset::write_host(dir, frames, &host, &run_id)?.len();
    }
    eprintln!(
        "jforensics: {files} file(s) for {} machine(s) written under {}",
        hosts,
        dir.display()
    );
    Ok(Exit::Success)
}
