//! `jforensics export`: one table to Parquet, CSV or JSON lines, for DuckDB,
//! Spark or a notebook.

use std::process::ExitCode;

use jforensics::tables::Table;
use jforensics::tables::output::Format;

use super::query::{tables, write_result};
use super::{Context, Result, UsageError};
use crate::cli::{self, ExportArgs, ExportFormat};

pub fn run(ctx: &Context, args: &ExportArgs) -> Result<ExitCode> {
    let table = Table::parse(&args.table)?;
    let format = match args.table_format {
        Some(ExportFormat::Parquet) => Format::Parquet,
        Some(ExportFormat::Csv) => Format::Csv,
        Some(ExportFormat::Ndjson) => Format::Ndjson,
        None => Format::from_extension(&args.out)
            .filter(|f| *f != Format::Table)
            .or((ctx.output.format == cli::Format::Json).then_some(Format::Ndjson))
            .ok_or_else(|| {
                UsageError(format!(
                    "cannot tell the format from '{}': give --format parquet, csv or ndjson",
                    args.out.display()
                ))
            })?,
    };
    let tables = tables(ctx, args.boot.spec())?;
    let mut frame = tables.get(table).clone();
    write_result(&mut frame, format, Some(&args.out), ctx)
}
