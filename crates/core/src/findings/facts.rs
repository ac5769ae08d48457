//! Questions several detectors ask about one boot, answered once: why did
//! this run start, what chain of restarts does it belong to, was it stopped
//! by the shutdown or by a person, was the unit started at boot.
//!
//! The shutdown question matters everywhere: at the end of a clean boot every
//! unit is stopped, and those stops must not read as "stopped by hand". The
//! shutdown is one transaction: its anchor (reboot.target, poweroff.target, …)
//! takes the lowest job id and every stop job it queues a higher one, so a
//! stop job whose id is at or above the shutdown targets' is part of it.
//! logind's "System is rebooting" line, when logged, bounds it in time too.

use crate::cause::{Cause, Start};
use crate::events::{EventKind, JobType, Manager, shutdown};
use crate::evidence::Evidence;
use crate::lifecycle::{Activation, BootLifecycles, EndState, Stamp};
use crate::present::time::{span, wall};

use super::{BootData, Options};

/// Where the shutdown began, if it did.
#[derive(Clone, Copy, Debug)]
struct ShutdownMark {
    /// The lowest start-job id of the shutdown targets.
    job_floor: Option<u32>,
    /// Sort key (monotonic µs) of its first sign.
    key: u64,
}

pub struct BootFacts<'a> {
    pub data: &'a BootData,
    pub lc: &'a BootLifecycles,
    pub options: &'a Options,
    /// For each activation, its classified start (index into `starts`).
    start_index: Vec<Option<usize>>,
    shutdown: Option<ShutdownMark>,
    /// Sort key of STARTUP_FINISHED of the system manager.
    startup_key: Option<u64>,
}

impl<'a> BootFacts<'a> {
    pub fn new(data: &'a BootData, options: &'a Options) -> BootFacts<'a> {
        let lc = &data.analysis.lifecycles;
        let mut start_index = vec![None; lc.activations.len()];
        for (i, s) in data.analysis.starts.iter().enumerate() {
            if let Some(slot) = start_index.get_mut(s.activation) {
                *slot = Some(i);
            }
        }
        let startup_key = lc
            .system_run()
            .and_then(|r| lc.runs[r].startup_finished)
            .map(|e| lc.event(e).sort_key());
        BootFacts {
            data,
            lc,
            options,
            start_index,
            shutdown: shutdown_mark(lc),
            startup_key,
        }
    }

    pub fn boot(&self) -> &'a crate::boots::Boot {
        &self.data.analysis.boot
    }

    pub fn act(&self, i: usize) -> &'a Activation {
        &self.lc.activations[i]
    }

    /// The classified start of activation `i`.
    pub fn start(&self, i: usize) -> Option<&'a Start> {
        self.start_index[i].map(|s| &self.data.analysis.starts[s])
    }

    pub fn cause(&self, i: usize) -> Option<Cause> {
        self.start(i).map(|s| s.cause)
    }

    /// Whether systemd restarted the unit on its own to begin run `i`. The
    /// classifier says so; when PID 1's lines were lost and it cannot, a
    /// "Scheduled restart job" after the run before is enough.
    pub fn is_auto_restart(&self, i: usize) -> bool {
        match self.cause(i) {
            Some(Cause::FailureRestart | Cause::PolicyRestart) => true,
            Some(Cause::Unknown) | None => self
                .lc
                .previous(i)
                .is_some_and(|p| self.act(p).restart_scheduled.is_some()),
            _ => false,
        }
    }

    /// The run that began the chain `i` belongs to: back through automatic
    /// restarts and `systemctl restart`s to the start that had a reason of
    /// its own (boot, by hand, a socket …).
    pub fn origin(&self, i: usize) -> usize {
        let mut at = i;
        for _ in 0..self.lc.activations.len() {
            let chained = self.is_auto_restart(at) || self.cause(at) == Some(Cause::AdminRestart);
            match (chained, self.lc.previous(at)) {
                (true, Some(p)) => at = p,
                _ => break,
            }
        }
        at
    }

    /// The cause of the chain's origin, as a word ("unknown" when unclassified).
    pub fn origin_cause(&self, i: usize) -> Cause {
        self.cause(self.origin(i)).unwrap_or(Cause::Unknown)
    }

    /// Whether run `i`'s start is known only from PID 1's kernel-log lines
    /// (logged before journald ran, in early boot). Those lines are the first
    /// a busy boot loses, so their absence in another boot proves little.
    pub fn start_seen_only_in_kernel_log(&self, i: usize) -> bool {
        let a = self.act(i);
        [a.requested, a.started]
            .into_iter()
            .flatten()
            .all(|s| self.lc.event(s.event).from_text)
            && a.start_logged()
    }

    /// When run `i`'s start was first logged.
    pub fn start_stamp(&self, i: usize) -> Option<Stamp> {
        self.act(i).start_stamp()
    }

    pub fn start_realtime(&self, i: usize) -> u64 {
        self.start_stamp(i)
            .map(|s| s.realtime_usec)
            .or_else(|| {
                self.act(i)
                    .events
                    .first()
                    .map(|&e| self.lc.event(e).realtime_usec)
            })
            .unwrap_or(self.boot().first_realtime_usec)
    }

    /// Sort key (monotonic µs where known) of run `i`'s start.
    pub fn start_key(&self, i: usize) -> u64 {
        self.start_stamp(i)
            .map(|s| key(&s))
            .or_else(|| {
                self.act(i)
                    .events
                    .first()
                    .map(|&e| self.lc.event(e).sort_key())
            })
            .unwrap_or(0)
    }

    /// The stop (or stopping) stamp of a run ended by a stop job.
    fn stop_stamp(&self, i: usize) -> Option<Stamp> {
        let a = self.act(i);
        a.stopping.or(a.stopped)
    }

    /// Whether run `i` was ended by the shutdown's stop jobs.
    pub fn stopped_by_shutdown(&self, i: usize) -> bool {
        let a = self.act(i);
        if a.stop_job_type != Some(JobType::Stop) {
            return false;
        }
        let Some(mark) = self.shutdown else {
            return false;
        };
        match (a.stop_job_id, mark.job_floor) {
            (Some(job), Some(floor)) if a.manager == Manager::System => job >= floor,
            _ => self.stop_stamp(i).is_some_and(|s| key(&s) >= mark.key),
        }
    }

    /// Whether run `i` was ended by a stop job of its own (`systemctl stop`,
    /// or a unit it is bound to stopping), not by the shutdown or a restart.
    pub fn stopped_by_request(&self, i: usize) -> bool {
        let a = self.act(i);
        a.stop_job_type == Some(JobType::Stop)
            && (a.stopping.is_some() || a.stopped.is_some())
            && !self.stopped_by_shutdown(i)
    }

    /// Whether run `i` started after the shutdown had begun (plymouth's
    /// reboot screen, the final targets): part of going down, not of the work.
    pub fn started_during_shutdown(&self, i: usize) -> bool {
        self.shutdown.is_some_and(|m| {
            self.start_stamp(i).is_some_and(|s| key(&s) >= m.key)
                || (self.act(i).manager == Manager::System
                    && m.job_floor
                        .zip(self.act(i).start_job_id)
                        .is_some_and(|(floor, job)| job >= floor))
        })
    }

    /// Whether run `i` was still active when the boot ended: never ended in
    /// the log, or stopped only by the shutdown.
    pub fn active_at_end(&self, i: usize) -> bool {
        self.act(i).end_state == EndState::Running || self.stopped_by_shutdown(i)
    }

    /// Whether any run of `unit` (system manager) started as part of boot:
    /// its chain began in the boot transaction, or it started before startup
    /// finished.
    pub fn started_at_boot(&self, unit: &str) -> bool {
        self.lc
            .activations_of(unit)
            .filter(|(_, a)| a.manager == Manager::System)
            .any(|(i, _)| self.is_boot_start(i))
    }

    /// Whether `unit` was there from boot on: started at boot, or already
    /// running when its first line in this boot was logged (its start lines
    /// were lost, as a busy debug boot loses PID 1's lines).
    pub fn present_from_boot(&self, unit: &str) -> bool {
        self.started_at_boot(unit)
            || self
                .lc
                .activations_of(unit)
                .find(|(_, a)| a.manager == Manager::System)
                .is_some_and(|(_, a)| !a.start_logged())
    }

    pub fn is_boot_start(&self, i: usize) -> bool {
        self.origin_cause(i) == Cause::Boot
            || self
                .startup_key
                .is_some_and(|s| self.start_stamp(i).is_some_and(|st| key(&st) <= s))
    }

    /// The last run of each system unit, in the order units first appeared.
    pub fn last_runs_of_system_units(&self) -> Vec<usize> {
        let mut seen: Vec<&str> = Vec::new();
        let mut out = Vec::new();
        for (i, a) in self.lc.activations.iter().enumerate() {
            if a.manager != Manager::System || seen.contains(&a.unit.as_str()) {
                continue;
            }
            seen.push(&a.unit);
            let last = self
                .lc
                .activations_of(&a.unit)
                .filter(|(_, b)| b.manager == Manager::System)
                .map(|(j, _)| j)
                .last()
                .unwrap_or(i);
            out.push(last);
        }
        out
    }

    pub fn evidence(&self, event: usize) -> Evidence {
        self.lc.event(event).evidence.clone()
    }

    pub fn stamp_evidence(&self, stamp: Option<Stamp>) -> Option<Evidence> {
        stamp.map(|s| self.evidence(s.event))
    }

    /// The first event of run `i` whose kind matches.
    pub fn find_event(&self, i: usize, pred: impl Fn(&EventKind) -> bool) -> Option<usize> {
        self.act(i)
            .events
            .iter()
            .copied()
            .find(|&e| pred(&self.lc.event(e).kind))
    }

    /// "07:04:27" in the options' zone.
    pub fn clock(&self, usec: u64) -> String {
        clock(usec, self.options)
    }

    /// The boot id as people see it in tables (8 digits).
    pub fn boot_short(&self) -> String {
        self.boot().boot_id.short()
    }
}

/// "07:04:27" in the options' zone.
pub fn clock(usec: u64, options: &Options) -> String {
    let full = wall(usec, options.zone);
    full.get(11..).map(str::to_string).unwrap_or(full)
}

/// "6.9s", "2min 3s".
pub fn duration(usec: u64) -> String {
    span(usec)
}

fn key(stamp: &Stamp) -> u64 {
    stamp.monotonic_usec.unwrap_or(stamp.realtime_usec)
}

fn shutdown_mark(lc: &BootLifecycles) -> Option<ShutdownMark> {
    let mut job_floor: Option<u32> = None;
    let mut first: Option<u64> = None;
    let mut note = |k: u64| {
        if first.is_none_or(|fk| k < fk) {
            first = Some(k);
        }
    };
    for a in &lc.activations {
        if a.manager != Manager::System || !shutdown::is_shutdown_unit(&a.unit) {
            continue;
        }
        if a.unit.ends_with(".target")
            && let Some(job) = a.start_job_id
        {
            job_floor = Some(job_floor.map_or(job, |f| f.min(job)));
        }
        if let Some(s) = a.start_stamp() {
            note(key(&s));
        }
    }
    for e in &lc.events {
        if matches!(e.kind, EventKind::Shutdown { .. }) {
            note(e.sort_key());
        }
    }
    let key = first?;
    // Stop jobs are logged before the targets are reached, so the time bound
    // alone would come too late; the job floor catches them. Without a job
    // id, the first stop job issued at or after logind's announcement is it.
    Some(ShutdownMark {
        job_floor,
        key: earliest_stop_after(lc, job_floor).map_or(key, |k| k.min(key)),
    })
}

/// The sort key of the first stop line whose job belongs to the shutdown.
fn earliest_stop_after(lc: &BootLifecycles, floor: Option<u32>) -> Option<u64> {
    let floor = floor?;
    lc.events
        .iter()
        .filter(|e| {
            e.manager == Manager::System
                && matches!(e.kind, EventKind::Stopping | EventKind::Stopped)
                && e.job_id.is_some_and(|j| j >= floor)
        })
        .map(|e| e.sort_key())
        .min()
}

/// Unit types that run something a person would miss: services, and the
/// sockets, timers and paths that start them. Mounts, devices, slices,
/// scopes and targets come and go with the system's own machinery.
pub fn is_program_unit(unit: &str) -> bool {
    [".service", ".socket", ".timer", ".path"]
        .iter()
        .any(|s| unit.ends_with(s))
}

/// Units logind starts for a login (`user@UID.service`,
/// `user-runtime-dir@UID.service`): they come back when the user logs in,
/// not at boot, by design.
pub fn is_login_machinery(unit: &str) -> bool {
    unit.starts_with("user@") || unit.starts_with("user-runtime-dir@")
}

/// Program names that belong to logging in or gaining privileges, not to
/// work someone left running: they log from session scopes by nature.
pub fn is_session_plumbing(name: &str) -> bool {
    // Some programs log their full path as identifier.
    let name = name.rsplit('/').next().unwrap_or(name);
    const NAMES: [&str; 17] = [
        "sudo",
        "su",
        "runuser",
        "pkexec",
        "sshd",
        "sshd-session",
        "login",
        "systemd",
        "(sd-pam)",
        "cron",
        "CRON",
        "crond",
        "polkit-agent-helper-1",
        "polkitd",
        "dbus-daemon",
        "dbus-broker",
        "at-spi-bus-launcher",
    ];
    NAMES.contains(&name) || name.starts_with("gdm-") || name.starts_with("pam_")
}

/// "signal 11 (SEGV)" for the signals people know by name.
pub fn signal_name(number: u32) -> Option<&'static str> {
    Some(match number {
        1 => "HUP",
        2 => "INT",
        3 => "QUIT",
        4 => "ILL",
        5 => "TRAP",
        6 => "ABRT",
        7 => "BUS",
        8 => "FPE",
        9 => "KILL",
        11 => "SEGV",
        13 => "PIPE",
        14 => "ALRM",
        15 => "TERM",
        24 => "XCPU",
        25 => "XFSZ",
        31 => "SYS",
        _ => return None,
    })
}

/// Below this, the classifier's `manual` is the info-level look-alike (0.5:
/// `systemctl start`, a D-Bus activation and a program's StartUnit call log
/// the same lines); at or above it a line named the request (sudo's
/// command, the D-Bus call at debug level).
const NAMED_MANUAL_CONFIDENCE: f64 = 0.6;

/// "by hand", qualified when the classifier was not sure: at info level a
/// `systemctl start` and a program's request (D-Bus activation) look alike.
pub fn how_started_qualified(cause: Cause, trigger: Option<&str>, confidence: f64) -> String {
    let plain = how_started(cause, trigger);
    if cause == Cause::Manual && confidence < NAMED_MANUAL_CONFIDENCE {
        format!(
            "{plain} (or on a program's request such as D-Bus activation; the journal does not tell which)"
        )
    } else {
        plain
    }
}

/// How a cause reads inside a sentence: "by hand", "at boot", "by echo.socket".
pub fn how_started(cause: Cause, trigger: Option<&str>) -> String {
    match (cause, trigger) {
        (Cause::Manual, _) => "by hand".to_string(),
        (Cause::Boot, _) => "at boot".to_string(),
        (Cause::Socket, Some(t)) => format!("by {t} on demand"),
        (Cause::Timer, Some(t)) => format!("by its timer {t}"),
        (Cause::Dependency, Some(t)) => format!("as a dependency of {t}"),
        (Cause::OnFailure, Some(t)) => format!("as the OnFailure= handler of {t}"),
        (Cause::OnSuccess, Some(t)) => format!("as the OnSuccess= handler of {t}"),
        (Cause::Transient, _) => "as a transient unit (systemd-run)".to_string(),
        (Cause::AdminRestart, _) => "by `systemctl restart`".to_string(),
        (Cause::FailureRestart, _) => "by systemd after a failure (Restart=)".to_string(),
        (Cause::PolicyRestart, _) => "by systemd after a clean exit (Restart=always)".to_string(),
        (Cause::Unknown, _) => "for a reason the journal does not show".to_string(),
        (c, None) => format!("({c})"),
    }
}
