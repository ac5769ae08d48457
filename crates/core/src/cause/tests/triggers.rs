//! Starts another unit caused: OnFailure= handlers, sockets, timers and
//! what debug level logs about them.

use super::*;

#[test]
fn the_first_job_after_an_onfailure_trigger_is_the_handler() {
    let mut log = Log::debian_boot();
    let f = log.started(74_064, "fragile.service", 812);
    log.exit(75_501, "fragile.service", &f, "1");
    log.text(
        75_509,
        "fragile.service",
        &f,
        "fragile.service: Triggering OnFailure= dependencies.",
    );
    log.starting(75_560, "fragile-alert.service", 870);
    let starts = log.classify();
    let h = start(&starts, "fragile-alert.service", 0);
    assert_eq!(h.cause, Cause::OnFailure, "{}", h.explanation);
    assert_eq!(h.trigger.as_deref(), Some("fragile.service"));
    assert_eq!(h.trigger_cause, Some(Cause::Manual));
    // When enqueuing the handler failed, the next start is not its handler.
    let mut log = Log::debian_boot();
    let f = log.started(74_064, "gdm.service", 812);
    log.exit(75_501, "gdm.service", &f, "1");
    log.text(
        75_509,
        "gdm.service",
        &f,
        "gdm.service: Triggering OnFailure= dependencies.",
    );
    log.text(75_510, "gdm.service", &f, "gdm.service: Failed to enqueue OnFailure= job, ignoring: Transaction for plymouth-quit.service/start is destructive");
    log.starting(75_560, "plymouth-reboot.service", 870);
    assert_ne!(
        start(&log.classify(), "plymouth-reboot.service", 0).cause,
        Cause::OnFailure
    );
}

#[test]
fn a_socket_listening_explains_its_service_with_the_caveat_of_info_level() {
    let mut log = Log::debian_boot();
    log.started(106_901, "echo.service", 1031);
    log.started(106_950, "other.service", 1090);
    let starts = log.classify();
    let s = start(&starts, "echo.service", 0);
    assert_eq!(s.cause, Cause::Socket);
    assert_eq!(s.trigger.as_deref(), Some("echo.socket"));
    assert_eq!(s.trigger_cause, Some(Cause::Boot));
    assert!(s.confidence < 0.8 && s.explanation.contains("by hand"));
    // After the socket was closed, it no longer explains a start.
    let mut log = Log::debian_boot();
    log.pid1(
        100_000,
        "echo.socket",
        &format!("{:032x}", 1),
        &[
            ("MESSAGE_ID", ids::UNIT_STOPPED),
            ("JOB_ID", "1000"),
            ("JOB_TYPE", "stop"),
            ("MESSAGE", "Closed echo.socket."),
        ],
    );
    log.started(106_901, "echo.service", 1031);
    assert_eq!(
        start(&log.classify(), "echo.service", 0).cause,
        Cause::Manual
    );
}

#[test]
fn an_accept_yes_socket_names_its_connection_instances() {
    let mut log = Log::debian_boot();
    let inv = log.inv();
    log.started_as(15_600, "systemd-coredump.socket", 60, &inv);
    log.started(58_434, "systemd-coredump@0-449-0.service", 624);
    log.started(59_000, "systemd-coredump@backup.service", 690);
    let starts = log.classify();
    let s = start(&starts, "systemd-coredump@0-449-0.service", 0);
    assert_eq!(
        (s.cause, s.trigger.as_deref()),
        (Cause::Socket, Some("systemd-coredump.socket"))
    );
    assert!(s.confidence >= 0.9, "{}", s.explanation);
    // A named instance of the same template could be a start by hand.
    let other = start(&starts, "systemd-coredump@backup.service", 0);
    assert_eq!(other.cause, Cause::Socket);
    assert!(other.confidence < 0.8);
}

#[test]
fn debug_lines_make_triggers_and_membership_exact() {
    let mut log = Log::debian_boot();
    let debug = |log: &mut Log, ms: u64, unit: &str, message: &str| {
        log.raw(
            ms,
            &[
                ("_PID", "1"),
                ("PRIORITY", "7"),
                ("UNIT", unit),
                ("MESSAGE", message),
            ],
        );
    };
    debug(
        &mut log,
        66_672,
        "echo.socket",
        "echo.socket: Incoming traffic",
    );
    // The traffic creates the job then: its id is above the 742 handed out
    // at 64.8 s (ids only grow).
    log.started(66_808, "echo.service", 800);
    debug(&mut log, 64_761, "tick.timer", "tick.timer: Timer elapsed.");
    debug(
        &mut log,
        64_766,
        "tick.service",
        "tick.service: Trying to enqueue job tick.service/start/replace",
    );
    debug(
        &mut log,
        64_787,
        "tick.service",
        "tick.service: Installed new job tick.service/start as 684",
    );
    debug(
        &mut log,
        64_791,
        "worker.service",
        "worker.service: Installed new job worker.service/start as 742",
    );
    debug(
        &mut log,
        64_792,
        "tick.service",
        "tick.service: Enqueued job tick.service/start as 684",
    );
    log.starting(64_861, "tick.service", 684);
    // Logged well after tick.service: only the debug lines tie them.
    log.started(66_000, "worker.service", 742);
    log.raw(62_862, &[("_PID", "1"), ("PRIORITY", "7"), ("MESSAGE", "Got message type=method_call sender=n/a destination=org.freedesktop.systemd1 path=/org/freedesktop/systemd1 interface=org.freedesktop.systemd1.Manager member=StartUnit cookie=1 reply_cookie=0 signature=ss error-name=n/a error-message=n/a")]);
    debug(
        &mut log,
        62_870,
        "db.service",
        "db.service: Trying to enqueue job db.service/start/replace",
    );
    log.started(63_077, "db.service", 566);
    let starts = log.classify();
    let e = start(&starts, "echo.service", 0);
    assert_eq!((e.cause, e.confidence), (Cause::Socket, 0.95));
    assert_eq!(start(&starts, "tick.service", 0).cause, Cause::Timer);
    let w = start(&starts, "worker.service", 1);
    assert_eq!(
        (w.cause, w.trigger.as_deref()),
        (Cause::Dependency, Some("tick.service"))
    );
    assert!(w.confidence > 0.9);
    let db = start(&starts, "db.service", 0);
    assert_eq!(db.cause, Cause::Manual);
    assert!(db.confidence > 0.8 && db.explanation.contains("StartUnit"));
}
