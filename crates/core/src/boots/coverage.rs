//! Coverage: how much of each boot the journal that was read holds.
//!
//! Some conclusions rest on what the journal does *not* say: a boot with no
//! shutdown lines ended uncleanly, a unit with no boot-time start is not
//! enabled, nobody started a unit that came back. They hold only where the
//! journal is complete. An excerpt (`journalctl -u X -o export` attached to
//! a ticket, `-k`, `-p err`, a `--since` window), a head vacuumed away or
//! entries lost to damage make the same absences out of nothing.
//!
//! The data says which: journald numbers entries with one counter for all
//! the files it writes (the system journal and each user's; the cursor's
//! `i=`), so a boot read whole carries every number from its first entry to
//! its last, and a boot's first number follows the previous boot's last in
//! the series they share. Where numbers are missing, so are entries — with
//! two exceptions that are journald's own, not losses:
//!
//! - The counter jumps when a file with higher numbers joins: journald
//!   takes the higher of its counter and the file's own next number, so the
//!   user journal continuing from an older boot lifts everything after it
//!   (systemd's no-RTC sample, boot 4c708e1f). A gap that ends exactly
//!   where a series enters the boot is that jump.
//! - A power cut loses what journald had not yet written: the system
//!   journal's last entries are missing while the user journal, synced
//!   later, goes on. Gaps only after the point where one of the boot's
//!   series stops are that loss: the end was *lost*, which is what an
//!   unclean end looks like, not an excerpt.
//!
//! Everything else missing is an excerpt, a cut or damage, and the stages
//! that conclude from absence ask [`Coverage`] first.

use serde::Serialize;

use crate::journal::BootHeaders;

/// How many gaps a boot's coverage lists as evidence.
const GAPS_LISTED: usize = 8;

/// One side of a boot (its beginning or its end) as the numbers show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, strum::IntoStaticStr)]
#[serde(into = "&'static str")]
#[strum(serialize_all = "kebab-case")]
pub enum Side {
    /// The numbers run on into the neighbouring boot, or start at 1.
    Complete,
    /// Entries are missing on this side (`missing` numbers).
    Cut,
    /// The end: the last entries of one file are missing while another
    /// file goes on, as a power cut leaves it.
    Lost,
    /// No sequence numbers to check with (a hand-made stream), a
    /// neighbouring boot that was not read, or a neighbour in another
    /// series: nothing shows entries missing.
    Unchecked,
}

/// What a boot's coverage comes to, in one word.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Serialize, strum::IntoStaticStr, strum::VariantArray,
)]
#[serde(into = "&'static str")]
#[strum(serialize_all = "kebab-case")]
pub enum State {
    /// Every entry from its first to its last, and nothing missing at
    /// either end that the numbers could show.
    Complete,
    /// Entries are missing inside the boot (an excerpt such as `-u`, `-k`,
    /// `-p`, or damage), or at both ends (a time window).
    Excerpt,
    /// Its beginning is missing (rotated away, or a window starts in it).
    HeadCut,
    /// Entries after its last one are missing.
    TailCut,
    /// Its last entries were lost at its end, as by a power cut.
    EndLost,
    /// The source has no sequence numbers: completeness cannot be checked.
    Unchecked,
}

impl State {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// A run of missing sequence numbers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Gap {
    /// The last number present before the gap.
    pub after_seqnum: u64,
    /// The first number present after it.
    pub before_seqnum: u64,
    pub missing: u64,
}

impl Gap {
    fn new(after_seqnum: u64, before_seqnum: u64) -> Gap {
        Gap {
            after_seqnum,
            before_seqnum,
            missing: before_seqnum.saturating_sub(after_seqnum).saturating_sub(1),
        }
    }
}

/// How much of one boot was read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Coverage {
    pub state: State,
    /// Sequence numbers missing between the boot's first and last entry
    /// (not counting a lost end). A lower bound when `gaps_total` is more
    /// than could be kept.
    pub missing_entries: u64,
    pub head: Side,
    /// Numbers missing before the first entry, when `head` is `cut`.
    pub missing_before: u64,
    pub end: Side,
    /// Numbers missing after the last entry (`cut`) or lost at the end (`lost`).
    pub missing_after: u64,
    /// The first gaps, evidence for the numbers above.
    pub gaps: Vec<Gap>,
    /// How many gaps there are in all (more than listed, or "too many to
    /// keep" as [`crate::journal::SeqRuns::MAX_RUNS`]).
    pub gaps_total: usize,
}

/// A boot's neighbour in the journal's order, as far as it was read.
#[derive(Clone, Copy)]
pub enum Neighbour<'a> {
    /// There is none: the oldest (or newest) boot of the journal read.
    None,
    /// There is one, but it was not read (a command about a few boots).
    Unread,
    Read(&'a BootHeaders),
}

impl Coverage {
    /// What a source without sequence numbers gets: nothing can be checked.
    pub fn unchecked() -> Coverage {
        Coverage {
            state: State::Unchecked,
            missing_entries: 0,
            head: Side::Unchecked,
            missing_before: 0,
            end: Side::Unchecked,
            missing_after: 0,
            gaps: Vec::new(),
            gaps_total: 0,
        }
    }

    /// Reads `boot`'s coverage from its sequence numbers and its neighbours'.
    pub fn assess(boot: &BootHeaders, before: Neighbour, after: Neighbour) -> Coverage {
        let Some(first) = boot.runs.first() else {
            return Coverage::unchecked();
        };
        let mut inside = Vec::new();
        let mut lost = Vec::new();
        // Where the first of the boot's series stops: gaps past it may be
        // that file's lost end.
        let first_to_stop = (boot.seqnums.len() > 1)
            .then(|| boot.seqnums.iter().map(|s| s.2).min())
            .flatten();
        for (last, next) in boot.runs.holes() {
            let series_enters = boot.seqnums.iter().any(|s| s.1 == next);
            if series_enters {
                continue;
            }
            let gap = Gap::new(last, next);
            if first_to_stop.is_some_and(|stop| last >= stop) {
                lost.push(gap);
            } else {
                inside.push(gap);
            }
        }
        let overflow = boot.runs.overflow;
        let mut missing_entries: u64 = inside.iter().map(|g| g.missing).sum();
        if overflow {
            // The runs past the cap were not kept, but every entry was
            // counted and each series' ends are exact: the span less the
            // entries is what is missing.
            let lo = boot.seqnums.iter().map(|s| s.1).min().unwrap_or(first);
            let hi = boot.seqnums.iter().map(|s| s.2).max().unwrap_or(first);
            let span = hi.saturating_sub(lo).saturating_add(1);
            missing_entries = missing_entries
                .max(span.saturating_sub(boot.entries))
                .max(1);
        }
        let inside_total = inside.len() + usize::from(overflow);
        let (head, missing_before, head_gap) = match before {
            Neighbour::None if first > 1 => (Side::Cut, first - 1, Some(Gap::new(0, first))),
            Neighbour::None => (Side::Complete, 0, None),
            Neighbour::Unread => (Side::Unchecked, 0, None),
            Neighbour::Read(prev) => match boundary(prev, boot) {
                Boundary::Follows => (Side::Complete, 0, None),
                Boundary::Unrelated => (Side::Unchecked, 0, None),
                Boundary::Gap(g) => (Side::Cut, g.missing, Some(g)),
            },
        };
        let lost_count: u64 = lost.iter().map(|g| g.missing).sum();
        let (end, missing_after, end_gap) = match after {
            Neighbour::Read(next) => match boundary(boot, next) {
                Boundary::Gap(g) => (Side::Cut, g.missing, Some(g)),
                _ if !lost.is_empty() => (Side::Lost, lost_count, None),
                Boundary::Follows => (Side::Complete, 0, None),
                Boundary::Unrelated => (Side::Unchecked, 0, None),
            },
            _ if !lost.is_empty() => (Side::Lost, lost_count, None),
            Neighbour::None => (Side::Complete, 0, None),
            Neighbour::Unread => (Side::Unchecked, 0, None),
        };
        let state = if missing_entries > 0 || overflow || (head == Side::Cut && end == Side::Cut) {
            State::Excerpt
        } else if head == Side::Cut {
            State::HeadCut
        } else if end == Side::Cut {
            State::TailCut
        } else if end == Side::Lost {
            State::EndLost
        } else {
            State::Complete
        };
        let gaps_total = inside_total
            + lost.len()
            + usize::from(head_gap.is_some())
            + usize::from(end_gap.is_some());
        let gaps: Vec<Gap> = head_gap
            .into_iter()
            .chain(inside)
            .chain(lost)
            .chain(end_gap)
            .take(GAPS_LISTED)
            .collect();
        Coverage {
            state,
            missing_entries,
            head,
            missing_before,
            end,
            missing_after,
            gaps,
            gaps_total,
        }
    }

    /// Whether the boot's end may be judged from what is absent there (no
    /// shutdown lines means an unclean end): its entries are complete up to
    /// the end, and nothing is missing after it.
    pub fn end_judgeable(&self) -> bool {
        self.missing_entries == 0 && self.end != Side::Cut
    }

    /// Whether absences from the boot's beginning on mean something (no
    /// boot-time start means the unit is not started at boot).
    pub fn whole_from_start(&self) -> bool {
        self.missing_entries == 0 && self.head != Side::Cut
    }

    /// Whether nothing is missing between the boot's first and last entry.
    pub fn whole_inside(&self) -> bool {
        self.missing_entries == 0
    }

    /// Whether anything is known to be missing.
    pub fn is_partial(&self) -> bool {
        matches!(self.state, State::Excerpt | State::HeadCut | State::TailCut)
    }

    /// Why conclusions from absence are withheld, for people; None when
    /// they are not.
    pub fn reason(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.missing_entries > 0 {
            parts.push(format!(
                "{} entries are missing between its first and last by sequence numbers",
                self.missing_entries
            ));
        }
        if self.head == Side::Cut {
            parts.push(format!(
                "its beginning is missing ({} entries before its first)",
                self.missing_before
            ));
        }
        if self.end == Side::Cut {
            parts.push(format!(
                "entries after its last are missing ({})",
                self.missing_after
            ));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

/// The boots whose coverage withholds conclusions, with the sentence that
/// says so once, plainly (stderr, the top of reports, JSON `coverage`).
/// The oldest boot's beginning rotated away is every long-lived journal's
/// normal state and withholds nothing about later boots, so it alone is
/// not mentioned.
pub fn describe(boots: &[super::Boot]) -> Option<String> {
    let oldest = boots.iter().map(|b| b.index).min();
    let partial: Vec<&super::Boot> = boots
        .iter()
        .filter(|b| b.coverage.is_partial())
        .filter(|b| {
            !(Some(b.index) == oldest && b.coverage.state == State::HeadCut && !b.is_newest())
        })
        .collect();
    if partial.is_empty() {
        return None;
    }
    let missing: u64 = partial
        .iter()
        .map(|b| b.coverage.missing_entries + b.coverage.missing_before)
        .sum();
    let count = |state: State| partial.iter().filter(|b| b.coverage.state == state).count();
    let mut kinds = Vec::new();
    for (state, words) in [
        (State::Excerpt, "entries missing inside"),
        (State::HeadCut, "the beginning missing"),
        (State::TailCut, "the end missing"),
    ] {
        let n = count(state);
        if n > 0 {
            kinds.push(format!("{n} with {words}"));
        }
    }
    Some(format!(
        "this input is an excerpt ({} entries missing by sequence numbers; {} of {} boots read are incomplete: {}): how those boots ended, units lost at reboot or at risk, and resurrections cannot be judged there",
        crate::present::text::grouped(missing),
        partial.len(),
        boots.len(),
        kinds.join(", ")
    ))
}

enum Boundary {
    /// The later boot's numbers go on from the earlier one's.
    Follows,
    /// No series in common: nothing to compare.
    Unrelated,
    Gap(Gap),
}

/// How boot `later` follows boot `earlier` in the series they share. A gap
/// whose last number is another series' entry is the shared counter moving
/// on in another file (the user journal), not entries missing.
fn boundary(earlier: &BootHeaders, later: &BootHeaders) -> Boundary {
    let mut shared = false;
    for (series, _, last) in &earlier.seqnums {
        let Some((first, _)) = later.seqnum_range(series) else {
            continue;
        };
        shared = true;
        if first <= last.saturating_add(1) {
            continue;
        }
        let filled = |n: u64| {
            [earlier, later]
                .iter()
                .any(|b| b.runs.runs.iter().any(|r| (r.0..=r.1).contains(&n)))
        };
        if !filled(first - 1) {
            return Boundary::Gap(Gap::new(*last, first));
        }
    }
    if shared {
        Boundary::Follows
    } else {
        Boundary::Unrelated
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::SeqRuns;

    /// A boot's headers from its entries' (series, seqnum).
    fn boot(entries: &[(&str, u64)]) -> BootHeaders {
        let mut h = BootHeaders::default();
        for (series, n) in entries {
            h.entries += 1;
            h.runs.insert(*n);
            match h.seqnums.iter_mut().find(|s| s.0 == *series) {
                Some(s) => s.2 = s.2.max(*n),
                None => h.seqnums.push((series.to_string(), *n, *n)),
            }
        }
        h
    }

    fn range(series: &str, numbers: std::ops::RangeInclusive<u64>) -> Vec<(&str, u64)> {
        numbers.map(|n| (series, n)).collect()
    }

    #[test]
    fn boots_read_whole_are_complete_even_where_the_user_journal_interleaves() {
        // Debian 12: the user journal's own series takes numbers 708..790
        // from the shared counter; the system journal skips them.
        let mut first: Vec<(&str, u64)> = range("sys", 1..=707);
        first.extend(range("user", 708..=790));
        first.extend(range("sys", 791..=904));
        let second = boot(&range("sys", 905..=1620));
        let first = boot(&first);
        let a = Coverage::assess(&first, Neighbour::None, Neighbour::Read(&second));
        assert_eq!(
            (a.state, a.head, a.end),
            (State::Complete, Side::Complete, Side::Complete)
        );
        let b = Coverage::assess(&second, Neighbour::Read(&first), Neighbour::None);
        assert_eq!(b.state, State::Complete);
        assert!(a.end_judgeable() && b.whole_from_start());
    }

    #[test]
    fn an_excerpt_of_one_unit_is_an_excerpt_and_no_boot_end_is_judged() {
        let one = boot(&[("sys", 40), ("sys", 41), ("sys", 300), ("sys", 880)]);
        let two = boot(&[("sys", 1000), ("sys", 1200)]);
        let a = Coverage::assess(&one, Neighbour::None, Neighbour::Read(&two));
        assert_eq!(a.state, State::Excerpt);
        assert_eq!(a.missing_entries, (300 - 41 - 1) + (880 - 300 - 1));
        assert_eq!((a.head, a.missing_before), (Side::Cut, 39));
        assert_eq!((a.end, a.missing_after), (Side::Cut, 1000 - 880 - 1));
        assert!(!a.end_judgeable());
        assert_eq!(a.gaps[0], Gap::new(0, 40));
        assert_eq!(a.gaps_total, 4);
        let reason = a.reason().unwrap();
        assert!(reason.starts_with("837 entries are missing"), "{reason}");
    }

    #[test]
    fn a_counter_lifted_by_a_joining_user_journal_is_no_gap() {
        // No-RTC boot 4c708e1f: a fresh system journal from 1, then the
        // user journal goes on from its older boot at 2919 and lifts the
        // counter; the system journal's last entries were lost at the cut.
        let mut e: Vec<(&str, u64)> = range("sys", 1..=100);
        e.push(("user", 2919));
        e.extend(range("sys", 2920..=3413));
        e.extend([("user", 3415), ("user", 3420), ("user", 3495)]);
        let c = Coverage::assess(
            &boot(&e),
            Neighbour::Read(&boot(&[("x", 1)])),
            Neighbour::None,
        );
        assert_eq!(c.missing_entries, 0);
        assert_eq!(c.head, Side::Unchecked);
        assert_eq!(
            (c.state, c.end, c.missing_after),
            (State::EndLost, Side::Lost, 1 + 4 + 74)
        );
        assert!(c.end_judgeable());
    }

    #[test]
    fn a_gap_at_a_boot_boundary_cuts_both_sides_unless_another_file_fills_it() {
        let one = boot(&range("sys", 1..=10));
        let two = boot(&range("sys", 15..=20));
        let a = Coverage::assess(&one, Neighbour::None, Neighbour::Read(&two));
        assert_eq!(
            (a.state, a.end, a.missing_after),
            (State::TailCut, Side::Cut, 4)
        );
        let b = Coverage::assess(&two, Neighbour::Read(&one), Neighbour::None);
        assert_eq!(
            (b.state, b.head, b.missing_before),
            (State::HeadCut, Side::Cut, 4)
        );
        // The user journal's series crosses the boundary with a jump the
        // system journal's entries fill.
        let mut e = range("sys", 1..=10);
        e.push(("user", 5));
        let one = boot(&e);
        let mut e = range("sys", 11..=20);
        e.push(("user", 12));
        let two = boot(&e);
        let b = Coverage::assess(&two, Neighbour::Read(&one), Neighbour::None);
        assert_eq!(b.head, Side::Complete);
    }

    #[test]
    #[allow(clippy::field_reassign_with_default)] // private accumulator fields
    fn a_source_without_sequence_numbers_is_unchecked_and_judged_as_before() {
        let mut h = BootHeaders::default();
        h.entries = 3;
        let c = Coverage::assess(&h, Neighbour::None, Neighbour::None);
        assert_eq!(c.state, State::Unchecked);
        assert!(c.end_judgeable() && c.whole_from_start());
    }

    #[test]
    fn a_boot_too_fragmented_to_keep_is_an_excerpt_with_a_lower_bound() {
        let mut h = BootHeaders::default();
        for n in 0..(SeqRuns::MAX_RUNS as u64 + 5) {
            h.entries += 1;
            h.runs.insert(1 + n * 3);
        }
        h.seqnums
            .push(("sys".into(), 1, 1 + (SeqRuns::MAX_RUNS as u64 + 4) * 3));
        let c = Coverage::assess(&h, Neighbour::None, Neighbour::None);
        assert_eq!(c.state, State::Excerpt);
        assert!(c.missing_entries >= 2 * SeqRuns::MAX_RUNS as u64);
        assert!(!c.whole_inside());
    }
}
