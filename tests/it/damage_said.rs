//! Damage is always said, and never invents facts: files libsystemd leaves
//! out are named with what they held, and a flipped boot id in one entry
//! header makes no boot of its own (issue #23).

use std::path::{Path, PathBuf};

use crate::support::{entry_objects, jforensics, repo, unpacked};

/// A scratch copy of the Debian 12 fixture's plain journal files.
fn debian12_copy(name: &str) -> PathBuf {
    let plain = unpacked(
        &repo().join("tests/fixtures/debian12/journal"),
        "debian12-unpacked",
    );
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for item in std::fs::read_dir(&plain).unwrap().flatten() {
        let path = item.path();
        if path.extension().is_some_and(|e| e != "complete") && path.is_file() {
            std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
        }
    }
    dir
}

fn out(args: &[&str]) -> (String, String, Option<i32>) {
    let o = jforensics(args);
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
        o.status.code(),
    )
}

#[test]
fn files_left_out_are_named_with_what_they_held_and_strict_refuses_them() {
    let intact = debian12_copy("damage-said-intact");
    let dir = debian12_copy("damage-said-files");
    std::fs::write(dir.join("empty.journal"), b"").unwrap();
    std::fs::write(dir.join("garbage.journal"), vec![0x5a; 5000]).unwrap();
    let user = std::fs::read(dir.join("user-1000.journal")).unwrap();
    std::fs::write(dir.join("user-1001.journal"), &user[..300_000]).unwrap();
    let d = dir.to_str().unwrap();
    let (stdout, stderr, code) = out(&["-D", d, "boots", "-o", "json"]);
    assert_eq!(code, Some(0), "{stderr}");
    for (file, why) in [
        ("empty.journal", "is empty"),
        ("garbage.journal", "is not a journal file"),
        ("user-1001.journal", "is truncated (300000 bytes"),
    ] {
        let line = stderr
            .lines()
            .find(|l| l.contains(file))
            .unwrap_or_else(|| panic!("{file} is not named: {stderr}"));
        assert!(line.contains(why), "{line}");
    }
    // The truncated file's header still says what it held.
    assert!(stderr.contains("held 27 entries"), "{stderr}");
    // What could be read is the same answer as before.
    let (whole, _, _) = out(&["-D", intact.to_str().unwrap(), "boots", "-o", "json"]);
    assert_eq!(stdout, whole);
    // Every document says it too.
    let (findings, _, _) = out(&["-D", d, "findings", "-o", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&findings).unwrap();
    assert_eq!(doc["coverage"]["damage"].as_array().unwrap().len(), 3);
    assert_eq!(doc["coverage"]["complete"], false);
    let (_, stderr, code) = out(&["-D", d, "--strict", "boots"]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("3 journal file(s)"), "{stderr}");
    // An intact journal says nothing extra.
    let (_, quiet, _) = out(&["-D", intact.to_str().unwrap(), "boots"]);
    assert_eq!(quiet, "");
}

/// A JSON document with its damage report (`coverage.damage`, and
/// `coverage.complete` which it sets false) taken out, and that report.
fn without_damage(text: &str) -> (serde_json::Value, String) {
    let mut v: serde_json::Value = serde_json::from_str(text).unwrap();
    let damage = v["coverage"]["damage"].take().to_string();
    v["coverage"]["complete"] = serde_json::Value::Null;
    (v, damage)
}

#[test]
fn a_flipped_boot_id_in_one_entry_header_makes_no_boot_and_no_power_cut() {
    let intact = debian12_copy("damage-said-flip-intact");
    let (want_boots, _, _) = out(&["-D", intact.to_str().unwrap(), "boots", "-o", "json"]);
    let want: serde_json::Value = serde_json::from_str(&want_boots).unwrap();
    let ids = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|b| format!("{} {}", b["boot_id"], b["end"]))
            .collect()
    };
    let bytes = std::fs::read(intact.join("system.journal")).unwrap();
    let entries = entry_objects(&bytes);
    assert!(entries.len() > 10_000, "{}", entries.len());
    // Entries spread over the file: each boot's middle, never its ends,
    // which no number can tell from a boot of their own.
    for (n, pick) in [997usize, 2_500, 5_000, 9_001, 14_000]
        .into_iter()
        .enumerate()
    {
        let dir = debian12_copy(&format!("damage-said-flip-{n}"));
        let mut damaged = bytes.clone();
        // The boot id sits 40 bytes into an ENTRY object.
        damaged[entries[pick] + 40] ^= 1 << (n % 8);
        std::fs::write(dir.join("system.journal"), &damaged).unwrap();
        let d = dir.to_str().unwrap();
        let (got, stderr, code) = out(&["-D", d, "boots", "-o", "json"]);
        assert_eq!(code, Some(0), "{stderr}");
        let got: serde_json::Value = serde_json::from_str(&got).unwrap();
        assert_eq!(ids(&got), ids(&want), "entry {pick}");
        let notes: Vec<&str> = got
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|b| b["notes"].as_array().unwrap())
            .filter_map(|n| n.as_str())
            .filter(|n| n.contains("damaged header"))
            .collect();
        assert_eq!(notes.len(), 1, "entry {pick}: {notes:?}");
        let (findings, _, _) = out(&["-D", d, "findings", "-o", "json"]);
        let unclean = findings.matches("\"unclean-shutdown\"").count();
        assert_eq!(unclean, 1, "entry {pick}: the one real power cut only");
        // A read of a few boots says what reading them all says.
        for boot in ["-1", "-2"] {
            let narrow = out(&["-D", d, "since-boot", "-b", boot, "-o", "json"]).0;
            let whole = out(&[
                "-D",
                d,
                "-S",
                "2000-01-01",
                "since-boot",
                "-b",
                boot,
                "-o",
                "json",
            ])
            .0;
            assert_eq!(narrow, whole, "entry {pick}, boot {boot}");
        }
    }
}

#[test]
fn a_stream_given_as_a_file_and_empty_names_are_told_apart_from_damage() {
    let dir = debian12_copy("damage-said-words");
    let export = crate::support::run_tool(
        "journalctl",
        &["-D", dir.to_str().unwrap(), "-n", "20", "-o", "export"],
    );
    let path = dir.join("excerpt.export");
    std::fs::write(&path, export).unwrap();
    let (_, stderr, code) = out(&["--file", path.to_str().unwrap(), "boots"]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("excerpt.export") && stderr.contains("--input"),
        "{stderr}"
    );
    let d = dir.to_str().unwrap();
    let (_, stderr, code) = out(&["-D", d, "boots", "-b", ""]);
    assert_eq!(code, Some(2), "{stderr}");
    let (_, stderr, code) = out(&["-D", d, "unit", ""]);
    assert_eq!(code, Some(2), "{stderr}");
}

#[test]
fn an_index_that_misses_what_the_files_hold_is_walked_around_and_said() {
    let intact = debian12_copy("damage-said-index-intact");
    let i = intact.to_str().unwrap();
    // A zeroed file id (the key of every lookup) and a zeroed data hash
    // table: each makes every lookup of the file miss.
    for (n, what) in ["file id", "data hash table"].into_iter().enumerate() {
        let dir = debian12_copy(&format!("damage-said-index-{n}"));
        let mut bytes = std::fs::read(dir.join("system.journal")).unwrap();
        let le64 = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap()) as usize;
        let (from, to) = match n {
            0 => (24, 40),
            _ => (le64(104), le64(104) + le64(112)),
        };
        bytes[from..to].fill(0);
        std::fs::write(dir.join("system.journal"), &bytes).unwrap();
        let d = dir.to_str().unwrap();
        for command in [
            &["boots", "-o", "json"][..],
            &["findings", "-o", "json"],
            &["since-boot", "-b", "-1", "-o", "json"],
        ] {
            let (got, stderr, code) = out(&[&["-D", d][..], command].concat());
            let (want, _, _) = out(&[&["-D", i][..], command].concat());
            assert_eq!(code, Some(0), "{what} {command:?}: {stderr}");
            // The same answer; documents add the damage report.
            if command[0] == "boots" {
                assert_eq!(got, want, "{what} {command:?}");
            } else {
                let (got, damage) = without_damage(&got);
                assert_eq!(got, without_damage(&want).0, "{what} {command:?}");
                assert!(damage.contains("system.journal is damaged"), "{damage}");
            }
            assert!(
                stderr.contains("does not find the entries")
                    && stderr.contains("reading every entry"),
                "{what} {command:?}: {stderr}"
            );
            // Both the file and the fall-back name the file.
            assert!(
                stderr
                    .contains("system.journal is damaged: its index does not find its own entries")
                    && stderr.contains("the index of journal file ")
                    && stderr.contains("system.journal does not find"),
                "{what} {command:?}: {stderr}"
            );
        }
    }
}

#[test]
fn a_flipped_bit_in_one_entry_s_monotonic_time_changes_no_uptime_end_or_finding() {
    let intact = debian12_copy("damage-said-mono-intact");
    let i = intact.to_str().unwrap();
    let strip_notes = |text: &str| {
        let mut v: serde_json::Value = serde_json::from_str(text).unwrap();
        for b in v.as_array_mut().unwrap() {
            b["notes"] = serde_json::Value::Null;
        }
        v
    };
    let (want, _, _) = out(&["-D", i, "boots", "-o", "json"]);
    let (want_findings, _, _) = out(&["-D", i, "findings", "-o", "json"]);
    let bytes = std::fs::read(intact.join("system.journal")).unwrap();
    let entries = entry_objects(&bytes);
    for (n, (pick, bit)) in [(997usize, 54u32), (5_000, 47), (14_000, 40)]
        .into_iter()
        .enumerate()
    {
        let dir = debian12_copy(&format!("damage-said-mono-{n}"));
        let mut damaged = bytes.clone();
        // The monotonic time sits 32 bytes into an ENTRY object.
        let at = entries[pick] + 32 + (bit / 8) as usize;
        damaged[at] ^= 1 << (bit % 8);
        std::fs::write(dir.join("system.journal"), &damaged).unwrap();
        let d = dir.to_str().unwrap();
        let (got, _, _) = out(&["-D", d, "boots", "-o", "json"]);
        assert_eq!(
            strip_notes(&got),
            strip_notes(&want),
            "entry {pick} bit {bit}"
        );
        assert!(
            got.contains("monotonic time that cannot be"),
            "entry {pick}"
        );
        // The same findings; the document adds the damage report.
        let (findings, _, _) = out(&["-D", d, "findings", "-o", "json"]);
        let (got, damage) = without_damage(&findings);
        assert_eq!(
            got,
            without_damage(&want_findings).0,
            "entry {pick} bit {bit}"
        );
        assert!(damage.contains("system.journal is damaged"), "{damage}");
    }
}

#[test]
fn a_run_ended_by_sigterm_leaves_no_scratch_behind() {
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Command, Stdio};
    // `-i -` spools standard input to scratch before reading it: with the
    // input left open, the run waits there, its spool on disk.
    let mut child = Command::new(env!("CARGO_BIN_EXE_jforensics"))
        .args(["-i", "-", "boots"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let prefix = format!("jforensics-{}-", child.id());
    let scratch = || -> Vec<PathBuf> {
        std::fs::read_dir(std::env::temp_dir())
            .unwrap()
            .flatten()
            .filter(|i| i.file_name().to_string_lossy().starts_with(&prefix))
            .map(|i| i.path())
            .collect()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while scratch().is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(
        scratch().len(),
        1,
        "the spool should exist while the run waits"
    );
    // wait() would close standard input first, and the run would go on
    // with an empty input instead of dying of the signal: keep it open.
    let input = child.stdin.take();
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().unwrap();
    drop(input);
    assert_eq!(status.signal(), Some(libc::SIGTERM), "{status:?}");
    assert!(scratch().is_empty(), "{:?}", scratch());
}

#[test]
fn unpacking_stops_at_max_unpacked_and_leaves_nothing_behind() {
    let packed = repo().join("tests/fixtures/debian12/journal");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_jforensics"))
        .args([
            "-D",
            packed.to_str().unwrap(),
            "--max-unpacked",
            "1M",
            "boots",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&child.stderr);
    assert_eq!(child.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("--max-unpacked"), "{stderr}");
    // The files unpack to 32 MiB: the default limit lets them through.
    let (_, stderr, code) = out(&["-D", packed.to_str().unwrap(), "boots"]);
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn damage_inside_a_file_libsystemd_opens_is_said_naming_the_file() {
    let intact = debian12_copy("damage-said-inside-intact");
    let (want, _, _) = out(&["-D", intact.to_str().unwrap(), "boots", "-o", "json"]);
    let want: serde_json::Value = serde_json::from_str(&want).unwrap();
    let ids = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|b| b["boot_id"].to_string())
            .collect()
    };
    let bytes = std::fs::read(intact.join("system.journal")).unwrap();
    let entries = entry_objects(&bytes);
    // (what is done, where, the byte flipped there or None for the zeroed
    // 4 KiB page around it, what the warning says). An ENTRY object holds
    // its sequence number at 16, its wall-clock time at 24, its monotonic
    // time at 32.
    let cases = [
        (
            "a zeroed page among the entries",
            entries[5_000],
            None,
            "entries are unreadable",
        ),
        (
            "one entry's sequence number flipped high",
            entries[9_001] + 16 + 5,
            Some(0x10u8),
            "1 entry has a sequence number out of order",
        ),
        (
            "one entry's wall-clock time flipped",
            entries[5_000] + 24 + 4,
            Some(0x08),
            "1 entry has a wall-clock or monotonic time",
        ),
        (
            "one entry's monotonic time flipped",
            entries[2_500] + 32 + 4,
            Some(0x01),
            "1 entry has a wall-clock or monotonic time",
        ),
    ];
    for (n, (what, at, flip, said)) in cases.into_iter().enumerate() {
        let dir = debian12_copy(&format!("damage-said-inside-{n}"));
        let mut damaged = bytes.clone();
        match flip {
            Some(bits) => damaged[at] ^= bits,
            None => damaged[at / 4096 * 4096..at / 4096 * 4096 + 4096].fill(0),
        }
        std::fs::write(dir.join("system.journal"), &damaged).unwrap();
        let d = dir.to_str().unwrap();
        let (got, stderr, code) = out(&["-D", d, "boots", "-o", "json"]);
        assert_eq!(code, Some(0), "{what}: {stderr}");
        let line = stderr
            .lines()
            .find(|l| l.contains("system.journal is damaged"))
            .unwrap_or_else(|| panic!("{what}: the file is not named: {stderr}"));
        assert!(line.contains(said), "{what}: {line}");
        // No boot is made by one damaged header. One lost is said:
        // libsystemd steps through a file by sequence numbers, and one
        // flipped high hides what follows it (see the warning).
        let got: serde_json::Value = serde_json::from_str(&got).unwrap();
        if n == 1 {
            assert!(line.contains("may skip the entries after it"), "{line}");
            assert!(ids(&want).starts_with(&ids(&got)), "{what}");
        } else {
            assert_eq!(ids(&got), ids(&want), "{what}");
        }
        let (findings, _, _) = out(&["-D", d, "findings", "-o", "json"]);
        let doc: serde_json::Value = serde_json::from_str(&findings).unwrap();
        assert!(
            doc["coverage"]["damage"]
                .to_string()
                .contains("system.journal is damaged"),
            "{what}: {}",
            doc["coverage"]
        );
    }
}
