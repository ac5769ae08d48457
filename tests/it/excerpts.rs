//! Excerpts: what people attach to a ticket — `journalctl -u X -o export`,
//! `-k`, `-p err`, `_PID=1`, a time window, a journal whose head was cut in
//! the middle of a boot — made with journalctl from every recorded fixture.
//!
//! Absence proves something only in a complete journal: an excerpt must
//! never yield an unclean shutdown, a unit lost at reboot, a unit at risk or
//! a resurrection that the full journal does not show. What rests on
//! presence (crash loops, OOM kills, core dumps, watchdog kills in the unit's
//! own lines) is why people attach excerpts, and must come out as in the
//! full journal. And each boot's coverage must say what the excerpt lacks,
//! checked against the entries the full journal has.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::fixture::{FIXTURES, RACE_FIXTURES};
use crate::support::{jforensics, jforensics_json, repo, run_tool, unpacked};

/// Findings drawn from what the journal does not say.
const FROM_ABSENCE: [&str; 4] = [
    "unclean-shutdown",
    "lost-at-reboot",
    "at-risk-manual",
    "resurrection",
];

/// Findings drawn from a unit's own lines, which a `-u` excerpt keeps.
const FROM_PRESENCE: [&str; 4] = ["crash-loop", "oom-kill", "core-dump", "watchdog"];

/// One journal as jforensics and journalctl see it.
struct Read {
    boots: Vec<Value>,
    findings: Vec<Value>,
    /// Each boot's sequence numbers (cursor `i=`), from journalctl.
    seqnums: BTreeMap<String, BTreeSet<u64>>,
}

fn seqnums(journalctl_args: &[&str]) -> BTreeMap<String, BTreeSet<u64>> {
    let mut args = journalctl_args.to_vec();
    args.extend(["-o", "json", "--output-fields=_BOOT_ID"]);
    let out = run_tool("journalctl", &args);
    let mut by_boot: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
    for line in out.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        let e: Value = serde_json::from_slice(line).unwrap();
        let cursor = e["__CURSOR"].as_str().unwrap();
        let seq = cursor
            .split(';')
            .find_map(|p| p.strip_prefix("i="))
            .map(|i| u64::from_str_radix(i, 16).unwrap())
            .unwrap();
        let boot = cursor
            .split(';')
            .find_map(|p| p.strip_prefix("b="))
            .unwrap()
            .to_string();
        by_boot.entry(boot).or_default().insert(seq);
    }
    by_boot
}

fn read(source: &[&str], journalctl_args: &[&str]) -> Read {
    let with = |cmd: &[&str]| {
        let mut args = source.to_vec();
        args.extend(["--utc"]);
        args.extend(cmd);
        jforensics_json(&args)
    };
    Read {
        boots: with(&["boots", "-o", "json"]).as_array().unwrap().clone(),
        findings: with(&["findings", "-o", "json"])["findings"]
            .as_array()
            .unwrap()
            .clone(),
        seqnums: seqnums(journalctl_args),
    }
}

/// (kind, unit, boot) of each finding of `kinds`, for units in `units` (all when empty).
fn keys(findings: &[Value], kinds: &[&str], units: &[&str]) -> BTreeSet<(String, String, String)> {
    findings
        .iter()
        .filter(|f| kinds.contains(&f["kind"].as_str().unwrap()))
        .filter(|f| units.is_empty() || units.contains(&f["unit"].as_str().unwrap_or("")))
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_string(),
                f["unit"].as_str().unwrap_or("").to_string(),
                f["boot_id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

struct Excerpt {
    name: String,
    /// journalctl's selection (after `-D DIR`).
    args: Vec<String>,
    /// The unit a `-u` excerpt is about.
    unit: Option<String>,
}

impl Excerpt {
    fn new(name: &str, args: &[&str], unit: Option<&str>) -> Excerpt {
        Excerpt {
            name: name.to_string(),
            args: args.iter().map(|a| a.to_string()).collect(),
            unit: unit.map(str::to_string),
        }
    }
}

/// The excerpts of one fixture: each unit with findings, the kernel's,
/// PID 1's and the errors' lines, a window inside each boot, a window
/// across each reboot, and the journal from the middle of its first boot on.
fn excerpts(full: &Read) -> Vec<Excerpt> {
    let mut units: BTreeSet<&str> = full
        .findings
        .iter()
        .filter_map(|f| f["unit"].as_str())
        .collect();
    // A scope's processes are no unit journalctl -u selects the same way.
    units.retain(|u| !u.ends_with(".scope"));
    let mut out: Vec<Excerpt> = units
        .iter()
        .map(|u| Excerpt::new(&format!("unit-{u}"), &["-u", u], Some(u)))
        .collect();
    out.push(Excerpt::new("kernel", &["_TRANSPORT=kernel"], None));
    out.push(Excerpt::new("newest-kernel", &["-k"], None));
    out.push(Excerpt::new("errors", &["-p", "err"], None));
    out.push(Excerpt::new("pid1", &["_PID=1"], None));
    let at = |b: &Value, part: f64| {
        let first = b["first_realtime_usec"].as_u64().unwrap() as f64;
        let last = b["last_realtime_usec"].as_u64().unwrap() as f64;
        format!("@{:.6}", (first + (last - first) * part) / 1e6)
    };
    for (i, b) in full.boots.iter().enumerate() {
        let (since, until) = (at(b, 0.3), at(b, 0.7));
        out.push(Excerpt::new(
            &format!("inside-boot-{i}"),
            &["--since", &since, "--until", &until],
            None,
        ));
        if let Some(next) = full.boots.get(i + 1) {
            let until = at(next, 0.5);
            out.push(Excerpt::new(
                &format!("across-reboot-{i}"),
                &["--since", &at(b, 0.5), "--until", &until],
                None,
            ));
        }
    }
    let first = &full.boots[0];
    out.push(Excerpt::new(
        "head-cut",
        &["--since", &at(first, 0.5)],
        None,
    ));
    out
}

/// What each boot of an excerpt lacks, from the entries both journals hold.
struct Truth {
    whole: bool,
    head_missing: bool,
    tail_missing: bool,
    /// Entries of the full boot between the excerpt's first and last that it lacks.
    inside_missing: u64,
}

fn truth(excerpt: &BTreeSet<u64>, full: &BTreeSet<u64>) -> Truth {
    let (lo, hi) = (*excerpt.first().unwrap(), *excerpt.last().unwrap());
    let between = full.range(lo..=hi).count() as u64;
    Truth {
        whole: excerpt == full,
        head_missing: *full.first().unwrap() < lo,
        tail_missing: hi < *full.last().unwrap(),
        inside_missing: between - excerpt.len() as u64,
    }
}

/// Whether the full journal holds what an excerpt's at-risk finding about
/// `unit` in `boot` rests on: a start of `unit` there with the cause the
/// finding names, and no start at boot.
fn full_agrees_at_risk(dir: &str, found: &[Value], unit: &str, boot: &str) -> bool {
    let Some(how) = found
        .iter()
        .find(|f| f["kind"] == "at-risk-manual" && f["unit"] == unit && f["boot_id"] == boot)
        .and_then(|f| f["details"]["how_started"].as_str())
    else {
        return false;
    };
    let story = jforensics_json(&["-D", dir, "since-boot", "-b", boot, "-o", "json"]);
    let causes: Vec<&str> = story["starts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["unit"] == unit)
        .filter_map(|s| s["cause"].as_str())
        .collect();
    causes.contains(&how) && !causes.contains(&"boot")
}

fn check_fixture(name: &str, scratch: &Path) -> Vec<String> {
    let plain = unpacked(
        &repo().join("tests/fixtures").join(name).join("journal"),
        &format!("{name}-unpacked"),
    );
    let dir = plain.to_str().unwrap();
    let full = read(&["-D", dir], &["-D", dir]);
    let full_absent = keys(&full.findings, &FROM_ABSENCE, &[]);
    let mut problems = Vec::new();
    for ex in excerpts(&full) {
        let path: PathBuf = scratch.join(format!("{name}-{}.export", ex.name));
        let mut args: Vec<&str> = vec!["-D", dir];
        args.extend(ex.args.iter().map(String::as_str));
        let mut export = args.clone();
        export.extend(["-o", "export"]);
        std::fs::write(&path, run_tool("journalctl", &export)).unwrap();
        if std::fs::metadata(&path).unwrap().len() == 0 {
            continue;
        }
        let input = path.to_str().unwrap();
        let got = read(&["-i", input], &args);
        let what = format!("{name} {} ({})", ex.name, ex.args.join(" "));

        // Nothing concluded from absence that the full journal does not
        // show. A window that ends inside a boot makes it the newest boot
        // read, and a unit started by hand and running as the window ends
        // is at risk there (the full journal, which goes on, tells what came
        // of it instead): such a finding must rest on the facts the full
        // journal holds, a start of the same cause and none at boot.
        for key in keys(&got.findings, &FROM_ABSENCE, &[]) {
            let (kind, unit, boot) = &key;
            if full_absent.contains(&key)
                || (kind == "at-risk-manual" && full_agrees_at_risk(dir, &got.findings, unit, boot))
            {
                continue;
            }
            problems.push(format!(
                "{what}: {kind} {unit} in boot {boot} is not in the full journal"
            ));
        }
        // The excerpted unit's findings from its own lines, as in full.
        if let Some(unit) = &ex.unit {
            let want = keys(&full.findings, &FROM_PRESENCE, &[unit]);
            let have = keys(&got.findings, &FROM_PRESENCE, &[unit]);
            if want != have {
                problems.push(format!(
                    "{what}: {unit}'s findings {have:?}, full journal {want:?}"
                ));
            }
        }
        // Each boot's coverage, against the entries the full journal holds.
        let newest = got.boots.last().map(|b| b["boot_id"].clone());
        for b in &got.boots {
            let id = b["boot_id"].as_str().unwrap();
            let short = id.replace('-', "");
            let (Some(part), Some(whole)) = (got.seqnums.get(&short), full.seqnums.get(&short))
            else {
                problems.push(format!(
                    "{what}: boot {id} has no entries in journalctl's view"
                ));
                continue;
            };
            let t = truth(part, whole);
            let c = &b["coverage"];
            let state = c["state"].as_str().unwrap();
            let ok_state = if t.whole {
                matches!(state, "complete" | "end-lost")
            } else if t.inside_missing > 0
                || (t.head_missing && t.tail_missing && Some(&b["boot_id"]) != newest.as_ref())
            {
                state == "excerpt"
            } else if t.head_missing {
                state == "head-cut" || (state == "excerpt" && t.tail_missing)
            } else {
                // Only the end is missing: seen where another boot follows.
                state
                    == if Some(&b["boot_id"]) == newest.as_ref() {
                        "complete"
                    } else {
                        "tail-cut"
                    }
            };
            if !ok_state {
                problems.push(format!(
                    "{what}: boot {id} coverage {state}, but whole={} head_missing={} tail_missing={} inside_missing={}",
                    t.whole, t.head_missing, t.tail_missing, t.inside_missing
                ));
            }
            if c["missing_entries"].as_u64() != Some(t.inside_missing) {
                problems.push(format!(
                    "{what}: boot {id} missing_entries {}, the full journal lacks {} there",
                    c["missing_entries"], t.inside_missing
                ));
            }
            if t.head_missing && c["head"] != "cut" {
                problems.push(format!(
                    "{what}: boot {id}'s beginning is missing, head {}",
                    c["head"]
                ));
            }
            if b["end"] == "unclean" && (t.tail_missing || t.inside_missing > 0) {
                problems.push(format!(
                    "{what}: boot {id} judged unclean though entries are missing"
                ));
            }
        }
    }
    problems
}

#[test]
fn excerpts_of_every_fixture_conclude_nothing_from_absence_and_say_what_they_lack() {
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("excerpts");
    std::fs::create_dir_all(&scratch).unwrap();
    let problems: Vec<String> = FIXTURES
        .iter()
        .chain(RACE_FIXTURES.iter())
        .flat_map(|name| check_fixture(name, &scratch))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn an_excerpt_of_one_unit_says_so_once_on_stderr_and_judges_no_boot_end() {
    let plain = unpacked(
        &repo().join("tests/fixtures/debian12/journal"),
        "debian12-unpacked",
    );
    let dir = plain.to_str().unwrap();
    let export = run_tool(
        "journalctl",
        &["-D", dir, "-u", "backend.service", "-o", "export"],
    );
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("backend-only.export");
    std::fs::write(&path, export).unwrap();
    let out = jforensics(&["-i", path.to_str().unwrap(), "findings"]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let notes: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("this input is an excerpt"))
        .collect();
    assert_eq!(notes.len(), 1, "{stderr}");
    assert!(notes[0].contains("4 of 4 boots"), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("unclean-shutdown"), "{stdout}");
    let boots = jforensics(&["-i", path.to_str().unwrap(), "boots"]);
    let table = String::from_utf8_lossy(&boots.stdout);
    assert!(
        table.contains("COVERAGE") && table.contains("excerpt"),
        "{table}"
    );
    assert!(!table.contains("UNCLEAN"), "{table}");
    // The full journal prints no such note, and its table no such column.
    let full = jforensics(&["-D", dir, "boots"]);
    assert!(!String::from_utf8_lossy(&full.stderr).contains("excerpt"));
    assert!(!String::from_utf8_lossy(&full.stdout).contains("COVERAGE"));
}
