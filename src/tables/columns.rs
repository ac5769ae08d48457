//! Documented columns and the builder that fills them.
//!
//! Every table declares its columns once, as a list of [`ColumnDoc`]s (name,
//! kind, meaning). The same list documents the table (`jforensics query
//! --tables`, docs/tables.md) and checks the frame the builder makes, so the docs
//! cannot drift from the data: a column that is built but not documented, or
//! documented with another kind, fails the table's unit test.
//!
//! The kinds are few on purpose, so every table exports cleanly to Parquet,
//! CSV and JSON lines and reads the same in DuckDB, Spark and pandas:
//! datetimes are µs and UTC, durations and monotonic times are plain `Int64`
//! µs named `*_usec`, and nothing is nested (CSV cannot hold lists).

use polars::prelude::*;

/// How a column is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `String`: ids, cursors, messages.
    Text,
    /// `Categorical` (global categories, so they join across tables): unit
    /// names, causes, results — few distinct values repeated on many rows.
    Category,
    /// `Int64`: counts, `*_usec` durations and monotonic times, exit codes.
    Int,
    /// `Float64`: confidences.
    Float,
    /// `Boolean`.
    Bool,
    /// `Datetime[µs, UTC]`: wall-clock times.
    Datetime,
}

impl Kind {
    pub fn dtype(self) -> DataType {
        match self {
            Kind::Text => DataType::String,
            Kind::Category => DataType::from_categories(Categories::global()),
            Kind::Int => DataType::Int64,
            Kind::Float => DataType::Float64,
            Kind::Bool => DataType::Boolean,
            Kind::Datetime => DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC)),
        }
    }

    /// The type as the docs name it.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Text => "string",
            Kind::Category => "categorical",
            Kind::Int => "int64",
            Kind::Float => "float64",
            Kind::Bool => "bool",
            Kind::Datetime => "datetime[µs, UTC]",
        }
    }
}

/// One column of a table, as documented.
#[derive(Clone, Copy, Debug)]
pub struct ColumnDoc {
    pub name: &'static str,
    pub kind: Kind,
    /// Whether the column may hold nulls.
    pub nullable: bool,
    /// What the value means, in one or two sentences.
    pub doc: &'static str,
}

impl ColumnDoc {
    /// "int64", or "int64?" when the column may be null.
    pub fn type_label(&self) -> String {
        let kind = self.kind.describe();
        if self.nullable {
            format!("{kind}?")
        } else {
            kind.to_string()
        }
    }
}

/// Shorthand for the column lists of the table modules.
pub const fn column(
    name: &'static str,
    kind: Kind,
    nullable: bool,
    doc: &'static str,
) -> ColumnDoc {
    ColumnDoc {
        name,
        kind,
        nullable,
        doc,
    }
}

/// Builds a frame column by column from a slice of rows, one closure per
/// column; [`FrameBuilder::finish`] checks the result against the docs.
pub struct FrameBuilder<'a, T> {
    table: &'static str,
    docs: &'static [ColumnDoc],
    rows: &'a [T],
    columns: Vec<Column>,
    /// The first error while building, returned by `finish`.
    error: Option<PolarsError>,
}

impl<'a, T> FrameBuilder<'a, T> {
    pub fn new(table: &'static str, docs: &'static [ColumnDoc], rows: &'a [T]) -> Self {
        FrameBuilder {
            table,
            docs,
            rows,
            columns: Vec::with_capacity(docs.len()),
            error: None,
        }
    }

    pub fn text<S: AsRef<str>>(
        mut self,
        name: &'static str,
        value: impl Fn(&'a T) -> Option<S>,
    ) -> Self {
        let values: Vec<Option<S>> = self.rows.iter().map(value).collect();
        let values: Vec<Option<&str>> = values.iter().map(|v| v.as_ref().map(S::as_ref)).collect();
        self.columns.push(Column::new(name.into(), values));
        self
    }

    pub fn float(mut self, name: &'static str, value: impl Fn(&T) -> Option<f64>) -> Self {
        let values: Vec<Option<f64>> = self.rows.iter().map(value).collect();
        self.columns.push(Column::new(name.into(), values));
        self
    }

    pub fn int(mut self, name: &'static str, value: impl Fn(&T) -> Option<i64>) -> Self {
        let values: Vec<Option<i64>> = self.rows.iter().map(value).collect();
        self.columns.push(Column::new(name.into(), values));
        self
    }

    pub fn bool(mut self, name: &'static str, value: impl Fn(&T) -> Option<bool>) -> Self {
        let values: Vec<Option<bool>> = self.rows.iter().map(value).collect();
        self.columns.push(Column::new(name.into(), values));
        self
    }

    /// Wall-clock µs since the epoch.
    pub fn datetime(mut self, name: &'static str, value: impl Fn(&T) -> Option<u64>) -> Self {
        let values: Vec<Option<i64>> = self.rows.iter().map(|r| value(r).map(to_i64)).collect();
        let series = Int64Chunked::from_iter_options(name.into(), values.into_iter())
            .into_datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))
            .into_series();
        self.columns.push(series.into());
        self
    }

    /// Strings stored once each, as categories.
    pub fn category<S: AsRef<str>>(
        mut self,
        name: &'static str,
        value: impl Fn(&'a T) -> Option<S>,
    ) -> Self {
        let values: Vec<Option<S>> = self.rows.iter().map(value).collect();
        let values: Vec<Option<&str>> = values.iter().map(|v| v.as_ref().map(S::as_ref)).collect();
        match Column::new(name.into(), values).cast(&Kind::Category.dtype()) {
            Ok(column) => self.columns.push(column),
            Err(e) => {
                self.error.get_or_insert(e);
            }
        }
        self
    }

    /// The frame, after checking names, order and kinds against the docs.
    pub fn finish(self) -> PolarsResult<DataFrame> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let built: Vec<(&str, DataType)> = self
            .columns
            .iter()
            .map(|c| (c.name().as_str(), c.dtype().clone()))
            .collect();
        let documented: Vec<(&str, DataType)> =
            self.docs.iter().map(|d| (d.name, d.kind.dtype())).collect();
        if built != documented {
            polars_bail!(ComputeError:
                "table '{}' does not match its documented columns (a jforensics bug): built {:?}, documented {:?}",
                self.table, built, documented
            );
        }
        for (doc, column) in self.docs.iter().zip(&self.columns) {
            if !doc.nullable && column.null_count() > 0 {
                polars_bail!(ComputeError:
                    "column '{}.{}' is documented as never null but has nulls (a jforensics bug)",
                    self.table, doc.name
                );
            }
        }
        DataFrame::new(self.rows.len(), self.columns)
    }
}

/// The word serde writes for an enum value (`JobType::ReloadOrStart` →
/// "reload-or-start"), so tables use the same words as the JSON documents.
pub fn word<T: serde::Serialize>(value: &T) -> Option<String> {
    match serde_json::to_value(value).ok()? {
        serde_json::Value::String(s) => Some(s),
        _ => None,
    }
}

/// A journal number as `Int64`. µs never come near `i64::MAX` (year 292277),
/// nor do byte counts (8 EiB); anything larger is clamped, not wrapped.
pub fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCS: &[ColumnDoc] = &[
        column("name", Kind::Category, false, "a name"),
        column("at", Kind::Datetime, true, "a time"),
        column("count", Kind::Int, false, "a count"),
    ];

    struct Row {
        name: &'static str,
        at: Option<u64>,
        count: i64,
    }

    const ROWS: [Row; 2] = [
        Row {
            name: "a.service",
            at: Some(1_666_569_600_994_371),
            count: 1,
        },
        Row {
            name: "b.service",
            at: None,
            count: 2,
        },
    ];

    #[test]
    fn columns_get_the_documented_types() {
        let df = FrameBuilder::new("t", DOCS, &ROWS)
            .category("name", |r| Some(r.name))
            .datetime("at", |r| r.at)
            .int("count", |r| Some(r.count))
            .finish()
            .unwrap();
        assert_eq!(df.height(), 2);
        assert!(df.column("name").unwrap().dtype().is_categorical());
        assert_eq!(
            df.column("at").unwrap().dtype(),
            &DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))
        );
        assert_eq!(df.column("at").unwrap().null_count(), 1);
    }

    #[test]
    fn an_undocumented_or_misordered_column_is_refused() {
        let err = FrameBuilder::new("t", DOCS, &ROWS)
            .datetime("at", |r| r.at)
            .category("name", |r| Some(r.name))
            .int("count", |r| Some(r.count))
            .finish()
            .unwrap_err();
        assert!(err.to_string().contains("documented columns"), "{err}");
    }

    #[test]
    fn a_null_in_a_never_null_column_is_refused() {
        let err = FrameBuilder::new("t", DOCS, &ROWS)
            .category("name", |r| Some(r.name))
            .datetime("at", |r| r.at)
            .int("count", |r| (r.count == 1).then_some(1))
            .finish()
            .unwrap_err();
        assert!(err.to_string().contains("never null"), "{err}");
    }
}
