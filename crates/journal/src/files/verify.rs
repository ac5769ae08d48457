//! Damage inside a file that libsystemd opens: said, naming the file.
//!
//! libsystemd steps over what it cannot read without a word to its caller:
//! an entry object torn by a flipped byte or a zeroed page, an entry array
//! that ends early. A boot then has fewer entries, a shutdown line vanishes,
//! and the answer differs from the intact journal's with nothing said. And
//! what it does read can be wrong in ways only the file's own order shows:
//! journald writes a file's entries in sequence-number order, one boot at a
//! time, so an entry whose sequence number goes back, or whose boot id
//! differs from both its neighbours', is a damaged header, not a new boot
//! or a counter reset; an index whose lookup misses the file's own last
//! boot hides shutdown lines.
//!
//! The same walk as the boot listing's (entry arrays and the fixed part of
//! each entry, see `format.rs`), so it costs about as much. It runs in a
//! reader process of its own (a file cut short under the map raises
//! SIGBUS there, not in jforensics), beside the first reads of a command,
//! whose answers wait for it before they are used (`../isolated/`,
//! `session`). A file this reader cannot open is said to be damaged only
//! where its header fails the checks libsystemd makes too. Changed bytes inside a field's value are not
//! found: nothing short of hashing every value (`journalctl --verify`) finds
//! them, and libsystemd reads such a value as it is.

use std::path::Path;

use super::format::{EntryHead, JournalFile};

/// What is wrong with one journal file.
pub struct Found {
    /// For people: "damaged: …", with what the file holds.
    pub sentence: String,
    /// Its index misses its own entries: matched reads must walk instead.
    pub index_misses: bool,
}

/// What is wrong with one journal file: `None` when the walk found nothing.
pub fn inspect(path: &Path, access: super::Access) -> Option<Found> {
    let mut index_misses = false;
    let sentence = describe(path, access, &mut index_misses)?;
    Some(Found {
        sentence,
        index_misses,
    })
}

fn describe(path: &Path, access: super::Access, index_misses: &mut bool) -> Option<String> {
    if super::format::refusal(path).is_some() {
        // Left out whole, and said so where that is found.
        return None;
    }
    let Some(file) = JournalFile::open_as(path, access) else {
        return header_damage(path);
    };
    let Some(offsets) = file.entry_offsets() else {
        return Some(format!(
            "damaged: its entry arrays are broken, so libsystemd reads only part of the {} entries its header counts{}",
            file.n_entries,
            held(path)
        ));
    };
    let walked = walk(&file, &offsets);
    let mut problems = Vec::new();
    let unreadable = walked.unreadable;
    if unreadable > 0 {
        problems.push(format!(
            "{unreadable} of its {} entries are unreadable (a damaged entry object), skipped",
            offsets.len()
        ));
    }
    let back = walked.counts.seqnums_back;
    if back > 0 {
        problems.push(format!(
            "{back} entr{} a sequence number out of order (a damaged header): libsystemd, which steps through a file by sequence numbers, may skip the entries after {} in this file, and whole boots with them",
            if back == 1 { "y has" } else { "ies have" },
            if back == 1 { "it" } else { "them" }
        ));
    }
    let strays = walked.counts.stray_boot_ids;
    if strays > 0 {
        problems.push(format!(
            "{strays} entr{} in {} header a boot id {} _BOOT_ID field does not (a damaged header; counted with the boot the field names)",
            if strays == 1 { "y names" } else { "ies name" },
            if strays == 1 { "its" } else { "their" },
            if strays == 1 { "its" } else { "their" },
        ));
    }
    let times = walked.counts.odd_times;
    if times > 0 {
        problems.push(format!(
            "{times} entr{} a wall-clock or monotonic time that neither neighbour's clocks allow (a damaged header)",
            if times == 1 { "y has" } else { "ies have" }
        ));
    }
    if let Some(last) = &walked.last
        && let Some(Some(false)) = finds_boot(&file, last)
    {
        *index_misses = true;
        problems.push(
            "its index does not find its own entries (a damaged data hash table or file id)"
                .to_string(),
        );
    }
    if problems.is_empty() {
        return None;
    }
    let span = match (&walked.first, &walked.last) {
        (Some(first), Some(last)) => format!(
            "; it holds entries from {} to {} (sequence numbers {} to {})",
            jforensics_present::time::rfc3339(first.realtime),
            jforensics_present::time::rfc3339(last.realtime),
            first.seqnum,
            last.seqnum
        ),
        _ => String::new(),
    };
    Some(format!("damaged: {}{span}", problems.join("; ")))
}

/// What one walk over a file's entry headers counted.
#[derive(Default)]
struct Walked {
    unreadable: u64,
    counts: Counts,
    first: Option<EntryHead>,
    last: Option<EntryHead>,
}

/// Entries judged per step of the walk. Every check looks at most
/// [`CONTEXT`] entries to either side, so the walk keeps that many of the
/// step before and after: a million headers are judged in a buffer of a few
/// thousand instead of one vector of all of them (48 MB on the bench
/// journal, most of the walk's time in page faults and unmapping).
const STEP: usize = 4096;
const CONTEXT: usize = 2;

/// One readable entry header and where it is.
#[derive(Clone, Copy)]
struct Seen {
    head: EntryHead,
    at: u64,
}

/// Reads every entry header at `offsets` once and judges each against its
/// readable neighbours, as if all were in one slice.
fn walk(file: &JournalFile, offsets: &[u64]) -> Walked {
    let mut walked = Walked::default();
    let mut judged = 0;
    let mut released = 0u64;
    let readable = (offsets.iter()).filter_map(|&at| file.entry(at).map(|head| Seen { head, at }));
    in_steps(readable, |seen, range| {
        judged += range.len();
        walked.first = walked.first.or(seen.first().map(|s| s.head));
        walked.last = seen.last().map(|s| s.head);
        walked.counts.add(file, seen, range);
        // Pages walked past count in this process's memory otherwise.
        if let Some(behind) = seen.first() {
            file.release(released..behind.at);
            released = behind.at;
        }
    });
    // `in_steps` judges every readable entry exactly once.
    walked.unreadable = (offsets.len() - judged) as u64;
    walked
}

/// Hands `judge` the items a few thousand at a time, each step with the
/// [`CONTEXT`] items before and after it that the checks look at: `judge`
/// gets a slice and the range of it to judge; the slice starts at the first
/// item or [`CONTEXT`] items before the range, and ends at the last item or
/// [`CONTEXT`] items after it. Every item is judged exactly once.
fn in_steps<T: Copy>(
    items: impl Iterator<Item = T>,
    mut judge: impl FnMut(&[T], std::ops::Range<usize>),
) {
    let mut buffer: Vec<T> = Vec::with_capacity(STEP + 2 * CONTEXT);
    // Index in `buffer` of the first item not yet judged.
    let mut judge_from = 0;
    for item in items {
        buffer.push(item);
        if buffer.len() == STEP + 2 * CONTEXT {
            judge(&buffer, judge_from..buffer.len() - CONTEXT);
            // Keep what the next step's first items look back on.
            buffer.drain(..buffer.len() - 2 * CONTEXT);
            judge_from = CONTEXT;
        }
    }
    if judge_from < buffer.len() {
        judge(&buffer, judge_from..buffer.len());
    }
}

/// The damaged headers found so far.
#[derive(Default)]
struct Counts {
    seqnums_back: u64,
    stray_boot_ids: u64,
    odd_times: u64,
}

impl Counts {
    fn add(&mut self, file: &JournalFile, seen: &[Seen], judged: std::ops::Range<usize>) {
        self.seqnums_back += seqnums_out_of_order(seen, judged.clone());
        self.stray_boot_ids += boot_ids_unlike_fields(file, seen, judged.clone());
        self.odd_times += times_unlike_neighbours(seen, judged);
    }
}

/// Entries whose sequence number breaks the file's rising order where
/// their neighbours keep it: a flipped number, wherever the merge would
/// then put the entry. At either end of the file, the next two decide.
fn seqnums_out_of_order(seen: &[Seen], judged: std::ops::Range<usize>) -> u64 {
    let n = seen.len();
    let seq = |i: usize| seen[i].head.seqnum;
    judged
        .filter(
            |&i| match (i.checked_sub(1), (i + 1 < n).then_some(i + 1)) {
                (Some(p), Some(x)) => seq(p) < seq(x) && !(seq(p) < seq(i) && seq(i) < seq(x)),
                (None, Some(x)) => x + 1 < n && seq(x) < seq(x + 1) && seq(i) >= seq(x),
                (Some(p), None) => p >= 1 && seq(p - 1) < seq(p) && seq(i) <= seq(p),
                (None, None) => false,
            },
        )
        .count() as u64
}

/// Entries whose header names another boot than their `_BOOT_ID` field
/// (what journald was given; the header holds a copy). Only where the
/// boot changes between neighbours, and at the file's ends, can a header
/// be wrong without the boot around it being wrong too: those few entries
/// are checked, not every one.
fn boot_ids_unlike_fields(
    file: &JournalFile,
    seen: &[Seen],
    judged: std::ops::Range<usize>,
) -> u64 {
    let n = seen.len();
    let boot = |i: usize| seen[i].head.boot_id;
    let changes =
        |i: usize| i == 0 || i + 1 == n || boot(i - 1) != boot(i) || boot(i + 1) != boot(i);
    judged
        .filter(|&i| changes(i))
        .filter(|&i| field_boot(file, seen[i].at).is_some_and(|id| id != boot(i)))
        .count() as u64
}

/// The boot an entry's `_BOOT_ID` field names, if it has one this reader
/// can read.
fn field_boot(file: &JournalFile, entry: u64) -> Option<crate::Id128> {
    const NAME: &[u8] = b"_BOOT_ID=";
    file.entry_data(entry)?.into_iter().find_map(|data| {
        let payload = file.data_payload(data)?;
        let value = payload.strip_prefix(NAME)?;
        crate::Id128::parse(std::str::from_utf8(value).ok()?)
    })
}

/// journald stamps an entry's wall-clock and monotonic time from one
/// reading of the clocks, so within a boot their difference holds still
/// but for a clock set or a suspend, after which it holds still again.
/// An entry whose difference is unlike both neighbours', which agree, had
/// one of its times changed.
fn times_unlike_neighbours(seen: &[Seen], judged: std::ops::Range<usize>) -> u64 {
    const TOLERANCE_USEC: i128 = 1_000_000;
    let n = seen.len() as isize;
    let offset = |h: &EntryHead| h.realtime as i128 - h.monotonic as i128;
    let near = |a: &EntryHead, b: &EntryHead| {
        a.boot_id == b.boot_id && (offset(a) - offset(b)).abs() <= TOLERANCE_USEC
    };
    let at = |i: isize| (0..n).contains(&i).then(|| &seen[i as usize].head);
    (judged.start as isize..judged.end as isize)
        .filter(|&i| {
            let me = &seen[i as usize].head;
            let same = |j: isize| at(j).filter(|h| h.boot_id == me.boot_id);
            // A neighbour of its boot keeps its clocks: nothing odd here.
            if [i - 1, i + 1]
                .iter()
                .any(|&j| same(j).is_some_and(|h| near(h, me)))
            {
                return false;
            }
            // Two others of its boot that agree show what its clocks were:
            // both neighbours, or, at an end of the file or of the boot's
            // run, the two on one side.
            [(i - 1, i + 1), (i - 2, i - 1), (i + 1, i + 2)]
                .iter()
                .any(|&(a, b)| match (same(a), same(b)) {
                    (Some(x), Some(y)) => near(x, y),
                    _ => false,
                })
        })
        .count() as u64
}

/// Whether the file's index finds its last entry's boot by `_BOOT_ID`:
/// `None` when the reader cannot tell (unkeyed hashes).
fn finds_boot(file: &JournalFile, last: &EntryHead) -> Option<Option<bool>> {
    let payload = format!("_BOOT_ID={}", last.boot_id);
    Some(
        file.find_data(payload.as_bytes())
            .map(|found| found.is_some()),
    )
}

/// A header that fails the checks of `format.rs` though libsystemd opens
/// the file: said when the fields libsystemd checks are out of range.
fn header_damage(path: &Path) -> Option<String> {
    Some(format!(
        "damaged in its header (an offset or size out of range): libsystemd may read it only in part{}",
        held(path)
    ))
}

/// What the header says the file held, for a sentence.
fn held(path: &Path) -> String {
    match super::format::held(path) {
        Some(h) => format!(
            "; its header says it held {} entries from {} to {} (sequence numbers {} to {}; its last boot {})",
            h.entries,
            jforensics_present::time::rfc3339(h.first_realtime_usec),
            jforensics_present::time::rfc3339(h.last_realtime_usec),
            h.first_seqnum,
            h.last_seqnum,
            h.last_boot.short()
        ),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Id128;

    fn head(seqnum: u64, boot: u8, realtime: u64, monotonic: u64) -> EntryHead {
        EntryHead {
            seqnum,
            realtime,
            monotonic,
            boot_id: Id128([boot; 16]),
            xor_hash: 0,
        }
    }

    fn seqnums_in(heads: Vec<EntryHead>) -> u64 {
        let all = whole(heads);
        seqnums_out_of_order(&all, 0..all.len())
    }

    fn times_in(heads: &[EntryHead]) -> u64 {
        let all = whole(heads.to_vec());
        times_unlike_neighbours(&all, 0..all.len())
    }

    fn whole(heads: Vec<EntryHead>) -> Vec<Seen> {
        heads.into_iter().map(|head| Seen { head, at: 0 }).collect()
    }

    /// Entries a second apart, both clocks moving together.
    fn run(seqnums: &[u64]) -> Vec<EntryHead> {
        let t = 1_700_000_000_000_000;
        seqnums
            .iter()
            .enumerate()
            .map(|(i, s)| {
                head(
                    *s,
                    1,
                    t + i as u64 * 1_000_000,
                    5_000_000 + i as u64 * 1_000_000,
                )
            })
            .collect()
    }

    #[test]
    fn one_sequence_number_out_of_order_is_counted_once_wherever_it_is() {
        assert_eq!(seqnums_in(run(&[1, 2, 3, 4, 5])), 0);
        // Flipped high, flipped low, in the middle.
        assert_eq!(seqnums_in(run(&[1, 2, 1 << 40, 4, 5])), 1);
        assert_eq!(seqnums_in(run(&[10, 11, 2, 13, 14])), 1);
        // At either end of the file.
        assert_eq!(seqnums_in(run(&[1 << 40, 2, 3, 4])), 1);
        assert_eq!(seqnums_in(run(&[1, 2, 3, 0])), 1);
        // A gap (entries of another file between) is no disorder.
        assert_eq!(seqnums_in(run(&[1, 2, 900, 901])), 0);
    }

    #[test]
    fn a_time_unlike_both_neighbours_is_counted_but_a_clock_set_is_not() {
        let mut heads = run(&[1, 2, 3, 4, 5, 6]);
        assert_eq!(times_in(&heads), 0);
        // A clock set between entries 3 and 4: both sides agree within.
        for h in &mut heads[3..] {
            h.realtime += 3_600_000_000;
        }
        assert_eq!(times_in(&heads), 0);
        // One monotonic time flipped, in the middle and at the end.
        let mut middle = run(&[1, 2, 3, 4, 5]);
        middle[2].monotonic ^= 1 << 32;
        assert_eq!(times_in(&middle), 1);
        let mut end = run(&[1, 2, 3, 4, 5]);
        end[4].realtime ^= 1 << 40;
        assert_eq!(times_in(&end), 1);
        // The first entry of a boot, beside the previous boot's last.
        let mut first = run(&[1, 2, 3, 4, 5]);
        for h in &mut first[2..] {
            h.boot_id = Id128([2; 16]);
            h.monotonic -= 4_000_000;
        }
        assert_eq!(times_in(&first), 0);
        first[2].monotonic ^= 1 << 36;
        assert_eq!(times_in(&first), 1);
    }

    #[test]
    fn judging_step_by_step_counts_what_judging_the_whole_file_counts() {
        let n = 3 * STEP + 7;
        let mut heads = run(&(1..=n as u64).collect::<Vec<_>>());
        // Damage on and around the steps' edges, where a step sees its
        // neighbours only through the context it keeps.
        let edges = [0, STEP - 2, STEP, STEP + 2, 2 * STEP + CONTEXT, n - 1];
        for (k, &i) in edges.iter().enumerate() {
            if k == 2 {
                // Flipped low, first of a step: only the entry before it,
                // in the step before, shows it out of order.
                heads[i].seqnum = 1;
            } else if k % 2 == 0 {
                heads[i].seqnum += 1 << 40;
            } else {
                heads[i].monotonic ^= 1 << 36;
            }
        }
        let all = whole(heads);
        let whole_seq = seqnums_out_of_order(&all, 0..all.len());
        let whole_times = times_unlike_neighbours(&all, 0..all.len());
        assert_eq!((whole_seq, whole_times), (3, 3));
        let (mut seq, mut times, mut judged) = (0, 0, 0);
        in_steps(all.iter().copied(), |seen, range| {
            judged += range.len();
            seq += seqnums_out_of_order(seen, range.clone());
            times += times_unlike_neighbours(seen, range);
        });
        assert_eq!(judged, n);
        assert_eq!((seq, times), (whole_seq, whole_times));
    }
}
