//! Bytes in: opening the input, undoing compression (detected by magic bytes,
//! never by file name), telling the formats apart, and reading lines with a
//! bound on their length.

use std::fmt;
use std::io::{self, BufRead, BufReader, Cursor, Read};

use crate::JournalError;

/// The binary journal file signature (`journal-def.h`).
const JOURNAL_MAGIC: &[u8] = b"LPKSHHRH";
const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];
const XZ_MAGIC: &[u8] = &[0xfd, b'7', b'z', b'X', b'Z', 0x00];
const ZSTD_MAGIC: &[u8] = &[0x28, 0xb5, 0x2f, 0xfd];
const BZIP2_MAGIC: &[u8] = b"BZh";
const LZ4_MAGIC: &[u8] = &[0x04, 0x22, 0x4d, 0x18];

const BUFFER_BYTES: usize = 256 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Compression {
    Plain,
    Gzip,
    Xz,
    Zstd,
}

impl fmt::Display for Compression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Compression::Plain => "plain",
            Compression::Gzip => "gzip",
            Compression::Xz => "xz",
            Compression::Zstd => "zstd",
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Format {
    /// `journalctl -o json` (also `json-seq`, and `json-pretty`).
    Json,
    /// `journalctl -o export`.
    Export,
}

/// How a line read ended.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Line {
    /// Nothing left.
    Eof,
    /// A line including its `\n`.
    Complete,
    /// The last line of the input, without `\n`.
    Unterminated,
    /// Longer than the limit; skipped up to and including its `\n` (the
    /// buffer is left empty).
    TooLong,
}

/// A buffered reader that counts lines, so messages can name them.
pub(super) struct LineReader {
    inner: BufReader<Box<dyn Read + Send>>,
    /// `\n` bytes consumed so far: the next byte is on line `newlines + 1`.
    newlines: u64,
}

impl LineReader {
    /// The 1-based number of the line the next byte belongs to.
    pub(super) fn line(&self) -> u64 {
        self.newlines + 1
    }

    /// Reads one line into `buf` (cleared first), keeping at most `limit`
    /// bytes; a longer line is consumed and reported as [`Line::TooLong`].
    pub(super) fn read_line(&mut self, buf: &mut Vec<u8>, limit: usize) -> io::Result<Line> {
        buf.clear();
        let limit = limit as u64;
        let n = (&mut self.inner).take(limit + 1).read_until(b'\n', buf)?;
        if n == 0 {
            return Ok(Line::Eof);
        }
        if buf.last() == Some(&b'\n') {
            self.newlines += 1;
            return Ok(Line::Complete);
        }
        if n as u64 <= limit {
            return Ok(Line::Unterminated);
        }
        buf.clear();
        self.skip_line()?;
        Ok(Line::TooLong)
    }

    /// Consumes the rest of the current line (including `\n`).
    fn skip_line(&mut self) -> io::Result<()> {
        loop {
            let available = match self.inner.fill_buf() {
                Ok(available) => available,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                return Ok(());
            }
            match available.iter().position(|b| *b == b'\n') {
                Some(i) => {
                    self.inner.consume(i + 1);
                    self.newlines += 1;
                    return Ok(());
                }
                None => {
                    let n = available.len();
                    self.inner.consume(n);
                }
            }
        }
    }

    /// Appends exactly `n` bytes to `buf`, or fewer at the end of the input
    /// (the caller compares lengths). Memory grows with what is actually
    /// read, never with what a length field claims.
    pub(super) fn read_bytes(&mut self, n: u64, buf: &mut Vec<u8>) -> io::Result<usize> {
        let start = buf.len();
        let got = (&mut self.inner).take(n).read_to_end(buf)?;
        self.newlines += buf[start..].iter().filter(|b| **b == b'\n').count() as u64;
        Ok(got)
    }
}

/// What the first bytes say.
pub(super) struct Opened {
    pub(super) reader: LineReader,
    /// `None` when the input holds nothing but blank space.
    pub(super) format: Option<Format>,
    pub(super) compression: Compression,
}

/// Reads up to `n` bytes, fewer only at the end of the input.
fn read_prefix(reader: &mut dyn Read, n: usize) -> io::Result<Vec<u8>> {
    let mut prefix = Vec::with_capacity(n);
    reader.take(n as u64).read_to_end(&mut prefix)?;
    Ok(prefix)
}

/// Gives decompression errors words that say where they come from.
struct Decompressed<R> {
    inner: R,
    compression: Compression,
}

impl<R: Read> Read for Decompressed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).map_err(|e| {
            if e.kind() == io::ErrorKind::Interrupted {
                e
            } else {
                io::Error::new(
                    e.kind(),
                    format!("the {} data is damaged or cut short: {e}", self.compression),
                )
            }
        })
    }
}

fn is_blank(b: u8) -> bool {
    // 0x1E is json-seq's record separator.
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x1e)
}

/// Whether `head` (starting at the first non-blank byte) begins like an
/// export stream: a field name followed by `=` or a newline.
fn looks_like_export(head: &[u8]) -> bool {
    let name_len = head
        .iter()
        .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || **b == b'_')
        .count();
    (1..=64).contains(&name_len) && matches!(head.get(name_len), Some(b'=') | Some(b'\n'))
}

/// Opens `raw` for reading records. `what` names the input in messages;
/// `file_hint` is what to put after `--file` in advice.
pub(super) fn open_reader(
    mut raw: Box<dyn Read + Send>,
    what: &str,
    file_hint: &str,
) -> Result<Opened, JournalError> {
    let io_error = |source: io::Error| JournalError::Io {
        what: what.to_string(),
        source,
    };
    let unknown = |detail: String| JournalError::UnknownFormat {
        what: format!("{what} ({detail})"),
    };

    let magic = read_prefix(&mut raw, 8).map_err(io_error)?;
    if magic.starts_with(JOURNAL_MAGIC) {
        return Err(unknown(format!(
            "a binary journal file: read it with --file {file_hint}, or -D with its directory, instead of --input"
        )));
    }
    if magic.starts_with(BZIP2_MAGIC) || magic.starts_with(LZ4_MAGIC) {
        let kind = if magic.starts_with(LZ4_MAGIC) {
            "lz4"
        } else {
            "bzip2"
        };
        return Err(unknown(format!(
            "{kind}-compressed, which is not supported: decompress it first or recompress with zstd, xz or gzip"
        )));
    }
    let compression = if magic.starts_with(GZIP_MAGIC) {
        Compression::Gzip
    } else if magic.starts_with(XZ_MAGIC) {
        Compression::Xz
    } else if magic.starts_with(ZSTD_MAGIC) {
        Compression::Zstd
    } else {
        Compression::Plain
    };
    let source = Cursor::new(magic).chain(raw);
    let mut decoded: Box<dyn Read + Send> = match compression {
        Compression::Plain => Box::new(source),
        Compression::Gzip => Box::new(Decompressed {
            inner: flate2::read::MultiGzDecoder::new(source),
            compression,
        }),
        Compression::Xz => Box::new(Decompressed {
            inner: xz2::read::XzDecoder::new_multi_decoder(source),
            compression,
        }),
        Compression::Zstd => Box::new(Decompressed {
            inner: zstd::stream::read::Decoder::new(source).map_err(io_error)?,
            compression,
        }),
    };

    // Skip leading blank space (counting its lines), then keep the start of
    // the first line for a look.
    let mut head: Vec<u8> = Vec::new();
    let mut newlines = 0u64;
    let mut found = false;
    let mut chunk = vec![0u8; 8192];
    let mut first_read = true;
    loop {
        let n = match decoded.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_error(e)),
        };
        if n == 0 {
            break;
        }
        let mut bytes = &chunk[..n];
        if first_read {
            first_read = false;
            bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        }
        if !found {
            match bytes.iter().position(|b| !is_blank(*b)) {
                Some(i) => {
                    newlines += bytes[..i].iter().filter(|b| **b == b'\n').count() as u64;
                    bytes = &bytes[i..];
                    found = true;
                }
                None => {
                    newlines += bytes.iter().filter(|b| **b == b'\n').count() as u64;
                    continue;
                }
            }
        }
        head.extend_from_slice(bytes);
        if head.contains(&b'\n') || head.len() >= 128 {
            break;
        }
    }

    let format = if head.is_empty() {
        None
    } else if head.starts_with(JOURNAL_MAGIC) {
        return Err(unknown(format!(
            "a {compression}-compressed binary journal file: read it with --file {file_hint} (a .zst, .xz or .gz name is unpacked), or -D with its directory, instead of --input"
        )));
    } else if head[0] == b'{' {
        Some(Format::Json)
    } else if looks_like_export(&head) {
        Some(Format::Export)
    } else {
        let detail = if compression == Compression::Plain {
            format!("it starts with {}", super::record::show(&head))
        } else {
            format!(
                "{compression}-compressed data that starts with {}",
                super::record::show(&head)
            )
        };
        return Err(unknown(detail));
    };

    let inner: Box<dyn Read + Send> = Box::new(Cursor::new(head).chain(decoded));
    Ok(Opened {
        reader: LineReader {
            inner: BufReader::with_capacity(BUFFER_BYTES, inner),
            newlines,
        },
        format,
        compression,
    })
}
