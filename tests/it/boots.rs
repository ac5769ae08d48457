//! `jforensics boots` on real journals.

use crate::support::*;

/// (boot id prefix, end, shutdown) in true order, as systemd's own test
/// (TEST-04-JOURNAL) and the sample's README describe the no-RTC journal.
const NO_RTC_TRUTH: [(&str, &str, Option<&str>); 4] = [
    ("5ea5fc4f", "clean", Some("reboot")),
    ("bea6864f", "clean", Some("reboot")),
    ("4c708e1f", "unclean", None),
    ("35e85011", "running", None),
];

fn assert_no_rtc_boots(boots: &serde_json::Value) {
    let boots = boots.as_array().expect("an array of boots");
    let seen: Vec<(String, String, Option<String>)> = boots
        .iter()
        .map(|b| {
            (
                b["boot_id"].as_str().unwrap()[..8].to_string(),
                b["end"].as_str().unwrap().to_string(),
                b["shutdown"].as_str().map(str::to_string),
            )
        })
        .collect();
    let expected: Vec<(String, String, Option<String>)> = NO_RTC_TRUTH
        .iter()
        .map(|(id, end, kind)| (id.to_string(), end.to_string(), kind.map(str::to_string)))
        .collect();
    assert_eq!(seen, expected);
    let indexes: Vec<i64> = boots.iter().map(|b| b["index"].as_i64().unwrap()).collect();
    assert_eq!(indexes, vec![-3, -2, -1, 0]);
    for b in boots {
        let id = b["boot_id"].as_str().unwrap();
        assert!(
            id.len() == 32
                && id
                    .bytes()
                    .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert!(
            b["first_realtime_usec"].as_u64().unwrap() <= b["last_realtime_usec"].as_u64().unwrap()
        );
    }
    assert!(
        boots[3]["downtime_usec"].is_null(),
        "the newest boot has no downtime"
    );
}

#[test]
fn no_rtc_boots_are_listed_in_true_order_from_the_binary_files() {
    let dir = no_rtc_dir();
    assert_no_rtc_boots(&jforensics_json(&[
        "boots",
        "-D",
        dir.to_str().unwrap(),
        "-o",
        "json",
    ]));
}

#[test]
fn no_rtc_boots_from_unpacked_files_and_file_globs_agree() {
    let dir = no_rtc_unpacked();
    assert_no_rtc_boots(&jforensics_json(&[
        "boots",
        "-D",
        dir.to_str().unwrap(),
        "-o",
        "json",
    ]));
    let glob = format!("{}/*.journal*", dir.display());
    assert_no_rtc_boots(&jforensics_json(&["boots", "--file", &glob, "-o", "json"]));
}

#[test]
fn the_unclean_boot_shows_its_last_entries() {
    let dir = no_rtc_dir();
    let boots = jforensics_json(&[
        "boots",
        "-D",
        dir.to_str().unwrap(),
        "-o",
        "json",
        "-b",
        "4c708e1fd0744336be16f3931aa861fb",
    ]);
    let boot = &boots[0];
    assert_eq!(boot["end"], "unclean");
    let evidence = boot["end_evidence"].as_array().unwrap();
    assert!(!evidence.is_empty());
    let last = evidence.last().unwrap();
    assert_eq!(
        last["realtime_usec"].as_u64(),
        boot["last_realtime_usec"].as_u64()
    );
    assert!(
        last["cursor"]
            .as_str()
            .unwrap()
            .contains("b=4c708e1fd0744336be16f3931aa861fb")
    );
}

#[test]
fn clean_boots_carry_their_shutdown_lines_as_evidence() {
    let dir = no_rtc_dir();
    let boots = jforensics_json(&[
        "boots",
        "-D",
        dir.to_str().unwrap(),
        "-o",
        "json",
        "-b",
        "-3",
    ]);
    let messages: Vec<&str> = boots[0]["end_evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert!(messages.contains(&"System is rebooting."), "{messages:?}");
    assert_eq!(messages.last(), Some(&"Journal stopped"));
    assert_eq!(boots[0]["systemd_version"], "251.7-611.fc37");
}

#[test]
fn the_table_names_the_unclean_boot_and_its_last_words() {
    let dir = no_rtc_dir();
    let out = jforensics(&["boots", "-D", dir.to_str().unwrap(), "--utc"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("IDX"), "{text}");
    assert!(
        lines[3].contains("4c708e1f") && lines[3].contains("UNCLEAN"),
        "{text}"
    );
    assert!(
        lines[4].contains("35e85011") && lines[4].contains("running"),
        "{text}"
    );
    assert!(text.contains("ended without a shutdown"), "{text}");
}

#[test]
fn root_reads_the_journal_below_an_os_tree_like_journalctl_root() {
    let root = tempfile::tempdir().unwrap();
    let machine_dir = root
        .path()
        .join("var/log/journal/2dc07f7a727e4b46a1927eab9d6cd4b7");
    std::fs::create_dir_all(&machine_dir).unwrap();
    for item in std::fs::read_dir(no_rtc_unpacked()).unwrap().flatten() {
        std::fs::copy(item.path(), machine_dir.join(item.file_name())).unwrap();
    }
    assert_no_rtc_boots(&jforensics_json(&[
        "boots",
        "--root",
        root.path().to_str().unwrap(),
        "-o",
        "json",
    ]));
    let empty = tempfile::tempdir().unwrap();
    let out = jforensics(&["boots", "--root", empty.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("var/log/journal"));
}

/// Dumps the no-RTC journal with journalctl in `format`, compressed with zstd
/// as an attachment would be, and returns the dump's path.
fn no_rtc_dump(format: &str, dir: &std::path::Path) -> std::path::PathBuf {
    let dump = run_tool(
        "journalctl",
        &["-D", no_rtc_unpacked().to_str().unwrap(), "-o", format],
    );
    let path = dir.join(format!("no-rtc.{format}.zst"));
    std::fs::write(&path, zstd::encode_all(&dump[..], 3).unwrap()).unwrap();
    path
}

#[test]
fn json_and_export_dumps_list_the_same_boots_as_the_binary_files() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["json", "export"] {
        let dump = no_rtc_dump(format, dir.path());
        let from_stream =
            jforensics_json(&["boots", "--input", dump.to_str().unwrap(), "-o", "json"]);
        assert_no_rtc_boots(&from_stream);
        let from_files =
            jforensics_json(&["boots", "-D", no_rtc_dir().to_str().unwrap(), "-o", "json"]);
        assert_eq!(
            from_stream.as_array().unwrap().len(),
            from_files.as_array().unwrap().len(),
            "-o {format} dump and binary files list different numbers of boots"
        );
        for (s, f) in from_stream
            .as_array()
            .unwrap()
            .iter()
            .zip(from_files.as_array().unwrap())
        {
            for key in [
                "boot_id",
                "first_realtime_usec",
                "last_realtime_usec",
                "entries",
                "end",
                "shutdown",
                "first_cursor",
                "last_cursor",
            ] {
                assert_eq!(s[key], f[key], "{format}: {key} of boot {}", f["boot_id"]);
            }
        }
    }
}

#[test]
fn a_stream_on_stdin_is_read_like_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let dump = no_rtc_dump("export", dir.path());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_jforensics"))
        .args(["--input", "-", "boots", "-o", "json"])
        .stdin(std::fs::File::open(&dump).unwrap())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_no_rtc_boots(&serde_json::from_slice(&out.stdout).unwrap());
}

#[test]
fn garbage_on_stdin_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage");
    std::fs::write(
        &garbage,
        (0..4096u32)
            .map(|i| (i * 7919 % 251) as u8)
            .collect::<Vec<u8>>(),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_jforensics"))
        .args(["--input", "-", "boots"])
        .stdin(std::fs::File::open(&garbage).unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("journalctl -o json") && stderr.trim().lines().count() == 1,
        "{stderr}"
    );
    // The message names what the user gave, not the spool file behind it.
    assert!(
        stderr.contains("standard input") && !stderr.contains("jforensics-stdin-"),
        "{stderr}"
    );
}

#[test]
fn a_reader_that_stops_early_ends_the_output_quietly() {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    let dir = no_rtc_dir();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_jforensics"))
        // Hundreds of KB: more than a pipe holds, so writing must fail.
        .args([
            "-D",
            dir.to_str().unwrap(),
            "since-boot",
            "-b",
            "-3",
            "-o",
            "json",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The pipe is closed here, as `| head -c 16` would.
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        out.status.success() || out.status.signal() == Some(13),
        "{:?}",
        out.status
    );
}

/// Every boot's tail in one read (how `boots` finds how each boot ended)
/// gives exactly what one read per boot gives, from libsystemd and from an
/// export stream alike.
#[test]
fn one_read_of_every_boots_tail_equals_a_read_per_boot() {
    use jforensics::journal::{self, Filter, Journal, SourceSpec, StreamInput, Strictness};
    read_through_the_binary();

    let export = tempfile::NamedTempFile::new().unwrap();
    let dump = run_tool(
        "journalctl",
        &["-D", no_rtc_unpacked().to_str().unwrap(), "-o", "export"],
    );
    std::fs::write(export.path(), dump).unwrap();
    for spec in [
        SourceSpec::Directory(no_rtc_dir()),
        SourceSpec::Stream(StreamInput::Path(export.path().to_path_buf())),
    ] {
        let journal = Journal::prepare(&spec).unwrap();
        let read = |filter: &Filter| -> Vec<String> {
            let mut source = journal.open(filter, Strictness::Lenient).unwrap();
            let mut cursors = Vec::new();
            journal::for_each_entry(source.as_mut(), |e| cursors.push(e.cursor.clone())).unwrap();
            cursors
        };
        let mut boots = Vec::new();
        let mut all = journal.open(&Filter::all(), Strictness::Lenient).unwrap();
        journal::for_each_entry(all.as_mut(), |e| {
            if !boots.contains(&e.boot_id) {
                boots.push(e.boot_id);
            }
        })
        .unwrap();
        // Not the journal's order: the tails must come in the order asked.
        boots.reverse();
        assert_eq!(boots.len(), 4, "{spec:?}");
        let one_per_boot: Vec<String> = boots
            .iter()
            .flat_map(|b| {
                read(&Filter {
                    last: Some(5),
                    ..Filter::all().boot(*b)
                })
            })
            .collect();
        let all_at_once = read(&Filter {
            boots: boots.clone(),
            last: Some(5),
            last_per_boot: true,
            ..Filter::all()
        });
        assert_eq!(one_per_boot.len(), 20, "{spec:?}");
        assert_eq!(all_at_once, one_per_boot, "{spec:?}");
    }
}

/// A command about one boot reads only that boot and its neighbours when
/// the journal's index orders every boot by sequence numbers; what it says
/// must be what reading every boot says. A `-S` bound before the journal
/// begins takes the reading of every boot (no index holds wall-clock bounds).
#[test]
fn a_boot_read_with_its_neighbours_only_says_what_reading_every_boot_says() {
    use crate::support::fixture::Fixture;
    use jforensics::journal::{Filter, Journal, SourceSpec};
    read_through_the_binary();
    for fixture in Fixture::every() {
        let dir = fixture.dir_arg();
        let journal = Journal::prepare(&SourceSpec::Directory(dir.into())).unwrap();
        let outline = journal.outline(&Filter::all()).expect("an outline");
        assert!(
            jforensics::boots::outline_order(&outline).is_some(),
            "{}: the index does not order the boots",
            fixture.name
        );
        for boot in ["0", "-1", "1"] {
            for command in [
                &["since-boot", "-o", "json"][..],
                &["unit", "systemd-journald.service"],
                &["findings", "-o", "json"],
            ] {
                let narrow = [&["-D", dir][..], command, &["-b", boot]].concat();
                let whole = [&["-D", dir, "-S", "2000-01-01"][..], command, &["-b", boot]].concat();
                let (narrow, whole) = (jforensics(&narrow), jforensics(&whole));
                let what = format!("{} {command:?} -b {boot}", fixture.name);
                assert!(narrow.status.success(), "{what}");
                assert_eq!(narrow.status, whole.status, "{what}");
                assert_eq!(
                    String::from_utf8_lossy(&narrow.stdout),
                    String::from_utf8_lossy(&whole.stdout),
                    "{what}"
                );
                assert_eq!(narrow.stderr, whole.stderr, "{what}");
            }
        }
    }
}
