//! Readiness gaps: "Started" long before the program really served.
//!
//! For Type=simple (and exec) services systemd logs "Started" when it has
//! forked the process; units ordered `After=` it start right then, and
//! clients connect to a port nobody listens on yet. The program's own
//! readiness line (typed by `events::service_log`) tells when it really
//! served; the gap between the two is the window in which everything that
//! depended on it failed. Upstream errors other units logged inside the gap
//! are counted — only those about the ports the readiness line names, when
//! it names any, so a database's refusals are not blamed on a web app.
//!
//! A unit whose "Started" comes after its readiness line (Type=notify sends
//! READY=1 once it serves; forking and dbus units behave alike) has no gap
//! and is not reported; neither are gaps under `min_readiness_gap` (normal
//! start-up work). Readiness is read from text, so these findings carry a
//! confidence.

use crate::events::service_log::{ServiceLogEvent, ServiceLogKind};
use crate::events::{EventKind, Manager};
use crate::evidence::Evidence;
use crate::lifecycle::{Activation, Stamp};
use crate::present::text::fit;

use super::facts::{BootFacts, duration};
use super::{Context, Details, Finding, Kind, ReadinessDetails, Severity, finding_id};

/// Readiness lines this close after the first one still describe it.
const PORT_LINES_WITHIN_USEC: u64 = 10_000_000;

/// How sure a gap is, measured from systemd's "Started" line (or the state
/// change at the same moment) to a readiness line that names the ports it
/// serves: the readiness patterns are read from text, and a line that names
/// a port is the least ambiguous of them.
const PORTS_NAMED_CONFIDENCE: f64 = 0.8;
/// The same, with a readiness line that names no port ("ready", "started"),
/// which a program may also log before it truly serves.
const EXACT_CONFIDENCE: f64 = 0.7;
/// Measured from the fork, the state lines lost: a unit may fork long
/// before systemd considers it started, so the gap may be shorter.
const FORK_CONFIDENCE: f64 = 0.5;

/// A gap measured in a boot with entries missing: the first readiness line
/// may be one of them.
const EXCERPT_CONFIDENCE: f64 = 0.3;
const EXCERPT_CAVEAT: &str = " Entries are missing from this boot in the journal read (an excerpt), so an earlier readiness line may be among them and the gap shorter.";

/// Errors kept as evidence (first ones and the last).
const ERROR_EVIDENCE: usize = 3;

pub fn detect(cx: &Context) -> Vec<Finding> {
    let f = cx.facts;
    let log = &f.data.service_log;
    let mut out = Vec::new();
    for a in &f.lc.activations {
        let Some((started, exact)) = systemd_started(f, a) else {
            continue;
        };
        let started_key = started.monotonic_usec.unwrap_or(started.realtime_usec);
        let ended_key = a.ended.map(|e| e.monotonic_usec.unwrap_or(e.realtime_usec));
        let belongs = |r: &&ServiceLogEvent| {
            r.unit == a.unit
                && r.manager == a.manager
                && match (r.invocation_id, a.invocation_id) {
                    (Some(x), Some(y)) => x == y,
                    _ => ended_key.is_none_or(|end| r.sort_key() <= end),
                }
        };
        // The first readiness line of this run. One before "Started" means
        // systemd waited for readiness: no gap.
        let Some(ready) = log.ready_events().filter(belongs).find(|r| {
            r.invocation_id.is_some() && a.invocation_id.is_some()
                || r.sort_key() + 1 >= started_key
        }) else {
            continue;
        };
        if ready.sort_key() <= started_key {
            continue;
        }
        let gap = ready.sort_key() - started_key;
        if gap < f.options.min_readiness_gap_usec {
            continue;
        }
        let ServiceLogKind::Ready { pattern, .. } = &ready.kind else {
            continue;
        };
        // "Application startup complete." names no port; the "Uvicorn running
        // on …:8000" line right after it does. The run's readiness lines
        // together say where it serves.
        let mut ports: Vec<u16> = Vec::new();
        for r in log.ready_events().filter(belongs).filter(|r| {
            r.sort_key() >= ready.sort_key()
                && r.sort_key() <= ready.sort_key() + PORT_LINES_WITHIN_USEC
        }) {
            for p in r.ports() {
                if !ports.contains(p) {
                    ports.push(*p);
                }
            }
        }
        let ports = &ports;
        let errors: Vec<&ServiceLogEvent> = log
            .error_events()
            .filter(|e| e.unit != a.unit || e.manager != a.manager)
            .filter(|e| (started_key..=ready.sort_key()).contains(&e.sort_key()))
            .filter(|e| ports.is_empty() || e.ports().iter().any(|p| ports.contains(p)))
            .collect();
        let mut error_units: Vec<String> = Vec::new();
        for e in &errors {
            if !error_units.contains(&e.unit) {
                error_units.push(e.unit.clone());
            }
        }
        let unit = &a.unit;
        let port_words = match ports.as_slice() {
            [] => String::new(),
            [p] => format!(" on port {p}"),
            many => format!(
                " on ports {}",
                many.iter()
                    .map(u16::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let reported = if exact {
            "was reported started"
        } else {
            "was forked (its \"Started\" line is missing from the journal)"
        };
        let mut summary = format!(
            "{unit} {reported} at {} but only served{port_words} from {}, {} later (its own line \"{}\")",
            f.clock(started.realtime_usec),
            f.clock(ready.realtime_usec),
            duration(gap),
            short(&ready.evidence.message),
        );
        // In an excerpt an earlier readiness line may be among the missing
        // entries, so the gap may be shorter than measured.
        let partial = !f.boot().coverage.whole_inside();
        if errors.is_empty() {
            summary.push_str("; no other unit logged errors about it in between.");
        } else {
            let about = if ports.is_empty() { "" } else { " about it" };
            summary.push_str(&format!(
                "; meanwhile {} logged {} upstream error{}{about} (connection refused, bad gateway …).",
                error_units.join(", "),
                errors.len(),
                if errors.len() == 1 { "" } else { "s" }
            ));
        }
        if partial {
            summary.push_str(EXCERPT_CAVEAT);
        }
        let user = if a.manager == Manager::System {
            ""
        } else {
            " --user"
        };
        let hint = format!(
            "Let {unit} tell systemd when it serves — `Type=notify` with sd_notify(READY=1) (`systemctl{user} edit {unit}`) — or give its clients a health check and retry; units ordered `After={unit}` start {} too early.",
            duration(gap)
        );
        let mut evidence: Vec<Evidence> = vec![f.evidence(started.event), ready.evidence.clone()];
        evidence.extend(
            errors
                .iter()
                .take(ERROR_EVIDENCE)
                .map(|e| e.evidence.clone()),
        );
        if errors.len() > ERROR_EVIDENCE
            && let Some(last) = errors.last()
        {
            evidence.push(last.evidence.clone());
        }
        evidence.sort_by_key(|e| e.realtime_usec);
        let boot_id = f.boot().boot_id;
        out.push(Finding {
            id: finding_id(Kind::ReadinessGap, unit, boot_id, started.realtime_usec),
            kind: Kind::ReadinessGap,
            severity: if errors.is_empty() {
                Severity::Info
            } else {
                Severity::Warning
            },
            unit: Some(unit.clone()),
            manager: a.manager.to_string(),
            boot_id,
            start_realtime_usec: started.realtime_usec,
            end_realtime_usec: ready.realtime_usec,
            summary,
            hint,
            confidence: Some(match (exact, ports.is_empty(), partial) {
                (_, _, true) => EXCERPT_CONFIDENCE,
                (false, _, false) => FORK_CONFIDENCE,
                (true, true, false) => EXACT_CONFIDENCE,
                (true, false, false) => PORTS_NAMED_CONFIDENCE,
            }),
            evidence,
            details: Details::ReadinessGap(ReadinessDetails {
                started_realtime_usec: started.realtime_usec,
                ready_realtime_usec: ready.realtime_usec,
                gap_usec: gap,
                ready_pattern: pattern.clone(),
                ports: ports.clone(),
                errors_in_gap: errors.len() as u32,
                error_units,
            }),
        });
    }
    out
}

/// When systemd considered run `a` started: its "Started" line; if that
/// line was lost, the debug line "Changed … -> running" (the same moment);
/// if the state lines were lost too, the fork ("Forked … as PID", not exact:
/// a notify unit forks long before it is started, so the confidence drops).
fn systemd_started(f: &BootFacts, a: &Activation) -> Option<(Stamp, bool)> {
    if let Some(s) = a.started {
        return Some((s, true));
    }
    let stamp = |e: usize| Stamp {
        event: e,
        realtime_usec: f.lc.event(e).realtime_usec,
        monotonic_usec: f.lc.event(e).monotonic_usec,
    };
    // State changes of the start phase (dead -> start -> running …); the
    // stop phase's (running -> stop-sigterm -> dead) say nothing here.
    let start_phase = || {
        a.events.iter().copied().filter(|&e| {
            matches!(&f.lc.event(e).kind, EventKind::StateChanged { from, to }
                if matches!(from.as_str(), "dead" | "failed" | "auto-restart" | "start-pre" | "start" | "start-post")
                    || matches!(to.as_str(), "start-pre" | "start" | "start-post" | "running"))
        })
    };
    if let Some(e) = start_phase().find(
        |&e| matches!(&f.lc.event(e).kind, EventKind::StateChanged { to, .. } if to == "running"),
    ) {
        return Some((stamp(e), true));
    }
    if start_phase().next().is_some() {
        return None;
    }
    a.events
        .iter()
        .copied()
        .find(|&e| matches!(f.lc.event(e).kind, EventKind::Spawned { .. }))
        .map(|e| (stamp(e), false))
}

/// A log line shortened for a summary.
fn short(message: &str) -> String {
    let trimmed = message.trim();
    // uvicorn and friends prefix a level: "INFO:     Uvicorn running on …".
    let trimmed = trimmed
        .split_once(":     ")
        .map(|(_, rest)| rest)
        .unwrap_or(trimmed)
        .trim();
    fit(trimmed, 80)
}
