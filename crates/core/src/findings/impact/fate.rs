//! `fate` edges: a unit that kept failing while another was not yet up (and
//! stopped failing when it came up), or began failing when another went down.
//!
//! This is the crash-loop detector's own judgement (`crash_loop.rs`,
//! `loop_cause.rs`), taken as it is rather than made a second time with
//! other thresholds: a loop is at least `Options::loop_restarts` automatic
//! restarts, so "failed at least twice" holds by construction, and its
//! root cause is the unit that came up during the last failing cycle (or
//! was stopped within that cycle before the first failure) — the window is
//! the loop's own cycle, capped as `loop_cause` explains. A loop that ends
//! when that unit comes up fails more often while it is down than after, by
//! definition of "recovered": no failure follows within
//! `Options::recovered_after_usec`. Loops without such a unit (a program
//! that crashes on its own, the decoys of the fixtures) give no edge.

use crate::findings::{BootData, Details, Kind, LoopOutcome, Options};

use super::{EdgeKind, FateCounts, Sighting};

/// A loop that began when another unit was stopped: the crash-loop
/// finding carries no confidence for it (the loop itself is logged), so the
/// edge says how sure the coincidence is: a stop by request within one
/// cycle before the first failure, not by the shutdown, the nearest one.
const BEGUN_BY_STOP_CONFIDENCE: f64 = 0.6;

pub(super) fn sightings(boots: &[BootData], options: &Options) -> Vec<Sighting> {
    let mut out = Vec::new();
    for f in crate::findings::detect(boots, options) {
        if f.kind != Kind::CrashLoop {
            continue;
        }
        let (Details::CrashLoop(d), Some(unit)) = (&f.details, f.unit.as_deref()) else {
            continue;
        };
        if let Some(root) = d.root_cause_unit.as_deref()
            && d.outcome == LoopOutcome::Recovered
            && root != unit
        {
            out.push(Sighting {
                dependant: unit.to_string(),
                dependency: root.to_string(),
                kind: EdgeKind::Fate,
                manager: f.manager.clone(),
                boot_id: f.boot_id,
                realtime_usec: f.start_realtime_usec,
                confidence: f.confidence.unwrap_or(BEGUN_BY_STOP_CONFIDENCE),
                explanation: format!(
                    "{unit} failed {} times while {root} was not up, and stayed up once {root} had started.",
                    d.restarts + 1
                ),
                evidence: f.evidence.clone(),
                fate: Some(FateCounts {
                    before_start: d.restarts + 1,
                    after_stop: 0,
                }),
            });
        }
        if let Some(stopped) = d.begun_by_stop_of.as_deref()
            && stopped != unit
            && d.root_cause_unit.as_deref() != Some(stopped)
        {
            out.push(Sighting {
                dependant: unit.to_string(),
                dependency: stopped.to_string(),
                kind: EdgeKind::Fate,
                manager: f.manager.clone(),
                boot_id: f.boot_id,
                realtime_usec: d
                    .begun_by_stop_realtime_usec
                    .unwrap_or(f.start_realtime_usec),
                confidence: BEGUN_BY_STOP_CONFIDENCE,
                explanation: format!(
                    "{unit} began failing right after {stopped} was stopped, and failed {} times.",
                    d.restarts + 1
                ),
                evidence: f.evidence.clone(),
                fate: Some(FateCounts {
                    before_start: 0,
                    after_stop: d.restarts + 1,
                }),
            });
        }
    }
    out
}
