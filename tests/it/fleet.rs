//! Fleets: a directory of many hosts' journals, as a central log server
//! keeps it, built by systemd-journal-remote from the recorded fixtures
//! (`scripts/fleet_journal.py`: 24 hosts, each a copy of debian12 or
//! debian13 with its own machine id, boot ids and hostname, the hosts of
//! one fixture booting 2 s apart). Every host must give exactly the
//! findings of its fixture read alone; the waves and shared findings must be
//! the ones the builder made; the DuckDB queries must find the same.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;

use crate::support::fixture::Fixture;
use crate::support::*;

const HOSTS: usize = 24;
const STAGGER_USEC: i64 = 2_000_000;
const WAVE_GAP: &str = "45s";

/// One host as the builder wrote it (OUT/hosts.tsv).
struct Built {
    hostname: String,
    machine_id: String,
    fixture: String,
    shift_usec: i64,
    /// new boot id → the fixture's
    boots: BTreeMap<String, String>,
}

/// A JSON array of strings (host ids or names), collected.
fn strings<C: FromIterator<String>>(list: &Value) -> C {
    list.as_array()
        .expect("an array")
        .iter()
        .map(|h| h.as_str().expect("a string").to_string())
        .collect()
}

fn fleet_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("fleet-{HOSTS}"));
        let done = dir.join(".complete");
        if !done.exists() {
            let _ = std::fs::remove_dir_all(&dir);
            let script = repo().join("scripts/fleet_journal.py");
            run_tool(
                "python3",
                &[
                    script.to_str().unwrap(),
                    dir.to_str().unwrap(),
                    &HOSTS.to_string(),
                    &(STAGGER_USEC / 1_000_000).to_string(),
                ],
            );
            std::fs::write(&done, b"").unwrap();
        }
        dir
    })
}

fn built() -> Vec<Built> {
    let text = std::fs::read_to_string(fleet_dir().join("hosts.tsv")).unwrap();
    text.lines()
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            Built {
                hostname: f[0].to_string(),
                machine_id: f[1].to_string(),
                fixture: f[2].to_string(),
                shift_usec: f[3].parse().unwrap(),
                boots: f[4]
                    .split(',')
                    .map(|pair| {
                        let (old, new) = pair.split_once('=').unwrap();
                        (new.to_string(), old.to_string())
                    })
                    .collect(),
            }
        })
        .collect()
}

/// A finding with what a copy changes taken back out: boot ids mapped to
/// the fixture's, times shifted back. Cursors and stable ids (which hash
/// the boot id) are left out; the evidence lines' text stays in.
fn normalized(f: &Value, host: Option<&Built>) -> String {
    let boot = |v: &Value| {
        let id = v.as_str().unwrap_or_default().to_string();
        host.and_then(|h| h.boots.get(&id).cloned()).unwrap_or(id)
    };
    let shift = host.map_or(0, |h| h.shift_usec);
    let time = |v: &Value| v.as_i64().map(|t| t - shift);
    let evidence: Vec<(Option<i64>, Value)> = f["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (time(&e["realtime_usec"]), e["message"].clone()))
        .collect();
    serde_json::json!({
        "kind": f["kind"], "unit": f["unit"], "manager": f["manager"],
        "severity": f["severity"], "confidence": f["confidence"],
        "boot": boot(&f["boot_id"]),
        "start": time(&f["start_realtime_usec"]), "end": time(&f["end_realtime_usec"]),
        "evidence": evidence,
    })
    .to_string()
}

fn single_host_findings(fixture: &Fixture) -> Vec<Value> {
    let doc = jforensics_json(&["-D", fixture.dir_arg(), "findings", "-o", "json"]);
    doc["findings"].as_array().unwrap().clone()
}

pub fn fleet_document() -> Value {
    jforensics_json(&[
        "fleet",
        "findings",
        fleet_dir().to_str().unwrap(),
        "--wave-gap",
        WAVE_GAP,
        "-o",
        "json",
    ])
}

/// Each fixture's boots: (boot id, first entry µs), oldest first.
fn fixture_boots(fixture: &Fixture) -> Vec<(String, i64)> {
    let boots = jforensics_json(&["-D", fixture.dir_arg(), "boots", "-o", "json"]);
    boots
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["boot_id"].as_str().unwrap().to_string(),
                b["first_realtime_usec"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// The waves the builder made: boot k of every host of one fixture, from
/// the host shifted least to the one shifted most.
fn expected_waves(hosts: &[Built]) -> Vec<(i64, i64, BTreeSet<String>)> {
    let mut waves = Vec::new();
    for fixture in Fixture::all() {
        let mine: Vec<&Built> = hosts.iter().filter(|h| h.fixture == fixture.name).collect();
        let min = mine.iter().map(|h| h.shift_usec).min().unwrap();
        let max = mine.iter().map(|h| h.shift_usec).max().unwrap();
        for (_, first) in fixture_boots(&fixture) {
            let ids = mine.iter().map(|h| h.machine_id.clone()).collect();
            waves.push((first + min, first + max, ids));
        }
    }
    waves.sort();
    waves
}

#[test]
fn every_host_of_a_fleet_has_its_single_host_findings_and_the_waves_are_found() {
    let hosts = built();
    assert_eq!(hosts.len(), HOSTS);
    let single: BTreeMap<&str, Vec<Value>> = Fixture::all()
        .iter()
        .map(|f| (f.name, single_host_findings(f)))
        .collect();
    let doc = fleet_document();
    let reported = doc["hosts"].as_array().unwrap();
    assert_eq!(reported.len(), HOSTS, "one entry per machine id");
    for host in &hosts {
        let entry = reported
            .iter()
            .find(|h| h["machine_id"] == host.machine_id.as_str())
            .unwrap_or_else(|| panic!("{} is missing", host.hostname));
        assert_eq!(entry["hostname"], host.hostname.as_str());
        let mut have: Vec<String> = entry["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| normalized(f, Some(host)))
            .collect();
        let mut want: Vec<String> = single[host.fixture.as_str()]
            .iter()
            .map(|f| normalized(f, None))
            .collect();
        have.sort();
        want.sort();
        assert!(!want.is_empty());
        assert_eq!(
            have, want,
            "{}: findings differ from its fixture's",
            host.hostname
        );
    }

    // `-M HOST findings` on the fleet directory says the same as the fleet run.
    let one = &hosts[5];
    let by_flag = jforensics_json(&[
        "-D",
        fleet_dir().to_str().unwrap(),
        "-M",
        &one.hostname,
        "findings",
        "-o",
        "json",
    ]);
    let list = by_flag["findings"].as_array().unwrap();
    assert!(
        list.iter()
            .all(|f| f["machine_id"] == one.machine_id.as_str())
    );
    let mut have: Vec<String> = list.iter().map(|f| normalized(f, Some(one))).collect();
    let mut want: Vec<String> = single[one.fixture.as_str()]
        .iter()
        .map(|f| normalized(f, None))
        .collect();
    have.sort();
    want.sort();
    assert_eq!(have, want);

    let waves: Vec<(i64, i64, BTreeSet<String>)> = doc["waves"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["first_realtime_usec"].as_i64().unwrap(),
                w["last_realtime_usec"].as_i64().unwrap(),
                strings(&w["hosts"]),
            )
        })
        .collect();
    assert_eq!(waves, expected_waves(&hosts));

    // Shared findings: each (kind, unit) on the hosts whose fixture has it.
    let mut want_shared: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for host in &hosts {
        for f in &single[host.fixture.as_str()] {
            let key = (f["kind"].to_string(), f["unit"].to_string());
            want_shared
                .entry(key)
                .or_default()
                .insert(host.machine_id.clone());
        }
    }
    let have_shared: BTreeMap<(String, String), BTreeSet<String>> = doc["shared"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                (s["kind"].to_string(), s["unit"].to_string()),
                strings(&s["hosts"]),
            )
        })
        .collect();
    assert_eq!(have_shared, want_shared);
}

#[test]
fn boots_of_a_fleet_directory_are_grouped_by_host() {
    let hosts = built();
    let boots = jforensics_json(&["-D", fleet_dir().to_str().unwrap(), "boots", "-o", "json"]);
    let boots = boots.as_array().unwrap();
    for host in &hosts {
        let mine: BTreeSet<String> = boots
            .iter()
            .filter(|b| b["machine_id"] == host.machine_id.as_str())
            .map(|b| {
                assert_eq!(b["hostname"], host.hostname.as_str());
                b["boot_id"].as_str().unwrap().to_string()
            })
            .collect();
        let built: BTreeSet<String> = host.boots.keys().cloned().collect();
        assert_eq!(mine, built, "{}", host.hostname);
    }
    let text = jforensics(&["-D", fleet_dir().to_str().unwrap(), "boots"]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert_eq!(text.matches("Host fleet-").count(), HOSTS, "{text}");
    // A command about one boot needs to know which host.
    let out = jforensics(&["-D", fleet_dir().to_str().unwrap(), "since-boot"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("-M ID|HOSTNAME") && err.contains("24 machines"),
        "{err}"
    );
}

/// Runs every queries/fleet/*.sql with DuckDB in the dataset directory;
/// each result as JSON rows (times as µs).
fn duckdb_results(dataset: &Path) -> BTreeMap<String, Vec<Value>> {
    let program = r#"
import datetime, decimal, json, sys, duckdb
dataset, queries = sys.argv[1], sys.argv[2:]
epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
def plain(v):
    if isinstance(v, datetime.datetime):
        return (v - epoch) // datetime.timedelta(microseconds=1)
    if isinstance(v, list):
        return [plain(x) for x in v]
    if isinstance(v, decimal.Decimal):
        return int(v)
    return v
out = {}
for path in queries:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET VARIABLE wave_gap = INTERVAL 45 SECOND")
    con.execute("SET file_search_path = ?", [dataset])
    rel = con.sql(open(path).read())
    out[path.rsplit('/', 1)[-1]] = [dict(zip(rel.columns, map(plain, row))) for row in rel.fetchall()]
print(json.dumps(out))
"#;
    let mut queries: Vec<String> = std::fs::read_dir(repo().join("queries/fleet"))
        .unwrap()
        .map(|e| e.unwrap().path().to_str().unwrap().to_string())
        .filter(|p| p.ends_with(".sql"))
        .collect();
    queries.sort();
    let mut args = vec!["-c", program, dataset.to_str().unwrap()];
    args.extend(queries.iter().map(String::as_str));
    let out = run_tool("python3", &args);
    let doc: BTreeMap<String, Vec<Value>> = serde_json::from_slice(&out).unwrap();
    assert_eq!(doc.len(), queries.len());
    doc
}

#[test]
fn the_fleet_queries_find_in_duckdb_what_was_built() {
    let hosts = built();
    let dataset = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fleet-dataset");
    let _ = std::fs::remove_dir_all(&dataset);
    let out = jforensics(&[
        "-D",
        fleet_dir().to_str().unwrap(),
        "export",
        "--dataset",
        dataset.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The layout: TABLE/dt=DAY/<machine_id>-<run id>.parquet, one per host.
    for table in ["boots", "starts", "findings", "coverage"] {
        let day = dataset.join(table).join("dt=2026-11-21");
        let names: Vec<String> = std::fs::read_dir(&day)
            .unwrap_or_else(|e| panic!("{}: {e}", day.display()))
            .map(|e| e.unwrap().file_name().to_str().unwrap().to_string())
            .collect();
        assert_eq!(names.len(), HOSTS, "{table}");
        for host in &hosts {
            assert!(
                names
                    .iter()
                    .any(|n| n.starts_with(&format!("{}-", host.machine_id))),
                "{table}: no file of {}",
                host.hostname
            );
        }
    }
    let results = duckdb_results(&dataset);

    let waves: Vec<(i64, i64, BTreeSet<String>)> = results["reboot-waves.sql"]
        .iter()
        .map(|r| {
            let names: BTreeSet<String> = strings(&r["hostnames"]);
            assert_eq!(r["hosts"].as_u64().unwrap() as usize, names.len());
            let ids = names
                .iter()
                .map(|n| {
                    hosts
                        .iter()
                        .find(|h| &h.hostname == n)
                        .unwrap()
                        .machine_id
                        .clone()
                })
                .collect();
            (
                r["first_boot"].as_i64().unwrap(),
                r["last_boot"].as_i64().unwrap(),
                ids,
            )
        })
        .collect();
    assert_eq!(waves, expected_waves(&hosts));

    // Crash loops by wave: a fixture's crash loops of boot k, on all its hosts.
    let mut want_loops: BTreeSet<(i64, String, usize)> = BTreeSet::new();
    let mut want_lost: BTreeMap<String, (usize, BTreeSet<String>)> = BTreeMap::new();
    for fixture in Fixture::all() {
        let mine: Vec<&Built> = hosts.iter().filter(|h| h.fixture == fixture.name).collect();
        let first_shift = mine.iter().map(|h| h.shift_usec).min().unwrap();
        let starts: BTreeMap<String, i64> = fixture_boots(&fixture).into_iter().collect();
        let found = single_host_findings(&fixture);
        for f in found.iter().filter(|f| f["kind"] == "crash-loop") {
            let boot_start = starts[f["boot_id"].as_str().unwrap()];
            want_loops.insert((
                boot_start + first_shift,
                f["unit"].as_str().unwrap().to_string(),
                mine.len(),
            ));
        }
        let lost: Vec<&Value> = found
            .iter()
            .filter(|f| f["kind"] == "lost-at-reboot")
            .collect();
        for host in &mine {
            want_lost.insert(
                host.machine_id.clone(),
                (
                    lost.len(),
                    lost.iter()
                        .map(|f| f["unit"].as_str().unwrap().to_string())
                        .collect(),
                ),
            );
        }
    }
    let have_loops: BTreeSet<(i64, String, usize)> = results["crash-loops-by-wave.sql"]
        .iter()
        .map(|r| {
            (
                r["wave_began"].as_i64().unwrap(),
                r["unit"].as_str().unwrap().to_string(),
                r["hosts"].as_u64().unwrap() as usize,
            )
        })
        .collect();
    assert!(!want_loops.is_empty());
    assert_eq!(have_loops, want_loops);

    let have_lost: BTreeMap<String, (usize, BTreeSet<String>)> =
        results["lost-at-reboot-by-host.sql"]
            .iter()
            .map(|r| {
                (
                    r["machine_id"].as_str().unwrap().to_string(),
                    (
                        r["lost"].as_u64().unwrap() as usize,
                        r["unit_names"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|u| u.as_str().unwrap().to_string())
                            .collect(),
                    ),
                )
            })
            .collect();
    assert_eq!(have_lost, want_lost);
}
