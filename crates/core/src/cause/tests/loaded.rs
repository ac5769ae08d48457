//! Item 5 of issue #25 on the real lines of a loaded boot: debian12-loops,
//! boot 3 (`de39e842…`, `jf.load`: a generator burned both vCPUs), PID 1's
//! lines of `settle.timer`, `settle.service` (its oneshot, which `Wants=`
//! `fraud-scorer.service`), `fraud-scorer.service` and the crash loop of
//! `clearing-api.service` (restarts 13 to 19), at the times PID 1 sent them
//! (`_SOURCE_REALTIME_TIMESTAMP`, as uptime to the millisecond) and with their
//! job ids. No recording has the pulled unit logged more than half a second
//! from its puller (there it was 0.35 s before it), so the one line the
//! tests move is `fraud-scorer.service`'s "Started": the ids still prove the
//! pull (1265, the restart job right after 1264, leaves no room for a
//! transaction of its own), only the dispatch gap grows.

use super::*;

/// One restart of the crash loop: the old run's exit, "Scheduled restart
/// job", the restart job's "Stopped", the new run's "Started" (ms), its job.
struct Restart {
    counter: u32,
    exit: u64,
    scheduled: u64,
    stopped: u64,
    started: u64,
    job: u32,
}

const fn restart(
    counter: u32,
    exit: u64,
    scheduled: u64,
    stopped: u64,
    started: u64,
    job: u32,
) -> Restart {
    Restart {
        counter,
        exit,
        scheduled,
        stopped,
        started,
        job,
    }
}

/// Restart 13 waited 1.12 s between its install and its start line, 14
/// 0.53 s; 15 to 19 at most 0.59 s (17).
const RESTARTS: [Restart; 7] = [
    restart(13, 245_432, 248_037, 248_810, 249_157, 799),
    restart(14, 252_603, 255_268, 255_384, 255_798, 857),
    restart(15, 258_628, 261_275, 261_349, 261_641, 915),
    restart(16, 266_713, 269_498, 269_526, 269_765, 973),
    restart(17, 272_448, 275_021, 275_165, 275_608, 1031),
    restart(18, 278_180, 280_754, 280_777, 280_883, 1148),
    restart(19, 282_742, 285_530, 285_586, 285_819, 1265),
];

const LOOPER: &str = "clearing-api.service";
const PULLED: &str = "fraud-scorer.service";
const PULLED_STARTED_MS: u64 = 282_325;
const PULLER_STARTING_MS: u64 = 282_675;

/// The boot with `PULLED`'s start line `before_ms` before its puller's
/// first line, and the crash loop from restart `first` on (the log of an
/// earlier restart left out whole but for the start line of its new run,
/// as where a journal was vacuumed).
fn loaded_boot(before_ms: u64, first: u32) -> Vec<Start> {
    let mut log = Log::default();
    log.raw(
        53_890,
        &[
            ("_TRANSPORT", "kernel"),
            ("SYSLOG_PID", "1"),
            (
                "MESSAGE",
                "Queued start job for default target graphical.target.",
            ),
        ],
    );
    let pulled_at_boot = log.started(65_695, PULLED, 75);
    log.started(228_940, "multi-user.target", 2);
    log.started(229_086, "graphical.target", 1);
    log.raw(
        230_762,
        &[
            ("_PID", "1"),
            ("MESSAGE_ID", ids::STARTUP_FINISHED),
            (
                "MESSAGE",
                "Startup finished in 37.739s (kernel) + 3min 13.022s (userspace) = 3min 50.762s.",
            ),
        ],
    );
    // The run that restart 13 replaced, and each restart after it.
    let mut run = log.started(243_289, LOOPER, 741);
    for r in RESTARTS.iter() {
        if r.counter < first {
            run = log.started(r.started, LOOPER, r.job);
            continue;
        }
        log.exit(r.exit, LOOPER, &run, "1");
        let counter = r.counter.to_string();
        let text = format!("{LOOPER}: Scheduled restart job, restart counter is at {counter}.");
        log.pid1(
            r.scheduled,
            LOOPER,
            &run,
            &[
                ("MESSAGE_ID", ids::UNIT_RESTART_SCHEDULED),
                ("N_RESTARTS", &counter),
                ("MESSAGE", &text),
            ],
        );
        let job = r.job.to_string();
        let text = format!("Stopped {LOOPER} - Backend that needs txn-store.service.");
        log.pid1(
            r.stopped,
            LOOPER,
            &run,
            &[
                ("MESSAGE_ID", ids::UNIT_STOPPED),
                ("JOB_ID", &job),
                ("JOB_TYPE", "restart"),
                ("MESSAGE", &text),
            ],
        );
        run = log.started(r.started, LOOPER, r.job);
        if r.counter == 17 {
            // Between restarts 17 and 18: the periodic job's worker is
            // stopped by hand (job 1089), then its timer is started (1090).
            for (ms, id, kind) in [
                (277_088, ids::UNIT_STOPPING, "Stopping"),
                (277_210, ids::UNIT_STOPPED, "Stopped"),
            ] {
                let text = format!("{kind} {PULLED} - Long-running worker the periodic job needs.");
                log.pid1(
                    ms,
                    PULLED,
                    &pulled_at_boot,
                    &[
                        ("MESSAGE_ID", id),
                        ("JOB_ID", "1089"),
                        ("JOB_TYPE", "stop"),
                        ("MESSAGE", &text),
                    ],
                );
            }
            log.started(278_833, "settle.timer", 1090);
        }
        if r.counter == 18 {
            log.started(PULLER_STARTING_MS - before_ms, PULLED, 1264);
            let settle = log.starting(PULLER_STARTING_MS, "settle.service", 1206);
            log.started_as(284_488, "settle.service", 1206, &settle);
        }
    }
    log.classify()
}

fn pulled(starts: &[Start]) -> &Start {
    start(starts, PULLED, 1)
}

#[test]
fn the_recorded_pull_on_the_loaded_boot_is_a_dependency() {
    let starts = loaded_boot(PULLER_STARTING_MS - PULLED_STARTED_MS, 13);
    let settle = start(&starts, "settle.service", 0);
    assert_eq!(settle.cause, Cause::Timer, "{}", settle.explanation);
    let w = pulled(&starts);
    assert_eq!(
        (w.cause, w.trigger.as_deref()),
        (Cause::Dependency, Some("settle.service")),
        "{}",
        w.explanation
    );
    assert_eq!(
        w.link.as_ref().map(|l| (l.anchor_job, l.next_job)),
        Some((Some(1206), Some(1265)))
    );
}

/// Moved to 1.2 s before its puller: past the fixed half second, and past
/// what restarts 15 to 19 show (0.59 s × 1.5 = 0.88 s), but within what
/// restart 13 shows (1.12 s × 1.5 = 1.68 s). Only the boot's own spread
/// admits it, so a fixed bound fails this test.
#[test]
fn a_pull_dispatched_as_late_as_this_boots_slowest_restart_is_still_a_dependency() {
    let w = pulled(&loaded_boot(1_200, 13)).clone();
    assert_eq!(
        (w.cause, w.trigger.as_deref()),
        (Cause::Dependency, Some("settle.service")),
        "{}",
        w.explanation
    );
    // Without restarts 13 and 14 in the log, the slowest restart left is
    // 17's: 1.2 s is wider than this boot is seen to be slow.
    let w = pulled(&loaded_boot(1_200, 15)).clone();
    assert_ne!(w.cause, Cause::Dependency, "{}", w.explanation);
    // Past 1.68 s even restart 13 does not cover it.
    let w = pulled(&loaded_boot(1_800, 13)).clone();
    assert_ne!(w.cause, Cause::Dependency, "{}", w.explanation);
}
