//! The rules on a boot rebuilt from Debian 12 (systemd 252) lines: the
//! message ids, job ids and times are those of the recorded fixture, trimmed
//! to the units that matter. Each test changes one thing and checks that the
//! answer changes with it, so a rule that only looks right cannot pass.

use super::*;
use crate::events::{Event, ids};
use crate::journal::{Entry, Id128};
use crate::lifecycle::build;
use crate::testkit::TestBoot;

mod boot;
mod by_hand;
mod loaded;
mod lost_lines;
mod restart;
mod transactions;
mod triggers;
mod words;

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
