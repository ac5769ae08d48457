//! Reading `journalctl -o json` and `-o export` streams (`--input FILE|-`).
//!
//! Pure Rust and streaming: the input is read one record at a time through a
//! buffer, never as a whole. Compression (zstd, xz, gzip) is recognised by
//! its magic bytes, the format by the first non-blank bytes: `{` is JSON
//! (also `json-seq` and `json-pretty`), a field name followed by `=` or a
//! newline is export. A binary journal file given here is recognised and
//! refused with advice to use `--file`.
//!
//! Both formats carry the entry header as fields: `__CURSOR`,
//! `__REALTIME_TIMESTAMP`, `__MONOTONIC_TIMESTAMP`, `__SEQNUM` (v254+) and
//! `_BOOT_ID`. They become [`Entry`]'s members; of them only `_BOOT_ID` is
//! also kept as a field. Other `__` fields are skipped. A record without a
//! valid realtime timestamp and boot id is malformed: skipped, counted and
//! warned about (naming its first line), or an error with `--strict`.
//! Without `__SEQNUM`, the sequence number comes from the cursor's `i=`.
//! Line numbers count every newline byte, including those inside binary
//! export values, so they match what an editor or `sed -n Np` shows.
//!
//! Limits: a single field value may be 64 MiB (a longer claimed length makes
//! the record malformed, nothing is allocated for it), a JSON line 128 MiB.
//!
//! Values journalctl left out as too large (`null` in JSON) are not invented:
//! the field is missing from the entry, and one warning counts them.

mod export;
mod input;
mod json;
mod record;
#[cfg(test)]
mod tests;

use std::fs::File;
use std::io::{self, Read};

use super::{
    Diagnostics, Entry, EntrySource, Filter, JournalError, SourceSpec, StreamInput, Strictness,
};
use export::ExportReader;
use input::{Compression, Format, LineReader};
use json::JsonReader;
use record::RecordBuilder;

/// How many of a record's values journalctl left out and this reader cut.
#[derive(Clone, Copy, Default)]
struct Left {
    omitted: u64,
    cut: u64,
}

/// One record of either format.
enum Record {
    /// An entry, and how many of its values journalctl left out and this
    /// reader cut.
    Entry(Entry, Left),
    /// A record that is not an entry; `line` is where it starts (1-based).
    Malformed { line: u64, reason: String },
}

impl Record {
    fn finish(line: u64, builder: RecordBuilder) -> Record {
        let left = Left {
            omitted: builder.omitted,
            cut: builder.cut,
        };
        match builder.finish() {
            Ok(entry) => Record::Entry(entry, left),
            Err(reason) => Record::Malformed { line, reason },
        }
    }
}

enum Parser {
    Json(JsonReader),
    Export(ExportReader),
}

/// Entries from a `journalctl -o json` or `-o export` stream.
pub struct StreamSource {
    what: String,
    filter: Filter,
    strictness: Strictness,
    diagnostics: Diagnostics,
    /// `None` for an input without a single non-blank byte.
    reader: Option<(LineReader, Parser)>,
    compression: Compression,
    /// Records that became entries, whether or not the filter took them.
    parsed: u64,
    /// Values left out by journalctl, and the warning that counts them.
    /// Field values left out or cut so far, and where their warnings are.
    left: Left,
    warnings_at: [Option<usize>; 2],
    done: bool,
}

impl StreamSource {
    /// Opens a file or standard input and reads enough to know its format.
    pub fn open(
        input: &StreamInput,
        filter: Filter,
        strictness: Strictness,
    ) -> Result<StreamSource, JournalError> {
        let what = SourceSpec::Stream(input.clone()).describe();
        match input {
            StreamInput::Stdin => {
                StreamSource::open_reader(Box::new(io::stdin()), what, "FILE", filter, strictness)
            }
            StreamInput::Path(path) => {
                let unreadable = |source| JournalError::Unreadable {
                    path: path.clone(),
                    source,
                };
                if path.is_dir() {
                    return Err(unreadable(io::Error::other(
                        "it is a directory; --input takes a journalctl -o json/export dump, -D takes a journal directory",
                    )));
                }
                let file = File::open(path).map_err(unreadable)?;
                let hint = path.display().to_string();
                StreamSource::open_reader(Box::new(file), what, &hint, filter, strictness)
            }
        }
    }

    /// Reads a stream from any reader; `what` names it in messages
    /// ("stream file dump.json").
    pub fn from_reader(
        reader: impl Read + Send + 'static,
        what: &str,
        filter: Filter,
        strictness: Strictness,
    ) -> Result<StreamSource, JournalError> {
        StreamSource::open_reader(
            Box::new(reader),
            what.to_string(),
            "FILE",
            filter,
            strictness,
        )
    }

    fn open_reader(
        raw: Box<dyn Read + Send>,
        what: String,
        file_hint: &str,
        filter: Filter,
        strictness: Strictness,
    ) -> Result<StreamSource, JournalError> {
        let opened = input::open_reader(raw, &what, file_hint)?;
        let reader = opened.format.map(|format| {
            let parser = match format {
                Format::Json => Parser::Json(JsonReader::new()),
                Format::Export => Parser::Export(ExportReader::new()),
            };
            (opened.reader, parser)
        });
        Ok(StreamSource {
            what,
            filter,
            strictness,
            diagnostics: Diagnostics::default(),
            reader,
            compression: opened.compression,
            parsed: 0,
            left: Left::default(),
            warnings_at: [None; 2],
            done: false,
        })
    }

    /// `Some("json")` or `Some("export")`; `None` for an empty input.
    pub fn format_name(&self) -> Option<&'static str> {
        self.reader.as_ref().map(|(_, parser)| match parser {
            Parser::Json(_) => "json",
            Parser::Export(_) => "export",
        })
    }

    /// The end of the input: an error if not a single entry was in it.
    fn end(&mut self) -> Result<Option<Entry>, JournalError> {
        self.done = true;
        self.reader = None;
        if self.parsed == 0 {
            return Err(JournalError::Empty {
                what: self.what.clone(),
                skipped: self.diagnostics.skipped,
            });
        }
        Ok(None)
    }

    /// Counts values left out or cut, in one warning each that grows with
    /// the count instead of one per entry.
    fn note_left(&mut self, left: Left) {
        self.left.omitted += left.omitted;
        self.left.cut += left.cut;
        let plural = |n: u64| if n == 1 { " was" } else { "s were" };
        let texts = [
            (self.left.omitted > 0).then(|| {
                format!(
                    "{}: {} field value{} left out by journalctl as too large (null in -o json); dump with journalctl --all to keep them",
                    self.what,
                    self.left.omitted,
                    plural(self.left.omitted)
                )
            }),
            (self.left.cut > 0).then(|| {
                format!(
                    "{}: {} field value{} longer than {} MiB, kept only in their first {} MiB (no finding reads that far into a value)",
                    self.what,
                    self.left.cut,
                    plural(self.left.cut),
                    record::FIELD_KEEP_BYTES >> 20,
                    record::FIELD_KEEP_BYTES >> 20
                )
            }),
        ];
        for (text, at) in texts.into_iter().zip(0..) {
            let Some(text) = text else { continue };
            match self.warnings_at[at] {
                Some(i) => {
                    if let Some(warning) = self.diagnostics.warnings.get_mut(i) {
                        *warning = text;
                    }
                }
                None => {
                    let before = self.diagnostics.warnings.len();
                    self.diagnostics.warn(text);
                    if self.diagnostics.warnings.len() > before
                        && self.diagnostics.warnings[before].starts_with(&self.what)
                    {
                        self.warnings_at[at] = Some(before);
                    }
                }
            }
        }
    }
}

impl EntrySource for StreamSource {
    fn next_entry(&mut self) -> Result<Option<Entry>, JournalError> {
        loop {
            if self.done {
                return Ok(None);
            }
            let Some((reader, parser)) = self.reader.as_mut() else {
                return self.end();
            };
            let record = match parser {
                Parser::Json(parser) => parser.next_record(reader),
                Parser::Export(parser) => parser.next_record(reader),
            };
            match record {
                Ok(None) => return self.end(),
                Ok(Some(Record::Entry(entry, left))) => {
                    self.parsed += 1;
                    if left.omitted > 0 || left.cut > 0 {
                        self.note_left(left);
                    }
                    if self.filter.accepts(&entry) {
                        self.diagnostics.entries_read += 1;
                        return Ok(Some(entry));
                    }
                }
                Ok(Some(Record::Malformed { line, reason })) => {
                    if self.strictness == Strictness::Strict {
                        self.done = true;
                        return Err(JournalError::Malformed {
                            what: self.what.clone(),
                            line,
                            reason,
                        });
                    }
                    self.diagnostics.skipped += 1;
                    self.diagnostics.warn(format!(
                        "{}, line {line}: skipped a damaged record: {reason}",
                        self.what
                    ));
                }
                Err(source) => {
                    let line = reader.line();
                    self.done = true;
                    self.reader = None;
                    let damaged = self.compression != Compression::Plain
                        && matches!(
                            source.kind(),
                            io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof
                        );
                    if damaged && self.strictness == Strictness::Lenient && self.parsed > 0 {
                        // A cut-off compressed dump: keep what came before.
                        self.diagnostics.warn(format!(
                            "{}: reading stopped near line {line}: {source}; the entries before it were read",
                            self.what
                        ));
                        return Ok(None);
                    }
                    return Err(JournalError::Io {
                        what: self.what.clone(),
                        source,
                    });
                }
            }
        }
    }

    fn diagnostics(&self) -> &Diagnostics {
        &self.diagnostics
    }
}
