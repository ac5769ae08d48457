//! `jforensics watch` resuming boots from the entries its state keeps
//! (`jforensics::watch::resume`): over the Debian 12 fixture cut in ten
//! parts — in the middle of crash loops, readiness gaps and a unit started
//! by hand — runs that read only what came since the last one deliver
//! byte for byte the records of runs that read every boot whole
//! (`--full`), and a saved boot that does not fit is read whole again
//! with the same records.

use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::Value;

use crate::support::growing::{self, Host};

/// Inside every boot of the fixture (2026-11-21, UTC): 07:04:05 and
/// 07:04:32 in the first boot's crash loops, 07:06:00 and 07:06:30 in the
/// power-cut boot, 07:07:30 and 07:08:00 in the debug boot's crash loop and
/// resurrection, 07:08:55, 07:09:18 and 07:09:25 in the last boot (its
/// crash loop and readiness gap, a unit just started by hand, after).
const CUTS: [u64; 9] = [
    1_795_244_645_000_000,
    1_795_244_672_000_000,
    1_795_244_760_000_000,
    1_795_244_790_000_000,
    1_795_244_850_000_000,
    1_795_244_880_000_000,
    1_795_244_935_000_000,
    1_795_244_958_000_000,
    1_795_244_965_000_000,
];

fn parts() -> &'static [PathBuf] {
    static PARTS: OnceLock<Vec<PathBuf>> = OnceLock::new();
    PARTS.get_or_init(|| growing::parts("debian12", &CUTS))
}

/// Adds the parts one at a time with a run after each; `before(k, host)`
/// may change the state before the run of part `k`. Returns the sink's
/// bytes and what each run said of how it read its boots.
fn grow(extra: &[&str], before: impl Fn(usize, &Host)) -> (Vec<u8>, Vec<String>) {
    let host = Host::new(parts());
    let mut said = Vec::new();
    for k in 1..=host.parts() {
        host.add(k);
        before(k, &host);
        let out = host.watch_with(extra, &[("JFORENSICS_WATCH_TRACE", "1")]);
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(out.status.success(), "run {k}: {stderr}");
        said.push(stderr);
    }
    (std::fs::read(&host.sink).unwrap_or_default(), said)
}

fn whole() -> &'static (Vec<u8>, Vec<String>) {
    static WHOLE: OnceLock<(Vec<u8>, Vec<String>)> = OnceLock::new();
    WHOLE.get_or_init(|| grow(&["--full"], |_, _| {}))
}

fn resumed_lines(said: &[String]) -> Vec<&str> {
    said.iter()
        .flat_map(|s| s.lines())
        .filter(|l| l.contains(": resumed after "))
        .collect()
}

#[test]
fn runs_that_read_only_what_is_new_deliver_byte_for_byte_what_whole_reads_deliver() {
    let (whole, whole_said) = whole();
    assert!(
        resumed_lines(whole_said).is_empty(),
        "--full reads every boot whole: {whole_said:?}"
    );
    let records = String::from_utf8_lossy(whole).lines().count();
    assert!(records > 20, "the fixture has findings: {records}");
    let (resumed, said) = grow(&[], |_, _| {});
    assert!(
        resumed == *whole,
        "records differ:\n--- resumed\n{}\n--- whole\n{}",
        String::from_utf8_lossy(&resumed),
        String::from_utf8_lossy(whole)
    );
    // Most runs continue a boot the run before read: those must really be
    // resumed, reading only the new entries.
    let lines = resumed_lines(&said);
    assert!(lines.len() >= 8, "too few resumed reads: {said:#?}");
    let read_new = lines.iter().filter(|l| !l.contains(", 0 new,")).count();
    assert!(
        read_new >= 5,
        "too few resumed reads with new entries: {said:#?}"
    );
    // And they read from the entry the last run stopped at: that one and
    // the new ones, not the boot again from its start.
    for line in &lines {
        let (_, new, read) = resumed_counts(line);
        assert!(
            new == 0 || read == new + 1,
            "a resumed read read more than the new entries: {line}"
        );
    }
}

/// "resumed after B entries, N new, R read" as (B, N, R).
fn resumed_counts(line: &str) -> (u64, u64, u64) {
    let numbers: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|w| !w.is_empty())
        .map(|w| w.parse().unwrap())
        .collect();
    match numbers[..] {
        [.., before, new, read] => (before, new, read),
        _ => panic!("not a resumed read: {line}"),
    }
}

/// The state's saved boot of the newest boot, changed by `change`.
fn change_newest_saved(host: &Host, change: impl Fn(&mut Value)) {
    let path = host.state_file();
    let mut state: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let boots = state["boots"].as_array_mut().expect("saved boots");
    change(boots.last_mut().expect("a saved boot"));
    std::fs::write(&path, serde_json::to_vec(&state).unwrap()).unwrap();
}

#[test]
fn a_saved_boot_that_does_not_fit_is_read_whole_and_the_records_stay_the_same() {
    // Run 8 continues the last boot: one entry too few counted, then the
    // boot's first entry "vacuumed", then the entries kept lost.
    type Change = fn(&mut Value);
    let cases: [(&str, Change); 3] = [
        ("do not make up the boot's count", |b| {
            b["entries"] = (b["entries"].as_u64().unwrap() - 1).into()
        }),
        ("its first entry changed", |b| {
            b["first_cursor"] = "s=0;i=0".into()
        }),
        ("the entry the last run stopped at is gone", |b| {
            b["through"] = "s=0;i=0;b=0;m=0;t=0;x=0".into()
        }),
    ];
    for (why, change) in cases {
        let (records, said) = grow(&[], |k, host| {
            if k == 8 {
                change_newest_saved(host, change);
            }
        });
        let whole_read = said[7]
            .lines()
            .any(|l| l.contains(": read whole (") && l.contains(why));
        assert!(whole_read, "{why}: {}", said[7]);
        assert!(records == whole().0, "{why}: the records differ");
    }
}

#[test]
fn a_version_2_state_is_migrated_and_its_boots_read_whole_once() {
    let (records, said) = grow(&[], |k, host| {
        if k == 5 {
            let path = host.state_file();
            let mut state: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            state["version"] = 2.into();
            state.as_object_mut().unwrap().remove("boots");
            std::fs::write(&path, serde_json::to_vec_pretty(&state).unwrap()).unwrap();
        }
    });
    assert!(
        said[4].contains("read whole (nothing saved)") && !said[4].contains("resumed"),
        "{}",
        said[4]
    );
    assert!(said[5].contains("resumed after"), "{}", said[5]);
    assert!(records == whole().0, "the records differ");
}
