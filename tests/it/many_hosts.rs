//! Many hosts in one directory, as /var/log/journal or a journal-remote
//! server holds them (`<machine-id>/system.journal`, rotated and `.journal~`
//! files beside it), built from the recorded fixtures (issue #30): every
//! run must print the same bytes whatever the thread count and the order
//! the files are listed in, and every boot must belong to the host whose
//! files hold it, as that host's directory read alone says.
//!
//! Each command runs 20 times: thread counts 1, 2 and 8 in turn
//! (`JFORENSICS_THREADS`), half of the runs over `-D DIR`, half over
//! `--file` with the files, and globs of whole host directories, in a
//! different shuffled order each time. `boots` runs over five hosts; the
//! commands that read every entry (`findings`, `query`, `export`) over the
//! two with the most `.journal~` files, to keep the suite's time modest.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

use serde_json::Value;

use crate::support::*;

const RUNS: usize = 20;
const THREADS: [&str; 3] = ["1", "2", "8"];

/// Every recorded host: debian12 and debian13 (a `.journal~` and a user
/// journal whose first boot spans both), the races fixtures, and systemd's
/// no-RTC sample (three `.journal~` files and a wall clock that restarts).
const ALL: [&str; 5] = [
    "debian12",
    "debian13",
    "debian12-races",
    "debian13-races",
    "systemd/no-rtc",
];
/// The two hosts the costly commands read.
const SOME: [&str; 2] = ["debian12", "systemd/no-rtc"];

fn fixture_files(name: &str) -> PathBuf {
    let base = repo().join("tests/fixtures").join(name);
    if base.join("journal").is_dir() {
        base.join("journal")
    } else {
        base
    }
}

/// The machine id in a plain journal file's header.
fn header_machine_id(file: &Path) -> String {
    let bytes = std::fs::read(file).unwrap();
    assert_eq!(&bytes[..8], b"LPKSHHRH", "{}", file.display());
    bytes[40..56].iter().map(|b| format!("{b:02x}")).collect()
}

/// DIR/<machine-id>/<files>, unpacked, once per set of hosts (the tests
/// run side by side: one builds, the others wait).
fn many_host_dir(tag: &str, hosts: &[&str]) -> PathBuf {
    static BUILDING: Mutex<()> = Mutex::new(());
    let _one_at_a_time = BUILDING.lock().unwrap_or_else(|p| p.into_inner());
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("many-hosts-{tag}"));
    let done = dir.join(".complete");
    if done.exists() {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    for host in hosts {
        let scratch = dir.join(".unpacking");
        crate::support::unpack_into(&fixture_files(host), &scratch);
        let machine = header_machine_id(&scratch.join("system.journal"));
        std::fs::rename(&scratch, dir.join(machine)).unwrap();
    }
    std::fs::write(&done, b"").unwrap();
    dir
}

/// Host directories (machine ids) of `dir`, sorted.
fn host_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut hosts: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && !p.file_name().unwrap().to_str().unwrap().starts_with('.'))
        .collect();
    hosts.sort();
    hosts
}

/// A small deterministic shuffle (no rand crate), different for each seed.
fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    for i in (1..items.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        items.swap(i, (x % (i as u64 + 1)) as usize);
    }
}

/// The source arguments of run `i`: `-D DIR`, or `--file` with every host
/// either as a glob of its directory or as its files one by one, all in a
/// shuffled order.
fn source_args(dir: &Path, i: usize) -> Vec<String> {
    if i.is_multiple_of(2) {
        return vec!["-D".into(), dir.to_str().unwrap().into()];
    }
    let mut items: Vec<String> = Vec::new();
    for (h, host) in host_dirs(dir).iter().enumerate() {
        if (h + i / 2).is_multiple_of(2) {
            items.push(format!("{}/*", host.display()));
        } else {
            for f in std::fs::read_dir(host).unwrap() {
                items.push(f.unwrap().path().to_str().unwrap().to_string());
            }
        }
    }
    shuffle(&mut items, i as u64 + 1);
    items
        .into_iter()
        .flat_map(|f| ["--file".to_string(), f])
        .collect()
}

fn run(threads: &str, args: &[String]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_jforensics"))
        .env("JFORENSICS_THREADS", threads)
        .args(args)
        .output()
        .expect("run jforensics");
    assert!(
        out.status.success(),
        "jforensics {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs `command` RUNS times over `dir` (see the module doc) and returns
/// the one output they all gave (`output` reads it from a run).
fn same_every_time(
    dir: &Path,
    command: &[&str],
    output: impl Fn(&Output, usize) -> Vec<u8>,
) -> Vec<u8> {
    let mut first: Option<(Vec<u8>, Vec<String>)> = None;
    for i in 0..RUNS {
        let threads = THREADS[i % THREADS.len()];
        let mut args = source_args(dir, i);
        args.extend(command.iter().map(|a| a.to_string()));
        let out = run(threads, &args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        // systemd's no-RTC sample, one of the hosts, holds entries no reader
        // can read: that damage is said, and nothing else may be.
        let unexpected: Vec<&str> = (stderr.lines())
            .filter(|l| l.contains("warning") && !l.contains(" is damaged: "))
            .collect();
        assert!(
            unexpected.is_empty(),
            "run {i} ({threads} threads) warned: {stderr}"
        );
        let bytes = output(&out, i);
        match &first {
            None => first = Some((bytes, args)),
            Some((want, first_args)) => assert!(
                &bytes == want,
                "run {i} ({threads} threads, {args:?}) differs from run 0 ({first_args:?}): {}",
                first_difference(want, &bytes)
            ),
        }
    }
    first.unwrap().0
}

fn first_difference(a: &[u8], b: &[u8]) -> String {
    let at = a
        .iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let show = |s: &[u8]| {
        String::from_utf8_lossy(&s[at.saturating_sub(200)..(at + 200).min(s.len())]).into_owned()
    };
    format!(
        "at byte {at}:\n--- first\n{}\n--- this\n{}",
        show(a),
        show(b)
    )
}

fn stdout(out: &Output, _: usize) -> Vec<u8> {
    out.stdout.clone()
}

/// A JSON document without its damage lines, which name the files as each
/// run's source flags spelled them (`-D DIR` or `--file` paths).
fn json_without_damage(out: &Output, _: usize) -> Vec<u8> {
    let mut doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    if let Some(damage) = doc.pointer_mut("/coverage/damage") {
        let lines = damage.as_array().map_or(0, Vec::len);
        *damage = Value::from(lines);
    }
    serde_json::to_vec(&doc).unwrap()
}

/// A host directory read alone: what each host's part must be.
fn alone(host: &Path, command: &[&str]) -> Value {
    let mut args = vec!["-D", host.to_str().unwrap()];
    args.extend(command);
    jforensics_json(&args)
}

fn machine_of(host: &Path) -> String {
    host.file_name().unwrap().to_str().unwrap().to_string()
}

#[test]
fn boots_of_many_hosts_are_the_same_every_run_and_each_hosts_own() {
    let dir = many_host_dir("5", &ALL);
    let doc: Value =
        serde_json::from_slice(&same_every_time(&dir, &["boots", "-o", "json"], stdout)).unwrap();
    let boots = doc.as_array().unwrap();
    let hosts = host_dirs(&dir);
    assert_eq!(hosts.len(), ALL.len());
    // Each host's boots, in order, are those its directory holds alone,
    // and hosts come in machine id order.
    let mut want = Vec::new();
    for host in &hosts {
        for b in alone(host, &["boots", "-o", "json"]).as_array().unwrap() {
            want.push((machine_of(host), b["boot_id"].clone(), b["index"].clone()));
        }
    }
    let have: Vec<(String, Value, Value)> = boots
        .iter()
        .map(|b| {
            let machine = b["machine_id"]
                .as_str()
                .unwrap_or_else(|| panic!("a boot without a machine: {b}"));
            (
                machine.to_string(),
                b["boot_id"].clone(),
                b["index"].clone(),
            )
        })
        .collect();
    assert_eq!(have, want);
}

/// A host of the directory is read through its own files (issue #27): the
/// files that hold its boots, by their index, and those whose index cannot
/// say (given to every host, so no host misses an entry); never another
/// host's. Then one host's reads do not grow with the number of hosts.
#[test]
fn each_host_is_read_through_its_own_files() {
    use jforensics::journal::{Id128, Journal, SourceSpec};
    let dir = many_host_dir("5", &ALL);
    let journal = Journal::prepare(&SourceSpec::Directory(dir.clone())).unwrap();
    let hosts = host_dirs(&dir);
    let own = |host: &Path| -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(host)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        files
    };
    let read: Vec<Vec<PathBuf>> = hosts
        .iter()
        .map(|host| {
            let boots: Vec<Id128> = alone(host, &["boots", "-o", "json"])
                .as_array()
                .unwrap()
                .iter()
                .map(|b| Id128::parse(b["boot_id"].as_str().unwrap()).unwrap())
                .collect();
            let mut files = journal
                .files_holding(&boots)
                .unwrap_or_else(|| panic!("{}: read through every file", host.display()));
            files.sort();
            files
        })
        .collect();
    let everyones: Vec<&PathBuf> = read[0]
        .iter()
        .filter(|f| read.iter().all(|r| r.contains(f)))
        .collect();
    let mut alone_read = 0;
    for (host, files) in hosts.iter().zip(&read) {
        let mine = own(host);
        for f in &mine {
            assert!(files.contains(f), "{} not read for its host", f.display());
        }
        for f in files {
            assert!(
                mine.contains(f) || everyones.contains(&f),
                "{} read for host {}, whose boots it does not hold",
                f.display(),
                host.display()
            );
        }
        alone_read += usize::from(files == &mine);
    }
    // The recorded fixtures' files all say which boots they hold.
    assert!(alone_read >= 4, "{read:?}");
}

#[test]
fn findings_of_many_hosts_are_the_same_every_run_and_each_hosts_own() {
    let dir = many_host_dir("2", &SOME);
    let doc: Value = serde_json::from_slice(&same_every_time(
        &dir,
        &["findings", "-o", "json"],
        json_without_damage,
    ))
    .unwrap();
    let mut have: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for f in doc["findings"].as_array().unwrap() {
        let machine = f["machine_id"]
            .as_str()
            .unwrap_or_else(|| panic!("a finding without a machine: {f}"))
            .to_string();
        let mut f = f.clone();
        let map = f.as_object_mut().unwrap();
        map.remove("machine_id");
        map.remove("hostname");
        have.entry(machine).or_default().push(f);
    }
    for host in host_dirs(&dir) {
        let want = alone(&host, &["findings", "-o", "json"])["findings"].clone();
        assert!(!want.as_array().unwrap().is_empty());
        assert_eq!(
            Value::Array(have.remove(&machine_of(&host)).unwrap_or_default()),
            want,
            "{}",
            host.display()
        );
    }
    assert!(have.is_empty(), "findings of no host: {have:?}");
}

#[test]
fn a_query_over_many_hosts_is_the_same_every_run() {
    let dir = many_host_dir("2", &SOME);
    let sql = "SELECT machine_id, hostname, boot_id, unit, cause, realtime FROM starts \
               ORDER BY machine_id, realtime, unit, boot_id";
    let out = same_every_time(&dir, &["query", "--sql", sql, "--format", "ndjson"], stdout);
    let rows: Vec<Value> = out
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    let machines: std::collections::BTreeSet<&str> = rows
        .iter()
        .map(|r| {
            r["machine_id"]
                .as_str()
                .unwrap_or_else(|| panic!("a row without a machine: {r}"))
        })
        .collect();
    let want: Vec<String> = host_dirs(&dir).iter().map(|h| machine_of(h)).collect();
    assert_eq!(machines.into_iter().collect::<Vec<_>>(), want);
}

#[test]
fn a_dataset_export_of_many_hosts_is_the_same_every_run() {
    let dir = many_host_dir("2", &SOME);
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("many-hosts-dataset");
    let out_dir = |i: usize| scratch.join(format!("run-{i}"));
    let _ = std::fs::remove_dir_all(&scratch);
    // Every file's path and bytes, as one listing.
    let listing = |_: &Output, i: usize| -> Vec<u8> {
        let root = out_dir(i);
        let mut files = walk_files(&root);
        files.sort();
        let mut bytes = Vec::new();
        for f in files {
            let rel = f.strip_prefix(&root).unwrap().to_str().unwrap().to_string();
            bytes.extend(format!("{rel}\n").bytes());
            bytes.extend(std::fs::read(&f).unwrap());
        }
        let _ = std::fs::remove_dir_all(&root);
        bytes
    };
    // The output directory differs per run; the listing is relative to it.
    let mut first: Option<Vec<u8>> = None;
    for i in 0..RUNS {
        let threads = THREADS[i % THREADS.len()];
        let mut args = source_args(&dir, i);
        args.extend(["export".to_string(), "--dataset".to_string()]);
        args.push(out_dir(i).to_str().unwrap().to_string());
        let out = run(threads, &args);
        let names: Vec<String> = walk_names(&out_dir(i));
        let machines: Vec<String> = host_dirs(&dir).iter().map(|h| machine_of(h)).collect();
        assert_eq!(names.len(), 4 * machines.len(), "{names:?}");
        for n in &names {
            assert!(
                machines.iter().any(|m| n.starts_with(&format!("{m}-"))),
                "run {i}: {n} names no host of the directory"
            );
        }
        let bytes = listing(&out, i);
        match &first {
            None => first = Some(bytes),
            Some(want) => assert!(
                &bytes == want,
                "run {i} ({threads} threads, {args:?}) wrote other files than run 0: {}",
                first_difference(want, &bytes)
            ),
        }
    }
}

/// The files under `dir`, at any depth.
fn walk_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files
}

/// The file names under `dir`, at any depth.
fn walk_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = walk_files(dir)
        .iter()
        .map(|p| p.file_name().unwrap().to_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}
