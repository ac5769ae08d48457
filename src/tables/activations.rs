//! The `activations` table: one row per run of a unit.
//!
//! Built from [`crate::lifecycle::Activation`]: one start-to-end run, keyed
//! by `INVOCATION_ID` where systemd logged one. Durations are measured on the
//! monotonic clock where both ends have it, as the lifecycle stage does, so a
//! clock step during the run cannot distort them.

use polars::prelude::*;

use super::columns::{ColumnDoc, FrameBuilder, Kind, column, to_i64, word};
use crate::boots::Boot;
use crate::cause::BootAnalysis;
use crate::lifecycle::Activation;

pub const NAME: &str = "activations";

pub const ABOUT: &str = "one row per run of a unit, from its start job to its end";

pub const COLUMNS: &[ColumnDoc] = &[
    column("boot_id", Kind::Text, false, "the boot it ran in"),
    column(
        "boot_index",
        Kind::Int,
        false,
        "that boot's offset (0 newest, -1 the one before, …)",
    ),
    column(
        "activation",
        Kind::Int,
        false,
        "its number within the boot, in the order runs were first logged (join `starts` and `events` on boot_id and activation)",
    ),
    column("unit", Kind::Category, false, "the unit"),
    column(
        "manager",
        Kind::Category,
        false,
        "`system` (PID 1) or `user:UID`",
    ),
    column(
        "invocation_id",
        Kind::Text,
        true,
        "systemd's id of this run",
    ),
    column(
        "start_job_id",
        Kind::Int,
        true,
        "the job that started it (a restart job's id for a restart)",
    ),
    column(
        "requested",
        Kind::Datetime,
        true,
        "\"Starting …\": the start job began; not logged for units that start at once (Type=simple) nor for targets",
    ),
    column(
        "started",
        Kind::Datetime,
        true,
        "\"Started …\" (or Finished, Reached target, Listening on): active, and for Type=notify ready",
    ),
    column(
        "start_failed",
        Kind::Category,
        true,
        "`JOB_RESULT` of a start job that failed (`failed`, `dependency`, `timeout`, …)",
    ),
    column(
        "stopping",
        Kind::Datetime,
        true,
        "\"Stopping …\": a stop or restart job began",
    ),
    column("stopped", Kind::Datetime, true, "\"Stopped …\""),
    column(
        "stop_job_type",
        Kind::Category,
        true,
        "`stop`, or `restart` when a restart job stopped it",
    ),
    column(
        "ended",
        Kind::Datetime,
        true,
        "when it became inactive or failed; null while running",
    ),
    column(
        "ready_usec",
        Kind::Int,
        true,
        "from \"Starting\" to \"Started\": how long systemd waited for it to be ready (Type=notify, forking, oneshot); null when either line is missing",
    ),
    column(
        "ran_usec",
        Kind::Int,
        true,
        "from its start job's first line to its end; null while running",
    ),
    column(
        "end_state",
        Kind::Category,
        false,
        "`running` (still active when the log or the boot ended), `succeeded`, `failed`, `stopped` or `skipped` (conditions said no)",
    ),
    column(
        "result",
        Kind::Category,
        true,
        "`UNIT_RESULT`: `success`, `exit-code`, `signal`, `core-dump`, `timeout`, `watchdog`, `oom-kill`, `start-limit-hit`, …",
    ),
    column(
        "exit_kind",
        Kind::Category,
        true,
        "how the main process ended: `exited`, `killed`, `dumped`",
    ),
    column(
        "exit_status",
        Kind::Int,
        true,
        "its exit status (exited) or signal number (killed, dumped)",
    ),
    column(
        "restart_scheduled",
        Kind::Bool,
        false,
        "systemd scheduled a restart after this run (Restart=)",
    ),
    column(
        "restart_counter",
        Kind::Int,
        true,
        "the restart counter logged with that (NRestarts)",
    ),
    column(
        "start_limit_hit",
        Kind::Bool,
        false,
        "the start after this run was refused (\"Start request repeated too quickly.\")",
    ),
    column(
        "oom_killed",
        Kind::Bool,
        false,
        "the kernel's or systemd-oomd's OOM killer hit it",
    ),
    column(
        "watchdog_timeout",
        Kind::Bool,
        false,
        "its watchdog expired",
    ),
    column(
        "timed_out",
        Kind::Category,
        true,
        "the operation that timed out (`start`, `stop`, …)",
    ),
    column(
        "coredump",
        Kind::Bool,
        false,
        "systemd-coredump recorded a crash of one of its processes",
    ),
    column(
        "cpu_usec",
        Kind::Int,
        true,
        "CPU time it consumed (UNIT_RESOURCES)",
    ),
    column("memory_peak_bytes", Kind::Int, true, "its peak memory"),
    column("io_read_bytes", Kind::Int, true, "bytes it read"),
    column("io_write_bytes", Kind::Int, true, "bytes it wrote"),
    column(
        "events",
        Kind::Int,
        false,
        "how many events were filed under it",
    ),
];

struct Row<'a> {
    boot: &'a Boot,
    index: usize,
    activation: &'a Activation,
}

pub fn frame(analyses: &[BootAnalysis]) -> PolarsResult<DataFrame> {
    let rows: Vec<Row> = analyses
        .iter()
        .flat_map(|a| {
            a.lifecycles
                .activations
                .iter()
                .enumerate()
                .map(move |(index, activation)| Row {
                    boot: &a.boot,
                    index,
                    activation,
                })
        })
        .collect();
    FrameBuilder::new(NAME, COLUMNS, &rows)
        .text("boot_id", |r| Some(r.boot.boot_id.to_string()))
        .int("boot_index", |r| Some(r.boot.index))
        .int("activation", |r| Some(r.index as i64))
        .category("unit", |r| Some(r.activation.unit.as_str()))
        .category("manager", |r| Some(r.activation.manager.to_string()))
        .text("invocation_id", |r| {
            r.activation.invocation_id.map(|i| i.to_string())
        })
        .int("start_job_id", |r| r.activation.start_job_id.map(i64::from))
        .datetime("requested", |r| {
            r.activation.requested.map(|s| s.realtime_usec)
        })
        .datetime("started", |r| r.activation.started.map(|s| s.realtime_usec))
        .category("start_failed", |r| {
            r.activation
                .start_failed
                .as_ref()
                .map(|(_, result)| result.as_str())
        })
        .datetime("stopping", |r| {
            r.activation.stopping.map(|s| s.realtime_usec)
        })
        .datetime("stopped", |r| r.activation.stopped.map(|s| s.realtime_usec))
        .category("stop_job_type", |r| {
            r.activation.stop_job_type.as_ref().and_then(word)
        })
        .datetime("ended", |r| r.activation.ended.map(|s| s.realtime_usec))
        .int("ready_usec", |r| {
            let a = r.activation;
            Some(to_i64(a.requested?.until(&a.started?)))
        })
        .int("ran_usec", |r| r.activation.ran_usec().map(to_i64))
        .category("end_state", |r| word(&r.activation.end_state))
        .category("result", |r| r.activation.result.as_deref())
        .category("exit_kind", |r| {
            r.activation.exit.as_ref().map(|e| e.kind.as_str())
        })
        .int("exit_status", |r| {
            r.activation.exit.as_ref()?.status.as_deref()?.parse().ok()
        })
        .bool("restart_scheduled", |r| {
            Some(r.activation.restart_scheduled.is_some())
        })
        .int("restart_counter", |r| {
            r.activation.restart_scheduled?.1.map(i64::from)
        })
        .bool("start_limit_hit", |r| Some(r.activation.start_limit_hit))
        .bool("oom_killed", |r| Some(r.activation.oom_killed))
        .bool("watchdog_timeout", |r| Some(r.activation.watchdog_timeout))
        .category("timed_out", |r| r.activation.timed_out.as_deref())
        .bool("coredump", |r| Some(r.activation.coredump.is_some()))
        .int("cpu_usec", |r| {
            r.activation
                .resources
                .cpu_usage_nsec
                .map(|n| to_i64(n / 1000))
        })
        .int("memory_peak_bytes", |r| {
            r.activation.resources.memory_peak_bytes.map(to_i64)
        })
        .int("io_read_bytes", |r| {
            r.activation.resources.io_read_bytes.map(to_i64)
        })
        .int("io_write_bytes", |r| {
            r.activation.resources.io_write_bytes.map(to_i64)
        })
        .int("events", |r| Some(r.activation.events.len() as i64))
        .finish()
}
