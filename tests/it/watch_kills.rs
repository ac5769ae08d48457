//! `jforensics watch` killed at every step and at random instants while each
//! recorded fixture grows in parts (issue #29). Whatever was killed, what a
//! receiver keeps after dropping repeats by `(fingerprint, event)` must be:
//! every finding of the whole journal once as `new`, one `resolved` for every
//! episode it was told goes on once that episode ended, and nothing else.
//!
//! Each fixture is cut at a quarter, half and three quarters of every boot,
//! so parts end while crash loops loop, hand-started units run and units are
//! not back after a reboot, and the next part ends their boot.

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::fixture::{FIXTURES, RACE_FIXTURES};
use crate::support::growing::{self, Host};
use crate::support::*;

#[derive(Clone, Copy, Debug)]
enum Run {
    /// A run that must complete.
    Whole,
    /// A run with `JFORENSICS_WATCH_CRASH_AT` set to this step.
    KilledAt(&'static str),
    /// A run sent SIGKILL after a seeded random delay (it may finish first).
    KilledAnywhere,
}

use Run::*;

/// The runs after each of the first parts arrives. The steps come in the
/// order a run passes them, chained so that each one is reached: a run killed
/// before its outbox is saved leaves the same records to plan again; one
/// killed after leaves them to be sent again (`*-replay`); `after-deliver`
/// is followed by a new part, which ends boots, as in the issue.
const SCRIPT: [&[Run]; 8] = [
    &[Whole],
    &[
        KilledAt("outbox-after-temp-write"),
        KilledAt("outbox-after-prev-link"),
        KilledAt("outbox-after-rename"),
        KilledAt("before-replay"),
        KilledAt("mid-replay"),
        KilledAt("after-replay"),
    ],
    &[KilledAt("before-deliver")],
    &[KilledAt("mid-deliver")],
    &[KilledAt("after-deliver")],
    &[KilledAt("after-temp-write")],
    &[KilledAt("after-prev-link")],
    &[KilledAt("after-rename")],
];

/// The runs after each later part.
const LATER: &[Run] = &[KilledAnywhere, KilledAnywhere];

/// A small seeded generator (splitmix64): the same delays every time.
struct Seeded(u64);

impl Seeded {
    fn fraction(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Cuts at a quarter, half and three quarters of every boot.
fn cuts(fixture: &str) -> Vec<u64> {
    let dir = repo().join("tests/fixtures").join(fixture).join("journal");
    let boots = jforensics_json(&["-D", dir.to_str().unwrap(), "boots", "-o", "json"]);
    let mut cuts = Vec::new();
    for b in boots.as_array().unwrap() {
        let first = b["first_realtime_usec"].as_u64().unwrap();
        let last = b["last_realtime_usec"].as_u64().unwrap();
        cuts.extend((1..=3).map(|q| first + (last - first) * q / 4));
    }
    cuts.sort_unstable();
    cuts
}

/// What the receiver of the JSON lines keeps: the first record of each
/// `(fingerprint, event)`. A line cut short by a kill is skipped, as a
/// receiver would; the record comes again whole.
fn received(host: &Host) -> (BTreeMap<(String, String), Value>, usize) {
    let text = std::fs::read_to_string(&host.sink).unwrap_or_default();
    let mut kept = BTreeMap::new();
    let mut torn = 0;
    for line in text.lines() {
        let Ok(r) = serde_json::from_str::<Value>(line) else {
            torn += 1;
            continue;
        };
        let key = (
            r["fingerprint"].as_str().unwrap().to_string(),
            r["event"].as_str().unwrap().to_string(),
        );
        kept.entry(key).or_insert(r);
    }
    (kept, torn)
}

struct Outcome {
    fixture: &'static str,
    runs: usize,
    /// Named steps whose run was killed there.
    fired: BTreeSet<&'static str>,
    /// Runs killed at a random instant before they finished.
    random_kills: usize,
    torn_lines: usize,
    records: usize,
    seconds: f64,
}

fn grow_and_kill(fixture: &'static str, seed: u64) -> Outcome {
    let started = Instant::now();
    let parts: Vec<PathBuf> = growing::parts(fixture, &cuts(fixture));
    assert!(parts.len() > SCRIPT.len(), "{fixture}: too few parts");
    let host = Host::new(&parts);
    let mut rng = Seeded(seed);
    let mut fired = BTreeSet::new();
    let (mut runs, mut random_kills) = (0, 0);
    let mut last_run = Duration::from_millis(500);
    for k in 1..=host.parts() {
        host.add(k);
        for run in SCRIPT.get(k - 1).copied().unwrap_or(LATER) {
            runs += 1;
            let t = Instant::now();
            match *run {
                Whole => {
                    host.watch();
                    last_run = t.elapsed();
                }
                KilledAt(step) => {
                    let out = host.watch_with(&[], &[("JFORENSICS_WATCH_CRASH_AT", step)]);
                    match out.status.signal() {
                        Some(9) => {
                            fired.insert(step);
                        }
                        _ => assert!(out.status.success(), "{fixture} {step}: {out:?}"),
                    }
                }
                KilledAnywhere => {
                    let delay = last_run.mul_f64(rng.fraction());
                    let mut child = host.command(&[], &[]).spawn().unwrap();
                    std::thread::sleep(delay);
                    let _ = child.kill();
                    let status = child.wait().unwrap();
                    if status.signal() == Some(9) {
                        random_kills += 1;
                    } else {
                        assert!(status.success(), "{fixture}: {status:?}");
                        last_run = t.elapsed();
                    }
                }
            }
        }
    }
    // The timer runs on after the last part: the runs settle.
    let settled = (0..3).any(|_| {
        runs += 1;
        host.watch().is_empty()
    });
    assert!(
        settled,
        "{fixture}: runs over the whole journal keep sending"
    );
    check(fixture, &host);
    let (kept, torn_lines) = received(&host);
    Outcome {
        fixture,
        runs,
        fired,
        random_kills,
        torn_lines,
        records: kept.len(),
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// The receiver's view against one `findings` run over the whole journal.
fn check(fixture: &str, host: &Host) {
    let dir = host.journal.to_str().unwrap();
    let whole: BTreeSet<String> =
        jforensics_json(&["-D", dir, "findings", "-o", "json"])["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_string())
            .collect();
    let ended: BTreeSet<String> = jforensics_json(&["-D", dir, "boots", "-o", "json"])
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["end"] != "running")
        .map(|b| b["boot_id"].as_str().unwrap().to_string())
        .collect();
    let (kept, _) = received(host);
    let of = |event: &str| -> BTreeMap<&str, &Value> {
        kept.iter()
            .filter(|((_, e), _)| e == event)
            .map(|((fp, _), r)| (fp.as_str(), r))
            .collect()
    };
    let (new, resolved) = (of("new"), of("resolved"));
    assert_eq!(
        new.len() + resolved.len(),
        kept.len(),
        "{fixture}: an event that is neither new nor resolved"
    );
    let sent: BTreeSet<&str> = new
        .values()
        .map(|r| r["finding_id"].as_str().unwrap())
        .collect();
    for id in &whole {
        assert!(
            sent.contains(id.as_str()),
            "{fixture}: {id} of the whole journal was never sent as new"
        );
    }
    let mut ongoing = 0;
    for (fp, r) in &new {
        assert_ne!(r["kind"], "coverage-gap", "{fixture}: no entry was lost");
        let found = whole.contains(r["finding_id"].as_str().unwrap());
        if r["ongoing"] == true {
            ongoing += 1;
            if ended.contains(r["boot_id"].as_str().unwrap()) || !found {
                assert!(
                    resolved.contains_key(fp),
                    "{fixture}: {r} was sent going on, it is over, and it was never resolved"
                );
            }
        } else {
            assert!(
                found,
                "{fixture}: {r} is not in the whole journal's findings and was never going on"
            );
        }
    }
    for (fp, r) in &resolved {
        assert!(
            new.get(fp).is_some_and(|n| n["ongoing"] == true),
            "{fixture}: {r} resolves what the receiver was never told goes on"
        );
    }
    // Otherwise the checks above have nothing to resolve.
    assert!(
        ongoing > 0,
        "{fixture}: no part ended while something went on"
    );
    let state: Value = serde_json::from_slice(&std::fs::read(host.state_file()).unwrap()).unwrap();
    assert!(
        state["outbox"].as_array().is_none_or(|o| o.is_empty()),
        "{fixture}: records left pending after the runs settled"
    );
}

#[test]
fn kill_9_at_every_step_and_at_random_instants_over_every_fixture_loses_no_end() {
    let named: BTreeSet<&str> = SCRIPT
        .iter()
        .flat_map(|runs| runs.iter())
        .filter_map(|r| match r {
            KilledAt(step) => Some(*step),
            _ => None,
        })
        .collect();
    let outcomes: Vec<Outcome> = std::thread::scope(|s| {
        let handles: Vec<_> = FIXTURES
            .iter()
            .chain(RACE_FIXTURES.iter())
            .enumerate()
            .map(|(i, fixture)| s.spawn(move || grow_and_kill(fixture, 29 + i as u64)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for o in &outcomes {
        eprintln!(
            "{}: {} runs, {} killed at a named step, {} at a random instant, {} torn line(s), {} records kept, {:.1}s",
            o.fixture,
            o.runs,
            o.fired.len(),
            o.random_kills,
            o.torn_lines,
            o.records,
            o.seconds
        );
        // Every step was reached, so each kill above tested what it names.
        assert_eq!(o.fired, named, "{}: steps never reached", o.fixture);
    }
    assert_eq!(
        named,
        jforensics::watch::CRASH_STEPS.into_iter().collect(),
        "the script kills at other steps than a run passes"
    );
    assert!(
        outcomes.iter().any(|o| o.random_kills > 0),
        "no random kill landed before its run finished"
    );
}
