//! Starts and activations for programs: `since-boot -o json` and
//! `unit -o json`. The field names are a documented contract (docs/json.md, "JSON
//! output"): add fields freely, never rename or remove one.

use serde_json::{Value, json};

use super::{SCHEMA_VERSION, boot, evidence, evidence_list};
use crate::cause::{BootAnalysis, Cause, Start};
use crate::lifecycle::{Activation, BootLifecycles};
use crate::present::time::rfc3339;
use crate::report::select::{failures, unstarted};

/// How an activation ended, as JSON.
pub fn outcome(a: &Activation) -> Value {
    json!({
        "end_state": a.end_state,
        "result": a.result,
        "exit_code": a.exit.as_ref().map(|x| x.kind.as_str()),
        "exit_status": a.exit.as_ref().and_then(|x| x.status.clone()),
        "ended_realtime_usec": a.ended.map(|s| s.realtime_usec),
        "ran_usec": a.ran_usec(),
        "restart_scheduled": a.restart_scheduled.is_some(),
        "start_limit_hit": a.start_limit_hit,
        "oom_killed": a.oom_killed,
        "watchdog_timeout": a.watchdog_timeout,
        "timed_out": a.timed_out,
        "core_dumped": a.coredump.is_some()
            || a.exit.as_ref().is_some_and(|x| x.kind == crate::events::ExitKind::Dumped),
    })
}

/// One start, as in `since-boot -o json`'s `starts` array.
pub fn start(s: &Start, lc: &BootLifecycles) -> Value {
    let a = &lc.activations[s.activation];
    json!({
        "unit": s.unit,
        "manager": s.manager,
        "boot_id": s.boot_id.to_string(),
        "invocation_id": s.invocation_id.map(|i| i.to_string()),
        "job_id": s.job_id,
        "realtime_usec": s.realtime_usec,
        "realtime": rfc3339(s.realtime_usec),
        "monotonic_usec": s.monotonic_usec,
        "cause": s.cause,
        "trigger": s.trigger,
        "trigger_cause": s.trigger_cause,
        "confidence": round2(s.confidence),
        "explanation": s.explanation,
        "evidence": evidence_list(&s.evidence),
        "start_logged": s.start_logged,
        "link": s.link,
        "outcome": outcome(a),
    })
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// `jforensics since-boot -o json`.
pub fn since_boot_json(analysis: &BootAnalysis, units: &[String], damage: &[String]) -> Value {
    let lc = &analysis.lifecycles;
    let starts: Vec<&Start> = analysis
        .starts
        .iter()
        .filter(|s| units.is_empty() || units.contains(&s.unit))
        .collect();
    let mut by_cause = serde_json::Map::new();
    for cause in Cause::ALL {
        let n = starts.iter().filter(|s| s.cause == cause).count();
        if n > 0 {
            by_cause.insert(cause.as_str().to_string(), json!(n));
        }
    }
    json!({
        "schema_version": SCHEMA_VERSION,
        "document": "since-boot",
        "boot": boot(&analysis.boot),
        "starts": starts.iter().map(|s| start(s, lc)).collect::<Vec<_>>(),
        "by_cause": by_cause,
        "failures": failures(lc, units).iter().map(|&i| activation(lc, i, analysis)).collect::<Vec<_>>(),
        "runs_without_logged_start": unstarted(analysis, units).len(),
        "coverage": super::coverage(std::slice::from_ref(&analysis.boot), damage),
    })
}

/// One activation, as in `unit -o json` and `since-boot`'s `failures`.
pub fn activation(lc: &BootLifecycles, index: usize, analysis: &BootAnalysis) -> Value {
    let a = &lc.activations[index];
    let stamp = |s: Option<crate::lifecycle::Stamp>| s.map(|s| s.realtime_usec);
    json!({
        "unit": a.unit,
        "manager": a.manager,
        "boot_id": a.boot_id.to_string(),
        "invocation_id": a.invocation_id.map(|i| i.to_string()),
        "start_job_id": a.start_job_id,
        "requested_realtime_usec": stamp(a.requested),
        "started_realtime_usec": stamp(a.started),
        "stopping_realtime_usec": stamp(a.stopping),
        "ended_realtime_usec": stamp(a.ended),
        "stop_job_id": a.stop_job_id,
        "stop_job_type": a.stop_job_type,
        "cause": analysis.start_of(index).map(|s| s.cause),
        "trigger": analysis.start_of(index).and_then(|s| s.trigger.clone()),
        "start": analysis.start_of(index).map(|s| start(s, lc)),
        "outcome": outcome(a),
        "n_restarts": a.restart_scheduled.and_then(|(_, n)| n),
        "cpu_usage_nsec": a.resources.cpu_usage_nsec,
        "memory_peak_bytes": a.resources.memory_peak_bytes,
        "events": a.events.iter().map(|&i| evidence(&lc.event(i).evidence)).collect::<Vec<_>>(),
    })
}

/// `jforensics unit UNIT -o json`.
pub fn unit_json(unit: &str, analyses: &[BootAnalysis], damage: &[String]) -> Value {
    let boots: Vec<crate::boots::Boot> = analyses.iter().map(|a| a.boot.clone()).collect();
    json!({
        "schema_version": SCHEMA_VERSION,
        "document": "unit",
        "coverage": super::coverage(&boots, damage),
        "unit": unit,
        "boots": analyses.iter().map(|an| json!({
            "boot": boot(&an.boot),
            "activations": an.lifecycles.activations_of(unit)
                .map(|(i, _)| activation(&an.lifecycles, i, an))
                .collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}
