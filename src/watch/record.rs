//! What `watch` delivers: one JSON object per event, the same on the JSON
//! lines sink, on a webhook and on standard output.
//!
//! Records hold no delivery time and no run counter: the same journal and
//! state give the same bytes, so a record sent again after a crash is an
//! exact repeat, and a receiver drops it by `(fingerprint, event)`.

use serde_json::{Value, json};

use crate::findings::{Finding, Severity};
use crate::journal::Id128;
use crate::present::time::rfc3339;

use super::state::Pending;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// Reported for the first time.
    New,
    /// An ongoing finding ended (or is no longer found).
    Resolved,
}

impl Event {
    pub fn as_str(self) -> &'static str {
        match self {
            Event::New => "new",
            Event::Resolved => "resolved",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Record {
    pub event: Event,
    pub fingerprint: String,
    pub machine_id: Id128,
    pub finding_id: String,
    pub kind: String,
    pub severity: Severity,
    pub unit: Option<String>,
    pub boot_id: String,
    /// Whether the episode still goes on (see `plan::is_ongoing`).
    pub ongoing: bool,
    /// Why a finding is resolved, in words.
    pub reason: Option<String>,
    /// The finding as `findings -o json` prints it; None for a resolved
    /// finding that is no longer found.
    pub finding: Option<Value>,
}

impl Record {
    pub fn to_json(&self) -> Value {
        json!({
            "schema_version": crate::report::json::SCHEMA_VERSION,
            "document": "watch-record",
            "event": self.event.as_str(),
            "fingerprint": self.fingerprint,
            "machine_id": self.machine_id.to_string(),
            "finding_id": self.finding_id,
            "kind": self.kind,
            "severity": self.severity,
            "unit": self.unit,
            "boot_id": self.boot_id,
            "ongoing": self.ongoing,
            "reason": self.reason,
            "finding": self.finding,
        })
    }

    /// This record as the outbox keeps it until it is delivered.
    pub fn pending(&self) -> Pending {
        Pending {
            event: self.event.as_str().to_string(),
            fingerprint: self.fingerprint.clone(),
            kind: self.kind.clone(),
            severity: self.severity.as_str().to_string(),
            unit: self.unit.clone(),
            boot_id: self.boot_id.clone(),
            ongoing: self.ongoing,
            record: self.to_json().to_string(),
        }
    }

    /// For people: `NEW       error     crash-loop  backend.service  summary`.
    pub fn brief(&self) -> String {
        let summary = self
            .finding
            .as_ref()
            .and_then(|f| f["summary"].as_str())
            .or(self.reason.as_deref())
            .unwrap_or("");
        format!(
            "{:<9} {:<9} {:<16} {}  {}",
            self.event.as_str().to_uppercase(),
            self.severity.as_str(),
            self.kind,
            self.unit.as_deref().unwrap_or("-"),
            summary
        )
    }
}

/// Time the journal lost before the watch could read it: the saved
/// checkpoint's entry is gone (vacuumed, rotated away).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gap {
    pub saved_cursor: String,
    pub saved_boot_id: String,
    /// The checkpoint's time: entries after it were not read.
    pub from_usec: u64,
    /// The first entry the journal still has after it; None when nothing
    /// after the checkpoint is left.
    pub to_usec: Option<u64>,
}

impl Gap {
    /// Stable like a finding id: the lost checkpoint names the gap.
    pub fn id(&self) -> String {
        crate::stable_id::stable_id("coverage-gap", &[&self.saved_cursor])
    }

    /// A finding-shaped object, so receivers handle it like the others.
    pub fn finding(&self) -> Value {
        let to = self.to_usec.unwrap_or(self.from_usec);
        let lost = match self.to_usec {
            Some(t) => format!(
                "from {} to {} ({}s)",
                rfc3339(self.from_usec),
                rfc3339(t),
                t.saturating_sub(self.from_usec) / 1_000_000
            ),
            None => format!("after {}", rfc3339(self.from_usec)),
        };
        json!({
            "id": self.id(),
            "kind": "coverage-gap",
            "severity": Severity::Warning,
            "unit": null,
            "manager": "system",
            "boot_id": self.saved_boot_id,
            "start_realtime_usec": self.from_usec,
            "start_realtime": rfc3339(self.from_usec),
            "end_realtime_usec": to,
            "end_realtime": rfc3339(to),
            "summary": format!(
                "The journal no longer holds the entry jforensics watch stopped at: entries {lost} were removed (vacuumed or rotated away) before they were read, so findings in that time may be missing."
            ),
            "hint": "Run the watch timer more often than journald drops files (SystemMaxUse=, MaxRetentionSec= in journald.conf), or raise those limits.",
            "confidence": null,
            "evidence": [],
            "details": {
                "saved_cursor": self.saved_cursor,
                "lost_from_usec": self.from_usec,
                "lost_to_usec": self.to_usec,
            },
        })
    }
}

/// The record of a finding seen now.
pub fn of_finding(
    event: Event,
    fingerprint: String,
    machine_id: Id128,
    f: &Finding,
    ongoing: bool,
    reason: Option<String>,
) -> Record {
    Record {
        event,
        fingerprint,
        machine_id,
        finding_id: f.id.clone(),
        kind: f.kind.as_str().to_string(),
        severity: f.severity,
        unit: f.unit.clone(),
        boot_id: f.boot_id.to_string(),
        ongoing,
        reason,
        finding: Some(crate::report::json::findings::finding(f)),
    }
}
