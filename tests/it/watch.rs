//! `jforensics watch` on a recorded journal that grows over time: the Debian
//! 12 fixture exported with journalctl, cut at two instants (in the middle
//! of a crash loop in the power-cut boot, and just after a unit was started
//! by hand in the last boot) and written back as three binary journal files
//! with systemd-journal-remote. Runs see the directory as the files arrive,
//! are killed at every step, get their state damaged, lose their oldest file.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

use crate::support::growing::{self, Host};
use crate::support::*;

/// 2026-11-21 07:05:55 UTC (backend.service is crash-looping) and 07:09:20
/// (db.service was just started by hand).
pub const CUTS: [u64; 2] = [1_795_244_755_000_000, 1_795_244_960_000_000];

/// The three parts, written once per build into cargo's scratch directory.
pub fn parts() -> &'static [PathBuf] {
    static PARTS: OnceLock<Vec<PathBuf>> = OnceLock::new();
    PARTS.get_or_init(|| growing::parts("debian12", &CUTS))
}

fn host() -> Host {
    Host::new(parts())
}

fn key(r: &Value) -> (String, String) {
    (
        r["fingerprint"].as_str().unwrap().to_string(),
        r["event"].as_str().unwrap().to_string(),
    )
}

/// What a receiver keeps after dropping repeats by (fingerprint, event).
fn dedup(records: &[Value]) -> BTreeSet<(String, String)> {
    records.iter().map(key).collect()
}

fn fingerprints(records: &[Value], event: &str) -> Vec<String> {
    records
        .iter()
        .filter(|r| r["event"] == event)
        .map(|r| r["fingerprint"].as_str().unwrap().to_string())
        .collect()
}

/// The uninterrupted sequence: p1, then p1+p2, then p1+p2+p3.
fn grown_in_three_runs() -> Vec<Value> {
    let host = host();
    for k in 1..=3 {
        host.add(k);
        host.watch();
    }
    host.records()
}

fn reference() -> &'static Vec<Value> {
    static REF: OnceLock<Vec<Value>> = OnceLock::new();
    REF.get_or_init(grown_in_three_runs)
}

#[test]
fn watch_over_a_growing_journal_reports_what_one_run_over_the_whole_reports_each_once() {
    let split = reference();
    let whole_host = host();
    for k in 1..=3 {
        whole_host.add(k);
    }
    let whole = whole_host.watch();

    // One run over the whole: every finding of `jforensics findings`, once.
    let listed = jforensics_json(&[
        "-D",
        whole_host.journal.to_str().unwrap(),
        "findings",
        "-o",
        "json",
    ]);
    let listed: BTreeSet<&str> = listed["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    let whole_ids: Vec<&str> = whole
        .iter()
        .map(|r| r["finding_id"].as_str().unwrap())
        .collect();
    assert!(whole.iter().all(|r| r["event"] == "new"), "{whole:?}");
    assert_eq!(whole_ids.iter().copied().collect::<BTreeSet<_>>(), listed);
    assert_eq!(whole_ids.len(), listed.len(), "a finding was sent twice");
    // Its newest boot was powered off: nothing goes on.
    assert!(whole.iter().all(|r| r["ongoing"] == false));

    // Grown in three runs: each fingerprint new once, resolved at most once.
    let new = fingerprints(split, "new");
    let resolved = fingerprints(split, "resolved");
    let new_set: BTreeSet<&String> = new.iter().collect();
    let resolved_set: BTreeSet<&String> = resolved.iter().collect();
    assert_eq!(new.len(), new_set.len(), "a finding was reported new twice");
    assert_eq!(
        resolved.len(),
        resolved_set.len(),
        "a finding was resolved twice"
    );
    assert!(
        split.iter().all(|r| r["kind"] != "coverage-gap"),
        "no entry was lost"
    );

    // Every finding of the whole run, and besides them only findings that
    // were ongoing at a cut and are no longer found in the whole journal
    // (resolved without a finding).
    let whole_set: BTreeSet<String> = fingerprints(&whole, "new").into_iter().collect();
    for fp in &whole_set {
        assert!(
            new_set.contains(fp),
            "{fp} of the whole run was never reported"
        );
    }
    let extra: Vec<&String> = new_set
        .iter()
        .copied()
        .filter(|fp| !whole_set.contains(*fp))
        .collect();
    for fp in &extra {
        let first = split
            .iter()
            .find(|r| r["fingerprint"] == fp.as_str())
            .unwrap();
        assert_eq!(first["ongoing"], true, "{first}");
        let end = split
            .iter()
            .find(|r| r["fingerprint"] == fp.as_str() && r["event"] == "resolved")
            .unwrap_or_else(|| panic!("{fp} vanished without being resolved"));
        assert!(end["finding"].is_null(), "{end}");
    }
    // Whatever went on at a cut was resolved once it ended (the journal now
    // ends with a power-off).
    let ongoing: BTreeSet<String> = split
        .iter()
        .filter(|r| r["event"] == "new" && r["ongoing"] == true)
        .map(|r| r["fingerprint"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ongoing.iter().collect::<BTreeSet<_>>(), resolved_set);
    // The cuts were chosen so both ways of ending occur.
    assert!(!extra.is_empty(), "nothing vanished");
    assert!(
        split.iter().any(|r| r["event"] == "resolved"
            && r["kind"] == "crash-loop"
            && !r["finding"].is_null()),
        "the loop cut at 07:05:55 was not resolved with its recovery"
    );

    // Nothing new: nothing sent.
    assert!(whole_host.watch().is_empty());
}

#[test]
fn kill_9_at_every_step_loses_nothing_and_repeats_only_what_receivers_drop() {
    let expected = dedup(reference());
    // The replay steps need a run killed before them: tests/it/watch_kills.rs.
    let steps = jforensics::watch::CRASH_STEPS
        .into_iter()
        .filter(|s| !s.ends_with("-replay"));
    std::thread::scope(|s| {
        for step in steps {
            let expected = &expected;
            s.spawn(move || {
                let host = host();
                host.add(1);
                host.watch();
                host.add(2);
                let before = host.records().len();
                let out = host.watch_with(&[], &[("JFORENSICS_WATCH_CRASH_AT", step)]);
                assert_eq!(
                    out.status.signal(),
                    Some(9),
                    "{step}: the run was not killed: {out:?}"
                );
                let killed = host.records().len() - before;
                match step {
                    "before-deliver" => assert_eq!(killed, 0, "{step}"),
                    s if s.starts_with("outbox-") => assert_eq!(killed, 0, "{step}"),
                    "mid-deliver" => assert_eq!(killed, 1, "{step}"),
                    _ => assert!(killed > 1, "{step}"),
                }
                let again = host.watch();
                if matches!(step, "after-rename") {
                    assert!(
                        again.is_empty(),
                        "{step}: committed, yet sent again: {again:?}"
                    );
                } else {
                    assert!(
                        !again.is_empty(),
                        "{step}: the run did not finish, yet nothing was sent again"
                    );
                }
                host.add(3);
                host.watch();
                assert_eq!(&dedup(&host.records()), expected, "{step}");
            });
        }
    });
}

fn damage_state(bad: &[u8], also_previous: bool, host: &Host) {
    let path = host.state_file();
    std::fs::write(&path, bad).unwrap();
    if also_previous {
        let mut prev = path.into_os_string();
        prev.push(".prev");
        std::fs::write(prev, bad).unwrap();
    }
}

#[test]
fn a_truncated_zero_filled_or_garbage_state_falls_back_to_the_previous_one() {
    let expected = dedup(reference());
    for damage in ["truncated", "zero-filled", "garbage"] {
        let host = host();
        host.add(1);
        let first = host.watch();
        host.add(2);
        let second = host.watch();
        let good = std::fs::read(host.state_file()).unwrap();
        let bad = match damage {
            "truncated" => good[..good.len() / 2].to_vec(),
            "zero-filled" => vec![0; good.len()],
            _ => b"\x89PNG\r\n not a state file".to_vec(),
        };
        damage_state(&bad, false, &host);
        host.add(3);
        let before = host.records().len();
        let out = host.watch_with(&[], &[]);
        assert!(out.status.success(), "{damage}: {out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("using the previous one"),
            "{damage}: {stderr}"
        );
        let third = host.records()[before..].to_vec();
        // `.prev` is the second run's first save, its records still in the
        // outbox: they come again, the first run's do not.
        assert!(
            dedup(&second).iter().any(|k| dedup(&third).contains(k)),
            "{damage}"
        );
        assert!(
            dedup(&first).iter().all(|k| !dedup(&third).contains(k)),
            "{damage}"
        );
        // Nothing lost; beside repeats, only the ends of episodes that the
        // lost state had seen going on (and this run first sees ended).
        let got = dedup(&host.records());
        assert!(
            got.is_superset(&expected),
            "{damage}: lost {:?}",
            expected.difference(&got)
        );
        for (fp, event) in got.difference(&expected) {
            assert_eq!(event, "resolved", "{damage}");
            assert!(got.contains(&(fp.clone(), "new".to_string())), "{damage}");
        }
        assert!(
            host.watch().is_empty(),
            "{damage}: the repaired state was not committed"
        );
    }
}

#[test]
fn with_both_state_files_bad_the_run_says_so_and_looks_back_only_so_far() {
    let host = host();
    for k in 1..=3 {
        host.add(k);
    }
    host.watch();
    damage_state(&[0; 512], true, &host);
    let before = host.records().len();
    let out = host.watch_with(&["--initial-lookback", "2min"], &[]);
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("and so is"), "{stderr}");
    assert!(
        stderr.contains("starting afresh from the last 2min"),
        "{stderr}"
    );
    let again = host.records()[before..].to_vec();
    let boots = jforensics_json(&["-D", host.journal.to_str().unwrap(), "boots", "-o", "json"]);
    let newest = boots
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["last_realtime_usec"].as_u64().unwrap())
        .max()
        .unwrap();
    let cutoff = newest - 120_000_000;
    assert!(!again.is_empty());
    for r in &again {
        let end = r["finding"]["end_realtime_usec"].as_u64().unwrap();
        assert!(end >= cutoff, "read from before the look-back: {r}");
    }
    // Not from the head of the journal: the first boot's findings stay out.
    let first_boot = boots[0]["boot_id"].as_str().unwrap();
    assert!(again.iter().all(|r| r["boot_id"] != first_boot));
}

#[test]
fn a_state_from_another_machine_or_the_future_is_an_error_with_a_hint() {
    let host = host();
    host.add(1);
    host.watch();
    let path = host.state_file();
    let good: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let sink_before = std::fs::read(&host.sink).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros() as u64;
    for (what, edit, said) in [
        ("machine", "/scope/machine_id", "written for machine"),
        ("future", "/checkpoint/realtime_usec", "in the future"),
    ] {
        let mut state = good.clone();
        *state.pointer_mut(edit).unwrap() = match what {
            "machine" => Value::from("0123456789abcdef0123456789abcdef"),
            _ => Value::from(now + 86_400_000_000),
        };
        let bytes = serde_json::to_vec_pretty(&state).unwrap();
        std::fs::write(&path, &bytes).unwrap();
        host.add(2);
        let out = host.watch_with(&[], &[]);
        host.remove(2);
        assert_eq!(out.status.code(), Some(1), "{what}: {out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(said) && stderr.contains("remove the file"),
            "{what}: {stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert_eq!(
            std::fs::read(&path).unwrap(),
            bytes,
            "{what}: the state was touched"
        );
        assert_eq!(
            std::fs::read(&host.sink).unwrap(),
            sink_before,
            "{what}: something was sent"
        );
    }
}

#[test]
fn a_checkpoint_vacuumed_away_is_reported_as_a_coverage_gap() {
    let host = host();
    host.add(1);
    host.watch();
    let saved: Value = serde_json::from_slice(&std::fs::read(host.state_file()).unwrap()).unwrap();
    let saved_usec = saved["checkpoint"]["realtime_usec"].as_u64().unwrap();
    let saved_boot = saved["checkpoint"]["boot_id"].as_str().unwrap().to_string();
    // journald wrote two more files and vacuumed the oldest before the next run.
    host.add(2);
    host.add(3);
    host.remove(1);
    let records = host.watch();
    let gaps: Vec<&Value> = records
        .iter()
        .filter(|r| r["kind"] == "coverage-gap")
        .collect();
    assert_eq!(gaps.len(), 1, "{records:?}");
    crate::schema::assert_valid(gaps[0], "#/$defs/watch_record", "a coverage-gap record");
    let gap = &gaps[0]["finding"];
    assert_eq!(gap["start_realtime_usec"].as_u64(), Some(saved_usec));
    // The gap ends where the journal resumes: the first entry it still has
    // of the checkpoint's boot.
    let boots = jforensics_json(&["-D", host.journal.to_str().unwrap(), "boots", "-o", "json"]);
    let resumed = boots
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["boot_id"] == saved_boot.as_str())
        .unwrap()["first_realtime_usec"]
        .as_u64()
        .unwrap();
    assert!(resumed > saved_usec);
    assert_eq!(gap["end_realtime_usec"].as_u64(), Some(resumed));
    // The rest was read: the power cut that ends that boot is reported.
    assert!(records.iter().any(|r| r["kind"] == "unclean-shutdown"));
    // Reported once: the next run starts from the new checkpoint.
    assert!(host.watch().is_empty());
}

#[test]
fn a_second_run_exits_75_while_the_lock_is_held() {
    use std::os::fd::AsRawFd;
    let host = host();
    host.add(1);
    std::fs::create_dir_all(&host.state).unwrap();
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(host.state.join("watch.lock"))
        .unwrap();
    // SAFETY: flock on a descriptor this test owns.
    assert_eq!(unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX) }, 0);
    let out = host.watch_with(&[], &[]);
    assert_eq!(out.status.code(), Some(75), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("holds"));
    assert!(host.records().is_empty());
    drop(lock);
    assert!(!host.watch().is_empty());
}

/// An HTTP listener on 127.0.0.1 that answers `status` and keeps the bodies.
fn listener(
    status: &'static std::sync::atomic::AtomicU16,
) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    let server = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", server.local_addr().unwrap());
    let bodies = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = bodies.clone();
    std::thread::spawn(move || {
        for stream in server.incoming() {
            let mut stream = stream.unwrap();
            let mut data = Vec::new();
            let mut buf = [0u8; 8192];
            let body = loop {
                let n = stream.read(&mut buf).unwrap();
                assert!(n > 0, "request cut short");
                data.extend_from_slice(&buf[..n]);
                let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") else {
                    continue;
                };
                let head = String::from_utf8_lossy(&data[..end]).to_lowercase();
                assert!(head.starts_with("post /hook http/1.1"), "{head}");
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .unwrap()
                    .trim()
                    .parse()
                    .unwrap();
                if data.len() >= end + 4 + length {
                    break String::from_utf8(data[end + 4..end + 4 + length].to_vec()).unwrap();
                }
            };
            let code = status.load(std::sync::atomic::Ordering::SeqCst);
            if (200..300).contains(&code) {
                kept.lock().unwrap().push(body);
            }
            write!(stream, "HTTP/1.1 {code} X\r\nContent-Length: 0\r\n\r\n").unwrap();
        }
    });
    (url, bodies)
}

#[test]
fn the_webhook_gets_every_record_and_a_refusal_keeps_them_in_the_outbox() {
    static STATUS: std::sync::atomic::AtomicU16 = std::sync::atomic::AtomicU16::new(500);
    let (url, bodies) = listener(&STATUS);
    let host = host();
    host.add(1);
    let refused = host.watch_with(&["--webhook", &url], &[]);
    assert_eq!(refused.status.code(), Some(1), "{refused:?}");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("answered HTTP/1.1 500") && stderr.contains("stay in the outbox"),
        "{stderr}"
    );
    // The sink got them before the webhook refused; the state holds every
    // one of them as not yet delivered.
    let state: Value = serde_json::from_slice(&std::fs::read(host.state_file()).unwrap()).unwrap();
    let pending: Vec<Value> = state["outbox"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| serde_json::from_str(p["record"].as_str().unwrap()).unwrap())
        .collect();
    assert!(!pending.is_empty());
    assert_eq!(pending, host.records(), "the outbox is not what was sent");
    STATUS.store(200, std::sync::atomic::Ordering::SeqCst);
    let before = host.records().len();
    let out = host.watch_with(&["--webhook", &url], &[]);
    assert!(out.status.success(), "{out:?}");
    let sent: Vec<Value> = host.records()[before..].to_vec();
    let received: Vec<Value> = bodies
        .lock()
        .unwrap()
        .iter()
        .map(|b| serde_json::from_str(b).unwrap())
        .collect();
    assert!(!received.is_empty());
    assert_eq!(received, sent, "the webhook and the sink disagree");
    assert!(host.watch_with(&["--webhook", &url], &[]).status.success());
    assert_eq!(bodies.lock().unwrap().len(), received.len(), "sent again");
}

#[test]
fn https_webhooks_are_refused_as_usage_errors() {
    let host = host();
    host.add(1);
    let out = host.watch_with(&["--webhook", "https://example.org/hook"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("https:// is not supported"));
}

#[test]
fn fail_on_exits_3_for_new_findings_only() {
    let host = host();
    host.add(1);
    let out = host.watch_with(&["--fail-on", "critical"], &[]);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let out = host.watch_with(&["--fail-on", "critical"], &[]);
    assert_eq!(out.status.code(), Some(0), "nothing new, yet {out:?}");
}

#[test]
fn fail_on_counts_a_new_finding_sent_again_for_a_killed_run() {
    let host = host();
    host.add(1);
    let fail_on = ["--fail-on", "critical"];
    let killed = host.watch_with(&fail_on, &[("JFORENSICS_WATCH_CRASH_AT", "after-deliver")]);
    assert_eq!(killed.status.signal(), Some(9), "{killed:?}");
    let out = host.watch_with(&fail_on, &[]);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("sent again for an interrupted run"), "{said}");
    let out = host.watch_with(&fail_on, &[]);
    assert_eq!(out.status.code(), Some(0), "sent again twice: {out:?}");
}

#[test]
fn the_contrib_units_pass_systemd_analyze_verify() {
    let tmp = tempfile::tempdir().unwrap();
    let service = std::fs::read_to_string(repo().join("contrib/jforensics-watch.service")).unwrap();
    let timer = std::fs::read_to_string(repo().join("contrib/jforensics-watch.timer")).unwrap();
    for needed in [
        "StateDirectory=jforensics",
        "ProtectSystem=strict",
        "SupplementaryGroups=systemd-journal",
        "NoNewPrivileges=yes",
    ] {
        assert!(service.lines().any(|l| l == needed), "{needed}");
    }
    assert!(timer.lines().any(|l| l == "WantedBy=timers.target"));
    // verify checks that ExecStart= is executable: point it at this build.
    let installed = "ExecStart=/usr/local/bin/jforensics watch ";
    assert_eq!(service.matches(installed).count(), 1);
    let here = service.replace(
        installed,
        &format!("ExecStart={} watch ", env!("CARGO_BIN_EXE_jforensics")),
    );
    std::fs::write(tmp.path().join("jforensics-watch.service"), here).unwrap();
    std::fs::write(tmp.path().join("jforensics-watch.timer"), timer).unwrap();
    let out = Command::new("systemd-analyze")
        .current_dir(tmp.path())
        .args([
            "verify",
            "--man=no",
            "./jforensics-watch.service",
            "./jforensics-watch.timer",
        ])
        .output()
        .expect("systemd-analyze (package systemd) is needed for this test");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && said.trim().is_empty(), "{said}");
}

#[test]
fn records_carry_every_documented_field() {
    let host = host();
    host.add(1);
    let records = host.watch();
    let fields: BTreeSet<&str> = [
        "schema_version",
        "document",
        "event",
        "fingerprint",
        "machine_id",
        "finding_id",
        "kind",
        "severity",
        "unit",
        "boot_id",
        "ongoing",
        "reason",
        "finding",
    ]
    .into();
    let mut kinds = BTreeMap::new();
    for r in &records {
        let got: BTreeSet<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(got, fields);
        crate::schema::assert_valid(r, "#/$defs/watch_record", "a watch record");
        assert_eq!(r["finding"]["id"], r["finding_id"]);
        *kinds
            .entry(r["kind"].as_str().unwrap().to_string())
            .or_insert(0) += 1;
    }
    assert!(kinds.len() > 3, "{kinds:?}");
}
