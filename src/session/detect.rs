//! The detectors over the boots a command asks about: which boots must be
//! read for them (each boot with the one before, see
//! [`findings::with_predecessors`]), read several at once, a window at a
//! time so memory does not grow with the journal.

use super::{Result, Session, pool};
use crate::boots::Boot;
use crate::cause::BootAnalysis;
use crate::findings::{self, BootData, Finding, Options, boot_filter, read_boot};
use crate::journal::{self, Filter, Id128, JournalError};

/// The findings of the boots a command asked for.
pub struct Selection {
    /// The boots the findings rest on (the selected ones and the boot
    /// before each), for the documents' `coverage`.
    pub read: Vec<Boot>,
    /// The boots asked for.
    pub selected: Vec<Id128>,
    /// Their findings, in journal order.
    pub findings: Vec<Finding>,
}

/// Every boot read whole, for the tables of `query` and `export`.
pub struct Analysed {
    pub boots: Vec<Boot>,
    pub analyses: Vec<BootAnalysis>,
    pub findings: Vec<Finding>,
    /// The boot `-b` named, whose rows alone the tables keep.
    pub selected: Option<Id128>,
}

impl Session {
    /// Reads `boots` whole for the detectors, several at once (one reader
    /// process per thread), and returns them in the order given with what
    /// each read noticed.
    pub fn read_boots(
        &self,
        boots: &[&Boot],
        options: &Options,
    ) -> Result<Vec<(BootData, journal::Diagnostics)>> {
        self.read_boots_through(boots, options, boot_filter)
    }

    /// [`Session::read_boots`], each boot read through `filter_of` its
    /// boot id: fewer lines or fields where the caller needs fewer.
    pub fn read_boots_through(
        &self,
        boots: &[&Boot],
        options: &Options,
        filter_of: impl Fn(Id128) -> Filter + Sync,
    ) -> Result<Vec<(BootData, journal::Diagnostics)>> {
        let journal = self.journal()?;
        // Not `self`, which is not shared between threads.
        let (strictness, time) = (self.strictness, &self.time_filter);
        let read = |boot: &&Boot| -> std::result::Result<_, JournalError> {
            let filter = super::with_time(time, filter_of(boot.boot_id));
            let mut source = journal.open(&filter, strictness)?;
            let data = read_boot(boot, source.as_mut(), options)?;
            Ok((data, source.diagnostics().clone()))
        };
        Ok(pool::map(boots, pool::threads(), read, |_| {})
            .into_iter()
            .map(|r| {
                r.ok_or_else(|| JournalError::Empty {
                    what: self.spec.describe(),
                    skipped: 0,
                })?
            })
            .collect::<std::result::Result<_, _>>()?)
    }

    /// The boot `spec` names (`-b`) or every boot, and their findings: one
    /// boot's findings need it and the boot before (see [`detect_with`]).
    pub fn findings(&self, spec: Option<&str>, options: &Options) -> Result<Selection> {
        let (all, selected) = match spec {
            Some(_) => {
                let (near, at) = self.boot_with_neighbours(spec)?;
                let id = near[at].boot_id;
                (near, vec![id])
            }
            None => {
                let all = self.boots()?;
                let ids = super::ids(&all);
                (all, ids)
            }
        };
        let found = self.detect(&all, &selected, options)?;
        // The findings rest on the selected boots and the boot before each.
        let read = findings::with_predecessors(&all, &selected)
            .into_iter()
            .cloned()
            .collect();
        Ok(Selection {
            read,
            selected,
            findings: found,
        })
    }

    /// Reads the selected boots (and the boot before each) and runs the detectors.
    pub fn detect(
        &self,
        all: &[Boot],
        selected: &[Id128],
        options: &Options,
    ) -> Result<Vec<Finding>> {
        detect_with(all, selected, options, |chunk, options| {
            Ok(self
                .read_boots(chunk, options)?
                .into_iter()
                .map(|(d, _)| d)
                .collect())
        })
    }

    /// One boot read in full: its analysis and its findings, most severe
    /// first (what `since-boot` and `report` show). The boot before is read
    /// too, as "lost at reboot" compares the two; each boot is read once,
    /// for lifecycles and detectors alike.
    pub fn one_boot(
        &self,
        all: &[Boot],
        boot: &Boot,
        options: &Options,
    ) -> Result<(BootAnalysis, Vec<Finding>)> {
        let mut data = Vec::new();
        let both = findings::with_predecessors(all, &[boot.boot_id]);
        for (read, diagnostics) in self.read_boots(&both, options)? {
            data.push(read);
            self.say_diagnostics(&diagnostics);
        }
        let mut found = findings::detect(&data, options);
        found.retain(|f| f.boot_id == boot.boot_id);
        findings::sort_by_severity(&mut found);
        let analysis = data.pop().ok_or("no boot was read")?.analysis;
        Ok((analysis, found))
    }

    /// Every boot, or the one `spec` names (`-b`) and the boot before it,
    /// read one after the other with the default thresholds.
    pub fn analyse(&self, spec: Option<&str>) -> Result<Analysed> {
        let all_boots = self.boots()?;
        let selected = match spec {
            Some(spec) => Some(crate::boots::select(&all_boots, spec)?.boot_id),
            None => None,
        };
        let read = match selected {
            Some(id) => findings::with_predecessors(&all_boots, &[id]),
            None => all_boots.iter().collect(),
        };
        let options = Options::default();
        let data = read
            .into_iter()
            .map(|b| {
                let mut source = self.open(boot_filter(b.boot_id))?;
                Ok(read_boot(b, source.as_mut(), &options)?)
            })
            .collect::<Result<Vec<_>>>()?;
        let found = findings::detect(&data, &options);
        let analyses: Vec<BootAnalysis> = data.into_iter().map(|d| d.analysis).collect();
        Ok(Analysed {
            boots: all_boots,
            analyses,
            findings: found,
            selected,
        })
    }
}

/// The detectors over `selected` (and the boot before each), with the boots
/// read by `read` (a window of boots at a time, returned in the order given).
pub fn detect_with<E>(
    all: &[Boot],
    selected: &[Id128],
    options: &Options,
    mut read: impl FnMut(&[&Boot], &Options) -> std::result::Result<Vec<BootData>, E>,
) -> std::result::Result<Vec<Finding>, E> {
    // A boot's findings need only it, the boot before and the one after:
    // boots are read a window at a time, several at once, and only the
    // window's last two stay for the next, so memory does not grow with the
    // journal. Findings come out in journal order, as in one detect().
    let wanted = findings::with_predecessors(all, selected);
    let window = BOOTS_READ_PER_THREAD * pool::threads();
    let mut list = Vec::new();
    let mut ready: Vec<BootData> = Vec::new();
    let mut judged = 0;
    for (n, chunk) in wanted.chunks(window).enumerate() {
        ready.extend(read(chunk, options)?);
        let last = (n + 1) * window >= wanted.len();
        // The newest boot read waits for its successor, unless none is left.
        let judge_to = if last { ready.len() } else { ready.len() - 1 };
        let judge: Vec<Id128> = ready[judged..judge_to]
            .iter()
            .map(|d| d.analysis.boot.boot_id)
            .filter(|id| selected.contains(id))
            .collect();
        let mut found = findings::detect(&ready, options);
        found.retain(|f| judge.contains(&f.boot_id));
        list.extend(found);
        ready.drain(..ready.len().saturating_sub(CARRIED_TO_NEXT_WINDOW));
        judged = ready.len().min(1);
    }
    Ok(list)
}

/// Boots in a window, per reading thread: each thread has a second boot to
/// take while the window's slowest one is read.
const BOOTS_READ_PER_THREAD: usize = 2;

/// Boots a window leaves to the next: the newest, still to be judged with
/// its successor, and the one before it, which its findings compare with.
const CARRIED_TO_NEXT_WINDOW: usize = 2;
