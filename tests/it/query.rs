//! `jforensics query` and `export` on real journals: every library query
//! runs, results agree with what is known about the journal, bad SQL is a
//! clear error, and exports read back unchanged.

use std::path::Path;

use jforensics::boots::BootScanner;
use jforensics::journal::{self, Filter, SourceSpec, Strictness};
use jforensics::tables::{Inputs, Table, Tables, queries};
use polars::prelude::*;

use crate::support::fixture::Fixture;
use crate::support::*;

/// Runs `jforensics ARGS… query …` asking for JSON lines; returns the rows.
fn query_rows(source: &[&str], query: &[&str]) -> Vec<serde_json::Value> {
    let mut args: Vec<&str> = source.to_vec();
    args.push("query");
    args.extend_from_slice(query);
    args.extend_from_slice(&["--format", "ndjson"]);
    let out = jforensics(&args);
    assert!(
        out.status.success(),
        "jforensics {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is a JSON object"))
        .collect()
}

fn no_rtc() -> Vec<String> {
    vec!["-D".to_string(), no_rtc_dir().to_str().unwrap().to_string()]
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// The tables as the library builds them from the journal files in `dir`.
fn library_tables(dir: &Path) -> Tables {
    let mut source = journal::open(
        &SourceSpec::Directory(dir.to_path_buf()),
        &Filter::all(),
        Strictness::Lenient,
    )
    .unwrap();
    let mut scanner = BootScanner::new();
    journal::for_each_entry(source.as_mut(), |e| scanner.observe(&e)).unwrap();
    let boots = scanner.finish();
    Tables::build(&Inputs { boots: &boots }).unwrap()
}

#[test]
fn every_library_query_runs_on_both_recorded_fixtures() {
    for fixture in Fixture::all() {
        for q in queries::LIBRARY {
            // Runs, and gives JSON lines whose keys are the query's columns.
            let rows = query_rows(&["-D", fixture.dir_arg()], &[q.name]);
            if let Some(first) = rows.first() {
                assert!(first.is_object(), "{} {}: {first}", fixture.name, q.name);
            }
        }
    }
}

#[test]
fn unclean_shutdowns_are_the_boots_the_recorder_cut_the_power_of() {
    for fixture in Fixture::all() {
        let rows = query_rows(&["-D", fixture.dir_arg()], &["unclean-shutdowns"]);
        let seen: Vec<&str> = rows
            .iter()
            .map(|r| r["boot_id"].as_str().unwrap())
            .collect();
        let truth: Vec<&str> = fixture
            .truth
            .boots
            .iter()
            .filter(|b| b.end == "unclean")
            .map(|b| b.boot_id.as_str())
            .collect();
        assert!(
            !truth.is_empty(),
            "{}: the fixture has a power cut",
            fixture.name
        );
        assert_eq!(seen, truth, "{}", fixture.name);
        for r in &rows {
            let cursor = r["end_cursor"].as_str().unwrap();
            assert!(
                cursor.contains(&format!("b={}", r["boot_id"].as_str().unwrap())),
                "{r}"
            );
        }
    }
}

#[test]
fn unclean_shutdowns_without_an_rtc_have_no_downtime() {
    let rows = query_rows(&strs(&no_rtc()), &["unclean-shutdowns"]);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0]["boot_id"].as_str().unwrap().starts_with("4c708e1f"));
    assert_eq!(rows[0]["boot_index"], -1);
    // The next boot's clock reads earlier, so the downtime is unknown.
    assert!(rows[0]["downtime_s"].is_null());
}

#[test]
fn startup_times_cover_every_recorded_boot_in_order() {
    for fixture in Fixture::all() {
        let rows = query_rows(&["-D", fixture.dir_arg()], &["startup-times"]);
        let seen: Vec<&str> = rows
            .iter()
            .map(|r| r["boot_id"].as_str().unwrap())
            .collect();
        let mut truth = fixture.truth.boots.clone();
        truth.sort_by_key(|b| b.order);
        let truth: Vec<&str> = truth.iter().map(|b| b.boot_id.as_str()).collect();
        assert_eq!(seen, truth, "{}", fixture.name);
        for r in &rows {
            let version = r["systemd_version"].as_str().unwrap();
            assert!(
                version.starts_with(&fixture.truth.systemd_version.to_string()),
                "{r}"
            );
            // Every recorded boot reached its default target.
            let (user, total) = (
                r["userspace_ms"].as_i64().unwrap(),
                r["total_ms"].as_i64().unwrap(),
            );
            assert!(0 < user && user <= total, "{r}");
        }
    }
}

#[test]
fn ad_hoc_sql_sees_categoricals_and_utc_datetimes() {
    let rows = query_rows(
        &strs(&no_rtc()),
        &[
            "--sql",
            "SELECT end_state, COUNT(*) AS boots, MIN(first_entry) AS first \
             FROM boots WHERE first_entry >= '2022-10-24 00:00:00' \
             GROUP BY end_state ORDER BY end_state",
        ],
    );
    let counts: Vec<(String, i64)> = rows
        .iter()
        .map(|r| {
            (
                r["end_state"].as_str().unwrap().to_string(),
                r["boots"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        counts,
        vec![
            ("clean".into(), 2),
            ("running".into(), 1),
            ("unclean".into(), 1)
        ]
    );
    assert!(
        rows[0]["first"]
            .as_str()
            .unwrap()
            .starts_with("2022-10-24T00:00:0")
    );
    assert!(rows[0]["first"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn boot_selection_keeps_one_boot_in_every_table() {
    let mut args = no_rtc();
    args.extend(
        [
            "query",
            "-b",
            "-1",
            "--sql",
            "SELECT boot_id, end_state FROM boots",
            "--format",
            "csv",
        ]
        .map(String::from),
    );
    let out = jforensics(&strs(&args));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text,
        "boot_id,end_state\r\n4c708e1fd0744336be16f3931aa861fb,unclean\r\n"
    );
}

#[test]
fn a_bad_query_is_an_sql_error_with_its_position_not_a_panic() {
    let mut args = no_rtc();
    args.extend(
        [
            "query",
            "--sql",
            "SELECT boot_id\nFROM boots\nWHERE end_state = = 'clean'",
        ]
        .map(String::from),
    );
    let out = jforensics(&strs(&args));
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("SQL error in --sql at line 3, column 19"),
        "{stderr}"
    );
    assert!(
        stderr.contains("  WHERE end_state = = 'clean'\n                    ^"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn an_unknown_column_names_it_and_points_to_the_table_docs() {
    let mut args = no_rtc();
    args.extend(["query", "--sql", "SELECT reboot_count FROM boots"].map(String::from));
    let out = jforensics(&strs(&args));
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("reboot_count"), "{stderr}");
    assert!(stderr.contains("jforensics query --tables"), "{stderr}");
}

#[test]
fn an_unknown_query_name_points_to_the_list() {
    let out = jforensics(&["query", "no-such-query"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("jforensics query --list"), "{stderr}");
}

#[test]
fn list_shows_every_library_query_with_its_summary() {
    let out = jforensics(&["query", "--list"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for q in queries::LIBRARY {
        let line = text
            .lines()
            .find(|l| l.starts_with(q.name))
            .unwrap_or_else(|| panic!("{} missing from --list:\n{text}", q.name));
        assert!(line.ends_with(q.summary()), "{line}");
    }
}

#[test]
fn tables_lists_every_documented_column() {
    let out = jforensics(&["query", "--tables"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for table in Table::ALL {
        assert!(text.contains(&format!("{} — ", table.name())), "{text}");
        for c in table.columns() {
            assert!(
                text.contains(c.doc),
                "{}.{} undocumented in --tables",
                table.name(),
                c.name
            );
        }
    }
}

#[test]
fn the_table_format_is_aligned_with_a_row_count() {
    let mut args = no_rtc();
    args.extend(
        [
            "query",
            "--sql",
            "SELECT boot_index, end_state FROM boots ORDER BY boot_index",
        ]
        .map(String::from),
    );
    let out = jforensics(&strs(&args));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text,
        "boot_index  end_state\n        -3  clean\n        -2  clean\n        -1  unclean\n         0  running\n(4 rows)\n"
    );
}

fn read_parquet(path: &Path) -> DataFrame {
    ParquetReader::new(std::fs::File::open(path).unwrap())
        .finish()
        .unwrap()
}

#[test]
fn every_exported_table_reads_back_from_parquet_with_the_same_rows_and_types() {
    let fixture = Fixture::load("debian12");
    let built = library_tables(&fixture.journal);
    let dir = tempfile::tempdir().unwrap();
    for table in Table::ALL {
        let file = dir.path().join(format!("{}.parquet", table.name()));
        let out = jforensics(&[
            "-D",
            fixture.dir_arg(),
            "export",
            "--table",
            table.name(),
            "--out",
            file.to_str().unwrap(),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let back = read_parquet(&file);
        let expected = built.get(*table);
        assert!(back.height() > 0, "{}: no rows", table.name());
        assert_eq!(
            back.schema(),
            expected.schema(),
            "{}: types survive",
            table.name()
        );
        assert!(
            back.equals_missing(expected),
            "{}: same rows\n{back:?}\n{expected:?}",
            table.name()
        );
    }
}

#[test]
fn query_results_export_to_parquet_too() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("unclean.parquet");
    let mut args = no_rtc();
    args.extend(
        [
            "query",
            "unclean-shutdowns",
            "--out",
            file.to_str().unwrap(),
        ]
        .map(String::from),
    );
    let out = jforensics(&strs(&args));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let back = read_parquet(&file);
    assert_eq!(back.height(), 1);
    let id = back
        .column("boot_id")
        .unwrap()
        .str()
        .unwrap()
        .get(0)
        .unwrap()
        .to_string();
    assert!(id.starts_with("4c708e1f"));
}

#[test]
fn csv_and_ndjson_exports_carry_the_same_rows() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("boots.csv");
    let ndjson = dir.path().join("boots.ndjson");
    for file in [&csv, &ndjson] {
        let mut args = no_rtc();
        args.extend(
            [
                "export",
                "--table",
                "boots",
                "--out",
                file.to_str().unwrap(),
            ]
            .map(String::from),
        );
        let out = jforensics(&strs(&args));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let csv = std::fs::read_to_string(csv).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let expected: Vec<&str> = Table::Boots.columns().iter().map(|c| c.name).collect();
    assert_eq!(header, expected);
    assert_eq!(csv.lines().count(), 5);
    let ndjson = std::fs::read_to_string(ndjson).unwrap();
    let rows: Vec<serde_json::Value> = ndjson
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[2]["end_state"], "unclean");
    assert_eq!(rows[0]["shutdown"], "reboot");
}

#[test]
fn export_needs_a_format_it_can_tell() {
    let mut args = no_rtc();
    args.extend(["export", "--table", "boots", "--out", "-"].map(String::from));
    let out = jforensics(&strs(&args));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--format parquet, csv or ndjson"));
}
