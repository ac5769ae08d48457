//! Start causes against the recorded fixtures: every start in each truth
//! manifest (systemd 252 and 257, info and debug boots) must be found and
//! classified with the right cause and trigger. The manifests come from what
//! the recorder did and measured in the guest, never from the journal.
//! And no dependency may rest on timing alone: each must carry the job-id or
//! debug-line link it rests on, checked here against the journal's own job
//! ids.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;

use crate::support::fixture::{Fixture, TruthStart};
use crate::support::*;

/// The look-alike no log decides: `systemd-run --unit=NAME
/// --description=TEXT` run by root without sudo logs, at info level, exactly
/// the lines `systemctl start NAME` logs (a chosen name, a chosen
/// description, no sudo line). Such a start stays `manual`, and its
/// explanation must say it may be a `systemd-run` transient unit. With sudo
/// (sudo's line), without `--unit` (a `run-r…` name) or without
/// `--description` (a command-line description) it is decidable.
fn look_alike(t: &TruthStart) -> bool {
    t.cause == "transient"
        && t.via.as_deref() == Some("systemd-run")
        && t.unit.ends_with(".service")
}

/// Whether since-boot answered a look-alike the way it must.
fn look_alike_answered(found: &Value) -> bool {
    found["cause"] == "manual"
        && found["explanation"]
            .as_str()
            .is_some_and(|e| e.contains("systemd-run --unit=NAME"))
}

/// What since-boot said about one truth start.
struct Verdict {
    boot_order: usize,
    truth: TruthStart,
    found: Option<Value>,
}

impl Verdict {
    fn correct(&self) -> bool {
        self.found.as_ref().is_some_and(|s| {
            s["cause"] == self.truth.cause.as_str()
                && s["trigger"].as_str().map(str::to_string) == self.truth.trigger
        })
    }

    fn describe(&self) -> String {
        let t = &self.truth;
        let want = format!(
            "{} (trigger {})",
            t.cause,
            t.trigger.as_deref().unwrap_or("none")
        );
        let got = match &self.found {
            None => "NOT FOUND".to_string(),
            Some(s) => format!(
                "{} (trigger {}, confidence {}): {}",
                s["cause"].as_str().unwrap_or("?"),
                s["trigger"].as_str().unwrap_or("none"),
                s["confidence"],
                s["explanation"].as_str().unwrap_or("")
            ),
        };
        format!(
            "boot {} {} at {} (invocation {}): expected {want}, got {got}",
            self.boot_order,
            t.unit,
            t.realtime_usec,
            t.invocation_id.as_deref().unwrap_or("-")
        )
    }
}

/// How long after systemd started a unit the truth's time of it may be: the
/// truth times a start by its program's own first record, and a Python
/// program under the recorder's emulated CPU, in a debug boot whose every
/// line goes through a flooded journald, logged it 17.6 s after systemd's
/// line (debian12-loops, boot 1, batch-crunch.service).
const PROGRAM_START_LAG_USEC: u64 = 20_000_000;

/// since-boot's starts for every truth boot, matched to the truth starts:
/// by invocation id, else by unit and time within 3 s, else (a start whose
/// every line of systemd's came through the kernel log, without the
/// invocation id field) the unit's latest start without an invocation id
/// that preceded the program's record by at most [`PROGRAM_START_LAG_USEC`].
fn verdicts(fixture: &Fixture) -> Vec<Verdict> {
    let mut out = Vec::new();
    for boot in &fixture.truth.boots {
        let doc = jforensics_json(&[
            "since-boot",
            "-D",
            fixture.dir_arg(),
            "-b",
            &boot.boot_id,
            "-o",
            "json",
        ]);
        assert_eq!(doc["boot"]["boot_id"], boot.boot_id.as_str());
        let starts = doc["starts"].as_array().expect("starts is an array");
        for t in fixture
            .truth
            .starts
            .iter()
            .filter(|s| s.boot_id == boot.boot_id)
        {
            let by_invocation = t.invocation_id.as_deref().and_then(|inv| {
                starts
                    .iter()
                    .find(|s| s["invocation_id"].as_str() == Some(inv))
            });
            let found = by_invocation
                .or_else(|| {
                    starts.iter().find(|s| {
                        s["unit"] == t.unit.as_str()
                            && s["realtime_usec"]
                                .as_u64()
                                .is_some_and(|r| r.abs_diff(t.realtime_usec) <= 3_000_000)
                    })
                })
                .or_else(|| {
                    starts
                        .iter()
                        .filter(|s| {
                            s["unit"] == t.unit.as_str()
                                && s["invocation_id"].is_null()
                                && s["realtime_usec"].as_u64().is_some_and(|r| {
                                    r <= t.realtime_usec
                                        && t.realtime_usec - r <= PROGRAM_START_LAG_USEC
                                })
                        })
                        .max_by_key(|s| s["realtime_usec"].as_u64())
                })
                .cloned();
            out.push(Verdict {
                boot_order: boot.order,
                truth: t.clone(),
                found,
            });
        }
    }
    out
}

/// Every decidable start of every fixture must be right (cause and
/// trigger); look-alikes are counted apart and must be answered as
/// [`look_alike_answered`] says.
fn check_fixture(name: &'static str) {
    let fixture = Fixture::load(name);
    let verdicts = verdicts(&fixture);
    assert!(!verdicts.is_empty(), "{name}: the truth lists no starts");
    let mut per_cause: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut problems = Vec::new();
    let (mut decidable, mut right, mut look_alikes) = (0, 0, 0);
    for v in &verdicts {
        if look_alike(&v.truth) && !v.correct() {
            look_alikes += 1;
            if v.found.as_ref().is_some_and(look_alike_answered) {
                println!("  look-alike: {}", v.describe());
            } else {
                problems.push(format!(
                    "look-alike not answered `manual` with the systemd-run caveat: {}",
                    v.describe()
                ));
            }
            continue;
        }
        decidable += 1;
        let e = per_cause.entry(v.truth.cause.clone()).or_default();
        e.1 += 1;
        if v.correct() {
            right += 1;
            e.0 += 1;
        } else {
            problems.push(format!("wrong: {}", v.describe()));
        }
    }
    println!(
        "{name} (systemd {}): {right}/{decidable} decidable starts correct, {look_alikes} look-alike(s) apart",
        fixture.truth.systemd_version,
    );
    for (cause, (ok, n)) in &per_cause {
        println!("  {cause:16} {ok}/{n}");
    }
    assert!(
        problems.is_empty(),
        "{name}: {} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert_eq!(right, decidable, "{name}");
}

#[test]
fn every_start_of_the_debian12_fixture_has_the_recorded_cause_and_trigger() {
    check_fixture("debian12");
}

#[test]
fn every_start_of_the_debian13_fixture_has_the_recorded_cause_and_trigger() {
    check_fixture("debian13");
}

#[test]
fn hand_starts_racing_timers_and_sockets_on_systemd_252_keep_their_causes() {
    check_fixture("debian12-races");
}

#[test]
fn hand_starts_racing_timers_and_sockets_on_systemd_257_keep_their_causes() {
    check_fixture("debian13-races");
}

/// A dependency that flaps, a poweroff right after recovery, a debug boot
/// whose first PID 1 lines the kernel buffer lost, a boot under CPU load.
#[test]
fn crash_loop_stories_on_systemd_252_keep_their_start_causes() {
    check_fixture("debian12-loops");
}

/// The same stories on systemd 257 (no "Stopped" line between a crash and
/// its restart, other unit names and timings).
#[test]
fn crash_loop_stories_on_systemd_257_keep_their_start_causes() {
    check_fixture("debian13-loops");
}

/// One logged job line, from `export --table events`.
struct JobLine {
    unit: Option<String>,
    job: u32,
}

/// Per boot and manager (each has its own job counter): every logged job
/// id, and the job line behind each cursor.
struct JobIds {
    by_manager: HashMap<(String, String), BTreeSet<u32>>,
    by_cursor: HashMap<String, JobLine>,
}

fn job_ids(dir: &str) -> JobIds {
    let out = jforensics(&[
        "export", "-D", dir, "--table", "events", "--format", "ndjson", "--out", "-",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut ids = JobIds {
        by_manager: HashMap::new(),
        by_cursor: HashMap::new(),
    };
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let row: Value = serde_json::from_str(line).unwrap();
        let Some(job) = row["job_id"].as_u64() else {
            continue;
        };
        let job = job as u32;
        ids.by_manager
            .entry((
                row["boot_id"].as_str().unwrap().to_string(),
                manager_key(&row["manager"]),
            ))
            .or_default()
            .insert(job);
        ids.by_cursor.insert(
            row["cursor"].as_str().unwrap().to_string(),
            JobLine {
                unit: row["unit"].as_str().map(str::to_string),
                job,
            },
        );
    }
    ids
}

fn manager_key(manager: &Value) -> String {
    manager
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| manager.to_string())
}

/// Checks one dependency's link against the journal's job ids; the problem,
/// if any.
fn link_problem(s: &Value, ids: &JobIds) -> Option<String> {
    let link = &s["link"];
    if link.is_null() {
        return Some("a dependency without a link".into());
    }
    let lines: Vec<&JobLine> = s["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| ids.by_cursor.get(e["cursor"].as_str().unwrap()))
        .collect();
    let messages: Vec<&str> = s["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    let job = s["job_id"].as_u64().map(|j| j as u32);
    let anchor = link["anchor_job"].as_u64().map(|j| j as u32);
    let trigger = s["trigger"].as_str();
    let anchor_line = || {
        lines
            .iter()
            .any(|l| Some(l.job) == anchor && l.unit.as_deref() == trigger)
    };
    match link["kind"].as_str().unwrap() {
        "debug-lines" => {
            let debug = messages.iter().any(|m| {
                m.contains("Installed new job")
                    || m.contains("Enqueued job")
                    || m.contains("upheld by")
            });
            (!debug).then(|| "debug-lines link without a debug job line in evidence".into())
        }
        "shutdown-range" => match (job, anchor) {
            (Some(j), Some(a)) if a < j && anchor_line() => None,
            _ => Some("shutdown-range link without the anchor's job line below it".into()),
        },
        "job-ids" => {
            let (Some(j), Some(a)) = (job, anchor) else {
                return Some("job-ids link without job ids".into());
            };
            let min = link["own_block_min"].as_u64().unwrap_or(0) as u32;
            if a >= j || min < 2 || !anchor_line() {
                return Some(format!(
                    "anchor job {a} not below {j}, no anchor line, or block {min}"
                ));
            }
            if j - a < min {
                return None;
            }
            let Some(next) = link["next_job"].as_u64().map(|n| n as u32) else {
                return Some("outside the anchor's block and no next job".into());
            };
            let key = (
                s["boot_id"].as_str().unwrap().to_string(),
                manager_key(&s["manager"]),
            );
            let between = ids.by_manager[&key].range(j + 1..next).next().copied();
            let shown = lines.iter().any(|l| l.job == next);
            match (next > j && next - j < min, between, shown) {
                (true, None, true) => None,
                _ => Some(format!(
                    "next job {next} after {j} (block {min}): a job between ({between:?}) or not in evidence ({shown})"
                )),
            }
        }
        other => Some(format!("unknown link kind {other}")),
    }
}

/// Every dependency in every boot of every recorded journal (and systemd's
/// no-RTC sample, Fedora with GNOME) rests on job ids or debug lines, and
/// the ids it names are the journal's.
#[test]
fn no_dependency_rests_on_timing_alone() {
    let mut dirs: Vec<(String, String)> = Fixture::every()
        .iter()
        .map(|f| (f.name.to_string(), f.dir_arg().to_string()))
        .collect();
    dirs.push((
        "no-rtc".into(),
        repo()
            .join("tests/fixtures/systemd/no-rtc")
            .to_str()
            .unwrap()
            .to_string(),
    ));
    let mut checked = BTreeMap::new();
    let mut problems = Vec::new();
    for (name, dir) in &dirs {
        let ids = job_ids(dir);
        let boots = jforensics_json(&["boots", "-D", dir, "-o", "json"]);
        for b in boots.as_array().unwrap() {
            let boot_id = b["boot_id"].as_str().unwrap();
            let doc = jforensics_json(&["since-boot", "-D", dir, "-b", boot_id, "-o", "json"]);
            for s in doc["starts"].as_array().unwrap() {
                if s["cause"] != "dependency" {
                    if !s["link"].is_null() {
                        problems.push(format!("{name}: a {} with a link: {s}", s["cause"]));
                    }
                    continue;
                }
                *checked.entry(name.clone()).or_insert(0) += 1;
                if let Some(p) = link_problem(s, &ids) {
                    problems.push(format!(
                        "{name} boot {}: {} (trigger {}): {p}; {}",
                        &boot_id[..8],
                        s["unit"],
                        s["trigger"],
                        s["explanation"]
                    ));
                }
            }
        }
    }
    println!("dependencies checked: {checked:?}");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    for (name, _) in &dirs {
        assert!(
            checked.get(name).copied().unwrap_or(0) > 0,
            "{name}: no dependency at all, so nothing was checked"
        );
    }
}

/// Every start carries the documented fields, and its evidence are real
/// entries of its boot (cursors name the boot).
#[test]
fn since_boot_json_keeps_its_contract_on_both_versions() {
    for fixture in Fixture::every() {
        let doc = jforensics_json(&["since-boot", "-D", fixture.dir_arg(), "-o", "json"]);
        let boot_id = doc["boot"]["boot_id"].as_str().unwrap().to_string();
        assert_eq!(doc["document"], "since-boot");
        let starts = doc["starts"].as_array().unwrap();
        assert!(
            starts.iter().any(|s| s["cause"] == "boot"),
            "boot starts are included"
        );
        for s in starts {
            for key in [
                "unit",
                "boot_id",
                "realtime_usec",
                "realtime",
                "invocation_id",
                "job_id",
                "cause",
                "trigger",
                "trigger_cause",
                "confidence",
                "explanation",
                "evidence",
            ] {
                assert!(
                    s.get(key).is_some(),
                    "{}: start lacks {key}: {s}",
                    fixture.name
                );
            }
            let cause = s["cause"].as_str().unwrap();
            assert!(
                [
                    "boot",
                    "failure-restart",
                    "policy-restart",
                    "socket",
                    "dependency",
                    "timer",
                    "on-failure",
                    "on-success",
                    "admin-restart",
                    "manual",
                    "transient",
                    "unknown"
                ]
                .contains(&cause),
                "{cause}"
            );
            let c = s["confidence"].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&c));
            assert_eq!(s["boot_id"], boot_id.as_str());
            let evidence = s["evidence"].as_array().unwrap();
            assert!(!evidence.is_empty(), "{s}");
            for e in evidence {
                let cursor = e["cursor"].as_str().unwrap();
                assert!(cursor.contains(&format!("b={boot_id}")), "{cursor}");
                assert!(e["realtime_usec"].as_u64().is_some() && e["message"].is_string());
            }
        }
    }
}
