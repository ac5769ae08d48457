//! Crash-loop episodes, outcomes and root causes on boots written line by
//! line as systemd 252 logs them (see `tests.rs` for the builder): a
//! database that flaps under a backend, a poweroff soon after a recovery, a
//! unit started only after the recovering restart.

use super::tests::{SimBoot, run};
use super::*;

fn inv(n: u32) -> String {
    format!("c3b4f8e06a894ff3a9713b3a30a8{n:04x}")
}

const API: &str = "api.service";

/// A job id for a request of its own: such a request takes a block of ids
/// (one per unit it pulls in, 58 for a plain service on a minimal Debian),
/// as does the request before it, so it lies well past the last job logged
/// and the next one well past it.
fn own_job(b: &mut SimBoot) -> String {
    for _ in 0..58 {
        b.job();
    }
    let job = b.job();
    for _ in 0..58 {
        b.job();
    }
    job
}
const DB: &str = "db.service";

/// `api.service` at boot crashes three times (runs of about a second, two
/// seconds apart) and recovers with the restart just after `db.service` is
/// started by hand at 9.0 s. With `flap_after` seconds up, the database is
/// stopped by hand and the backend fails half a second later, crashes three
/// more times, and recovers as the database is started again (logged just
/// after the restart); the reboot comes `up_at_end` seconds after that
/// recovery.
fn flapping_boot(flap_after: f64, up_at_end: f64) -> SimBoot {
    let mut b = SimBoot::new(1);
    let job = b.job();
    b.started(2.0, API, &inv(0), &job);
    b.startup_finished(3.0);
    for (k, at) in [4.0, 6.0, 8.0].into_iter().enumerate() {
        let k = k as u32;
        b.crash_and_restart(at, API, &inv(k), &inv(k + 1), k + 1, true);
    }
    let job = own_job(&mut b);
    b.started(9.0, DB, &inv(100), &job);
    // inv(3) started at 9.05.
    let down = 9.05 + flap_after;
    b.stop(down, DB, &inv(100));
    for (k, at) in [down + 0.5, down + 2.5, down + 4.5].into_iter().enumerate() {
        let k = k as u32 + 3;
        b.crash_and_restart(at, API, &inv(k), &inv(k + 1), k + 1, true);
    }
    // Logged 0.3 s after the restart at down + 5.55, as a simple service's
    // "Started" comes at fork and its program connects a moment later.
    let job = own_job(&mut b);
    b.started(down + 5.85, DB, &inv(101), &job);
    b.reboot(
        down + 5.55 + up_at_end,
        &[(API, inv(6).as_str()), (DB, inv(101).as_str())],
    );
    b
}

fn loops(found: &[Finding]) -> Vec<(&Finding, &CrashLoopDetails)> {
    found
        .iter()
        .filter_map(|f| match &f.details {
            Details::CrashLoop(d) => Some((f, d)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_dependency_that_flaps_makes_two_episodes_each_recovered_by_its_start() {
    // Up 30 s between (thirty times the failing runs), 8 s before the
    // reboot: both well past five typical failing runs and a two-second
    // cycle, both short of the two minutes that alone would do.
    let found = run(vec![flapping_boot(30.0, 8.0)], &Options::default());
    let eps = loops(&found);
    assert_eq!(eps.len(), 2, "{found:#?}");
    let (f1, d1) = eps[0];
    let (f2, d2) = eps[1];
    assert_eq!(d1.restarts, 3);
    assert_eq!(d1.outcome, LoopOutcome::Recovered);
    assert_eq!(d1.root_cause_unit.as_deref(), Some(DB));
    assert_eq!(d1.root_cause_cause.as_deref(), Some("manual"));
    assert_eq!(d1.begun_by_stop_of, None);
    assert_eq!(d1.first_start_cause, "boot");

    // The second episode begins with the failure of the run that stayed up,
    // half a second after the database was stopped.
    assert_eq!(d2.restarts, 3);
    assert_eq!(d2.begun_by_stop_of.as_deref(), Some(DB));
    assert_eq!(d2.outcome, LoopOutcome::Recovered, "{}", f2.summary);
    assert_eq!(d2.root_cause_unit.as_deref(), Some(DB));
    let epoch = 1_700_000_000_000_000 + 3_600_000_000;
    // Within the 10 ms between a run's exit line and its failure line.
    let near = |usec: u64, at: u64| usec.abs_diff(epoch + at) <= 10_000;
    assert!(near(f2.start_realtime_usec, 39_550_000), "{}", f2.summary);
    assert!(
        d2.begun_by_stop_realtime_usec
            .is_some_and(|t| near(t, 39_050_000)),
        "{}",
        f2.summary
    );
    assert!(
        f2.summary.contains("3 automatic restarts in 5"),
        "{}",
        f2.summary
    );
    assert!(
        f2.summary.contains("after db.service was stopped at"),
        "{}",
        f2.summary
    );
    // The first ends where the second's recovering run began: the restart
    // at 9.05 s.
    assert!(near(f1.end_realtime_usec, 9_050_000), "{}", f1.summary);
}

#[test]
fn a_run_only_a_few_times_longer_than_the_failing_ones_does_not_end_the_episode() {
    // Up 4 s: four times the typical failing run (about a second), so the
    // loop goes on as one episode through the database's stop.
    let found = run(vec![flapping_boot(4.0, 8.0)], &Options::default());
    let eps = loops(&found);
    assert_eq!(eps.len(), 1, "{found:#?}");
    assert_eq!(eps[0].1.restarts, 6);
    assert_eq!(eps[0].1.begun_by_stop_of, None);
}

#[test]
fn a_poweroff_soon_after_the_recovery_is_no_reboot_while_looping() {
    // 8 s up after the recovery, then the reboot stops it cleanly.
    let found = run(vec![flapping_boot(30.0, 8.0)], &Options::default());
    let last = *loops(&found).last().expect("episodes");
    assert_eq!(last.1.outcome, LoopOutcome::Recovered, "{}", last.0.summary);
    // Stopped by the shutdown 1.5 s after the recovering restart: that is
    // still looping (one cycle is 2 s).
    let found = run(vec![flapping_boot(30.0, 1.5)], &Options::default());
    let last = *loops(&found).last().expect("episodes");
    assert_eq!(last.1.outcome, LoopOutcome::Reboot, "{}", last.0.summary);
}

#[test]
fn a_unit_started_after_the_recovering_restart_is_never_its_root_cause() {
    // The loop of `looping_boot`-like shape, with no database: the only
    // other start is by hand 1.6 s after the recovering restart.
    let mut b = SimBoot::new(1);
    let job = b.job();
    b.started(2.0, API, &inv(0), &job);
    b.startup_finished(3.0);
    for (k, at) in [4.0, 6.0, 8.0].into_iter().enumerate() {
        let k = k as u32;
        b.crash_and_restart(at, API, &inv(k), &inv(k + 1), k + 1, true);
    }
    let job = own_job(&mut b);
    b.started(9.05 + 1.6, "cache.service", &inv(200), &job);
    b.reboot(
        300.0,
        &[(API, inv(3).as_str()), ("cache.service", inv(200).as_str())],
    );
    let found = run(vec![b], &Options::default());
    let eps = loops(&found);
    assert_eq!(eps.len(), 1, "{found:#?}");
    assert_eq!(eps[0].1.outcome, LoopOutcome::Recovered);
    assert_eq!(eps[0].1.root_cause_unit, None, "{}", eps[0].0.summary);
}

/// `Requires=` without `After=`: the broker the API requires is pulled into
/// a start job at 5.5 s, before the API's last failing cycle began (7.05 s),
/// and comes up ("Started", after READY=1) with the restart that stays up.
/// The start job's beginning lies outside the cycle; its coming up does not.
#[test]
fn a_slow_start_job_that_comes_up_in_the_last_cycle_is_the_root_cause() {
    const BROKER: &str = "broker.service";
    let mut b = SimBoot::new(1);
    let job = b.job();
    b.started(2.0, API, &inv(0), &job);
    b.startup_finished(3.0);
    b.crash_and_restart(4.0, API, &inv(0), &inv(1), 1, true);
    let broker_job = own_job(&mut b);
    b.line(
        5.5,
        &[
            ("MESSAGE_ID", crate::events::ids::UNIT_STARTING),
            ("UNIT", BROKER),
            ("JOB_ID", &broker_job),
            ("JOB_TYPE", "start"),
            ("MESSAGE", "Starting broker.service..."),
        ],
    );
    b.crash_and_restart(6.0, API, &inv(1), &inv(2), 2, true);
    b.crash_and_restart(8.0, API, &inv(2), &inv(3), 3, true);
    b.started(9.2, BROKER, &inv(100), &broker_job);
    b.reboot(
        300.0,
        &[(API, inv(3).as_str()), (BROKER, inv(100).as_str())],
    );
    let found = run(vec![b], &Options::default());
    let eps = loops(&found);
    assert_eq!(eps.len(), 1, "{found:#?}");
    assert_eq!(eps[0].1.outcome, LoopOutcome::Recovered);
    assert_eq!(
        eps[0].1.root_cause_unit.as_deref(),
        Some(BROKER),
        "{}",
        eps[0].0.summary
    );
}

/// A unit stopped by hand half a second before the API's run (up for
/// minutes) fails: with `looping` it is stopped in the middle of a restart
/// loop of its own (runs of a second), so it was not up for anyone to lose
/// and did not begin the API's loop; stopped after one long run, it did.
fn stopped_before_the_failure(looping: bool) -> Vec<Finding> {
    const OTHER: &str = "thumbs.service";
    let mut b = SimBoot::new(1);
    let job = b.job();
    b.started(2.0, API, &inv(0), &job);
    b.startup_finished(3.0);
    let job = own_job(&mut b);
    let last = if looping {
        b.started(140.0, OTHER, &inv(300), &job);
        for (k, at) in [141.0, 143.0, 145.0].into_iter().enumerate() {
            let k = k as u32;
            b.crash_and_restart(at, OTHER, &inv(300 + k), &inv(301 + k), k + 1, true);
        }
        inv(303)
    } else {
        b.started(20.0, OTHER, &inv(300), &job);
        inv(300)
    };
    b.stop(149.5, OTHER, &last);
    for (k, at) in [150.0, 152.0, 154.0].into_iter().enumerate() {
        let k = k as u32;
        b.crash_and_restart(at, API, &inv(k), &inv(k + 1), k + 1, true);
    }
    b.reboot(500.0, &[(API, inv(3).as_str())]);
    run(vec![b], &Options::default())
}

#[test]
fn a_unit_stopped_in_its_own_restart_loop_begins_no_other_loop() {
    let api = |found: &[Finding]| -> Option<String> {
        let eps = loops(found);
        let (_, d) = eps
            .iter()
            .find(|(f, _)| f.unit.as_deref() == Some(API))
            .expect("the API's loop");
        d.begun_by_stop_of.clone()
    };
    assert_eq!(
        api(&stopped_before_the_failure(false)).as_deref(),
        Some("thumbs.service")
    );
    assert_eq!(api(&stopped_before_the_failure(true)), None);
}
