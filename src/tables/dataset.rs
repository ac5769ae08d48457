//! Tables of many hosts: the host columns, and the partitioned dataset
//! `export --dataset` writes.
//!
//! One machine cannot keep every host's journal, so each host's analysis is
//! exported as small typed files that an engine (DuckDB, Spark, Trino,
//! ClickHouse) aggregates. The layout is Hive-style, partitioned by day and
//! not by host (a partition per host makes too many tiny files):
//!
//! ```text
//! OUT/boots/dt=2026-11-21/<machine_id>-<run_id>.parquet
//! OUT/starts/…  OUT/findings/…  OUT/coverage/…
//! ```
//!
//! Every row carries who and what made it: `machine_id`, `hostname`,
//! `run_id`, `schema_version`, `tool_version` (and `boot_id`). The run id is
//! a hash of the machine and the evidence (each boot and its last cursor):
//! exporting the same journal again rewrites the same files instead of
//! adding duplicates, and a journal that grew gets new ones.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::columns::{ColumnDoc, FrameBuilder, Kind, column, to_i64};
use super::{Inputs, Table, Tables};
use crate::boots::Boot;
use crate::present::SCHEMA_VERSION;
use crate::stable_id::stable_id;

/// The tables of the dataset, in the docs' order.
pub const DATASET_TABLES: [&str; 4] = ["boots", "starts", "findings", "coverage"];

/// The columns put first in every dataset row (and in `query`'s tables
/// when the journal holds several machines: the first two).
pub const HOST_COLUMNS: &[ColumnDoc] = &[
    column(
        "machine_id",
        Kind::Text,
        true,
        "`_MACHINE_ID` of the host (32 hex digits); null when the entries carry none",
    ),
    column(
        "hostname",
        Kind::Text,
        true,
        "`_HOSTNAME` of the host's newest boot (hostnames get reused: group by machine_id)",
    ),
    column(
        "run_id",
        Kind::Text,
        false,
        "the export that wrote the row: a hash of the machine, its boots and their last cursors (the file name's second part)",
    ),
    column(
        "schema_version",
        Kind::Text,
        false,
        "version of the table layout, as `schema_version` of the JSON documents",
    ),
    column(
        "tool_version",
        Kind::Text,
        false,
        "the jforensics version that wrote the row",
    ),
];

pub const COVERAGE_ABOUT: &str = "one row per boot of each host: what the analysis saw, so an aggregate can tell a host with no problems from a host with no data";

pub const COVERAGE_COLUMNS: &[ColumnDoc] = &[
    column("boot_id", Kind::Text, false, "the boot"),
    column(
        "boot_index",
        Kind::Int,
        false,
        "its offset on its host (0 newest, -1 the one before, …)",
    ),
    column(
        "first_entry",
        Kind::Datetime,
        false,
        "first entry of the boot that was read",
    ),
    column(
        "last_entry",
        Kind::Datetime,
        false,
        "last entry of the boot that was read",
    ),
    column(
        "entries",
        Kind::Int,
        false,
        "entries of the boot that were read",
    ),
    column(
        "analysed",
        Kind::Bool,
        false,
        "whether its lifecycles were built (false: only its boot record is known)",
    ),
    column("starts", Kind::Int, false, "starts found in the boot"),
    column("findings", Kind::Int, false, "findings about the boot"),
];

/// Where each dataset table's `dt` comes from.
fn date_column(table: &str) -> &'static str {
    match table {
        "starts" => "realtime",
        "findings" => "began",
        _ => "first_entry",
    }
}

/// Who a host's rows belong to.
#[derive(Clone, Debug)]
pub struct Host {
    pub machine_id: Option<String>,
    pub hostname: Option<String>,
}

/// The run id of one host's export: stable for the same evidence.
pub fn run_id(host: &Host, boots: &[Boot]) -> String {
    let mut parts: Vec<String> = vec![host.machine_id.clone().unwrap_or_default()];
    for b in boots {
        parts.push(b.boot_id.to_string());
        parts.push(b.last_cursor.clone());
    }
    let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
    stable_id("run", &refs)["run-".len()..].to_string()
}

fn coverage(inputs: &Inputs) -> PolarsResult<DataFrame> {
    let count_starts = |b: &Boot| {
        inputs
            .analyses
            .iter()
            .find(|a| a.boot.boot_id == b.boot_id)
            .map(|a| a.starts.len())
    };
    FrameBuilder::new("coverage", COVERAGE_COLUMNS, inputs.boots)
        .text("boot_id", |b| Some(b.boot_id.to_string()))
        .int("boot_index", |b| Some(b.index))
        .datetime("first_entry", |b| Some(b.first_realtime_usec))
        .datetime("last_entry", |b| Some(b.last_realtime_usec))
        .int("entries", |b| Some(to_i64(b.entries)))
        .bool("analysed", |b| Some(count_starts(b).is_some()))
        .int("starts", |b| Some(count_starts(b).unwrap_or(0) as i64))
        .int("findings", |b| {
            Some(
                inputs
                    .findings
                    .iter()
                    .filter(|f| f.boot_id == b.boot_id)
                    .count() as i64,
            )
        })
        .finish()
}

/// `df` with the host's columns put first (the first `n` of [`HOST_COLUMNS`]).
fn with_host_columns(
    df: &DataFrame,
    host: &Host,
    run_id: &str,
    n: usize,
) -> PolarsResult<DataFrame> {
    let rows = df.height();
    let values: [Option<&str>; 5] = [
        host.machine_id.as_deref(),
        host.hostname.as_deref(),
        Some(run_id),
        Some(SCHEMA_VERSION),
        Some(env!("CARGO_PKG_VERSION")),
    ];
    let mut columns: Vec<Column> = HOST_COLUMNS
        .iter()
        .zip(values)
        .take(n)
        .map(|(c, v)| Column::new(c.name.into(), vec![v; rows]))
        .collect();
    columns.extend(df.columns().iter().cloned());
    DataFrame::new(rows, columns)
}

impl Tables {
    /// Every table with `machine_id` and `hostname` first, for `query` over
    /// a journal of several machines.
    pub fn with_host(&self, host: &Host) -> PolarsResult<Tables> {
        let frames = self
            .frames
            .iter()
            .map(|(t, df)| Ok((*t, with_host_columns(df, host, "", 2)?)))
            .collect::<PolarsResult<_>>()?;
        Ok(Tables { frames })
    }

    /// The hosts' tables one under the other.
    pub fn concat(parts: Vec<Tables>) -> PolarsResult<Tables> {
        let mut iter = parts.into_iter();
        let Some(mut first) = iter.next() else {
            return Err(PolarsError::NoData("no tables to join".into()));
        };
        for next in iter {
            for ((_, a), (_, b)) in first.frames.iter_mut().zip(next.frames) {
                a.vstack_mut_owned(b)?;
            }
        }
        Ok(first)
    }
}

/// One host's dataset frames: boots, starts, findings and coverage, each
/// with the host columns first.
pub fn host_frames(
    inputs: &Inputs,
    tables: &Tables,
    host: &Host,
    run_id: &str,
) -> PolarsResult<Vec<(&'static str, DataFrame)>> {
    let mut out = Vec::new();
    for name in DATASET_TABLES {
        let df = match name {
            "coverage" => coverage(inputs)?,
            other => tables
                .get(Table::parse(other).map_err(|e| PolarsError::ComputeError(e.into()))?)
                .clone(),
        };
        out.push((
            name,
            with_host_columns(&df, host, run_id, HOST_COLUMNS.len())?,
        ));
    }
    Ok(out)
}

/// Writes one host's frames under `out` as
/// `TABLE/dt=YYYY-MM-DD/<machine_id>-<run_id>.parquet`, a file per table and
/// day that has rows. Returns the files written.
pub fn write_host(
    out: &Path,
    frames: Vec<(&'static str, DataFrame)>,
    host: &Host,
    run_id: &str,
) -> Result<Vec<PathBuf>, String> {
    let machine = host.machine_id.as_deref().unwrap_or("unknown");
    let mut written = Vec::new();
    for (name, df) in frames {
        let column = date_column(name);
        let days = day_of_rows(&df, column).map_err(|e| format!("{name}: {e}"))?;
        let mut by_day: BTreeMap<String, Vec<bool>> = BTreeMap::new();
        for (row, day) in days.iter().enumerate() {
            by_day
                .entry(day.clone())
                .or_insert_with(|| vec![false; days.len()])[row] = true;
        }
        for (day, mask) in by_day {
            let mask = BooleanChunked::new("mask".into(), mask);
            let mut part = df.filter(&mask).map_err(|e| format!("{name}: {e}"))?;
            let dir = out.join(name).join(format!("dt={day}"));
            std::fs::create_dir_all(&dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            let path = dir.join(format!("{machine}-{run_id}.parquet"));
            let file = std::fs::File::create(&path)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            ParquetWriter::new(file)
                .finish(&mut part)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            written.push(path);
        }
    }
    Ok(written)
}

/// "2026-11-21" (UTC) of each row's `column`; "unknown" where it is null.
fn day_of_rows(df: &DataFrame, column: &str) -> PolarsResult<Vec<String>> {
    let times = df.column(column)?.datetime()?.physical().clone();
    Ok(times
        .into_iter()
        .map(|t| {
            t.and_then(chrono::DateTime::from_timestamp_micros)
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_else(|| "unknown".to_string())
        })
        .collect())
}

fn column_rows(columns: &[ColumnDoc]) -> String {
    columns
        .iter()
        .map(|c| format!("| `{}` | {} | {} |\n", c.name, c.type_label(), c.doc))
        .collect()
}

/// The Markdown section of docs/tables.md about the dataset.
pub fn markdown() -> String {
    let mut out = String::from(
        "\n## The fleet dataset: `export --dataset OUT/`\n\n\
         Each host's analysis as Hive-style partitioned Parquet, for DuckDB, Spark, Trino or \
         ClickHouse: `OUT/TABLE/dt=YYYY-MM-DD/<machine_id>-<run_id>.parquet` for the tables \
         `boots`, `starts`, `findings` (their columns as above) and `coverage`. `dt` is the \
         UTC day of `first_entry` (boots, coverage), `realtime` (starts) or `began` \
         (findings); engines read it as a column (DuckDB: `hive_partitioning = true`). \
         Exporting the same journal again rewrites the same files. Every row starts with:\n\n\
         | column | type | meaning |\n| --- | --- | --- |\n",
    );
    out.push_str(&column_rows(HOST_COLUMNS));
    out.push_str(&format!(
        "\nWith several machines in the journal, `query` and `export --table` put \
         `machine_id` and `hostname` first in every table.\n\n### `coverage`\n\n{}.\n\n\
         | column | type | meaning |\n| --- | --- | --- |\n",
        super::capitalised(COVERAGE_ABOUT)
    ));
    out.push_str(&column_rows(COVERAGE_COLUMNS));
    out.push_str(
        "\n`queries/fleet/*.sql` are DuckDB queries over this layout (reboot waves, crash loops \
         by wave, lost at reboot by host); see docs/manual.md, \"Fleets\".\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_builds_with_its_documented_columns_even_when_empty() {
        let df = coverage(&Inputs {
            boots: &[],
            analyses: &[],
            findings: &[],
        })
        .unwrap();
        let names: Vec<&str> = df.get_column_names().iter().map(|n| n.as_str()).collect();
        let documented: Vec<&str> = COVERAGE_COLUMNS.iter().map(|c| c.name).collect();
        assert_eq!(names, documented);
    }
}
