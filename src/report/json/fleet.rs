//! The `fleet-findings` JSON document (`fleet findings -o json`).

use serde_json::{Value, json};

use crate::fleet::{Host, Summary};
use crate::present::time::rfc3339;
use crate::report::json::SCHEMA_VERSION;
use crate::report::json::findings as render;

/// The `fleet-findings` JSON document: every host with its findings (as in
/// `findings -o json`), then the waves and shared findings.
pub fn document(hosts: &[Host], summary: &Summary) -> Value {
    let id = |i: usize| hosts[i].machine.id.map(|m| m.to_string());
    let host_docs: Vec<Value> = hosts
        .iter()
        .map(|h| {
            let ids: Vec<String> = h.boots.iter().map(|b| b.boot_id.to_string()).collect();
            let mut doc = render::document(&h.findings, &ids);
            doc["machine_id"] = json!(h.machine.id.map(|m| m.to_string()));
            doc["hostname"] = json!(h.machine.hostname);
            doc["source"] = json!(h.source);
            doc["boot_starts"] = json!(
                h.boots
                    .iter()
                    .map(|b| json!({"boot_id": b.boot_id.to_string(), "first_realtime_usec": b.first_realtime_usec}))
                    .collect::<Vec<_>>()
            );
            doc
        })
        .collect();
    let waves: Vec<Value> = summary
        .waves
        .iter()
        .map(|w| {
            json!({
                "first_realtime_usec": w.first_usec,
                "first_realtime": rfc3339(w.first_usec),
                "last_realtime_usec": w.last_usec,
                "last_realtime": rfc3339(w.last_usec),
                "hosts": w.hosts.iter().map(|h| id(*h)).collect::<Vec<_>>(),
                "boots": w.boots.iter().map(|b| json!({"machine_id": id(b.host), "boot_id": b.boot_id.to_string(), "realtime_usec": b.realtime_usec})).collect::<Vec<_>>(),
            })
        })
        .collect();
    let spread: Vec<Value> = summary
        .spread
        .iter()
        .map(|s| {
            json!({
                "kind": s.kind,
                "unit": s.unit,
                "severity": s.severity,
                "hosts": s.hosts.iter().map(|h| id(*h)).collect::<Vec<_>>(),
                "findings": s.findings,
            })
        })
        .collect();
    json!({
        "schema_version": SCHEMA_VERSION,
        "document": "fleet-findings",
        "hosts": host_docs,
        "waves": waves,
        "wave_gap_usec": summary.wave_gap_usec,
        "wave_min_hosts": summary.wave_min_hosts,
        "shared": spread,
        "min_hosts": summary.min_hosts,
    })
}
