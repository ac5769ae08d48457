//! Tables: what the pipeline found, as polars DataFrames, for SQL and export.
//!
//! The subcommands answer the questions we foresaw; an incident always brings
//! one we did not ("which units did the operator restart by hand between the
//! two crashes?"). The tables let an analyst ask it in SQL (`jforensics
//! query`) or take the data to DuckDB, Spark or a notebook (`jforensics
//! export`) without re-parsing the journal.
//!
//! Tables are built from the typed results of the earlier stages (boots,
//! lifecycles, causes, findings), never from raw entries, so a row means
//! exactly what the same thing means in every other report. Every table has a
//! `boot_id` column, which is how `-b` narrows them all to one boot.
//!
//! Each table lives in its own module with its documented columns
//! ([`columns::ColumnDoc`]); the docs are checked against the built frame.

pub mod activations;
pub mod boots;
pub mod columns;
pub mod dataset;
pub mod events;
pub mod findings;
pub mod output;
pub mod queries;
pub mod sql;
pub mod starts;

use polars::prelude::*;
use polars::sql::SQLContext;

use crate::boots::Boot;
use crate::cause::BootAnalysis;
use crate::findings::Finding;
use columns::ColumnDoc;

/// What the tables are built from: the results of the earlier stages.
#[derive(Clone, Copy, Debug)]
pub struct Inputs<'a> {
    /// Every boot of the journal (or the one selected), oldest first.
    pub boots: &'a [Boot],
    /// Lifecycles and classified starts of the boots analysed.
    pub analyses: &'a [BootAnalysis],
    /// What the detectors found in those boots.
    pub findings: &'a [Finding],
}

/// A table jforensics builds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    Boots,
    Events,
    Activations,
    Starts,
    Findings,
}

impl Table {
    /// Every table, in the order the docs list them.
    pub const ALL: &'static [Table] = &[
        Table::Boots,
        Table::Events,
        Table::Activations,
        Table::Starts,
        Table::Findings,
    ];

    /// The table's name in SQL and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Table::Boots => boots::NAME,
            Table::Events => events::NAME,
            Table::Activations => activations::NAME,
            Table::Starts => starts::NAME,
            Table::Findings => findings::NAME,
        }
    }

    /// One line on what a row is.
    pub fn about(self) -> &'static str {
        match self {
            Table::Boots => boots::ABOUT,
            Table::Events => events::ABOUT,
            Table::Activations => activations::ABOUT,
            Table::Starts => starts::ABOUT,
            Table::Findings => findings::ABOUT,
        }
    }

    pub fn columns(self) -> &'static [ColumnDoc] {
        match self {
            Table::Boots => boots::COLUMNS,
            Table::Events => events::COLUMNS,
            Table::Activations => activations::COLUMNS,
            Table::Starts => starts::COLUMNS,
            Table::Findings => findings::COLUMNS,
        }
    }

    /// Every table name, for help texts and error messages.
    pub fn names() -> Vec<&'static str> {
        Table::ALL.iter().map(|t| t.name()).collect()
    }

    /// The table called `name`; the error lists the ones that exist.
    pub fn parse(name: &str) -> Result<Table, String> {
        Table::ALL
            .iter()
            .copied()
            .find(|t| t.name() == name)
            .ok_or_else(|| {
                format!(
                    "there is no table '{name}'; the tables are: {} (`jforensics query --tables` shows their columns)",
                    Table::names().join(", ")
                )
            })
    }

    fn frame(self, inputs: &Inputs) -> PolarsResult<DataFrame> {
        match self {
            Table::Boots => boots::frame(inputs.boots),
            Table::Events => events::frame(inputs.analyses),
            Table::Activations => activations::frame(inputs.analyses),
            Table::Starts => starts::frame(inputs.analyses),
            Table::Findings => findings::frame(inputs.boots, inputs.findings),
        }
    }
}

/// The tables, their columns and the query library as Markdown: the text of
/// `docs/tables.md`, which a test keeps equal to this.
pub fn markdown_docs() -> String {
    let mut out = String::from(
        "# Tables\n\n\
         What `jforensics query` and `jforensics export` see. Generated from the column \
         definitions in `src/tables/` (the same text as `jforensics query --tables`); a \
         test fails when this file and the code differ.\n\n\
         Types: `string`, `categorical` (unit names, causes, results; global categories, so \
         they join across tables), `int64` (counts, exit codes, and every `*_usec` column: \
         µs, durations or times on a boot's monotonic clock), `float64`, `bool`, \
         `datetime[µs, UTC]` (wall-clock times). A `?` marks a column that may be null. \
         Every table has `boot_id`, which is how `-b` narrows them all to one boot.\n",
    );
    for table in Table::ALL {
        out.push_str(&format!(
            "\n## `{}`\n\n{}.\n\n| column | type | meaning |\n| --- | --- | --- |\n",
            table.name(),
            capitalised(table.about())
        ));
        for c in table.columns() {
            out.push_str(&format!(
                "| `{}` | {} | {} |\n",
                c.name,
                c.type_label(),
                c.doc.replace('|', "\\|")
            ));
        }
    }
    out.push_str(
        "\n## The query library\n\n\
         `jforensics query NAME` runs `queries/NAME.sql`; each file's comment says what it \
         answers and how to read the result.\n\n| name | answers |\n| --- | --- |\n",
    );
    for q in queries::LIBRARY {
        out.push_str(&format!(
            "| [`{0}`](../queries/{0}.sql) | {1} |\n",
            q.name,
            q.summary()
        ));
    }
    out.push_str(&dataset::markdown());
    out
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Every table, built once from one reading of the journal.
#[derive(Clone)]
pub struct Tables {
    frames: Vec<(Table, DataFrame)>,
}

impl Tables {
    pub fn build(inputs: &Inputs) -> PolarsResult<Tables> {
        let frames = Table::ALL
            .iter()
            .map(|t| Ok((*t, t.frame(inputs)?)))
            .collect::<PolarsResult<_>>()?;
        Ok(Tables { frames })
    }

    pub fn get(&self, table: Table) -> &DataFrame {
        self.frames
            .iter()
            .find(|(t, _)| *t == table)
            .map(|(_, df)| df)
            .expect("Tables::build makes every table in Table::ALL")
    }

    /// Only the rows of one boot, in every table (`-b`).
    pub fn restrict_to_boot(&self, boot_id: &str) -> PolarsResult<Tables> {
        let frames = self
            .frames
            .iter()
            .map(|(t, df)| {
                let rows = df
                    .clone()
                    .lazy()
                    .filter(col("boot_id").eq(lit(boot_id)))
                    .collect()?;
                Ok((*t, rows))
            })
            .collect::<PolarsResult<_>>()?;
        Ok(Tables { frames })
    }

    /// A SQL context with every table registered under its name.
    pub fn sql_context(&self) -> SQLContext {
        let ctx = SQLContext::new();
        for (table, df) in &self.frames {
            ctx.register(table.name(), df.clone().lazy());
        }
        ctx
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_has_a_boot_id_column_for_boot_selection() {
        for table in Table::ALL {
            assert!(
                table.columns().iter().any(|c| c.name == "boot_id"),
                "{} has no boot_id",
                table.name()
            );
        }
    }

    #[test]
    fn every_column_is_documented_once() {
        for table in Table::ALL {
            let mut names: Vec<&str> = table.columns().iter().map(|c| c.name).collect();
            assert!(table.columns().iter().all(|c| !c.doc.is_empty()));
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), table.columns().len(), "{}", table.name());
        }
    }

    #[test]
    fn every_table_builds_with_its_documented_columns_even_when_empty() {
        let tables = Tables::build(&Inputs {
            boots: &[],
            analyses: &[],
            findings: &[],
        })
        .unwrap();
        for table in Table::ALL {
            let df = tables.get(*table);
            let names: Vec<&str> = df.get_column_names().iter().map(|n| n.as_str()).collect();
            let documented: Vec<&str> = table.columns().iter().map(|c| c.name).collect();
            assert_eq!(names, documented, "{}", table.name());
        }
    }

    #[test]
    fn unknown_table_names_list_the_real_ones() {
        assert_eq!(Table::parse("boots"), Ok(Table::Boots));
        let err = Table::parse("boot").unwrap_err();
        assert!(err.contains("boots"), "{err}");
    }
}
