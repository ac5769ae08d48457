//! The boot scanner: what each boot needs, gathered while entries stream
//! past (a stream, every entry) or read narrowly through the index (entry
//! headers, marker lines, each boot's tail), then numbered and judged.

use std::collections::{HashMap, VecDeque};

use super::LAST_ENTRIES_KEPT;
use super::coverage::{self, Coverage, Side};
use super::gathered::{Gathered, TailEntry};
use super::markers::{MARKER_FIELDS, marker_matches};
use super::model::Boot;
use super::order::order;
use crate::events::ids;
use crate::evidence::Evidence;
use crate::journal::{
    BootHeaders, Diagnostics, Entry, EntrySource, Fields, Filter, HeaderScan, Id128, JournalError,
};

/// The most entries a "boot" inside another boot's sequence numbers may
/// have to be taken for damaged headers (one flipped byte makes one).
const DAMAGED_BOOT_MAX_ENTRIES: u64 = 3;

/// Accumulates what each boot needs while entries stream past.
#[derive(Default)]
pub struct BootScanner {
    boots: HashMap<Id128, Gathered>,
}

impl BootScanner {
    pub fn new() -> BootScanner {
        BootScanner::default()
    }

    /// Everything one entry tells: for a single pass over a stream. An
    /// entry whose header names another boot than its own `_BOOT_ID` field
    /// has a damaged header (the field is what journald was given, the
    /// header one copy of it): it is counted with the boot its field
    /// names, and said there, instead of making a boot of its own.
    pub fn observe(&mut self, entry: &Entry) {
        let field = entry.str("_BOOT_ID").and_then(Id128::parse);
        if let Some(true_id) = field.filter(|id| *id != entry.boot_id && !id.is_null()) {
            let mut fixed = entry.clone();
            fixed.boot_id = true_id;
            self.observe_header(&fixed);
            self.observe_marker(&fixed);
            self.observe_tail(&fixed);
            if let Some(acc) = self.boots.get_mut(&true_id) {
                acc.misnamed += 1;
            }
            return;
        }
        self.observe_header(entry);
        self.observe_marker(entry);
        self.observe_tail(entry);
    }

    /// What the entry header tells: order, counts, first and last entry,
    /// clock jumps. Enough for every entry of an indexed journal.
    pub fn observe_header(&mut self, entry: &Entry) {
        if entry.boot_id.is_null() {
            return;
        }
        match self.boots.get_mut(&entry.boot_id) {
            Some(acc) => acc.headers.observe(entry),
            None => {
                let mut scan = HeaderScan::default();
                scan.observe(entry);
                scan.finish().into_iter().for_each(|h| self.add_headers(h));
            }
        }
    }

    /// A boot's header sums, read elsewhere (see
    /// [`crate::journal::Journal::boot_headers`]): instead of
    /// [`BootScanner::observe_header`] for each of its entries.
    pub fn add_headers(&mut self, headers: BootHeaders) {
        self.boots.insert(
            headers.boot_id,
            Gathered {
                headers,
                systemd_version: None,
                startup_finished: None,
                shutdown: None,
                shutdown_evidence: Vec::new(),
                tail: VecDeque::new(),
                damage: Vec::new(),
                misnamed: 0,
            },
        );
    }

    /// Startup and shutdown lines (see [`marker_matches`]); other entries
    /// are ignored. The boot must have been seen by `observe_header`.
    pub fn observe_marker(&mut self, entry: &Entry) {
        if let Some(acc) = self.boots.get_mut(&entry.boot_id) {
            acc.note_markers(entry);
        }
    }

    /// One of the boot's last entries, fed oldest first.
    pub fn observe_tail(&mut self, entry: &Entry) {
        if let Some(acc) = self.boots.get_mut(&entry.boot_id) {
            if acc.tail.len() == LAST_ENTRIES_KEPT {
                acc.tail.pop_front();
            }
            acc.tail.push_back(TailEntry {
                evidence: Evidence::from_entry(entry),
                kernel: entry.field("_TRANSPORT") == Some(b"kernel"),
                journal_stop: entry.str("MESSAGE_ID") == Some(ids::JOURNAL_STOP),
            });
        }
    }

    /// Boots whose entry headers were counted but whose last entries a
    /// read by boot id did not find: the index disagrees with the entries.
    pub fn boots_without_tail(&self) -> Vec<Id128> {
        let mut ids: Vec<Id128> = self
            .boots
            .iter()
            .filter(|(_, acc)| acc.headers.entries > 0 && acc.tail.is_empty())
            .map(|(id, _)| *id)
            .collect();
        ids.sort_unstable();
        ids
    }

    /// The boots seen so far, for reading each one's tail: sorted, so what
    /// a read is asked never depends on a hash map's order, which differs
    /// from run to run.
    pub fn boot_ids(&self) -> Vec<Id128> {
        let mut ids: Vec<Id128> = self.boots.keys().copied().collect();
        ids.sort_unstable();
        ids
    }

    /// Orders the boots and decides how each ended.
    pub fn finish(mut self) -> Vec<Boot> {
        self.absorb_damaged_headers();
        let ids = order(&self.boots);
        self.number(&ids)
    }

    /// Folds "boots" that are a few entries with a damaged header back into
    /// the boot they were written in. journald writes one boot at a time,
    /// so in one sequence series boots never interleave: a boot of at most
    /// [`DAMAGED_BOOT_MAX_ENTRIES`] entries whose numbers all lie strictly
    /// inside another boot's is that boot's entries with a flipped boot id
    /// (the field `_BOOT_ID` still says which), not a boot of its own with
    /// an "unclean" end. Said in the host boot's notes.
    fn absorb_damaged_headers(&mut self) {
        let inside = |p: &Gathered, a: &Gathered| {
            !p.headers.seqnums.is_empty()
                && p.headers.seqnums.iter().all(|(series, lo, hi)| {
                    a.headers
                        .seqnum_range(series)
                        .is_some_and(|(a_lo, a_hi)| a_lo < *lo && *hi < a_hi)
                })
        };
        let mut ids: Vec<Id128> = self.boots.keys().copied().collect();
        ids.sort_unstable();
        for stray in &ids {
            let Some(p) = self.boots.get(stray) else {
                continue;
            };
            if p.headers.entries > DAMAGED_BOOT_MAX_ENTRIES {
                continue;
            }
            let Some(host) = ids
                .iter()
                .find(|a| *a != stray && self.boots.get(a).is_some_and(|a| inside(p, a)))
                .copied()
            else {
                continue;
            };
            let Some(p) = self.boots.remove(stray) else {
                continue;
            };
            let Some(a) = self.boots.get_mut(&host) else {
                continue;
            };
            a.headers.entries += p.headers.entries;
            for (first, last) in &p.headers.runs.runs {
                for n in *first..=*last {
                    a.headers.runs.insert(n);
                }
            }
            a.damage.push(format!(
                "{} entr{} inside this boot's sequence numbers name{} boot {} in {} header: a damaged header, counted with this boot",
                p.headers.entries,
                if p.headers.entries == 1 { "y" } else { "ies" },
                if p.headers.entries == 1 { "s" } else { "" },
                stray.short(),
                if p.headers.entries == 1 { "its" } else { "their" },
            ));
        }
    }

    /// Decides how each boot seen ended, numbering it by its place in
    /// `order` (every boot of the journal, oldest first; see [`outline_order`]):
    /// for a scan of a few boots. A boot's downtime needs the boot after it.
    pub fn finish_within(mut self, order: &[Id128]) -> Vec<Boot> {
        // A damaged header's "boot" is read beside its host boot here too.
        self.absorb_damaged_headers();
        self.number(order)
    }

    /// Numbers the boots by `order` and decides how each ended.
    fn number(self, order: &[Id128]) -> Vec<Boot> {
        let count = order.len() as i64;
        let mut boots: Vec<Boot> = Vec::with_capacity(self.boots.len());
        let accs = &self.boots;
        let neighbour = |position: Option<usize>| match position.and_then(|p| order.get(p)) {
            None => coverage::Neighbour::None,
            Some(id) => accs.get(id).map_or(coverage::Neighbour::Unread, |a| {
                coverage::Neighbour::Read(&a.headers)
            }),
        };
        let coverages: Vec<Option<Coverage>> = order
            .iter()
            .enumerate()
            .map(|(position, id)| {
                let acc = accs.get(id)?;
                Some(Coverage::assess(
                    &acc.headers,
                    neighbour(position.checked_sub(1)),
                    neighbour(Some(position + 1)),
                ))
            })
            .collect();
        let mut accs = self.boots;
        for ((position, id), coverage) in order.iter().enumerate().zip(coverages) {
            let (Some(acc), Some(coverage)) = (accs.remove(id), coverage) else {
                continue;
            };
            let newest = position as i64 == count - 1;
            boots.push(acc.into_boot(*id, position as i64 - (count - 1), newest, coverage));
        }
        for i in 0..boots.len().saturating_sub(1) {
            let (this, next) = (&boots[i], &boots[i + 1]);
            if this.index + 1 != next.index {
                continue;
            }
            if this.coverage.end == Side::Cut || next.coverage.head == Side::Cut {
                boots[i].notes.push(
                    "downtime unknown: entries around the reboot are missing from the journal read"
                        .to_string(),
                );
                continue;
            }
            let gap = next.first_realtime_usec as i128 - this.last_realtime_usec as i128;
            if gap >= 0 {
                boots[i].downtime_usec = Some(gap as u64);
            } else {
                boots[i].notes.push(
                    "downtime unknown: the next boot's first entry has an earlier wall-clock time (no RTC, or the clock was reset)"
                        .to_string(),
                );
            }
        }
        boots
    }
}

/// Boots of an indexed journal in three narrow reads instead of one full
/// one: every boot's header sums (no field data decompressed, added up where
/// the journal is read), the startup and shutdown lines through the index,
/// and each boot's last entries by seeking to its tail. `headers` sums the
/// headers under a filter and `open` opens the journal with one (both apply
/// the time bounds). Returns the header pass's diagnostics: it saw every
/// entry, so its warnings name all the damage.
///
/// The header pass and the marker read do not depend on each other and run
/// side by side, each in its own reader.
///
/// With `only` boots (empty: all), only those are read; finish the scanner
/// with [`BootScanner::finish_within`] the order of all boots.
pub fn scan_indexed(
    only: &[Id128],
    headers: impl FnOnce(Filter) -> Result<(Vec<BootHeaders>, Diagnostics), JournalError> + Send,
    mut open: impl FnMut(Filter) -> Result<Box<dyn EntrySource>, JournalError>,
) -> Result<(BootScanner, Diagnostics), JournalError> {
    let mut scanner = BootScanner::new();
    let these = Filter {
        boots: only.to_vec(),
        ..Filter::all()
    };
    let (sums, markers) = std::thread::scope(|s| {
        let sums = s.spawn(|| headers(these.clone()));
        let markers = open(Filter {
            any_of: marker_matches(),
            fields: Fields::Named(MARKER_FIELDS.iter().map(|f| f.to_string()).collect()),
            ..these.clone()
        })
        .and_then(|mut source| {
            let mut entries = Vec::new();
            while let Some(entry) = source.next_entry()? {
                entries.push(entry);
            }
            Ok(entries)
        });
        let sums = sums
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (sums, markers)
    });
    let (sums, diagnostics) = sums?;
    sums.into_iter().for_each(|h| scanner.add_headers(h));
    for entry in markers? {
        scanner.observe_marker(&entry);
    }
    // Every boot's tail in one read: a reader per boot cost a process and a
    // journal open each, most of the time on journals of many boots.
    let boots = scanner.boot_ids();
    if !boots.is_empty() {
        let mut tails = open(Filter {
            boots,
            last: Some(LAST_ENTRIES_KEPT),
            last_per_boot: true,
            ..Filter::all()
        })?;
        while let Some(entry) = tails.next_entry()? {
            scanner.observe_tail(&entry);
        }
    }
    Ok((scanner, diagnostics))
}
