//! Crash loops: a unit that systemd restarts again and again.
//!
//! An episode is a chain of runs of one unit in which every run after the
//! first was started by systemd itself (`Restart=`), with at least
//! `loop_restarts` such restarts inside `loop_window`. Restarts after clean
//! exits (`Restart=always` on a program that finishes) count too: the unit
//! churns just the same.
//!
//! A run that stayed up ends the episode: the unit recovered (see
//! [`FailingRuns::outlived_by`] for when a run counts as staying up). If that
//! run fails later and the restarts begin again, that is a new episode,
//! begun by that failure; when another unit was stopped just before it (a
//! database stopped by hand under a backend), the episode says so.
//!
//! How the episode ended is read from its last run: refused by the start
//! limit, stopped by a stop job, cut by the shutdown or the end of the boot,
//! still looping where the journal ends, or it stayed up ("recovered") —
//! also when the shutdown stopped it cleanly after it had stayed up.
//!
//! The root cause of a recovery is a unit started before (or with) the
//! recovering restart (see `loop_cause.rs`): a backend that stops crashing
//! once its database is started by hand. Nothing in the journal links the
//! two, so this is a coincidence in time, said with a confidence. If the
//! loop began at boot and that unit was not started at boot, the story is
//! "the dependency is not enabled", and the finding says so.
//!
//! Lost lines: under load PID 1 can drop lines (the recorded debug boot lost
//! one "Scheduled restart job" of seven). Restarts are recognised by the
//! classifier (restart job ids, the failure before) and, failing that, by a
//! scheduled restart after the previous run, so one lost line does not break
//! the chain; the count of scheduled-restart lines seen is reported beside
//! the count of restarts.

use std::collections::BTreeMap;

use crate::cause::Cause;
use crate::events::EventKind;
use crate::evidence::Evidence;
use crate::lifecycle::EndState;

use super::facts::{BootFacts, duration, how_started};
use super::loop_cause::{RootCause, begun_by_stop, root_cause};
use super::{Context, CrashLoopDetails, Details, Finding, Kind, Severity, finding_id};

crate::vocab::words! {
    "kebab-case",
    /// How a crash loop ended.
    pub enum LoopOutcome {
        /// systemd refused the next restart ("Start request repeated too quickly.").
        StartLimitHit,
        /// The last run stayed up.
        Recovered,
        /// Stopped by a stop job (by hand).
        Stopped,
        /// The boot ended (shutdown or power cut) while it was looping.
        Reboot,
        /// Still looping where the journal ends.
        Ongoing,
        /// The last run failed and systemd did not restart it (Restart= does
        /// not cover that exit).
        Failed,
    }
}

/// How many times longer than the loop's typical (median) failing run a run
/// must last to count as staying up. Failing runs of one loop differ: the
/// same failure is reached by a different path each time (a refused
/// connection at once, a timeout later), and the machine's load stretches
/// them. In the recorded loops (TCG guests, runs of 0.6-5.6 s) the failing
/// runs after the first stayed within 2.5 times their median, while the
/// first, at boot, took up to 6 times it (so the longest run is no
/// measure). Five times the median clears that spread twice over, yet a
/// recovery seen for only a few seconds before a dependency went away again
/// (30 times its failing runs) or before the poweroff (20 times) counts.
const RECOVERY_FACTOR: u64 = 5;
/// A run must also outlast one whole cycle of the loop (its run plus the
/// `RestartSec=` wait, the median time from one start to the next): when the
/// runs are short next to `RestartSec=` (a 0.2 s failure, a 2.5 s wait), a
/// run five times as long as a failing one still ends before the next
/// restart would even have come, and says nothing about having recovered.
const RECOVERY_CYCLES: u64 = 1;

/// The failing runs of a chain so far: what a run that stayed up is
/// measured against.
#[derive(Clone, Debug, Default)]
struct FailingRuns {
    /// How long each lasted, where both ends were logged.
    ran: Vec<u64>,
    /// From each one's start to the next run's start.
    cycles: Vec<u64>,
}

impl FailingRuns {
    /// Whether a run that lasted `ran` µs stayed up: `recovered_after`, or
    /// [`RECOVERY_FACTOR`] times the typical failing run and at least
    /// [`RECOVERY_CYCLES`] cycles of the loop.
    fn outlived_by(&self, f: &BootFacts, ran: u64) -> bool {
        if ran >= f.options.recovered_after_usec {
            return true;
        }
        if self.ran.is_empty() {
            return false;
        }
        ran >= median(recent(&self.ran)).saturating_mul(RECOVERY_FACTOR)
            && ran >= self.cycle().saturating_mul(RECOVERY_CYCLES)
    }

    fn cycle(&self) -> u64 {
        median(recent(&self.cycles))
    }
}

/// How many of the latest failing runs a run is measured against. The
/// machine's load changes within a boot: in a recorded loop the runs at boot
/// failed after 5-28 s, a minute later after 1-1.3 s, and the run that
/// stayed up 31 s was shorter than five times the median of them all. The
/// last few runs are the loop as it was when the run began.
const RECENT_RUNS: usize = 3;

fn recent(values: &[u64]) -> Vec<u64> {
    values[values.len().saturating_sub(RECENT_RUNS)..].to_vec()
}

/// A chain of automatic restarts of one unit.
#[derive(Debug, Default)]
struct Chain {
    runs: Vec<usize>,
    failing: FailingRuns,
    /// The first run had stayed up before it failed: the chain began with
    /// that failure.
    head_stayed_up: bool,
}

pub fn detect(cx: &Context) -> Vec<Finding> {
    let f = cx.facts;
    let mut groups: BTreeMap<(usize, &str), Vec<usize>> = BTreeMap::new();
    for (i, a) in f.lc.activations.iter().enumerate() {
        groups.entry((a.run, a.unit.as_str())).or_default().push(i);
    }
    let mut out = Vec::new();
    for runs in groups.values() {
        for chain in chains(f, runs) {
            if let Some(finding) = episode(f, &chain) {
                out.push(finding);
            }
        }
    }
    out
}

/// Splits a unit's runs into chains of automatic restarts; a run that stayed
/// up ends one chain, and its failure begins the next.
fn chains(f: &BootFacts, runs: &[usize]) -> Vec<Chain> {
    let mut out: Vec<Chain> = Vec::new();
    let mut chain = Chain::default();
    let mut flush = |chain: Chain| {
        if chain.runs.len() > 1 {
            out.push(chain);
        }
    };
    for &i in runs {
        let continues = !chain.runs.is_empty() && f.is_auto_restart(i);
        if !continues {
            flush(std::mem::take(&mut chain));
            chain.runs.push(i);
            continue;
        }
        let last = *chain.runs.last().expect("chain is not empty");
        let ran = f.act(last).ran_usec();
        if ran.is_some_and(|r| chain.failing.outlived_by(f, r)) {
            flush(std::mem::take(&mut chain));
            chain = Chain {
                runs: vec![last, i],
                failing: FailingRuns::default(),
                head_stayed_up: true,
            };
        } else {
            chain.failing.ran.extend(ran);
            chain.failing.cycles.push(between(f, last, i));
            chain.runs.push(i);
        }
    }
    flush(chain);
    out
}

/// µs between two runs' starts.
fn between(f: &BootFacts, a: usize, b: usize) -> u64 {
    match (f.start_stamp(a), f.start_stamp(b)) {
        (Some(x), Some(y)) => x.until(&y),
        _ => f.start_key(b).saturating_sub(f.start_key(a)),
    }
}

fn median(mut values: Vec<u64>) -> u64 {
    if values.is_empty() {
        return 0;
    }
    values.sort_unstable();
    values[values.len() / 2]
}

fn episode(f: &BootFacts, chain: &Chain) -> Option<Finding> {
    let options = f.options;
    let runs = chain.runs.as_slice();
    let n = options.loop_restarts.max(1) as usize;
    let restarts = &runs[1..];
    if restarts.len() < n {
        return None;
    }
    let dense = (0..=restarts.len() - n)
        .any(|j| between(f, restarts[j], restarts[j + n - 1]) <= options.loop_window_usec);
    if !dense {
        return None;
    }
    let first = runs[0];
    let last = *runs.last().expect("episode has runs");
    let unit = f.act(first).unit.clone();
    let manager = f.act(first).manager;

    let intervals: Vec<u64> = runs.windows(2).map(|w| between(f, w[0], w[1])).collect();
    let median_interval = median(intervals);

    // The first run began the episode at its start, or at its failure if it
    // had stayed up before.
    let first_ran_long = chain.head_stayed_up
        || f.act(first)
            .ran_usec()
            .is_some_and(|r| r >= options.recovered_after_usec);
    let (start_usec, episode_from) = match (first_ran_long, f.act(first).ended) {
        (true, Some(end)) => (
            end.realtime_usec,
            end.monotonic_usec.unwrap_or(end.realtime_usec),
        ),
        _ => (f.start_realtime(first), f.start_key(first)),
    };
    let stop = if first_ran_long {
        let cycle = match chain.failing.cycle() {
            0 => median(
                runs.windows(2)
                    .skip(1)
                    .map(|w| between(f, w[0], w[1]))
                    .collect(),
            ),
            c => c,
        };
        begun_by_stop(f, first, cycle)
    } else {
        None
    };

    let mut exit_statuses: Vec<String> = Vec::new();
    let mut results: Vec<String> = Vec::new();
    for &i in runs {
        let a = f.act(i);
        // Only exits that ended a run on their own: the last run's SIGTERM
        // from a stop or the shutdown says nothing about the loop.
        let own_end = a.end_state == EndState::Failed
            || a.restart_scheduled.is_some()
            || f.lc.next(i).is_some();
        if let Some(x) = a.exit.as_ref().filter(|_| own_end) {
            push_unique(&mut exit_statuses, x.describe());
        }
        if let Some(r) = a.result.as_ref().filter(|_| own_end)
            && r != "start-limit-hit"
        {
            push_unique(&mut results, r.clone());
        }
    }
    let (mut failure, mut policy) = (0, 0);
    for &i in restarts {
        match f.cause(i) {
            Some(Cause::PolicyRestart) => policy += 1,
            Some(Cause::FailureRestart) => failure += 1,
            _ => match f.lc.previous(i).and_then(|p| f.act(p).result.as_deref()) {
                Some("success") => policy += 1,
                _ => failure += 1,
            },
        }
    }
    let restart_kind = match (failure, policy) {
        (_, 0) => "failure",
        (0, _) => "policy",
        _ => "mixed",
    };
    let scheduled_logged = runs
        .iter()
        .filter(|&&i| f.act(i).restart_scheduled.is_some())
        .count() as u32;

    let (outcome, end_usec, end_evidence) = outcome(f, last, &chain.failing);
    let root = match outcome {
        LoopOutcome::Recovered => root_cause(
            f,
            runs,
            episode_from,
            chain.failing.ran.iter().copied().min().unwrap_or(0),
        ),
        _ => None,
    };
    let first_cause = f.cause(first).unwrap_or(Cause::Unknown);
    let first_trigger = f.start(first).and_then(|s| s.trigger.clone());
    let root_at_boot = root
        .as_ref()
        .map(|r| f.started_at_boot(&f.act(r.activation).unit));

    // --- words ---
    // From the failure that began it when the first run had stayed up.
    let span_usec = if first_ran_long {
        f.start_realtime(last).saturating_sub(start_usec)
    } else {
        between(f, first, last)
    };
    let mut summary = format!(
        "{unit} crash-looped {}: {} automatic restart{} in {} ({})",
        origin_phrase(
            f,
            first,
            first_cause,
            first_trigger.as_deref(),
            first_ran_long,
            stop,
        ),
        restarts.len(),
        if restarts.len() == 1 { "" } else { "s" },
        duration(span_usec),
        exits_phrase(&exit_statuses, &results, restart_kind),
    );
    summary.push_str(&outcome_phrase(f, outcome, last, end_usec, root.as_ref()));
    let stop_unit = stop.map(|i| f.act(i).unit.clone());
    // A loop that did not recover has no unit whose start ended it; the
    // stop that began it is then its cause.
    let root_unit = root
        .as_ref()
        .map(|r| f.act(r.activation).unit.clone())
        .or_else(|| stop_unit.clone());
    if let (Some(r), Some(false), Cause::Boot) = (&root_unit, root_at_boot, first_cause) {
        summary.push_str(&format!(
            "; {r} is not started at boot — it is probably not enabled"
        ));
    }
    summary.push('.');

    let hint = hint(
        &unit,
        outcome,
        restart_kind,
        &exit_statuses,
        root_unit.as_deref(),
        root_at_boot,
    );

    let still_down = matches!(outcome, LoopOutcome::StartLimitHit | LoopOutcome::Failed)
        && f.lc.next(last).is_none();
    let severity = match outcome {
        LoopOutcome::Ongoing => Severity::Critical,
        _ if still_down => Severity::Critical,
        _ if restart_kind == "policy" => Severity::Warning,
        _ => Severity::Error,
    };

    let mut evidence: Vec<Evidence> = Vec::new();
    let mut add = |e: Option<Evidence>| {
        if let Some(e) = e
            && !evidence
                .iter()
                .any(|x| x.cursor == e.cursor && x.message == e.message)
        {
            evidence.push(e);
        }
    };
    add(f.stamp_evidence(f.start_stamp(first)));
    add(failure_line(f, first));
    add(f
        .find_event(first, |k| matches!(k, EventKind::RestartScheduled { .. }))
        .map(|e| f.evidence(e)));
    if runs.len() > 2 {
        let before_last = runs[runs.len() - 2];
        add(failure_line(f, before_last));
        add(f
            .find_event(before_last, |k| {
                matches!(k, EventKind::RestartScheduled { .. })
            })
            .map(|e| f.evidence(e)));
    }
    if let Some(r) = &root {
        add(f.stamp_evidence(f.start_stamp(r.activation)));
    }
    if let Some(i) = stop {
        add(f.stamp_evidence(f.act(i).stopping.or(f.act(i).stopped)));
    }
    add(f.stamp_evidence(f.start_stamp(last)));
    add(failure_line(f, last));
    add(end_evidence);
    evidence.sort_by_key(|e| e.realtime_usec);

    let details = CrashLoopDetails {
        restarts: restarts.len() as u32,
        outcome,
        root_cause_unit: root_unit.clone(),
        root_cause_cause: root.as_ref().map(|r| r.cause.as_str().to_string()),
        root_cause_started_at_boot: root_at_boot,
        median_interval_usec: median_interval,
        exit_statuses,
        results,
        first_start_cause: first_cause.as_str().to_string(),
        first_start_trigger: first_trigger,
        restart_kind: restart_kind.to_string(),
        scheduled_restarts_logged: scheduled_logged,
        begun_by_stop_of: stop_unit,
        begun_by_stop_realtime_usec: stop
            .and_then(|i| f.act(i).stopping.or(f.act(i).stopped))
            .map(|s| s.realtime_usec),
    };
    let boot_id = f.boot().boot_id;
    Some(Finding {
        id: finding_id(Kind::CrashLoop, &unit, boot_id, start_usec),
        kind: Kind::CrashLoop,
        severity,
        unit: Some(unit),
        manager: manager.to_string(),
        boot_id,
        start_realtime_usec: start_usec,
        end_realtime_usec: end_usec.max(start_usec),
        summary,
        hint,
        confidence: root.as_ref().map(|r| r.confidence),
        evidence,
        details: Details::CrashLoop(details),
    })
}

fn push_unique(list: &mut Vec<String>, value: String) {
    if !list.contains(&value) {
        list.push(value);
    }
}

/// The line that says how run `i` failed: its failure result, else its exit.
fn failure_line(f: &BootFacts, i: usize) -> Option<Evidence> {
    f.find_event(
        i,
        |k| matches!(k, EventKind::FailureResult { result } if result != "start-limit-hit"),
    )
    .or_else(|| f.find_event(i, |k| matches!(k, EventKind::ProcessExit(_))))
    .map(|e| f.evidence(e))
}

/// Decides how the loop ended from its last run; returns the outcome, when
/// it ended, and the line that shows it.
fn outcome(
    f: &BootFacts,
    last: usize,
    failing: &FailingRuns,
) -> (LoopOutcome, u64, Option<Evidence>) {
    let a = f.act(last);
    let boot = f.boot();
    let start = f.start_realtime(last);
    if a.start_limit_hit {
        let line = f
            .find_event(last, |k| matches!(k, EventKind::StartLimitHit))
            .or_else(|| {
                f.find_event(last, |k| matches!(k, EventKind::FailureResult { result } if result == "start-limit-hit"))
            });
        // The refusal is followed by the failure it leaves the unit in; the
        // unit is failed from the last of those lines.
        let after = a
            .events
            .iter()
            .copied()
            .filter(|&e| line.is_some_and(|l| e >= l))
            .rfind(|&e| {
                matches!(
                    f.lc.event(e).kind,
                    EventKind::FailureResult { .. }
                        | EventKind::StartFailed { .. }
                        | EventKind::StartLimitHit
                )
            });
        let end = after
            .or(line)
            .map(|e| f.lc.event(e).realtime_usec)
            .or(a.ended.map(|s| s.realtime_usec))
            .unwrap_or(start);
        return (LoopOutcome::StartLimitHit, end, line.map(|e| f.evidence(e)));
    }
    let by_shutdown = f.stopped_by_shutdown(last);
    let to_the_end = a.end_state == EndState::Running || by_shutdown;
    let until = if by_shutdown {
        a.stopping.or(a.stopped).map(|s| s.realtime_usec)
    } else {
        None
    }
    .unwrap_or(boot.last_realtime_usec);
    let ran = match (
        f.start_stamp(last).and_then(|s| s.monotonic_usec),
        boot.last_monotonic_usec,
    ) {
        (Some(s), Some(e)) if a.end_state == EndState::Running => e.saturating_sub(s),
        _ if to_the_end => a.ran_usec().unwrap_or_else(|| until.saturating_sub(start)),
        _ => a.ran_usec().unwrap_or(0),
    };
    // Stayed up, however it ended afterwards: stopped by the shutdown or by
    // hand, or failed again (that failure begins the next episode).
    if failing.outlived_by(f, ran) {
        return (LoopOutcome::Recovered, start, None);
    }
    if to_the_end {
        let evidence = f.stamp_evidence(a.stopping.or(a.stopped));
        return match boot.end {
            crate::boots::BootEnd::Running => (LoopOutcome::Ongoing, boot.last_realtime_usec, None),
            _ => (
                LoopOutcome::Reboot,
                until,
                evidence.or_else(|| boot.end_evidence.last().cloned()),
            ),
        };
    }
    if f.stopped_by_request(last) {
        let stamp = a.stopping.or(a.stopped);
        let end = stamp.map(|s| s.realtime_usec).unwrap_or(start);
        return (LoopOutcome::Stopped, end, f.stamp_evidence(stamp));
    }
    let end = a.ended.map(|s| s.realtime_usec).unwrap_or(start);
    if a.restart_scheduled.is_some() {
        // A restart was scheduled and never ran: refused (its line lost) or
        // cut by the end of the boot.
        return match boot.end {
            crate::boots::BootEnd::Running => (LoopOutcome::Ongoing, boot.last_realtime_usec, None),
            _ => (
                LoopOutcome::Reboot,
                boot.last_realtime_usec,
                boot.end_evidence.last().cloned(),
            ),
        };
    }
    if a.end_state == EndState::Failed {
        return (LoopOutcome::Failed, end, f.stamp_evidence(a.ended));
    }
    (LoopOutcome::Recovered, start, None)
}

fn origin_phrase(
    f: &BootFacts,
    first: usize,
    cause: Cause,
    trigger: Option<&str>,
    ran_long: bool,
    stop: Option<usize>,
) -> String {
    let at = f.clock(f.start_realtime(first));
    if ran_long {
        let ended = f.act(first).ended;
        let failed = ended.map(|s| f.clock(s.realtime_usec)).unwrap_or(at);
        let stopped = stop.and_then(|i| {
            let s = f.act(i).stopping.or(f.act(i).stopped)?;
            let gap = ended.map(|e| s.until(&e)).unwrap_or(0);
            Some(format!(
                ", {} after {} was stopped at {}",
                duration(gap),
                f.act(i).unit,
                f.clock(s.realtime_usec)
            ))
        });
        return format!(
            "after it failed at {failed} (it had run fine before{})",
            stopped.unwrap_or_default()
        );
    }
    match cause {
        Cause::Boot => format!("after boot (first start at {at})"),
        Cause::Manual => format!("after it was started by hand at {at}"),
        other => format!(
            "after it was started {} at {at}",
            how_started(other, trigger)
        ),
    }
}

fn exits_phrase(exits: &[String], results: &[String], restart_kind: &str) -> String {
    let described: Vec<String> = exits
        .iter()
        .map(|x| {
            if let Some(s) = x.strip_prefix("status=") {
                format!("exit status {s}")
            } else if let Some(rest) = x.strip_prefix("signal=") {
                let (num, tail) = rest.split_once(' ').unwrap_or((rest, ""));
                let name = num
                    .parse::<u32>()
                    .ok()
                    .and_then(super::facts::signal_name)
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default();
                format!(
                    "signal {num}{name}{}",
                    if tail.is_empty() {
                        String::new()
                    } else {
                        format!(" {tail}")
                    }
                )
            } else {
                x.clone()
            }
        })
        .collect();
    match (described.is_empty(), restart_kind) {
        (_, "policy") if exits.iter().all(|x| x == "status=0") => {
            "each run exited cleanly and Restart=always started it again".to_string()
        }
        (true, _) if results.iter().any(|r| r == "success") && results.len() == 1 => {
            "each run exited cleanly and Restart=always started it again".to_string()
        }
        (true, _) if !results.is_empty() => format!("result {}", results.join(", ")),
        (true, _) => "how the runs ended was not logged".to_string(),
        _ => described.join(", "),
    }
}

fn outcome_phrase(
    f: &BootFacts,
    outcome: LoopOutcome,
    last: usize,
    end: u64,
    root: Option<&RootCause>,
) -> String {
    let at = f.clock(end);
    match outcome {
        LoopOutcome::StartLimitHit => format!(
            ", until systemd refused to start it again at {at} (start limit hit: \"Start request repeated too quickly\"); it stays failed until someone starts it"
        ),
        LoopOutcome::Recovered => match root {
            Some(r) => {
                let root_act = f.act(r.activation);
                let root_at = f.start_realtime(r.activation);
                let how = match r.cause {
                    Cause::Manual => "by hand".to_string(),
                    c => how_started(c, f.start(r.activation).and_then(|s| s.trigger.as_deref())),
                };
                let recovery = f.start_realtime(last);
                let relation = if recovery >= root_at {
                    format!(
                        "{} after {} was started {how} at {}",
                        duration(recovery - root_at),
                        root_act.unit,
                        f.clock(root_at)
                    )
                } else {
                    format!(
                        "as {} was started {how} at {} ({} later, while it was starting up)",
                        root_act.unit,
                        f.clock(root_at),
                        duration(root_at - recovery)
                    )
                };
                format!(", and recovered with the restart at {at}, {relation}")
            }
            None => format!(", and recovered: the run started at {at} stayed up"),
        },
        LoopOutcome::Stopped => format!(", until it was stopped at {at}"),
        LoopOutcome::Reboot => format!(", until the boot ended at {at} while it was still looping"),
        LoopOutcome::Ongoing => format!(", and is still looping where the journal ends ({at})"),
        LoopOutcome::Failed => format!(
            ", until its last run failed at {at} and systemd did not restart it (Restart= does not cover that exit)"
        ),
    }
}

fn hint(
    unit: &str,
    outcome: LoopOutcome,
    restart_kind: &str,
    exits: &[String],
    root: Option<&str>,
    root_at_boot: Option<bool>,
) -> String {
    let why = if exits.is_empty() {
        String::new()
    } else {
        format!(" ({})", exits.join(", "))
    };
    match (root, root_at_boot) {
        (Some(r), Some(false)) => {
            return format!(
                "Enable {r} (`systemctl enable {r}`) and make {unit} wait for it (`Wants={r}` and `After={r}`), so it is up before {unit} needs it."
            );
        }
        (Some(r), _) => {
            return format!(
                "Make {unit} wait for {r} (`Wants={r}` and `After={r}`), or let it retry the connection instead of exiting."
            );
        }
        _ => {}
    }
    if restart_kind == "policy" {
        return format!(
            "{unit} exits on its own and `Restart=always` starts it again: use `Restart=on-failure`, or `Type=oneshot` with a timer if it is meant to run and finish."
        );
    }
    match outcome {
        LoopOutcome::StartLimitHit | LoopOutcome::Failed => format!(
            "Find why it exits{why} with `journalctl -u {unit}`, fix it, then `systemctl reset-failed {unit}` and start it; `RestartSec=`/`StartLimitBurst=` only change how fast it gives up."
        ),
        _ => format!(
            "Find why it exits{why} with `journalctl -u {unit}`; a longer `RestartSec=` only slows the loop down."
        ),
    }
}
