//! Which boots the source holds, read as narrowly as the index allows: the
//! boot asked for and its neighbours only, or every boot's headers, marker
//! lines and tails; every entry when the index cannot be trusted.

use std::sync::{Arc, Mutex, PoisonError};

use super::{NO_BOOT, Result, Session, ids};
use crate::boots::{self as boot_scan, Boot, BootScanner};
use crate::journal::{self, EntrySource, Fields, Filter, JournalError};
use crate::machines;

/// The boots read on each side of the one a command is about: the boot
/// before (its findings compare the two, "lost at reboot") and the boot
/// after (the boot's downtime and end are judged by it).
const NEIGHBOURS_EACH_SIDE: usize = 1;

/// What a journal's index tells of its boots (see [`journal::Outline`]).
pub(super) struct IndexView {
    pub(super) machine_ids: usize,
    /// Every boot, oldest first, when sequence numbers alone order them.
    pub(super) order: Option<Vec<journal::Id128>>,
}

impl Session {
    /// The boots of the selection, oldest first. An indexed journal is read
    /// narrowly (headers, then marker lines, then each boot's tail); a stream
    /// is read once, whole.
    pub fn boots(&self) -> Result<Vec<Boot>> {
        let boots = match self.scanned.get() {
            Some(b) => b.clone(),
            None => {
                let scanned = self.scan_boots()?;
                self.scanned.get_or_init(|| scanned).clone()
            }
        };
        self.say_coverage(&boots);
        let bounded =
            self.time_filter.since_usec.is_some() || self.time_filter.until_usec.is_some();
        if boots.is_empty() && bounded {
            return Err("no entries between -S/--since and -U/--until: widen the range (`jforensics boots` without them shows when each boot began and ended)".into());
        }
        Ok(boots)
    }

    /// Whether the boots were scanned already (their last entries are then
    /// at hand).
    pub(super) fn scanned(&self) -> bool {
        self.scanned.get().is_some()
    }

    /// What the journal's index alone tells of its boots, on a whole
    /// journal without time bounds; `None` elsewhere or when the index
    /// cannot tell.
    fn index(&self) -> Option<&IndexView> {
        self.index
            .get_or_init(|| {
                let whole = self.scope.is_none() && self.time_filter == Filter::all();
                // A damaged file can make the index and the entry headers
                // disagree on which boots there are (a torn entry, a
                // sequence number out of order): every command then counts
                // boots from the full scan, so all of them number alike.
                let journal = self.opened().ok().filter(|j| whole && j.indexed())?;
                // Read beside the damage walk, used only once it found none.
                let outline = journal.outline(&Filter::all());
                let journal = self.journal().ok()?;
                if !journal.damage().is_empty() {
                    return None;
                }
                let outline = outline?;
                Some(IndexView {
                    machine_ids: outline.machine_ids,
                    order: boot_scan::outline_order(&outline),
                })
            })
            .as_ref()
    }

    /// Whether the index shows one machine without a scan of every boot:
    /// one `_MACHINE_ID` value in the whole journal, or boots the index
    /// orders whose last lines (all `machines::group` reads) name one.
    pub(super) fn one_machine_by_index(&self) -> Result<bool> {
        let Some(index) = self.index() else {
            return Ok(false);
        };
        if index.machine_ids <= 1 {
            return Ok(true);
        }
        let Some(order) = &index.order else {
            return Ok(false);
        };
        let mut tails = self.open(Filter {
            fields: Fields::Named(vec!["_MACHINE_ID".into(), "_HOSTNAME".into()]),
            ..machines::tails_filter(order)
        })?;
        Ok(machines::group(order, tails.as_mut())?.len() <= 1)
    }

    /// The boot `spec` names (`-b`; the newest without one) with the boots
    /// just before and after it, oldest first, and its position among them:
    /// what a command about one boot needs. Where the index orders the boots
    /// alone (see [`boot_scan::outline_order`]) only these are read;
    /// otherwise every boot is, as [`Session::boots`] does.
    pub fn boot_with_neighbours(&self, spec: Option<&str>) -> Result<(Vec<Boot>, usize)> {
        let order = match (self.scanned.get(), self.index()) {
            (None, Some(IndexView { order: Some(o), .. })) => o,
            _ => return self.all_boots_and_position(spec),
        };
        let at = match spec {
            Some(spec) => boot_scan::position(order, spec)?,
            None => order.len().checked_sub(1).ok_or(NO_BOOT)?,
        };
        let from = at.saturating_sub(NEIGHBOURS_EACH_SIDE);
        let near = &order[from..(at + NEIGHBOURS_EACH_SIDE + 1).min(order.len())];
        let (scanner, diagnostics) = self.scan_indexed(near)?;
        self.say_diagnostics(&diagnostics);
        if self.distrusts_index(&scanner)? {
            return self.all_boots_and_position(spec);
        }
        let boots = scanner.finish_within(order);
        if boots.len() != near.len() {
            // A boot the index names but no read finds: let the full scan say.
            return self.all_boots_and_position(spec);
        }
        self.say_coverage(&boots);
        Ok((boots, at - from))
    }

    /// Says once what the boots' coverage withholds (see
    /// [`boot_scan::coverage::describe`]): an excerpt must not pass for a
    /// journal in which nothing happened.
    fn say_coverage(&self, boots: &[Boot]) {
        static SAID: Mutex<Vec<String>> = Mutex::new(Vec::new());
        let Some(sentence) = boot_scan::coverage::describe(boots) else {
            return;
        };
        let line = match self.machine() {
            Some(m) => format!("jforensics: note: host {}: {sentence}", m.label()),
            None => format!("jforensics: note: {sentence}"),
        };
        let mut said = SAID.lock().unwrap_or_else(|e| e.into_inner());
        if !said.contains(&line) {
            self.say(&line);
            said.push(line);
        }
    }

    fn all_boots_and_position(&self, spec: Option<&str>) -> Result<(Vec<Boot>, usize)> {
        let all = self.boots()?;
        let at = match spec {
            Some(spec) => boot_scan::position(&ids(&all), spec)?,
            None => all.len().checked_sub(1).ok_or(NO_BOOT)?,
        };
        Ok((all, at))
    }

    fn scan_boots(&self) -> Result<Vec<Boot>> {
        // `scan_indexed` waits for the damage walk once its reads are done.
        let journal = self.opened()?;
        if journal.indexed() {
            let (scanner, diagnostics) = self.scan_indexed(&[])?;
            self.say_diagnostics(&diagnostics);
            if !self.distrusts_index(&scanner)? {
                return Ok(scanner.finish());
            }
        }
        let mut progress = self.progress("reading the journal");
        let mut source = self.open(Filter::all())?;
        let mut scanner = BootScanner::new();
        journal::for_each_entry(source.as_mut(), |e| {
            progress.tick();
            scanner.observe(&e)
        })?;
        drop(progress);
        self.say_diagnostics(source.diagnostics());
        Ok(scanner.finish())
    }

    /// Whether a scan through the index missed what the entry headers hold
    /// (a boot counted, but its last entries not found by its boot id): a
    /// damaged index, which would hide shutdown lines and make clean
    /// reboots look like power cuts. Then the journal is told to walk its
    /// entries from now on, and that is said.
    fn distrusts_index(&self, scanner: &BootScanner) -> Result<bool> {
        let missed = scanner.boots_without_tail();
        if missed.is_empty() {
            return Ok(false);
        }
        let blamed = self.journal()?.index_misses();
        let whose = match blamed {
            [] => (
                self.spec.describe(),
                "a damaged hash table or file id, or an entry header naming a boot its entry is not of",
            ),
            [one] => (
                format!("journal file {one}"),
                "a damaged hash table or file id",
            ),
            many => (
                format!("journal files {}", many.join(", ")),
                "a damaged hash table or file id",
            ),
        };
        let (whose, why) = whose;
        self.say(&format!(
            "jforensics: warning: the index of {whose} does not find the entries of {} boot(s) ({}) that the files hold ({why}): reading every entry instead, which is slower",
            missed.len(),
            missed
                .iter()
                .map(|b| b.short())
                .collect::<Vec<_>>()
                .join(", ")
        ));
        self.journal()?.distrust_index();
        Ok(true)
    }

    /// [`boot_scan::scan_indexed`] over this session's journal: `only` these
    /// boots, or all. A journal of several hosts is scanned a part at a time
    /// (see [`journal::Parts`]), so that the scan grows with the hosts, not
    /// their square.
    fn scan_indexed(&self, only: &[journal::Id128]) -> Result<(BootScanner, journal::Diagnostics)> {
        // Read beside the damage walk; the answer waits for it below.
        let journal = self.opened()?;
        let parts = self.scope.is_none().then(|| journal.parts()).flatten();
        let scanned = boot_scan::scan_indexed(
            only,
            |filter| match &parts {
                Some(parts) => parts.boot_headers(&self.with_time(filter), self.strictness),
                None => journal.boot_headers(&self.with_time(filter), self.strictness),
            },
            |filter| {
                let tails = filter.last_per_boot;
                let source = match &parts {
                    Some(parts) => parts.open(&self.with_time(filter), self.strictness),
                    None => journal.open(&self.with_time(filter), self.strictness)?,
                };
                Ok(if tails {
                    Box::new(Keep {
                        source,
                        into: self.tails.clone(),
                        kept: Vec::new(),
                    })
                } else {
                    source
                })
            },
        );
        self.journal()?;
        Ok(scanned?)
    }
}

/// A source that keeps a copy of what it read, stored when it ends cleanly.
struct Keep {
    source: Box<dyn EntrySource>,
    into: Arc<Mutex<Option<Vec<journal::Entry>>>>,
    kept: Vec<journal::Entry>,
}

impl EntrySource for Keep {
    fn next_entry(&mut self) -> std::result::Result<Option<journal::Entry>, JournalError> {
        let next = self.source.next_entry()?;
        match &next {
            Some(entry) => self.kept.push(entry.clone()),
            None => {
                *self.into.lock().unwrap_or_else(PoisonError::into_inner) =
                    Some(std::mem::take(&mut self.kept));
            }
        }
        Ok(next)
    }
    fn diagnostics(&self) -> &journal::Diagnostics {
        self.source.diagnostics()
    }
}
