//! Detectors on small boots written line by line the way systemd 252 logs
//! them (field for field as in the recorded Debian 12 journal): each
//! detector once where it must speak and once where it must stay silent.
//! The recorded fixtures test the same against real journals
//! (tests/it/findings.rs); these pin the rules down one at a time.

use super::*;
use crate::boots::BootScanner;
use crate::events::ids;
use crate::journal::{Entry, Id128};
use crate::testkit::TestBoot;

/// Builds one boot's entries; times are seconds of uptime.
pub(crate) struct SimBoot {
    id: Id128,
    /// Wall clock at uptime 0.
    epoch: u64,
    seq: u64,
    pub(super) entries: Vec<Entry>,
    next_job: u32,
}

const HOUR: u64 = 3_600_000_000;

impl SimBoot {
    pub(crate) fn new(n: u8) -> SimBoot {
        let mut b = SimBoot {
            id: Id128([n; 16]),
            epoch: 1_700_000_000_000_000 + u64::from(n) * HOUR,
            seq: u64::from(n) * 100_000,
            entries: Vec::new(),
            next_job: 1,
        };
        b.line(
            0.5,
            &[(
                "MESSAGE",
                "Queued start job for default target multi-user.target.",
            )],
        );
        b
    }

    pub(crate) fn line(&mut self, at: f64, fields: &[(&str, &str)]) {
        let mono = (at * 1e6) as u64;
        let boot = TestBoot {
            id: self.id,
            epoch_usec: self.epoch,
        };
        let mut e = boot.pid1(mono, fields);
        // Boot detection orders by sequence number.
        self.seq += 1;
        e.seqnum = Some(self.seq);
        self.entries.push(e);
    }

    pub(super) fn job(&mut self) -> String {
        self.next_job += 1;
        self.next_job.to_string()
    }

    pub(super) fn started(&mut self, at: f64, unit: &str, inv: &str, job: &str) {
        let msg = format!("Started {unit}.");
        self.line(
            at,
            &[
                ("MESSAGE_ID", ids::UNIT_STARTED),
                ("UNIT", unit),
                ("JOB_ID", job),
                ("JOB_TYPE", "start"),
                ("JOB_RESULT", "done"),
                ("INVOCATION_ID", inv),
                ("MESSAGE", &msg),
            ],
        );
    }

    pub(super) fn startup_finished(&mut self, at: f64) {
        self.line(
            at,
            &[
                ("MESSAGE_ID", ids::STARTUP_FINISHED),
                (
                    "MESSAGE",
                    "Startup finished in 1s (kernel) + 2s (userspace) = 3s.",
                ),
            ],
        );
    }

    /// A run that exits with status 1 and is restarted (v252: "Stopped" with
    /// JOB_TYPE=restart, then "Started" with the same job id).
    pub(super) fn crash_and_restart(
        &mut self,
        at: f64,
        unit: &str,
        inv: &str,
        next: &str,
        n: u32,
        scheduled_logged: bool,
    ) {
        let exit = format!("{unit}: Main process exited, code=exited, status=1/FAILURE");
        self.line(
            at,
            &[
                ("MESSAGE_ID", ids::UNIT_PROCESS_EXIT),
                ("UNIT", unit),
                ("EXIT_CODE", "exited"),
                ("EXIT_STATUS", "1"),
                ("INVOCATION_ID", inv),
                ("MESSAGE", &exit),
            ],
        );
        let failed = format!("{unit}: Failed with result 'exit-code'.");
        self.line(
            at + 0.01,
            &[
                ("MESSAGE_ID", ids::UNIT_FAILURE_RESULT),
                ("UNIT", unit),
                ("UNIT_RESULT", "exit-code"),
                ("INVOCATION_ID", inv),
                ("MESSAGE", &failed),
            ],
        );
        if scheduled_logged {
            let n_text = n.to_string();
            let msg = format!("{unit}: Scheduled restart job, restart counter is at {n}.");
            self.line(
                at + 1.0,
                &[
                    ("MESSAGE_ID", ids::UNIT_RESTART_SCHEDULED),
                    ("UNIT", unit),
                    ("N_RESTARTS", &n_text),
                    ("INVOCATION_ID", inv),
                    ("MESSAGE", &msg),
                ],
            );
        }
        let job = self.job();
        let stopped = format!("Stopped {unit}.");
        self.line(
            at + 1.01,
            &[
                ("MESSAGE_ID", ids::UNIT_STOPPED),
                ("UNIT", unit),
                ("JOB_ID", &job),
                ("JOB_TYPE", "restart"),
                ("JOB_RESULT", "done"),
                ("INVOCATION_ID", inv),
                ("MESSAGE", &stopped),
            ],
        );
        self.started(at + 1.05, unit, next, &job);
    }

    pub(super) fn stop(&mut self, at: f64, unit: &str, inv: &str) {
        let job = self.job();
        for (dt, id, msg) in [
            (0.0, ids::UNIT_STOPPING, format!("Stopping {unit}...")),
            (0.02, ids::UNIT_STOPPED, format!("Stopped {unit}.")),
        ] {
            self.line(
                at + dt,
                &[
                    ("MESSAGE_ID", id),
                    ("UNIT", unit),
                    ("JOB_ID", &job),
                    ("JOB_TYPE", "stop"),
                    ("INVOCATION_ID", inv),
                    ("MESSAGE", &msg),
                ],
            );
        }
    }

    /// A clean reboot: the reboot target's start job comes first, then the
    /// stop jobs of everything in `running`, then journald's last word.
    pub(super) fn reboot(&mut self, at: f64, running: &[(&str, &str)]) {
        let job = self.job();
        self.line(
            at,
            &[
                ("MESSAGE_ID", ids::UNIT_STARTING),
                ("UNIT", "reboot.target"),
                ("JOB_ID", &job),
                ("JOB_TYPE", "start"),
                ("MESSAGE", "Starting reboot.target..."),
            ],
        );
        for (i, (unit, inv)) in running.iter().enumerate() {
            self.stop(at + 0.1 + i as f64 * 0.1, unit, inv);
        }
        self.line(
            at + 1.0,
            &[
                ("MESSAGE_ID", ids::UNIT_STARTED),
                ("UNIT", "reboot.target"),
                ("JOB_ID", &job),
                ("JOB_TYPE", "start"),
                ("JOB_RESULT", "done"),
                ("MESSAGE", "Reached target reboot.target."),
            ],
        );
        let mut e = Entry::new(self.epoch + ((at + 1.5) * 1e6) as u64, self.id);
        e.monotonic_usec = Some(((at + 1.5) * 1e6) as u64);
        self.seq += 1;
        e.seqnum = Some(self.seq);
        e.cursor = format!("s=aa;i={:x}", self.seq);
        e.push_field("MESSAGE_ID", ids::JOURNAL_STOP.as_bytes());
        e.push_field("MESSAGE", b"Journal stopped");
        self.entries.push(e);
    }
}

const INV: [&str; 8] = [
    "a2b4f8e06a894ff3a9713b3a30a86af0",
    "a2b4f8e06a894ff3a9713b3a30a86af1",
    "a2b4f8e06a894ff3a9713b3a30a86af2",
    "a2b4f8e06a894ff3a9713b3a30a86af3",
    "a2b4f8e06a894ff3a9713b3a30a86af4",
    "a2b4f8e06a894ff3a9713b3a30a86af5",
    "a2b4f8e06a894ff3a9713b3a30a86af6",
    "a2b4f8e06a894ff3a9713b3a30a86af7",
];

/// Reads the boots as `jforensics findings` would and runs the detectors.
pub(super) fn run(boots: Vec<SimBoot>, options: &Options) -> Vec<Finding> {
    detect(&read_all(boots, options), options)
}

/// Reads the boots as `jforensics findings` would.
pub(crate) fn read_all(mut boots: Vec<SimBoot>, options: &Options) -> Vec<BootData> {
    // A journal read whole: one counter numbers every entry, boot after
    // boot, as journald's does (coverage reads the numbers).
    let mut seq = 0;
    for b in &mut boots {
        for e in &mut b.entries {
            seq += 1;
            e.seqnum = Some(seq);
            e.cursor = format!("s=aa;i={seq:x};b={}", b.id);
        }
    }
    let mut scanner = BootScanner::new();
    for b in &boots {
        for e in &b.entries {
            scanner.observe(e);
        }
    }
    let order = scanner.finish();
    let data: Vec<BootData> = order
        .iter()
        .map(|boot| {
            let b = boots.iter().find(|b| b.id == boot.boot_id).unwrap();
            let mut source = VecSource(b.entries.clone().into_iter(), Default::default());
            read_boot(boot, &mut source, options).unwrap()
        })
        .collect();
    data
}

pub(super) struct VecSource(
    pub(super) std::vec::IntoIter<Entry>,
    pub(super) crate::journal::Diagnostics,
);

impl EntrySource for VecSource {
    fn next_entry(&mut self) -> Result<Option<Entry>, JournalError> {
        Ok(self.0.next())
    }
    fn diagnostics(&self) -> &crate::journal::Diagnostics {
        &self.1
    }
}

/// A boot in which `api.service` starts at boot and then crashes `crashes`
/// times, each crash followed by a restart; the last run stays up until a
/// reboot. `lost` is the crash whose "Scheduled restart job" line is missing.
fn looping_boot(crashes: usize, lost: Option<usize>) -> SimBoot {
    let mut b = SimBoot::new(1);
    let job = b.job();
    b.started(2.0, "api.service", INV[0], &job);
    b.startup_finished(3.0);
    let mut at = 4.0;
    for i in 0..crashes {
        b.crash_and_restart(
            at,
            "api.service",
            INV[i],
            INV[i + 1],
            i as u32 + 1,
            lost != Some(i),
        );
        at += 2.0;
    }
    b.reboot(at + 600.0, &[("api.service", INV[crashes])]);
    b
}

#[test]
fn three_restarts_in_the_window_are_a_crash_loop_two_are_not() {
    let options = Options::default();
    let found = run(vec![looping_boot(3, None)], &options);
    let loops: Vec<&Finding> = found.iter().filter(|f| f.kind == Kind::CrashLoop).collect();
    assert_eq!(loops.len(), 1, "{found:#?}");
    let Details::CrashLoop(d) = &loops[0].details else {
        panic!()
    };
    assert_eq!(d.restarts, 3);
    assert_eq!(d.outcome, LoopOutcome::Recovered);
    assert_eq!(d.first_start_cause, "boot");
    assert_eq!(d.exit_statuses, vec!["status=1".to_string()]);
    assert!(
        loops[0]
            .summary
            .starts_with("api.service crash-looped after boot"),
        "{}",
        loops[0].summary
    );

    let quiet = run(vec![looping_boot(2, None)], &options);
    assert!(
        quiet.iter().all(|f| f.kind != Kind::CrashLoop),
        "{quiet:#?}"
    );
}

#[test]
fn a_lost_scheduled_restart_line_does_not_break_the_chain() {
    let found = run(vec![looping_boot(4, Some(2))], &Options::default());
    let Some(Details::CrashLoop(d)) = found
        .iter()
        .find(|f| f.kind == Kind::CrashLoop)
        .map(|f| &f.details)
    else {
        panic!("{found:#?}")
    };
    assert_eq!(d.restarts, 4);
    assert_eq!(d.scheduled_restarts_logged, 3);
}

#[test]
fn restarts_spread_wider_than_the_window_are_no_loop() {
    let options = Options {
        loop_window_usec: 3_000_000,
        ..Options::default()
    };
    // Restarts two seconds apart: three of them span four seconds.
    let found = run(vec![looping_boot(3, None)], &options);
    assert!(
        found.iter().all(|f| f.kind != Kind::CrashLoop),
        "{found:#?}"
    );
}

/// Boot 1: `web.service` at boot, `tool.service` started by hand later; both
/// run until the reboot. Boot 2: only what starts at boot.
fn two_boots(tool_in_second_boot_at_boot: bool) -> Vec<SimBoot> {
    let mut first = SimBoot::new(1);
    let job = first.job();
    first.started(2.0, "web.service", INV[0], &job);
    first.startup_finished(3.0);
    let job = first.job();
    first.started(60.0, "tool.service", INV[1], &job);
    first.reboot(120.0, &[("tool.service", INV[1]), ("web.service", INV[0])]);
    let mut second = SimBoot::new(2);
    let job = second.job();
    second.started(2.0, "web.service", INV[2], &job);
    if tool_in_second_boot_at_boot {
        let job = second.job();
        second.started(2.5, "tool.service", INV[3], &job);
    }
    second.startup_finished(3.0);
    vec![first, second]
}

#[test]
fn a_unit_started_by_hand_is_lost_at_reboot_and_one_started_at_boot_is_not() {
    let found = run(two_boots(false), &Options::default());
    let lost: Vec<&str> = found
        .iter()
        .filter(|f| f.kind == Kind::LostAtReboot)
        .filter_map(|f| f.unit.as_deref())
        .collect();
    assert_eq!(lost, vec!["tool.service"], "{found:#?}");
    let f = found.iter().find(|f| f.kind == Kind::LostAtReboot).unwrap();
    let Details::LostAtReboot(d) = &f.details else {
        panic!()
    };
    assert_eq!(d.how_started_before, "manual");
    assert_eq!(f.boot_id, Id128([2; 16]));

    let back = run(two_boots(true), &Options::default());
    assert!(
        back.iter().all(|f| f.kind != Kind::LostAtReboot),
        "{back:#?}"
    );
}

#[test]
fn at_risk_names_only_the_newest_boots_manual_starts() {
    // In the two-boot journal the newest boot starts everything at boot.
    let found = run(two_boots(true), &Options::default());
    assert!(
        found.iter().all(|f| f.kind != Kind::AtRiskManual),
        "{found:#?}"
    );
    // A single boot with a unit started by hand that ran to the end.
    let mut only = two_boots(false);
    only.truncate(1);
    let found = run(only, &Options::default());
    let risky: Vec<&str> = found
        .iter()
        .filter(|f| f.kind == Kind::AtRiskManual)
        .filter_map(|f| f.unit.as_deref())
        .collect();
    assert_eq!(risky, vec!["tool.service"], "{found:#?}");
}

#[test]
fn a_stop_followed_by_a_start_by_hand_is_no_resurrection() {
    let mut b = SimBoot::new(1);
    let job = b.job();
    b.started(2.0, "web.service", INV[0], &job);
    b.startup_finished(3.0);
    b.stop(10.0, "web.service", INV[0]);
    let job = b.job();
    b.started(20.0, "web.service", INV[1], &job);
    let found = run(vec![b], &Options::default());
    assert!(
        found.iter().all(|f| f.kind != Kind::Resurrection),
        "{found:#?}"
    );
}

#[test]
fn a_clean_boot_has_no_unclean_shutdown_and_no_kills() {
    let found = run(two_boots(true), &Options::default());
    assert!(
        found.iter().all(|f| !matches!(
            f.kind,
            Kind::UncleanShutdown
                | Kind::OomKill
                | Kind::Watchdog
                | Kind::CoreDump
                | Kind::StartTimeout
                | Kind::StartLimitHit
                | Kind::SpawnFailed
                | Kind::ReadinessGap
        )),
        "{found:#?}"
    );
}

#[test]
fn severities_order_for_fail_on_and_kinds_round_trip() {
    assert!(Severity::Info < Severity::Warning && Severity::Warning < Severity::Error);
    assert!(Severity::Error < Severity::Critical);
    for k in Kind::ALL {
        assert_eq!(Kind::parse(k.as_str()), Some(k));
        assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
    }
    for s in Severity::ALL {
        assert_eq!(Severity::parse(s.as_str()), Some(s));
    }
    let id = finding_id(Kind::CrashLoop, "api.service", Id128([1; 16]), 5);
    assert_eq!(
        id,
        finding_id(Kind::CrashLoop, "api.service", Id128([1; 16]), 5)
    );
    assert!(id.starts_with("crash-loop-"));
}

/// Every recorded fixture (systemd 252 and 257, systemd's no-RTC sample).
const RECORDED: [&str; 5] = [
    "tests/fixtures/debian12/journal",
    "tests/fixtures/debian13/journal",
    "tests/fixtures/debian12-races/journal",
    "tests/fixtures/debian13-races/journal",
    "tests/fixtures/systemd/no-rtc",
];

#[test]
fn a_boot_read_with_only_the_fields_boot_filter_names_is_understood_as_a_whole_one() {
    use crate::journal::libsystemd::{self, LibsystemdSource};
    use crate::journal::{Filter, SourceSpec, for_each_entry};
    let options = Options::default();
    for dir in RECORDED {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .ancestors()
            .nth(2)
            .unwrap()
            .join(dir);
        let files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "zst"))
            .collect();
        let prepared = libsystemd::prepare(&SourceSpec::Files(files)).unwrap();
        let mut source = LibsystemdSource::open(prepared.copy_for_child(), Filter::all()).unwrap();
        let mut entries = Vec::new();
        for_each_entry(&mut source, |e| entries.push(e)).unwrap();
        let mut scanner = BootScanner::new();
        entries.iter().for_each(|e| scanner.observe(e));
        let boots = scanner.finish();
        let (mut whole_fields, mut narrow_fields) = (0, 0);
        let mut read = |narrow: bool| -> Vec<BootData> {
            boots
                .iter()
                .map(|boot| {
                    let fields = boot_filter(boot.boot_id).fields;
                    let of_boot: Vec<Entry> = entries
                        .iter()
                        .filter(|e| e.boot_id == boot.boot_id)
                        .cloned()
                        .map(|mut e| {
                            if narrow {
                                // What a reader asked for `fields` delivers.
                                e.retain_fields(|position, name| fields.keeps(position, name));
                                narrow_fields += e.field_count();
                            } else {
                                whole_fields += e.field_count();
                            }
                            e
                        })
                        .collect();
                    let mut source = VecSource(of_boot.into_iter(), Default::default());
                    read_boot(boot, &mut source, &options).unwrap()
                })
                .collect()
        };
        let (whole, narrow) = (read(false), read(true));
        assert!(
            narrow_fields < whole_fields,
            "{dir:?}: the filter keeps {narrow_fields} of {whole_fields} fields"
        );
        for (w, n) in whole.iter().zip(&narrow) {
            assert!(
                format!("{w:?}") == format!("{n:?}"),
                "{dir:?}: boot {} reads differently without the fields boot_filter leaves out",
                w.analysis.boot.boot_id
            );
        }
        let found = |data: &[BootData]| serde_json::to_string(&detect(data, &options)).unwrap();
        assert_eq!(found(&whole), found(&narrow), "{dir:?}");
    }
}
