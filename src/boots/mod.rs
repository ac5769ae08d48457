//! Boots: which ones the journal holds, in what order, and how each ended.
//!
//! Boots are grouped by `_BOOT_ID` ourselves rather than asked of libsystemd:
//! journalctl 252 loses boots when the wall clock restarts at every boot (a
//! machine without an RTC). Order comes from two clues: entries of two boots
//! that share a sequence-number series are ordered by sequence number (a hard
//! fact), otherwise by each boot's newest wall-clock time (what systemd 254+
//! does). Durations use the monotonic clock, which a clock jump cannot move.
//!
//! How a boot ended is read from the shutdown sequence by `MESSAGE_ID` and
//! `UNIT=`: the shutdown/final/reboot targets, logind's `SHUTDOWN=` message,
//! systemd-shutdown's lines, and journald's final "Journal stopped" (the one at
//! switch-root is not final, because entries follow it).

pub mod coverage;
mod select;

use std::collections::{HashMap, VecDeque};

use serde::Serialize;

use crate::events::ids;
use crate::evidence::Evidence;
use crate::journal::{
    BootHeaders, Diagnostics, Entry, EntrySource, Fields, Filter, HeaderScan, Id128, JournalError,
    Match, Outline,
};

pub use self::coverage::{Coverage, Gap, Side, State as CoverageState};
pub use self::select::{check_spec, position, select};
pub use crate::journal::cursor_part;

/// How many of a boot's last entries are kept to show what happened before a cut.
const LAST_ENTRIES_KEPT: usize = 8;

/// The most entries a "boot" inside another boot's sequence numbers may
/// have to be taken for damaged headers (one flipped byte makes one).
const DAMAGED_BOOT_MAX_ENTRIES: u64 = 3;

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Serialize, strum::IntoStaticStr, strum::VariantArray,
)]
#[serde(into = "&'static str")]
#[strum(serialize_all = "lowercase")]
pub enum BootEnd {
    /// A shutdown sequence was logged.
    Clean,
    /// The journal just stops and a later boot exists: power loss or crash.
    Unclean,
    /// The newest boot, still going when the journal was read.
    Running,
    /// No shutdown was logged, but entries are missing around the boot's
    /// end (an excerpt, a cut copy, damage): whether it ended cleanly
    /// cannot be told. [`Boot::coverage`] says what is missing.
    Unknown,
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Serialize, strum::IntoStaticStr, strum::VariantArray,
)]
#[serde(into = "&'static str")]
#[strum(serialize_all = "lowercase")]
pub enum ShutdownKind {
    Reboot,
    Poweroff,
    Halt,
    Kexec,
}

impl ShutdownKind {
    fn from_word(word: &str) -> Option<ShutdownKind> {
        match word {
            "reboot" => Some(ShutdownKind::Reboot),
            "power-off" | "poweroff" => Some(ShutdownKind::Poweroff),
            "halt" => Some(ShutdownKind::Halt),
            "kexec" => Some(ShutdownKind::Kexec),
            _ => None,
        }
    }

    /// The target or service whose start means this kind of shutdown.
    fn from_unit(unit: &str) -> Option<ShutdownKind> {
        let stem = unit
            .strip_suffix(".target")
            .or_else(|| unit.strip_suffix(".service"))?;
        ShutdownKind::from_word(stem.strip_prefix("systemd-").unwrap_or(stem))
    }

    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// systemd's own report that boot-up is done.
#[derive(Clone, Debug, Serialize)]
pub struct StartupFinished {
    pub realtime_usec: u64,
    pub monotonic_usec: Option<u64>,
    pub kernel_usec: Option<u64>,
    pub initrd_usec: Option<u64>,
    pub userspace_usec: Option<u64>,
    pub evidence: Evidence,
}

#[derive(Clone, Debug, Serialize)]
pub struct Boot {
    pub boot_id: Id128,
    /// 0 for the newest boot, −1 for the one before, as journalctl numbers them.
    pub index: i64,
    pub first_realtime_usec: u64,
    pub last_realtime_usec: u64,
    pub first_monotonic_usec: Option<u64>,
    pub last_monotonic_usec: Option<u64>,
    pub first_cursor: String,
    pub last_cursor: String,
    /// Uptime at the last entry (monotonic), or the wall-clock span if the
    /// source had no monotonic times.
    pub duration_usec: u64,
    pub entries: u64,
    /// "252.38-1~deb12u1", from PID 1's "systemd X running in system mode".
    pub systemd_version: Option<String>,
    pub startup_finished: Option<StartupFinished>,
    pub end: BootEnd,
    pub shutdown: Option<ShutdownKind>,
    /// The lines that show the shutdown sequence (clean) or the last lines
    /// before the journal stops (unclean, running).
    pub end_evidence: Vec<Evidence>,
    /// Wall-clock gap until the next boot's first entry; None for the newest
    /// boot or when the clock makes it meaningless.
    pub downtime_usec: Option<u64>,
    /// Why a number above is missing or doubtful, for people.
    pub notes: Vec<String>,
    /// How much of the boot the journal read holds, by sequence numbers.
    pub coverage: Coverage,
}

impl Boot {
    pub fn is_newest(&self) -> bool {
        self.index == 0
    }
}

/// Accumulates what each boot needs while entries stream past.
#[derive(Default)]
pub struct BootScanner {
    boots: HashMap<Id128, Acc>,
}

struct Acc {
    /// Counts, ends, sequence numbers and clock jumps, from entry headers.
    headers: BootHeaders,
    systemd_version: Option<String>,
    startup_finished: Option<StartupFinished>,
    shutdown: Option<ShutdownKind>,
    shutdown_evidence: Vec<Evidence>,
    /// The boot's last entries, oldest first.
    tail: VecDeque<TailEntry>,
    /// Damage found in its headers, for its notes.
    damage: Vec<String>,
    /// Entries whose header named another boot though their `_BOOT_ID`
    /// field names this one: counted here (see [`BootScanner::observe`]).
    misnamed: u64,
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
            Acc {
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
        let inside = |p: &Acc, a: &Acc| {
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

impl Acc {
    fn note_markers(&mut self, entry: &Entry) {
        let message_id = entry.str("MESSAGE_ID");
        let from_pid1 = entry.is_from_pid1() || entry.field("SYSLOG_PID") == Some(b"1");
        match message_id {
            Some(ids::SHUTDOWN) => {
                let kind = entry.str("SHUTDOWN").and_then(ShutdownKind::from_word);
                self.remember_shutdown(entry, kind);
                return;
            }
            Some(ids::STARTUP_FINISHED) if from_pid1 => {
                self.startup_finished = Some(StartupFinished {
                    realtime_usec: entry.realtime_usec,
                    monotonic_usec: entry.monotonic_usec,
                    kernel_usec: entry.number("KERNEL_USEC"),
                    initrd_usec: entry.number("INITRD_USEC"),
                    userspace_usec: entry.number("USERSPACE_USEC"),
                    evidence: Evidence::from_entry(entry),
                });
                return;
            }
            Some(ids::UNIT_STARTED) if from_pid1 => {
                if let Some(unit) = entry.str("UNIT") {
                    if unit == "shutdown.target" || unit == "final.target" {
                        self.remember_shutdown(entry, None);
                    } else if let Some(kind) = ShutdownKind::from_unit(unit) {
                        self.remember_shutdown(entry, Some(kind));
                    }
                }
                return;
            }
            _ => {}
        }
        if !from_pid1 && entry.str("SYSLOG_IDENTIFIER") != Some("systemd-shutdown") {
            return;
        }
        // Text fallbacks: these lines carry no MESSAGE_ID in any version.
        let message = entry.message();
        if let Some(rest) = message.strip_prefix("systemd ")
            && let Some((version, _)) = rest.split_once(" running in system mode")
        {
            self.systemd_version = Some(version.to_string());
        } else if entry.str("SYSLOG_IDENTIFIER") == Some("systemd-shutdown")
            || message == "Shutting down."
        {
            self.remember_shutdown(entry, None);
        }
    }

    fn remember_shutdown(&mut self, entry: &Entry, kind: Option<ShutdownKind>) {
        if kind.is_some() && self.shutdown.is_none() {
            self.shutdown = kind;
        }
        if self.shutdown_evidence.len() < LAST_ENTRIES_KEPT {
            self.shutdown_evidence.push(Evidence::from_entry(entry));
        } else if let Some(last) = self.shutdown_evidence.last_mut() {
            *last = Evidence::from_entry(entry);
        }
    }

    /// journald's "Journal stopped" ends a boot only when it is the last
    /// entry not relayed from the kernel; the one at switch-root is followed
    /// by the rest of the boot.
    fn final_journal_stop(&self) -> Option<&Evidence> {
        self.tail
            .iter()
            .rev()
            .find(|t| !t.kernel)
            .filter(|t| t.journal_stop)
            .map(|t| &t.evidence)
    }

    fn into_boot(mut self, boot_id: Id128, index: i64, newest: bool, coverage: Coverage) -> Boot {
        if let Some(stop) = self.final_journal_stop().cloned() {
            self.shutdown_evidence.push(stop);
        }
        let clean = self.shutdown.is_some() || !self.shutdown_evidence.is_empty();
        let end = if clean {
            BootEnd::Clean
        } else if newest {
            BootEnd::Running
        } else if coverage.end_judgeable() {
            BootEnd::Unclean
        } else {
            BootEnd::Unknown
        };
        let mut notes = std::mem::take(&mut self.damage);
        if self.misnamed > 0 {
            notes.push(format!(
                "{} entr{} of this boot by {} _BOOT_ID field name{} another boot in {} header: a damaged header, counted with this boot",
                self.misnamed,
                if self.misnamed == 1 { "y" } else { "ies" },
                if self.misnamed == 1 { "its" } else { "their" },
                if self.misnamed == 1 { "s" } else { "" },
                if self.misnamed == 1 { "its" } else { "their" },
            ));
        }
        if end == BootEnd::Unknown
            && let Some(reason) = coverage.reason()
        {
            notes.push(format!(
                "how this boot ended cannot be told: no shutdown was logged, but {reason}"
            ));
        }
        let h = self.headers;
        if h.impossible_times > 0 {
            notes.push(format!(
                "{} entr{} had a monotonic time that cannot be (a damaged header): left out of this boot's uptime, first and last entry",
                h.impossible_times,
                if h.impossible_times == 1 { "y" } else { "ies" }
            ));
        }
        if h.clock_jumps > 0 {
            notes.push(format!(
                "the wall clock jumped {} time(s) during this boot; wall-clock times before the jump are not comparable with later ones",
                h.clock_jumps
            ));
        }
        if clean && self.shutdown.is_none() {
            notes.push(
                "a shutdown was logged but not whether it was a reboot or a power-off".to_string(),
            );
        }
        let end_evidence = match end {
            BootEnd::Clean => self.shutdown_evidence,
            BootEnd::Unclean | BootEnd::Running | BootEnd::Unknown => {
                self.tail.into_iter().map(|t| t.evidence).collect()
            }
        };
        let duration_usec = match (h.first_mono, h.last_mono) {
            (Some(_), Some(last)) => last,
            _ => h.max_realtime.saturating_sub(h.first.realtime_usec),
        };
        Boot {
            boot_id,
            index,
            first_realtime_usec: h.first.realtime_usec,
            last_realtime_usec: h.last.realtime_usec,
            first_monotonic_usec: h.first_mono,
            last_monotonic_usec: h.last_mono,
            first_cursor: h.first.cursor,
            last_cursor: h.last.cursor,
            duration_usec,
            entries: h.entries,
            systemd_version: self.systemd_version,
            startup_finished: self.startup_finished,
            end,
            shutdown: if clean { self.shutdown } else { None },
            end_evidence,
            downtime_usec: None,
            notes,
            coverage,
        }
    }
}

struct TailEntry {
    evidence: Evidence,
    kernel: bool,
    journal_stop: bool,
}

/// What [`Acc::note_markers`] and the evidence it keeps read of a marker
/// entry: on a journal of many boots the marker lines are a hundred
/// thousand entries, and their other fields are most of what a read costs.
const MARKER_FIELDS: &[&str] = &[
    "MESSAGE",
    "MESSAGE_ID",
    "SHUTDOWN",
    "_PID",
    "SYSLOG_PID",
    "SYSLOG_IDENTIFIER",
    "UNIT",
    "KERNEL_USEC",
    "INITRD_USEC",
    "USERSPACE_USEC",
    // What describes an entry without MESSAGE (evidence.rs).
    "_COMM",
    "_TRANSPORT",
];

/// The entries that mark startup and shutdown, as indexed matches: what an
/// indexed journal needs beyond entry headers to tell how each boot ended.
pub fn marker_matches() -> Vec<Vec<Match>> {
    let mut groups = vec![
        vec![Match::new("MESSAGE_ID", ids::SHUTDOWN)],
        vec![
            Match::new("MESSAGE_ID", ids::STARTUP_FINISHED),
            Match::new("_PID", "1"),
        ],
        vec![Match::new("SYSLOG_IDENTIFIER", "systemd-shutdown")],
        vec![
            Match::new("_PID", "1"),
            Match::new("MESSAGE", "Shutting down."),
        ],
        // "systemd X running in system mode" arrives through kmsg, before
        // journald runs, among a hundred other kernel-relayed lines of PID 1
        // per boot: only the two kinds note_markers reads are asked for.
        vec![
            Match::new("SYSLOG_IDENTIFIER", "systemd"),
            Match::new("_TRANSPORT", "kernel"),
            Match::starting("MESSAGE", "systemd "),
            Match::new("MESSAGE", "Shutting down."),
        ],
    ];
    let mut targets = vec![
        Match::new("MESSAGE_ID", ids::UNIT_STARTED),
        Match::new("_PID", "1"),
    ];
    for unit in ["shutdown.target", "final.target"] {
        targets.push(Match::new("UNIT", unit));
    }
    for kind in ["reboot", "poweroff", "halt", "kexec"] {
        targets.push(Match::new("UNIT", format!("{kind}.target")));
        targets.push(Match::new("UNIT", format!("systemd-{kind}.service")));
    }
    groups.push(targets);
    groups
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

/// Oldest first. Sequence numbers in a shared series are facts and win; among
/// boots they do not relate, the one whose newest entry is older comes first.
fn order(boots: &HashMap<Id128, Acc>) -> Vec<Id128> {
    let mut ids: Vec<Id128> = boots.keys().copied().collect();
    ids.sort_unstable();
    let accs: Vec<&Acc> = ids.iter().map(|id| &boots[id]).collect();
    order_by(
        &ids,
        |i| &accs[i].headers.seqnums,
        |i| accs[i].headers.max_realtime,
    )
    .0
}

/// The boots of an [`Outline`] in the order a scan of every entry header
/// would give them, when sequence numbers alone decide it: each boot shares
/// a series with the next and all of it comes first. Then the wall clock,
/// which only the headers tell, never breaks a tie. `None` otherwise.
pub fn outline_order(outline: &Outline) -> Option<Vec<Id128>> {
    let ids: Vec<Id128> = outline.boots.iter().map(|b| b.boot_id).collect();
    let (order, decided) = order_by(&ids, |i| &outline.boots[i].seqnums, |_| 0);
    decided.then_some(order)
}

/// Orders boots `ids` (sorted) by their seqnum ranges, a topological order;
/// where several boots could come next, the lowest `key` (then id) does.
/// Also says whether seqnums decided every step alone.
fn order_by<'a>(
    ids: &[Id128],
    seqnums: impl Fn(usize) -> &'a [(String, u64, u64)],
    key: impl Fn(usize) -> u64,
) -> (Vec<Id128>, bool) {
    let n = ids.len();
    let mut before: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut incoming = vec![0usize; n];
    for (a, later) in before.iter_mut().enumerate() {
        for (b, count) in incoming.iter_mut().enumerate() {
            if a != b && seq_before(seqnums(a), seqnums(b)) {
                later.push(b);
                *count += 1;
            }
        }
    }
    let key = |i: usize| (key(i), ids[i]);
    let mut done = vec![false; n];
    let mut out = Vec::with_capacity(n);
    let mut decided = true;
    for _ in 0..n {
        // Prefer a boot with no unplaced predecessor; if the clues contradict
        // each other (a cycle), fall back to the wall clock alone.
        let free: Vec<usize> = (0..n).filter(|&i| !done[i] && incoming[i] == 0).collect();
        decided &= free.len() == 1;
        let pick = free
            .into_iter()
            .min_by_key(|&i| key(i))
            .or_else(|| (0..n).filter(|&i| !done[i]).min_by_key(|&i| key(i)));
        let Some(i) = pick else { break };
        done[i] = true;
        for &j in &before[i] {
            incoming[j] = incoming[j].saturating_sub(1);
        }
        out.push(ids[i]);
    }
    (out, decided)
}

/// True when boots with seqnum ranges `a` and `b` share a sequence series
/// and all of `a` comes first.
fn seq_before(a: &[(String, u64, u64)], b: &[(String, u64, u64)]) -> bool {
    a.iter()
        .any(|(series, _, a_max)| b.iter().any(|(s, b_min, _)| s == series && *a_max < *b_min))
}

#[cfg(test)]
mod tests;
