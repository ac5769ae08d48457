//! `journalctl -o export` (docs/JOURNAL_EXPORT_FORMATS.md): `NAME=value\n`
//! for printable values, `NAME\n` + 64-bit little-endian length + raw bytes +
//! `\n` otherwise; a blank line ends an entry.

use std::io;

use super::Record;
use super::input::{Line, LineReader};
use super::record::{MAX_FIELD_BYTES, RecordBuilder, show};

/// `NAME=` plus the value plus `\n`.
const MAX_LINE_BYTES: usize = MAX_FIELD_BYTES as usize + 66;

pub(super) struct ExportReader {
    line: Vec<u8>,
    value: Vec<u8>,
}

impl ExportReader {
    pub(super) fn new() -> ExportReader {
        ExportReader {
            line: Vec::new(),
            value: Vec::new(),
        }
    }

    /// The next record: an entry, a malformed record, or `None` at the end.
    pub(super) fn next_record(&mut self, input: &mut LineReader) -> io::Result<Option<Record>> {
        let mut record: Option<(u64, RecordBuilder)> = None;
        // Set when the framing is lost: skip to the next blank line.
        let mut lost = false;
        loop {
            let line_no = input.line();
            let status = input.read_line(&mut self.line, MAX_LINE_BYTES)?;
            if status == Line::Eof || self.line == b"\n" {
                match record.take() {
                    Some((start, builder)) => return Ok(Some(Record::finish(start, builder))),
                    None if status == Line::Eof => return Ok(None),
                    None => continue,
                }
            }
            let (_, builder) = record.get_or_insert_with(|| (line_no, RecordBuilder::new()));
            if lost {
                continue;
            }
            match status {
                Line::TooLong => {
                    builder.fail(format!(
                        "line {line_no} is longer than the {} MiB limit for a field",
                        MAX_FIELD_BYTES >> 20
                    ));
                    lost = true;
                    continue;
                }
                Line::Unterminated => {
                    builder.fail(format!(
                        "line {line_no} is cut short at the end of the input"
                    ));
                    continue;
                }
                Line::Complete | Line::Eof => {}
            }
            let text = &self.line[..self.line.len() - 1];
            if let Some(eq) = text.iter().position(|b| *b == b'=') {
                builder.field(&text[..eq], &text[eq + 1..]);
                continue;
            }

            // A binary field: the line held only the name.
            let name = text;
            let mut length = [0u8; 8];
            self.value.clear();
            if input.read_bytes(8, &mut self.value)? < 8 {
                builder.fail(format!(
                    "binary field {} is cut short at the end of the input",
                    show(name)
                ));
                lost = true;
                continue;
            }
            length.copy_from_slice(&self.value[..8]);
            let length = u64::from_le_bytes(length);
            if length > MAX_FIELD_BYTES {
                builder.fail(format!(
                    "binary field {} (line {line_no}) claims {length} bytes, more than the {} MiB limit",
                    show(name),
                    MAX_FIELD_BYTES >> 20
                ));
                lost = true;
                continue;
            }
            self.value.clear();
            // One more byte: the `\n` that must follow the value.
            let got = input.read_bytes(length + 1, &mut self.value)? as u64;
            if got < length + 1 {
                builder.fail(format!(
                    "binary field {} (line {line_no}) claims {length} bytes but the input ends after {}",
                    show(name),
                    got.min(length)
                ));
                lost = true;
                continue;
            }
            if self.value.last() != Some(&b'\n') {
                builder.fail(format!(
                    "binary field {} (line {line_no}) of {length} bytes is not followed by a newline",
                    show(name)
                ));
                lost = true;
                continue;
            }
            let value_len = self.value.len() - 1;
            builder.field(name, &self.value[..value_len]);
        }
    }
}
