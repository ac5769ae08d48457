//! Binary journal files, read through libsystemd (the `systemd` crate).
//!
//! libsystemd is the reference reader: it merges files, copes with rotation,
//! compression, keyed hashes and damage exactly as journalctl does, and its
//! matches use the files' indexes. We read every field as bytes through
//! `sd_journal_enumerate_data()`; the crate's `next_entry()` would decode values
//! lossily and drop the cursor and timestamps.
//!
//! What it opens is made ready in `prepared.rs`.

use std::path::{Path, PathBuf};

use systemd::journal::{Journal, OpenDirectoryOptions, OpenFilesOptions, OpenOptions};

use super::filter::checked_per_entry;
use super::prepared::Target;
pub use super::prepared::{
    DEFAULT_UNPACK_LIMIT, Prepared, expand_file_patterns, header_machine_id, journal_files_in,
    prepare, set_unpack_limit,
};
use super::{Diagnostics, Entry, EntrySource, Fields, Filter, Id128, JournalError, Match};

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
                                && self.filter.accepts_place_of(&entry)
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
