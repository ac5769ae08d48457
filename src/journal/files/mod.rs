//! Boot header sums and matched reads straight from the journal files,
//! without libsystemd.
//!
//! Every command starts by listing boots, and the listing needs every
//! entry's header (counts, ends, sequence numbers, clock jumps). Through
//! libsystemd that costs a `sd_journal_next()`, three getters and a cursor
//! string per entry: seconds on a journal of a million entries, where
//! `journalctl --list-boots` takes tens of milliseconds. The headers
//! themselves are 64 bytes at known places in the files, so this module reads
//! them there, in the order libsystemd would return them (`merge.rs`), and
//! writes cursors only for the entries that end a boot. Reads that match
//! fields or boots go through the files' index the same way (`matched.rs`),
//! and so does the outline of the boots (`outline.rs`): each boot's
//! sequence-number span, enough to order boots without summing headers.
//!
//! It is a shortcut, never a second opinion: whenever a file is anything but
//! well-formed (an unknown flag, a torn or misplaced object, an entry array
//! out of order), or the request is one it does not redo, it answers `None`
//! (or says where it stopped) and the caller reads with libsystemd as before.
//! The tests (`tests.rs`) hold both to the same answer on every fixture.

mod format;
mod mapped;
mod matched;
mod merge;
mod outline;
#[cfg(test)]
mod tests;
pub mod verify;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use self::format::JournalFile;
use self::merge::Located;
use super::headers::Tally;
use super::{BootHeaders, Filter, HeaderMark, Id128};

pub use self::format::refusal;
pub use self::matched::{Outcome, read as read_matched};
pub use self::outline::outline;

/// Each file of `paths` in which damage was found inside (see
/// `verify.rs`), with what was found.
pub fn damaged(paths: &Paths) -> Vec<(PathBuf, verify::Found)> {
    let list = match paths {
        Paths::Files(files) => files.clone(),
        Paths::Directory(dir) => directory_files(dir).unwrap_or_default(),
    };
    list.into_iter()
        .filter_map(|p| verify::inspect(&p).map(|why| (p, why)))
        .collect()
}

/// libsystemd's `JOURNAL_FILES_MAX`: beyond it, it leaves files out.
const FILES_MAX: usize = 7168;

/// The journal files to read, as libsystemd was asked to open them.
#[derive(Clone, Debug)]
pub enum Paths {
    /// `sd_journal_open_files()`: these, in this order.
    Files(Vec<PathBuf>),
    /// `sd_journal_open_directory()`: what it finds there.
    Directory(PathBuf),
}

/// Every boot's header sums under `filter` (sorted by boot id, as
/// [`super::HeaderScan`] gives them) and the number of entries read; `None`
/// when libsystemd must answer instead.
pub fn boot_headers(paths: &Paths, filter: &Filter) -> Option<(Vec<BootHeaders>, u64)> {
    if !filter.any_of.is_empty() || filter.last.is_some() {
        return None;
    }
    let files = open_all(paths)?;
    // A few boots' entries come from the index, as a `_BOOT_ID=` match reads them.
    let offsets = files
        .iter()
        .map(|f| {
            if filter.boots.is_empty() {
                f.entry_offsets()
            } else {
                matched::selected(f, filter)
            }
        })
        .collect::<Option<Vec<_>>>()?;
    let mut tallies: Vec<Tally<Located, Id128>> = Vec::new();
    let mut index: HashMap<Id128, usize> = HashMap::new();
    // Entries come in runs of one boot: look a boot up only when it changes.
    let mut last: Option<(Id128, usize)> = None;
    let mut read = 0u64;
    merge::walk_offsets(&files, offsets, |at, _, _| {
        let h = &at.head;
        if !filter.accepts_time(h.realtime) {
            return true;
        }
        read += 1;
        if h.boot_id.is_null() {
            return true;
        }
        let mono = Some(h.monotonic);
        let i = match last {
            Some((id, i)) if id == h.boot_id => i,
            _ => {
                let i = *index.entry(h.boot_id).or_insert_with(|| {
                    tallies.push(Tally::start(h.boot_id, h.realtime, mono, *at));
                    tallies.len() - 1
                });
                last = Some((h.boot_id, i));
                i
            }
        };
        tallies[i].add(h.realtime, mono, Some((&at.seqnum_id, h.seqnum)), || *at);
        true
    });
    if read == 0 {
        // libsystemd's own words for an empty selection.
        return None;
    }
    let mut out: Vec<BootHeaders> = tallies
        .into_iter()
        .map(|t| t.written(mark, |series| series.to_string()))
        .collect();
    out.sort_by_key(|b| b.boot_id);
    Some((out, read))
}

/// An end entry, with its cursor.
fn mark(at: Located) -> HeaderMark {
    HeaderMark {
        realtime_usec: at.head.realtime,
        cursor: cursor(&at),
    }
}

/// The entry's cursor as libsystemd's `sd_journal_get_cursor()` writes it.
fn cursor(at: &Located) -> String {
    let h = &at.head;
    format!(
        "s={};i={:x};b={};m={:x};t={:x};x={:x}",
        at.seqnum_id, h.seqnum, h.boot_id, h.monotonic, h.realtime, h.xor_hash
    )
}

pub(super) fn open_all(paths: &Paths) -> Option<Vec<JournalFile>> {
    let list = match paths {
        Paths::Files(files) => {
            let mut seen = std::collections::HashSet::new();
            // libsystemd keeps one of two equal paths; rather than redo
            // which, leave such a list to it.
            if !files.iter().all(|f| seen.insert(f)) {
                return None;
            }
            files.clone()
        }
        Paths::Directory(dir) => directory_files(dir)?,
    };
    if list.is_empty() || list.len() > FILES_MAX {
        return None;
    }
    list.iter().map(|p| JournalFile::open(p)).collect()
}

/// The files `sd_journal_open_directory()` opens, in its order: the
/// directory's journal files and those of its machine-id subdirectories,
/// as `readdir()` lists them, a subdirectory's files where it is listed.
fn directory_files(dir: &Path) -> Option<Vec<PathBuf>> {
    let mut out = Vec::new();
    for item in std::fs::read_dir(dir).ok()? {
        let item = item.ok()?;
        let name = item.file_name();
        let name = name.to_str()?;
        let kind = item.file_type().ok()?;
        if is_journal_name(name) && (kind.is_file() || kind.is_symlink()) {
            out.push(item.path());
        } else if kind.is_dir() || kind.is_symlink() {
            if name.contains('.') && Id128::parse(name.split('.').next()?).is_some() {
                // A journal namespace: libsystemd's rules for those are not
                // redone here.
                return None;
            }
            if (name.len() == 32 || name.len() == 36) && Id128::parse(name).is_some() {
                for sub in std::fs::read_dir(item.path()).ok()? {
                    let sub = sub.ok()?;
                    let sub_name = sub.file_name();
                    let kind = sub.file_type().ok()?;
                    if is_journal_name(sub_name.to_str()?) && (kind.is_file() || kind.is_symlink())
                    {
                        out.push(sub.path());
                    }
                }
            }
        }
    }
    Some(out)
}

fn is_journal_name(name: &str) -> bool {
    name.ends_with(".journal") || name.ends_with(".journal~")
}
