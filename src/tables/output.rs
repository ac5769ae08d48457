//! Writing a frame: an aligned table, CSV, JSON lines or Parquet.
//!
//! Parquet is polars' writer (types kept: DuckDB and Spark read the datetimes
//! as UTC timestamps and the categoricals as dictionary strings). The three
//! text formats go through one cell formatter here rather than polars' own
//! writers, so a value reads the same in all of them and in jforensics' other
//! JSON: datetimes as RFC 3339 UTC with microseconds, durations as µs, and no
//! table chrome to strip. It also keeps polars' `fmt`, `csv` and `json`
//! features out of the build.

use std::io::{self, Write};

use chrono::{DateTime, SecondsFormat};
use polars::prelude::*;
use serde_json::Value;

use crate::present::table::{Align, Table};
use crate::present::text::one_line;

/// The formats `query` and `export` write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Aligned columns for a terminal, with a row count.
    Table,
    /// RFC 4180 CSV with a header line.
    Csv,
    /// One JSON object per row (JSON lines), keys in column order.
    Ndjson,
    /// Apache Parquet, types kept.
    Parquet,
}

impl Format {
    /// Guesses the format from an output file's extension.
    pub fn from_extension(path: &std::path::Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "parquet" | "pq" => Some(Format::Parquet),
            "csv" => Some(Format::Csv),
            "ndjson" | "jsonl" => Some(Format::Ndjson),
            "txt" => Some(Format::Table),
            _ => None,
        }
    }

    /// Binary formats must not go to a terminal.
    pub fn is_binary(self) -> bool {
        self == Format::Parquet
    }
}

/// How the aligned table shortens what does not fit.
#[derive(Clone, Copy, Debug, Default)]
pub struct TableStyle {
    /// Show long text in full instead of cutting it (`-l/--full`).
    pub full: bool,
}

/// Text cells longer than this are cut in the aligned table unless `full`.
const MAX_CELL: usize = 80;

/// Writes `df` to `out` in `format`.
pub fn write(
    df: &mut DataFrame,
    format: Format,
    style: TableStyle,
    out: &mut dyn Write,
) -> PolarsResult<()> {
    match format {
        Format::Table => out.write_all(render_table(df, style)?.as_bytes())?,
        Format::Csv => write_csv(df, out)?,
        Format::Ndjson => write_ndjson(df, out)?,
        Format::Parquet => {
            ParquetWriter::new(&mut *out).finish(df)?;
        }
    }
    out.flush()?;
    Ok(())
}

/// One value, normalised from polars' many physical types.
#[derive(Clone, Debug, PartialEq)]
enum Cell {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Text(String),
    /// RFC 3339, UTC, microseconds.
    Datetime(String),
    /// µs, and how polars writes the duration for people ("4m 31s").
    Duration(i64, String),
    List(Vec<Cell>),
    /// Anything else (dates, times, decimals, structs), as polars displays it.
    Other(String),
}

impl Cell {
    fn from_any(value: AnyValue) -> Cell {
        match value.as_borrowed() {
            AnyValue::Null => Cell::Null,
            AnyValue::Boolean(b) => Cell::Bool(b),
            AnyValue::Int8(v) => Cell::Int(v.into()),
            AnyValue::Int16(v) => Cell::Int(v.into()),
            AnyValue::Int32(v) => Cell::Int(v.into()),
            AnyValue::Int64(v) => Cell::Int(v),
            AnyValue::UInt8(v) => Cell::Int(v.into()),
            AnyValue::UInt16(v) => Cell::Int(v.into()),
            AnyValue::UInt32(v) => Cell::Int(v.into()),
            AnyValue::UInt64(v) => Cell::UInt(v),
            AnyValue::Float32(v) => Cell::Float(v.into()),
            AnyValue::Float64(v) => Cell::Float(v),
            AnyValue::String(s) => Cell::Text(s.to_string()),
            v @ AnyValue::Categorical(..) | v @ AnyValue::Enum(..) => {
                Cell::Text(v.str_value().into_owned())
            }
            AnyValue::Datetime(v, unit, _) => Cell::Datetime(datetime_text(to_usec(v, unit))),
            v @ AnyValue::Duration(d, unit) => Cell::Duration(to_usec(d, unit), v.to_string()),
            AnyValue::List(series) => Cell::List(series.iter().map(Cell::from_any).collect()),
            other => Cell::Other(other.to_string()),
        }
    }

    /// The text for the aligned table and CSV; `None` for null.
    fn text(&self, for_csv: bool) -> Option<String> {
        Some(match self {
            Cell::Null => return None,
            Cell::Bool(b) => b.to_string(),
            Cell::Int(v) => v.to_string(),
            Cell::UInt(v) => v.to_string(),
            Cell::Float(v) => v.to_string(),
            Cell::Text(s) | Cell::Datetime(s) | Cell::Other(s) => s.clone(),
            Cell::Duration(usec, _) if for_csv => usec.to_string(),
            Cell::Duration(_, shown) => shown.clone(),
            Cell::List(_) if for_csv => self.json().to_string(),
            Cell::List(items) => {
                let items: Vec<String> = items
                    .iter()
                    .map(|c| c.text(false).unwrap_or_else(|| "NULL".into()))
                    .collect();
                format!("[{}]", items.join(", "))
            }
        })
    }

    fn json(&self) -> Value {
        match self {
            Cell::Null => Value::Null,
            Cell::Bool(b) => Value::Bool(*b),
            Cell::Int(v) => Value::from(*v),
            Cell::UInt(v) => Value::from(*v),
            Cell::Float(v) => serde_json::Number::from_f64(*v)
                .map(Value::Number)
                .unwrap_or(Value::Null),
            Cell::Text(s) | Cell::Datetime(s) | Cell::Other(s) => Value::String(s.clone()),
            Cell::Duration(usec, _) => Value::from(*usec),
            Cell::List(items) => Value::Array(items.iter().map(Cell::json).collect()),
        }
    }
}

fn to_usec(value: i64, unit: TimeUnit) -> i64 {
    match unit {
        TimeUnit::Nanoseconds => value.div_euclid(1000),
        TimeUnit::Microseconds => value,
        TimeUnit::Milliseconds => value.saturating_mul(1000),
    }
}

/// "2022-10-24T00:00:00.994371Z", as in jforensics' JSON documents.
fn datetime_text(usec: i64) -> String {
    DateTime::from_timestamp_micros(usec)
        .map(|d| d.to_rfc3339_opts(SecondsFormat::Micros, true))
        .unwrap_or_else(|| format!("@{usec}us"))
}

/// Every row as cells, column by column (rechunked so `get` is cheap).
fn cells(df: &DataFrame) -> PolarsResult<Vec<Vec<Cell>>> {
    let columns: Vec<Column> = df.columns().iter().map(Column::rechunk).collect();
    (0..df.height())
        .map(|row| {
            columns
                .iter()
                .map(|c| Ok(Cell::from_any(c.get(row)?)))
                .collect()
        })
        .collect()
}

fn names(df: &DataFrame) -> Vec<String> {
    df.get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect()
}

/// Columns separated by two spaces, numbers right-aligned, nulls as `NULL`,
/// then the row count, so an empty result still says something.
pub fn render_table(df: &DataFrame, style: TableStyle) -> PolarsResult<String> {
    let headers = names(df);
    let right: Vec<bool> = df
        .columns()
        .iter()
        .map(|c| c.dtype().is_primitive_numeric() || matches!(c.dtype(), DataType::Duration(_)))
        .collect();
    let rows: Vec<Vec<String>> = cells(df)?
        .iter()
        .map(|row| {
            row.iter()
                .map(|cell| {
                    let text = cell.text(false).unwrap_or_else(|| "NULL".to_string());
                    one_line(&text, if style.full { usize::MAX } else { MAX_CELL })
                })
                .collect()
        })
        .collect();
    let mut table = Table::with_headers(
        headers
            .into_iter()
            .zip(right)
            .map(|(h, right)| (h, if right { Align::Right } else { Align::Left }))
            .collect(),
    );
    for row in rows {
        table.row(row);
    }
    let mut out = table.render();
    let n = df.height();
    out.push_str(&format!("({n} row{})\n", if n == 1 { "" } else { "s" }));
    Ok(out)
}

/// RFC 4180: a header line, nulls as empty fields, fields quoted when they
/// hold a comma, quote or line break.
fn write_csv(df: &DataFrame, out: &mut dyn Write) -> io::Result<()> {
    let write_line = |out: &mut dyn Write, fields: Vec<String>| -> io::Result<()> {
        let quoted: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.write_all(quoted.join(",").as_bytes())?;
        out.write_all(b"\r\n")
    };
    write_line(out, names(df))?;
    for row in cells(df).map_err(io::Error::other)? {
        let fields = row
            .iter()
            .map(|c| c.text(true).unwrap_or_default())
            .collect();
        write_line(out, fields)?;
    }
    Ok(())
}

fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

/// One object per line, keys in column order.
fn write_ndjson(df: &DataFrame, out: &mut dyn Write) -> io::Result<()> {
    let keys: Vec<String> = names(df)
        .iter()
        .map(|n| Value::String(n.clone()).to_string())
        .collect();
    for row in cells(df).map_err(io::Error::other)? {
        let members: Vec<String> = keys
            .iter()
            .zip(&row)
            .map(|(k, cell)| format!("{k}:{}", cell.json()))
            .collect();
        writeln!(out, "{{{}}}", members.join(","))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> DataFrame {
        let at = Int64Chunked::from_iter_options(
            "at".into(),
            [Some(1_666_569_600_994_371), None].into_iter(),
        )
        .into_datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))
        .into_series();
        let unit = Column::new("unit".into(), ["a.service", "b, \"c\".service"])
            .cast(&DataType::from_categories(Categories::global()))
            .unwrap();
        DataFrame::new(
            2,
            vec![
                unit,
                at.into(),
                Column::new("exit".into(), [Some(1i64), None]),
            ],
        )
        .unwrap()
    }

    fn written(format: Format) -> String {
        let mut out = Vec::new();
        write(&mut sample(), format, TableStyle::default(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn table_aligns_numbers_right_and_shows_nulls() {
        assert_eq!(
            written(Format::Table),
            "unit            at                           exit\n\
             a.service       2022-10-24T00:00:00.994371Z     1\n\
             b, \"c\".service  NULL                         NULL\n\
             (2 rows)\n"
        );
    }

    #[test]
    fn csv_quotes_what_needs_quoting_and_leaves_nulls_empty() {
        assert_eq!(
            written(Format::Csv),
            "unit,at,exit\r\na.service,2022-10-24T00:00:00.994371Z,1\r\n\"b, \"\"c\"\".service\",,\r\n"
        );
    }

    #[test]
    fn ndjson_keeps_column_order_and_types() {
        let text = written(Format::Ndjson);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            r#"{"unit":"a.service","at":"2022-10-24T00:00:00.994371Z","exit":1}"#
        );
        let second: Value = serde_json::from_str(lines[1]).unwrap();
        assert_eq!(second["at"], Value::Null);
        assert_eq!(second["unit"], "b, \"c\".service");
    }

    #[test]
    fn long_text_is_cut_unless_full() {
        let long = "x".repeat(100);
        assert_eq!(one_line(&long, MAX_CELL).chars().count(), MAX_CELL);
        assert!(one_line(&long, MAX_CELL).ends_with('…'));
        assert_eq!(one_line("a\nb", MAX_CELL), "a b");
    }

    #[test]
    fn formats_follow_file_extensions() {
        use std::path::Path;
        assert_eq!(
            Format::from_extension(Path::new("x.parquet")),
            Some(Format::Parquet)
        );
        assert_eq!(
            Format::from_extension(Path::new("x.JSONL")),
            Some(Format::Ndjson)
        );
        assert_eq!(
            Format::from_extension(Path::new("x.csv")),
            Some(Format::Csv)
        );
        assert_eq!(Format::from_extension(Path::new("x")), None);
    }
}
