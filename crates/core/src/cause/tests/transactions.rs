//! The job-id walk: which starts another unit's transaction pulled in, and
//! which only happened to be dispatched with it.

use super::*;

#[test]
fn a_timer_starts_a_service_that_pulls_in_another() {
    // As recorded (debian12, boot 0): tick.service's transaction took ids
    // 1209..=1267, the worker it pulled in the last of them, so the next
    // request (adhoc.service, by hand) got 1268.
    let mut log = Log::debian_boot();
    log.started(110_661, "tick.timer", 1151);
    log.starting(112_733, "tick.service", 1209);
    log.started(112_787, "worker.service", 1267);
    log.started(115_000, "adhoc.service", 1268);
    let starts = log.classify();
    assert_eq!(start(&starts, "tick.timer", 0).cause, Cause::Manual);
    let t = start(&starts, "tick.service", 0);
    assert_eq!(
        (t.cause, t.trigger.as_deref()),
        (Cause::Timer, Some("tick.timer"))
    );
    let w = start(&starts, "worker.service", 1);
    assert_eq!(w.cause, Cause::Dependency, "{}", w.explanation);
    assert_eq!(w.trigger.as_deref(), Some("tick.service"));
    assert_eq!(w.trigger_cause, Some(Cause::Timer));
    let link = w.link.as_ref().expect("a dependency carries its link");
    assert_eq!(
        (link.kind, link.anchor_job, link.next_job),
        (super::LinkKind::JobIds, Some(1209), Some(1268))
    );
    assert_eq!(start(&starts, "adhoc.service", 0).cause, Cause::Manual);
    // Two seconds apart, the same two starts are separate requests.
    let mut log = Log::debian_boot();
    log.started(110_661, "tick.timer", 1151);
    log.starting(112_733, "tick.service", 1209);
    log.started(114_787, "worker.service", 1267);
    log.started(115_000, "adhoc.service", 1268);
    assert_eq!(
        start(&log.classify(), "worker.service", 1).cause,
        Cause::Manual
    );
}

/// Item 5 of issue #25: on a loaded machine a pulled unit was dispatched
/// 0.8 s before its puller. The ids prove the pull (the next job follows
/// the worker's at once, no room for a block of its own); the time window
/// is as wide as this boot's own restarts show the manager was slow.
#[test]
fn a_pull_proven_by_ids_may_be_dispatched_as_late_as_this_boots_restarts_were() {
    let worker_with_restart_dispatch = |dispatch_ms: u64, worker_ms: u64| {
        let mut log = Log::debian_boot();
        let inv = log.started(30_000, "flaky.service", 300);
        log.exit(31_000, "flaky.service", &inv, "1");
        log.auto_restart_dispatched(33_000, "flaky.service", &inv, 400, true, dispatch_ms);
        log.started(110_661, "tick.timer", 1151);
        log.started(worker_ms, "worker.service", 1267);
        log.starting(112_733, "tick.service", 1209);
        log.started(115_000, "adhoc.service", 1268);
        let starts = log.classify();
        let w = start(&starts, "worker.service", 1).clone();
        let flaky = start(&starts, "flaky.service", 1).cause;
        (w, flaky)
    };
    // The restart took 700 ms to be dispatched: 0.8 s is within this boot's
    // spread (×1.5 = 1.05 s).
    let (w, flaky) = worker_with_restart_dispatch(700, 111_933);
    assert_eq!(flaky, Cause::FailureRestart);
    assert_eq!(
        (w.cause, w.trigger.as_deref()),
        (Cause::Dependency, Some("tick.service")),
        "{}",
        w.explanation
    );
    assert_eq!(
        w.link.as_ref().map(|l| (l.anchor_job, l.next_job)),
        Some((Some(1209), Some(1268)))
    );
    // Restarts dispatched at once: the half-second bound holds, and 0.8 s
    // apart the two are separate requests.
    let (w, _) = worker_with_restart_dispatch(120, 111_933);
    assert_ne!(w.cause, Cause::Dependency, "{}", w.explanation);
    // Never wider than the cap (2 s), however slow the restarts.
    let (w, _) = worker_with_restart_dispatch(60_000, 110_900);
    assert_eq!(w.cause, Cause::Dependency, "{}", w.explanation);
    let (w, _) = worker_with_restart_dispatch(60_000, 110_700);
    assert_ne!(w.cause, Cause::Dependency, "{}", w.explanation);
}

#[test]
fn a_start_by_hand_in_the_same_dispatch_is_not_a_dependency_without_a_job_id_link() {
    // The timer's transaction (1209..=1267, the worker last) and, 40 ms
    // later, a separate request whose own block of ids runs to 1326.
    let mut log = Log::debian_boot();
    log.started(110_661, "tick.timer", 1151);
    log.starting(112_733, "tick.service", 1209);
    log.started(112_760, "worker.service", 1267);
    log.started(112_800, "reindex.service", 1268);
    log.started(118_000, "later.service", 1326);
    let starts = log.classify();
    let w = start(&starts, "worker.service", 1);
    assert_eq!(
        (w.cause, w.trigger.as_deref()),
        (Cause::Dependency, Some("tick.service")),
        "{}",
        w.explanation
    );
    let r = start(&starts, "reindex.service", 0);
    assert_eq!(r.cause, Cause::Manual, "{}", r.explanation);
    assert!(r.link.is_none());
    assert!(r.confidence <= 0.4, "time-only links are doubtful");
    assert!(
        r.explanation.contains("tick.service"),
        "the other candidate is named: {}",
        r.explanation
    );

    // The request by hand first: the timer's service opens a block of its own
    // right after it and is not pulled in by it; the worker is the timer's.
    let mut log = Log::debian_boot();
    log.started(110_661, "tick.timer", 1151);
    log.started(112_700, "reindex.service", 1209);
    log.starting(112_733, "tick.service", 1267);
    log.started(112_760, "worker.service", 1325);
    log.started(118_000, "later.service", 1326);
    let starts = log.classify();
    assert_eq!(start(&starts, "reindex.service", 0).cause, Cause::Manual);
    let t = start(&starts, "tick.service", 0);
    assert_eq!(
        (t.cause, t.trigger.as_deref()),
        (Cause::Timer, Some("tick.timer")),
        "{}",
        t.explanation
    );
    let w = start(&starts, "worker.service", 1);
    assert_eq!(
        (w.cause, w.trigger.as_deref()),
        (Cause::Dependency, Some("tick.service")),
        "{}",
        w.explanation
    );
}
