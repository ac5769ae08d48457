//! What began and what ended a crash-loop episode.
//!
//! Nothing in the journal links a loop to another unit: a backend exits
//! because its database is gone, and PID 1 only logs the exit. So both
//! answers are coincidences in time, held to what could have had an effect:
//!
//! * the recovery: a unit that came up after the failing run before it and
//!   before (or with) the restart that stayed up. "With" is the recovering
//!   run's start-up: PID 1 logs a simple service started at fork, and its
//!   program reaches for the database a moment later, so a database whose
//!   own start is logged a few hundred milliseconds after the restart's
//!   still made it succeed (seen in the recorded journals). That moment ends
//!   when the shortest failing run of the episode had already failed: a unit
//!   that came up later than that came up after the run had got past the
//!   point where the others failed. It may be the recovery's consequence (a
//!   socket activated by the recovered service), so it is never named.
//! * the beginning of an episode that follows a recovery: a unit stopped
//!   shortly before the recovered run failed (its database stopped by hand).

use crate::cause::Cause;

use super::facts::{BootFacts, is_program_unit};

pub struct RootCause {
    pub activation: usize,
    pub cause: Cause,
    pub confidence: f64,
}

/// How far before a run's failure a stop may be and still have caused it:
/// a program that loses its dependency notices at its next use of it, which
/// for the programs that loop this way (a connection check, a poll) is well
/// within the loop's own cycle; ten seconds caps a slow loop's cycle so an
/// unrelated stop minutes earlier is not taken.
const STOP_BEFORE_FAILURE_CAP_USEC: u64 = 10_000_000;
/// … and never less than a second: a loop whose cycle is shorter still
/// leaves its program that long to notice the stop at its next use.
const STOP_BEFORE_FAILURE_MIN_USEC: u64 = 1_000_000;

/// How sure the named unit's start is what ended the loop. Only time links
/// the two (see the module doc), so the levels rank the coincidences: a
/// start by hand is what people do to fix a loop, and the fewer other
/// starts in the window, the fewer other answers.
mod root_confidence {
    /// The only start in the window, by hand.
    pub const ONLY_START: f64 = 0.75;
    /// The only start by hand among others.
    pub const ONLY_MANUAL: f64 = 0.65;
    /// One of several starts by hand; or the only start, not by hand (a
    /// socket or a dependency that came up, which may itself follow the
    /// recovery rather than cause it).
    pub const ONE_OF_MANUAL_OR_ONLY_OTHER: f64 = 0.5;
    /// One of several starts, none by hand.
    pub const ONE_OF_OTHERS: f64 = 0.35;
}

/// The unit whose start most likely ended the loop: started during the last
/// failing cycle and no later than the recovering run's start-up (its start
/// plus `shortest_failing_usec`, the shortest failing run), preferably by
/// hand, then before the restart rather than during its start-up, then the
/// closest to it.
pub fn root_cause(
    f: &BootFacts,
    runs: &[usize],
    episode_from: u64,
    shortest_failing_usec: u64,
) -> Option<RootCause> {
    let last = *runs.last()?;
    let before = runs[runs.len() - 2];
    let unit = &f.act(last).unit;
    let from = f.start_key(before);
    let recovery = f.start_key(last);
    let until = recovery.saturating_add(shortest_failing_usec);
    let mut candidates: Vec<(usize, Cause, bool, u64)> = Vec::new();
    for (i, a) in f.lc.activations.iter().enumerate() {
        if &a.unit == unit
            || a.manager != f.act(last).manager
            || !is_program_unit(&a.unit) && !a.unit.ends_with(".mount")
        {
            continue;
        }
        let Some(stamp) = f.start_stamp(i) else {
            continue;
        };
        let within = |k: u64| (from..=until).contains(&k);
        let mut k = stamp.monotonic_usec.unwrap_or(stamp.realtime_usec);
        // A start job that began before the last failing cycle but came up
        // ("Started", after READY=1 for Type=notify) within it: a slow
        // dependency pulled into the dependant's own transaction (Requires=
        // without After=), which the dependant failed without while the job
        // ran. It came up when PID 1 said so, not when its job began.
        if !within(k)
            && let Some(up) = a
                .started
                .map(|s| s.monotonic_usec.unwrap_or(s.realtime_usec))
            && k < from
            && within(up)
        {
            k = up;
        }
        if !within(k) || f.is_auto_restart(i) {
            continue;
        }
        // A unit that also started earlier in the episode without ending it
        // is not what changed.
        let started_before =
            f.lc.activations_of(&a.unit)
                .any(|(j, _)| j != i && (episode_from..from).contains(&f.start_key(j)));
        if started_before {
            continue;
        }
        let cause = f.cause(i).unwrap_or(Cause::Unknown);
        if matches!(cause, Cause::Timer | Cause::OnFailure | Cause::OnSuccess) {
            continue;
        }
        candidates.push((i, cause, k > recovery, k.abs_diff(recovery)));
    }
    let manual = candidates.iter().filter(|c| c.1 == Cause::Manual).count();
    let best = candidates
        .iter()
        .min_by_key(|c| (c.1 != Cause::Manual, c.2, c.3))?;
    let confidence = match (best.1 == Cause::Manual, manual, candidates.len()) {
        (true, 1, 1) => root_confidence::ONLY_START,
        (true, 1, _) => root_confidence::ONLY_MANUAL,
        (true, _, _) | (false, _, 1) => root_confidence::ONE_OF_MANUAL_OR_ONLY_OTHER,
        _ => root_confidence::ONE_OF_OTHERS,
    };
    Some(RootCause {
        activation: best.0,
        cause: best.1,
        confidence,
    })
}

/// For an episode begun by the failure of a run that had stayed up: the run
/// of another unit stopped by a stop job of its own (not the shutdown) in
/// the loop's cycle before that failure, the closest one.
pub fn begun_by_stop(f: &BootFacts, head: usize, cycle_usec: u64) -> Option<usize> {
    let failed = f.act(head).ended?;
    let failed_key = failed.monotonic_usec.unwrap_or(failed.realtime_usec);
    let window = cycle_usec.clamp(STOP_BEFORE_FAILURE_MIN_USEC, STOP_BEFORE_FAILURE_CAP_USEC);
    let unit = &f.act(head).unit;
    f.lc.activations
        .iter()
        .enumerate()
        .filter(|(i, a)| {
            &a.unit != unit
                && a.manager == f.act(head).manager
                && (is_program_unit(&a.unit) || a.unit.ends_with(".mount"))
                && f.stopped_by_request(*i)
                && !still_looping(f, *i)
        })
        .filter_map(|(i, a)| {
            let s = a.stopping.or(a.stopped)?;
            let k = s.monotonic_usec.unwrap_or(s.realtime_usec);
            let gap = failed_key.checked_sub(k)?;
            (gap <= window).then_some((i, gap))
        })
        .min_by_key(|&(_, gap)| gap)
        .map(|(i, _)| i)
}

/// A run that was an automatic restart and had not stayed up as long as a
/// recovered run must (`Options::recovered_after_usec`) when it was stopped:
/// its unit was still in a restart loop of its own, down more than up, so
/// its stop is not when anything that needed it lost it. (In the recorded
/// deps fixtures a decoy stopped by hand in the middle of its own loop was
/// otherwise taken for what began the loops of two units whose shared file
/// went away seconds later.)
fn still_looping(f: &BootFacts, i: usize) -> bool {
    f.is_auto_restart(i)
        && f.act(i)
            .ran_usec()
            .is_some_and(|r| r < f.options.recovered_after_usec)
}
