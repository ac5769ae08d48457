//! Lifecycles: what each unit did during one boot, one activation at a time.
//!
//! An [`Activation`] is one run of a unit, from its start job to the moment it
//! became inactive or failed. systemd gives every run an `INVOCATION_ID`, so
//! events are grouped by that id; messages without one (kernel-log lines from
//! early boot, condition skips, a few text-only messages) join the unit's
//! current activation instead. Job ids are kept alongside: they are what ties
//! a start to the transaction that caused it (see `crate::cause`).
//!
//! Job ids and unit names only mean something within one manager process, so
//! every activation belongs to a [`ManagerRun`]: PID 1 for the whole boot
//! (its job counter survives daemon-reexec and switch-root), and each
//! `systemd --user` process (whose counter starts again at 1 when the user
//! manager restarts).
//!
//! This stage only assembles; it draws no conclusion about why a unit started.

mod build;
#[cfg(test)]
mod tests;

use serde::Serialize;

use crate::events::{Event, EventKind, JobType, Manager, ProcessExit, Resources};
use crate::journal::Id128;

pub use build::{Builder, build};

/// A point in a boot: the event that marks it and its two clocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Stamp {
    /// Index into [`BootLifecycles::events`].
    pub event: usize,
    pub realtime_usec: u64,
    pub monotonic_usec: Option<u64>,
}

impl Stamp {
    fn of(index: usize, event: &Event) -> Stamp {
        Stamp {
            event: index,
            realtime_usec: event.realtime_usec,
            monotonic_usec: event.monotonic_usec,
        }
    }

    /// µs from `self` to `later`, on the monotonic clock where both have it
    /// (a wall-clock jump cannot distort it), else on the wall clock.
    pub fn until(&self, later: &Stamp) -> u64 {
        match (self.monotonic_usec, later.monotonic_usec) {
            (Some(a), Some(b)) => b.saturating_sub(a),
            _ => later.realtime_usec.saturating_sub(self.realtime_usec),
        }
    }
}

/// One manager process within a boot.
#[derive(Clone, Debug, Serialize)]
pub struct ManagerRun {
    pub manager: Manager,
    /// The manager's PID (1 for the system manager), when known.
    pub pid: Option<u32>,
    /// "Queued start job for default target X." events: the boot transaction
    /// (twice with an initrd: once there, once after switch-root).
    pub default_target_queued: Vec<usize>,
    /// STARTUP_FINISHED (or USER_STARTUP_FINISHED).
    pub startup_finished: Option<usize>,
    /// "Switching root." — the end of the initrd.
    pub switch_root: Option<usize>,
    /// How many of its lines had debug priority: at debug level, job and
    /// trigger lines exist that info level never shows.
    pub debug_lines: u64,
    pub first_event: usize,
    pub last_event: usize,
}

impl ManagerRun {
    pub fn logs_debug(&self) -> bool {
        self.debug_lines > 0
    }
}

crate::vocab::words! {
    "kebab-case",
    /// How an activation ended, as far as the log tells.
    pub enum EndState {
        /// Still active at the end of the log (or the boot).
        Running,
        /// Ended on its own with success (clean exit, "Deactivated successfully").
        Succeeded,
        /// Ended with a failure result, a bad exit, or a failed start job.
        Failed,
        /// Stopped by a stop (or restart) job while it ran.
        Stopped,
        /// Its condition checks or ExecCondition= said no: nothing ran.
        Skipped,
    }
}

/// One run of one unit.
#[derive(Clone, Debug, Serialize)]
pub struct Activation {
    pub unit: String,
    pub manager: Manager,
    /// Index into [`BootLifecycles::runs`].
    pub run: usize,
    pub boot_id: Id128,
    pub invocation_id: Option<Id128>,
    /// The job that started it (the restart job's id for a v252 restart).
    pub start_job_id: Option<u32>,
    /// "Starting …" — the start job began (not logged for Type=simple units
    /// that start at once, nor for targets).
    pub requested: Option<Stamp>,
    /// "Started …", "Finished …", "Reached target …", "Listening on …".
    pub started: Option<Stamp>,
    /// UNIT_FAILED for this run's start job, with its `JOB_RESULT`.
    pub start_failed: Option<(Stamp, String)>,
    pub stop_job_id: Option<u32>,
    /// `stop`, or `restart` when a restart job stopped it.
    pub stop_job_type: Option<JobType>,
    pub stopping: Option<Stamp>,
    pub stopped: Option<Stamp>,
    /// When it became inactive or failed (the first of success, failure
    /// result, stop).
    pub ended: Option<Stamp>,
    pub end_state: EndState,
    /// The main process's exit, when logged.
    pub exit: Option<ProcessExit>,
    /// `UNIT_RESULT` ("exit-code", "signal", "core-dump", "timeout",
    /// "watchdog", "oom-kill", "start-limit-hit", …), or "success".
    pub result: Option<String>,
    /// RESTART_SCHEDULED after this run, with the restart counter.
    pub restart_scheduled: Option<(Stamp, Option<u32>)>,
    /// The start job after this run was refused ("Start request repeated too quickly.").
    pub start_limit_hit: bool,
    pub oom_killed: bool,
    pub watchdog_timeout: bool,
    /// "start operation timed out" and the like: the operation that timed out.
    pub timed_out: Option<String>,
    /// systemd-coredump's record for a process of this run.
    pub coredump: Option<Stamp>,
    pub resources: Resources,
    /// Every event of this run, in order (indexes into [`BootLifecycles::events`]).
    pub events: Vec<usize>,
}

impl Activation {
    /// When the start was first visible: the start job's "Starting", else its
    /// "Started", else its failure, else the first event of the run (a run
    /// whose start lines were lost or filtered).
    pub fn start_stamp(&self) -> Option<Stamp> {
        self.requested
            .or(self.started)
            .or(self.start_failed.as_ref().map(|(s, _)| *s))
    }

    /// Whether a start of this run was logged at all.
    pub fn start_logged(&self) -> bool {
        self.start_stamp().is_some()
    }

    /// How long it ran: from its start job's first line to when it ended;
    /// None while running. (A oneshot logs "Finished" only after it ended, so
    /// the earlier of "Starting" and "Started" counts.)
    pub fn ran_usec(&self) -> Option<u64> {
        let from = [self.requested, self.started]
            .into_iter()
            .flatten()
            .min_by_key(|s| s.event)?;
        Some(from.until(&self.ended?))
    }

    pub fn is_running(&self) -> bool {
        self.end_state == EndState::Running
    }
}

/// Everything the log tells about unit lifecycles in one boot.
#[derive(Clone, Debug, Serialize)]
pub struct BootLifecycles {
    pub boot_id: Id128,
    /// Every event of the boot, ordered by the monotonic clock.
    pub events: Vec<Event>,
    pub runs: Vec<ManagerRun>,
    /// In the order their first event was logged.
    pub activations: Vec<Activation>,
    /// For each event, the manager run it belongs to (sudo and coredump lines
    /// go to the run of the manager they concern).
    pub event_run: Vec<usize>,
    /// For each event, the activation it was filed under, if any.
    pub event_activation: Vec<Option<usize>>,
}

impl BootLifecycles {
    pub fn event(&self, index: usize) -> &Event {
        &self.events[index]
    }

    /// The activation that holds event `index`, if any.
    pub fn activation_of_event(&self, index: usize) -> Option<usize> {
        self.event_activation.get(index).copied().flatten()
    }

    /// Activations of `unit` (any manager), in order.
    pub fn activations_of<'a>(
        &'a self,
        unit: &'a str,
    ) -> impl Iterator<Item = (usize, &'a Activation)> + 'a {
        self.activations
            .iter()
            .enumerate()
            .filter(move |(_, a)| a.unit == unit)
    }

    /// The system manager's run, if PID 1 logged anything.
    pub fn system_run(&self) -> Option<usize> {
        self.runs.iter().position(|r| r.manager == Manager::System)
    }

    /// The previous activation of the same unit in the same manager run.
    pub fn previous(&self, activation: usize) -> Option<usize> {
        let a = &self.activations[activation];
        self.activations[..activation]
            .iter()
            .rposition(|p| p.unit == a.unit && p.run == a.run)
    }

    /// The next activation of the same unit in the same manager run.
    pub fn next(&self, activation: usize) -> Option<usize> {
        let a = &self.activations[activation];
        self.activations[activation + 1..]
            .iter()
            .position(|n| n.unit == a.unit && n.run == a.run)
            .map(|i| activation + 1 + i)
    }

    /// Events of kind `pred` in run `run`, with their indexes.
    pub fn events_in_run<'a>(
        &'a self,
        run: usize,
        pred: impl Fn(&EventKind) -> bool + 'a,
    ) -> impl Iterator<Item = (usize, &'a Event)> + 'a {
        self.events
            .iter()
            .enumerate()
            .filter(move |(i, e)| self.event_run[*i] == run && pred(&e.kind))
    }
}
