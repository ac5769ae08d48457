//! A debug boot whose journald was flooded: debian13-loops, boot 2
//! (`274c81d7…`, systemd 257, `systemd.log_level=debug log_buf_len=4k`).
//! PID 1's lines from before journald ran came through the kernel log
//! (`_TRANSPORT=kernel`, text only), the default target's "Queued start
//! job" line was lost, and so were a crash-looping run's exit lines. The
//! lines are that boot's, at the times PID 1 sent them (ms of uptime), with
//! their job ids, trimmed to the units that matter.

use super::*;

/// A line of PID 1 that reached the journal through the kernel log.
fn kmsg(log: &mut Log, ms: u64, priority: &str, message: &str) {
    log.raw(
        ms,
        &[
            ("_TRANSPORT", "kernel"),
            ("SYSLOG_PID", "1"),
            ("SYSLOG_IDENTIFIER", "systemd"),
            ("PRIORITY", priority),
            ("MESSAGE", message),
        ],
    );
}

fn startup_finished(log: &mut Log) {
    log.raw(
        40_595,
        &[
            ("_PID", "1"),
            ("MESSAGE_ID", ids::STARTUP_FINISHED),
            (
                "MESSAGE",
                "Startup finished in 8.818s (kernel) + 31.749s (userspace) = 40.567s.",
            ),
        ],
    );
}

/// journald's socket saw traffic (its own first messages) while the boot
/// transaction's job 45 for journald was starting. With `ids_before`, the
/// two "Job N … finished" lines that PID 1 logged before the traffic line
/// (ids 51 and 96) are in the log.
fn journald_boot(ids_before: bool) -> Vec<Start> {
    let mut log = Log::default();
    if ids_before {
        kmsg(
            &mut log,
            13_902,
            "7",
            "sys-kernel-debug.mount: Job 51 sys-kernel-debug.mount/start finished, result=done",
        );
        kmsg(
            &mut log,
            14_362,
            "7",
            "modprobe@drm.service: Job 96 modprobe@drm.service/start finished, result=done",
        );
    }
    kmsg(
        &mut log,
        14_541,
        "7",
        "systemd-journald.socket: Incoming traffic",
    );
    kmsg(
        &mut log,
        15_563,
        "7",
        "systemd-journald.service: Job 45 systemd-journald.service/start finished, result=done",
    );
    kmsg(
        &mut log,
        15_563,
        "6",
        "Started systemd-journald.service - Journal Service.",
    );
    log.started(16_242, "systemd-udev-trigger.service", 12);
    log.started(20_471, "dbus.socket", 74);
    log.started(20_543, "license-srv.socket", 76);
    log.started(23_259, "stream-auth.service", 101);
    log.started(40_357, "multi-user.target", 2);
    log.started(40_367, "graphical.target", 1);
    startup_finished(&mut log);
    log.classify()
}

#[test]
fn a_boot_job_whose_socket_saw_traffic_while_it_started_is_still_boot() {
    let starts = journald_boot(true);
    for unit in [
        "systemd-journald.service",
        "dbus.socket",
        "license-srv.socket",
        "stream-auth.service",
    ] {
        let s = start(&starts, unit, 0);
        assert_eq!(s.cause, Cause::Boot, "{unit}: {}", s.explanation);
    }
    // Without the higher ids logged before the traffic line, nothing shows
    // that job 45 already existed: the traffic is taken for its cause, and
    // the boot range inferred from the lowest id ends there.
    let starts = journald_boot(false);
    let journald = start(&starts, "systemd-journald.service", 0);
    assert_eq!(journald.cause, Cause::Socket, "{}", journald.explanation);
    let api = start(&starts, "stream-auth.service", 0);
    assert_ne!(api.cause, Cause::Boot, "{}", api.explanation);
}

/// stream-auth.service's second run (job 112): its exit lines were lost,
/// its state changes came through the kernel log, then the restart (job
/// 176). `state` is where the run went on its way to "auto-restart".
fn restart_after(state: &str) -> Start {
    let mut log = Log::default();
    startup_finished(&mut log);
    let unit = "stream-auth.service";
    let run = log.started(37_189, unit, 112);
    kmsg(
        &mut log,
        41_178,
        "7",
        &format!("{unit}: Changed running -> {state}"),
    );
    kmsg(
        &mut log,
        41_355,
        "7",
        &format!("{unit}: Changed {state} -> auto-restart"),
    );
    log.pid1(
        43_158,
        unit,
        &run,
        &[
            ("MESSAGE_ID", ids::UNIT_RESTART_SCHEDULED),
            ("N_RESTARTS", "2"),
            (
                "MESSAGE",
                &format!("{unit}: Scheduled restart job, restart counter is at 2."),
            ),
        ],
    );
    log.started(43_409, unit, 176);
    start(&log.classify(), unit, 1).clone()
}

#[test]
fn a_restart_after_failed_before_auto_restart_follows_a_failure() {
    let s = restart_after("failed-before-auto-restart");
    assert_eq!(s.cause, Cause::FailureRestart, "{}", s.explanation);
    // Known, not the likelier guess made when nothing tells how it ended.
    assert!(
        s.explanation.contains("previous run failed"),
        "{}",
        s.explanation
    );
    let s = restart_after("dead-before-auto-restart");
    assert_eq!(s.cause, Cause::PolicyRestart, "{}", s.explanation);
}
