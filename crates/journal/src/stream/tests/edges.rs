//! Framing, damage, compression, refusal at open, empty inputs, files and
//! directories, and mutated inputs that must never panic.

use super::*;

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
