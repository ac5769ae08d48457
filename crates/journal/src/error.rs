//! Errors of the read stage. Each says what was being read and what to do.

use std::fmt;
use std::path::PathBuf;

#[derive(Debug)]
pub enum JournalError {
    /// The path does not exist or cannot be opened.
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A directory or file set without a single journal file in it.
    NoJournalFiles { what: String },
    /// libsystemd refused to open or walk the journal.
    Libsystemd {
        what: String,
        source: std::io::Error,
    },
    /// A stream is neither `-o json` nor `-o export` output.
    UnknownFormat { what: String },
    /// A record of a stream could not be parsed and `--strict` was given.
    Malformed {
        what: String,
        line: u64,
        reason: String,
    },
    /// Reading failed midway (I/O or decompression).
    Io {
        what: String,
        source: std::io::Error,
    },
    /// The source was opened but held no readable entry at all.
    Empty { what: String, skipped: u64 },
    /// `--strict`, and files of the source cannot be read (each was named).
    Refused { what: String, files: usize },
    /// No file of the source can be read at all: why, for each.
    NoneReadable { why: Vec<String> },
}

impl fmt::Display for JournalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JournalError::Unreadable { path, source } => {
                let advice = match source.kind() {
                    std::io::ErrorKind::NotFound => "check the path",
                    std::io::ErrorKind::PermissionDenied => {
                        "journal files are readable by root and the systemd-journal group; run as one of them, or copy the files"
                    }
                    _ => "check the path and that you may read it",
                };
                write!(f, "cannot open {}: {source} ({advice})", path.display())
            }
            JournalError::NoJournalFiles { what } => write!(
                f,
                "no journal files (*.journal, *.journal~) in {what}; point -D at the directory that holds them, e.g. /var/log/journal/<machine-id>, or use --input for a journalctl -o json/export dump"
            ),
            JournalError::Libsystemd { what, source } => write!(
                f,
                "libsystemd could not read {what}: {source}. The file is truncated or damaged beyond what libsystemd reads: `journalctl --verify --file FILE` shows where; read the other files on their own with --file"
            ),
            JournalError::UnknownFormat { what } => write!(
                f,
                "{what} is not journalctl output: expected `journalctl -o json` (one JSON object per line) or `journalctl -o export`, optionally compressed with zstd, xz or gzip"
            ),
            JournalError::Malformed { what, line, reason } => write!(
                f,
                "{what}, line {line}: {reason} (--strict stops here; without it such records are skipped and counted)"
            ),
            JournalError::Io { what, source } => write!(f, "error reading {what}: {source}"),
            JournalError::Empty { what, skipped } if *skipped > 0 => write!(
                f,
                "nothing readable in {what}: {skipped} records were damaged and skipped"
            ),
            JournalError::Empty { what, .. } if what.starts_with("the local") => write!(
                f,
                "no journal entries in {what}: is journald storing to /var/log/journal, and may you read it (root or the systemd-journal group)? Or point at a copy with -D, --file or --input"
            ),
            JournalError::Empty { what, .. } => write!(
                f,
                "no journal entries in {what}: check that it is the right journal (a journal directory is /var/log/journal or one of its machine-id subdirectories)"
            ),
            JournalError::NoneReadable { why } => write!(f, "{}", why.join("; ")),
            JournalError::Refused { what, files } => write!(
                f,
                "{files} journal file(s) of {what} cannot be read, or only in part (named above), and --strict was given: drop --strict to read what can be read, or leave those files out with --file"
            ),
        }
    }
}

impl std::error::Error for JournalError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            JournalError::Unreadable { source, .. }
            | JournalError::Libsystemd { source, .. }
            | JournalError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
