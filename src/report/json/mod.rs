//! JSON documents, for programs. The field names are the documented
//! contract (docs/json.md, and `schema/jforensics.schema.json`): add
//! fields freely, never rename or remove one.
//!
//! This module holds what every document shares (the schema version,
//! evidence, boots) and `boots -o json`; each other document has its module.

pub mod findings;
pub mod fleet;
pub mod report;
pub mod starts;

use serde_json::{Value, json};

use crate::boots::Boot;
use crate::evidence::Evidence;
use crate::present::time::rfc3339;

pub use crate::present::SCHEMA_VERSION;

pub fn evidence(e: &Evidence) -> Value {
    json!({
        "cursor": e.cursor,
        "realtime_usec": e.realtime_usec,
        "realtime": rfc3339(e.realtime_usec),
        "message": e.message,
    })
}

pub fn evidence_list(list: &[Evidence]) -> Value {
    Value::Array(list.iter().map(evidence).collect())
}

fn opt_time(usec: Option<u64>) -> Value {
    usec.map(|u| Value::String(rfc3339(u)))
        .unwrap_or(Value::Null)
}

pub fn boot(b: &Boot) -> Value {
    json!({
        "boot_id": b.boot_id.to_string(),
        "index": b.index,
        "first_realtime_usec": b.first_realtime_usec,
        "first_realtime": rfc3339(b.first_realtime_usec),
        "last_realtime_usec": b.last_realtime_usec,
        "last_realtime": rfc3339(b.last_realtime_usec),
        "first_cursor": b.first_cursor,
        "last_cursor": b.last_cursor,
        "duration_usec": b.duration_usec,
        "entries": b.entries,
        "systemd_version": b.systemd_version,
        "startup_finished_usec": b.startup_finished.as_ref().and_then(|s| s.monotonic_usec),
        "startup_finished_realtime_usec": b.startup_finished.as_ref().map(|s| s.realtime_usec),
        "startup_finished_realtime": opt_time(b.startup_finished.as_ref().map(|s| s.realtime_usec)),
        "userspace_usec": b.startup_finished.as_ref().and_then(|s| s.userspace_usec),
        "end": b.end,
        "shutdown": b.shutdown,
        "downtime_usec": b.downtime_usec,
        "end_evidence": evidence_list(&b.end_evidence),
        "notes": b.notes,
        "coverage": b.coverage,
    })
}

/// The `coverage` section of a document: whether the boots it rests on were
/// read whole, the one sentence that says what is withheld where not, each
/// boot's coverage word (the details are in each boot's `coverage`), and
/// the files that could not be read at all (`damage`, one line each).
pub fn coverage(boots: &[Boot], damage: &[String]) -> Value {
    let summary = crate::boots::coverage::describe(boots);
    json!({
        "complete": summary.is_none() && damage.is_empty(),
        "damage": damage,
        "summary": summary,
        "missing_entries": boots
            .iter()
            .map(|b| b.coverage.missing_entries + b.coverage.missing_before)
            .sum::<u64>(),
        "boots": boots.iter().map(|b| json!({
            "boot_id": b.boot_id.to_string(),
            "state": b.coverage.state,
        })).collect::<Vec<_>>(),
    })
}

/// `jforensics boots -o json`: an array of boots, oldest first. The array is
/// the contract, so each element carries `schema_version`.
pub fn boots(list: &[Boot]) -> Value {
    Value::Array(
        list.iter()
            .map(|b| {
                let mut v = boot(b);
                v["schema_version"] = json!(SCHEMA_VERSION);
                v
            })
            .collect(),
    )
}
