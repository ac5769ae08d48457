//! What the entry headers of one boot add up to, without the entries.
//!
//! Ordering boots, counting their entries and noticing clock jumps needs
//! every entry's header, but only a few numbers per boot come out of it. A
//! reader process sums them up where it reads (`isolated/`) and sends one
//! [`BootHeaders`] per boot instead of a million entries over the pipe.

use std::collections::HashMap;
use std::io::{Read, Write};

use super::{Entry, Id128, wire};

/// A wall-clock/monotonic offset that moves by more than this means the
/// clock was set or jumped.
const CLOCK_TOLERANCE_USEC: i128 = 5_000_000;

/// A monotonic time this far ahead of what the wall clock allows, or this
/// far behind the entry before, is a damaged header: a day, far beyond
/// journald's reordering of kernel lines (milliseconds).
const IMPOSSIBLE_LEAP_USEC: i128 = 86_400_000_000;

/// More impossible times in a row than this, and it was the entry trusted
/// before them that was damaged: trust moves on.
const IMPOSSIBLE_IN_A_ROW: u64 = 2;

/// One end of a boot: the entry's wall-clock time and cursor.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HeaderMark {
    pub realtime_usec: u64,
    pub cursor: String,
}

impl HeaderMark {
    fn of(entry: &Entry) -> HeaderMark {
        HeaderMark {
            realtime_usec: entry.realtime_usec,
            cursor: entry.cursor.clone(),
        }
    }
}

/// The sum of one boot's entry headers, generic over how an end entry
/// (`M`) and a sequence series (`S`) are held: a reader of the files
/// themselves (`files/`) keeps raw numbers and writes cursors only for the
/// two ends that survive, instead of one per entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally<M, S> {
    pub boot_id: Id128,
    pub entries: u64,
    /// The entry with the lowest monotonic time (the first one read on ties).
    pub first: M,
    pub first_mono: Option<u64>,
    /// The entry with the highest monotonic time (the last one read on ties).
    pub last: M,
    pub last_mono: Option<u64>,
    pub max_realtime: u64,
    /// Lowest and highest seqnum per sequence series (cursor `s=`).
    pub seqnums: Vec<(S, u64, u64)>,
    /// Every seqnum the boot's entries carry, whatever their series: where
    /// entries are missing (see [`SeqRuns`]).
    pub runs: SeqRuns,
    /// Offset of wall clock to monotonic clock when first seen, or at the
    /// last jump.
    pub clock_offset: Option<i128>,
    pub clock_jumps: u32,
    /// Entries whose monotonic time cannot be (a damaged header): left out
    /// of the ends, the uptime and the clock jumps.
    pub impossible_times: u64,
    /// The last entry whose times were taken: (wall clock, monotonic).
    trusted: Option<(u64, u64)>,
    /// Impossible times in a row since then.
    run_of_impossible: u64,
}

/// The sums as they travel and are used: ends as cursors, series as text.
pub type BootHeaders = Tally<HeaderMark, String>;

impl<M: Clone, S: PartialEq + Clone> Tally<M, S> {
    pub(super) fn start(boot_id: Id128, realtime: u64, mono: Option<u64>, mark: M) -> Self {
        Tally {
            boot_id,
            entries: 0,
            first: mark.clone(),
            first_mono: mono,
            last: mark,
            last_mono: mono,
            max_realtime: realtime,
            seqnums: Vec::new(),
            runs: SeqRuns::default(),
            clock_offset: None,
            clock_jumps: 0,
            impossible_times: 0,
            trusted: None,
            run_of_impossible: 0,
        }
    }

    /// Adds one entry of this boot, in journal order. `mark` is asked only
    /// when the entry becomes an end.
    pub(super) fn add<Q: ?Sized + ToOwned<Owned = S>>(
        &mut self,
        realtime: u64,
        mono: Option<u64>,
        seq: Option<(&Q, u64)>,
        mark: impl Fn() -> M,
    ) where
        S: PartialEq<Q>,
    {
        self.entries += 1;
        self.max_realtime = self.max_realtime.max(realtime);
        let mono = mono.filter(|m| {
            let possible = self.possible(realtime, *m);
            if possible {
                self.run_of_impossible = 0;
            } else {
                self.impossible_times += 1;
                self.run_of_impossible += 1;
            }
            // Several in a row mean the entry trusted last was the odd one.
            possible || self.run_of_impossible > IMPOSSIBLE_IN_A_ROW
        });
        if let Some(mono) = mono {
            self.trusted = Some((realtime, mono));
            if self.first_mono.is_none_or(|m| mono < m) {
                self.first_mono = Some(mono);
                self.first = mark();
            }
            if self.last_mono.is_none_or(|m| mono >= m) {
                self.last_mono = Some(mono);
                self.last = mark();
            }
            self.track_clock(realtime, mono);
        } else {
            self.last = mark();
        }
        if let Some((series, seq)) = seq {
            self.runs.insert(seq);
            match self.seqnums.iter_mut().find(|(s, _, _)| *s == *series) {
                Some((_, lo, hi)) => {
                    *lo = (*lo).min(seq);
                    *hi = (*hi).max(seq);
                }
                None => self.seqnums.push((series.to_owned(), seq, seq)),
            }
        }
    }

    /// Whether an entry's monotonic time can follow the last trusted one's:
    /// the monotonic clock never runs faster than the wall clock moved (by
    /// more than [`IMPOSSIBLE_LEAP_USEC`]), whichever way the wall clock was
    /// set, and never runs back that far. One flipped bit in a header makes
    /// an uptime of centuries; a wall clock set or warped moves the other
    /// way, and a suspend stops the monotonic clock.
    fn possible(&self, realtime: u64, mono: u64) -> bool {
        let Some((last_rt, last_mono)) = self.trusted else {
            return true;
        };
        let wall = (realtime as i128 - last_rt as i128).abs();
        let leap = mono as i128 - last_mono as i128;
        leap <= wall + IMPOSSIBLE_LEAP_USEC && leap >= -IMPOSSIBLE_LEAP_USEC
    }

    fn track_clock(&mut self, realtime: u64, mono: u64) {
        let offset = realtime as i128 - mono as i128;
        match self.clock_offset {
            None => self.clock_offset = Some(offset),
            Some(prev) if (offset - prev).abs() > CLOCK_TOLERANCE_USEC => {
                self.clock_jumps += 1;
                self.clock_offset = Some(offset);
            }
            Some(_) => {}
        }
    }

    /// The same sums with ends and series written out.
    pub(super) fn written(
        self,
        mark: impl Fn(M) -> HeaderMark,
        series: impl Fn(S) -> String,
    ) -> BootHeaders {
        Tally {
            boot_id: self.boot_id,
            entries: self.entries,
            first: mark(self.first),
            first_mono: self.first_mono,
            last: mark(self.last),
            last_mono: self.last_mono,
            max_realtime: self.max_realtime,
            seqnums: self
                .seqnums
                .into_iter()
                .map(|(s, lo, hi)| (series(s), lo, hi))
                .collect(),
            runs: self.runs,
            clock_offset: self.clock_offset,
            clock_jumps: self.clock_jumps,
            impossible_times: self.impossible_times,
            // Only the adding needs them: the sums are final.
            trusted: None,
            run_of_impossible: 0,
        }
    }
}

impl BootHeaders {
    fn new(entry: &Entry) -> BootHeaders {
        Tally::start(
            entry.boot_id,
            entry.realtime_usec,
            entry.monotonic_usec,
            HeaderMark::of(entry),
        )
    }

    /// Adds one entry of this boot, in journal order.
    pub fn observe(&mut self, entry: &Entry) {
        let seq = cursor_part(&entry.cursor, "s").zip(entry.seqnum);
        self.add(entry.realtime_usec, entry.monotonic_usec, seq, || {
            HeaderMark::of(entry)
        });
    }

    /// The seqnum range of `series`, if this boot has entries in it.
    pub fn seqnum_range(&self, series: &str) -> Option<(u64, u64)> {
        self.seqnums
            .iter()
            .find(|(s, _, _)| s == series)
            .map(|(_, lo, hi)| (*lo, *hi))
    }

    pub(super) fn encode(&self, out: &mut impl Write) -> std::io::Result<()> {
        out.write_all(&self.boot_id.0)?;
        wire::write_u64(out, self.entries)?;
        for (mark, mono) in [(&self.first, self.first_mono), (&self.last, self.last_mono)] {
            wire::write_u64(out, mark.realtime_usec)?;
            wire::write_bytes(out, mark.cursor.as_bytes())?;
            wire::write_opt(out, mono)?;
        }
        wire::write_u64(out, self.max_realtime)?;
        wire::write_u64(out, self.seqnums.len() as u64)?;
        for (series, lo, hi) in &self.seqnums {
            wire::write_bytes(out, series.as_bytes())?;
            wire::write_u64(out, *lo)?;
            wire::write_u64(out, *hi)?;
        }
        self.runs.encode(out)?;
        let offset = self.clock_offset.unwrap_or(i128::MIN);
        out.write_all(&offset.to_le_bytes())?;
        wire::write_u64(out, u64::from(self.clock_jumps))?;
        wire::write_u64(out, self.impossible_times)
    }

    pub(super) fn decode(r: &mut impl Read) -> std::io::Result<BootHeaders> {
        let mut id = [0u8; 16];
        r.read_exact(&mut id)?;
        let mut h = BootHeaders {
            boot_id: Id128(id),
            entries: wire::read_u64(r)?,
            ..BootHeaders::default()
        };
        for end in 0..2 {
            let mark = HeaderMark {
                realtime_usec: wire::read_u64(r)?,
                cursor: wire::read_string(r)?,
            };
            let mono = wire::read_opt(r)?;
            if end == 0 {
                (h.first, h.first_mono) = (mark, mono);
            } else {
                (h.last, h.last_mono) = (mark, mono);
            }
        }
        h.max_realtime = wire::read_u64(r)?;
        for _ in 0..wire::read_u64(r)? {
            let series = wire::read_string(r)?;
            h.seqnums
                .push((series, wire::read_u64(r)?, wire::read_u64(r)?));
        }
        h.runs = SeqRuns::decode(r)?;
        let mut offset = [0u8; 16];
        r.read_exact(&mut offset)?;
        let offset = i128::from_le_bytes(offset);
        h.clock_offset = (offset != i128::MIN).then_some(offset);
        h.clock_jumps = u32::try_from(wire::read_u64(r)?).unwrap_or(u32::MAX);
        h.impossible_times = wire::read_u64(r)?;
        Ok(h)
    }
}

/// The sequence numbers of one boot's entries, as runs of consecutive
/// numbers, across all its series.
///
/// journald numbers entries with one counter for all the files it writes
/// (the system journal and each user's), so a boot read whole carries every
/// number from its first to its last; each run boundary is entries missing
/// from what was read (an excerpt, a cut, damage) or a jump of the counter
/// (see `boots::coverage`). Entries arrive almost in number order, so a
/// number nearly always extends the last run. An excerpt breaks into many
/// runs: past [`SeqRuns::MAX_RUNS`] they are no longer kept, only that
/// there were more.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeqRuns {
    /// Disjoint, not adjacent, in rising order: `(first, last)`.
    pub runs: Vec<(u64, u64)>,
    /// More runs than [`SeqRuns::MAX_RUNS`]: `runs` is incomplete.
    pub overflow: bool,
}

impl SeqRuns {
    /// Enough for every complete boot (a handful of runs) and for a
    /// fragmented one to be recognised as such.
    pub const MAX_RUNS: usize = 1024;

    pub fn insert(&mut self, n: u64) {
        if let Some(last) = self.runs.last_mut() {
            if n == last.1.saturating_add(1) {
                last.1 = n;
                return;
            }
            if (last.0..=last.1).contains(&n) {
                return;
            }
        }
        if self.overflow {
            return;
        }
        // The first run that ends no more than one below n.
        let i = self.runs.partition_point(|r| r.1.saturating_add(1) < n);
        match self.runs.get_mut(i) {
            Some(r) if r.0 <= n.saturating_add(1) => {
                r.0 = r.0.min(n);
                r.1 = r.1.max(n);
                if let Some(&(next_first, next_last)) = self.runs.get(i + 1)
                    && self.runs[i].1.saturating_add(1) >= next_first
                {
                    self.runs[i].1 = next_last;
                    self.runs.remove(i + 1);
                }
            }
            _ => {
                if self.runs.len() >= Self::MAX_RUNS {
                    self.overflow = true;
                } else {
                    self.runs.insert(i, (n, n));
                }
            }
        }
    }

    /// The numbers between runs: `(last before, first after)`.
    pub fn holes(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.runs.windows(2).map(|w| (w[0].1, w[1].0))
    }

    pub fn first(&self) -> Option<u64> {
        self.runs.first().map(|r| r.0)
    }

    fn encode(&self, out: &mut impl Write) -> std::io::Result<()> {
        wire::write_u64(out, u64::from(self.overflow))?;
        wire::write_u64(out, self.runs.len() as u64)?;
        for (first, last) in &self.runs {
            wire::write_u64(out, *first)?;
            wire::write_u64(out, *last)?;
        }
        Ok(())
    }

    fn decode(r: &mut impl Read) -> std::io::Result<SeqRuns> {
        let overflow = wire::read_u64(r)? != 0;
        let n = wire::read_u64(r)?;
        if n > Self::MAX_RUNS as u64 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "too many sequence runs",
            ));
        }
        let mut runs = Vec::with_capacity(n as usize);
        for _ in 0..n {
            runs.push((wire::read_u64(r)?, wire::read_u64(r)?));
        }
        Ok(SeqRuns { runs, overflow })
    }
}

/// Sums up entry headers per boot while entries stream past.
#[derive(Default)]
pub struct HeaderScan {
    boots: HashMap<Id128, BootHeaders>,
}

impl HeaderScan {
    pub fn observe(&mut self, entry: &Entry) {
        if entry.boot_id.is_null() {
            return;
        }
        self.boots
            .entry(entry.boot_id)
            .or_insert_with(|| BootHeaders::new(entry))
            .observe(entry);
    }

    pub fn finish(self) -> Vec<BootHeaders> {
        let mut boots: Vec<BootHeaders> = self
            .boots
            .into_values()
            .map(|b| b.written(|m| m, |s| s))
            .collect();
        boots.sort_by_key(|b| b.boot_id);
        boots
    }
}

/// The sequence number in a cursor's `i=` part (hex).
pub fn cursor_seqnum(cursor: &str) -> Option<u64> {
    cursor_part(cursor, "i").and_then(|hex| u64::from_str_radix(hex, 16).ok())
}

/// A `key=value` part of a journal cursor.
pub fn cursor_part<'a>(cursor: &'a str, key: &str) -> Option<&'a str> {
    cursor.split(';').find_map(|part| {
        part.split_once('=')
            .filter(|(k, _)| *k == key)
            .map(|(_, v)| v)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seqnum_is_read_from_the_cursor() {
        let cursor = "s=739ad463348b4ceca5a9e69c95a3c93f;i=4ece7;b=6c7c6013a8b44a8f9d0ce6c5ca1e1a76;m=139ad0b2f;t=5d7fa81bbc2d8;x=3b3c1a5d3ba19b58";
        assert_eq!(cursor_seqnum(cursor), Some(0x4ece7));
        assert_eq!(cursor_seqnum("garbage"), None);
    }

    fn entry(boot: u8, series: &str, seq: u64, realtime: u64, mono: u64) -> Entry {
        let mut e = Entry::new(realtime, Id128([boot; 16]));
        e.monotonic_usec = Some(mono);
        e.seqnum = Some(seq);
        e.cursor = format!("s={series};i={seq:x};b=x;m={mono:x};t={realtime:x};x=0");
        e
    }

    #[test]
    fn a_summary_survives_the_wire_and_counts_clock_jumps() {
        let mut scan = HeaderScan::default();
        scan.observe(&entry(1, "aa", 3, 100_000_000, 10));
        scan.observe(&entry(1, "aa", 4, 100_000_010, 20));
        // The clock is set a minute forward: one jump.
        scan.observe(&entry(1, "bb", 9, 160_000_030, 30));
        scan.observe(&entry(2, "aa", 5, 1, 1));
        let boots = scan.finish();
        assert_eq!(boots.len(), 2);
        let b = &boots[0];
        assert_eq!((b.entries, b.clock_jumps), (3, 1));
        assert_eq!(b.seqnum_range("aa"), Some((3, 4)));
        assert_eq!(b.seqnum_range("bb"), Some((9, 9)));
        assert_eq!(b.runs.runs, vec![(3, 4), (9, 9)]);
        assert_eq!(b.first.realtime_usec, 100_000_000);
        assert_eq!(b.last_mono, Some(30));
        let mut buf = Vec::new();
        b.encode(&mut buf).unwrap();
        assert_eq!(&BootHeaders::decode(&mut buf.as_slice()).unwrap(), b);
        for cut in 0..buf.len() {
            assert!(BootHeaders::decode(&mut &buf[..cut]).is_err());
        }
    }

    #[test]
    fn a_monotonic_time_that_cannot_be_is_left_out_of_the_ends_and_counted() {
        let mut scan = HeaderScan::default();
        let hour = 3_600_000_000;
        let t = 100 * hour;
        scan.observe(&entry(1, "aa", 1, t, 1_000));
        scan.observe(&entry(1, "aa", 2, t + 500, 1_500));
        // One flipped high bit: an uptime of centuries.
        scan.observe(&entry(1, "aa", 3, t + 1_000, 1 << 54));
        scan.observe(&entry(1, "aa", 4, t + 2_000, 3_000));
        // A wall clock set back four hours moves the other way: no damage.
        scan.observe(&entry(1, "aa", 5, t + 2_500 - 4 * hour, 3_500));
        let b = &scan.finish()[0];
        assert_eq!((b.entries, b.impossible_times), (5, 1));
        assert_eq!(b.last_mono, Some(3_500));
        assert_eq!(b.clock_jumps, 1);
    }

    #[test]
    fn sequence_runs_join_numbers_from_any_order_and_stop_growing_at_the_cap() {
        let mut runs = SeqRuns::default();
        for n in [5, 6, 7, 10, 9, 1, 2, 8, 3] {
            runs.insert(n);
        }
        assert_eq!(runs.runs, vec![(1, 3), (5, 10)]);
        assert_eq!(runs.holes().collect::<Vec<_>>(), vec![(3, 5)]);
        runs.insert(4);
        assert_eq!(runs.runs, vec![(1, 10)]);
        assert!(!runs.overflow);
        let mut sparse = SeqRuns::default();
        for n in 0..(SeqRuns::MAX_RUNS as u64 + 10) {
            sparse.insert(n * 2);
        }
        assert_eq!(sparse.runs.len(), SeqRuns::MAX_RUNS);
        assert!(sparse.overflow);
    }
}
