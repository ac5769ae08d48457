//! The `starts` table: one row per start, with why it happened.
//!
//! Built from [`crate::cause::Start`], the classifier's answer for each
//! activation that was a start: the cause, the unit that triggered it, how
//! sure the log makes that answer, and the sentence that explains it. The
//! table carries the answer's first evidence line, so every row can be
//! checked with `journalctl --cursor=…`.

use polars::prelude::*;

use super::columns::{ColumnDoc, FrameBuilder, Kind, column, to_i64};
use crate::boots::Boot;
use crate::cause::{BootAnalysis, Start};

pub const NAME: &str = "starts";

pub const ABOUT: &str = "one row per start of a unit, with its cause, trigger and confidence";

pub const COLUMNS: &[ColumnDoc] = &[
    column("boot_id", Kind::Text, false, "the boot it happened in"),
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
        "the run it started (join `activations` on boot_id and activation)",
    ),
    column("unit", Kind::Category, false, "the unit"),
    column(
        "manager",
        Kind::Category,
        false,
        "`system` (PID 1) or `user:UID`",
    ),
    column("invocation_id", Kind::Text, true, "systemd's id of the run"),
    column("job_id", Kind::Int, true, "the start (or restart) job"),
    column(
        "realtime",
        Kind::Datetime,
        false,
        "when the start was first logged (\"Starting\", else \"Started\")",
    ),
    column(
        "monotonic_usec",
        Kind::Int,
        true,
        "the same, in µs since the boot began",
    ),
    column(
        "cause",
        Kind::Category,
        false,
        "why it started: `boot`, `manual`, `failure-restart`, `policy-restart`, `socket`, `dependency`, `timer`, `on-failure`, `on-success`, `admin-restart`, `transient` or `unknown`",
    ),
    column(
        "trigger",
        Kind::Category,
        true,
        "the unit that caused it: the socket, path, automount or timer; the failed unit (on-failure); the unit whose start transaction pulled it in (dependency)",
    ),
    column(
        "trigger_cause",
        Kind::Category,
        true,
        "why the trigger itself started (\"pulled in by X, which its timer started\")",
    ),
    column(
        "confidence",
        Kind::Float,
        false,
        "0 to 1: how sure the log makes the cause (info-level logs leave some causes looking alike)",
    ),
    column(
        "explanation",
        Kind::Text,
        false,
        "one sentence saying how the cause was decided",
    ),
    column(
        "start_logged",
        Kind::Bool,
        false,
        "false when the start lines were not in the journal (dropped lines, LogLevelMax=) and the run was seen only later",
    ),
    column(
        "evidence_message",
        Kind::Text,
        true,
        "the first journal line the answer rests on",
    ),
    column(
        "evidence_cursor",
        Kind::Text,
        true,
        "its cursor (`journalctl --cursor=…`)",
    ),
];

struct Row<'a> {
    boot: &'a Boot,
    start: &'a Start,
}

pub fn frame(analyses: &[BootAnalysis]) -> PolarsResult<DataFrame> {
    let rows: Vec<Row> = analyses
        .iter()
        .flat_map(|a| {
            a.starts.iter().map(move |start| Row {
                boot: &a.boot,
                start,
            })
        })
        .collect();
    FrameBuilder::new(NAME, COLUMNS, &rows)
        .text("boot_id", |r| Some(r.boot.boot_id.to_string()))
        .int("boot_index", |r| Some(r.boot.index))
        .int("activation", |r| Some(r.start.activation as i64))
        .category("unit", |r| Some(r.start.unit.as_str()))
        .category("manager", |r| Some(r.start.manager.to_string()))
        .text("invocation_id", |r| {
            r.start.invocation_id.map(|i| i.to_string())
        })
        .int("job_id", |r| r.start.job_id.map(i64::from))
        .datetime("realtime", |r| Some(r.start.realtime_usec))
        .int("monotonic_usec", |r| r.start.monotonic_usec.map(to_i64))
        .category("cause", |r| Some(r.start.cause.as_str()))
        .category("trigger", |r| r.start.trigger.as_deref())
        .category("trigger_cause", |r| {
            r.start.trigger_cause.map(|c| c.as_str())
        })
        .float("confidence", |r| Some(r.start.confidence))
        .text("explanation", |r| Some(r.start.explanation.as_str()))
        .bool("start_logged", |r| Some(r.start.start_logged))
        .text("evidence_message", |r| {
            r.start.evidence.first().map(|e| e.message.as_str())
        })
        .text("evidence_cursor", |r| {
            r.start.evidence.first().map(|e| e.cursor.as_str())
        })
        .finish()
}
