//! Reading journals: the first stage of the pipeline.
//!
//! Every source — the binary journal through libsystemd, or a `journalctl -o
//! json`/`-o export` stream written elsewhere — yields the same [`Entry`], one
//! at a time, so no stage ever holds a whole journal in memory. Later stages
//! never know where entries came from.
//!
//! Damage is not fatal: a source skips what it cannot read, counts it in its
//! [`Diagnostics`], and only fails when nothing at all could be read.

mod entry;
mod error;
mod files;
mod filter;
mod headers;
mod hosts;
mod isolated;
pub mod libsystemd;
mod listing;
mod outline;
mod prepared;
mod scratch;
pub mod stream;
mod tail;
pub mod trace;
mod walk;
mod wire;

pub use entry::{Entry, Id128};
pub use error::JournalError;
pub use filter::{Fields, Filter, Match, Place, Position};
pub use headers::{BootHeaders, HeaderMark, HeaderScan, SeqRuns, cursor_part};
pub use hosts::Parts;
pub use isolated::{READER_ARG, READER_ENV, serve_if_asked, set_reader_program};
pub use outline::{BootSpan, Outline};

use std::path::PathBuf;
use std::sync::Arc;

/// Where entries come from, in journalctl's vocabulary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceSpec {
    /// The local system journal, as plain `journalctl` reads it.
    Local,
    /// `-D/--directory DIR`: every journal file in DIR (and machine-id subdirectories).
    Directory(PathBuf),
    /// `--file PATH`: these files only (globs already expanded).
    Files(Vec<PathBuf>),
    /// `--root ROOT`: the journal directories below an OS tree.
    Root(PathBuf),
    /// `--input FILE|-`: a `journalctl -o json` or `-o export` stream, maybe compressed.
    Stream(StreamInput),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StreamInput {
    Stdin,
    Path(PathBuf),
}

impl SourceSpec {
    /// Words for messages: "journal files in /var/log/journal".
    pub fn describe(&self) -> String {
        match self {
            SourceSpec::Local => "the local system journal".to_string(),
            SourceSpec::Directory(d) => format!("journal directory {}", d.display()),
            SourceSpec::Files(f) if f.len() == 1 => format!("journal file {}", f[0].display()),
            SourceSpec::Files(f) => format!("{} journal files", f.len()),
            SourceSpec::Root(r) => format!("the journal of the OS tree at {}", r.display()),
            SourceSpec::Stream(StreamInput::Stdin) => "the stream on standard input".to_string(),
            SourceSpec::Stream(StreamInput::Path(p)) => format!("stream file {}", p.display()),
        }
    }
}

/// How strict a source is about damaged input.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Strictness {
    /// Skip what cannot be read, count it and warn (the default).
    #[default]
    Lenient,
    /// Fail at the first malformed record (`--strict`).
    Strict,
}

/// What a source noticed while reading: the numbers behind a warning.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics {
    pub entries_read: u64,
    /// Records that could not be parsed and were skipped.
    pub skipped: u64,
    /// One line each, naming the file, line or cursor.
    pub warnings: Vec<String>,
}

impl Diagnostics {
    /// Keeps the first warnings of each kind and counts the rest, so a badly
    /// damaged file does not flood the terminal.
    pub fn warn(&mut self, message: String) {
        const KEEP: usize = 20;
        if self.warnings.len() < KEEP {
            self.warnings.push(message);
        } else if self.warnings.len() == KEEP {
            self.warnings
                .push("further warnings suppressed".to_string());
        }
    }
}

/// A stream of entries in journal order.
pub trait EntrySource {
    /// The next entry that passes the filter, or `None` at the end.
    fn next_entry(&mut self) -> Result<Option<Entry>, JournalError>;
    /// What was read and skipped so far.
    fn diagnostics(&self) -> &Diagnostics;
}

/// A journal made ready to be read, as often as a command needs: paths
/// checked and compressed files unpacked once, standard input spooled to a
/// temporary file so it can be read more than once.
pub struct Journal {
    ready: Ready,
    /// Set when the files' index was caught disagreeing with their entries
    /// (see [`Journal::distrust_index`]): every read then walks the entries.
    index_distrusted: std::sync::atomic::AtomicBool,
    /// The files read, their description and the boots each holds, for
    /// narrowing the journal to one host's files (see `hosts.rs`).
    files: hosts::Files,
}

enum Ready {
    Libsystemd(Arc<isolated::Readers>),
    Stream {
        input: StreamInput,
        /// Standard input, spooled: read from this file, named as stdin.
        spool: Option<tempfile::NamedTempFile>,
    },
}

impl Journal {
    pub fn prepare(spec: &SourceSpec) -> Result<Journal, JournalError> {
        let mut files = hosts::Files::default();
        let ready = match spec {
            SourceSpec::Stream(StreamInput::Stdin) => {
                let io_err = |source| JournalError::Io {
                    what: spec.describe(),
                    source,
                };
                let mut spool = scratch::file().map_err(io_err)?;
                std::io::copy(&mut std::io::stdin().lock(), spool.as_file_mut()).map_err(io_err)?;
                Ready::Stream {
                    input: StreamInput::Stdin,
                    spool: Some(spool),
                }
            }
            SourceSpec::Stream(input) => Ready::Stream {
                input: input.clone(),
                spool: None,
            },
            other => {
                let prepared = libsystemd::prepare(other)?;
                files = hosts::Files::of(&prepared);
                Ready::Libsystemd(Arc::new(isolated::Readers::new(prepared)))
            }
        };
        Ok(Journal {
            ready,
            index_distrusted: Default::default(),
            files,
        })
    }

    /// What of the source cannot be read at all, one line each naming the
    /// file and what it held: every answer lacks it, so every answer says so.
    pub fn damage(&self) -> &[String] {
        match &self.ready {
            Ready::Libsystemd(readers) => readers.damage(),
            Ready::Stream { .. } => &[],
        }
    }

    /// Starts looking for [`Journal::damage`] beside the reads that come
    /// first; asking for the damage waits for the look to end.
    pub fn look_for_damage_in_background(&self) {
        if let Ready::Libsystemd(readers) = &self.ready {
            readers.look_for_damage_in_background();
        }
    }

    /// The files whose own index was found missing their entries (see
    /// [`Journal::damage`]): what a distrusted index is blamed on.
    pub fn index_misses(&self) -> &[String] {
        match &self.ready {
            Ready::Libsystemd(readers) => readers.index_misses(),
            Ready::Stream { .. } => &[],
        }
    }

    /// True when matches and seeks are answered from the files' indexes
    /// (libsystemd), so several narrow reads beat one full one.
    pub fn indexed(&self) -> bool {
        matches!(self.ready, Ready::Libsystemd(_)) && !self.index_is_distrusted()
    }

    /// From now on, reads walk every entry and keep what the filter accepts,
    /// instead of asking the files' index: it was caught missing entries
    /// the files hold (a damaged hash table, a zeroed file id makes every
    /// lookup miss). libsystemd looks up through the same index, so it is
    /// no way out; a walk is slower and right.
    pub fn distrust_index(&self) {
        self.index_distrusted
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    fn index_is_distrusted(&self) -> bool {
        self.index_distrusted
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Opens a reader with `filter` applied as early as the source allows
    /// (indexed matches for libsystemd, a check per record for streams).
    pub fn open(
        &self,
        filter: &Filter,
        strictness: Strictness,
    ) -> Result<Box<dyn EntrySource>, JournalError> {
        match &self.ready {
            Ready::Libsystemd(readers)
                if self.index_is_distrusted() && !filter.selects_everything() =>
            {
                // Only the time bounds go to the reader: no index lookup.
                let walk = Filter {
                    since_usec: filter.since_usec,
                    until_usec: filter.until_usec,
                    ..Filter::all()
                };
                let source: Box<dyn EntrySource> = Box::new(walk::Accepting::new(
                    readers.open(&walk)?,
                    Filter {
                        last: None,
                        ..filter.clone()
                    },
                ));
                Ok(match filter.last {
                    Some(n) if filter.last_per_boot => {
                        Box::new(tail::LastN::per_boot(source, n, filter.boots.clone()))
                    }
                    Some(n) => Box::new(tail::LastN::new(source, n)),
                    None => source,
                })
            }
            Ready::Libsystemd(readers) => readers.open(filter),
            Ready::Stream { input, spool } => {
                let source: Box<dyn EntrySource> = Box::new(match spool {
                    // Messages name standard input, not the spool file.
                    Some(spool) => {
                        let what = SourceSpec::Stream(input.clone()).describe();
                        let file = spool.reopen().map_err(|source| JournalError::Io {
                            what: what.clone(),
                            source,
                        })?;
                        stream::StreamSource::from_reader(file, &what, filter.clone(), strictness)?
                    }
                    None => stream::StreamSource::open(input, filter.clone(), strictness)?,
                });
                Ok(match filter.last {
                    Some(n) if filter.last_per_boot => {
                        Box::new(tail::LastN::per_boot(source, n, filter.boots.clone()))
                    }
                    Some(n) => Box::new(tail::LastN::new(source, n)),
                    None => source,
                })
            }
        }
    }
}

impl Journal {
    /// What the index alone tells of the boots under `filter` (see
    /// [`Outline`]); `None` for streams and whenever the files cannot say.
    pub fn outline(&self, filter: &Filter) -> Option<Outline> {
        match &self.ready {
            Ready::Libsystemd(_) if self.index_is_distrusted() => None,
            Ready::Libsystemd(readers) => readers.outline(filter),
            Ready::Stream { .. } => None,
        }
    }

    /// Every boot's header sums under `filter` (its fields setting is
    /// ignored), and what the read noticed. A reader process sends only the
    /// sums; a stream is read whole.
    pub fn boot_headers(
        &self,
        filter: &Filter,
        strictness: Strictness,
    ) -> Result<(Vec<BootHeaders>, Diagnostics), JournalError> {
        let filter = Filter {
            fields: Fields::HeaderOnly,
            ..filter.clone()
        };
        if let Ready::Libsystemd(readers) = &self.ready
            && (!self.index_is_distrusted() || filter.boots.is_empty())
        {
            return readers.boot_headers(&filter);
        }
        let mut source = self.open(&filter, strictness)?;
        let mut scan = HeaderScan::default();
        for_each_entry(source.as_mut(), |e| scan.observe(&e))?;
        Ok((scan.finish(), source.diagnostics().clone()))
    }
}

/// Opens `spec` once with `filter`; see [`Journal`] to read it several times.
pub fn open(
    spec: &SourceSpec,
    filter: &Filter,
    strictness: Strictness,
) -> Result<Box<dyn EntrySource>, JournalError> {
    Journal::prepare(spec)?.open_owned(filter, strictness)
}

impl Journal {
    /// Like [`Journal::open`], for a journal used only once.
    fn open_owned(
        self,
        filter: &Filter,
        strictness: Strictness,
    ) -> Result<Box<dyn EntrySource>, JournalError> {
        struct Owning {
            source: Box<dyn EntrySource>,
            _journal: Journal,
        }
        impl EntrySource for Owning {
            fn next_entry(&mut self) -> Result<Option<Entry>, JournalError> {
                self.source.next_entry()
            }
            fn diagnostics(&self) -> &Diagnostics {
                self.source.diagnostics()
            }
        }
        let source = self.open(filter, strictness)?;
        Ok(Box::new(Owning {
            source,
            _journal: self,
        }))
    }
}

/// Reads every entry of `source` into `visit`; the error names the source.
/// Fails only when the source itself fails, never for skipped records.
pub fn for_each_entry(
    source: &mut dyn EntrySource,
    mut visit: impl FnMut(Entry),
) -> Result<(), JournalError> {
    while let Some(entry) = source.next_entry()? {
        visit(entry);
    }
    Ok(())
}
