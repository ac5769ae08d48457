//! Read planning: which boots, which neighbours, which windows, read how
//! and how many at once.
//!
//! Every command asks the same few questions of a source (the boots, one
//! boot with the boots around it, the machines, every boot read whole for
//! the detectors) and each answer is costly: a scan of the entry headers, a
//! reader process per thread. A [`Session`] asks each once, keeps the
//! answer, and reuses what one read already brought (the boots' last
//! entries serve the machine listing too). It reads narrowly where the
//! journal's index allows (the boot asked for and its neighbours only) and
//! falls back to reading every boot where the index cannot be trusted.
//!
//! The session knows nothing of flags or terminals: it is built from a
//! [`SourceSpec`], a [`Filter`] of time bounds and a [`Strictness`], and
//! what it has to say on the way (damage, coverage, a distrusted index) goes
//! to an [`Observer`] the caller gives. Parallel work runs on one pool
//! ([`pool`]), shared by boot reads and fleet hosts alike.

mod detect;
mod error;
pub mod fleet;
mod hosts;
pub mod pool;
mod scan;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use crate::boots::{self as boot_scan, Boot};
use crate::journal::{self, EntrySource, Filter, Journal, JournalError, SourceSpec, Strictness};
use crate::machines::Machine;

pub use detect::{Analysed, Selection, detect_with};
pub use error::{Error, Result};
pub use hosts::Hosts;
pub use pool::{THREADS_ENV, threads};

/// Where a session's words go: warnings and notes, already worded
/// ("jforensics: warning: …"), and the live counter of a long read. The
/// front end decides what the user sees of them.
pub trait Observer: Send + Sync {
    /// One line for the user.
    fn say(&self, line: &str);
    /// A counter for a long read of `what` ("reading the journal"), ticked
    /// once per entry; dropped when the read ends.
    fn progress(&self, what: &'static str) -> Box<dyn Tick>;
    /// `done` of `total` items of parallel work on `what` are finished.
    fn counted(&self, _what: &str, _done: usize, _total: usize) {}
    /// The parallel work whose items [`Observer::counted`] counted is over.
    fn counted_all(&self) {}
}

/// One entry more of a long read.
pub trait Tick {
    fn tick(&mut self);
}

/// A counter that shows nothing (several reads at once would overwrite
/// each other's line).
pub struct Silent;

impl Tick for Silent {
    fn tick(&mut self) {}
}

/// A source and all that was learnt of it so far.
pub struct Session {
    pub spec: SourceSpec,
    pub strictness: Strictness,
    pub time_filter: Filter,
    observer: Arc<dyn Observer>,
    /// Prepared on first use (unpacked once, stdin spooled once), then read
    /// as often as the command needs; shared with the per-machine views.
    journal: Arc<OnceLock<Journal>>,
    /// `-M/--machine`, as given.
    machine_arg: Option<String>,
    /// On a per-machine view: the machine, whose boots every read is
    /// narrowed to.
    scope: Option<Machine>,
    /// On a view read through its machine's files only: the whole journal
    /// and those files, narrowed on first use (see [`Journal::narrowed`]).
    narrow: Option<(Arc<OnceLock<Journal>>, Vec<PathBuf>)>,
    /// No progress line (views read in parallel by `fleet`).
    quiet: bool,
    /// The boots, scanned once.
    scanned: OnceLock<Vec<Boot>>,
    /// What the journal's index alone tells of its boots, asked once.
    index: OnceLock<Option<scan::IndexView>>,
    /// Every boot's last entries as the boot scan read them: the machine
    /// listing reads the same ones (see [`Session::machines`]).
    tails: Arc<Mutex<Option<Vec<journal::Entry>>>>,
    /// The machines, decided once: deciding may warn, and must warn once.
    grouped: OnceLock<Vec<Machine>>,
    /// The journal's damage was said (see [`Session::journal`]).
    damage_said: OnceLock<()>,
}

const NO_BOOT: &str = "the journal holds no boot; check the source with `jforensics boots`";

impl Session {
    /// Nothing is read yet. `machine` is `-M` as given: the machine the
    /// commands about one host work on.
    pub fn new(
        spec: SourceSpec,
        strictness: Strictness,
        time_filter: Filter,
        machine: Option<String>,
        observer: Arc<dyn Observer>,
    ) -> Session {
        Session {
            spec,
            strictness,
            time_filter,
            observer,
            journal: Arc::new(OnceLock::new()),
            machine_arg: machine,
            scope: None,
            narrow: None,
            quiet: false,
            scanned: OnceLock::new(),
            index: OnceLock::new(),
            tails: Arc::default(),
            grouped: OnceLock::new(),
            damage_said: OnceLock::new(),
        }
    }

    /// The same journal, narrowed to one machine's boots, and read through
    /// the files that hold them when the journal can tell which do: one
    /// host's reads then cost the same however many hosts the journal holds.
    pub fn view(&self, machine: &Machine) -> Session {
        let own = (self.journal.get())
            .and_then(|j| j.files_holding(&machine.boots))
            .map(|files| (self.journal.clone(), files));
        Session {
            journal: match own {
                Some(_) => Arc::new(OnceLock::new()),
                None => self.journal.clone(),
            },
            scope: Some(machine.clone()),
            narrow: own,
            quiet: self.quiet,
            ..self.with_spec(self.spec.clone())
        }
    }

    /// The same settings over another source (nothing read yet).
    pub fn with_spec(&self, spec: SourceSpec) -> Session {
        Session {
            quiet: self.quiet,
            ..Session::new(
                spec,
                self.strictness,
                self.time_filter.clone(),
                None,
                self.observer.clone(),
            )
        }
    }

    /// Without the progress line, for reading several views at once.
    pub fn quiet(mut self) -> Session {
        self.quiet = true;
        self
    }

    /// The machine of a view.
    pub fn machine(&self) -> Option<&Machine> {
        self.scope.as_ref()
    }

    /// One line for the user, through the session's observer.
    pub fn say(&self, line: &str) {
        self.observer.say(line);
    }

    fn progress(&self, what: &'static str) -> Box<dyn Tick> {
        if self.quiet {
            Box::new(Silent)
        } else {
            self.observer.progress(what)
        }
    }

    /// Warnings go to the observer, so damage is visible but never mixes
    /// with output.
    pub fn say_diagnostics(&self, d: &journal::Diagnostics) {
        for w in &d.warnings {
            self.say(&format!("jforensics: warning: {w}"));
        }
        if d.skipped > 0 {
            self.say(&format!(
                "jforensics: warning: {} damaged record(s) skipped, {} entries read",
                d.skipped, d.entries_read
            ));
        }
    }

    /// The journal, its damage said (and refused under `--strict`): what
    /// every read whose answer is used goes through.
    fn journal(&self) -> std::result::Result<&Journal, JournalError> {
        let journal = self.opened()?;
        if self.narrow.is_none() {
            self.say_damage(journal)?;
        }
        Ok(journal)
    }

    /// The journal, prepared, with its damage still being looked for (see
    /// [`Journal::look_for_damage_in_background`]): for the first reads,
    /// which run beside that walk and whose answers wait for it before
    /// they are used ([`Session::journal`]).
    fn opened(&self) -> std::result::Result<&Journal, JournalError> {
        if let Some(j) = self.journal.get() {
            return Ok(j);
        }
        // The whole journal said its damage when it was opened.
        if let Some((whole, files)) = &self.narrow
            && let Some(whole) = whole.get()
        {
            let narrowed = whole.narrowed(files.clone())?;
            return Ok(self.journal.get_or_init(|| narrowed));
        }
        let prepared = Journal::prepare(&self.spec)?;
        let journal = self.journal.get_or_init(|| prepared);
        journal.look_for_damage_in_background();
        Ok(journal)
    }

    /// Says the journal's damage, once: every answer lacks what it names.
    fn say_damage(&self, journal: &Journal) -> std::result::Result<(), JournalError> {
        let mut first = false;
        self.damage_said.get_or_init(|| first = true);
        if !first {
            return Ok(());
        }
        for line in journal.damage() {
            self.say(&format!("jforensics: warning: {line}"));
        }
        if self.strictness == Strictness::Strict && !journal.damage().is_empty() {
            return Err(JournalError::Refused {
                what: self.spec.describe(),
                files: journal.damage().len(),
            });
        }
        Ok(())
    }

    /// The files of the source that cannot be read at all (see
    /// [`Journal::damage`]), for the documents' `coverage`.
    pub fn damage(&self) -> Result<Vec<String>> {
        Ok(self.journal()?.damage().to_vec())
    }

    /// The time bounds, and on a view the machine's boots, added to `filter`.
    fn with_time(&self, filter: Filter) -> Filter {
        let mut filter = with_time(&self.time_filter, filter);
        if let Some(m) = &self.scope
            && filter.boots.is_empty()
        {
            filter.boots = m.boots.clone();
        }
        filter
    }

    /// Opens the source with the time bounds plus `filter`.
    pub fn open(&self, filter: Filter) -> Result<Box<dyn EntrySource>> {
        Ok(self
            .journal()?
            .open(&self.with_time(filter), self.strictness)?)
    }
}

/// `filter` within the time bounds of `time` (-S/-U), keeping its own.
fn with_time(time: &Filter, filter: Filter) -> Filter {
    filter.within_times_of(time)
}

fn ids(boots: &[Boot]) -> Vec<journal::Id128> {
    boots.iter().map(|b| b.boot_id).collect()
}

/// The boot `spec` names (`-b`), or the newest one.
pub fn pick<'a>(all: &'a [Boot], spec: Option<&str>) -> Result<&'a Boot> {
    match spec {
        Some(spec) => Ok(boot_scan::select(all, spec)?),
        None => Ok(all.last().ok_or(NO_BOOT)?),
    }
}
