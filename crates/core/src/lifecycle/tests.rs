//! Assembly on sequences copied from real journals (Debian 12's systemd 252
//! and the Fedora 251 sample), field for field where it matters.

use super::*;
use crate::events::{Event, ids};
use crate::journal::Id128;
use crate::testkit::TestBoot;

const BOOT: Id128 = Id128([9; 16]);

/// One PID-1 line at `ms` milliseconds of uptime.
const LOG: TestBoot = TestBoot {
    id: BOOT,
    epoch_usec: 1_700_000_000_000_000,
};

fn pid1(ms: u64, fields: &[(&str, &str)]) -> Event {
    Event::from_entry(&LOG.pid1(ms * 1000, fields))
        .unwrap_or_else(|| panic!("not an event: {fields:?}"))
}

fn kernel(ms: u64, message: &str) -> Event {
    let e = LOG.entry(
        ms * 1000,
        &[
            ("_TRANSPORT", "kernel"),
            ("SYSLOG_PID", "1"),
            ("MESSAGE", message),
        ],
    );
    Event::from_entry(&e).unwrap()
}

const INV_A: &str = "a2b4f8e06a894ff3a9713b3a30a86af8";
const INV_B: &str = "06960cde984f411086a94721df582173";

#[test]
fn a_v252_restart_job_ends_one_run_and_starts_the_next_with_its_id() {
    let u = ("UNIT", "backend.service");
    let events = vec![
        pid1(
            15_751,
            &[
                u,
                ("MESSAGE_ID", ids::UNIT_STARTED),
                ("JOB_ID", "90"),
                ("JOB_TYPE", "start"),
                ("INVOCATION_ID", INV_A),
                ("MESSAGE", "Started backend.service - Backend."),
            ],
        ),
        pid1(
            20_529,
            &[
                u,
                ("MESSAGE_ID", ids::UNIT_PROCESS_EXIT),
                ("EXIT_CODE", "exited"),
                ("EXIT_STATUS", "1"),
                ("INVOCATION_ID", INV_A),
                (
                    "MESSAGE",
                    "backend.service: Main process exited, code=exited, status=1/FAILURE",
                ),
            ],
        ),
        pid1(
            20_541,
            &[
                u,
                ("MESSAGE_ID", ids::UNIT_FAILURE_RESULT),
                ("UNIT_RESULT", "exit-code"),
                ("INVOCATION_ID", INV_A),
                (
                    "MESSAGE",
                    "backend.service: Failed with result 'exit-code'.",
                ),
            ],
        ),
        pid1(
            20_558,
            &[
                u,
                ("MESSAGE_ID", ids::UNIT_RESOURCES),
                ("CPU_USAGE_NSEC", "1027000000"),
                ("INVOCATION_ID", INV_A),
                ("MESSAGE", "backend.service: Consumed 1.027s CPU time."),
            ],
        ),
        pid1(
            22_630,
            &[
                u,
                ("MESSAGE_ID", ids::UNIT_RESTART_SCHEDULED),
                ("N_RESTARTS", "1"),
                ("INVOCATION_ID", INV_A),
                (
                    "MESSAGE",
                    "backend.service: Scheduled restart job, restart counter is at 1.",
                ),
            ],
        ),
        pid1(
            22_651,
            &[
                u,
                ("MESSAGE_ID", ids::UNIT_STOPPED),
                ("JOB_ID", "102"),
                ("JOB_TYPE", "restart"),
                ("INVOCATION_ID", INV_A),
                ("MESSAGE", "Stopped backend.service - Backend."),
            ],
        ),
        pid1(
            22_777,
            &[
                u,
                ("MESSAGE_ID", ids::UNIT_STARTED),
                ("JOB_ID", "102"),
                ("JOB_TYPE", "start"),
                ("INVOCATION_ID", INV_B),
                ("MESSAGE", "Started backend.service - Backend."),
            ],
        ),
    ];
    let lc = build(BOOT, events);
    assert_eq!(lc.activations.len(), 2);
    let (first, second) = (&lc.activations[0], &lc.activations[1]);
    assert_eq!(first.start_job_id, Some(90));
    assert_eq!(first.end_state, EndState::Failed);
    assert_eq!(first.result.as_deref(), Some("exit-code"));
    assert_eq!(first.exit.as_ref().unwrap().status.as_deref(), Some("1"));
    assert_eq!(first.restart_scheduled.map(|(_, n)| n), Some(Some(1)));
    assert_eq!(
        (first.stop_job_id, first.stop_job_type),
        (Some(102), Some(JobType::Restart))
    );
    assert_eq!(first.resources.cpu_usage_nsec, Some(1_027_000_000));
    // It failed at the exit, not when the restart job said "Stopped".
    assert_eq!(
        first.ended.unwrap().realtime_usec,
        1_700_000_000_000_000 + 20_541_000
    );
    assert_eq!(first.ran_usec(), Some(4_790_000));
    assert_eq!(second.start_job_id, Some(102));
    assert_eq!(second.invocation_id.unwrap().to_string(), INV_B);
    assert!(second.is_running());
    assert_eq!(lc.previous(1), Some(0));
    assert_eq!(lc.next(0), Some(1));
}

#[test]
fn a_oneshot_runs_from_starting_to_deactivation_though_finished_comes_last() {
    let u = ("UNIT", "tick.service");
    let inv = ("INVOCATION_ID", INV_A);
    let events = vec![
        pid1(
            112_733,
            &[
                u,
                inv,
                ("MESSAGE_ID", ids::UNIT_STARTING),
                ("JOB_ID", "1209"),
                ("JOB_TYPE", "start"),
                ("MESSAGE", "Starting tick.service - Periodic oneshot job..."),
            ],
        ),
        pid1(
            113_941,
            &[
                u,
                inv,
                ("MESSAGE_ID", ids::UNIT_SUCCESS),
                ("MESSAGE", "tick.service: Deactivated successfully."),
            ],
        ),
        pid1(
            113_955,
            &[
                u,
                inv,
                ("MESSAGE_ID", ids::UNIT_STARTED),
                ("JOB_ID", "1209"),
                ("JOB_TYPE", "start"),
                ("MESSAGE", "Finished tick.service - Periodic oneshot job."),
            ],
        ),
    ];
    let lc = build(BOOT, events);
    assert_eq!(lc.activations.len(), 1);
    let a = &lc.activations[0];
    assert_eq!(a.end_state, EndState::Succeeded);
    assert_eq!(a.result.as_deref(), Some("success"));
    assert_eq!(a.ran_usec(), Some(1_208_000));
    assert_eq!(a.events.len(), 3);
}

#[test]
fn an_admin_restart_stops_the_run_it_replaces() {
    let u = ("UNIT", "keeper.service");
    let events = vec![
        pid1(
            15_864,
            &[
                u,
                ("INVOCATION_ID", INV_A),
                ("MESSAGE_ID", ids::UNIT_STARTED),
                ("JOB_ID", "88"),
                ("JOB_TYPE", "start"),
                ("MESSAGE", "Started keeper.service."),
            ],
        ),
        pid1(
            76_394,
            &[
                u,
                ("INVOCATION_ID", INV_A),
                ("MESSAGE_ID", ids::UNIT_STOPPING),
                ("JOB_ID", "928"),
                ("JOB_TYPE", "stop"),
                ("MESSAGE", "Stopping keeper.service..."),
            ],
        ),
        pid1(
            76_405,
            &[
                u,
                ("INVOCATION_ID", INV_A),
                ("MESSAGE_ID", ids::UNIT_SUCCESS),
                ("MESSAGE", "keeper.service: Deactivated successfully."),
            ],
        ),
        pid1(
            76_408,
            &[
                u,
                ("INVOCATION_ID", INV_A),
                ("MESSAGE_ID", ids::UNIT_STOPPED),
                ("JOB_ID", "928"),
                ("JOB_TYPE", "restart"),
                ("MESSAGE", "Stopped keeper.service."),
            ],
        ),
        pid1(
            76_460,
            &[
                u,
                ("INVOCATION_ID", INV_B),
                ("MESSAGE_ID", ids::UNIT_STARTED),
                ("JOB_ID", "928"),
                ("JOB_TYPE", "start"),
                ("MESSAGE", "Started keeper.service."),
            ],
        ),
    ];
    let lc = build(BOOT, events);
    let first = &lc.activations[0];
    assert_eq!(first.end_state, EndState::Stopped);
    assert_eq!(
        first.stop_job_type,
        Some(JobType::Restart),
        "the Stopped line's type wins"
    );
    assert!(first.stopping.is_some());
    assert_eq!(lc.activations[1].start_job_id, Some(928));
}

#[test]
fn kernel_log_lines_open_a_run_that_the_first_structured_line_names() {
    let events = vec![
        kernel(
            19_626,
            "Starting systemd-journald.service - Journal Service...",
        ),
        kernel(
            19_700,
            "Started systemd-journald.service - Journal Service.",
        ),
        pid1(
            500_000,
            &[
                ("UNIT", "systemd-journald.service"),
                ("INVOCATION_ID", INV_A),
                ("MESSAGE_ID", ids::UNIT_STOPPING),
                ("JOB_ID", "3400"),
                ("JOB_TYPE", "stop"),
                ("MESSAGE", "Stopping systemd-journald.service..."),
            ],
        ),
    ];
    let lc = build(BOOT, events);
    assert_eq!(lc.activations.len(), 1);
    let a = &lc.activations[0];
    assert_eq!(a.invocation_id.unwrap().to_string(), INV_A);
    assert!(a.requested.is_some() && a.started.is_some() && a.stopping.is_some());
    assert_eq!(a.start_job_id, None, "kernel-log lines carry no job id");
}

/// Debian 12, debug boot: kmsg dropped "Started worker.service" but kept
/// the debug lines around it; the start job's "finished" line stands in.
#[test]
fn a_lost_started_line_is_replaced_by_its_start_jobs_debug_line() {
    let events = vec![
        kernel(23_433, "worker.service: Forked /usr/bin/python3 as 233"),
        kernel(23_546, "worker.service: Changed dead -> running"),
        kernel(
            23_547,
            "worker.service: Job 76 worker.service/start finished, result=done",
        ),
        pid1(
            61_516,
            &[
                ("UNIT", "worker.service"),
                ("INVOCATION_ID", INV_A),
                ("MESSAGE_ID", ids::UNIT_STOPPING),
                ("JOB_ID", "625"),
                ("JOB_TYPE", "stop"),
                ("MESSAGE", "Stopping worker.service - Worker..."),
            ],
        ),
    ];
    let lc = build(BOOT, events);
    assert_eq!(lc.activations.len(), 1);
    let a = &lc.activations[0];
    assert_eq!(a.invocation_id.unwrap().to_string(), INV_A);
    assert_eq!(a.start_job_id, Some(76));
    assert_eq!(
        a.started.map(|s| s.event),
        Some(2),
        "the job's finished line"
    );
    assert!(a.start_logged());
}

#[test]
fn condition_skips_and_job_lines_belong_to_no_run() {
    let events = vec![
        pid1(
            24_755,
            &[
                ("UNIT", "ldconfig.service"),
                ("INVOCATION_ID", ""),
                ("MESSAGE_ID", ids::UNIT_STARTED),
                ("JOB_ID", "456"),
                ("JOB_TYPE", "start"),
                (
                    "MESSAGE",
                    "ldconfig.service - Rebuild Dynamic Linker Cache was skipped because all trigger condition checks failed.",
                ),
            ],
        ),
        pid1(
            62_877,
            &[
                ("UNIT", "db.service"),
                ("PRIORITY", "7"),
                (
                    "MESSAGE",
                    "db.service: Installed new job db.service/start as 566",
                ),
            ],
        ),
    ];
    let lc = build(BOOT, events);
    assert!(lc.activations.is_empty());
    assert_eq!(lc.events.len(), 2);
    assert_eq!(lc.runs.len(), 1);
    assert_eq!(lc.runs[0].debug_lines, 1);
}

#[test]
fn user_managers_are_runs_of_their_own_and_restart_their_job_counter() {
    let user = |ms: u64, pid: &str, job: &str| {
        let boot = TestBoot {
            id: BOOT,
            epoch_usec: 0,
        };
        let e = boot.entry(
            ms * 1000,
            &[
                ("_PID", pid),
                ("_SYSTEMD_UNIT", "user@1000.service"),
                ("_SYSTEMD_USER_UNIT", "init.scope"),
                ("MESSAGE_ID", ids::UNIT_STARTED),
                ("USER_UNIT", "basic.target"),
                ("JOB_ID", job),
                ("JOB_TYPE", "start"),
                ("MESSAGE", "Reached target basic.target - Basic System."),
            ],
        );
        Event::from_entry(&e).unwrap()
    };
    let lc = build(
        BOOT,
        vec![user(34_779, "1501", "10"), user(56_419, "1509", "10")],
    );
    assert_eq!(lc.runs.len(), 2);
    assert_eq!(lc.runs[0].pid, Some(1501));
    assert_eq!(
        lc.activations.len(),
        2,
        "same unit, same job id, but two managers"
    );
    assert_ne!(lc.activations[0].run, lc.activations[1].run);
}

#[test]
fn events_of_other_boots_are_dropped() {
    let mut other = pid1(
        1,
        &[
            ("UNIT", "x.service"),
            ("MESSAGE_ID", ids::UNIT_STARTED),
            ("MESSAGE", "Started x.service."),
        ],
    );
    other.boot_id = Id128([1; 16]);
    let lc = build(BOOT, vec![other]);
    assert!(lc.events.is_empty() && lc.activations.is_empty());
}

/// debian12-loops, boot 1 (debug, journald flooded): a line journald read
/// 24 s late is placed where PID 1 sent it (`_SOURCE_REALTIME_TIMESTAMP`),
/// so "Started" joins the run its kernel-log job line opened instead of
/// landing after that run's failure and restart as a run of its own.
#[test]
fn a_line_journald_read_late_is_placed_where_pid1_sent_it() {
    let sent = (LOG.epoch_usec + 25_354_703).to_string();
    let late = |source: Option<&str>| {
        let mut fields = vec![
            ("UNIT", "clearing-api.service"),
            ("MESSAGE_ID", ids::UNIT_STARTED),
            ("JOB_ID", "73"),
            ("JOB_TYPE", "start"),
            ("INVOCATION_ID", INV_A),
            ("MESSAGE", "Started clearing-api.service - Backend."),
        ];
        if let Some(s) = source {
            fields.push(("_SOURCE_REALTIME_TIMESTAMP", s));
        }
        pid1(49_916, &fields)
    };
    let events = |source| {
        vec![
            kernel(
                25_349,
                "clearing-api.service: Job 73 clearing-api.service/start finished, result=done",
            ),
            kernel(45_291, "clearing-api.service: Changed running -> failed"),
            kernel(
                49_433,
                "clearing-api.service: Job 103 clearing-api.service/start finished, result=done",
            ),
            late(source),
        ]
    };
    let e = late(Some(&sent));
    assert_eq!(e.realtime_usec, LOG.epoch_usec + 25_354_703);
    assert_eq!(e.monotonic_usec, Some(25_354_703));

    let lc = build(BOOT, events(Some(&sent)));
    let first = &lc.activations[0];
    assert_eq!(first.invocation_id.unwrap().to_string(), INV_A);
    assert_eq!(first.start_job_id, Some(73));
    assert_eq!(lc.activations.len(), 2, "{:#?}", lc.activations);
    assert_eq!(lc.activations[1].start_job_id, Some(103));
    assert_eq!(lc.activations[1].invocation_id, None);

    // Timed by when journald read it, the same line lands after the restart.
    let lc = build(BOOT, events(None));
    assert_ne!(
        lc.activations[0].invocation_id.map(|i| i.to_string()),
        Some(INV_A.to_string())
    );
}

/// A sent time minutes before journald's is no backlog but a wall clock
/// stepped in between, or a journal copied with new times and its old
/// fields (the benchmark's replicated journal): the line keeps its time.
#[test]
fn a_sent_time_no_backlog_explains_is_not_believed() {
    let line = |sent_before_usec: u64| {
        let sent = (LOG.epoch_usec + 400_000_000 - sent_before_usec).to_string();
        pid1(
            400_000,
            &[
                ("UNIT", "a.service"),
                ("MESSAGE_ID", ids::UNIT_STARTED),
                ("MESSAGE", "Started a.service."),
                ("_SOURCE_REALTIME_TIMESTAMP", &sent),
            ],
        )
    };
    let backlog = line(24_000_000);
    assert_eq!(backlog.realtime_usec, LOG.epoch_usec + 376_000_000);
    assert_eq!(backlog.monotonic_usec, Some(376_000_000));
    let stepped = line(180_000_000);
    assert_eq!(stepped.realtime_usec, LOG.epoch_usec + 400_000_000);
    assert_eq!(stepped.monotonic_usec, Some(400_000_000));
}

/// debian12-loops, boot 1: a crash-looping unit whose "Started" lines went
/// to the kernel log and were overwritten; only the debug "Job N …/start
/// finished" lines survived. Each opens the next run once the one before
/// ended, and an ended run's later structured line (its state change to
/// auto-restart, which carries its invocation id) names that run, not the
/// next.
#[test]
fn a_start_jobs_finished_line_after_the_run_ended_opens_the_next_run() {
    let u = "clearing-api.service";
    let structured = |ms: u64, inv: &str, message: &str| {
        pid1(
            ms,
            &[("UNIT", u), ("INVOCATION_ID", inv), ("MESSAGE", message)],
        )
    };
    let events = vec![
        kernel(
            34_302,
            "clearing-api.service: Job 219 clearing-api.service/start finished, result=done",
        ),
        kernel(45_228, "clearing-api.service: Changed running -> failed"),
        structured(
            45_596,
            INV_A,
            "clearing-api.service: Changed failed -> auto-restart",
        ),
        kernel(
            49_526,
            "clearing-api.service: Job 277 clearing-api.service/start finished, result=done",
        ),
        structured(
            58_463,
            INV_B,
            "clearing-api.service: Changed running -> failed",
        ),
    ];
    let lc = build(BOOT, events);
    assert_eq!(lc.activations.len(), 2, "{:#?}", lc.activations);
    let (first, second) = (&lc.activations[0], &lc.activations[1]);
    assert_eq!(first.start_job_id, Some(219));
    assert_eq!(first.invocation_id.unwrap().to_string(), INV_A);
    assert_eq!(second.start_job_id, Some(277));
    assert_eq!(second.invocation_id.unwrap().to_string(), INV_B);
    assert!(second.started.is_some() && second.ended.is_some());
}
