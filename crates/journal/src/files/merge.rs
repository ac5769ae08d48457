//! The order in which libsystemd 252's `sd_journal_next()` interleaves
//! several files, redone over entry headers.
//!
//! Per-boot sums depend on that order (clock jumps are counted between
//! consecutive entries, ties keep the first or last one read), so the walk
//! must visit entries exactly as libsystemd does: every file offers its next
//! entry, the smallest by `journal_file_compare_locations()` wins (the first
//! file in open order on ties), and an offered entry that is not beyond the
//! one just returned (`compare_with_location()`) is skipped, which is how
//! libsystemd drops an entry found in two files. See `sd-journal.c`,
//! `real_journal_next()` and `next_beyond_location()`.

use std::cmp::Ordering;

use super::format::{EntryHead, JournalFile};
use crate::Id128;

/// How far a walk gets into a file before it gives back the pages behind.
const RELEASE_EVERY: u64 = 16 << 20;

/// An entry as the merge sees it: the header and its file's series.
#[derive(Clone, Copy, Debug)]
pub struct Located {
    pub seqnum_id: Id128,
    pub head: EntryHead,
}

/// `journal_file_compare_locations()`: two files' offered entries.
fn compare_offers(a: &Located, b: &Located) -> Ordering {
    let (x, y) = (&a.head, &b.head);
    let identical = x.boot_id == y.boot_id
        && x.monotonic == y.monotonic
        && x.realtime == y.realtime
        && x.xor_hash == y.xor_hash
        && a.seqnum_id == b.seqnum_id
        && x.seqnum == y.seqnum;
    if identical {
        return Ordering::Equal;
    }
    if a.seqnum_id == b.seqnum_id {
        let c = x.seqnum.cmp(&y.seqnum);
        if c.is_ne() {
            return c;
        }
    }
    if x.boot_id == y.boot_id {
        let c = x.monotonic.cmp(&y.monotonic);
        if c.is_ne() {
            return c;
        }
    }
    x.realtime
        .cmp(&y.realtime)
        .then(x.xor_hash.cmp(&y.xor_hash))
}

/// `compare_with_location()`: an offered entry against the one returned
/// last, which came from `same_file` or not.
fn compare_with_current(offer: &Located, current: &Located, same_file: bool) -> Ordering {
    let (x, l) = (&offer.head, &current.head);
    if !same_file
        && x.boot_id == l.boot_id
        && x.realtime == l.realtime
        && x.xor_hash == l.xor_hash
        && offer.seqnum_id == current.seqnum_id
        && x.seqnum == l.seqnum
    {
        return Ordering::Equal;
    }
    if offer.seqnum_id == current.seqnum_id {
        let c = x.seqnum.cmp(&l.seqnum);
        if c.is_ne() {
            return c;
        }
    }
    if x.boot_id == l.boot_id {
        let c = x.monotonic.cmp(&l.monotonic);
        if c.is_ne() {
            return c;
        }
    }
    x.realtime
        .cmp(&l.realtime)
        .then(x.xor_hash.cmp(&l.xor_hash))
}

/// One file's place in the walk.
struct Cursor<'a> {
    file: &'a JournalFile,
    offsets: Vec<u64>,
    /// Index of the next entry to read.
    next: usize,
    /// The entry it offers, not yet returned, and where it lies.
    offer: Option<(Located, u64)>,
}

impl Cursor<'_> {
    /// Moves to the next readable entry. An entry libsystemd finds borked
    /// (typically the zeroed tail of a file whose writer never synced it)
    /// it skips without a word, also under matches, and so does this.
    fn advance(&mut self) {
        self.offer = None;
        while let Some(&offset) = self.offsets.get(self.next) {
            self.next += 1;
            if let Some(head) = self.file.entry(offset) {
                let at = Located {
                    seqnum_id: self.file.seqnum_id,
                    head,
                };
                self.offer = Some((at, offset));
                return;
            }
        }
    }
}

/// Visits the entries at `offsets` (one list per file, in the file's order)
/// in libsystemd's order, as `sd_journal_next()` returns those a match
/// selects. `visit` gets the entry, its file's index and its offset, and
/// returns false to stop.
pub fn walk_offsets(
    files: &[JournalFile],
    offsets: Vec<Vec<u64>>,
    mut visit: impl FnMut(&Located, usize, u64) -> bool,
) {
    let mut cursors = Vec::with_capacity(files.len());
    for (file, offsets) in files.iter().zip(offsets) {
        let mut c = Cursor {
            file,
            offsets,
            next: 0,
            offer: None,
        };
        c.advance();
        cursors.push(c);
    }
    let mut current: Option<(Located, usize)> = None;
    // Each file is walked forwards: the pages behind a cursor are given back
    // as it goes, so a walk over a big journal does not end up holding every
    // page of every file. Whatever is read again faults back in.
    let mut released = vec![0u64; files.len()];
    loop {
        let mut best: Option<usize> = None;
        for i in 0..cursors.len() {
            let c = &mut cursors[i];
            // Skip what is not beyond the entry returned last.
            while let (Some((offer, _)), Some((cur, from))) = (c.offer, current) {
                if compare_with_current(&offer, &cur, from == i).is_gt() {
                    break;
                }
                c.advance();
            }
            let Some((offer, _)) = c.offer else { continue };
            let better = best.is_none_or(|b| {
                cursors[b]
                    .offer
                    .is_some_and(|(o, _)| compare_offers(&offer, &o).is_lt())
            });
            if better {
                best = Some(i);
            }
        }
        let Some(b) = best else { break };
        let c = &mut cursors[b];
        let Some((chosen, offset)) = c.offer else {
            break;
        };
        if !visit(&chosen, b, offset) {
            break;
        }
        if offset >= released[b] + RELEASE_EVERY {
            files[b].release(released[b]..offset);
            released[b] = offset;
        }
        c.advance();
        current = Some((chosen, b));
    }
}
