//! The rules on a boot rebuilt from Debian 12 (systemd 252) lines: the
//! message ids, job ids and times are those of the recorded fixture, trimmed
//! to the units that matter. Each test changes one thing and checks that the
//! answer changes with it, so a rule that only looks right cannot pass.

use super::*;
use crate::events::{Event, ids};
use crate::journal::{Entry, Id128};
use crate::lifecycle::build;
use crate::testkit::TestBoot;

mod loaded;
mod lost_lines;

const BOOT: Id128 = Id128([4; 16]);

#[derive(Default)]
struct Log {
    events: Vec<Event>,
    next_inv: u8,
}

impl Log {
    fn entry(ms: u64, fields: &[(&str, &str)]) -> Entry {
        TestBoot {
            id: BOOT,
            epoch_usec: 1_795_244_000_000_000,
        }
        .entry(ms * 1000, fields)
    }

    fn raw(&mut self, ms: u64, fields: &[(&str, &str)]) {
        if let Some(e) = Event::from_entry(&Log::entry(ms, fields)) {
            self.events.push(e);
        }
    }

    fn pid1(&mut self, ms: u64, unit: &str, inv: &str, fields: &[(&str, &str)]) {
        let mut all = vec![
            ("_PID", "1"),
            ("_TRANSPORT", "journal"),
            ("PRIORITY", "6"),
            ("UNIT", unit),
            ("INVOCATION_ID", inv),
        ];
        all.extend_from_slice(fields);
        self.raw(ms, &all);
    }

    fn inv(&mut self) -> String {
        self.next_inv += 1;
        format!("{:032x}", self.next_inv)
    }

    /// A start job's line: "Starting" or "Started", with a new invocation.
    fn started(&mut self, ms: u64, unit: &str, job: u32) -> String {
        let inv = self.inv();
        self.started_as(ms, unit, job, &inv);
        inv
    }

    fn started_as(&mut self, ms: u64, unit: &str, job: u32, inv: &str) {
        let job = job.to_string();
        let text = format!("Started {unit} - Something.");
        self.pid1(
            ms,
            unit,
            inv,
            &[
                ("MESSAGE_ID", ids::UNIT_STARTED),
                ("JOB_ID", &job),
                ("JOB_TYPE", "start"),
                ("MESSAGE", &text),
            ],
        );
    }

    fn starting(&mut self, ms: u64, unit: &str, job: u32) -> String {
        let inv = self.inv();
        let job = job.to_string();
        let text = format!("Starting {unit} - Something...");
        self.pid1(
            ms,
            unit,
            &inv,
            &[
                ("MESSAGE_ID", ids::UNIT_STARTING),
                ("JOB_ID", &job),
                ("JOB_TYPE", "start"),
                ("MESSAGE", &text),
            ],
        );
        inv
    }

    fn exit(&mut self, ms: u64, unit: &str, inv: &str, status: &str) {
        let text = format!("{unit}: Main process exited, code=exited, status={status}");
        self.pid1(
            ms,
            unit,
            inv,
            &[
                ("MESSAGE_ID", ids::UNIT_PROCESS_EXIT),
                ("EXIT_CODE", "exited"),
                ("EXIT_STATUS", status),
                ("MESSAGE", &text),
            ],
        );
        if status == "0" {
            self.pid1(
                ms + 2,
                unit,
                inv,
                &[
                    ("MESSAGE_ID", ids::UNIT_SUCCESS),
                    ("MESSAGE", &format!("{unit}: Deactivated successfully.")),
                ],
            );
        } else {
            self.pid1(
                ms + 2,
                unit,
                inv,
                &[
                    ("MESSAGE_ID", ids::UNIT_FAILURE_RESULT),
                    ("UNIT_RESULT", "exit-code"),
                    (
                        "MESSAGE",
                        &format!("{unit}: Failed with result 'exit-code'."),
                    ),
                ],
            );
        }
    }

    /// RESTART_SCHEDULED, then (v252) the restart job's "Stopped", then the new run.
    fn auto_restart(
        &mut self,
        ms: u64,
        unit: &str,
        old: &str,
        job: u32,
        log_scheduled: bool,
    ) -> String {
        self.auto_restart_dispatched(ms, unit, old, job, log_scheduled, 120)
    }

    /// As [`Log::auto_restart`], the new run's line `dispatch_ms` after the
    /// restart was scheduled (longer on a loaded machine).
    fn auto_restart_dispatched(
        &mut self,
        ms: u64,
        unit: &str,
        old: &str,
        job: u32,
        log_scheduled: bool,
        dispatch_ms: u64,
    ) -> String {
        if log_scheduled {
            self.pid1(
                ms,
                unit,
                old,
                &[
                    ("MESSAGE_ID", ids::UNIT_RESTART_SCHEDULED),
                    ("N_RESTARTS", "1"),
                    (
                        "MESSAGE",
                        &format!("{unit}: Scheduled restart job, restart counter is at 1."),
                    ),
                ],
            );
        }
        let j = job.to_string();
        self.pid1(
            ms + 20,
            unit,
            old,
            &[
                ("MESSAGE_ID", ids::UNIT_STOPPED),
                ("JOB_ID", &j),
                ("JOB_TYPE", "restart"),
                ("MESSAGE", &format!("Stopped {unit}.")),
            ],
        );
        self.started(ms + dispatch_ms, unit, job)
    }

    fn text(&mut self, ms: u64, unit: &str, inv: &str, message: &str) {
        self.pid1(ms, unit, inv, &[("MESSAGE", message)]);
    }

    /// A Debian-12-like boot: graphical.target's transaction (jobs 1–98),
    /// echo.socket listening, backend crash-looping, startup finished at 26 s.
    fn debian_boot() -> Log {
        let mut log = Log::default();
        log.raw(
            14_185,
            &[
                ("_TRANSPORT", "kernel"),
                ("SYSLOG_PID", "1"),
                (
                    "MESSAGE",
                    "Queued start job for default target graphical.target.",
                ),
            ],
        );
        log.raw(
            14_206,
            &[
                ("_TRANSPORT", "kernel"),
                ("SYSLOG_PID", "1"),
                (
                    "MESSAGE",
                    "Starting kmod-static-nodes.service - Create List of Static Device Nodes...",
                ),
            ],
        );
        log.started(15_665, "echo.socket", 65);
        log.started(15_864, "keeper.service", 88);
        log.started(16_401, "worker.service", 97);
        log.started(25_722, "graphical.target", 1);
        log.raw(
            26_031,
            &[
                ("_PID", "1"),
                ("MESSAGE_ID", ids::STARTUP_FINISHED),
                (
                    "MESSAGE",
                    "Startup finished in 9.932s (kernel) + 16.084s (userspace) = 26.017s.",
                ),
            ],
        );
        log
    }

    fn classify(self) -> Vec<Start> {
        classify(&build(BOOT, self.events))
    }
}

fn start<'a>(starts: &'a [Start], unit: &str, nth: usize) -> &'a Start {
    starts
        .iter()
        .filter(|s| s.unit == unit)
        .nth(nth)
        .unwrap_or_else(|| panic!("no start #{nth} of {unit}: {starts:#?}"))
}

#[test]
fn the_default_targets_transaction_is_boot_and_a_later_own_transaction_is_manual() {
    let mut log = Log::debian_boot();
    log.started(34_560, "db.service", 334);
    let starts = log.classify();
    for unit in [
        "echo.socket",
        "keeper.service",
        "worker.service",
        "graphical.target",
    ] {
        let s = start(&starts, unit, 0);
        assert_eq!(s.cause, Cause::Boot, "{unit}: {}", s.explanation);
        assert!(s.confidence >= 0.9);
    }
    let kmod = start(&starts, "kmod-static-nodes.service", 0);
    assert_eq!(kmod.cause, Cause::Boot, "kernel-log start during boot");
    assert!(kmod.job_id.is_none() && kmod.confidence < 0.9);
    let db = start(&starts, "db.service", 0);
    assert_eq!(db.cause, Cause::Manual);
    assert!(db.confidence <= 0.5, "no caller is logged at info level");
    assert!(db.explanation.contains("look alike"));
    assert!(!db.evidence.is_empty() && db.evidence[0].message.starts_with("Started db.service"));
}

/// debian12-loops, boot 1 (debug, `log_buf_len=4k`): journald, flooded,
/// read PID 1's "Started" line of a boot unit 24 s after PID 1 sent it, past
/// startup finished. Placed where it was sent, its job id lies in the boot
/// transaction's block: `boot`, not a request of its own.
#[test]
fn a_boot_units_line_that_journald_read_late_is_still_boot() {
    let sent = (1_795_244_000_000_000u64 + 16_500_000).to_string();
    let boot_with = |source: Option<&str>| {
        let mut log = Log::debian_boot();
        let mut fields = vec![
            ("MESSAGE_ID", ids::UNIT_STARTED),
            ("JOB_ID", "73"),
            ("JOB_TYPE", "start"),
            ("MESSAGE", "Started clearing-api.service - Backend."),
        ];
        if let Some(s) = source {
            fields.push(("_SOURCE_REALTIME_TIMESTAMP", s));
        }
        let inv = log.inv();
        log.pid1(40_500, "clearing-api.service", &inv, &fields);
        log.classify()
    };
    let s = boot_with(Some(&sent));
    let api = start(&s, "clearing-api.service", 0);
    assert_eq!(api.cause, Cause::Boot, "{}", api.explanation);
    let s = boot_with(None);
    let api = start(&s, "clearing-api.service", 0);
    assert_ne!(
        api.cause,
        Cause::Boot,
        "read late, timed late: {}",
        api.explanation
    );
}

#[test]
fn an_own_transaction_before_startup_finished_is_unknown_not_manual() {
    let mut log = Log::debian_boot();
    // Its id is past the boot transaction (a unit there already, keeper, has a
    // second job) but it was logged before startup finished.
    log.started(20_000, "keeper.service", 99);
    log.started(24_000, "geoclue.service", 160);
    let starts = log.classify();
    assert_eq!(start(&starts, "geoclue.service", 0).cause, Cause::Unknown);
}

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

#[test]
fn sudo_names_a_start_by_hand() {
    let mut log = Log::debian_boot();
    log.raw(
        114_400,
        &[
            ("SYSLOG_IDENTIFIER", "sudo"),
            ("_UID", "1000"),
            (
                "MESSAGE",
                "  jfuser : PWD=/ ; USER=root ; COMMAND=/usr/bin/systemctl start adhoc.service",
            ),
        ],
    );
    log.started(114_520, "adhoc.service", 1268);
    log.started(130_000, "other.service", 1500);
    let starts = log.classify();
    let s = start(&starts, "adhoc.service", 0);
    assert_eq!(s.cause, Cause::Manual);
    assert!(s.confidence > 0.9 && s.explanation.contains("systemctl start adhoc.service"));
    assert!(start(&starts, "other.service", 0).confidence <= 0.5);
}

#[test]
fn transient_units_are_known_by_their_names_and_descriptions() {
    let mut log = Log::debian_boot();
    log.started(50_000, "run-u12.service", 700);
    log.started(52_000, "session-3.scope", 760);
    let inv = log.inv();
    log.pid1(
        54_000,
        "export.service",
        &inv,
        &[
            ("MESSAGE_ID", ids::UNIT_STARTED),
            ("JOB_ID", "800"),
            ("JOB_TYPE", "start"),
            (
                "MESSAGE",
                "Started export.service - /usr/bin/python3 /opt/export.py.",
            ),
        ],
    );
    log.started(56_000, "nightly.service", 860);
    let starts = log.classify();
    for unit in ["run-u12.service", "session-3.scope", "export.service"] {
        assert_eq!(start(&starts, unit, 0).cause, Cause::Transient, "{unit}");
    }
    assert_eq!(start(&starts, "nightly.service", 0).cause, Cause::Manual);
}

#[test]
fn sudo_systemd_run_names_a_transient_unit_that_looks_like_a_start_by_hand() {
    let mut log = Log::debian_boot();
    log.raw(
        114_400,
        &[
            ("SYSLOG_IDENTIFIER", "sudo"),
            ("_UID", "1000"),
            (
                "MESSAGE",
                "  jfuser : PWD=/ ; USER=root ; COMMAND=/usr/bin/systemd-run --unit=nightly-export --description=Nightly export /opt/export.sh",
            ),
        ],
    );
    log.started(114_520, "nightly-export.service", 1268);
    log.started(130_000, "other.service", 1500);
    let starts = log.classify();
    let s = start(&starts, "nightly-export.service", 0);
    assert_eq!(s.cause, Cause::Transient, "{}", s.explanation);
    assert!(s.confidence > 0.9 && s.explanation.contains("systemd-run --unit=nightly-export"));
    assert_eq!(start(&starts, "other.service", 0).cause, Cause::Manual);
}

#[test]
fn causes_serialize_as_their_words() {
    for c in Cause::ALL {
        assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        assert_eq!(Cause::parse(c.as_str()), Some(c));
    }
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
