//! Damaged and wrong input: a clear error or a warning, never a panic or a hang.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::support::*;

/// How a run ended, for a corpus where most files are broken.
#[derive(Debug, PartialEq)]
enum Outcome {
    /// Exit 0: something was read.
    Read,
    /// Exit 1 with a one-line error on stderr: nothing could be read.
    Refused,
    /// Anything else: a panic (101), a signal, a hang.
    Broken(String),
}

fn run_with_timeout(args: &[&str], limit: Duration) -> (Outcome, String) {
    let run = timed::run_with_timeout(args, limit);
    let outcome = match (run.broken(), run.code) {
        (Some(why), _) => Outcome::Broken(format!("{why}: {}", run.stderr)),
        (None, Some(0)) => Outcome::Read,
        (None, _) if run.stderr.contains("jforensics: error:") => Outcome::Refused,
        (None, code) => Outcome::Broken(format!("exit {code:?}: {}", run.stderr)),
    };
    (outcome, run.stderr)
}

fn unpack_afl_corpus() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("jforensics-afl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let archive = systemd_test_journals().join("afl-corrupted-journals.tar.zst");
    run_tool(
        "tar",
        &[
            "-I",
            "zstd",
            "-xf",
            archive.to_str().unwrap(),
            "-C",
            dir.to_str().unwrap(),
        ],
    );
    dir
}

fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for item in std::fs::read_dir(dir).unwrap().flatten() {
        let p = item.path();
        if p.is_dir() {
            out.extend(files_below(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

#[test]
fn every_afl_corrupted_journal_is_read_or_refused_without_panic_or_hang() {
    let dir = unpack_afl_corpus();
    let files = files_below(&dir);
    assert_eq!(files.len(), 620, "the corpus holds 620 journals");
    let mut read = 0;
    let mut broken = Vec::new();
    for f in &files {
        match run_with_timeout(
            &["boots", "--file", f.to_str().unwrap(), "-o", "json"],
            Duration::from_secs(20),
        )
        .0
        {
            Outcome::Read => read += 1,
            Outcome::Refused => {}
            Outcome::Broken(why) => broken.push(format!("{}: {why}", f.display())),
        }
    }
    eprintln!(
        "afl corpus: {read} of {} journals yielded entries; the rest were refused with an error",
        files.len()
    );
    assert!(
        broken.is_empty(),
        "{} files broke jforensics:\n{}",
        broken.len(),
        broken.join("\n")
    );
    // systemd's notes: about half of these still yield entries.
    assert!(read > 200 && read < 620, "{read} readable is implausible");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_two_corrupted_sample_journals_do_not_break_anything() {
    for f in files_below(&systemd_test_journals().join("corrupted")) {
        let path = f.to_str().unwrap();
        let (outcome, stderr) =
            run_with_timeout(&["boots", "--file", path], Duration::from_secs(20));
        assert!(
            !matches!(outcome, Outcome::Broken(_)),
            "{path}: {outcome:?}"
        );
        assert!(!stderr.contains("panicked"));
    }
}

#[test]
fn a_missing_directory_is_a_one_line_error_naming_it() {
    let (outcome, stderr) = run_with_timeout(
        &["boots", "-D", "/nonexistent/journal"],
        Duration::from_secs(10),
    );
    assert_eq!(outcome, Outcome::Refused);
    assert!(stderr.contains("/nonexistent/journal"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}

#[test]
fn a_directory_without_journal_files_says_where_to_point_instead() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "hello").unwrap();
    let (outcome, stderr) = run_with_timeout(
        &["boots", "-D", dir.path().to_str().unwrap()],
        Duration::from_secs(10),
    );
    assert_eq!(outcome, Outcome::Refused);
    assert!(stderr.contains("no journal files"), "{stderr}");
}

#[test]
fn a_file_that_is_not_a_journal_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fake.journal");
    std::fs::write(
        &path,
        b"this is not a journal file at all, just text\n".repeat(100),
    )
    .unwrap();
    let (outcome, stderr) = run_with_timeout(
        &["boots", "--file", path.to_str().unwrap()],
        Duration::from_secs(10),
    );
    assert_eq!(outcome, Outcome::Refused, "{stderr}");
}

#[test]
fn a_truncated_journal_still_yields_its_readable_boots() {
    let src = no_rtc_unpacked().join("system@0005ebbfd42fc981-39a8842ec948769a.journal~");
    let bytes = std::fs::read(&src).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cut = dir.path().join("cut.journal~");
    std::fs::write(&cut, &bytes[..bytes.len() / 3]).unwrap();
    let (outcome, stderr) = run_with_timeout(
        &["boots", "--file", cut.to_str().unwrap()],
        Duration::from_secs(20),
    );
    assert!(!matches!(outcome, Outcome::Broken(_)), "{outcome:?}");
    if outcome == Outcome::Refused {
        assert!(stderr.contains("cut.journal~"), "{stderr}");
    }
}

#[test]
fn journal_files_are_never_opened_for_writing() {
    let dir = tempfile::tempdir().unwrap();
    for item in std::fs::read_dir(no_rtc_unpacked()).unwrap().flatten() {
        std::fs::copy(item.path(), dir.path().join(item.file_name())).unwrap();
    }
    let before: Vec<(PathBuf, Vec<u8>)> = files_below(dir.path())
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    let out = jforensics(&["boots", "-D", dir.path().to_str().unwrap()]);
    assert!(out.status.success());
    for (path, bytes) in before {
        assert!(
            std::fs::read(&path).unwrap() == bytes,
            "{} changed",
            path.display()
        );
    }
}

#[test]
fn an_export_with_huge_fields_keeps_their_first_mebibyte_and_says_so() {
    // The no-RTC sample's export, with three values of 3 MiB added to its
    // first entry (binary, as journalctl writes a value it cannot print).
    let export = run_tool(
        "journalctl",
        &["-D", no_rtc_unpacked().to_str().unwrap(), "-o", "export"],
    );
    let first_end = export
        .windows(2)
        .position(|w| w == b"\n\n")
        .expect("a blank line ends the first entry")
        + 1;
    let mut huge = export[..first_end].to_vec();
    for name in ["COREDUMP", "BLOB_A", "BLOB_B"] {
        let value = vec![b'x'; 3 << 20];
        huge.extend_from_slice(format!("{name}\n").as_bytes());
        huge.extend_from_slice(&(value.len() as u64).to_le_bytes());
        huge.extend_from_slice(&value);
        huge.push(b'\n');
    }
    huge.extend_from_slice(&export[first_end..]);
    let dir = tempfile::tempdir().unwrap();
    let (plain, with_huge) = (
        dir.path().join("plain.export"),
        dir.path().join("huge.export"),
    );
    std::fs::write(&plain, &export).unwrap();
    std::fs::write(&with_huge, &huge).unwrap();

    let boots = |path: &Path| jforensics(&["-i", path.to_str().unwrap(), "boots", "-o", "json"]);
    let (before, after) = (boots(&plain), boots(&with_huge));
    assert!(after.status.success());
    assert_eq!(
        after.stdout, before.stdout,
        "cutting a value changes no answer"
    );
    let said = String::from_utf8_lossy(&after.stderr);
    assert!(
        said.contains("3 field values were longer than 1 MiB"),
        "the cut is said, with its count: {said}"
    );
    assert!(
        !String::from_utf8_lossy(&before.stderr).contains("longer than"),
        "nothing is said when nothing was cut"
    );
}
