//! Running SQL over the tables, with errors a person can act on.
//!
//! polars parses with sqlparser, whose syntax errors end in "at Line: L,
//! Column: C". [`QueryError`] keeps that position and shows the query line
//! with a caret under it; errors without a position (an unknown column, a
//! type mismatch) get a pointer to `--tables`. polars may also panic on SQL
//! it does not support; that is caught and reported as an error for this
//! query rather than a crash of the whole run.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};

use polars::prelude::*;
use regex::Regex;

use super::{Inputs, Tables};

/// A query that polars refused, with where in the text it went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryError {
    /// polars' (or sqlparser's) message.
    pub message: String,
    /// 1-based line and column in the query text, when the parser gave one.
    pub position: Option<(usize, usize)>,
    /// The query line at `position`, for showing a caret under it.
    pub line_text: Option<String>,
    /// Where the query came from, for the first line of the message
    /// ("queries/crash-loops.sql", "--sql").
    pub origin: String,
    /// What to do about it, when the message alone does not say.
    pub hint: Option<&'static str>,
}

/// For a name polars does not know.
const TABLES_HINT: &str = "`jforensics query --tables` lists the tables and their columns";

/// polars refuses string functions (LIKE, LOWER, …) on categorical columns.
const CATEGORICAL_HINT: &str = "unit names, causes and other categorical columns need a cast for LIKE and string functions: CAST(unit AS VARCHAR) LIKE 'foo%'";

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((line, column)) => write!(
                f,
                "SQL error in {} at line {line}, column {column}: {}",
                self.origin, self.message
            )?,
            None => write!(f, "SQL error in {}: {}", self.origin, self.message)?,
        }
        if let (Some((_, column)), Some(text)) = (self.position, &self.line_text) {
            let caret_at: String = text
                .chars()
                .take(column.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            write!(f, "\n  {text}\n  {caret_at}^")?;
        }
        if let Some(hint) = self.hint {
            write!(f, "\nhint: {hint}")?;
        } else if self.position.is_none() {
            write!(f, "\n{TABLES_HINT}")?;
        }
        Ok(())
    }
}

impl std::error::Error for QueryError {}

/// Checks `sql` against empty tables with the real columns: syntax, table
/// and column names and types are all known before any data is, so a typo
/// is reported before a long read of the journal.
pub fn check(sql: &str, origin: &str) -> Result<(), QueryError> {
    let empty = Tables::build(&Inputs {
        boots: &[],
        analyses: &[],
        findings: &[],
    })
    // With the host columns, which a journal of several machines has.
    .and_then(|t| {
        t.with_host(&super::dataset::Host {
            machine_id: None,
            hostname: None,
        })
    })
    .map_err(|e| error(sql, origin, &e.to_string()))?;
    run(&empty, sql, origin).map(|_| ())
}

/// Runs `sql` (one statement) over `tables` and collects the result.
/// `origin` names the query's source in error messages.
pub fn run(tables: &Tables, sql: &str, origin: &str) -> Result<DataFrame, QueryError> {
    let mut ctx = tables.sql_context();
    let outcome = catch_unwind(AssertUnwindSafe(|| ctx.execute(sql)?.collect()));
    match outcome {
        Ok(Ok(df)) => Ok(df),
        Ok(Err(e)) => Err(error(sql, origin, &e.to_string())),
        Err(panic) => {
            let reason = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no reason given".to_string());
            Err(error(
                sql,
                origin,
                &format!(
                    "polars cannot run this query (it panicked: {reason}); rewrite the part it names"
                ),
            ))
        }
    }
}

fn error(sql: &str, origin: &str, message: &str) -> QueryError {
    // polars appends its query plan ("Resolved plan until failure: …"),
    // which is about its internals, not the analyst's SQL.
    let message = message.split("\n\n").next().unwrap_or(message);
    let unknown_name = name_position(sql, message);
    let position = parser_position(message)
        .or(unknown_name)
        .or_else(|| end_position(sql, message));
    let line_text =
        position.and_then(|(line, _)| sql.lines().nth(line.checked_sub(1)?).map(str::to_string));
    let hint = if message.contains("got: cat") {
        Some(CATEGORICAL_HINT)
    } else if unknown_name.is_some() {
        Some(TABLES_HINT)
    } else {
        None
    };
    QueryError {
        message: strip_position(message),
        position,
        line_text,
        origin: origin.to_string(),
        hint,
    }
}

fn position_pattern() -> Regex {
    Regex::new(r"\s*at Line: (\d+), Column: (\d+)").expect("a valid pattern")
}

/// sqlparser's "… at Line: 2, Column: 8".
fn parser_position(message: &str) -> Option<(usize, usize)> {
    let caps = position_pattern().captures(message)?;
    Some((caps[1].parse().ok()?, caps[2].parse().ok()?))
}

/// Where a name polars could not resolve ("unable to find column \"unitz\"",
/// "relation 'startz' was not found") first appears in the query as a word.
/// polars names it but gives no position; the analyst wants the caret.
fn name_position(sql: &str, message: &str) -> Option<(usize, usize)> {
    let quoted = Regex::new(r#"(?:column|relation|named) ["']([^"']+)["']"#)
        .expect("a valid pattern")
        .captures(message)?;
    let name = quoted.get(1)?.as_str();
    let word = Regex::new(&format!(r"(?i)(^|[^\w.]|\.)({})\b", regex::escape(name)))
        .expect("an escaped name is a valid pattern");
    let at = word.captures(sql)?.get(2)?.start();
    Some(line_column(sql, at))
}

/// sqlparser says "found: EOF" without a position when the query stops
/// early ("WHERE" and nothing after it): point past its last character.
fn end_position(sql: &str, message: &str) -> Option<(usize, usize)> {
    message
        .contains("found: EOF")
        .then(|| line_column(sql, sql.trim_end().len()))
}

/// 1-based line and column (in characters) of byte offset `at`.
fn line_column(sql: &str, at: usize) -> (usize, usize) {
    let before = &sql[..at];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

fn strip_position(message: &str) -> String {
    position_pattern().replace(message, "").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn empty() -> Tables {
        Tables::build(&Inputs {
            boots: &[],
            analyses: &[],
            findings: &[],
        })
        .unwrap()
    }

    #[test]
    fn a_syntax_error_points_at_its_line_and_column() {
        let err = run(
            &empty(),
            "SELECT boot_id\nFROM boots WHER boot_index = 0",
            "--sql",
        )
        .unwrap_err();
        assert_eq!(err.position, Some((2, 17)), "{err}");
        assert_eq!(
            err.line_text.as_deref(),
            Some("FROM boots WHER boot_index = 0")
        );
        let shown = err.to_string();
        assert!(
            shown.starts_with("SQL error in --sql at line 2, column 17: "),
            "{shown}"
        );
        assert!(
            shown.ends_with("\n  FROM boots WHER boot_index = 0\n                  ^"),
            "{shown}"
        );
    }

    #[test]
    fn an_unknown_column_says_where_the_columns_are_listed() {
        let err = run(&empty(), "SELECT nope FROM boots", "q.sql").unwrap_err();
        assert_eq!(err.position, Some((1, 8)));
        let shown = err.to_string();
        assert!(shown.contains("nope"), "{shown}");
        assert!(shown.contains("query --tables"), "{shown}");
    }

    #[test]
    fn polars_query_plans_stay_out_of_the_message() {
        let sql = "SELECT unit FROM starts WHERE unit LIKE 'db%'";
        let err = run(&empty(), sql, "--sql").unwrap_err();
        let shown = err.to_string();
        assert!(!shown.contains("plan"), "{shown}");
        assert!(shown.lines().count() <= 2, "{shown}");
    }

    #[test]
    fn like_on_a_categorical_column_says_to_cast_it() {
        let sql = "SELECT * FROM starts WHERE unit LIKE 'a%'";
        let err = run(&empty(), sql, "--sql").unwrap_err();
        assert_eq!(err.hint, Some(CATEGORICAL_HINT), "{err}");
        let cast = "SELECT * FROM starts WHERE CAST(unit AS VARCHAR) LIKE 'a%'";
        assert!(run(&empty(), cast, "--sql").is_ok());
    }

    #[test]
    fn an_unknown_table_is_an_error_not_a_panic() {
        let err = run(&empty(), "SELECT * FROM activationz", "--sql").unwrap_err();
        assert!(err.message.contains("activationz"), "{err}");
    }

    #[test]
    fn an_unknown_column_is_pointed_at_where_the_query_names_it() {
        let err = run(&empty(), "SELECT unit,\n  causez FROM starts", "--sql").unwrap_err();
        assert_eq!(err.position, Some((2, 3)), "{err}");
        assert!(
            err.to_string().contains("  causez FROM starts\n    ^"),
            "{err}"
        );
    }

    #[test]
    fn an_unknown_table_alias_column_is_pointed_at_too() {
        let sql = "SELECT s.unit FROM starts s JOIN activations a ON s.nope = a.boot_id";
        let err = run(&empty(), sql, "--sql").unwrap_err();
        assert_eq!(
            err.position,
            Some((1, sql.find("nope").unwrap() + 1)),
            "{err}"
        );
    }

    #[test]
    fn a_query_that_stops_early_points_past_its_end() {
        let err = run(&empty(), "SELECT unit FROM starts\nWHERE", "--sql").unwrap_err();
        assert_eq!(err.position, Some((2, 6)), "{err}");
    }

    #[test]
    fn check_finds_what_run_would_without_data() {
        assert!(check("SELECT unit, cause FROM starts", "--sql").is_ok());
        let err = check("SELECT unit FROM startz", "--sql").unwrap_err();
        assert!(err.message.contains("startz"), "{err}");
    }

    #[test]
    fn a_good_query_returns_its_rows() {
        let df = run(&empty(), "SELECT boot_id, end_state FROM boots", "--sql").unwrap();
        assert_eq!(df.height(), 0);
        assert_eq!(df.width(), 2);
    }
}
