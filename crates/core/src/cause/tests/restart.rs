//! Restarts: by systemd after a failure or a clean exit, and by request.

use super::*;

#[test]
fn restarts_after_a_failure_and_after_a_clean_exit_differ() {
    let mut log = Log::debian_boot();
    let b1 = log.started(15_751, "backend.service", 90);
    log.exit(20_529, "backend.service", &b1, "1");
    let b2 = log.auto_restart(22_630, "backend.service", &b1, 102, true);
    let l1 = log.started(96_488, "looper.service", 798);
    log.exit(98_631, "looper.service", &l1, "0");
    log.auto_restart(99_671, "looper.service", &l1, 856, true);
    let _ = b2;
    let starts = log.classify();
    assert_eq!(start(&starts, "backend.service", 0).cause, Cause::Boot);
    let again = start(&starts, "backend.service", 1);
    assert_eq!(again.cause, Cause::FailureRestart, "{}", again.explanation);
    assert_eq!(again.trigger, None);
    assert!(
        again
            .evidence
            .iter()
            .any(|e| e.message.contains("Scheduled restart job"))
    );
    assert_eq!(start(&starts, "looper.service", 0).cause, Cause::Manual);
    assert_eq!(
        start(&starts, "looper.service", 1).cause,
        Cause::PolicyRestart
    );
}

#[test]
fn a_restart_job_without_its_scheduled_line_is_still_an_automatic_restart() {
    let mut log = Log::debian_boot();
    let b1 = log.started(40_000, "flappy.service", 450);
    log.exit(40_900, "flappy.service", &b1, "1");
    log.auto_restart(41_500, "flappy.service", &b1, 508, false);
    let starts = log.classify();
    let s = start(&starts, "flappy.service", 1);
    assert_eq!(s.cause, Cause::FailureRestart);
    assert!(s.confidence < 0.9, "one line fewer, less sure");
}

#[test]
fn a_restart_job_that_stops_a_running_unit_is_an_admin_restart() {
    let mut log = Log::debian_boot();
    // keeper (job 88, first invocation) is running; `systemctl restart keeper`.
    let k1 = format!("{:032x}", 2);
    log.pid1(
        76_394,
        "keeper.service",
        &k1,
        &[
            ("MESSAGE_ID", ids::UNIT_STOPPING),
            ("JOB_ID", "928"),
            ("JOB_TYPE", "stop"),
            ("MESSAGE", "Stopping keeper.service..."),
        ],
    );
    log.pid1(
        76_405,
        "keeper.service",
        &k1,
        &[
            ("MESSAGE_ID", ids::UNIT_SUCCESS),
            ("MESSAGE", "keeper.service: Deactivated successfully."),
        ],
    );
    log.pid1(
        76_408,
        "keeper.service",
        &k1,
        &[
            ("MESSAGE_ID", ids::UNIT_STOPPED),
            ("JOB_ID", "928"),
            ("JOB_TYPE", "restart"),
            ("MESSAGE", "Stopped keeper.service."),
        ],
    );
    log.started(76_460, "keeper.service", 928);
    let starts = log.classify();
    let s = start(&starts, "keeper.service", 1);
    assert_eq!(s.cause, Cause::AdminRestart, "{}", s.explanation);
    // The same stop and start without the restart job's id in common is a
    // stop followed by a separate start: not a restart.
    let mut log = Log::debian_boot();
    log.pid1(
        76_394,
        "keeper.service",
        &k1,
        &[
            ("MESSAGE_ID", ids::UNIT_STOPPING),
            ("JOB_ID", "928"),
            ("JOB_TYPE", "stop"),
            ("MESSAGE", "Stopping keeper.service..."),
        ],
    );
    log.pid1(
        76_408,
        "keeper.service",
        &k1,
        &[
            ("MESSAGE_ID", ids::UNIT_STOPPED),
            ("JOB_ID", "928"),
            ("JOB_TYPE", "stop"),
            ("MESSAGE", "Stopped keeper.service."),
        ],
    );
    log.started(86_460, "keeper.service", 929);
    assert_eq!(
        start(&log.classify(), "keeper.service", 1).cause,
        Cause::Manual
    );
}
