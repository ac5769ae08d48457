//! Assembling activations from a boot's events.

use std::collections::HashMap;

use crate::events::{Event, EventKind, JobType, ProcessRole};
use crate::journal::{Entry, Id128};

use super::{Activation, BootLifecycles, EndState, ManagerRun, Stamp};

/// Collects one boot's events while entries stream past; only entries that
/// are events are kept, so memory grows with what the managers logged, not
/// with the journal.
pub struct Builder {
    boot_id: Id128,
    events: Vec<Event>,
}

impl Builder {
    pub fn new(boot_id: Id128) -> Builder {
        Builder {
            boot_id,
            events: Vec::new(),
        }
    }

    /// Keeps the entry's event if it is one and belongs to this boot; true
    /// when it was kept (`crate::watch` stores such entries, as the others
    /// change nothing here).
    pub fn observe(&mut self, entry: &Entry) -> bool {
        if entry.boot_id != self.boot_id {
            return false;
        }
        match Event::from_entry(entry) {
            Some(event) => {
                self.events.push(event);
                true
            }
            None => false,
        }
    }

    pub fn push(&mut self, event: Event) {
        if event.boot_id == self.boot_id {
            self.events.push(event);
        }
    }

    pub fn finish(self) -> BootLifecycles {
        build(self.boot_id, self.events)
    }
}

/// Groups `events` (of boot `boot_id`; others are dropped) into manager runs
/// and activations.
pub fn build(boot_id: Id128, mut events: Vec<Event>) -> BootLifecycles {
    events.retain(|e| e.boot_id == boot_id);
    // Files are merged by libsystemd in time order already; a stable sort on
    // the monotonic clock only fixes the interleaving of system and user files.
    events.sort_by_key(Event::sort_key);
    let mut asm = Assembler::default();
    for (i, e) in events.iter().enumerate() {
        asm.place(i, e);
    }
    let Assembler {
        runs,
        mut activations,
        event_run,
        event_activation,
        ..
    } = asm;
    for a in &mut activations {
        summarise(a, &events);
    }
    BootLifecycles {
        boot_id,
        events,
        runs: runs.into_iter().map(|r| r.run).collect(),
        activations,
        event_run,
        event_activation,
    }
}

#[derive(Default)]
struct Assembler {
    runs: Vec<RunState>,
    activations: Vec<Activation>,
    event_run: Vec<usize>,
    event_activation: Vec<Option<usize>>,
}

struct RunState {
    run: ManagerRun,
    by_invocation: HashMap<Id128, usize>,
    /// The latest activation of each unit.
    current: HashMap<String, usize>,
}

impl Assembler {
    /// The run an event belongs to: its manager process, or for lines from
    /// other programs (coredump, sudo) the latest run of the manager they concern.
    fn run_for(&mut self, index: usize, e: &Event) -> usize {
        let found = match e.manager_pid {
            Some(pid) => self
                .runs
                .iter()
                .position(|r| r.run.manager == e.manager && r.run.pid == Some(pid)),
            None => self.runs.iter().rposition(|r| r.run.manager == e.manager),
        };
        found.unwrap_or_else(|| {
            let pid = e.manager_pid.or_else(|| e.manager.is_system().then_some(1));
            self.runs.push(RunState {
                run: ManagerRun {
                    manager: e.manager,
                    pid,
                    default_target_queued: Vec::new(),
                    startup_finished: None,
                    switch_root: None,
                    debug_lines: 0,
                    first_event: index,
                    last_event: index,
                },
                by_invocation: HashMap::new(),
                current: HashMap::new(),
            });
            self.runs.len() - 1
        })
    }

    fn place(&mut self, index: usize, e: &Event) {
        let run = self.run_for(index, e);
        self.event_run.push(run);
        self.event_activation.push(None);
        let r = &mut self.runs[run].run;
        r.last_event = index;
        if e.is_debug() && e.manager_pid.is_some() {
            r.debug_lines += 1;
        }
        match &e.kind {
            EventKind::DefaultTargetQueued { .. } => r.default_target_queued.push(index),
            EventKind::StartupFinished if r.startup_finished.is_none() => {
                r.startup_finished = Some(index)
            }
            EventKind::SwitchingRoot => r.switch_root = Some(index),
            _ => {}
        }
        let Some(unit) = e.unit.as_deref() else {
            return;
        };
        if !files_under_activation(&e.kind) {
            return;
        }
        let Some(a) = self.activation_for(run, index, unit, e) else {
            return;
        };
        self.event_activation[index] = Some(a);
        record(&mut self.activations[a], index, e);
    }

    /// Finds (or opens) the activation an event belongs to.
    fn activation_for(&mut self, run: usize, index: usize, unit: &str, e: &Event) -> Option<usize> {
        let state = &mut self.runs[run];
        let current = state.current.get(unit).copied();
        if let Some(id) = e.invocation_id {
            if let Some(&a) = state.by_invocation.get(&id) {
                return Some(a);
            }
            // A run first seen through field-less kernel-log lines gets its
            // id from the first structured line about it: while it runs, or,
            // once it ended, from a line that does not start a run (the
            // manager logs an ended run's cgroup and CPU lines, and the lines
            // that convert its restart job, before the next run's id exists).
            if let Some(c) = current {
                let act = &self.activations[c];
                let starts_a_run = matches!(e.kind, EventKind::Starting | EventKind::Started);
                if act.invocation_id.is_none()
                    && ((act.end_state == EndState::Running && act.ended.is_none())
                        || (!starts_a_run && act.events.iter().all(|&i| i < index)))
                {
                    self.activations[c].invocation_id = Some(id);
                    self.runs[run].by_invocation.insert(id, c);
                    return Some(c);
                }
            }
            if matches!(e.kind, EventKind::StartFailed { .. }) {
                // A start refused before anything ran: no run of its own.
                return None;
            }
            let a = self.open(run, index, unit, e);
            self.runs[run].by_invocation.insert(id, a);
            return Some(a);
        }
        let open_for_start = |act: &Activation| act.ended.is_none() && act.started.is_none();
        match (&e.kind, current) {
            // Without an id, a start line opens a new run unless the current
            // one is still waiting for exactly this line.
            (EventKind::Starting, Some(c))
                if open_for_start(&self.activations[c])
                    && self.activations[c].requested.is_none() =>
            {
                Some(c)
            }
            (EventKind::Started, Some(c))
                if open_for_start(&self.activations[c])
                    || (self.activations[c].started.is_none()
                        && self.activations[c].requested.is_some()) =>
            {
                Some(c)
            }
            (EventKind::Starting | EventKind::Started, _) => Some(self.open(run, index, unit, e)),
            // A start job that failed without an invocation id: the current
            // run if it is the one the job was starting, otherwise nothing ran.
            (EventKind::StartFailed { .. }, Some(c))
                if open_for_start(&self.activations[c])
                    && (e.job_id.is_none() || self.activations[c].start_job_id == e.job_id) =>
            {
                Some(c)
            }
            (EventKind::StartFailed { .. }, _) => None,
            // Debug level: a start job finishing after the current run ended
            // is the next run's, when its "Started" line was lost (it went to
            // the kernel log and was overwritten there) and only this line
            // survived.
            (
                EventKind::JobFinished {
                    job_type: JobType::Start,
                    result,
                },
                Some(c),
            ) if result == "done"
                && self.activations[c].ended.is_some()
                && e.job_id.is_some()
                && self.activations[c].start_job_id != e.job_id =>
            {
                Some(self.open(run, index, unit, e))
            }
            (_, Some(c)) => Some(c),
            (_, None) => Some(self.open(run, index, unit, e)),
        }
    }

    fn open(&mut self, run: usize, _index: usize, unit: &str, e: &Event) -> usize {
        self.activations.push(Activation {
            unit: unit.to_string(),
            manager: e.manager,
            run,
            boot_id: e.boot_id,
            invocation_id: e.invocation_id,
            start_job_id: None,
            requested: None,
            started: None,
            start_failed: None,
            stop_job_id: None,
            stop_job_type: None,
            stopping: None,
            stopped: None,
            ended: None,
            end_state: EndState::Running,
            exit: None,
            result: None,
            restart_scheduled: None,
            start_limit_hit: false,
            oom_killed: false,
            watchdog_timeout: false,
            timed_out: None,
            coredump: None,
            resources: Default::default(),
            events: Vec::new(),
        });
        let a = self.activations.len() - 1;
        self.runs[run].current.insert(unit.to_string(), a);
        a
    }
}

/// Kinds that describe one run of a unit. Job bookkeeping lines (debug) and
/// condition skips are kept as events but belong to no run.
fn files_under_activation(kind: &EventKind) -> bool {
    !matches!(
        kind,
        EventKind::ConditionSkipped
            | EventKind::TryingToEnqueue { .. }
            | EventKind::JobInstalled { .. }
            | EventKind::JobEnqueued { .. }
            | EventKind::BusCall { .. }
            | EventKind::Sudo { .. }
            | EventKind::DefaultTargetQueued { .. }
            | EventKind::StartupFinished
            | EventKind::SwitchingRoot
            | EventKind::SpecialUnitRequested
            | EventKind::Shutdown { .. }
    )
}

/// Notes what event `index` says about activation `a`.
fn record(a: &mut Activation, index: usize, e: &Event) {
    a.events.push(index);
    let stamp = Stamp::of(index, e);
    let ended = a.ended.is_some();
    match &e.kind {
        EventKind::Starting => {
            a.requested.get_or_insert(stamp);
            if a.start_job_id.is_none() {
                a.start_job_id = e.job_id;
            }
        }
        EventKind::Started => {
            a.started.get_or_insert(stamp);
            if a.start_job_id.is_none() {
                a.start_job_id = e.job_id;
            }
        }
        EventKind::StartFailed { result }
            if a.started.is_none() && a.start_failed.is_none() && !ended =>
        {
            a.start_failed = Some((stamp, result.clone()));
            if a.start_job_id.is_none() {
                a.start_job_id = e.job_id;
            }
        }
        EventKind::JobFinished {
            job_type: JobType::Start,
            ..
        } if a.start_job_id.is_none() && !ended => {
            a.start_job_id = e.job_id;
        }
        EventKind::Stopping => {
            a.stopping.get_or_insert(stamp);
            a.stop_job_id = a.stop_job_id.or(e.job_id);
            a.stop_job_type = a.stop_job_type.or(e.job_type);
        }
        EventKind::Stopped => {
            a.stopped.get_or_insert(stamp);
            a.stop_job_id = a.stop_job_id.or(e.job_id);
            // The Stopped line of a restart job says `restart` even after a
            // Stopping that said `stop`: keep the more telling one.
            if e.job_type == Some(JobType::Restart) || a.stop_job_type.is_none() {
                a.stop_job_type = e.job_type;
            }
        }
        EventKind::ProcessExit(p) if p.role == ProcessRole::Main => a.exit = Some(p.clone()),
        EventKind::FailureResult { result } => {
            if result == "start-limit-hit" {
                a.start_limit_hit = true;
            }
            // After a run ended, "start-limit-hit" concerns the refused
            // restart, not how the run itself ended.
            if a.result.is_none()
                || (result != "start-limit-hit" && a.result.as_deref() == Some("success"))
            {
                a.result = Some(result.clone());
            }
        }
        EventKind::Success if a.result.is_none() => a.result = Some("success".to_string()),
        EventKind::Resources(r) => {
            a.resources.cpu_usage_nsec = r.cpu_usage_nsec.or(a.resources.cpu_usage_nsec);
            a.resources.memory_peak_bytes = r.memory_peak_bytes.or(a.resources.memory_peak_bytes);
            a.resources.io_read_bytes = r.io_read_bytes.or(a.resources.io_read_bytes);
            a.resources.io_write_bytes = r.io_write_bytes.or(a.resources.io_write_bytes);
        }
        EventKind::RestartScheduled { n_restarts } => {
            a.restart_scheduled.get_or_insert((stamp, *n_restarts));
        }
        EventKind::OutOfMemory | EventKind::OomdKill => a.oom_killed = true,
        EventKind::StartLimitHit => a.start_limit_hit = true,
        EventKind::WatchdogTimeout => a.watchdog_timeout = true,
        EventKind::OperationTimeout { operation, .. } => {
            a.timed_out.get_or_insert_with(|| operation.clone());
        }
        EventKind::Coredump { .. } => {
            a.coredump.get_or_insert(stamp);
        }
        _ => {}
    }
    // When it became inactive: the first success, failure result or stop.
    let ends = matches!(
        e.kind,
        EventKind::Success | EventKind::FailureResult { .. } | EventKind::Stopped
    ) || matches!(&e.kind, EventKind::StartFailed { .. } if a.start_failed.as_ref().map(|(s, _)| s.event) == Some(index))
        || matches!(&e.kind, EventKind::StateChanged { to, .. } if to == "failed" || to == "dead" || to == "inactive");
    if ends && a.ended.is_none() {
        a.ended = Some(stamp);
    }
}

/// Settles how the activation ended once all its events are in.
fn summarise(a: &mut Activation, events: &[Event]) {
    // A "Started" line lost (kmsg rate limits, journald dropping PID 1's
    // lines under load) while the debug line "Job N U/start finished,
    // result=done" survived: that line says the same, so it stands in.
    if a.started.is_none() && a.start_failed.is_none() {
        a.started = a.events.iter().find_map(|&i| match &events[i].kind {
            EventKind::JobFinished {
                job_type: JobType::Start,
                result,
            } if result == "done" => Some(Stamp::of(i, &events[i])),
            _ => None,
        });
    }
    let kinds = || a.events.iter().map(|&i| &events[i].kind);
    let failed = a.result.as_deref().is_some_and(|r| r != "success")
        || a.start_failed.is_some()
        || a.exit.as_ref().is_some_and(|x| !x.is_clean_for_daemon())
        || kinds().any(|k| matches!(k, EventKind::StateChanged { to, .. } if to == "failed"));
    let only_skipped = kinds().all(|k| matches!(k, EventKind::ExecConditionSkipped { .. }));
    a.end_state = if only_skipped && !a.events.is_empty() {
        EndState::Skipped
    } else if a.ended.is_none() {
        EndState::Running
    } else if failed {
        EndState::Failed
    } else if a.stopping.is_some() || a.stop_job_type == Some(JobType::Stop) {
        // A stop job ended it; "Deactivated successfully" follows any stop.
        EndState::Stopped
    } else {
        EndState::Succeeded
    };
}
