//! The `events` table: every typed lifecycle event, one row each.
//!
//! Built from [`crate::lifecycle::BootLifecycles::events`], so a row is an
//! event jforensics understood (by `MESSAGE_ID`, or by the one text fallback
//! where systemd logs no ID), not a raw journal line. The kind-specific
//! fields of [`EventKind`] are folded into two columns, `result` (the words
//! systemd logs for outcomes, for grouping) and `detail` (everything else, for
//! people), so the table stays flat.

use polars::prelude::*;

use super::columns::{ColumnDoc, FrameBuilder, Kind, column, to_i64, word};
use crate::boots::Boot;
use crate::cause::BootAnalysis;
use crate::events::{Event, EventKind};

pub const NAME: &str = "events";

pub const ABOUT: &str = "one row per lifecycle event a systemd manager logged, in boot order";

pub const COLUMNS: &[ColumnDoc] = &[
    column("boot_id", Kind::Text, false, "the boot it was logged in"),
    column(
        "boot_index",
        Kind::Int,
        false,
        "that boot's offset (0 newest, -1 the one before, …)",
    ),
    column(
        "event",
        Kind::Int,
        false,
        "position in the boot's events, which are ordered by the monotonic clock",
    ),
    column(
        "realtime",
        Kind::Datetime,
        false,
        "when it was logged (wall clock)",
    ),
    column("monotonic_usec", Kind::Int, true, "µs since the boot began"),
    column(
        "kind",
        Kind::Category,
        false,
        "what happened: `starting`, `started`, `start-failed`, `stopping`, `stopped`, `process-exit`, `failure-result`, `success`, `restart-scheduled`, `out-of-memory`, `start-limit-hit`, `watchdog-timeout`, `coredump`, `sudo`, …",
    ),
    column(
        "unit",
        Kind::Category,
        true,
        "the unit it concerns; null for manager-wide events",
    ),
    column(
        "manager",
        Kind::Category,
        false,
        "`system` (PID 1) or `user:UID` (a `systemd --user`)",
    ),
    column("job_id", Kind::Int, true, "`JOB_ID=`"),
    column(
        "job_type",
        Kind::Category,
        true,
        "`JOB_TYPE=`: `start`, `stop`, `restart`, …",
    ),
    column(
        "invocation_id",
        Kind::Text,
        true,
        "`INVOCATION_ID=`: the run of the unit",
    ),
    column(
        "activation",
        Kind::Int,
        true,
        "the activation it was filed under (join `activations` on boot_id and activation)",
    ),
    column(
        "result",
        Kind::Category,
        true,
        "outcome words: `JOB_RESULT` of a failed start job, `UNIT_RESULT` of a failure result, the exit of a process (`exited`, `killed`, `dumped`), …",
    ),
    column(
        "detail",
        Kind::Text,
        true,
        "the rest of the event, for people: exit status, restart counter, timed-out operation, sudo command, …",
    ),
    column("priority", Kind::Int, true, "syslog priority (7 = debug)"),
    column(
        "from_text",
        Kind::Bool,
        false,
        "recognised from the message text (no MESSAGE_ID logged)",
    ),
    column(
        "message",
        Kind::Text,
        false,
        "the journal line, one line, shortened past 300 characters",
    ),
    column(
        "cursor",
        Kind::Text,
        false,
        "its cursor (`journalctl --cursor=…`)",
    ),
];

/// One event and where it sits.
struct Row<'a> {
    boot: &'a Boot,
    index: usize,
    event: &'a Event,
    activation: Option<usize>,
}

pub fn frame(analyses: &[BootAnalysis]) -> PolarsResult<DataFrame> {
    let rows: Vec<Row> = analyses
        .iter()
        .flat_map(|a| {
            let lc = &a.lifecycles;
            lc.events.iter().enumerate().map(move |(index, event)| Row {
                boot: &a.boot,
                index,
                event,
                activation: lc.activation_of_event(index),
            })
        })
        .collect();
    FrameBuilder::new(NAME, COLUMNS, &rows)
        .text("boot_id", |r| Some(r.boot.boot_id.to_string()))
        .int("boot_index", |r| Some(r.boot.index))
        .int("event", |r| Some(r.index as i64))
        .datetime("realtime", |r| Some(r.event.realtime_usec))
        .int("monotonic_usec", |r| r.event.monotonic_usec.map(to_i64))
        .category("kind", |r| Some(r.event.kind.name()))
        .category("unit", |r| r.event.unit.as_deref())
        .category("manager", |r| Some(r.event.manager.to_string()))
        .int("job_id", |r| r.event.job_id.map(i64::from))
        .category("job_type", |r| r.event.job_type.as_ref().and_then(word))
        .text("invocation_id", |r| {
            r.event.invocation_id.map(|i| i.to_string())
        })
        .int("activation", |r| r.activation.map(|a| a as i64))
        .category("result", |r| result(&r.event.kind))
        .text("detail", |r| detail(&r.event.kind))
        .int("priority", |r| r.event.priority.map(i64::from))
        .bool("from_text", |r| Some(r.event.from_text))
        .text("message", |r| Some(r.event.evidence.message.as_str()))
        .text("cursor", |r| Some(r.event.evidence.cursor.as_str()))
        .finish()
}

/// The outcome words of an event, where it has some.
fn result(kind: &EventKind) -> Option<&str> {
    match kind {
        EventKind::StartFailed { result }
        | EventKind::FailureResult { result }
        | EventKind::ExecConditionSkipped { result }
        | EventKind::JobFinished { result, .. } => Some(result),
        EventKind::ProcessExit(exit) => Some(exit.kind.as_str()),
        _ => None,
    }
}

/// Everything else an event carries, in a few words.
fn detail(kind: &EventKind) -> Option<String> {
    let text = match kind {
        EventKind::ProcessExit(exit) => {
            let role = word(&exit.role).unwrap_or_default();
            match &exit.command {
                Some(command) => format!("{role} {command}: {}", exit.describe()),
                None => format!("{role}: {}", exit.describe()),
            }
        }
        EventKind::RestartScheduled {
            n_restarts: Some(n),
        } => format!("restart counter {n}"),
        EventKind::OperationTimeout { operation, action } => format!("{operation}: {action}"),
        EventKind::TriggeringDependencies { trigger } | EventKind::TriggerFailed { trigger } => {
            trigger.setting().to_string()
        }
        EventKind::AutomountRequest { path, pid, comm } => {
            let by = match (pid, comm) {
                (Some(pid), Some(comm)) => format!(" by {pid} ({comm})"),
                (Some(pid), None) => format!(" by {pid}"),
                _ => String::new(),
            };
            format!("{path}{by}")
        }
        EventKind::DefaultTargetQueued { target } => target.clone(),
        EventKind::Shutdown { kind: Some(kind) } => kind.clone(),
        EventKind::SpawnFailed {
            executable: Some(executable),
        } => executable.clone(),
        EventKind::Coredump {
            signal, exe, comm, ..
        } => {
            let what = exe.as_deref().or(comm.as_deref()).unwrap_or("?");
            match signal {
                Some(signal) => format!("{what}: signal {signal}"),
                None => what.to_string(),
            }
        }
        EventKind::Sudo { user, command } => format!("{user}: {command}"),
        EventKind::UpheldBy { by } => by.clone(),
        EventKind::BusCall { member, sender } => match sender {
            Some(sender) => format!("{member} from {sender}"),
            None => member.clone(),
        },
        EventKind::TryingToEnqueue { job_type, mode } => {
            format!("{} {mode}", word(job_type).unwrap_or_default())
        }
        EventKind::JobInstalled { job_type }
        | EventKind::JobEnqueued { job_type }
        | EventKind::JobFinished { job_type, .. } => word(job_type).unwrap_or_default(),
        EventKind::JobConverted { from, to } => format!(
            "{} -> {}",
            word(from).unwrap_or_default(),
            word(to).unwrap_or_default()
        ),
        EventKind::StateChanged { from, to } => format!("{from} -> {to}"),
        EventKind::Spawned { pid: Some(pid) } => format!("pid {pid}"),
        EventKind::Resources(r) => {
            let parts: Vec<String> = [
                r.cpu_usage_nsec.map(|n| format!("cpu {}ms", n / 1_000_000)),
                r.memory_peak_bytes.map(|b| format!("memory peak {b} B")),
                r.io_read_bytes.map(|b| format!("read {b} B")),
                r.io_write_bytes.map(|b| format!("written {b} B")),
            ]
            .into_iter()
            .flatten()
            .collect();
            if parts.is_empty() {
                return None;
            }
            parts.join(", ")
        }
        _ => return None,
    };
    Some(text)
}
