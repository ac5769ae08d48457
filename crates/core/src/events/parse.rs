//! Entry → Event: fields first, text (via `text.rs`) only where systemd
//! gives no field.

use crate::evidence::Evidence;
use crate::journal::{Entry, Id128};

use super::event::{
    Event, EventKind, ExitKind, JobType, Manager, ProcessExit, ProcessRole, Resources,
};
use super::ids;
use super::text;

/// Every field [`Event::from_entry`] reads (besides what
/// [`Evidence::from_entry`] reads for the event's evidence): a reader asked
/// for these alone loses no event. A field read here and missing from this
/// list is caught by `findings`' tests on every recorded fixture.
pub const FIELDS: &[&str] = &[
    "MESSAGE",
    "MESSAGE_ID",
    "PRIORITY",
    "SYSLOG_IDENTIFIER",
    "SYSLOG_PID",
    "_PID",
    "_UID",
    "_TRANSPORT",
    "_SYSTEMD_UNIT",
    "_SYSTEMD_USER_UNIT",
    "_SOURCE_MONOTONIC_TIMESTAMP",
    "_SOURCE_REALTIME_TIMESTAMP",
    "UNIT",
    "USER_UNIT",
    "INVOCATION_ID",
    "USER_INVOCATION_ID",
    "JOB_ID",
    "JOB_TYPE",
    "JOB_RESULT",
    "UNIT_RESULT",
    "N_RESTARTS",
    "EXIT_CODE",
    "EXIT_STATUS",
    "COMMAND",
    "EXECUTABLE",
    "SHUTDOWN",
    "CPU_USAGE_NSEC",
    "MEMORY_PEAK",
    "IO_METRIC_READ_BYTES",
    "IO_METRIC_WRITE_BYTES",
    "COREDUMP_COMM",
    "COREDUMP_EXE",
    "COREDUMP_PID",
    "COREDUMP_SIGNAL",
    "COREDUMP_UID",
    "COREDUMP_UNIT",
    "COREDUMP_USER_UNIT",
];

impl Event {
    /// The event an entry records, or None when it is nothing this module
    /// understands (most entries: other programs, audit records, reloads).
    pub fn from_entry(entry: &Entry) -> Option<Event> {
        let message_id = entry.str("MESSAGE_ID");
        match message_id {
            Some(ids::COREDUMP) => return coredump(entry),
            Some(ids::SPAWN_FAILED) => return spawn_failed(entry),
            _ => {}
        }
        let Some((manager, manager_pid, kernel_text)) = who(entry) else {
            return other_program(entry, message_id);
        };
        let unit_field = match manager {
            Manager::System => "UNIT",
            Manager::User(_) => "USER_UNIT",
        };
        let mut unit = entry.str(unit_field).map(str::to_string);
        let message = entry.message();
        let mut job_id = entry.number("JOB_ID").and_then(|n| u32::try_from(n).ok());
        let mut from_text = false;
        let kind = match message_id {
            Some(id) => unit_kind_by_id(id, entry, &message)?,
            None if kernel_text => {
                from_text = true;
                match text::manager_message(&message) {
                    Some((kind, named)) => {
                        unit = unit.or(named);
                        kind
                    }
                    None => match text::kernel_line(&message) {
                        Some((kind, name)) => {
                            unit = Some(name);
                            kind
                        }
                        // Debug lines ("U: Job N U/start finished, …",
                        // "U: Forked …") reach the kernel log too, before
                        // journald runs or when it drops PID 1's lines.
                        None => {
                            let (name, body) = message.split_once(": ")?;
                            if !text::is_unit_name(name) {
                                return None;
                            }
                            let (kind, id) = text::unit_message(body)?;
                            unit = Some(name.to_string());
                            job_id = job_id.or(id);
                            kind
                        }
                    },
                }
            }
            None => {
                from_text = true;
                match &unit {
                    Some(u) => {
                        let (kind, id) = text::unit_message(text::strip_unit_prefix(&message, u))?;
                        job_id = job_id.or(id);
                        kind
                    }
                    None => {
                        let (kind, named) = text::manager_message(&message)?;
                        unit = named;
                        kind
                    }
                }
            }
        };
        let invocation_field = match manager {
            Manager::System => "INVOCATION_ID",
            Manager::User(_) => "USER_INVOCATION_ID",
        };
        let (realtime_usec, monotonic_usec) = if kernel_text {
            kernel_time(entry)
        } else {
            sent_time(entry)
        };
        Some(Event {
            kind,
            unit,
            manager,
            manager_pid: Some(manager_pid),
            boot_id: entry.boot_id,
            realtime_usec,
            monotonic_usec,
            job_id,
            job_type: entry.str("JOB_TYPE").map(JobType::parse),
            invocation_id: entry.field(invocation_field).and_then(Id128::parse_bytes),
            priority: priority(entry),
            from_text,
            evidence: Evidence::from_entry(entry),
        })
    }
}

/// A kernel-log line's entry carries the time journald read it, which can be
/// seconds late for lines buffered before journald ran; the time the kernel
/// took it is in `_SOURCE_MONOTONIC_TIMESTAMP`. Both clocks move by the delay.
fn kernel_time(entry: &Entry) -> (u64, Option<u64>) {
    match (
        entry.number("_SOURCE_MONOTONIC_TIMESTAMP"),
        entry.monotonic_usec,
    ) {
        (Some(source), Some(read)) if source > 0 && source <= read => (
            entry.realtime_usec.saturating_sub(read - source),
            Some(source),
        ),
        _ => (entry.realtime_usec, entry.monotonic_usec),
    }
}

/// The longest backlog [`sent_time`] believes: five times the 24 s measured
/// on a flooded debug boot of a slow machine (the debian12-loops recording).
const SENT_DELAY_MAX_USEC: u64 = 120 * 1_000_000;

/// A manager's line sent through the native protocol carries the time
/// journald processed it; when journald falls behind (a debug flood on a slow
/// machine: 24 s seen), lines it read late sort after lines the manager
/// wrote later through the kernel log, and a run's "Started" line lands
/// after its own failure and restart. The time the line was sent is in
/// `_SOURCE_REALTIME_TIMESTAMP` (the socket's receive time), which is also
/// what journalctl shows; both clocks move back by the delay.
///
/// Only a delay journald's backlog can explain moves the line: a sent time
/// minutes before the entry's is a wall clock stepped between the two (NTP
/// at boot) or an entry copied with new times and its old fields, and one
/// before the boot began cannot be.
fn sent_time(entry: &Entry) -> (u64, Option<u64>) {
    let delay = entry
        .number("_SOURCE_REALTIME_TIMESTAMP")
        .filter(|sent| *sent > 0)
        .and_then(|sent| entry.realtime_usec.checked_sub(sent))
        .filter(|delay| *delay > 0 && *delay <= SENT_DELAY_MAX_USEC)
        .filter(|delay| entry.monotonic_usec.is_none_or(|m| *delay <= m));
    match delay {
        Some(delay) => (
            entry.realtime_usec - delay,
            entry.monotonic_usec.map(|m| m - delay),
        ),
        None => (entry.realtime_usec, entry.monotonic_usec),
    }
}

/// Which manager logged the entry: PID 1 (also through the kernel log before
/// journald ran), or a user manager (the only process in its `init.scope`).
fn who(entry: &Entry) -> Option<(Manager, u32, bool)> {
    let transport = entry.field("_TRANSPORT");
    if transport == Some(b"audit") {
        return None;
    }
    if entry.is_from_pid1() {
        return Some((Manager::System, 1, false));
    }
    if transport == Some(b"kernel") && entry.field("SYSLOG_PID") == Some(b"1") {
        return Some((Manager::System, 1, true));
    }
    if entry.field("_SYSTEMD_USER_UNIT") == Some(b"init.scope") {
        let uid = entry
            .str("_SYSTEMD_UNIT")
            .and_then(|u| u.strip_prefix("user@"))
            .and_then(|u| u.strip_suffix(".service"))
            .and_then(|u| u.parse().ok())
            .or_else(|| entry.number("_UID").and_then(|n| u32::try_from(n).ok()))?;
        let pid = entry.number("_PID").and_then(|n| u32::try_from(n).ok())?;
        return Some((Manager::User(uid), pid, false));
    }
    None
}

fn unit_kind_by_id(id: &str, entry: &Entry, message: &str) -> Option<EventKind> {
    let text_field = |name: &str| entry.str(name).map(str::to_string);
    Some(match id {
        ids::UNIT_STARTING => EventKind::Starting,
        ids::UNIT_STARTED if text::is_condition_skip(message) => EventKind::ConditionSkipped,
        ids::UNIT_STARTED => EventKind::Started,
        ids::UNIT_FAILED => EventKind::StartFailed {
            result: text_field("JOB_RESULT").unwrap_or_else(|| "failed".to_string()),
        },
        ids::UNIT_STOPPING => EventKind::Stopping,
        ids::UNIT_STOPPED => EventKind::Stopped,
        ids::UNIT_RESTART_SCHEDULED => EventKind::RestartScheduled {
            n_restarts: entry
                .number("N_RESTARTS")
                .and_then(|n| u32::try_from(n).ok()),
        },
        ids::UNIT_RESOURCES => EventKind::Resources(Resources {
            cpu_usage_nsec: entry.number("CPU_USAGE_NSEC"),
            memory_peak_bytes: entry.number("MEMORY_PEAK"),
            io_read_bytes: entry.number("IO_METRIC_READ_BYTES"),
            io_write_bytes: entry.number("IO_METRIC_WRITE_BYTES"),
        }),
        ids::UNIT_SUCCESS => EventKind::Success,
        ids::UNIT_FAILURE_RESULT => EventKind::FailureResult {
            result: text_field("UNIT_RESULT")
                .or_else(|| quoted(message))
                .unwrap_or_else(|| "unknown".to_string()),
        },
        ids::UNIT_SKIPPED => EventKind::ExecConditionSkipped {
            result: text_field("UNIT_RESULT")
                .or_else(|| quoted(message))
                .unwrap_or_default(),
        },
        ids::UNIT_PROCESS_EXIT => EventKind::ProcessExit(ProcessExit {
            role: process_role(message),
            kind: entry
                .str("EXIT_CODE")
                .map(ExitKind::parse)
                .unwrap_or(ExitKind::Other),
            status: text_field("EXIT_STATUS"),
            command: text_field("COMMAND").filter(|c| c != "n/a"),
        }),
        ids::UNIT_OUT_OF_MEMORY => EventKind::OutOfMemory,
        ids::UNIT_OOMD_KILL => EventKind::OomdKill,
        ids::STARTUP_FINISHED | ids::USER_STARTUP_FINISHED => EventKind::StartupFinished,
        _ => return None,
    })
}

/// "x.service: Main process exited, …" → Main.
fn process_role(message: &str) -> ProcessRole {
    let body = message.split_once(": ").map_or(message, |(_, b)| b);
    if body.starts_with("Main process") {
        ProcessRole::Main
    } else if body.starts_with("Control process") {
        ProcessRole::Control
    } else if body.starts_with("Condition check process") {
        ProcessRole::ConditionCheck
    } else {
        ProcessRole::Other
    }
}

/// The word in single quotes: "Failed with result 'exit-code'." → exit-code.
fn quoted(message: &str) -> Option<String> {
    let (_, rest) = message.split_once('\'')?;
    Some(rest.split_once('\'')?.0.to_string())
}

fn priority(entry: &Entry) -> Option<u8> {
    entry.number("PRIORITY").and_then(|p| u8::try_from(p).ok())
}

fn base(entry: &Entry, kind: EventKind, unit: Option<String>, manager: Manager) -> Event {
    Event {
        kind,
        unit,
        manager,
        manager_pid: None,
        boot_id: entry.boot_id,
        realtime_usec: entry.realtime_usec,
        monotonic_usec: entry.monotonic_usec,
        job_id: None,
        job_type: None,
        invocation_id: None,
        priority: priority(entry),
        from_text: false,
        evidence: Evidence::from_entry(entry),
    }
}

/// systemd-coredump's record. A crash in a user unit names both the user
/// manager (COREDUMP_UNIT=user@UID.service) and the unit (COREDUMP_USER_UNIT).
fn coredump(entry: &Entry) -> Option<Event> {
    let uid = entry
        .number("COREDUMP_UID")
        .and_then(|n| u32::try_from(n).ok());
    let (manager, unit) = match (entry.str("COREDUMP_USER_UNIT"), uid) {
        (Some(u), Some(uid)) if u != "init.scope" => (Manager::User(uid), Some(u)),
        _ => (Manager::System, entry.str("COREDUMP_UNIT")),
    };
    let kind = EventKind::Coredump {
        pid: entry
            .number("COREDUMP_PID")
            .and_then(|n| u32::try_from(n).ok()),
        signal: entry
            .number("COREDUMP_SIGNAL")
            .and_then(|n| u32::try_from(n).ok()),
        exe: entry.str("COREDUMP_EXE").map(str::to_string),
        comm: entry.str("COREDUMP_COMM").map(str::to_string),
    };
    Some(base(entry, kind, unit.map(str::to_string), manager))
}

/// Logged by the forked child before exec, so `_PID` is not the manager's.
fn spawn_failed(entry: &Entry) -> Option<Event> {
    let (manager, unit) = match (entry.str("UNIT"), entry.str("USER_UNIT")) {
        (Some(u), _) => (Manager::System, u),
        (None, Some(u)) => (
            Manager::User(entry.number("_UID").and_then(|n| u32::try_from(n).ok())?),
            u,
        ),
        (None, None) => return None,
    };
    let kind = EventKind::SpawnFailed {
        executable: entry.str("EXECUTABLE").map(str::to_string),
    };
    let mut event = base(entry, kind, Some(unit.to_string()), manager);
    event.invocation_id = entry
        .field("INVOCATION_ID")
        .or_else(|| entry.field("USER_INVOCATION_ID"))
        .and_then(Id128::parse_bytes);
    Some(event)
}

/// Lines from programs other than the managers that still tell who started
/// or stopped what: logind's shutdown message and sudo.
fn other_program(entry: &Entry, message_id: Option<&str>) -> Option<Event> {
    if message_id == Some(ids::SHUTDOWN) {
        let kind = EventKind::Shutdown {
            kind: entry.str("SHUTDOWN").map(str::to_string),
        };
        return Some(base(entry, kind, None, Manager::System));
    }
    if entry.field("SYSLOG_IDENTIFIER") == Some(b"sudo") {
        let (user, command) = text::sudo_command(&entry.message())?;
        return Some(base(
            entry,
            EventKind::Sudo { user, command },
            None,
            Manager::System,
        ));
    }
    None
}
