//! Reading a journal file while systemd-journal-remote writes it.
//!
//! A recorded fixture is exported and fed to the real
//! `systemd-journal-remote --output=FILE -` through a pipe, a chunk at a
//! time, while jforensics reads the growing file over and over (`--file`
//! and `-D`, the boot listing and a matched read). The writer rewrites the
//! header, entry arrays and hash chains in place as it goes, which is what
//! the private snapshots of `journal/files/snapshot.rs` are for: every read
//! must succeed, and what it saw must be a prefix of the finished file.

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

use crate::support::growing::export_entries;
use crate::support::{repo, run_tool, unpack_into};

const READS: usize = 220;
const CHUNKS: usize = 40;
const UNIT: &str = "systemd-journald.service";

/// Each boot as a read lists it: id, entry count, first entry's cursor.
fn boots(doc: &Value) -> Vec<(String, u64, String)> {
    doc.as_array()
        .expect("boots -o json is an array")
        .iter()
        .map(|b| {
            (
                b["boot_id"].as_str().unwrap().to_string(),
                b["entries"].as_u64().unwrap(),
                b["first_cursor"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// Every cursor a document quotes.
fn cursors(doc: &Value, out: &mut Vec<String>) {
    match doc {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("cursor", Value::String(c)) => out.push(c.clone()),
                    _ => cursors(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| cursors(v, out)),
        _ => {}
    }
}

/// One read, with the trace on: its JSON and what it said on stderr.
fn traced(args: &[&str]) -> (Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_jforensics"))
        .args(args)
        .env("JFORENSICS_TRACE", "1")
        .env_remove("JFORENSICS_BACKEND")
        .output()
        .expect("run jforensics");
    assert!(
        out.status.success(),
        "jforensics {args:?} failed while the file grew: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "jforensics {args:?}: not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    (doc, String::from_utf8_lossy(&out.stderr).to_string())
}

fn read(args: &[&str]) -> Value {
    traced(args).0
}

#[test]
fn a_journal_being_written_is_read_200_times_and_each_read_is_a_prefix_of_the_final_file() {
    let tmp = tempfile::tempdir().unwrap();
    let plain = tmp.path().join("fixture");
    unpack_into(&repo().join("tests/fixtures/debian12/journal"), &plain);
    let mut args = vec!["-o".to_string(), "export".to_string()];
    for item in std::fs::read_dir(&plain).unwrap() {
        args.push(format!("--file={}", item.unwrap().path().display()));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let export = run_tool("journalctl", &args);
    let entries = export_entries(&export);
    let dir = tmp.path().join("live");
    std::fs::create_dir(&dir).unwrap();
    let file = dir.join("remote.journal");
    let mut remote = Command::new("/lib/systemd/systemd-journal-remote")
        .arg(format!("--output={}", file.display()))
        .arg("-")
        .stdin(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("systemd-journal-remote is needed for this test");
    let mut pipe = remote.stdin.take().unwrap();
    // The first chunk before any read, so the file exists.
    let per_chunk = entries.len().div_ceil(CHUNKS);
    let mut chunks = entries.chunks(per_chunk);
    for (_, e) in chunks.next().unwrap() {
        pipe.write_all(e).unwrap();
    }
    pipe.flush().unwrap();
    while !file.exists() || std::fs::metadata(&file).unwrap().len() == 0 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let done_reads = Arc::new(AtomicUsize::new(0));
    // The writer paces itself by the reads, so growth and reads interleave
    // however fast either side runs: a chunk every few reads.
    let writer = {
        let done_reads = done_reads.clone();
        let chunks: Vec<Vec<u8>> = chunks
            .map(|c| c.iter().flat_map(|(_, e)| e.iter().copied()).collect())
            .collect();
        std::thread::spawn(move || {
            let every = READS / (chunks.len() + 1);
            for (k, chunk) in chunks.iter().enumerate() {
                while done_reads.load(Ordering::Relaxed) < (k + 1) * every {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
                // Small writes: the writer sees entries arrive piecemeal.
                for piece in chunk.chunks(4096) {
                    pipe.write_all(piece).unwrap();
                    pipe.flush().unwrap();
                }
            }
            drop(pipe);
        })
    };
    let file_arg = format!("--file={}", file.display());
    let dir_arg = dir.to_str().unwrap();
    let mut listings = Vec::new();
    let mut matched = Vec::new();
    let mut by_index = 0;
    for i in 0..READS {
        let source: Vec<&str> = if i % 2 == 0 {
            vec![file_arg.as_str()]
        } else {
            vec!["-D", dir_arg]
        };
        let what: &[&str] = if i % 3 == 2 {
            &["unit", UNIT, "-o", "json"]
        } else {
            &["boots", "-o", "json"]
        };
        let (doc, said) = traced(&[source.as_slice(), what].concat());
        // The file is never mapped while it may be written: every read
        // takes a snapshot, and the index reader answers from it.
        assert!(said.contains("snapshotted"), "read {i}: {said}");
        by_index += usize::from(said.contains(": index reader:"));
        if what[0] == "boots" {
            listings.push(boots(&doc));
        } else {
            let mut c = Vec::new();
            cursors(&doc, &mut c);
            matched.push(c);
        }
        done_reads.fetch_add(1, Ordering::Relaxed);
    }
    writer.join().unwrap();
    assert!(remote.wait().unwrap().success());
    let last = boots(&read(&[file_arg.as_str(), "boots", "-o", "json"]));
    // Every entry of the finished file, by its cursor, as journalctl has it.
    let all = run_tool("journalctl", &[file_arg.as_str(), "-o", "json"]);
    let known: std::collections::HashSet<String> = all
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| {
            let v: Value = serde_json::from_slice(l).unwrap();
            v["__CURSOR"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(last.len(), 4, "the whole fixture was written: {last:?}");
    assert!(
        by_index == READS,
        "the index reader answered only {by_index} of {READS} reads of the growing file"
    );
    assert!(
        listings.iter().any(|l| l.len() < last.len()),
        "no read saw the file before it was whole"
    );
    for listing in &listings {
        assert!(listing.len() <= last.len(), "{listing:?} vs {last:?}");
        for (k, (seen, whole)) in listing.iter().zip(&last).enumerate() {
            assert_eq!(seen.0, whole.0, "boot {k} of {listing:?} vs {last:?}");
            assert_eq!(seen.2, whole.2, "first entry of boot {k}");
            if k + 1 < listing.len() {
                assert_eq!(seen.1, whole.1, "boot {k} of {listing:?} vs {last:?}");
            } else {
                assert!(seen.1 <= whole.1, "boot {k} of {listing:?} vs {last:?}");
            }
        }
    }
    assert!(
        matched.iter().any(|m| !m.is_empty()),
        "no matched read quoted an entry"
    );
    for c in matched.iter().flatten() {
        assert!(
            known.contains(c),
            "a matched read quoted {c}, which the finished file does not hold"
        );
    }
}
