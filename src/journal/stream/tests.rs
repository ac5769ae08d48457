//! Tests of the stream readers, on systemd's own test data (copied into
//! `tests/fixtures/systemd/`) and on hand-written inputs for the edge cases.

use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use super::StreamSource;
use crate::journal::{
    Diagnostics, Entry, EntrySource, Filter, Id128, JournalError, Match, StreamInput, Strictness,
};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/systemd");

/// A file of systemd's test data, which the repository carries.
fn fixture(relative: &str) -> PathBuf {
    let path = Path::new(DATA).join(relative);
    assert!(
        path.exists(),
        "{} is missing from the repository",
        path.display()
    );
    path
}

fn fixture_bytes(relative: &str) -> Vec<u8> {
    std::fs::read(fixture(relative)).expect("read systemd's test data")
}

/// Everything a source produced.
struct Outcome {
    entries: Vec<Entry>,
    error: Option<JournalError>,
    diagnostics: Diagnostics,
}

fn drain(source: Result<StreamSource, JournalError>) -> Outcome {
    let mut source = match source {
        Ok(source) => source,
        Err(error) => {
            return Outcome {
                entries: Vec::new(),
                error: Some(error),
                diagnostics: Diagnostics::default(),
            };
        }
    };
    let mut entries = Vec::new();
    let error = loop {
        match source.next_entry() {
            Ok(Some(entry)) => entries.push(entry),
            Ok(None) => break None,
            Err(error) => break Some(error),
        }
    };
    // After the end (or an error), the source stays at the end.
    assert!(matches!(source.next_entry(), Ok(None)));
    Outcome {
        entries,
        error,
        diagnostics: source.diagnostics().clone(),
    }
}

fn read_with(bytes: &[u8], filter: Filter, strictness: Strictness) -> Outcome {
    drain(StreamSource::from_reader(
        Cursor::new(bytes.to_vec()),
        "test input",
        filter,
        strictness,
    ))
}

fn read(bytes: &[u8]) -> Outcome {
    read_with(bytes, Filter::all(), Strictness::Lenient)
}

fn read_strict(bytes: &[u8]) -> Outcome {
    read_with(bytes, Filter::all(), Strictness::Strict)
}

fn read_path(path: &Path, filter: Filter) -> Outcome {
    drain(StreamSource::open(
        &StreamInput::Path(path.to_path_buf()),
        filter,
        Strictness::Lenient,
    ))
}

fn values<'a>(entry: &'a Entry, name: &'a str) -> Vec<&'a [u8]> {
    entry.field_values(name).collect()
}

fn id(text: &str) -> Id128 {
    Id128::parse(text).expect("test id")
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn xz(bytes: &[u8]) -> Vec<u8> {
    let mut e = xz2::write::XzEncoder::new(Vec::new(), 6);
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn zst(bytes: &[u8]) -> Vec<u8> {
    zstd::stream::encode_all(bytes, 3).unwrap()
}

const BOOT: &str = "0123456789abcdef0123456789abcdef";

/// A minimal valid JSON entry line with extra members.
fn json_line(realtime: u64, extra: &str) -> String {
    format!(
        r#"{{"__CURSOR":"s=aa;i={realtime:x};b={BOOT};m=1;t=2;x=3","__REALTIME_TIMESTAMP":"{realtime}","__MONOTONIC_TIMESTAMP":"7","_BOOT_ID":"{BOOT}"{extra}}}"#
    )
}

// ---------------------------------------------------------------------------
// Export format, systemd's test data

#[test]
fn export_journal_1_keeps_repeated_binary_field_bytes() {
    let path = fixture("export-format/journal-1.txt");
    let out = read_path(&path, Filter::all());
    assert!(out.error.is_none(), "{:?}", out.error);
    assert_eq!(out.entries.len(), 1);
    assert_eq!(out.diagnostics.entries_read, 1);
    assert_eq!(out.diagnostics.skipped, 0);
    let e = &out.entries[0];
    assert_eq!(e.realtime_usec, 1478389147837970);
    assert_eq!(e.monotonic_usec, Some(643741389288));
    assert_eq!(e.boot_id, id("1531fd22ec84429e85ae888b12fadb91"));
    assert_eq!(
        e.cursor,
        "s=80f628203e7743248166ccab8b19b9a3;i=2a2587;b=1531fd22ec84429e85ae888b12fadb91;m=95e1fa11e8;t=540964bff2612;x=e0360caa1f5a583f"
    );
    // No __SEQNUM in the stream: taken from the cursor's i=2a2587.
    assert_eq!(e.seqnum, Some(0x2a2587));
    // The two binary-framed values (length 0x60 each), byte for byte, as
    // `journalctl --file <journal-remote output> -o json` shows them.
    let cgroup: &[u8] = b"1:name=systemd:/\n0::/user.slice/user-1002.slice/user@1002.service/gnome-terminal-server.service\n";
    assert_eq!(cgroup.len(), 0x60);
    assert_eq!(values(e, "COREDUMP_PROC_CGROUP"), vec![cgroup, cgroup]);
    let names: Vec<&str> = e.fields().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "_BOOT_ID",
            "_TRANSPORT",
            "COREDUMP_PROC_CGROUP",
            "COREDUMP_RLIMIT",
            "COREDUMP_PROC_CGROUP",
            "_SOURCE_REALTIME_TIMESTAMP"
        ]
    );
    assert_eq!(e.str("COREDUMP_RLIMIT"), Some("-1"));
    assert_eq!(
        e.str("_SOURCE_REALTIME_TIMESTAMP"),
        Some("1478389147837945")
    );
    assert_eq!(e.str("_BOOT_ID"), Some("1531fd22ec84429e85ae888b12fadb91"));
}

#[test]
fn export_journal_2_traceback_is_framed_exactly_but_lacks_a_header() {
    let bytes = fixture_bytes("export-format/journal-2.txt");
    // As shipped: a single binary MESSAGE and no __REALTIME_TIMESTAMP or
    // _BOOT_ID, so not an entry.
    let out = read(&bytes);
    assert!(out.entries.is_empty());
    assert!(
        matches!(out.error, Some(JournalError::Empty { skipped: 1, .. })),
        "{:?}",
        out.error
    );
    assert_eq!(out.diagnostics.skipped, 1);
    assert!(
        out.diagnostics.warnings[0].contains("line 1:")
            && out.diagnostics.warnings[0].contains("no __REALTIME_TIMESTAMP and no _BOOT_ID"),
        "{:?}",
        out.diagnostics.warnings
    );
    let strict = read_strict(&bytes);
    match strict.error {
        Some(JournalError::Malformed {
            line: 1, reason, ..
        }) => {
            assert!(reason.contains("__REALTIME_TIMESTAMP"), "{reason}")
        }
        other => panic!("expected Malformed at line 1, got {other:?}"),
    }

    // With a header put in front, the 0x1f0-byte traceback (blank lines
    // inside) is one value: bytes 16..512 of the file.
    assert_eq!(&bytes[8..16], &0x1f0u64.to_le_bytes());
    let mut with_header = format!("__REALTIME_TIMESTAMP=5\n_BOOT_ID={BOOT}\n").into_bytes();
    with_header.extend_from_slice(&bytes);
    let out = read(&with_header);
    assert!(out.error.is_none(), "{:?}", out.error);
    assert_eq!(out.entries.len(), 1);
    let message = out.entries[0].field("MESSAGE").unwrap();
    assert_eq!(message, &bytes[16..16 + 0x1f0]);
    assert!(message.starts_with(b"Process 23353 (systemd_coredump_exception_handler.py)"));
    assert!(message.ends_with(b"  a=3"));
    assert!(message.windows(2).any(|w| w == b"\n\n"));
}

#[test]
fn export_fuzz_sample_has_ten_cron_entries() {
    let path = fixture("export-format/fuzz/sample.txt");
    let out = read_path(&path, Filter::all());
    assert!(out.error.is_none(), "{:?}", out.error);
    assert_eq!(out.entries.len(), 10);
    assert_eq!(out.diagnostics.skipped, 0);
    for (i, e) in out.entries.iter().enumerate() {
        let i = i as u64;
        assert_eq!(e.realtime_usec, 1404101101501873 + i);
        assert_eq!(e.monotonic_usec, Some(1753961140951 + i));
        assert_eq!(e.boot_id, id("f446871715504074bf7049ef0718fa93"));
        assert_eq!(e.seqnum, Some(0x3e931));
        assert!(e.cursor.contains(&format!(";m={:x};", 0x198603b12d7 + i)));
        // 14 fields: 17 lines less the three `__` ones.
        assert_eq!(e.field_count(), 14);
        assert_eq!(e.str("SYSLOG_IDENTIFIER"), Some("/USR/SBIN/CRON"));
        assert_eq!(e.str("_PID"), Some("25721"));
        let data = e.str("DATA").unwrap();
        assert_eq!(data.len(), 80);
        assert!(data.ends_with(&format!("00{i}")));
    }
    // "Binary" MESSAGE text: backslash escapes written out as text, which
    // journalctl -o json shows the same way.
    let first = out.entries[0].field("MESSAGE").unwrap();
    assert_eq!(first.len(), 226);
    assert!(first.starts_with(br#"\x1b\r"\x9a\xea]\x90rU\xb0SX5\nY\xebi\xdac\x1f\xde"#));
    assert!(
        out.entries[1]
            .field("MESSAGE")
            .unwrap()
            .starts_with(br"l\x1a\xf4^\xb1\x14\xfb@\r\xa1\x11\xda0\xe0]3Ms$\x7f0")
    );
}

/// What one file of the fuzz corpus yields.
#[derive(Debug, PartialEq, Eq)]
enum Yield {
    /// Entries and skipped records.
    Entries(usize, u64),
    /// No entry at all: `Empty` with this many skipped records.
    Empty(u64),
    /// Refused at open.
    UnknownFormat,
}

fn yield_of(out: &Outcome) -> Yield {
    match &out.error {
        None => Yield::Entries(out.entries.len(), out.diagnostics.skipped),
        Some(JournalError::Empty { skipped, .. }) => Yield::Empty(*skipped),
        Some(JournalError::UnknownFormat { .. }) => Yield::UnknownFormat,
        Some(other) => panic!("unexpected error {other}"),
    }
}

#[test]
fn export_fuzz_corpus_yields_the_entries_read_by_hand() {
    let dir = fixture("export-format/fuzz");
    // Decided by reading each file; an entry needs a valid
    // __REALTIME_TIMESTAMP and _BOOT_ID and nothing invalid in its record.
    let expected = [
        // 4 records: invalid names ("__MOf3f\x9e\xfc", "S\x10\0…CILITY",
        // "__CUR\xff…") in the first three; the fourth is whole.
        ("crash-nul-in-field-name", Yield::Entries(1, 3)),
        // 11 records: 5 whole; others have invalid names, a realtime with
        // NULs, a misspelt __REALTIME_TKMESTAMP, or are cut short.
        ("crash-source-realtime-ts", Yield::Entries(5, 6)),
        // 5 records; only the 4th is whole (the 5th runs two entries together
        // and so has two different __MONOTONIC_TIMESTAMPs).
        ("invalid-ts.txt", Yield::Entries(1, 4)),
        // No _BOOT_ID anywhere.
        ("oss-fuzz-21122", Yield::Empty(48)),
        ("oss-fuzz-25353", Yield::Empty(1)),
        // First line "_\x04\0\0\0=8f": no field name.
        ("oss-fuzz-28817", Yield::UnknownFormat),
        // Lines 2-4: __REALTIME_TIMESTAMP=101, _T_TP=0, _BOOT_ID=f868….
        ("oss-fuzz-385221809", Yield::Entries(1, 42)),
        // Blank space, then NUL bytes.
        ("oss-fuzz-8658", Yield::UnknownFormat),
        // First lines start with '='.
        ("oss-fuzz-8659", Yield::UnknownFormat),
        ("oss-fuzz-9341", Yield::UnknownFormat),
        // "  6" is not a timestamp; no _BOOT_ID.
        ("oss-fuzz-8686", Yield::Empty(2)),
        ("sample.txt", Yield::Entries(10, 0)),
    ];
    let mut seen: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    seen.sort();
    let mut listed: Vec<String> = expected.iter().map(|(n, _)| n.to_string()).collect();
    listed.sort();
    assert_eq!(seen, listed, "every file of the corpus has an expectation");

    for (name, want) in expected {
        let path = dir.join(name);
        // No hang: each file in its own thread with a deadline.
        let (tx, rx) = mpsc::channel();
        let worker_path = path.clone();
        std::thread::spawn(move || {
            let out = read_path(&worker_path, Filter::all());
            let _ = tx.send((yield_of(&out), out));
        });
        let (got, out) = rx
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("{name}: no answer within 30 s (hang or panic)"));
        assert_eq!(got, want, "{name}");
        // Every skipped record is explained by a line number.
        for warning in out.diagnostics.warnings.iter().take(20) {
            assert!(warning.contains(", line "), "{name}: {warning}");
        }
    }
}

#[test]
fn export_fuzz_entries_have_exact_values() {
    let dir = fixture("export-format/fuzz");
    let out = read_path(&dir.join("oss-fuzz-385221809"), Filter::all());
    let e = &out.entries[0];
    assert_eq!(e.realtime_usec, 101);
    assert_eq!(e.boot_id, id("f868303209865099bff7598e2437fa91"));
    assert_eq!(e.monotonic_usec, None);
    assert_eq!(e.cursor, "");
    assert_eq!(e.seqnum, None);
    let fields: Vec<(&str, &[u8])> = e.fields().collect();
    assert_eq!(
        fields,
        vec![
            ("_T_TP", &b"0"[..]),
            ("_BOOT_ID", &b"f868303209865099bff7598e2437fa91"[..])
        ]
    );

    let out = read_path(&dir.join("crash-nul-in-field-name"), Filter::all());
    let e = &out.entries[0];
    assert_eq!(e.realtime_usec, 1404101101501878);
    assert_eq!(e.monotonic_usec, Some(1753961140956));
    // The last record's MESSAGE swallowed the DATA line's start.
    let message = e.field("MESSAGE").unwrap();
    assert!(message.starts_with(br"\r\t \xdf-"));
    assert!(message.ends_with(
        b"TA=00000000000000000000000000000000000000000000000000000000000000000000000000000009"
    ));
    assert_eq!(
        out.diagnostics.warnings[1],
        format!(
            "stream file {}, line 13: skipped a damaged record: invalid field name \"S\\u{{10}}\\0\\0\\0\\0\\0\\0\\0CILITY\"",
            dir.join("crash-nul-in-field-name").display()
        )
    );
}

// ---------------------------------------------------------------------------
// JSON and export dumps of the real no-rtc journals, made by the host's
// journalctl.

/// Fields as a set: JSON lists identical repeated values once, export
/// repeats them, and JSON's key order is not the journal's.
fn field_set(e: &Entry) -> Vec<(String, Vec<u8>)> {
    let mut set: Vec<(String, Vec<u8>)> = e
        .fields()
        .map(|(n, v)| (n.to_string(), v.to_vec()))
        .collect();
    set.sort();
    set.dedup();
    set
}

fn journalctl_dump(dir: &Path, format: &str, out: &Path) {
    let file = std::fs::File::create(out).unwrap();
    let status = Command::new("journalctl")
        .arg("--directory")
        .arg(dir)
        .args(["--no-pager", "-o", format])
        .stdout(file)
        .stderr(Stdio::inherit())
        .status()
        .unwrap_or_else(|e| {
            panic!(
                "journalctl is needed for this test ({e}); the README's test command installs it"
            )
        });
    assert!(status.success(), "journalctl -o {format} failed: {status}");
}

#[test]
fn no_rtc_json_and_export_dumps_give_the_same_entries() {
    let source = fixture("no-rtc");
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path();
    let journals = work.join("journals");
    std::fs::create_dir_all(&journals).unwrap();
    for file in std::fs::read_dir(&source).unwrap() {
        let path = file.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Some(plain) = name.strip_suffix(".zst") else {
            continue;
        };
        let input = std::fs::File::open(&path).unwrap();
        let output = std::fs::File::create(journals.join(plain)).unwrap();
        zstd::stream::copy_decode(input, output).unwrap();
    }
    let json = work.join("no-rtc.json");
    let export = work.join("no-rtc.export");
    journalctl_dump(&journals, "json", &json);
    journalctl_dump(&journals, "export", &export);

    let from_json = read_path(&json, Filter::all());
    let from_export = read_path(&export, Filter::all());
    assert!(from_json.error.is_none(), "{:?}", from_json.error);
    assert!(from_export.error.is_none(), "{:?}", from_export.error);
    assert!(
        from_json.diagnostics.warnings.is_empty(),
        "{:?}",
        from_json.diagnostics.warnings
    );
    assert!(from_export.diagnostics.warnings.is_empty());
    // 9142 system + 1615 user entries.
    assert_eq!(from_json.entries.len(), 9142 + 1615);
    assert_eq!(from_export.entries.len(), 9142 + 1615);
    assert_eq!(from_json.diagnostics.entries_read, 10757);

    for (j, x) in from_json.entries.iter().zip(&from_export.entries) {
        assert_eq!(j.cursor, x.cursor);
        assert!(j.cursor.starts_with("s="));
        assert_eq!(j.realtime_usec, x.realtime_usec, "{}", j.cursor);
        assert_eq!(j.monotonic_usec, x.monotonic_usec, "{}", j.cursor);
        assert!(j.monotonic_usec.is_some());
        assert_eq!(j.boot_id, x.boot_id, "{}", j.cursor);
        assert_eq!(j.seqnum, x.seqnum, "{}", j.cursor);
        assert!(j.seqnum.is_some());
        assert_eq!(field_set(j), field_set(x), "{}", j.cursor);
        assert!(j.fields().all(|(n, _)| !n.starts_with("__")));
    }

    // Entries per boot, as this dump lists them (the reference table says
    // 2123 and 2217 for the last two; journalctl 252 lists one more each).
    let boots = [
        ("5ea5fc4f82a14186b5332a788ef9435e", 3177),
        ("bea6864f21ad4c9594c04a99d89948b0", 3238),
        ("4c708e1fd0744336be16f3931aa861fb", 2124),
        ("35e8501129134edd9df5267c49f744a4", 2218),
    ];
    for (boot, count) in boots {
        let n = from_json
            .entries
            .iter()
            .filter(|e| e.boot_id == id(boot))
            .count();
        assert_eq!(n, count, "boot {boot}");
    }

    // Byte-array values (WirePlumber's object pointers) decode to the same
    // bytes the export format frames.
    let wp: Vec<&Entry> = from_json
        .entries
        .iter()
        .filter(|e| e.field("WP_OBJECT").is_some())
        .collect();
    assert_eq!(wp.len(), 4);
    let first = wp
        .iter()
        .find(|e| e.cursor.contains(";i=bf8;"))
        .expect("entry i=bf8");
    assert_eq!(first.boot_id.short(), "4c708e1f");
    assert_eq!(first.seqnum, Some(0xbf8));
    assert_eq!(
        first.field("WP_OBJECT_TYPE"),
        Some(&[144u8, 213, 120, 253, 170, 170, 0, 0][..])
    );
    assert_eq!(
        first.field("WP_OBJECT"),
        Some(&[16u8, 14, 133, 253, 170, 170, 0, 0][..])
    );
    assert!(
        first
            .message()
            .starts_with("<WpNode:0xaaaafd850e10> ignoring set_param on already destro")
    );

    // A few exact text fields, in both readers.
    let started = from_export
        .entries
        .iter()
        .filter(|e| e.str("MESSAGE_ID") == Some("39f53479d3a045ac8e11786248231fbf"))
        .count();
    assert!(started > 1000, "{started} UNIT_STARTED entries");
    let journal_start = from_json
        .entries
        .iter()
        .filter(|e| e.str("MESSAGE_ID") == Some("f77379a8490b408bbe5f6940505a777b"))
        .count();
    assert!(journal_start >= 4, "{journal_start} JOURNAL_START entries");

    // The filter applies per record: one boot, and a field match.
    let one_boot = read_path(
        &json,
        Filter::all().boot(id("4c708e1fd0744336be16f3931aa861fb")),
    );
    assert_eq!(one_boot.entries.len(), 2124);
    assert_eq!(one_boot.diagnostics.entries_read, 2124);
    let pid1 = read_path(
        &export,
        Filter {
            any_of: vec![vec![Match::new("_PID", "1")]],
            ..Filter::all()
        },
    );
    let want = from_export
        .entries
        .iter()
        .filter(|e| e.is_from_pid1())
        .count();
    assert!(want > 0);
    assert_eq!(pid1.entries.len(), want);

    // The same dump, compressed, gives the same entries.
    let compressed = work.join("no-rtc.json.zst");
    std::fs::write(&compressed, zst(&std::fs::read(&json).unwrap())).unwrap();
    let from_zstd = read_path(&compressed, Filter::all());
    assert_eq!(from_zstd.entries.len(), 10757);
    assert_eq!(
        from_zstd.entries.last().unwrap().cursor,
        from_json.entries.last().unwrap().cursor
    );
}

// ---------------------------------------------------------------------------
// JSON edge cases

#[test]
fn json_values_strings_bytes_repeated_and_null() {
    let line = json_line(
        1_000_000,
        r#","MESSAGE":"caf\u00e9 \t tab","BIN":[104,105,0,255,27],"REPEATED":["one",[0,1,2],"three",null],"BIG":null,"EMPTY":"","NOBYTES":[],"ESCAPED\u005fKEY":"x","__SEQNUM_ID":"ignored","__FUTURE":{"a":1}"#,
    );
    let out = read(line.as_bytes());
    assert!(out.error.is_none(), "{:?}", out.error);
    assert_eq!(out.entries.len(), 1);
    let e = &out.entries[0];
    assert_eq!(e.realtime_usec, 1_000_000);
    assert_eq!(e.monotonic_usec, Some(7));
    assert_eq!(e.boot_id, id(BOOT));
    assert_eq!(e.seqnum, Some(1_000_000));
    assert_eq!(e.field("MESSAGE"), Some("café \t tab".as_bytes()));
    assert_eq!(e.field("BIN"), Some(&[104u8, 105, 0, 255, 27][..]));
    assert_eq!(
        values(e, "REPEATED"),
        vec![&b"one"[..], &[0u8, 1, 2][..], &b"three"[..]]
    );
    assert_eq!(e.field("BIG"), None);
    assert_eq!(e.field("EMPTY"), Some(&b""[..]));
    assert_eq!(e.field("NOBYTES"), Some(&b""[..]));
    assert_eq!(e.str("ESCAPED_KEY"), Some("x"));
    assert_eq!(e.str("_BOOT_ID"), Some(BOOT));
    assert!(e.fields().all(|(n, _)| !n.starts_with("__")));
    // Two values were left out (BIG, and the null inside REPEATED).
    assert_eq!(out.diagnostics.warnings.len(), 1);
    assert!(
        out.diagnostics.warnings[0].contains("2 field values were left out by journalctl"),
        "{:?}",
        out.diagnostics.warnings
    );
}

#[test]
fn json_seqnum_field_wins_over_the_cursor() {
    let line = json_line(5, r#","__SEQNUM":"77","__SEQNUM_ID":"aa""#);
    let out = read(line.as_bytes());
    assert_eq!(out.entries[0].seqnum, Some(77));
    // Without either, there is no seqnum.
    let line = format!(r#"{{"__REALTIME_TIMESTAMP":"5","_BOOT_ID":"{BOOT}"}}"#);
    let out = read(line.as_bytes());
    assert_eq!(out.entries[0].seqnum, None);
    assert_eq!(out.entries[0].cursor, "");
    assert_eq!(out.entries[0].monotonic_usec, None);
}

#[test]
fn json_malformed_line_is_skipped_with_its_line_number() {
    let text = format!(
        "{}\n\n{}\n{{\"MESSAGE\":\"cut off\n{}\n{}\n",
        json_line(1, ""),
        json_line(2, ""),
        json_line(4, r#","BAD":[1,"mixed"]"#),
        json_line(5, ""),
    );
    // Lenient: lines 4 and 5 are skipped, each named.
    let out = read(text.as_bytes());
    assert!(out.error.is_none());
    let times: Vec<u64> = out.entries.iter().map(|e| e.realtime_usec).collect();
    assert_eq!(times, [1, 2, 5]);
    assert_eq!(out.diagnostics.skipped, 2);
    assert_eq!(out.diagnostics.entries_read, 3);
    assert!(
        out.diagnostics.warnings[0]
            .starts_with("test input, line 4: skipped a damaged record: invalid JSON at column"),
        "{:?}",
        out.diagnostics.warnings
    );
    assert!(
        out.diagnostics.warnings[1].starts_with("test input, line 5: ")
            && out.diagnostics.warnings[1].contains("mixes byte numbers"),
        "{:?}",
        out.diagnostics.warnings
    );
    // Not an object, after a good line.
    let array = format!("{}\n[\"not\",\"an\",\"object\"]\n", json_line(1, ""));
    match read_strict(array.as_bytes()).error {
        Some(JournalError::Malformed {
            line: 2, reason, ..
        }) => {
            assert!(reason.contains("invalid type: sequence"), "{reason}")
        }
        other => panic!("expected Malformed at line 2, got {other:?}"),
    }
    // Strict: the first damaged record stops the stream, after the entries
    // before it.
    let out = read_strict(text.as_bytes());
    assert_eq!(out.entries.len(), 2);
    match out.error {
        Some(JournalError::Malformed { line, reason, what }) => {
            assert_eq!(line, 4);
            assert_eq!(what, "test input");
            assert!(reason.contains("invalid JSON"), "{reason}");
        }
        other => panic!("expected Malformed, got {other:?}"),
    }
}

#[test]
fn json_records_need_a_timestamp_and_a_boot_id() {
    let cases = [
        (
            format!(r#"{{"_BOOT_ID":"{BOOT}","MESSAGE":"x"}}"#),
            "no __REALTIME_TIMESTAMP",
        ),
        (r#"{"__REALTIME_TIMESTAMP":"5"}"#.to_string(), "no _BOOT_ID"),
        (
            format!(r#"{{"__REALTIME_TIMESTAMP":"5x","_BOOT_ID":"{BOOT}"}}"#),
            "is not a timestamp",
        ),
        (
            format!(
                r#"{{"__REALTIME_TIMESTAMP":"5","_BOOT_ID":"{BOOT}","__MONOTONIC_TIMESTAMP":"-1"}}"#
            ),
            "__MONOTONIC_TIMESTAMP",
        ),
        (
            r#"{"__REALTIME_TIMESTAMP":"5","_BOOT_ID":"not-an-id"}"#.to_string(),
            "not a 128-bit id",
        ),
        (
            format!(r#"{{"__REALTIME_TIMESTAMP":"5","_BOOT_ID":"{BOOT}","lower":"x"}}"#),
            "invalid field name",
        ),
        (
            format!(r#"{{"__REALTIME_TIMESTAMP":"5","_BOOT_ID":"{BOOT}","A":[256]}}"#),
            "256",
        ),
        (
            format!(r#"{{"__REALTIME_TIMESTAMP":"5","_BOOT_ID":"{BOOT}","A":true}}"#),
            "invalid type",
        ),
        (
            format!(r#"{{"__REALTIME_TIMESTAMP":"5","_BOOT_ID":"{BOOT}"}} x"#),
            "trailing",
        ),
    ];
    for (line, why) in cases {
        let out = read_strict(line.as_bytes());
        match &out.error {
            Some(JournalError::Malformed {
                line: 1, reason, ..
            }) => {
                assert!(reason.contains(why), "{line}: {reason}")
            }
            other => panic!("{line}: expected Malformed, got {other:?}"),
        }
        let out = read(line.as_bytes());
        assert!(
            matches!(out.error, Some(JournalError::Empty { skipped: 1, .. })),
            "{line}: {:?}",
            out.error
        );
    }
}

#[test]
fn json_seq_and_json_pretty_are_read_too() {
    let seq = format!("\x1e{}\n\x1e{}\n", json_line(1, ""), json_line(2, ""));
    let out = read(seq.as_bytes());
    assert_eq!(out.entries.len(), 2);
    assert_eq!(out.entries[1].realtime_usec, 2);

    let pretty = format!(
        "{{\n\t\"__REALTIME_TIMESTAMP\" : \"10\",\n\t\"_BOOT_ID\" : \"{BOOT}\",\n\t\"MESSAGE\" : \"a\"\n}}\n{{\n\t\"__REALTIME_TIMESTAMP\" : \"11\",\n\t\"_BOOT_ID\" : \"{BOOT}\"\n}}\n"
    );
    let out = read(pretty.as_bytes());
    assert!(out.error.is_none(), "{:?}", out.error);
    assert_eq!(out.entries.len(), 2);
    assert_eq!(out.entries[0].str("MESSAGE"), Some("a"));
    assert_eq!(out.entries[1].realtime_usec, 11);
    // The second object starts on line 6.
    let broken = pretty.replace("\"11\"", "11 11");
    let out = read_strict(broken.as_bytes());
    assert!(
        matches!(out.error, Some(JournalError::Malformed { line: 6, .. })),
        "{:?}",
        out.error
    );
}

// ---------------------------------------------------------------------------
// Export edge cases

#[test]
fn export_hand_written_fields_and_framing() {
    let mut text = format!(
        "__CURSOR=s=1;i=ff;b={BOOT}\n__REALTIME_TIMESTAMP=100\n__MONOTONIC_TIMESTAMP=3\n__SEQNUM_ID=zz\n__UNKNOWN_META=1\n_BOOT_ID={BOOT}\nA=x=y\nEMPTY=\n"
    )
    .into_bytes();
    text.extend_from_slice(b"BIN\n");
    text.extend_from_slice(&5u64.to_le_bytes());
    text.extend_from_slice(b"\n\n\x00\xff\n\n");
    text.extend_from_slice(b"ZERO\n");
    text.extend_from_slice(&0u64.to_le_bytes());
    text.extend_from_slice(b"\n\n\n\n");
    text.extend_from_slice(format!("__REALTIME_TIMESTAMP=101\n_BOOT_ID={BOOT}\n").as_bytes());
    let out = read(&text);
    assert!(out.error.is_none(), "{:?}", out.error);
    assert_eq!(out.entries.len(), 2);
    let e = &out.entries[0];
    assert_eq!(e.seqnum, Some(0xff));
    assert_eq!(e.monotonic_usec, Some(3));
    let fields: Vec<(&str, &[u8])> = e.fields().collect();
    assert_eq!(
        fields,
        vec![
            ("_BOOT_ID", BOOT.as_bytes()),
            ("A", &b"x=y"[..]),
            ("EMPTY", &b""[..]),
            ("BIN", &b"\n\n\x00\xff\n"[..]),
            ("ZERO", &b""[..]),
        ]
    );
    // The last record has no trailing blank line: the end of input ends it.
    assert_eq!(out.entries[1].realtime_usec, 101);
}

#[test]
fn export_damage_is_malformed_with_the_records_first_line() {
    let good = format!("__REALTIME_TIMESTAMP=1\n_BOOT_ID={BOOT}\n");
    let huge = {
        let mut r = format!("__REALTIME_TIMESTAMP=2\n_BOOT_ID={BOOT}\nMESSAGE\n").into_bytes();
        r.extend_from_slice(&(1u64 << 63).to_le_bytes());
        r.extend_from_slice(b"some bytes\nMORE=1\n");
        r
    };
    // (record, reason, whether it must end the input)
    let cases: Vec<(Vec<u8>, &str, bool)> = vec![
        (huge, "claims 9223372036854775808 bytes", false),
        (b"A\0B=1\n".to_vec(), "invalid field name \"A\\0B\"", false),
        (
            b"9LIVES=1\n".to_vec(),
            "invalid field name \"9LIVES\"",
            false,
        ),
        (
            format!("{}X=1\n", "N".repeat(65)).into_bytes(),
            "invalid field name",
            false,
        ),
        (
            b"__REALTIME_TIMESTAMP=12a\n".to_vec(),
            "is not a timestamp",
            false,
        ),
        (
            b"__REALTIME_TIMESTAMP=0\n".to_vec(),
            "is not a timestamp",
            false,
        ),
        (
            b"__REALTIME_TIMESTAMP=99999999999999999999999\n".to_vec(),
            "is not a timestamp",
            false,
        ),
        (
            format!("__REALTIME_TIMESTAMP=3\n__REALTIME_TIMESTAMP=4\n_BOOT_ID={BOOT}\n")
                .into_bytes(),
            "two different __REALTIME_TIMESTAMP values",
            false,
        ),
        (
            {
                let mut r = b"BIN\n".to_vec();
                r.extend_from_slice(&3u64.to_le_bytes());
                r.extend_from_slice(b"abcX\n");
                r
            },
            "not followed by a newline",
            false,
        ),
        (b"BIN\n\x05\0\0".to_vec(), "cut short", true),
        (
            {
                let mut r = b"BIN\n".to_vec();
                r.extend_from_slice(&100u64.to_le_bytes());
                r.extend_from_slice(b"short");
                r
            },
            "claims 100 bytes but the input ends after 5",
            true,
        ),
        (
            b"MESSAGE=no newline at the end".to_vec(),
            "line 4 is cut short",
            true,
        ),
    ];
    for (record, why, at_end) in cases {
        // A good record, the damaged one from line 4, then (unless it must
        // end the input) another good one.
        let mut input = good.clone().into_bytes();
        input.extend_from_slice(b"\n");
        input.extend_from_slice(&record);
        if !at_end {
            input.extend_from_slice(b"\n");
            input.extend_from_slice(good.replace("=1\n", "=9\n").as_bytes());
        }
        let last_is_good = !at_end;
        let shown = String::from_utf8_lossy(&record).into_owned();
        let out = read(&input);
        assert!(out.error.is_none(), "{shown}: {:?}", out.error);
        assert_eq!(out.diagnostics.skipped, 1, "{shown}");
        assert_eq!(
            out.entries.len(),
            if last_is_good { 2 } else { 1 },
            "{shown}"
        );
        assert!(
            out.diagnostics.warnings[0].starts_with("test input, line 4: skipped a damaged record")
                && out.diagnostics.warnings[0].contains(why),
            "{shown}: {:?}",
            out.diagnostics.warnings
        );
        let out = read_strict(&input);
        assert_eq!(out.entries.len(), 1, "{shown}");
        match out.error {
            Some(JournalError::Malformed {
                line: 4, reason, ..
            }) => {
                assert!(reason.contains(why), "{shown}: {reason}")
            }
            other => panic!("{shown}: expected Malformed at line 4, got {other:?}"),
        }
    }
}

#[test]
fn export_line_numbers_count_newlines_inside_binary_values() {
    let mut input = format!("__REALTIME_TIMESTAMP=1\n_BOOT_ID={BOOT}\nBIN\n").into_bytes();
    input.extend_from_slice(&4u64.to_le_bytes());
    input.extend_from_slice(b"\n\n\n\n\n"); // value and terminator: lines 4-8
    input.extend_from_slice(b"\nbad=1\n"); // blank line 9, damaged record at 10
    let out = read(&input);
    assert_eq!(out.entries.len(), 1);
    assert!(
        out.diagnostics.warnings[0].starts_with("test input, line 10:"),
        "{:?}",
        out.diagnostics.warnings
    );
}

// ---------------------------------------------------------------------------
// Input handling

#[test]
fn compressed_inputs_give_the_same_entries() {
    let json = format!(
        "{}\n{}\n",
        json_line(1, r#","MESSAGE":"one""#),
        json_line(2, r#","BIN":[1,2,3]"#)
    );
    let export = fixture_bytes("export-format/fuzz/sample.txt");
    for plain in [json.as_bytes(), &export[..]] {
        let want = read(plain);
        assert!(want.error.is_none());
        assert!(!want.entries.is_empty());
        let mut two_members = gzip(&plain[..plain.len() / 2]);
        two_members.extend_from_slice(&gzip(&plain[plain.len() / 2..]));
        let mut two_frames = zst(&plain[..plain.len() / 3]);
        two_frames.extend_from_slice(&zst(&plain[plain.len() / 3..]));
        for (kind, packed) in [
            ("gzip", gzip(plain)),
            ("gzip, two members", two_members),
            ("xz", xz(plain)),
            ("zstd", zst(plain)),
            ("zstd, two frames", two_frames),
        ] {
            let got = read(&packed);
            assert!(got.error.is_none(), "{kind}: {:?}", got.error);
            assert_eq!(got.entries.len(), want.entries.len(), "{kind}");
            for (a, b) in got.entries.iter().zip(&want.entries) {
                assert_eq!(a.realtime_usec, b.realtime_usec, "{kind}");
                assert_eq!(a.cursor, b.cursor, "{kind}");
                assert_eq!(field_set(a), field_set(b), "{kind}");
            }
        }
    }
}

#[test]
fn a_cut_off_compressed_stream_keeps_earlier_entries_unless_strict() {
    let mut json = String::new();
    for t in 1..=2000 {
        json.push_str(&json_line(t, r#","MESSAGE":"some text to compress""#));
        json.push('\n');
    }
    for (kind, packed) in [
        ("gzip", gzip(json.as_bytes())),
        ("xz", xz(json.as_bytes())),
        ("zstd", zst(json.as_bytes())),
    ] {
        let cut = &packed[..packed.len() * 2 / 3];
        let out = read(cut);
        assert!(out.error.is_none(), "{kind}: {:?}", out.error);
        assert!(
            !out.entries.is_empty() && out.entries.len() < 2000,
            "{kind}: {}",
            out.entries.len()
        );
        assert!(
            out.diagnostics
                .warnings
                .iter()
                .any(|w| w.contains("reading stopped near line")
                    && w.contains(&format!("the {kind} data is damaged or cut short"))),
            "{kind}: {:?}",
            out.diagnostics.warnings
        );
        let out = read_strict(cut);
        assert!(
            matches!(out.error, Some(JournalError::Io { .. })),
            "{kind}: {:?}",
            out.error
        );
    }
}

#[test]
fn garbage_and_binary_journals_are_refused_at_open() {
    for garbage in [
        &b"\x00\x01\x02\x03 binary garbage"[..],
        b"hello world\n",
        b"Oct 24 00:00:01 host systemd[1]: Started foo.service.\n",
        b"=value\n",
        b"lower=case\n",
        b"[1,2,3]\n",
    ] {
        match read(garbage).error {
            Some(JournalError::UnknownFormat { what }) => {
                assert!(what.starts_with("test input (it starts with"), "{what}")
            }
            other => panic!("{:?}: expected UnknownFormat, got {other:?}", garbage),
        }
    }
    // Compressed garbage says that it was compressed.
    match read(&gzip(b"\x7fELF")).error {
        Some(JournalError::UnknownFormat { what }) => {
            assert!(
                what.contains("gzip-compressed data that starts with"),
                "{what}"
            )
        }
        other => panic!("expected UnknownFormat, got {other:?}"),
    }
    let mut header = b"LPKSHHRH".to_vec();
    header.extend_from_slice(&[0; 248]);
    let error = read(&header).error.expect("refused");
    let message = error.to_string();
    assert!(matches!(error, JournalError::UnknownFormat { .. }));
    assert!(
        message.contains("a binary journal file: read it with --file"),
        "{message}"
    );
    for unsupported in [&b"BZh91AY&SY"[..], &[0x04, 0x22, 0x4d, 0x18, 0, 0]] {
        let message = read(unsupported).error.expect("refused").to_string();
        assert!(
            message.contains("-compressed, which is not supported"),
            "{message}"
        );
    }
}

#[test]
fn a_real_binary_journal_given_as_a_stream_is_refused_with_advice() {
    let path = fixture("no-rtc/system.journal.zst");
    // zstd-compressed: recognised after decompression.
    let error = read_path(&path, Filter::all()).error.expect("refused");
    let message = error.to_string();
    assert!(
        matches!(error, JournalError::UnknownFormat { .. }),
        "{message}"
    );
    assert!(
        message.contains(&format!(
            "a zstd-compressed binary journal file: read it with --file {} (a .zst, .xz or .gz name is unpacked)",
            path.display()
        )),
        "{message}"
    );
    // And as a plain file.
    let mut plain = Vec::new();
    zstd::stream::read::Decoder::new(std::fs::File::open(&path).unwrap())
        .unwrap()
        .take(4096)
        .read_to_end(&mut plain)
        .unwrap();
    let message = read(&plain).error.expect("refused").to_string();
    assert!(
        message.contains("a binary journal file: read it with --file FILE"),
        "{message}"
    );
}

#[test]
fn empty_and_blank_inputs_are_empty() {
    let inputs: [Vec<u8>; 4] = [
        Vec::new(),
        b"\n\n  \r\n\t".to_vec(),
        gzip(b""),
        gzip(b"\n\n"),
    ];
    for input in &inputs {
        let out = read(input);
        assert!(out.entries.is_empty());
        match out.error {
            Some(JournalError::Empty { skipped: 0, what }) => assert_eq!(what, "test input"),
            other => panic!("{input:?}: expected Empty, got {other:?}"),
        }
    }
    // A filter that matches nothing is not an empty input.
    let line = json_line(5, "");
    let out = read_with(
        line.as_bytes(),
        Filter {
            since_usec: Some(6),
            ..Filter::all()
        },
        Strictness::Lenient,
    );
    assert!(out.error.is_none(), "{:?}", out.error);
    assert!(out.entries.is_empty());
    assert_eq!(out.diagnostics.entries_read, 0);
}

#[test]
fn files_are_opened_and_directories_refused() {
    let missing = PathBuf::from("/nonexistent/jforensics/dump.json");
    match read_path(&missing, Filter::all()).error {
        Some(JournalError::Unreadable { path, .. }) => assert_eq!(path, missing),
        other => panic!("expected Unreadable, got {other:?}"),
    }
    let dir = std::env::temp_dir();
    match read_path(&dir, Filter::all()).error {
        Some(JournalError::Unreadable { source, .. }) => {
            assert!(source.to_string().contains("directory"))
        }
        other => panic!("expected Unreadable, got {other:?}"),
    }
    let file = dir.join(format!(
        "jforensics-stream-open-{}.json",
        std::process::id()
    ));
    std::fs::write(&file, format!("{}\n", json_line(9, ""))).unwrap();
    let out = read_path(&file, Filter::all());
    let _ = std::fs::remove_file(&file);
    assert_eq!(out.entries.len(), 1);
    let source = StreamSource::from_reader(
        Cursor::new(b"{}".to_vec()),
        "x",
        Filter::all(),
        Strictness::Lenient,
    )
    .unwrap();
    assert_eq!(source.format_name(), Some("json"));
}

/// A small deterministic generator (no dev-dependency needed).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[test]
fn mutated_inputs_never_panic() {
    let mut seeds: Vec<Vec<u8>> = vec![
        format!(
            "{}\n{}\n",
            json_line(1, r#","A":[1,2],"B":["x",[3],null]"#),
            json_line(2, "")
        )
        .into_bytes(),
    ];
    for name in [
        "export-format/journal-1.txt",
        "export-format/journal-2.txt",
        "export-format/fuzz/sample.txt",
    ] {
        seeds.push(fixture_bytes(name));
    }
    let mut rng = Lcg(0x5eed);
    for round in 0..3000 {
        let mut bytes = seeds[round % seeds.len()].clone();
        for _ in 0..1 + rng.below(8) {
            let at = rng.below(bytes.len());
            match rng.below(5) {
                0 => bytes[at] = rng.next() as u8,
                1 => bytes.insert(at, b"\n{}=[\"\x00\xff"[rng.below(8)]),
                2 => {
                    bytes.remove(at);
                }
                3 => bytes.truncate(at),
                _ => {
                    // A binary length that claims a lot.
                    let claim = (rng.next() << 20).to_le_bytes();
                    let end = (at + 8).min(bytes.len());
                    bytes.splice(at..end, claim);
                }
            }
            if bytes.is_empty() {
                break;
            }
        }
        for strictness in [Strictness::Lenient, Strictness::Strict] {
            let out = read_with(&bytes, Filter::all(), strictness);
            assert!(out.diagnostics.entries_read as usize == out.entries.len());
        }
    }
}
