//! `jforensics query` and `export` on real journals. Every library query runs
//! on both recorded fixtures and its answer is checked against the truth
//! manifest wherever the manifest covers it; bad SQL is a clear error; exports
//! read back unchanged.
//!
//! The library queries run in-process on tables built once per fixture (the
//! same `sql::run` the command uses), so the suite stays fast; the command
//! line itself is exercised by the tests further down.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::OnceLock;

use jforensics::boots::BootScanner;
use jforensics::findings;
use jforensics::journal::{self, Filter, SourceSpec, Strictness};
use jforensics::tables::output::{self, Format, TableStyle};
use jforensics::tables::{Inputs, Table, Tables, queries, sql};
use polars::prelude::*;
use serde_json::Value;

use crate::support::fixture::{FIXTURES, Fixture};
use crate::support::*;

/// Truth starts the log cannot decide (the list and the reasons are in
/// starts_fixtures.rs): (fixture, unit, truth cause).
const UNDECIDABLE: &[(&str, &str, &str)] = &[
    ("debian12", "jf-transient.service", "transient"),
    ("debian13", "nightly-export.service", "transient"),
    ("debian12", "worker.service", "boot"),
    ("debian12-loops", "chargeback-import.service", "transient"),
    ("debian13-loops", "rights-import.service", "transient"),
];

fn undecidable(fixture: &Fixture, unit: &str) -> bool {
    UNDECIDABLE
        .iter()
        .any(|(f, u, _)| *f == fixture.name && *u == unit)
}

/// The tables as the library builds them from the journal files in `dir`,
/// the way `query` does: boots, then each boot read for the detectors.
fn library_tables(dir: &Path) -> Tables {
    read_through_the_binary();
    let spec = SourceSpec::Directory(dir.to_path_buf());
    let mut source = journal::open(&spec, &Filter::all(), Strictness::Lenient).unwrap();
    let mut scanner = BootScanner::new();
    journal::for_each_entry(source.as_mut(), |e| scanner.observe(&e)).unwrap();
    let boots = scanner.finish();
    let options = findings::Options::default();
    let data: Vec<_> = boots
        .iter()
        .map(|b| {
            let filter = Filter::all().boot(b.boot_id);
            let mut source = journal::open(&spec, &filter, Strictness::Lenient).unwrap();
            findings::read_boot(b, source.as_mut(), &options).unwrap()
        })
        .collect();
    let found = findings::detect(&data, &options);
    let analyses: Vec<_> = data.into_iter().map(|d| d.analysis).collect();
    Tables::build(&Inputs {
        boots: &boots,
        analyses: &analyses,
        findings: &found,
    })
    .unwrap()
}

/// Each recorded fixture with its tables (the loops recordings too), built
/// once for all tests.
fn fixtures() -> &'static [(Fixture, Tables)] {
    static ALL: OnceLock<Vec<(Fixture, Tables)>> = OnceLock::new();
    ALL.get_or_init(|| {
        Fixture::with_loops()
            .into_iter()
            .map(|f| {
                let tables = library_tables(&f.journal);
                (f, tables)
            })
            .collect()
    })
}

/// Runs a library query and returns its rows as JSON objects (the command's
/// `--format ndjson`).
fn run_library(tables: &Tables, name: &str) -> Vec<Value> {
    let query = queries::find(name).unwrap_or_else(|| panic!("no library query {name}"));
    let mut df = sql::run(tables, query.sql, name).unwrap_or_else(|e| panic!("{e}"));
    let mut out = Vec::new();
    output::write(&mut df, Format::Ndjson, TableStyle::default(), &mut out).unwrap();
    String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is a JSON object"))
        .collect()
}

fn str_of<'a>(row: &'a Value, key: &str) -> &'a str {
    row[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not a string in {row}"))
}

fn int_of(row: &Value, key: &str) -> i64 {
    row[key]
        .as_i64()
        .unwrap_or_else(|| panic!("{key} is not an integer in {row}"))
}

/// The units the truth manifest knows about: scenario units, whose every
/// start the recorder logged. Other units (systemd's own) are not judged.
fn covered(fixture: &Fixture) -> BTreeSet<&str> {
    fixture
        .truth
        .starts
        .iter()
        .map(|s| s.unit.as_str())
        .collect()
}

/// How many rows the truth says query `name` must at least return: one per
/// thing the recorder made happen that the query is about. A new library
/// query must say here what it shows.
fn truth_rows(fixture: &Fixture, name: &str) -> usize {
    let t = &fixture.truth;
    let starts_by = |cause: &str| t.starts.iter().filter(|s| s.cause == cause).count();
    let distinct = |items: Vec<(&str, &str)>| items.into_iter().collect::<BTreeSet<_>>().len();
    match name {
        "starts-by-cause" | "startup-times" => t.boots.len(),
        "top-restarters" => distinct(
            t.crash_loops
                .iter()
                .map(|c| ("", c.unit.as_str()))
                .collect(),
        ),
        "top-restarters-per-boot" => distinct(
            t.crash_loops
                .iter()
                .map(|c| (c.boot_id.as_str(), c.unit.as_str()))
                .collect(),
        ),
        "crash-loops" => t.crash_loops.len(),
        "manual-not-at-boot" => starts_by("manual").min(1),
        "lost-at-reboot" => t.lost_at_reboot.len(),
        "dependency-pulls" => starts_by("dependency").min(1),
        "readiness" => t.readiness.len(),
        "failures-by-exit" => t.kills.len().min(1),
        "unclean-shutdowns" => t.boots.iter().filter(|b| b.end == "unclean").count(),
        "findings" => t.crash_loops.len() + t.lost_at_reboot.len() + t.kills.len(),
        other => panic!("library query {other}: say in truth_rows what the truth expects of it"),
    }
}

#[test]
fn every_library_query_runs_on_both_recorded_fixtures_and_answers_what_the_truth_holds() {
    for (fixture, tables) in fixtures() {
        let mut expecting = 0;
        for q in queries::LIBRARY {
            let rows = run_library(tables, q.name);
            assert!(
                rows.iter().all(Value::is_object),
                "{} {}",
                fixture.name,
                q.name
            );
            let want = truth_rows(fixture, q.name);
            assert!(
                rows.len() >= want,
                "{} {}: {} row(s), the truth holds {want}",
                fixture.name,
                q.name,
                rows.len()
            );
            expecting += usize::from(want > 0);
        }
        // The scenario fixtures were recorded to exercise every query; the
        // loops recordings kill nothing and cut no power.
        if FIXTURES.contains(&fixture.name) {
            assert_eq!(expecting, queries::LIBRARY.len(), "{}", fixture.name);
        }
    }
}

#[test]
fn starts_by_cause_counts_at_least_every_truth_start() {
    for (fixture, tables) in fixtures() {
        let rows = run_library(tables, "starts-by-cause");
        assert_eq!(rows.len(), fixture.truth.boots.len(), "{}", fixture.name);
        let mut truth: BTreeMap<(&str, String), i64> = BTreeMap::new();
        for s in &fixture.truth.starts {
            if !undecidable(fixture, &s.unit) {
                *truth
                    .entry((s.boot_id.as_str(), s.cause.replace('-', "_")))
                    .or_default() += 1;
            }
        }
        for ((boot, cause), expected) in truth {
            let row = rows.iter().find(|r| r["boot_id"] == boot).unwrap();
            // Truth covers the scenario units; systemd's own units add to
            // the same columns.
            assert!(
                int_of(row, &cause) >= expected,
                "{} boot {boot}: {cause} {} < {expected} in truth",
                fixture.name,
                row[&cause]
            );
        }
        for row in &rows {
            let by_cause: i64 = [
                "boot",
                "manual",
                "failure_restart",
                "policy_restart",
                "admin_restart",
                "socket",
                "timer",
                "dependency",
                "on_failure",
                "on_success",
                "transient",
                "unknown",
            ]
            .iter()
            .map(|c| int_of(row, c))
            .sum();
            assert_eq!(by_cause, int_of(row, "starts"), "{row}");
        }
    }
}

/// Automatic restarts per (boot, unit) in the truth's crash loops.
fn truth_restarts(fixture: &Fixture) -> BTreeMap<(String, String), i64> {
    let mut out = BTreeMap::new();
    for c in &fixture.truth.crash_loops {
        *out.entry((c.boot_id.clone(), c.unit.clone())).or_default() += i64::from(c.restarts);
    }
    out
}

#[test]
fn top_restarters_are_the_recorded_crash_loops_with_their_restarts() {
    for (fixture, tables) in fixtures() {
        let mut expected: BTreeMap<String, i64> = BTreeMap::new();
        for ((_, unit), n) in truth_restarts(fixture) {
            *expected.entry(unit).or_default() += n;
        }
        let seen: BTreeMap<String, i64> = run_library(tables, "top-restarters")
            .iter()
            .map(|r| (str_of(r, "unit").to_string(), int_of(r, "restarts")))
            .collect();
        assert_eq!(seen, expected, "{}", fixture.name);
    }
}

#[test]
fn top_restarters_per_boot_are_each_boots_crash_loops() {
    for (fixture, tables) in fixtures() {
        let rows = run_library(tables, "top-restarters-per-boot");
        let seen: BTreeMap<(String, String), i64> = rows
            .iter()
            .map(|r| {
                let key = (
                    str_of(r, "boot_id").to_string(),
                    str_of(r, "unit").to_string(),
                );
                (key, int_of(r, "restarts"))
            })
            .collect();
        assert_eq!(seen, truth_restarts(fixture), "{}", fixture.name);
        for boot in rows.chunk_by(|a, b| a["boot_id"] == b["boot_id"]) {
            let places: Vec<i64> = boot.iter().map(|r| int_of(r, "place")).collect();
            let restarts: Vec<i64> = boot.iter().map(|r| int_of(r, "restarts")).collect();
            assert_eq!(places, (1..=boot.len() as i64).collect::<Vec<_>>());
            assert!(restarts.is_sorted_by(|a, b| a >= b), "{boot:?}");
        }
    }
}

type Episode = (String, String, i64, String, String, Option<String>);

fn episodes_of_query(tables: &Tables) -> BTreeSet<Episode> {
    run_library(tables, "crash-loops")
        .iter()
        .map(|r| {
            (
                str_of(r, "boot_id").to_string(),
                str_of(r, "unit").to_string(),
                int_of(r, "restarts"),
                str_of(r, "outcome").to_string(),
                str_of(r, "first_start_cause").to_string(),
                r["root_cause"].as_str().map(str::to_string),
            )
        })
        .collect()
}

#[test]
fn crash_loops_are_the_truth_episodes_with_their_outcomes_and_root_causes() {
    for (fixture, tables) in fixtures() {
        let expected: BTreeSet<Episode> = fixture
            .truth
            .crash_loops
            .iter()
            .map(|c| {
                (
                    c.boot_id.clone(),
                    c.unit.clone(),
                    i64::from(c.restarts),
                    c.outcome.clone(),
                    c.first_start_cause.clone(),
                    c.root_cause_unit.clone(),
                )
            })
            .collect();
        assert_eq!(episodes_of_query(tables), expected, "{}", fixture.name);
    }
}

/// One definition of a crash loop: the library query shows what the
/// `findings` command reports, episode for episode, on every fixture.
#[test]
fn the_crash_loops_query_and_findings_give_the_same_episodes() {
    for (fixture, tables) in fixtures() {
        let doc = jforensics_json(&[
            "findings",
            "-D",
            fixture.dir_arg(),
            "-o",
            "json",
            "--kind",
            "crash-loop",
        ]);
        let from_findings: Vec<(Episode, u64)> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let d = &f["details"];
                (
                    (
                        f["boot_id"].as_str().unwrap().to_string(),
                        f["unit"].as_str().unwrap().to_string(),
                        d["restarts"].as_i64().unwrap(),
                        d["outcome"].as_str().unwrap().to_string(),
                        d["first_start_cause"].as_str().unwrap().to_string(),
                        d["root_cause_unit"].as_str().map(str::to_string),
                    ),
                    f["start_realtime_usec"].as_u64().unwrap(),
                )
            })
            .collect();
        let rows = run_library(tables, "crash-loops");
        assert_eq!(rows.len(), from_findings.len(), "{}", fixture.name);
        let from_query: BTreeSet<Episode> = episodes_of_query(tables);
        let episodes: BTreeSet<Episode> = from_findings.iter().map(|(e, _)| e.clone()).collect();
        assert_eq!(from_query, episodes, "{}", fixture.name);
        // And each begins when findings says it began.
        let began: BTreeSet<String> = rows
            .iter()
            .map(|r| str_of(r, "began").to_string())
            .collect();
        assert_eq!(began.len(), rows.len(), "{}", fixture.name);
        for (e, start) in &from_findings {
            let iso = jforensics::present::time::rfc3339(*start);
            assert!(
                began.contains(&iso),
                "{}: {e:?} began {iso}, not in {began:?}",
                fixture.name
            );
        }
    }
}

#[test]
fn manual_not_at_boot_lists_the_hand_started_units() {
    for (fixture, tables) in fixtures() {
        let covered = covered(fixture);
        let at_boot: BTreeSet<&str> = fixture
            .truth
            .starts
            .iter()
            .filter(|s| s.cause == "boot")
            .map(|s| s.unit.as_str())
            .collect();
        let expected: BTreeSet<&str> = fixture
            .truth
            .starts
            .iter()
            .filter(|s| s.cause == "manual" && !at_boot.contains(s.unit.as_str()))
            .map(|s| s.unit.as_str())
            .collect();
        let rows = run_library(tables, "manual-not-at-boot");
        let seen: BTreeSet<&str> = rows
            .iter()
            .map(|r| str_of(r, "unit"))
            .filter(|u| covered.contains(u) && !undecidable(fixture, u))
            .collect();
        assert_eq!(seen, expected, "{}", fixture.name);
    }
}

#[test]
fn lost_at_reboot_lists_what_the_recorder_lost_and_nothing_it_kept() {
    for (fixture, tables) in fixtures() {
        let rows = run_library(tables, "lost-at-reboot");
        let seen: BTreeSet<(&str, &str, &str, &str)> = rows
            .iter()
            .map(|r| {
                (
                    str_of(r, "boot_id"),
                    str_of(r, "next_boot_id"),
                    str_of(r, "unit"),
                    str_of(r, "how_it_started"),
                )
            })
            .collect();
        for lost in &fixture.truth.lost_at_reboot {
            let key = (
                lost.previous_boot_id.as_str(),
                lost.boot_id.as_str(),
                lost.unit.as_str(),
                lost.how_started_before.as_str(),
            );
            assert!(seen.contains(&key), "{}: {key:?} missing", fixture.name);
        }
        for kept in &fixture.truth.not_lost_at_reboot {
            assert!(
                !seen
                    .iter()
                    .any(|(b, _, u, _)| *b == kept.previous_boot_id && *u == kept.unit),
                "{}: {} came back after {} but is listed",
                fixture.name,
                kept.unit,
                kept.previous_boot_id
            );
        }
        let covered = covered(fixture);
        let scenario_rows = seen
            .iter()
            .filter(|(_, _, u, _)| covered.contains(u))
            .count();
        assert_eq!(
            scenario_rows,
            fixture.truth.lost_at_reboot.len(),
            "{}: {seen:?}",
            fixture.name
        );
    }
}

#[test]
fn dependency_pulls_name_who_pulled_each_unit() {
    for (fixture, tables) in fixtures() {
        let rows = run_library(tables, "dependency-pulls");
        let mut expected: BTreeMap<(&str, &str), BTreeSet<&str>> = BTreeMap::new();
        for s in fixture
            .truth
            .starts
            .iter()
            .filter(|s| s.cause == "dependency")
        {
            let trigger = s
                .trigger
                .as_deref()
                .expect("a dependency start has a trigger");
            expected
                .entry((trigger, s.unit.as_str()))
                .or_default()
                .insert(s.boot_id.as_str());
        }
        assert!(!expected.is_empty(), "{}", fixture.name);
        for ((by, unit), boots) in expected {
            let row = rows
                .iter()
                .find(|r| r["pulled_by"] == by && r["unit"] == unit)
                .unwrap_or_else(|| panic!("{}: {unit} pulled by {by} missing", fixture.name));
            assert_eq!(int_of(row, "boots"), boots.len() as i64, "{row}");
        }
    }
}

#[test]
fn readiness_shows_how_long_notify_services_took_and_no_simple_ones() {
    for (fixture, tables) in fixtures() {
        let rows = run_library(tables, "readiness");
        for r in &fixture.truth.readiness {
            let row = rows.iter().find(|row| row["unit"] == r.unit.as_str());
            if r.service_type == "simple" {
                // systemd does not wait for a Type=simple service: no
                // "Starting" line, so no readiness time.
                assert!(row.is_none(), "{}: {row:?}", fixture.name);
                continue;
            }
            let row = row.unwrap_or_else(|| panic!("{}: {} missing", fixture.name, r.unit));
            // systemd waits from "Starting" (before exec) until READY=1, so at
            // least as long as the program took from its start to ready.
            let gap_ms = (r.ready_realtime_usec - r.start_realtime_usec) as i64 / 1000;
            assert!(
                int_of(row, "max_ms") >= gap_ms,
                "{}: {row} vs {gap_ms} ms",
                fixture.name
            );
        }
        let notify_runs = fixture
            .truth
            .readiness
            .iter()
            .filter(|r| r.service_type == "notify")
            .count() as i64;
        let notify = rows
            .iter()
            .find(|row| {
                fixture
                    .truth
                    .readiness
                    .iter()
                    .any(|r| r.service_type == "notify" && row["unit"] == r.unit.as_str())
            })
            .unwrap();
        // The debug boot may lose a run's lines, never invent one.
        assert!(int_of(notify, "runs") <= notify_runs && int_of(notify, "runs") >= notify_runs - 1);
    }
}

#[test]
fn failures_by_exit_show_every_recorded_kill() {
    for (fixture, tables) in fixtures() {
        let rows = run_library(tables, "failures-by-exit");
        for kill in &fixture.truth.kills {
            let matches = |r: &&Value| {
                r["unit"] == kill.unit.as_str()
                    && match kill.kind.as_str() {
                        "oom-kill" => r["result"] == "oom-kill",
                        "watchdog" => r["result"] == "watchdog",
                        "core-dump" => r["result"] == "core-dump" || r["exit_kind"] == "dumped",
                        "start-timeout" => r["result"] == "timeout",
                        // The refused start leaves the last run's own failure.
                        "start-limit-hit" => true,
                        other => panic!("truth kill kind {other} unknown to this test"),
                    }
            };
            assert!(
                rows.iter().any(|r| matches(&r)),
                "{}: {} {} missing from {rows:?}",
                fixture.name,
                kill.kind,
                kill.unit
            );
        }
    }
}

#[test]
fn findings_hold_every_recorded_loop_loss_kill_and_power_cut_most_severe_first() {
    for (fixture, tables) in fixtures() {
        let rows = run_library(tables, "findings");
        let has = |kind: &str, boot: &str, unit: Option<&str>| {
            rows.iter().any(|r| {
                r["kind"] == kind
                    && tables_boot(tables, r) == boot
                    && unit.is_none_or(|u| r["unit"] == u)
            })
        };
        for c in &fixture.truth.crash_loops {
            assert!(
                has("crash-loop", &c.boot_id, Some(&c.unit)),
                "{}: {c:?}",
                fixture.name
            );
        }
        for l in &fixture.truth.lost_at_reboot {
            assert!(
                has("lost-at-reboot", &l.boot_id, Some(&l.unit)),
                "{}: {l:?}",
                fixture.name
            );
        }
        for k in &fixture.truth.kills {
            assert!(
                has(&k.kind, &k.boot_id, Some(&k.unit)),
                "{}: {k:?}",
                fixture.name
            );
        }
        for b in fixture.truth.boots.iter().filter(|b| b.end == "unclean") {
            assert!(
                has("unclean-shutdown", &b.boot_id, None),
                "{}: {b:?}",
                fixture.name
            );
        }
        let rank = |s: &str| {
            ["critical", "error", "warning", "info"]
                .iter()
                .position(|w| *w == s)
        };
        let ranks: Vec<usize> = rows
            .iter()
            .map(|r| rank(str_of(r, "severity")).unwrap())
            .collect();
        assert!(ranks.is_sorted(), "{}: {ranks:?}", fixture.name);
    }
}

/// The boot id of a `findings` query row, from its boot index.
fn tables_boot(tables: &Tables, row: &Value) -> String {
    let boots = tables.get(Table::Boots);
    let index = boots.column("boot_index").unwrap().i64().unwrap();
    let ids = boots.column("boot_id").unwrap().str().unwrap();
    let at = index
        .iter()
        .position(|i| i == row["boot_index"].as_i64())
        .unwrap();
    ids.get(at).unwrap().to_string()
}

#[test]
fn unclean_shutdowns_are_the_boots_the_recorder_cut_the_power_of() {
    for (fixture, tables) in fixtures() {
        let rows = run_library(tables, "unclean-shutdowns");
        let seen: Vec<&str> = rows.iter().map(|r| str_of(r, "boot_id")).collect();
        let truth: Vec<&str> = fixture
            .truth
            .boots
            .iter()
            .filter(|b| b.end == "unclean")
            .map(|b| b.boot_id.as_str())
            .collect();
        // The scenario fixtures cut the power once; the loops recordings
        // never do, and must show none.
        assert!(
            !truth.is_empty() || !FIXTURES.contains(&fixture.name),
            "{}: the fixture has a power cut",
            fixture.name
        );
        assert_eq!(seen, truth, "{}", fixture.name);
        for r in &rows {
            let cursor = str_of(r, "end_cursor");
            assert!(
                cursor.contains(&format!("b={}", str_of(r, "boot_id"))),
                "{r}"
            );
        }
    }
}

#[test]
fn startup_times_cover_every_recorded_boot_in_order() {
    for (fixture, tables) in fixtures() {
        let rows = run_library(tables, "startup-times");
        let seen: Vec<&str> = rows.iter().map(|r| str_of(r, "boot_id")).collect();
        let mut truth = fixture.truth.boots.clone();
        truth.sort_by_key(|b| b.order);
        let truth: Vec<&str> = truth.iter().map(|b| b.boot_id.as_str()).collect();
        assert_eq!(seen, truth, "{}", fixture.name);
        for r in &rows {
            let version = str_of(r, "systemd_version");
            assert!(
                version.starts_with(&fixture.truth.systemd_version.to_string()),
                "{r}"
            );
            // Every recorded boot reached its default target; its time is
            // known where the journal kept the line that says so.
            if !fixture.startup_line_logged(str_of(r, "boot_id")) {
                assert!(
                    r["userspace_ms"].is_null() && r["total_ms"].is_null(),
                    "{r}"
                );
                continue;
            }
            let (user, total) = (int_of(r, "userspace_ms"), int_of(r, "total_ms"));
            assert!(0 < user && user <= total, "{r}");
        }
    }
}

#[test]
fn starts_and_activations_join_on_boot_and_activation() {
    for (fixture, tables) in fixtures() {
        let joined = sql::run(
            tables,
            "SELECT COUNT(*) AS n FROM starts AS s \
             JOIN activations AS a ON a.boot_id = s.boot_id AND a.activation = s.activation \
             WHERE a.unit = s.unit",
            "--sql",
        )
        .unwrap();
        let n = joined.column("n").unwrap().get(0).unwrap().extract::<i64>();
        assert_eq!(
            n,
            Some(tables.get(Table::Starts).height() as i64),
            "{}",
            fixture.name
        );
    }
}

// ---- the command line ----------------------------------------------------

/// Runs `jforensics SOURCE… query QUERY… --format ndjson`; returns the rows.
fn query_rows(source: &[&str], query: &[&str]) -> Vec<Value> {
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

#[test]
fn a_library_query_by_name_on_a_journal_without_an_rtc() {
    let rows = query_rows(&strs(&no_rtc()), &["unclean-shutdowns"]);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(str_of(&rows[0], "boot_id").starts_with("4c708e1f"));
    assert_eq!(rows[0]["boot_index"], -1);
    // The next boot's clock reads earlier, so the downtime is unknown.
    assert!(rows[0]["downtime_s"].is_null());
}

#[test]
fn a_query_file_runs_like_a_library_query() {
    let file = repo().join("queries/unclean-shutdowns.sql");
    let from_file = query_rows(&strs(&no_rtc()), &[file.to_str().unwrap()]);
    assert_eq!(
        from_file,
        query_rows(&strs(&no_rtc()), &["unclean-shutdowns"])
    );
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
    let counts: Vec<(&str, i64)> = rows
        .iter()
        .map(|r| (str_of(r, "end_state"), int_of(r, "boots")))
        .collect();
    assert_eq!(counts, vec![("clean", 2), ("running", 1), ("unclean", 1)]);
    let first = str_of(&rows[0], "first");
    assert!(
        first.starts_with("2022-10-24T00:00:0") && first.ends_with('Z'),
        "{first}"
    );
}

#[test]
fn boot_selection_keeps_one_boot_in_every_table() {
    let fixture = Fixture::load("debian12");
    let boot = &fixture.boot(1).boot_id;
    for table in Table::ALL {
        let sql = format!("SELECT DISTINCT boot_id FROM {}", table.name());
        let rows = query_rows(&["-D", fixture.dir_arg()], &["-b", boot, "--sql", &sql]);
        let ids: Vec<&str> = rows.iter().map(|r| str_of(r, "boot_id")).collect();
        assert_eq!(ids, vec![boot.as_str()], "{}", table.name());
    }
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
fn a_bad_query_is_reported_before_the_journal_is_read() {
    let out = jforensics(&[
        "-D",
        "/nonexistent/journal",
        "query",
        "--sql",
        "SELECT unit FROM startz",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("startz"), "{stderr}");
    assert!(!stderr.contains("/nonexistent"), "{stderr}");
}

#[test]
fn output_json_means_json_lines() {
    let mut args = no_rtc();
    args.extend(
        [
            "-o",
            "json",
            "query",
            "--sql",
            "SELECT boot_index FROM boots",
        ]
        .map(String::from),
    );
    let out = jforensics(&strs(&args));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let indexes: Vec<i64> = lines.iter().map(|r| int_of(r, "boot_index")).collect();
    assert_eq!(indexes, vec![-3, -2, -1, 0]);
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
            .find(|l| l.split_whitespace().next() == Some(q.name))
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
    let (fixture, built) = &fixtures()[0];
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
    let rows: Vec<Value> = ndjson
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
    assert_eq!(out.status.code(), Some(2), "a usage error");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--format parquet, csv or ndjson"));
    // -o json says which: JSON lines, as for query.
    let mut args = no_rtc();
    args.extend(["-o", "json", "export", "--table", "boots", "--out", "-"].map(String::from));
    let out = jforensics(&strs(&args));
    assert!(out.status.success());
    let rows: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 4);
}

/// docs/tables.md is generated from the column definitions; when a column
/// changes, regenerate it with `scripts/bless.sh`.
#[test]
fn docs_tables_md_matches_the_column_definitions() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/tables.md");
    let want = jforensics::tables::markdown_docs();
    if crate::support::blessing() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/tables.md is stale: run `scripts/bless.sh` and commit it"
    );
    for table in jforensics::tables::Table::ALL {
        for column in table.columns() {
            assert!(have.contains(&format!("| `{}` |", column.name)));
        }
    }
}
