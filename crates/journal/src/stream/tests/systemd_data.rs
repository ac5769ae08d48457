//! systemd's own export samples and fuzz corpus, and journalctl's JSON and
//! export dumps of the same journal.

use super::*;

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
