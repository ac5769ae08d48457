//! Binary journal files, read through libsystemd (the `systemd` crate).
//!
//! libsystemd is the reference reader: it merges files, copes with rotation,
//! compression, keyed hashes and damage exactly as journalctl does, and its
//! matches use the files' indexes. We read every field as bytes through
//! `sd_journal_enumerate_data()`; the crate's `next_entry()` would decode values
//! lossily and drop the cursor and timestamps.
//!
//! Journal files that come zstd/xz/gzip-compressed (as attachments and our test
//! fixtures do) are unpacked into a private temporary directory first; the
//! originals are only ever read.

use std::io::Read;
use std::path::{Path, PathBuf};

use systemd::journal::{Journal, OpenDirectoryOptions, OpenFilesOptions, OpenOptions};

use super::filter::checked_per_entry;
use super::{
    Diagnostics, Entry, EntrySource, Fields, Filter, Id128, JournalError, Match, SourceSpec, wire,
};

/// Consecutive read errors after which a damaged file set is given up.
const MAX_CONSECUTIVE_ERRORS: u32 = 64;

pub struct LibsystemdSource {
    journal: Journal,
    filter: Filter,
    what: String,
    diagnostics: Diagnostics,
    consecutive_errors: u32,
    finished: bool,
    /// For `Filter::last`: positioned on an entry not yet returned.
    at_unread_entry: bool,
    /// For `Filter::last_per_boot`: the boots whose tails are still to read.
    pending_boots: std::collections::VecDeque<Id128>,
    /// The filter has prefix terms, which libsystemd cannot match: every
    /// field is read and each entry checked against the whole filter.
    checks_entries: bool,
    /// Keeps unpacked copies alive for as long as libsystemd reads them.
    _prepared: Prepared,
}

/// A journal source checked and made ready: paths verified, compressed
/// files unpacked, the files listed as libsystemd lists them and those
/// being written snapshotted for the index reader. Opening happens
/// separately so that it can be done in a child process (see `isolated.rs`).
pub struct Prepared {
    /// What libsystemd opens, by its own rules.
    target: Target,
    /// What the index reader (`files/`) maps: the same files, listed by
    /// `listing.rs`; `None` when they could not be made safe to map.
    index: Option<super::files::Paths>,
    pub what: String,
    _unpacked: Option<tempfile::TempDir>,
    _snapshots: Option<tempfile::TempDir>,
    /// Files libsystemd will leave out, one line each for people: which,
    /// why, and what they held (see [`super::files::refusal`]).
    pub refused: Vec<String>,
}

#[derive(Clone)]
enum Target {
    Local,
    Directory(PathBuf),
    Root(PathBuf),
    Files(Vec<PathBuf>),
}

/// Checks the paths of `spec`, unpacks compressed journal files and lists
/// the files to read, so that every user error is found before any reader
/// is involved.
pub fn prepare(spec: &SourceSpec) -> Result<Prepared, JournalError> {
    use super::listing::{Scope, journal_files};
    let what = spec.describe();
    let found = match spec {
        SourceSpec::Local => journal_files(Scope::Local),
        SourceSpec::Directory(dir) => {
            let sorted = journal_files_in(dir, &what)?;
            if sorted.iter().any(|f| compression_of(f).is_some()) {
                // Unpacked copies, opened as files in this order.
                sorted
            } else {
                journal_files(Scope::Directory(dir))
            }
        }
        SourceSpec::Root(root) => {
            if !root.is_dir() {
                return Err(JournalError::Unreadable {
                    path: root.clone(),
                    source: std::io::Error::new(std::io::ErrorKind::NotFound, "not a directory"),
                });
            }
            let files = journal_files(Scope::Root(root));
            if files.is_empty() {
                return Err(JournalError::NoJournalFiles {
                    what: format!("{}/var/log/journal or /run/log/journal", root.display()),
                });
            }
            files
        }
        SourceSpec::Files(files) => {
            for f in files {
                std::fs::metadata(f).map_err(|source| JournalError::Unreadable {
                    path: f.clone(),
                    source,
                })?;
            }
            if files.is_empty() {
                return Err(JournalError::NoJournalFiles { what });
            }
            files.clone()
        }
        SourceSpec::Stream(_) => unreachable!("streams are read by journal::stream"),
    };
    let mut prepared = Prepared {
        target: match spec {
            SourceSpec::Local => Target::Local,
            SourceSpec::Directory(dir) => Target::Directory(dir.clone()),
            SourceSpec::Root(root) => Target::Root(root.clone()),
            _ => Target::Files(found.clone()),
        },
        index: None,
        what,
        _unpacked: None,
        _snapshots: None,
        refused: Vec::new(),
    };
    if found.iter().any(|f| compression_of(f).is_some()) {
        let (tmp, paths) = unpack_all(&found, &prepared.what)?;
        prepared.refused = refused_files(&found, &paths);
        prepared.target = Target::Files(paths.clone());
        prepared._unpacked = Some(tmp);
        let readable = readable_ones(&paths);
        prepared.index = Some(super::files::Paths::Files(readable));
    } else {
        prepared.refused = refused_files(&found, &found);
        prepared.index = prepared.settle(&found);
    }
    if !prepared.refused.is_empty() && prepared.refused.len() == found.len() {
        // Nothing left to read: the reasons are the error.
        return Err(JournalError::NoneReadable {
            why: prepared.refused,
        });
    }
    Ok(prepared)
}

/// The files of `paths` libsystemd does not refuse outright: the index
/// reader leaves out what libsystemd leaves out, instead of declining all.
fn readable_ones(paths: &[PathBuf]) -> Vec<PathBuf> {
    paths
        .iter()
        .filter(|p| super::files::refusal(p).is_none())
        .cloned()
        .collect()
}

impl Prepared {
    /// The files as found, made safe to map: archived files as they are,
    /// a private snapshot of every other one (see `files/snapshot.rs`).
    /// `None`, said in the trace, when one of them cannot be read or copied.
    fn settle(&mut self, found: &[PathBuf]) -> Option<super::files::Paths> {
        use super::files::{Found, State};
        let mut out = Vec::new();
        let mut copied = 0u64;
        let started = std::time::Instant::now();
        for (i, path) in readable_ones(found).into_iter().enumerate() {
            let fail = |e: std::io::Error| {
                super::trace::say(&format!(
                    "{}: libsystemd reads every file: {} cannot be snapshotted ({e})",
                    self.what,
                    path.display()
                ));
            };
            let state = std::fs::File::open(&path).and_then(|mut f| super::files::state(&mut f));
            match state {
                Err(e) => {
                    fail(e);
                    return None;
                }
                Ok(State::Settled | State::NotJournal) => out.push(Found {
                    path,
                    snapshot: false,
                }),
                Ok(State::Live) => {
                    if self._snapshots.is_none() {
                        match super::scratch::dir() {
                            Ok(d) => self._snapshots = Some(d),
                            Err(e) => {
                                fail(e);
                                return None;
                            }
                        }
                    }
                    let dir = self._snapshots.as_ref()?.path();
                    match super::files::take_snapshot(&path, dir, i) {
                        Ok((copy, bytes)) => {
                            copied += bytes;
                            out.push(Found {
                                path: copy,
                                snapshot: true,
                            });
                        }
                        Err(e) => {
                            fail(e);
                            return None;
                        }
                    }
                }
            }
        }
        if copied > 0 {
            super::trace::say(&format!(
                "{}: snapshotted the files being written: {} MiB in {} ms",
                self.what,
                copied >> 20,
                started.elapsed().as_millis()
            ));
        }
        Some(super::files::Paths::Found(out))
    }
}

/// What libsystemd will leave out of `read` (the files as opened; `named`,
/// the same files as the user named them, maybe compressed): the lines
/// that say so, naming each file and what it held.
fn refused_files(named: &[PathBuf], read: &[PathBuf]) -> Vec<String> {
    use crate::present::time::rfc3339;
    named
        .iter()
        .zip(read)
        .filter_map(|(name, path)| {
            let refusal = super::files::refusal(path)?;
            let lost = match refusal.held {
                Some(h) => format!(
                    "its header says it held {} entries from {} to {} (sequence numbers {} to {}; its last boot {})",
                    h.entries,
                    rfc3339(h.first_realtime_usec),
                    rfc3339(h.last_realtime_usec),
                    h.first_seqnum,
                    h.last_seqnum,
                    h.last_boot.short()
                ),
                None => "what it held is unknown".to_string(),
            };
            Some(format!(
                "journal file {} is {}: left out, as journalctl leaves it out; {lost}",
                name.display(),
                refusal.reason
            ))
        })
        .collect()
}

impl Prepared {
    /// The files the index reader maps (`files/`), listed as libsystemd
    /// lists them; `None` when they could not be made safe to map.
    pub fn paths(&self) -> Option<super::files::Paths> {
        self.index.clone()
    }

    /// The same source for a reader that must not delete the unpacked copies
    /// their owner still holds.
    pub fn copy_for_child(&self) -> Prepared {
        Prepared {
            target: self.target.clone(),
            index: self.index.clone(),
            what: self.what.clone(),
            _unpacked: None,
            _snapshots: None,
            refused: Vec::new(),
        }
    }

    /// What a reader process needs to open the same files (see
    /// [`Prepared::decode`]); unpacked copies stay owned here.
    pub fn encode(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        use std::os::unix::ffi::OsStrExt;
        let (kind, paths): (u8, Vec<&Path>) = match &self.target {
            Target::Local => (0, vec![]),
            Target::Directory(d) => (1, vec![d]),
            Target::Root(r) => (2, vec![r]),
            Target::Files(f) => (3, f.iter().map(PathBuf::as_path).collect()),
        };
        out.write_all(&[kind])?;
        wire::write_bytes(out, self.what.as_bytes())?;
        wire::write_u64(out, paths.len() as u64)?;
        for p in paths {
            wire::write_bytes(out, p.as_os_str().as_bytes())?;
        }
        // The index reader's files: none (u64::MAX), private, or found.
        let (kind, files): (u64, Vec<(&Path, bool)>) = match &self.index {
            None => (u64::MAX, vec![]),
            Some(super::files::Paths::Files(f)) => {
                (0, f.iter().map(|p| (p.as_path(), false)).collect())
            }
            Some(super::files::Paths::Found(f)) => (
                1,
                f.iter().map(|f| (f.path.as_path(), f.snapshot)).collect(),
            ),
        };
        wire::write_u64(out, kind)?;
        wire::write_u64(out, files.len() as u64)?;
        for (p, snapshot) in files {
            out.write_all(&[u8::from(snapshot)])?;
            wire::write_bytes(out, p.as_os_str().as_bytes())?;
        }
        Ok(())
    }

    pub fn decode(r: &mut impl Read) -> std::io::Result<Prepared> {
        use std::os::unix::ffi::OsStringExt;
        let kind = wire::read_u8(r)?;
        let what = wire::read_string(r)?;
        let mut paths = Vec::new();
        for _ in 0..wire::read_u64(r)? {
            paths.push(PathBuf::from(std::ffi::OsString::from_vec(
                wire::read_bytes(r)?,
            )));
        }
        let one = |paths: &mut Vec<PathBuf>| {
            paths
                .pop()
                .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::InvalidData))
        };
        let target = match kind {
            0 => Target::Local,
            1 => Target::Directory(one(&mut paths)?),
            2 => Target::Root(one(&mut paths)?),
            3 => Target::Files(paths),
            _ => return Err(std::io::ErrorKind::InvalidData.into()),
        };
        let index_kind = wire::read_u64(r)?;
        let mut found = Vec::new();
        for _ in 0..wire::read_u64(r)? {
            let snapshot = wire::read_u8(r)? != 0;
            let path = PathBuf::from(std::ffi::OsString::from_vec(wire::read_bytes(r)?));
            found.push(super::files::Found { path, snapshot });
        }
        let index = match index_kind {
            u64::MAX => None,
            0 => Some(super::files::Paths::Files(
                found.into_iter().map(|f| f.path).collect(),
            )),
            1 => Some(super::files::Paths::Found(found)),
            _ => return Err(std::io::ErrorKind::InvalidData.into()),
        };
        Ok(Prepared {
            target,
            index,
            what,
            _unpacked: None,
            _snapshots: None,
            refused: Vec::new(),
        })
    }
}

impl LibsystemdSource {
    /// Opens a prepared source in this process.
    pub fn open(prepared: Prepared, filter: Filter) -> Result<LibsystemdSource, JournalError> {
        let what = prepared.what.clone();
        let err = |source| libsystemd_error(&what, source);
        let journal = match &prepared.target {
            Target::Local => OpenOptions::default()
                .local_only(true)
                .open()
                .map_err(err)?,
            Target::Directory(dir) => OpenDirectoryOptions::default()
                .open_directory(path_str(dir, &what)?)
                .map_err(err)?,
            Target::Root(root) => OpenDirectoryOptions::default()
                .os_root(true)
                .open_directory(path_str(root, &what)?)
                .map_err(err)?,
            Target::Files(files) => open_files(files, &what)?,
        };
        let mut filter = filter;
        let filter_has_prefix = filter.has_prefix_terms();
        let mut pending_boots = std::collections::VecDeque::new();
        if filter.last_per_boot && filter.last.is_some() && filter.boots.len() > 1 {
            pending_boots.extend(filter.boots.drain(1..));
        }
        let mut source = LibsystemdSource {
            journal,
            filter,
            what,
            diagnostics: Diagnostics::default(),
            consecutive_errors: 0,
            finished: false,
            at_unread_entry: false,
            pending_boots,
            checks_entries: filter_has_prefix,
            _prepared: prepared,
        };
        source.add_matches()?;
        if let Some(n) = source.filter.last {
            source.seek_to_last(n)?;
        }
        Ok(source)
    }

    /// Translates the filter into libsystemd matches: groups are ORed, and
    /// the boot restriction is ANDed onto the whole expression.
    fn add_matches(&mut self) -> Result<(), JournalError> {
        let what = self.what.clone();
        let j = &mut self.journal;
        let err = |source: systemd::Error| libsystemd_error(&what, source);
        // A field with a prefix term is left out of its group's matches and
        // checked on each entry read (`next_in_boot`); a group left without
        // terms would select everything, and so the groups are not matched.
        let groups: Vec<Vec<&Match>> = self
            .filter
            .any_of
            .iter()
            .map(|group| {
                group
                    .iter()
                    .filter(|m| !checked_per_entry(group, &m.field))
                    .collect()
            })
            .collect();
        let matched_groups = !groups.is_empty() && groups.iter().all(|g| !g.is_empty());
        for (i, group) in groups.iter().enumerate().filter(|_| matched_groups) {
            if i > 0 {
                j.match_or().map_err(err)?;
            }
            for m in group {
                j.match_add(&m.field, m.value.clone()).map_err(err)?;
            }
        }
        if !self.filter.boots.is_empty() {
            if matched_groups {
                j.match_and().map_err(err)?;
            }
            for boot in &self.filter.boots {
                j.match_add("_BOOT_ID", boot.to_string()).map_err(err)?;
            }
        }
        Ok(())
    }

    /// Positions the reader on the n-th entry from the end, so reading on
    /// yields the last n entries in order.
    fn seek_to_last(&mut self, n: usize) -> Result<(), JournalError> {
        let what = self.what.clone();
        self.journal
            .seek_tail()
            .map_err(|e| libsystemd_error(&what, e))?;
        let moved = self
            .journal
            .previous_skip(n as u64)
            .map_err(|e| libsystemd_error(&what, e))?;
        if moved == 0 {
            self.finished = true;
        } else {
            self.at_unread_entry = true;
        }
        Ok(())
    }

    fn read_current(&mut self) -> Result<Entry, systemd::Error> {
        let realtime = self.journal.timestamp_usec()?;
        let (monotonic, boot) = self.journal.monotonic_timestamp()?;
        let cursor = self.journal.cursor()?;
        let mut entry = Entry::new(realtime, Id128(*boot.as_bytes()));
        entry.monotonic_usec = Some(monotonic);
        entry.seqnum = super::headers::cursor_seqnum(&cursor);
        entry.cursor = cursor;
        // Prefix terms are checked on every field; the rest is dropped then.
        let check = self.checks_entries;
        if self.filter.fields == Fields::HeaderOnly && !check {
            return Ok(entry);
        }
        self.journal.restart_data();
        let mut position = 0;
        while let Some(field) = self.journal.enumerate_data()? {
            let data = field.data();
            match data.iter().position(|b| *b == b'=') {
                Some(eq) => match std::str::from_utf8(&data[..eq]) {
                    Ok(name) => {
                        if check || self.filter.fields.keeps(position, name) {
                            entry.push_field(name, &data[eq + 1..]);
                        }
                        position += 1;
                    }
                    Err(_) => continue,
                },
                None => continue,
            }
        }
        Ok(entry)
    }
}

impl LibsystemdSource {
    /// `Filter::last_per_boot`: when one boot's tail is read, match the next
    /// boot and seek to its tail. False when no boot is left.
    fn next_boot_tail(&mut self) -> Result<bool, JournalError> {
        while let Some(boot) = self.pending_boots.pop_front() {
            self.journal
                .match_flush()
                .map_err(|e| libsystemd_error(&self.what, e))?;
            self.filter.boots = vec![boot];
            self.add_matches()?;
            self.finished = false;
            self.seek_to_last(self.filter.last.unwrap_or(0))?;
            if !self.finished {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

impl EntrySource for LibsystemdSource {
    fn next_entry(&mut self) -> Result<Option<Entry>, JournalError> {
        loop {
            if let Some(entry) = self.next_in_boot()? {
                return Ok(Some(entry));
            }
            if !self.next_boot_tail()? {
                break;
            }
        }
        if self.diagnostics.entries_read == 0 && self.filter.selects_everything() {
            return Err(JournalError::Empty {
                what: self.what.clone(),
                skipped: self.diagnostics.skipped,
            });
        }
        Ok(None)
    }

    fn diagnostics(&self) -> &Diagnostics {
        &self.diagnostics
    }
}

impl LibsystemdSource {
    /// The next entry under the current matches, if any.
    fn next_in_boot(&mut self) -> Result<Option<Entry>, JournalError> {
        while !self.finished {
            let step = if std::mem::take(&mut self.at_unread_entry) {
                Ok(1)
            } else {
                self.journal.next()
            };
            match step {
                Ok(0) => self.finished = true,
                Ok(_) => match self.read_current() {
                    Ok(mut entry) => {
                        self.consecutive_errors = 0;
                        let wanted = if self.checks_entries {
                            let ok = self.filter.accepts(&entry);
                            entry.retain_fields(|position, name| {
                                self.filter.fields.keeps(position, name)
                            });
                            ok
                        } else {
                            self.filter.accepts_time(entry.realtime_usec)
                        };
                        if wanted {
                            self.diagnostics.entries_read += 1;
                            return Ok(Some(entry));
                        }
                    }
                    Err(e) => self.note_error(e),
                },
                Err(e) => self.note_error(e),
            }
        }
        Ok(None)
    }
}

impl LibsystemdSource {
    /// A damaged entry is skipped; a run of them means the rest is unreadable.
    fn note_error(&mut self, error: systemd::Error) {
        self.diagnostics.skipped += 1;
        self.consecutive_errors += 1;
        self.diagnostics.warn(format!(
            "{}: skipped an unreadable entry after {} good ones: {error}",
            self.what, self.diagnostics.entries_read
        ));
        if self.consecutive_errors >= MAX_CONSECUTIVE_ERRORS {
            self.diagnostics.warn(format!(
                "{}: gave up after {MAX_CONSECUTIVE_ERRORS} unreadable entries in a row; the rest of the file is damaged",
                self.what
            ));
            self.finished = true;
        }
    }
}

fn libsystemd_error(what: &str, source: systemd::Error) -> JournalError {
    JournalError::Libsystemd {
        what: what.to_string(),
        source: source.into(),
    }
}

fn path_str<'a>(path: &'a Path, what: &str) -> Result<&'a str, JournalError> {
    path.to_str().ok_or_else(|| JournalError::Unreadable {
        path: path.to_path_buf(),
        source: std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("{what}: path is not valid UTF-8"),
        ),
    })
}

fn open_files(files: &[PathBuf], what: &str) -> Result<Journal, JournalError> {
    let names = files
        .iter()
        .map(|f| path_str(f, what))
        .collect::<Result<Vec<_>, _>>()?;
    OpenFilesOptions::default()
        .open_files(names)
        .map_err(|source| libsystemd_error(what, source))
}

#[derive(Clone, Copy)]
enum Compression {
    Zstd,
    Xz,
    Gzip,
}

fn compression_of(path: &Path) -> Option<Compression> {
    match path.extension().and_then(|e| e.to_str()) {
        Some("zst") => Some(Compression::Zstd),
        Some("xz") => Some(Compression::Xz),
        Some("gz") => Some(Compression::Gzip),
        _ => None,
    }
}

/// Journal files in `dir` and in its machine-id subdirectories, as
/// `sd_journal_open_directory()` finds them (and compressed ones), sorted
/// by path; an error when there are none. See `listing.rs`.
pub fn journal_files_in(dir: &Path, what: &str) -> Result<Vec<PathBuf>, JournalError> {
    std::fs::read_dir(dir).map_err(|source| JournalError::Unreadable {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut files = super::listing::journal_files(super::listing::Scope::Directory(dir));
    if files.is_empty() {
        return Err(JournalError::NoJournalFiles {
            what: what.to_string(),
        });
    }
    files.sort();
    Ok(files)
}

/// The machine id in a journal file's header (a compressed file's first
/// bytes are unpacked), or None when the file is not a journal file or its
/// header names none. It is the machine that wrote the file: for a file of
/// `systemd-journal-remote`, the receiver, not the hosts in its entries.
pub fn header_machine_id(path: &Path) -> Option<Id128> {
    const SIGNATURE: &[u8] = b"LPKSHHRH";
    const MACHINE_ID: std::ops::Range<usize> = 40..56;
    let input = std::fs::File::open(path).ok()?;
    let reader: Box<dyn Read> = match compression_of(path) {
        Some(Compression::Zstd) => Box::new(zstd::Decoder::new(input).ok()?),
        Some(Compression::Xz) => Box::new(xz2::read::XzDecoder::new(input)),
        Some(Compression::Gzip) => Box::new(flate2::read::MultiGzDecoder::new(input)),
        None => Box::new(input),
    };
    let mut head = Vec::with_capacity(MACHINE_ID.end);
    reader
        .take(MACHINE_ID.end as u64)
        .read_to_end(&mut head)
        .ok()?;
    if head.len() < MACHINE_ID.end || !head.starts_with(SIGNATURE) {
        return None;
    }
    Some(Id128(head[MACHINE_ID].try_into().ok()?)).filter(|id| !id.is_null())
}

/// Copies every file into a fresh temporary directory, decompressing those
/// with a compression suffix, so libsystemd can open them read-only.
fn unpack_all(
    files: &[PathBuf],
    what: &str,
) -> Result<(tempfile::TempDir, Vec<PathBuf>), JournalError> {
    let io_err = |source| JournalError::Io {
        what: what.to_string(),
        source,
    };
    let tmp = super::scratch::dir().map_err(io_err)?;
    let limit = UNPACK_LIMIT.load(std::sync::atomic::Ordering::Relaxed);
    let mut unpacked = 0u64;
    let mut out = Vec::with_capacity(files.len());
    for (i, file) in files.iter().enumerate() {
        let unreadable = |source| JournalError::Unreadable {
            path: file.clone(),
            source,
        };
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("file");
        let (target_name, compression) = match compression_of(file) {
            Some(c) => (
                name.rsplit_once('.').map(|(b, _)| b).unwrap_or(name),
                Some(c),
            ),
            None => (name, None),
        };
        // A prefix keeps names unique when two directories hold the same name.
        let target = tmp.path().join(format!("{i:04}-{target_name}"));
        let input = std::fs::File::open(file).map_err(unreadable)?;
        let reader: Box<dyn Read> = match compression {
            Some(Compression::Zstd) => Box::new(zstd::Decoder::new(input).map_err(unreadable)?),
            Some(Compression::Xz) => Box::new(xz2::read::XzDecoder::new(input)),
            Some(Compression::Gzip) => Box::new(flate2::read::MultiGzDecoder::new(input)),
            None => Box::new(input),
        };
        let mut output = std::fs::File::create(&target).map_err(io_err)?;
        // One byte past what is left tells "too large" from "just fits".
        let left = limit.saturating_sub(unpacked);
        let copied =
            std::io::copy(&mut reader.take(left.saturating_add(1)), &mut output).map_err(|e| {
                JournalError::Io {
                    what: format!("{} (decompressing)", file.display()),
                    source: e,
                }
            })?;
        if copied > left {
            return Err(JournalError::Io {
                what: format!("{} (decompressing)", file.display()),
                source: std::io::Error::other(format!(
                    "it unpacks to more than the {} bytes left of --max-unpacked ({} bytes for all files of a run): stopped and removed; give a larger --max-unpacked if the journal is really that large",
                    left, limit
                )),
            });
        }
        unpacked += copied;
        out.push(target);
    }
    Ok((tmp, out))
}

/// How many bytes all compressed journal files of a run may unpack to
/// (`--max-unpacked`): a small file can unpack to gigabytes of scratch.
static UNPACK_LIMIT: std::sync::atomic::AtomicU64 =
    std::sync::atomic::AtomicU64::new(DEFAULT_UNPACK_LIMIT);

/// 4 GiB: far beyond any journal directory's size (journald's default cap
/// is 4 GiB of disk), far below a full disk.
pub const DEFAULT_UNPACK_LIMIT: u64 = 4 << 30;

/// Sets the unpacking limit of this run (see [`UNPACK_LIMIT`]).
pub fn set_unpack_limit(bytes: u64) {
    UNPACK_LIMIT.store(bytes, std::sync::atomic::Ordering::Relaxed);
}

/// Expands `--file` arguments the way journalctl does: each may be a glob.
/// A pattern that matches nothing is an error naming it.
pub fn expand_file_patterns(patterns: &[String]) -> Result<Vec<PathBuf>, JournalError> {
    let mut out = Vec::new();
    for pattern in patterns {
        let before = out.len();
        match glob::glob(pattern) {
            Ok(paths) => out.extend(paths.flatten()),
            Err(_) => out.push(PathBuf::from(pattern)),
        }
        if out.len() == before {
            return Err(JournalError::Unreadable {
                path: PathBuf::from(pattern),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no file matches this pattern",
                ),
            });
        }
    }
    Ok(out)
}
