//! Tests of the stream readers, on systemd's own test data (copied into
//! `tests/fixtures/systemd/`) and on hand-written inputs for the edge cases:
//! `systemd_data` (systemd's export samples and fuzz corpus, journalctl's
//! own dumps), `json` (the JSON forms), `edges` (framing, damage,
//! compression, refusal, mutation). The helpers they share are here.

mod edges;
mod json;
mod systemd_data;

use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use super::StreamSource;
use crate::{
    Diagnostics, Entry, EntrySource, Filter, Id128, JournalError, Match, StreamInput, Strictness,
};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/systemd");

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
