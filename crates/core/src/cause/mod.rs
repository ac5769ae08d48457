//! Why each unit started: the start-cause classifier.
//!
//! systemd never logs a cause as a field. What it does log is enough to
//! reconstruct most of them: every job has an id from one counter per manager,
//! a transaction hands out consecutive ids with the requested unit (its
//! anchor) first, restarts and OnFailure= handlers leave their own lines, and
//! the boot's transaction is announced ("Queued start job for default
//! target"). At debug level the job lines ("Trying to enqueue", "Installed
//! new job", "Incoming traffic", "Timer elapsed", the D-Bus StartUnit call)
//! make most answers exact; at info level several causes look alike, and then
//! the answer says so: lower confidence and an explanation that names the
//! look-alike, or [`Cause::Unknown`] when nothing decides. Nothing is guessed
//! silently, and nothing rests on unit names except systemd's own naming
//! rules (a socket activates the service of the same name, a timer its
//! namesake, `run-u*.service` is systemd-run's).
//!
//! [`classify`] works on one boot's [`BootLifecycles`]; [`analyze`] and
//! [`analyze_source`] go from entries to classified starts in one call.

mod jobs;
mod rules;
mod windows;

#[cfg(test)]
mod tests;

use serde::Serialize;

use crate::boots::Boot;
use crate::events::{self, Manager};
use crate::evidence::Evidence;
use crate::journal::{Entry, EntrySource, Filter, Id128, JournalError};
use crate::lifecycle::{self, BootLifecycles};

crate::vocab::words! {
    "kebab-case",
    /// Why a unit was started. Serialized as the kebab-case word.
    pub enum Cause {
        /// Part of the default target's transaction at boot (or a user manager's
        /// startup), before startup finished.
        Boot,
        /// systemd restarted it (Restart=) after the previous run failed.
        FailureRestart,
        /// systemd restarted it (Restart=always …) after a clean exit.
        PolicyRestart,
        /// Activated on demand by the unit that listens for it: its `.socket` on
        /// traffic, its `.path` on a file change, or for a mount its `.automount`
        /// on access. The trigger names which.
        Socket,
        /// Pulled into another unit's start transaction (Wants=, Requires=, …);
        /// the trigger is the unit that transaction was for.
        Dependency,
        /// Started by its `.timer`.
        Timer,
        /// Started as another unit's OnFailure= handler.
        OnFailure,
        /// Started as another unit's OnSuccess= handler.
        OnSuccess,
        /// Restarted on request (`systemctl restart`): stop and start share one
        /// restart job and no failure preceded it.
        AdminRestart,
        /// Requested on its own (`systemctl start`, a program's StartUnit call),
        /// with nothing else explaining it.
        Manual,
        /// A transient unit (systemd-run, a scope).
        Transient,
        /// The log does not decide; the explanation says what is missing.
        Unknown,
    }
}

impl Cause {
    pub fn parse(word: &str) -> Option<Cause> {
        word.parse().ok()
    }
}

/// One classified start.
#[derive(Clone, Debug, Serialize)]
pub struct Start {
    /// Index into [`BootLifecycles::activations`].
    pub activation: usize,
    pub unit: String,
    pub manager: Manager,
    pub boot_id: Id128,
    pub invocation_id: Option<Id128>,
    pub job_id: Option<u32>,
    /// When the start was first logged ("Starting", else "Started").
    pub realtime_usec: u64,
    pub monotonic_usec: Option<u64>,
    pub cause: Cause,
    /// The unit that caused it (the socket, timer, failed unit, or the unit
    /// whose transaction pulled it in); None where no unit did.
    pub trigger: Option<String>,
    /// How the trigger itself was started ("pulled by X, which its timer started").
    pub trigger_cause: Option<Cause>,
    /// 0..1: how sure the log makes this answer.
    pub confidence: f64,
    /// One sentence for people.
    pub explanation: String,
    /// The lines the answer rests on.
    pub evidence: Vec<Evidence>,
    /// False when the start lines themselves were not logged (a lossy debug
    /// boot, a unit filtered by LogLevelMax=) and the run was seen only later.
    pub start_logged: bool,
    /// For a dependency: the job-id or debug-line relation that links it to
    /// its trigger (timing alone never makes a dependency).
    pub link: Option<Link>,
}

/// What links a dependency to the transaction that pulled it in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Link {
    pub kind: LinkKind,
    /// The trigger's start job.
    pub anchor_job: Option<u32>,
    /// `job-ids`: the next job logged after this start's, when the gap to it
    /// is the proof.
    pub next_job: Option<u32>,
    /// `job-ids`: the fewest ids a request of its own took in this run.
    pub own_block_min: Option<u32>,
}

/// The kind of evidence behind a [`Link`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkKind {
    /// Debug level logged the job being installed in the trigger's
    /// transaction ("Installed new job" between "Trying to enqueue" and
    /// "Enqueued job"), or "upheld by".
    DebugLines,
    /// Job ids: see `RunJobs::own_block_min`.
    JobIds,
    /// In the id range of a shutdown logind announced.
    ShutdownRange,
}

/// One boot, analysed: its lifecycles and every start, classified.
#[derive(Clone, Debug)]
pub struct BootAnalysis {
    pub boot: Boot,
    pub lifecycles: BootLifecycles,
    /// In the order the starts were logged.
    pub starts: Vec<Start>,
}

impl BootAnalysis {
    /// The start of activation `activation`, if it was a start.
    pub fn start_of(&self, activation: usize) -> Option<&Start> {
        self.starts.iter().find(|s| s.activation == activation)
    }
}

/// Classifies every start of a boot.
pub fn classify(lc: &BootLifecycles) -> Vec<Start> {
    rules::classify(lc)
}

/// A `manual` start concluded for lack of any other cause, in a boot the
/// journal read holds only part of: the socket, timer or puller may be
/// among the missing entries.
const PARTIAL_MANUAL_CONFIDENCE: f64 = 0.3;

/// Classifies every start of `boot` as [`classify`] does, and says where
/// the boot's coverage weakens an answer drawn from absence.
pub fn classify_boot(boot: &Boot, lc: &BootLifecycles) -> Vec<Start> {
    let mut starts = classify(lc);
    if !boot.coverage.whole_from_start() {
        for start in starts.iter_mut().filter(|s| s.cause == Cause::Manual) {
            start.confidence = start.confidence.min(PARTIAL_MANUAL_CONFIDENCE);
            start.explanation.push_str(
                " Entries are missing from this boot in the journal read (an excerpt), so what really started it — a socket, a timer, a unit that pulled it in — may be among them.",
            );
        }
    }
    starts
}

/// Whether activation `index` counts as a start (see [`Start`]): its start
/// was logged, its process was seen spawned, or it followed an earlier run.
/// Runs only seen already running are activations without a known start.
pub fn is_start(lc: &BootLifecycles, index: usize) -> bool {
    rules::is_start(lc, index)
}

/// The matches that select what [`analyze`] needs from one boot: the
/// managers' entries and the few others listed at [`events::wanted`].
pub fn filter_for_boot(boot_id: Id128) -> Filter {
    Filter {
        boots: vec![boot_id],
        any_of: events::wanted(),
        ..Filter::all()
    }
}

/// Lifecycles and classified starts of `boot` from entries (entries of other
/// boots and entries that are no events are skipped).
pub fn analyze(boot: &Boot, entries: impl IntoIterator<Item = Entry>) -> BootAnalysis {
    let mut builder = lifecycle::Builder::new(boot.boot_id);
    for entry in entries {
        builder.observe(&entry);
    }
    finish(boot, builder)
}

/// As [`analyze`], streaming from a source (best opened with [`filter_for_boot`]).
pub fn analyze_source(
    boot: &Boot,
    source: &mut dyn EntrySource,
) -> Result<BootAnalysis, JournalError> {
    let mut builder = lifecycle::Builder::new(boot.boot_id);
    while let Some(entry) = source.next_entry()? {
        builder.observe(&entry);
    }
    Ok(finish(boot, builder))
}

/// Every boot in `boots`, one after another; `open` gives each boot's entries
/// (e.g. a source opened with [`filter_for_boot`]). Only one boot's events are
/// held at a time while reading.
pub fn analyze_boots<E>(
    boots: &[Boot],
    mut open: impl FnMut(&Boot) -> Result<Box<dyn EntrySource>, E>,
) -> Result<Vec<BootAnalysis>, E>
where
    E: From<JournalError>,
{
    let mut out = Vec::with_capacity(boots.len());
    for boot in boots {
        let mut source = open(boot)?;
        out.push(analyze_source(boot, source.as_mut())?);
    }
    Ok(out)
}

fn finish(boot: &Boot, builder: lifecycle::Builder) -> BootAnalysis {
    let lifecycles = builder.finish();
    let starts = classify_boot(boot, &lifecycles);
    BootAnalysis {
        boot: boot.clone(),
        lifecycles,
        starts,
    }
}
