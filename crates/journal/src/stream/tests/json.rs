//! The JSON forms: values, sequence numbers, malformed lines, what a record
//! must have, `json-seq` and `json-pretty`.

use super::*;

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
