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
//!
//! The files are those libsystemd opens for the same source, listed once by
//! `../listing.rs` for every source (`-D`, `--file`, `--root`, the local
//! journal). Files a writer may still change are never mapped: they are
//! read from a private snapshot (`snapshot.rs`, and `mapped.rs` for why).

mod format;
mod mapped;
mod matched;
mod merge;
mod outline;
mod snapshot;
#[cfg(test)]
mod tests;
pub mod verify;

use std::collections::HashMap;
use std::path::PathBuf;

use self::format::JournalFile;
use self::merge::Located;
use super::headers::Tally;
use super::{BootHeaders, Filter, HeaderMark, Id128, Place};

pub use self::format::{Access, refusal};
pub use self::matched::{Outcome, read as read_matched};
pub use self::outline::{boots_in, outline};
pub use self::snapshot::{State, state, take as take_snapshot};

/// Each file of `paths` in which damage was found inside (see
/// `verify.rs`), by where it was found, with what was found.
/// One file after the other: walked side by side, two large files are
/// mapped and touched at once, which on the 1M-entry bench journal took
/// the peak RSS from 149 to 214 MiB for 0.1 s less of `boots`.
pub fn damaged(paths: &Paths) -> Vec<(PathBuf, verify::Found)> {
    paths
        .each()
        .into_iter()
        .filter_map(|(name, open, access)| verify::inspect(&open, access).map(|why| (name, why)))
        .collect()
}

/// libsystemd's `JOURNAL_FILES_MAX`: beyond it, it leaves files out.
const FILES_MAX: usize = 7168;

/// The journal files to read, in libsystemd's order.
#[derive(Clone, Debug)]
pub enum Paths {
    /// Files no one writes while they are read (copies jforensics unpacked
    /// itself, fixtures in tests): mapped as they are.
    Files(Vec<PathBuf>),
    /// Files as found on disk, each archived (mapped while its header says
    /// so) or replaced by a private snapshot (see `snapshot.rs`).
    Found(Vec<Found>),
}

impl Paths {
    /// Each file as (the name to say, the file to open, how to map it): a
    /// snapshot is opened in place of the file it copies, and named by it.
    pub fn each(&self) -> Vec<(PathBuf, PathBuf, Access)> {
        match self {
            Paths::Files(files) => (files.iter())
                .map(|f| (f.clone(), f.clone(), Access::Private))
                .collect(),
            Paths::Found(found) => (found.iter())
                .map(|f| {
                    let access = if f.snapshot {
                        Access::Snapshot
                    } else {
                        Access::Archived
                    };
                    (f.found_at.clone(), f.path.clone(), access)
                })
                .collect(),
        }
    }
}

/// One file of [`Paths::Found`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub path: PathBuf,
    /// `path` is a snapshot of a file that was being written.
    pub snapshot: bool,
    /// Where the file was found: `path` itself, or the file `path` is a
    /// snapshot of (what people know it by; reader processes get `path`).
    pub found_at: PathBuf,
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
        if !filter.accepts_time(h.realtime) || !filter.accepts_place(&place(at)) {
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
    if let Paths::Files(files) = paths {
        let mut seen = std::collections::HashSet::new();
        // libsystemd keeps one of two equal paths; rather than redo
        // which, leave such a list to it.
        if !files.iter().all(|f| seen.insert(f)) {
            return refuse("the same file is named twice".to_string());
        }
    }
    let list = paths.each();
    if list.is_empty() || list.len() > FILES_MAX {
        return refuse(format!("{} files (it reads 1 to {FILES_MAX})", list.len()));
    }
    list.iter()
        .map(|(_, path, access)| {
            JournalFile::open_as(path, *access).or_else(|| {
                let why = match refusal(path) {
                    Some(r) => r.reason,
                    None if *access == Access::Archived => {
                        "not archived any more, or its header is one this reader does not take"
                            .to_string()
                    }
                    None => "its header is one this reader does not take".to_string(),
                };
                refuse(format!("file {}: {why}", path.display()))
            })
        })
        .collect()
}

/// Why the index reader last declined (for the trace, see `../trace.rs`).
static DECLINED: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

fn refuse<T>(why: String) -> Option<T> {
    *DECLINED.lock().unwrap_or_else(|e| e.into_inner()) = Some(why);
    None
}

/// Takes the reason the index reader last gave for not answering, if any.
pub fn declined() -> Option<String> {
    DECLINED.lock().unwrap_or_else(|e| e.into_inner()).take()
}

/// A located entry's place, for [`Filter::accepts_place`].
fn place(at: &Located) -> Place {
    Place {
        seqnum_id: Some(at.seqnum_id),
        seqnum: Some(at.head.seqnum),
        boot_id: at.head.boot_id,
        monotonic_usec: Some(at.head.monotonic),
    }
}
