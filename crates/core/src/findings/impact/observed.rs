//! The edges the start-cause classifier and PID 1's failure lines already
//! name: pulls, triggers, and "Dependency failed for".

use crate::cause::Cause;
use crate::events::EventKind;
use crate::lifecycle::BootLifecycles;

use super::{EdgeKind, Sighting};
use crate::findings::BootData;

/// How long before "Dependency failed for X" the failed start of the unit
/// X required may be logged. systemd fails the dependants' jobs in the same
/// call that finishes the failed job (`job_finish_and_invalidate` →
/// `job_fail_dependencies`), so both lines carry nearly the same time; two
/// seconds leaves room for a loaded host writing them late.
const DEPENDENCY_FAILED_GAP_USEC: u64 = 2_000_000;

/// "Dependency failed" with exactly one failed start before it in that gap:
/// systemd names the dependant, not the dependency, so the one failure
/// logged with it is the cause unless another failed just as close.
const DEPENDENCY_FAILED_CONFIDENCE: f64 = 0.9;
/// … with several failures in the gap: the nearest is taken.
const DEPENDENCY_FAILED_AMBIGUOUS_CONFIDENCE: f64 = 0.5;

pub(super) fn sightings(data: &BootData) -> Vec<Sighting> {
    let a = &data.analysis;
    let lc = &a.lifecycles;
    let boot_id = a.boot.boot_id;
    let mut out = Vec::new();
    for s in &a.starts {
        let Some(trigger) = s.trigger.as_deref() else {
            continue;
        };
        let (kind, dependant, dependency) = match s.cause {
            // The puller is the unit whose transaction it was: it needed this one.
            Cause::Dependency => (EdgeKind::Pull, trigger, s.unit.as_str()),
            Cause::Socket | Cause::Timer => (EdgeKind::Trigger, s.unit.as_str(), trigger),
            _ => continue,
        };
        if dependant == dependency {
            continue;
        }
        out.push(Sighting {
            dependant: dependant.to_string(),
            dependency: dependency.to_string(),
            kind,
            manager: s.manager.to_string(),
            boot_id,
            realtime_usec: s.realtime_usec,
            confidence: s.confidence,
            explanation: s.explanation.clone(),
            evidence: s.evidence.clone(),
            fate: None,
        });
    }
    out.extend(dependency_failed(lc, boot_id));
    out
}

fn dependency_failed(lc: &BootLifecycles, boot_id: crate::journal::Id128) -> Vec<Sighting> {
    let mut out = Vec::new();
    for (i, e) in lc.events.iter().enumerate() {
        let EventKind::StartFailed { result } = &e.kind else {
            continue;
        };
        let Some(dependant) = e.unit.as_deref() else {
            continue;
        };
        if result != "dependency" {
            continue;
        }
        let run = lc.event_run[i];
        let at = e.sort_key();
        // Failed starts of other units of the same manager just before it.
        let candidates: Vec<usize> = (0..i)
            .rev()
            .take_while(|&j| at.saturating_sub(lc.events[j].sort_key()) <= DEPENDENCY_FAILED_GAP_USEC)
            .filter(|&j| {
                let c = &lc.events[j];
                lc.event_run[j] == run
                    && c.unit.as_deref().is_some_and(|u| u != dependant)
                    && matches!(&c.kind, EventKind::StartFailed { result } if result != "dependency")
            })
            .collect();
        let Some(&nearest) = candidates.first() else {
            continue;
        };
        let failed = &lc.events[nearest];
        let dependency = failed.unit.clone().unwrap_or_default();
        let confidence = if candidates.len() == 1 {
            DEPENDENCY_FAILED_CONFIDENCE
        } else {
            DEPENDENCY_FAILED_AMBIGUOUS_CONFIDENCE
        };
        out.push(Sighting {
            dependant: dependant.to_string(),
            dependency: dependency.clone(),
            kind: EdgeKind::DependencyFailed,
            manager: e.manager.to_string(),
            boot_id,
            realtime_usec: e.realtime_usec,
            confidence,
            explanation: format!(
                "The start of {dependant} failed with result 'dependency' right after the start of {dependency} failed{}.",
                if candidates.len() > 1 {
                    format!(" ({} other starts failed as close; the nearest is taken)", candidates.len() - 1)
                } else {
                    String::new()
                }
            ),
            evidence: vec![failed.evidence.clone(), e.evidence.clone()],
            fate: None,
        });
    }
    out
}
