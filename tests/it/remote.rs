//! Journals written by systemd's own `systemd-journal-remote` from export
//! streams these tests write: real binary journal files with exactly the
//! boots and shutdown sequences we choose.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::support::*;

const STARTED: &str = "39f53479d3a045ac8e11786248231fbf";
const SHUTDOWN: &str = "98268866d1d54a499c4e98921d93bc40";
const JOURNAL_STOP: &str = "d93fb3c9c24d451a97cea615ce59c00b";
const STARTUP_FINISHED: &str = "b07a249cd024414a82dd00cd181378ff";

/// Writes entries in journalctl's export format; a value with a newline or
/// non-UTF-8 bytes is framed with a 64-bit length, as journalctl does.
struct ExportWriter {
    out: Vec<u8>,
    seqnum: u64,
}

impl ExportWriter {
    fn new() -> ExportWriter {
        ExportWriter {
            out: Vec::new(),
            seqnum: 0,
        }
    }

    fn entry(&mut self, boot: &str, realtime: u64, monotonic: u64, fields: &[(&str, &[u8])]) {
        self.seqnum += 1;
        let cursor = format!(
            "s=0123456789abcdef0123456789abcdef;i={:x};b={boot};m={monotonic:x};t={realtime:x};x=0",
            self.seqnum
        );
        writeln!(self.out, "__CURSOR={cursor}").unwrap();
        writeln!(self.out, "__REALTIME_TIMESTAMP={realtime}").unwrap();
        writeln!(self.out, "__MONOTONIC_TIMESTAMP={monotonic}").unwrap();
        writeln!(self.out, "_BOOT_ID={boot}").unwrap();
        for (name, value) in fields {
            let text = std::str::from_utf8(value)
                .ok()
                .filter(|t| !t.contains('\n'));
            match text {
                Some(t) => writeln!(self.out, "{name}={t}").unwrap(),
                None => {
                    writeln!(self.out, "{name}").unwrap();
                    self.out
                        .extend_from_slice(&(value.len() as u64).to_le_bytes());
                    self.out.extend_from_slice(value);
                    self.out.push(b'\n');
                }
            }
        }
        self.out.push(b'\n');
    }
}

const BOOT_A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1";
const BOOT_B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2";
const BOOT_C: &str = "ccccccccccccccccccccccccccccccc3";
const T0: u64 = 1_700_000_000_000_000;

/// Boot A powers off cleanly, boot B loses power mid-write, boot C runs on.
fn three_boots() -> Vec<u8> {
    let mut w = ExportWriter::new();
    let pid1: &[(&str, &[u8])] = &[("_PID", b"1"), ("SYSLOG_IDENTIFIER", b"systemd")];
    // PID 1 announces its version before journald runs, so it arrives via kmsg.
    let kmsg = |message: &'static [u8]| -> Vec<(&'static str, &'static [u8])> {
        vec![
            ("SYSLOG_IDENTIFIER", b"systemd"),
            ("SYSLOG_PID", b"1"),
            ("_TRANSPORT", b"kernel"),
            ("MESSAGE", message),
        ]
    };
    let with = |extra: &[(&'static str, &'static [u8])]| -> Vec<(&'static str, &'static [u8])> {
        let mut v: Vec<(&str, &[u8])> = pid1.to_vec();
        v.extend_from_slice(extra);
        v
    };
    w.entry(
        BOOT_A,
        T0,
        1_000_000,
        &kmsg(b"systemd 252.38-1~deb12u1 running in system mode (+PAM +AUDIT)"),
    );
    w.entry(
        BOOT_A,
        T0 + 9_000_000,
        10_000_000,
        &with(&[
            ("MESSAGE_ID", STARTUP_FINISHED.as_bytes()),
            (
                "MESSAGE",
                b"Startup finished in 1.2s (kernel) + 7.8s (userspace) = 9.0s.",
            ),
            ("USERSPACE_USEC", b"7800000"),
        ]),
    );
    w.entry(
        BOOT_A,
        T0 + 60_000_000,
        61_000_000,
        &[
            ("_PID", b"400"),
            ("SYSLOG_IDENTIFIER", b"systemd-logind"),
            ("MESSAGE_ID", SHUTDOWN.as_bytes()),
            ("SHUTDOWN", b"power-off"),
            ("MESSAGE", b"System is powering down."),
        ],
    );
    w.entry(
        BOOT_A,
        T0 + 62_000_000,
        63_000_000,
        &with(&[
            ("MESSAGE_ID", STARTED.as_bytes()),
            ("UNIT", b"poweroff.target"),
            (
                "MESSAGE",
                b"Reached target poweroff.target - System Power Off.",
            ),
        ]),
    );
    w.entry(
        BOOT_A,
        T0 + 62_500_000,
        63_500_000,
        &[
            ("_PID", b"300"),
            ("_TRANSPORT", b"driver"),
            ("MESSAGE_ID", JOURNAL_STOP.as_bytes()),
            ("MESSAGE", b"Journal stopped"),
        ],
    );
    // Boot B: one hour of downtime, then entries until the power is cut.
    let b0 = T0 + 62_500_000 + 3_600_000_000;
    w.entry(
        BOOT_B,
        b0,
        900_000,
        &kmsg(b"systemd 252.38-1~deb12u1 running in system mode (+PAM +AUDIT)"),
    );
    w.entry(
        BOOT_B,
        b0 + 5_000_000,
        5_900_000,
        &[
            ("_PID", b"812"),
            ("SYSLOG_IDENTIFIER", b"app"),
            ("MESSAGE", b"traceback:\n  line 1\n  line 2"),
            ("BINARY", &[0xff, 0x00, 0x1b, 0x5b]),
        ],
    );
    w.entry(
        BOOT_B,
        b0 + 7_000_000,
        7_900_000,
        &[
            ("_PID", b"812"),
            ("SYSLOG_IDENTIFIER", b"app"),
            ("MESSAGE", b"writing batch 7"),
        ],
    );
    let c0 = b0 + 7_000_000 + 120_000_000;
    w.entry(
        BOOT_C,
        c0,
        800_000,
        &kmsg(b"systemd 257.9-1 running in system mode (+PAM +AUDIT)"),
    );
    w.entry(
        BOOT_C,
        c0 + 1_000_000,
        1_800_000,
        &[
            ("_PID", b"900"),
            ("SYSLOG_IDENTIFIER", b"app"),
            ("MESSAGE", b"up again"),
        ],
    );
    w.out
}

/// Converts an export stream to a journal file with systemd-journal-remote.
fn journal_remote(export: &[u8], dir: &Path) -> PathBuf {
    let input = dir.join("stream.export");
    std::fs::write(&input, export).unwrap();
    let output = dir.join("remote.journal");
    let tool = ["/lib/systemd/systemd-journal-remote", "/usr/lib/systemd/systemd-journal-remote"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("systemd-journal-remote is needed (Debian package systemd-journal-remote; scripts/setup.sh installs it)");
    run_tool(
        tool,
        &[
            &format!("--output={}", output.display()),
            input.to_str().unwrap(),
        ],
    );
    output
}

#[test]
fn boots_and_their_ends_from_a_journal_remote_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = journal_remote(&three_boots(), dir.path());
    let boots = jforensics_json(&["boots", "--file", file.to_str().unwrap(), "-o", "json"]);
    let boots = boots.as_array().unwrap();
    assert_eq!(boots.len(), 3);
    let ids: Vec<&str> = boots
        .iter()
        .map(|b| b["boot_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![BOOT_A, BOOT_B, BOOT_C]);
    assert_eq!(boots[0]["end"], "clean");
    assert_eq!(boots[0]["shutdown"], "poweroff");
    assert_eq!(boots[0]["downtime_usec"], 3_600_000_000u64);
    assert_eq!(boots[0]["systemd_version"], "252.38-1~deb12u1");
    assert_eq!(boots[0]["userspace_usec"], 7_800_000u64);
    assert_eq!(boots[1]["end"], "unclean");
    assert!(boots[1]["shutdown"].is_null());
    assert_eq!(boots[1]["downtime_usec"], 120_000_000u64);
    let last_words = boots[1]["end_evidence"].as_array().unwrap().last().unwrap();
    assert_eq!(last_words["message"], "writing batch 7");
    assert_eq!(boots[2]["end"], "running");
    assert_eq!(boots[2]["index"], 0);
    assert!(boots[2]["downtime_usec"].is_null());
}

#[test]
fn since_and_until_select_the_boots_in_a_window() {
    let dir = tempfile::tempdir().unwrap();
    let file = journal_remote(&three_boots(), dir.path());
    let since = format!("@{}", (T0 + 100_000_000) / 1_000_000);
    let boots = jforensics_json(&[
        "boots",
        "--file",
        file.to_str().unwrap(),
        "-o",
        "json",
        "--since",
        &since,
    ]);
    let ids: Vec<&str> = boots
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["boot_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![BOOT_B, BOOT_C]);
}

#[test]
fn systemds_own_export_samples_become_readable_journals() {
    // journal-1.txt: one coredump entry with binary-framed fields.
    let dir = tempfile::tempdir().unwrap();
    let export =
        std::fs::read(systemd_test_journals().join("export-format/journal-1.txt")).unwrap();
    let file = journal_remote(&export, dir.path());
    let boots = jforensics_json(&["boots", "--file", file.to_str().unwrap(), "-o", "json"]);
    assert_eq!(boots.as_array().unwrap().len(), 1);
    assert_eq!(boots[0]["boot_id"], "1531fd22ec84429e85ae888b12fadb91");
    assert_eq!(boots[0]["entries"], 1);
    assert_eq!(boots[0]["end"], "running");
}

#[test]
fn an_empty_journal_file_is_an_error_that_says_so() {
    // journal-remote keeps none of journal-2.txt's entries (no _BOOT_ID), so the
    // file it writes is a valid journal without entries.
    let dir = tempfile::tempdir().unwrap();
    let export =
        std::fs::read(systemd_test_journals().join("export-format/journal-2.txt")).unwrap();
    let file = journal_remote(&export, dir.path());
    let out = jforensics(&["boots", "--file", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no journal entries"), "{stderr}");
}
