//! The `findings` table: one row per problem the detectors found.
//!
//! Built from [`crate::findings::Finding`]. The facts every finding has are
//! columns; the few kind-specific facts people group and filter by
//! (restarts, outcome, how a lost unit had started, the result of a kill,
//! the readiness gap) are columns too, null for other kinds. Every other
//! kind-specific fact is kept whole in `details`, the same JSON object
//! `findings -o json` prints, so nothing is lost to flattening.

use std::collections::HashMap;

use polars::prelude::*;

use super::columns::{ColumnDoc, FrameBuilder, Kind, column, to_i64};
use crate::boots::Boot;
use crate::findings::{Details, Finding};
use crate::journal::Id128;

pub const NAME: &str = "findings";

pub const ABOUT: &str =
    "one row per problem found: crash loops, units lost at reboot, kills, unclean shutdowns, …";

pub const COLUMNS: &[ColumnDoc] = &[
    column(
        "id",
        Kind::Text,
        false,
        "stable id: the kind and a hash of kind, unit, boot and start (same in every run on the same journal)",
    ),
    column("boot_id", Kind::Text, false, "the boot it concerns"),
    column(
        "boot_index",
        Kind::Int,
        false,
        "that boot's offset (0 newest, -1 the one before, …)",
    ),
    column(
        "kind",
        Kind::Category,
        false,
        "`crash-loop`, `lost-at-reboot`, `at-risk-manual`, `unclean-shutdown`, `readiness-gap`, `resurrection`, `oom-kill`, `watchdog`, `core-dump`, `start-timeout`, `start-limit-hit`, `spawn-failed`, `undeclared-dependency`, `missing-ordering` or `unit-not-enabled-but-needed`",
    ),
    column(
        "severity",
        Kind::Category,
        false,
        "`info`, `warning`, `error` or `critical`",
    ),
    column(
        "unit",
        Kind::Category,
        true,
        "the unit (for a process outside any service, its scope); null for boot-wide findings",
    ),
    column("manager", Kind::Category, false, "`system` or `user:UID`"),
    column("began", Kind::Datetime, false, "when the problem began"),
    column(
        "ended",
        Kind::Datetime,
        false,
        "when it ended (or was last seen)",
    ),
    column(
        "summary",
        Kind::Text,
        false,
        "one line for someone who was not there (times in UTC)",
    ),
    column("hint", Kind::Text, false, "the fix, in one sentence"),
    column(
        "confidence",
        Kind::Float,
        true,
        "0 to 1 where the finding rests on an inference; null where the journal logs it as such",
    ),
    column(
        "restarts",
        Kind::Int,
        true,
        "crash-loop: automatic restarts in the episode",
    ),
    column(
        "outcome",
        Kind::Category,
        true,
        "crash-loop: `start-limit-hit`, `recovered`, `stopped`, `reboot`, `ongoing` or `failed`",
    ),
    column(
        "previous_boot_id",
        Kind::Text,
        true,
        "lost-at-reboot: the boot it was running in before",
    ),
    column(
        "how_started",
        Kind::Category,
        true,
        "lost-at-reboot, at-risk-manual: how the unit had been started (a cause word, or `outside-service`); resurrection: why it started again; crash-loop: why the episode's first run started",
    ),
    column(
        "root_cause_unit",
        Kind::Category,
        true,
        "crash-loop: the unit whose start ended it (recovered), else the unit whose stop began it",
    ),
    column(
        "result",
        Kind::Category,
        true,
        "kills: systemd's result for the run (`oom-kill`, `watchdog`, `core-dump`, `timeout`, …)",
    ),
    column(
        "gap_usec",
        Kind::Int,
        true,
        "readiness-gap: from \"Started\" to the service's own readiness line",
    ),
    column(
        "details",
        Kind::Text,
        false,
        "every kind-specific fact, as the JSON object `findings -o json` prints",
    ),
    column(
        "evidence",
        Kind::Int,
        false,
        "how many journal lines it rests on",
    ),
    column("evidence_message", Kind::Text, true, "the first of them"),
    column(
        "evidence_cursor",
        Kind::Text,
        true,
        "its cursor (`journalctl --cursor=…`)",
    ),
];

struct Row<'a> {
    finding: &'a Finding,
    boot_index: i64,
}

/// `boots` gives each finding's boot index.
pub fn frame(boots: &[Boot], findings: &[Finding]) -> PolarsResult<DataFrame> {
    let index: HashMap<Id128, i64> = boots.iter().map(|b| (b.boot_id, b.index)).collect();
    let rows = findings
        .iter()
        .map(|finding| {
            let boot_index = index.get(&finding.boot_id).copied().ok_or_else(|| {
                polars_err!(ComputeError:
                    "finding {} is about boot {}, which is not among the boots read (a jforensics bug)",
                    finding.id, finding.boot_id
                )
            })?;
            Ok(Row {
                finding,
                boot_index,
            })
        })
        .collect::<PolarsResult<Vec<Row>>>()?;
    FrameBuilder::new(NAME, COLUMNS, &rows)
        .text("id", |r| Some(r.finding.id.as_str()))
        .text("boot_id", |r| Some(r.finding.boot_id.to_string()))
        .int("boot_index", |r| Some(r.boot_index))
        .category("kind", |r| Some(r.finding.kind.as_str()))
        .category("severity", |r| Some(r.finding.severity.as_str()))
        .category("unit", |r| r.finding.unit.as_deref())
        .category("manager", |r| Some(r.finding.manager.as_str()))
        .datetime("began", |r| Some(r.finding.start_realtime_usec))
        .datetime("ended", |r| Some(r.finding.end_realtime_usec))
        .text("summary", |r| Some(r.finding.summary.as_str()))
        .text("hint", |r| Some(r.finding.hint.as_str()))
        .float("confidence", |r| r.finding.confidence)
        .int("restarts", |r| match &r.finding.details {
            Details::CrashLoop(d) => Some(i64::from(d.restarts)),
            _ => None,
        })
        .category("outcome", |r| match &r.finding.details {
            Details::CrashLoop(d) => Some(d.outcome.as_str()),
            _ => None,
        })
        .text("previous_boot_id", |r| match &r.finding.details {
            Details::LostAtReboot(d) => Some(d.previous_boot_id.to_string()),
            _ => None,
        })
        .category("how_started", |r| match &r.finding.details {
            Details::LostAtReboot(d) => Some(d.how_started_before.as_str()),
            Details::AtRisk(d) => Some(d.how_started.as_str()),
            Details::Resurrection(d) => Some(d.cause.as_str()),
            Details::CrashLoop(d) => Some(d.first_start_cause.as_str()),
            _ => None,
        })
        .category("root_cause_unit", |r| match &r.finding.details {
            Details::CrashLoop(d) => d.root_cause_unit.as_deref(),
            _ => None,
        })
        .category("result", |r| match &r.finding.details {
            Details::Kill(d) => d.result.as_deref(),
            _ => None,
        })
        .int("gap_usec", |r| match &r.finding.details {
            Details::ReadinessGap(d) => Some(to_i64(d.gap_usec)),
            _ => None,
        })
        .text("details", |r| {
            serde_json::to_string(&r.finding.details).ok()
        })
        .int("evidence", |r| Some(r.finding.evidence.len() as i64))
        .text("evidence_message", |r| {
            r.finding.evidence.first().map(|e| e.message.as_str())
        })
        .text("evidence_cursor", |r| {
            r.finding.evidence.first().map(|e| e.cursor.as_str())
        })
        .finish()
}
